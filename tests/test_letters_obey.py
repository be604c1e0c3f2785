"""A letter belongs to a step and obeys it (SPEC "Correspondence"): refused where the step is
refused, under the same rule; a letter that is itself the act records it with the letter; the
record holds no unchecked parameter, no date it cannot have and no second case on a decision.
Through the services, the CLI and the web page, on the test database."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from noncoop import audit, services
from noncoop.errors import BadInput, Refused
from noncoop.letters import register
from noncoop.record import rebuild

D = dt.date


@pytest.fixture
def mongolia(db):
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    services.add_session(db, 24, D(2025, 12, 1), D(2025, 12, 6), "The Hague")
    services.add_bureau_meeting(db, D(2024, 11, 5), "New York")
    return services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=D(2024, 10, 24), referred_to=["assembly"])["id"]


def president_signed_in(db, monkeypatch):
    """A browser signed in as the President's office."""
    monkeypatch.setenv("NONCOOP_SECRET_KEY", "test-secret")
    from fastapi.testclient import TestClient

    from noncoop import accounts, people
    from noncoop.web.app import create_app

    people.add_person(db, name="P", email="p@example.org", role="president_office",
                      active_from=D(2024, 1, 1))
    accounts.add_user(db, "p@example.org", "president_office", "correct horse battery staple")
    client = TestClient(create_app())
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"email": "p@example.org", "password":
                                "correct horse battery staple", "csrf": csrf})
    return client


def _step(case: dict, step: str) -> dict:
    return next(s for s in case["steps"] if s["step"] == step)


def test_the_forwarding_note_verbale_is_the_forwarding_and_meets_its_deadline(db, mongolia):
    issued = register.issue(db, mongolia, "forward_decision", on=D(2024, 10, 25))
    case = services.show_case(db, mongolia)
    assert _step(case, "forward_decision") | {"details": None} == {
        "step": "forward_decision", "status": "done", "date": "2024-10-25", "details": None}
    deadline = next(d for d in case["deadlines"] if d["step"] == "forward_decision")
    assert deadline["status"] == "met"
    # The act and the letter are two events of one transaction, in that order, on the chain.
    events = [(h["event"], h["step"]) for h in case["history"]][-2:]
    assert events == [("step_done", "forward_decision"), ("letter_issued", "forward_decision")]
    assert rebuild(db, mongolia).steps["forward_decision"].status == "done"
    assert audit.verify(db)["ok"]
    # Issued again (a copy), the letter records no second act.
    register.issue(db, mongolia, "forward_decision", lang="fr", on=D(2024, 10, 26))
    assert _step(services.show_case(db, mongolia), "forward_decision")["date"] == "2024-10-25"
    assert issued["reference"] == "ICC-ASP/23/S/1"


def test_the_open_letter_sends_it_and_starts_the_reply_time(db, mongolia):
    register.issue(db, mongolia, "open_letter", on=D(2024, 10, 28))
    case = services.show_case(db, mongolia)
    assert _step(case, "open_letter")["status"] == "in_progress"
    reply = next(d for d in case["deadlines"] if d["kind"] == "reply")
    assert reply["due"] == "2024-11-27"  # the default 30 days, from the letter's date


def test_a_letter_refused_by_its_rule_stores_nothing(db, mongolia):
    before = register.list_letters(db)
    with pytest.raises(Refused) as e:
        register.issue(db, mongolia, "unsc_letter", on=D(2024, 10, 28))
    assert e.value.details["rule"] == "unsc_referral" and e.value.details["paragraph"] == "14(g)"
    with pytest.raises(Refused):
        register.render(db, mongolia, "unsc_letter")
    assert register.list_letters(db) == before
    assert "unsc_letter" not in register.letters_allowed(db, mongolia)


