"""The PostgreSQL database a test worker keeps (tests/kept_database.py) holds, for each test, what
a new copy of the template holds: no row, sequences from 1, the template's schema."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from kept_database import KeptDatabase

from noncoop import services
from noncoop.store import db as store

pytestmark = pytest.mark.database


@pytest.fixture
def kept(migrated_template):
    if not migrated_template.startswith("postgresql"):
        pytest.skip("SQLite: each test copies the template file")
    kept = KeptDatabase(migrated_template)
    yield kept
    kept.drop()


def _open_a_case(url: str) -> str:
    with store.session(url) as db:
        case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                                  decision_date=dt.date(2024, 10, 24), referred_to=["assembly"])
    store.get_engine(url).dispose()
    store.get_engine.cache_clear()
    return case["id"]


def _counts(url: str) -> tuple[int, int, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        counts = conn.execute(sa.text("SELECT (SELECT count(*) FROM cases), "
                                      "(SELECT count(*) FROM events), "
                                      "(SELECT count(*) FROM alembic_version)")).one()
    engine.dispose()
    return tuple(counts)


def test_a_kept_database_comes_back_empty_with_its_sequences_restarted(kept):
    url = kept.take()
    _open_a_case(url)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        first_event = conn.execute(sa.text("SELECT min(id) FROM events")).scalar_one()
    engine.dispose()
    kept.give_back()
    assert kept.take() == url  # the same database, not a new copy
    assert _counts(url) == (0, 0, 1)  # the schema's version stays
    _open_a_case(url)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT min(id) FROM events")).scalar_one() == first_event
    engine.dispose()


def test_a_connection_left_in_a_transaction_does_not_keep_rows(kept):
    url = kept.take()
    _open_a_case(url)
    left = sa.create_engine(url).connect()
    left.execute(sa.text("LOCK TABLE cases IN ACCESS EXCLUSIVE MODE"))  # and never ends
    kept.give_back()
    assert kept.take() == url
    assert _counts(url)[:2] == (0, 0)
    left.invalidate()  # ended by the server


def test_a_database_whose_schema_a_test_changed_is_replaced(kept):
    url = kept.take()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE of_a_test (n integer)"))
    engine.dispose()
    kept.give_back()
    fresh = kept.take()
    assert fresh != url
    engine = sa.create_engine(fresh)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT to_regclass('of_a_test')")).scalar() is None
    engine.dispose()


def test_a_test_that_reads_the_planners_choices_gets_a_new_copy(kept):
    url = kept.take()
    kept.give_back()
    fresh = kept.take(fresh=True)
    assert fresh != url
    assert _counts(fresh) == (0, 0, 1)
