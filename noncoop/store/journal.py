"""The one write path of a case: append an event with its projection, in core SQL.

A step writes a handful of rows (the event, the case row, a deadline or two and their tasks).
Through the ORM's unit of work each of them costs several times the statement itself
(bench/transition.py); here each is one statement compiled once and sent through the
connection (store/prepared.py), seen by the engine's events and logging as any other. The
case row's version guards the write (optimistic locking): an UPDATE that finds another
version changes nothing and is a Conflict, so two writers never both append after the same
event."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session

from noncoop import access, audit, clock
from noncoop.domain import Case, Event, load_procedure
from noncoop.domain.deadlines import ends_at
from noncoop.errors import Conflict
from noncoop.i18n import N_
from noncoop.store import memo, prepared
from noncoop.store.codec import to_snapshot
from noncoop.store.models import AssistantRow, CaseRow, DeadlineRow, EventRow, MessageRow, NoticeRow, TaskRow

CASES: sa.Table = CaseRow.__table__  # type: ignore[attr-defined]
EVENTS: sa.Table = EventRow.__table__  # type: ignore[attr-defined]
DEADLINES: sa.Table = DeadlineRow.__table__  # type: ignore[attr-defined]
ASSISTANTS: sa.Table = AssistantRow.__table__  # type: ignore[attr-defined]
TASKS: sa.Table = TaskRow.__table__  # type: ignore[attr-defined]
NOTICES: sa.Table = NoticeRow.__table__  # type: ignore[attr-defined]
MESSAGES: sa.Table = MessageRow.__table__  # type: ignore[attr-defined]

# What a deadline's task asks, after its step's name (marked for the catalogue: a French page
# writes the task with the step's French name and these words in French, web/i18n.py).
TASK_KINDS = {"due": "", "convene": N_("convene the meeting"), "announcement": N_("announce it"),
              "reply": N_("the requested State's reply"),
              "invitation": N_("invite the requested State"), "report": N_("submit the report")}


@dataclasses.dataclass(frozen=True)
class Stored:
    """A case row as a writer read it: the projection and the version it was read at."""

    id: str
    last_seq: int
    last_hash: str
    version: int
    snapshot: dict[str, Any]
    columns: dict[str, Any]  # as `columns` wrote them


# The columns `columns(case)` fills; an UPDATE sets only those that changed, so that an event
# that leaves them be rewrites no entry of their indexes.
COLUMNS = ("requested_state", "stage", "status", "region", "scenario", "confidentiality",
           "decision_ref", "decision_date", "travel_date", "assisting", "hidden_from_bureau")


_SELECT = sa.select(CASES.c.id, CASES.c.last_seq, CASES.c.last_hash, CASES.c.version,
                    CASES.c.snapshot, *(CASES.c[k] for k in COLUMNS))
_ONE = _SELECT.where(CASES.c.id == bindparam("case_id"))
_MANY = _SELECT.where(CASES.c.id.in_(bindparam("ids", expanding=True)))
_UPDATE_CASE = (CASES.update()
                .where(CASES.c.id == bindparam("b_id"), CASES.c.version == bindparam("b_version"))
                .values(version=CASES.c.version + 1))
_INSERT_CASE, _INSERT_EVENT, _INSERT_DEADLINE, _INSERT_TASK = (
    sa.insert(t) for t in (CASES, EVENTS, DEADLINES, TASKS))
_UPDATE_DEADLINE = (DEADLINES.update()
                    .where(DEADLINES.c.case_id == bindparam("b_case"),
                           DEADLINES.c.position == bindparam("b_position")))
_CLOSE_TASK = (TASKS.update()
               .where(TASKS.c.case_id == bindparam("b_case"), TASKS.c.status == "open",
                      TASKS.c.deadline_position == bindparam("b_position"))
               .values(note=sa.func.coalesce(TASKS.c.note, bindparam("b_note"))))
# The notes a task closed here is given: words of noncoop, shown in the reader's language
# (web/i18n.py task_note); the CLI and the API give them as stored.
CLOSED_WITH_THE_CASE = N_("closed with the case")
DEADLINE_CLOSED = N_("deadline %(status)s")


def _stored(row: sa.Row[Any] | tuple[Any, ...]) -> Stored:
    return Stored(*row[:5], columns=dict(zip(COLUMNS, row[5:], strict=True)))


def load(db: Session, case_id: str) -> Stored | None:
    """The case row; read once a request in the web app (store/memo.py): a page asks several
    services about one case, and each loads it to check who may see it."""
    def read() -> Stored | None:
        row = prepared.first(db.connection(), _ONE, {"case_id": case_id})
        return _stored(row) if row is not None else None
    return memo.remembered(db, ("case", case_id), read)


def load_many(db: Session, ids: Iterable[str]) -> dict[str, Stored]:
    return {r.id: _stored(r) for r in db.connection().execute(_MANY, {"ids": list(ids)})}


def conflict(case_id: str) -> Conflict:
    return Conflict(f"case {case_id} was changed by someone else while you acted; nothing of "
                    "yours was saved: look at it again (`noncoop case show`) and retry")


def columns(case: Case) -> dict[str, Any]:
    """What the case row holds besides the snapshot, so that lists read no snapshot (nor
    decide who may see a case by reading it: access.sees_where)."""
    return {"requested_state": case.requested_state, "stage": case.stage, "status": case.status,
            "region": case.region, "scenario": case.scenario,
            "confidentiality": case.confidentiality, "decision_ref": case.decision_ref,
            "decision_date": case.decision_date, "travel_date": case.travel_date,
            "assisting": access.assisting(case),
            "hidden_from_bureau": access.hidden_from_bureau(case)}


def assistant_rows(case_id: str, region: str, assisting: str) -> list[dict[str, str]]:
    """The rows of case_assistants a case row with `region` and `assisting` has."""
    return [{"email": email, "region": region, "case_id": case_id}
            for email in access.asked(assisting)]


@dataclasses.dataclass
class Batch:
    """The rows of one or many saves, written with one statement a table: a sweep that marks
    a thousand cases' deadlines missed sends a handful of statements, not thousands."""

    cases: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    events: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    new_deadlines: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    changed_deadlines: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    new_tasks: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    closed_tasks: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    closed_cases: list[Event] = dataclasses.field(default_factory=list)
    # The rows of case_assistants of each case whose people asked or region changed: all of
    # its rows, replacing those it had (the last, if a case is here twice).
    assistants: list[tuple[str, list[dict[str, str]]]] = dataclasses.field(default_factory=list)

    def write(self, db: Session) -> None:
        """Send the rows, case rows first: when one of them was changed by another writer
        since it was read, the version check fails before anything else is written."""
        conn = db.connection()
        # One UPDATE for the case rows that set the same columns. Both drivers report the rows
        # an executemany changed in total (SQLAlchemy's supports_sane_multi_rowcount), so one
        # count checks every version at once.
        alike: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in self.cases:
            alike.setdefault(tuple(row), []).append(row)
        for rows in alike.values():
            if prepared.write(conn, _UPDATE_CASE, rows) != len(rows):
                raise _first_conflict(conn, rows)
        for row in self.cases:
            _forget(db, row["b_id"])
        for statement, rows in ((_INSERT_EVENT, self.events),
                                (_INSERT_DEADLINE, self.new_deadlines),
                                (_UPDATE_DEADLINE, self.changed_deadlines),
                                (_INSERT_TASK, self.new_tasks),
                                (_CLOSE_TASK, self.closed_tasks)):
            if rows:
                prepared.write(conn, statement, rows)
        if self.assistants:
            now = dict(self.assistants)
            conn.execute(ASSISTANTS.delete().where(ASSISTANTS.c.case_id.in_(now)))
            asked = [row for rows in now.values() for row in rows]
            if asked:
                conn.execute(ASSISTANTS.insert(), asked)
        for event in self.closed_cases:
            _close_the_rest(conn, event)


