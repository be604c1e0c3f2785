"""The Bureau review (/review): the cases one may see, those needing action first, filtered by
status, region, year and "needs action", a page at a time. Which cases need action, and so
their order, is found from the case and deadline rows; only the cases of the page are read in
full (show_cases) and drawn: a review of a hundred thousand cases read and drew every one."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from noncoop import access, states
from noncoop.domain.case import NUMBER_PREFIX
from noncoop.errors import BadInput
from noncoop.services.lists import check_status, regions_seen
from noncoop.services.views import show_cases
from noncoop.store import journal

WITHIN = 30  # days ahead in which a deadline makes an open case need action
_NUMBER_YEAR = re.compile(r"-(\d{4})-")  # the year in a case number, NC-2024-001


def year_of(decision_date: dt.date | None, case_id: str) -> int | None:
    """The year of a case for the filter: its decision's, or without one the year in its
    number (the year it was opened)."""
    if decision_date is not None:
        return decision_date.year
    found = _NUMBER_YEAR.search(case_id)
    return int(found.group(1)) if found else None


def needing_action(db: Session, sight: dict[str, str], today: dt.date) -> dict[str, dt.date]:
    """Of the open cases of `sight` (case number: how the reader sees it), those with a
    deadline the reader sees still outstanding past its day, or open and falling within WITHIN
    days (what timeline.needs_action says of each case as show_case gives it: a Bureau member
    seeing the formal record sees no deadline of the good offices, access.formal_view), each
    with the earliest due date of those deadlines."""
    d = journal.DEADLINES.c
    found = db.connection().execute(sa.select(d.case_id, d.step, d.due).where(
        d.outstanding == sa.true(), _due(today)))
    return _earliest((case_id, due) for case_id, step, due in found if case_id in sight
                     and (sight[case_id] == "full" or step not in access.INFORMAL_STEPS))


def _earliest(found: Iterable[Any]) -> dict[str, dt.date]:
    """Each case of (case, due date) pairs with its earliest date."""
    first: dict[str, dt.date] = {}
    for case_id, due in found:
        first[case_id] = min(due, first.get(case_id, due))
    return first


def _due(today: dt.date) -> sa.ColumnElement[bool]:
    # An outstanding deadline past its day, or open and falling within WITHIN days: a range
    # of ix_deadlines_outstanding_due.
    d = journal.DEADLINES.c
    return sa.and_(d.due <= today + dt.timedelta(days=WITHIN),
                   sa.or_(d.due < today, d.status == "open"))


COUNTED = 1_000  # the review counts its cases up to this many, and says "more" beyond


def review(db: Session, by: str, today: dt.date, *, status: str = "", region: str = "",
           year: str = "", action: bool = False, page: int = 1,
           size: int = 50) -> dict[str, Any]:
    """Page `page` of the review (a page past the end: the last one): its cases as `by` may
    see each (show_case), those needing action first (the earliest due first), then the open
    ones, then the closed, each by number; with the regions and years of the cases `by` may
    see (the filters' choices), how many cases the filters keep (up to COUNTED: `more`
    beyond) and how many pages they fill (None beyond COUNTED: `further` says whether a page
    follows), and which cases of the page need action. The database finds the cases needing
    action from their outstanding deadlines and walks the others by case number to the page:
    a page of a hundred thousand cases reads the page's cases and counts no more than
    COUNTED."""
    if year and not re.fullmatch(r"[0-9]{4}", year):
        raise BadInput(f"bad year {year!r}: write it as YYYY, or leave it empty for all")
    check_status(status)
    v = access.viewer(db, by)
    c, d = journal.CASES.c, journal.DEADLINES.c
    seen = [w for w in (access.sees_where(v),) if w is not None]
    kept = [*seen, *([c.region == region] if region else []),
            *([_in_year(int(year))] if year else [])]
    # Needing action: an open case with a deadline the reader sees (as its step, access.py)
    # outstanding and due: what timeline.needs_action says of each case shown. Found from the
    # deadlines (few are due at once), not asked of every case.
    due = sa.and_(d.outstanding == sa.true(), _due(today))
    step_seen = [w for w in (access.step_seen_where(v, d.step),) if w is not None]  # of c
    conn = db.connection()
    # The most pressing first: by the earliest due date of their deadlines needing action,
    # then by number. Ordered here, not by the database: asked for them in order (or grouped),
    # SQLite read every deadline in case order rather than the few due along
    # ix_deadlines_outstanding_due.
    first = {} if status == "closed" else _earliest(conn.execute(
        sa.select(d.case_id, d.due).where(due, sa.exists().where(
            c.id == d.case_id, c.status != "closed", *kept, *step_seen))))
    urgent = sorted(first, key=lambda case_id: (first[case_id], case_id))
    # The parts after them, in order, each walked by case number.
    needs = sa.exists().where(d.case_id == c.id, due, *step_seen)
    rest = [] if action else [w for s, w in (
        ("open", sa.and_(c.status != "closed", ~needs)),
        ("closed", c.status == "closed")) if status in ("", s)]
    counted = _count(conn, kept, status, action, urgent, COUNTED + 1)
    more = counted > COUNTED
    pages = None if more else max(1, math.ceil(counted / size))
    page = page if pages is None else min(page, pages)
    ids = _walk(conn, urgent, [sa.and_(*kept, w) for w in rest], (page - 1) * size, size + 1)
    further, ids = len(ids) > size, ids[:size]
    if not ids and page > 1:  # past the end of a list too long to count: go to its end
        last = max(1, math.ceil(_count(conn, kept, status, action, urgent, None) / size))
        return review(db, by, today, status=status, region=region, year=year, action=action,
                      page=last, size=size)
    start = (page - 1) * size
    # The year and the region asked stay among the choices, so that the filters show them even
    # when no case of theirs is the reader's (they showed "all" above an empty table); a
    # region only if it is one (states.groups), as the list's filter offers no other.
    years = sorted(set(_years(conn, seen)) | ({int(year)} if year else set()), reverse=True)
    regions = regions_seen(db, v)
    if region in states.groups() and region not in regions:
        regions = sorted([*regions, region])
    choices = {"regions": regions, "years": years}
    # Last: the restricted cases' showing is logged, and committed.
    shown = show_cases(db, ids, by=by)
    return {"cases": shown, "urgent": set(urgent) & set(ids), **choices,
            "count": COUNTED if more else counted, "more": more, "further": further,
            "page": page, "pages": pages, "first": start + 1 if shown else 0,
            "last": start + len(shown)}


def _count(conn: sa.Connection, kept: list[sa.ColumnElement[bool]], status: str, action: bool,
           urgent: list[str], limit: int | None) -> int:
    """How many cases the review holds, up to `limit` (None: all)."""
    if action:
        return len(urgent) if limit is None else min(len(urgent), limit)
    c = journal.CASES.c
    ids = sa.select(c.id).where(*kept, *([c.status == status] if status else [])).limit(limit)
    return conn.scalar(sa.select(sa.func.count()).select_from(ids.subquery())) or 0


def _walk(conn: sa.Connection, first: list[str], parts: list[sa.ColumnElement[bool]],
          start: int, n: int) -> list[str]:
    """The case numbers `start` to `start + n` of the list made of `first`, then of the cases
    of each of `parts` by number. A part is counted only as far as `start`, and only when the
    page begins after it."""
    ids = first[start:start + n]
    skip = max(start - len(first), 0)  # of the parts, how many cases come before the page
    c = journal.CASES.c
    for where in parts:
        if len(ids) == n:
            break
        found = list(conn.scalars(sa.select(c.id).where(where).order_by(c.id).offset(skip)
                                  .limit(n - len(ids))))
        if not found and skip:  # the page begins beyond this part: by how much
            held = conn.scalar(sa.select(sa.func.count()).select_from(
                sa.select(c.id).where(where).limit(skip).subquery())) or 0
            skip -= held
            continue
        ids += found
        skip = 0
    return ids


def _in_year(year: int) -> sa.ColumnElement[bool]:
    """year_of(...) == year, as a condition on the case rows."""
    c = journal.CASES.c
    return sa.or_(c.decision_date.between(dt.date(year, 1, 1), dt.date(year, 12, 31)),
                  sa.and_(c.decision_date.is_(None), c.id.like(f"%-{year}-%")))


def _years(conn: sa.Connection, seen: list[sa.ColumnElement[bool]]) -> list[int]:
    """The years (year_of) of the cases one may see, newest first: the dated cases' from their
    decision dates, the others' from their numbers (NC-2024-001). Each year is found from the
    one before along ix_cases_decided, by the first case after it one may see: a few seeks,
    where reading every case to find a dozen years took a second at 100,000 cases."""
    c = journal.CASES.c
    years: set[int] = set()
    for undated in (False, True):
        key = c.id if undated else c.decision_date
        year: int | None = 0
        while year is not None and year < dt.MAXYEAR:
            after = (sa.and_(c.decision_date.is_(None), key >= f"{NUMBER_PREFIX}{year + 1:04d}-")
                     if undated else key >= dt.date(year + 1, 1, 1))
            # In the index's order (decision_date, id) for both: ordered by number alone,
            # PostgreSQL walked every case by its key past the last undated one (80 ms).
            found = conn.scalar(sa.select(key).where(after, *seen)
                                .order_by(c.decision_date, c.id).limit(1))
            year = None if found is None else year_of(None, found) if undated else found.year
            years |= {year} if year is not None else set()
    return sorted(years, reverse=True)
