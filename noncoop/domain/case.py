"""A case and its events. The case is a projection: `project(events)` rebuilds it, and the
store keeps the same projection row up to date with `apply` (DESIGN principle 2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from noncoop.domain.deadlines import known_instant, session_order

# A case's number: this, its year, a count within the year (NC-2024-001; services/steps.py).
NUMBER_PREFIX = "NC-"


def unknown_case(case_id: str) -> str:
    """What to say of a case number no case the reader may see has: the same words whether
    or not it exists, with how case numbers are written when it was typed otherwise."""
    said = f"no case {case_id!r}: see `noncoop case list` for the case numbers"
    written = case_id.strip().upper()
    if written != case_id and written.startswith(NUMBER_PREFIX):
        said += f" (written in capitals: {written})"
    return said


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
    due: dt.date  # the last day in time (Europe/Amsterdam)
    # open | met | late (done after it) | missed (past it, nothing recorded) | waived |
    # closed (with the case) | not_applicable
    status: str = "open"
    basis: str = ""  # what the date was computed from, so it never moves silently
    who: str = "president_office"
    remind_from: dt.date | None = None  # from this day the person responsible is reminded
    done_on: dt.date | None = None  # when the step was done, on time or late
    due_at: dt.datetime | None = None  # an hour limit (paras 18, omnibus 35): when it runs out
    session: str | None = None  # a report's deadline (para 15): the session it is for
    done_at: dt.datetime | None = None  # when the step was done, where the record knows it

    @property
    def outstanding(self) -> bool:
        """Its step is still to be done (a miss stays outstanding until it is)."""
        return self.done_on is None and self.status in ("open", "missed")

    @property
    def days_late(self) -> int | None:
        """How many days after its due date the step was done, for a late deadline."""
        if self.status != "late" or self.done_on is None:
            return None
        if self.due_at is not None and self.done_at is not None:
            return -(-(self.done_at - self.due_at) // dt.timedelta(days=1))  # a part counts
        return max((self.done_on - self.due).days, 0)


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
    # The people asked to assist (paras 20, 22) whose request is still open: one entry per
    # request, so one closed request of two leaves the other's sight.
    assisting: list[str] = field(default_factory=list)
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
        if event.step == "request_assistance" and event.kind == "step_done":
            case.assisting += [e for e in event.data["params"].get("to", "").split(",") if e]
    elif event.kind == "referred_to_assembly":
        case.stage = "formal"
        case.scenario = "7a"
        case.confidentiality = "bureau"
        case.referred_to = sorted(set(case.referred_to) | {"assembly"})
        case.decision_ref = event.data.get("decision_ref") or case.decision_ref
        case.decision_date = _date(event.data.get("decision_date")) or case.decision_date
    elif event.kind in ("deadline_waived", "deadline_rescheduled"):
        pass  # the deadline changes below
    elif event.kind in ("task_done", "task_declined"):
        # A request for assistance closed: the sight it gave ends with it (para 20).
        asked = event.data.get("assignee")
        if event.step == "request_assistance" and asked in case.assisting:
            case.assisting.remove(asked)
    elif event.kind == "letter_issued":
        pass  # on the record; the letter is in the register
    elif event.kind == "deadlines_planned":
        pass  # the calendar learnt a date a deadline counts on: set below
    elif event.kind == "deadlines_missed":
        for position in event.data["positions"]:
            case.deadlines[position].status = "missed"
    elif event.kind == "case_closed":
        case.stage = "closed"
        case.outcome = event.data.get("outcome")
        # Nothing more is due on a closed case: its deadlines close with it, and no sweep
        # marks them missed or tells anyone about them.
        for dl in case.deadlines:
            if dl.outstanding:
                dl.status = "closed"
    else:
        raise ValueError(f"unknown event kind {event.kind!r}")
    _apply_deadlines(case, event)
    return case


def judged(deadline: Deadline, on: dt.date, at: dt.datetime | None,
           session: str | None = None) -> str:
    """met or late, by the step that meets `deadline`, dated `on` (at `at` where the record
    knows the instant), whenever it is recorded (SPEC "Time"). An hour limit is judged by the
    instant where it is known, else by the day. A report to a later session than the one its
    deadline is for is late for that deadline (para 15)."""
    if deadline.due_at is not None and at is not None:
        in_time = at <= deadline.due_at
    else:
        in_time = on <= deadline.due
    ours, theirs = session_order(deadline.session), session_order(session)
    if ours is not None and theirs is not None and theirs > ours:
        in_time = False
    return "met" if in_time else "late"


def _apply_deadlines(case: Case, event: Event) -> None:
    data, on = event.data, event.on

    def open_ones(step: str, kind: str | None = None) -> list[Deadline]:
        return [d for d in case.deadlines if d.step == step and d.status == "open"
                and (kind is None or d.kind == kind)]

    for d in data.get("deadlines_met", ()):
        # Judged by the step's own date: a miss a sweep marked is withdrawn by this event when
        # the step turns out to be dated in time, and a step dated after the due date is late
        # whether or not a sweep ran in between.
        assert on is not None, f"{event.kind} meets a deadline without a date"
        at = known_instant(on, event.at)
        for dl in [x for x in case.deadlines if x.step == d["step"] and x.kind == d["kind"]
                   and x.outstanding][:1]:
            dl.status = judged(dl, on, at, d.get("session"))
            dl.done_on, dl.done_at = on, at
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
                                           remind_from=_date(d["remind_from"]),
                                           session=dl.session))
    for d in data.get("deadlines_set", ()):
        case.deadlines.append(Deadline(step=d["step"], kind=d["kind"], due=_date(d["due"]),  # type: ignore[arg-type]
                                       basis=d["basis"], who=d.get("who", "president_office"),
                                       remind_from=_date(d.get("remind_from")),
                                       due_at=_instant(d.get("due_at")),
                                       session=d.get("session")))


def _instant(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def project(events: list[Event]) -> Case:
    """Rebuild a case from its whole history."""
    case: Case | None = None
    for event in sorted(events, key=lambda e: e.seq):
        case = apply(case, event)
    if case is None:
        raise ValueError("no events")
    return case
