"""The informal procedure (Annex II paras 16-23; omnibus para 35): activation, contacts,
travel alerts with their countdown and outcome, focal point appointments, escalation to 7(a)."""

from __future__ import annotations

import datetime as dt

import pytest

from noncoop import people, services
from noncoop.errors import BadInput, Refused

D = dt.date


@pytest.fixture
def urgent(db):
    case = services.open_case(db, state="Mongolia", scenario="7b",
                              summary="Announced visit of a person subject to a warrant")
    return case["id"]


def test_the_president_acts_alone_on_a_7b_case_only_after_consulting_the_court(urgent, db):
    with pytest.raises(Refused) as refused:
        services.act(db, urgent, "good_offices_activate", on=D(2024, 8, 30))
    assert refused.value.details["rule"] == "activation_basis"
    assert refused.value.details["paragraph"] == "18-19"
    assert "court_consulted" in refused.value.message
    shown = services.act(db, urgent, "good_offices_activate", on=D(2024, 8, 30),
                         params={"court_consulted": "2024-08-29"})
    activation = next(s for s in shown["steps"] if s["step"] == "good_offices_activate")
    assert activation["details"] == {"trigger": "president", "court_consulted": "2024-08-29"}


def test_on_a_7a_case_the_president_acts_alone_only_when_the_arrest_may_not_wait(db):
    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=D(2024, 10, 24), referred_to=["assembly"])
    assert "good_offices_activate" in case["allowed_actions"]
    with pytest.raises(Refused, match="urgent=yes"):
        services.act(db, case["id"], "good_offices_activate",
                     params={"court_consulted": "2024-10-24"})
    with pytest.raises(Refused, match="bureau_decision"):
        services.act(db, case["id"], "good_offices_activate", params={"trigger": "bureau"})
    shown = services.act(db, case["id"], "good_offices_activate",
                         params={"trigger": "bureau", "bureau_decision": "2024-10-30"})
    assert any(s["step"] == "good_offices_activate" and s["status"] == "done"
               for s in shown["steps"])
    # Beside the formal procedure: the formal steps are still there to take.
    assert "open_letter" in shown["allowed_actions"]


def test_each_contact_with_the_requested_state_is_an_event_with_whom_and_how(urgent, db):
    services.act(db, urgent, "good_offices_activate", params={"court_consulted": "2024-08-29"})
    with pytest.raises(BadInput, match="--param with=... --param channel=... --param summary="):
        services.act(db, urgent, "engage_state")
    with pytest.raises(BadInput, match="meeting, call"):
        services.act(db, urgent, "engage_state",
                     params={"with": "Ambassador", "channel": "pigeon", "summary": "s"})
    for n in range(2):
        services.act(db, urgent, "engage_state", on=D(2024, 8, 31 - n),
                     params={"with": "Permanent Mission", "channel": "meeting",
                             "summary": f"contact {n}", "art97": "yes", "verified": "yes"})
    history = services.show_case(db, urgent)["history"]
    assert [h["step"] for h in history].count("engage_state") == 2


@pytest.mark.freeze_time("2024-08-30T10:00:00Z")
def test_a_travel_alert_counts_down_and_is_shared_within_24_hours(urgent, db):
    services.act(db, urgent, "good_offices_activate", params={"court_consulted": "2024-08-29"})
    shown = services.act(db, urgent, "travel_alert", params={
        "person": "a person subject to a warrant", "from": "2024-09-03", "to": "2024-09-04",
        "source": "press reports", "reliability": "likely"})
    assert shown["travel"]["days_left"] == 4 and shown["travel"]["source"] == "press reports"
    share = [d for d in shown["deadlines"] if d["step"] == "share_travel_information"]
    assert [(d["due"], d["status"]) for d in share] == [("2024-08-31", "open")]
    assert services.list_cases(db)[0]["travel"] == {"date": "2024-09-03", "days_left": 4}
    with pytest.raises(Refused) as early:
        services.act(db, urgent, "travel_outcome", params={"outcome": "no_visit"})
    assert early.value.details["rule"] == "travel_date_passed"
    shown = services.act(db, urgent, "share_travel_information")
    assert [d["status"] for d in shown["deadlines"] if d["step"] == "share_travel_information"] == ["met"]


