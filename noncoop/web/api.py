"""The JSON API under /api/: the commands of INTERFACE.md, with the same names and the same
JSON, as the person signed in (permissions and visibility come from the services)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from noncoop import people, services, tasks
from noncoop.errors import BadInput
from noncoop.letters import register
from noncoop.letters.render import catalogue
from noncoop.web.deps import Day, Db, User, check_csrf
from noncoop.web.schemas import (
    AssemblySession,
    BureauMeeting,
    Calendar,
    CaseListed,
    CaseShown,
    DeadlineDue,
    Letter,
    LetterTemplate,
    Person,
    Task,
    documents,
    errors,
)


def query_names(dependant: Dependant) -> set[str]:
    """The query parameters an operation takes, its dependencies' included, by their names on
    the wire (`for`, not `for_`)."""
    return {p.alias for p in dependant.query_params}.union(
        *(query_names(d) for d in dependant.dependencies))


def known_parameters(request: Request) -> None:
    """A query parameter the operation does not take is refused, not ignored: `?for_=` or a
    misspelt filter would otherwise answer with everything, as if it had been obeyed."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = query_names(route.dependant)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise BadInput(f"{request.url.path} does not take the query parameter(s) "
                       f"{', '.join(unknown)}: it takes {', '.join(sorted(known)) or 'none'} "
                       "(see /openapi.json)", code="unknown_parameter")


# Every operation: the checks at the door (hygiene.py) and the sign-in (deps.py).
EVERY = (400, 401)
# Reading one thing named in the path.
ONE = (*EVERY, 403, 404)
# Writing: refused by a rule, a permission, a read-only token or the CSRF check; a conflict;
# a body too large.
WRITE = (*EVERY, 403, 404, 409, 413)

LETTER_TYPES = tuple(register.FORMATS.values())

# Each route names the model of its answer in `responses` and keeps `response_model=None`: the
# service's dict goes out as it is, never filtered or re-typed by a model (the JSON shapes of
# INTERFACE.md are the services'), and tests/test_fuzz_api.py holds the document to it. A new
# route declares the same: its answer's model, and the error codes beyond 400 and 401 it gives.
router = APIRouter(prefix="/api", dependencies=[Depends(check_csrf), Depends(known_parameters)],
                   responses=errors(*EVERY))


class OpenCase(BaseModel):
    state: str
    scenario: str = Field(description="7a or 7b (Annex II para 7)")
    decision_ref: str | None = None
    decision_date: Day | None = None
    chamber: str | None = None
    referred_to: list[str] = Field(default_factory=list, description="assembly, security-council")
    request: str | None = Field(default=None, description="art89 or art93")
    person: str | None = None
    summary: str | None = None
    travel_date: Day | None = None
    ad_hoc_arrangement: str | None = None
    duplicate_reason: str | None = Field(
        default=None, description="opens a second case on a decision another case holds")


class Action(BaseModel):
    on: Day | None = None
    skip: bool = False
    reason: str | None = None
    params: dict[str, str] = Field(default_factory=dict)


class NewSession(BaseModel):
    # Bounded: a letter spells the number as an ordinal ("twenty-third session"), which a
    # negative number cannot be, and the database column holds 32 bits.
    number: int = Field(ge=1, le=9999, description="the session's number: 23 for the 23rd session")
    start: Day
    end: Day
    venue: str = ""
    kind: str = "regular"


class NewMeeting(BaseModel):
    date: Day
    place: str = ""


class Issue(BaseModel):
    lang: str = "en"
    format: str = "html"
    on: Day | None = None
    corrects: str | None = None


class NewPerson(BaseModel):
    name: str
    email: str
    role: str
    region: str | None = None
    lang: str = "en"
    president: bool = False
    president_asked: bool = False
    active_from: Day | None = None
    active_until: Day | None = None


class TaskClose(BaseModel):
    note: str | None = None


@router.get("/cases", response_model=None, responses={200: {"model": list[CaseListed]}})
def list_cases(db: Db, user: User, status: str | None = None) -> list[dict[str, Any]]:
    return services.list_cases(db, status, by=user)


@router.post("/cases", status_code=201, response_model=None,
             responses={201: {"model": CaseShown}, **errors(*WRITE)})
def open_case(body: OpenCase, db: Db, user: User) -> dict[str, Any]:
    return services.open_case(db, by=user, **body.model_dump())


@router.get("/cases/{case_id}", response_model=None,
            responses={200: {"model": CaseShown}, **errors(*ONE)})
def show_case(case_id: str, db: Db, user: User) -> dict[str, Any]:
    return services.show_case(db, case_id, by=user)


@router.post("/cases/{case_id}/actions/{step}", response_model=None,
             responses={200: {"model": CaseShown}, **errors(*WRITE)})
