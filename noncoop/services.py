"""Use cases: load -> domain -> save the event and the projection in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from noncoop import access, clock, config, dates, states, tasks
from noncoop.calendar import SESSION_KINDS, BureauMeeting, next_or_ongoing_session
from noncoop.calendar import Session as AssemblySession
from noncoop.domain import Case, Event, Facts, apply, load_procedure
from noncoop.domain.deadlines import compute
from noncoop.errors import BadInput, Conflict, NotFound, Refused
from noncoop.store import journal
from noncoop.store.codec import from_snapshot
from noncoop.store.journal import Stored
from noncoop.store.models import (
    BureauMeetingRow,
    CaseRow,
    DeadlineRow,
    EventRow,
    NoticeRow,
    SessionRow,
)

REFERRALS = ("assembly", "security-council")
REQUESTS = ("art89", "art93")
OUTCOMES = ("reversed_on_appeal", "amended_on_appeal", "cooperation_achieved", "other")
ADMIN = access.ADMIN


# -- calendar ----------------------------------------------------------------------------

# The whole calendar in one statement, compiled once (a step reads it for its facts):
# sessions and Bureau meetings (the rows without a session number), by date.
_S, _M = SessionRow.__table__.c, BureauMeetingRow.__table__.c  # type: ignore[attr-defined]
_CALENDAR = sa.union_all(
    sa.select(_S.number, _S.kind, _S.start, _S.end, _S.venue.label("place")),
    sa.select(sa.null(), sa.null(), _M.date, sa.null(), _M.place)).order_by("start")


def calendar(db: Session) -> tuple[tuple[AssemblySession, ...], tuple[BureauMeeting, ...]]:
    found, meetings = [], []
    for r in db.connection().execute(_CALENDAR):
        if r.number is None:
            meetings.append(BureauMeeting(r.start, r.place))
        else:
            found.append(AssemblySession(r.number, r.kind, r.start, r.end, r.place))
    return tuple(found), tuple(meetings)


def sessions(db: Session) -> tuple[AssemblySession, ...]:
    return calendar(db)[0]


def bureau_meetings(db: Session) -> tuple[BureauMeeting, ...]:
    return calendar(db)[1]


def add_session(db: Session, number: int, start: dt.date, end: dt.date, venue: str = "",
                kind: str = "regular", by: str = ADMIN) -> dict[str, Any]:
    access.require(access.viewer(db, by), access.FORMAL_ACTORS, "keeping the calendar")
    if not 1 <= number <= 9999:
        raise BadInput(f"session number {number} is not the number of a session of the "
                       "Assembly: give its ordinal, e.g. --number 24")
    dates.checked(start, "--start"), dates.checked(end, "--end")
    if kind not in SESSION_KINDS:
        raise BadInput(f"unknown session kind {kind!r}: use one of {', '.join(SESSION_KINDS)}")
    if end < start:
        raise BadInput(f"the session ends ({end}) before it starts ({start}): check --start and --end")
    row = db.exec(
        select(SessionRow).where(SessionRow.number == number, SessionRow.kind == kind)
    ).first() or SessionRow(number=number, kind=kind, start=start, end=end)
    row.start, row.end, row.venue = start, end, venue
    db.add(row)
    db.commit()
    return session_json(row)


def add_bureau_meeting(db: Session, date: dt.date, place: str = "", by: str = ADMIN) -> dict[str, Any]:
    access.require(access.viewer(db, by), access.FORMAL_ACTORS, "keeping the calendar")
    dates.checked(date, "--date")
    row = db.exec(select(BureauMeetingRow).where(BureauMeetingRow.date == date)).first()
    row = row or BureauMeetingRow(date=date)
    row.place = place
    db.add(row)
    db.commit()
    return {"date": row.date.isoformat(), "place": row.place}


def session_json(r: SessionRow) -> dict[str, Any]:
    return {"number": r.number, "kind": r.kind, "start": r.start.isoformat(),
            "end": r.end.isoformat(), "venue": r.venue}


def list_calendar(db: Session) -> dict[str, Any]:
    rows = db.exec(select(SessionRow).order_by(col(SessionRow.start))).all()
    return {
        "sessions": [session_json(r) for r in rows],
        "bureau_meetings": [{"date": m.date.isoformat(), "place": m.place}
                            for m in bureau_meetings(db)],
    }


# -- cases -------------------------------------------------------------------------------

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


def to_event(r: EventRow) -> Event:
    return Event(case_id=r.case_id, seq=r.seq, kind=r.kind, at=r.at, by=r.by, step=r.step,
                 on=r.on, reason=r.reason, data=r.data)


def _load(db: Session, case_id: str) -> tuple[Stored, Case]:
    stored = journal.load(db, case_id)
    if stored is None:
        raise NotFound(f"no case {case_id!r}: see `noncoop case list` for the case numbers",
                       code="unknown_case")
    return stored, from_snapshot(stored.snapshot)


def facts_for(db: Session, on: dt.date, params: dict[str, str] | None = None) -> Facts:
    return Facts(on=on, params=params, read_calendar=lambda: calendar(db))


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
    row, case = _load(db, case_id)
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
        return _append(db, row, case, Event(case_id=case.id, seq=row.last_seq + 1, kind=kind,
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
    return _append(db, row, case, event, stage)


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


def _append(db: Session, stored: Stored, case: Case, event: Event,
            stage: Callable[[Case], None] | None = None) -> Event:
    """Apply and store `event`, with what `stage` adds to the same transaction, or nothing."""
    case = apply(case, event)
    try:
        journal.save(db, stored, case, event)
        if stage is not None:
            stage(case)
        db.commit()
    except Conflict:
        db.rollback()
        raise
    except IntegrityError as exc:  # the same event number, written by another writer first
        db.rollback()
        raise journal.conflict(case.id) from exc
    return event


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


def show_case(db: Session, case_id: str, as_of: dt.date | None = None,
              by: str = ADMIN) -> dict[str, Any]:
    """The case as `by` may see it (access.py), with the actions he or she may take."""
    row, full = _load(db, case_id)
    v = access.viewer(db, by)
    case = access.visible(db, v, full)
    procedure = load_procedure(case.workflow, case.workflow_version)
    today = as_of or clock.today()
    facts = facts_for(db, today)
    steps = []
    for step_id in procedure.steps:
        if step_id not in case.steps and case is not full and step_id in access.INFORMAL_STEPS:
            continue  # a Bureau member learns only that good offices were activated
        rec = case.steps.get(step_id)
        item: dict[str, Any] = {"step": step_id, "status": rec.status if rec else "pending"}
        if rec and rec.date:
            item["date"] = rec.date.isoformat()
        if rec and rec.reason:
            item["reason"] = rec.reason
        if rec and rec.data:
            item["details"] = rec.data
        if item["status"] == "pending":
            na = procedure.not_applicable(case, step_id, facts)
            if na is not None:
                item.update(status="not_applicable", rule=na.rule, paragraph=na.paragraph,
                            reason=na.message)
        steps.append(item)
    history = db.exec(select(EventRow).where(EventRow.case_id == case_id)
                      .order_by(col(EventRow.seq))).all()
    if case is not full:
        history = [e for e in history if e.step not in access.INFORMAL_STEPS
                   or (e.step == "good_offices_activate" and e.kind == "step_done")]
    allowed = [a for a in procedure.allowed_actions(full, facts) if _may(v, full, procedure, a)]
    return {
        "id": case.id, "state": case.requested_state, "region": case.region,
        "scenario": case.scenario, "status": case.status, "stage": case.stage,
        "confidentiality": case.confidentiality, "referred_to": case.referred_to,
        "decision": {"ref": case.decision_ref,
                     "date": case.decision_date.isoformat() if case.decision_date else None},
        "request": case.request, "person": case.person, "summary": case.summary,
        "outcome": case.outcome,
        "workflow": {"name": case.workflow, "version": case.workflow_version},
        "steps": steps,
        "deadlines": [{"step": d.step, "kind": d.kind, "due": d.due.isoformat(),
                       "status": d.status, "basis": d.basis, "who": d.who}
                      for d in case.deadlines],
        "travel": _travel(case, today),
        "allowed_actions": allowed,
        "history": [{"at": e.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                     "event": e.kind, "by": e.by, "step": e.step,
                     "on": e.on.isoformat() if e.on else None,
                     "reason": e.reason if case is full or e.step not in access.INFORMAL_STEPS
                     else None}
                    for e in history],
    }


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


def refusals(db: Session, case_id: str, by: str = ADMIN) -> list[dict[str, str]]:
    """Each step still pending that may not be taken now, with the rule that says why
    (DESIGN principle 5), as `by` may see it."""
    row, full = _load(db, case_id)
    v = access.viewer(db, by)
    case = access.visible(db, v, full, "show")
    procedure = load_procedure(case.workflow, case.workflow_version)
    facts = facts_for(db, clock.today())
    out = []
    for step in procedure.steps:
        rec = case.steps.get(step)
        if (rec and rec.status in ("done", "skipped")) or (
                case is not full and step in access.INFORMAL_STEPS):
            continue
        refusal = procedure.refusal(full, step, facts, with_params=False)
        if refusal is not None and refusal.rule not in ("step_recorded",):
            out.append({"step": step, "rule": refusal.rule, "paragraph": refusal.paragraph,
                        "message": refusal.message})
    return out


def _may(v: access.Viewer, case: Case, procedure: Any, action: str) -> bool:
    defn = procedure.steps.get(action)
    try:
        access.may_act(v, case, action, tuple(defn.actors) if defn and defn.actors else None)
    except Refused:
        return False
    return True


def _travel(case: Case, today: dt.date) -> dict[str, Any] | None:
    """The countdown to an announced travel of a person subject to a warrant (omnibus para 35),
    what is known of it, and after the date its outcome."""
    if case.travel_date is None:
        return None
    alert = case.steps.get("travel_alert")
    outcome = case.steps.get("travel_outcome")
    out: dict[str, Any] = {"date": case.travel_date.isoformat(),
                           "days_left": (case.travel_date - today).days}
    if alert is not None:
        out.update({k: alert.data.get(k) for k in ("person", "to", "source", "reliability")})
    if outcome is not None and outcome.date and outcome.date >= case.travel_date:
        out["outcome"] = outcome.data.get("outcome")
        if out["outcome"] == "visit_without_arrest":
            out["next"] = ("prepare for a finding of the Court: when it refers the matter to the "
                           "Assembly, record it with refer_to_assembly (paras 7(a), 13)")
        elif out["outcome"] == "visit_and_arrest":
            out["next"] = "cooperation achieved: close the case with outcome=cooperation_achieved"
    return out


_LIST = sa.select(*(getattr(journal.CASES.c, k) for k in (
    "id", "requested_state", "region", "scenario", "status", "stage", "decision_ref",
    "decision_date", "travel_date", "assisting"))).order_by(journal.CASES.c.id)


def list_cases(db: Session, status: str | None = None, by: str = ADMIN, *,
               scenario: str | None = None, region: str | None = None) -> list[dict[str, Any]]:
    """The cases `by` may see, by number, from the case rows' columns: a list of thousands
    parses no snapshot. `scenario` and `region` narrow it."""
    v = access.viewer(db, by)
    query = _filtered(status, scenario, region)
    today = clock.today()
    return [_listed(r, seen, today) for r in db.connection().execute(query)
            if (seen := access.sight_of(v, r.region, r.assisting)) is not None]


def page_of_cases(db: Session, status: str | None = None, by: str = ADMIN, *,
                  scenario: str | None = None, region: str | None = None, page: int = 1,
                  size: int = 100) -> tuple[list[dict[str, Any]], int, int]:
    """Page `page` of `list_cases` (the first or the last one if it lies outside), how many
    cases there are in all, and the page given. When `by` sees every case the database counts
    and pages them, so a page of ten thousand cases reads a hundred rows."""
    v = access.viewer(db, by)
    if not access.sees_every_case(v):  # a focal point's are their region's, a few
        listed = list_cases(db, status, by, scenario=scenario, region=region)
        page = _within(page, len(listed), size)
        return listed[(page - 1) * size:page * size], len(listed), page
    query = _filtered(status, scenario, region)
    conn = db.connection()
    total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    page = _within(page, total, size)
    today = clock.today()
    rows = conn.execute(query.limit(size).offset((page - 1) * size))
    return ([_listed(r, access.sight_of(v, r.region, r.assisting), today) for r in rows],
            total, page)


def _within(page: int, total: int, size: int) -> int:
    return min(max(page, 1), max(1, -(-total // size)))


def _filtered(status: str | None, scenario: str | None, region: str | None) -> sa.Select[Any]:
    if status not in (None, "open", "closed"):
        raise BadInput(f"unknown status {status!r}: use open or closed")
    query, c = _LIST, journal.CASES.c
    for column, value in ((c.status, status), (c.scenario, scenario), (c.region, region)):
        if value:
            query = query.where(column == value)
    return query


def _listed(r: sa.Row[Any], seen: str | None, today: dt.date) -> dict[str, Any]:
    """A case as the list shows it, to one who has `seen` sight of it (access.sight)."""
    item = {"id": r.id, "state": r.requested_state, "region": r.region,
            "scenario": r.scenario, "status": r.status, "stage": r.stage,
            "decision": {"ref": r.decision_ref, "date": r.decision_date.isoformat()
                         if r.decision_date else None}}
    if seen == "full" and r.travel_date:
        item["travel"] = {"date": r.travel_date.isoformat(),
                          "days_left": (r.travel_date - today).days}
    return item


def case_regions(db: Session, by: str = ADMIN) -> list[str]:
    """The regions of the cases `by` may see, for a filter's choices."""
    v = access.viewer(db, by)
    c = journal.CASES.c
    pairs = db.connection().execute(sa.select(c.region, c.assisting).distinct())
    return sorted({region for region, assisting in pairs
                   if access.sight_of(v, region, assisting) is not None})


