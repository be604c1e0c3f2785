"""A hook for the crash test (tests/test_crash.py), so that its kills land where it says.

With NONCOOP_TEST_PAUSE=inside:N the process stops at its N-th commit that writes, after the
statements were sent and before the database commits them; with between:N, right after that
commit, before the process goes on. There it writes the point into NONCOOP_TEST_PAUSE_FILE and
waits to be killed. NONCOOP_TEST_COMMIT_LOG names a file that gets a line per commit that
writes (how many units of work a run has). Nothing is installed unless one of them is set:
an operator never sets them, and a process that has none of them pays nothing."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

PAUSE, PAUSE_FILE, COMMIT_LOG = "NONCOOP_TEST_PAUSE", "NONCOOP_TEST_PAUSE_FILE", "NONCOOP_TEST_COMMIT_LOG"
MODES = ("inside", "between")


def wanted() -> bool:
    return bool(os.environ.get(PAUSE) or os.environ.get(COMMIT_LOG))


def install(engine: sa.Engine) -> None:
    mode, _, n = (os.environ.get(PAUSE) or "").partition(":")
    if mode and (mode not in MODES or not n.isdigit() or int(n) < 1):
        raise ValueError(f"{PAUSE}={mode}:{n}: use inside:N or between:N, N >= 1")
    if mode and not os.environ.get(PAUSE_FILE):
        raise ValueError(f"{PAUSE} is set without {PAUSE_FILE}: the test names the file")
    point = int(n) if mode else 0
    logging.getLogger(__name__).warning("the crash test's kill-point hook is installed (%s)",
                                        os.environ.get(PAUSE) or COMMIT_LOG)
    log = os.environ.get(COMMIT_LOG)
    counted = [0]
    lock = threading.Lock()
    sqlite = engine.dialect.name == "sqlite"

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        if sqlite:  # rows changed on this connection so far: a commit that writes changes it
            conn.info["killpoint_changes"] = _driver(conn).total_changes

    @event.listens_for(engine, "commit")
    def _commit(conn: sa.Connection) -> None:
        if not _writes(conn, sqlite):
            return
        with lock:
            counted[0] += 1
            number = counted[0]
        if log:
            with open(log, "a", encoding="utf-8") as out:
                out.write(f"{number}\n")
        if number != point:
            return
        if mode == "between":
            _driver(conn).commit()  # the unit of work is durable; SQLAlchemy's commit is then empty
        Path(os.environ[PAUSE_FILE]).write_text(f"{mode}:{number}\n", encoding="utf-8")
        while True:  # until the test kills the process
            time.sleep(3600)


def _driver(conn: sa.Connection) -> Any:
    return conn.connection.driver_connection


def _writes(conn: sa.Connection, sqlite: bool) -> bool:
    """Whether the transaction being committed changed anything (reads commit too)."""
    driver = _driver(conn)
    if sqlite:
        return driver.total_changes != conn.info.get("killpoint_changes", 0)
    with driver.cursor() as cur:  # PostgreSQL gives a transaction an id at its first write
        cur.execute("SELECT pg_current_xact_id_if_assigned() IS NOT NULL")
        return bool(cur.fetchone()[0])
