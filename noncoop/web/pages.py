"""The pages: server-rendered, readable without JavaScript (HTMX only refreshes parts). Each
page asks the same services as the CLI and the API, as the person signed in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlmodel import Session, col, select

from noncoop import access, accounts, clock, config, people, services, tasks, vocabulary
from noncoop.errors import BadInput, NoncoopError, NotFound, Refused
from noncoop.i18n import N_, tr
from noncoop.letters import register
from noncoop.services import public, review
from noncoop.store.models import CaseRow, LetterRow
from noncoop.web import said, timeline
from noncoop.web.deps import Db, check_csrf, csrf_token, retry_after, signed_in, status_of
from noncoop.web.i18n import helpers, state_name, words
from noncoop.web.schemas import documents as document_types

PAGE = 100  # rows a page of a list: the cases, the public findings, one's open tasks
REVIEW_PAGE = 50  # cases a page of the review draws on its time axis
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
# The pages are for browsers, not in the OpenAPI document (app.py includes them without it);
# `documents` are what a program may fetch too (the public feed, a press release), documented.
router = APIRouter(dependencies=[Depends(check_csrf)])
documents = APIRouter(dependencies=[Depends(check_csrf)])


class SignIn(Exception):
    """A page that needs someone signed in: the app sends the browser to /login."""


def lang_of(request: Request) -> str:
    wanted = request.query_params.get("lang")
    if wanted in ("en", "fr"):
        request.session["lang"] = wanted
    return request.session.get("lang", "en")


def render(request: Request, name: str, code: int = 200, titles: dict[str, str] | None = None,
           **ctx: Any) -> HTMLResponse:
    lang = lang_of(request)
    db_email = request.session.get("email")
    return TEMPLATES.TemplateResponse(request, name, {
        **helpers(lang, titles if titles is not None else _all_titles(lang)),
        "said_rule": lambda rule, message: said.rule(rule, message, lang),
        "lang": lang, "csrf": csrf_token(request), "me": db_email,
        "role": request.session.get("role"), "flash": request.session.pop("flash", None),
        "today": clock.today(), **ctx}, status_code=code)


def page_number(text: str) -> int:
    """`?page=` of a list paged by number (the public findings, the inbox, the review): none
    given is the first."""
    if not text:
        return 1
    if not text.isdigit() or int(text) < 1:
        raise BadInput(f"bad page {text!r}: give a page number from 1, or leave it out for "
                       "the first", code="bad_page")
    return int(text)


def error_page(request: Request, exc: NoncoopError) -> HTMLResponse:
    lang = lang_of(request)
    return render(request, "error.html", code=status_of(exc), title=said.title(exc, lang),
                  error=exc, said=said.error(exc, lang))


def me(request: Request, db: Session) -> str:
    email = signed_in(request, db)
    if email is None:
        raise SignIn()
    return email


def flash(request: Request, kind: str, text: str) -> None:
    request.session["flash"] = {"kind": kind, "text": text}


# -- sign-in --------------------------------------------------------------------------------

@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html")


@router.post("/login")
def login(request: Request, db: Db, email: str = Form(...), password: str = Form(...)) -> Response:
    try:
        user = accounts.authenticate(db, email, password,
                                     request.client.host if request.client else "unknown")
    except NoncoopError as exc:
        page = render(request, "login.html", code=status_of(exc),
                      error=said.error(exc, lang_of(request)), email=email)
        page.headers.update(retry_after(exc))
        return page
    # The language chosen on the sign-in page stays; else the person's in the directory.
    lang = request.session.get("lang") or people.language_of(db, user.email, clock.today())
    request.session.clear()
    request.session.update({"email": user.email, "role": user.role, "gen": user.session_gen})
    if lang:
        request.session["lang"] = lang
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
def logout(request: Request, db: Db) -> Response:
    """Signing out ends every session of the login, this browser's and any other's: a copied
    cookie is worth nothing after it."""
    email = signed_in(request, db)
    if email is not None:
        accounts.end_sessions(db, email)
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    return RedirectResponse("/login", status_code=303)


# -- pages ----------------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, db: Db) -> Response:
    """Work, not noise: what needs the person now, this week and later, what waits on others,
    and the misses of earlier reporting cycles one line a case (services/dashboard.py)."""
    email = me(request, db)
    return render(request, "dashboard.html",
                  work=services.work(db, email, clock.today(), lang_of(request)))


@router.get("/cases", response_class=HTMLResponse)
def cases(request: Request, db: Db, status: str | None = None, scenario: str | None = None,
          region: str | None = None, after: str | None = None, before: str | None = None,
          last: bool = False) -> Response:
    """The cases by number, a page at a time: the pager asks for the page after the last case
    shown or before the first, so that a page deep in a long list costs what the first does."""
    email = me(request, db)
    found = services.page_of_cases(db, status or None, by=email, scenario=scenario or None,
                                   region=region or None, after=after or None,
                                   before=before or None, last=last, size=PAGE)
    filters = urlencode({"status": status or "", "scenario": scenario or "",
                         "region": region or ""})
    template = "cases_table.html" if request.headers.get("hx-request") else "cases.html"
    return render(request, template, cases=found["cases"], count=found["count"],
                  more=found["more"], previous=found["previous"], next=found["next"],
                  filters=filters, status=status or "", scenario=scenario or "",
                  region=region or "", regions=services.case_regions(db, by=email))


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, db: Db) -> Response:
    email = me(request, db)
    case = services.show_case(db, case_id, by=email)
    t = words(lang_of(request))
    titles = _titles(case, lang_of(request))
    labels = {**t, **titles, "lang": lang_of(request)}  # "lang": codes, places, dates
    svg = timeline.svg(case, services.list_calendar(db), clock.today(), labels,
                       lanes=_lanes(case), letters=_letter_marks(db, case, email))
    active = any(s["step"] in access.DISCLOSED_STEPS and s["status"] == "done"
                 for s in case["steps"])  # good offices begun (para 18)
    letters: list[dict[str, Any]] = []
    drafts: list[str] = []
    if access.viewer(db, email).role in ("admin", *access.FORMAL_ACTORS):
        letters = register.list_letters(db, case_id, by=email)
        # Only the letters whose step allows them now: the page offers nothing it would refuse.
        drafts = register.letters_allowed(db, case_id, by=email)
    # Until good offices begin, their later steps are noise in the list (the timeline and the
    # refusals still say what waits on the activation).
    waiting = _waiting_for_good_offices(case)
    shown = [s for s in case["steps"] if active or s["step"] not in waiting]
    refusals = services.refusals(db, case_id, by=email)
    return render(request, "case.html", case=case, steps=shown, svg=Markup(svg), titles=titles,
                  refusals=refusals, refused=_by_reason(refusals), letters=letters,
                  drafts=drafts, takes=services.action_params(case))


def _by_reason(refusals: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The refusals with the same rule and words, once with all their steps: a case of
    scenario 7(b) gave the same reason for each of ten formal steps."""
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for r in refusals:
        grouped.setdefault((r["rule"], r["paragraph"], r["message"]), []).append(r["step"])
    return [{"steps": steps, "rule": rule, "paragraph": paragraph, "message": message}
            for (rule, paragraph, message), steps in grouped.items()]


