"""Deciding an action from (case, procedure, facts): parameters, dates and letters obey what the
workflow says of each step. Pure domain, no database."""

import datetime as dt
import re

import pytest

from noncoop import config
from noncoop.calendar import BureauMeeting, Session
from noncoop.domain import Event, Facts, StepRecord, load_procedure, project
from noncoop.domain.decide import decide, letter_act, letter_refusal
from noncoop.errors import BadInput, Refused

D = dt.date
P = load_procedure()
TODAY = D(2024, 12, 20)
NUMBERS = config.deadlines()  # the Secretariat's numbers, as shipped
SESSION_23 = Session(23, "regular", D(2025, 12, 1), D(2025, 12, 6))


def case(stage="formal", referred=("assembly",), steps=(), scenario="7a",
         decided="2024-10-24"):
    opened = Event("NC-2024-001", 1, "case_opened", dt.datetime(2024, 10, 25, tzinfo=dt.UTC), "t",
                   data=dict(requested_state="Mongolia", region="Asia-Pacific States",
                             scenario=scenario, stage=stage, confidentiality="bureau",
                             referred_to=list(referred), workflow="formal",
                             workflow_version="2018",
                             decision_date=decided if scenario != "7b" else None))
    events = [opened] + [Event("NC-2024-001", i + 2, "step_done", opened.at, "t", step=s, on=d)
                         for i, (s, d) in enumerate(steps)]
    return project(events)


def facts(on=D(2024, 11, 1), params=None, sessions=(SESSION_23,)):
    return Facts(on=on, params=dict(params or {}), today=TODAY, numbers=NUMBERS,
                 sessions=tuple(sessions), bureau_meetings=(BureauMeeting(D(2024, 11, 5)),))


# -- parameters --------------------------------------------------------------------------------

def test_an_unknown_parameter_is_refused_listing_those_the_step_takes():
    with pytest.raises(BadInput) as e:
        decide(P, case(), "forward_decision", facts(params={"colour": "blue"}))
    assert e.value.code == "unknown_param" and "colour" in e.value.message
    assert "takes no --param at all" in e.value.message


def test_a_misspelt_parameter_is_refused_not_dropped():
    with pytest.raises(BadInput) as e:
        decide(P, case(), "open_letter", facts(params={"action": "send", "reply_dayz": "45"}))
    assert "reply_dayz" in e.value.message and "reply_days=" in e.value.message
    assert e.value.details["takes"] == ["action", "reply_days"]


def test_the_reply_time_is_a_whole_number_of_days_within_bounds():
    for bad in ("0", "-3", "soon", "99999"):
        with pytest.raises(BadInput):
            decide(P, case(), "open_letter", facts(params={"reply_days": bad}))
    decision = decide(P, case(), "open_letter", facts(params={"reply_days": "45"}))
    assert decision.kind == "step_started"
    assert decision.data["deadlines_set"][0]["due"] == "2024-12-16"  # 2024-11-01 + 45 days


def test_a_travel_cannot_end_before_it_starts():
    c = case(stage="informal", scenario="7b")
    params = {"person": "X", "from": "2024-12-10", "to": "2024-12-08", "source": "press",
              "reliability": "likely"}
    with pytest.raises(BadInput, match="--param to=2024-12-08 is before --param from=2024-12-10"):
        decide(P, c, "travel_alert", facts(params=params))


def test_closing_needs_a_known_outcome():
    with pytest.raises(BadInput, match="outcome"):
        decide(P, case(), "close", facts(params={"outcome": "reversed"}))
    assert decide(P, case(), "close", facts(params={"outcome": "other"})).kind == "case_closed"


# -- dates -------------------------------------------------------------------------------------

def test_no_formal_step_is_dated_before_the_courts_decision():
    with pytest.raises(Refused) as e:
        decide(P, case(), "forward_decision", facts(on=D(2024, 10, 23)))
    assert e.value.details["rule"] == "after_decision" and e.value.details["paragraph"] == "13"
    assert "2024-10-24" in e.value.message


def test_a_hearing_dated_before_the_decision_cannot_unlock_the_public_meeting():
    with pytest.raises(Refused, match="after_decision"):
        decide(P, case(), "bureau_hearing", facts(on=D(2024, 7, 1)))


