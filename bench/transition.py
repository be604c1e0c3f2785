"""Benchmark: durable steps. Each step records `forward_decision` on a case through
`services.take_step` (load, guard, event, projection, deadline rows, tasks, notices, commit;
not the case shown back), against two baselines in the same run, on the same SQLite settings:
- the bare floor: the bare SQL statements the same step needs (select the case, insert the
  event, update the case and its deadline row and task, one commit) on the same database; the
  target is at most 2x its time;
- the peer: SpiffWorkflow 3 completing one user task of the formal procedure and storing its
  workflow, one commit a step (bench/peer.py, the `bench` extra); the target is at least 5x its
  steps a second. Without SpiffWorkflow its row says it was skipped and why.
Once with each `synchronous` setting (store/db.py). The three run in turns of 50 steps, so that
a machine busy with other work slows each of them alike. The bare statements step cases of
their own, opened alike: on cases already stepped they would rewrite the deadline and task rows
with the values they hold, and leave their indexes be.

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

import peer  # beside this file
from common import kept_environ  # beside this file

from noncoop import services
from noncoop.store import db as store
from noncoop.store.db import SYNCHRONOUS

D = dt.date
TURN = 50  # steps of each in a turn
FLOOR_TARGET, PEER_TARGET = 2.0, 5.0


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Once with each way SQLite can make a commit durable (store/db.py): `full`, the default,
    survives a power cut; `normal` survives the process being killed."""
    n = 300 if quick else 2000
    why_not = peer.missing()
    rows = []
    for synchronous in SYNCHRONOUS:
        ours, bare, theirs = _measure(n, synchronous, with_peer=why_not is None)
        suffix = "" if synchronous == "full" else "_sync_normal"
        rows.append({"name": f"transition{suffix}", "value": n / ours, "unit": "steps/s",
                     "baseline": n / bare, "ratio": ours / bare, "target": FLOOR_TARGET,
                     "bound": "upper",
                     "against": f"bare SQL of the same writes (synchronous={synchronous})"})
        against = f"SpiffWorkflow 3, a user task and its workflow stored (synchronous={synchronous})"
        if theirs is None:
            rows.append({"name": f"transition_vs_spiffworkflow{suffix}", "value": None,
                         "unit": "steps/s", "baseline": None, "ratio": None,
                         "target": PEER_TARGET, "bound": "lower", "against": against,
                         "skipped": why_not})
        else:
            # How many times the peer's steps a second ours make: at least the target.
            rows.append({"name": f"transition_vs_spiffworkflow{suffix}", "value": n / ours,
                         "unit": "steps/s", "baseline": n / theirs, "ratio": theirs / ours,
                         "target": PEER_TARGET, "bound": "lower", "against": against})
    return rows


def _measure(n: int, synchronous: str, with_peer: bool) -> tuple[float, float, float | None]:
    """Seconds for n steps through take_step, for the same writes in bare SQL, and for n steps
    of the peer (None without it), taken in turns."""
    work = Path(tempfile.mkdtemp(prefix="noncoop-bench-step-"))
    url = f"sqlite:///{work / 'steps.db'}"
    bare = theirs = None
    with kept_environ("NONCOOP_SQLITE_SYNCHRONOUS"):
        os.environ["NONCOOP_SQLITE_SYNCHRONOUS"] = synchronous
        try:
            store.upgrade(url)
            with store.session(url) as db:
                ids = [services.open_case(db, state="Mongolia", scenario="7a",
                                          decision_ref=f"d{i}", decision_date=D(2024, 10, 24),
                                          referred_to=["assembly"])["id"]
                       for i in range(2 * n)]
                bare = _Bare(work / "steps.db", synchronous)
                if with_peer:
                    theirs = peer.Peer(work / "peer.db", synchronous)
                ours = floor = spiff = 0.0
                for at in range(0, n, TURN):
                    turn = ids[at:min(at + TURN, n)]
                    start = time.perf_counter()
                    for case_id in turn:
                        services.take_step(db, case_id, "forward_decision", on=D(2024, 10, 25))
                    ours += time.perf_counter() - start
                    floor += bare.steps(ids[n + at:n + at + len(turn)])
                    if theirs is not None:
                        spiff += theirs.steps(len(turn))
        finally:
            for opened in (bare, theirs):
                if opened is not None:
                    opened.close()
            store.get_engine.cache_clear()
            shutil.rmtree(work, ignore_errors=True)
    return ours, floor, spiff if theirs is not None else None


class _Bare:
    """The same writes a step makes, in bare SQL, one durable transaction a step."""

    def __init__(self, path: Path, synchronous: str) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(f"PRAGMA synchronous={synchronous}")
        self._conn.execute("PRAGMA busy_timeout=5000")
        self._conn.execute("PRAGMA foreign_keys=ON")

    def steps(self, ids: list[str]) -> float:
        conn = self._conn
        now = dt.datetime.now(dt.UTC).isoformat()
        start = time.perf_counter()
        for case_id in ids:
            conn.execute("BEGIN IMMEDIATE")
            snapshot, seq, version = conn.execute(
                "SELECT snapshot, last_seq, version FROM cases WHERE id = ?", (case_id,)).fetchone()
            snap = json.loads(snapshot)
            snap["steps"]["forward_decision"] = {"status": "done", "date": "2024-10-25"}
            conn.execute("INSERT INTO events (case_id, seq, kind, at, by, step, \"on\", data) "
                         "VALUES (?, ?, 'step_done', ?, 'bench', 'forward_decision', "
                         "'2024-10-25', '{}')", (case_id, seq + 1, now))
            conn.execute("UPDATE cases SET snapshot = ?, last_seq = ?, version = ? WHERE id = ? "
                         "AND version = ?", (json.dumps(snap), seq + 1, version + 1, case_id, version))
            conn.execute("UPDATE deadlines SET status = 'met', outstanding = 0 WHERE case_id = ? "
                         "AND step = 'forward_decision'", (case_id,))
            conn.execute("UPDATE tasks SET status = 'done' WHERE case_id = ? AND step = "
                         "'forward_decision'", (case_id,))
            conn.execute("COMMIT")
        return time.perf_counter() - start

    def close(self) -> None:
        self._conn.close()


if __name__ == "__main__":
    from common import main  # beside this file

    main(run, __doc__, "300 steps instead of 2,000")
