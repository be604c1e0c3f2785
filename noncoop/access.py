"""Who may see and do what (SPEC "Who uses it", "Confidentiality"), enforced in the services so
that every way in (CLI, API, web) obeys it. Which steps are the good offices' (restricted) and
which of them the Bureau learns of is the workflow's word, never a list kept here.

- The local administrator, the President's office and the Secretariat see every case.
- A regional focal point sees the cases of his or her region; a person asked to assist (para
  20), focal point or Bureau member, sees the case while the request is open; both in full.
- A Bureau member sees the formal records; a 7(b) case not at all until good offices are
  activated, then only that they were, by whom and when (paras 11, 18).
- Anyone else, and anyone outside his or her active period, sees nothing: a case he or she may
  not see is "not found", worded exactly as a case that does not exist.
Every read of a restricted case, every list that showed one and every refused attempt is logged
(AccessLogRow), with the way in it came through."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NoReturn

import sqlalchemy as sa
from sqlmodel import Session

from noncoop import clock
from noncoop.domain.case import Case, unknown_case
from noncoop.domain.procedure import load_procedure
from noncoop.errors import NotFound, Refused
from noncoop.identity import ADMIN, WAY_IN
from noncoop.store import memo
from noncoop.store.models import AccessLogRow, AssistantRow, CaseRow, PersonRow, TaskRow

ACCESS_LOG = AccessLogRow.__table__  # type: ignore[attr-defined]
CASES = CaseRow.__table__  # type: ignore[attr-defined]
ASSISTANTS = AssistantRow.__table__  # type: ignore[attr-defined]
TASKS = TaskRow.__table__  # type: ignore[attr-defined]

if TYPE_CHECKING:
    from noncoop.store.journal import Stored



def reserved(email: str) -> str | None:
    """Why `email` can be no person's and no login's, or None: the local administrator's
    identity (whoever held it would act as administrator) and the system's own (system:...)."""
    email = email.strip().lower()
    if email == ADMIN:
        return f"{ADMIN} is the local administrator's identity (the default of --as)"
    if email.startswith("system:"):
        return f"{email} names a part of noncoop itself (the sweep, the worker)"
    return None
# The steps of the good offices lane (para 11: "entirely informal"), as the workflow says, and
# those of them the Bureau learns were taken (para 18).
INFORMAL_STEPS = load_procedure().lane_steps("good_offices")
DISCLOSED_STEPS = load_procedure().disclosed_steps()
SEES_ALL = ("admin", "president_office", "secretariat")


@dataclass(frozen=True)
class Viewer:
    email: str
    role: str  # admin | president_office | secretariat | focal_point | bureau | none
    region: str | None = None
    president: bool = False

    @property
    def sees_all(self) -> bool:
        return self.role in SEES_ALL


def viewer(db: Session, email: str, on: dt.date | None = None) -> Viewer:
    """The person acting (`--as`), as the directory knows him or her on `on`."""
    email = (email or ADMIN).strip().lower()
    if email == ADMIN:
        return Viewer(ADMIN, "admin")
    on = on or clock.today()

    def read() -> Viewer:
        from noncoop.people import active

        person = db.exec(active(on).where(PersonRow.email == email)).first()
        if person is None:
            from noncoop.accounts import admin_login

            return Viewer(email, "admin" if admin_login(db, email) else "none")
        return Viewer(person.email, person.role, person.region, person.president)
    # Asked by each service a page calls: read once a request in the web app (store/memo.py).
    return memo.remembered(db, ("viewer", email, on), read)


def not_found(case_id: str) -> NotFound:
    # The same words as for a case that does not exist: no hint that it does.
    return NotFound(unknown_case(case_id), code="unknown_case")


def assisting(case: Case) -> str:
    """The people the President asked to assist on the case whose request is still open (paras
    20, 22), comma-separated as the case row keeps them."""
    return ",".join(sorted(set(case.assisting)))


def asked(assisting: str) -> list[str]:
    """The addresses of the case row's `assisting`, as a viewer's address is compared with
    them: one row each of case_assistants."""
    return sorted({e.strip().lower() for e in assisting.split(",")} - {""})


def sight(v: Viewer, case: Case) -> str | None:
    """How `v` sees `case`: "full", "formal" (informal details hidden) or None (not at all)."""
    return sight_of(v, case.region, assisting(case), hidden_from_bureau(case))


def hidden_from_bureau(case: Case) -> bool:
    """A restricted case (7(b)) is not the Bureau's to see until good offices are activated:
    para 18 tells Bureau members of the initiative, nothing before it."""
    if case.confidentiality != "restricted":
        return False
    return not any(case.steps.get(s) is not None and case.steps[s].status == "done"
                   for s in DISCLOSED_STEPS)


