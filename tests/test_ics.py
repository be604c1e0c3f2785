import datetime as dt

from icalendar import Calendar

from noncoop import services
from noncoop.ics import export

D = dt.date


def test_the_calendar_exports_sessions_meetings_and_deadlines(db):
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    services.add_bureau_meeting(db, D(2024, 11, 5), "New York")
    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=D(2024, 10, 24), referred_to=["assembly"])
    services.act(db, case["id"], "open_letter", on=D(2024, 10, 28), params={"action": "send"})
    data = export(services.list_calendar(db), services.list_deadlines(db),
                  dt.datetime(2024, 11, 1, tzinfo=dt.UTC))
    events = {str(e["uid"]): e for e in Calendar.from_ical(data).walk("VEVENT")}
    session = events["session-23-regular@noncoop"]
    assert session.decoded("dtstart") == D(2024, 12, 2)
    assert session.decoded("dtend") == D(2024, 12, 8)  # exclusive end: the 7th is included
    assert events["bureau-2024-11-05@noncoop"].decoded("dtstart") == D(2024, 11, 5)
    reply = events[f"deadline-{case['id']}-open_letter-reply-2024-11-27@noncoop"]
    assert "2024-10-28 + 30 days" in str(reply["description"])
