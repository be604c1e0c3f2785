"""Tasks: what a person or a role has to do on a case, kept in step with the case's events.
Each deadline of a case is a task for the role its rule names (with the deadline's due date);
each request for assistance is a task for each person asked (paras 20, 22). Recording the step
closes the task; a person may also mark a request done, or decline a task, with a note."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from noncoop import access, clock, people, record
from noncoop.domain import Event, load_procedure
from noncoop.domain.case import Case
from noncoop.domain.procedure import cite
from noncoop.errors import BadInput, NotFound, Refused
from noncoop.i18n import N_
from noncoop.store.models import TaskRow

DEFAULT_TASK = N_("Assist the President's good offices")  # a request that names no task


def assistance(db: Session, case: Case, emails: list[str], on: dt.date,
               params: dict[str, str]) -> dict[str, int]:
    """A task for each person the President asks to assist (paras 20, 22): their numbers by
    e-mail, which the request's notice keeps so that each mail names and links its task."""
    if not emails:  # a step that asks no one: no task, and no flush of the session
        return {}
    due = dt.date.fromisoformat(params["due"]) if params.get("due") else None
    what = params.get("task") or DEFAULT_TASK
    rows = [TaskRow(case_id=case.id, step="request_assistance", title=what, assignee=email,
                    due=due, created_at=clock.now()) for email in emails]
    db.add_all(rows)
    db.flush()
    return {r.assignee: r.id for r in rows}  # type: ignore[misc]


def asked(params: dict[str, str], request: Event) -> dict[str, Any]:
    """What a request for assistance asks, as its notice tells the people asked: the task
    (`task` of letters/README.md, due date as text) and the request's event on the case. It is
    written with the notice, in the request's transaction, because the case keeps only the
    newest request's words: a notice composed later would read those instead of its own."""
    return {"task": {"title": params.get("task") or "", "due": params.get("due") or None,
                     "note": request.reason},
            "request": request.seq}


def assisting_emails(db: Session, case: Case, params: dict[str, str], on: dt.date) -> list[str]:
    """Who is asked: `--param to=EMAIL,EMAIL` (each an active person of the directory), else
    the focal points of the requested State's region (para 20, 22)."""
    if params.get("to"):
        # Each person once, in the order given: one task each (an address twice is one person).
        emails = list(dict.fromkeys(e.strip().lower() for e in params["to"].split(",") if e.strip()))
        for email in emails:
            if not people.resolve(db, email, case, on):
                raise BadInput(f"{email} is not an active person of the directory on {on}: add "
                               "them (noncoop people add) or check the address",
                               code="unknown_person")
        return emails
    found = sorted(p.email for p in people.resolve(db, "focal_point", case, on))
    if not found:
        raise BadInput(f"no focal point of the {case.region} is active on {on}: name who is asked "
                       "with --param to=EMAIL, or add the region's focal point (noncoop people "
                       "add --role focal_point --region ...)", code="no_focal_point")
    return found


def task_json(t: Any) -> dict[str, Any]:
    """A task as the CLI and the API give it, from its row (an ORM object or a plain row)."""
    return {"id": t.id, "case_id": t.case_id, "step": t.step, "title": t.title,
            "assignee": t.assignee, "due": t.due.isoformat() if t.due else None,
            "status": t.status, "note": t.note,
            "closed_on": t.closed_on.isoformat() if t.closed_on else None, "closed_by": t.closed_by}


def list_tasks(db: Session, for_email: str | None = None, status: str | None = "open",
               by: str = access.ADMIN) -> list[dict[str, Any]]:
    """Tasks by due date; for one person, those assigned to him or her and to his or her role.
    The President's office and the Secretariat see everyone's; anyone else only his or her own."""
    query, whose = _seen(db, for_email, by)
    query = query.where(_any_of(whose))
    if status:
        query = query.where(TaskRow.status == status)
    # Plain rows, not ORM objects: the dashboard of the President's office lists every open
    # task (40,000 at 100,000 cases), and making an object of each took most of its second.
    return [task_json(t) for t in db.connection().execute(query.order_by(*BY_DUE))]


BY_DUE = (col(TaskRow.due).is_(None), col(TaskRow.due), col(TaskRow.id))
COUNTED = 1_000  # an inbox counts its open tasks up to this many, and says "more" beyond


