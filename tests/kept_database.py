"""A test worker's PostgreSQL database, emptied after each test instead of dropped.

Creating a database from the migrated template costs some 0.4 s on this machine: the server
writes and syncs the files of each of its eighty relations. Emptying one costs some 20 ms. So
each test worker keeps one database: after a test it is emptied (every row deleted, every
sequence restarted: what a new copy of the template holds), and checked to have the template's
shape. A test that changed the shape (a migration run, a table of its own, a setting of the
database) or left it in a state that cannot be emptied gets a new copy for the next test.

What a kept database does not give back is the size of its files: a DELETE leaves tables and
indexes their pages (a TRUNCATE would not, at about three times the cost), and the planner prices an
index by its pages. A test that reads the planner's choices is marked `fresh_database` and gets
a new copy, as every test used to."""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

# Everything a test could change besides the rows: relations, columns, indexes, constraints,
# triggers, functions, the schema's version and the database's own settings.
SHAPE = sa.text("""
SELECT c.relname || ':' || c.relkind::text FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
UNION ALL
SELECT table_name || '.' || column_name || ':' || data_type || ':' || is_nullable || ':'
       || coalesce(column_default, '') FROM information_schema.columns
  WHERE table_schema = 'public'
UNION ALL
SELECT conrelid::regclass::text || ':' || conname || ':' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT tgrelid::regclass::text || ':' || tgname FROM pg_trigger WHERE NOT tgisinternal
UNION ALL
SELECT proname::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace
UNION ALL
SELECT 'version:' || version_num FROM alembic_version
UNION ALL
SELECT 'setting:' || array_to_string(setconfig, ',') FROM pg_db_role_setting
  WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
""")


class KeptDatabase:
    """One database per test worker, made from `template` (a database URL) when first needed
    and again whenever a test left it in another shape."""

    def __init__(self, template: str) -> None:
        self._server, self._template = template.rsplit("/", 1)
        self._admin = sa.create_engine(f"{self._server}/postgres", isolation_level="AUTOCOMMIT",
                                       poolclass=NullPool)
        self._name: str | None = None
        self._shape = ""
        self._tables: list[str] = []  # rows referring to others first
        self._sequences: list[str] = []

    def take(self, fresh: bool = False) -> str:
        """The URL of a database holding what a new copy of the template holds; a new copy
        if `fresh`."""
        if fresh:
            self.drop()
        if self._name is None:
            name = f"nc_{uuid.uuid4().hex[:12]}"
            with self._admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"'))
            self._name = name
            if not self._shape:
                self._learn()
        return self._url()

    def give_back(self) -> None:
        """Empty the database for the next test, or drop it if it is no longer the template's
        shape or cannot be emptied."""
        if self._name is None:
            return
        self._end_connections()
        try:
            with self._engine() as engine, engine.begin() as conn:
                if _shape(conn) != self._shape:
                    raise _Changed
                for table in self._tables:
                    conn.execute(sa.text(f'DELETE FROM "{table}"'))
                for sequence in self._sequences:
                    conn.execute(sa.text(f'ALTER SEQUENCE "{sequence}" RESTART'))
        except (_Changed, sa.exc.DBAPIError):
            self.drop()

    def drop(self) -> None:
        if self._name is not None:
            with self._admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)'))
            self._name = None

    def _learn(self) -> None:
        """The template's shape, its tables in an order that deletes a row before those it
        refers to, and its sequences: read once, from the first copy."""
        with self._engine() as engine, engine.connect() as conn:
            self._shape = _shape(conn)
            metadata = sa.MetaData()
            metadata.reflect(conn)
            self._tables = [t.name for t in reversed(metadata.sorted_tables)
                            if t.name != "alembic_version"]
            self._sequences = list(conn.execute(sa.text(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")).scalars())

    def _end_connections(self) -> None:
        """A connection a test left open (a server thread, an engine of its own) would hold
        locks the deletes wait for."""
        with self._admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :name AND pid <> pg_backend_pid()"),
                         {"name": self._name})

    def _url(self) -> str:
        return f"{self._server}/{self._name}"

    @contextlib.contextmanager
    def _engine(self) -> Iterator[sa.Engine]:
        engine = sa.create_engine(self._url(), poolclass=NullPool)
        try:
            yield engine
        finally:
            engine.dispose()


class _Changed(Exception):
    """The database is no longer in the template's shape."""


def _shape(conn: sa.Connection) -> str:
    lines = sorted(line or "" for line in conn.execute(SHAPE).scalars())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()

