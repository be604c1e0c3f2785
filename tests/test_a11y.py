"""Accessibility in a real browser: axe-core (the copy pinned inside axe-playwright-python, no
network) runs on every page of the app, for each role that signs in and in both languages, and
no serious or critical violation is allowed. The pages are read from the app's routes, so a new
page is checked here as soon as it exists (a route whose path this file cannot fill fails).

Then the case page's actions are used with the keyboard alone: Tab to reach them, a visible
focus ring on each, Enter or Space to submit, and the step or letter is recorded."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from live import PASSWORD, needs_chromium, serving, sign_in
from sqlmodel import Session, col, select

from noncoop import accounts, people, services, tasks
from noncoop.errors import NoncoopError
from noncoop.letters import register
from noncoop.store.models import LetterRow

SHOTS = Path(os.environ.get("NONCOOP_SHOTS", Path(__file__).resolve().parents[1] / "test-output"))
ADMIN = "admin.a11y@example.org"
BLOCKING = ("serious", "critical")
LANGS = ("en", "fr")
NOT_PAGES = {  # GET routes outside /api/ that answer something other than a page
    "/public/feed.atom": "an Atom feed",
    "/review.pdf": "the Bureau review as PDF",
}

pytestmark = [pytest.mark.slow, pytest.mark.one_database, needs_chromium]


# -- the site: the demo, a login for each role, a live server ----------------------------------

def logins(db: Session) -> dict[str, str]:
    """One login per role: a person of the demo's directory for each role, and an
    administrator (who is no person of the directory)."""
    out = {}
    for role in people.ROLES:
        if role == "admin":
            email = ADMIN
        else:
            # The one who sees the most cases, so that his or her pages hold something.
            email = max((p["email"] for p in people.list_people(db, role, dt.date.today())),
                        key=lambda e: len(services.list_cases(db, by=e)))
        accounts.add_user(db, email, role, PASSWORD)
        out[role] = email
    return out


@pytest.fixture
def site(demo, monkeypatch) -> Iterator[dict[str, Any]]:
    from noncoop.web.app import create_app

    monkeypatch.setenv("NONCOOP_SECRET_KEY", "a11y-test")
    who = logins(demo)
    # The register numbers letters by the session on-going or next: one ahead of today, and a
    # press release issued, so that the public page of one is checked too.
    ahead = dt.date.today() + dt.timedelta(days=200)
    services.add_session(demo, 90, ahead, ahead + dt.timedelta(days=5), "The Hague")
    first = next(c["id"] for c in services.list_cases(demo) if "assembly" in c.get(
        "referred_to", ["assembly"]) and c["status"] == "open" and c["scenario"] == "7a")
    register.issue(demo, first, "press_release")
    with serving(create_app()) as url:
        yield {"url": url, "db": demo, "who": who}


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


# -- the pages, read from the app's routes -----------------------------------------------------

def page_routes() -> list[str]:
    """Every GET outside the JSON API, read from the app's routes as tests/test_leak_matrix.py
    reads them (the OpenAPI document leaves the pages out)."""
    from test_leak_matrix import routes

    found = [path for path in routes() if not path.startswith("/api/") and path not in NOT_PAGES]
    assert {"/", "/login", "/public", "/cases/{case_id}", "/calendar"} <= set(found), found
    return found


def case_kinds(db: Session, email: str) -> list[str]:
    """One case of each kind the person sees: scenario x status x good offices begun."""
    kinds: dict[tuple[Any, ...], str] = {}
    for c in services.list_cases(db, by=email):
        case = services.show_case(db, c["id"], by=email)
        begun = any(s["step"] == "good_offices_activate" and s["status"] == "done"
                    for s in case["steps"])
        kinds.setdefault((c["scenario"], c["status"], begun, bool(case.get("travel"))), c["id"])
    return sorted(kinds.values())


def fills(db: Session, email: str) -> dict[str, Callable[[dict[str, str]], list[str]]]:
    """How to fill each path parameter, given those filled before it: every value worth a
    look. A parameter without a rule here fails the test: give it one."""
    shown: set[str] = set()

    def templates(filled: dict[str, str]) -> list[str]:
        """The first letter the case offers to draft that no case before offered: the same
        template is the same page."""
        try:
            offered = register.letters_allowed(db, filled["case_id"], by=email)
        except NoncoopError:  # a role that drafts no letters: the refusal page is checked
            offered = ["reminder"]
        new = [name for name in offered if name not in shown][:1]
        shown.update(new)
        return new

    def references(filled: dict[str, str]) -> list[str]:
        rows = db.exec(select(LetterRow.reference).where(LetterRow.template == "press_release")
                       .order_by(col(LetterRow.reference))).all()
        return list(rows[:1]) or ["ICC-ASP/0/S/0"]

    def task_ids(filled: dict[str, str]) -> list[str]:
        """The person's first task, open if there is one: the page that offers the forms."""
        try:
            rows = tasks.list_tasks(db, email, None, by=email)
        except NoncoopError:  # a login who is no one in the directory (the administrator)
            rows = []
        rows = sorted(rows, key=lambda t: (t["status"] != "open", t["id"]))
        return [str(rows[0]["id"])] if rows else []

    return {"case_id": lambda filled: case_kinds(db, email), "template": templates,
            "reference": references, "task_id": task_ids}