@router.post("/cases/{case_id}/act")
def case_act(request: Request, case_id: str, db: Db, step: str = Form(...),
             on: str = Form(""), skip: bool = Form(False), reason: str = Form(""),
             params: str = Form("")) -> Response:
    email = me(request, db)
    values: dict[str, str] = {}
    for line in params.splitlines():
        if line.strip():
            key, sep, value = line.partition("=")
            if not sep:
                flash(request, "error", tr(lang_of(request), "bad detail %(line)s: write "
                                           "KEY=VALUE, one a line", line=repr(line)))
                return RedirectResponse(f"/cases/{case_id}", status_code=303)
            values[key.strip()] = value.strip()
    try:
        day = dt.date.fromisoformat(on) if on else None
    except ValueError:
        flash(request, "error", tr(lang_of(request), "bad date %(date)s: write it as "
                                   "YYYY-MM-DD", date=repr(on)))
        return RedirectResponse(f"/cases/{case_id}", status_code=303)
    lang = lang_of(request)
    try:
        event = services.take_step(db, case_id, step, on=day, skip=skip, reason=reason or None,
                                   params=values, by=email)
    except (Refused, BadInput) as exc:
        flash(request, "error", said.error(exc, lang))
    else:
        # What was recorded, as the event says it: a step begun is "started", not "done".
        titles = _all_titles(lang)
        what = {"step_started": N_("%(step)s: started"), "step_done": N_("%(step)s: done"),
                "step_skipped": N_("%(step)s: skipped")}.get(event.kind, N_("%(step)s: recorded"))
        flash(request, "ok", tr(lang, what, step=titles.get(step, step)))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}/letters/{template}")
