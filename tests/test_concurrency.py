"""Concurrency: several real processes acting on the same cases at once through
`services.act`. Optimistic locking on the case row must keep every update (none lost), tell each
loser of a race that nothing of its was saved (a Conflict), and keep each case's event sequence
gap-free, its hash chain whole and its projection equal to what its events rebuild.

Issue 8: on PostgreSQL, 8 processes x 200 steps on 20 cases; a smaller run on any database.

The worker processes run this very file (`python tests/test_concurrency.py worker ...`): each
records `engage_state` (a repeatable good-offices step, para 20) on randomly chosen cases with a
unique `summary` token, and prints one JSON line per attempt: ok, conflict or error."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from noncoop import audit, clock, services
from noncoop.errors import Conflict
from noncoop.store import db as store
from noncoop.store.codec import to_snapshot
from noncoop.store.models import CaseRow, EventRow

pytestmark = pytest.mark.slow  # processes racing on the same cases

ROOT = Path(__file__).resolve().parents[1]
STEP = "engage_state"


def _worker(url: str, index: int, cases: list[str], steps: int, seed: int, barrier: Path) -> None:
    """One process: `steps` attempts, each in a fresh session as a request would be."""
    rng = random.Random(seed)
    with store.session(url) as db:  # warm up: imports, connection, workflow files
        services.show_case(db, cases[0])
    (barrier / f"ready-{index}").touch()
    go = barrier / "go"
    while not go.exists():  # every process starts acting at the same moment
        time.sleep(0.002)
    for n in range(steps):
        case_id = rng.choice(cases)
        token = f"w{index}-s{n}"
        line: dict[str, Any] = {"worker": index, "case": case_id, "token": token}
        try:
            with store.session(url) as db:
                services.act(db, case_id, STEP, params={
                    "with": f"Ambassador {index}, Permanent Mission", "channel": "call",
                    "summary": token})
            line["result"] = "ok"
        except Conflict as exc:
            line.update(result="conflict", message=exc.message)
        except Exception as exc:  # anything else is a bug the test reports
            line.update(result="error", message=f"{type(exc).__name__}: {exc}"[:2000])
        print(json.dumps(line), flush=True)


def _open_cases(db: Any, n: int) -> list[str]:
    """n urgent incidents (7(b)), each with the President's good offices active."""
    ids = []
    for i in range(n):
        case = services.open_case(db, state="Mongolia", scenario="7b",
                                  summary=f"Planned visit number {i} of a person under warrant")
        services.act(db, case["id"], "good_offices_activate",
                     params={"court_consulted": clock.today().isoformat()})
        ids.append(case["id"])
    return ids


def _run_workers(url: str, cases: list[str], procs: int, steps: int, seed: int,
                 barrier: Path) -> list[dict[str, Any]]:
    env = {**os.environ, "NONCOOP_DATABASE_URL": url}
    argv = [sys.executable, __file__, "worker", url, ",".join(cases), str(steps)]
    workers = [subprocess.Popen([*argv, str(i), str(seed * 1000 + i), str(barrier)], env=env,
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for i in range(procs)]
    try:
        limit = time.monotonic() + 60
        while len(list(barrier.glob("ready-*"))) < procs:
            dead = [w for w in workers if w.poll() is not None]
            assert not dead, f"a worker died before it started: {dead[0].communicate()}"
            assert time.monotonic() < limit, "the workers did not get ready within 60 s"
            time.sleep(0.02)
        (barrier / "go").touch()
        outs = [w.communicate(timeout=180) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait()
    assert [w.returncode for w in workers] == [0] * procs, [err for _, err in outs]
    lines = [json.loads(line) for out, _ in outs for line in out.splitlines() if line.strip()]
    assert len(lines) == procs * steps, "every attempt reports its result"
    return lines


@pytest.mark.parametrize(("procs", "steps", "n_cases"), [
    pytest.param(8, 200, 20, id="8x200-on-20-cases"),
    pytest.param(4, 40, 3, id="4x40-on-3-cases"),
])
def test_concurrent_steps_lose_nothing_and_every_conflict_is_told(db, database_url, tmp_path,
                                                                  procs, steps, n_cases):
    if procs == 8 and not database_url.startswith("postgresql"):
        pytest.skip("the full run (8 processes x 200 steps) is for PostgreSQL: set "
                    "NONCOOP_TEST_DATABASE_URL=postgresql+psycopg://...; SQLite runs the small one")
    seed = int(os.environ.get("NONCOOP_TEST_SEED") or random.SystemRandom().randrange(10**6))
    print(f"seed {seed} (NONCOOP_TEST_SEED={seed} repeats the choice of cases)")
    cases = _open_cases(db, n_cases)
    opening = {c: db.get(CaseRow, c).last_seq for c in cases}  # case_opened, activation
    db.close()

    lines = _run_workers(database_url, cases, procs, steps, seed, tmp_path)

    errors = [x for x in lines if x["result"] == "error"]
    assert errors == [], f"{len(errors)} attempt(s) failed otherwise than by a conflict: {errors[:3]}"
    ok = [x for x in lines if x["result"] == "ok"]
    conflicts = [x for x in lines if x["result"] == "conflict"]
    print(f"{len(ok)} steps recorded, {len(conflicts)} conflicts")
    assert all("changed by someone else" in x["message"] and "nothing of yours was saved"
               in x["message"] for x in conflicts)

    with db:
        events = db.exec(select(EventRow).order_by(col(EventRow.case_id), col(EventRow.seq))).all()
        recorded: dict[str, list[str]] = defaultdict(list)
        seqs: dict[str, list[int]] = defaultdict(list)
        for e in events:
            seqs[e.case_id].append(e.seq)
            if e.step == STEP:
                recorded[e.case_id].append(e.data["params"]["summary"])
        all_recorded = Counter(t for tokens in recorded.values() for t in tokens)
        # No lost update: every success is exactly one event, on the case it was made on...
        assert [t for t, n in all_recorded.items() if n > 1] == [], "a step was stored twice"
        for case_id in cases:
            mine = sorted(x["token"] for x in ok if x["case"] == case_id)
            assert sorted(recorded[case_id]) == mine, f"{case_id}: events differ from successes"
        # ...and a conflict wrote nothing.
        assert not {x["token"] for x in conflicts} & set(all_recorded)
        assert sum(all_recorded.values()) == len(ok)
        for case_id in cases:
            row = db.get(CaseRow, case_id)
            n = opening[case_id] + len(recorded[case_id])
            assert seqs[case_id] == list(range(1, n + 1)), f"{case_id}: gap or duplicate in seq"
            assert row.last_seq == n
            rebuilt = services.rebuild(db, case_id)
            assert row.snapshot == to_snapshot(rebuilt), f"{case_id}: projection != its events"
            count = rebuilt.steps[STEP].count if STEP in rebuilt.steps else 0
            assert count == len(recorded[case_id]), f"{case_id}: the step's count is off"
        verified = audit.verify(db)
        assert verified["ok"], verified
        assert verified["events"] == len(events)
    assert ok, "no step was recorded"
    assert conflicts, "no conflict happened: the test did not exercise the locking"


if __name__ == "__main__" and sys.argv[1:2] == ["worker"]:
    _url, _cases, _steps, _index, _seed, _barrier = sys.argv[2:8]
    _worker(_url, int(_index), _cases.split(","), int(_steps), int(_seed), Path(_barrier))
