"""Deciding an action on a case: from (case, procedure, facts) to the event to record, or the
rule that refuses it (DESIGN principle 9). Pure: the services read the facts (calendar, config
numbers, today), call `decide` and store what it returns; letters ask `letter_refusal` and
`letter_act` the same questions, so a letter obeys the rule its step obeys.

Everything it knows about a step (its moves, their parameters, whether they may be dated ahead,
its deadlines) is read from the workflow files through `Procedure`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from noncoop.dates import day_problem
from noncoop.domain.case import Case
from noncoop.domain.deadlines import planned
from noncoop.domain.procedure import Facts, Move, Procedure, Refusal, StepDef, cite
from noncoop.domain.rules import session_concerned
from noncoop.errors import BadInput, Refused

DEADLINE_ACTIONS = ("waive_deadline", "reschedule_deadline")
ACTION = "action"  # the parameter that names a move of a step with several
RECORD_DATE = "record_date"  # in a workflow, the date of the record itself (`--on`)


@dataclass(frozen=True)
class Decision:
    """The event to record: its kind, the step it is about and what it carries."""

    kind: str
    step: str | None
    data: dict[str, Any]
    records: str | None = None  # what the step's move records: started | done


def refused(refusal: Refusal, allowed: list[str]) -> Refused:
    return Refused(f"{refusal.text()}. Allowed now: {', '.join(allowed) or 'none'}",
                   code="rule_refused", rule=refusal.rule, paragraph=refusal.paragraph,
                   allowed_actions=allowed)


# -- parameters ---------------------------------------------------------------------------------

def param_date(params: dict[str, str], key: str) -> dt.date | None:
    if key not in params:
        return None
    try:
        day = dt.date.fromisoformat(params[key])
    except ValueError:
        raise BadInput(f"bad date {params[key]!r} for --param {key}: write YYYY-MM-DD",
                       code="bad_param") from None
    problem = day_problem(day)
    if problem:
        raise BadInput(f"--param {key}={params[key]}: {problem}", code="bad_param")
    return day


def _param_int(key: str, value: str, spec: dict[str, Any]) -> int:
    try:
        number = int(value)
    except ValueError:
        raise BadInput(f"--param {key} must be a whole number, not {value!r}",
                       code="bad_param") from None
    low, high = spec.get("min"), spec.get("max")
    if low is not None and number < low:
        raise BadInput(f"--param {key} must be at least {low}", code="bad_param")
    if high is not None and number > high:
        raise BadInput(f"--param {key} must be at most {high}", code="bad_param")
    return number


def checked_params(what: str, specs: dict[str, dict[str, Any]], params: dict[str, str],
                   *, skip: bool = False, moves: tuple[str, ...] = (),
                   on: dt.date | None = None) -> dict[str, str]:
    """`params` checked against what the workflow says `what` takes: an unknown (or misspelt)
    parameter is refused with the list of those it takes, so nothing unchecked reaches the
    permanent record; the required ones must be there (unless the step is skipped). A date
    may be bound to another (`not_before: from`) or to the record's own date (`record_date`,
    the `--on` of the action)."""
    known = dict(specs)
    if len(moves) > 1:
        known[ACTION] = {"choices": list(moves)}
    unknown = sorted(set(params) - set(known))
    if unknown:
        takes = ", ".join(f"{k}=" for k in known) or "no --param at all"
        raise BadInput(f"{what} takes no --param {', '.join(unknown)}: it takes {takes}",
                       code="unknown_param", takes=sorted(known))
    if skip:
        return dict(params)
    params = {**{k: str(s["default"]) for k, s in known.items() if "default" in s}, **params}
    missing = [k for k, s in known.items() if s.get("required") and not params.get(k)]
    if missing:
        raise BadInput(f"{what} needs " + " ".join(f"--param {k}=..." for k in missing)
                       + f" (it takes: {', '.join(known)})", code="missing_param")
    for key, spec in known.items():
        if key not in params:
            continue
        if spec.get("choices") and params[key] not in [str(c) for c in spec["choices"]]:
            raise BadInput(f"--param {key}={params[key]!r} for {what}: use one of "
                           f"{', '.join(str(c) for c in spec['choices'])}", code="bad_param")
        if spec.get("type") == "date":
            _check_order(key, param_date(params, key), params, spec, on)
        elif spec.get("type") == "int":
            _param_int(key, params[key], spec)
    return params


def _check_order(key: str, day: dt.date | None, params: dict[str, str], spec: dict[str, Any],
                 on: dt.date | None) -> None:
    """A date the workflow binds to another: `not_before` / `not_after` a parameter, or
    `record_date` (the record's own date: good offices do not rest on a consultation to come)."""
    def bound(name: str | None) -> tuple[str, dt.date | None]:
        if name == RECORD_DATE:
            return f"the date of the record (--on {on})", on
        day = param_date(params, name) if name else None
        return f"--param {name}={day}", day

    if day is None:
        return
    said, earliest = bound(spec.get("not_before"))
    if earliest is not None and day < earliest:
        raise BadInput(f"--param {key}={day} is before {said}: check the dates", code="bad_param")
    said, latest = bound(spec.get("not_after"))
    if latest is not None and day > latest:
        raise BadInput(f"--param {key}={day} is after {said}: check the dates", code="bad_param")


# -- dates --------------------------------------------------------------------------------------

def check_date(case: Case, what: str, on: dt.date, today: dt.date, *, future: bool = False,
               future_days: int = 366, after_decision: bool = True,
               paragraph: str = "13") -> None:
    """A record of `what` dated `on`: never before the Court's decision when it belongs to the
    formal procedure (SPEC "Time"); never after today when it records what happened; a move
    that may be dated ahead (a meeting convened for next week) not beyond `future_days`."""
    if after_decision and case.decision_date is not None and on < case.decision_date:
        raise Refused(
            f"refused by rule after_decision ({cite(paragraph)}): {what} is dated {on}, "
            f"before the Court's decision of {case.decision_date}; the procedure answers the "
            "decision, so nothing of it comes first: check --on", code="rule_refused",
            rule="after_decision", paragraph=paragraph)
    if not future and on > today:
        raise BadInput(f"--on {on} is after today ({today}): {what} records what happened; "
                       "record it once it has happened, or check the date", code="date_in_future")
    if future and on > today + dt.timedelta(days=future_days):
        raise BadInput(f"--on {on} is more than {future_days} days ahead: check the year",
                       code="date_in_future")


# -- moves --------------------------------------------------------------------------------------

def choose_move(defn: StepDef, case: Case, params: dict[str, str]) -> Move:
    """The move `params` names (`--param action=`), else the first that may be taken from the
    step's status; one that may not is refused, naming the order of the moves."""
    rec = case.steps.get(defn.id)
    status = rec.status if rec else "pending"
    order = " then ".join(f"--param action={m}" for m in defn.moves)
    name = params.get(ACTION)
    if name is None:
        move = next((m for m in defn.moves.values() if status in m.sources), None)
        if move is None and status in ("done", "skipped"):
            return next(iter(defn.moves.values()))  # step_recorded refuses it, with the date
    else:
        if name not in defn.moves:
            raise BadInput(f"unknown action {name!r} for {defn.id}: use {order}", code="bad_param")
        move = defn.moves[name]
        if status not in move.sources:
            move = None
    if move is None:
        raise Refused(f"refused by rule move_order ({cite(defn.paragraph)}): {defn.id} "
                      f"is {status.replace('_', ' ')}; "
                      + (f"{name} may not follow" if name else "no move may follow")
                      + f" (its moves: {order})",
                      code="rule_refused", rule="move_order", paragraph=defn.paragraph)
    return move


def _after_the_last_move(case: Case, defn: StepDef, on: dt.date) -> None:
    """A step's next move is not dated before the one it follows: no reply before the letter,
    no announcement before the meeting it announces (14(a))."""
    rec = case.steps.get(defn.id)
    if rec is None or rec.status != "in_progress" or rec.date is None or on >= rec.date:
        return
    raise BadInput(f"--on {on} is before {defn.id} was recorded under way on {rec.date}: its "
                   "next move follows it; check the date", code="date_before_previous_move")


# -- deciding -----------------------------------------------------------------------------------

def decide(procedure: Procedure, case: Case, action: str, facts: Facts, *, skip: bool = False,
           reason: str | None = None) -> Decision:
    """The event that records `action` on `case` dated `facts.on`, with the deadlines it meets
    and sets; or Refused / BadInput naming the rule or the input at fault. Fires the machine on
    `case` (an internal transition for a step, a stage change for a stage move)."""
    on, raw = facts.on, dict(facts.params)
    if action in DEADLINE_ACTIONS:
        facts.params = checked_params(action, procedure.params_of(action), raw)
        return deadline_change(case, action, facts, reason)
    allowed = lambda: procedure.allowed_actions(case, facts)  # noqa: E731 - asked on refusal
    if action not in procedure.machine.events:
        raise BadInput(f"unknown step {action!r}. Allowed now on {case.id}: "
                       f"{', '.join(allowed()) or 'none'}",
                       code="unknown_step", allowed_actions=allowed())
    defn = procedure.steps.get(action)
    move = None
    if defn is not None:
        if not skip:
            move = choose_move(defn, case, raw)
            _after_the_last_move(case, defn, on)
        facts.params = checked_params(action, defn.params_of(move), raw, skip=skip,
                                      moves=tuple(defn.moves), on=on)
        check_date(case, action, on, facts.today, future=bool(move and move.future),
                   future_days=int(facts.numbers.get("future_days", 366)),
                   after_decision=defn.after_decision, paragraph=defn.paragraph)
    else:
        facts.params = checked_params(action, procedure.params_of(action), raw, on=on)
        check_date(case, action, on, facts.today, after_decision=False)
    refusal = procedure.refusal(case, action, facts)
    if refusal is not None and not (skip and refusal.rule in procedure.guard_meta):
        raise refused(refusal, allowed())
    decision = _decision(procedure, case, action, facts, skip, reason, move)
    if not skip:
        procedure.fire(case, action, facts)
    return decision


def _decision(procedure: Procedure, case: Case, action: str, facts: Facts, skip: bool,
              reason: str | None, move: Move | None) -> Decision:
    on, params = facts.on, facts.params
    if skip:
        if not (reason or "").strip():
            raise BadInput(f"skipping {action} needs a reason: add --reason TEXT (steps of para "
                           "14 are recommended, and a skip is recorded with why)")
        return Decision("step_skipped", action, {"deadlines_not_applicable": [action]})
    if action == "close":
        return Decision("case_closed", None, {"outcome": params["outcome"], "params": params})
    if action == "refer_to_assembly":
        decided = param_date(params, "decision_date") or on
        if decided > on:
            raise BadInput(f"--param decision_date={decided} is after the referral is recorded "
                           f"(--on {on}): the Court decides first", code="bad_param")
        data: dict[str, Any] = {k: params[k] for k in ("decision_ref", "decision_date")
                                if k in params}
        data["deadlines_set"] = deadlines_from(procedure, "decision", decided, facts)
        return Decision("referred_to_assembly", None, data)
    defn = procedure.steps[action]
    assert move is not None
    data = {"params": dict(params)}
    if move.meeting:  # the meeting's day stays on the record whatever moves come after
        data["params"]["meeting_date"] = on.isoformat()
    if "session_known" in defn.guards:
        # Paras 14(e), 14(f), 15: the session concerned is the one on-going on the decision
        # date, else the next one; record which, so the record does not depend on later edits.
        session = session_concerned(case, action, facts)
        if session is not None:
            data["params"]["session"] = f"{session.number} {session.kind}"
    # A report names the session it goes to: for a later session than its deadline's, it is
    # late for that deadline (para 15).
    went_to = {"session": data["params"]["session"]} if "session" in data["params"] else {}
    data["deadlines_met"] = [{"step": r.step, "kind": r.kind, **went_to}
                             for r in procedure.deadlines_met_by(action, move.records)]
    data["deadlines_set"] = deadlines_from(procedure, f"{action}.{move.records}", on, facts)
    kind = "step_started" if move.records == "started" else "step_done"
    return Decision(kind, action, data, move.records)


def deadlines_from(procedure: Procedure, anchor: str, anchor_day: dt.date,
                   facts: Facts) -> list[dict[str, str]]:
    """The deadlines that start running at `anchor`, as recorded in the event; those the
    calendar cannot tell yet are planned when it learns the date (services/calendars.py)."""
    found = (planned(rule, anchor_day, facts) for rule in procedure.deadlines_anchored_on(anchor))
    return [d for d in found if d is not None]


def deadline_change(case: Case, action: str, facts: Facts,
                    reason: str | None) -> Decision:
    """Waiving or rescheduling a deadline is an event with a reason (SPEC "Time")."""
    params, on = facts.params, facts.on
    usage = (f"{action} needs --param step=STEP --param kind=KIND"
             + (" --param due=YYYY-MM-DD" if action == "reschedule_deadline" else "")
             + " --reason TEXT")
    step, kind = params.get("step"), params.get("kind")
    if not step or not kind or not (reason or "").strip():
        raise BadInput(usage)
    if not any(d.step == step and d.kind == kind and d.status == "open" for d in case.deadlines):
        given = ", ".join(f"{d.step}/{d.kind}" for d in case.deadlines if d.status == "open")
        raise BadInput(f"{case.id} has no open deadline {step}/{kind}; open ones: {given or 'none'}")
    # The change belongs to the deadline's step, and so is seen by whoever may see that step:
    # a good offices deadline's waiver, and its reason, stay in the good offices lane.
    if action == "waive_deadline":
        return Decision("deadline_waived", step, {"deadlines_waived": [{"step": step, "kind": kind}]})
    due = param_date(params, "due")
    if due is None:
        raise BadInput(usage)
    before = int(facts.numbers.get("reminder_days_before", 2))
    return Decision("deadline_rescheduled", step, {"deadlines_rescheduled": [{
        "step": step, "kind": kind, "due": due.isoformat(),
        "basis": f"rescheduled on {on}: {reason}",
        "remind_from": (due - dt.timedelta(days=before)).isoformat()}]})


# -- letters ------------------------------------------------------------------------------------

def letter_refusal(procedure: Procedure, case: Case, letter: str, facts: Facts,
                   about: str | None = None, paragraph: str = "13-15") -> Refusal | None:
    """Why `letter` may not be drafted or issued on `case` now, or None: a letter of a step
    obeys that step (SPEC "Correspondence"): it is allowed where the step is done or under way,
    or may be taken now (a letter of several steps: where one of them allows it); a notice
    `about` a deadline only while one is outstanding (`paragraph`: the notice's own)."""
    refusals = [_step_refusal(procedure, case, defn, facts)
                for defn in procedure.letter_steps(letter)]
    if refusals and all(refusals):
        return refusals[0]
    if about == "deadline" and not any(d.status in ("open", "missed") and d.done_on is None
                                       for d in case.deadlines):
        return Refusal("no_deadline_outstanding", paragraph,
                       f"{case.id} has no deadline outstanding for a {letter} to be about")
    return None


def _step_refusal(procedure: Procedure, case: Case, defn: StepDef,
                  facts: Facts) -> Refusal | None:
    rec = case.steps.get(defn.id)
    if rec is not None and rec.status in ("done", "in_progress"):
        return None
    if rec is not None and rec.status == "skipped":
        return Refusal("step_skipped", defn.paragraph,
                       f"{defn.id} was skipped on {rec.date} ({rec.reason}); its letters are "
                       "not sent")
    return procedure.refusal(case, defn.id, facts, with_params=False)


def letter_act(procedure: Procedure, case: Case, letter: str) -> tuple[StepDef, Move] | None:
    """The move of its step that issuing `letter` records, when the letter is itself that act
    (the note verbale forwarding the decision, the press release, ...) and the step may still
    take it; None when the letter only accompanies a step already recorded."""
    defn = procedure.letter_step(letter)
    name = (defn.letters[letter].get("act") if defn else None)
    if defn is None or name is None:
        return None
    move = defn.moves[name]
    rec = case.steps.get(defn.id)
    status = rec.status if rec else "pending"
    return (defn, move) if status in move.sources else None
