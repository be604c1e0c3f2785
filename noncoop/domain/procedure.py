"""Loads the procedure files of `workflows/` into `transitions` machines.

One shared Machine per workflow version, with no model attached (PITFALLS: a Machine cannot be
attached to SQLModel rows, and one machine per case leaks): events are fired against the loaded
case, whose `stage` attribute is the machine state. Conditions are the pure guards of
`rules.py`; what is allowed is asked of the machine, never of a hand-kept list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from transitions import Machine, MachineError

from noncoop import resources, yamlfile
from noncoop.calendar import BureauMeeting, Session
from noncoop.domain.case import Case
from noncoop.domain.deadlines import DeadlineRule
from noncoop.domain.rules import GUARDS, hearing_date, next_session_after_hearing

WORKFLOWS_DIR = resources.WORKFLOWS
STAGES = ("monitoring", "informal", "formal", "closed")


Calendar = tuple[tuple[Session, ...], tuple[BureauMeeting, ...]]


class Facts:
    """What a rule may look at besides the case: the date of the record (`on`), today and the
    instant it is recorded (`now`, from which an hour limit runs), the action's parameters,
    the Secretariat's numbers (config/deadlines.yaml: time limits, closures, the session kinds
    that count) and the calendar. The calendar is given, or read by `read_calendar` when a
    rule first asks for it: most steps need no date from it, and then send no statement for
    it."""

    def __init__(self, on: dt.date, sessions: tuple[Session, ...] = (),
                 bureau_meetings: tuple[BureauMeeting, ...] = (),
                 params: dict[str, str] | None = None,
                 read_calendar: Callable[[], Calendar] | None = None, *,
                 today: dt.date | None = None, numbers: dict[str, Any] | None = None,
                 closures: tuple[dt.date, ...] = (), now: dt.datetime | None = None) -> None:
        self.on = on
        self.today = today or on
        self.now = now
        self.params = params or {}
        self.numbers = numbers or {}
        self.closures = closures
        self._calendar = None if read_calendar else (tuple(sessions), tuple(bureau_meetings))
        self._read_calendar = read_calendar

    def _read(self) -> Calendar:
        if self._calendar is None:
            assert self._read_calendar is not None
            self._calendar = self._read_calendar()
        return self._calendar

    @property
    def sessions(self) -> tuple[Session, ...]:
        return self._read()[0]

    @property
    def bureau_meetings(self) -> tuple[BureauMeeting, ...]:
        return self._read()[1]


def in_annex(paragraph: str) -> bool:
    """Whether a step's paragraph (`paragraph` in the workflow) is Annex II's: a number. One
    of another text names it ("omnibus 35, mandate 3(j)")."""
    return paragraph[:1].isdigit()


def cite(paragraph: str) -> str:
    """A step's paragraph as a refusal cites it: "Annex II para 14(b)", or as the workflow
    names another text's ("omnibus 35, mandate 3(j)"), never as if it were Annex II's."""
    return f"Annex II para {paragraph}" if in_annex(paragraph) else paragraph


@dataclass(frozen=True)
class Refusal:
    rule: str
    paragraph: str
    message: str

    def text(self) -> str:
        return f"refused by rule {self.rule} ({cite(self.paragraph)}): {self.message}"


@dataclass(frozen=True)
class Move:
    """One way of recording a step: what it records (`started` or `done`), from which statuses
    of the step it may be taken, what it takes, and whether it may be dated in the future."""

    name: str
    records: str = "done"
    sources: tuple[str, ...] = ("pending",)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    future: bool = False
    meeting: str | None = None  # whose meeting the move holds (bureau, nywg), dated its day


@dataclass(frozen=True)
class StepDef:
    id: str
    paragraph: str
    title: str
    workflow: str
    sources: tuple[str, ...]
    guards: tuple[str, ...] = ()
    moves: dict[str, Move] = field(default_factory=dict)
    repeatable: bool = False
    notify: tuple[dict[str, Any], ...] = ()  # notices the step sends: letter, to, when, invite
    actors: tuple[str, ...] = ()  # the roles that record it (default: access.py)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)  # what --param it takes
    lane: str = "formal"  # formal | good_offices: the lane, and so who sees it (para 11)
    confidentiality: str = "bureau"
    letters: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {act: MOVE}
    after_decision: bool = True  # no record of it dated before the Court's decision
    title_fr: str = ""
    disclosed_to_bureau: bool = False  # a restricted step the Bureau learns was taken (para 18)

    def title_in(self, lang: str) -> str:
        return self.title_fr if lang == "fr" and self.title_fr else self.title

    @property
    def meeting(self) -> str | None:
        """Whose meeting the step holds (bureau, nywg), or None."""
        return next((m.meeting for m in self.moves.values() if m.meeting), None)

    def params_of(self, move: Move | None) -> dict[str, dict[str, Any]]:
        """What `--param` the step takes for `move`: its own, then the move's."""
        return {**self.params, **(move.params if move else {})}


