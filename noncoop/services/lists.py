"""The cases one may see, a page of them, and what is due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from noncoop import access, clock
from noncoop.access import ADMIN
from noncoop.domain import load_procedure
from noncoop.domain.deadlines import ends_at
from noncoop.errors import BadInput
from noncoop.services.views import utc_text
from noncoop.store import journal
from noncoop.store.models import CaseRow, DeadlineRow

_LIST = sa.select(*(getattr(journal.CASES.c, k) for k in (
    "id", "requested_state", "region", "scenario", "status", "stage", "decision_ref",
    "decision_date", "travel_date", "assisting", "confidentiality",
    "hidden_from_bureau"))).order_by(journal.CASES.c.id)


def list_cases(db: Session, status: str | None = None, by: str = ADMIN, *,
               scenario: str | None = None, region: str | None = None) -> list[dict[str, Any]]:
    """The cases `by` may see, by number, from the case rows' columns: a list of thousands
    parses no snapshot. `scenario` and `region` narrow it."""
    v = access.viewer(db, by)
    today = clock.today()
    seen = rows_seen(db, v, status, scenario=scenario, region=region)
    _log_restricted(db, v, seen)
    return [_listed(r, s, today) for r, s in seen]


def rows_seen(db: Session, v: access.Viewer, status: str | None = None, *,
              scenario: str | None = None, region: str | None = None) -> list[tuple[Any, str]]:
    """The case rows of `list_cases` (their columns, no snapshot), each with how `v` sees the
    case; nothing is logged: the caller logs the restricted cases it shows."""
    return [(r, s) for r in db.connection().execute(_filtered(v, status, scenario, region))
            if (s := _sight(v, r)) is not None]


COUNTED = 10_000  # a list counts its cases up to this many, and says "more" beyond


def _log_restricted(db: Session, v: access.Viewer, seen: list[tuple[Any, str]]) -> None:
    """A list that holds a restricted case is on the access log, once for each such case."""
    logged = [(r.id, sight) for r, sight in seen if r.confidentiality == "restricted"]
    if logged:
        access.log_list(db, v, logged)


CHUNK = 5_000  # case numbers in one IN (...): SQLite takes at most 32,766 values in a statement


def names_of(db: Session, v: access.Viewer, ids: set[str]) -> dict[str, str]:
    """The requested State of each case of `ids` that `v` may see (a page of work names its
    cases), logged as a list is when one of them is restricted."""
    c, seen_where = journal.CASES.c, access.sees_where(v)
    query = sa.select(c.id, c.requested_state, c.region, c.assisting, c.hidden_from_bureau,
                      c.confidentiality).where(*([seen_where] if seen_where is not None else []))
    wanted, found = sorted(ids), []
    for at in range(0, len(wanted), CHUNK):  # a few thousand a query: the servers' limit
        found += db.connection().execute(query.where(c.id.in_(wanted[at:at + CHUNK]))).all()
    seen = [(r, s) for r in found if (s := _sight(v, r)) is not None]
    _log_restricted(db, v, seen)
    return {r.id: r.requested_state for r, _ in seen}


def _sight(v: access.Viewer, r: Any) -> str | None:
    return access.sight_of(v, r.region, r.assisting, r.hidden_from_bureau)


def page_of_cases(db: Session, status: str | None = None, by: str = ADMIN, *,
                  scenario: str | None = None, region: str | None = None,
                  after: str | None = None, before: str | None = None, last: bool = False,
                  size: int = 100) -> dict[str, Any]:
    """A page of `list_cases`, by case number: the first `size` cases, or those just `after` a
    number, just `before` one, or the `last` ones (past either end: the last or the first
    page). With it, how many cases the list holds (`count`, counted up to COUNTED; `more` when
    there are more), and the numbers to ask for the page before it and the one after it (None
    at either end). The database finds the page by an index, whoever asks (the cases he or she
    may see: access.sees_where): a page of a hundred thousand cases reads a page of rows and
    counts no more than COUNTED."""
    if size < 1:
        raise BadInput(f"a page of {size} cases: ask for at least one")
    v = access.viewer(db, by)
    read, show, counted = _indexed(db, v, _filtered(v, status, scenario, region))
    backwards = before is not None or (last and after is None)
    rows = read(after, before, backwards, size + 1)
    further = len(rows) > size  # a case beyond the page, the way it was read
    rows = rows[:size][::-1] if backwards else rows[:size]
    if not rows and (after is not None or before is not None):
        # Past the last case (or before the first): the last (or the first) page.
        return page_of_cases(db, status, by, scenario=scenario, region=region,
                             last=after is not None, size=size)
    first, final = (rows[0].id, rows[-1].id) if rows else ("", "")
    earlier = further if backwards else after is not None and bool(read(None, first, True, 1))
    later = further if not backwards else before is not None and bool(
        read(final, None, False, 1))
    return {"cases": show(rows), "count": min(counted, COUNTED), "more": counted > COUNTED,
            "previous": first if earlier else None, "next": final if later else None}


# read(after, before, descending, limit): the rows between two case numbers, in order;
# show(rows): them as the list shows them; and how many the list holds, up to COUNTED + 1.
Reader = Callable[[str | None, str | None, bool, int], list[Any]]
Source = tuple[Reader, Callable[[list[Any]], list[dict[str, Any]]], int]


def _indexed(db: Session, v: access.Viewer, query: sa.Select[Any]) -> Source:
    """The cases of `query`, in the database: each read is one walk of an index by case
    number."""
    conn, key = db.connection(), journal.CASES.c.id

    def read(after: str | None, before: str | None, descending: bool, limit: int) -> list[Any]:
        q = query.where(*([key > after] if after is not None else []),
                          *([key < before] if before is not None else []))
        return list(conn.execute(q.order_by(None).order_by(key.desc() if descending else key)
                                 .limit(limit)).all())

    def show(rows: list[Any]) -> list[dict[str, Any]]:
        seen = [(r, s) for r in rows if (s := _sight(v, r)) is not None]  # all, by the query
        _log_restricted(db, v, seen)
        today = clock.today()
        return [_listed(r, s, today) for r, s in seen]

    counted = conn.execute(sa.select(sa.func.count()).select_from(
        query.with_only_columns(key).limit(COUNTED + 1).subquery())).scalar_one()
    return read, show, counted


def _filtered(v: access.Viewer, status: str | None, scenario: str | None,
              region: str | None) -> sa.Select[Any]:
    """The list's query: the cases `v` may see, narrowed by the filters given."""
    check_status(status)
    query, c = _LIST, journal.CASES.c
    if (seen := access.sees_where(v)) is not None:
        query = query.where(seen)
    for column, value in ((c.status, status), (c.scenario, scenario), (c.region, region)):
        if value:
            query = query.where(column == value)
    return query


