"""Computing deadlines from their rules (workflow files) and numbers (config/deadlines.yaml).
Pure: the calendar and the date are passed in. Each result says what it was computed from,
because a deadline must record its anchor (a deadline that forgets it cannot be checked)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from noncoop.business_days import add_business_days
from noncoop.calendar import next_bureau_meeting, next_or_ongoing_session
from noncoop.errors import BadInput

PLACE_NAMES = {"the_hague": "The Hague", "new_york": "New York"}


@dataclass(frozen=True)
class DeadlineRule:
    step: str
    kind: str
    rule: str
    anchor: str  # "decision", "STEP.started", "STEP.done", "travel_information_received"
    met_by: tuple[str, ...]  # what the step's move records: "started", "done", or either
    who: str = "president_office"  # the role told of reminders and misses


def compute(rule: DeadlineRule, numbers: dict[str, Any], anchor_day: dt.date, facts: Any,
            closures: tuple[dt.date, ...] = ()) -> tuple[dt.date, str] | None:
    """The due date and its basis, or None when the calendar cannot tell yet. A due date past
    the end (or before the start) of the calendar is bad input, said as such, not a crash."""
    try:
        return _compute(rule, numbers, anchor_day, facts, closures)
    except OverflowError:
        params = getattr(facts, "params", None) or {}
        given = params.get("reply_days") if rule.rule == "open_letter_reply" else None
        raise BadInput(
            f"the {rule.step} deadline ({rule.kind}) counted from "
            f"{rule.anchor.replace('.', ' ')} on {anchor_day} would fall outside the calendar "
            f"(0001-01-01 to 9999-12-31): check the year of that date"
            + (f" and the reply time (--param reply_days={given}, e.g. 30)" if given else ""),
            code="date_out_of_range") from None


def _compute(rule: DeadlineRule, numbers: dict[str, Any], anchor_day: dt.date, facts: Any,
             closures: tuple[dt.date, ...]) -> tuple[dt.date, str] | None:
    cfg = numbers[rule.rule]
    what = f"{rule.anchor.replace('.', ' ')} on {anchor_day}"
    if "business_days" in cfg:
        n, place = int(cfg["business_days"]), cfg["place"]
        due = add_business_days(anchor_day, n, place, closures)
        return due, f"{what} + {n} business day(s) in {PLACE_NAMES.get(place, place)}"
    if "days" in cfg:
        n = int(facts.params.get("reply_days", cfg["days"])) if rule.rule == "open_letter_reply" \
            else int(cfg["days"])
        return anchor_day + dt.timedelta(days=n), f"{what} + {n} days"
    if "hours" in cfg:
        hours = int(cfg["hours"])
        return anchor_day + dt.timedelta(hours=hours), f"{what} + {hours} hours"
    if "days_before_meeting" in cfg:
        meeting = next_bureau_meeting(facts.bureau_meetings, anchor_day)
        if meeting is None:
            return None
        n = int(cfg["days_before_meeting"])
        return meeting.date - dt.timedelta(days=n), f"Bureau meeting on {meeting.date} - {n} days"
    if "days_before_session" in cfg:
        session = next_or_ongoing_session(facts.sessions, anchor_day)
        if session is None:
            return None
        n = int(cfg["days_before_session"])
        return session.start - dt.timedelta(days=n), f"{session.label} opens - {n} days"
    if cfg.get("at_next_bureau_meeting"):
        meeting = next_bureau_meeting(facts.bureau_meetings, anchor_day + dt.timedelta(days=1))
        if meeting is None:
            return None
        return meeting.date, f"next Bureau meeting after {what}: {meeting.date}"
    raise ValueError(f"deadline rule {rule.rule} has no time limit in config: {cfg}")
