"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from noncoop.store import db as store
from noncoop.store import models


def test_the_migrated_schema_matches_the_models(database_url):
    with store.get_engine(database_url).connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), models.schema()) == []


def test_the_case_list_columns_are_filled_from_the_snapshots_of_older_cases(database_url, db):
    import datetime as dt

    import sqlalchemy as sa
    from alembic import command

    from noncoop import people, services

    people.add_person(db, name="Focal point", email="asia@example.org", role="focal_point",
                      region="Asia-Pacific", active_from=dt.date(2024, 3, 6))
    case = services.open_case(db, state="Mongolia", scenario="7b", summary="A visit",
                              travel_date=dt.date(2024, 9, 3))["id"]
    services.act(db, case, "good_offices_activate", on=dt.date(2024, 8, 30),
                 params={"court_consulted": "2024-08-29"})
    services.act(db, case, "request_assistance", on=dt.date(2024, 8, 30))
    before = services.list_cases(db, by="asia@example.org")
    db.close()
    store.get_engine(database_url).dispose()
    command.downgrade(store.alembic_config(database_url), "0006")
    command.upgrade(store.alembic_config(database_url), "head")
    with store.get_engine(database_url).connect() as conn:
        row = conn.execute(sa.text("SELECT region, scenario, confidentiality, travel_date, "
                                   "assisting FROM cases")).one()
    assert tuple(row) == ("Asia-Pacific States", "7b", "restricted",
                          dt.date(2024, 9, 3) if "postgresql" in database_url else "2024-09-03",
                          "asia@example.org")
    assert services.list_cases(db, by="asia@example.org") == before


@pytest.mark.parametrize(("setting", "pragma"), [(None, 2), ("normal", 1), ("FULL", 2)])
def test_sqlite_commits_are_synced_as_set(tmp_path, monkeypatch, setting, pragma):
    if setting is None:
        monkeypatch.delenv("NONCOOP_SQLITE_SYNCHRONOUS", raising=False)
    else:
        monkeypatch.setenv("NONCOOP_SQLITE_SYNCHRONOUS", setting)
    engine = store.get_engine(f"sqlite:///{tmp_path / 'sync.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == pragma
    finally:
        engine.dispose()
        store.get_engine.cache_clear()


def test_an_unknown_sync_setting_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("NONCOOP_SQLITE_SYNCHRONOUS", "sometimes")
    engine = store.get_engine(f"sqlite:///{tmp_path / 'sync.db'}")
    try:
        with pytest.raises(ValueError, match="NONCOOP_SQLITE_SYNCHRONOUS='sometimes': use full or normal"):
            engine.connect()
    finally:
        engine.dispose()
        store.get_engine.cache_clear()


def test_the_partial_deadline_indexes_replace_the_full_ones_and_go_back(database_url, db):
    import datetime as dt

    import sqlalchemy as sa
    from alembic import command

    from noncoop import services

    services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                       decision_date=dt.date(2024, 10, 24), referred_to=["assembly"])
    db.close()

    def indexes() -> dict[str, list[str]]:
        store.get_engine(database_url).dispose()  # a fresh look at the schema
        found = sa.inspect(store.get_engine(database_url)).get_indexes("deadlines")
        return {ix["name"]: ix["column_names"] for ix in found
                if not ix.get("duplicates_constraint")}  # PostgreSQL's of uq_deadlines_case_position

    partial = {"ix_deadlines_open_due": ["due_at", "id"], "ix_deadlines_reminder": ["remind_from", "id"],
               "ix_deadlines_untold": ["id"], "ix_deadlines_outstanding": ["missed_on"]}
    # and the dashboard's (migration 0022)
    head = {**partial, "ix_deadlines_outstanding_due": ["due", "case_id"]}
    assert indexes() == head
    command.downgrade(store.alembic_config(database_url), "0007")
    assert indexes() == {"ix_deadlines_status_due": ["status", "due"],
                         "ix_deadlines_reminder": ["status", "reminder_queued", "remind_from"],
                         "ix_deadlines_untold": ["status", "missed_queued"],
                         "ix_deadlines_outstanding": ["status", "outstanding", "missed_on"]}
    command.upgrade(store.alembic_config(database_url), "head")
    assert indexes() == head
    with store.get_engine(database_url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM deadlines")).scalar_one() > 0


def test_deadlines_of_before_get_the_instant_their_day_ends_and_the_sweep_still_finds_them(
        database_url, db):
    import datetime as dt

    import sqlalchemy as sa
    from alembic import command

    from noncoop import services
    from noncoop.sweep import sweep

    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=dt.date(2024, 10, 24), referred_to=["assembly"])
    db.close()
    store.get_engine(database_url).dispose()
    command.downgrade(store.alembic_config(database_url), "0008")
    command.upgrade(store.alembic_config(database_url), "head")
    with store.get_engine(database_url).connect() as conn:
        ends = conn.execute(sa.select(sa.column("due_at")).select_from(sa.table("deadlines"))
                            .where(sa.column("step") == "forward_decision")).scalar_one()
    # Friday 25 October 2024 ends at midnight in The Hague (CEST): 22:00 UTC.
    assert str(ends).startswith("2024-10-25 22:00:00")
    assert [c["step"] for c in sweep(db, dt.date(2024, 10, 25))["changed"]] == []
    assert "forward_decision" in {c["step"] for c in sweep(db, dt.date(2024, 10, 26))["changed"]}
    assert services.show_case(db, case["id"])["deadlines"][0]["due_at"] == "2024-10-25T22:00:00Z"


