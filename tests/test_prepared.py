"""store/prepared.py sends the journal's statements compiled once: what it stores and reads
must be what SQLAlchemy itself stores and reads, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from noncoop.store import db as store
from noncoop.store import journal, prepared

AT = dt.datetime(2026, 11, 30, 9, 15, 0, 123456, tzinfo=dt.UTC)


def _case(case_id: str) -> dict[str, object]:
    return {"id": case_id, "last_seq": 0, "last_hash": "", "version": 1, "opened_at": AT,
            "snapshot": {"id": case_id, "steps": {}, "deadlines": [], "n": 1.5, "ok": True},
            "requested_state": "Mongolia", "stage": "formal", "status": "open",
            "region": "Asia-Pacific States", "scenario": "7a", "confidentiality": "bureau",
            "decision_ref": "ICC-01/22-90", "decision_date": dt.date(2024, 10, 24),
            "travel_date": None, "assisting": ""}


def _event(case_id: str, seq: int, **extra: object) -> dict[str, object]:
    return {"case_id": case_id, "seq": seq, "kind": "step_done", "at": AT, "by": "a@example.org",
            "step": "forward_decision", "on": dt.date(2024, 10, 25), "reason": None,
            "data": {"params": {"to": "é, ü"}, "list": [1, None]}, "prev_hash": "",
            "hash": "h" * 64, **extra}


def test_rows_written_prepared_read_back_as_written_by_sqlalchemy(db):
    conn = db.connection()
    conn.execute(journal._INSERT_CASE, _case("NC-2024-001"))
    prepared.write(conn, journal._INSERT_CASE, [_case("NC-2024-002")])
    prepared.write(conn, journal._INSERT_EVENT, [_event("NC-2024-001", 1)])
    conn.execute(journal._INSERT_EVENT, _event("NC-2024-002", 1))
    db.commit()

    conn = db.connection()
    cases = conn.execute(sa.select(journal.CASES).order_by(journal.CASES.c.id)).all()
    assert cases[0]._mapping == {**cases[1]._mapping, "id": "NC-2024-001",
                                 "snapshot": {**cases[1].snapshot, "id": "NC-2024-001"}}
    assert cases[1].opened_at == AT and cases[1].decision_date == dt.date(2024, 10, 24)
    events = conn.execute(sa.select(journal.EVENTS).order_by(journal.EVENTS.c.case_id)).all()
    assert [e.data for e in events] == [{"params": {"to": "é, ü"}, "list": [1, None]}] * 2
    assert [(e.at, e.on) for e in events] == [(AT, dt.date(2024, 10, 25))] * 2

    # And a row read prepared is the row SQLAlchemy reads.
    for case_id in ("NC-2024-001", "NC-2024-002"):
        ours = prepared.first(conn, journal._ONE, {"case_id": case_id})
        theirs = conn.execute(journal._ONE, {"case_id": case_id}).one()
        assert ours == tuple(theirs)
    assert prepared.first(conn, journal._ONE, {"case_id": "NC-2024-404"}) is None

    # A value written in the statement itself (the task still open) is sent as SQLAlchemy sends it.
    conn.execute(journal._INSERT_TASK, {
        "case_id": "NC-2024-001", "step": "forward_decision", "title": "t", "assignee": "a",
        "due": None, "deadline_position": 0, "status": "open", "note": None, "created_at": AT,
        "closed_on": None, "closed_by": None})
    closed = {"b_case": "NC-2024-001", "b_position": 0, "status": "done", "b_note": "n",
              "closed_on": dt.date(2024, 10, 25), "closed_by": "a@example.org"}
    assert prepared.write(conn, journal._CLOSE_TASK, [closed]) == 1
    assert prepared.write(conn, journal._CLOSE_TASK, [closed]) == 0  # no longer open
    task = conn.execute(sa.select(journal.TASKS)).one()
    assert (task.status, task.note, task.closed_on) == ("done", "n", dt.date(2024, 10, 25))


def test_a_write_counts_the_rows_it_changed_across_many(db):
    conn = db.connection()
    prepared.write(conn, journal._INSERT_CASE, [_case("NC-2024-001"), _case("NC-2024-002")])
    guarded = [{"last_seq": 1, "b_id": "NC-2024-001", "b_version": 1},
               {"last_seq": 1, "b_id": "NC-2024-002", "b_version": 7}]  # a stale version
    assert prepared.write(conn, journal._UPDATE_CASE, guarded) == 1
    versions = dict(conn.execute(sa.select(journal.CASES.c.id, journal.CASES.c.version)).all())
    assert versions == {"NC-2024-001": 2, "NC-2024-002": 1}


def test_a_constraint_broken_is_sqlalchemy_integrity_error_and_the_session_rolls_back(db):
    conn = db.connection()
    prepared.write(conn, journal._INSERT_CASE, [_case("NC-2024-001")])
    prepared.write(conn, journal._INSERT_EVENT, [_event("NC-2024-001", 1)])
    db.commit()
    with pytest.raises(IntegrityError):
        prepared.write(db.connection(), journal._INSERT_EVENT, [_event("NC-2024-001", 1)])
    db.rollback()
    count = db.connection().execute(sa.select(sa.func.count()).select_from(journal.EVENTS))
    assert count.scalar_one() == 1


def test_a_statement_that_needs_sqlalchemy_at_execution_is_refused_by_name(db):
    # The event's hashes have defaults SQLAlchemy would fill in: a prepared statement will not.
    partial = {k: v for k, v in _event("NC-2024-001", 1).items() if k not in ("prev_hash", "hash")}
    with pytest.raises(ValueError, match="not a statement to prepare once: INSERT INTO events"):
        prepared.write(db.connection(), journal._INSERT_EVENT, [partial])
    expanding = journal.CASES.delete().where(
        journal.CASES.c.id.in_(sa.bindparam("ids", expanding=True)))
    with pytest.raises(ValueError, match="not a statement to prepare once"):
        prepared.write(db.connection(), expanding, [{"ids": ["NC-2024-001"]}])
    # A value the statement needs and the rows do not give is not sent as NULL.
    with pytest.raises(ValueError, match="'b_version' has no value in the rows"):
        prepared.write(db.connection(), journal._UPDATE_CASE, [{"last_seq": 1, "b_id": "NC-1"}])


def test_rows_with_different_columns_are_refused_not_half_written(db):
    conn = db.connection()
    prepared.write(conn, journal._INSERT_CASE, [_case("NC-2024-001")])
    rows = [{"last_seq": 1, "b_id": "NC-2024-001", "b_version": 1},
            {"last_seq": 1, "stage": "closed", "b_id": "NC-2024-001", "b_version": 1}]
    with pytest.raises(ValueError, match="rows with different keys"):
        prepared.write(conn, journal._UPDATE_CASE, rows)
    assert conn.execute(sa.select(journal.CASES.c.version)).scalar_one() == 1


def test_a_write_on_a_connection_not_yet_in_a_transaction_begins_one_that_commit_keeps(
        database_url):
    """The first statement of a connection of its own begins its transaction, as `execute`
    would: a commit keeps the row, a close without one leaves nothing."""
    engine = store.get_engine(database_url)
    with engine.connect() as conn:
        assert prepared.write(conn, journal._INSERT_CASE, [_case("NC-2024-001")]) == 1
        assert conn.in_transaction()
        conn.commit()
    with engine.connect() as conn:
        prepared.write(conn, journal._INSERT_CASE, [_case("NC-2024-002")])
    with engine.connect() as conn:
        assert prepared.first(conn, sa.select(journal.CASES.c.id).where(
            journal.CASES.c.id == sa.bindparam("case_id")), {"case_id": "NC-2024-002"}) is None
        assert conn.execute(sa.select(journal.CASES.c.id)).scalars().all() == ["NC-2024-001"]
