"""Crash safety (issue 8): the sweep, the dispatcher and the worker are SIGKILLed at random
points, 20 times, and restarted; then one run finishes. Afterwards no event is lost or written
twice, each miss was marked once, each reminder and miss notice exists once, and every message of
every notice reached the mail server (a repeat only of a message in flight, as itself).

The processes are the real commands (`noncoop sweep --as-of`, `noncoop outbox dispatch`,
`noncoop worker`) against the real database and a real SMTP server. Each is stopped by the
kill-point hook (noncoop/store/killpoint.py) at a unit of work the seed chooses (NONCOOP_TEST_SEED
repeats a run), inside its commit (statements sent, not committed) or just after it, and killed
there: the kills land where the record says whatever the machine's load, in every phase
(marking misses, queuing notices, expanding them, sending)."""

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
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from noncoop import audit, clock, people, services
from noncoop.store.codec import to_snapshot
from noncoop.store.killpoint import MODES
from noncoop.store.models import CaseRow, DeadlineRow, EventRow, MessageRow, NoticeRow

pytestmark = pytest.mark.slow  # processes started, killed and restarted

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
    """Starts the commands, stops each at the commit the seed chose (noncoop/store/killpoint.py:
    the process writes where it stands into a file and waits), kills it there, and keeps the
    record of what each kill interrupted. Where a kill lands depends on the seed alone, never on
    how fast the machine is."""

    def __init__(self, url: str, env: dict[str, str], mail: Any, seed: int, tmp: Path) -> None:
        self.url, self.env, self.mail, self.tmp = url, env, mail, tmp
        self.rng = random.Random(seed)
        self.engine = sa.create_engine(url)
        self.record: list[dict[str, Any]] = []
        self.units: dict[str, int] = {}  # kind: the fewest commits that write seen in a run

    def counts(self) -> dict[str, int]:
        """What is committed so far, and the mail received."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.text(
                "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM notices),"
                " (SELECT count(*) FROM outbox),"
                " (SELECT count(*) FROM outbox WHERE status = 'sent')")).one()
        return {"events": row[0], "notices": row[1], "messages": row[2], "sent": row[3],
                "mails": len(self.mail.inbox.messages)}

    def sends(self) -> int:
        """The fewest units of work a dispatch has now: one for expanding the queued notices
        (each becomes one message here or more), then a claim and a send for each message."""
        with self.engine.connect() as conn:
            queued = conn.execute(select(sa.func.count()).select_from(NoticeRow)
                                  .where(NoticeRow.status == "queued")).scalar_one()
            due = conn.execute(select(sa.func.count()).select_from(MessageRow).where(
                MessageRow.status == "pending",
                col(MessageRow.next_attempt_at) <= clock.now())).scalar_one()
        return (1 if queued else 0) + 2 * (queued + due)

    def start(self, args: list[str], **env: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "noncoop.cli", *args],
                                env={**self.env, **env}, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def calibrate(self, kind: str, args: list[str]) -> None:
        """One uninterrupted run: how many units of work (commits that write) it has."""
        log = self.tmp / f"calibrate-{kind}.log"
        out, err = (proc := self.start(args, NONCOOP_TEST_COMMIT_LOG=str(log))).communicate()
        assert proc.returncode == 0, (args, out, err)
        self.units[kind] = _lines(log)
        print(f"calibration {kind}: {self.units[kind]} commits that write")

    def kill_at(self, kind: str, args: list[str], mode: str) -> None:
        """Start the command, let it stop `inside` (statements sent, not committed) or
        `between` (just committed) its n-th unit of work, n drawn from the units the lightest
        run of this kind had, and SIGKILL it there. A run with fewer units than n ends by
        itself: recorded as such (the assertions at the end say how many must be killed)."""
        n = self.rng.randint(1, max(1, self.units[kind] if kind != "dispatch" else self.sends()))
        trial = len(self.record) + 1
        marker, log = self.tmp / f"pause-{trial}", self.tmp / f"commits-{trial}.log"
        base = self.counts()
        proc = self.start(args, NONCOOP_TEST_PAUSE=f"{mode}:{n}",
                          NONCOOP_TEST_PAUSE_FILE=str(marker), NONCOOP_TEST_COMMIT_LOG=str(log))
        reached = _wait_for(marker, proc)
        done = {k: v - base[k] for k, v in self.counts().items()}
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        out, err = proc.communicate()
        if reached:
            assert marker.read_text(encoding="utf-8").strip() == f"{mode}:{n}", marker
        else:
            assert proc.returncode == 0, (args, out, err)
            self.units[kind] = min(self.units[kind], _lines(log))
        self.record.append({"kind": kind, "mode": mode, "unit": n, "alive": reached,
                            "progress_before_kill": sum(done.values())})
        print(f"trial {trial:2}: {kind:8} {mode:7} unit {n:3} "
              f"{'killed there' if reached else '(had ended before it)'}; before: "
              + (", ".join(f"{v} {k}" for k, v in done.items() if v) or "nothing"))


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


def _wait_for(marker: Path, proc: subprocess.Popen[str]) -> bool:
    """Whether the process reached its stopping point (True) or ended first (False). The limit
    is only there so that a broken hook fails the test instead of hanging it."""
    limit = time.monotonic() + 600
    while time.monotonic() < limit:
        if marker.exists() and marker.read_text(encoding="utf-8").endswith("\n"):
            return True
        if proc.poll() is not None:
            return marker.exists()
        time.sleep(0.01)
    raise AssertionError(f"no stop and no end in 600 s: {proc.args}")


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
                                                                      settings_file, tmp_path):
    seed = int(os.environ.get("NONCOOP_TEST_SEED") or random.SystemRandom().randrange(10**6))
    print(f"seed {seed} (NONCOOP_TEST_SEED={seed} repeats the kill points)")
    began = time.monotonic()
    today = clock.today()
    env = {**os.environ, "NONCOOP_DATABASE_URL": database_url,
           "NONCOOP_CONFIG": str(settings_file(SETTINGS))}
    trials = Trials(database_url, env, mail, seed, tmp_path)
    _populate(db, today)
    print(f"{N_CASES} cases opened in {time.monotonic() - began:.1f} s")
    started = time.monotonic()

    as_of = today - dt.timedelta(days=155)
    trials.calibrate("sweep", ["sweep", "--as-of", as_of.isoformat()])
    trials.calibrate("dispatch", ["outbox", "dispatch"])
    # A worker never ends: it is stopped within the least work a trial gives it (the misses of
    # the findings opened before it, their notices and messages).
    trials.units["worker"] = 4
    for n in range(CYCLES):
        as_of += dt.timedelta(days=SWEEP_DAYS)
        trials.kill_at("sweep", ["sweep", "--as-of", as_of.isoformat()], MODES[n % 2])
        trials.kill_at("dispatch", ["outbox", "dispatch"], MODES[(n + 1) % 2])
    for n in range(WORKER_TRIALS):  # the worker sweeps as of today: after the dated sweeps
        _open_overdue(db, today - dt.timedelta(days=30), 20, N_LATE)
        trials.kill_at("worker", ["worker"], MODES[n % 2])
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

    # The kills were real, and fell both inside and between units of work of each command.
    assert len(trials.record) == 2 * CYCLES + WORKER_TRIALS == 20
    assert all(t["alive"] for t in trials.record if t["kind"] == "worker"), trials.record
    assert len(killed) >= 16, trials.record
    for kind in ("sweep", "dispatch", "worker"):
        for mode in MODES:
            assert any(t["kind"] == kind and t["mode"] == mode for t in killed), \
                f"no kill of {kind} {mode} a unit of work: {trials.record}"


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


def test_the_kill_point_hook_counts_only_commits_that_write(database_url, tmp_path, monkeypatch):
    """The units of work the crash test chooses among are commits that change something: a
    commit after reads only is not one, on either database."""
    from noncoop.store import killpoint

    log = tmp_path / "commits.log"
    monkeypatch.setenv("NONCOOP_TEST_COMMIT_LOG", str(log))
    engine = sa.create_engine(database_url)
    killpoint.install(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT count(*) FROM cases")).scalar_one()
    assert _lines(log) == 0
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE killpoint_probe (n integer)"))
        conn.execute(sa.text("INSERT INTO killpoint_probe VALUES (1)"))
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT n FROM killpoint_probe")).all()
    assert _lines(log) == 1
    engine.dispose()
    with monkeypatch.context() as m:  # a mistyped point is refused, not ignored
        m.setenv("NONCOOP_TEST_PAUSE", "during:1")
        with pytest.raises(ValueError, match="inside:N or between:N"):
            killpoint.install(sa.create_engine(database_url))