PARAM_SPEC = {"type", "required", "choices", "default", "min", "max", "not_before", "not_after"}
PARAM_TYPES = {"str", "date", "int"}


def _check_params(where: str, params: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A workflow's parameter specs, refused at load when they say what no check reads (a
    misspelt key, or YAML reading `on` as true): a typo must not silently let a value through."""
    for key, spec in params.items():
        spec = spec or {}
        unknown = set(spec) - PARAM_SPEC
        if unknown or spec.get("type", "str") not in PARAM_TYPES:
            raise ValueError(f"workflow: {where} --param {key}: unknown {sorted(unknown)} or "
                             f"type {spec.get('type')!r}; use {sorted(PARAM_SPEC)}")
        for bound in ("not_before", "not_after"):
            if bound in spec and not (spec[bound] == "record_date" or spec[bound] in params):
                raise ValueError(f"workflow: {where} --param {key}: {bound} names "
                                 f"{spec[bound]!r}, neither a parameter nor record_date")
        params[key] = spec
    return params


def _moves(raw: Any, repeatable: bool) -> dict[str, Move]:
    """The moves of a step as the workflow file writes them. Without any, one: `done` (from
    any status when the step is repeatable)."""
    if not raw:
        sources = ("pending", "done") if repeatable else ("pending",)
        return {"done": Move("done", "done", sources)}
    return {name: Move(name, spec.get("records", "done"),
                       tuple(spec.get("from", ("pending",))),
                       _check_params(name, dict(spec.get("params") or {})),
                       bool(spec.get("future", False)), spec.get("meeting"))
            for name, spec in raw.items()}


class _Condition:
    """A transitions condition that remembers which guard of the workflow it is."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.guard = GUARDS[name]

    def __call__(self, event: Any) -> bool:
        return self.guard(event.model, event.kwargs["facts"]) is None


