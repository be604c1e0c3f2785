"""The outbox. A notice (written in the transaction of the event or sweep that caused it) is
expanded into one message a recipient: its roles resolved to the people active that day, those
who may not see the case left out (SPEC "Confidentiality"), each message rendered in the
person's language with a stable Message-ID. Expanding is idempotent: a notice is marked in the
same transaction as its messages are written.

A closed case asks nothing more of anyone: closing it cancels what the outbox holds about it
unsent, notices and messages, in the close's own transaction (store/journal.py), and a notice
about it that reaches the outbox afterwards is cancelled here rather than sent."""

from __future__ import annotations

import datetime as dt
import logging
import os
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, or_, select

from noncoop import clock, config, people
from noncoop.errors import BadInput, NotFound
from noncoop.notify.compose import compose
from noncoop.store.codec import from_snapshot
from noncoop.store.models import CaseRow, MessageRow, NoticeRow

DEFAULT_SENDER = "noncoop@localhost"
log = logging.getLogger("noncoop.outbox")


def sender() -> str:
    return os.environ.get("NONCOOP_MAIL_FROM") or DEFAULT_SENDER


def message_id(notice_id: int, email: str) -> str:
    """Stable for a notice and a recipient: a resend is recognisably the same message."""
    from noncoop.notify.compose import sender_parts

    try:
        domain = sender_parts(sender())[1].rsplit("@", 1)[1]
    except ValueError:  # the setting is refused before any dispatch (dispatch._settings_hold)
        domain = "localhost"
    local = email.replace("@", ".at.")
    return f"<notice-{notice_id}.{local}@{domain}>"


def expand(db: Session, limit: int = 200) -> int:
    """Expand queued notices into messages; returns how many notices were expanded."""
    return len(expand_notices(db, limit)[0])


def expand_notices(db: Session, limit: int = 200) -> tuple[list[NoticeRow], list[NoticeRow]]:
    """Expand the queued notices that are due into messages: the notices expanded, and those
    that could not be (kept queued with their error until `max_attempts`, then dead). One that
    cannot be composed never holds back the others (DESIGN principle 10)."""
    now = clock.now()
    query = (select(NoticeRow).where(NoticeRow.status == "queued", or_(
        col(NoticeRow.next_attempt_at).is_(None), col(NoticeRow.next_attempt_at) <= now))
        .order_by(col(NoticeRow.id)).limit(limit))
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    done, failed = [], []
    for notice in db.exec(query).all():
        try:
            messages = _messages(db, notice)
        except SQLAlchemyError:
            raise  # the database itself, not this notice: nothing of the run is kept
        except Exception as exc:  # noqa: BLE001 - whatever this one notice holds
            _failed(notice, exc)
            failed.append(notice)
        else:
            db.add_all(messages)
            done.append(notice)
        db.add(notice)
    # One transaction for the batch: the notices it claimed stay locked until it ends.
    db.commit()
    return done, failed


def _messages(db: Session, notice: NoticeRow) -> list[MessageRow]:
    """The messages of one notice, each composed for its recipient; every one of them or, when
    one cannot be composed, an error and none. Sets the notice's status."""
    case_row = db.get(CaseRow, notice.case_id) if notice.case_id else None
    case = from_snapshot(case_row.snapshot) if case_row else None
    if case is not None and case.status == "closed":
        notice.status = "cancelled"
        return []
    on = clock.today()
    reached = {p.email: p for r in notice.recipients for p in people.resolve(db, r, case, on)}
    allowed = [p for p in reached.values() if people.may_receive(p, case)]
    messages = []
    for person in sorted(allowed, key=lambda p: p.email):
        content = compose(db, notice, case, person, sender())
        messages.append(MessageRow(notice_id=notice.id,  # type: ignore[arg-type]
                                   message_id=message_id(notice.id, person.email),  # type: ignore[arg-type]
                                   to_email=person.email, to_name=person.name,
                                   subject=content.subject, text_body=content.text,
                                   html_body=content.html, ics=content.ics,
                                   next_attempt_at=clock.now()))
    notice.status = "expanded" if allowed else "no_recipient"
    return messages


