"""Export and import of everything, losslessly, as JSON lines: a header (format, schema
revision), one line a row, table by table in the order their foreign keys need and row by row
by primary key, and a last line with the count and SHA-256 of the lines before it. The same
database always exports to the same bytes, so export -> import -> export is byte-identical;
an import goes only into an empty database and refuses a damaged file, saying where."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

import noncoop.store.models  # noqa: F401 - every table on the metadata
from noncoop import audit
from noncoop.errors import BadInput, Refused

FORMAT = "noncoop-export"
VERSION = 1


def _tables() -> list[sa.Table]:
    return list(SQLModel.metadata.sorted_tables)


def _revision(db: Session) -> str | None:
    return MigrationContext.configure(db.connection()).get_current_revision()


BATCH = 1_000  # rows an export reads at a time
_AS_IS = (str, int, bool, float, type(None), dict, list)  # written as JSON gives them


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return value


def _decode(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode(value["base64"])
    if isinstance(kind, sa.DateTime):
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    if isinstance(kind, sa.Date):
        return dt.date.fromisoformat(value)
    return value


def _line(obj: dict[str, Any]) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def export(db: Session, path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    lines = 0
    # Only its owner may read it: it holds the whole record, password hashes included.
    try:
        path.unlink(missing_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}; check that the folder "
                       "exists and may be written to", code="cannot_write") from None
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as out:
        def write(obj: dict[str, Any]) -> None:
            nonlocal lines
            text = _line(obj) + "\n"
            digest.update(text.encode("utf-8"))
            out.write(text)
            lines += 1

        write({"format": FORMAT, "version": VERSION, "schema": _revision(db)})
        for table in _tables():
            order = [c for c in table.primary_key.columns]
            # Read as written: a server-side cursor on PostgreSQL, a batch of rows at a time,
            # so that an export holds one batch, not a table of a million events.
            rows = db.execute(sa.select(table).order_by(*order),
                              execution_options={"stream_results": True, "yield_per": BATCH})
            names = list(rows.keys())
            counts[table.name] = 0
            for row in rows:
                write({"table": table.name, "row": {
                    k: v if type(v) in _AS_IS else _encode(v)
                    for k, v in zip(names, row, strict=True)}})
                counts[table.name] += 1
        end = {"lines": lines, "sha256": digest.hexdigest()}
        if audit.key() is not None:  # signed: a file changed and re-hashed does not verify
            end["signature"] = audit.sign(f"export\n{end['lines']}\n{end['sha256']}")
        out.write(_line({"end": end}) + "\n")
    # The file's lines, the last one included (`wc -l` says the same); that line itself counts
    # only those before it, which is what an import checks.
    return {"written": str(path), "lines": lines + 1, "rows": counts}


def _check_signature(path: Path, end: dict[str, Any]) -> None:
    """With the audit key set, only a file it signed is imported; a signed file needs the key."""
    given = end.get("signature")
    if audit.key() is None:
        if given:
            raise BadInput(f"{path} is signed: set NONCOOP_AUDIT_KEY to the key it was signed "
                           "with to import it", code="no_audit_key")
        return
    expected = audit.sign(f"export\n{end.get('lines')}\n{end.get('sha256')}")
    if not given or not hmac.compare_digest(str(given), expected):
        raise BadInput(f"{path} does not carry the signature of this installation's audit key "
                       "(NONCOOP_AUDIT_KEY): it was changed, or signed with another key; "
                       "nothing was imported", code="bad_signature")


def import_(db: Session, path: Path) -> dict[str, Any]:
    """Load an export into this (empty) database, in one transaction."""
    tables = {t.name: t for t in _tables()}
    for table in tables.values():
        if db.execute(sa.select(sa.func.count()).select_from(table)).scalar_one():
            raise Refused(f"the database is not empty (table {table.name} has rows): import goes "
                          "into a new database only (noncoop init on a new NONCOOP_DATABASE_URL)",
                          code="not_empty")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc}") from None
    raw = text.split("\n")
    if raw and raw[-1] == "":
        raw.pop()
    if len(raw) < 2:
        raise BadInput(f"{path} is not a noncoop export: it is empty or cut short")
    records = []
    for number, line in enumerate(raw, start=1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise BadInput(f"{path} is damaged at line {number}: {exc.msg}; nothing was "
                           "imported", code="damaged_export") from None
    end = records[-1].get("end") if isinstance(records[-1], dict) else None
    body = raw[:-1]
    digest = hashlib.sha256("".join(line + "\n" for line in body).encode("utf-8")).hexdigest()
    if not end or end.get("lines") != len(body) or end.get("sha256") != digest:
        raise BadInput(f"{path} is damaged or incomplete: its last line does not match what is "
                       "before it (lines or SHA-256); nothing was imported", code="damaged_export")
    _check_signature(path, end)
    header = records[0]
    if header.get("format") != FORMAT or header.get("version") != VERSION:
        raise BadInput(f"{path} is not a noncoop export (format {VERSION})")
    if header.get("schema") != _revision(db):
        raise BadInput(f"{path} was exported at schema {header.get('schema')}; this database is "
                       f"at {_revision(db)}: import with the noncoop version that exported it, "
                       "then upgrade", code="schema_mismatch")
    counts: dict[str, int] = {}
    for number, record in enumerate(records[1:-1], start=2):
        table = tables.get(record.get("table", ""))
        if table is None:
            raise BadInput(f"{path} line {number}: unknown table {record.get('table')!r}")
        row = record["row"]
        unknown = set(row) - set(table.columns.keys())
        if unknown:
            raise BadInput(f"{path} line {number}: unknown column(s) {', '.join(sorted(unknown))} "
                           f"in {table.name}")
        try:
            db.execute(table.insert().values({k: _decode(table.columns[k], v)
                                              for k, v in row.items()}))
        except (sa.exc.StatementError, ValueError, TypeError) as exc:
            # A row its table cannot hold (a value missing or of the wrong kind): nothing of
            # the file is kept, and the line is named.
            db.rollback()
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise BadInput(f"{path} line {number}: a {table.name} row that does not fit the "
                           f"table ({reason}); nothing was imported",
                           code="damaged_export") from None
        counts[table.name] = counts.get(table.name, 0) + 1
    if db.get_bind().dialect.name == "postgresql":
        # Rows came with their ids: the sequences go on from the highest.
        for table in tables.values():
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and isinstance(pk[0].type, sa.Integer):
                db.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                    f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"))
    db.commit()
    return {"imported": str(path), "rows": counts}
