import datetime as dt

from noncoop.calendar import (
    BureauMeeting,
    Session,
    add_months,
    next_bureau_meeting,
    next_or_ongoing_session,
    next_session,
)

D = dt.date
S23 = Session(23, "regular", D(2024, 12, 2), D(2024, 12, 7))
S24 = Session(24, "regular", D(2025, 12, 1), D(2025, 12, 5))
S19R = Session(19, "resumed", D(2020, 12, 17), D(2020, 12, 23))


def test_months_are_clamped_to_the_month_end():
    assert add_months(D(2024, 11, 30), 3) == D(2025, 2, 28)
    assert add_months(D(2023, 11, 30), 3) == D(2024, 2, 29)
    assert add_months(D(2024, 8, 31), 3) == D(2024, 11, 30)


def test_next_session_starts_after_the_date():
    assert next_session([S24, S23], D(2024, 10, 24)) == S23
    assert next_session([S24, S23], D(2024, 12, 2)) == S24
    assert next_session([S23], D(2025, 1, 1)) is None


def test_next_or_ongoing_session_includes_the_session_under_way():
    # Malawi, 12 Dec 2011: decided during the tenth session, which notes it (para 14(e)).
    s10 = Session(10, "regular", D(2011, 12, 12), D(2011, 12, 21))
    assert next_or_ongoing_session([s10, S23], D(2011, 12, 12)) == s10
    assert next_or_ongoing_session([s10, S23], D(2011, 12, 22)) == S23
    assert next_or_ongoing_session([S19R], D(2020, 12, 20)) == S19R


def test_resumed_sessions_count_as_next_session():
    assert next_session([S19R, S23], D(2020, 12, 16)) == S19R


def test_next_bureau_meeting_on_or_after():
    meetings = [BureauMeeting(D(2024, 11, 5)), BureauMeeting(D(2024, 9, 10))]
    assert next_bureau_meeting(meetings, D(2024, 9, 11)).date == D(2024, 11, 5)
    assert next_bureau_meeting(meetings, D(2024, 11, 5)).date == D(2024, 11, 5)
    assert next_bureau_meeting(meetings, D(2024, 11, 6)) is None


def test_a_steps_facts_hold_the_whole_calendar_in_order(db):
    from noncoop import services

    services.add_session(db, 24, D(2025, 12, 1), D(2025, 12, 5), "The Hague")
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    services.add_session(db, 1, D(2025, 3, 3), D(2025, 3, 4), "New York", kind="special")
    services.add_bureau_meeting(db, D(2025, 2, 5), "New York")
    services.add_bureau_meeting(db, D(2024, 11, 5), "The Hague")
    facts = services.facts_for(db, D(2025, 1, 1))
    assert [s.number for s in facts.sessions] == [23, 1, 24]
    assert facts.sessions[1].kind == "special" and facts.sessions[1].end == D(2025, 3, 4)
    assert [(m.date, m.place) for m in facts.bureau_meetings] == [
        (D(2024, 11, 5), "The Hague"), (D(2025, 2, 5), "New York")]