def save(db: Session, stored: Stored | None, case: Case, event: Event,
         batch: Batch | None = None) -> Stored:
    """Stage `event` and the projection `case` after it, in the caller's transaction (the
    caller commits, or rolls back on an error). `stored` is the case row as read before the
    event (None for a case being opened). A caller saving many cases at once (the sweep)
    passes a `batch` and writes it when all are staged; without one the rows are written now.
    Returns the case row as it is after the event (for a second event in the same transaction)."""
    fields = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    prev = stored.last_hash if stored is not None else audit.GENESIS
    fields["prev_hash"], fields["hash"] = prev, audit.link(prev, fields)
    row = {"snapshot": to_snapshot(case), "last_seq": event.seq, "last_hash": fields["hash"],
           "head_mac": audit.head_mac(case.id, event.seq, fields["hash"])}
    rows = batch if batch is not None else Batch()
    memo.forget(db, ("case", case.id))
    now = columns(case)
    if stored is None:
        # The new case row goes first: its event and deadlines refer to it.
        db.connection().execute(_INSERT_CASE, {**row, **now, "id": case.id,
                                               "opened_at": event.at, "version": 1})
    else:
        changed = {k: v for k, v in now.items() if stored.columns[k] != v}
        rows.cases.append({**row, **changed, "b_id": case.id, "b_version": stored.version})
    asked = (now["assisting"], now["region"])
    if asked != ((stored.columns["assisting"], stored.columns["region"]) if stored is not None
                 else ("", now["region"])):  # a case opened asks no one yet
        rows.assistants.append((case.id, assistant_rows(case.id, now["region"],
                                                        now["assisting"])))
    rows.events.append(fields)
    _deadlines(rows, stored.snapshot["deadlines"] if stored is not None else [], case, event)
    if event.kind == "case_closed":
        rows.closed_cases.append(event)
    if batch is None:
        rows.write(db)
    return Stored(case.id, event.seq, fields["hash"], stored.version + 1 if stored else 1,
                  row["snapshot"], now)


