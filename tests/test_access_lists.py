"""A list finds the cases one may see in the database (access.sees_where), and it must find
exactly those `access.sight_of` lets him or her see: every combination of role, region, the
people asked to assist and a case still hidden from the Bureau is checked here, on SQLite and
PostgreSQL, with addresses that a careless LIKE would confuse."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import sqlalchemy as sa

from noncoop import access, people, services
from noncoop.services import lists
from noncoop.store import journal

D = dt.date
# The middle one's focal point is asked on cases of regions on either side of his or her own.
REGIONS = ("African States", "Asia-Pacific States", "Latin American and Caribbean States")
ASKED = ("", "x_y@example.org", "xzy@example.org", "other@example.org,x_y@example.org",
         "X_Y@Example.org", "50%@example.org", "a@example.org,b@example.org")
VIEWERS = [access.Viewer("x_y@example.org", "focal_point", "African States"),
           access.Viewer("xzy@example.org", "focal_point", "Asia-Pacific States"),
           access.Viewer("b@example.org", "focal_point", None),
           access.Viewer("x_y@example.org", "bureau"),
           access.Viewer("5@example.org", "bureau"),
           access.Viewer("50%@example.org", "bureau"),
           access.Viewer("a@example.org", "none"),
           access.Viewer("p@example.org", "president_office"),
           access.Viewer("s@example.org", "secretariat")]


@pytest.fixture
def rows(db):
    """A case row for each combination; only the columns sight is decided by differ."""
    combos = list(itertools.product(REGIONS, ASKED, (False, True)))
    db.connection().execute(journal.CASES.insert(), [
        {"id": f"NC-2024-{n:03d}", "requested_state": "Mongolia", "stage": "formal",
         "status": "open", "region": region, "scenario": "7b", "confidentiality": "restricted",
         "assisting": asked, "hidden_from_bureau": hidden, "opened_at": dt.datetime.now(dt.UTC),
         "last_seq": 0, "snapshot": {}, "last_hash": "", "head_mac": "", "version": 1}
        for n, (region, asked, hidden) in enumerate(combos)])
    # The people asked, one row each, as the journal writes them with the case row.
    db.connection().execute(journal.ASSISTANTS.insert(), [
        row for n, (region, asked, _) in enumerate(combos)
        for row in journal.assistant_rows(f"NC-2024-{n:03d}", region, asked)])
    db.commit()
    return {f"NC-2024-{n:03d}": combo for n, combo in enumerate(combos)}


@pytest.mark.parametrize("v", VIEWERS, ids=lambda v: f"{v.role}-{v.email}")
def test_the_database_finds_the_cases_sight_of_lets_one_see(db, rows, v):
    seen = access.sees_where(v)
    c = journal.CASES.c
    found = {i for (i,) in db.connection().execute(
        sa.select(c.id).where(*([seen] if seen is not None else [])))}
    expected = {i for i, (region, asked, hidden) in rows.items()
                if access.sight_of(v, region, asked, hidden) is not None}
    assert found == expected
    assert (seen is None) == v.sees_all


@pytest.mark.parametrize("v", VIEWERS, ids=lambda v: f"{v.role}-{v.email}")
def test_the_regions_offered_are_those_of_the_cases_sight_of_lets_one_see(db, rows, v):
    expected = {region for region, asked, hidden in rows.values()
                if access.sight_of(v, region, asked, hidden) is not None}
    assert lists.regions_seen(db, v) == sorted(expected)


@pytest.mark.parametrize("v", VIEWERS, ids=lambda v: f"{v.role}-{v.email}")
def test_the_database_finds_the_tasks_one_sees_as_their_steps(db, rows, v):
    """A task of a formal step and one of the good offices on every case: a Bureau member
    who sees only the formal record does not see the second (tasks._sees_task)."""
    t = journal.TASKS.c
    steps = ("forward_decision", "engage_state")
    assert steps[0] not in access.INFORMAL_STEPS and steps[1] in access.INFORMAL_STEPS
    db.connection().execute(journal.TASKS.insert(), [
        {"case_id": case_id, "step": step, "title": step, "assignee": "secretariat",
         "status": "open", "created_at": dt.datetime.now(dt.UTC)}
        for case_id in rows for step in steps])
    seen = access.sees_task_where(v)
    found = set(db.connection().execute(
        sa.select(t.case_id, t.step).where(*([seen] if seen is not None else []))))
    expected = {(case_id, step) for case_id, (region, asked, hidden) in rows.items()
                for step in steps
                if (sight := access.sight_of(v, region, asked, hidden)) == "full"
                or (sight == "formal" and step not in access.INFORMAL_STEPS)}
    assert found == expected
    assert (seen is None) == v.sees_all


def test_a_bureau_members_list_holds_a_restricted_case_once_good_offices_begin(db):
    """The case row's column follows the record: hidden when opened, shown once activated."""
    people.add_person(db, name="Bureau member", email="bureau@example.org", role="bureau",
                      active_from=D(2024, 1, 1))
    case = services.open_case(db, state="Mongolia", scenario="7b", summary="a visit")["id"]
    formal = services.open_case(db, state="Chad", scenario="7a", decision_ref="ICC-1",
                                decision_date=D(2024, 5, 1), referred_to=["assembly"])["id"]

    def listed() -> list[str]:
        return [c["id"] for c in services.page_of_cases(db, by="bureau@example.org")["cases"]]

    assert listed() == [formal]
    assert services.case_regions(db, by="bureau@example.org") == ["African States"]
    services.act(db, case, "good_offices_activate", on=D(2024, 8, 30),
                 params={"court_consulted": "2024-08-29"})
    assert listed() == sorted([case, formal])
    assert services.case_regions(db, by="bureau@example.org") == [
        "African States", "Asia-Pacific States"]


