"""Use cases, one function each, for the CLI, the web app and the worker: `calendars` (the
sessions and Bureau meetings the procedure counts on), `steps` (opening a case, recording its
steps), `views` (a case as one may see it), `lists` (the cases, a page of them, what is due)
and `dashboard` (`work`: what needs the person now, this week, and what waits on others).
A case's record itself (load, append, rebuild) is `noncoop/record.py`.

Each function is imported from its module when first asked for (PEP 562): a command that shows
a case does not load the modules that record steps or build the dashboard."""

from __future__ import annotations

import importlib
from typing import Any

_HOME = {
    "noncoop.access": ("ADMIN",),
    "noncoop.record": ("rebuild",),
    "noncoop.services.calendars": ("add_bureau_meeting", "add_session", "bureau_meetings",
                                   "facts_for", "list_calendar", "sessions"),
    "noncoop.services.lists": ("case_regions", "list_cases", "list_deadlines", "page_of_cases"),
    "noncoop.services.steps": ("DEADLINE_ACTIONS", "act", "open_case", "take_step"),
    "noncoop.services.views": ("action_params", "refusals", "show_case", "show_cases"),
    "noncoop.services.dashboard": ("work",),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # asked once: later reads find it here
    return value


def __dir__() -> list[str]:
    return __all__
