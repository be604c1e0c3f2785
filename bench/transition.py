"""Benchmark: durable steps. Each step records `forward_decision` on a case through
`services.take_step` (load, guard, event, projection, deadline rows, tasks, notices, commit;
not the case shown back), against the bare SQL statements the same step needs (select the
case, insert the event, update the case and its deadline row and task, one commit) on the same
SQLite file settings, in the same run; once with each `synchronous` setting (store/db.py).
The bare statements step cases of their own, opened alike: on cases already stepped they would
rewrite the deadline and task rows with the values they hold, and leave their indexes be.

    python bench/transition.py [--quick] [--json]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from noncoop import services
from noncoop.store import db as store
from noncoop.store.db import SYNCHRONOUS

D = dt.date


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Once with each way SQLite can make a commit durable (store/db.py): `full`, the default,
    survives a power cut; `normal` survives the process being killed."""
    n = 300 if quick else 2000
    rows = []
    for synchronous in SYNCHRONOUS:
        ours, bare = _measure(n, synchronous)
        rows.append({"name": "transition" if synchronous == "full" else "transition_sync_normal",
                     "value": n / ours, "unit": "steps/s", "baseline": n / bare,
                     "ratio": ours / bare, "target": 3.0,
                     "against": f"bare SQL of the same writes (synchronous={synchronous})"})
    return rows


def _measure(n: int, synchronous: str) -> tuple[float, float]:
    """Seconds for n steps through take_step, and for the same writes in bare SQL."""
    work = Path(tempfile.mkdtemp(prefix="noncoop-bench-step-"))
    url = f"sqlite:///{work / 'steps.db'}"
    before = os.environ.get("NONCOOP_SQLITE_SYNCHRONOUS")
    os.environ["NONCOOP_SQLITE_SYNCHRONOUS"] = synchronous
    try:
        store.upgrade(url)
        with store.session(url) as db:
            ids = [services.open_case(db, state="Mongolia", scenario="7a", decision_ref=f"d{i}",
                                      decision_date=D(2024, 10, 24), referred_to=["assembly"])["id"]
                   for i in range(2 * n)]
            start = time.perf_counter()
            for case_id in ids[:n]:
                services.take_step(db, case_id, "forward_decision", on=D(2024, 10, 25))
            ours = time.perf_counter() - start
        bare = _bare(work / "steps.db", ids[n:], synchronous)
    finally:
        store.get_engine.cache_clear()
        shutil.rmtree(work, ignore_errors=True)
        if before is None:
            os.environ.pop("NONCOOP_SQLITE_SYNCHRONOUS", None)
        else:
            os.environ["NONCOOP_SQLITE_SYNCHRONOUS"] = before
    return ours, bare


def _bare(path: Path, ids: list[str], synchronous: str) -> float:
    """The same writes a step makes, in bare SQL, one durable transaction a step."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA foreign_keys=ON")
    now = dt.datetime.now(dt.UTC).isoformat()
    start = time.perf_counter()
    for case_id in ids:
        conn.execute("BEGIN IMMEDIATE")
        snapshot, seq, version = conn.execute(
            "SELECT snapshot, last_seq, version FROM cases WHERE id = ?", (case_id,)).fetchone()
        snap = json.loads(snapshot)
        snap["steps"]["forward_decision"] = {"status": "done", "date": "2024-10-25"}
        conn.execute("INSERT INTO events (case_id, seq, kind, at, by, step, \"on\", data) VALUES "
                     "(?, ?, 'step_done', ?, 'bench', 'forward_decision', '2024-10-25', '{}')",
                     (case_id, seq + 1, now))
        conn.execute("UPDATE cases SET snapshot = ?, last_seq = ?, version = ? WHERE id = ? AND "
                     "version = ?", (json.dumps(snap), seq + 1, version + 1, case_id, version))
        conn.execute("UPDATE deadlines SET status = 'met', outstanding = 0 WHERE case_id = ? AND "
                     "step = 'forward_decision'", (case_id,))
        conn.execute("UPDATE tasks SET status = 'done' WHERE case_id = ? AND step = "
                     "'forward_decision'", (case_id,))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


if __name__ == "__main__":
    from common import main  # beside this file

    main(run, __doc__, "300 steps instead of 2,000")