def test_the_people_asked_follow_the_record_on_their_own_rows(db):
    """case_assistants holds what the case row's `assisting` says, request by request: a
    person asked from another region finds the case in his or her list, and loses it when the
    request is closed."""
    from noncoop import tasks

    for name, email, role, region in (
            ("President", "p@example.org", "president_office", None),
            ("Africa", "africa@example.org", "focal_point", "African States"),
            ("Asia", "asia@example.org", "focal_point", "Asia-Pacific States")):
        people.add_person(db, name=name, email=email, role=role, region=region,
                          active_from=D(2024, 1, 1))
    case = services.open_case(db, state="Mongolia", scenario="7b", summary="a visit")["id"]
    services.act(db, case, "good_offices_activate", on=D(2024, 8, 30),
                 params={"court_consulted": "2024-08-29"})

    def rows() -> tuple[set[tuple[str, str]], list[str]]:
        """The case's rows (address, region), and the addresses its row's `assisting` holds."""
        a = journal.ASSISTANTS.c
        table = {(e, region) for e, region in db.connection().execute(
            sa.select(a.email, a.region).where(a.case_id == case))}
        column = db.connection().execute(sa.select(journal.CASES.c.assisting).where(
            journal.CASES.c.id == case)).scalar_one()
        return table, access.asked(column)

    def listed(email: str) -> tuple[list[str], list[str]]:
        return ([c["id"] for c in services.page_of_cases(db, by=email)["cases"]],
                services.case_regions(db, by=email))

    assert rows() == (set(), []) and listed("africa@example.org") == ([], [])
    services.act(db, case, "request_assistance", on=D(2024, 8, 31),
                 params={"to": "Africa@Example.org,asia@example.org", "task": "call"})
    asia = "Asia-Pacific States"  # the case's region, on each row
    assert rows() == ({("africa@example.org", asia), ("asia@example.org", asia)},
                      ["africa@example.org", "asia@example.org"])
    assert listed("africa@example.org") == ([case], ["Asia-Pacific States"])
    task = tasks.list_tasks(db, by="africa@example.org")[0]
    tasks.close(db, task["id"], "done", "called", by="africa@example.org", on=D(2024, 9, 1))
    assert rows() == ({("asia@example.org", asia)}, ["asia@example.org"])
    assert listed("africa@example.org") == ([], [])
    assert listed("asia@example.org") == ([case], ["Asia-Pacific States"])
