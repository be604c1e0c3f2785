"""The timelines as pure functions (data in, SVG out), and the Bureau review through HTTP: one
row per step in its lane, lateness as bars, a closed case never overdue, every mark focusable
and named, labels cut to their column; the review filtered, those needing action first, a
restricted case shown to the Bureau only as access allows, and its PDF."""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from noncoop import accounts, people, services
from noncoop.domain import load_procedure
from noncoop.services import review
from noncoop.web import timeline
from noncoop.web.i18n import words

D = dt.date
NS = "{http://www.w3.org/2000/svg}"
PASSWORD = "correct horse battery staple"
CALENDAR = {"sessions": [{"number": 23, "kind": "regular", "start": "2024-12-02",
                          "end": "2024-12-07", "venue": "The Hague"}],
            "bureau_meetings": [{"date": "2024-11-05", "place": "New York"}]}
PROCEDURE = load_procedure()
LANES = {s.id: s.lane for s in PROCEDURE.steps.values()}
LABELS = {**words("en"), **PROCEDURE.titles("en")}


def a_case(status: str = "open") -> dict:
    steps = [{"step": s, "status": "pending"} for s in PROCEDURE.steps]
    marked = {"forward_decision": {"status": "done", "date": "2024-10-29"},
              "emergency_bureau_meeting": {"status": "skipped", "date": "2024-10-30",
                                           "reason": "met anyway"},
              "unsc_letter": {"status": "not_applicable", "reason": "not referred"},
              "open_letter": {"status": "in_progress", "date": "2024-10-28"},
              "engage_state": {"status": "done", "date": "2024-10-30"}}
    for s in steps:
        s.update(marked.get(s["step"], {}))
    return {"id": "NC-2024-001", "state": "Mongolia", "status": status, "stage": "formal",
            "decision": {"date": "2024-10-24", "ref": "ICC-01/22-90"}, "steps": steps,
            "deadlines": [
                {"step": "forward_decision", "kind": "due", "due": "2024-10-25",
                 "status": "late", "done_on": "2024-10-29"},
                {"step": "open_letter", "kind": "reply", "due": "2024-11-27",
                 "status": "open", "done_on": None},
                {"step": "bureau_report", "kind": "report", "due": "2025-01-30",
                 "status": "open", "done_on": None}]}


def shown(e: ET.Element) -> str:
    """A label's text as drawn: beside the whole of it in a tooltip (<title>) if it was cut."""
    return "".join(t for t in [e.text, *(c.tail for c in e)] if t)


def marks(drawn: ET.Element, cls: str) -> list[ET.Element]:
    return [e for e in drawn.iter() if cls in (e.get("class") or "").split()]


def test_one_row_per_step_in_its_lane_in_the_workflows_order():
    case = a_case()
    drawn = ET.fromstring(timeline.svg(case, CALENDAR, D(2024, 12, 20), LABELS, LANES))
    rows = [g.get("data-step") for g in marks(drawn, "step-row")]
    assert rows == list(PROCEDURE.steps)
    formal, informal = PROCEDURE.lane_steps("formal"), PROCEDURE.lane_steps("good_offices")
    assert rows == [*formal, *informal] and formal and informal
    lanes = [t.text for t in marks(drawn, "lane-label")]
    assert lanes == [LABELS["formal"], LABELS["informal"]]
    # A Bureau member's case dict holds no good offices step: no lane for them at all.
    formal_only = {**case, "steps": [s for s in case["steps"] if LANES[s["step"]] == "formal"]}
    drawn = ET.fromstring(timeline.svg(formal_only, CALENDAR, D(2024, 12, 20), LABELS, LANES))
    assert [t.text for t in marks(drawn, "lane-label")] == [LABELS["formal"]]
    assert LABELS["engage_state"] not in ET.tostring(drawn, encoding="unicode")


def test_lateness_is_a_bar_and_a_closed_case_is_never_overdue():
    today = D(2024, 12, 20)
    drawn = ET.fromstring(timeline.svg(a_case(), CALENDAR, today, LABELS, LANES))
    late = marks(drawn, "late")
    assert [m.get("class") for m in late if m.tag == f"{NS}rect"] == ["tl-mark lateness late"]
    overdue = [m for m in marks(drawn, "overdue") if m.tag == f"{NS}rect"]
    assert len(overdue) == 1 and "23 day(s) late" in overdue[0].get("aria-label")  # 27 Nov
    closed = ET.fromstring(timeline.svg(a_case("closed"), CALENDAR, today, LABELS, LANES))
    assert not marks(closed, "overdue") and len(marks(closed, "late")) == 2  # bar and diamond
    assert timeline.needs_action(a_case(), today) and not timeline.needs_action(
        a_case("closed"), today)
    assert not timeline.overdue(a_case("closed"), today)
    # Due within a month is action too; far off and nothing late is not.
    calm = {**a_case(), "deadlines": a_case()["deadlines"][2:]}
    assert timeline.needs_action(calm, D(2025, 1, 5)) and not timeline.needs_action(
        calm, D(2024, 11, 1))


