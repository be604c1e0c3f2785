"""The calendar rules as properties (issue 8, item 4), each checked against a reference model
written here from SPEC.md ("Time" and the step tables) and Annex II, not from the code:

- business days (SPEC "Time"): walk the calendar a day at a time from the day after, counting
  the days that are not a Saturday or a Sunday, not a public holiday of the place that acts
  (The Hague: the Netherlands; New York: the United States and New York State, as the
  `holidays` library lists them for years given up front) and not a closure in config;
- months (the three-month rule, para 14(d)): month arithmetic on (year, month), the day clamped
  to the month's last day (30 Nov + 3 months = 28/29 Feb);
- the three-month rule (para 14(d)): a public meeting of the New York Working Group only if the
  next session of the Assembly (the first starting after the hearing, whatever its kind) starts
  later than the hearing + 3 months; no such session known: refused, asking for the dates;
- next and next-or-ongoing session, next Bureau meeting: walk the calendar forward from the
  date and stop at the first day where a session (a meeting) is in progress or begins;
- deadlines (SPEC step tables): each time limit of the Annex, from the anchor SPEC names, with
  the numbers SPEC gives (which config/deadlines.yaml must hold); none falls before the event
  it runs from (SPEC "Time"): counted back from a meeting or a session, the first one far
  enough ahead of the anchor to leave the lead time (the report: a regular session); hours
  run from an instant, and a day recorded without its hour runs from that day's end.
The examples are derandomized: CI repeats the same ones."""

from __future__ import annotations

import calendar as monthdays
import datetime as dt
import itertools
import sys
import threading
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from noncoop import business_days, config, services
from noncoop.business_days import add_business_days, is_business_day
from noncoop.calendar import (
    BureauMeeting,
    Session,
    add_months,
    next_bureau_meeting,
    next_or_ongoing_session,
    next_session,
)
from noncoop.domain import Case, Facts, StepRecord, load_procedure
from noncoop.domain.deadlines import compute
from noncoop.domain.rules import three_month_rule

D = dt.date
DAY = dt.timedelta(days=1)
FIRST, LAST = D(2002, 7, 1), D(2099, 12, 31)  # the Statute in force; a far bound
PROPERTIES = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.too_slow])

# -- the reference models ---------------------------------------------------------------------

# Public holidays of the places that act (SPEC "Time"), for every year a walk can reach, built
# once, eagerly: nothing is computed on first use.
YEARS = range(FIRST.year - 1, LAST.year + 3)
PUBLIC_HOLIDAYS = {
    "the_hague": set(holidays.country_holidays("NL", years=YEARS)),
    "new_york": set(holidays.country_holidays("US", subdiv="NY", years=YEARS)),
}


def ref_business_day(day: D, place: str, closures: frozenset[D] = frozenset()) -> bool:
    return day.isoweekday() not in (6, 7) and day not in PUBLIC_HOLIDAYS[place] \
        and day not in closures


def ref_add_business_days(day: D, n: int, place: str, closures: frozenset[D] = frozenset()) -> D:
    """The n-th business day after `day`: walk, count, stop."""
    counted = 0
    while counted < n:
        day += DAY
        if ref_business_day(day, place, closures):
            counted += 1
    return day


def ref_add_months(day: D, months: int) -> D:
    index = day.year * 12 + (day.month - 1) + months
    year, month = index // 12, index % 12 + 1
    return D(year, month, min(day.day, monthdays.monthrange(year, month)[1]))


def _walk_until(start: D, found: Any, last: D) -> Any:
    day = start
    while day <= last:
        hit = found(day)
        if hit:
            return hit
        day += DAY
    return None


def _first(items: list[Any]) -> Any:
    # Two sessions that open the same day: the lower number (the order is never the point).
    return min(items, key=lambda s: (s.start, s.number)) if items else None


