"""The web app through HTTP (httpx via FastAPI's TestClient): the API mirrors the CLI with the
same JSON and errors, every route obeys the roles, sign-in is throttled, forms carry CSRF
tokens, and every response carries the security headers."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from fastapi.testclient import TestClient

from noncoop import accounts, clock, i18n, people, services
from noncoop.accounts import new_token

D = dt.date
PASSWORD = "correct horse battery staple"
ROLES = {"president": ("president_office", None), "secretariat": ("secretariat", None),
         "bureau": ("bureau", None), "fp_asia": ("focal_point", "Asia-Pacific"),
         "fp_africa": ("focal_point", "African")}


@pytest.fixture
def app(db, monkeypatch):
    monkeypatch.setenv("NONCOOP_SECRET_KEY", "test-secret")
    from noncoop.web.app import create_app

    for who, (role, region) in ROLES.items():
        people.add_person(db, name=who, email=f"{who}@example.org", role=role, region=region,
                          active_from=D(2024, 1, 1))
        accounts.add_user(db, f"{who}@example.org", role, PASSWORD)
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    services.add_bureau_meeting(db, D(2024, 11, 5), "New York")
    return create_app()


@pytest.fixture
def cases(db, app):
    formal = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                                decision_date=D(2024, 10, 24), referred_to=["assembly"])["id"]
    urgent = services.open_case(db, state="Mongolia", scenario="7b", summary="SECRET")["id"]
    return {"formal": formal, "urgent": urgent}


def client_as(app, who: str | None) -> TestClient:
    client = TestClient(app)
    if who is not None:
        page = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        signed = client.post("/login", data={"email": f"{who}@example.org", "password": PASSWORD,
                                             "csrf": csrf}, follow_redirects=False)
        assert signed.status_code == 303, signed.text
        client.headers["X-CSRF-Token"] = csrf_of(client)
    return client


def csrf_of(client: TestClient) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)


API_GETS = ["/api/cases", "/api/deadlines", "/api/calendar", "/api/letters",
            "/api/letters/templates", "/api/tasks", "/api/people"]


def test_anonymous_requests_to_the_api_get_401(app, cases):
    client = TestClient(app)
    for path in [*API_GETS, f"/api/cases/{cases['formal']}"]:
        r = client.get(path)
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated", path
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    assert client.get("/cases", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("who", list(ROLES))
def test_every_api_read_answers_each_role(app, cases, who):
    client = client_as(app, who)
    for path in API_GETS:
        assert client.get(path).status_code == 200, (who, path)
    listed = {c["id"] for c in client.get("/api/cases").json()}
    sees_formal = who != "fp_africa"
    assert (cases["formal"] in listed) is sees_formal
    shown = client.get(f"/api/cases/{cases['urgent']}")
    if who in ("fp_africa", "bureau"):  # the Bureau's only once good offices begin (para 18)
        assert shown.status_code == 404 and shown.json()["error"]["code"] == "unknown_case"
    else:
        assert "SECRET" in shown.text


@pytest.mark.parametrize("who", list(ROLES))
def test_acting_through_the_api_obeys_the_roles(app, cases, who):
    client = client_as(app, who)
    r = client.post(f"/api/cases/{cases['formal']}/actions/forward_decision",
                    json={"on": "2024-10-25"})
    expected = {"president": 200, "secretariat": 200, "bureau": 403, "fp_asia": 403,
                "fp_africa": 404}[who]
    assert r.status_code == expected, r.text
    if expected == 200:
        assert r.json()["steps"][0] == {"step": "forward_decision", "status": "done",
                                        "date": "2024-10-25"}
    if expected == 403:
        assert r.json()["error"]["rule"] == "permission"


def test_the_api_speaks_the_cli_json_and_explains_refusals(app, cases):
    client = client_as(app, "president")
    opened = client.post("/api/cases", json={"state": "Mongolia", "scenario": "7a",
                                             "decision_ref": "X", "decision_date": "2024-10-24",
                                             "referred_to": ["assembly"]})
    assert opened.status_code == 201 and opened.json()["state"] == "Mongolia"
    case_id = cases["formal"]
    client.post(f"/api/cases/{case_id}/actions/bureau_hearing", json={"on": "2024-11-05"})
    refused = client.post(f"/api/cases/{case_id}/actions/nywg_public_meeting", json={})
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["rule"] == "three_month_rule" and error["paragraph"] == "14(d)"
    assert "2024-12-02" in error["message"]
    bad = client.post(f"/api/cases/{case_id}/actions/open_letter",
                      json={"params": {"action": "send", "reply_days": "soon"}})
    assert bad.status_code == 400 and "reply_days" in bad.json()["error"]["message"]
    invalid = client.post("/api/cases", json={"scenario": "7a"})
    assert invalid.status_code == 422 and "state" in invalid.json()["error"]["message"]


def test_letters_through_the_api(app, cases):
    client = client_as(app, "secretariat")
    draft = client.get(f"/api/cases/{cases['formal']}/letters/forward_decision?lang=fr")
    assert draft.status_code == 200 and "Note verbale" in draft.text
    issued = client.post(f"/api/cases/{cases['formal']}/letters/forward_decision",
                         json={"lang": "en", "on": "2024-10-25"})
    assert issued.status_code == 201
    ref = issued.json()["reference"]
    assert client.get(f"/api/letters/{ref}").json()["sha256"] == issued.json()["sha256"]
    assert f"Reference: {ref}" in client.get(f"/api/letters/{ref}/content").text


def test_api_tokens_for_scripts_need_no_cookie_and_no_csrf(app, db, cases):
    token = new_token(db, "secretariat@example.org", "nightly export")
    client = TestClient(app)
    r = client.get("/api/cases", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and len(r.json()) == 2
    r = client.post(f"/api/cases/{cases['formal']}/actions/forward_decision", json={},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert client.get("/api/cases", headers={"Authorization": "Bearer nc_wrong"}).status_code == 401


def test_a_form_without_its_csrf_token_is_refused(app, cases):
    client = client_as(app, "president")
    del client.headers["X-CSRF-Token"]
    r = client.post(f"/cases/{cases['formal']}/act", data={"step": "forward_decision"})
    assert r.status_code == 403
    r = client.post(f"/api/cases/{cases['formal']}/actions/forward_decision", json={})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"


def test_sign_in_is_throttled(app, cases, db, monkeypatch):
    """The address that keeps failing waits, longer each time; the account's owner, signing in
    from elsewhere, does not (no lock a guesser can hold)."""
    def attempt(client: TestClient, password: str):
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        return client.post("/login", data={"email": "bureau@example.org", "password": password,
                                           "csrf": csrf}, follow_redirects=False)

    from noncoop import clock
    from noncoop.store.models import SignInFailureRow

    # The clock stands still unless the test moves it: a slow machine takes no wait away.
    now = [clock.now()]
    monkeypatch.setattr(clock, "now", lambda: now[0])
    guesser = TestClient(app, client=("198.51.100.7", 40000))
    for _ in range(accounts.FREE_TRIES):
        r = attempt(guesser, "wrong")
        assert r.status_code == 401 and "wrong e-mail or password" in r.text
    r = attempt(guesser, PASSWORD)
    assert r.status_code == 429 and "too many failed sign-ins from this address" in r.text
    assert int(r.headers["Retry-After"]) >= 1  # how long to wait, in seconds
    owner = TestClient(app, client=("203.0.113.9", 40000))
    assert attempt(owner, PASSWORD).status_code == 303
    first = db.get(SignInFailureRow, ("198.51.100.7", "bureau@example.org")).wait_until
    now[0] = first + dt.timedelta(seconds=1)  # once the wait is over, a new failure waits longer
    assert attempt(guesser, "wrong").status_code == 401
    db.expire_all()
    again = db.get(SignInFailureRow, ("198.51.100.7", "bureau@example.org"))
    assert again.wait_until - now[0] == dt.timedelta(seconds=2)  # 1 s, then 2 s, 4 s, ...


def test_security_headers_on_every_response(app, cases):
    client = client_as(app, "president")
    for path in ["/", "/login", "/public", "/api/cases", f"/cases/{cases['formal']}"]:
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_pages_for_each_role_in_both_languages(app, cases):
    for who in ROLES:
        client = client_as(app, who)
        for lang in ("en", "fr"):
            for path in ["/", "/cases", "/review", "/calendar", "/people"]:
                r = client.get(f"{path}?lang={lang}")
                assert r.status_code == 200 and f'<html lang="{lang}">' in r.text, (who, path)
        page = client.get(f"/cases/{cases['urgent']}")
        assert page.status_code == (404 if who in ("fp_africa", "bureau") else 200)
        assert ("SECRET" in page.text) is (who in ("president", "secretariat", "fp_asia"))


def test_the_public_page_shows_only_what_is_public(app, db, cases, monkeypatch):
    from noncoop.letters import register

    monkeypatch.setenv("NONCOOP_BASE_URL", "https://noncoop.example.org")  # the feed needs it

    register.issue(db, cases["formal"], "press_release", on=D(2024, 10, 25))
    client = TestClient(app)
    page = client.get("/public")
    assert page.status_code == 200 and "Mongolia" in page.text and "ICC-01/22-90" in page.text
    assert 'href="/public/feed.atom"' in page.text
    assert "SECRET" not in page.text and cases["urgent"] not in page.text
    feed = client.get("/public/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert "ICC-ASP/23/S/1" in feed.text
    assert client.get("/public/press/ICC-ASP/23/S/1").status_code == 200
    assert client.get("/openapi.json").json()["paths"]["/api/cases/{case_id}/actions/{step}"]


def test_the_public_findings_come_newest_first_a_page_at_a_time(app, db, monkeypatch):
    from noncoop.web import pages

    monkeypatch.setattr(pages, "PAGE", 2)
    monkeypatch.delenv("NONCOOP_BASE_URL", raising=False)  # no feed served: none offered
    older, newer, same_day = (services.open_case(
        db, state=state, scenario="7a", decision_ref=ref, decision_date=day,
        referred_to=["assembly"])["id"] for state, ref, day in (
            ("Jordan", "ICC-02/05-309", D(2017, 12, 11)),
            ("Mongolia", "ICC-01/22-90", D(2024, 10, 24)),
            ("Tajikistan", "ICC-01/22-91", D(2024, 10, 24))))
    # A 7(b) case the Court referred later without a date: after every dated finding.
    undated = services.open_case(db, state="Hungary", scenario="7b", summary="SECRET")["id"]
    services.act(db, undated, "refer_to_assembly", params={"decision_ref": "ICC-01/11-UNDATED"})
    services.open_case(db, state="Chad", scenario="7b", summary="SECRET-HIDDEN")  # never shown
    client = TestClient(app)
    shown = re.compile(r"ICC-[0-9/]+-[0-9A-Z]+")
    link = re.compile(r'<a href="/public\?page=([0-9]+)" rel="(next|prev)">')

    first = client.get("/public").text
    # The same day: the case opened last first (its number is higher).
    assert shown.findall(first) == ["ICC-01/22-91", "ICC-01/22-90"], (newer, same_day)
    assert "findings 1 to 2 of 4" in first and link.findall(first) == [("2", "next")]
    assert "/public/feed.atom" not in first
    second = client.get("/public?page=2").text
    assert shown.findall(second) == ["ICC-02/05-309", "ICC-01/11-UNDATED"], older
    assert link.findall(second) == [("1", "prev")] and "SECRET" not in second
    assert client.get("/public?page=99").text == second  # past the end: the last page
    french = client.get("/public?page=2&lang=fr").text
    assert "constatations 3 à 4 sur 4" in french

    for bad in ("0", "two", "-1"):
        refused = client.get(f"/public?page={bad}&lang=en")
        assert refused.status_code == 400, bad
        assert f"bad page {bad!r}: give a page number from 1" in html.unescape(refused.text)
    assert "par son numéro" in client.get("/public?page=0&lang=fr").text


def test_the_dashboard_shows_the_first_items_of_each_part_and_counts_the_rest(app, db, cases,
                                                                            monkeypatch):
    from noncoop.services import dashboard

    for n in range(3):  # more cases with misses of an earlier cycle: one line each
        services.open_case(db, state="Jordan", scenario="7a", decision_ref=f"ICC-02/05-{n}",
                           decision_date=D(2024, 10, 24), referred_to=["assembly"])
    full = services.work(db, "president@example.org")
    monkeypatch.setattr(dashboard, "SHOWN", 2)
    capped = services.work(db, "president@example.org")
    assert len(full["older"]) == 4  # the part this test is about
    for part in dashboard.PARTS:
        assert capped[part] == full[part][:2], part
        assert capped["more"][part] == max(len(full[part]) - 2, 0), part
    page = client_as(app, "president").get("/").text
    assert "2 more, not shown here." in page
    assert [c for c in re.findall(r'<li><a href="/cases/([^"]+)"', page)] == [
        g["case_id"] for g in full["older"][:2]]
    # Nothing of this cycle needs the President's office now: the page says where the rest is.
    assert not full["now"]
    assert 'Nothing needs you now. The misses of earlier reporting cycles are listed below. ' \
        '<a href="#older">' in page


def test_the_case_list_filters_and_offers_only_the_regions_one_may_see(app, db, cases):
    african = services.open_case(db, state="South Africa", scenario="7a",
                                 decision_ref="ICC-02/05-01/09-302",
                                 decision_date=D(2024, 10, 24), referred_to=["assembly"])["id"]
    options = re.compile(r'<option value="([^"]+)"')

    everyone = client_as(app, "secretariat").get("/cases?region=African States").text
    assert african in everyone and cases["formal"] not in everyone
    assert {"African States", "Asia-Pacific States"} <= set(options.findall(everyone))
    urgent_only = client_as(app, "secretariat").get("/cases?scenario=7b").text
    assert cases["urgent"] in urgent_only and cases["formal"] not in urgent_only

    africa = client_as(app, "fp_africa").get("/cases").text
    assert african in africa and cases["formal"] not in africa
    assert "Asia-Pacific States" not in options.findall(africa)
    assert services.case_regions(db, by="fp_africa@example.org") == ["African States"]


def test_the_case_list_pages_on_from_the_last_case_shown(app, cases, monkeypatch):
    from noncoop.web import pages

    monkeypatch.setattr(pages, "PAGE", 1)
    client = client_as(app, "president")
    link = re.compile(r'<a href="([^"]+)" rel="(next|prev)">')
    first = client.get("/cases").text
    assert cases["formal"] in first and cases["urgent"] not in first and "2 cases" in first
    assert [rel for _, rel in link.findall(first)] == ["next"]
    (after, _), = link.findall(first)
    second = client.get(after.replace("&amp;", "&")).text
    assert cases["urgent"] in second and cases["formal"] not in second
    assert [rel for _, rel in link.findall(second)] == ["prev"]
    assert client.get("/cases?last=1").text == second
    (before, _), = link.findall(second)
    assert client.get(before.replace("&amp;", "&")).text == first


def test_restricted_answers_are_not_kept_by_browsers_or_proxies(app, cases):
    client = client_as(app, "president")
    for path in (f"/api/cases/{cases['urgent']}", f"/cases/{cases['urgent']}", "/api/cases"):
        assert client.get(path).headers["cache-control"] == "no-store", path
    assert "no-store" not in TestClient(app).get("/public").headers.get("cache-control", "")


def test_the_feed_links_to_the_configured_address_not_the_host_header(app, monkeypatch):
    monkeypatch.setenv("NONCOOP_BASE_URL", "https://noncoop.example.org/")
    feed = TestClient(app).get("/public/feed.atom", headers={"Host": "evil.example.com"}).text
    assert "evil.example.com" not in feed
    assert "<id>https://noncoop.example.org/public</id>" in feed


def test_pages_speak_the_language_the_directory_gives_unless_another_was_chosen(db, app):
    people.add_person(db, name="Membre du Bureau", email="membre@example.org", role="bureau",
                      lang="fr", active_from=D(2024, 1, 1))
    accounts.add_user(db, "membre@example.org", "bureau", PASSWORD)

    def signed_in(login_page: str) -> TestClient:
        client = TestClient(app)
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get(login_page).text).group(1)
        client.post("/login", data={"email": "membre@example.org", "password": PASSWORD,
                                    "csrf": csrf})
        return client

    assert '<html lang="fr">' in signed_in("/login").get("/cases").text
    assert '<html lang="en">' in signed_in("/login?lang=en").get("/cases").text
    assert '<html lang="en">' in client_as(app, "bureau").get("/cases").text  # English in it


def test_the_review_offers_a_pdf_only_where_one_can_be_made(app, cases, monkeypatch):
    from noncoop.letters import pdf

    client = client_as(app, "president")
    assert pdf.unavailable() is None  # the `pdf` extra and its libraries (scripts/test, CI)
    assert 'href="/review.pdf"' in client.get("/review").text
    monkeypatch.setattr(pdf, "unavailable", lambda: "PDF output needs WeasyPrint")
    assert "/review.pdf" not in client.get("/review").text
    refused = client.get("/review.pdf")
    assert refused.status_code == 400 and "WeasyPrint" in refused.text


def test_a_missing_case_is_said_in_the_pages_words_not_a_commands(app, cases):
    client = client_as(app, "president")
    for lang, words in (("en", "There is no such case."), ("fr", "Ce dossier n’existe pas.")):
        page = client.get(f"/cases/NC-1999-999?lang={lang}")
        assert page.status_code == 404 and words in page.text
        assert "noncoop case list" not in page.text and "En anglais" not in page.text


def test_a_long_work_list_shows_its_first_items_and_folds_the_rest(db, app):
    from noncoop import clock

    decided = clock.today() - dt.timedelta(days=1)  # its deadlines in the current cycle
    for n in range(15):  # each a deadline of the Secretariat's: what the Bureau waits on
        services.open_case(db, state="Chad", scenario="7a", decision_ref=f"ICC-{n}",
                           decision_date=decided, referred_to=["assembly"])
    page = client_as(app, "bureau").get("/").text
    waiting = page.split('id="waiting"', 1)[1].split("</section>", 1)[0]
    shown, folded = waiting.split("<details", 1)
    items = waiting.count("<li")
    assert items >= 15 and shown.count("<li") == 12
    assert f"{items - 12} more</summary>" in folded


def test_a_reason_given_for_many_steps_is_written_once(app, db, cases, cli):
    # A 7(b) case: the formal steps wait for a referral, one reason for each of them.
    refusals = services.refusals(db, cases["urgent"])
    reasons = {(r["rule"], r["message"]) for r in refusals}
    assert len(refusals) >= len(reasons) + 5
    client = client_as(app, "president")
    for lang in ("en", "fr"):
        page = client.get(f"/cases/{cases['urgent']}?lang={lang}").text
        steps = page[page.index("<table"):page.index("</table>")]
        refused = page[page.index('<ul class="refusals">'):]
        refused = refused[:refused.index("</ul>")]
        assert steps.count('id="why-') == 1 and steps.count('href="#why-') >= 5, lang
        assert refused.count("<li>") == len(reasons) < refused.count("<strong>"), lang
        assert refused.count("<strong>") == len(refusals), lang
        biggest = max(sum(1 for r in refusals if (r["rule"], r["message"]) == why)
                      for why in reasons)
        steps = {"en": "steps", "fr": "étapes"}[lang]
        assert f"<details><summary>{biggest} {steps}</summary>" in refused, lang  # folded
    # In French the reason is French everywhere, the timeline's tooltips included.
    english = next(s["reason"] for s in services.show_case(db, cases["urgent"])["steps"]
                   if s["status"] == "not_applicable")
    french = client.get(f"/cases/{cases['urgent']}?lang=fr").text
    assert html.escape(english, quote=False).split(":")[0] not in french
    said = cli("case", "show", cases["urgent"]).stdout
    lines = [line for line in said.splitlines() if "not_applicable (" in line]
    assert len(lines) >= 5 and sum("same reason as" in line for line in lines) == len(lines) - 1


def test_the_history_names_noncoops_own_parts_in_words(app, db, cases):
    from noncoop.sweep import sweep

    sweep(db, D(2025, 1, 15))  # the forwarding of the 24 October decision is long missed
    client = client_as(app, "president")
    for lang, admin, sweeper in (("en", "the administrator (command line)", "the deadline sweep"),
                                 ("fr", "l’administrateur (ligne de commande)",
                                  "le contrôle des délais")):
        page = client.get(f"/cases/{cases['formal']}?lang={lang}").text
        history = page[page.rindex("<table"):]
        assert admin in history and sweeper in history, lang
        assert "system:sweep" not in history and "admin@localhost" not in history, lang


def test_a_case_recorded_after_it_closed_says_when_each_thing_happened(app, db):
    from freezegun import freeze_time

    # Jordan's finding of 2017, closed on appeal in 2019, recorded at 00:30 in The Hague on
    # 3 December 2026 (23:30 UTC the day before): recorded on the Secretariat's day.
    with freeze_time("2026-12-02 23:30:00"):
        case = services.open_case(db, state="Jordan", scenario="7a",
                                  decision_ref="ICC-02/05-1", decision_date=D(2017, 12, 11),
                                  referred_to=["assembly"])["id"]
        services.act(db, case, "close", on=D(2019, 5, 6),
                     params={"outcome": "amended_on_appeal"})
    page = client_as(app, "president").get(f"/cases/{case}").text
    history = page[page.rindex("<table"):]
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>", history)
    # Both recorded that day, in that order: the closing is dated 2019, as it happened.
    today = "3 Dec 2026"
    assert rows == [(today, today, "case opened"), ("6 May 2019", today, "case closed")]
    steps = page[page.index("<table"):page.index("</table>")]
    assert "not taken" in steps and ">pending<" not in steps  # nothing waits on a closed case


def test_the_dashboard_gives_an_hour_limit_its_hour(app, db, cases):
    # Good offices begun now: the Bureau is to be told within 24 hours (para 18).
    services.act(db, cases["urgent"], "good_offices_activate",
                 params={"court_consulted": clock.today().isoformat()})
    due_at = next(d["due_at"] for d in services.show_case(db, cases["urgent"])["deadlines"]
                  if d["step"] == "notify_bureau")
    page = client_as(app, "president").get("/").text
    now = page[page.index('id="now"'):page.index('id="week"')]
    hour = i18n.format_time(due_at, "en")
    assert f'<time datetime="{due_at}" title="The Hague time">' in now
    assert f", {hour}</time>" in now
