"""Fixtures: a real database per test, SQLite file by default, PostgreSQL when
NONCOOP_TEST_DATABASE_URL names one (CI runs the suite against both)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from noncoop import services
from noncoop.demo import load_demo
from noncoop.store import db as store


def _postgres_url() -> str | None:
    return os.environ.get("NONCOOP_TEST_DATABASE_URL")


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    base = _postgres_url()
    if base:
        # A fresh schema-isolated database per test on the real server.
        name = f"nc_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = base.rsplit("/", 1)[0] + f"/{name}"
    else:
        url = f"sqlite:///{tmp_path / 'noncoop.db'}"
    monkeypatch.setenv("NONCOOP_DATABASE_URL", url)
    store.upgrade(url)
    yield url
    store.get_engine(url).dispose()
    store.get_engine.cache_clear()
    if base:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db(database_url: str):
    with store.session(database_url) as session:
        yield session


@pytest.fixture
def mail(monkeypatch: pytest.MonkeyPatch):
    """A real SMTP server on loopback, and the settings that point noncoop at it."""
    from mailserver import SmtpServer

    server = SmtpServer()
    server.start()
    monkeypatch.setenv("NONCOOP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NONCOOP_SMTP_PORT", str(server.port))
    monkeypatch.setenv("NONCOOP_SMTP_TLS", "none")
    monkeypatch.setenv("NONCOOP_MAIL_FROM", "asp-secretariat@example.org")
    yield server
    server.shutdown()


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write a NONCOOP_CONFIG settings file for this test: settings_file("notify: {...}")."""
    def write(text: str) -> Path:
        path = tmp_path / f"settings-{uuid.uuid4().hex[:6]}.yaml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("NONCOOP_CONFIG", str(path))
        return path
    return write


@pytest.fixture
def demo(db):
    """The example data, and an urgent incident in the Asia-Pacific region beside it."""
    D = dt.date
    load_demo(db)
    # An urgent incident beside the real findings, with good offices and a task for a focal point.
    urgent = services.open_case(db, state="Mongolia", scenario="7b", summary="visit announced",
                                person="a person subject to a warrant", travel_date=D(2024, 9, 3))
    services.act(db, urgent["id"], "good_offices_activate", on=D(2024, 8, 30),
                 params={"court_consulted": "2024-08-29"})
    # The demo directory has the focal point of the Asia-Pacific States, who is asked.
    services.act(db, urgent["id"], "request_assistance", on=D(2024, 8, 31),
                 params={"task": "Contact the authorities before the visit", "due": "2024-09-02"})
    return db