def sight_of(v: Viewer, region: str, assisting: str, hidden: bool = False) -> str | None:
    """`sight` from what the case row holds: the region, the people asked to assist, and
    whether the case is still hidden from the Bureau (`hidden_from_bureau`)."""
    if v.sees_all:
        return "full"
    if v.role in ("focal_point", "bureau") and v.email in asked(assisting):
        return "full"  # asked to assist (para 20), whatever the role
    if v.role == "focal_point":
        return "full" if v.region == region else None
    if v.role == "bureau":
        return None if hidden else "formal"
    return None


def sees_where(v: Viewer) -> sa.ColumnElement[bool] | None:
    """`sight_of` as a condition on the case rows: the cases `v` may see at all, so that a
    list finds them in the database (ix_cases_sight) instead of reading every case; None for
    one who sees every case. It must say what `sight_of` says (tests/test_access_lists.py
    checks every combination); the list still asks `sight_of` how each case is seen."""
    if v.sees_all:
        return None
    c, a = CASES.c, ASSISTANTS.c
    # Asked to assist: a row of case_assistants for the case. SQLite seeks it by its whole key
    # as each case of the list is read; PostgreSQL reads the person's rows once for the list.
    asked = sa.exists().where(a.email == v.email, a.region == c.region, a.case_id == c.id)
    if v.role == "focal_point":
        if v.region is not None:
            # A case of his or her own region is seen already: only the rows of the other
            # regions can add one, and PostgreSQL then reads only those, two seeks of the key
            # on either side of the region (`!=` would read all the person's rows; its planner
            # knows how few they are from migration 0018's statistics), where it read every
            # row of the person's, however many cases of the region he or she was asked on
            # (10 ms a statement at 20,000, bench/scale.py).
            asked = asked.where(sa.or_(a.region < v.region, a.region > v.region))
        return sa.or_(c.region == v.region, asked)
    if v.role == "bureau":
        return sa.or_(c.hidden_from_bureau == sa.false(), asked)
    return sa.false()


def sees_task_where(v: Viewer) -> sa.ColumnElement[bool] | None:
    """Whether `v` may see a task, as a condition on the task rows: a task is seen as the step
    it belongs to (`sight`), so only on a case `v` may see (`sees_where`), and not, by a Bureau
    member who sees only the formal record, if its step is of the good offices (para 18).
    None for one who sees every task. tests/test_access_lists.py checks it against sight_of."""
    return sees_step_where(v, TASKS)


def sees_step_where(v: Viewer, rows: sa.Table) -> sa.ColumnElement[bool] | None:
    """`sees_task_where` for the rows of any table of a case's steps (`case_id`, `step`): the
    tasks, the deadlines."""
    if v.sees_all:
        return None
    c, t = CASES.c, rows.c
    return sa.exists().where(c.id == t.case_id, sees_where(v),
                             *[w for w in (step_seen_where(v, t.step),) if w is not None])


def step_seen_where(v: Viewer, step: sa.ColumnElement[str]) -> sa.ColumnElement[bool] | None:
    """Whether `v` sees `step` of a case he or she may see, as a condition on the case row:
    a Bureau member who sees only the formal record does not see the good offices' steps
    (para 18), unless asked to assist (sight_of). None when every step is seen."""
    if v.role != "bureau":
        return None
    c, a = CASES.c, ASSISTANTS.c
    asked = sa.exists().where(a.email == v.email, a.region == c.region, a.case_id == c.id)
    return sa.or_(step.not_in(sorted(INFORMAL_STEPS)), asked)


def sees_in_region(v: Viewer, region: str) -> list[sa.Exists] | None:
    """Whether `v` may see a case of `region`, as questions any of which says yes: each is
    one seek of an index (ix_cases_region_sight, the key of case_assistants), where
    `sees_where` would read every case of the region that asks someone. None for one who sees
    every case. It must say what `sees_where` says of the region's cases (tests/
    test_access_lists.py)."""
    if v.sees_all:
        return None
    c, a = CASES.c, ASSISTANTS.c
    asked = sa.exists().where(a.email == v.email, a.region == region)
    if v.role == "focal_point":
        return [sa.exists().where(c.region == region, c.region == v.region), asked]
    if v.role == "bureau":
        return [sa.exists().where(c.region == region, c.hidden_from_bureau == sa.false()), asked]
    return []


def formal_view(case: Case) -> Case:
    """The case as a Bureau member may know it: the formal record, and of the good offices only
    that they were activated, by whom and when (para 11, para 18)."""
    steps = {k: (replace(v, reason=None, data={}) if k in DISCLOSED_STEPS else v)
             for k, v in case.steps.items() if k not in INFORMAL_STEPS or k in DISCLOSED_STEPS}
    return replace(case, summary=None, person=None if case.scenario == "7b" else case.person,
                   travel_date=None, steps=steps,
                   deadlines=[d for d in case.deadlines if d.step not in INFORMAL_STEPS])


