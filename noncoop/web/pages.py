"""The pages: server-rendered, readable without JavaScript (HTMX only refreshes parts). Each
page asks the same services as the CLI and the API, as the person signed in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlmodel import Session, col, select

from noncoop import access, accounts, clock, config, people, services, tasks, vocabulary
from noncoop.errors import BadInput, NoncoopError, NotFound, Refused
from noncoop.i18n import N_, tr
from noncoop.letters import register
from noncoop.store.codec import from_snapshot
from noncoop.store.models import CaseRow, LetterRow
from noncoop.web import said, timeline
from noncoop.web.deps import Db, check_csrf, csrf_token, signed_in, status_of
from noncoop.web.i18n import helpers

PAGE = 100  # cases a page of the list
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(dependencies=[Depends(check_csrf)])


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
        return render(request, "login.html", code=status_of(exc),
                      error=said.error(exc, lang_of(request)), email=email)
    lang = request.session.get("lang")  # the language chosen on the sign-in page stays
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
    email = me(request, db)
    today = clock.today()
    mine = tasks.list_tasks(db, email if access.viewer(db, email).role != "admin" else None,
                            by=email)
    due = services.list_deadlines(db, today, by=email)
    return render(request, "dashboard.html", tasks=mine,
                  week=[d for d in due if d["status"] == "open" and 0 <= d["days_left"] <= 7],
                  # Past their day: missed, or not yet swept (the sweep runs every few minutes).
                  missed=[d for d in due if d["status"] == "missed" or d["days_left"] < 0])


@router.get("/cases", response_class=HTMLResponse)
def cases(request: Request, db: Db, status: str | None = None, scenario: str | None = None,
          region: str | None = None, page: int = 1) -> Response:
    email = me(request, db)
    rows, total, page = services.page_of_cases(db, status or None, by=email, page=page,
                                               size=PAGE, scenario=scenario or None,
                                               region=region or None)
    template = "cases_table.html" if request.headers.get("hx-request") else "cases.html"
    return render(request, template, cases=rows, total=total, page=page,
                  pages=services.page_count(total, PAGE), status=status or "",
                  scenario=scenario or "", region=region or "",
                  regions=services.case_regions(db, by=email))


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, db: Db) -> Response:
    email = me(request, db)
    case = services.show_case(db, case_id, by=email)
    lang = lang_of(request)
    titles = _titles(case, lang)
    svg = timeline.svg(case, services.list_calendar(db), clock.today(), lang, titles)
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
    return render(request, "case.html", case=case, steps=shown, svg=Markup(svg), titles=titles,
                  refusals=services.refusals(db, case_id, by=email), letters=letters,
                  drafts=drafts, takes=services.action_params(case))


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
def review(request: Request, db: Db) -> Response:
    """Every formal case: its stage, days since the finding, next deadline; overdue in red."""
    email = me(request, db)
    today = clock.today()
    due = services.list_deadlines(db, today, by=email)
    rows = []
    for c in services.list_cases(db, by=email):
        if c["scenario"] not in ("7a", "monitoring"):
            continue
        mine = [d for d in due if d["case_id"] == c["id"]]
        decided = c["decision"]["date"]
        rows.append({**c, "days_since": (today - dt.date.fromisoformat(decided)).days
                     if decided else None,
                     "next": min(mine, key=lambda d: d["due"], default=None),
                     "overdue": any(d["status"] == "missed" or d["days_left"] < 0 for d in mine)})
    return render(request, "review.html", rows=rows)


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


# -- public ---------------------------------------------------------------------------------

def _public(db: Session) -> tuple[list[dict[str, Any]], list[LetterRow]]:
    """Court findings referred to the Assembly, and the issued press releases (para 13):
    nothing above `public` appears here."""
    findings = []
    for row in db.exec(select(CaseRow).order_by(col(CaseRow.id))).all():
        case = from_snapshot(row.snapshot)
        if case.scenario == "7a" and "assembly" in case.referred_to:
            findings.append({"state": case.requested_state, "decision_ref": case.decision_ref,
                             "decision_date": case.decision_date, "chamber": case.chamber,
                             "status": case.status, "outcome": case.outcome})
    findings.sort(key=lambda f: f["decision_date"] or dt.date.min, reverse=True)
    releases = db.exec(select(LetterRow).where(LetterRow.template == "press_release")
                       .order_by(col(LetterRow.issued_at).desc())).all()
    return findings, list(releases)


@router.get("/public", response_class=HTMLResponse)
def public(request: Request, db: Db) -> Response:
    findings, releases = _public(db)
    return render(request, "public.html", findings=findings, releases=releases)


@router.get("/public/press/{reference:path}")
def press_release(reference: str, db: Db) -> Response:
    row = db.exec(select(LetterRow).where(LetterRow.reference == reference,
                                          LetterRow.template == "press_release")).first()
    if row is None:
        raise NotFound(f"no press release {reference!r}")
    return Response(row.content, media_type=row.media_type, headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


@router.get("/public/feed.atom")
def feed(request: Request, db: Db) -> Response:
    _, releases = _public(db)
    base = config.base_url()  # not the request's Host header: anyone can set that
    updated = max((r.issued_at for r in releases), default=dt.datetime(2018, 12, 12, tzinfo=dt.UTC))
    entries = "".join(
        f"<entry><id>{escape(base)}/public/press/{escape(r.reference)}</id>"
        f"<title>{escape(r.reference)}</title><updated>{r.issued_at.isoformat()}</updated>"
        f'<link href="{escape(base)}/public/press/{escape(r.reference)}"/></entry>' for r in releases)
    body = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>{escape(base)}/public</id><title>Non-cooperation: press releases of the "
            f"President of the Assembly</title><updated>{updated.isoformat()}</updated>"
            f"{entries}</feed>")
    return Response(body, media_type="application/atom+xml")


def _waiting_for_good_offices(case: dict[str, Any]) -> set[str]:
    """The steps the workflow allows only once good offices are active (its guard)."""
    from noncoop.domain import load_procedure

    procedure = load_procedure(case["workflow"]["name"], case["workflow"]["version"])
    return {s.id for s in procedure.steps.values() if "good_offices_active" in s.guards}


def _titles(case: dict[str, Any], lang: str) -> dict[str, str]:
    from noncoop.domain import load_procedure

    procedure = load_procedure(case["workflow"]["name"], case["workflow"]["version"])
    return procedure.titles(lang)


def _all_titles(lang: str) -> dict[str, str]:
    """Every step's name in `lang` from the newest workflows (a page about no one case)."""
    from noncoop.domain import load_procedure

    return load_procedure("formal").titles(lang)
