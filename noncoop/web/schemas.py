"""What the JSON API answers, as models for its OpenAPI document: the shapes of INTERFACE.md
and the error body `{"error": {...}}`.

They document; they do not filter. The routes return the services' dicts as they are (a model
never drops or renames a field of the stable surface), every model allows more properties
(INTERFACE.md: fields may be added, never renamed or removed), and tests/test_fuzz_api.py
holds the document to the live answers (schemathesis' response conformance)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error answers an operation documents, each in the error body of INTERFACE.md."""
    return {code: {"model": ErrorBody, "description": WHY[code]} for code in codes}


def documents(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """A 200 that is a document (a letter, a feed), not JSON."""
    return {200: {"description": "the document", "content": {
        t.split(";")[0]: {"schema": {"type": "string", "format": "binary"}} for t in media_types}}}


WHY = {
    400: "Bad input: a malformed request (bad bytes, too many parameters, an unknown query "
         "parameter) or values the procedure cannot take",
    401: "Nobody signed in: send Authorization: Bearer TOKEN (noncoop user token EMAIL) or the "
         "session cookie",
    403: "Refused by a rule of the procedure or a permission (`rule` and `paragraph` name it); "
         "a read-only token writing; a session cookie without its X-CSRF-Token",
    404: "Not found, or not visible to whoever asks (the same answer: its existence is not "
         "disclosed)",
    409: "Someone else changed the same record at the same moment: nothing was recorded, try "
         "again",
    413: "The body is larger than NONCOOP_MAX_BODY_BYTES",
}


class Shape(BaseModel):
    model_config = ConfigDict(extra="allow")


# -- errors ---------------------------------------------------------------------------------

class ErrorDetail(Shape):
    code: str = Field(description="stable, e.g. bad_input, unauthenticated, permission, "
                                  "rule_refused, not_found, conflict")
    message: str = Field(description="what was wrong and what to do")
    rule: str | None = Field(default=None, description="the rule that refused, where one did")
    paragraph: str | None = Field(default=None, description="its paragraph of Annex II")
    allowed_actions: list[str] | None = Field(default=None,
                                              description="what the case allows now, on a refusal")


class ErrorBody(Shape):
    """Every answer of 400 and above under /api/."""

    error: ErrorDetail


# -- cases ----------------------------------------------------------------------------------

class Decision(Shape):
    ref: str | None
    date: str | None = Field(description="YYYY-MM-DD")


class Travel(Shape):
    date: str
    days_left: int


class CaseListed(Shape):
    id: str
    state: str
    region: str | None
    scenario: str
    status: str
    stage: str
    decision: Decision
    travel: Travel | None = None


class Step(Shape):
    step: str
    status: str = Field(description="pending, in_progress, done, skipped, not_applicable")
    date: str | None = None
    reason: str | None = None
    rule: str | None = None
    paragraph: str | None = None
    details: dict[str, Any] | None = None


class Deadline(Shape):
    step: str
    kind: str
    due: str = Field(description="the last day, YYYY-MM-DD (Europe/Amsterdam)")
    due_at: str = Field(description="the instant it runs out, UTC")
    status: str = Field(description="open, met, late, missed, waived, closed, not_applicable")
    basis: str | None = None
    who: str | None = None
    days_late: int | None = None
    done_on: str | None = None
    session: str | None = Field(default=None, description="the session it counts from, e.g. \"10 regular\"")


class Workflow(Shape):
    name: str
    version: str


class Event(Shape):
    at: str
    event: str
    by: str | None
    step: str | None
    on: str | None = None
    reason: str | None = None


class CaseShown(Shape):
    id: str
    state: str
    region: str | None
    scenario: str
    status: str
    stage: str
    confidentiality: str
    referred_to: list[str]
    decision: Decision
    request: str | None = None
    person: str | None = None
    summary: str | None = None
    outcome: str | None = None
    workflow: Workflow
    steps: list[Step]
    deadlines: list[Deadline]
    travel: dict[str, Any] | None = None
    allowed_actions: list[str]
    history: list[Event]


class DeadlineDue(Shape):
    case_id: str
    step: str
    kind: str
    due: str
    due_at: str
    status: str
    who: str | None
    basis: str | None
    days_left: int
    days_late: int | None


# -- calendar -------------------------------------------------------------------------------

class AssemblySession(Shape):
    number: int
    kind: str
    start: str
    end: str
    venue: str


class BureauMeeting(Shape):
    date: str
    place: str


class Calendar(Shape):
    sessions: list[AssemblySession]
    bureau_meetings: list[BureauMeeting]


# -- letters --------------------------------------------------------------------------------

class Letter(Shape):
    reference: str
    case_id: str | None
    template: str
    lang: str
    media_type: str
    sha256: str
    bytes: int
    issued_on: str
    issued_at: str
    issued_by: str
    recipients: list[str]
    corrects: str | None = None
    corrected_by: str | None = None


class LetterTemplate(Shape):
    template: str
    step: str | None
    paragraph: str
    form: str
    to: list[str]


# -- tasks and people -----------------------------------------------------------------------

class Task(Shape):
    id: int
    case_id: str
    step: str
    title: str
    assignee: str
    due: str | None
    status: str
    note: str | None
    closed_on: str | None
    closed_by: str | None


class Person(Shape):
    name: str
    email: str
    role: str
    region: str | None
    lang: str
    president: bool
    president_asked: bool
    active_from: str
    active_until: str | None
