"""What a person's work looks like on a day (the dashboard): what needs him or her now, this
week and later, what waits on others, and the misses older than the current reporting cycle,
grouped by case. Pure: the items, the sessions and the day are passed in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from noncoop.calendar import Session
from noncoop.domain.deadlines import counted_sessions
from noncoop.domain.procedure import Procedure

WEEK = 7


def cycle_start(sessions: tuple[Session, ...] | list[Session], numbers: dict[str, Any],
                today: dt.date) -> dt.date | None:
    """The day the current reporting cycle began: the opening of the last session the Bureau
    reports to (para 15; the kinds config/deadlines.yaml counts for the report) that has opened
    by `today`. What was due before it went into that session's report; None when no session
    has opened yet (every miss is then of the current cycle)."""
    opened = [s.start for s in counted_sessions(sessions, numbers, "report") if s.start <= today]
    return max(opened, default=None)


def awaits_addressee(procedure: Procedure, step: str, kind: str) -> bool:
    """Whether a deadline runs for the addressee of a letter rather than for its sender: it
    runs from the step's start, and that start is the issuing of a letter of the step (the open
    letter's reply, para 14(b)). Read from the workflow, so a new such step needs no list."""
    defn = procedure.steps.get(step)
    if defn is None:
        return False
    starts = {name for name, m in defn.moves.items() if m.records == "started"}
    by_letter = any(spec.get("act") in starts for spec in defn.letters.values())
    return by_letter and any(r.step == step and r.kind == kind and r.anchor == f"{step}.started"
                             for r in procedure.deadline_rules)


def addressed(procedure: Procedure) -> list[tuple[str, str]]:
    """Every (step, kind) of a deadline that waits on the addressee of a letter."""
    return sorted({(r.step, r.kind) for r in procedure.deadline_rules
                   if awaits_addressee(procedure, r.step, r.kind)})


PARTS = ("now", "week", "later", "waiting", "older")  # the dashboard's, in its order


def sort_work(mine: list[dict[str, Any]], others: list[dict[str, Any]], today: dt.date,
              since: dt.date | None) -> dict[str, Any]:
    """Each item has `case_id`, `due` (ISO date or None), for an hour limit `due_at` (the
    instant it runs out) and whatever it shows. Mine go to `now` (undated, due today or past
    due in this cycle, or an hour limit running out tomorrow), `week` (the next seven days) or
    `later`; others' to `waiting`. An hour limit (paras 18 "immediately", omnibus 35
    "promptly": config/deadlines.yaml) runs out within a day of being set, before tomorrow's
    dashboard may be read: it needs its person now, where a limit of days due tomorrow waits.
    Past due before `since` (an earlier cycle), mine or others', go into `older`: one line a
    case, with how many and from when to when.
    The dashboard asks the database for these parts, a hundred items each, rather than read
    every item to part them here (services/dashboard.py); tests/test_dashboard.py holds its
    answers to this rule."""
    # The dates as the items give them (ISO text), made once: a dashboard sorts thousands.
    today_s, since_s = today.isoformat(), since.isoformat() if since else None
    week_end = (today + dt.timedelta(days=WEEK)).isoformat()
    tomorrow_s = (today + dt.timedelta(days=1)).isoformat()

    def old(item: dict[str, Any]) -> bool:
        due = item["due"]
        return bool(since_s and due and due < since_s and due < today_s)

    out: dict[str, Any] = {part: [] for part in PARTS}
    grouped: dict[str, dict[str, Any]] = {}
    for item in mine + others:
        if old(item):
            g = grouped.setdefault(item["case_id"], {"case_id": item["case_id"],
                                                     "state": item.get("state"), "count": 0,
                                                     "first": item["due"], "last": item["due"]})
            g["count"] += 1
            g["first"], g["last"] = min(g["first"], item["due"]), max(g["last"], item["due"])
    for item in mine:
        if old(item):
            continue
        due = item["due"]
        now = due is None or due <= today_s or (item.get("due_at") and due == tomorrow_s)
        key = "now" if now else "week" if due <= week_end else "later"
        out[key].append({**item, "late": bool(due and due < today_s)})
    out["waiting"] = [{**i, "late": bool(i["due"] and i["due"] < today_s)}
                      for i in others if not old(i)]
    for key in ("now", "week", "later", "waiting"):
        out[key].sort(key=lambda i: (i["due"] is None, i["due"] or "", i["case_id"]))
    out["older"] = sorted(grouped.values(), key=lambda g: g["case_id"])
    return out
