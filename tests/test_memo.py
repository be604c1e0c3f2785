"""A web request reads the reader, a case and the calendar once however many services ask
(store/memo.py), and reads again what it changed; outside a request every read is a read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from noncoop import people, services
from noncoop.letters import register
from noncoop.store import db as store
from noncoop.store import memo

D = dt.date
PRESIDENT = "p@example.org"


@pytest.fixture
def case_id(db):
    people.add_person(db, name="President", email=PRESIDENT, role="president_office",
                      active_from=D(2024, 1, 1))
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    return services.open_case(db, state="Chad", scenario="7a", decision_ref="ICC-1",
                              decision_date=D(2024, 10, 24), referred_to=["assembly"])["id"]


@contextmanager
def reads(database_url: str) -> Iterator[dict[str, int]]:
    """How many statements read each of the people, the case rows and the sessions."""
    counted = {"people": 0, "cases": 0, "assembly_sessions": 0}

    def seen(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        for table in counted:
            if statement.lstrip().upper().startswith("SELECT") and f"FROM {table}" in statement:
                counted[table] += 1

    engine = store.get_engine(database_url)
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        yield counted
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)


def page(db, case_id: str) -> None:
    """What the case page asks of the services, each checking who may see the case."""
    services.show_case(db, case_id, by=PRESIDENT)
    services.refusals(db, case_id, by=PRESIDENT)
    register.letters_allowed(db, case_id, by=PRESIDENT)
    register.list_letters(db, case_id, by=PRESIDENT)


def test_a_request_reads_the_reader_the_case_and_the_calendar_once(db, database_url, case_id):
    with reads(database_url) as counted, memo.remembering(db):
        page(db, case_id)
    assert counted == {"people": 1, "cases": 1, "assembly_sessions": 1}


def test_outside_a_request_each_service_reads_for_itself(db, database_url, case_id):
    with reads(database_url) as counted:
        page(db, case_id)
    assert all(n > 1 for n in counted.values()), counted


def test_a_request_reads_again_what_it_changed(db, case_id):
    def status() -> str:
        steps = services.show_case(db, case_id, by=PRESIDENT)["steps"]
        return next(s["status"] for s in steps if s["step"] == "forward_decision")

    with memo.remembering(db):
        assert status() == "pending"
        services.take_step(db, case_id, "forward_decision", on=D(2024, 10, 25), by=PRESIDENT)
        assert status() == "done"
        assert services.list_cases(db, by="b@example.org") == []  # nobody yet
        people.add_person(db, name="Bureau", email="b@example.org", role="bureau",
                          active_from=D(2024, 1, 1))
        assert services.list_cases(db, by="b@example.org")  # a Bureau member now


def test_a_case_saved_is_read_again_within_the_same_transaction(db, case_id):
    from noncoop import clock
    from noncoop.domain import Event, apply
    from noncoop.record import load_case
    from noncoop.store import journal

    with memo.remembering(db):
        stored, case = load_case(db, case_id)
        assert load_case(db, case_id)[0] is stored  # remembered
        event = Event(case_id=case_id, seq=stored.last_seq + 1, kind="step_done",
                      at=clock.now(), by=PRESIDENT, step="press_release", on=D(2024, 10, 25),
                      reason=None, data={})
        journal.save(db, stored, apply(case, event), event)  # not committed
        assert journal.load(db, case_id).last_seq == stored.last_seq + 1
        db.rollback()
        assert journal.load(db, case_id).last_seq == stored.last_seq
