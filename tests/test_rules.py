"""The rules of Annex II, on the pure domain (no database)."""

import datetime as dt

import pytest

from noncoop.calendar import Session
from noncoop.domain import Event, Facts, load_procedure, project

D = dt.date


def case(stage="formal", referred=("assembly",), steps=()):
    opened = Event("NC-2024-001", 1, "case_opened", dt.datetime(2024, 10, 25, tzinfo=dt.UTC), "t",
                   data=dict(requested_state="Mongolia", region="Asia-Pacific States",
                             scenario="7a", stage=stage, confidentiality="bureau",
                             referred_to=list(referred), workflow="formal",
                             workflow_version="2018", decision_date="2024-10-24"))
    events = [opened] + [Event("NC-2024-001", i + 2, "step_done", opened.at, "t", step=s, on=d)
                         for i, (s, d) in enumerate(steps)]
    return project(events)


def facts(*sessions, on=D(2024, 12, 20)):
    return Facts(on=on, sessions=tuple(sessions))


P = load_procedure()


def test_public_meeting_refused_when_session_within_three_months():
    c = case(steps=[("bureau_hearing", D(2024, 8, 31))])
    session = Session(23, "regular", D(2024, 11, 30), D(2024, 12, 7))
    r = P.refusal(c, "nywg_public_meeting", facts(session, on=D(2024, 9, 10)))
    assert r.rule == "three_month_rule" and r.paragraph == "14(d)"
    assert "2024-11-30" in r.message and "2024-08-31" in r.message


def test_public_meeting_allowed_when_session_more_than_three_months_later():
    c = case(steps=[("bureau_hearing", D(2024, 8, 31))])
    f = facts(Session(23, "regular", D(2024, 12, 1), D(2024, 12, 7)), on=D(2024, 9, 10))
    assert P.refusal(c, "nywg_public_meeting", f) is None
    assert "nywg_public_meeting" in P.allowed_actions(c, f)


def test_public_meeting_refused_when_session_exactly_three_months_later():
    c = case(steps=[("bureau_hearing", D(2024, 9, 2))])
    f = facts(Session(23, "regular", D(2024, 12, 2), D(2024, 12, 7)), on=D(2024, 9, 10))
    assert P.refusal(c, "nywg_public_meeting", f).rule == "three_month_rule"
    assert P.not_applicable(c, "nywg_public_meeting", f).rule == "three_month_rule"


def test_public_meeting_refused_when_no_session_recorded():
    c = case(steps=[("bureau_hearing", D(2024, 9, 2))])
    r = P.refusal(c, "nywg_public_meeting", facts(on=D(2024, 9, 10)))
    assert r.rule == "three_month_rule" and "add the next session" in r.message


def test_public_meeting_only_after_the_hearing():
    r = P.refusal(case(), "nywg_public_meeting", facts(Session(30, "regular", D(2030, 1, 1), D(2030, 1, 2))))
    assert r.rule == "after_hearing"
    assert P.not_applicable(case(), "nywg_public_meeting", facts()) is None  # not yet, not never


def test_unsc_letter_needs_a_security_council_referral():
    assert P.refusal(case(), "unsc_letter", facts()).paragraph == "14(g)"
    assert P.not_applicable(case(), "unsc_letter", facts()).rule == "unsc_referral"
    both = case(referred=("assembly", "security-council"))
    assert P.refusal(both, "unsc_letter", facts()) is None


def test_no_formal_step_on_a_7b_case():
    c = case(stage="informal")
    for step in ("forward_decision", "open_letter", "bureau_hearing", "unsc_letter"):
        r = P.refusal(c, step, facts())
        assert r.rule == "scenario_7b" and "7(b)" in r.paragraph
        assert step not in P.allowed_actions(c, facts())
    assert "good_offices_activate" in P.allowed_actions(c, facts())
    assert P.not_applicable(c, "press_release", facts()).rule == "scenario_7b"


def test_good_offices_steps_wait_for_activation():
    c = case(stage="informal")
    assert P.refusal(c, "engage_state", facts()).rule == "good_offices_active"
    c = case(stage="informal", steps=[("good_offices_activate", D(2024, 11, 1))])
    assert P.refusal(c, "engage_state", facts()) is None


def test_allowed_actions_come_from_the_machine():
    c = case()
    allowed = P.allowed_actions(c, facts(Session(23, "regular", D(2024, 12, 2), D(2024, 12, 7))))
    expected = [t for t, ev in P.machine.events.items() if "formal" in ev.transitions]
    assert set(allowed) <= set(expected)
    assert "close" in allowed and "refer_to_assembly" not in allowed


@pytest.mark.parametrize("step", ["omnibus_notation", "bureau_report"])
def test_session_steps_need_a_session_in_the_calendar(step):
    assert P.refusal(case(), step, facts()).rule == "session_known"


def test_the_calendar_is_read_once_and_only_when_a_rule_asks_for_it():
    reads = []

    def read_calendar():
        reads.append(1)
        return (Session(23, "regular", D(2024, 11, 30), D(2024, 12, 7)),), ()

    lazy = Facts(on=D(2024, 9, 10), read_calendar=read_calendar)
    assert P.refusal(case(), "forward_decision", lazy) is None
    assert reads == []  # forwarding the decision needs no date from the calendar
    c = case(steps=[("bureau_hearing", D(2024, 8, 31))])
    r = P.refusal(c, "nywg_public_meeting", lazy)
    assert r.rule == "three_month_rule" and "2024-11-30" in r.message
    assert P.refusal(c, "nywg_public_meeting", lazy).rule == "three_month_rule"
    assert reads == [1]