def letter_preview(request: Request, case_id: str, template: str, db: Db,
                   lang: str = "en", format: str = "html") -> Response:
    email = me(request, db)
    content = register.render(db, case_id, template, lang, format, by=email)
    headers = {} if format == "html" else {
        "Content-Disposition": f'attachment; filename="{case_id}-{template}.{format}"'}
    # A letter is a document of its own: its inline style is allowed on this response only.
    headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return Response(content, media_type=register.FORMATS[format], headers=headers)


@router.post("/cases/{case_id}/letters/{template}")
def letter_issue(request: Request, case_id: str, template: str, db: Db,
                 lang: str = Form("en")) -> Response:
    email = me(request, db)
    try:
        issued = register.issue(db, case_id, template, lang=lang, by=email)
        flash(request, "ok", tr(lang_of(request), "%(reference)s issued: %(letter)s",
                                reference=issued["reference"],
                                letter=vocabulary.word("letter", template, lang_of(request))))
    except (Refused, BadInput) as exc:
        flash(request, "error", said.error(exc, lang_of(request)))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, db: Db, status: str = "", region: str = "", year: str = "",
                action: str = "", page: str = "") -> Response:
    """Every case one may see on one time axis, those needing action first; filtered by
    status, region, year and "needs action"; and below, the same as a table."""
    email = me(request, db)
    from noncoop.letters.pdf import unavailable

    # The PDF is offered only where it can be made (WeasyPrint, the `pdf` extra, installed).
    return render(request, "review.html", pdf=unavailable() is None,
                  **_review(request, db, email, status, region, year, action, page))


