"""The OpenAPI document is the contract of the API (issue 20, item 2): a valid OpenAPI 3.1
document (openapi-spec-validator, an independent tool), with the error body of INTERFACE.md on
every error, the bearer token and session cookie as security schemes, the real content types
of letters and feeds, a response schema on every JSON answer, and the query parameters by the
names the API takes. tests/test_fuzz_api.py holds the live answers of every operation to it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from noncoop import accounts, people
from noncoop.letters import register
from noncoop.web.app import create_app

PASSWORD = "correct horse battery staple"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def contract() -> dict[str, Any]:
    """/openapi.json as the app serves it."""
    r = TestClient(create_app()).get("/openapi.json")
    assert r.status_code == 200
    return r.json()


def operations(contract: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, ops in contract["paths"].items()
            for method, op in ops.items() if method in METHODS]


def resolve(contract: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return contract["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def test_the_document_is_valid_openapi(contract):
    validate(contract)  # raises on any violation of the OpenAPI 3.1 schema
    assert contract["openapi"].startswith("3.1")


def test_every_api_operation_names_the_bearer_token_and_the_session(contract):
    schemes = contract["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["session"] == {**schemes["session"], "type": "apiKey", "in": "cookie",
                                  "name": "noncoop"}
    api = [(m, p, op) for m, p, op in operations(contract) if p.startswith("/api/")]
    assert len(api) >= 18
    for method, path, op in api:
        assert op["security"] == [{"bearer": []}, {"session": []}], (method, path)
        assert "401" in op["responses"], (method, path)
    # What needs no sign-in says so, rather than saying nothing.
    for method, path, op in operations(contract):
        if not path.startswith("/api/"):
            assert op["security"] == [], (method, path)


def test_every_api_error_is_documented_as_the_error_body(contract):
    body = contract["components"]["schemas"]["ErrorBody"]
    detail = resolve(contract, body["properties"]["error"])
    assert set(detail["required"]) == {"code", "message"}
    assert "HTTPValidationError" not in contract["components"]["schemas"]
    for method, path, op in operations(contract):
        if not path.startswith("/api/"):
            continue
        codes = {int(c) for c in op["responses"] if c.isdigit()}
        assert {400, 401} <= codes, (method, path, codes)
        if method == "post":
            assert {403, 409, 413, 422} <= codes, (method, path, codes)
        if "{" in path:
            assert 404 in codes, (method, path, codes)
        for code, answer in op["responses"].items():
            if int(code) >= 400:
                assert answer["content"] == {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ErrorBody"}}}, (method, path, code)


def test_every_json_answer_has_a_schema(contract):
    for method, path, op in operations(contract):
        for code, answer in op["responses"].items():
            json_answer = answer.get("content", {}).get("application/json")
            if json_answer is None:
                continue
            schema = json_answer["schema"]
            shape = resolve(contract, schema.get("items", schema))
            assert shape.get("properties"), (method, path, code, schema)


def test_documents_and_feeds_declare_what_they_are(contract):
    letters = {t.split(";")[0] for t in register.FORMATS.values()}
    assert letters == {"text/html", "application/pdf",
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
    for path in ("/api/cases/{case_id}/letters/{template}", "/api/letters/{reference}/content",
                 "/public/press/{reference}"):
        assert set(contract["paths"][path]["get"]["responses"]["200"]["content"]) == letters, path
    feed = contract["paths"]["/public/feed.atom"]["get"]["responses"]["200"]["content"]
    assert set(feed) == {"application/atom+xml"}


def test_query_parameters_have_the_names_the_api_takes(contract):
    tasks = contract["paths"]["/api/tasks"]["get"]["parameters"]
    assert {p["name"] for p in tasks if p["in"] == "query"} == {"for", "all"}
    for method, path, op in operations(contract):
        for p in op.get("parameters", []):
            assert not p["name"].endswith("_"), (method, path, p["name"])


def test_the_api_is_in_the_document_and_the_pages_are_not(contract):
    """Every route under /api/ is documented; a page (HTML for a browser) is not, except the
    public documents a program may fetch (the feed, the press releases)."""
    served = {(m.lower(), c.path.replace(":path", "")) for c in iter_route_contexts(create_app().routes)
              if isinstance(c.original_route, APIRoute) for m in c.methods or ()}
    documented = {(m, p) for m, p, _ in operations(contract)}
    api = {(m, p) for m, p in served if p.startswith("/api/")}
    assert api and api <= documented, sorted(api - documented)
    assert documented <= served
    assert ("get", "/cases/{case_id}") in served - documented
    assert ("get", "/public/feed.atom") in documented


# -- live ---------------------------------------------------------------------------------

@pytest.fixture
def client(demo, monkeypatch) -> TestClient:
    monkeypatch.setenv("NONCOOP_SECRET_KEY", "test-secret")
    accounts.add_user(demo, "clerk@example.org", "admin", PASSWORD)
    token = accounts.new_token(demo, "clerk@example.org", "openapi")
    return TestClient(create_app(), headers={"Authorization": f"Bearer {token}"})


def test_tasks_for_one_person_are_that_persons_tasks(client, demo):
    everyone = client.get("/api/tasks").json()
    focal = people.find(demo, "focal.asia-pacific@example.org")
    r = client.get("/api/tasks", params={"for": focal.email})
    assert r.status_code == 200, r.text
    mine = r.json()
    assert mine, "the demo gives the focal point of the Asia-Pacific States a task"
    assert all(t["assignee"] in (focal.email, focal.role) for t in mine)
    assert len(mine) < len(everyone)  # the filter was obeyed, not ignored


def test_an_unknown_query_parameter_is_refused_naming_the_ones_taken(client):
    r = client.get("/api/tasks", params={"for_": "focal.asia-pacific@example.org"})
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "unknown_parameter"
    assert "for_" in error["message"] and "it takes all, for" in error["message"]
    assert client.get("/api/cases", params={"statu": "open"}).status_code == 400
    assert client.get("/api/cases", params={"status": "open"}).status_code == 200


@pytest.mark.parametrize(("method", "path"), [("get", "/api/cases"), ("post", "/api/cases"),
                                              ("post", "/api/tasks/1/done")])
def test_nobody_signed_in_gets_401_even_where_a_form_would_want_its_csrf_token(demo, method, path):
    r = TestClient(create_app()).request(method, path, json={})
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "unauthenticated"
