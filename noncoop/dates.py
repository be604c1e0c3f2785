"""The dates the procedure can have: none before the Rome Statute entered into force, and none
so far ahead that a deadline counted from it falls off the calendar (9999-12-31 plus a few
business days is no date at all). Every way in (CLI, API, web) refuses others alike."""

from __future__ import annotations

import datetime as dt

from noncoop.errors import BadInput

FIRST_DAY = dt.date(2002, 7, 1)  # the Rome Statute in force (art. 126)
LAST_DAY = dt.date(2199, 12, 31)


def day_problem(day: dt.date) -> str | None:
    """Why `day` cannot be a date of the procedure, or None."""
    if FIRST_DAY <= day <= LAST_DAY:
        return None
    return f"{day} is outside the dates of the procedure ({FIRST_DAY} to {LAST_DAY}): check the year"


def checked(day: dt.date | None, what: str) -> dt.date | None:
    """`day` if it can be a date of the procedure; else bad input naming `what` (an option)."""
    problem = day_problem(day) if day is not None else None
    if problem:
        raise BadInput(f"{what}: {problem}", code="date_out_of_range")
    return day
