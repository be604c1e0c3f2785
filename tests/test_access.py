"""Who sees and does what: role x case kind x operation (SPEC "Confidentiality"; Annex II para 11).
A case one may not see is "not found", worded exactly as a case that does not exist."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from noncoop import people, services, tasks
from noncoop.errors import NotFound, Refused
from noncoop.ics import calendar_file
from noncoop.letters import register
from noncoop.services import lists
from noncoop.store.models import AccessLogRow

D = dt.date
PEOPLE = {
    "president": ("president_office", None),
    "secretariat": ("secretariat", None),
    "bureau": ("bureau", None),
    "fp_asia": ("focal_point", "Asia-Pacific"),   # Mongolia's region
    "fp_africa": ("focal_point", "African"),
    "former": ("bureau", None),                  # whose term has ended
}
ROLES = [*PEOPLE, "stranger"]


def email(who: str) -> str:
    return f"{who}@example.org"


@pytest.fixture
def world(db):
    """A formal case, a formal case with good offices beside it, and a 7(b) case."""
    for who, (role, region) in PEOPLE.items():
        people.add_person(db, name=who, email=email(who), role=role, region=region,
                          active_from=D(2024, 1, 1))
    people.end_person(db, email("former"), D(2024, 6, 30))
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    formal = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                                decision_date=D(2024, 10, 24), referred_to=["assembly"])["id"]
    beside = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-91",
                                decision_date=D(2024, 10, 24), referred_to=["assembly"])["id"]
    services.act(db, beside, "good_offices_activate", on=D(2024, 10, 25),
                 params={"trigger": "bureau", "bureau_decision": "2024-10-25"})
    services.act(db, beside, "engage_state", on=D(2024, 10, 26), params={
        "with": "the Foreign Minister", "channel": "call", "summary": "SECRET-CONTACT"})
    urgent = services.open_case(db, state="Mongolia", scenario="7b", summary="SECRET-VISIT",
                                person="SECRET-PERSON", travel_date=D(2024, 9, 3))["id"]
    services.act(db, urgent, "good_offices_activate", on=D(2024, 8, 30),
                 params={"court_consulted": "2024-08-29"})
    return {"formal": formal, "beside": beside, "urgent": urgent}


# How each role sees each kind of case: "full", "formal" (the good offices' details hidden), None.
SIGHT = {
    "president": ("full", "full", "full"), "secretariat": ("full", "full", "full"),
    "bureau": ("full", "formal", "formal"), "fp_asia": ("full", "full", "full"),
    "fp_africa": (None, None, None), "former": (None, None, None), "stranger": (None, None, None),
}
KINDS = ("formal", "beside", "urgent")


@pytest.mark.parametrize("who", ROLES)
def test_list_and_show(world, db, who):
    listed = {c["id"] for c in services.list_cases(db, by=email(who))}
    for kind, sight in zip(KINDS, SIGHT[who], strict=True):
        case_id = world[kind]
        assert (case_id in listed) is (sight is not None), (who, kind)
        if sight is None:
            with pytest.raises(NotFound) as hidden:
                services.show_case(db, case_id, by=email(who))
            with pytest.raises(NotFound) as missing:
                services.show_case(db, "NC-1999-999", by=email(who))
            assert hidden.value.message == missing.value.message.replace("NC-1999-999", case_id)
            continue
        text = str(services.show_case(db, case_id, by=email(who)))
        secrets = ("SECRET-CONTACT", "SECRET-VISIT", "SECRET-PERSON")
        if sight == "full":
            assert kind == "formal" or any(s in text for s in secrets)
        else:
            assert not any(s in text for s in secrets), (who, kind)
            assert "good_offices_activate" in text  # that they were activated, no more
            assert "engage_state" not in text


@pytest.mark.parametrize("who", ROLES)
def test_act(world, db, who):
    may_record_formal = who in ("president", "secretariat")
    may_engage = who in ("president", "fp_asia")
    for kind, step, may, params in [
        ("formal", "forward_decision", may_record_formal, {}),
        ("urgent", "engage_state", may_engage,
         {"with": "officials", "channel": "meeting", "summary": "s"}),
    ]:
        case_id = world[kind]
        seen = SIGHT[who][KINDS.index(kind)]
        if seen is None:
            with pytest.raises(NotFound):
                services.act(db, case_id, step, params=params, by=email(who))
        elif not may:
            with pytest.raises(Refused) as refused:
                services.act(db, case_id, step, params=params, by=email(who))
            assert refused.value.details["rule"] == "permission"
        else:
            shown = services.act(db, case_id, step, params=params, by=email(who))
            assert shown["history"][-1]["by"] == email(who)


@pytest.mark.parametrize("who", ROLES)
def test_letters(world, db, who):
    for kind in KINDS:
        case_id = world[kind]
        seen = SIGHT[who][KINDS.index(kind)]
        # A reminder belongs to no one step, so only sight and role decide whether it is drafted.
        if seen is None:
            with pytest.raises(NotFound):
                register.render(db, case_id, "reminder", by=email(who))
        elif who not in ("president", "secretariat"):
            with pytest.raises(Refused):
                register.render(db, case_id, "reminder", by=email(who))
        else:
            assert register.render(db, case_id, "reminder", by=email(who)).startswith(b"<!DOCTYPE")


@pytest.mark.parametrize("who", ROLES)
def test_deadlines_and_calendar_export(world, db, who):
    rows = services.list_deadlines(db, by=email(who))
    seen_cases = {r["case_id"] for r in rows}
    steps = {(r["case_id"], r["step"]) for r in rows}
    ics = calendar_file(db, email(who), dt.datetime(2024, 11, 1, tzinfo=dt.UTC)).decode()
    for kind in KINDS:
        sight = SIGHT[who][KINDS.index(kind)]
        case_id = world[kind]
        if sight is None:
            assert case_id not in seen_cases and case_id not in ics
        if sight == "formal":
            assert not any(c == case_id and s in ("notify_bureau", "report_to_bureau",
                                                  "share_travel_information") for c, s in steps)
    if who == "bureau":
        assert (world["formal"], "forward_decision") in steps
    if who in ("president", "fp_asia"):
        assert (world["urgent"], "notify_bureau") in steps


def test_every_read_of_a_restricted_case_is_logged(world, db):
    services.show_case(db, world["urgent"], by=email("bureau"))
    services.show_case(db, world["urgent"], by=email("fp_asia"))
    services.show_case(db, world["formal"], by=email("bureau"))  # not restricted: not logged
    logged = [(r.who, r.case_id, r.sight) for r in db.exec(select(AccessLogRow)).all()
              if r.action == "show"]
    assert (email("bureau"), world["urgent"], "formal") in logged
    assert (email("fp_asia"), world["urgent"], "full") in logged
    assert all(case_id != world["formal"] for _, case_id, _ in logged)


def test_one_sees_only_ones_own_tasks(world, db):
    with pytest.raises(Refused):
        tasks.list_tasks(db, email("secretariat"), by=email("fp_asia"))
    assert tasks.list_tasks(db, by=email("fp_asia")) == []
    mine = tasks.list_tasks(db, by=email("secretariat"))  # everyone's, for the Secretariat
    assert {t["assignee"] for t in mine} >= {"secretariat", "president_office"}


@pytest.mark.parametrize("who", ROLES)
def test_a_page_of_the_case_list_is_a_slice_of_the_whole_list(world, db, who):
    whole = services.list_cases(db, by=email(who))
    for size in (1, 2, 5):
        # Forwards from the first page, each page after the last case of the one before.
        pages = [services.page_of_cases(db, by=email(who), size=size)]
        while pages[-1]["next"] is not None:
            pages.append(services.page_of_cases(db, by=email(who), after=pages[-1]["next"],
                                                size=size))
        assert [c for p in pages for c in p["cases"]] == whole, (who, size)
        assert {(p["count"], p["more"]) for p in pages} == {(len(whole), False)}
        assert pages[0]["previous"] is None and all(len(p["cases"]) == size for p in pages[:-1])
        # Backwards from the last page, each before the first case of the one after.
        back = [services.page_of_cases(db, by=email(who), last=True, size=size)]
        while back[-1]["previous"] is not None:
            back.append(services.page_of_cases(db, by=email(who), before=back[-1]["previous"],
                                               size=size))
        assert [c for p in reversed(back) for c in p["cases"]] == whole, (who, size)
        assert back[0]["next"] is None and all(len(p["cases"]) == size for p in back[:-1])
        if whole:  # past the last case: the last page; before the first: the first page
            beyond = services.page_of_cases(db, by=email(who), after=whole[-1]["id"], size=size)
            assert beyond == back[0]
            assert services.page_of_cases(db, by=email(who), before=whole[0]["id"],
                                          size=size) == pages[0]
    only = services.page_of_cases(db, "open", by=email(who), scenario="7b")["cases"]
    assert only == services.list_cases(db, "open", by=email(who), scenario="7b")


def test_a_long_list_is_counted_up_to_a_limit(world, db, monkeypatch):
    monkeypatch.setattr(lists, "COUNTED", 2)
    for who in ("president", "fp_asia"):  # from the index, and from the whole list
        page = services.page_of_cases(db, by=email(who), size=1)
        assert (page["count"], page["more"]) == (2, True), who
    assert services.page_of_cases(db, by=email("president"), scenario="7b")["more"] is False