def ref_next_or_ongoing(sessions: list[Session], on: D) -> Session | None:
    """From `on`, walk forward: the session in progress on `on`, else the first to begin."""
    last = max((s.end for s in sessions), default=on)
    return _walk_until(on, lambda d: _first([s for s in sessions if s.start <= d <= s.end] if d == on
                                            else [s for s in sessions if s.start == d]), last)


def ref_next_session(sessions: list[Session], after: D) -> Session | None:
    """SPEC: the first regular, resumed or special session starting after the date."""
    last = max((s.start for s in sessions), default=after)
    return _walk_until(after + DAY, lambda d: _first([s for s in sessions if s.start == d]), last)


def ref_next_meeting(meetings: list[BureauMeeting], on_or_after: D) -> BureauMeeting | None:
    last = max((m.date for m in meetings), default=on_or_after)
    return _walk_until(on_or_after, lambda d: next((m for m in meetings if m.date == d), None),
                       last)


# The time limits of SPEC's step tables (and of the Annex paragraph each implements), by the
# rule names of the workflow files: what the due date is counted from, and how.
SPEC_LIMITS: dict[str, tuple[Any, ...]] = {
    "forward_decision": ("business_days", 1, "the_hague"),      # 13: "without delay"
    "press_release": ("business_days", 1, "the_hague"),         # 13: same deadline
    "emergency_bureau_meeting": ("business_days", 5, "the_hague"),  # 14(a): "at short notice"
    "emergency_announcement": ("business_days", 1, "the_hague"),    # 14(a): after the meeting
    "open_letter_reply": ("days", 30),                          # 14(b): per letter, default 30
    "hearing_invitation": ("days_before_meeting", 10),          # 14(c): next meeting - 10 days
    "bureau_report": ("days_before_session", 30),               # 15: next or on-going session
    "notify_bureau": ("hours", 24),                             # 18: "immediately"
    "share_travel_information": ("hours", 24),                  # omnibus 35: "promptly"
    "report_to_bureau": ("next_meeting_after",),                # 21: next meeting after
}
SPEC_ANCHORS = {  # (step, kind): what the deadline runs from
    ("forward_decision", "due"): "decision",
    ("press_release", "due"): "decision",
    ("emergency_bureau_meeting", "convene"): "decision",
    ("emergency_bureau_meeting", "announcement"): "emergency_bureau_meeting.started",
    ("open_letter", "reply"): "open_letter.started",
    ("bureau_hearing", "invitation"): "decision",
    ("bureau_report", "report"): "decision",
    ("notify_bureau", "due"): "good_offices_activate.done",
    ("report_to_bureau", "due"): "good_offices_activate.done",
    ("share_travel_information", "due"): {"travel_information_received", "travel_alert.done"},
}


def ref_due(rule: str, anchor: D, sessions: list[Session], meetings: list[BureauMeeting],
            closures: frozenset[D], reply_days: int | None = None) -> D | None:
    how, *numbers = SPEC_LIMITS[rule]
    if how == "business_days":
        return ref_add_business_days(anchor, numbers[0], numbers[1], closures)
    if how == "days":
        return anchor + (reply_days or numbers[0]) * DAY
    if how == "hours":
        return ref_hours_due(anchor, numbers[0])
    if how == "days_before_meeting":
        meeting = ref_lead_meeting(meetings, anchor, numbers[0])
        return meeting.date - numbers[0] * DAY if meeting else None
    if how == "days_before_session":
        session = ref_lead_session(sessions, anchor, numbers[0])
        return session.start - numbers[0] * DAY if session else None
    meeting = ref_next_meeting(meetings, anchor + DAY)
    return meeting.date if meeting else None


def ref_lead_meeting(meetings: list[BureauMeeting], anchor: D, lead: int) -> BureauMeeting | None:
    """Walk forward from the anchor: the first meeting that leaves `lead` days before it."""
    return next((m for m in sorted(meetings, key=lambda m: m.date)
                 if m.date - lead * DAY >= anchor), None)


