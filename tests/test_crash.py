"""Crash safety (issue 8): the sweep, the dispatcher and the worker are SIGKILLed at random
points, 20 times, and restarted; then one run finishes. Afterwards no event is lost or written
twice, each miss was marked once, each reminder and miss notice exists once, and every message of
every notice reached the mail server (a repeat only of a message in flight, as itself).

The processes are the real commands (`noncoop sweep --as-of`, `noncoop outbox dispatch`,
`noncoop worker`) against the real database and a real SMTP server. Kill points are seeded
(NONCOOP_TEST_SEED repeats a run): half fall at a random instant of the run time measured in an
uninterrupted calibration run of the same command, half at a random instant after the process
was seen to commit its first work (an event, a notice or a message), so that kills land in
every phase: start-up, marking misses, queuing notices, expanding them, sending."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from noncoop import audit, clock, people, services
from noncoop.store.codec import to_snapshot
from noncoop.store.models import CaseRow, DeadlineRow, EventRow, MessageRow, NoticeRow

ROOT = Path(__file__).resolve().parents[1]
N_CASES = 80  # three overdue deadlines each (forward, press release, emergency meeting)
N_LETTERS = 10  # of them with an open letter whose reply is due in five days: reminders
N_LATE = 4  # findings recorded before each worker trial, while the worker is down
SWEEP_DAYS = 16  # each sweep trial sweeps this many days further
CYCLES = 8  # sweep trials and dispatch trials each; then the worker trials
WORKER_TRIALS = 4
SETTINGS = """\
notify: {batch: 100000, lease_seconds: 1, dispatch_minutes: 0.01}
scheduler: {sweep_minutes: 0.02}
"""


def _populate(db: Any, today: dt.date) -> None:
    for name, email, role, lang in [
            ("Office of the President", "president.office@example.org", "president_office", "en"),
            ("Secretariat", "secretariat@example.org", "secretariat", "fr")]:
        people.add_person(db, name=name, email=email, role=role, lang=lang,
                          active_from=today - dt.timedelta(days=400))
    ids = _open_overdue(db, today - dt.timedelta(days=170), 163, N_CASES)  # the last a week ago
    for case_id in ids[:N_LETTERS]:  # decided months ago: the letters come after the decisions
        services.act(db, case_id, "open_letter", on=today - dt.timedelta(days=25),
                     params={"action": "send", "reply_days": "30"})
    db.close()


def _open_overdue(db: Any, first: dt.date, days: int, n: int) -> list[str]:
    """n findings referred to the Assembly, decided from `first` over `days` days."""
    ids = []
    for i in range(n):
        case = services.open_case(db, state="Mongolia", scenario="7a",
                                  decision_ref=f"ICC-{uuid.uuid4().hex[:8]}",  # one each
                                  referred_to=["assembly"],
                                  decision_date=first + dt.timedelta(days=i * days // n))
        ids.append(case["id"])
    db.close()
    return ids


class Trials:
    """Starts the commands, kills them, and keeps the record of what each kill interrupted."""

    def __init__(self, url: str, env: dict[str, str], mail: Any, seed: int) -> None:
        self.url, self.env, self.mail = url, env, mail
        self.rng = random.Random(seed)
        self.engine = sa.create_engine(url)
        self.record: list[dict[str, Any]] = []
        self.calibrated: dict[str, tuple[float, float]] = {}  # kind: first progress, end

    def counts(self) -> dict[str, int]:
        """What is committed so far, and the mail received."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.text(
                "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM notices),"
                " (SELECT count(*) FROM outbox),"
                " (SELECT count(*) FROM outbox WHERE status = 'sent')")).one()
        return {"events": row[0], "notices": row[1], "messages": row[2], "sent": row[3],
                "mails": len(self.mail.inbox.messages)}

    def start(self, args: list[str]) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "noncoop.cli", *args], env=self.env,
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    def calibrate(self, kind: str, args: list[str]) -> None:
        """One uninterrupted run: when it first committed something, and when it ended."""
        t0, proc = time.monotonic(), self.start(args)
        first, _, _ = self._watch(proc, t0, self.counts(), lambda seen: None)
        end = time.monotonic() - t0
        out, err = proc.communicate()
        assert proc.returncode == 0, (args, out, err)
        self.calibrated[kind] = (first or end, end)
        print(f"calibration {kind}: first commit {first or end:.2f} s, end {end:.2f} s")

    def _watch(self, proc: subprocess.Popen[str], t0: float, base: dict[str, int],
               kill_at: Callable[[float | None], float | None]) -> tuple[float | None, float, bool]:
        """Follow the process until it ends or `kill_at(first commit seen, or None)` (seconds
        after the start) has come: when it first committed, when it was left, if it runs."""
        first = None
        while proc.poll() is None:
            now = time.monotonic() - t0
            if first is None and self.counts() != base:
                first = now
            when = kill_at(first)
            if when is not None and now >= when:
                break
            time.sleep(0.01)
        return first, time.monotonic() - t0, proc.poll() is None

    def kill_at_random(self, kind: str, args: list[str], mode: str) -> None:
        """Start the command and SIGKILL it: `timed` at a random instant of the calibrated run
        time (from late in the start-up, the imports, to the end); `after` at a random instant
        of the calibrated working time once the process was seen to commit its first work (a
        worker with nothing left to do commits nothing: then at the calibrated end). Each run
        that shows when it committed or ended updates the calibration: the load of the machine
        changes."""
        first, end = self.calibrated[kind]
        if mode == "timed":
            delay = self.rng.uniform(first * 0.75, end)
            def kill_at(seen: float | None) -> float | None:
                return delay
        else:
            delay = self.rng.uniform(0.0, max(end - first, 0.3))
            def kill_at(seen: float | None) -> float | None:
                return end + 1 if seen is None else seen + delay
        base, t0 = self.counts(), time.monotonic()
        proc = self.start(args)
        seen, at, alive = self._watch(proc, t0, base, kill_at)
        done = {k: v - base[k] for k, v in self.counts().items()}
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        out, err = proc.communicate()
        if not alive:
            assert proc.returncode == 0, (args, out, err)
        self.calibrated[kind] = ((first + seen) / 2 if seen else first,
                                 end if alive else (end + at) / 2)
        self.record.append({"kind": kind, "mode": mode, "killed_at": round(at, 3),
                            "alive": alive, "progress_before_kill": sum(done.values())})
        print(f"trial {len(self.record):2}: {kind:8} {mode:5} killed at {at:5.2f} s "
              f"{'(running)' if alive else '(had ended)'}; before: "
              + (", ".join(f"{v} {k}" for k, v in done.items() if v) or "nothing"))


