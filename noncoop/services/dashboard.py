"""The dashboard's work list for the person signed in: his or her tasks sorted into what needs
doing now, this week and later; what waits on others (another role's or person's step, or the
requested State's reply to a letter); and the misses older than the current reporting cycle,
one line a case. Only what `by` may see (access.py).

The parts are those `agenda.sort_work` makes of the same items (tests/test_dashboard.py holds
them to it); here the database sorts and counts them and gives the first SHOWN of each part: at
100,000 cases the President's office has 40,000 open tasks, and reading them all to show a
hundred took more than a second (bench/scale.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from noncoop import access, clock, config, states, tasks, vocabulary
from noncoop.domain import load_procedure
from noncoop.domain.agenda import PARTS, WEEK, addressed, cycle_start
from noncoop.domain.deadlines import DAY, day_start, ends_at
from noncoop.errors import BadInput
from noncoop.services.calendars import sessions
from noncoop.services.lists import names_of
from noncoop.services.views import utc_text
from noncoop.store.journal import DEADLINES, TASKS
from noncoop.store.models import STATUS_OPEN

REQUESTED_STATE = "requested_state"  # who a reply to a letter waits on
# Items a part shows; the others are counted (`more`). A page of a hundred thousand cases
# named each, logged each restricted one it named and weighed megabytes (bench/scale.py).
SHOWN = 100


def work(db: Session, by: str, today: dt.date | None = None, lang: str = "en") -> dict[str, Any]:
    today = today or clock.today()
    v = access.viewer(db, by)
    # The newest workflow names the steps; a case under an older version has the same steps.
    procedure = load_procedure("formal")
    since = cycle_start(sessions(db), config.deadlines(), today)
    week_end, tomorrow = today + dt.timedelta(days=WEEK), today + DAY
    sources = _sources(db, v, addressed(procedure))
    conn = db.connection()

    def each(part: str) -> list[sa.Select[Any]]:
        """Each source's rows of `part`, as sort_work parts them: past due before the cycle
        began is older, mine or others'; of the rest, mine by due date, and others' waiting."""
        out = []
        for source in sources:
            due = source.due
            if part == "older":
                out.append(source.rows.where(due < since))
                continue
            whose = source.others if part == "waiting" else source.mine
            if whose is None:  # none of this source's rows are of this part
                continue
            current = sa.or_(due.is_(None), due >= since) if since else sa.true()
            # An hour limit running out tomorrow needs its person now (agenda.sort_work): the
            # rows due tomorrow are a select of their own, a short range of the due index
            # where alone the deadline's instant is asked.
            soon = source.runs_out_before(day_start(tomorrow + DAY))
            conds = {"now": [sa.and_(current, sa.or_(due.is_(None), due <= today)),
                             sa.and_(due == tomorrow, soon)],
                     "week": [sa.and_(due == tomorrow, ~soon),
                              sa.and_(due > tomorrow, due <= week_end)],
                     "later": [due > week_end], "waiting": [current]}[part]
            out += [source.rows.where(whose, cond) for cond in conds]
        return out

    titles = procedure.titles(lang)
    out: dict[str, Any] = {"more": {}}
    found: dict[str, list[Any]] = {}
    for part in ("now", "week", "later", "waiting"):
        selects = each(part)
        rows = []
        if selects:
            items = sa.union_all(*selects).subquery()
            c = items.c
            rows = conn.execute(sa.select(items).order_by(
                c.due.is_(None), c.due, c.case_id, c.task_id, c.step, c.who).limit(SHOWN)).all()
        found[part] = rows
        out["more"][part] = _count(conn, selects, len(rows)) - len(rows)
    # The instant each deadline shown runs out, read for those alone (an hour limit's is shown).
    runs_out = _instants(conn, {(r.case_id, r.position) for rows in found.values() for r in rows
                                if r.position is not None})
    for part, rows in found.items():
        out[part] = [_item(r, runs_out.get((r.case_id, r.position)), today, titles, lang)
                     for r in rows]
    out["older"], out["more"]["older"] = _older(conn, each("older")) if since else ([], 0)
    # The requested State of each case shown, read for those alone; a restricted one is on
    # the access log as any list that shows it.
    shown = [i for key in PARTS for i in out[key]]
    names = names_of(db, v, {i["case_id"] for i in shown})
    for i in shown:
        i["state"] = _state(names[i["case_id"]], lang) if i["case_id"] in names else None
    out["since"] = since.isoformat() if since else None
    return out


def _older(conn: sa.Connection, selects: list[sa.Select[Any]]) -> tuple[list[dict[str, Any]], int]:
    """The older misses, one line a case by case number: the first SHOWN, and how many more."""
    # Only the case and the date are read: each row's other columns would be worked out for
    # nothing (whose it is, whether it waits on a reply).
    c = sa.union_all(*(s.with_only_columns(s.selected_columns.case_id, s.selected_columns.due)
                       for s in selects)).subquery().c
    lines = [{"case_id": r.case_id, "count": r.count, "first": _iso(r.first),
              "last": _iso(r.last)} for r in conn.execute(
        sa.select(c.case_id, sa.func.count().label("count"), sa.func.min(c.due).label("first"),
                  sa.func.max(c.due).label("last"))
        .group_by(c.case_id).order_by(c.case_id).limit(SHOWN))]
    if len(lines) < SHOWN:
        return lines, 0
    # Counted apart: a window over the groups (count() over ()) made the list itself slower.
    cases = conn.scalar(sa.select(sa.func.count(sa.distinct(c.case_id)))) or 0
    return lines, cases - len(lines)


def _count(conn: sa.Connection, selects: list[sa.Select[Any]], shown: int) -> int:
    """How many rows the selects give: as many as shown, unless a whole part is shown."""
    if shown < SHOWN:
        return shown
    return sum(conn.scalar(sa.select(sa.func.count()).select_from(
        s.with_only_columns(sa.literal(1)).subquery())) or 0 for s in selects)


@dataclasses.dataclass(frozen=True)
class _Source:
    """Rows of the dashboard from one table, with the conditions on them of being the
    reader's own work (`mine`) and of being others' (`others`), and their due date."""

    # case_id, step, due, position (of its deadline, if it has one), title, kind, follows,
    # who, task_id
    rows: sa.Select[Any]
    due: sa.ColumnElement[Any]
    mine: sa.ColumnElement[bool] | None  # None: none of its rows (no need to read them)
    others: sa.ColumnElement[bool] | None
    # Whether a row's deadline runs out before an instant (an hour limit's own instant).
    runs_out_before: Callable[[dt.datetime], sa.ColumnElement[bool]]


def _sources(db: Session, v: access.Viewer, addressed: list[tuple[str, str]]) -> list[_Source]:
    """Everything on `v`'s dashboard: his or her open tasks, except those that wait on the
    requested State's reply to a letter; and as the others' work, for the President's office
    and the Secretariat everyone else's open tasks, for anyone else who does not see
    everything the outstanding deadlines of other roles on the cases he or she may see (a task
    and a deadline are seen as their step, access.py)."""
    t, d = TASKS.c, DEADLINES.c

    def awaits(step: sa.ColumnElement[str], kind: Any) -> sa.ColumnElement[bool]:
        return sa.or_(sa.false(), *(sa.and_(step == s, kind == k) for s, k in addressed))

    # A task mirrors a deadline (deadline_position): the reply to a letter is the addressee's.
    reply = sa.and_(t.step.in_(sorted({s for s, _ in addressed})), sa.exists().where(
        d.case_id == t.case_id, d.position == t.deadline_position, d.outstanding == sa.true(),
        awaits(t.step, d.kind)))
    if v.role == "admin":  # a login outside the directory: every task is his or hers
        own, only = sa.true(), []
    elif v.role == "none":  # a person outside his or her term is nobody
        own, only = sa.false(), [sa.false()]
    else:
        own = t.assignee.in_(tasks.assignees(db, v.email))
        # The President's office and the Secretariat see everyone's tasks: the others'
        # are what they wait on (the Secretariat's forwarding, a focal point's assistance).
        only = [] if v.sees_all else [own, access.sees_step_where(v, TASKS)]
    mine = sa.and_(own, ~reply)
    mirrored = DEADLINES.alias("mirrored")  # the deadline a task mirrors

    def task_runs_out_before(instant: dt.datetime) -> sa.ColumnElement[bool]:
        return sa.exists().where(mirrored.c.case_id == t.case_id,
                                 mirrored.c.position == t.deadline_position,
                                 mirrored.c.due_at < instant)

    of_tasks = sa.select(
        t.case_id, t.step, t.due, t.deadline_position.label("position"), t.title,
        sa.null().label("kind"),
        # whether the task follows a deadline of its step (rather than a request's words)
        sa.case((t.deadline_position.is_not(None), 1), else_=0).label("follows"),
        sa.case((~own, t.assignee), (reply, REQUESTED_STATE), else_=t.assignee).label("who"),
        sa.case((mine, t.id), else_=None).label("task_id"),
    ).where(t.status == STATUS_OPEN, *only)  # ix_tasks_open_due's condition, its constant
    sources = [_Source(of_tasks, t.due, mine, sa.or_(~own, reply), task_runs_out_before)]
    if not v.sees_all:
        of_deadlines = sa.select(
            d.case_id, d.step, d.due, d.position, sa.null().label("title"), d.kind,
            sa.literal(0).label("follows"),
            sa.case((awaits(d.step, d.kind), REQUESTED_STATE), else_=d.who).label("who"),
            sa.null().label("task_id"),
        ).where(d.outstanding == sa.true(), d.who != v.role, access.sees_step_where(v, DEADLINES))
        sources.append(_Source(of_deadlines, d.due, None, sa.true(),
                               lambda instant: d.due_at < instant))
    return sources


def _instants(conn: sa.Connection,
              keys: set[tuple[str, int]]) -> dict[tuple[str, int], dt.datetime]:
    """The instant each deadline of `keys` (case, position) runs out."""
    if not keys:
        return {}
    d = DEADLINES.c
    return {(r.case_id, r.position): r.due_at for r in conn.execute(
        sa.select(d.case_id, d.position, d.due_at).where(
            sa.tuple_(d.case_id, d.position).in_(sorted(keys))))}


def _item(r: Any, due_at: dt.datetime | None, today: dt.date, titles: dict[str, str],
          lang: str) -> dict[str, Any]:
    due = _iso(r.due)
    if r.title is None:  # another role's deadline: the step and what it asks
        title = f"{titles.get(r.step, r.step)} " \
                f"({vocabulary.word('deadline_kind', r.kind, lang)})"
    elif lang != "en" and r.follows:
        # A deadline's task is titled in English when it is made; in another language the
        # step's own title says it. A request for assistance keeps the President's words.
        title = titles.get(r.step, r.title)
    else:
        title = r.title
    item = {"case_id": r.case_id, "step": r.step, "due": due, "title": title, "who": r.who,
            "late": bool(due and due < today.isoformat())}
    if due_at is not None and due is not None and due_at != ends_at(dt.date.fromisoformat(due)):
        item["due_at"] = utc_text(due_at)  # an hour limit: the instant, not the day's end
    if r.task_id is not None:
        item["task_id"] = r.task_id
    return item


def _iso(day: Any) -> str | None:
    # A date, or on SQLite a union's date as the text it is stored as.
    if day is None:
        return None
    return day.isoformat() if isinstance(day, dt.date) else str(day)[:10]


def _state(name: str, lang: str) -> str:
    """A State's name in `lang`; a name recorded before the lists changed, as recorded."""
    try:
        return states.lookup(name).named(lang)
    except BadInput:  # not in the lists (any more)
        return name
