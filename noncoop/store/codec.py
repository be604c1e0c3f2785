"""Case projection <-> JSON snapshot stored on the case row."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from noncoop.domain.case import Case, Deadline, StepRecord

_DATES = ("decision_date", "travel_date")


def to_snapshot(case: Case) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return plain(dataclasses.asdict(case))


def _d(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def from_snapshot(data: dict[str, Any]) -> Case:
    d = dict(data)
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
                 remind_from=_d(x.get("remind_from")), done_on=_d(x.get("done_on")))
        for x in d["deadlines"]
    ]
    return Case(**d)
