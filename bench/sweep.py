"""Benchmark: one deadline sweep over 100,000 open cases and 500,000 deadlines.

Two sweeps are measured against bare SQL run in the same process on the same database:
- nothing due: the sweep against the bare indexed queries for due rows (the four questions a
  sweep asks: overdue, missed and untold, in the reminder window, outstanding for a digest);
- 1% due (5,000 deadlines missed since the last sweep): the sweep against the bare SQL that does
  the same writes (select the due rows; per row: mark it missed and queue its notice; per case:
  one event and the case row with its projection), and, for reference, against the bare select
  alone.
Peak memory (tracemalloc) is measured in separate runs, so that tracing does not slow the timed
ones. Each 1%-due run works on a fresh copy of the database.

    python bench/sweep.py [--quick] [--json]
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from common import timed  # beside this file

from noncoop.domain.case import Case, Deadline
from noncoop.domain.deadlines import ends_at
from noncoop.store import db as store
from noncoop.store import journal
from noncoop.store.codec import to_snapshot
from noncoop.store.models import CaseRow, DeadlineRow
from noncoop.sweep import sweep, sweep_instant

BASE = dt.date(2030, 1, 7)  # the nothing-due sweep runs on this day
DUE_SOON = BASE + dt.timedelta(days=5)  # the 1% falls due here...
AFTER = BASE + dt.timedelta(days=6)  # ...and the second sweep runs the day after
KINDS = [("forward_decision", "due", "secretariat"), ("press_release", "due", "president_office"),
         ("emergency_bureau_meeting", "convene", "president_office"),
         ("open_letter", "reply", "president_office"), ("bureau_report", "report", "president_office")]
DUE_QUERIES = [
    "SELECT id, case_id, position FROM deadlines WHERE status = 'open' AND due_at <= ?",
    "SELECT id FROM deadlines WHERE status = 'missed' AND missed_queued = 0",
    "SELECT id FROM deadlines WHERE status = 'open' AND reminder_queued = 0 AND remind_from <= ?",
    "SELECT DISTINCT who FROM deadlines WHERE status = 'missed' AND outstanding = 1 "
    "AND missed_on < ?",
]


def populate(url: str, n_cases: int) -> None:
    """n_cases open cases with five deadlines each; every twentieth case's reply falls due soon."""
    store.upgrade(url)
    engine = store.get_engine(url)
    opened = dt.datetime(2029, 12, 1, tzinfo=dt.UTC)
    chunk = 10_000
    with engine.begin() as conn:
        for start in range(0, n_cases, chunk):
            cases, deadlines = [], []
            for i in range(start, min(start + chunk, n_cases)):
                case_id = f"NC-2029-{i:06d}"
                due_days = [30 + (i * 7 + k * 53) % 400 for k in range(len(KINDS))]
                if i % 20 == 0:
                    due_days[3] = 5  # the 1%: 5,000 of 500,000 deadlines
                dls = [Deadline(step=s, kind=k, due=BASE + dt.timedelta(days=d), basis="bench",
                                who=w, remind_from=BASE + dt.timedelta(days=d - 2))
                       for (s, k, w), d in zip(KINDS, due_days, strict=True)]
                case = Case(id=case_id, requested_state="Mongolia", region="Asia-Pacific States",
                            scenario="7a", stage="formal", confidentiality="bureau",
                            referred_to=["assembly"], workflow="formal", workflow_version="2018",
                            decision_ref=f"ICC-bench-{i}", decision_date=dt.date(2029, 11, 30),
                            deadlines=dls)
                cases.append({"id": case_id, **journal.columns(case), "opened_at": opened,
                              "last_seq": 1, "snapshot": to_snapshot(case), "version": 1,
                              "last_hash": ""})
                deadlines += [{"case_id": case_id, "position": p, "step": d.step, "kind": d.kind,
                               "due": d.due, "due_at": ends_at(d.due),
                               "remind_from": d.remind_from, "status": "open",
                               "who": d.who, "basis": d.basis, "missed_on": None,
                               "outstanding": True, "reminder_queued": False,
                               "missed_queued": False} for p, d in enumerate(dls)]
            conn.execute(sa.insert(CaseRow.__table__), cases)  # type: ignore[attr-defined]
            conn.execute(sa.insert(DeadlineRow.__table__), deadlines)  # type: ignore[attr-defined]
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    store.get_engine.cache_clear()


