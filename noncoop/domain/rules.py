"""The guards of the procedure, by the names the workflow files use. Each is a pure predicate:
it returns None when the rule allows the step, else the facts that made it refuse
(DESIGN principle 5: "next session opens 2024-12-02, less than 3 months after ...")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from noncoop.calendar import Session, add_months, next_or_ongoing_session, next_session
from noncoop.domain.deadlines import counted_sessions

if TYPE_CHECKING:
    from noncoop.domain.case import Case
    from noncoop.domain.procedure import Facts

Guard = Callable[["Case", "Facts"], "str | None"]


def hearing_date(case: Case):  # noqa: ANN201 - date | None
    rec = case.steps.get("bureau_hearing")
    return rec.date if rec and rec.status == "done" else None


def after_hearing(case: Case, facts: Facts) -> str | None:
    held = hearing_date(case)
    if held is None:
        return "no Bureau hearing (step bureau_hearing) is recorded on this case yet"
    if facts.on < held:
        return f"the meeting date {facts.on} is before the Bureau hearing on {held}"
    return None


def next_session_after_hearing(facts: Facts, held: dt.date) -> Session | None:
    """Para 14(d): the next session of the kinds that count for the three-month rule (by
    default every kind: any plenary meeting leaves no time for the NYWG's public meeting)."""
    return next_session(counted_sessions(facts.sessions, facts.numbers, "three_month_rule"), held)


def three_month_rule(case: Case, facts: Facts) -> str | None:
    """Para 14(d): hearing + 3 calendar months < start of the next session."""
    held = hearing_date(case)
    if held is None:
        return after_hearing(case, facts)
    session = next_session_after_hearing(facts, held)
    limit = add_months(held, 3)
    if session is None:
        return (
            f"no session of the Assembly after the hearing on {held} is in the calendar; "
            "add the next session's dates (noncoop calendar add-session) and try again"
        )
    if not limit < session.start:
        return (
            f"the next session ({session.label}) opens on {session.start}, not more than three "
            f"months after the hearing on {held} (three months later is {limit})"
        )
    return None


def unsc_referral(case: Case, facts: Facts) -> str | None:
    if "security-council" not in case.referred_to:
        referred = ", ".join(case.referred_to) or "nobody"
        return f"the Court referred this finding to: {referred}; not to the Security Council"
    return None


def session_known(case: Case, facts: Facts) -> str | None:
    anchor = case.decision_date or facts.on
    if next_or_ongoing_session(counted_sessions(facts.sessions, facts.numbers, "omnibus"),
                               anchor) is None:
        return (
            f"no session of the Assembly on or after {anchor} is in the calendar; add it "
            "(noncoop calendar add-session) and try again"
        )
    return None


def session_concerned(case: Case, step: str, facts: Facts) -> Session | None:
    """The session a step of paras 14(e), 14(f) or 15 is for. The omnibus notation and the
    plenary: the session on-going on the decision date, else the next (14(e), 14(f)). The
    Bureau report: the next (or on-going) session on the day it is made (para 15), so that a
    report made a year late is filed with the session it went to, not the one it missed."""
    if step == "bureau_report":
        return next_or_ongoing_session(counted_sessions(facts.sessions, facts.numbers, "report"),
                                       facts.on)
    return next_or_ongoing_session(counted_sessions(facts.sessions, facts.numbers, "omnibus"),
                                   case.decision_date or facts.on)


def good_offices_active(case: Case, facts: Facts) -> str | None:
    rec = case.steps.get("good_offices_activate")
    if rec is None or rec.status != "done":
        return "good offices have not been activated on this case"
    return None


def activation_basis(case: Case, facts: Facts) -> str | None:
    """Paras 18-19: on whose initiative, and on what basis, the good offices begin."""
    p = facts.params
    if p.get("trigger", "president") == "bureau":
        if not p.get("bureau_decision"):
            return "record the date of the Bureau's decision: --param bureau_decision=YYYY-MM-DD"
        return None
    if not p.get("court_consulted"):
        return ("record when the Court was consulted: --param court_consulted=YYYY-MM-DD; or, "
                "if the Bureau decided, --param trigger=bureau --param bureau_decision=DATE")
    if case.scenario == "7a" and p.get("urgent") != "yes":
        return ("on a case referred to the Assembly (7(a)) the President acts alone only if the "
                "chance to arrest may be gone before an emergency Bureau meeting: --param "
                "urgent=yes; otherwise the Bureau decides (--param trigger=bureau)")
    return None


def travel_date_passed(case: Case, facts: Facts) -> str | None:
    if case.travel_date is None:
        return "no travel is recorded on this case (step travel_alert)"
    if facts.on < case.travel_date:
        return f"the travel is announced for {case.travel_date}; today is {facts.on}"
    return None


GUARDS: dict[str, Guard] = {
    "activation_basis": activation_basis,
    "travel_date_passed": travel_date_passed,
    "after_hearing": after_hearing,
    "three_month_rule": three_month_rule,
    "unsc_referral": unsc_referral,
    "session_known": session_known,
    "good_offices_active": good_offices_active,
}