def test_skipped_not_applicable_letters_calendar_and_today_are_marked():
    letters = [{"reference": "ICC-ASP/23/S/1", "template": "press_release",
                "issued_on": "2024-10-25"}]
    drawn = ET.fromstring(timeline.svg(a_case(), CALENDAR, D(2024, 12, 20), LABELS, LANES,
                                       letters))
    rows = {g.get("data-step"): g for g in marks(drawn, "step-row")}
    assert marks(rows["emergency_bureau_meeting"], "skipped")[1].tag == f"{NS}path"
    assert marks(rows["unsc_letter"], "not-applicable")
    assert rows["unsc_letter"].find(f"{NS}text").get("text-decoration") == "line-through"
    assert marks(rows["open_letter"], "in_progress")
    assert "ICC-ASP/23/S/1" in marks(drawn, "letter")[0].get("aria-label")
    assert "New York" in marks(drawn, "meeting")[1].get("aria-label")
    assert "23" in marks(drawn, "session")[0].get("aria-label")
    assert marks(drawn, "today-label")[0].text.endswith("20 Dec 2024")  # as the language writes a date
    # Every mark can be focused and says what it is, the same in its tooltip.
    for m in marks(drawn, "tl-mark"):
        assert m.get("tabindex") == "0" and m.get("aria-label")
        assert m.find(f"{NS}title").text == m.get("aria-label")


def test_today_stays_inside_the_drawing_whatever_the_day():
    for today in (D(2024, 10, 26), D(2025, 1, 30), D(2030, 6, 1)):
        drawn = ET.fromstring(timeline.svg(a_case(), CALENDAR, today, LABELS, LANES))
        line = marks(drawn, "today")[0]
        label = marks(drawn, "today-label")[0]
        x = float(label.get("x"))
        width = timeline.text_width(label.text, timeline.SMALL)
        assert timeline.PLOT[0] <= float(line.get("x1")) <= timeline.PLOT[1]
        assert timeline.PLOT[0] <= x and x + width <= timeline.PLOT[1]


def test_labels_are_cut_to_their_column_with_the_whole_text_in_a_tooltip():
    long = "A very long name of a step that no column of the timeline could ever hold " * 2
    assert timeline.fit("short", 100, 12) == "short"
    cut = timeline.fit(long, timeline.TITLE_W, 12)
    assert cut.endswith("…") and timeline.text_width(cut, 12) <= timeline.TITLE_W
    assert timeline.text_width("WWW", 12) > timeline.text_width("iii", 12)  # measured per letter
    labels = {**LABELS, "forward_decision": long}
    drawn = ET.fromstring(timeline.svg(a_case(), CALENDAR, D(2024, 12, 20), labels, LANES))
    row = next(g for g in marks(drawn, "step-row") if g.get("data-step") == "forward_decision")
    text = row.find(f"{NS}text")
    tip = text.find(f"{NS}title")
    assert (text.text or "") + tip.tail == cut and long in tip.text


def test_the_review_draws_one_row_per_case_in_the_order_given():
    cases = [a_case(), {**a_case("closed"), "id": "NC-2024-002"}]
    drawn = ET.fromstring(timeline.review_svg(cases, CALENDAR, D(2024, 12, 20), LABELS))
    rows = marks(drawn, "case-row")
    assert [(g.get("data-case"), g.get("data-needs-action")) for g in rows] == [
        ("NC-2024-001", "true"), ("NC-2024-002", "false")]
    assert not marks(rows[1], "overdue") and marks(rows[0], "overdue")
    assert rows[0].find(f"{NS}a").get("href") == "/cases/NC-2024-001"
    # The next deadline is written as the pages write a day, and its heading is whole in French.
    assert [shown(e) for e in marks(rows[0], "next-due")] == ["27 Nov 2024"]
    french = ET.fromstring(timeline.review_svg(cases, CALENDAR, D(2024, 12, 20), {
        **words("fr"), **PROCEDURE.titles("fr"), "lang": "fr"}))
    assert [shown(e) for e in marks(french, "next-due")][0] == "27 nov. 2024"
    assert "Prochaine échéance" in [shown(e) for e in french.iter()]
    # The review's year: the decision's, or without one the year in the case number.
    assert review.year_of(None, "NC-2026-003") == 2026
    assert review.year_of(D(2024, 10, 24), "NC-2026-003") == 2024


