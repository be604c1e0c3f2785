"""The dashboard's work list for the person signed in: his or her tasks sorted into what needs
doing now, this week and later; what waits on others (another role's or person's step, or the
requested State's reply to a letter); and the misses older than the current reporting cycle,
one line a case. Only what `by` may see (tasks.py and lists.py apply access.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from noncoop import access, clock, config, states, tasks, vocabulary
from noncoop.domain import load_procedure
from noncoop.domain.agenda import PARTS, awaits_addressee, cycle_start, sort_work
from noncoop.errors import BadInput
from noncoop.services.calendars import sessions
from noncoop.services.lists import list_deadlines, names_of

REQUESTED_STATE = "requested_state"  # who a reply to a letter waits on
# Items a part shows; the others are counted (`more`). A page of a hundred thousand cases
# named each, logged each restricted one it named and weighed megabytes (bench/scale.py).
SHOWN = 100


def work(db: Session, by: str, today: dt.date | None = None, lang: str = "en") -> dict[str, Any]:
    today = today or clock.today()
    v = access.viewer(db, by)
    # The newest workflow names the steps; a case under an older version has the same steps.
    procedure = load_procedure("formal")
    titles = procedure.titles(lang)
    deadlines = list_deadlines(db, today, by=by)
    kinds = {(d["case_id"], d["step"], d["due"]): d["kind"] for d in deadlines}

    def item(case_id: str, step: str, due: str | None, title: str, who: str,
             **more: Any) -> dict[str, Any]:
        return {"case_id": case_id, "step": step, "due": due, "title": title, "who": who,
                **more}

    def title(t: dict[str, Any]) -> str:
        # A deadline's task is titled in English when it is made; in another language the
        # step's own title says it. A request for assistance keeps the President's words.
        if lang != "en" and (t["case_id"], t["step"], t["due"]) in kinds:
            return titles.get(t["step"], t["title"])
        return t["title"]

    mine_rows = tasks.list_tasks(db, None if v.role == "admin" else v.email, by=by)
    mine, others = [], []
    for t in mine_rows:
        kind = kinds.get((t["case_id"], t["step"], t["due"]))
        if kind is not None and awaits_addressee(procedure, t["step"], kind):
            others.append(item(t["case_id"], t["step"], t["due"], title(t), REQUESTED_STATE))
        else:
            mine.append(item(t["case_id"], t["step"], t["due"], title(t), t["assignee"],
                             task_id=t["id"]))
    if v.sees_all and v.role != "admin":
        # The President's office and the Secretariat see everyone's tasks: the others' are
        # what they wait on (the Secretariat's forwarding, a focal point's assistance).
        ids = {t["id"] for t in mine_rows}
        others += [item(t["case_id"], t["step"], t["due"], title(t), t["assignee"])
                   for t in tasks.list_tasks(db, None, by=by) if t["id"] not in ids]
    elif not v.sees_all:
        # A focal point or a Bureau member sees the deadlines of the cases he or she may see
        # (lists.py): those of other roles are what waits on others.
        others += [item(d["case_id"], d["step"], d["due"],
                        f"{titles.get(d['step'], d['step'])} "
                        f"({vocabulary.word('deadline_kind', d['kind'], lang)})",
                        REQUESTED_STATE if awaits_addressee(procedure, d["step"], d["kind"])
                        else d["who"]) for d in deadlines if d["who"] != v.role]
    since = cycle_start(sessions(db), config.deadlines(), today)
    out = sort_work(mine, others, today, since)
    out["more"] = {key: max(len(out[key]) - SHOWN, 0) for key in PARTS}
    for key in PARTS:
        out[key] = out[key][:SHOWN]
    # The requested State of each case shown, read for those alone; a restricted one is on
    # the access log as any list that shows it.
    shown = [i for key in PARTS for i in out[key]]
    names = names_of(db, v, {i["case_id"] for i in shown})
    for i in shown:
        i["state"] = _state(names[i["case_id"]], lang) if i["case_id"] in names else None
    out["since"] = since.isoformat() if since else None
    return out


def _state(name: str, lang: str) -> str:
    """A State's name in `lang`; a name recorded before the lists changed, as recorded."""
    try:
        return states.lookup(name).named(lang)
    except BadInput:  # not in the lists (any more)
        return name
