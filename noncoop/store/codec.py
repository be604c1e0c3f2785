"""Case projection <-> JSON snapshot stored on the case row."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from typing import Any

from noncoop.domain.case import Case, Deadline, StepRecord

_DATES = ("decision_date", "travel_date")


_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    if isinstance(value, _SCALARS):  # most values: tested first
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@functools.cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


_AS_IS = frozenset(_SCALARS)


def _flat(obj: Any) -> dict[str, Any]:
    # One level of a dataclass, without dataclasses.asdict's deep copies: a sweep writes
    # thousands of snapshots (bench/sweep.py), a step one; most values are kept as they are.
    flat = {}
    for name in _names(type(obj)):
        value = getattr(obj, name)
        flat[name] = value if type(value) in _AS_IS else _plain(value)
    return flat


def to_snapshot(case: Case) -> dict[str, Any]:
    snap = _flat(case)
    snap["steps"] = {k: _flat(v) for k, v in case.steps.items()}
    snap["deadlines"] = [_flat(d) for d in case.deadlines]
    return snap


def _d(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _t(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def from_snapshot(data: dict[str, Any]) -> Case:
    # Lists of their own: `apply` adds to a case's (the people asked to assist), and the
    # snapshot may be read again within the request (store/memo.py).
    d = {k: list(v) if isinstance(v, list) else v for k, v in data.items()}
    for key in _DATES:
        d[key] = dt.date.fromisoformat(d[key]) if d.get(key) else None
    d["steps"] = {
        k: StepRecord(
            status=v["status"],
            date=dt.date.fromisoformat(v["date"]) if v["date"] else None,
            reason=v["reason"],
            count=v["count"],
            data=v["data"],
        )
        for k, v in d["steps"].items()
    }
    d["deadlines"] = [
        Deadline(step=x["step"], kind=x["kind"], due=dt.date.fromisoformat(x["due"]),
                 status=x["status"], basis=x["basis"], who=x.get("who", "president_office"),
                 remind_from=_d(x.get("remind_from")), done_on=_d(x.get("done_on")),
                 due_at=_t(x.get("due_at")), session=x.get("session"),
                 done_at=_t(x.get("done_at")))
        for x in d["deadlines"]
    ]
    if "assisting" not in d:  # a snapshot from before the requests were counted one by one
        asked = d["steps"].get("request_assistance")
        d["assisting"] = [e for e in (asked.data.get("to", "") if asked else "").split(",") if e]
    return Case(**d)