def rebuild(db: Session, case_id: str) -> Case:
    """The case as its events alone tell it (DESIGN principle 2)."""
    from noncoop.domain import project

    rows = db.exec(select(EventRow).where(EventRow.case_id == case_id)).all()
    if not rows:
        raise NotFound(f"no case {case_id!r}", code="unknown_case")
    return project([to_event(r) for r in rows])


def list_deadlines(db: Session, as_of: dt.date | None = None, case_id: str | None = None,
                   who: str | None = None, by: str = ADMIN) -> list[dict[str, Any]]:
    """What is due: open deadlines and missed ones whose step is still outstanding, by date,
    with the days left on `as_of`; for one case or one person responsible if asked; only of
    the cases `by` may see, and of a Bureau member's cases only the formal ones."""
    as_of = as_of or clock.today()
    v = access.viewer(db, by)
    query = select(DeadlineRow).where(DeadlineRow.outstanding == True)  # noqa: E712
    if case_id is not None:
        _, case = _load(db, case_id)  # an unknown case is an error, not an empty list
        access.visible(db, v, case, "deadlines")
        query = query.where(DeadlineRow.case_id == case_id)
    if who is not None:
        query = query.where(DeadlineRow.who == who)
    rows = db.exec(query.order_by(col(DeadlineRow.due), col(DeadlineRow.case_id))).all()
    if not v.sees_all:
        sights = {r.id: access.sight_of(v, r.region, r.assisting) for r in db.exec(
            select(CaseRow.id, CaseRow.region, CaseRow.assisting)
            .where(col(CaseRow.id).in_({d.case_id for d in rows}))).all()}
        rows = [d for d in rows if sights.get(d.case_id) == "full" or (
            sights.get(d.case_id) == "formal" and d.step not in access.INFORMAL_STEPS)]
    return [{"case_id": d.case_id, "step": d.step, "kind": d.kind, "due": d.due.isoformat(),
             "status": d.status, "who": d.who, "basis": d.basis,
             "days_left": (d.due - as_of).days} for d in rows]
