"""Sight follows the step a record belongs to, as the workflow says (SPEC "Confidentiality"):
a 7(b) case is not the Bureau's until good offices begin, and then only that they began, by
whom and when (para 18); travel details, good offices waivers and notices about a restricted
case stay with those who see it in full; a person asked to assist sees the case (para 20)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from noncoop import people, services
from noncoop.errors import NotFound, Refused
from noncoop.letters import register

D = dt.date
BUREAU, ASKED, PRESIDENT = "bureau@example.org", "asked@example.org", "p@example.org"


@pytest.fixture
def urgent(db):
    people.add_person(db, name="Bureau member", email=BUREAU, role="bureau",
                      active_from=D(2024, 1, 1))
    people.add_person(db, name="Bureau member asked", email=ASKED, role="bureau",
                      active_from=D(2024, 1, 1))
    people.add_person(db, name="President", email=PRESIDENT, role="president_office",
                      active_from=D(2024, 1, 1))
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    return services.open_case(db, state="Mongolia", scenario="7b", summary="SECRET-VISIT",
                              person="SECRET-PERSON")["id"]


def _activate(db, case_id):
    services.act(db, case_id, "good_offices_activate", on=D(2024, 8, 30), by=PRESIDENT,
                 params={"court_consulted": "2024-08-29"})


def test_an_urgent_case_is_not_the_bureaus_until_good_offices_begin(db, urgent):
    assert urgent not in {c["id"] for c in services.list_cases(db, by=BUREAU)}
    assert services.case_regions(db, by=BUREAU) == []
    with pytest.raises(NotFound) as hidden:
        services.show_case(db, urgent, by=BUREAU)
    with pytest.raises(NotFound) as missing:
        services.show_case(db, "NC-1999-999", by=BUREAU)
    assert hidden.value.message == missing.value.message.replace("NC-1999-999", urgent)
    _activate(db, urgent)
    assert urgent in {c["id"] for c in services.list_cases(db, by=BUREAU)}
    shown = services.show_case(db, urgent, by=BUREAU)
    assert [(h["event"], h["step"], h["by"], h["on"]) for h in shown["history"]] == [
        ("step_done", "good_offices_activate", PRESIDENT, "2024-08-30")]  # nothing before it
    assert [s["step"] for s in shown["steps"]] == ["good_offices_activate"]
    assert "SECRET" not in str(shown) and "court_consulted" not in str(shown)


def test_travel_details_never_reach_the_bureau(db, urgent):
    _activate(db, urgent)
    services.act(db, urgent, "travel_alert", on=D(2024, 8, 31), by=PRESIDENT, params={
        "person": "SECRET-TRAVELLER", "from": "2024-09-10", "source": "SECRET-SOURCE",
        "reliability": "likely"})
    shown = services.show_case(db, urgent, by=BUREAU)
    assert "SECRET" not in str(shown) and shown["travel"] is None
    assert not any(h["step"] == "travel_alert" for h in shown["history"])
    assert not any(s["step"] == "travel_alert" for s in shown["steps"])
    assert "SECRET-TRAVELLER" in str(services.show_case(db, urgent, by=PRESIDENT))


def test_the_reason_for_waiving_a_good_offices_deadline_stays_in_that_lane(db, urgent):
    _activate(db, urgent)
    services.act(db, urgent, "waive_deadline", on=D(2024, 8, 30), by=PRESIDENT,
                 reason="SECRET-REASON", params={"step": "notify_bureau", "kind": "due"})
    shown = services.show_case(db, urgent, by=BUREAU)
    assert "SECRET-REASON" not in str(shown)
    assert not any(h["event"] == "deadline_waived" for h in shown["history"])
    full = services.show_case(db, urgent, by=PRESIDENT)["history"]
    assert [h["reason"] for h in full if h["event"] == "deadline_waived"] == ["SECRET-REASON"]


def test_a_notice_issued_on_a_restricted_case_is_not_the_bureaus_to_read(db, urgent):
    _activate(db, urgent)
    issued = register.issue(db, urgent, "reminder", on=D(2024, 8, 31))
    assert register.list_letters(db, urgent, by=BUREAU) == []
    with pytest.raises(NotFound):
        register.show(db, issued["reference"], by=BUREAU)


def test_a_bureau_member_asked_to_assist_sees_the_case_and_records_contacts(db, urgent):
    _activate(db, urgent)
    services.act(db, urgent, "request_assistance", on=D(2024, 8, 31), by=PRESIDENT,
                 params={"to": ASKED, "task": "call the Ambassador"})
    assert "SECRET-VISIT" in str(services.show_case(db, urgent, by=ASKED))
    assert "SECRET-VISIT" not in str(services.show_case(db, urgent, by=BUREAU))
    services.act(db, urgent, "engage_state", on=D(2024, 9, 1), by=ASKED, params={
        "with": "the Ambassador", "channel": "call", "summary": "reminded of art. 86"})
    with pytest.raises(Refused, match="the people asked to assist"):
        services.act(db, urgent, "engage_state", on=D(2024, 9, 1), by=BUREAU, params={
            "with": "the Ambassador", "channel": "call", "summary": "x"})


def test_a_correction_by_one_who_may_not_see_the_case_names_nothing(db, urgent):
    _activate(db, urgent)
    issued = register.issue(db, urgent, "reminder", on=D(2024, 8, 31))
    for who, refusal in (("stranger@example.org", NotFound), (BUREAU, Refused)):
        with pytest.raises(refusal) as e:
            register.issue(db, urgent, "reminder", corrects=issued["reference"], by=who)
        assert issued["reference"] not in e.value.message


def _log(db):
    from sqlmodel import col, select

    from noncoop.store.models import AccessLogRow
    return [(r.who, r.case_id, r.action, r.sight, r.way) for r in
            db.exec(select(AccessLogRow).order_by(col(AccessLogRow.id))).all()]


def test_refused_attempts_are_logged_alike_for_a_hidden_case_and_a_missing_one(db, urgent):
    before = len(_log(db))
    for case_id in (urgent, "NC-1999-999"):
        with pytest.raises(NotFound) as e:
            services.show_case(db, case_id, by=BUREAU)
        assert e.value.message == f"no case {case_id!r}: see `noncoop case list` for the case numbers"
    assert _log(db)[before:] == [(BUREAU, urgent, "show", "refused", "service"),
                                 (BUREAU, "NC-1999-999", "show", "refused", "service")]


def test_a_list_holding_a_restricted_case_is_logged(db, urgent):
    before = len(_log(db))
    services.list_cases(db, by=PRESIDENT)
    services.list_cases(db, by=BUREAU)  # holds nothing restricted: nothing to log
    assert _log(db)[before:] == [(PRESIDENT, urgent, "list", "full", "service")]


def test_a_dashboard_logs_the_restricted_cases_it_shows_and_no_other(db, urgent):
    _activate(db, urgent)  # the Bureau is to be told within 24 hours: work on the dashboard
    quiet = services.open_case(db, state="Chad", scenario="7b", summary="no work on it yet")["id"]
    before = len(_log(db))
    work = services.work(db, PRESIDENT, D(2024, 8, 30))
    assert quiet not in str(work)  # nothing to do on it: not on the dashboard
    shown = {i["case_id"] for key in ("now", "week", "later", "waiting") for i in work[key]}
    assert urgent in shown
    assert _log(db)[before:] == [(PRESIDENT, urgent, "list", "full", "service")]
    assert {i["state"] for key in ("now", "week", "later", "waiting") for i in work[key]
            if i["case_id"] == urgent} == {"Mongolia"}


def test_the_log_says_through_which_way_in(db, urgent, monkeypatch, database_url):
    proc = subprocess.run([sys.executable, "-m", "noncoop.cli", "case", "show", urgent,
                           "--as", BUREAU, "--json"], capture_output=True, text=True,
                          env={**os.environ, "NONCOOP_DATABASE_URL": database_url})
    assert proc.returncode == 2 and "unknown_case" in proc.stdout
    monkeypatch.setenv("NONCOOP_SECRET_KEY", "test-secret")
    from fastapi.testclient import TestClient

    from noncoop import accounts
    from noncoop.web.app import create_app

    accounts.add_user(db, PRESIDENT, "president_office", "correct horse battery staple")
    token = accounts.new_token(db, PRESIDENT, "test")
    shown = TestClient(create_app()).get(f"/api/cases/{urgent}",
                                         headers={"Authorization": f"Bearer {token}"})
    assert shown.status_code == 200
    ways = {(who, sight, way) for who, _, _, sight, way in _log(db)}
    assert {(BUREAU, "refused", "cli"), (PRESIDENT, "full", "api")} <= ways


def test_a_person_whose_term_ended_is_nobody_for_tasks(db, urgent):
    from noncoop import tasks
    _activate(db, urgent)
    services.act(db, urgent, "request_assistance", on=D(2024, 8, 31), by=PRESIDENT,
                 params={"to": ASKED, "task": "call the Ambassador"})
    mine = tasks.list_tasks(db, by=ASKED)
    assert [t["case_id"] for t in mine] == [urgent]
    people.end_person(db, ASKED, D(2024, 9, 1))
    assert tasks.list_tasks(db, by=ASKED) == []
    with pytest.raises(NotFound):
        tasks.close(db, mine[0]["id"], "done", "called", by=ASKED)


def test_the_directory_is_for_those_who_assign_work_and_each_sees_his_own_entry(db, urgent):
    everyone = {p["email"] for p in people.list_people(db, by=PRESIDENT)}
    assert {BUREAU, ASKED, PRESIDENT} <= everyone
    assert [p["email"] for p in people.list_people(db, by=BUREAU)] == [BUREAU]
    assert people.list_people(db, by="stranger@example.org") == []


def test_the_sight_a_request_for_assistance_gives_ends_when_it_is_closed(db, urgent):
    from noncoop import tasks
    _activate(db, urgent)
    services.act(db, urgent, "request_assistance", on=D(2024, 8, 31), by=PRESIDENT,
                 params={"to": ASKED, "task": "call the Ambassador"})
    task = tasks.list_tasks(db, by=ASKED)[0]
    tasks.close(db, task["id"], "done", "called on 1 September", by=ASKED, on=D(2024, 9, 1))
    shown = services.show_case(db, urgent, by=ASKED)  # a Bureau member again: the activation
    assert "SECRET-VISIT" not in str(shown)
    history = services.show_case(db, urgent, by=PRESIDENT)["history"]
    assert [(h["event"], h["by"]) for h in history][-1] == ("task_done", ASKED)
    with pytest.raises(Refused):
        services.act(db, urgent, "engage_state", on=D(2024, 9, 2), by=ASKED, params={
            "with": "the Ambassador", "channel": "call", "summary": "x"})


def test_reserved_identities_are_no_ones(db, urgent):
    from noncoop import accounts
    from noncoop.errors import BadInput
    for email in ("admin@localhost", "Admin@Localhost ", "system:sweep"):
        with pytest.raises(BadInput) as e:
            people.add_person(db, name="X", email=email, role="bureau")
        assert e.value.code == "reserved_identity"
        with pytest.raises(BadInput) as e:
            accounts.add_user(db, email, "admin", "correct horse battery staple")
        assert e.value.code == "reserved_identity"