def act(case_id: str, step: str, body: Action, db: Db, user: User) -> dict[str, Any]:
    return services.act(db, case_id, step, on=body.on, skip=body.skip, reason=body.reason,
                        params=body.params, by=user)


@router.get("/deadlines", response_model=None,
            responses={200: {"model": list[DeadlineDue]}, **errors(*ONE)})
def deadlines(db: Db, user: User, as_of: dt.date | None = None, case: str | None = None,
              who: str | None = None) -> list[dict[str, Any]]:
    return services.list_deadlines(db, as_of, case_id=case, who=who, by=user)


@router.get("/calendar", response_model=None, responses={200: {"model": Calendar}})
def calendar(db: Db, user: User) -> dict[str, Any]:
    return services.list_calendar(db)


@router.post("/calendar/sessions", status_code=201, response_model=None,
             responses={201: {"model": AssemblySession}, **errors(*WRITE)})
def add_session(body: NewSession, db: Db, user: User) -> dict[str, Any]:
    return services.add_session(db, body.number, body.start, body.end, body.venue, body.kind, by=user)


@router.post("/calendar/bureau-meetings", status_code=201, response_model=None,
             responses={201: {"model": BureauMeeting}, **errors(*WRITE)})
def add_bureau_meeting(body: NewMeeting, db: Db, user: User) -> dict[str, Any]:
    return services.add_bureau_meeting(db, body.date, body.place, by=user)


@router.get("/letters", response_model=None,
            responses={200: {"model": list[Letter]}, **errors(*ONE)})
def list_letters(db: Db, user: User, case: str | None = None) -> list[dict[str, Any]]:
    return register.list_letters(db, case, by=user)


@router.get("/letters/templates", response_model=None,
            responses={200: {"model": list[LetterTemplate]}})
def letter_templates(user: User) -> list[dict[str, Any]]:
    return [{"template": d.name, "step": d.step, "paragraph": d.paragraph, "form": d.form,
             "to": list(d.to)} for d in catalogue().values()]


@router.get("/cases/{case_id}/letters/{template}", response_class=Response,
            responses={**documents(*LETTER_TYPES), **errors(*ONE)})
def draft_letter(case_id: str, template: str, db: Db, user: User, lang: str = "en",
                 format: str = "html") -> Response:
    content = register.render(db, case_id, template, lang, format, by=user)
    return Response(content, media_type=register.FORMATS[format])


@router.post("/cases/{case_id}/letters/{template}", status_code=201, response_model=None,
             responses={201: {"model": Letter}, **errors(*WRITE)})
def issue_letter(case_id: str, template: str, body: Issue, db: Db, user: User) -> dict[str, Any]:
    return register.issue(db, case_id, template, lang=body.lang, fmt=body.format, by=user,
                          on=body.on, corrects=body.corrects)


@router.get("/letters/{reference:path}/content", response_class=Response,
            responses={**documents(*LETTER_TYPES), **errors(*ONE)})
def letter_content(reference: str, db: Db, user: User) -> Response:
    entry, content = register.show(db, reference, by=user)
    return Response(content, media_type=entry["media_type"])


@router.get("/letters/{reference:path}", response_model=None,
            responses={200: {"model": Letter}, **errors(*ONE)})
def show_letter(reference: str, db: Db, user: User) -> dict[str, Any]:
    return register.show(db, reference, by=user)[0]


@router.get("/tasks", response_model=None, responses={200: {"model": list[Task]}, **errors(*ONE)})
def list_tasks(db: Db, user: User,
               for_: Annotated[str | None, Query(alias="for", description=(
                   "only the tasks of this e-mail (as `noncoop tasks --for EMAIL`)"))] = None,
               all: bool = False) -> list[dict[str, Any]]:
    return tasks.list_tasks(db, for_, None if all else "open", by=user)


@router.post("/tasks/{task_id}/{outcome}", response_model=None,
             responses={200: {"model": Task}, **errors(*WRITE)})
def close_task(task_id: int, outcome: str, body: TaskClose, db: Db, user: User) -> dict[str, Any]:
    if outcome not in ("done", "decline"):
        raise BadInput("use /api/tasks/ID/done or /api/tasks/ID/decline")
    return tasks.close(db, task_id, "done" if outcome == "done" else "declined", body.note, user)


@router.get("/people", response_model=None, responses={200: {"model": list[Person]}, **errors(403)})
def list_people(db: Db, user: User, role: str | None = None) -> list[dict[str, Any]]:
    return people.list_people(db, role, by=user)


@router.post("/people", status_code=201, response_model=None,
             responses={201: {"model": Person}, **errors(*WRITE)})
def add_person(body: NewPerson, db: Db, user: User) -> dict[str, Any]:
    from noncoop import access

    access.require(access.viewer(db, user), ("secretariat", "president_office"), "the directory")
    return people.add_person(db, **body.model_dump())
