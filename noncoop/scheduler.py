"""APScheduler wiring: one periodic sweep job, nothing per deadline (PITFALLS: missed one-off
jobs vanish after downtime, several processes on one job store send everything twice).
Correctness with several workers comes from the idempotent, row-locked sweep itself."""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from noncoop import clock, config
from noncoop.store import db as store

log = logging.getLogger("noncoop.scheduler")


def sweep_job() -> dict[str, Any]:
    from noncoop.sweep import sweep

    with store.session() as db:
        result = sweep(db)
    log.info("sweep as of %s: %d changed, %d notices", result["as_of"], len(result["changed"]),
             len(result["notices"]))
    return result


def configure(scheduler: BaseScheduler) -> BaseScheduler:
    minutes = float(config.scheduler().get("sweep_minutes", 5))
    scheduler.add_job(
        sweep_job, "interval", minutes=minutes, id="sweep", replace_existing=True,
        # A late run still runs (once): the default grace of 1 s would drop it silently.
        coalesce=True, max_instances=1, misfire_grace_time=None,
        next_run_time=clock.now(),  # the catch-up sweep at start
    )
    return scheduler


def run_worker() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    configure(BlockingScheduler(timezone=ZoneInfo("UTC"))).start()
