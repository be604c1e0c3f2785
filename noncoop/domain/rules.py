"""The guards of the procedure, by the names the workflow files use. Each is a pure predicate:
it returns None when the rule allows the step, else the facts that made it refuse
(DESIGN principle 5: "next session opens 2024-12-02, less than 3 months after ...")."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from noncoop.calendar import add_months, next_or_ongoing_session, next_session

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


def three_month_rule(case: Case, facts: Facts) -> str | None:
    """Para 14(d): hearing + 3 calendar months < start of the next session."""
    held = hearing_date(case)
    if held is None:
        return after_hearing(case, facts)
    session = next_session(facts.sessions, held)
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
    if next_or_ongoing_session(facts.sessions, anchor) is None:
        return (
            f"no session of the Assembly on or after {anchor} is in the calendar; add it "
            "(noncoop calendar add-session) and try again"
        )
    return None


def good_offices_active(case: Case, facts: Facts) -> str | None:
    rec = case.steps.get("good_offices_activate")
    if rec is None or rec.status != "done":
        return "good offices have not been activated on this case"
    return None


GUARDS: dict[str, Guard] = {
    "after_hearing": after_hearing,
    "three_month_rule": three_month_rule,
    "unsc_referral": unsc_referral,
    "session_known": session_known,
    "good_offices_active": good_offices_active,
}
