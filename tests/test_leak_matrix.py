"""Nothing leaks, whichever way out (SPEC "Confidentiality"): every role x every kind of case x
every way out that reads, through the JSON API, the pages and the command line. The ways out
are read from the app's routes and the CLI's commands, so a new one that this file has no rule
for fails here until it is given one.

What each role may see of each kind of case is written here from SPEC and Annex II, not from
the code: "full" (the good offices' details too), "formal" (the case and its formal record,
none of its secrets), None (not even that it exists: its number appears nowhere)."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.main import get_command
from typer.testing import CliRunner

from noncoop import accounts, people, services
from noncoop.letters import register

D = dt.date
PASSWORD = "correct horse battery staple"
KINDS = ("formal", "beside", "hidden", "urgent", "monitoring", "closed")
# The secrets each kind holds, seen only in full: the incident, the contacts, the travel, the
# reasons given in the good offices' lane.
SECRETS = {"beside": ("SECRET-CONTACT",), "hidden": ("SECRET-HIDDEN",),
           "urgent": ("SECRET-VISIT", "SECRET-TRAVELLER", "SECRET-SOURCE", "SECRET-WAIVER")}
F, B = "full", "formal"
SIGHT = {  # kind:     formal beside hidden  urgent monitoring closed
    "president":     (F, F, F, F, F, F),
    "secretariat":   (F, F, F, F, F, F),
    "fp_asia":       (F, F, F, F, F, F),   # Mongolia's region (para 17)
    "fp_africa":     (None,) * 6,
    "bureau":        (B, B, None, B, B, B),  # a 7(b) case only once good offices begin (18)
    "bureau_asked":  (B, F, None, B, B, B),  # asked to assist on `beside` (para 20)
    "ended":         (None,) * 6,           # a term that has ended: nobody
    "not_yet":       (None,) * 6,           # a term that has not begun: nobody
}
PEOPLE = {"president": ("president_office", None), "secretariat": ("secretariat", None),
          "fp_asia": ("focal_point", "Asia-Pacific"), "fp_africa": ("focal_point", "African"),
          "bureau": ("bureau", None), "bureau_asked": ("bureau", None),
          "ended": ("bureau", None), "not_yet": ("bureau", None)}


def email(who: str) -> str:
    return f"{who}@example.org"


@pytest.fixture
def world(db, monkeypatch) -> dict[str, Any]:
    monkeypatch.setenv("NONCOOP_SECRET_KEY", "test-secret")
    monkeypatch.setenv("NONCOOP_BASE_URL", "https://noncoop.example.org")  # the feed is served
    for who, (role, region) in PEOPLE.items():
        people.add_person(db, name=who, email=email(who), role=role, region=region,
                          active_from=D(2030, 1, 1) if who == "not_yet" else D(2024, 1, 1))
        accounts.add_user(db, email(who), role, PASSWORD)
    people.end_person(db, email("ended"), D(2024, 6, 30))
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    services.add_bureau_meeting(db, D(2024, 11, 5), "New York")
    ids = {}

    def finding(ref: str, referred: list[str]) -> str:
        return services.open_case(db, state="Mongolia", scenario="7a", decision_ref=ref,
                                  decision_date=D(2024, 10, 24), referred_to=referred)["id"]
    ids["formal"] = finding("ICC-01/22-90", ["assembly"])
    ids["beside"] = finding("ICC-01/22-91", ["assembly"])
    ids["monitoring"] = finding("ICC-01/22-92", ["security-council"])
    ids["closed"] = finding("ICC-01/22-93", ["assembly"])
    services.act(db, ids["closed"], "close", on=D(2024, 11, 1), params={"outcome": "other"})
    services.act(db, ids["beside"], "good_offices_activate", on=D(2024, 10, 25),
                 params={"trigger": "bureau", "bureau_decision": "2024-10-25"})
    services.act(db, ids["beside"], "engage_state", on=D(2024, 10, 26), params={
        "with": "the Foreign Minister", "channel": "call", "summary": "SECRET-CONTACT"})
    services.act(db, ids["beside"], "request_assistance", on=D(2024, 10, 27),
                 params={"to": email("bureau_asked"), "task": "call"})
    ids["hidden"] = services.open_case(db, state="Mongolia", scenario="7b",
                                       summary="SECRET-HIDDEN")["id"]
    ids["urgent"] = services.open_case(db, state="Mongolia", scenario="7b",
                                       summary="SECRET-VISIT", person="SECRET-PERSON")["id"]
    services.act(db, ids["urgent"], "good_offices_activate", on=D(2024, 8, 30),
                 params={"court_consulted": "2024-08-29"})
    services.act(db, ids["urgent"], "travel_alert", on=D(2024, 8, 31), params={
        "person": "SECRET-TRAVELLER", "from": "2024-09-10", "source": "SECRET-SOURCE",
        "reliability": "likely"})
    services.act(db, ids["urgent"], "waive_deadline", on=D(2024, 8, 31), reason="SECRET-WAIVER",
                 params={"step": "notify_bureau", "kind": "due"})
    letters = {kind: register.issue(db, ids[kind], "reminder", on=D(2024, 11, 1))["reference"]
               for kind in ("formal", "beside", "urgent")}
    # A task of each kind of case (its first: a deadline's, or the request for assistance).
    from sqlmodel import col, select

    from noncoop.store.models import TaskRow
    tasks = {kind: str(db.exec(select(TaskRow.id).where(TaskRow.case_id == ids[kind])
                               .order_by(col(TaskRow.id))).first() or 2**31 - 1) for kind in KINDS}
    return {"ids": ids, "letters": letters, "tasks": tasks}


def check(who: str, world: dict[str, Any], way: str, body: str) -> None:
    """What `who` got through `way` holds nothing he or she may not see."""
    for kind, seen in zip(KINDS, SIGHT[who], strict=True):
        case_id = world["ids"][kind]
        # "Not found" repeats the number asked for, as it does for a case that does not exist.
        for quote in ("'", "&#39;"):
            body = body.replace(f"no case {quote}{case_id}{quote}", "no case ASKED")
        if seen is None:
            assert case_id not in body, (who, way, kind)
        if seen != F:
            for secret in SECRETS.get(kind, ()):
                assert secret not in body, (who, way, kind, secret)


# -- the ways out, read from the app and the CLI ------------------------------------------------

def routes() -> list[str]:
    """Every GET the app serves, read from its routes: the pages too, which its OpenAPI
    document leaves out."""
    from fastapi.routing import APIRoute, iter_route_contexts

    from noncoop.web.app import create_app
    found = sorted({r.path for r in iter_route_contexts(create_app().routes)
                    if isinstance(r.original_route, APIRoute) and "GET" in (r.methods or ())})
    assert {"/api/cases/{case_id}", "/cases/{case_id}", "/public"} <= set(found), found
    return found


# How to fill each route's path for one case kind; a route without a rule fails the test.
FILL = {
    "case_id": lambda world, kind: world["ids"][kind],
    "template": lambda world, kind: "reminder",
    "reference": lambda world, kind: world["letters"].get(kind, "ICC-ASP/0/S/0"),
    "task_id": lambda world, kind: world["tasks"][kind],
}
NOT_ABOUT_CASES = {"/login", "/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"}


def paths(world: dict[str, Any]) -> list[tuple[str, str | None]]:
    out = []
    for route in routes():
        if route in NOT_ABOUT_CASES:
            continue
        names = re.findall(r"\{(\w+)(?::\w+)?\}", route)
        unknown = [n for n in names if n not in FILL]
        assert not unknown, f"{route}: no rule to fill {unknown}: give it one in FILL"
        if not names:
            out.append((route, None))
            continue
        for kind in KINDS:
            path = route
            for name in names:
                path = re.sub(r"\{" + name + r"(?::\w+)?\}", FILL[name](world, kind), path)
            out.append((path, kind))
    return out


def signed_in(app: Any, who: str) -> TestClient:
    client = TestClient(app)
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"email": email(who), "password": PASSWORD, "csrf": csrf})
    return client


def readable(answer: Any) -> str:
    """What a person reads in an answer: a PDF's text (the review's export), not its
    compressed bytes, in which no case number could be found."""
    if answer.headers.get("content-type", "").startswith("application/pdf"):
        import pypdf
        return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(answer.content)).pages)
    return answer.text


@pytest.mark.parametrize("who", list(SIGHT))
def test_no_route_shows_what_its_reader_may_not_see(db, world, who):
    from noncoop.web.app import create_app
    app = create_app()
    token = accounts.new_token(db, email(who), "matrix")
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    page = signed_in(app, who)
    for path, kind in paths(world):
        client = api if path.startswith("/api/") else page
        answer = client.get(path, follow_redirects=False)
        body = readable(answer)
        check(who, world, path, body)
        if kind is not None and SIGHT[who][KINDS.index(kind)] is None and (
                f"/{world['ids'][kind]}" in path or path == f"/tasks/{world['tasks'][kind]}"):
            assert answer.status_code in (303, 404), (who, path, answer.status_code)


CLI_READS = {  # the commands that read, with how to call them for a case kind (None: no case)
    ("case", "show"): lambda world, kind: ["case", "show", world["ids"][kind]],
    ("case", "list"): lambda world, kind: ["case", "list"],
    ("deadlines",): lambda world, kind: ["deadlines"],
    ("letters", "list"): lambda world, kind: ["letters", "list"],
    ("letters", "show"): lambda world, kind: ["letters", "show", world["letters"][kind]]
    if kind in world["letters"] else None,
    ("letters", "render"): lambda world, kind: ["letters", "render", world["ids"][kind],
                                                "reminder"],
    ("tasks",): lambda world, kind: ["tasks"],
    ("people", "list"): lambda world, kind: ["people", "list"],
    ("calendar", "list"): lambda world, kind: ["calendar", "list"],
    ("calendar", "export"): lambda world, kind: ["calendar", "export", "--ics"],
    ("outbox", "list"): lambda world, kind: ["outbox", "list"],
}
# Commands that write, run the service, or are the administrator's alone: not reads to check.
CLI_OTHERS = {("init",), ("demo",), ("sweep",), ("worker",), ("serve",), ("bench",),
              ("export",), ("import",), ("audit", "verify"), ("audit", "sign"),
              ("case", "open"), ("case", "act"),
              ("calendar", "add-session"), ("calendar", "add-bureau-meeting"),
              ("letters", "issue"), ("letters", "report"), ("letters", "templates"),
              ("tasks", "done"), ("tasks", "decline"), ("people", "add"), ("people", "end"),
              ("user", "add"), ("user", "token"), ("user", "revoke-token"), ("user", "disable"),
              ("user", "password"), ("outbox", "dispatch"), ("outbox", "retry")}


def commands() -> set[tuple[str, ...]]:
    from noncoop.cli import app
    root = get_command(app)
    out = set()
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        if subs:
            out |= {(name, sub) for sub in subs}
            if getattr(cmd, "invoke_without_command", False):
                out.add((name,))
        else:
            out.add((name,))
    return out


def test_every_command_is_a_read_checked_here_or_named_as_not_one():
    assert {("case", "show"), ("deadlines",), ("letters", "list")} <= commands()
    unknown = commands() - set(CLI_READS) - CLI_OTHERS
    assert not unknown, f"commands with no rule here: {sorted(unknown)}"


@pytest.mark.parametrize("who", list(SIGHT))
def test_no_command_shows_what_its_reader_may_not_see(world, who):
    from noncoop.cli import app
    runner = CliRunner()
    for name, call in CLI_READS.items():
        for kind in KINDS:
            args = call(world, kind)
            if args is None:
                continue
            result = runner.invoke(app, [*args, "--as", email(who), "--json"])
            check(who, world, " ".join(name), result.output)
