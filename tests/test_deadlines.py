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
    # Convened a day after the five business days: late, by the meeting's date.
    assert deadlines(shown)[("emergency_bureau_meeting", "convene")] == ("2024-10-31", "late")
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


# -- met or late by the step's date, whenever it is recorded (SPEC "Time") --------------------

AT = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)  # when the events below are recorded


def formal_case(*events):
    from noncoop.domain import Event, project

    opened = Event("NC-2024-001", 1, "case_opened", AT, "t", on=AT.date(), data=dict(
        requested_state="Mongolia", region="Asia-Pacific States", scenario="7a",
        stage="formal", confidentiality="bureau", referred_to=["assembly"], workflow="formal",
        workflow_version="2018", decision_date="2024-10-24",
        deadlines_set=[{"step": "forward_decision", "kind": "due", "due": "2024-10-25",
                        "basis": "decision on 2024-10-24 + 1 business day(s) in The Hague"}]))
    later = [Event("NC-2024-001", i + 2, kind, AT, "t", step=step, on=on, data=data)
             for i, (kind, step, on, data) in enumerate(events)]
    return project([opened, *later])


FORWARDED = {"deadlines_met": [{"step": "forward_decision", "kind": "due"}]}
MISSED = {"positions": [0]}


def test_a_decision_forwarded_after_its_due_date_is_late_though_no_sweep_ran():
    case = formal_case(("step_done", "forward_decision", D(2024, 11, 20), FORWARDED))
    (deadline,) = case.deadlines
    assert (deadline.status, deadline.days_late) == ("late", 26)


def test_a_decision_forwarded_on_its_due_day_is_met_though_recorded_later():
    case = formal_case(("step_done", "forward_decision", D(2024, 10, 25), FORWARDED))
    assert [(d.status, d.days_late) for d in case.deadlines] == [("met", None)]


def test_a_miss_is_withdrawn_by_the_step_dated_in_time():
    case = formal_case(("deadlines_missed", None, D(2024, 10, 28), MISSED),
                       ("step_done", "forward_decision", D(2024, 10, 25), FORWARDED))
    assert [(d.status, d.done_on) for d in case.deadlines] == [("met", D(2024, 10, 25))]


def test_a_miss_then_a_step_dated_late_is_late_not_missed():
    case = formal_case(("deadlines_missed", None, D(2024, 10, 28), MISSED),
                       ("step_done", "forward_decision", D(2024, 10, 30), FORWARDED))
    assert [(d.status, d.days_late) for d in case.deadlines] == [("late", 5)]


def test_a_late_step_recorded_through_the_service_shows_its_days_late(db):
    case = open_case(db)
    shown = services.act(db, case["id"], "forward_decision", on=D(2024, 11, 20))
    forwarded = next(d for d in shown["deadlines"] if d["step"] == "forward_decision")
    assert (forwarded["status"], forwarded["days_late"]) == ("late", 26)
    assert forwarded["done_on"] == "2024-11-20"


def test_a_step_dated_in_time_but_recorded_after_the_sweep_withdraws_the_miss(db):
    from noncoop.sweep import sweep

    case = open_case(db)
    swept = sweep(db, D(2024, 10, 28))
    assert ("forward_decision", "missed") in {(c["step"], c["status"]) for c in swept["changed"]}
    shown = services.act(db, case["id"], "forward_decision", on=D(2024, 10, 25))
    forwarded = next(d for d in shown["deadlines"] if d["step"] == "forward_decision")
    assert forwarded["status"] == "met"
    assert shown["history"][-1]["event"] == "step_done"  # withdrawn by the step, on the record
    # Met is not outstanding: no digest and nothing due lists it.
    assert all(r["step"] != "forward_decision" for r in services.list_deadlines(db))
    later = sweep(db, D(2024, 11, 5))
    assert all(o["step"] != "forward_decision" for n in later["notices"]
               for o in n.get("overdue", []))


def test_a_missed_deadline_lists_its_days_late(db):
    from noncoop.sweep import sweep

    case = open_case(db)
    sweep(db, D(2024, 10, 28))
    listed = services.list_deadlines(db, as_of=D(2024, 11, 4), case_id=case["id"])
    forwarded = next(r for r in listed if r["step"] == "forward_decision")
    assert (forwarded["status"], forwarded["days_late"], forwarded["days_left"]) == \
        ("missed", 10, -10)


# -- hour limits run from an instant (paras 18, omnibus 35) -----------------------------------