@router.get("/review.pdf")
def review_pdf(request: Request, db: Db, status: str = "", region: str = "", year: str = "",
               action: str = "", page: str = "") -> Response:
    """The review as the page shows it, filters and all, as a PDF to print (WeasyPrint)."""
    from noncoop.letters.pdf import to_pdf

    email = me(request, db)
    lang = lang_of(request)
    context = _review(request, db, email, status, region, year, action, page)
    html = TEMPLATES.get_template("review_print.html").render(
        **helpers(lang, _all_titles(lang)), lang=lang, today=clock.today(), **context)
    return Response(to_pdf(html), media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="review-{clock.today().isoformat()}.pdf"'})


def _review(request: Request, db: Session, email: str, status: str, region: str, year: str,
            action: str, page: str = "") -> dict[str, Any]:
    """A page of the review as `email` may see its cases (show_case: a restricted case shows
    the Bureau only that good offices were activated), filtered, those needing action first
    (services/review.py)."""
    today = clock.today()
    lang = lang_of(request)
    found = review.review(db, email, today, status=status, region=region, year=year,
                          action=bool(action), page=page_number(page), size=REVIEW_PAGE)
    labels = {**words(lang), "lang": lang}  # "lang": codes, places and dates (timeline.py)
    for c in found["cases"]:
        labels.update(_titles(c, lang))
    shown = [{**c, "state": state_name(c["state"], lang)} for c in found["cases"]]
    rows = []
    for c in shown:
        decided = c["decision"]["date"]
        waiting = [d for d in c["deadlines"] if d["status"] in ("open", "missed")
                   and not d.get("done_on")]
        nxt = min(waiting, key=lambda d: d["due"], default=None)
        rows.append({**c, "days_since": (today - dt.date.fromisoformat(decided)).days
                     if decided else None,
                     "next": None if c["status"] == "closed" else nxt,
                     "needs_action": c["id"] in found["urgent"],
                     "overdue": bool(timeline.overdue(c, today))})
    filters = [(k, v) for k, v in (("status", status), ("region", region), ("year", year),
                                   ("action", action)) if v]
    return {"rows": rows, "svg": Markup(timeline.review_svg(shown, services.list_calendar(db),
                                                            today, labels)),
            "titles": labels, "regions": found["regions"], "years": found["years"],
            "status": status, "region": region, "year": year, "action": action,
            "query": urlencode(filters + ([("page", str(found["page"]))]
                                          if found["page"] > 1 else [])),
            "filters": urlencode(filters), "page": found["page"], "pages": found["pages"],
            "first": found["first"], "last": found["last"], "count": found["count"],
            "more": found["more"], "further": found["further"]}


@router.get("/calendar", response_class=HTMLResponse)
def calendar_page(request: Request, db: Db) -> Response:
    me(request, db)
    return render(request, "calendar.html", calendar=services.list_calendar(db))


@router.get("/people", response_class=HTMLResponse)
def people_page(request: Request, db: Db) -> Response:
    email = me(request, db)
    everyone = people.list_people(db, by=email)  # the directory as he or she may see it
    # Who the regional focal points are is known to all (para 17): they are there to be asked.
    return render(request, "people.html", people=everyone,
                  focal=[p for p in people.list_people(db, "focal_point", clock.today())])


# -- the inbox: one's own tasks --------------------------------------------------------------

def _mine(db: Session, email: str) -> str | None:
    """Whose tasks the inbox lists: the signed-in person's and his or her role's; a login that is
    no person of the directory (the administrator) has none of its own and sees everyone's."""
    return None if access.viewer(db, email).role == "admin" else email


@router.get("/tasks", response_class=HTMLResponse)
def inbox(request: Request, db: Db, page: str = "") -> Response:
    """What the signed-in person has to do (paras 20, 22: the requests for assistance; the
    deadlines of his or her role), a page at a time, then what he or she closed last."""
    email = me(request, db)
    found = tasks.inbox(db, _mine(db, email), email, page_number(page), PAGE)
    return render(request, "tasks.html", **found, titles=_all_titles(lang_of(request)))


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
def task_page(request: Request, task_id: int, db: Db) -> Response:
    email = me(request, db)
    task = tasks.get_task(db, task_id, by=email)  # another's task is "no task" (tasks._mine)
    return render(request, "task.html", task=task, titles=_all_titles(lang_of(request)))


def _close_task(request: Request, db: Session, task_id: int, outcome: str, note: str) -> Response:
    """The CLI's `tasks done` / `tasks decline` (tasks.close: its rules, its event on the case):
    a refusal is shown on the task's page as the service words it (rule and paragraph)."""
    email = me(request, db)
    t = words(lang_of(request))
    try:
        closed = tasks.close(db, task_id, outcome, note.strip() or None, email)
    except (Refused, BadInput) as exc:
        if isinstance(exc, NotFound):
            raise
        flash(request, "error", said.error(exc, lang_of(request)))
        return RedirectResponse(f"/tasks/{task_id}", status_code=303)
    flash(request, "ok", t["task_closed"].format(n=closed["id"], status=t[closed["status"]]))
    return RedirectResponse("/tasks", status_code=303)


@router.post("/tasks/{task_id}/done")
def task_done(request: Request, task_id: int, db: Db, note: str = Form("")) -> Response:
    return _close_task(request, db, task_id, "done", note)


@router.post("/tasks/{task_id}/decline")
def task_decline(request: Request, task_id: int, db: Db, note: str = Form("")) -> Response:
    return _close_task(request, db, task_id, "declined", note)


# -- public ---------------------------------------------------------------------------------

@router.get("/public", response_class=HTMLResponse)
def public_page(request: Request, db: Db, page: str = "") -> Response:
    """Court findings referred to the Assembly, a page at a time, and the newest press
    releases (para 13): nothing above `public` appears here (services/public.py)."""
    found = public.findings(db, page_number(page), PAGE)
    # The feed is offered only where it is served (feed(): its ids need NONCOOP_BASE_URL).
    return render(request, "public.html", **found, releases=public.press_releases(db),
                  feed=config.base_url_given())


@documents.get("/public/press/{reference:path}", response_class=Response, responses={
    **document_types(*register.FORMATS.values()),
    404: {"description": "no press release of that reference (an HTML page)",
          "content": {"text/html": {"schema": {"type": "string"}}}}})
def press_release(reference: str, db: Db) -> Response:
    row = db.exec(select(LetterRow).where(LetterRow.reference == reference,
                                          LetterRow.template == "press_release")).first()
    if row is None:
        raise NotFound(f"no press release {reference!r}")
    return Response(row.content, media_type=row.media_type, headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


@documents.get("/public/feed.atom", response_class=Response, responses={
    **document_types("application/atom+xml"),
    503: {"description": "NONCOOP_BASE_URL is not set: the feed's ids are made from it",
          "content": {"text/plain": {"schema": {"type": "string"}}}}})
def feed(db: Db) -> Response:
    from noncoop.web import feed as atom

    if not config.base_url_given():
        # An Atom id is for good (RFC 4287 4.2.6): made from a default or from the request's
        # Host header, every reader would see each release again once the address is set.
        return Response("The feed is not served until the address of this site is set: start "
                        "noncoop with NONCOOP_BASE_URL=https://... (the address people reach it "
                        "at); the feed's ids and links are made from it.\n", status_code=503,
                        media_type="text/plain; charset=utf-8")
    releases = public.press_releases(db)
    states = dict(db.exec(select(CaseRow.id, CaseRow.requested_state).where(
        col(CaseRow.id).in_({r.case_id for r in releases}))).all())
    body = atom.feed(config.base_url(), [(r, states.get(r.case_id or "")) for r in releases])
    return Response(body, media_type=atom.MEDIA_TYPE)


def _waiting_for_good_offices(case: dict[str, Any]) -> set[str]:
    """The steps the workflow allows only once good offices are active (its guard)."""
    from noncoop.domain import load_procedure

    procedure = load_procedure(case["workflow"]["name"], case["workflow"]["version"])
    return {s.id for s in procedure.steps.values() if "good_offices_active" in s.guards}


def _lanes(case: dict[str, Any]) -> dict[str, str]:
    """Each step's lane, as the workflow gives it."""
    from noncoop.domain import load_procedure

    procedure = load_procedure(case["workflow"]["name"], case["workflow"]["version"])
    return {s.id: s.lane for s in procedure.steps.values()}


def _letter_marks(db: Session, case: dict[str, Any], email: str) -> list[dict[str, Any]]:
    """The letters of the case the reader may read (the register decides), for the timeline."""
    return register.list_letters(db, case["id"], by=email)


def _titles(case: dict[str, Any], lang: str) -> dict[str, str]:
    from noncoop.domain import load_procedure

    procedure = load_procedure(case["workflow"]["name"], case["workflow"]["version"])
    return procedure.titles(lang)


def _all_titles(lang: str) -> dict[str, str]:
    """Every step's name in `lang` from the newest workflows (a page about no one case)."""
    from noncoop.domain import load_procedure

    return load_procedure("formal").titles(lang)