class Procedure:
    """A workflow version with the informal procedure beside it, as one machine."""

    def __init__(self, name: str, version: str, documents: list[dict[str, Any]]) -> None:
        self.name = name
        self.version = version
        self.steps: dict[str, StepDef] = {}
        self.guard_meta: dict[str, dict[str, Any]] = {}
        self.stage_refusals: dict[str, dict[str, str]] = {}
        self.stage_moves: dict[str, dict[str, Any]] = {}
        self.deadline_rules: list[DeadlineRule] = []
        self.deadline_actions: dict[str, dict[str, Any]] = {}
        transitions: list[dict[str, Any]] = []
        for doc in documents:
            self.guard_meta.update(doc.get("guards") or {})
            for stage, meta in (doc.get("stages") or {}).items():
                if meta and meta.get("refusal"):
                    self.stage_refusals[stage] = meta["refusal"]
            lane = doc.get("lane", "formal")
            for raw in doc["steps"]:
                repeatable = bool(raw.get("repeatable", False))
                step = StepDef(
                    id=raw["id"],
                    paragraph=str(raw["paragraph"]),
                    title=raw["title"],
                    title_fr=raw.get("title_fr", ""),
                    disclosed_to_bureau=bool(raw.get("disclosed_to_bureau", False)),
                    workflow=doc["name"],
                    sources=tuple(raw["from"]),
                    guards=tuple(raw.get("guards", ())),
                    moves=_moves(raw.get("moves"), repeatable),
                    repeatable=repeatable,
                    notify=tuple(raw.get("notify", ())),
                    actors=tuple(raw.get("actors", ())),
                    params=_check_params(raw["id"], dict(raw.get("params") or {})),
                    lane=lane,
                    confidentiality=doc.get("confidentiality", "bureau"),
                    letters={k: dict(v or {}) for k, v in (raw.get("letters") or {}).items()},
                    after_decision=bool(raw.get("after_decision", lane == "formal")),
                )
                self.steps[step.id] = step
                transitions.append(
                    {
                        "trigger": step.id,
                        "source": list(step.sources),
                        "dest": None,  # an internal transition: a step does not change the stage
                        "conditions": [_Condition(g) for g in step.guards],
                    }
                )
            self.deadline_rules += [DeadlineRule(**{**d, "met_by": _met_by(d["met_by"])})
                                    for d in doc.get("deadlines") or ()]
            self.deadline_actions.update(doc.get("deadline_actions") or {})
            for move in doc.get("transitions") or ():
                self.stage_moves[move["trigger"]] = move
                transitions.append(
                    {"trigger": move["trigger"], "source": move["from"], "dest": move["to"]}
                )
        self.machine = Machine(
            model=None,
            states=list(STAGES),
            transitions=transitions,
            initial=None,
            auto_transitions=False,
            send_event=True,
            model_attribute="stage",
        )

    def deadlines_anchored_on(self, anchor: str) -> list[DeadlineRule]:
        return [r for r in self.deadline_rules if r.anchor == anchor]

    def deadlines_met_by(self, step: str, records: str) -> list[DeadlineRule]:
        return [r for r in self.deadline_rules if r.step == step and records in r.met_by]

    # -- what the workflow says of steps and letters ------------------------------------

    def lane_steps(self, lane: str) -> tuple[str, ...]:
        return tuple(s.id for s in self.steps.values() if s.lane == lane)

    def disclosed_steps(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.steps.values() if s.disclosed_to_bureau)

    def titles(self, lang: str = "en") -> dict[str, str]:
        """The name in `lang` of each step, move of the case between stages and action on its
        deadlines, as the workflow gives it."""
        others = {**self.stage_moves, **self.deadline_actions}
        return {**{name: (meta.get("title_fr") if lang == "fr" else None) or meta.get("title")
                   or name for name, meta in others.items()},
                **{s.id: s.title_in(lang) for s in self.steps.values()}}

    def letter_steps(self, letter: str) -> list[StepDef]:
        """The steps `letter` belongs to (a meeting notice: each step that holds a meeting)."""
        return [s for s in self.steps.values() if letter in s.letters]

    def letter_step(self, letter: str) -> StepDef | None:
        """The first step `letter` belongs to, or None for a notice about no one step."""
        return next(iter(self.letter_steps(letter)), None)

    def params_of(self, trigger: str, move: Move | None = None) -> dict[str, dict[str, Any]]:
        """What `--param` an action takes: a step's (for `move`), a stage move's, a deadline
        action's."""
        if trigger in self.steps:
            return self.steps[trigger].params_of(move)
        if trigger in self.stage_moves:
            return dict(self.stage_moves[trigger].get("params") or {})
        return dict((self.deadline_actions.get(trigger) or {}).get("params") or {})

    def param_help(self, trigger: str) -> list[str]:
        """What `--param` an action takes, one `KEY=VALUE (what)` each, for forms and help:
        a step's with every move's, and the move to name when it has several."""
        step = self.steps.get(trigger)
        specs = self.params_of(trigger)
        out = []
        if step is not None:
            for move in step.moves.values():
                specs = {**specs, **move.params}
            if len(step.moves) > 1:
                out.append(f"action={'|'.join(step.moves)}")
        for key, spec in specs.items():
            if spec.get("choices"):
                value = "|".join(str(c) for c in spec["choices"])
            else:
                value = {"date": "YYYY-MM-DD", "int": "N"}.get(spec.get("type", ""), "TEXT")
            out.append(f"{key}={value}" + (" (required)" if spec.get("required") else ""))
        return out

    # -- asking the machine -------------------------------------------------------------

    def _transitions_from(self, trigger: str, stage: str) -> list[Any]:
        return list(self.machine.events[trigger].transitions.get(stage, ()))

    def refusal(self, case: Case, trigger: str, facts: Facts,
                with_params: bool = True) -> Refusal | None:
        """Why `trigger` may not be fired on `case` now, or None if it may. Without params (to
        list what is allowed), guards about what the action records are left for the action."""
        if trigger not in self.machine.events:
            raise KeyError(trigger)
        candidates = self._transitions_from(trigger, case.stage)
        if not candidates:
            meta = self.stage_refusals.get(case.stage) or {
                "rule": "stage",
                "paragraph": "13",
                "message": f"{trigger} cannot be recorded while the case is {case.stage}",
            }
            return Refusal(meta["rule"], str(meta["paragraph"]), " ".join(meta["message"].split()))
        for condition in candidates[0].conditions:
            if not with_params and self.guard_meta[condition.func.name].get("checks_params"):
                continue
            facts_used = condition.func.guard(case, facts)
            if facts_used is not None:
                meta = self.guard_meta[condition.func.name]
                return Refusal(
                    condition.func.name,
                    str(meta["paragraph"]),
                    f"{' '.join(meta['message'].split())}: {facts_used}",
                )
        step = self.steps.get(trigger)
        rec = case.steps.get(trigger)
        if step and rec and not step.repeatable and rec.status in ("done", "skipped"):
            return Refusal(
                "step_recorded",
                step.paragraph,
                f"{trigger} was already recorded as {rec.status} on {rec.date}; "
                "a correction is a new event, not a second step",
            )
        return None

    def fire(self, case: Case, trigger: str, facts: Facts) -> None:
        """Fire `trigger` on the machine; the caller checked `refusal` first."""
        try:
            ok = self.machine.events[trigger].trigger(case, facts=facts)
        except MachineError as exc:  # pragma: no cover - refusal() is asked first
            raise AssertionError(str(exc)) from exc
        assert ok, f"{trigger} refused by the machine after refusal() allowed it"

    def allowed_actions(self, case: Case, facts: Facts) -> list[str]:
        triggers = list(self.steps) + list(self.stage_moves)
        return [t for t in triggers if self.refusal(case, t, facts, with_params=False) is None]

    def not_applicable(self, case: Case, step_id: str, facts: Facts) -> Refusal | None:
        """A rule the case shows that makes a pending step not applicable (never, not 'not yet')."""
        step = self.steps[step_id]
        if case.stage not in step.sources and case.stage != "closed":
            refusal = self.refusal(case, step_id, facts)
            if refusal and case.stage == "informal" and step.workflow == self.name:
                return refusal
            return None
        for name in step.guards:
            meta = self.guard_meta[name]
            if not meta.get("applicability"):
                continue
            facts_used = GUARDS[name](case, facts)
            if facts_used is not None and self._decided(name, case, facts):
                return Refusal(name, str(meta["paragraph"]), facts_used)
        return None

    @staticmethod
    def _decided(guard: str, case: Case, facts: Facts) -> bool:
        # The three-month rule can only be judged once the hearing date is known, and the
        # next session's: until its dates are added the meeting is "not yet", not "never".
        if guard == "three_month_rule":
            held = hearing_date(case)
            return held is not None and next_session_after_hearing(facts, held) is not None
        return True


def _met_by(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yamlfile.safe_load(fh)


def available_versions(name: str, directory: Path = WORKFLOWS_DIR) -> dict[str, Path]:
    """Every version of workflow `name`: `name.yaml` and any `name@VERSION.yaml` beside it."""
    found: dict[str, Path] = {}
    for path in sorted(directory.glob(f"{name}*.yaml")):
        if path.stem == name or path.stem.startswith(f"{name}@"):
            found[str(_read(path)["version"])] = path
    return found


@cache
def load_procedure(name: str = "formal", version: str | None = None,
                   directory: Path = WORKFLOWS_DIR) -> Procedure:
    """The procedure `name` at `version` (default: the newest), with its `beside` workflow."""
    versions = available_versions(name, directory)
    if not versions:
        raise FileNotFoundError(f"no workflow {name!r} in {directory}")
    version = version or max(versions)
    if version not in versions:
        raise KeyError(f"workflow {name} has no version {version}; known: {sorted(versions)}")
    main = _read(versions[version])
    docs = [main]
    if main.get("beside"):
        beside = available_versions(main["beside"], directory)
        docs.append(_read(beside.get(version) or beside[max(beside)]))
    return Procedure(name, version, docs)
