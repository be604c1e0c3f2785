"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import noncoop.store.models  # noqa: F401 - registers every table
from noncoop.store import db as store


def test_the_migrated_schema_matches_the_models(database_url):
    with store.get_engine(database_url).connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
