import datetime as dt

import pytest

from noncoop.business_days import add_business_days, is_business_day

D = dt.date


def test_a_friday_decision_is_forwarded_on_monday():
    assert add_business_days(D(2024, 10, 25), 1, "the_hague") == D(2024, 10, 28)


def test_kings_day_and_easter_monday_are_skipped_in_the_hague():
    assert not is_business_day(D(2023, 4, 27), "the_hague")  # King's Day, a Thursday
    assert add_business_days(D(2023, 4, 26), 1, "the_hague") == D(2023, 4, 28)
    assert add_business_days(D(2024, 3, 28), 1, "the_hague") == D(2024, 4, 2)  # Good Friday, Easter Monday


def test_thanksgiving_is_skipped_in_new_york_not_in_the_hague():
    assert add_business_days(D(2024, 11, 27), 1, "new_york") == D(2024, 11, 29)
    assert add_business_days(D(2024, 11, 27), 1, "the_hague") == D(2024, 11, 28)


def test_configured_closures_are_skipped():
    closures = [D(2024, 12, 27)]
    assert add_business_days(D(2024, 12, 24), 1, "the_hague", closures) == D(2024, 12, 30)
    assert add_business_days(D(2024, 12, 24), 1, "the_hague") == D(2024, 12, 27)


def test_five_business_days_over_a_weekend():
    assert add_business_days(D(2024, 10, 24), 5, "the_hague") == D(2024, 10, 31)


def test_unknown_place_is_an_error():
    with pytest.raises(KeyError, match="the_hague"):
        add_business_days(D(2024, 1, 1), 1, "geneva")
