"""The dispatcher: sends the outbox's due messages with aiosmtplib, one at a time, each claimed
first by a lease so that two dispatchers never send the same message and one that dies mid-send
leaves it to be sent again (same Message-ID) once the lease runs out: a crash may repeat one
message, never lose one. Failures are retried with exponential backoff, then kept as dead
letters (`noncoop outbox retry`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from dataclasses import dataclass
from typing import Any

import aiosmtplib
from sqlalchemy import update
from sqlmodel import Session, col, select

from noncoop import clock, config
from noncoop.errors import BadInput
from noncoop.notify.compose import email_of, sender_parts, wire
from noncoop.notify.outbox import error_text, expand_notices, message_json, notice_json, sender
from noncoop.store.models import MessageRow

TLS_MODES = ("none", "starttls", "ssl")
log = logging.getLogger("noncoop.dispatch")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str
    user: str | None
    password: str | None
    sender: str
    timeout: float

    @classmethod
    def from_env(cls) -> SmtpSettings:
        """INTERFACE.md: NONCOOP_SMTP_HOST, _PORT, _USER, _PASSWORD, _TLS, NONCOOP_MAIL_FROM."""
        host = os.environ.get("NONCOOP_SMTP_HOST")
        if not host:
            raise BadInput("no mail server is set: give NONCOOP_SMTP_HOST (and NONCOOP_SMTP_PORT, "
                           "NONCOOP_SMTP_TLS=none|starttls|ssl, NONCOOP_SMTP_USER, "
                           "NONCOOP_SMTP_PASSWORD, NONCOOP_MAIL_FROM)", code="smtp_unset")
        tls = os.environ.get("NONCOOP_SMTP_TLS", "starttls").lower()
        if tls not in TLS_MODES:
            raise BadInput(f"NONCOOP_SMTP_TLS={tls!r}: use none, starttls or ssl")
        port_text = os.environ.get("NONCOOP_SMTP_PORT") or {"ssl": "465", "starttls": "587"}.get(tls, "25")
        try:
            port = int(port_text)
        except ValueError:
            raise BadInput(f"NONCOOP_SMTP_PORT={port_text!r} is not a port number") from None
        return cls(host=host, port=port, tls=tls, user=os.environ.get("NONCOOP_SMTP_USER") or None,
                   password=os.environ.get("NONCOOP_SMTP_PASSWORD") or None, sender=sender(),
                   timeout=float(config.notify()["timeout_seconds"]))


def _settings_hold() -> None:
    """The settings every e-mail reads, checked once before any is touched: a mistyped
    NONCOOP_MAIL_FROM or NONCOOP_BASE_URL would otherwise fail each notice and message in turn
    and make the whole outbox dead letters. Said as bad input (exit 2), nothing claimed."""
    try:
        sender_parts(sender())
    except ValueError as exc:
        raise BadInput(str(exc), code="bad_setting") from None
    if config.base_url_given():
        config.base_url()  # raises BadInput naming the setting


async def _send(smtp: SmtpSettings, mail: bytes, to: str) -> None:
    # TLS is what the settings say, never what the server offers (PITFALLS: aiosmtplib would
    # otherwise upgrade to STARTTLS whenever it is offered). The e-mail goes as written
    # (compose.wire): the library would fold its headers again, and lose spaces doing it.
    await aiosmtplib.send(mail, sender=sender_parts(smtp.sender)[1], recipients=[to],
                          hostname=smtp.host, port=smtp.port,
                          username=smtp.user, password=smtp.password,
                          use_tls=smtp.tls == "ssl", start_tls=smtp.tls == "starttls",
                          timeout=smtp.timeout)


def backoff(attempts: int) -> dt.timedelta:
    """The wait before attempt `attempts + 1`: doubling from the configured first wait."""
    cfg = config.notify()
    seconds = min(float(cfg["backoff_seconds"]) * 2 ** (attempts - 1), float(cfg["backoff_max_seconds"]))
    return dt.timedelta(seconds=seconds)


def _claim(db: Session, message_id: int, now: dt.datetime) -> bool:
    """Take the message for one send: move its next attempt past the lease, if nobody did."""
    lease = dt.timedelta(seconds=float(config.notify()["lease_seconds"]))
    taken = db.execute(update(MessageRow).where(
        col(MessageRow.id) == message_id, MessageRow.status == "pending",
        col(MessageRow.next_attempt_at) <= now).values(next_attempt_at=now + lease))
    db.commit()
    return taken.rowcount == 1  # type: ignore[attr-defined]


def dispatch(db: Session, smtp: SmtpSettings | None = None, limit: int | None = None) -> dict[str, Any]:
    """Expand queued notices, then send the messages that are due; what was done, by message,
    and the notices that could not be composed. One message or notice that fails is kept with
    its error and never stops the others (DESIGN principle 10)."""
    _settings_hold()
    expanded, unexpanded = expand_notices(db)
    smtp = smtp or SmtpSettings.from_env()
    cfg = config.notify()
    limit = limit or int(cfg["batch"])
    due = db.exec(select(MessageRow.id).where(
        MessageRow.status == "pending", col(MessageRow.next_attempt_at) <= clock.now())
        .order_by(col(MessageRow.id)).limit(limit)).all()
    sent, failed, dead = [], [], []
    for message_id in due:
        if not _claim(db, message_id, clock.now()):
            continue  # another dispatcher has it
        message = db.get(MessageRow, message_id)
        assert message is not None
        db.refresh(message)
        message.attempts += 1
        try:
            mail = wire(email_of(message, smtp.sender))
        except ValueError as exc:
            # A header that cannot be written (a line break in a name, a NUL in an address, of
            # a row stored before the directory refused them): the same row fails the same way
            # every time, so it is a dead letter now, with the reason.
            message.status, message.last_error = "dead", error_text(exc)
            log.warning("message %s to %r is a dead letter: %s", message.id, message.to_email, exc)
            dead.append(message_json(message))
        else:
            try:
                asyncio.run(_send(smtp, mail, message.to_email))
            except Exception as exc:  # noqa: BLE001 - the server's or this message's: retried
                message.last_error = error_text(exc)
                if message.attempts >= int(cfg["max_attempts"]):
                    message.status = "dead"
                    dead.append(message_json(message))
                else:
                    message.next_attempt_at = clock.now() + backoff(message.attempts)
                    failed.append(message_json(message))
            else:
                message.status, message.sent_at, message.last_error = "sent", clock.now(), None
                sent.append(message_json(message))
        db.add(message)
        db.commit()  # after each message: a crash repeats at most the one in flight
    return {"expanded": len(expanded), "sent": sent, "failed": failed, "dead": dead,
            "unexpanded": [notice_json(n) for n in unexpanded]}
