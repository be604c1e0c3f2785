"""Dates default to today in Europe/Amsterdam, where the Secretariat works (SPEC "Time")."""

import datetime as dt

import pytest

from noncoop import clock, services


@pytest.mark.freeze_time("2024-10-24T22:30:00Z")
def test_today_is_the_amsterdam_date_late_in_the_utc_evening():
    assert clock.now() == dt.datetime(2024, 10, 24, 22, 30, tzinfo=dt.UTC)
    assert clock.today() == dt.date(2024, 10, 25)  # 00:30 in The Hague (CEST)


@pytest.mark.freeze_time("2024-10-25T08:00:00Z")
def test_a_step_without_a_date_is_recorded_today(db):
    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=dt.date(2024, 10, 24), referred_to=["assembly"])
    shown = services.act(db, case["id"], "forward_decision")
    assert shown["steps"][0] == {"step": "forward_decision", "status": "done", "date": "2024-10-25"}
    assert shown["history"][-1]["at"] == "2024-10-25T08:00:00Z"
