"""The calendar the procedure counts on: the Assembly's sessions and the Bureau's meetings.

A deadline that counts on a session or a meeting the calendar does not hold yet waits for it:
adding a session or a Bureau meeting plans, in the same transaction, the deadlines each open
case should have had and could not be given (an event on the case, with its basis)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from noncoop import access, clock, config, dates
from noncoop.access import ADMIN
from noncoop.calendar import SESSION_KINDS, BureauMeeting
from noncoop.calendar import Session as AssemblySession
from noncoop.domain import Event, Facts, apply, load_procedure
from noncoop.domain.deadlines import needs_calendar, waiting_for_calendar
from noncoop.errors import BadInput, Conflict
from noncoop.store import journal, memo
from noncoop.store.codec import from_snapshot
from noncoop.store.models import BureauMeetingRow, SessionRow

# The whole calendar in one statement, compiled once (a step reads it for its facts):
# sessions and Bureau meetings (the rows without a session number), by date.
_S, _M = SessionRow.__table__.c, BureauMeetingRow.__table__.c  # type: ignore[attr-defined]
_CALENDAR = sa.union_all(
    sa.select(_S.number, _S.kind, _S.start, _S.end, _S.venue.label("place")),
    sa.select(sa.null(), sa.null(), _M.date, sa.null(), _M.place)).order_by("start")


def calendar(db: Session) -> tuple[tuple[AssemblySession, ...], tuple[BureauMeeting, ...]]:
    """The Assembly's sessions and the Bureau's meetings; read once a request in the web app
    (store/memo.py)."""
    def read() -> tuple[tuple[AssemblySession, ...], tuple[BureauMeeting, ...]]:
        found, meetings = [], []
        for r in db.connection().execute(_CALENDAR):
            if r.number is None:
                meetings.append(BureauMeeting(r.start, r.place))
            else:
                found.append(AssemblySession(r.number, r.kind, r.start, r.end, r.place))
        return tuple(found), tuple(meetings)
    return memo.remembered(db, "calendar", read)


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
    def add() -> str:
        row = db.exec(
            select(SessionRow).where(SessionRow.number == number, SessionRow.kind == kind)
        ).first() or SessionRow(number=number, kind=kind, start=start, end=end)
        row.start, row.end, row.venue = start, end, venue
        db.add(row)
        db.flush()
        return f"session {number} ({kind}, {start} to {end}) added to the calendar"
    _with_deadlines_planned(db, add, by)
    return session_json(db.exec(select(SessionRow).where(SessionRow.number == number,
                                                         SessionRow.kind == kind)).one())


def add_bureau_meeting(db: Session, date: dt.date, place: str = "", by: str = ADMIN) -> dict[str, Any]:
    access.require(access.viewer(db, by), access.FORMAL_ACTORS, "keeping the calendar")
    dates.checked(date, "--date")

    def add() -> str:
        row = db.exec(select(BureauMeetingRow).where(BureauMeetingRow.date == date)).first()
        row = row or BureauMeetingRow(date=date)
        row.place = place
        db.add(row)
        db.flush()
        return f"Bureau meeting of {date} added to the calendar"
    _with_deadlines_planned(db, add, by)
    return {"date": date.isoformat(), "place": place}


PLAN_BATCH = 500  # cases read at a time: planning holds no more than this in memory


def _with_deadlines_planned(db: Session, add: Callable[[], str], by: str,
                            attempts: int = 5) -> None:
    """`add` a calendar entry and plan the deadlines it lets open cases have, in one
    transaction; when a case changed meanwhile (someone acted on it), all of it again."""
    for attempt in range(attempts):
        try:
            why = add()
            plan_waiting_deadlines(db, why, by)
            db.commit()
            return
        except Conflict:
            db.rollback()
            if attempt == attempts - 1:
                raise


def plan_waiting_deadlines(db: Session, why: str, by: str) -> list[str]:
    """Give each open case the deadlines the calendar can now tell (domain/deadlines.py,
    `waiting_for_calendar`): one `deadlines_planned` event a case, saying `why`. Cases are read
    a batch at a time, and only those that lack a deadline a calendar rule gives. Returns the
    cases planned."""
    facts = facts_for(db, clock.today())
    planned: list[str] = []
    after = ""
    while True:
        ids = [r[0] for r in db.connection().execute(_waiting(after))]
        if not ids:
            return planned
        after = ids[-1]
        staged = journal.Batch()
        for case_id, stored in sorted(journal.load_many(db, ids).items()):
            case = from_snapshot(stored.snapshot)
            procedure = load_procedure(case.workflow, case.workflow_version)
            found = waiting_for_calendar(procedure.deadline_rules, case, facts)
            if not found:
                continue
            event = Event(case_id=case_id, seq=stored.last_seq + 1, kind="deadlines_planned",
                          at=clock.now(), by=by, on=facts.today, reason=why,
                          data={"deadlines_set": found})
            journal.save(db, stored, apply(case, event), event, staged)
            planned.append(case_id)
        staged.write(db)


def _waiting(after: str) -> sa.Select[Any]:
    """The next open cases (by id, after `after`) that lack a deadline of some calendar rule:
    a formal case without its report or invitation deadline, a case whose good offices were
    activated without the report to the Bureau's. Those with all of them are not read."""
    c, d = journal.CASES.c, journal.DEADLINES.c
    lacking = sa.or_(*(~sa.exists().where(d.case_id == c.id, d.step == step, d.kind == kind)
                       for step, kind in _calendar_deadlines()))
    return (sa.select(c.id).where(c.status == "open", c.stage.in_(("formal", "informal")),
                                  c.id > after, lacking)
            .order_by(c.id).limit(PLAN_BATCH))


def _calendar_deadlines() -> list[tuple[str, str]]:
    numbers = config.deadlines()
    return sorted({(r.step, r.kind) for r in load_procedure().deadline_rules
                   if needs_calendar(r, numbers)})


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
    now = clock.now()
    return Facts(on=on, params=params, read_calendar=lambda: calendar(db),
                 today=now.astimezone(clock.AMSTERDAM).date(), now=now,
                 numbers=config.deadlines(), closures=config.closures())