def test_the_nywg_request_obeys_the_three_month_rule(db, mongolia):
    services.act(db, mongolia, "bureau_hearing", on=D(2024, 11, 5))
    with pytest.raises(Refused) as step:
        services.act(db, mongolia, "nywg_public_meeting", on=D(2024, 11, 20))
    with pytest.raises(Refused) as letter:
        register.issue(db, mongolia, "nywg_request", on=D(2024, 11, 20))
    assert step.value.details["rule"] == letter.value.details["rule"] == "three_month_rule"


def test_an_urgent_incident_has_no_press_release_and_no_note_verbale(db, mongolia):
    urgent = services.open_case(db, state="Mongolia", scenario="7b", summary="visit announced")
    for name in ("press_release", "forward_decision", "open_letter_cover_note"):
        with pytest.raises(Refused) as e:
            register.issue(db, urgent["id"], name)
        assert e.value.details["rule"] == "scenario_7b"
    assert register.list_letters(db, urgent["id"]) == []


def test_a_letter_is_not_dated_before_the_decision_nor_after_today(db, mongolia):
    with pytest.raises(Refused, match="after_decision"):
        register.issue(db, mongolia, "press_release", on=D(2024, 10, 1))
    with pytest.raises(BadInput, match="after today"):
        register.issue(db, mongolia, "press_release", on=dt.date.today() + dt.timedelta(days=3))


def test_a_second_case_on_the_same_decision_is_refused_unless_said_why(db, mongolia):
    with pytest.raises(Refused) as e:
        services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                           decision_date=D(2024, 10, 24), referred_to=["assembly"])
    assert e.value.details["case_id"] == mongolia and mongolia in e.value.message
    second = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                                decision_date=D(2024, 10, 24), referred_to=["assembly"],
                                duplicate_reason="the decision covers two separate visits")
    opened = services.show_case(db, second["id"])["history"][0]
    assert opened["reason"] == "the decision covers two separate visits"


def test_a_decision_in_the_future_is_refused(db):
    with pytest.raises(BadInput) as e:
        services.open_case(db, state="Kenya", scenario="7a", decision_ref="ICC-X",
                           decision_date=dt.date.today() + dt.timedelta(days=400),
                           referred_to=["assembly"])
    assert e.value.code == "date_in_future"


def test_the_case_page_offers_only_the_letters_its_steps_allow(db, mongolia, monkeypatch):
    client = president_signed_in(db, monkeypatch)
    page = client.get(f"/cases/{mongolia}").text
    offered = set(re.findall(rf'action="/cases/{mongolia}/letters/(\w+)"', page))
    assert "press_release" in offered and "open_letter" in offered
    assert "unsc_letter" not in offered and "nywg_request" not in offered


# -- through the command line, as the Secretariat scripts it -------------------------------------

@pytest.fixture
def run(cli):
    def _run(*args: str) -> tuple[int, dict]:
        said = cli(*args, "--json")
        return said.code, said.json
    return _run


def test_south_africa_2017_not_referred_gets_no_public_letter(run):
    """ICC-02/05-03/09-302 (6 July 2017): non-compliance found, no referral (para 13)."""
    code, case = run("case", "open", "--state", "South Africa", "--scenario", "7a",
                     "--decision-ref", "ICC-02/05-03/09-302", "--decision-date", "2017-07-06",
                     "--referred-to", "none", "--request", "art89")
    assert code == 0 and case["scenario"] == "monitoring"
    code, out = run("letters", "issue", case["id"], "press_release", "--on", "2017-07-07")
    assert code == 1 and out["error"]["rule"] == "not_referred_to_assembly"
    assert out["error"]["paragraph"] == "13"


def test_kenya_2016_referred_to_the_assembly_only_gets_no_letter_to_the_council(run):
    """ICC-01/09-02/11-1037 (19 September 2016): referred to the Assembly."""
    run("calendar", "add-session", "--number", "15", "--start", "2016-11-16", "--end",
        "2016-11-24", "--venue", "The Hague")
    code, case = run("case", "open", "--state", "Kenya", "--scenario", "7a", "--decision-ref",
                     "ICC-01/09-02/11-1037", "--decision-date", "2016-09-19",
                     "--referred-to", "assembly", "--request", "art93")
    assert code == 0
    code, out = run("letters", "issue", case["id"], "unsc_letter", "--on", "2016-09-30")
    assert code == 1 and out["error"]["rule"] == "unsc_referral"
    code, out = run("letters", "issue", case["id"], "forward_decision", "--on", "2016-09-20")
    assert code == 0 and out["reference"] == "ICC-ASP/15/S/1"
    code, shown = run("case", "show", case["id"])
    assert _step(shown, "forward_decision")["status"] == "done"