def test_on_a_timeline_of_many_years_the_newest_sessions_keep_their_names():
    # Each year a session resumed in November, then the next one in December: over fourteen
    # years their names touch. The older give way: the current cycle's session is named.
    sessions = [s for n, year in enumerate(range(2012, 2026), start=11) for s in (
        {"number": n - 1, "kind": "resumed", "start": f"{year}-11-20", "end": f"{year}-11-21"},
        {"number": n, "kind": "regular", "start": f"{year}-12-01", "end": f"{year}-12-08"})]
    old = {**a_case(), "decision": {"date": "2012-10-24", "ref": "ICC-01/22-90"}}
    drawn = ET.fromstring(timeline.review_svg([old, a_case()], {"sessions": sessions,
                                                                "bureau_meetings": []},
                                              D(2026, 1, 10), LABELS))
    names = [e.text for e in marks(drawn, "session-name")]
    assert f"{LABELS['asp']} 24" in names and len(names) < len(sessions), names


def test_the_axis_of_a_closed_case_reaches_the_day_it_closed():
    # Closed on appeal with nothing else recorded after its decision of December 2017.
    steps = [{"step": s, "status": "pending"} for s in PROCEDURE.steps]
    case = {**a_case("closed"), "decision": {"date": "2017-12-11", "ref": "ICC-02/05-1"},
            "steps": steps, "deadlines": [],
            "history": [{"event": "case_opened", "on": None},
                        {"event": "case_closed", "on": "2019-05-06"}]}
    drawn = ET.fromstring(timeline.svg(case, CALENDAR, D(2026, 12, 3), LABELS, lanes=LANES))
    assert "2019" in "".join(shown(e) for e in marks(drawn, "tick-label"))


# -- the review through HTTP ------------------------------------------------------------------

@pytest.fixture
def app(db, monkeypatch):
    monkeypatch.setenv("NONCOOP_SECRET_KEY", "test-secret")
    from noncoop.web.app import create_app

    for who, role in (("president", "president_office"), ("bureau", "bureau")):
        people.add_person(db, name=who, email=f"{who}@example.org", role=role,
                          active_from=D(2024, 1, 1))
        accounts.add_user(db, f"{who}@example.org", role, PASSWORD)
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    services.add_bureau_meeting(db, D(2024, 11, 5), "New York")
    return create_app()


def client_as(app, who: str) -> TestClient:
    client = TestClient(app)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"email": f"{who}@example.org", "password": PASSWORD,
                                       "csrf": csrf}, follow_redirects=False).status_code == 303
    return client


@pytest.fixture
def cases(db):
    formal = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                                decision_date=D(2024, 10, 24), referred_to=["assembly"])["id"]
    closed = services.open_case(db, state="Jordan", scenario="7a", decision_ref="ICC-02/05-1",
                                decision_date=D(2017, 12, 11), referred_to=["assembly"])["id"]
    services.act(db, closed, "close", on=D(2019, 5, 6), params={"outcome": "other"})
    urgent = services.open_case(db, state="Mongolia", scenario="7b", summary="SECRET-VISIT")["id"]
    services.act(db, urgent, "good_offices_activate", on=D(2024, 8, 30),
                 params={"court_consulted": "2024-08-29"})
    services.act(db, urgent, "engage_state", on=D(2024, 8, 31), params={
        "with": "the Foreign Minister", "channel": "call", "summary": "SECRET-CONTACT"})
    hidden = services.open_case(db, state="Chad", scenario="7b", summary="SECRET-HIDDEN")["id"]
    return {"formal": formal, "closed": closed, "urgent": urgent, "hidden": hidden}


def rows_of(page: str) -> list[str]:
    return re.findall(r'<g class="case-row" data-case="([^"]+)"', page)