@pytest.mark.parametrize(("outcome", "hint"), [
    ("visit_without_arrest", "refer_to_assembly"), ("visit_and_arrest", "cooperation_achieved"),
    ("no_visit", None)])
def test_after_the_travel_date_its_outcome_is_recorded(urgent, db, freezer, outcome, hint):
    freezer.move_to("2024-08-30T10:00:00Z")
    services.act(db, urgent, "travel_alert", params={
        "person": "P", "from": "2024-09-03", "source": "a State", "reliability": "confirmed"})
    freezer.move_to("2024-09-05T10:00:00Z")
    shown = services.act(db, urgent, "travel_outcome", params={"outcome": outcome})
    assert shown["travel"]["days_left"] == -2 and shown["travel"]["outcome"] == outcome
    assert (hint in shown["travel"]["next"]) if hint else "next" not in shown["travel"]


def test_a_7b_case_referred_by_the_court_becomes_7a_and_keeps_its_history(urgent, db):
    services.act(db, urgent, "good_offices_activate", on=D(2024, 8, 30),
                 params={"court_consulted": "2024-08-29"})
    shown = services.act(db, urgent, "refer_to_assembly", on=D(2024, 10, 24),
                         params={"decision_ref": "ICC-01/22-90", "decision_date": "2024-10-24"})
    assert shown["scenario"] == "7a" and shown["confidentiality"] == "bureau"
    assert [h["event"] for h in shown["history"]][:2] == ["case_opened", "step_done"]
    assert "forward_decision" in shown["allowed_actions"]
    assert "engage_state" in shown["allowed_actions"]  # the good offices go on beside it


def _focal_point(db, region, email, **kw):
    return people.add_person(db, name=f"Focal point {region}", email=email, role="focal_point",
                             region=region, active_from=D(2024, 3, 6), **kw)


def test_one_focal_point_a_region_four_in_all_five_if_the_president_asks(db):
    for region in ("African", "Asia-Pacific", "GRULAC", "Eastern European"):
        _focal_point(db, region, f"{region.split()[0].lower()}@example.org")
    with pytest.raises(Refused) as second:
        _focal_point(db, "GRULAC", "another@example.org")
    assert second.value.details["rule"] == "one_focal_point_per_region"
    assert second.value.details["paragraph"] == "17"
    with pytest.raises(Refused) as fifth:
        _focal_point(db, "WEOG", "weog@example.org")
    assert fifth.value.details["rule"] == "four_focal_points"
    assert _focal_point(db, "WEOG", "weog@example.org", president_asked=True)["region"] == \
        "Western European and other States"
    # A new term for a region starts when the last one ended.
    people.end_person(db, "grulac@example.org", D(2025, 3, 5))
    people.add_person(db, name="Next", email="grulac2@example.org", role="focal_point",
                      region="GRULAC", active_from=D(2025, 3, 6))


def test_the_presidents_own_region_has_the_president_unless_a_fifth_is_asked(db):
    people.add_person(db, name="President", email="president@example.org",
                      role="president_office", region="WEOG", president=True,
                      active_from=D(2023, 12, 6))
    with pytest.raises(Refused) as refused:
        _focal_point(db, "WEOG", "weog@example.org")
    assert refused.value.details["rule"] == "president_ex_officio"
    _focal_point(db, "WEOG", "weog@example.org", president_asked=True)


def test_the_requested_states_region_decides_who_is_asked(urgent, db):
    _focal_point(db, "Asia-Pacific", "asia@example.org")
    _focal_point(db, "African", "africa@example.org")
    services.act(db, urgent, "good_offices_activate", params={"court_consulted": "2024-08-29"})
    shown = services.act(db, urgent, "request_assistance")
    asked = next(s for s in shown["steps"] if s["step"] == "request_assistance")
    assert asked["details"]["to"] == "asia@example.org"