def inbox(db: Session, for_email: str | None, by: str, page: int = 1,
          size: int = 100) -> dict[str, Any]:
    """`list_tasks` as a page shows it: page `page` of the open tasks by due date (a page past
    the end: the last one), how many are open (up to COUNTED: `more` beyond) and how many
    pages they fill (None beyond COUNTED: `further` says whether a page follows); and the
    `size` tasks closed most recently. The database pages and counts them: a hundred thousand
    tasks are not read to show a hundred."""
    query, whose = _seen(db, for_email, by)
    open_tasks = query.where(TaskRow.status == "open", _any_of(whose))
    assignees = _each_of(whose)

    def counted(limit: int | None) -> int:
        # Each task counted is one whose case the reader may see: a count of 20,000 asked that
        # of each (60 ms); up to COUNTED, of at most as many.
        ids = open_tasks.with_only_columns(col(TaskRow.id)).limit(limit)
        return db.scalar(sa.select(sa.func.count()).select_from(ids.subquery())) or 0

    count = counted(COUNTED + 1)
    more = count > COUNTED
    rows = _first_open(db, query, assignees, page * size + 1)
    further = len(rows) > page * size
    rows = rows[(page - 1) * size:page * size]
    if more and not rows:  # past the end of a list too long to count: count it, go to its end
        count, more = counted(None), False
    pages = None if more else max(1, math.ceil(count / size))
    if pages is not None and page > pages:
        return inbox(db, for_email, by, pages, size)
    # Tasks are closed with a date (journal.py, `close`): those with one are the closed ones.
    # Each assignee's newest are a walk back along ix_tasks_assignee_closed; asked of both at
    # once, the database would sort every task either ever closed (460,000 at 100,000 cases).
    last_closed = col(TaskRow.closed_on).is_not(None)
    newest = (col(TaskRow.closed_on).desc(), col(TaskRow.id).desc())
    closed = sorted((t for each in assignees for t in db.exec(
        query.where(last_closed, each).order_by(*newest).limit(size))),
        key=lambda t: (t.closed_on, t.id), reverse=True)[:size]
    return {"open": [task_json(t) for t in rows], "count": COUNTED if more else count, "more": more,
            "further": further, "page": page, "pages": pages,
            "first": (page - 1) * size + 1 if rows else 0, "last": (page - 1) * size + len(rows),
            "closed": [task_json(t) for t in closed], "size": size}


def _first_open(db: Session, query: Any, assignees: list[Any], n: int) -> list[Any]:
    """The first `n` open tasks of `query` by due date (BY_DUE). Each assignee's are read along
    ix_tasks_assignee_open, those with a due date and then those without (as BY_DUE puts them
    on either server), and merged: asked of both assignees at once, the database would decide
    who may see each of the person's open tasks and sort them all (20,000 for a focal point at
    100,000 cases, bench/scale.py) to show a hundred."""
    due, number = col(TaskRow.due), col(TaskRow.id)
    rows = [row for each in assignees
            for part, order in ((due.is_not(None), (due, number)), (due.is_(None), (number,)))
            for row in db.connection().execute(query.where(
                TaskRow.status == "open", each, part).order_by(*order).limit(n))]
    rows.sort(key=lambda t: (t.due is None, t.due or dt.date.min, t.id))
    return rows[:n]


def _seen(db: Session, for_email: str | None, by: str) -> tuple[Any, list[str] | None]:
    """The tasks `by` may see (access.sees_task_where), and whose tasks the list holds:
    `for_email`'s and his or her role's if given, anyone's (None) otherwise. Anyone but the
    President's office and the Secretariat sees only his or her own."""
    v = access.viewer(db, by)
    query = select(TaskRow)
    if v.role == "none":  # a person outside his or her term is nobody
        return query.where(sa.false()), None
    if not v.sees_all:
        if for_email and for_email.strip().lower() != v.email:
            raise Refused(f"refused by rule permission: you act as {v.email} and see only your "
                          "own tasks", code="permission", rule="permission", paragraph="23")
        for_email = v.email
    if (seen := access.sees_task_where(v)) is not None:
        query = query.where(seen)
    if not for_email:
        return query, None
    return query, assignees(db, for_email)


