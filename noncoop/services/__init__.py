"""Use cases, one function each, for the CLI, the web app and the worker: `calendars` (the
sessions and Bureau meetings the procedure counts on), `steps` (opening a case, recording its
steps), `views` (a case as one may see it) and `lists` (the cases, a page of them, what is due).
A case's record itself (load, append, rebuild) is `noncoop/record.py`."""

from noncoop.access import ADMIN
from noncoop.domain import load_procedure
from noncoop.record import rebuild, to_event
from noncoop.services.calendars import (
    add_bureau_meeting,
    add_session,
    bureau_meetings,
    calendar,
    facts_for,
    list_calendar,
    session_json,
    sessions,
)
from noncoop.services.lists import case_regions, list_cases, list_deadlines, page_of_cases
from noncoop.services.steps import (
    DEADLINE_ACTIONS,
    OUTCOMES,
    REFERRALS,
    REQUESTS,
    act,
    open_case,
    take_step,
)
from noncoop.services.views import refusals, show_case

__all__ = [
    "ADMIN", "DEADLINE_ACTIONS", "OUTCOMES", "REFERRALS", "REQUESTS", "act", "add_bureau_meeting",
    "add_session", "bureau_meetings", "calendar", "case_regions", "facts_for", "list_calendar",
    "list_cases", "list_deadlines", "load_procedure", "open_case", "page_of_cases", "rebuild",
    "refusals", "session_json", "sessions", "show_case", "take_step", "to_event",
]