def test_a_restricted_case_is_hidden_from_the_bureau_after_the_upgrade_until_activated(
        database_url, db):
    import datetime as dt

    import sqlalchemy as sa
    from alembic import command

    from noncoop import services

    def opened() -> str:
        return services.open_case(db, state="Mongolia", scenario="7b", summary="A visit")["id"]

    hidden, activated = opened(), opened()
    services.act(db, activated, "good_offices_activate", on=dt.date(2024, 8, 30),
                 params={"court_consulted": "2024-08-29"})
    formal = services.open_case(db, state="Chad", scenario="7a", decision_ref="ICC-1",
                                decision_date=dt.date(2024, 5, 1), referred_to=["assembly"])["id"]
    db.close()
    store.get_engine(database_url).dispose()
    command.downgrade(store.alembic_config(database_url), "0015")
    with store.get_engine(database_url).connect() as conn:
        assert "hidden_from_bureau" not in {c["name"] for c in sa.inspect(conn).get_columns("cases")}
    command.upgrade(store.alembic_config(database_url), "head")
    with store.get_engine(database_url).connect() as conn:
        found = dict(conn.execute(sa.text("SELECT id, hidden_from_bureau FROM cases")).all())
    assert found == {hidden: True, activated: False, formal: False}


def test_the_people_asked_get_their_rows_from_the_case_rows_on_upgrade(database_url, db):
    import datetime as dt

    import sqlalchemy as sa
    from alembic import command

    from noncoop import people, services

    people.add_person(db, name="Africa", email="africa@example.org", role="focal_point",
                      region="African States", active_from=dt.date(2024, 1, 1))
    case = services.open_case(db, state="Mongolia", scenario="7b", summary="A visit")["id"]
    services.act(db, case, "good_offices_activate", on=dt.date(2024, 8, 30),
                 params={"court_consulted": "2024-08-29"})
    services.act(db, case, "request_assistance", on=dt.date(2024, 8, 31),
                 params={"to": "africa@example.org", "task": "call"})
    db.close()
    store.get_engine(database_url).dispose()
    command.downgrade(store.alembic_config(database_url), "0016")
    with store.get_engine(database_url).connect() as conn:
        assert "case_assistants" not in sa.inspect(conn).get_table_names()
    command.upgrade(store.alembic_config(database_url), "head")
    with store.get_engine(database_url).connect() as conn:
        found = conn.execute(sa.text("SELECT case_id, region, email FROM case_assistants")).all()
    assert [tuple(r) for r in found] == [(case, "Asia-Pacific States", "africa@example.org")]
    assert [c["id"] for c in services.list_cases(db, by="africa@example.org")] == [case]


def test_postgresql_knows_how_the_people_asked_and_their_regions_go_together(database_url):
    """Migration 0018: the statistics that keep a focal point's case list from reading every
    row of case_assistants (access.sees_where); removed on the way down, made again."""
    import sqlalchemy as sa
    from alembic import command

    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite keeps no statistics of columns together")

    def kept() -> list[tuple[str, list[str]]]:
        with store.get_engine(database_url).connect() as conn:
            return [(name, sorted(columns)) for name, columns in conn.execute(sa.text(
                "SELECT s.stxname, array_agg(a.attname::text) FROM pg_statistic_ext s "
                "JOIN pg_attribute a ON a.attrelid = s.stxrelid AND a.attnum = ANY(s.stxkeys) "
                "WHERE s.stxrelid = 'case_assistants'::regclass GROUP BY s.stxname"))]

    assert kept() == [("case_assistants_email_region", ["email", "region"])]
    store.get_engine(database_url).dispose()
    command.downgrade(store.alembic_config(database_url), "0017")
    assert kept() == []
    command.upgrade(store.alembic_config(database_url), "head")
    assert kept() == [("case_assistants_email_region", ["email", "region"])]
