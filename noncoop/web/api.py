"""The JSON API under /api/: the commands of INTERFACE.md, with the same names and the same
JSON, as the person signed in (permissions and visibility come from the services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, Field

from noncoop import people, services, tasks
from noncoop.letters import register
from noncoop.letters.render import catalogue
from noncoop.web.deps import Day, Db, User, check_csrf

router = APIRouter(prefix="/api", dependencies=[Depends(check_csrf)])


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


@router.get("/cases")
def list_cases(db: Db, user: User, status: str | None = None) -> list[dict[str, Any]]:
    return services.list_cases(db, status, by=user)


@router.post("/cases", status_code=201)
def open_case(body: OpenCase, db: Db, user: User) -> dict[str, Any]:
    return services.open_case(db, by=user, **body.model_dump())


@router.get("/cases/{case_id}")
def show_case(case_id: str, db: Db, user: User) -> dict[str, Any]:
    return services.show_case(db, case_id, by=user)


@router.post("/cases/{case_id}/actions/{step}")
def act(case_id: str, step: str, body: Action, db: Db, user: User) -> dict[str, Any]:
    return services.act(db, case_id, step, on=body.on, skip=body.skip, reason=body.reason,
                        params=body.params, by=user)


@router.get("/deadlines")
def deadlines(db: Db, user: User, as_of: dt.date | None = None, case: str | None = None,
              who: str | None = None) -> list[dict[str, Any]]:
    return services.list_deadlines(db, as_of, case_id=case, who=who, by=user)


@router.get("/calendar")
def calendar(db: Db, user: User) -> dict[str, Any]:
    return services.list_calendar(db)


@router.post("/calendar/sessions", status_code=201)
def add_session(body: NewSession, db: Db, user: User) -> dict[str, Any]:
    return services.add_session(db, body.number, body.start, body.end, body.venue, body.kind, by=user)


@router.post("/calendar/bureau-meetings", status_code=201)
def add_bureau_meeting(body: NewMeeting, db: Db, user: User) -> dict[str, Any]:
    return services.add_bureau_meeting(db, body.date, body.place, by=user)


@router.get("/letters")
def list_letters(db: Db, user: User, case: str | None = None) -> list[dict[str, Any]]:
    return register.list_letters(db, case, by=user)


@router.get("/letters/templates")
def letter_templates(user: User) -> list[dict[str, Any]]:
    return [{"template": d.name, "step": d.step, "paragraph": d.paragraph, "form": d.form,
             "to": list(d.to)} for d in catalogue().values()]


@router.get("/cases/{case_id}/letters/{template}")
def draft_letter(case_id: str, template: str, db: Db, user: User, lang: str = "en",
                 format: str = "html") -> Response:
    content = register.render(db, case_id, template, lang, format, by=user)
    return Response(content, media_type=register.FORMATS[format])


@router.post("/cases/{case_id}/letters/{template}", status_code=201)
def issue_letter(case_id: str, template: str, body: Issue, db: Db, user: User) -> dict[str, Any]:
    return register.issue(db, case_id, template, lang=body.lang, fmt=body.format, by=user,
                          on=body.on, corrects=body.corrects)


@router.get("/letters/{reference:path}/content")
def letter_content(reference: str, db: Db, user: User) -> Response:
    entry, content = register.show(db, reference, by=user)
    return Response(content, media_type=entry["media_type"])


@router.get("/letters/{reference:path}")
def show_letter(reference: str, db: Db, user: User) -> dict[str, Any]:
    return register.show(db, reference, by=user)[0]


@router.get("/tasks")
def list_tasks(db: Db, user: User, for_: str | None = None, all: bool = False) -> list[dict[str, Any]]:
    return tasks.list_tasks(db, for_, None if all else "open", by=user)


@router.post("/tasks/{task_id}/{outcome}")
def close_task(task_id: int, outcome: str, body: TaskClose, db: Db, user: User) -> dict[str, Any]:
    from noncoop.errors import BadInput

    if outcome not in ("done", "decline"):
        raise BadInput("use /api/tasks/ID/done or /api/tasks/ID/decline")
    return tasks.close(db, task_id, "done" if outcome == "done" else "declined", body.note, user)


@router.get("/people")
def list_people(db: Db, user: User, role: str | None = None) -> list[dict[str, Any]]:
    return people.list_people(db, role, by=user)


@router.post("/people", status_code=201)
def add_person(body: NewPerson, db: Db, user: User) -> dict[str, Any]:
    from noncoop import access

    access.require(access.viewer(db, user), ("secretariat", "president_office"), "the directory")
    return people.add_person(db, **body.model_dump())
