"""Computing deadlines from their rules (workflow files) and numbers (config/deadlines.yaml),
and judging them by the date of the step that meets them. Pure: the calendar, the date and the
instant of the record are passed in. Each result says what it was computed from, because a
deadline must record its anchor (a deadline that forgets it cannot be checked).

No deadline falls before the event it runs from (SPEC "Time"): a rule that counts back from a
meeting or a session takes the first one far enough ahead of its anchor to leave the lead time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

from noncoop.business_days import add_business_days
from noncoop.calendar import BureauMeeting, Session, next_bureau_meeting
from noncoop.errors import BadInput

if TYPE_CHECKING:
    from noncoop.domain.case import Case

PLACE_NAMES = {"the_hague": "The Hague", "new_york": "New York"}
ZONE = ZoneInfo("Europe/Amsterdam")  # dates are those of the Secretariat (SPEC "Time")
DAY = dt.timedelta(days=1)
# Which session kinds count for what (SPEC "Time"), when the numbers given say nothing: the
# omnibus resolution is adopted and the report is discussed at a regular session; for the
# three-month rule any plenary meeting leaves no time for the NYWG. config/deadlines.yaml
# `sessions_that_count` is where the Secretariat sets it.
SESSIONS_THAT_COUNT = {"report": ("regular",), "omnibus": ("regular",),
                       "three_month_rule": ("regular", "resumed", "special")}
CALENDAR_LIMITS = ("days_before_meeting", "days_before_session", "at_next_bureau_meeting")


@dataclass(frozen=True)
class DeadlineRule:
    step: str
    kind: str
    rule: str
    anchor: str  # "decision", "STEP.started", "STEP.done", "travel_information_received"
    met_by: tuple[str, ...]  # what the step's move records: "started", "done", or either
    who: str = "president_office"  # the role told of reminders and misses


class Computed(NamedTuple):
    due: dt.date  # the last day the step is in time, in Europe/Amsterdam
    basis: str
    due_at: dt.datetime | None = None  # an hour limit: the instant it runs out (UTC)
    session: Session | None = None  # a report: the session it goes to


# -- days and instants --------------------------------------------------------------------------

def day_start(day: dt.date) -> dt.datetime:
    """00:00 of `day` in Europe/Amsterdam, in UTC."""
    return dt.datetime.combine(day, dt.time(), ZONE).astimezone(dt.UTC)


def ends_at(due: dt.date, due_at: dt.datetime | None = None) -> dt.datetime:
    """The instant a deadline runs out: its own for an hour limit, else the end of its day."""
    return due_at if due_at is not None else day_start(due + DAY)


def last_day(instant: dt.datetime) -> dt.date:
    # A limit that runs out at midnight runs out with the day before.
    return (instant - dt.timedelta(microseconds=1)).astimezone(ZONE).date()


def known_instant(on: dt.date, recorded_at: dt.datetime | None) -> dt.datetime | None:
    """The instant of an event dated `on` and recorded at `recorded_at`, when the record knows
    it: an event dated the day it is recorded had happened by then, and is taken at that
    instant. One dated another day (--on) is known by its day only (None)."""
    if recorded_at is None:
        return None
    at = recorded_at if recorded_at.tzinfo else recorded_at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC) if at.astimezone(ZONE).date() == on else None


def anchor_instant(on: dt.date, recorded_at: dt.datetime | None) -> dt.datetime:
    """The instant an hour limit runs from. Known (dated the day it is recorded): that instant.
    Dated another day: the end of that day, the latest the event can have happened, so that
    the limit is never shorter than the hours it gives (para 18 "immediately" is 24 hours by
    the Secretariat's default, not less for a step recorded the next morning)."""
    return known_instant(on, recorded_at) or day_start(on + DAY)


# -- computing ----------------------------------------------------------------------------------

def counted_sessions(sessions: tuple[Session, ...] | list[Session], numbers: dict[str, Any],
                     purpose: str) -> list[Session]:
    """The sessions of the kinds that count for `purpose` (report, omnibus, three_month_rule)."""
    kinds = (numbers.get("sessions_that_count") or {}).get(purpose) \
        or SESSIONS_THAT_COUNT[purpose]
    return [s for s in sessions if s.kind in kinds]


def report_session(sessions: list[Session], anchor_day: dt.date, lead_days: int) -> Session | None:
    """Para 15: the first session that opens after `anchor_day` with `lead_days` left before it."""
    later = [s for s in sessions if s.start - dt.timedelta(days=lead_days) >= anchor_day]
    return min(later, key=lambda s: (s.start, s.number), default=None)


def invitation_meeting(meetings: tuple[BureauMeeting, ...], anchor_day: dt.date,
                       lead_days: int) -> BureauMeeting | None:
    """Para 14(c): the first Bureau meeting with `lead_days` left before it for the invitation."""
    return next_bureau_meeting(meetings, anchor_day + dt.timedelta(days=lead_days))


def compute(rule: DeadlineRule, numbers: dict[str, Any], anchor_day: dt.date, facts: Any,
            closures: tuple[dt.date, ...] = (), recorded_at: dt.datetime | None = None
            ) -> Computed | None:
    """The due date and its basis, or None when the calendar cannot tell yet. A due date past
    the end (or before the start) of the calendar is bad input, said as such, not a crash.
    `recorded_at` is when the anchor is recorded (hour limits run from an instant)."""
    try:
        return _compute(rule, numbers, anchor_day, facts, closures, recorded_at)
    except OverflowError:
        params = getattr(facts, "params", None) or {}
        given = params.get("reply_days") if rule.rule == "open_letter_reply" else None
        raise BadInput(
            f"the {rule.step} deadline ({rule.kind}) counted from "
            f"{rule.anchor.replace('.', ' ')} on {anchor_day} would fall outside the calendar "
            f"(0001-01-01 to 9999-12-31): check the year of that date"
            + (f" and the reply time (--param reply_days={given}, e.g. 30)" if given else ""),
            code="date_out_of_range") from None


def _compute(rule: DeadlineRule, numbers: dict[str, Any], anchor_day: dt.date, facts: Any,
             closures: tuple[dt.date, ...], recorded_at: dt.datetime | None) -> Computed | None:
    cfg = numbers[rule.rule]
    what = f"{rule.anchor.replace('.', ' ')} on {anchor_day}"
    if "business_days" in cfg:
        n, place = int(cfg["business_days"]), cfg["place"]
        due = add_business_days(anchor_day, n, place, closures)
        return Computed(due, f"{what} + {n} business day(s) in {PLACE_NAMES.get(place, place)}")
    if "days" in cfg:
        n = int(facts.params.get("reply_days", cfg["days"])) if rule.rule == "open_letter_reply" \
            else int(cfg["days"])
        return Computed(anchor_day + dt.timedelta(days=n), f"{what} + {n} days")
    if "hours" in cfg:
        hours = int(cfg["hours"])
        known = known_instant(anchor_day, recorded_at)
        start = anchor_instant(anchor_day, recorded_at)
        when = (f"{rule.anchor.replace('.', ' ')} at "
                f"{known.astimezone(ZONE).strftime('%Y-%m-%d %H:%M %Z')}" if known
                else f"{what} (its hour not recorded: from the end of that day)")
        due_at = start + dt.timedelta(hours=hours)
        return Computed(last_day(due_at), f"{when} + {hours} hours", due_at)
    if "days_before_meeting" in cfg:
        n = int(cfg["days_before_meeting"])
        meeting = invitation_meeting(facts.bureau_meetings, anchor_day, n)
        if meeting is None:
            return None
        return Computed(meeting.date - dt.timedelta(days=n),
                        f"Bureau meeting on {meeting.date} - {n} days "
                        f"(the first at least {n} days after {what})")
    if "days_before_session" in cfg:
        n = int(cfg["days_before_session"])
        session = report_session(counted_sessions(facts.sessions, numbers, "report"),
                                 anchor_day, n)
        if session is None:
            return None
        return Computed(session.start - dt.timedelta(days=n),
                        f"{session.label} opens - {n} days "
                        f"(the first that opens at least {n} days after {what})",
                        session=session)
    if cfg.get("at_next_bureau_meeting"):
        meeting = next_bureau_meeting(facts.bureau_meetings, anchor_day + DAY)
        if meeting is None:
            return None
        return Computed(meeting.date, f"next Bureau meeting after {what}: {meeting.date}")
    raise ValueError(f"deadline rule {rule.rule} has no time limit in config: {cfg}")


def needs_calendar(rule: DeadlineRule, numbers: dict[str, Any]) -> bool:
    """Whether the rule counts on a session or a Bureau meeting (it may wait for the calendar)."""
    return any(k in numbers[rule.rule] for k in CALENDAR_LIMITS)


def session_name(session: Session) -> str:
    """How a record names a session: "23 regular" (what a step of paras 14(e), 15 records)."""
    return f"{session.number} {session.kind}"


def session_order(name: str | None) -> tuple[int, int] | None:
    """For comparing the sessions two records name: by number, a regular one before the
    resumed or special ones of the same number."""
    if not name:
        return None
    number, _, kind = name.partition(" ")
    return int(number), 0 if kind == "regular" else 1


# -- what a case records ----------------------------------------------------------------------

def planned(rule: DeadlineRule, anchor_day: dt.date, facts: Any) -> dict[str, str] | None:
    """The deadline `rule` gives from `anchor_day`, as an event records it; None while the
    calendar cannot tell (no meeting or session far enough ahead is in it yet)."""
    numbers = facts.numbers
    computed = compute(rule, numbers, anchor_day, facts, facts.closures,
                       getattr(facts, "now", None))
    if computed is None:
        return None
    before = int(numbers[rule.rule].get("reminder_days_before",
                                        numbers.get("reminder_days_before", 2)))
    out = {"step": rule.step, "kind": rule.kind, "due": computed.due.isoformat(),
           "basis": computed.basis, "who": rule.who,
           "remind_from": (computed.due - dt.timedelta(days=before)).isoformat()}
    if computed.due_at is not None:
        out["due_at"] = computed.due_at.isoformat()
    if computed.session is not None:
        out["session"] = session_name(computed.session)
    return out


def _anchor_day(case: Case, anchor: str) -> dt.date | None:
    """The day `anchor` happened on `case`, if it has (and the record still says when)."""
    if anchor == "decision":
        return case.decision_date if case.stage == "formal" else None
    step, _, records = anchor.partition(".")
    rec = case.steps.get(step)
    wanted = {"done": ("done",), "started": ("in_progress",)}.get(records, ())
    return rec.date if rec is not None and rec.status in wanted else None


def waiting_for_calendar(rules: list[DeadlineRule], case: Case, facts: Any) -> list[dict[str, str]]:
    """The deadlines `case` should have that the calendar could not tell when their anchor came
    and now can: a rule that counts on a session or a Bureau meeting, whose anchor has
    happened, whose step is still pending, and of which the case has no deadline yet. A
    deadline once given stays as given (reschedule_deadline moves it, with a reason)."""
    if case.status != "open":
        return []
    given = {(d.step, d.kind) for d in case.deadlines}
    out = []
    for rule in rules:
        rec = case.steps.get(rule.step)
        if (rule.step, rule.kind) in given or (rec is not None and rec.status != "pending") \
                or not needs_calendar(rule, facts.numbers):
            continue
        day = _anchor_day(case, rule.anchor)
        found = planned(rule, day, facts) if day is not None else None
        if found is not None:
            out.append(found)
    return out