def _failed(notice: NoticeRow, exc: Exception) -> None:
    """Keep the error on the notice; try again after the messages' backoff, or give up."""
    from noncoop.notify.dispatch import backoff  # dispatch imports this module

    log.warning("notice %s (%s, case %s) not expanded: %s", notice.id, notice.kind,
                notice.case_id, exc, exc_info=exc)
    notice.attempts += 1
    notice.last_error = error_text(exc)
    if notice.attempts >= int(config.notify()["max_attempts"]):
        notice.status = "dead"
    else:
        notice.next_attempt_at = clock.now() + backoff(notice.attempts)


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def notice_json(n: NoticeRow) -> dict[str, Any]:
    return {"id": n.id, "case_id": n.case_id, "step": n.step, "kind": n.kind,
            "to": n.recipients, "status": n.status, "attempts": n.attempts,
            "last_error": n.last_error}


def message_json(m: MessageRow) -> dict[str, Any]:
    return {"id": m.id, "notice_id": m.notice_id, "message_id": m.message_id, "to": m.to_email,
            "subject": m.subject, "status": m.status, "attempts": m.attempts,
            "next_attempt_at": _iso(m.next_attempt_at) if m.status == "pending" else None,
            "last_error": m.last_error, "sent_at": _iso(m.sent_at) if m.sent_at else None,
            "invitation": m.ics is not None}


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def list_outbox(db: Session, status: str | None = None) -> dict[str, Any]:
    """Messages (newest first), and the notices not sent as messages: waiting, reaching
    nobody, or dead (never composed)."""
    query = select(MessageRow).order_by(col(MessageRow.id).desc())
    if status:
        if status not in ("pending", "sent", "dead"):
            raise BadInput(f"unknown status {status!r}: use pending, sent or dead")
        query = query.where(MessageRow.status == status)
    unsent = db.exec(select(NoticeRow).where(col(NoticeRow.status).in_(
        ("queued", "no_recipient", "dead"))).order_by(col(NoticeRow.id))).all()
    return {"messages": [message_json(m) for m in db.exec(query).all()],
            "notices": [notice_json(n) for n in unsent]}


def retry(db: Session, ids: list[int] | None = None,
          notice_ids: list[int] | None = None) -> dict[str, Any]:
    """Send dead letters again, and compose dead notices again, from a fresh count of attempts:
    all of them, or those named (messages by `ids`, notices by `notice_ids`). Nothing is sent
    again about a closed case (it asks nothing more of anyone): such a one is skipped, with why.
    One named that is not dead is skipped too, with its status."""
    named = bool(ids or notice_ids)
    messages = _named(db, MessageRow, ids, "message") if named else db.exec(
        select(MessageRow).where(MessageRow.status == "dead").order_by(col(MessageRow.id))).all()
    notices = _named(db, NoticeRow, notice_ids, "notice") if named else db.exec(
        select(NoticeRow).where(NoticeRow.status == "dead").order_by(col(NoticeRow.id))).all()
    of_notice = {n.id: n.case_id for n in db.exec(select(NoticeRow).where(
        col(NoticeRow.id).in_({m.notice_id for m in messages}))).all()}
    closed = set(db.exec(select(CaseRow.id).where(CaseRow.status == "closed")).all())
    out: dict[str, Any] = {"messages": [], "notices": [], "skipped": []}
    now = clock.now()
    for what, rows in (("message", messages), ("notice", notices)):
        for row in rows:
            case_id = of_notice.get(row.notice_id) if what == "message" else row.case_id  # type: ignore[union-attr]
            why = (f"{what} {row.id} is {row.status}, not dead" if row.status != "dead" else
                   f"case {case_id} is closed: nothing more is sent about it" if case_id in closed
                   else None)
            if why:
                out["skipped"].append({what: row.id, "case_id": case_id, "reason": why})
                continue
            row.status = "pending" if what == "message" else "queued"
            row.attempts, row.next_attempt_at = 0, now
            db.add(row)
            out[f"{what}s"].append(message_json(row) if what == "message" else notice_json(row))  # type: ignore[arg-type]
    db.commit()
    return out


def _named(db: Session, model: Any, ids: list[int] | None, what: str) -> list[Any]:
    if not ids:
        return []
    found = db.exec(select(model).where(col(model.id).in_(ids)).order_by(col(model.id))).all()
    missing = sorted(set(ids) - {r.id for r in found})
    if missing:
        raise NotFound(f"no {what} {missing[0]} in the outbox: see noncoop outbox list",
                       code=f"unknown_{what}")
    return list(found)
