"""The one clock (DESIGN principle 6): code asks here for now; tests freeze it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def now() -> dt.datetime:
    """The current instant, in UTC."""
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's calendar date in Europe/Amsterdam, where the Secretariat works (SPEC "Time")."""
    return now().astimezone(AMSTERDAM).date()
