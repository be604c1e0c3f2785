"""The Bureau review (/review): the cases one may see, those needing action first, filtered by
status, region, year and "needs action", a page at a time. Which cases need action, and so
their order, is found from the case and deadline rows; only the cases of the page are read in
full (show_case) and drawn: a review of a hundred thousand cases read and drew every one."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from noncoop import access
from noncoop.errors import BadInput
from noncoop.services.lists import rows_seen
from noncoop.services.views import show_case
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


def needing_action(db: Session, sight: dict[str, str], today: dt.date) -> set[str]:
    """Of the open cases of `sight` (case number: how the reader sees it), those with a
    deadline the reader sees still outstanding past its day, or open and falling within WITHIN
    days: what timeline.needs_action says of each case as show_case gives it (a Bureau member
    seeing the formal record sees no deadline of the good offices: access.formal_view)."""
    d = journal.DEADLINES.c
    due = sa.or_(d.due < today,
                 sa.and_(d.status == "open", d.due <= today + dt.timedelta(days=WITHIN)))
    found = db.connection().execute(sa.select(d.case_id, d.step).where(
        d.outstanding == sa.true(), due))
    return {case_id for case_id, step in found if case_id in sight
            and (sight[case_id] == "full" or step not in access.INFORMAL_STEPS)}


def review(db: Session, by: str, today: dt.date, *, status: str = "", region: str = "",
           year: str = "", action: bool = False, page: int = 1,
           size: int = 50) -> dict[str, Any]:
    """Page `page` of the review (a page past the end: the last one): its cases as `by` may
    see each (show_case), those needing action first, then the open ones, each by number;
    with the regions and years of the filters' choices, how many cases the filters keep and
    how many pages they fill, and which cases of the page need action."""
    if year and not re.fullmatch(r"[0-9]{4}", year):
        raise BadInput(f"bad year {year!r}: write it as YYYY, or leave it empty for all")
    v = access.viewer(db, by)
    rows = rows_seen(db, v, status or None)
    regions = sorted({r.region for r, _ in rows})
    years = sorted({y for r, _ in rows if (y := year_of(r.decision_date, r.id)) is not None},
                   reverse=True)
    chosen = [(r, s) for r, s in rows if (not region or r.region == region)
              and (not year or year_of(r.decision_date, r.id) == int(year))]
    open_sight = {r.id: s for r, s in chosen if r.status != "closed"}
    urgent = needing_action(db, open_sight, today)
    if action:
        chosen = [(r, s) for r, s in chosen if r.id in urgent]
    chosen.sort(key=lambda rs: (rs[0].id not in urgent, rs[0].status == "closed", rs[0].id))
    pages = max(1, math.ceil(len(chosen) / size))
    page = min(page, pages)
    start = (page - 1) * size
    shown = [show_case(db, r.id, by=by) for r, _ in chosen[start:start + size]]
    return {"cases": shown, "urgent": urgent & {c["id"] for c in shown}, "regions": regions,
            "years": years, "count": len(chosen), "page": page, "pages": pages,
            "first": start + 1 if shown else 0, "last": start + len(shown)}
