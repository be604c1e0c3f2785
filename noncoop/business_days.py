"""Business days of the place that acts (SPEC "Time"): The Hague for the President and the
Secretariat, New York for the New York Working Group; weekends, public holidays (the
`holidays` library) and closures listed in config are skipped."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import holidays

# Where each place's public holidays come from.
PLACES = {"the_hague": ("NL", None), "new_york": ("US", "NY")}


# A `holidays` calendar fills a year in on first use, marking the year done before it is and
# keeping the year being filled on the object: two threads (the web app's workers, the
# scheduler) meeting a new year at once got wrong answers and left wrong holidays in the
# shared calendar. Every look-up goes through this lock.
_LOCK = threading.Lock()


@cache
def _calendar(place: str) -> holidays.HolidayBase:
    if place not in PLACES:
        raise KeyError(f"unknown place {place!r}: use one of {', '.join(PLACES)}")
    import holidays  # its country modules cost a tenth of a second: only when a date is counted

    country, subdiv = PLACES[place]
    return holidays.country_holidays(country, subdiv=subdiv)


def is_holiday(day: dt.date, place: str) -> bool:
    """A public holiday of `place` (safe to ask from several threads)."""
    calendar = _calendar(place)
    with _LOCK:
        return day in calendar


def is_business_day(day: dt.date, place: str, closures: Iterable[dt.date] = ()) -> bool:
    return day.weekday() < 5 and not is_holiday(day, place) and day not in set(closures)


def add_business_days(day: dt.date, n: int, place: str,
                      closures: Iterable[dt.date] = ()) -> dt.date:
    """The n-th business day after `day` ("without delay" = 1 business day, para 13)."""
    if n < 0:
        raise ValueError("n must not be negative")
    closed = frozenset(closures)
    while n:
        day += dt.timedelta(days=1)
        if is_business_day(day, place, closed):
            n -= 1
    return day