def ref_lead_session(sessions: list[Session], anchor: D, lead: int) -> Session | None:
    """The first regular session that opens `lead` days or more after the anchor."""
    return _first([s for s in sessions if s.kind == "regular" and s.start - lead * DAY >= anchor])


AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def ref_hours_due(anchor: D, hours: int) -> D:
    """A day recorded without its hour runs from its end (midnight in The Hague); `hours` of
    real time later (UTC arithmetic, so a change of clocks counts as it is lived), the due
    date is the day in The Hague on which the last instant in time falls."""
    start = dt.datetime(anchor.year, anchor.month, anchor.day, tzinfo=AMSTERDAM) + DAY
    end = start.astimezone(dt.UTC) + dt.timedelta(hours=hours)
    return (end - dt.timedelta(microseconds=1)).astimezone(AMSTERDAM).date()


# -- strategies -------------------------------------------------------------------------------

days = st.dates(FIRST, LAST)
places = st.sampled_from(sorted(business_days.PLACES))


@st.composite
def closures_near(draw: st.DrawFn, day: D) -> frozenset[D]:
    return frozenset(day + draw(st.integers(-5, 60)) * DAY
                     for _ in range(draw(st.integers(0, 6))))


@st.composite
def sessions_list(draw: st.DrawFn, around: D) -> list[Session]:
    out = []
    for _ in range(draw(st.integers(0, 5))):
        start = around + draw(st.integers(-400, 400)) * DAY
        out.append(Session(draw(st.integers(1, 40)), draw(st.sampled_from(
            ["regular", "resumed", "special"])), start, start + draw(st.integers(0, 12)) * DAY))
    return out


@st.composite
def meetings_list(draw: st.DrawFn, around: D) -> list[BureauMeeting]:
    dates = draw(st.lists(st.integers(-60, 200), max_size=5, unique=True))
    return [BureauMeeting(around + d * DAY) for d in dates]


# -- business days ----------------------------------------------------------------------------

@PROPERTIES
@given(day=days, n=st.integers(0, 40), place=places, data=st.data())
def test_business_days_are_counted_as_a_walk_over_weekends_holidays_and_closures(day, n, place,
                                                                                  data):
    closed = data.draw(closures_near(day))
    due = add_business_days(day, n, place, closed)
    assert due == ref_add_business_days(day, n, place, closed)
    if n:
        assert due > day and ref_business_day(due, place, closed)
    assert sum(ref_business_day(day + i * DAY, place, closed)
               for i in range(1, (due - day).days + 1)) == n


@PROPERTIES
@given(day=days, a=st.integers(0, 20), b=st.integers(0, 20), place=places)
def test_business_days_add_up(day, a, b, place):
    assert add_business_days(add_business_days(day, a, place), b, place) == \
        add_business_days(day, a + b, place)


@PROPERTIES
@given(day=days, place=places)
def test_a_business_day_is_what_the_reference_says(day, place):
    assert is_business_day(day, place) == ref_business_day(day, place)


@PROPERTIES
@given(day=days, n=st.integers(1, 20), place=places, data=st.data())
def test_a_closure_never_brings_a_deadline_forward(day, n, place, data):
    closed = data.draw(closures_near(day))
    assert add_business_days(day, n, place, closed) >= add_business_days(day, n, place)


