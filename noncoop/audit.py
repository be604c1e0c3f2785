"""The event log is hash-chained, case by case: each event carries the hash of the one before it
and its own, over a canonical JSON of what it says. `verify` walks every case's chain and names
the first link that no longer holds (an event changed, removed or inserted in the database)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlmodel import Session, col, select

from noncoop.store.models import CaseRow, EventRow

GENESIS = ""  # the hash before a case's first event


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
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link(prev_hash: str, event: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + "\n" + canonical(event)).encode("utf-8")).hexdigest()


def as_dict(row: EventRow) -> dict[str, Any]:
    return {"case_id": row.case_id, "seq": row.seq, "kind": row.kind, "at": row.at, "by": row.by,
            "step": row.step, "on": row.on, "reason": row.reason, "data": row.data}


def verify(db: Session) -> dict[str, Any]:
    """Every case's chain, from its first event to the last the case row counts."""
    checked = 0
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
    return {"ok": True, "cases": len(cases), "events": checked}


def _broken(checked: int, case_id: str, seq: int, why: str) -> dict[str, Any]:
    return {"ok": False, "events": checked,
            "first_broken": {"case_id": case_id, "seq": seq, "reason": why}}
