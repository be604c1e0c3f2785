"""The calendar as iCalendar (RFC 5545): sessions, Bureau meetings and deadlines, each with a UID
that stays its own, so that a subscribed calendar, or a file imported again, updates its
entries instead of duplicating them.

A deadline's UID is the deadline's identity: its case, step and kind (and which one it is, for
a step that sets the same deadline again, such as each travel alert's 24 hours). A rescheduled
deadline keeps it, and its SEQUENCE counts the changes its record holds (each reschedule, each
change of its status), so that a calendar takes the new date in place of the old one."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from icalendar import Calendar, Event
from sqlmodel import Session, col, select

from noncoop import clock
from noncoop.domain import Case, apply, load_procedure
from noncoop.domain.case import Event as CaseEvent
from noncoop.store.journal import TASK_KINDS
from noncoop.store.models import EventRow

PRODID = "-//noncoop//Assembly procedures relating to non-cooperation//EN"


@dataclasses.dataclass
class Line:
    """A deadline's place in its line: the deadlines of one step and kind on a case that
    replace one another by rescheduling are one line, and one calendar entry."""

    number: int  # 1 for the first line of its step and kind on the case, 2 for the next...
    sequence: int = 0  # changes since the line began: reschedules and changes of status
    changed: dt.datetime | None = None  # the instant of the last of them


def lines(events: Iterable[CaseEvent]) -> tuple[Case, list[Line]]:
    """The case and, for each of its deadlines by position, its line, told by the case's
    events alone: the case is rebuilt event by event with the domain's own `apply`, and a
    deadline that a `deadline_rescheduled` event adds continues the line of the one that event
    waived."""
    case: Case | None = None
    found: list[Line] = []
    begun: Counter[tuple[str, str]] = Counter()
    for event in sorted(events, key=lambda e: e.seq):
        before = [] if case is None else [d.status for d in case.deadlines]
        case = apply(case, event)
        moved = [p for p, status in enumerate(before)
                 if status == "open" and case.deadlines[p].status == "waived"]
        for position, status in enumerate(before):
            if case.deadlines[position].status != status:
                found[position].sequence += 1
                found[position].changed = event.at
        for d in case.deadlines[len(before):]:
            was = next((p for p in moved if case.deadlines[p].step == d.step
                        and case.deadlines[p].kind == d.kind), None)
            if event.kind == "deadline_rescheduled" and was is not None:
                moved.remove(was)
                found.append(Line(found[was].number, found[was].sequence, event.at))
            else:
                begun[(d.step, d.kind)] += 1
                found.append(Line(begun[(d.step, d.kind)], 0, event.at))
    if case is None:
        raise ValueError("no events")
    return case, found


def deadline_uid(case_id: str, step: str, kind: str, number: int = 1) -> str:
    again = f"-{number}" if number > 1 else ""
    return f"deadline-{case_id}-{step}-{kind}{again}@noncoop"


def deadline_summary(case_id: str, title: str, kind: str, status: str) -> str:
    """"NC-2024-001 · President's open letter to the requested State — due: the requested
    State's reply": the case, the step as the workflow names it, and what is due."""
    what = TASK_KINDS.get(kind, kind)
    when = "overdue" if status == "missed" else "due"
    return f"{case_id} · {title} — {when}{f': {what}' if what else ''}"


def _all_day(uid: str, summary: str, start: dt.date, end: dt.date, stamp: dt.datetime, *,
             location: str | None = None, description: str | None = None, sequence: int = 0,
             changed: dt.datetime | None = None, busy: bool = True) -> Event:
    event = Event()
    event.add("uid", uid)
    # Without a METHOD, DTSTAMP is when the entry was last revised (RFC 5545 3.8.7.2): known
    # for a deadline (its last event); a session or meeting row keeps no such time.
    event.add("dtstamp", (changed or stamp).astimezone(dt.UTC))
    if changed is not None:
        event.add("last-modified", changed.astimezone(dt.UTC))
    event.add("sequence", sequence)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end + dt.timedelta(days=1))  # DTEND of an all-day event is exclusive
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    # A deadline is a date to keep in mind, not time taken: it leaves the day free.
    event.add("transp", "OPAQUE" if busy else "TRANSPARENT")
    event.add("x-microsoft-cdo-busystatus", "BUSY" if busy else "FREE")  # what Outlook reads
    return event


