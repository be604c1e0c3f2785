"""The event log is hash-chained, case by case: each event carries the hash of the one before it
and its own, over a canonical JSON of what it says. The chain's head on the case row is signed
with a key kept outside the database (NONCOOP_AUDIT_KEY), so that a writer who recomputes the
hashes or cuts the last events cannot make the head agree.

`verify` walks every case's chain and names the first link that no longer holds (an event
changed, removed or inserted), checks each signed head, rebuilds every case from its events and
compares it with the row (a case moved to another region in the database alone is caught),
and checks every stored letter against its SHA-256 and the one its `letter_issued` event says."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from noncoop.store.models import CaseRow, EventRow, LetterRow

GENESIS = ""  # the hash before a case's first event
# One encoder for every event hashed: json.dumps with options makes a new one at each call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(event: dict[str, Any]) -> str:
    """What an event says, as one stable string: the fields, sorted, dates in ISO form, the
    instant in UTC to the microsecond."""
    at = event["at"]
    if isinstance(at, dt.datetime):
        at = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    on = event.get("on")
    fields = {"case_id": event["case_id"], "seq": event["seq"], "kind": event["kind"], "at": at,
              "by": event["by"], "step": event.get("step"),
              "on": on.isoformat() if isinstance(on, dt.date) else on,
              "reason": event.get("reason"), "data": event.get("data") or {}}
    return _CANONICAL.encode(fields)


def link(prev_hash: str, event: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + "\n" + canonical(event)).encode("utf-8")).hexdigest()


def key() -> bytes | None:
    """The audit key (NONCOOP_AUDIT_KEY), or None where none is set."""
    value = os.environ.get("NONCOOP_AUDIT_KEY", "")
    return value.encode("utf-8") if value else None


def sign(text: str) -> str:
    """HMAC-SHA256 of `text` with the audit key; "" without a key."""
    secret = key()
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest() if secret else ""


def head_mac(case_id: str, seq: int, last_hash: str) -> str:
    return sign(f"head\n{case_id}\n{seq}\n{last_hash}")


def as_dict(row: EventRow) -> dict[str, Any]:
    return {"case_id": row.case_id, "seq": row.seq, "kind": row.kind, "at": row.at, "by": row.by,
            "step": row.step, "on": row.on, "reason": row.reason, "data": row.data}


def verify(db: Session, heads: bool = True) -> dict[str, Any]:
    """Every case's chain (`verify_chains`), its signed head (unless `heads` is false: before
    they are signed) and its projection; then every stored letter."""
    result = verify_chains(db, heads)
    if not result["ok"]:
        return result
    broken = _projections(db) or _letters(db)
    if broken is not None:
        return {"ok": False, "events": result["events"], "first_broken": broken}
    return result


def verify_chains(db: Session, heads: bool = True) -> dict[str, Any]:
    """Every case's chain, from its first event to the last the case row counts, and with the
    audit key set, the signature of its head."""
    checked, signed = 0, heads and key() is not None
    cases = db.exec(select(CaseRow.id, CaseRow.last_seq, CaseRow.last_hash)
                    .order_by(col(CaseRow.id))).all()
    for case_id, last_seq, last_hash in cases:
        prev, expected_seq = GENESIS, 1
        for row in db.exec(select(EventRow).where(EventRow.case_id == case_id)
                           .order_by(col(EventRow.seq))).all():
            checked += 1
            if row.seq != expected_seq:
                return _broken(checked, case_id, expected_seq,
                               f"event {expected_seq} is missing (next is {row.seq})")
            if row.prev_hash != prev:
                return _broken(checked, case_id, row.seq,
                               "it does not carry the hash of the event before it")
            if row.hash != link(prev, as_dict(row)):
                return _broken(checked, case_id, row.seq, "what it says was changed after it was written")
            prev, expected_seq = row.hash, expected_seq + 1
        if expected_seq - 1 != last_seq or prev != last_hash:
            return _broken(checked, case_id, expected_seq,
                           f"the case counts {last_seq} events; the log ends at {expected_seq - 1}")
        if signed:
            mac = db.exec(select(CaseRow.head_mac).where(CaseRow.id == case_id)).one()
            if not hmac.compare_digest(mac, head_mac(case_id, last_seq, prev)):
                return _broken(checked, case_id, last_seq,
                               "the chain's head is not the one signed with the audit key: "
                               "events were cut or the chain was computed again outside noncoop")
    missing = _missing_case(case_id for case_id, _, _ in cases)
    if missing is not None:
        return _broken(checked, missing, 0, "no such case, but later cases of its year are "
                       "numbered after it: a case was deleted with its events")
    return {"ok": True, "cases": len(cases), "events": checked, "signed": signed,
            **({} if signed else {"note": "chain heads are not signed: set NONCOOP_AUDIT_KEY "
                                          "(kept outside the database) and run noncoop audit "
                                          "sign"})}


def _projections(db: Session) -> dict[str, Any] | None:
    """The first case whose row does not say what its events say (a row changed alone: a 7(b)
    case moved to another region would open it to that region's focal point)."""
    from noncoop.domain import project
    from noncoop.record import to_event
    from noncoop.store.codec import to_snapshot
    from noncoop.store.journal import COLUMNS, columns

    for case_row in db.exec(select(CaseRow).order_by(col(CaseRow.id))).all():
        events = db.exec(select(EventRow).where(EventRow.case_id == case_row.id)
                         .order_by(col(EventRow.seq))).all()
        rebuilt = project([to_event(r) for r in events])
        held = {k: getattr(case_row, k) for k in COLUMNS}
        if to_snapshot(rebuilt) != case_row.snapshot or columns(rebuilt) != held:
            return {"case_id": case_row.id, "seq": case_row.last_seq,
                    "reason": "the case row does not say what its events say (changed in the "
                              "database alone)"}
    return None


def _letters(db: Session) -> dict[str, Any] | None:
    """The first stored letter whose bytes are not those issued: their SHA-256 against the
    register's and against the one its letter_issued event (on the chain) recorded."""
    recorded = {}
    for row in db.exec(select(EventRow.data).where(EventRow.kind == "letter_issued")).all():
        recorded[row["reference"]] = row["sha256"]
    for letter in db.exec(select(LetterRow).order_by(col(LetterRow.id))).all():
        actual = hashlib.sha256(letter.content).hexdigest()
        if actual != letter.sha256 or (letter.case_id is not None
                                       and recorded.get(letter.reference) != actual):
            return {"case_id": letter.case_id, "seq": None, "letter": letter.reference,
                    "reason": f"the stored bytes of letter {letter.reference} are not those "
                              "issued (SHA-256)"}
    return None


def sign_heads(db: Session) -> int:
    """Sign every case's head with the audit key, after `verify` found the chains whole (for a
    database from before the heads were signed, or after the key is changed)."""
    from noncoop.errors import BadInput, Refused

    if key() is None:
        raise BadInput("set NONCOOP_AUDIT_KEY first: a long random secret kept outside the "
                       "database", code="no_audit_key")
    found = verify(db, heads=False)
    if not found["ok"]:
        raise Refused(f"the event log does not hold ({found['first_broken']}): nothing was "
                      "signed", code="audit_broken", first_broken=found["first_broken"])
    rows = db.exec(select(CaseRow)).all()
    for row in rows:
        row.head_mac = head_mac(row.id, row.last_seq, row.last_hash)
        db.add(row)
    db.commit()
    return len(rows)


def _missing_case(case_ids: Iterable[str]) -> str | None:
    """The first number absent from a year's cases. Cases are numbered NC-YEAR-NNN from 1 without
    a gap (services.steps), and nothing deletes one: a gap is a case removed outside noncoop.
    (The year's last case leaves no gap; its letters and notices would still name it.)"""
    numbers: dict[str, set[int]] = {}
    for case_id in case_ids:
        prefix, _, number = case_id.rpartition("-")
        if number.isdigit():
            numbers.setdefault(prefix, set()).add(int(number))
    for prefix in sorted(numbers):
        for n in range(1, max(numbers[prefix]) + 1):
            if n not in numbers[prefix]:
                return f"{prefix}-{n:03d}"
    return None


def _broken(checked: int, case_id: str, seq: int, why: str) -> dict[str, Any]:
    return {"ok": False, "events": checked,
            "first_broken": {"case_id": case_id, "seq": seq, "reason": why}}
