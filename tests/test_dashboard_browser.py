"""The demo in a real browser (Debian's chromium via Playwright): the dashboard shows work, not
noise, for the President's office and for a focal point; the public page names each decision
once. Screenshots go to test-output/ to be looked at by a person."""

from __future__ import annotations

import datetime as dt

import pytest
from live import PASSWORD, needs_chromium, serving, sign_in
from test_browser import OUT

from noncoop import accounts, clock, services, vocabulary

DAY = dt.timedelta(days=1)
PRESIDENT, FOCAL = "president@example.org", "focal.african@example.org"

pytestmark = [pytest.mark.slow, needs_chromium]


@pytest.fixture
def demo_server(demo, monkeypatch):
    """The demo (conftest), with work of the current reporting cycle beside the real findings:
    a finding of three days ago (fictitious: the public record has none this week) and an
    urgent incident in Africa whose focal point is asked to assist by the day after tomorrow."""
    from noncoop.web.app import create_app

    db, today = demo, clock.today()
    monkeypatch.setenv("NONCOOP_SECRET_KEY", "browser-test")
    for email, role in ((PRESIDENT, "president_office"), (FOCAL, "focal_point")):
        accounts.add_user(db, email, role, PASSWORD)
    recent = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-TEST-1",
                                decision_date=today - 3 * DAY, chamber="Pre-Trial Chamber II",
                                referred_to=["assembly"], request="art89", person="A. Person",
                                summary="example finding of the test")["id"]
    services.act(db, recent, "open_letter", on=today - DAY, params={"action": "send"})
    urgent = services.open_case(db, state="Nigeria", scenario="7b", summary="visit announced",
                                person="A. Person", travel_date=today + 5 * DAY)["id"]
    services.act(db, urgent, "good_offices_activate", on=today - DAY,
                 params={"court_consulted": (today - DAY).isoformat()})
    services.act(db, urgent, "request_assistance", on=today - DAY,
                 params={"task": "Contact the authorities before the visit",
                         "due": (today + 2 * DAY).isoformat()})
    cases = {(c["state"], c["decision"]["date"]): c["id"] for c in services.list_cases(db)}
    with serving(create_app()) as url:
        yield {"url": url, "recent": recent, "urgent": urgent, "cases": cases}


def shot(page, name: str) -> None:
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def text(page, section: str) -> str:
    return page.locator(f"section#{section}").inner_text()


def test_the_presidents_dashboard_is_work_not_noise(demo_server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    url, cases = demo_server["url"], demo_server["cases"]
    sign_in(page, url, PRESIDENT)
    now, waiting, older = text(page, "now"), text(page, "waiting"), text(page, "older")
    shot(page, "demo-dashboard-president")
    # Needs me now: the recent finding's press release and emergency meeting, the President's.
    assert demo_server["recent"] in now and "press release" in now
    # Waiting on others: the Secretariat's forwarding, the State's reply to the open letter,
    # the focal point's assistance.
    assert "Secretariat" in waiting and "the requested State's reply" in waiting
    assert FOCAL in waiting and demo_server["urgent"] in waiting
    # Misses of earlier cycles: one line a case with its count, never one line a miss.
    congo = cases[("Democratic Republic of the Congo", "2014-04-09")]
    line = next(x for x in older.splitlines() if congo in x)
    assert "4 missed" in line and "10 Apr 2014" in line and "8 Nov 2014" in line
    assert older.count(congo) == 1 and congo not in now + waiting + text(page, "week")
    # Jordan is closed (referral reversed on appeal): nothing of it is due or missed anywhere.
    jordan = cases[("Jordan", "2017-12-11")]
    assert jordan not in page.locator("main").inner_text()
    page.goto(f"{url}/review")
    assert page.locator(f"tr.overdue:has(a[href='/cases/{jordan}'])").count() == 0
    page.goto(f"{url}/cases/{jordan}")
    assert page.locator("svg.timeline path.deadline.missed").count() == 0
    assert page.locator("svg.timeline path.deadline.closed").count() >= 1
    shot(page, "demo-jordan-closed")
    page.goto(f"{url}/?lang=fr")
    assert page.locator("h2", has_text="À faire maintenant").is_visible()
    assert page.locator("h2", has_text="En attente d’autres").is_visible()
    shot(page, "demo-dashboard-president-fr")


def test_a_focal_points_dashboard_shows_the_request_and_the_regions_older_misses(demo_server,
                                                                                  browser):
    page = browser.new_page(viewport={"width": 1024, "height": 800})
    sign_in(page, demo_server["url"], FOCAL)
    week, older = text(page, "week"), text(page, "older")
    shot(page, "demo-dashboard-focal-point")
    assert demo_server["urgent"] in week and "Contact the authorities" in week
    # Only the region's cases: Malawi (African States) is there, Hungary and Mongolia are not.
    malawi = demo_server["cases"][("Malawi", "2011-12-12")]
    hungary = demo_server["cases"][("Hungary", "2025-07-24")]
    main = page.locator("main").inner_text()
    assert malawi in older and hungary not in main and demo_server["recent"] not in main


def test_the_public_page_names_each_decision_once(demo_server, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{demo_server['url']}/public")
    table = page.locator("main table").inner_text()
    shot(page, "demo-public")
    assert "Pre-Trial Chamber II, ICC-02/05-01/09-309" in table
    assert "Pre-Trial Chamber I Pre-Trial Chamber I" not in table
    assert "not recorded" not in table
    # Jordan: the Appeals Chamber kept the finding and reversed the referral (ICC-02/05-01/09-397).
    assert vocabulary.word("outcome", "amended_on_appeal", "en") in table  # words, not a code
    assert vocabulary.word("outcome", "reversed_on_appeal", "en") not in table


@pytest.mark.one_database  # the pages' styles and files do not depend on the server
def test_no_page_makes_the_browser_complain(demo_server, browser):
    """Neither a style the page's policy forbids (htmx adds its own unless told not to) nor a
    missing file (the icon a browser asks for): the console stays clean."""
    page = browser.new_page()
    complaints: list[str] = []
    page.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: complaints.append(str(e)))
    url = demo_server["url"]
    sign_in(page, url, PRESIDENT)
    for path in ("/", "/cases", f"/cases/{demo_server['urgent']}", "/review", "/tasks",
                 "/calendar", "/public"):
        page.goto(url + path)
        page.wait_for_load_state("networkidle")
    assert complaints == []
