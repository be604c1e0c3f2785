"""A case as one may see it (access.py): its steps, deadlines, history and what may be done."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from noncoop import access, clock
from noncoop.access import ADMIN
from noncoop.domain import Case, load_procedure
from noncoop.domain.case import Deadline
from noncoop.domain.deadlines import ends_at
from noncoop.errors import Refused
from noncoop.services.calendars import facts_for
from noncoop.store import journal
from noncoop.store.codec import from_snapshot
from noncoop.store.journal import EVENTS


def show_case(db: Session, case_id: str, as_of: dt.date | None = None,
              by: str = ADMIN) -> dict[str, Any]:
    """The case as `by` may see it (access.py), with the actions he or she may take."""
    v, _, full, case = access.seen_case(db, by, case_id)
    history = db.connection().execute(sa.select(EVENTS).where(EVENTS.c.case_id == case_id)
                                      .order_by(EVENTS.c.seq)).all()
    return _shown(db, v, full, case, history, as_of or clock.today())


def show_cases(db: Session, case_ids: list[str], as_of: dt.date | None = None,
               by: str = ADMIN) -> list[dict[str, Any]]:
    """show_case of each of `case_ids`, in that order, their rows and events read at once and
    the showing of the restricted ones logged in one statement: a page of fifty cases (the
    Bureau review) asked the database three times for each, and committed each log row."""
    v = access.viewer(db, by)
    rows = journal.load_many(db, case_ids)
    events: dict[str, list[Any]] = {case_id: [] for case_id in case_ids}
    # A Core select, in order: the ORM would first configure every mapper.
    for e in db.connection().execute(sa.select(EVENTS).where(EVENTS.c.case_id.in_(case_ids))
                                     .order_by(EVENTS.c.case_id, EVENTS.c.seq)):
        events[e.case_id].append(e)
    seen, logged = [], []
    for case_id in case_ids:
        full = from_snapshot(rows[case_id].snapshot) if case_id in rows else None
        sight = access.sight(v, full) if full is not None else None
        if full is None or sight is None:
            access.refuse(db, v, case_id, "show")  # as show_case: not found, logged
        if access.restricted(full):
            logged.append((case_id, sight))
        seen.append((full, full if sight == "full" else access.formal_view(full)))
    if logged:
        access.log_list(db, v, logged, action="show")
    today = as_of or clock.today()
    return [_shown(db, v, full, case, events[full.id], today) for full, case in seen]


def _shown(db: Session, v: access.Viewer, full: Case, case: Case, history: list[Any],
           today: dt.date) -> dict[str, Any]:
    """What show_case answers of `full` as `v` sees it (`case`), with its events."""
    procedure = load_procedure(case.workflow, case.workflow_version)
    facts = facts_for(db, today)
    # A Bureau member learns of a restricted (7(b)) case only that good offices were activated,
    # by whom and when (para 18): not when or by whom it was opened, nor the formal steps it
    # cannot take yet; of a formal case, the formal record.
    only_disclosed = case is not full and full.confidentiality == "restricted"
    steps = []
    for step_id in procedure.steps:
        if case is not full and step_id not in case.steps and step_id in access.INFORMAL_STEPS:
            continue
        if only_disclosed and step_id not in access.DISCLOSED_STEPS:
            continue
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
    if case is not full:
        history = [e for e in history if (e.step not in access.INFORMAL_STEPS
                                          and not only_disclosed)
                   or (e.step in access.DISCLOSED_STEPS and e.kind == "step_done")]
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
        "deadlines": [deadline_json(d) for d in case.deadlines],
        "travel": _travel(case, today),
        "allowed_actions": allowed,
        "history": [{"at": e.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                     "event": e.kind, "by": e.by, "step": e.step,
                     "on": e.on.isoformat() if e.on else None,
                     "reason": e.reason if case is full or e.step not in access.INFORMAL_STEPS
                     else None}
                    for e in history],
    }


def action_params(case: dict[str, Any]) -> dict[str, list[str]]:
    """What `--param` each action allowed on the shown `case` takes (the workflow's word)."""
    procedure = load_procedure(case["workflow"]["name"], case["workflow"]["version"])
    return {a: procedure.param_help(a) for a in case["allowed_actions"]}


def deadline_json(d: Deadline) -> dict[str, Any]:
    """A deadline as every view shows it: its last day (`due`, Europe/Amsterdam) and the
    instant it runs out (`due_at`, UTC), its status, and for a late one by how many days."""
    out: dict[str, Any] = {"step": d.step, "kind": d.kind, "due": d.due.isoformat(),
                           "due_at": utc_text(ends_at(d.due, d.due_at)), "status": d.status,
                           "basis": d.basis, "who": d.who, "days_late": d.days_late,
                           "done_on": d.done_on.isoformat() if d.done_on else None}
    if d.session:
        out["session"] = d.session
    return out


def utc_text(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def refusals(db: Session, case_id: str, by: str = ADMIN) -> list[dict[str, str]]:
    """Each step still pending that may not be taken now, with the rule that says why
    (DESIGN principle 5), as `by` may see it."""
    v, row, full, case = access.seen_case(db, by, case_id)
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
