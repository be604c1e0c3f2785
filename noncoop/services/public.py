"""What anyone may read without signing in (para 13): the Court's findings referred to the
Assembly, a page at a time, and the President's press releases. Nothing above `public`."""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from noncoop.store import journal
from noncoop.store.models import LetterRow

RELEASES = 100  # the newest press releases the page and the feed carry

_C = journal.CASES.c
# A finding referred to the Assembly is a 7(a) case: a case is 7(a) exactly when the Assembly
# has it (domain/case.py: opened so, or `referred_to_assembly` later).
_FINDINGS = sa.select(_C.id).where(_C.scenario == "7a")
_SHOWN = sa.select(_C.id, _C.requested_state, _C.decision_ref, _C.decision_date, _C.status,
                   _C.snapshot)


def findings(db: Session, page: int = 1, size: int = 100) -> dict[str, Any]:
    """Page `page` of the findings, the newest decision first (a page past the end: the last
    one), with how many there are and how many pages they fill. Those without a decision date
    (referred without one) come after all dated ones, on every server alike. Each part is
    read in the order of ix_cases_findings: a page deep in the list costs a walk of the
    index, not a sort of every finding, and only the page's rows are read (PostgreSQL would
    read each row it skips: 140 ms for the 250th page at 100,000 cases)."""
    conn = db.connection()
    dated = _FINDINGS.where(_C.decision_date.is_not(None)).order_by(
        _C.decision_date.desc(), _C.id.desc())
    undated = _FINDINGS.where(_C.decision_date.is_(None)).order_by(_C.id.desc())
    n_dated, n_undated = (conn.execute(sa.select(sa.func.count()).select_from(
        q.order_by(None).subquery())).scalar_one() for q in (dated, undated))
    count = n_dated + n_undated
    pages = max(1, math.ceil(count / size))
    page = min(page, pages)
    start = (page - 1) * size
    ids = list(conn.scalars(dated.offset(start).limit(size))) if start < n_dated else []
    if len(ids) < size:
        ids += conn.scalars(undated.offset(max(0, start - n_dated)).limit(size - len(ids)))
    found = {r.id: r for r in conn.execute(_SHOWN.where(_C.id.in_(ids)))} if ids else {}
    rows = [found[i] for i in ids]
    return {"findings": [_finding(r) for r in rows], "count": count, "page": page,
            "pages": pages, "first": start + 1 if rows else 0, "last": start + len(rows)}


def _finding(row: Any) -> dict[str, Any]:
    snapshot = row.snapshot
    return {"state": row.requested_state, "decision_ref": row.decision_ref,
            "decision_date": row.decision_date, "chamber": snapshot.get("chamber"),
            "status": row.status, "outcome": snapshot.get("outcome")}


def press_releases(db: Session) -> list[LetterRow]:
    """The newest issued press releases (RELEASES of them), newest first."""
    return list(db.exec(select(LetterRow).where(LetterRow.template == "press_release")
                        .order_by(col(LetterRow.issued_at).desc(), col(LetterRow.id).desc())
                        .limit(RELEASES)).all())
