"""Use cases, one function each, for the CLI, the web app and the worker: `calendars` (the
sessions and Bureau meetings the procedure counts on), `steps` (opening a case, recording its
steps), `views` (a case as one may see it), `lists` (the cases, a page of them, what is due)
and `work` (the dashboard: what needs the person now, this week, and what waits on others).
A case's record itself (load, append, rebuild) is `noncoop/record.py`."""

from noncoop.access import ADMIN
from noncoop.record import rebuild
from noncoop.services.calendars import (
    add_bureau_meeting,
    add_session,
    bureau_meetings,
    facts_for,
    list_calendar,
    sessions,
)
from noncoop.services.lists import (
    case_regions,
    list_cases,
    list_deadlines,
    page_of_cases,
)
from noncoop.services.steps import DEADLINE_ACTIONS, act, open_case, take_step
from noncoop.services.views import action_params, refusals, show_case
from noncoop.services.work import work

__all__ = [
    "ADMIN", "DEADLINE_ACTIONS", "act", "action_params", "add_bureau_meeting", "add_session",
    "bureau_meetings", "case_regions", "facts_for", "list_calendar", "list_cases",
    "list_deadlines", "open_case", "page_of_cases", "rebuild", "refusals",
    "sessions", "show_case", "take_step", "work",
]