def peak_memory(work: Callable[[], Any]) -> float:
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def _instant(as_of: dt.date) -> str:
    """The instant a sweep as of `as_of` compares with (its start here), as SQLite stores it."""
    return sweep_instant(as_of, dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M:%S.%f")


def bare_due_queries(path: Path, as_of: dt.date) -> Callable[[], None]:
    conn = sqlite3.connect(path)
    day = as_of.isoformat()
    params = [(_instant(as_of),), (), (day,), (day,)]

    def run() -> None:
        for sql, p in zip(DUE_QUERIES, params, strict=True):
            conn.execute(sql, p).fetchall()
    return run


def bare_writes(path: Path, as_of: dt.date) -> None:
    """The same writes as the 1%-due sweep, in bare SQL: no ORM, no domain, no hash chain, in
    one transaction. The case row's projection is rewritten as the sweep rewrites it (the
    snapshot read, its deadlines marked missed, written back under the version check)."""
    conn = sqlite3.connect(path, isolation_level=None)
    now = dt.datetime.now(dt.UTC).isoformat()
    day = as_of.isoformat()
    conn.execute("BEGIN IMMEDIATE")
    rows = conn.execute(DUE_QUERIES[0], (_instant(as_of),)).fetchall()
    missed: dict[str, list[int]] = {}
    for _, case_id, position in rows:
        missed.setdefault(case_id, []).append(position)
    ids, cases = list(missed), []
    for start in range(0, len(ids), 500):  # within SQLite's limit of bound parameters
        chunk = ids[start:start + 500]
        cases += conn.execute(f"SELECT id, snapshot, last_seq, version FROM cases WHERE id IN "
                              f"({', '.join('?' * len(chunk))})", chunk).fetchall()
    updates, events = [], []
    for case_id, snapshot, seq, version in cases:
        snap = json.loads(snapshot)
        for p in missed[case_id]:
            snap["deadlines"][p]["status"] = "missed"
        updates.append((json.dumps(snap), seq + 1, case_id, version))
        events.append((case_id, seq + 1, now, day, json.dumps({"positions": missed[case_id]})))
    conn.executemany("UPDATE cases SET snapshot = ?, last_seq = ?, version = version + 1 "
                     "WHERE id = ? AND version = ?", updates)
    conn.executemany("INSERT INTO events (case_id, seq, kind, at, by, \"on\", data) VALUES "
                     "(?, ?, 'deadlines_missed', ?, 'system:sweep', ?, ?)", events)
    conn.executemany("UPDATE deadlines SET status = 'missed', missed_queued = 1, missed_on = ? "
                     "WHERE id = ?", [(day, i) for i, _, _ in rows])
    conn.executemany("INSERT INTO notices (case_id, deadline_id, step, kind, body, recipients, "
                     "created_at, status) VALUES (?, ?, 'open_letter', 'missed', '{}', "
                     "'[\"president_office\"]', ?, 'queued')", [(c, i, now) for i, c, _ in rows])
    conn.execute("COMMIT")
    conn.close()


def run(quick: bool = False) -> list[dict[str, Any]]:
    n_cases = 10_000 if quick else 100_000
    repeat = 5 if quick else 20
    work = Path(tempfile.mkdtemp(prefix="noncoop-bench-"))
    try:
        pristine = work / "pristine.db"
        populate(f"sqlite:///{pristine}", n_cases)

        def copy(name: str) -> tuple[Path, str]:
            path = work / name
            shutil.copyfile(pristine, path)
            return path, f"sqlite:///{path}"

        path, url = copy("idle.db")
        with store.session(url) as db:
            idle = timed(lambda: sweep(db, BASE), repeat)
            idle_mem = peak_memory(lambda: sweep(db, BASE))
        idle_base = timed(bare_due_queries(path, BASE), repeat)

        path, url = copy("due.db")
        with store.session(url) as db:
            start = time.perf_counter()
            result = sweep(db, AFTER)
            due = time.perf_counter() - start
        assert len(result["changed"]) == n_cases // 20, len(result["changed"])
        path, url = copy("due-mem.db")
        with store.session(url) as db:
            due_mem = peak_memory(lambda: sweep(db, AFTER))
        path, _ = copy("due-bare.db")
        select_base = timed(bare_due_queries(path, AFTER), repeat)
        start = time.perf_counter()
        bare_writes(path, AFTER)
        writes_base = time.perf_counter() - start
    finally:
        store.get_engine.cache_clear()
        shutil.rmtree(work, ignore_errors=True)

    scale = f"{n_cases:,} cases, {n_cases * 5:,} deadlines"
    return [
        {"name": "sweep_nothing_due", "value": idle * 1000, "unit": "ms",
         "baseline": idle_base * 1000, "ratio": idle / idle_base, "target": 3.0,
         "against": "bare indexed SQL queries for due rows", "scale": scale},
        {"name": "sweep_1pct_due", "value": due * 1000, "unit": "ms",
         "baseline": writes_base * 1000, "ratio": due / writes_base, "target": 3.0,
         "against": "bare SQL doing the same writes", "scale": scale},
        {"name": "sweep_1pct_due_vs_select", "value": due * 1000, "unit": "ms",
         "baseline": select_base * 1000, "ratio": due / select_base, "target": None,
         "against": "bare indexed SQL queries for due rows (no writes)", "scale": scale},
        {"name": "sweep_nothing_due_peak_memory", "value": idle_mem, "unit": "MiB",
         "baseline": None, "ratio": None, "target": None, "scale": scale},
        {"name": "sweep_1pct_due_peak_memory", "value": due_mem, "unit": "MiB",
         "baseline": None, "ratio": None, "target": None, "scale": scale},
    ]


if __name__ == "__main__":
    from common import main  # beside this file

    main(run, __doc__, "10,000 cases instead of 100,000")