def urgent_case(db):
    return services.open_case(db, state="Mongolia", scenario="7b", summary="visit announced")


def test_the_bureau_is_notified_within_24_hours_of_the_activation_to_the_minute(db, freezer):
    from noncoop.sweep import sweep

    freezer.move_to("2024-08-30T07:15:00Z")  # 09:15 in The Hague
    case = urgent_case(db)
    shown = services.act(db, case["id"], "good_offices_activate",
                         params={"court_consulted": "2024-08-29"})
    notify = next(d for d in shown["deadlines"] if d["step"] == "notify_bureau")
    assert (notify["due"], notify["due_at"]) == ("2024-08-31", "2024-08-31T07:15:00Z")
    assert "at 2024-08-30 09:15 CEST + 24 hours" in notify["basis"]
    freezer.move_to("2024-08-31T07:14:00Z")
    assert sweep(db)["changed"] == []
    freezer.move_to("2024-08-31T07:16:00Z")
    assert [(c["step"], c["status"]) for c in sweep(db)["changed"]] == [("notify_bureau", "missed")]
    # Recorded now, the notice is an hour late by the instant, though dated its due day.
    freezer.move_to("2024-08-31T08:15:00Z")
    shown = services.act(db, case["id"], "notify_bureau")
    notify = next(d for d in shown["deadlines"] if d["step"] == "notify_bureau")
    assert (notify["status"], notify["days_late"]) == ("late", 1)


def test_an_activation_dated_another_day_runs_from_the_end_of_that_day(db, freezer):
    """Dated with --on, the record knows the day and not the hour: the 24 hours run from the
    end of that day (the latest the activation can have been), never less than 24 hours."""
    freezer.move_to("2024-09-02T08:00:00Z")
    case = urgent_case(db)
    shown = services.act(db, case["id"], "good_offices_activate", on=D(2024, 8, 30),
                         params={"court_consulted": "2024-08-29"})
    notify = next(d for d in shown["deadlines"] if d["step"] == "notify_bureau")
    assert (notify["due"], notify["due_at"]) == ("2024-08-31", "2024-08-31T22:00:00Z")
    # A notice dated its due day, its hour unknown, is judged by its day: in time.
    shown = services.act(db, case["id"], "notify_bureau", on=D(2024, 8, 31))
    assert next(d for d in shown["deadlines"] if d["step"] == "notify_bureau")["status"] == "met"


def test_travel_information_is_shared_within_24_hours_of_its_receipt(db, freezer):
    freezer.move_to("2024-08-30T20:30:00Z")  # 22:30 in The Hague
    case = services.open_case(db, state="Mongolia", scenario="7b", summary="visit announced",
                              travel_date=D(2024, 9, 3))
    share = next(d for d in case["deadlines"] if d["step"] == "share_travel_information")
    assert (share["due"], share["due_at"]) == ("2024-08-31", "2024-08-31T20:30:00Z")


# -- no deadline before the event it runs from (paras 14(c), 15) ------------------------------

def test_jordan_decided_during_the_sixteenth_session_reports_to_the_seventeenth(db):
    services.add_session(db, 16, D(2017, 12, 4), D(2017, 12, 14), "New York")
    services.add_session(db, 17, D(2018, 12, 5), D(2018, 12, 12), "The Hague")
    case = services.open_case(db, state="Jordan", scenario="7a", decision_ref="ICC-02/05-01/09-309",
                              decision_date=D(2017, 12, 11), referred_to=["assembly"])
    report = next(d for d in case["deadlines"] if d["step"] == "bureau_report")
    assert (report["due"], report["session"]) == ("2018-11-05", "17 regular")
    assert "session 17" in report["basis"]


def test_the_invitation_goes_to_the_first_bureau_meeting_ten_days_ahead(db):
    services.add_bureau_meeting(db, D(2024, 10, 28))  # four days after the decision: too close
    services.add_bureau_meeting(db, D(2024, 11, 5))
    shown = open_case(db)
    assert deadlines(shown)[("bureau_hearing", "invitation")] == ("2024-10-26", "open")


def test_the_report_goes_to_a_regular_session_not_a_special_one(db):
    services.add_session(db, 1, D(2025, 3, 3), D(2025, 3, 4), "New York", kind="special")
    services.add_session(db, 24, D(2025, 12, 1), D(2025, 12, 5), "The Hague")
    shown = open_case(db)
    report = next(d for d in shown["deadlines"] if d["step"] == "bureau_report")
    assert (report["due"], report["session"]) == ("2025-11-01", "24 regular")