def test_an_unknown_parameter_is_bad_input_on_the_command_line(run):
    code, case = run("case", "open", "--state", "Kenya", "--scenario", "7a", "--decision-ref",
                     "ICC-01/09-02/11-1037", "--decision-date", "2016-09-19",
                     "--referred-to", "assembly")
    code, out = run("case", "act", case["id"], "press_release", "--on", "2016-09-20",
                    "--param", "colour=blue")
    assert code == 2 and out["error"]["code"] == "unknown_param"
    code, shown = run("case", "show", case["id"])
    assert _step(shown, "press_release")["status"] == "pending"


def test_the_meeting_keeps_its_day_once_it_is_announced(db, mongolia):
    """The announcement (14(a)) is dated after the meeting; the letter still names the
    meeting's day, which the workflow keeps as the move that held it was dated."""
    services.act(db, mongolia, "emergency_bureau_meeting", on=D(2024, 11, 4),
                 params={"action": "convene", "place": "New York"})
    services.act(db, mongolia, "emergency_bureau_meeting", on=D(2024, 11, 6),
                 params={"action": "announce"})
    html = register.draft(db, mongolia, "emergency_bureau_announcement", on=D(2024, 11, 7))
    assert "4 November 2024" in html and "6 November 2024" not in html


def test_the_case_page_shows_a_late_step_as_late_with_its_days(db, mongolia, monkeypatch):
    """Met or late by the step's date (SPEC "Time"): the page says which, and by how much."""
    services.act(db, mongolia, "forward_decision", on=D(2024, 11, 20))  # due 2024-10-25
    client = president_signed_in(db, monkeypatch)
    row = re.search(r'<tr class="late">.*?</tr>', client.get(f"/cases/{mongolia}").text, re.S)
    assert row and "26 days late" in row.group(0)


def test_an_act_letter_is_issued_once_a_language_and_mended_by_a_correction(db, mongolia):
    first = register.issue(db, mongolia, "press_release", on=D(2024, 10, 25))
    with pytest.raises(Refused, match=f"--corrects {first['reference']}") as again:
        register.issue(db, mongolia, "press_release", on=D(2024, 10, 26))
    assert again.value.details["rule"] == "step_recorded"
    register.issue(db, mongolia, "press_release", lang="fr", on=D(2024, 10, 25))
    fixed = register.issue(db, mongolia, "press_release", on=D(2024, 10, 26),
                           corrects=first["reference"])
    assert fixed["corrects"] == first["reference"]


def test_a_decision_is_the_same_however_its_reference_is_typed(db, mongolia):
    for typed in ("ICC-01/22-90 ", "icc-01/22-90"):
        with pytest.raises(Refused, match=mongolia):
            services.open_case(db, state="Mongolia", scenario="7a", decision_ref=typed,
                               decision_date=D(2024, 10, 24), referred_to=["assembly"])
    with pytest.raises(BadInput, match="--duplicate-reason is empty"):
        services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                           decision_date=D(2024, 10, 24), referred_to=["assembly"],
                           duplicate_reason="  ")


def test_a_meeting_notice_is_not_issued_on_an_urgent_incident(db, mongolia):
    urgent = services.open_case(db, state="Mongolia", scenario="7b", summary="visit announced")
    with pytest.raises(Refused) as e:
        register.issue(db, urgent["id"], "meeting_notice")
    assert e.value.details["rule"] == "scenario_7b"
    assert "meeting_notice" not in register.letters_allowed(db, urgent["id"])
