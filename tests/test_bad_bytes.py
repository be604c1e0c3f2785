"""Bad bytes stop at the door (noncoop/web/hygiene.py): a NUL, an unpaired surrogate, an
oversize body or too many parameters get a 4xx in the error format on every way in, never a
500, on SQLite and PostgreSQL alike; the command line answers them with exit 2."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from noncoop import accounts, people, services

D = dt.date


@pytest.fixture
def api(db, monkeypatch):
    monkeypatch.setenv("NONCOOP_SECRET_KEY", "test-secret")
    from noncoop.web.app import create_app

    people.add_person(db, name="P", email="p@example.org", role="president_office",
                      active_from=D(2024, 1, 1))
    accounts.add_user(db, "p@example.org", "president_office", "correct horse battery staple")
    token = accounts.new_token(db, "p@example.org", "test")
    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=D(2024, 10, 24), referred_to=["assembly"])
    client = TestClient(create_app(), headers={"Authorization": f"Bearer {token}"})
    return client, case["id"]


def test_a_nul_in_a_path_is_bad_input_not_a_server_error(api):
    client, case_id = api
    r = client.get(f"/api/cases/{case_id}%00")
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_text"
    assert client.get("/cases/NC%00").status_code == 400


def test_an_unpaired_surrogate_in_json_is_bad_input(api):
    client, case_id = api
    body = '{"on": "2024-10-25", "params": {"place": "\\ud800"}}'
    r = client.post(f"/api/cases/{case_id}/actions/press_release", content=body,
                    headers={"content-type": "application/json"})
    assert r.status_code == 400 and "unpaired surrogate" in r.json()["error"]["message"]
    r = client.post("/api/cases", content='{"state": "Mon\\ud800golia", "scenario": "7b", '
                    '"summary": "x"}', headers={"content-type": "application/json"})
    assert r.status_code == 400
    shown = client.get(f"/api/cases/{case_id}").json()
    assert next(s for s in shown["steps"] if s["step"] == "press_release")["status"] == "pending"


def test_an_oversize_body_and_too_many_parameters_are_refused(api):
    client, case_id = api
    r = client.post("/api/cases", content=b"{" + b" " * (1024 * 1024 + 1) + b"}",
                    headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    query = "&".join(f"p{i}=1" for i in range(101))
    r = client.get(f"/api/cases?{query}")
    assert r.status_code == 400 and r.json()["error"]["code"] == "too_many_params"
    many = json.dumps({"on": "2024-10-25", "params": {f"k{i}": "v" for i in range(1001)}})
    r = client.post(f"/api/cases/{case_id}/actions/press_release", content=many,
                    headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "too_many_params"


# -- the command line -------------------------------------------------------------------------

def cli(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "NONCOOP_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "noncoop.cli", *args], cwd=tmp_path, env=env,
                          capture_output=True, timeout=60)


def test_a_path_that_cannot_be_written_is_bad_input(database_url, tmp_path):
    r = cli(database_url, tmp_path, "calendar", "export", "--ics", "-o",
            str(tmp_path / "no" / "such" / "folder" / "x.ics"), "--json")
    assert r.returncode == 2
    error = json.loads(r.stdout)["error"]
    assert error["code"] == "cannot_write" and "folder" in error["message"]


def test_an_argument_that_is_not_utf8_is_bad_input(database_url, tmp_path):
    r = cli(database_url, tmp_path, "case", "show", "NC-\udcff".encode("utf-8", "surrogateescape")
            .decode("utf-8", "surrogateescape"), "--json")
    assert r.returncode == 2 and b"not UTF-8" in r.stdout


def test_an_import_row_that_does_not_fit_its_table_is_bad_input(database_url, tmp_path, db):
    from noncoop import backup

    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    exported = tmp_path / "all.jsonl"
    backup.export(db, exported)
    lines = exported.read_text().splitlines()
    damaged = [line.replace('"kind":"regular"', '"kind":null') for line in lines[:-1]]
    import hashlib
    body = "".join(line + "\n" for line in damaged)
    end = {"end": {"lines": len(damaged), "sha256": hashlib.sha256(body.encode()).hexdigest()}}
    (tmp_path / "bad.jsonl").write_text(body + json.dumps(end) + "\n")
    empty = tmp_path / "empty.db"
    r = cli(f"sqlite:///{empty}", tmp_path, "init")
    assert r.returncode == 0
    r = cli(f"sqlite:///{empty}", tmp_path, "import", str(tmp_path / "bad.jsonl"), "--json")
    assert r.returncode == 2, r.stdout
    assert "line" in json.loads(r.stdout)["error"]["message"]