def test_what_happened_is_never_dated_after_today():
    with pytest.raises(BadInput) as e:
        decide(P, case(), "press_release", facts(on=TODAY + dt.timedelta(days=1)))
    assert e.value.code == "date_in_future"


def test_a_meeting_may_be_convened_ahead_but_not_years_ahead():
    ahead = decide(P, case(), "emergency_bureau_meeting", facts(on=TODAY + dt.timedelta(days=7)))
    assert ahead.kind == "step_started"
    with pytest.raises(BadInput, match="more than 366 days ahead"):
        decide(P, case(), "emergency_bureau_meeting", facts(on=D(2027, 1, 1)))


def test_good_offices_on_an_urgent_incident_have_no_decision_to_wait_for():
    c = case(stage="informal", scenario="7b")
    decision = decide(P, c, "good_offices_activate",
                      facts(on=D(2024, 1, 5), params={"court_consulted": "2024-01-04"}))
    assert decision.kind == "step_done"


# -- moves -------------------------------------------------------------------------------------

def test_a_hearing_is_recorded_held_by_default_or_invited_first():
    assert decide(P, case(), "bureau_hearing", facts()).kind == "step_done"
    invited = decide(P, case(), "bureau_hearing", facts(params={"action": "invite"}))
    assert invited.kind == "step_started"
    assert invited.data["deadlines_met"] == [{"step": "bureau_hearing", "kind": "invitation"}]


def test_a_move_out_of_order_is_refused_naming_the_order():
    with pytest.raises(Refused) as e:
        decide(P, case(), "open_letter", facts(params={"action": "reply"}))
    assert e.value.details["rule"] == "move_order"
    assert "--param action=send then --param action=reply" in e.value.message


# -- letters obey their step -------------------------------------------------------------------

def test_the_nywg_request_is_refused_under_the_three_month_rule_like_the_meeting():
    c = case(steps=[("bureau_hearing", D(2025, 10, 1))])
    f = facts(on=D(2025, 10, 2))
    step = P.refusal(c, "nywg_public_meeting", f)
    letter = letter_refusal(P, c, "nywg_request", f)
    assert step is not None and letter == step and letter.rule == "three_month_rule"


def test_the_letter_to_the_security_council_needs_its_referral():
    f = facts()
    refusal = letter_refusal(P, case(referred=("assembly",)), "unsc_letter", f)
    assert refusal.rule == "unsc_referral" and refusal.paragraph == "14(g)"
    assert letter_refusal(P, case(referred=("assembly", "security-council")), "unsc_letter",
                          f) is None


@pytest.mark.parametrize("kind", [dict(stage="informal", scenario="7b"),
                                  dict(stage="monitoring", scenario="monitoring",
                                       referred=("security-council",))])
def test_nothing_public_exists_for_an_urgent_incident_or_a_finding_not_referred(kind):
    c = case(**kind)
    for letter in ("press_release", "forward_decision", "open_letter_cover_note"):
        refusal = letter_refusal(P, c, letter, facts())
        assert refusal is not None and refusal.rule in ("scenario_7b", "not_referred_to_assembly")


def test_a_letter_of_a_skipped_step_is_refused():
    c = case()
    c.steps["press_release"] = StepRecord("skipped", D(2024, 10, 25), "no press in a recess")
    assert letter_refusal(P, c, "press_release", facts()).rule == "step_skipped"


def test_a_letter_that_is_the_act_records_its_move_until_the_step_is_done():
    c = case()
    defn, move = letter_act(P, c, "open_letter")
    assert (defn.id, move.name, move.records) == ("open_letter", "send", "started")
    assert letter_act(P, c, "open_letter_cover_note") is None  # accompanies, is not the act
    done = case(steps=[("forward_decision", D(2024, 10, 25))])
    assert letter_refusal(P, done, "forward_decision", facts()) is None
    assert letter_act(P, done, "forward_decision") is None  # a copy, not a second act


def test_every_letter_of_a_workflow_is_in_the_catalogue_with_both_languages():
    from noncoop.letters.render import LETTERS_DIR, catalogue
    named: dict[str, set[str]] = {}
    for step in P.steps.values():
        for name in step.letters:
            named.setdefault(name, set()).add(step.id)
    for name, steps in named.items():
        assert catalogue()[name].step in steps
        assert all((LETTERS_DIR / lang / f"{name}.html").exists() for lang in ("en", "fr"))
    for step in P.steps.values():
        for name, spec in step.letters.items():
            assert spec.get("act") in (None, *step.moves), (step.id, name)