def _deadline(d: dict[str, Any], stamp: dt.datetime) -> Event:
    day = dt.date.fromisoformat(d["due"])
    about = [d["basis"]]
    runs_out = d.get("runs_out")
    if runs_out is not None:  # an hour limit (paras 18, omnibus 35)
        local = runs_out.astimezone(clock.AMSTERDAM)
        # Counted from a step whose hour the record does not know, it runs out at the end of
        # its due day, as the all-day entry says; otherwise at its hour, said too.
        if (local.date(), local.time()) != (day + dt.timedelta(days=1), dt.time(0)):
            about.append(f"Runs out on {local:%Y-%m-%d} at {local:%H:%M}, The Hague time.")
    return _all_day(d["uid"], deadline_summary(d["case_id"], d["title"], d["kind"], d["status"]),
                    day, day, stamp, description="\n".join(about), sequence=d["sequence"],
                    changed=d.get("changed"), busy=False)


def export(calendar: dict[str, Any], deadlines: list[dict[str, Any]], stamp: dt.datetime) -> bytes:
    """`deadlines` as `with_lines` gives them: each with its uid, sequence and step title."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Non-cooperation: sessions, Bureau meetings, deadlines")
    for s in calendar["sessions"]:
        kind = "" if s["kind"] == "regular" else f" ({s['kind']})"
        cal.add_component(_all_day(
            f"session-{s['number']}-{s['kind']}@noncoop",
            f"Assembly of States Parties, session {s['number']}{kind}",
            dt.date.fromisoformat(s["start"]), dt.date.fromisoformat(s["end"]), stamp,
            location=s["venue"]))
    for m in calendar["bureau_meetings"]:
        day = dt.date.fromisoformat(m["date"])
        cal.add_component(_all_day(f"bureau-{m['date']}@noncoop", "Meeting of the Bureau", day,
                                   day, stamp, location=m["place"]))
    for d in deadlines:
        cal.add_component(_deadline(d, stamp))
    return cal.to_ical()


def with_lines(db: Session, deadlines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`deadlines` (services.list_deadlines: what the reader may see) each with its UID, its
    SEQUENCE, when it last changed and its step's title, from its case's events. Only what is
    listed is looked up; nothing else of a case is read into the calendar."""
    by_case: dict[str, list[dict[str, Any]]] = {}
    for d in deadlines:
        by_case.setdefault(d["case_id"], []).append(d)
    events: dict[str, list[CaseEvent]] = {case_id: [] for case_id in by_case}
    for r in db.exec(select(EventRow).where(col(EventRow.case_id).in_(list(by_case)))).all():
        events[r.case_id].append(CaseEvent(case_id=r.case_id, seq=r.seq, kind=r.kind, at=r.at,
                                           by=r.by, step=r.step, on=r.on, reason=r.reason,
                                           data=r.data))
    out = []
    for case_id, listed in by_case.items():
        case, found = lines(events[case_id])
        titles = load_procedure(case.workflow, case.workflow_version).titles("en")
        # The deadlines of the list, matched with the case's outstanding ones in the order of
        # the record (two that match alike are alike in every field the calendar shows).
        free = [p for p, x in enumerate(case.deadlines) if x.outstanding]
        for d in listed:
            position = next((p for p in free if (
                case.deadlines[p].step, case.deadlines[p].kind,
                case.deadlines[p].due.isoformat(), case.deadlines[p].status,
                case.deadlines[p].basis) == (d["step"], d["kind"], d["due"], d["status"],
                                             d["basis"])), None)
            if position is None:  # a row its events do not tell (audit verify names it)
                line, runs_out = Line(1), None
            else:
                free.remove(position)
                line, runs_out = found[position], case.deadlines[position].due_at
            out.append({**d, "uid": deadline_uid(case_id, d["step"], d["kind"], line.number),
                        "sequence": line.sequence, "changed": line.changed,
                        "runs_out": runs_out, "title": titles.get(d["step"], d["step"])})
    return sorted(out, key=lambda d: (d["due"], d["case_id"], d["uid"]))


def calendar_file(db: Session, by: str, stamp: dt.datetime) -> bytes:
    """The calendar as `by` may see it: sessions, Bureau meetings and outstanding deadlines."""
    from noncoop import services

    return export(services.list_calendar(db), with_lines(db, services.list_deadlines(db, by=by)),
                  stamp)
