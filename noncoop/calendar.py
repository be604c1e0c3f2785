"""Assembly sessions, Bureau meetings and month arithmetic: pure functions, no database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

SESSION_KINDS = ("regular", "resumed", "special")


@dataclass(frozen=True)
class Session:
    number: int
    kind: str
    start: dt.date
    end: dt.date
    venue: str = ""

    @property
    def label(self) -> str:
        kind = "" if self.kind == "regular" else f" ({self.kind})"
        return f"session {self.number}{kind}, {self.start.isoformat()} to {self.end.isoformat()}"


@dataclass(frozen=True)
class BureauMeeting:
    date: dt.date
    place: str = ""


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the month's end: 30 Nov + 3 months = 28 (or 29) Feb."""
    return day + relativedelta(months=months)


def next_session(sessions: Iterable[Session], after: dt.date) -> Session | None:
    """The first regular, resumed or special session starting after `after` (SPEC "Time")."""
    later = [s for s in sessions if s.start > after]
    return min(later, key=lambda s: (s.start, s.number), default=None)


def next_or_ongoing_session(sessions: Iterable[Session], on: dt.date) -> Session | None:
    """The session that contains `on`, else the next one (para 14(e), para 15)."""
    sessions = list(sessions)
    ongoing = [s for s in sessions if s.start <= on <= s.end]
    if ongoing:
        return min(ongoing, key=lambda s: (s.start, s.number))
    return next_session(sessions, on)


def next_bureau_meeting(meetings: Iterable[BureauMeeting], after: dt.date) -> BureauMeeting | None:
    """The first Bureau meeting on or after `after` (para 14(c): "at the next meeting")."""
    later = [m for m in meetings if m.date >= after]
    return min(later, key=lambda m: m.date, default=None)
