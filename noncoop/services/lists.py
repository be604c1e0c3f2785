"""The cases one may see, a page of them, and what is due."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from noncoop import access, clock
from noncoop.access import ADMIN
from noncoop.domain.deadlines import ends_at
from noncoop.errors import BadInput
from noncoop.services.views import utc_text
from noncoop.store import journal
from noncoop.store.models import CaseRow, DeadlineRow

_LIST = sa.select(*(getattr(journal.CASES.c, k) for k in (
    "id", "requested_state", "region", "scenario", "status", "stage", "decision_ref",
    "decision_date", "travel_date", "assisting", "confidentiality"))).order_by(journal.CASES.c.id)


def list_cases(db: Session, status: str | None = None, by: str = ADMIN, *,
               scenario: str | None = None, region: str | None = None) -> list[dict[str, Any]]:
    """The cases `by` may see, by number, from the case rows' columns: a list of thousands
    parses no snapshot. `scenario` and `region` narrow it."""
    v = access.viewer(db, by)
    query = _filtered(status, scenario, region)
    today = clock.today()
    seen = [(r, s) for r in db.connection().execute(query).all()
            if (s := _sight(db, v, r)) is not None]
    _log_restricted(db, v, seen)
    return [_listed(r, s, today) for r, s in seen]


def _log_restricted(db: Session, v: access.Viewer, seen: list[tuple[Any, str]]) -> None:
    """A list that holds a restricted case is on the access log, once for each such case."""
    logged = [access.log(db, v, r.id, "list", sight, commit=False)
              for r, sight in seen if r.confidentiality == "restricted"]
    if logged:
        db.commit()


def _sight(db: Session, v: access.Viewer, r: Any) -> str | None:
    return access.sight_of_row(db, v, r.id, r.region, r.assisting, r.confidentiality)


def page_of_cases(db: Session, status: str | None = None, by: str = ADMIN, *,
                  scenario: str | None = None, region: str | None = None, page: int = 1,
                  size: int = 100) -> tuple[list[dict[str, Any]], int, int]:
    """Page `page` of `list_cases` (the first or the last one if it lies outside), how many
    cases there are in all, and the page given. When `by` sees every case the database counts
    and pages them, so a page of ten thousand cases reads a hundred rows."""
    v = access.viewer(db, by)
    if not access.sees_every_case(v):  # a focal point's are their region's, a few
        listed = list_cases(db, status, by, scenario=scenario, region=region)
        page = _within(page, len(listed), size)
        return listed[(page - 1) * size:page * size], len(listed), page
    query = _filtered(status, scenario, region)
    conn = db.connection()
    total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    page = _within(page, total, size)
    today = clock.today()
    rows = conn.execute(query.limit(size).offset((page - 1) * size)).all()
    _log_restricted(db, v, [(r, "full") for r in rows])
    return ([_listed(r, "full", today) for r in rows],  # every case: seen in full
            total, page)


def page_count(total: int, size: int) -> int:
    """How many pages of `size` a list of `total` fills: one when it is empty."""
    return max(1, -(-total // size))


def _within(page: int, total: int, size: int) -> int:
    return min(max(page, 1), page_count(total, size))


def _filtered(status: str | None, scenario: str | None, region: str | None) -> sa.Select[Any]:
    if status not in (None, "open", "closed"):
        raise BadInput(f"unknown status {status!r}: use open or closed")
    query, c = _LIST, journal.CASES.c
    for column, value in ((c.status, status), (c.scenario, scenario), (c.region, region)):
        if value:
            query = query.where(column == value)
    return query


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
    v = access.viewer(db, by)
    c = journal.CASES.c
    rows = db.connection().execute(
        sa.select(c.id, c.region, c.assisting, c.confidentiality)).all()
    return sorted({r.region for r in rows if _sight(db, v, r) is not None})


def list_deadlines(db: Session, as_of: dt.date | None = None, case_id: str | None = None,
                   who: str | None = None, by: str = ADMIN) -> list[dict[str, Any]]:
    """What is due: open deadlines and missed ones whose step is still outstanding, by date,
    with the days left on `as_of`; for one case or one person responsible if asked; only of
    the cases `by` may see, and of a Bureau member's cases only the formal ones."""
    as_of = as_of or clock.today()
    v = access.viewer(db, by)
    query = select(DeadlineRow).where(DeadlineRow.outstanding == True)  # noqa: E712
    if case_id is not None:
        access.seen_case(db, by, case_id, "deadlines")  # unknown: an error, not an empty list
        query = query.where(DeadlineRow.case_id == case_id)
    if who is not None:
        query = query.where(DeadlineRow.who == who)
    rows = db.exec(query.order_by(col(DeadlineRow.due), col(DeadlineRow.case_id))).all()
    if not v.sees_all:
        sights = {r.id: _sight(db, v, r) for r in db.exec(
            select(CaseRow.id, CaseRow.region, CaseRow.assisting, CaseRow.confidentiality)
            .where(col(CaseRow.id).in_({d.case_id for d in rows}))).all()}
        rows = [d for d in rows if sights.get(d.case_id) == "full" or (
            sights.get(d.case_id) == "formal" and d.step not in access.INFORMAL_STEPS)]
    return [{"case_id": d.case_id, "step": d.step, "kind": d.kind, "due": d.due.isoformat(),
             "due_at": utc_text(d.due_at or ends_at(d.due)), "status": d.status, "who": d.who,
             "basis": d.basis, "days_left": (d.due - as_of).days,
             # Outstanding: a missed one is as late as the days since its due date.
             "days_late": max((as_of - d.due).days, 0) if d.status == "missed" else None}
            for d in rows]
