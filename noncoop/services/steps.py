"""Opening a case and recording its steps: load -> domain -> save the event and the projection
in one transaction (noncoop/record.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from noncoop import access, clock, config, dates, states, tasks
from noncoop.access import ADMIN
from noncoop.calendar import next_or_ongoing_session
from noncoop.domain import Case, Event, Facts, apply, load_procedure
from noncoop.domain.deadlines import compute
from noncoop.errors import BadInput, Conflict, Refused
from noncoop.record import append, load_case
from noncoop.services.calendars import facts_for
from noncoop.services.views import show_case
from noncoop.store import journal
from noncoop.store.models import CaseRow, NoticeRow

REFERRALS = ("assembly", "security-council")
REQUESTS = ("art89", "art93")
OUTCOMES = ("reversed_on_appeal", "amended_on_appeal", "cooperation_achieved", "other")


def _next_case_id(db: Session, year: int) -> str:
    prefix = f"NC-{year}-"
    ids = db.exec(select(CaseRow.id).where(col(CaseRow.id).startswith(prefix))).all()
    return f"{prefix}{max((int(i.rsplit('-', 1)[1]) for i in ids), default=0) + 1:03d}"


def open_case(db: Session, *, state: str, scenario: str, by: str = ADMIN,
              decision_ref: str | None = None, decision_date: dt.date | None = None,
              chamber: str | None = None, referred_to: list[str] | None = None,
              request: str | None = None, person: str | None = None,
              summary: str | None = None, travel_date: dt.date | None = None,
              ad_hoc_arrangement: str | None = None) -> dict[str, Any]:
    access.require(access.viewer(db, by), access.FORMAL_ACTORS, "opening a case")
    dates.checked(decision_date, "--decision-date"), dates.checked(travel_date, "--travel-date")
    info = states.lookup(state)
    referred = sorted(set(referred_to or []) - {"none"})
    for r in referred:
        if r not in REFERRALS:
            raise BadInput(f"unknown referral {r!r} in --referred-to: use assembly, "
                           "security-council, both separated by a comma, or none")
    if request is not None and request not in REQUESTS:
        raise BadInput(f"unknown request {request!r}: use art89 (arrest and surrender) or "
                       "art93 (other assistance)")
    if scenario == "7a":
        if not decision_ref or not decision_date:
            raise Refused(
                "refused by rule court_finding_required (Annex II para 7(a), footnote 4): a 7(a) "
                "case needs the Court's decision (--decision-ref and --decision-date); until the "
                "Court decides there is nothing for the Assembly to do, unless the incident is "
                "urgent (open a 7(b) case)", code="court_finding_required",
                rule="court_finding_required", paragraph="7(a), footnote 4")
        # A finding not referred to the Assembly starts no formal procedure (para 13).
        stage = "formal" if "assembly" in referred else "monitoring"
        confidentiality = "bureau"
    elif scenario == "7b":
        if not (summary or "").strip():
            raise Refused(
                "refused by rule specific_incident_required (Annex II paras 5, 7(b)): a 7(b) case "
                "needs a specific and serious incident (--summary, e.g. a planned visit of a person "
                "subject to an arrest warrant); a State that has yet to implement the Statute with "
                "no specific request is outside these procedures (para 5)",
                code="specific_incident_required", rule="specific_incident_required",
                paragraph="5, 7(b)")
        stage, confidentiality = "informal", "restricted"
    else:
        raise BadInput(f"unknown scenario {scenario!r}: use 7a (the Court referred a finding) "
                       "or 7b (urgent incident, no referral yet)")
    bound_by_council = stage == "monitoring" and "security-council" in referred
    if not info.party and not ad_hoc_arrangement and not bound_by_council:
        raise Refused(
            f"refused by rule requested_state (Annex II para 4; Rome Statute art. 87(5)(b)): "
            f"{info.name} is not a State Party; it is a requested State only if it entered an ad "
            "hoc arrangement or agreement with the Court: give it with --ad-hoc-arrangement",
            code="requested_state", rule="requested_state", paragraph="4")
    opened_on = decision_date or clock.today()
    procedure = load_procedure()
    facts = facts_for(db, clock.today())
    deadlines: list[dict[str, str]] = []
    if stage == "formal":
        deadlines += _deadlines(procedure, "decision", decision_date, facts)  # type: ignore[arg-type]
    if travel_date is not None:
        # Information on the travel is in hand from now: share it promptly (omnibus para 35).
        deadlines += _deadlines(procedure, "travel_information_received", clock.today(), facts)
    for _attempt in range(5):
        case_id = _next_case_id(db, opened_on.year)
        event = Event(
            case_id=case_id, seq=1, kind="case_opened", at=clock.now(), by=by,
            on=clock.today(),
            data={
                "requested_state": info.name, "region": info.group, "scenario":
                scenario if stage != "monitoring" else "monitoring", "stage": stage,
                "confidentiality": confidentiality, "referred_to": referred,
                "workflow": procedure.name, "workflow_version": procedure.version,
                "decision_ref": decision_ref,
                "decision_date": decision_date.isoformat() if decision_date else None,
                "chamber": chamber, "request": request, "person": person, "summary": summary,
                "travel_date": travel_date.isoformat() if travel_date else None,
                "ad_hoc_arrangement": ad_hoc_arrangement,
                "deadlines_set": deadlines,
            },
        )
        try:
            journal.save(db, None, apply(None, event), event)
            db.commit()
        except IntegrityError:  # another writer took the number: take the next one
            db.rollback()
            continue
        return show_case(db, case_id, by=by)
    raise Conflict("could not allocate a case number: too many concurrent openings; try again")


def act(db: Session, case_id: str, step: str, *, on: dt.date | None = None, skip: bool = False,
        reason: str | None = None, params: dict[str, str] | None = None,
        by: str = ADMIN) -> dict[str, Any]:
    """Record `step` on the case (take_step) and answer with the case as `by` now sees it."""
    take_step(db, case_id, step, on=on, skip=skip, reason=reason, params=params, by=by)
    return show_case(db, case_id, by=by)


def take_step(db: Session, case_id: str, step: str, *, on: dt.date | None = None,
              skip: bool = False, reason: str | None = None,
              params: dict[str, str] | None = None, by: str = ADMIN) -> Event:
    """Load the case, check who acts and the rules, and append the event with its projection,
    deadlines, tasks and notices in one transaction. Returns the event recorded."""
    row, case = load_case(db, case_id)
    v = access.viewer(db, by)
    access.visible(db, v, case, "act")
    procedure = load_procedure(case.workflow, case.workflow_version)
    defn = procedure.steps.get(step)
    access.may_act(v, case, step, tuple(defn.actors) if defn and defn.actors else None)
    params = dict(params or {})
    if defn is not None and not skip:
        params = _checked_params(defn, params)
    on = dates.checked(on, "--on") or clock.today()
    facts = facts_for(db, on, params)
    if step in DEADLINE_ACTIONS:
        kind, data = _deadline_change(case, step, on, reason, params)
        return append(db, row, case, Event(case_id=case.id, seq=row.last_seq + 1, kind=kind,
                                            at=clock.now(), by=by, on=on, reason=reason, data=data))
    if step not in procedure.machine.events:
        raise BadInput(f"unknown step {step!r}. Allowed now on {case_id}: "
                       f"{', '.join(procedure.allowed_actions(case, facts)) or 'none'}",
                       code="unknown_step", allowed_actions=procedure.allowed_actions(case, facts))
    refusal = procedure.refusal(case, step, facts)
    if skip and refusal is not None and refusal.rule not in procedure.guard_meta:
        raise _refused(refusal, procedure.allowed_actions(case, facts))
    if not skip and refusal is not None:
        raise _refused(refusal, procedure.allowed_actions(case, facts))
    kind, data = _event_for(procedure, case, step, on, skip, reason, params, facts)
    if "session_known" in getattr(procedure.steps.get(step), "guards", ()) and not skip:
        # Paras 14(e), 14(f), 15: the session concerned is the one on-going on the decision
        # date, else the next one; record which, so the record does not depend on later edits.
        session = next_or_ongoing_session(facts.sessions, case.decision_date or on)
        if session is not None:
            data["params"] = {**data["params"], "session": f"{session.number} {session.kind}"}
    assisting: list[str] = []
    if step == "request_assistance" and not skip:
        assisting = tasks.assisting_emails(db, case, params, on)
        data["params"] = {**data["params"], "to": ",".join(assisting)}  # on the record
    if not skip:
        procedure.fire(case, step, facts)
    event = Event(case_id=case.id, seq=row.last_seq + 1, kind=kind, at=clock.now(), by=by,
                  step=step if step in procedure.steps else None, on=on, reason=reason, data=data)
    move = {"step_started": "started", "step_done": "done"}.get(kind)
    notices = [_notice(case, step, spec, assisting, on, params)
               for spec in (defn.notify if defn else ()) if spec["when"] == move]

    def stage(case: Case) -> None:  # in the event's transaction (DESIGN principle 4)
        tasks.assistance(db, case, assisting, on, params)
        if notices:
            db.connection().execute(sa.insert(NoticeRow.__table__), notices)  # type: ignore[attr-defined]
    return append(db, row, case, event, stage)


def _notice(case: Case, step: str, spec: dict[str, Any], assisting: list[str], on: dt.date,
            params: dict[str, str]) -> dict[str, Any]:
    """A notice a step sends (`notify` in the workflow), to roles or to the people asked."""
    recipients = [r for to in spec["to"] for r in (assisting if to == "assisting" else [to])]
    body: dict[str, Any] = {}
    if spec.get("invite"):
        body["invite"] = {"date": on.isoformat(), "place": params.get("place", "")}
    return {"case_id": case.id, "deadline_id": None, "step": step, "kind": spec["letter"],
            "digest_key": None, "recipients": recipients, "body": body,
            "created_at": clock.now(), "status": "queued"}


DEADLINE_ACTIONS = ("waive_deadline", "reschedule_deadline")


def _deadline_change(case: Case, action: str, on: dt.date, reason: str | None,
                     params: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """Waiving or rescheduling a deadline is an event with a reason (SPEC "Time")."""
    usage = (f"{action} needs --param step=STEP --param kind=KIND"
             + (" --param due=YYYY-MM-DD" if action == "reschedule_deadline" else "")
             + " --reason TEXT")
    step, kind = params.get("step"), params.get("kind")
    if not step or not kind or not (reason or "").strip():
        raise BadInput(usage)
    if not any(d.step == step and d.kind == kind and d.status == "open" for d in case.deadlines):
        given = ", ".join(f"{d.step}/{d.kind}" for d in case.deadlines if d.status == "open")
        raise BadInput(f"{case.id} has no open deadline {step}/{kind}; open ones: {given or 'none'}")
    if action == "waive_deadline":
        return "deadline_waived", {"deadlines_waived": [{"step": step, "kind": kind}]}
    due = _param_date(params, "due")
    if due is None:
        raise BadInput(usage)
    before = int(config.deadlines().get("reminder_days_before", 2))
    return "deadline_rescheduled", {"deadlines_rescheduled": [{
        "step": step, "kind": kind, "due": due.isoformat(),
        "basis": f"rescheduled on {on}: {reason}",
        "remind_from": (due - dt.timedelta(days=before)).isoformat()}]}


def _refused(refusal: Any, allowed: list[str]) -> Refused:
    return Refused(f"{refusal.text()}. Allowed now: {', '.join(allowed) or 'none'}",
                   code="rule_refused", rule=refusal.rule, paragraph=refusal.paragraph,
                   allowed_actions=allowed)


def _event_for(procedure: Any, case: Case, step: str, on: dt.date, skip: bool,
               reason: str | None, params: dict[str, str], facts: Facts) -> tuple[str, dict[str, Any]]:
    if skip:
        if not (reason or "").strip():
            raise BadInput(f"skipping {step} needs a reason: add --reason TEXT (steps of para 14 "
                           "are recommended, and a skip is recorded with why)")
        return "step_skipped", {"deadlines_not_applicable": [step]}
    if step == "close":
        outcome = params.get("outcome")
        if outcome not in OUTCOMES:
            raise BadInput(f"closing a case needs --param outcome=... with one of: "
                           f"{', '.join(OUTCOMES)}")
        return "case_closed", {"outcome": outcome, "params": params}
    if step == "refer_to_assembly":
        data = {k: params[k] for k in ("decision_ref", "decision_date") if k in params}
        decided = _param_date(params, "decision_date") or on
        data["deadlines_set"] = _deadlines(procedure, "decision", decided, facts)
        return "referred_to_assembly", data
    defn = procedure.steps[step]
    data: dict[str, Any] = {"params": params}
    move = "done"
    if defn.moves:
        rec = case.steps.get(step)
        current = rec.status if rec else "pending"
        action = params.get("action") or (defn.moves[0] if current == "pending" else defn.moves[-1])
        if action not in defn.moves:
            raise BadInput(f"unknown action {action!r} for {step}: use "
                           f"{' then '.join(f'--param action={m}' for m in defn.moves)}")
        if action == defn.moves[0]:
            if current != "pending":
                raise Refused(f"refused by rule move_order (Annex II para {defn.paragraph}): "
                              f"{step} was already {current.replace('_', ' ')}",
                              code="rule_refused", rule="move_order", paragraph=defn.paragraph)
            if step == "open_letter":
                _int_param(params, "reply_days", 1)  # checked here, used by the deadline rule
            move = "started"
        elif current != "in_progress":
            raise Refused(f"refused by rule move_order (Annex II para {defn.paragraph}): "
                          f"{step} must first be recorded with --param action={defn.moves[0]}",
                          code="rule_refused", rule="move_order", paragraph=defn.paragraph)
    data["deadlines_met"] = [{"step": r.step, "kind": r.kind}
                             for r in procedure.deadlines_met_by(step, move)]
    data["deadlines_set"] = _deadlines(procedure, f"{step}.{move}", on, facts)
    return ("step_started" if move == "started" else "step_done"), data


def _deadlines(procedure: Any, anchor: str, anchor_day: dt.date, facts: Facts) -> list[dict[str, str]]:
    """The deadlines that start running at `anchor`, as recorded in the event."""
    numbers, closures = config.deadlines(), config.closures()
    out = []
    for rule in procedure.deadlines_anchored_on(anchor):
        computed = compute(rule, numbers, anchor_day, facts, closures)
        if computed is not None:  # the calendar cannot tell yet (no meeting or session recorded)
            due, basis = computed
            before = int(numbers[rule.rule].get("reminder_days_before",
                                                numbers.get("reminder_days_before", 2)))
            out.append({"step": rule.step, "kind": rule.kind, "due": due.isoformat(),
                        "basis": basis, "who": rule.who,
                        "remind_from": (due - dt.timedelta(days=before)).isoformat()})
    return out


def _param_date(params: dict[str, str], key: str) -> dt.date | None:
    if key not in params:
        return None
    try:
        day = dt.date.fromisoformat(params[key])
    except ValueError:
        raise BadInput(f"bad date {params[key]!r} for --param {key}: write YYYY-MM-DD",
                       code="bad_param") from None
    problem = dates.day_problem(day)
    if problem:
        raise BadInput(f"--param {key}={params[key]}: {problem}", code="bad_param")
    return day


def _int_param(params: dict[str, str], key: str, default: int) -> int:
    try:
        value = int(params.get(key, default))
    except ValueError:
        raise BadInput(f"--param {key} must be a whole number of days, not {params[key]!r}") from None
    if value <= 0:
        raise BadInput(f"--param {key} must be at least 1 day")
    return value


def _checked_params(defn: Any, params: dict[str, str]) -> dict[str, str]:
    """The step's --param values, checked against what the workflow says it takes."""
    params = {**{k: str(spec["default"]) for k, spec in defn.params.items() if "default" in spec},
              **params}
    missing = [k for k, spec in defn.params.items() if spec.get("required") and not params.get(k)]
    if missing:
        raise BadInput(f"{defn.id} needs " + " ".join(f"--param {k}=..." for k in missing)
                       + f" (it takes: {', '.join(defn.params)})", code="missing_param")
    for key, spec in defn.params.items():
        if key not in params:
            continue
        if spec.get("choices") and params[key] not in [str(c) for c in spec["choices"]]:
            raise BadInput(f"--param {key}={params[key]!r} for {defn.id}: use one of "
                           f"{', '.join(str(c) for c in spec['choices'])}", code="bad_param")
        if spec.get("type") == "date":
            _param_date(params, key)
    return params
