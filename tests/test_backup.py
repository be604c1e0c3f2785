"""Export and import: lossless, byte-identical round trips, and clear refusals."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import sqlalchemy as sa

from noncoop import audit, backup, people, services
from noncoop.demo import load_demo
from noncoop.errors import BadInput, Refused
from noncoop.letters import register
from noncoop.store import db as store
from noncoop.sweep import sweep

D = dt.date


@pytest.fixture
def full(db):
    """The demo, with a letter (bytes), notices, tasks, a restricted read and a digest."""
    load_demo(db)
    case = services.list_cases(db, status="open")[0]["id"]
    register.issue(db, case, "forward_decision", lang="fr", fmt="docx", on=D(2024, 11, 1))
    urgent = services.open_case(db, state="Mongolia", scenario="7b", summary="«visit» – ünïcode")
    services.show_case(db, urgent["id"], by="focal.asia-pacific@example.org")
    sweep(db, D(2026, 1, 5))
    sweep(db, D(2026, 1, 6))
    return db


@pytest.fixture
def other_db(database_url, tmp_path):
    """A second, empty database beside the test's own."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'other.db'}"
        yield url
    else:
        name = f"nc_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = database_url.rsplit("/", 1)[0] + f"/{name}"
        yield url
        store.get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    store.get_engine.cache_clear()


def test_export_import_export_is_byte_identical(full, other_db, tmp_path):
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    exported = backup.export(full, first)
    assert exported["rows"]["letters"] == 1 and exported["rows"]["events"] > 20
    store.upgrade(other_db)
    with store.session(other_db) as db:
        imported = backup.import_(db, first)
        assert imported["rows"] == {k: v for k, v in exported["rows"].items() if v}
        backup.export(db, second)
        assert first.read_bytes() == second.read_bytes()
        assert audit.verify(db)["ok"]
        # The imported database goes on: new rows take new ids.
        people.add_person(db, name="New", email="new@example.org", role="bureau")
        services.open_case(db, state="Kenya", scenario="7b", summary="after the import")


def test_the_export_reports_the_lines_of_the_file_it_wrote(full, cli, tmp_path):
    path = tmp_path / "all.jsonl"
    said = cli("export", "-o", str(path))
    in_file = path.read_bytes().count(b"\n")  # as wc -l counts them
    assert said.code == 0 and said.stdout.strip() == f"written {path}: {in_file} lines"
    answer = cli("export", "-o", str(path), "--json")
    assert answer.json["lines"] == in_file == path.read_bytes().count(b"\n")
    # The last line counts the lines before it, as an import checks.
    end = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])["end"]
    assert end["lines"] == in_file - 1 > 20


def test_import_refuses_a_database_that_is_not_empty(full, tmp_path):
    path = tmp_path / "x.jsonl"
    backup.export(full, path)
    with pytest.raises(Refused, match="not empty"):
        backup.import_(full, path)


@pytest.mark.parametrize("damage", ["cut", "flip", "garbage"])
def test_import_refuses_a_damaged_file_and_imports_nothing(full, other_db, tmp_path, damage):
    path = tmp_path / "x.jsonl"
    backup.export(full, path)
    lines = path.read_text(encoding="utf-8").split("\n")
    if damage == "cut":
        lines = lines[:len(lines) // 2]
    elif damage == "flip":  # still JSON, but not what was exported
        lines[5] = lines[5].replace("a", "b", 1)
    else:  # not JSON any more
        lines[3] = lines[3][:10]
    path.write_text("\n".join(lines), encoding="utf-8")
    store.upgrade(other_db)
    with store.session(other_db) as db:
        with pytest.raises(BadInput, match="damaged|not a noncoop export"):
            backup.import_(db, path)
        assert services.list_cases(db) == []