def test_the_review_shows_the_bureau_a_restricted_case_only_as_access_allows(app, cases):
    bureau = client_as(app, "bureau").get("/review").text
    assert set(rows_of(bureau)) == {cases["formal"], cases["closed"], cases["urgent"]}
    assert rows_of(bureau)[0] == cases["formal"]  # needs action: first
    row = bureau.split(f'data-case="{cases["urgent"]}"')[1].split("</g>")[0]
    assert LABELS["good_offices_activate"] in row and "2024-08-30" in row
    for secret in ("SECRET", LABELS["engage_state"], "2024-08-31", cases["hidden"]):
        assert secret not in bureau, secret
    president = client_as(app, "president").get("/review").text
    assert set(rows_of(president)) == set(cases.values())
    assert LABELS["engage_state"] in president


def test_the_review_filters_by_status_region_year_and_action(app, cases):
    client = client_as(app, "president")
    assert rows_of(client.get("/review?status=closed").text) == [cases["closed"]]
    assert rows_of(client.get("/review?year=2017").text) == [cases["closed"]]
    assert cases["closed"] not in rows_of(client.get("/review?action=1").text)
    assert rows_of(client.get("/review?region=Asia-Pacific States&status=open").text)
    assert client.get("/review?year=last").status_code == 400
    page = client.get("/review?lang=fr&status=open").text
    assert "Exporter en PDF" in page and 'href="/review.pdf?status=open"' in page


def test_the_cases_needing_action_are_found_as_each_readers_timeline_says(app, db, cases):
    """services/review.py finds them from the deadline rows; timeline.needs_action says it of
    the case as show_case gives it to the reader. A travel deadline of the good offices,
    hidden from the Bureau, makes the case need action for the President's office only."""
    services.act(db, cases["urgent"], "travel_alert", on=D(2024, 9, 1), params={
        "person": "P", "from": "2024-11-20", "source": "press", "reliability": "likely"})
    services.act(db, cases["formal"], "forward_decision", on=D(2024, 10, 25))
    # Days around each deadline's: before it is within 30 days, within, on it, past it.
    days = sorted({D(2024, 8, 1) + dt.timedelta(days=n) for n in range(0, 200, 3)})
    found = {}
    for who in ("president", "bureau"):
        v = f"{who}@example.org"
        shown = {c["id"]: services.show_case(db, c["id"], by=v) for c in services.list_cases(
            db, by=v)}
        sight = {i: "full" if who == "president" else "formal" for i in shown
                 if shown[i]["status"] != "closed"}
        for today in days:
            expected = {i for i, c in shown.items() if timeline.needs_action(c, today)}
            found[who, today] = set(review.needing_action(db, sight, today))
            assert found[who, today] == expected, (who, today)
    # The check meant something: the formal case needed action on some days and not on
    # others, and the good offices' deadlines made the urgent one need it for the President's
    # office on a day the Bureau had nothing to do on it.
    assert {cases["formal"] in found["bureau", d] for d in days} == {True, False}
    assert any(cases["urgent"] in found["president", d] and cases["urgent"] not in
               found["bureau", d] for d in days)


def test_the_review_pages_its_cases_keeping_the_filters(app, cases, monkeypatch):
    from noncoop.web import pages

    monkeypatch.setattr(pages, "REVIEW_PAGE", 1)
    client = client_as(app, "president")
    link = re.compile(r'<a href="/review\?([^"]+)" rel="(next|prev)">')
    first = client.get("/review?status=open").text
    # Needing action first, the earliest due first: the good offices' notice to the Bureau
    # (due 31 August 2024) before the forwarding of the formal case's decision (25 October).
    assert rows_of(first) == [cases["urgent"]]
    assert "cases 1 to 1 of 3" in first
    assert link.findall(first) == [("status=open&amp;page=2", "next")]
    seen = [rows_of(client.get(f"/review?status=open&page={n}").text)[0] for n in (1, 2, 3)]
    assert sorted(seen) == sorted([cases["formal"], cases["urgent"], cases["hidden"]])
    assert client.get("/review?status=open&page=9").text.count('class="case-row"') == 1
    assert 'href="/review.pdf?status=open&amp;page=2"' in client.get(
        "/review?status=open&page=2").text


def test_the_review_exports_the_filtered_view_as_pdf(app, cases):
    pypdf = pytest.importorskip("pypdf")
    pytest.importorskip("weasyprint")
    answer = client_as(app, "bureau").get("/review.pdf?status=open")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert "attachment" in answer.headers["content-disposition"]
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(answer.content)).pages)
    assert cases["formal"] in text and cases["urgent"] in text
    for absent in (cases["closed"], cases["hidden"], "SECRET"):
        assert absent not in text, absent