def _run(trials: Trials, args: list[str]) -> dict[str, Any]:
    proc = trials.start([*args, "--json"])
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, (args, out, err)
    return json.loads(out)


def _finish(trials: Trials) -> dt.date:
    """Let one run finish: a sweep as of today, then dispatches until nothing is left to send
    (a message in flight at a kill is leased for a second, then sent again). Returns the day
    that sweep ran as of: the workers swept as of the real today too, which may have turned
    since the test began."""
    as_of = dt.date.fromisoformat(_run(trials, ["sweep"])["as_of"])
    time.sleep(1.1)  # the lease of a message in flight at the last kill runs out
    for _ in range(10):
        _run(trials, ["outbox", "dispatch"])
        with trials.engine.connect() as conn:
            left = conn.execute(sa.text(
                "SELECT (SELECT count(*) FROM outbox WHERE status = 'pending')"
                " + (SELECT count(*) FROM notices WHERE status = 'queued')")).scalar_one()
        if not left:
            return as_of
    raise AssertionError("the outbox did not empty in ten dispatches")


def test_killed_sweeps_dispatches_and_workers_lose_and_repeat_nothing(db, database_url, mail,
                                                                      settings_file):
    seed = int(os.environ.get("NONCOOP_TEST_SEED") or random.SystemRandom().randrange(10**6))
    print(f"seed {seed} (NONCOOP_TEST_SEED={seed} repeats the kill points)")
    began = time.monotonic()
    today = clock.today()
    env = {**os.environ, "NONCOOP_DATABASE_URL": database_url,
           "NONCOOP_CONFIG": str(settings_file(SETTINGS))}
    trials = Trials(database_url, env, mail, seed)
    # A first run, before anything is due, meanwhile: the runs measured next start warm.
    warm_up = trials.start(["sweep", "--as-of", (today - dt.timedelta(days=200)).isoformat()])
    _populate(db, today)
    assert warm_up.wait(60) == 0, warm_up.communicate()
    print(f"{N_CASES} cases opened in {time.monotonic() - began:.1f} s")
    started = time.monotonic()

    as_of = today - dt.timedelta(days=155)
    trials.calibrate("sweep", ["sweep", "--as-of", as_of.isoformat()])
    trials.calibrate("dispatch", ["outbox", "dispatch"])
    trials.calibrated["worker"] = (trials.calibrated["sweep"][0], trials.calibrated["dispatch"][1])
    for n in range(CYCLES):
        as_of += dt.timedelta(days=SWEEP_DAYS)
        trials.kill_at_random("sweep", ["sweep", "--as-of", as_of.isoformat()],
                              ("timed", "after")[n % 2])
        trials.kill_at_random("dispatch", ["outbox", "dispatch"], ("after", "timed")[n % 2])
    for n in range(WORKER_TRIALS):  # the worker sweeps as of today: after the dated sweeps
        _open_overdue(db, today - dt.timedelta(days=30), 20, N_LATE)
        trials.kill_at_random("worker", ["worker"], ("timed", "after")[n % 2])
    killed = [t for t in trials.record if t["alive"]]
    print(f"{len(trials.record)} trials, {len(killed)} killed a running process, in "
          f"{time.monotonic() - started:.1f} s")
    finished_on = _finish(trials)
    trials.engine.dispose()
    print(f"finished in {time.monotonic() - started:.1f} s")

    _assert_events_whole(db, finished_on)
    _assert_notices_once(db)
    _assert_every_message_delivered_once(db, mail, killed)
    again = _run(trials, ["sweep", "--as-of", finished_on.isoformat()])
    assert again["changed"] == [] and again["notices"] == [], "a finished sweep left work behind"

    # The kills were real, and fell both between and inside units of work of each command.
    assert len(trials.record) == 2 * CYCLES + WORKER_TRIALS == 20
    assert len(killed) >= 12, trials.record
    for kind in ("sweep", "dispatch"):
        mid = [t for t in killed if t["kind"] == kind and t["progress_before_kill"] > 0]
        assert mid, f"no kill of {kind} landed after it had committed some work: {trials.record}"


