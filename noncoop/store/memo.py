"""What a request has read, read once: a page asks who the reader is, the case and the
calendar of several services (the case, its letters, its refusals), each checking access as
it must, and each asked the database again. Within a request that remembers (`remembering`:
the web app's, web/deps.py), an answer is the one already read in the same transaction of its
session; it is forgotten when the transaction ends (a commit, a rollback, the session closed),
and a case's when the journal writes that case. Elsewhere (a command, the scheduler, a test
holding a session for long) every question goes to the database."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

T = TypeVar("T")
_ON, _KEY = "noncoop.memo.on", "noncoop.memo"


@contextmanager
def remembering(db: Session) -> Iterator[Session]:
    """`db`, remembering what it reads for as long as the block lasts."""
    db.info[_ON] = True
    try:
        yield db
    finally:
        db.info.pop(_ON, None)
        db.info.pop(_KEY, None)


def remembered(db: Session, key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, or what it gave earlier in the same transaction of `db` when it remembers."""
    if not db.info.get(_ON):
        return read()
    memo: dict[Hashable, Any] = db.info.setdefault(_KEY, {})
    if key not in memo:
        memo[key] = read()
    return memo[key]  # type: ignore[no-any-return]


def forget(db: Session, key: Hashable) -> None:
    """What the transaction has changed is read again when next asked for."""
    db.info.get(_KEY, {}).pop(key, None)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, _transaction: SessionTransaction) -> None:
    session.info.pop(_KEY, None)
