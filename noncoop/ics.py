"""The calendar as iCalendar: sessions, Bureau meetings and deadlines, with stable UIDs so a
subscribed calendar updates its entries instead of duplicating them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from icalendar import Calendar, Event

PRODID = "-//noncoop//Assembly procedures relating to non-cooperation//EN"


def _all_day(uid: str, summary: str, start: dt.date, end: dt.date, stamp: dt.datetime,
             description: str = "") -> Event:
    event = Event()
    event.add("uid", f"{uid}@noncoop")
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end + dt.timedelta(days=1))  # DTEND of an all-day event is exclusive
    if description:
        event.add("description", description)
    return event


def export(calendar: dict[str, Any], deadlines: list[dict[str, Any]], stamp: dt.datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Non-cooperation: sessions, Bureau meetings, deadlines")
    for s in calendar["sessions"]:
        kind = "" if s["kind"] == "regular" else f" ({s['kind']})"
        cal.add_component(_all_day(
            f"session-{s['number']}-{s['kind']}", f"Assembly of States Parties, session "
            f"{s['number']}{kind}", dt.date.fromisoformat(s["start"]),
            dt.date.fromisoformat(s["end"]), stamp, s["venue"]))
    for m in calendar["bureau_meetings"]:
        day = dt.date.fromisoformat(m["date"])
        cal.add_component(_all_day(f"bureau-{m['date']}", "Meeting of the Bureau", day, day,
                                   stamp, m["place"]))
    for d in deadlines:
        day = dt.date.fromisoformat(d["due"])
        cal.add_component(_all_day(
            f"deadline-{d['case_id']}-{d['step']}-{d['kind']}-{d['due']}",
            f"{d['case_id']}: {d['step']} {d['kind']} due ({d['status']})", day, day, stamp,
            d["basis"]))
    return cal.to_ical()
