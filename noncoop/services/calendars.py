"""The calendar the procedure counts on: the Assembly's sessions and the Bureau's meetings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from noncoop import access, clock, config, dates
from noncoop.access import ADMIN
from noncoop.calendar import SESSION_KINDS, BureauMeeting
from noncoop.calendar import Session as AssemblySession
from noncoop.domain import Facts
from noncoop.errors import BadInput
from noncoop.store.models import BureauMeetingRow, SessionRow

# The whole calendar in one statement, compiled once (a step reads it for its facts):
# sessions and Bureau meetings (the rows without a session number), by date.
_S, _M = SessionRow.__table__.c, BureauMeetingRow.__table__.c  # type: ignore[attr-defined]
_CALENDAR = sa.union_all(
    sa.select(_S.number, _S.kind, _S.start, _S.end, _S.venue.label("place")),
    sa.select(sa.null(), sa.null(), _M.date, sa.null(), _M.place)).order_by("start")


def calendar(db: Session) -> tuple[tuple[AssemblySession, ...], tuple[BureauMeeting, ...]]:
    found, meetings = [], []
    for r in db.connection().execute(_CALENDAR):
        if r.number is None:
            meetings.append(BureauMeeting(r.start, r.place))
        else:
            found.append(AssemblySession(r.number, r.kind, r.start, r.end, r.place))
    return tuple(found), tuple(meetings)


def sessions(db: Session) -> tuple[AssemblySession, ...]:
    return calendar(db)[0]


def bureau_meetings(db: Session) -> tuple[BureauMeeting, ...]:
    return calendar(db)[1]


def add_session(db: Session, number: int, start: dt.date, end: dt.date, venue: str = "",
                kind: str = "regular", by: str = ADMIN) -> dict[str, Any]:
    access.require(access.viewer(db, by), access.FORMAL_ACTORS, "keeping the calendar")
    if not 1 <= number <= 9999:
        raise BadInput(f"session number {number} is not the number of a session of the "
                       "Assembly: give its ordinal, e.g. --number 24")
    dates.checked(start, "--start"), dates.checked(end, "--end")
    if kind not in SESSION_KINDS:
        raise BadInput(f"unknown session kind {kind!r}: use one of {', '.join(SESSION_KINDS)}")
    if end < start:
        raise BadInput(f"the session ends ({end}) before it starts ({start}): check --start and --end")
    row = db.exec(
        select(SessionRow).where(SessionRow.number == number, SessionRow.kind == kind)
    ).first() or SessionRow(number=number, kind=kind, start=start, end=end)
    row.start, row.end, row.venue = start, end, venue
    db.add(row)
    db.commit()
    return session_json(row)


def add_bureau_meeting(db: Session, date: dt.date, place: str = "", by: str = ADMIN) -> dict[str, Any]:
    access.require(access.viewer(db, by), access.FORMAL_ACTORS, "keeping the calendar")
    dates.checked(date, "--date")
    row = db.exec(select(BureauMeetingRow).where(BureauMeetingRow.date == date)).first()
    row = row or BureauMeetingRow(date=date)
    row.place = place
    db.add(row)
    db.commit()
    return {"date": row.date.isoformat(), "place": row.place}


def session_json(r: SessionRow) -> dict[str, Any]:
    return {"number": r.number, "kind": r.kind, "start": r.start.isoformat(),
            "end": r.end.isoformat(), "venue": r.venue}


def list_calendar(db: Session) -> dict[str, Any]:
    rows = db.exec(select(SessionRow).order_by(col(SessionRow.start))).all()
    return {
        "sessions": [session_json(r) for r in rows],
        "bureau_meetings": [{"date": m.date.isoformat(), "place": m.place}
                            for m in bureau_meetings(db)],
    }


def facts_for(db: Session, on: dt.date, params: dict[str, str] | None = None) -> Facts:
    """What the rules may look at on `on`; the calendar is read if one of them asks for it."""
    return Facts(on=on, params=params, read_calendar=lambda: calendar(db), today=clock.today(),
                 numbers=config.deadlines(), closures=config.closures())
