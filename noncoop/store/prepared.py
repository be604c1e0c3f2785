"""The journal's statements, compiled once and sent through SQLAlchemy's connection.

A step sends half a dozen small statements. `Connection.execute` of a Core statement finds its
compiled form by the statement's cache key and builds its parameters and result around it, and
even `exec_driver_sql` builds an execution context and a result for each: some 25 µs of Python
a statement, around the few µs SQLite needs (bench/transition.py), as much as the rest of a
step's Python together. Here a statement is compiled by SQLAlchemy once per dialect and set of
columns, its values converted by the bind processors of its own column types (so what is
stored is what SQLAlchemy would store), and sent on the caller's connection, in its
transaction, by the connection's own method for statements that need no execution context
(`Connection._cursor_execute`, which SQLAlchemy uses for sequences and column defaults): the
engine's events (`before_cursor_execute`, `after_cursor_execute`) see it, `echo` and the
`sqlalchemy.engine` logger log it, and its errors (IntegrityError and the others) and a lost
connection are handled as SQLAlchemy handles any statement's (tests/test_prepared.py,
tests/test_observable.py). That method is not public: SQLAlchemy is pinned to the minor version
tested (pyproject.toml), and every test of a step fails if it changes. Many rows at once go
through `exec_driver_sql` (one executemany: its cost is paid once for all).

Only for statements without expanding or post-compile parameters; everything else goes through
`Connection.execute` as usual."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.sql import ClauseElement, Executable

Processor = Callable[[Any], Any]


@dataclasses.dataclass(frozen=True)
class _Prepared:
    sql: str
    # For each parameter, in the compiled statement's order: its name, the key of the row that
    # gives its value (None for a value written in the statement), that value, and its type's
    # bind processor. What `Compiled.construct_params` does for each execution, done once.
    params: tuple[tuple[str, str | None, Any, Processor | None], ...]
    positional: bool
    results: tuple[Processor | None, ...]  # one per selected column

    def args(self, row: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        values = [row[key] if key is not None else fixed for _, key, fixed, _ in self.params]
        values = [v if process is None or v is None else process(v)
                  for v, (_, _, _, process) in zip(values, self.params, strict=True)]
        if self.positional:
            return tuple(values)
        return {name: v for (name, _, _, _), v in zip(self.params, values, strict=True)}


@functools.lru_cache(maxsize=512)  # a few statements, for each engine's dialect
def _prepare(statement: Executable, dialect: Dialect, keys: tuple[str, ...]) -> _Prepared:
    assert isinstance(statement, ClauseElement)
    # for_executemany: no RETURNING of the new row's key, which nothing here reads.
    compiled = statement.compile(dialect=dialect, column_keys=list(keys), for_executemany=True)
    if (compiled.escaped_bind_names or compiled.literal_execute_params
            or compiled.post_compile_params or compiled.insert_prefetch
            or compiled.update_prefetch or compiled.effective_returning):
        # Values SQLAlchemy would compute or expand at execution: give them, or use execute().
        raise ValueError(f"not a statement to prepare once: {compiled.string}")
    names = compiled.positiontup if dialect.positional else list(compiled.binds)
    params = []
    for name in names or ():
        bind = compiled.binds[name]
        key = bind.key if bind.key in keys else name if name in keys else None
        if key is None and (bind.required or bind.callable is not None):
            # No value in the rows, or one SQLAlchemy would compute at each execution.
            raise ValueError(f"not a statement to prepare once, {name!r} has no value in the "
                             f"rows ({', '.join(keys)}): {compiled.string}")
        params.append((name, key, bind.effective_value if key is None else None,
                       bind.type.dialect_impl(dialect).bind_processor(dialect)))
    selected = getattr(statement, "selected_columns", ())
    return _Prepared(compiled.string, tuple(params), dialect.positional,
                     tuple(c.type.dialect_impl(dialect).result_processor(dialect, None)
                           for c in selected))


def write(conn: sa.Connection, statement: Executable, rows: list[dict[str, Any]]) -> int:
    """Send `statement` once for each of `rows` (all with the same keys); the rows it changed."""
    keys = rows[0].keys()
    if any(r.keys() != keys for r in rows):
        # The statement is compiled for the first row's columns: another row's would be lost.
        raise ValueError("rows with different keys: send each set of columns on its own")
    prepared = _prepare(statement, conn.dialect, tuple(keys))
    if len(rows) > 1:
        args = [prepared.args(r) for r in rows]
        return int(conn.exec_driver_sql(prepared.sql, args).rowcount)  # type: ignore[arg-type]
    cursor = _sent(conn, prepared.sql, prepared.args(rows[0]))
    try:
        return int(cursor.rowcount)
    finally:
        cursor.close()


def first(conn: sa.Connection, statement: Executable, values: dict[str, Any]) -> tuple[Any, ...] | None:
    """The first row `statement` selects, its values as SQLAlchemy would give them."""
    prepared = _prepare(statement, conn.dialect, tuple(values))
    cursor = _sent(conn, prepared.sql, prepared.args(values))
    try:
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None:
        return None
    return tuple([v if p is None or v is None else p(v)
                  for p, v in zip(prepared.results, row, strict=True)])


def _sent(conn: sa.Connection, sql: str, args: tuple[Any, ...] | dict[str, Any]) -> DBAPICursor:
    """A new cursor of `conn` that has run `sql` once, in the connection's transaction (begun
    here as `execute` would begin it). On an error SQLAlchemy closes the cursor, or invalidates
    the connection it was lost with, and raises its own exception."""
    if not conn.in_transaction():
        conn.begin()
    cursor = conn.connection.cursor()
    conn._cursor_execute(cursor, sql, args)
    return cursor
