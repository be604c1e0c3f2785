"""The API against its contract (issue 20, item 2) and bad input (issue 8, item 4):
schemathesis generates requests from the app's OpenAPI document, for every operation (the JSON
API, the documents and, from the same routes, the pages), valid and invalid alike, and sends
them through the ASGI transport (no port), on a database holding the demo data, so that paths
name real cases, steps, letters and tasks, not only unknown ones.

Asserted, for the web administrator, a Bureau member (who sees less), a read-only token and
nobody signed in (no token: the 401s):
- every operation of /openapi.json answers only as the document says: a status it declares
  (`status_code_conformance`), a content type it declares for that status
  (`content_type_conformance`) and a body that fits the schema declared for both
  (`response_schema_conformance`), the error bodies included;
- no request gets a 5xx and no exception escapes the app (schemathesis' `not_a_server_error`;
  the ASGI transport re-raises what the app raises), the pages included;
- every error under /api/ is `{"error": {"code", "message"}}` with a message (`error_contract`).

Hypothesis runs derandomized, so CI repeats the same examples. What fuzzing found is kept at the
end as explicit regression tests, asked of the services where the cause was there, so that the
command line is held to the same bounds."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session, select

from noncoop import accounts, clock, demo, people, services, tasks
from noncoop.domain import load_procedure
from noncoop.errors import BadInput, NotFound
from noncoop.letters import register
from noncoop.letters.render import catalogue
from noncoop.store import db as store
from noncoop.store.models import TaskRow
from noncoop.web import pages
from noncoop.web.app import create_app, document

# Its databases are made here, once a module and role (_fresh_database), on the server under
# test; on one worker of the suite, which then makes each once.
pytestmark = [pytest.mark.slow, pytest.mark.database, pytest.mark.xdist_group("fuzz")]

D = dt.date
PASSWORD = "correct horse battery staple"
NOW = dt.datetime(2025, 11, 3, 9, 0, tzinfo=dt.UTC)  # a fixed clock: the same run every day
EMAILS = {"admin": "fuzz-admin@example.org", "bureau": "bureau.member@example.org"}
# Examples of a generated operation and role (33 operations x 4 roles), and of a role that acts
# (a case opened, then 1-3 actions). The default keeps CI within minutes; a deeper run sets
# NONCOOP_FUZZ_EXAMPLES=25 or more (the same seed: derandomized, it adds examples, drops none).
EXAMPLES = int(os.environ.get("NONCOOP_FUZZ_EXAMPLES", "10"))
ACTION_EXAMPLES = 4 * EXAMPLES

APP = create_app()
CONTRACT = APP.openapi()
# The operations /openapi.json documents: held to it. The pages are left out of the document
# (browsers, not programs, read them) but fuzzed all the same, from their own routes.
CONTRACTED = {(method.upper(), path) for path, ops in CONTRACT["paths"].items() for method in ops}
schema = schemathesis.openapi.from_dict(document(APP, [*APP.routes, *pages.router.routes]))
schema.app = APP
CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]

# Filled by the `world` fixture, read by the hooks while examples are generated.
REAL: dict[str, Any] = {}

# Dates at the edges of the calendar and of what the API accepts (deps.FIRST_DAY, LAST_DAY).
EDGE_DATES = ["0001-01-01", "0001-01-03", "2002-06-30", "2002-07-01", "2024-02-29", "2025-11-03",
              "2025-12-01", "2199-12-31", "2200-01-01", "9999-12-29", "9999-12-31"]
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PARAM_KEYS = ["action", "reply_days", "outcome", "step", "kind", "due", "decision_ref",
              "decision_date", "court_consulted", "urgent", "trigger", "bureau_decision", "with",
              "channel", "summary", "art97", "verified", "to", "task", "person", "from", "source",
              "reliability", "place"]
PARAM_VALUES = st.one_of(
    st.sampled_from(["send", "reply", "convene", "announce", "yes", "no", "bureau", "president",
                     "meeting", "confirmed", "other", "cooperation_achieved", "forward_decision",
                     "open_letter", "due", "reply", "0", "-1", "30", "99999999999", "1e3", "",
                     " ", "president@example.org", "focal.asia-pacific@example.org", "nobody@x,"]),
    st.sampled_from(EDGE_DATES),
    st.dates().map(dt.date.isoformat),
    st.integers().map(str),
    st.text(max_size=12),
)


def _real_or(name: str, generated: Any) -> st.SearchStrategy[Any]:
    """As often as not a real value of the database (a case number, a letter reference...),
    else what schemathesis generated."""
    values = REAL.get(name)
    return st.one_of(st.sampled_from(values), st.just(generated)) if values else st.just(generated)


def _edge_or(value: Any) -> st.SearchStrategy[Any]:
    if isinstance(value, str) and ISO_DATE.match(value):
        return st.one_of(st.just(value), st.sampled_from(EDGE_DATES))
    return st.just(value)


@schema.hook
def flatmap_path_parameters(ctx: Any, path_parameters: dict[str, Any] | None) -> Any:
    if not path_parameters:
        return st.just(path_parameters)
    return st.fixed_dictionaries({k: _real_or(k, v) for k, v in path_parameters.items()})


QUERY_REAL = {"case": "case_id", "for": "email"}


@schema.hook
def flatmap_query(ctx: Any, query: dict[str, Any] | None) -> Any:
    if not query:
        return st.just(query)
    return st.fixed_dictionaries({
        k: _real_or(QUERY_REAL.get(k, k), v).flatmap(_edge_or) for k, v in query.items()})


@schema.hook
def flatmap_body(ctx: Any, body: Any) -> Any:
    if not isinstance(body, dict):
        return st.just(body)
    dated = st.fixed_dictionaries({k: _edge_or(v) for k, v in body.items()})
    if "params" in body and "skip" in body:
        # An action's --param values are a free-form dict in the schema: give them the keys
        # the steps read, with values good and bad, so that the checks behind them are reached.
        params = st.dictionaries(st.sampled_from(PARAM_KEYS), PARAM_VALUES, max_size=5)
        return st.one_of(dated, st.tuples(dated, params).map(lambda bp: {**bp[0], "params": bp[1]}))
    return dated


def error_contract(ctx: Any, response: Any, case: Any) -> None:
    """An error under /api/ says what was wrong and what to do, as INTERFACE.md has it."""
    path = urlsplit(response.request.url).path
    if response.status_code < 400 or not path.startswith("/api/"):
        return None
    body = json.loads(response.content)
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict) and isinstance(error.get("code"), str), \
        f"{response.status_code} on {path} is not an {{'error': ...}} body: {body!r}"
    assert isinstance(error.get("message"), str) and error["message"].strip(), \
        f"{response.status_code} on {path} has no message: {body!r}"
    return None


# -- the database ---------------------------------------------------------------------------

def _fresh_database(folder: Path) -> tuple[str, str | None]:
    """A migrated database, as conftest's `database_url` makes one but for the whole module:
    the demo is set up once a role, not once an operation, which keeps the run short."""
    base = os.environ.get("NONCOOP_TEST_DATABASE_URL")
    if not base:
        url = f"sqlite:///{folder / 'fuzz.db'}"
        store.upgrade(url)
        return url, None
    name = f"nc_fuzz_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = base.rsplit("/", 1)[0] + f"/{name}"
    store.upgrade(url)
    return url, name


def _drop(url: str, name: str | None) -> None:
    store.get_engine(url).dispose()
    store.get_engine.cache_clear()
    if name:
        admin = sa.create_engine(os.environ["NONCOOP_TEST_DATABASE_URL"],
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _load(db: Session) -> dict[str, Any]:
    """The demo, plus what it leaves out: a formal case past its hearing, a 7(b) case under
    good offices with tasks, Bureau meetings, a later session, issued letters, two logins."""
    demo.load_demo(db)
    services.add_bureau_meeting(db, D(2025, 11, 12), "New York")
    services.add_bureau_meeting(db, D(2026, 2, 10), "The Hague")
    services.add_session(db, 25, D(2026, 12, 7), D(2026, 12, 12), "The Hague")
    formal = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                                decision_date=D(2025, 10, 24), referred_to=["assembly"],
                                request="art89", person="V. Putin")["id"]
    services.act(db, formal, "forward_decision", on=D(2025, 10, 27))
    services.act(db, formal, "open_letter", on=D(2025, 10, 28),
                 params={"action": "send", "reply_days": "30"})
    services.act(db, formal, "bureau_hearing", on=D(2025, 11, 12))
    urgent = services.open_case(db, state="Tajikistan", scenario="7b", summary="planned visit",
                                travel_date=D(2025, 11, 20))["id"]
    services.act(db, urgent, "good_offices_activate", on=D(2025, 11, 3),
                 params={"court_consulted": "2025-11-01"})
    services.act(db, urgent, "request_assistance", on=D(2025, 11, 3),
                 params={"task": "call the mission", "due": "2025-11-10"})
    letters = [register.issue(db, formal, name, on=D(2025, 10, 27))["reference"]
               for name in ("forward_decision", "press_release")]
    accounts.add_user(db, EMAILS["admin"], "admin", PASSWORD)
    accounts.add_user(db, EMAILS["bureau"], "bureau", PASSWORD)
    procedure = load_procedure()
    return {
        "case_id": [c["id"] for c in services.list_cases(db)],
        "reference": letters,
        "task_id": [t.id for t in db.exec(select(TaskRow)).all()],
        "step": sorted({*procedure.steps, *procedure.stage_moves, *services.DEADLINE_ACTIONS}),
        "template": sorted(catalogue()),
        "outcome": ["done", "decline"],
        "status": ["open", "closed"], "lang": ["en", "fr"], "format": ["html", "docx"],
        "role": ["bureau", "focal_point"], "who": ["president_office", "secretariat"],
        "email": [EMAILS["bureau"]],
    }


# Who sends the requests: a login and the scope of its token, or nobody (no token at all).
ROLES = {"admin": (EMAILS["admin"], "act"), "bureau": (EMAILS["bureau"], "act"),
         "reader": (EMAILS["admin"], "read"), "anonymous": None}


@pytest.fixture(scope="module", params=list(ROLES))
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A database with the demo data for the whole module, and the headers of the role that
    sends the requests: the web administrator, a Bureau member (who sees less), a token that
    may only read, or nobody signed in."""
    role = request.param
    url, name = _fresh_database(tmp_path_factory.mktemp(f"fuzz-{role}"))
    store.get_engine.cache_clear()  # the app asks for the engine of NONCOOP_DATABASE_URL
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NONCOOP_DATABASE_URL", url)
        mp.setenv("NONCOOP_BASE_URL", "https://noncoop.example.org")  # the feed is served
        mp.setattr(clock, "now", lambda: NOW)
        try:
            with store.session(url) as db:
                REAL.update(_load(db))
                REAL["role"] = role
                REAL["headers"] = {}
                if ROLES[role] is not None:
                    email, scope = ROLES[role]
                    token = accounts.new_token(db, email, f"fuzz {role}", scope=scope)
                    REAL["headers"] = {"Authorization": f"Bearer {token}"}
            yield REAL
        finally:
            REAL.clear()
            _drop(url, name)