def test_the_calendar_of_holidays_is_safe_to_share_between_threads():
    # Found here: the web app counts business days in its worker threads, and `holidays` fills
    # a year in on first use, marking it done before it is (and keeping the year being filled
    # on the shared object). Threads meeting a new year at once answered "business day" for
    # Christmas and left wrong holidays in the process-wide calendar for good.
    checked = [D(year, month, day) for year in range(2010, 2090)
               for month, day in ((1, 1), (4, 27), (5, 5), (12, 25), (12, 26))]
    expected = {d: ref_business_day(d, "the_hague") for d in checked}
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for _trial in range(3):
            business_days._calendar.cache_clear()
            answers: dict[tuple[int, D], bool] = {}

            def ask(worker: int, answers: dict[tuple[int, D], bool] = answers) -> None:
                for i in range(len(checked)):
                    d = checked[(i + worker * 37) % len(checked)]
                    answers[worker, d] = is_business_day(d, "the_hague")

            threads = [threading.Thread(target=ask, args=(w,)) for w in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wrong = {d for (_, d), ok in answers.items() if ok != expected[d]}
            assert not wrong, f"answered wrongly under threads: {sorted(wrong)[:5]}"
            assert all(is_business_day(d, "the_hague") == ok for d, ok in expected.items())
    finally:
        sys.setswitchinterval(interval)
        business_days._calendar.cache_clear()


# -- months and the three-month rule (para 14(d)) --------------------------------------------

@PROPERTIES
@given(day=days, months=st.integers(-36, 36))
def test_months_are_added_on_the_calendar_and_clamped_to_the_month_end(day, months):
    assert add_months(day, months) == ref_add_months(day, months)


def heard_on(day: D) -> Case:
    return Case(id="NC-2024-001", requested_state="Mongolia", region="Asia-Pacific States",
                scenario="7a", stage="formal", confidentiality="bureau", referred_to=["assembly"],
                workflow="formal", workflow_version="2018", decision_date=day - 30 * DAY,
                steps={"bureau_hearing": StepRecord(status="done", date=day)})


@PROPERTIES
@given(hearing=days, data=st.data())
def test_the_three_month_rule_is_hearing_plus_three_months_before_the_next_session(hearing, data):
    sessions = data.draw(sessions_list(hearing))
    # Often a session right at the limit, where a day decides.
    if data.draw(st.booleans()):
        limit = ref_add_months(hearing, 3)
        start = limit + data.draw(st.integers(-2, 2)) * DAY
        sessions.append(Session(99, "special", start, start + DAY))
    on = hearing + data.draw(st.integers(0, 30)) * DAY
    refusal = three_month_rule(heard_on(hearing), Facts(on=on, sessions=tuple(sessions)))
    later = [s for s in sessions if s.start > hearing]
    if not later:
        assert refusal is not None and "add the next session's dates" in refusal
        return
    first = min(later, key=lambda s: s.start)
    allowed = ref_add_months(hearing, 3) < first.start
    assert (refusal is None) == allowed, (hearing, first, refusal)
    if not allowed:
        assert str(first.start) in refusal and str(ref_add_months(hearing, 3)) in refusal
    procedure_says = load_procedure().refusal(heard_on(hearing), "nywg_public_meeting",
                                              Facts(on=on, sessions=tuple(sessions)))
    assert (procedure_says is None) == allowed
    if not allowed:
        assert (procedure_says.rule, procedure_says.paragraph) == ("three_month_rule", "14(d)")


@pytest.mark.parametrize(("hearing", "opens", "allowed"), [
    (D(2024, 11, 30), D(2025, 2, 28), False),  # + 3 months = 28 Feb (clamped): not later
    (D(2024, 11, 30), D(2025, 3, 1), True),
    (D(2023, 11, 30), D(2024, 2, 29), False),  # leap year: 29 Feb
    (D(2024, 8, 31), D(2024, 11, 30), False),
    (D(2024, 8, 31), D(2024, 12, 1), True),
    (D(2024, 9, 2), D(2024, 12, 2), False),    # exactly three months: not "more than"
])
def test_the_three_month_rule_at_the_month_ends(hearing, opens, allowed):
    facts = Facts(on=hearing, sessions=(Session(23, "regular", opens, opens + 5 * DAY),))
    assert (three_month_rule(heard_on(hearing), facts) is None) is allowed


def test_an_unknown_next_session_leaves_the_public_meeting_pending_not_inapplicable():
    hearing = D(2024, 2, 1)
    facts = Facts(on=hearing + DAY, sessions=(Session(22, "regular", D(2023, 12, 4), D(2023, 12, 14)),))
    procedure = load_procedure()
    refusal = procedure.refusal(heard_on(hearing), "nywg_public_meeting", facts)
    assert refusal is not None and "add the next session's dates" in refusal.message
    assert procedure.not_applicable(heard_on(hearing), "nywg_public_meeting", facts) is None


# -- sessions and meetings ------------------------------------------------------------------

@PROPERTIES
@given(on=days, data=st.data())
def test_the_next_or_ongoing_session_is_the_first_met_walking_forward(on, data):
    sessions = data.draw(sessions_list(on))
    found, expected = next_or_ongoing_session(sessions, on), ref_next_or_ongoing(sessions, on)
    assert (found and (found.start, found.number)) == (expected and (expected.start, expected.number))
    if found is not None:
        assert found.end >= on  # never a session already over


@PROPERTIES
@given(after=days, data=st.data())
def test_the_next_session_starts_after_the_date(after, data):
    sessions = data.draw(sessions_list(after))
    found, expected = next_session(sessions, after), ref_next_session(sessions, after)
    assert (found and (found.start, found.number)) == (expected and (expected.start, expected.number))


@PROPERTIES
@given(on=days, data=st.data())
def test_the_next_bureau_meeting_is_the_first_on_or_after_the_date(on, data):
    meetings = data.draw(meetings_list(on))
    assert next_bureau_meeting(meetings, on) == ref_next_meeting(meetings, on)


# -- deadlines ------------------------------------------------------------------------------

def test_config_holds_the_numbers_spec_gives():
    numbers = config.deadlines()
    for rule, (how, *values) in SPEC_LIMITS.items():
        cfg = numbers[rule]
        if how == "business_days":
            assert (cfg["business_days"], cfg["place"]) == tuple(values), rule
        elif how == "next_meeting_after":
            assert cfg.get("at_next_bureau_meeting") is True, rule
        else:
            assert cfg[how] == values[0], rule


def test_each_deadline_runs_from_the_anchor_spec_names():
    rules = load_procedure().deadline_rules
    assert {(r.step, r.kind) for r in rules} == set(SPEC_ANCHORS)
    for r in rules:
        wanted = SPEC_ANCHORS[r.step, r.kind]
        assert r.anchor in (wanted if isinstance(wanted, set) else {wanted}), r
        assert r.rule in SPEC_LIMITS, r


@PROPERTIES
@given(anchor=days, rule=st.sampled_from(sorted({r.rule: r for r in load_procedure().deadline_rules}
                                                 .values(), key=lambda r: r.rule)),
       reply_days=st.one_of(st.none(), st.integers(1, 120)), data=st.data())
def test_every_deadline_is_computed_as_spec_says(anchor, rule, reply_days, data):
    sessions = data.draw(sessions_list(anchor))
    meetings = data.draw(meetings_list(anchor))
    closed = data.draw(closures_near(anchor))
    params = {} if reply_days is None else {"reply_days": str(reply_days)}
    facts = Facts(on=anchor, sessions=tuple(sessions), bureau_meetings=tuple(meetings),
                  params=params)
    computed = compute(rule, config.deadlines(), anchor, facts, tuple(closed))
    expected = ref_due(rule.rule, anchor, sessions, meetings, closed, reply_days)
    assert (computed and computed[0]) == expected
    if computed is not None:  # the basis names the day it was counted from
        how = SPEC_LIMITS[rule.rule][0]
        lead = SPEC_LIMITS[rule.rule][1] if len(SPEC_LIMITS[rule.rule]) > 1 else 0
        counted_from = (ref_lead_meeting(meetings, anchor, lead).date
                        if how == "days_before_meeting"
                        else ref_lead_session(sessions, anchor, lead).start
                        if how == "days_before_session" else anchor)
        assert str(counted_from) in computed[1], computed


ALL_RULES = sorted({r.rule: r for r in load_procedure().deadline_rules}.values(),
                   key=lambda r: r.rule)


@PROPERTIES
@given(anchor=days, rule=st.sampled_from(ALL_RULES), minute=st.one_of(st.none(),
       st.integers(0, 24 * 60 - 1)), data=st.data())
def test_no_deadline_falls_before_the_event_it_runs_from(anchor, rule, minute, data):
    """SPEC "Time": for every rule, whatever the calendar holds around the anchor (sessions and
    meetings on either side, some right at the lead time), and whether the anchor's hour is
    known (recorded that day) or not."""
    sessions = data.draw(sessions_list(anchor))
    meetings = data.draw(meetings_list(anchor))
    for lead in (9, 10, 11, 29, 30, 31):  # right at the lead times of paras 14(c) and 15
        sessions.append(Session(90 + lead, "regular", anchor + lead * DAY, anchor + (lead + 3) * DAY))
        meetings.append(BureauMeeting(anchor + lead * DAY))
    at = None if minute is None else (
        dt.datetime(anchor.year, anchor.month, anchor.day, tzinfo=AMSTERDAM)
        + dt.timedelta(minutes=minute)).astimezone(dt.UTC)
    facts = Facts(on=anchor, sessions=tuple(sessions), bureau_meetings=tuple(meetings))
    computed = compute(rule, config.deadlines(), anchor, facts, (), at)
    assert computed is not None
    assert computed.due >= anchor, (rule.rule, computed)
    if computed.due_at is not None:
        assert computed.due_at > (at or dt.datetime(anchor.year, anchor.month, anchor.day,
                                                    tzinfo=AMSTERDAM))
        if at is not None:  # the hours run from the instant, to the minute
            assert computed.due_at - at == dt.timedelta(hours=24)


# -- through the services: what a case records -------------------------------------------------

REFS = itertools.count(1)  # each example opens its case on a decision of its own


@settings(PROPERTIES, max_examples=40, suppress_health_check=list(HealthCheck))
@given(decided=st.dates(D(2010, 1, 1), D(2026, 10, 31)), convened=st.integers(0, 20),
       sent=st.integers(0, 20), reply_days=st.integers(1, 90))
def test_a_case_records_its_deadlines_from_their_anchors(db, decided, convened, sent, reply_days):
    """Opening a case and taking the steps that start deadlines: each due date is counted
    from the day SPEC names (the decision, the meeting, the letter), whatever today is."""
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    services.add_bureau_meeting(db, D(2024, 11, 5), "New York")
    calendar = services.list_calendar(db)
    sessions = [Session(s["number"], s["kind"], D.fromisoformat(s["start"]), D.fromisoformat(s["end"]))
                for s in calendar["sessions"]]
    meetings = [BureauMeeting(D.fromisoformat(m["date"])) for m in calendar["bureau_meetings"]]
    closed = frozenset(config.closures())
    case = services.open_case(db, state="Mongolia", scenario="7a",
                              decision_ref=f"ICC-01/22-{next(REFS)}", decision_date=decided,
                              referred_to=["assembly"])
    convened_on, sent_on = decided + convened * DAY, decided + sent * DAY
    services.act(db, case["id"], "emergency_bureau_meeting", on=convened_on)
    shown = services.act(db, case["id"], "open_letter", on=sent_on,
                         params={"action": "send", "reply_days": str(reply_days)})
    due = {(d["step"], d["kind"]): D.fromisoformat(d["due"]) for d in shown["deadlines"]}
    anchors = {"decision": decided, "emergency_bureau_meeting.started": convened_on,
               "open_letter.started": sent_on}
    rules = {(r.step, r.kind): r for r in load_procedure().deadline_rules}
    for key, day in due.items():
        rule = rules[key]
        assert day == ref_due(rule.rule, anchors[rule.anchor], sessions, meetings, closed,
                              reply_days), key
    expected_keys = {k for k, r in rules.items() if r.anchor in anchors and ref_due(
        r.rule, anchors[r.anchor], sessions, meetings, closed, reply_days) is not None}
    assert set(due) == expected_keys