def test_which_sessions_count_for_the_three_month_rule_is_a_setting(settings_file):
    from noncoop import config
    from noncoop.calendar import Session
    from noncoop.domain import Facts, StepRecord
    from noncoop.domain.rules import three_month_rule

    case = formal_case()
    case.steps["bureau_hearing"] = StepRecord(status="done", date=D(2024, 11, 5))
    sessions = (Session(2, "special", D(2025, 1, 20), D(2025, 1, 21)),
                Session(24, "regular", D(2025, 12, 1), D(2025, 12, 5)))
    # By default any plenary meeting counts: the special session leaves no time for the NYWG.
    facts = Facts(on=D(2024, 11, 10), sessions=sessions, numbers=config.deadlines())
    assert "session 2 (special)" in three_month_rule(case, facts)
    settings_file("deadlines:\n  sessions_that_count: {three_month_rule: [regular]}\n")
    facts = Facts(on=D(2024, 11, 10), sessions=sessions, numbers=config.deadlines())
    assert three_month_rule(case, facts) is None


# -- deadlines planned when the calendar learns the date --------------------------------------

def test_a_session_added_later_plans_the_report_deadline_on_each_open_case(db):
    case = open_case(db)
    closed = open_case(db, ref="ICC-01/22-91")
    services.act(db, closed["id"], "close", params={"outcome": "cooperation_achieved"})
    assert ("bureau_report", "report") not in deadlines(services.show_case(db, case["id"]))
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    shown = services.show_case(db, case["id"])
    assert deadlines(shown)[("bureau_report", "report")] == ("2024-11-02", "open")
    planned = shown["history"][-1]
    assert planned["event"] == "deadlines_planned" and "session 23" in planned["reason"]
    assert ("bureau_report", "report") not in deadlines(services.show_case(db, closed["id"]))
    # A later session changes nothing: the case has its report deadline.
    services.add_session(db, 24, D(2025, 12, 1), D(2025, 12, 5), "The Hague")
    assert services.show_case(db, case["id"])["history"][-1]["event"] == "deadlines_planned"
    assert len(services.show_case(db, case["id"])["history"]) == len(shown["history"])


def test_a_report_made_a_year_late_goes_to_the_next_session_and_is_late(db):
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    services.add_session(db, 24, D(2025, 12, 1), D(2025, 12, 5), "The Hague")
    case = open_case(db)
    shown = services.act(db, case["id"], "bureau_report", on=D(2025, 10, 1))
    step = next(s for s in shown["steps"] if s["step"] == "bureau_report")
    report = next(d for d in shown["deadlines"] if d["step"] == "bureau_report")
    assert step["details"]["session"] == "24 regular"
    assert (report["session"], report["status"], report["days_late"]) == ("23 regular", "late", 333)


def test_a_report_to_a_later_session_is_late_for_its_deadline_though_dated_in_time():
    case = formal_case(("deadlines_planned", None, D(2024, 10, 30), {"deadlines_set": [
        {"step": "bureau_report", "kind": "report", "due": "2024-11-02", "basis": "b",
         "session": "23 regular"}]}),
        ("step_done", "bureau_report", D(2024, 11, 1), {"deadlines_met": [
            {"step": "bureau_report", "kind": "report", "session": "24 regular"}]}))
    assert case.deadlines[-1].status == "late"


def test_a_bureau_meeting_added_later_plans_the_invitation_and_the_report_to_the_bureau(db):
    formal = open_case(db)
    urgent = urgent_case(db)
    services.act(db, urgent["id"], "good_offices_activate", on=D(2024, 8, 30),
                 params={"court_consulted": "2024-08-29"})
    services.add_bureau_meeting(db, D(2024, 11, 5))
    assert deadlines(services.show_case(db, formal["id"]))[("bureau_hearing", "invitation")] \
        == ("2024-10-26", "open")
    assert deadlines(services.show_case(db, urgent["id"]))[("report_to_bureau", "due")] \
        == ("2024-11-05", "open")
    tasks = [t for t in services_tasks(db) if t["case_id"] == formal["id"]]
    assert ("bureau_hearing", "2024-10-26") in {(t["step"], t["due"]) for t in tasks}


def services_tasks(db):
    from noncoop import tasks

    return tasks.list_tasks(db)