def assignees(db: Session, email: str) -> list[str]:
    """Whose tasks are a person's: his or her own and his or her role's."""
    person = people.find(db, email)
    return [person.email, person.role]


def _any_of(whose: list[str] | None) -> Any:
    # IN, not OR: PostgreSQL seeks each assignee in the index with IN, and with OR read every
    # open task of the index to find those of two (50 ms at 100,000 cases).
    return sa.true() if whose is None else col(TaskRow.assignee).in_(whose)


def _each_of(whose: list[str] | None) -> list[Any]:
    """A condition for each assignee, each read on its own along an index."""
    return [sa.true()] if whose is None else [col(TaskRow.assignee) == w for w in whose]


def _sees_task(db: Session, v: access.Viewer, task: TaskRow) -> bool:
    """A task is seen as the step it belongs to: a role's task on a case of another region,
    or a good offices task to a Bureau member who sees only the formal record, is not his."""
    _, case = record.load_case(db, task.case_id)
    seen = access.sight(v, case)
    return seen == "full" or (seen == "formal" and task.step not in access.INFORMAL_STEPS)


def _mine(db: Session, task_id: int, by: str) -> tuple[TaskRow, access.Viewer]:
    """The task `by` may see and act on: his or her own (or his or her role's) on a case he or
    she sees, anyone's for the President's office and the Secretariat. Any other is "no task",
    worded as for a number no task has."""
    # A number no row can have (the database could not even be asked) is no task either.
    task = db.get(TaskRow, task_id) if 1 <= task_id <= 2**31 - 1 else None
    if task is None:
        raise NotFound(f"no task {task_id}: see noncoop tasks", code="unknown_task")
    v = access.viewer(db, by)
    if not v.sees_all and (task.assignee not in (v.email, v.role) or v.role == "none"
                           or not _sees_task(db, v, task)):
        raise NotFound(f"no task {task_id}: see noncoop tasks", code="unknown_task")
    return task, v


def get_task(db: Session, task_id: int, by: str = access.ADMIN) -> dict[str, Any]:
    """One task, as `close` would find it for `by`, with the paragraph of its step."""
    task, _ = _mine(db, task_id, by)
    _, case = record.load_case(db, task.case_id)
    return {**task_json(task), "paragraph": _paragraph(case, task.step),
            "follows_step": task.deadline_position is not None}


def _paragraph(case: Case, step: str) -> str:
    """The Annex II paragraph of the task's step, as its workflow says."""
    defn = load_procedure(case.workflow, case.workflow_version).steps.get(step)
    return defn.paragraph if defn is not None else f"of the step {step}"


def close(db: Session, task_id: int, outcome: str, note: str | None, by: str,
          on: dt.date | None = None) -> dict[str, Any]:
    """A person marks a task done or declined, with a note; it goes on the case's record."""
    task, _ = _mine(db, task_id, by)
    row, case = record.load_case(db, task.case_id)
    paragraph = _paragraph(case, task.step)
    if task.status != "open":
        raise Refused(f"refused by rule task_closed ({cite(paragraph)}): task {task_id} "
                      f"is already {task.status}", code="task_closed", rule="task_closed",
                      paragraph=paragraph)
    if outcome == "declined" and not (note or "").strip():
        raise BadInput("declining a task needs a note saying why: add --note TEXT (on the "
                       "task's page, write it in the note)")
    if outcome == "done" and task.deadline_position is not None:
        raise Refused(f"refused by rule task_follows_step ({cite(paragraph)}): task "
                      f"{task_id} is done when its step is recorded: noncoop case act "
                      f"{task.case_id} {task.step}", code="task_follows_step",
                      rule="task_follows_step", paragraph=paragraph)
    on = on or clock.today()
    task.status, task.note, task.closed_on, task.closed_by = outcome, note, on, by
    db.add(task)
    event = Event(case_id=case.id, seq=row.last_seq + 1, kind=f"task_{outcome}", at=clock.now(),
                  by=by, step=task.step, on=on, reason=note,
                  data={"task": task.title, "assignee": task.assignee})
    record.append(db, row, case, event)
    return task_json(task)