def _first_conflict(conn: sa.Connection, staged: list[dict[str, Any]]) -> Conflict:
    """The Conflict of the first staged case whose row the UPDATE did not change: the rows it
    changed carry the staged event's hash, another writer's row carries another."""
    hashes = dict(conn.execute(sa.select(CASES.c.id, CASES.c.last_hash).where(
        CASES.c.id.in_([r["b_id"] for r in staged]))).all())
    stale = next((r["b_id"] for r in staged if hashes.get(r["b_id"]) != r["last_hash"]),
                 staged[0]["b_id"])
    return conflict(stale)


def _forget(db: Session, case_id: str) -> None:
    # A CaseRow the ORM holds for this case is now stale: it is reloaded when next asked for.
    if not db.identity_map:  # a step holds no ORM object: nothing to look for
        return
    held = db.identity_map.get(identity_key(CaseRow, case_id))
    if held is not None:
        db.expire(held)


def _deadlines(rows: Batch, before: list[dict[str, Any]], case: Case, event: Event) -> None:
    """Deadline rows and their tasks follow the case: new deadlines are inserted with a task for
    the role responsible; a deadline whose status changed is updated, and its task closed when
    the deadline is no longer outstanding."""
    new = []
    for position, d in enumerate(case.deadlines):
        outstanding = d.outstanding
        if position >= len(before):
            new.append(position)
            rows.new_deadlines.append({
                "case_id": case.id, "position": position, "step": d.step, "kind": d.kind,
                "due": d.due, "due_at": ends_at(d.due, d.due_at), "status": d.status,
                "who": d.who, "basis": d.basis,
                "remind_from": d.remind_from or d.due, "outstanding": outstanding,
                "reminder_queued": False, "missed_queued": False, "missed_on": None})
            continue
        old = before[position]
        was = old.get("done_on") is None and old["status"] in ("open", "missed")
        if old["status"] != d.status or was != outstanding:
            rows.changed_deadlines.append({"b_case": case.id, "b_position": position,
                                           "status": d.status, "outstanding": outstanding})
        if was and not outstanding:
            done = d.done_on is not None
            rows.closed_tasks.append({
                "b_case": case.id, "b_position": position, "status": "done" if done
                else "cancelled", "closed_on": event.on, "closed_by": event.by,
                "b_note": None if done else CLOSED_WITH_THE_CASE if d.status == "closed"
                else DEADLINE_CLOSED % {"status": d.status}})
    if new:
        steps = load_procedure(case.workflow, case.workflow_version).steps
        now = clock.now()
        rows.new_tasks += [_task(case, p, steps, now) for p in new]


def _task(case: Case, position: int, steps: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    d = case.deadlines[position]
    title = steps[d.step].title if d.step in steps else d.step
    extra = TASK_KINDS.get(d.kind, d.kind)
    return {"case_id": case.id, "step": d.step, "title": f"{title}: {extra}" if extra else title,
            "assignee": d.who, "due": d.due, "deadline_position": position, "status": "open",
            "note": None, "created_at": now, "closed_on": None, "closed_by": None}


def _close_the_rest(conn: sa.Connection, event: Event) -> None:
    """A closed case asks nothing more of anyone: its other open tasks (requests for
    assistance) are cancelled, and what the outbox holds about it unsent is cancelled too
    (notices not yet expanded, messages not yet sent), in the transaction of the close."""
    closing = {"status": "cancelled", "closed_on": event.on, "closed_by": event.by}
    conn.execute(TASKS.update().where(TASKS.c.case_id == event.case_id, TASKS.c.status == "open")
                 .values(**closing, note=sa.func.coalesce(TASKS.c.note, CLOSED_WITH_THE_CASE)))
    conn.execute(NOTICES.update().where(NOTICES.c.case_id == event.case_id,
                                        NOTICES.c.status == "queued").values(status="cancelled"))
    about_it = sa.select(NOTICES.c.id).where(NOTICES.c.case_id == event.case_id)
    conn.execute(MESSAGES.update().where(MESSAGES.c.status == "pending",
                                         MESSAGES.c.notice_id.in_(about_it))
                 .values(status="cancelled"))
