"""The web app in a real browser: Debian's chromium, headless, driven by Playwright. Screenshots
go to test-output/ to be looked at by a person."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from live import PASSWORD, needs_chromium, serving, sign_in

from noncoop import accounts, people, services

D = dt.date
OUT = Path(__file__).resolve().parents[1] / "test-output"

pytestmark = [pytest.mark.slow, needs_chromium]


@pytest.fixture
def server(db, database_url, monkeypatch):
    from noncoop.web.app import create_app

    monkeypatch.setenv("NONCOOP_SECRET_KEY", "browser-test")
    for email, role, region in [("president@example.org", "president_office", None),
                                ("fp.africa@example.org", "focal_point", "African")]:
        people.add_person(db, name=email, email=email, role=role, region=region,
                          active_from=D(2024, 1, 1))
        accounts.add_user(db, email, role, PASSWORD)
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    services.add_session(db, 24, D(2025, 12, 1), D(2025, 12, 5), "The Hague")
    services.add_bureau_meeting(db, D(2024, 11, 5), "New York")
    mongolia = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                                  decision_date=D(2024, 10, 24), chamber="Pre-Trial Chamber II",
                                  referred_to=["assembly"], request="art89",
                                  person="Vladimir Vladimirovich Putin")["id"]
    services.act(db, mongolia, "forward_decision", on=D(2024, 10, 25))
    services.act(db, mongolia, "press_release", on=D(2024, 10, 25))
    services.act(db, mongolia, "open_letter", on=D(2024, 10, 28), params={"action": "send"})
    kenya = services.open_case(db, state="Kenya", scenario="7a", decision_ref="ICC-02/05-01/09",
                               decision_date=D(2016, 7, 11), referred_to=["assembly"])["id"]
    with serving(create_app()) as url:
        yield {"url": url, "mongolia": mongolia, "kenya": kenya}


def shot(page, name: str) -> None:
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def test_the_presidents_office_advances_a_case_and_is_refused_the_nywg_meeting(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    url = server["url"]
    sign_in(page, url, "president@example.org")
    shot(page, "dashboard")
    page.click("text=Cases")
    page.click(f"text={server['mongolia']}")
    assert page.locator("svg.timeline").is_visible()
    assert page.locator("svg.timeline circle.step").count() >= 3
    # The Bureau hearing, then the public meeting that the three-month rule forbids.
    page.select_option("select[name=step]", "bureau_hearing")
    page.fill("input[name=on]", "2024-11-05")
    page.click("form.act button[type=submit]")
    # The flash names the step as the page does, and what was recorded (done, not started).
    assert page.locator(".flash.ok").inner_text() == (
        "Bureau hearing with a representative of the requested State: done")
    page.select_option("select[name=step]", "nywg_public_meeting")
    page.click("form.act button[type=submit]")
    refusal = page.locator(".flash.error").inner_text()
    assert "three_month_rule" in refusal and "14(d)" in refusal and "2024-12-02" in refusal
    why = page.locator("ul.refusals").inner_text()
    assert "nywg_public_meeting" in why and "three_month_rule" in why
    shot(page, "case-refused-nywg")
    # The timeline shows the hearing and the session.
    assert page.locator("svg.timeline rect.session").count() >= 1
    assert page.locator("svg.timeline line.today").count() == 1
    page.goto(f"{url}/review")
    assert page.locator("table.review").inner_text().count("NC-") == 2
    assert page.locator("table.review tr.overdue").count() == 2  # both past a deadline, in red
    shot(page, "bureau-review")
    page.goto(f"{url}/cases/{server['mongolia']}?lang=fr")
    assert page.locator("h2", has_text="Chronologie").is_visible()
    shot(page, "case-fr")


def test_a_focal_point_sees_only_the_cases_of_the_region(server, browser):
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    sign_in(page, server["url"], "fp.africa@example.org")
    page.goto(f"{server['url']}/cases")
    table = page.locator("#cases-table").inner_text()
    assert server["kenya"] in table and server["mongolia"] not in table
    page.goto(f"{server['url']}/cases/{server['mongolia']}")
    assert page.locator("h1").inner_text() in ("Not found", "Introuvable")
    shot(page, "focal-point-cases")


def test_the_public_page_needs_no_sign_in(server, browser):
    page = browser.new_page(viewport={"width": 800, "height": 900})
    page.goto(f"{server['url']}/public")
    assert "Mongolia" in page.locator("main").inner_text()
    shot(page, "public")
