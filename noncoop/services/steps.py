"""Opening a case and recording its steps: load -> domain -> save the event and the projection
in one transaction (noncoop/record.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from noncoop import access, clock, dates, states, tasks
from noncoop.access import ADMIN
from noncoop.domain import Case, Event, Facts, apply, load_procedure
from noncoop.domain.case import NUMBER_PREFIX
from noncoop.domain.decide import DEADLINE_ACTIONS, Decision, deadlines_from, decide
from noncoop.errors import BadInput, Conflict, Refused
from noncoop.record import append, append_all
from noncoop.services.calendars import facts_for
from noncoop.services.views import show_case
from noncoop.store import journal
from noncoop.store.models import CaseRow, NoticeRow

REFERRALS = ("assembly", "security-council")
REQUESTS = ("art89", "art93")
__all__ = ["DEADLINE_ACTIONS", "act", "open_case", "record_decision", "take_step"]


def _next_case_id(db: Session, year: int) -> str:
    """The number after the year's highest: NC-2024-001, then 002, ... 999, 1000. The longest
    number of the year is the highest, and of those the last in order; the database finds it
    among the year's numbers (a range of the key), where reading them all made opening the
    20,000th case of a year take a second."""
    prefix = f"{NUMBER_PREFIX}{year}-"
    key = col(CaseRow.id)
    last = db.exec(select(CaseRow.id).where(key >= prefix, key < f"{NUMBER_PREFIX}{year}.")  # '.' after '-'
                   .order_by(sa.func.length(key).desc(), key.desc()).limit(1)).first()
    return f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:03d}"


def open_case(db: Session, *, state: str, scenario: str, by: str = ADMIN,
              decision_ref: str | None = None, decision_date: dt.date | None = None,
              chamber: str | None = None, referred_to: list[str] | None = None,
              request: str | None = None, person: str | None = None,
              summary: str | None = None, travel_date: dt.date | None = None,
              ad_hoc_arrangement: str | None = None,
              duplicate_reason: str | None = None) -> dict[str, Any]:
    """Open a case on a finding of the Court (7(a), or recorded for monitoring) or an urgent
    incident (7(b)). A decision already held by a case is refused with that case's number;
    `duplicate_reason` opens a second case anyway, with the reason on the record."""
    access.require(access.viewer(db, by), access.FORMAL_ACTORS, "opening a case")
    dates.checked(decision_date, "--decision-date"), dates.checked(travel_date, "--travel-date")
    if decision_date is not None and decision_date > clock.today():
        raise BadInput(f"--decision-date {decision_date} is after today ({clock.today()}): a "
                       "case answers a decision the Court has taken; check the date",
                       code="date_in_future")
    info = states.lookup(state)
    decision_ref = (decision_ref or "").strip() or None  # stored as the Court writes it
    if duplicate_reason is not None and not duplicate_reason.strip():
        raise BadInput("--duplicate-reason is empty: say why a second case is opened on this "
                       "decision, or leave the option out", code="empty_reason")
    if decision_ref and duplicate_reason is None:
        _refuse_open_decision(db, decision_ref, info.name)
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
        deadlines += deadlines_from(procedure, "decision", decision_date, facts)  # type: ignore[arg-type]
    if travel_date is not None:
        # Information on the travel is in hand from now: share it promptly (omnibus para 35).
        deadlines += deadlines_from(procedure, "travel_information_received", clock.today(),
                                    facts)
    for _attempt in range(5):
        case_id = _next_case_id(db, opened_on.year)
        event = Event(
            case_id=case_id, seq=1, kind="case_opened", at=clock.now(), by=by,
            on=clock.today(), reason=(duplicate_reason or "").strip() or None,
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


def _refuse_open_decision(db: Session, decision_ref: str, state: str) -> None:
    """One Court decision on one State is one case: a second would split its record."""
    # The same reference however typed: "ICC-01/22-90 " and "icc-01/22-90" are that decision.
    held = db.exec(select(CaseRow.id, CaseRow.status).where(
        sa.func.lower(sa.func.trim(CaseRow.decision_ref)) == decision_ref.strip().lower(),
        CaseRow.requested_state == state).order_by(col(CaseRow.id))).first()
    if held is not None:
        raise Refused(
            f"refused by rule decision_open (Annex II paras 7(a), 13): the decision "
            f"{decision_ref} on {state} is already case {held[0]} ({held[1]}); record on that "
            "case, or open a second one anyway with --duplicate-reason TEXT (the reason is kept "
            "on the record)", code="decision_open", rule="decision_open", paragraph="7(a), 13",
            case_id=held[0])


def act(db: Session, case_id: str, step: str, *, on: dt.date | None = None, skip: bool = False,
        reason: str | None = None, params: dict[str, str] | None = None,
        by: str = ADMIN) -> dict[str, Any]:
    """Record `step` on the case (take_step) and answer with the case as `by` now sees it."""
    take_step(db, case_id, step, on=on, skip=skip, reason=reason, params=params, by=by)
    return show_case(db, case_id, by=by)


def take_step(db: Session, case_id: str, step: str, *, on: dt.date | None = None,
              skip: bool = False, reason: str | None = None,
              params: dict[str, str] | None = None, by: str = ADMIN) -> Event:
    """Load the case, check who acts, ask the domain (domain/decide.py) and append the event
    it decides with its projection, deadlines, tasks and notices in one transaction. Returns
    the event recorded."""
    v, row, case, _ = access.seen_case(db, by, case_id, "act")
    procedure = load_procedure(case.workflow, case.workflow_version)
    defn = procedure.steps.get(step)
    access.may_act(v, case, step, tuple(defn.actors) if defn and defn.actors else None)
    on = dates.checked(on, "--on") or clock.today()
    facts = facts_for(db, on, dict(params or {}))
    decision = decide(procedure, case, step, facts, skip=skip, reason=reason)
    return record_decision(db, row, case, procedure, decision, facts, by=by, reason=reason)


def record_decision(db: Session, row: Any, case: Case, procedure: Any, decision: Decision,
                    facts: Facts, *, by: str, reason: str | None = None,
                    also: Event | None = None) -> Event:
    """Append the event `decision` describes, with the tasks and notices its step sends, in one
    transaction; `also` is a second event of the same transaction (the letter that is the act)."""
    params, on = facts.params, facts.on
    data = decision.data
    assisting: list[str] = []
    if decision.step == "request_assistance" and decision.kind == "step_done":
        assisting = tasks.assisting_emails(db, case, params, on)
        data["params"] = {**data["params"], "to": ",".join(assisting)}  # on the record
    event = Event(case_id=case.id, seq=row.last_seq + 1, kind=decision.kind, at=clock.now(),
                  by=by, step=decision.step, on=on, reason=reason, data=data)
    defn = procedure.steps.get(decision.step) if decision.step else None
    notices = [_notice(case, defn.id, spec, assisting, on, params, event)
               for spec in (defn.notify if defn else ()) if spec["when"] == decision.records]

    def stage(case: Case) -> None:  # in the event's transaction (DESIGN principle 4)
        asked = tasks.assistance(db, case, assisting, on, params)
        for notice in notices:  # each person asked is told the number of his or her task
            if asked and set(notice["recipients"]) & set(asked):
                notice["body"] = {**notice["body"], "task_ids": {
                    e: n for e, n in asked.items() if e in notice["recipients"]}}
        if notices:
            db.connection().execute(sa.insert(NoticeRow.__table__), notices)  # type: ignore[attr-defined]
    if also is None:
        return append(db, row, case, event, stage)
    append_all(db, row, case, [event, also], stage)
    return event


def _notice(case: Case, step: str, spec: dict[str, Any], assisting: list[str], on: dt.date,
            params: dict[str, str], event: Event) -> dict[str, Any]:
    """A notice a step sends (`notify` in the workflow), to roles or to the people asked; what
    it says of their task is fixed here, with the event (tasks.asked)."""
    recipients = [r for to in spec["to"] for r in (assisting if to == "assisting" else [to])]
    body: dict[str, Any] = {}
    if spec.get("invite"):
        body["invite"] = {"date": on.isoformat(), "place": params.get("place", "")}
    if assisting:
        body.update(tasks.asked(params, event))
    return {"case_id": case.id, "deadline_id": None, "step": step, "kind": spec["letter"],
            "digest_key": None, "recipients": recipients, "body": body,
            "created_at": clock.now(), "status": "queued"}
