"""The scheduler's wiring, and two workers sweeping one database at once."""

import datetime as dt
import json
import os
import subprocess
import sys
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import select

from noncoop import services
from noncoop.scheduler import configure
from noncoop.store.models import NoticeRow

D = dt.date


def test_a_periodic_sweep_and_dispatch_that_never_drop_a_late_run(database_url):
    scheduler = configure(BackgroundScheduler(timezone=ZoneInfo("UTC")))
    jobs = {j.id: j for j in scheduler.get_jobs()}
    assert sorted(jobs) == ["dispatch", "sweep"]
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time is None
    assert jobs["sweep"].trigger.interval == dt.timedelta(minutes=5)
    assert jobs["dispatch"].trigger.interval == dt.timedelta(minutes=1)


def test_two_workers_never_queue_the_same_notice_twice(db, database_url):
    for n in range(30):
        case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref=f"d{n}",
                                  decision_date=D(2024, 10, 24), referred_to=["assembly"])
        services.act(db, case["id"], "open_letter", on=D(2024, 10, 28),
                     params={"action": "send"})
    env = {**os.environ, "NONCOOP_DATABASE_URL": database_url}
    cmd = [sys.executable, "-m", "noncoop.cli", "sweep", "--as-of", "2024-12-04", "--json"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    results = [json.loads(out) for out, _ in outs]
    told = [(n["case_id"], n["step"], n["kind"]) for r in results for n in r["notices"]]
    assert len(told) == len(set(told))  # nothing twice between the two workers
    missed = [c for r in results for c in r["changed"]]
    assert len(missed) == len({(c["case_id"], c["step"], c["kind"]) for c in missed})
    rows = db.exec(select(NoticeRow)).all()
    assert len(rows) == len(told)
    # Every case has its letter's reply missed exactly once.
    assert sum(1 for c in missed if c["kind"] == "reply") == 30


def _table_away(database_url, table, away=True):
    """A database a run cannot use: one of its tables is not there (renamed, and back)."""
    import sqlalchemy as sa

    from noncoop.store import db as store

    old, new = (table, f"{table}_away") if away else (f"{table}_away", table)
    store.get_engine(database_url).dispose()
    with store.get_engine(database_url).begin() as conn:
        conn.execute(sa.text(f"ALTER TABLE {old} RENAME TO {new}"))


def test_a_sweep_that_fails_is_logged_and_the_next_run_still_sweeps(db, database_url, caplog):
    import logging

    from noncoop.scheduler import sweep_job

    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="d",
                              decision_date=D(2024, 10, 24), referred_to=["assembly"])
    db.close()
    caplog.set_level(logging.INFO, logger="noncoop.scheduler")
    _table_away(database_url, "deadlines")
    assert sweep_job() is None  # said, not raised: the scheduler keeps its schedule
    failed = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failed) == 1 and "sweep_job failed" in failed[0].getMessage()
    assert failed[0].exc_info is not None
    _table_away(database_url, "deadlines", away=False)
    result = sweep_job()
    assert {c["case_id"] for c in result["changed"]} == {case["id"]}


def test_a_dispatch_that_fails_is_logged_and_the_next_run_still_sends(db, database_url, mail,
                                                                     caplog):
    import logging

    from noncoop import people
    from noncoop.scheduler import dispatch_job

    people.add_person(db, name="Bureau member", email="bureau@example.org", role="bureau",
                      active_from=D(2024, 1, 1))
    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="d",
                              decision_date=D(2024, 10, 24), referred_to=["assembly"])
    services.act(db, case["id"], "emergency_bureau_meeting", on=D(2024, 10, 29))
    db.close()
    caplog.set_level(logging.INFO, logger="noncoop.scheduler")
    _table_away(database_url, "outbox")
    assert dispatch_job() is None
    failed = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failed) == 1 and "dispatch_job failed" in failed[0].getMessage()
    assert mail.inbox.messages == []
    _table_away(database_url, "outbox", away=False)
    assert len(dispatch_job()["sent"]) == 1
    assert [r for rcpts, _ in mail.inbox.messages for r in rcpts] == ["bureau@example.org"]
