"""A case and its events. The case is a projection: `project(events)` rebuilds it, and the
store keeps the same projection row up to date with `apply` (DESIGN principle 2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StepRecord:
    status: str = "pending"  # pending | in_progress | done | skipped (not_applicable is derived)
    date: dt.date | None = None
    reason: str | None = None
    count: int = 0
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Deadline:
    step: str
    kind: str
    due: dt.date
    status: str = "open"  # open | met | missed | waived | not_applicable
    basis: str = ""  # what the date was computed from, so it never moves silently
    who: str = "president_office"
    remind_from: dt.date | None = None  # from this day the person responsible is reminded
    done_on: dt.date | None = None  # when the step was done, on time or late


@dataclass
class Case:
    id: str
    requested_state: str
    region: str
    scenario: str  # 7a | 7b | monitoring
    stage: str  # the machine's state: monitoring | informal | formal | closed
    confidentiality: str
    referred_to: list[str]
    workflow: str
    workflow_version: str
    decision_ref: str | None = None
    decision_date: dt.date | None = None
    chamber: str | None = None
    request: str | None = None
    person: str | None = None
    summary: str | None = None
    travel_date: dt.date | None = None
    ad_hoc_arrangement: str | None = None
    outcome: str | None = None
    steps: dict[str, StepRecord] = field(default_factory=dict)
    deadlines: list[Deadline] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "closed" if self.stage == "closed" else "open"


@dataclass(frozen=True)
class Event:
    """One appended fact: who, when, what, why."""

    case_id: str
    seq: int
    kind: str
    at: dt.datetime
    by: str
    step: str | None = None
    on: dt.date | None = None
    reason: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _opened(event: Event) -> Case:
    d = event.data
    return Case(
        id=event.case_id,
        requested_state=d["requested_state"],
        region=d["region"],
        scenario=d["scenario"],
        stage=d["stage"],
        confidentiality=d["confidentiality"],
        referred_to=list(d["referred_to"]),
        workflow=d["workflow"],
        workflow_version=d["workflow_version"],
        decision_ref=d.get("decision_ref"),
        decision_date=_date(d.get("decision_date")),
        chamber=d.get("chamber"),
        request=d.get("request"),
        person=d.get("person"),
        summary=d.get("summary"),
        travel_date=_date(d.get("travel_date")),
        ad_hoc_arrangement=d.get("ad_hoc_arrangement"),
    )


def apply(case: Case | None, event: Event) -> Case:
    """The case after `event`. Pure: the same events always give the same case."""
    if event.kind == "case_opened":
        case = _opened(event)
    elif case is None:
        raise ValueError(f"event {event.kind} before case_opened")
    elif event.kind in ("step_done", "step_started", "step_skipped"):
        rec = case.steps.setdefault(event.step or "", StepRecord())
        rec.status = {"step_done": "done", "step_started": "in_progress"}.get(
            event.kind, "skipped"
        )
        rec.date = event.on
        rec.reason = event.reason
        if event.kind == "step_done":
            rec.count += 1
        rec.data.update(event.data.get("params", {}))
        if event.step == "travel_alert" and event.kind == "step_done":
            # The newest alert sets the countdown (omnibus para 35).
            case.travel_date = _date(event.data["params"]["from"])
    elif event.kind == "referred_to_assembly":
        case.stage = "formal"
        case.scenario = "7a"
        case.confidentiality = "bureau"
        case.referred_to = sorted(set(case.referred_to) | {"assembly"})
        case.decision_ref = event.data.get("decision_ref") or case.decision_ref
        case.decision_date = _date(event.data.get("decision_date")) or case.decision_date
    elif event.kind in ("deadline_waived", "deadline_rescheduled"):
        pass  # the deadline changes below
    elif event.kind in ("letter_issued", "task_done", "task_declined"):
        pass  # on the record; the letter is in the register, the task in the task list
    elif event.kind == "deadlines_missed":
        for position in event.data["positions"]:
            case.deadlines[position].status = "missed"
    elif event.kind == "case_closed":
        case.stage = "closed"
        case.outcome = event.data.get("outcome")
    else:
        raise ValueError(f"unknown event kind {event.kind!r}")
    _apply_deadlines(case, event.data, event.on)
    return case


def _apply_deadlines(case: Case, data: dict[str, Any], on: dt.date | None) -> None:
    def open_ones(step: str, kind: str | None = None) -> list[Deadline]:
        return [d for d in case.deadlines if d.step == step and d.status == "open"
                and (kind is None or d.kind == kind)]

    for d in data.get("deadlines_met", ()):
        # A missed deadline stays missed when the step is done late; it is no longer outstanding.
        for dl in [x for x in case.deadlines if x.step == d["step"] and x.kind == d["kind"]
                   and x.status in ("open", "missed") and x.done_on is None][:1]:
            dl.status = "met" if dl.status == "open" else dl.status
            dl.done_on = on
    for step in data.get("deadlines_not_applicable", ()):
        for dl in open_ones(step):
            dl.status = "not_applicable"
    for d in data.get("deadlines_waived", ()):
        for dl in open_ones(d["step"], d["kind"])[:1]:
            dl.status = "waived"
    for d in data.get("deadlines_rescheduled", ()):
        for dl in open_ones(d["step"], d["kind"])[:1]:
            dl.status = "waived"  # the old date is kept in the history; the new one runs
            case.deadlines.append(Deadline(step=dl.step, kind=dl.kind, due=_date(d["due"]),  # type: ignore[arg-type]
                                           basis=d["basis"], who=dl.who,
                                           remind_from=_date(d["remind_from"])))
    for d in data.get("deadlines_set", ()):
        case.deadlines.append(Deadline(step=d["step"], kind=d["kind"], due=_date(d["due"]),  # type: ignore[arg-type]
                                       basis=d["basis"], who=d.get("who", "president_office"),
                                       remind_from=_date(d.get("remind_from"))))


def project(events: list[Event]) -> Case:
    """Rebuild a case from its whole history."""
    case: Case | None = None
    for event in sorted(events, key=lambda e: e.seq):
        case = apply(case, event)
    if case is None:
        raise ValueError("no events")
    return case
