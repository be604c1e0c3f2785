"""A case's record: its row loaded, an event appended with the projection after it (in one
transaction, store/journal.py), and the case rebuilt from its events alone."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from noncoop.domain import Case, Event, apply, project
from noncoop.domain.case import unknown_case
from noncoop.errors import Conflict, NotFound
from noncoop.store import journal
from noncoop.store.codec import from_snapshot
from noncoop.store.journal import Stored
from noncoop.store.models import EventRow


def to_event(r: EventRow) -> Event:
    return Event(case_id=r.case_id, seq=r.seq, kind=r.kind, at=r.at, by=r.by, step=r.step,
                 on=r.on, reason=r.reason, data=r.data)


def load_case(db: Session, case_id: str) -> tuple[Stored, Case]:
    stored = journal.load(db, case_id)
    if stored is None:
        raise NotFound(unknown_case(case_id), code="unknown_case")
    return stored, from_snapshot(stored.snapshot)


def append(db: Session, stored: Stored, case: Case, event: Event,
           stage: Callable[[Case], None] | None = None) -> Event:
    """Apply and store `event`, with what `stage` adds to the same transaction, or nothing."""
    append_all(db, stored, case, [event], stage)
    return event


def append_all(db: Session, stored: Stored, case: Case, events: list[Event],
               stage: Callable[[Case], None] | None = None) -> Case:
    """Apply and store events of one case in one transaction (a letter that is itself an act
    of the procedure: the act and the letter's issue), with what `stage` adds, or none."""
    try:
        for event in events:
            case = apply(case, event)
            stored = journal.save(db, stored, case, event)
        if stage is not None:
            stage(case)
        db.commit()
    except Conflict:
        db.rollback()
        raise
    except IntegrityError as exc:  # the same event number, written by another writer first
        db.rollback()
        raise journal.conflict(case.id) from exc
    return case


def rebuild(db: Session, case_id: str) -> Case:
    """The case as its events alone tell it (DESIGN principle 2)."""
    rows = db.exec(select(EventRow).where(EventRow.case_id == case_id)).all()
    if not rows:
        raise NotFound(f"no case {case_id!r}", code="unknown_case")
    return project([to_event(r) for r in rows])
