"""One deadline sweep, as the scheduler runs it (DESIGN principle 3).

It marks missed only what is past due with nothing recorded (SPEC "Time"): an open deadline
whose instant has passed (`due_at`: an hour limit's own, a date's at the end of its day). A
step recorded later is judged by its own date (domain/case.py), so a miss a sweep marked is
withdrawn when the step turns out to have been in time, and a closed case has nothing open.

It asks the database what is due, through one index per question, and works in batches, each
batch its own transaction: it never loads all cases, and a sweep after a week of downtime holds
no more in memory than one with a single miss. Misses are appended as events on their case (so
the projection and the rows stay rebuildable), and each reminder and each miss queues exactly one
notice: a flag on the deadline row and a unique key on the notice make a repeated or concurrent
sweep change nothing. On PostgreSQL the rows are claimed with `FOR UPDATE SKIP LOCKED`, so two
workers never take the same one.

A case it cannot process (a snapshot that does not load, a deadline its record no longer holds)
is skipped, logged and listed in the answer (`skipped`), nothing of it written; the other cases
go on (DESIGN principle 10), and the next sweep tries it again."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam, func, insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from noncoop import clock
from noncoop.domain import Event, apply
from noncoop.domain.deadlines import day_start
from noncoop.errors import Conflict
from noncoop.identity import SWEEPER
from noncoop.store import journal, prepared
from noncoop.store.codec import from_snapshot
from noncoop.store.models import STATUS_MISSED, STATUS_OPEN, DeadlineRow, NoticeRow, UTCDateTime

BATCH = 500  # deadline rows a transaction; small enough to hold locks briefly
DIGEST_ITEMS = 100  # overdue items listed in one digest (the total is always given)

# changed, notices, skipped, more to do
Found = tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], bool]
# A phase is given the cases skipped so far, so that it does not take them up again.
Phase = Callable[[Session, dt.date, int, set[str]], Found]
log = logging.getLogger("noncoop.sweep")


def _claim(db: Session, query: Any) -> Any:
    if db.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def sweep_instant(as_of: dt.date, now: dt.datetime) -> dt.datetime:
    """The instant a sweep as of `as_of` compares due instants with: now, within that day. A
    sweep as of a past day sees that day through to its end, as of a day ahead its start: so
    a deadline due on `as_of` is not missed as of that day, an hour limit that ran out during
    it is."""
    start = day_start(as_of)
    return min(max(now, start), day_start(as_of + dt.timedelta(days=1)) - _TICK)


_TICK = dt.timedelta(microseconds=1)


def _deadline_json(d: Any) -> dict[str, Any]:  # a DeadlineRow or a row of its columns
    return {"case_id": d.case_id, "step": d.step, "kind": d.kind, "due": d.due.isoformat(),
            "status": d.status}


# The four questions a sweep asks, each answered by its own partial index (models.DeadlineRow),
# in the words of its condition.
def _overdue(now: Any) -> list[Any]:
    # Instants, not days: an hour limit (para 18) runs out at its hour, a date at its day's end.
    return [DeadlineRow.status == STATUS_OPEN, col(DeadlineRow.due_at) <= now]


def _untold() -> list[Any]:
    return [DeadlineRow.status == STATUS_MISSED, DeadlineRow.missed_queued == False]  # noqa: E712


def _in_reminder_window(as_of: Any) -> list[Any]:
    # No "due >= as_of": the overdue ones are made missed first, and without it the query
    # stays on ix_deadlines_reminder instead of scanning every future deadline.
    return [DeadlineRow.status == STATUS_OPEN, DeadlineRow.reminder_queued == False,  # noqa: E712
            col(DeadlineRow.remind_from) <= as_of]


def _outstanding_since(as_of: Any) -> list[Any]:
    return [DeadlineRow.status == STATUS_MISSED, DeadlineRow.outstanding == True,  # noqa: E712
            col(DeadlineRow.missed_on) < as_of]


_AS_OF = bindparam("as_of", type_=sa.Date)
_NOW = bindparam("now", type_=UTCDateTime)
_OVERDUE = (select(DeadlineRow.id, DeadlineRow.case_id, DeadlineRow.position, DeadlineRow.step,
                   DeadlineRow.kind, DeadlineRow.due, DeadlineRow.status, DeadlineRow.who)
            .where(*_overdue(_NOW)).order_by(col(DeadlineRow.due_at), col(DeadlineRow.id))
            .limit(bindparam("batch", type_=sa.Integer)))
# Built once: a sweep that finds nothing costs one cached statement.
_PENDING = select(*(select(DeadlineRow.id).where(*where).exists() for where in (
    _overdue(_NOW), _untold(), _in_reminder_window(_AS_OF), _outstanding_since(_AS_OF))))


def sweep(db: Session, as_of: dt.date | None = None, batch: int = BATCH) -> dict[str, Any]:
    """Run one sweep: mark misses, tell each miss once, remind once, then the daily digests."""
    as_of = as_of or clock.today()
    now = sweep_instant(as_of, clock.now())
    result: dict[str, Any] = {"as_of": as_of.isoformat(), "changed": [], "notices": [],
                              "skipped": []}
    # Most sweeps find nothing to do: one statement says so, and which phases have work.
    # It asks on a connection of its own, compiled once (store/prepared.py): the session's
    # transaction machinery and Connection.execute cost several times the query
    # (bench/sweep.py), and each phase below is its own transaction anyway.
    with db.get_bind().connect() as conn:
        if conn.dialect.name != "sqlite":
            # Outside a transaction: one question needs none, and on a server the BEGIN and
            # ROLLBACK around it were two round trips more than the question (0.7 ms against
            # 0.35 on PostgreSQL). SQLite's transaction costs no trip, and switching its mode
            # a statement (bench/sweep.py: 0.05 ms against 0.22).
            conn.execution_options(isolation_level="AUTOCOMMIT")
        pending = prepared.first(conn, _PENDING, {"as_of": as_of, "now": now})
    assert pending is not None  # a SELECT of four EXISTS: always one row
    overdue, untold, remind, digest = pending
    phases = [phase for phase, todo in ((_mark_missed, overdue), (_tell_missed, untold),
                                        (_remind, remind), (_digests, digest)) if todo]
    skip: set[str] = set()
    for phase in phases:
        more = True
        while more:
            changed, notices, skipped, more = _committed(db, phase, as_of, batch, skip)
            result["changed"] += changed
            result["notices"] += notices
            result["skipped"] += skipped
            skip |= {s["case_id"] for s in skipped}
    return result


def _committed(db: Session, phase: Phase, as_of: dt.date, batch: int, skip: set[str],
               attempts: int = 5) -> Found:
    """One batch of a phase in its own transaction. If another writer (a person acting, a
    second worker) touched the same rows meanwhile, nothing of the try is kept and it runs again
    on fresh data; what it reports is only what was committed."""
    for attempt in range(attempts):
        try:
            found = phase(db, as_of, batch, skip)
            db.commit()
            return found
        except (Conflict, IntegrityError, OperationalError):
            db.rollback()
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _mark_missed(db: Session, as_of: dt.date, batch: int, skip: set[str]) -> Found:
    """Deadlines past their day become missed: one event per case, and a notice for each miss
    in the same transaction (a miss is never marked and left untold). A case that cannot be
    processed is skipped, with its error, and the others go on (DESIGN principle 10)."""
    # Each query is ordered the way its index is, so that SQLite never walks another index
    # just to return rows in order: that would read every deadline to find none due.
    overdue = _overdue_rows(db, as_of, batch, skip)
    if not overdue:
        return [], [], [], False
    more = len(overdue) == batch
    overdue = sorted(overdue, key=lambda d: (d.case_id, d.position))
    cases = journal.load_many(db, {d.case_id for d in overdue})
    changed: list[dict[str, Any]] = []
    marked: list[Any] = []
    skipped: list[dict[str, Any]] = []
    staged = journal.Batch()
    for case_id, rows in groupby(overdue, key=lambda d: d.case_id):
        try:
            event, marking, own = _missed(db, cases[case_id], list(rows), as_of)
        except Exception as exc:  # noqa: BLE001 - whatever this one case holds
            log.warning("sweep as of %s skipped case %s: %s", as_of, case_id, exc, exc_info=exc)
            skipped.append({"case_id": case_id, "error": f"{type(exc).__name__}: {exc}"[:500]})
            continue
        if event is None:
            continue
        # Staged apart and merged only once whole: a case that failed halfway leaves nothing.
        for field in dataclasses.fields(staged):
            getattr(staged, field.name).extend(getattr(own, field.name))
        changed += [{**_deadline_json(d), "status": "missed"} for d in marking]
        marked += marking
    staged.write(db)
    notices = _queue(db, sorted(marked, key=lambda d: d.id), "missed", missed_on=as_of)
    return changed, notices, skipped, more


def _missed(db: Session, stored: journal.Stored, rows: list[Any],
            as_of: dt.date) -> tuple[Event | None, list[Any], journal.Batch]:
    """The event that marks one case's overdue deadlines missed, the rows it marks and the
    rows it writes (none when another sweep marked them first)."""
    case = from_snapshot(stored.snapshot)
    own = journal.Batch()
    # The case row is the authority: another sweep may have marked these deadlines between
    # the two reads (SQLite reads outside a transaction); its version check then guards
    # the write.
    rows = [d for d in rows if case.deadlines[d.position].status == "open"]
    if not rows:
        return None, [], own
    event = Event(case_id=stored.id, seq=stored.last_seq + 1, kind="deadlines_missed",
                  at=clock.now(), by=SWEEPER, on=as_of,
                  data={"positions": [d.position for d in rows]})
    journal.save(db, stored, apply(case, event), event, own)  # staged only: nothing written
    return event, rows, own


def _overdue_rows(db: Session, as_of: dt.date, batch: int, skip: set[str]) -> list[Any]:
    now = sweep_instant(as_of, clock.now())
    query = _claim(db, _without(_OVERDUE, skip))
    return db.connection().execute(query, {"now": now, "batch": batch}).all()


def _without(query: Any, skip: set[str]) -> Any:
    """The query, leaving out the cases skipped earlier in this sweep: the next sweep takes
    them up again."""
    return query.where(col(DeadlineRow.case_id).not_in(sorted(skip))) if skip else query


_TOLD = (select(DeadlineRow.id, DeadlineRow.case_id, DeadlineRow.step, DeadlineRow.kind,
                DeadlineRow.due, DeadlineRow.who).limit(bindparam("batch", type_=sa.Integer)))
_UNTOLD = _TOLD.where(*_untold()).order_by(col(DeadlineRow.id))
_REMIND = (_TOLD.where(*_in_reminder_window(_AS_OF))
           .order_by(col(DeadlineRow.remind_from), col(DeadlineRow.id)))
_DEADLINES: sa.Table = DeadlineRow.__table__  # type: ignore[attr-defined]
_NOTICES: sa.Table = NoticeRow.__table__  # type: ignore[attr-defined]


def _tell_missed(db: Session, as_of: dt.date, batch: int, skip: set[str]) -> Found:
    """One notice for each miss not yet told: misses are told as they are marked, but a
    database from before that may hold some."""
    untold = db.connection().execute(_claim(db, _UNTOLD), {"batch": batch}).all()
    return [], _queue(db, untold, "missed", missed_on=as_of), [], len(untold) == batch


def _remind(db: Session, as_of: dt.date, batch: int, skip: set[str]) -> Found:
    """One reminder for each open deadline in its reminder window (not of a case skipped: its
    deadlines past due are still open, and a reminder would say they are to come)."""
    query = _claim(db, _without(_REMIND, skip))
    due_soon = db.connection().execute(query, {"as_of": as_of, "batch": batch}).all()
    return [], _queue(db, due_soon, "reminder"), [], len(due_soon) == batch


def _digests(db: Session, as_of: dt.date, batch: int, skip: set[str]) -> Found:
    """Misses still outstanding after the day they were told: one digest a person a day, never
    a storm (SPEC "Time")."""
    def outstanding() -> Any:
        return select(DeadlineRow).where(*_outstanding_since(as_of))

    whos = db.exec(outstanding().with_only_columns(col(DeadlineRow.who)).distinct()).all()
    notices = []
    for who in sorted(whos):
        key = f"{who} {as_of.isoformat()}"
        if db.exec(select(NoticeRow.id).where(NoticeRow.digest_key == key)).first() is not None:
            continue
        mine = outstanding().where(DeadlineRow.who == who)
        total = db.exec(mine.with_only_columns(func.count())).one()
        items = [_deadline_json(d) for d in db.exec(
            mine.order_by(col(DeadlineRow.due), col(DeadlineRow.case_id)).limit(DIGEST_ITEMS)).all()]
        body = {"overdue": items, "total": total}
        db.add(NoticeRow(kind="digest", digest_key=key, recipients=[who], created_at=clock.now(),
                         body=body))
        notices.append({"case_id": None, "step": None, "kind": "digest", "to": [who], **body})
    return [], notices, [], False


def _queue(db: Session, deadlines: Sequence[Any], kind: str, **values: Any) -> list[dict[str, Any]]:
    """Flag each deadline as told of `kind` (and set `values` on it) and write its notice, in
    bulk: one UPDATE and one INSERT however many there are."""
    if not deadlines:
        return []
    flag = "missed_queued" if kind == "missed" else "reminder_queued"
    now = clock.now()
    conn = db.connection()
    conn.execute(_DEADLINES.update().where(_DEADLINES.c.id.in_([d.id for d in deadlines]))
                 .values({flag: True, **values}))
    conn.execute(insert(_NOTICES), [
        {"case_id": d.case_id, "deadline_id": d.id, "step": d.step, "kind": kind,
         "recipients": [d.who], "created_at": now, "body": {}, "status": "queued"}
        for d in deadlines])
    return [{"case_id": d.case_id, "step": d.step, "kind": kind, "to": [d.who],
             "deadline": d.kind, "due": d.due.isoformat()} for d in deadlines]