# WAY_IN (noncoop/identity.py): through which way the present request came, set once where it
# enters (cli, api, web), read here where the log is written.


def log(db: Session, v: Viewer, case_id: str, action: str, seen: str,
        commit: bool = True) -> None:
    """An access-log row, committed at once unless the caller logs several: a refused attempt
    is kept although the action it was part of stores nothing."""
    db.add(AccessLogRow(at=clock.now(), who=v.email[:320], role=v.role, case_id=case_id[:32],
                        action=action, sight=seen, way=WAY_IN.get()))
    if commit:
        db.commit()


def log_list(db: Session, v: Viewer, seen: list[tuple[str, str]], action: str = "list") -> None:
    """The access-log rows of a list (or of cases shown together, `action` "show") that held
    restricted cases, one for each (case number, sight), written in one statement and
    committed: a page of a hundred restricted cases costs one insert, not a hundred."""
    at, way = clock.now(), WAY_IN.get()
    db.connection().execute(ACCESS_LOG.insert(), [
        {"at": at, "who": v.email[:320], "role": v.role, "case_id": case_id[:32],
         "action": action, "sight": sight, "way": way} for case_id, sight in seen])
    db.commit()


def restricted(case: Case) -> bool:
    """A case whose record holds anything of the good offices (para 11)."""
    return case.confidentiality == "restricted" or any(s in INFORMAL_STEPS for s in case.steps)


def visible(db: Session, v: Viewer, case: Case, action: str = "show") -> Case:
    """The case as `v` may see it, or "not found"; a read of a restricted case and a refused
    attempt are logged."""
    seen = sight(v, case)
    if seen is None:
        refuse(db, v, case.id, action)
    if restricted(case):
        log(db, v, case.id, action, seen)  # type: ignore[arg-type]
    return case if seen == "full" else formal_view(case)


def refuse(db: Session, v: Viewer, case_id: str, action: str) -> NoReturn:
    """"Not found", logged: the same words, status and work for a case `v` may not see as for
    one that does not exist (`seen_case`), so neither the answer nor its time tells which."""
    log(db, v, case_id, action, "refused")
    raise not_found(case_id)


def seen_case(db: Session, by: str, case_id: str,
              action: str = "show") -> tuple[Viewer, Stored, Case, Case]:
    """The one check before anything about a case is said: the person acting, the case's row
    and record, and the case as he or she may see it; "not found" (logged) for a case that does
    not exist and for one he or she may not see alike."""
    from noncoop.record import load_case

    v = viewer(db, by)
    try:
        stored, case = load_case(db, case_id)
    except NotFound:
        refuse(db, v, case_id, action)
    return v, stored, case, visible(db, v, case, action)


# Who may record what. A step's `actors` in the workflow override these defaults.
FORMAL_ACTORS = ("president_office", "secretariat")
INFORMAL_ACTORS = ("president_office",)


def may_act(v: Viewer, case: Case, step: str, actors: tuple[str, ...] | None) -> None:
    """Refuse an action `v` may not take; the case must be visible to `v` first."""
    if v.role == "admin":
        return
    allowed = actors or (INFORMAL_ACTORS if step in INFORMAL_STEPS else FORMAL_ACTORS)
    if "assisting" in allowed and v.email in asked(assisting(case)):
        return  # the President asked him or her to assist (para 20)
    if v.role not in allowed:
        who = ", ".join("the people asked to assist" if a == "assisting" else a.replace("_", " ")
                        for a in allowed)
        raise Refused(f"refused by rule permission: {step} is recorded by {who}; you act as "
                      f"{v.email} ({v.role.replace('_', ' ')})", code="permission",
                      rule="permission", paragraph=_paragraph(step))


def require(v: Viewer, roles: tuple[str, ...], what: str) -> None:
    """Refuse `what` unless `v` has one of `roles` (the administrator always may)."""
    if v.role != "admin" and v.role not in roles:
        raise Refused(f"refused by rule permission: {what} is for "
                      f"{', '.join(r.replace('_', ' ') for r in roles)}; you act as {v.email} "
                      f"({v.role.replace('_', ' ')})", code="permission", rule="permission",
                      paragraph="23" if "secretariat" in roles else "13")


def _paragraph(step: str) -> str:
    """The Annex II paragraph of `step`, as its workflow entry gives it."""
    procedure = load_procedure()
    if step in procedure.steps:
        return procedure.steps[step].paragraph
    return str(procedure.stage_moves.get(step, {}).get("paragraph", "13"))
