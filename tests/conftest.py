"""Fixtures: a real database per test, SQLite file by default, PostgreSQL when
NONCOOP_TEST_DATABASE_URL names one (CI runs the suite against both)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from kept_database import KeptDatabase

# Cheap password hashes for this process and the commands it starts (noncoop/accounts.py).
os.environ["NONCOOP_TEST_CHEAP_HASHES"] = "1"

from noncoop import services
from noncoop.demo import load_demo
from noncoop.store import db as store


def _postgres_url() -> str | None:
    return os.environ.get("NONCOOP_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The schema, migrated once per test worker: a SQLite file each test copies, or a
    PostgreSQL database the worker's database is created from (CREATE DATABASE ... TEMPLATE;
    tests/kept_database.py). Running every migration for every test would cost more than most
    tests."""
    base = _postgres_url()
    if base:
        name = f"nc_template_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = base.rsplit("/", 1)[0] + f"/{name}"
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'noncoop.db'}"
    store.upgrade(url)
    engine = store.get_engine(url)
    if not base:  # everything in the main file, so that copying the file copies the schema
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()  # a template database must have no connection when it is copied
    store.get_engine.cache_clear()
    yield url
    if base:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def kept_database(migrated_template: str) -> Iterator[KeptDatabase | None]:
    """On PostgreSQL, this worker's database, emptied after each test (tests/kept_database.py);
    None on SQLite, where a copy of the template is a file copy."""
    if not _postgres_url():
        yield None
        return
    kept = KeptDatabase(migrated_template)
    yield kept
    kept.drop()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                 migrated_template: str, kept_database: KeptDatabase | None) -> Iterator[str]:
    """A database for each test holding what a new one holds (the newest schema, no rows), on
    the real server."""
    if kept_database is not None:
        url = kept_database.take(fresh=request.node.get_closest_marker("fresh_database") is not None)
    else:
        path = tmp_path / "noncoop.db"
        shutil.copyfile(migrated_template.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    monkeypatch.setenv("NONCOOP_DATABASE_URL", url)
    yield url
    store.get_engine(url).dispose()
    store.get_engine.cache_clear()
    if kept_database is not None:
        kept_database.give_back()


@pytest.fixture
def db(database_url: str):
    with store.session(database_url) as session:
        yield session


@dataclasses.dataclass
class Said:
    """What a command answered: its exit code, and what it wrote on each stream."""

    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError:
            pytest.fail(f"not JSON on stdout: {self.stdout!r} (stderr: {self.stderr!r})")


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
        ) -> Callable[..., Said]:
    """The command line, run in this process (Typer's runner) against the test's database, in
    a folder of its own. A separate process would prove only the entry point, which
    tests/test_cli.py runs for real; here each command costs milliseconds instead of a second."""
    from typer.testing import CliRunner

    from noncoop.cli import app
    from noncoop.identity import WAY_IN

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Said:
        way_in = WAY_IN.set("cli")  # as main() sets it, for the access log
        try:
            result = runner.invoke(app, list(args), input=input, catch_exceptions=False,
                                   env={"NONCOOP_DATABASE_URL": database_url, **(env or {})})
        finally:
            WAY_IN.reset(way_in)
        said = Said(result.exit_code, result.stdout, result.stderr)
        # The command line's last guard turns any exception into this message: never expected.
        assert "internal error" not in said.stdout + said.stderr, said
        return said
    return run


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


# Walks through the two procedures, for the cases of `walked` (tests/test_dashboard.py,
# tests/test_review.py).
D = dt.date
PLACE = {"place": "New York"}
FORMAL = [("forward_decision", D(2025, 10, 24), {}), ("press_release", D(2025, 10, 24), {}),
          ("open_letter", D(2025, 10, 27), {"action": "send", "reply_days": "30"}),
          ("emergency_bureau_meeting", D(2025, 10, 29), {"action": "convene", **PLACE}),
          ("emergency_bureau_meeting", D(2025, 10, 30), {"action": "announce"}),
          ("bureau_hearing", D(2025, 11, 4), {"action": "done", **PLACE}),
          ("open_letter", D(2025, 11, 20), {"action": "reply"}),
          ("bureau_report", D(2025, 11, 25), {})]
GOOD_OFFICES = [
    ("good_offices_activate", D(2025, 8, 20), {"court_consulted": "2025-08-19"}),
    ("notify_bureau", D(2025, 8, 20), {}),
    ("consult_court", D(2025, 8, 21), {}),
    ("request_assistance", D(2025, 8, 22), {"task": "Call the ministry", "due": "2025-08-29"}),
    ("request_assistance", D(2025, 8, 23), {"task": "Keep the Bureau informed"}),  # undated
    # Due the day the twenty-fourth session opens, and a new reporting cycle begins.
    ("request_assistance", D(2025, 8, 24), {"task": "Report to the session", "due": "2025-12-01"}),
    ("travel_alert", D(2025, 8, 25), {"person": "a person subject to a warrant",
                                      "from": "2025-09-03", "source": "press",
                                      "reliability": "likely"}),
    ("report_to_bureau", D(2025, 9, 1), {})]


@pytest.fixture
def walked(demo):
    """The demo, with cases of the formal procedure and of good offices stopped after each
    step of a walk through them, in three regions: every kind of work at every stage."""
    states = ["Mongolia", "Chad", "Brazil"]
    for n in range(len(FORMAL) + 1):
        case = services.open_case(demo, state=states[n % 3], scenario="7a",
                                  decision_ref=f"ICC-01/25-{n}", decision_date=D(2025, 10, 23),
                                  referred_to=["assembly"])
        for step, on, params in FORMAL[:n]:
            services.act(demo, case["id"], step, on=on, params=params)
    for n in range(len(GOOD_OFFICES) + 1):
        case = services.open_case(demo, state=states[n % 2], scenario="7b", summary="a visit",
                                  person="a person subject to a warrant",
                                  travel_date=D(2025, 9, 3))
        for step, on, params in GOOD_OFFICES[:n]:
            services.act(demo, case["id"], step, on=on, params=params)
    return demo


@pytest.fixture
def browser():
    """Debian's chromium, headless, through Playwright (tests/live.py), one for each test."""
    from live import chromium

    with chromium() as launched:
        yield launched


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "database: uses a database without the database_url "
                            "fixture (it reads NONCOOP_TEST_DATABASE_URL itself)")
    config.addinivalue_line("markers", "slow: takes seconds (real processes, a browser, a "
                            "build): `-m 'not slow'` leaves them out while working")
    config.addinivalue_line("markers", "fresh_database: reads what the planner chooses, which "
                            "the size of the files of a database emptied for it would sway: "
                            "a new copy of the template (tests/kept_database.py)")
    config.addinivalue_line("markers", "one_database: what it checks (a page's accessibility "
                            "or layout, a document's typesetting) does not depend on the "
                            "database server: run once, on SQLite")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, only the tests that touch a database and whose subject depends on it: the
    others (rules, letters, dates, parsing; pages' accessibility and layout) have been run on
    SQLite, and the server would change nothing of what they check."""
    if not _postgres_url():
        return
    keep, drop = [], []
    for item in items:
        uses = "database_url" in getattr(item, "fixturenames", ()) or item.get_closest_marker("database")
        (keep if uses and not item.get_closest_marker("one_database") else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
