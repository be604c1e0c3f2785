"""Tamper evidence that holds against a database writer (issue 17, item 4): chain heads signed
with a key kept outside the database, every case rebuilt from its events and compared with its
row, every stored letter checked against the SHA-256 its event recorded, and export files
signed, readable by their owner only, refused on import when changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import stat

import pytest
import sqlalchemy as sa

from noncoop import audit, backup, services
from noncoop.errors import BadInput
from noncoop.letters import register
from noncoop.store import db as store

D = dt.date
KEY = "a long random secret kept outside the database"


@pytest.fixture
def signed(db, monkeypatch):
    monkeypatch.setenv("NONCOOP_AUDIT_KEY", KEY)
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=D(2024, 10, 24), referred_to=["assembly"])["id"]
    services.act(db, case, "forward_decision", on=D(2024, 10, 25))
    register.issue(db, case, "press_release", on=D(2024, 10, 25))
    return case


def test_the_signed_log_holds(signed, db):
    result = audit.verify(db)
    assert (result["ok"], result["signed"], result["events"]) == (True, True, 4)


def test_a_chain_cut_and_computed_again_is_caught_by_the_signed_head(signed, db):
    """The writer removes the last event and makes the case row agree, as `audit verify`
    without a key could not tell."""
    db.execute(sa.text("DELETE FROM events WHERE case_id = :c AND seq = 4"), {"c": signed})
    last = db.execute(sa.text("SELECT hash FROM events WHERE case_id = :c AND seq = 3"),
                      {"c": signed}).scalar_one()
    db.execute(sa.text("UPDATE cases SET last_seq = 3, last_hash = :h WHERE id = :c"),
               {"h": last, "c": signed})
    db.commit()
    broken = audit.verify(db)["first_broken"]
    assert broken["case_id"] == signed and "not the one signed" in broken["reason"]


def test_a_case_moved_to_another_region_in_the_database_is_caught(signed, db):
    db.execute(sa.text("UPDATE cases SET region = 'African States' WHERE id = :c"), {"c": signed})
    db.commit()
    assert "does not say what its events say" in audit.verify(db)["first_broken"]["reason"]


def test_a_case_deleted_with_everything_it_had_is_caught_by_the_gap_it_leaves(signed, db):
    """The writer deletes a whole case (its row, events, deadlines, letters): no chain is left
    to break, but the next case of the year is numbered after it."""
    later = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-91",
                               decision_date=D(2024, 10, 24), referred_to=["assembly"])["id"]
    assert audit.verify(db)["ok"]
    tables = [t for t in sa.inspect(db.get_bind()).get_table_names()
              if "case_id" in {c["name"] for c in sa.inspect(db.get_bind()).get_columns(t)}]
    for table in tables:
        db.execute(sa.text(f"DELETE FROM {table} WHERE case_id = :c"), {"c": signed})
    db.execute(sa.text("DELETE FROM cases WHERE id = :c"), {"c": signed})
    db.commit()
    broken = audit.verify(db)["first_broken"]
    assert (broken["case_id"], later) == (signed, signed[:-3] + "002")
    assert "a case was deleted" in broken["reason"]


def test_a_letter_whose_bytes_were_changed_is_caught_even_with_its_hash(signed, db):
    forged = b"<p>nothing happened</p>"
    db.execute(sa.text("UPDATE letters SET content = :b, sha256 = :h"),
               {"b": forged, "h": hashlib.sha256(forged).hexdigest()})
    db.commit()
    broken = audit.verify(db)["first_broken"]
    assert broken["letter"] == "ICC-ASP/23/S/1" and "not those issued" in broken["reason"]


def test_heads_written_before_the_key_are_signed_once_the_chains_hold(db, monkeypatch):
    case = services.open_case(db, state="Kenya", scenario="7b", summary="visit")["id"]
    monkeypatch.setenv("NONCOOP_AUDIT_KEY", KEY)
    assert audit.verify(db)["first_broken"]["case_id"] == case  # unsigned head
    assert audit.sign_heads(db) == 1
    assert audit.verify(db)["ok"]


def test_an_export_is_its_owners_alone_and_refused_once_changed(signed, db, tmp_path):
    path = tmp_path / "all.jsonl"
    backup.export(db, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = path.read_text().splitlines()
    assert "signature" in json.loads(lines[-1])["end"]
    # Changed, and its closing line computed again: the signature does not follow.
    body = [line.replace("Mongolia", "Mongolie") for line in lines[:-1]]
    text = "".join(line + "\n" for line in body)
    end = json.loads(lines[-1])
    end["end"]["sha256"] = hashlib.sha256(text.encode()).hexdigest()
    forged = tmp_path / "forged.jsonl"
    forged.write_text(text + json.dumps(end) + "\n")
    other = tmp_path / "other.db"
    store.upgrade(f"sqlite:///{other}")
    with store.session(f"sqlite:///{other}") as empty:
        with pytest.raises(BadInput) as e:
            backup.import_(empty, forged)
        assert e.value.code == "bad_signature"
        assert backup.import_(empty, path)["rows"]["cases"] == 1
    store.get_engine(f"sqlite:///{other}").dispose()