def urls(db: Session, email: str | None) -> list[str]:
    """The pages to check for `email`, or signed out (None): the sign-in and public pages."""
    fill = fills(db, email or services.ADMIN)
    out = []
    for route in page_routes():
        if email is None and not (route == "/login" or route.startswith("/public")):
            continue
        names = re.findall(r"\{(\w+)(?::\w+)?\}", route)
        unknown = [n for n in names if n not in fill]
        assert not unknown, f"{route}: no rule to fill {unknown}: give it one in fills()"
        filled: list[dict[str, str]] = [{}]
        for name in names:
            filled = [{**f, name: v} for f in filled for v in fill[name](f)]
        for f in filled:
            path = route
            for name, value in f.items():
                path = re.sub(r"\{" + name + r"(?::\w+)?\}", value, path)
            out.append(path)
    # The error pages: a path that is no page, a case that does not exist.
    out.append("/no-such-page")
    if email:
        out.append("/cases/NC-1900-999")
    return out


def axe_problems(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands: rule, where, help."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page).response
    assert result["passes"], f"{page.url}: axe checked nothing"
    return [f"{page.url}: {v['id']} ({v['impact']}) at {', '.join(map(str, n['target']))}: "
            f"{v['help']} ({v['helpUrl']})"
            for v in result["violations"] if v["impact"] in BLOCKING for n in v["nodes"]]


def check(page: Any, url: str, lang: str) -> list[str]:
    answer = page.goto(url + ("&" if "?" in url else "?") + f"lang={lang}")
    assert answer is not None and "text/html" in answer.headers["content-type"], (
        f"{url}: not a page ({answer.headers.get('content-type') if answer else None}): "
        "name it in NOT_PAGES if it is not meant to be one")
    said = page.locator("html").get_attribute("lang")
    if answer.headers.get("content-security-policy", "").startswith("default-src 'none'"):
        # A letter or press release, served as a document of its own: in its own language.
        assert said in LANGS, (url, said)
    else:
        assert said == lang, (url, lang, said)
    # A drawing is named, and what its marks say only in a tooltip is reached with Tab and
    # read out too: no mark whose words need a mouse.
    assert page.locator("main svg:not([aria-labelledby]):not([aria-label])").count() == 0, url
    mouse_only = page.locator("main svg *:has(> title):not([tabindex='0'][aria-label])")
    assert mouse_only.count() == 0, (url, mouse_only.first.evaluate("e => e.outerHTML"))
    if re.search(r"/cases/NC-\d{4}-\d{3}$", url) and answer.status == 200:
        assert page.locator("main svg").count() >= 1, url
    return axe_problems(page)


# Signed out (the sign-in and the public pages), then each role: one test each, so that the
# suite's workers share them.
@pytest.mark.parametrize("role", [None, *people.ROLES], ids=lambda r: r or "signed-out")
def test_every_page_for_every_role_in_both_languages_has_no_serious_violation(site, browser, role):
    problems: list[str] = []
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    email = site["who"][role] if role else None
    if email:
        sign_in(page, site["url"], email)
    paths = urls(site["db"], email)
    assert "/public" in paths and (role is None or any(
        re.fullmatch(r"/cases/NC-\d{4}-\d{3}", p) for p in paths)), (role, paths)
    for lang in LANGS:
        for path in paths:
            problems += [f"[{role or 'signed out'}] {p}"
                         for p in check(page, site["url"] + path, lang)]
            if path == next((p for p in paths if "/cases/NC-" in p), None):
                shot(page, f"{role}-first-case-{lang}")
        shot(page, f"{role or 'signed-out'}-last-{lang}")
        if role is None:  # the sign-in page as it answers a wrong password
            page.goto(f"{site['url']}/login?lang={lang}")
            page.fill("input[name=email]", "nobody@example.org")
            page.fill("input[name=password]", "wrong")
            with page.expect_navigation():  # the answer's page, not the form's
                page.click("button[type=submit]")
            assert page.locator("[role=alert]").count() == 1
            problems += [f"[signed out] {p}" for p in axe_problems(page)]
            shot(page, f"login-refused-{lang}")
    page.context.close()
    assert not problems, f"{len(problems)} serious or critical:\n" + "\n".join(problems)


# -- the keyboard alone on a case page ---------------------------------------------------------

FOCUS = """(selector) => {
  const e = document.activeElement, s = getComputedStyle(e);
  return {here: e.matches(selector), what: e.outerHTML.slice(0, 90),
          ring: (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2)
                || s.boxShadow !== "none"};
}"""


def tab_to(page: Any, selector: str, limit: int = 300) -> int:
    """Tab (only) until `selector` has the focus; every stop on the way shows where it is."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        at = page.evaluate(FOCUS, selector)
        assert at["ring"], f"no visible focus indicator on {at['what']}"
        if at["here"]:
            return presses
    raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


def choose(page: Any, value: str) -> None:
    """Pick an option of the focused select with the arrow keys."""
    page.keyboard.press("Home")
    for _ in range(100):
        if page.evaluate("document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"option {value} not reached with the arrow keys")


def submit(page: Any, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def row_of(page: Any, step: str) -> str:
    return page.locator("tr", has=page.locator(f"code:text-is('{step}')")).first.inner_text()


def test_the_case_pages_actions_work_with_the_keyboard_alone(site, browser):
    db, who = site["db"], site["who"]["president_office"]
    case = next(c for c in (services.show_case(db, c["id"], by=who)
                            for c in services.list_cases(db, by=who))
                if {"plenary_discussion", "bureau_report"} <= set(c["allowed_actions"]))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, site["url"], who)
    url = f"{site['url']}/cases/{case['id']}"

    # Record a step: Tab to the step, arrows to choose it, Tab to the button, Enter.
    page.goto(url)
    # The first Tab shows the way past the menu, on screen.
    tab_to(page, "a.skip[href='#main']", limit=1)
    box = page.locator("a.skip").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, box
    # The timeline's marks are stops on the way, each saying what it marks.
    tab_to(page, "main svg [tabindex='0'][aria-label]")
    assert re.search(r"\b(19|20)\d\d\b", page.evaluate(  # a date, as the language writes it
        "document.activeElement.getAttribute('aria-label')"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("main svg").first.screenshot(path=str(SHOTS / "keyboard-timeline-mark.png"))
    tab_to(page, "form.act select[name=step]")
    choose(page, "plenary_discussion")
    shot(page, "keyboard-step-focused")
    tab_to(page, "form.act button[type=submit]", limit=10)
    shot(page, "keyboard-button-focused")
    submit(page, "Enter")
    assert "plenary" in page.locator(".flash.ok").inner_text()  # the step's title
    assert services.show_case(db, case["id"], by=who)["steps"] and any(
        s["step"] == "plenary_discussion" and s["status"] == "done"
        for s in services.show_case(db, case["id"], by=who)["steps"])

    # Skip a step with a reason: Space ticks the box, the reason is typed, Space submits.
    page.goto(url)
    tab_to(page, "form.act select[name=step]")
    choose(page, "bureau_report")
    tab_to(page, "form.act input[name=skip]", limit=10)
    page.keyboard.press("Space")
    assert page.locator("form.act input[name=skip]").is_checked()
    tab_to(page, "form.act input[name=reason]", limit=5)
    page.keyboard.type("no report this year: keyboard test")
    tab_to(page, "form.act button[type=submit]", limit=10)
    submit(page, "Space")
    assert "Bureau report" in page.locator(".flash.ok").inner_text()  # the step's title
    skipped = [s for s in services.show_case(db, case["id"], by=who)["steps"]
               if s["step"] == "bureau_report"]
    assert skipped and skipped[0]["status"] == "skipped"
    assert "keyboard test" in row_of(page, "bureau_report")

    # Draft a letter: Enter on its preview link opens it; then issue it in French.
    page.goto(url)
    draft = page.locator("ul.letters > li").first
    name = draft.locator("a").first.get_attribute("href").split("/letters/")[1].split("?")[0]
    preview = f"a[href='/cases/{case['id']}/letters/{name}?lang=en']"
    tab_to(page, preview)
    submit(page, "Enter")
    assert page.url.endswith(f"/letters/{name}?lang=en") and case["state"] in page.content()
    page.goto(url)
    form = f"form[action='/cases/{case['id']}/letters/{name}']"
    tab_to(page, f"{form} select[name=lang]")
    choose(page, "fr")
    tab_to(page, f"{form} button[type=submit]", limit=3)
    submit(page, "Enter")
    issued = page.locator(".flash.ok").inner_text()
    reference = issued.split()[0]  # "REFERENCE issued: letter"
    assert any(x["reference"] == reference and x["lang"] == "fr"
               for x in register.list_letters(db, case["id"], by=who))
    shot(page, "keyboard-letter-issued")
