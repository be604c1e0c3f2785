"""The procedure engine: pure Python, no database, no web, no clock (time is passed in)."""

from noncoop.domain.case import Case, Event, StepRecord, apply, project
from noncoop.domain.procedure import Facts, Procedure, Refusal, load_procedure

__all__ = [
    "Case",
    "Event",
    "Facts",
    "Procedure",
    "Refusal",
    "StepRecord",
    "apply",
    "load_procedure",
    "project",
]
