"""Benchmark: durable steps. Each step records `forward_decision` on a case: load, guard,
event, projection, deadline rows, tasks, commit, against the bare SQL statements the same step
needs (select the case, insert the event, update the case and its deadline row and task, one
commit) on the same SQLite file settings, in the same run.

    python bench/transition.py [--quick] [--json]
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from noncoop import services
from noncoop.store import db as store

D = dt.date


def run(quick: bool = False) -> list[dict[str, Any]]:
    n = 300 if quick else 2000
    work = Path(tempfile.mkdtemp(prefix="noncoop-bench-step-"))
    url = f"sqlite:///{work / 'steps.db'}"
    try:
        store.upgrade(url)
        with store.session(url) as db:
            ids = [services.open_case(db, state="Mongolia", scenario="7a", decision_ref=f"d{i}",
                                      decision_date=D(2024, 10, 24), referred_to=["assembly"])["id"]
                   for i in range(n)]
            start = time.perf_counter()
            for case_id in ids:
                services.take_step(db, case_id, "forward_decision", on=D(2024, 10, 25))
            ours = time.perf_counter() - start
        bare = _bare(work / "steps.db", ids)
    finally:
        store.get_engine.cache_clear()
        shutil.rmtree(work, ignore_errors=True)
    return [{"name": "transition", "value": n / ours, "unit": "steps/s", "baseline": n / bare,
             "ratio": ours / bare, "target": 3.0, "against": "bare SQL of the same writes"}]


def _bare(path: Path, ids: list[str]) -> float:
    """The same writes a step makes, in bare SQL, one durable transaction a step."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
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