def check_status(status: str | None) -> None:
    """A list's status filter: open, closed, or none (None or empty)."""
    if status not in (None, "", "open", "closed"):
        raise BadInput(f"unknown status {status!r}: use open or closed")


def _listed(r: sa.Row[Any], seen: str | None, today: dt.date) -> dict[str, Any]:
    """A case as the list shows it, to one who has `seen` sight of it (access.sight)."""
    item = {"id": r.id, "state": r.requested_state, "region": r.region,
            "scenario": r.scenario, "status": r.status, "stage": r.stage,
            "decision": {"ref": r.decision_ref, "date": r.decision_date.isoformat()
                         if r.decision_date else None}}
    if seen == "full" and r.travel_date:
        item["travel"] = {"date": r.travel_date.isoformat(),
                          "days_left": (r.travel_date - today).days}
    return item


def case_regions(db: Session, by: str = ADMIN) -> list[str]:
    """The regions of the cases `by` may see, for a filter's choices."""
    return regions_seen(db, access.viewer(db, by))


def regions_seen(db: Session, v: access.Viewer) -> list[str]:
    """`case_regions`, for `v`."""
    conn = db.connection()
    # Each region found by the one after the last, on the region index: five lookups however
    # many cases there are (a recursive query, as SQLite and PostgreSQL both run).
    regions = [r for (r,) in conn.execute(_REGIONS) if r is not None]
    if v.sees_all:
        return regions
    # Then, of each, whether it holds a case `v` may see: a seek of an index for each way he
    # or she may see one, until one says yes; none reads a case row. (Asked as one
    # statement, SQLite would run every seek.)
    return [r for r in regions if any(conn.execute(sa.select(seen)).scalar()
                                      for seen in access.sees_in_region(v, r) or ())]


_REGIONS = sa.text(
    "WITH RECURSIVE found(region) AS (SELECT MIN(region) FROM cases UNION ALL "
    "SELECT (SELECT MIN(region) FROM cases WHERE region > found.region) FROM found "
    "WHERE found.region IS NOT NULL) SELECT region FROM found")


def list_deadlines(db: Session, as_of: dt.date | None = None, case_id: str | None = None,
                   who: str | None = None, by: str = ADMIN) -> list[dict[str, Any]]:
    """What is due: open deadlines and missed ones whose step is still outstanding, by date,
    with the days left on `as_of`; for one case or one person responsible if asked; only of
    the cases `by` may see, and of a Bureau member's cases only the formal ones."""
    as_of = as_of or clock.today()
    v = access.viewer(db, by)
    wanted = [DeadlineRow.outstanding == True]  # noqa: E712
    if case_id is not None:
        access.seen_case(db, by, case_id, "deadlines")  # unknown: an error, not an empty list
        wanted.append(DeadlineRow.case_id == case_id)
    if who is not None:
        # A deadline is held by a role of the workflow's deadlines (`who`), never by a person:
        # any other name would list nothing, as if nothing were due.
        held = sorted({r.who for r in load_procedure().deadline_rules})
        if who not in held:
            raise BadInput(f"unknown --who {who!r}: deadlines are held by a role, one of "
                           f"{', '.join(held)}", code="unknown_role")
        wanted.append(DeadlineRow.who == who)
    by_date = (col(DeadlineRow.due), col(DeadlineRow.case_id))
    if (seen := access.sees_where(v)) is None:
        rows = list(db.exec(select(DeadlineRow).where(*wanted).order_by(*by_date)))
    else:
        # Only the deadlines of the cases `v` may see, found with them; of a case seen
        # formally, only the formal steps'.
        c = journal.CASES.c
        found = db.exec(select(DeadlineRow, c.region, c.assisting, c.hidden_from_bureau)
                        .join(CaseRow, col(CaseRow.id) == DeadlineRow.case_id)
                        .where(seen, *wanted).order_by(*by_date))
        rows = [d for d, *r in found if (s := access.sight_of(v, *r)) == "full"
                or (s == "formal" and d.step not in access.INFORMAL_STEPS)]
    return [{"case_id": d.case_id, "step": d.step, "kind": d.kind, "due": d.due.isoformat(),
             "due_at": utc_text(d.due_at or ends_at(d.due)), "status": d.status, "who": d.who,
             "basis": d.basis, "days_left": (d.due - as_of).days,
             # Outstanding: a missed one is as late as the days since its due date.
             "days_late": max((as_of - d.due).days, 0) if d.status == "missed" else None}
            for d in rows]