def _assert_events_whole(db: Any, as_of: dt.date) -> None:
    """Each case: its chain whole (seq gap-free), its projection what its events rebuild, its
    deadline rows what the projection says, and each miss (as of the last sweep's day) marked
    by exactly one event."""
    verified = audit.verify(db)
    assert verified["ok"], verified
    events: dict[str, list[EventRow]] = defaultdict(list)
    for e in db.exec(select(EventRow).order_by(col(EventRow.case_id), col(EventRow.seq))).all():
        events[e.case_id].append(e)
    rows: dict[str, dict[int, DeadlineRow]] = defaultdict(dict)
    for d in db.exec(select(DeadlineRow)).all():
        rows[d.case_id][d.position] = d
    cases = db.exec(select(CaseRow)).all()
    assert len(cases) == N_CASES + WORKER_TRIALS * N_LATE
    missed_total = 0
    for case in cases:
        mine = events[case.id]
        assert [e.seq for e in mine] == list(range(1, case.last_seq + 1)), case.id
        rebuilt = services.rebuild(db, case.id)
        assert case.snapshot == to_snapshot(rebuilt), f"{case.id}: projection != its events"
        assert sorted(rows[case.id]) == list(range(len(rebuilt.deadlines))), case.id
        marked = Counter(p for e in mine if e.kind == "deadlines_missed"
                         for p in e.data["positions"])
        assert [p for p, n in marked.items() if n > 1] == [], f"{case.id}: a miss marked twice"
        for position, deadline in enumerate(rebuilt.deadlines):
            row = rows[case.id][position]
            assert row.status == deadline.status, f"{case.id}/{position}: row != projection"
            overdue = deadline.due < as_of
            assert deadline.status == ("missed" if overdue else "open"), (case.id, deadline)
            assert marked[position] == (1 if overdue else 0), (case.id, position)
            missed_total += overdue
    assert missed_total >= 3 * len(cases) - 10  # all but a few of the last week's deadlines


def _assert_notices_once(db: Any) -> None:
    """One miss notice for each missed deadline, one reminder for each reminded one, at most
    one digest a person a day; each notice expanded into messages."""
    deadlines = db.exec(select(DeadlineRow)).all()
    notices = db.exec(select(NoticeRow)).all()
    per_deadline = Counter((n.deadline_id, n.kind) for n in notices if n.deadline_id is not None)
    for d in deadlines:
        assert per_deadline[(d.id, "missed")] == (1 if d.status == "missed" else 0), d
        assert d.missed_queued == (d.status == "missed"), d
        assert per_deadline[(d.id, "reminder")] == (1 if d.reminder_queued else 0), d
    assert sum(1 for n in notices if n.kind == "reminder") >= N_LETTERS, "no reminder was sent"
    digests = Counter(n.digest_key for n in notices if n.kind == "digest")
    assert digests and max(digests.values()) == 1, digests
    assert {n.status for n in notices} == {"expanded"}, Counter(n.status for n in notices)
    expanded = {m.notice_id for m in db.exec(select(MessageRow)).all()}
    assert expanded == {n.id for n in notices}, "a notice has no message"


def _assert_every_message_delivered_once(db: Any, mail: Any, killed: list[dict[str, Any]]) -> None:
    """Every message reached the server; a repeat only as itself (its Message-ID), at most one
    a killed dispatcher."""
    messages = {m.message_id: m for m in db.exec(select(MessageRow)).all()}
    assert {m.status for m in messages.values()} == {"sent"}
    received = [(rcpts, m["Message-ID"]) for rcpts, m in mail.inbox.messages]
    ids = Counter(mid for _, mid in received)
    assert set(ids) == set(messages), "a message was lost, or one came from nowhere"
    for rcpts, mid in received:
        assert rcpts == [messages[mid].to_email], (rcpts, mid)
    repeats = sum(ids.values()) - len(ids)
    may_repeat = sum(1 for t in killed if t["kind"] in ("dispatch", "worker"))
    print(f"{len(ids)} messages delivered, {repeats} of them twice (in flight at a kill)")
    assert repeats <= may_repeat, f"{repeats} messages sent twice after {may_repeat} kills"
