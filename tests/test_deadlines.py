"""Deadlines given to a case: computed from config, recorded with their basis, never moved."""

import datetime as dt

from noncoop import services

D = dt.date


def deadlines(shown):
    return {(d["step"], d["kind"]): (d["due"], d["status"]) for d in shown["deadlines"]}


def open_case(db, decided=D(2024, 10, 24), ref="ICC-01/22-90"):
    return services.open_case(db, state="Mongolia", scenario="7a", decision_ref=ref,
                              decision_date=decided, referred_to=["assembly"])


def test_the_emergency_meeting_announcement_is_due_one_business_day_after_the_meeting(db):
    case = open_case(db)
    shown = services.act(db, case["id"], "emergency_bureau_meeting", on=D(2024, 11, 1))  # Friday
    assert deadlines(shown)[("emergency_bureau_meeting", "convene")] == ("2024-10-31", "met")
    assert deadlines(shown)[("emergency_bureau_meeting", "announcement")] == ("2024-11-04", "open")
    shown = services.act(db, case["id"], "emergency_bureau_meeting", on=D(2024, 11, 4),
                         params={"action": "announce"})
    assert deadlines(shown)[("emergency_bureau_meeting", "announcement")][1] == "met"


def test_a_skipped_step_has_no_deadline_left(db):
    case = open_case(db)
    shown = services.act(db, case["id"], "press_release", skip=True, reason="issued by the Court")
    assert deadlines(shown)[("press_release", "due")] == ("2024-10-25", "not_applicable")


def test_without_a_calendar_the_meeting_deadlines_wait(db):
    shown = open_case(db)
    assert ("bureau_hearing", "invitation") not in deadlines(shown)
    assert ("bureau_report", "report") not in deadlines(shown)


def test_good_offices_deadlines(db):
    services.add_bureau_meeting(db, D(2024, 9, 12))
    case = services.open_case(db, state="Mongolia", scenario="7b", summary="visit announced",
                              travel_date=D(2024, 9, 3))
    assert ("share_travel_information", "due") in deadlines(case)
    shown = services.act(db, case["id"], "good_offices_activate", on=D(2024, 8, 30),
                         params={"court_consulted": "2024-08-29"})
    assert deadlines(shown)[("notify_bureau", "due")] == ("2024-08-31", "open")
    assert deadlines(shown)[("report_to_bureau", "due")] == ("2024-09-12", "open")


def test_a_config_change_does_not_move_a_deadline_already_given(db, tmp_path, monkeypatch):
    case = open_case(db)
    services.act(db, case["id"], "open_letter", on=D(2024, 10, 28), params={"action": "send"})
    settings = tmp_path / "settings.yaml"
    settings.write_text("deadlines:\n  open_letter_reply: {days: 45}\n")
    monkeypatch.setenv("NONCOOP_CONFIG", str(settings))
    shown = services.show_case(db, case["id"])
    assert deadlines(shown)[("open_letter", "reply")] == ("2024-11-27", "open")
    other = open_case(db, ref="ICC-01/22-91")
    shown = services.act(db, other["id"], "open_letter", on=D(2024, 10, 28), params={"action": "send"})
    assert deadlines(shown)[("open_letter", "reply")] == ("2024-12-12", "open")