@pytest.fixture
def acting(world: dict[str, Any]) -> dict[str, Any]:
    """A role that may act: a read-only token and nobody get their 403 and 401 above."""
    if ROLES[world["role"]] is None or ROLES[world["role"]][1] != "act":
        pytest.skip(f"{world['role']} may not act: its answers are checked by the fuzzing above")
    return world


# -- the fuzzing ----------------------------------------------------------------------------

FUZZ = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate, Phase.shrink])


def _call_and_validate(case: Any, world: dict[str, Any]) -> None:
    documented = (case.method.upper(), case.path) in CONTRACTED
    case.call_and_validate(headers=world["headers"],
                           checks=[not_a_server_error, error_contract,
                                   *(CONFORMANCE if documented else [])])


# The operations that typeset a PDF (a second or more each: every case the reader sees is laid
# out) get a quarter of the examples: their parameters are those of the page they print, which
# the other test fuzzes in full.
PRINTED = r"\.pdf$"


@schema.exclude(path_regex=PRINTED).parametrize()
@settings(FUZZ, max_examples=EXAMPLES)
def test_every_answer_is_as_documented_and_none_is_a_server_error(case: Any,
                                                                    world: dict[str, Any]) -> None:
    _call_and_validate(case, world)


@pytest.mark.one_database  # the page it prints is fuzzed on each database above
@schema.include(path_regex=PRINTED).parametrize()
@settings(FUZZ, max_examples=max(2, EXAMPLES // 4))
def test_every_printed_answer_is_as_documented_and_none_is_a_server_error(
        case: Any, world: dict[str, Any]) -> None:
    _call_and_validate(case, world)


DATES = st.one_of(st.sampled_from(EDGE_DATES), st.dates().map(dt.date.isoformat),
                  st.dates(D(2024, 1, 1), D(2026, 12, 31)).map(dt.date.isoformat))
STATES = ["Mongolia", "Tajikistan", "Hungary", "Sudan", "Russian Federation", "Narnia"]


def _deadline_steps() -> list[str]:
    """The steps from which a deadline is counted (workflow `anchor`s), and those that set a
    date of their own: where a date at the edge of the calendar can overflow."""
    procedure = load_procedure()
    anchored = {r.anchor.split(".")[0] for r in procedure.deadline_rules if "." in r.anchor}
    return sorted(anchored | {"refer_to_assembly", "reschedule_deadline", "request_assistance",
                              "travel_alert", "good_offices_activate"})


@st.composite
def openings(draw: st.DrawFn) -> dict[str, Any]:
    """A case to open: most often one the rules accept (so that its deadlines are counted),
    with dates from anywhere in the calendar."""
    scenario = draw(st.sampled_from(["7a", "7a", "7b", "7c"]))
    body: dict[str, Any] = {"state": draw(st.sampled_from(STATES)), "scenario": scenario,
                            "referred_to": draw(st.one_of(
                                st.just(["assembly"]), st.just(["assembly", "security-council"]),
                                st.lists(st.sampled_from(["assembly", "security-council", "none",
                                                          "x"]), max_size=2)))}
    if scenario != "7b" or draw(st.booleans()):
        body.update(decision_ref="ICC-01/22-90", decision_date=draw(DATES))
    if scenario == "7b" or draw(st.booleans()):
        body["summary"] = draw(st.sampled_from(["planned visit", "", " "]))
    if draw(st.booleans()):
        body["travel_date"] = draw(DATES)
    return body


def _value(spec: dict[str, Any]) -> st.SearchStrategy[str]:
    if spec.get("choices"):
        return st.sampled_from([str(c) for c in spec["choices"]])
    if spec.get("type") == "date":
        return DATES
    return st.sampled_from(["Ambassador X", "a summary", ""])


# The --param values the services read that the workflows do not declare.
PARAMS_OF = {
    "open_letter": {"action": st.sampled_from(["send", "reply", "x"]),
                    "reply_days": st.sampled_from(["30", "1", "0", "-1", "99999999999", "soon"])},
    "emergency_bureau_meeting": {"action": st.sampled_from(["convene", "announce"])},
    "refer_to_assembly": {"decision_ref": st.just("ICC-01/22-90"), "decision_date": DATES},
    "request_assistance": {"due": st.one_of(DATES, st.just("soon")), "task": st.just("call"),
                           "to": st.sampled_from(["focal.asia-pacific@example.org", "nobody@x"])},
    "reschedule_deadline": {"step": st.sampled_from(["forward_decision", "press_release",
                                                     "open_letter", "notify_bureau"]),
                            "kind": st.sampled_from(["due", "reply"]), "due": DATES},
    "waive_deadline": {"step": st.sampled_from(["forward_decision", "press_release"]),
                       "kind": st.just("due")},
    "close": {"outcome": st.sampled_from(["cooperation_achieved", "other", "x"])},
}


@st.composite
def params_for(draw: st.DrawFn, step: str) -> dict[str, str]:
    """Most often the --param values `step` reads (declared in the workflow or read by the
    services), good or bad; else any keys with any values."""
    defn = load_procedure().steps.get(step)
    known = {**{k: _value(v) for k, v in (defn.params if defn else {}).items()},
             **PARAMS_OF.get(step, {})}
    if known and draw(st.integers(0, 3)):
        keys = draw(st.lists(st.sampled_from(sorted(known)), unique=True, min_size=len(known) - 1,
                             max_size=len(known))) if len(known) > 1 else list(known)
        return {k: draw(known[k]) for k in keys}
    return draw(st.dictionaries(st.sampled_from(PARAM_KEYS), PARAM_VALUES, max_size=4))


@st.composite
def actions(draw: st.DrawFn, steps: list[str]) -> tuple[str, dict[str, Any]]:
    """An action: most often a step that counts a deadline, at any date, with its --params."""
    step = draw(st.one_of(st.sampled_from(steps), st.sampled_from(steps),
                          st.sampled_from(REAL["step"]), st.sampled_from(["", "x", "close "])))
    body: dict[str, Any] = {}
    if draw(st.integers(0, 3)):
        body["on"] = draw(DATES)
    if draw(st.integers(0, 5)) == 0:
        body["skip"] = True
        body["reason"] = draw(st.sampled_from(["", " ", "not needed"]))
    elif step in services.DEADLINE_ACTIONS:
        body["reason"] = "the Bureau decided so"
    body["params"] = draw(params_for(step))
    return step, body


def _answered(r: Any, what: Any) -> None:
    assert r.status_code < 500, (what, r.text)
    if r.status_code >= 400:
        error = r.json()["error"]
        assert error["code"] and error["message"].strip(), (what, r.text)


@settings(FUZZ, max_examples=ACTION_EXAMPLES)
@given(data=st.data())
def test_cases_opened_and_acted_on_at_any_date_get_no_server_error(acting: dict[str, Any],
                                                                    data: Any) -> None:
    """A case opened with whatever dates come, then a few actions on it (or on a case of the
    demo): deadlines are counted from every date, and every refusal is a 4xx saying why."""
    client = TestClient(APP, headers=acting["headers"])
    body = data.draw(openings(), label="open")
    r = client.post("/api/cases", json=body)
    _answered(r, body)
    mine = [r.json()["id"]] if r.status_code == 201 else []
    steps = _deadline_steps()
    for _ in range(data.draw(st.integers(1, 3), label="actions")):
        case_id = data.draw(st.sampled_from(mine) if mine and data.draw(st.integers(0, 3))
                            else st.sampled_from(REAL["case_id"]), label="case")
        step, action = data.draw(actions(steps), label="action")
        r = client.post(f"/api/cases/{case_id}/actions/{step}", json=action)
        _answered(r, (case_id, step, action))
        if r.status_code == 200:
            assert r.json()["id"] == case_id


# -- what fuzzing found, kept as regression tests -------------------------------------------

@pytest.fixture
def app(db, monkeypatch):
    """A small calendar and directory, a formal case, a 7(b) case under good offices."""
    monkeypatch.setenv("NONCOOP_SECRET_KEY", "test-secret")
    store.get_engine.cache_clear()  # the app's engine of `world`, if it is still up: use `db`'s
    services.add_session(db, 24, D(2025, 12, 1), D(2025, 12, 5), "The Hague")
    people.add_person(db, name="Focal point", email="focal.asia@example.org", role="focal_point",
                      region="Asia-Pacific", active_from=D(2024, 1, 1))
    accounts.add_user(db, EMAILS["admin"], "admin", PASSWORD)
    return create_app()


@pytest.fixture
def cases(db, app):
    formal = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                                decision_date=D(2025, 10, 24), referred_to=["assembly"])["id"]
    urgent = services.open_case(db, state="Tajikistan", scenario="7b", summary="planned visit")["id"]
    services.act(db, urgent, "good_offices_activate", params={"court_consulted": "2025-11-01"})
    return {"formal": formal, "urgent": urgent}


@pytest.fixture
def client(db, app):
    token = accounts.new_token(db, EMAILS["admin"], "regressions")
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def error_of(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return r.json()["error"]


def test_a_session_number_below_one_is_refused(client, cases):
    # Found by schemathesis: session -644 was stored, and every letter of a case whose next
    # session it was then failed with a TypeError in num2words (an ordinal of a negative).
    error = error_of(client.post("/api/calendar/sessions", json={
        "number": -644, "start": "2025-12-08", "end": "2025-12-09"}), 422)
    assert "number" in error["message"] and "greater than or equal to 1" in error["message"]
    assert client.get(f"/api/cases/{cases['formal']}/letters/bureau_report_section").status_code == 200


@pytest.mark.parametrize("field", ["decision_date", "travel_date"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_case_dated_at_the_edge_of_the_calendar_is_bad_input(client, field, day):
    # Was a 500: OverflowError counting business days past 9999-12-31, or the reminder day
    # before 0001-01-01.
    body = {"state": "Mongolia", "scenario": "7a", "decision_ref": "X", "referred_to": ["assembly"],
            "decision_date": "2025-10-24", field: day}
    error = error_of(client.post("/api/cases", json=body), 422)
    assert error["code"] == "bad_input"
    assert f"{field}: {day} is outside the dates of the procedure" in error["message"]
    assert "check the year" in error["message"]


@pytest.mark.parametrize(("step", "params"), [
    ("open_letter", {"action": "send"}),                   # reply due 30 days later
    ("emergency_bureau_meeting", {"action": "convene"}),   # announcement 1 business day later
    ("bureau_hearing", {}),
])
def test_an_action_dated_past_the_calendar_is_bad_input(client, cases, step, params):
    r = client.post(f"/api/cases/{cases['formal']}/actions/{step}",
                    json={"on": "9999-12-31", "params": params})
    assert "on: 9999-12-31 is outside the dates of the procedure" in error_of(r, 422)["message"]


def test_a_travel_alert_past_the_calendar_is_bad_input(client, cases):
    r = client.post(f"/api/cases/{cases['urgent']}/actions/travel_alert", json={
        "on": "9999-12-31", "params": {"person": "X", "from": "9999-12-31", "source": "press",
                                       "reliability": "likely"}})
    assert error_of(r, 422)["code"] == "bad_input"
    r = client.post(f"/api/cases/{cases['urgent']}/actions/travel_alert", json={
        "params": {"person": "X", "from": "9999-12-31", "source": "press", "reliability": "likely"}})
    assert "--param from=9999-12-31" in error_of(r, 400)["message"]


def test_a_reply_time_past_the_calendar_is_bad_input(client, cases):
    # Was a 500: OverflowError adding 99999999999 days to the letter's date.
    r = client.post(f"/api/cases/{cases['formal']}/actions/open_letter",
                    json={"params": {"action": "send", "reply_days": "99999999999"}})
    error = error_of(r, 400)
    # The workflow bounds the reply time (workflows/formal.yaml): refused before any counting.
    assert error["code"] == "bad_param"
    assert error["message"] == "--param reply_days must be at most 3650"


@pytest.mark.parametrize(("step", "params", "says"), [
    # Was a 500: tasks.assistance parses `due` with no check (ValueError).
    ("request_assistance", {"due": "soon"}, "bad date 'soon' for --param due: write YYYY-MM-DD"),
    # Was a 500: services.steps._deadline_change counts the reminder day before 0001-01-01.
    ("reschedule_deadline", {"step": "forward_decision", "kind": "due", "due": "0001-01-01"},
     "--param due=0001-01-01: 0001-01-01 is outside the dates of the procedure"),
    # Was a 500: the referral's decision date plus one business day is past 9999-12-31.
    ("refer_to_assembly", {"decision_ref": "X", "decision_date": "9999-12-31"},
     "--param decision_date=9999-12-31"),
])
def test_a_bad_date_in_a_param_is_bad_input(client, cases, step, params, says):
    case_id = cases["formal"] if step == "reschedule_deadline" else cases["urgent"]
    r = client.post(f"/api/cases/{case_id}/actions/{step}", json={"params": params, "reason": "r"})
    error = error_of(r, 400)
    assert error["code"] == "bad_param" and says in error["message"]


@pytest.mark.parametrize("task_id", [2**31, 2**63, 10**20])
def test_a_task_number_no_row_can_have_is_not_found(client, task_id):
    # Was a 500: SQLite cannot bind an integer past 64 bits, PostgreSQL one past 32 bits.
    error = error_of(client.post(f"/api/tasks/{task_id}/done", json={}), 404)
    assert error == {"code": "unknown_task", "message": f"no task {task_id}: see noncoop tasks"}


def test_the_case_page_refuses_a_date_past_the_calendar(client, cases):
    r = client.post(f"/cases/{cases['formal']}/act", data={"step": "open_letter", "on": "9999-12-31",
                                                           "params": "action=send"})
    assert r.status_code == 200 and "9999-12-31 is outside the dates of the procedure" in r.text
    r = client.post(f"/cases/{cases['urgent']}/act", data={"step": "request_assistance",
                                                          "params": "due=soon"})
    assert r.status_code == 200 and "bad date &#39;soon&#39; for --param due" in r.text


def test_unknown_api_paths_and_methods_answer_with_an_error_body(client):
    error = error_of(client.post("/api/calendar", json={}), 405)
    assert error["code"] == "method_not_allowed" and "use GET" in error["message"]
    error = error_of(client.get("/api/nothing-here"), 404)
    assert error["code"] == "not_found" and "/openapi.json" in error["message"]


# Found through the API, caused in the services: asked of the services directly.

@pytest.mark.parametrize("decided", [D(1, 1, 1), D(2002, 6, 30), D(2200, 1, 1), D(9999, 12, 31)])
def test_a_case_decided_outside_the_dates_of_the_procedure_is_bad_input(db, decided):
    with pytest.raises(BadInput, match="outside the dates of the procedure"):
        services.open_case(db, state="Mongolia", scenario="7a", decision_ref="X",
                           decision_date=decided, referred_to=["assembly"])


def test_rescheduling_a_deadline_to_the_first_day_of_the_calendar_is_bad_input(db):
    services.add_session(db, 24, D(2025, 12, 1), D(2025, 12, 5), "The Hague")
    case_id = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="X",
                                 decision_date=D(2025, 10, 24), referred_to=["assembly"])["id"]
    with pytest.raises(BadInput):
        services.act(db, case_id, "reschedule_deadline", reason="r",
                     params={"step": "forward_decision", "kind": "due", "due": "0001-01-01"})


def test_a_request_for_assistance_due_on_no_date_is_bad_input(db):
    people.add_person(db, name="Focal point", email="focal.asia@example.org", role="focal_point",
                      region="Asia-Pacific", active_from=D(2024, 1, 1))
    case_id = services.open_case(db, state="Tajikistan", scenario="7b", summary="visit")["id"]
    services.act(db, case_id, "good_offices_activate", params={"court_consulted": "2025-11-01"})
    with pytest.raises(BadInput):
        services.act(db, case_id, "request_assistance", params={"due": "soon"})


def test_a_session_number_below_one_is_refused_by_the_service(db):
    # A letter spells the number as an ordinal, which -1 cannot be.
    with pytest.raises(BadInput, match="session number -1"):
        services.add_session(db, -1, D(2025, 12, 1), D(2025, 12, 5), "The Hague")


def test_a_task_number_no_row_can_have_is_not_found_by_the_service(db):
    with pytest.raises(NotFound):
        tasks.close(db, 2**63, "done", None, services.ADMIN)
