"""APScheduler wiring: a periodic sweep and a periodic outbox dispatch, nothing per deadline
(PITFALLS: missed one-off jobs vanish after downtime; several processes on one job store send
everything twice). Correctness with several workers comes from the idempotent, row-locked sweep
and the leased dispatch themselves, not from the scheduler."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from noncoop import clock, config
from noncoop.store import db as store

log = logging.getLogger("noncoop.scheduler")
_unsent: dict[str, str] = {}  # why the last dispatch could not send, if it could not
R = TypeVar("R")


def survives(job: Callable[[], R]) -> Callable[[], R | None]:
    """A job that logs what it could not do and returns None instead of raising: one bad run
    (a database away, a row no code foresaw) is said, and the next run comes at its time
    (DESIGN principle 10)."""
    @functools.wraps(job)
    def run() -> R | None:
        try:
            return job()
        except Exception:
            log.exception("%s failed; it runs again at its next time", job.__name__)
            return None
    return run


@survives
def sweep_job() -> dict[str, Any]:
    from noncoop.sweep import sweep

    with store.session() as db:
        result = sweep(db)
    log.info("sweep as of %s: %d changed, %d notices, %d cases skipped", result["as_of"],
             len(result["changed"]), len(result["notices"]), len(result["skipped"]))
    return result


@survives
def dispatch_job() -> dict[str, Any] | None:
    from noncoop.errors import BadInput
    from noncoop.notify.dispatch import dispatch
    from noncoop.notify.outbox import expand

    with store.session() as db:
        try:
            result = dispatch(db)
        except BadInput as exc:  # no mail server set: notices still become messages, kept
            # Said once, not at every run (every minute): a log that repeats itself is unread.
            level = logging.DEBUG if exc.message == _unsent.get("reason") else logging.WARNING
            _unsent["reason"] = exc.message
            log.log(level, "outbox not sent: %s", exc.message)
            expand(db)
            return None
    _unsent.clear()  # sent again: a later failure is news
    log.info("dispatch: %d notice(s) expanded, %d not, %d sent, %d to retry, %d dead",
             result["expanded"], len(result["unexpanded"]), len(result["sent"]),
             len(result["failed"]), len(result["dead"]))
    return result


def configure(scheduler: BaseScheduler) -> BaseScheduler:
    """The two periodic jobs. A late run still runs, once: the default grace of 1 s would drop
    it silently (PITFALLS); the first run of each is at start, to catch up."""
    every = {"sweep": float(config.scheduler().get("sweep_minutes", 5)),
             "dispatch": float(config.notify()["dispatch_minutes"])}
    for job_id, func in (("sweep", sweep_job), ("dispatch", dispatch_job)):
        scheduler.add_job(func, "interval", minutes=every[job_id], id=job_id, replace_existing=True,
                          coalesce=True, max_instances=1, misfire_grace_time=None,
                          next_run_time=clock.now())
    return scheduler


def run_worker() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    configure(BlockingScheduler(timezone=ZoneInfo("UTC"))).start()
