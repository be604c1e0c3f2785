"""The dashboard's sorting of work (domain/agenda.py) and the demo's closed case: pure rules and
the demo itself, on the real database."""

from __future__ import annotations

import datetime as dt

from noncoop import config, services
from noncoop.calendar import Session
from noncoop.domain import load_procedure
from noncoop.domain.agenda import awaits_addressee, cycle_start, sort_work

D = dt.date
SESSIONS = (Session(23, "regular", D(2024, 12, 2), D(2024, 12, 7)),
            Session(24, "regular", D(2025, 12, 1), D(2025, 12, 5)),
            Session(24, "resumed", D(2026, 2, 1), D(2026, 2, 2)))


def test_the_cycle_begins_with_the_last_session_reported_to():
    numbers = config.deadlines()
    assert cycle_start(SESSIONS, numbers, D(2025, 11, 30)) == D(2024, 12, 2)
    assert cycle_start(SESSIONS, numbers, D(2025, 12, 1)) == D(2025, 12, 1)
    # A resumed session is not one the report goes to (config sessions_that_count).
    assert cycle_start(SESSIONS, numbers, D(2026, 3, 1)) == D(2025, 12, 1)
    assert cycle_start(SESSIONS, numbers, D(2020, 1, 1)) is None


def test_work_is_sorted_and_old_misses_are_one_line_a_case():
    today, since = D(2026, 3, 2), D(2025, 12, 1)

    def i(case: str, due: str | None) -> dict:
        return {"case_id": case, "due": due, "state": "X"}

    mine = [i("A", "2014-04-10"), i("A", "2014-11-08"), i("A", "2026-03-01"), i("B", None),
            i("B", "2026-03-02"), i("B", "2026-03-05"), i("B", "2026-04-01")]
    others = [i("C", "2016-07-12"), i("C", "2026-03-03")]
    out = sort_work(mine, others, today, since)
    assert [(x["case_id"], x["due"], x["late"]) for x in out["now"]] == [
        ("A", "2026-03-01", True), ("B", "2026-03-02", False), ("B", None, False)]
    assert [x["due"] for x in out["week"]] == ["2026-03-05"]
    assert [x["due"] for x in out["later"]] == ["2026-04-01"]
    assert [x["due"] for x in out["waiting"]] == ["2026-03-03"]
    assert out["older"] == [
        {"case_id": "A", "state": "X", "count": 2, "first": "2014-04-10", "last": "2014-11-08"},
        {"case_id": "C", "state": "X", "count": 1, "first": "2016-07-12", "last": "2016-07-12"}]


def test_only_a_reply_to_a_letter_waits_on_its_addressee():
    procedure = load_procedure("formal")
    assert awaits_addressee(procedure, "open_letter", "reply")
    assert not awaits_addressee(procedure, "emergency_bureau_meeting", "announcement")
    assert not awaits_addressee(procedure, "bureau_hearing", "invitation")
    assert not awaits_addressee(procedure, "press_release", "due")


def test_the_demo_records_what_the_public_record_says_and_no_more(demo):
    cases = {(c["state"], c["decision"]["date"]): c for c in services.list_cases(demo)}
    jordan = services.show_case(demo, cases[("Jordan", "2017-12-11")]["id"])
    assert jordan["status"] == "closed" and jordan["outcome"] == "amended_on_appeal"
    assert jordan["decision"]["ref"] == "ICC-02/05-01/09-309" and jordan["person"] == "Omar Al Bashir"
    # Closed: nothing of it is due, missed or anyone's work.
    assert not services.list_deadlines(demo, case_id=jordan["id"])
    for role in ("president@example.org", "secretariat@example.org", "focal.asia-pacific@example.org"):
        shown = services.work(demo, role)
        assert jordan["id"] not in repr({k: v for k, v in shown.items() if k != "since"})
    # A time limit that fell before the procedures existed (tenth session, December 2011) is
    # waived on the record, never missed; a step the public record does not date stays pending.
    kenya = services.show_case(demo, cases[("Kenya", "2010-08-27")]["id"])
    assert {d["status"] for d in kenya["deadlines"]} == {"waived"}
    assert all(s["status"] in ("pending", "not_applicable") for s in kenya["steps"])
    hungary = services.show_case(demo, cases[("Hungary", "2025-07-24")]["id"])
    assert hungary["person"] == "Benjamin Netanyahu" and "April 2025" in hungary["summary"]
    assert hungary["decision"]["ref"] == "ICC-01/18"  # the situation: the number is not known
    # The calendar runs through the twenty-fifth session.
    assert max(s.number for s in services.sessions(demo)) == 25
