"""Whatever makes a step fast, SQLAlchemy sees every statement of it: the engine's
`before_cursor_execute` event and the `sqlalchemy.engine` logger (what `echo` prints) get each
write of the step (the event, the case row, the deadline met and the one set, their tasks, the
notice), and an error in one of them goes through SQLAlchemy's handling of errors (where a lost
connection is recognised and the pool's connections invalidated). On SQLite the driver's own
trace shows that no statement goes around SQLAlchemy."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from noncoop import services
from noncoop.store import db as store
from noncoop.store import journal

D = dt.date
WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)', re.IGNORECASE)
# The emergency meeting convened: its deadline met (the task done), the announcement's deadline
# set (a task for it), a notice to the Bureau and the President's office (formal.yaml).
STEP_WRITES = {("INSERT INTO", "events"), ("UPDATE", "cases"), ("UPDATE", "deadlines"),
               ("INSERT INTO", "deadlines"), ("UPDATE", "tasks"), ("INSERT INTO", "tasks"),
               ("INSERT INTO", "notices")}


def _writes(statements: list[str]) -> set[tuple[str, str]]:
    found = (WRITE.match(s) for s in statements)
    return {(m[1].upper(), m[2].lower()) for m in found if m}


def _opened(db: Any) -> str:
    """A case opened, and the session's connection given back: the step takes a new one."""
    case_id = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                                 decision_date=D(2024, 10, 24), referred_to=["assembly"])["id"]
    db.close()
    return case_id


def _convene(db: Any, case_id: str) -> None:
    services.take_step(db, case_id, "emergency_bureau_meeting", on=D(2024, 10, 28),
                       params={"place": "The Hague"})


def _event_written(db: Any, case_id: str, seq: int) -> None:
    """An event row written by the journal alone, as a step writes it."""
    journal.Batch(events=[{
        "case_id": case_id, "seq": seq, "kind": "step_done", "at": dt.datetime.now(dt.UTC),
        "by": "admin@localhost", "step": "forward_decision", "on": D(2024, 10, 25),
        "reason": None, "data": {}, "prev_hash": "", "hash": ""}]).write(db)


def test_every_write_of_a_step_is_seen_by_before_cursor_execute(db, database_url):
    case_id = _opened(db)
    engine = store.get_engine(database_url)
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        _convene(db, case_id)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    assert _writes(seen) >= STEP_WRITES
    assert any(s.lstrip().upper().startswith("SELECT") and "cases" in s for s in seen)


def test_every_write_of_a_step_is_logged_by_the_engine_logger(db, database_url, caplog):
    case_id = _opened(db)
    # What `echo=True` turns on; a connection reads the level when it is made, at the step.
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    _convene(db, case_id)
    db.close()
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("sqlalchemy.engine")]
    assert _writes(logged) >= STEP_WRITES
    assert "COMMIT" in logged


def test_no_statement_of_a_step_goes_around_sqlalchemy(db, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the driver's own trace of statements is SQLite's")
    case_id = _opened(db)
    engine = store.get_engine(database_url)
    seen: list[str] = []
    ran: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    def traced(conn: sa.Connection) -> None:
        conn.connection.driver_connection.set_trace_callback(ran.append)  # type: ignore[union-attr]

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "engine_connect", traced)
    try:
        _convene(db, case_id)
    finally:
        db.close()
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "engine_connect", traced)
    # The driver runs what it was given, with the values in place of the parameters, and the
    # transaction's own BEGIN, COMMIT and ROLLBACK, which SQLAlchemy logs as such.
    statements = [s for s in ran if not re.match(r"\s*(BEGIN|COMMIT|ROLLBACK|PRAGMA)\b", s, re.I)]
    assert len(statements) == len(seen)
    assert _writes(statements) == _writes(seen) >= STEP_WRITES


def test_an_error_in_a_step_write_goes_through_sqlalchemy_error_handling(db, database_url):
    case_id = _opened(db)
    engine = store.get_engine(database_url)
    handled: list[Any] = []

    def on_error(context: Any) -> None:
        handled.append((context.statement, context.is_disconnect))

    stored = journal.load(db, case_id)
    assert stored is not None
    sa.event.listen(engine, "handle_error", on_error)
    try:
        with pytest.raises(IntegrityError):  # the first event's number, taken again
            _event_written(db, case_id, 1)
    finally:
        sa.event.remove(engine, "handle_error", on_error)
        db.rollback()
    assert [(statement.split()[:3], disconnect) for statement, disconnect in handled] == [
        (["INSERT", "INTO", "events"], False)]


def test_a_step_write_on_a_connection_the_server_ended_is_a_disconnect_and_the_next_step_works(
        db, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("a SQLite connection is a file: no server can end it")
    case_id = _opened(db)
    engine = store.get_engine(database_url)
    handled: list[bool] = []
    stored = journal.load(db, case_id)
    assert stored is not None
    pid = db.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with engine.connect() as other:  # the server ends the step's connection, as a restart would
        other.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")

    def on_error(context: Any) -> None:
        handled.append(context.is_disconnect)

    sa.event.listen(engine, "handle_error", on_error)
    try:
        with pytest.raises(sa.exc.OperationalError) as lost:
            _event_written(db, case_id, 2)
    finally:
        sa.event.remove(engine, "handle_error", on_error)
    assert handled == [True] and lost.value.connection_invalidated
    db.rollback()
    # Nothing of the lost transaction was kept, and the next step takes a new connection.
    services.take_step(db, case_id, "forward_decision", on=D(2024, 10, 25))
    after = journal.load(db, case_id)
    assert after is not None and after.last_seq == stored.last_seq + 1
    assert after.snapshot["steps"]["forward_decision"]["status"] == "done"
