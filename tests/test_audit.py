"""The event log is hash-chained: a changed, removed or inserted event is found, and named."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from noncoop import audit, services
from noncoop.letters import register
from noncoop.store import db as store
from noncoop.sweep import sweep

D = dt.date


@pytest.fixture
def history(db):
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=D(2024, 10, 24), referred_to=["assembly"])["id"]
    services.act(db, case, "forward_decision", on=D(2024, 10, 25))
    services.act(db, case, "open_letter", on=D(2024, 10, 28), params={"action": "send"})
    sweep(db, D(2024, 12, 4))  # misses, written in bulk
    register.issue(db, case, "open_letter", on=D(2024, 10, 28))
    return case


def test_the_whole_log_holds(history, db):
    result = audit.verify(db)
    assert (result["ok"], result["cases"], result["events"], result["signed"]) == (True, 1, 5, False)
    assert "NONCOOP_AUDIT_KEY" in result["note"]


def test_a_changed_event_is_named(history, db):
    db.execute(sa.text("UPDATE events SET reason = 'nothing happened' WHERE case_id = :c AND seq = 2"),
               {"c": history})
    db.commit()
    assert audit.verify(db)["first_broken"] == {"case_id": history, "seq": 2,
                                                "reason": "what it says was changed after it was written"}


def test_a_removed_event_is_named(history, db):
    db.execute(sa.text("DELETE FROM events WHERE case_id = :c AND seq = 3"), {"c": history})
    db.commit()
    broken = audit.verify(db)["first_broken"]
    assert (broken["seq"], broken["reason"]) == (3, "event 3 is missing (next is 4)")


def test_a_rewritten_chain_still_breaks_at_the_case_row(history, db):
    """Whoever recomputes the hashes after removing the last event is caught by the case row."""
    db.execute(sa.text("DELETE FROM events WHERE case_id = :c AND seq = 5"), {"c": history})
    db.commit()
    broken = audit.verify(db)["first_broken"]
    assert broken["case_id"] == history and "counts 5 events" in broken["reason"]


def test_events_written_before_the_chain_are_chained_by_the_migration(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the fresh database of this test is a SQLite file")
    from alembic import command

    url = database_url.replace("noncoop.db", "old.db")
    command.upgrade(store.alembic_config(url), "0005")
    engine = store.get_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO cases (id, requested_state, stage, status, opened_at, "
                             "last_seq, snapshot, version) VALUES ('NC-2024-001', 'Mongolia', "
                             "'formal', 'open', '2024-10-24 10:00:00', 2, '{}', 2)"))
        for seq in (1, 2):
            conn.execute(sa.text("INSERT INTO events (case_id, seq, kind, at, by, data) VALUES "
                                 "('NC-2024-001', :s, 'step_done', '2024-10-25 10:00:00.000001', "
                                 "'admin@localhost', '{\"params\": {}}')"), {"s": seq})
    command.upgrade(store.alembic_config(url), "0006")
    with store.session(url) as db:
        found = audit.verify_chains(db, heads=False)
        assert (found["ok"], found["cases"], found["events"]) == (True, 1, 2)
    engine.dispose()
