"""The engine: SQLite (WAL, busy timeout, foreign keys) by default, PostgreSQL by URL."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from noncoop.store import killpoint

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_URL = "sqlite:///noncoop.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url() -> str:
    return os.environ.get("NONCOOP_DATABASE_URL", DEFAULT_URL)


SYNCHRONOUS = ("full", "normal")


def sqlite_synchronous() -> str:
    """How SQLite makes a commit durable (NONCOOP_SQLITE_SYNCHRONOUS). `full` (the default)
    syncs the log to disk at each commit: a committed step survives a power cut. `normal`
    syncs only at checkpoints: a commit survives the process being killed, but the last ones
    may be lost if the machine loses power; it is several times faster on a slow disk."""
    value = os.environ.get("NONCOOP_SQLITE_SYNCHRONOUS", "full").strip().lower()
    if value not in SYNCHRONOUS:
        raise ValueError(f"NONCOOP_SQLITE_SYNCHRONOUS={value!r}: use full or normal")
    return value


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets readers work beside a writer; busy_timeout waits instead of failing at once.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA synchronous={sqlite_synchronous()}")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


@cache
def get_engine(url: str | None = None) -> sa.Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = sa.create_engine(url, pool_pre_ping=True)
    if killpoint.wanted():  # only ever set by the crash test
        killpoint.install(engine)
    return engine


def session(url: str | None = None) -> Session:
    return Session(get_engine(url), expire_on_commit=False)


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config  # only where the schema is made: not for every command

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None) -> None:
    """Create or migrate the database to the newest schema; safe to run again."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")
