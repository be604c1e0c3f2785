"""Sessions and tokens can be ended (issue 17, item 1): signing out, disabling a login and a new
password end every session of it at once (a copied cookie is worth nothing after), a token can
be revoked, expires, and may be limited to reading."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from noncoop import accounts, people, services
from noncoop.errors import BadInput

D = dt.date
PASSWORD = "correct horse battery staple"
EMAIL = "p@example.org"


@pytest.fixture
def app(db, monkeypatch):
    monkeypatch.setenv("NONCOOP_SECRET_KEY", "test-secret")
    from noncoop.web.app import create_app

    people.add_person(db, name="P", email=EMAIL, role="president_office", active_from=D(2024, 1, 1))
    accounts.add_user(db, EMAIL, "president_office", PASSWORD)
    return create_app()


def signed_in(app, password=PASSWORD) -> TestClient:
    client = TestClient(app)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"email": EMAIL, "password": password, "csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    return client


def signed_out(client: TestClient) -> bool:
    return client.get("/", follow_redirects=False).headers.get("location") == "/login"


def test_signing_out_ends_every_session_copied_cookies_too(app):
    browser, other = signed_in(app), signed_in(app)
    stolen = TestClient(app, cookies=dict(browser.cookies))
    assert not signed_out(stolen)
    csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/").text).group(1)
    browser.post("/logout", data={"csrf": csrf})
    assert signed_out(browser) and signed_out(stolen) and signed_out(other)
    assert not signed_out(signed_in(app))  # signing in again starts afresh


def test_a_disabled_login_and_a_new_password_end_the_sessions(app, db):
    browser = signed_in(app)
    accounts.set_password(db, EMAIL, "another long passphrase")
    assert signed_out(browser)
    browser = signed_in(app, "another long passphrase")
    accounts.disable(db, EMAIL)
    assert signed_out(browser)
    with pytest.raises(BadInput):
        accounts.authenticate(db, EMAIL, "another long passphrase")


def test_a_token_can_be_revoked_expires_and_may_only_read(app, db):
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    reader = accounts.new_token(db, EMAIL, "report", days=30, scope="read")
    actor = accounts.new_token(db, EMAIL, "nightly", days=1)
    api = TestClient(app)

    def get(token):
        return api.get("/api/cases", headers={"Authorization": f"Bearer {token}"}).status_code

    body = {"state": "Mongolia", "scenario": "7b", "summary": "visit"}
    r = api.post("/api/cases", json=body, headers={"Authorization": f"Bearer {reader}"})
    assert get(reader) == 200 and r.status_code == 403 and "only read" in r.json()["error"]["message"]
    assert api.post("/api/cases", json=body,
                    headers={"Authorization": f"Bearer {actor}"}).status_code == 201
    assert accounts.revoke_tokens(db, EMAIL, "report") == 1
    assert get(reader) == 401
    from noncoop import clock
    later = clock.now() + dt.timedelta(days=2)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(clock, "now", lambda: later)
        assert get(actor) == 401  # a day's token, two days on


def test_the_command_line_disables_and_revokes(db, cli):
    people.add_person(db, name="P", email=EMAIL, role="president_office", active_from=D(2024, 1, 1))
    accounts.add_user(db, EMAIL, "president_office", PASSWORD)
    accounts.new_token(db, EMAIL, "nightly")

    def run(*args):
        said = cli(*args, "--json")
        return said.code, said.json
    assert run("user", "revoke-token", EMAIL, "--name", "nightly") == (0, {"email": EMAIL,
                                                                          "revoked": 1})
    code, out = run("user", "revoke-token", EMAIL, "--name", "nightly")
    assert code == 2 and out["error"]["code"] == "unknown_token"
    assert run("user", "disable", EMAIL)[0] == 0
