"""One deadline sweep, as the scheduler runs it (DESIGN principle 3).

It asks the database what is due; it never loads all cases. Misses are appended as events on
their case (so the projection and the rows stay rebuildable), and each reminder and each miss
queues exactly one notice: a flag on the deadline row and a unique key on the notice make a
repeated or concurrent sweep change nothing. On PostgreSQL the rows are claimed with
`FOR UPDATE SKIP LOCKED`, so two workers never take the same one."""

from __future__ import annotations

import datetime as dt
import time
from itertools import groupby
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from noncoop import clock
from noncoop.domain import Event, apply
from noncoop.store.codec import from_snapshot
from noncoop.store.models import CaseRow, DeadlineRow, NoticeRow

SWEEPER = "system:sweep"


def _claim(db: Session, query: Any) -> Any:
    if db.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def _deadline_json(d: DeadlineRow) -> dict[str, Any]:
    return {"case_id": d.case_id, "step": d.step, "kind": d.kind, "due": d.due.isoformat(),
            "status": d.status}


def sweep(db: Session, as_of: dt.date | None = None, attempts: int = 5) -> dict[str, Any]:
    """Run one sweep; if another writer (a person acting, a second worker) touched the same
    case meanwhile, nothing of this try is kept and it runs again on fresh data."""
    as_of = as_of or clock.today()
    for attempt in range(attempts):
        try:
            return _sweep_once(db, as_of)
        except (StaleDataError, IntegrityError, OperationalError):
            db.rollback()
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _sweep_once(db: Session, as_of: dt.date) -> dict[str, Any]:
    from noncoop.services import save  # the one way a case event is stored

    changed: list[dict[str, Any]] = []
    notices: list[dict[str, Any]] = []

    # 1. Deadlines past their day become missed: one event per case.
    overdue = db.exec(_claim(db, select(DeadlineRow).where(
        DeadlineRow.status == "open", col(DeadlineRow.due) < as_of)
        .order_by(col(DeadlineRow.case_id), col(DeadlineRow.position)))).all()
    for case_id, rows in groupby(overdue, key=lambda d: d.case_id):
        rows = list(rows)
        case_row = db.get(CaseRow, case_id)
        assert case_row is not None
        case = from_snapshot(case_row.snapshot)
        event = Event(case_id=case_id, seq=case_row.last_seq + 1, kind="deadlines_missed",
                      at=clock.now(), by=SWEEPER, on=as_of,
                      data={"positions": [d.position for d in rows]})
        save(db, case_row, apply(case, event), event)
        for d in rows:
            d.status = "missed"
            changed.append(_deadline_json(d))

    # 2. One notice for each miss not yet told.
    untold = db.exec(_claim(db, select(DeadlineRow).where(
        DeadlineRow.status == "missed", DeadlineRow.missed_queued == False)  # noqa: E712
        .order_by(col(DeadlineRow.due), col(DeadlineRow.id)))).all()
    for d in untold:
        d.missed_on = as_of
        notices.append(_queue(db, d, "missed"))

    # 3. One reminder for each open deadline in its reminder window.
    due_soon = db.exec(_claim(db, select(DeadlineRow).where(
        DeadlineRow.status == "open", DeadlineRow.reminder_queued == False,  # noqa: E712
        col(DeadlineRow.remind_from) <= as_of, col(DeadlineRow.due) >= as_of)
        .order_by(col(DeadlineRow.due), col(DeadlineRow.id)))).all()
    for d in due_soon:
        notices.append(_queue(db, d, "reminder"))

    # 4. Misses still outstanding after the day they were told: one digest a person a day.
    told_before = db.exec(select(DeadlineRow).where(
        DeadlineRow.status == "missed", DeadlineRow.outstanding == True,  # noqa: E712
        col(DeadlineRow.missed_on) < as_of)
        .order_by(col(DeadlineRow.who), col(DeadlineRow.due))).all()
    for who, rows in groupby(told_before, key=lambda d: d.who):
        rows = list(rows)
        key = f"{who} {as_of.isoformat()}"
        if rows and db.exec(select(NoticeRow.id).where(NoticeRow.digest_key == key)).first() is None:
            items = [_deadline_json(d) for d in rows]
            db.add(NoticeRow(case_id=rows[0].case_id, kind="digest", digest_key=key,
                             recipients=[who], created_at=clock.now(), body={"overdue": items}))
            notices.append({"case_id": None, "step": None, "kind": "digest", "to": [who],
                            "overdue": items})

    db.commit()
    return {"as_of": as_of.isoformat(), "changed": changed, "notices": notices}


def _queue(db: Session, d: DeadlineRow, kind: str) -> dict[str, Any]:
    if kind == "missed":
        d.missed_queued = True
    else:
        d.reminder_queued = True
    db.add(d)
    db.add(NoticeRow(case_id=d.case_id, deadline_id=d.id, step=d.step, kind=kind,
                     recipients=[d.who], created_at=clock.now()))
    return {"case_id": d.case_id, "step": d.step, "kind": kind, "to": [d.who],
            "deadline": d.kind, "due": d.due.isoformat()}