def test_forms_and_help_list_what_the_workflow_says_each_action_takes():
    assert P.param_help("open_letter") == ["action=send|reply", "reply_days=N"]
    assert "outcome=reversed_on_appeal|amended_on_appeal|cooperation_achieved|other (required)" \
        in P.param_help("close")
    assert P.titles("fr")["press_release"] == "Communiqué de presse du Président de l’Assemblée"
    # Named: every step, move of the case between stages and action on its deadlines.
    assert set(P.titles("fr")) == {*P.steps, *P.stage_moves, *P.deadline_actions}
    assert P.titles("fr")["close"] == "Dossier clos"


def test_the_good_offices_lane_is_what_the_workflow_says():
    from noncoop import access
    informal = P.lane_steps("good_offices")
    assert {"travel_alert", "travel_outcome", "good_offices_activate"} <= set(informal)
    assert access.INFORMAL_STEPS == informal
    assert all(P.steps[s].confidentiality == "restricted" for s in informal)
    assert all(P.steps[s].confidentiality == "bureau" for s in P.lane_steps("formal"))


def test_good_offices_are_not_activated_on_a_consultation_yet_to_come():
    c = case(stage="informal", scenario="7b")
    with pytest.raises(BadInput, match=r"court_consulted=2024-01-09 is after the date of the "
                                       r"record \(--on 2024-01-05\)"):
        decide(P, c, "good_offices_activate",
               facts(on=D(2024, 1, 5), params={"court_consulted": "2024-01-09"}))


def test_a_task_is_not_due_before_it_is_given():
    c = case(stage="informal", scenario="7b",
             steps=[("good_offices_activate", D(2024, 1, 5))])
    with pytest.raises(BadInput, match="due=2024-01-01 is before the date of the record"):
        decide(P, c, "request_assistance", facts(on=D(2024, 1, 6), params={"due": "2024-01-01"}))


def test_a_workflow_whose_parameter_spec_says_what_no_check_reads_does_not_load():
    from noncoop.domain.procedure import _check_params
    with pytest.raises(ValueError, match="not_after names True"):
        _check_params("good_offices_activate", {"court_consulted": {"type": "date",
                                                                   "not_after": True}})
    with pytest.raises(ValueError, match="unknown"):
        _check_params("open_letter", {"reply_days": {"type": "int", "minimum": 1}})


def test_a_meeting_notice_needs_a_meeting_and_a_reminder_a_deadline():
    urgent = case(stage="informal", scenario="7b")
    assert letter_refusal(P, urgent, "meeting_notice", facts()).rule == "scenario_7b"
    assert letter_refusal(P, case(), "meeting_notice", facts()) is None  # the hearing may come
    refusal = letter_refusal(P, urgent, "reminder", facts(), about="deadline")
    assert refusal.rule == "no_deadline_outstanding"


def test_a_meeting_is_not_announced_before_it_is_held():
    convened = case()
    from noncoop.domain.case import StepRecord
    convened.steps["emergency_bureau_meeting"] = StepRecord("in_progress", D(2024, 11, 8))
    with pytest.raises(BadInput) as e:
        decide(P, convened, "emergency_bureau_meeting", facts(on=D(2024, 11, 1)))
    assert e.value.code == "date_before_previous_move"
    assert decide(P, convened, "emergency_bureau_meeting",
                  facts(on=D(2024, 11, 8))).kind == "step_done"


def test_a_refusal_cites_annex_ii_only_for_its_own_paragraphs():
    from noncoop.domain.procedure import Refusal, cite

    assert cite("14(b)") == "Annex II para 14(b)"
    assert cite("omnibus 35, mandate 3(j)") == "omnibus 35, mandate 3(j)"
    cited = set()
    for name in ("formal", "good_offices"):
        for defn in load_procedure(name).steps.values():
            text = Refusal("a_rule", defn.paragraph, "why").text()
            assert not re.search(r"Annex II para [^0-9]", text), (defn.id, text)
            cited.add(text.split("(", 1)[1].split(")")[0].split(" ")[0])
    assert {"Annex", "omnibus"} <= cited  # both kinds of paragraph are in the workflows
