"""Cases on a real database: open, act, refuse, rebuild, conflict."""

import dataclasses
import datetime as dt

import pytest
from sqlmodel import select

from noncoop import record, services
from noncoop.domain import Event
from noncoop.errors import BadInput, Conflict, NotFound, Refused
from noncoop.store import db as store
from noncoop.store.codec import from_snapshot
from noncoop.store.models import CaseRow, EventRow

D = dt.date


@pytest.fixture
def calendar(db):
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    services.add_session(db, 24, D(2025, 12, 1), D(2025, 12, 5), "The Hague")
    services.add_bureau_meeting(db, D(2024, 11, 5), "New York")
    return db


def open_mongolia(db, referred=("assembly",), ref="ICC-01/22-90"):
    return services.open_case(db, state="Mongolia", scenario="7a", decision_ref=ref,
                              decision_date=D(2024, 10, 24), referred_to=list(referred),
                              request="art89", person="Vladimir Putin")


def test_a_finding_referred_to_the_assembly_walks_the_formal_procedure(calendar):
    db = calendar
    case = open_mongolia(db)
    assert case["id"] == "NC-2024-001"
    assert case["region"] == "Asia-Pacific States" and case["status"] == "open"
    assert case["workflow"] == {"name": "formal", "version": "2018"}
    services.act(db, case["id"], "forward_decision", on=D(2024, 10, 25))
    shown = services.act(db, case["id"], "open_letter", on=D(2024, 10, 28),
                         params={"action": "send", "reply_days": "30"})
    letter = next(s for s in shown["steps"] if s["step"] == "open_letter")
    assert letter["status"] == "in_progress"
    due = {(d["step"], d["kind"]): (d["due"], d["status"]) for d in shown["deadlines"]}
    assert due == {
        ("forward_decision", "due"): ("2024-10-25", "met"),  # decided Thursday 24 Oct
        ("press_release", "due"): ("2024-10-25", "open"),
        ("emergency_bureau_meeting", "convene"): ("2024-10-31", "open"),  # 5 business days
        ("bureau_hearing", "invitation"): ("2024-10-26", "open"),  # meeting 5 Nov - 10 days
        ("bureau_report", "report"): ("2024-11-02", "open"),  # session opens 2 Dec - 30 days
        ("open_letter", "reply"): ("2024-11-27", "open"),  # sent 28 Oct + 30 days
    }
    shown = services.act(db, case["id"], "open_letter", on=D(2024, 11, 20),
                         params={"action": "reply"})
    reply = next(d for d in shown["deadlines"] if d["kind"] == "reply")
    assert reply["status"] == "met" and "2024-10-28 + 30 days" in reply["basis"]
    shown = services.act(db, case["id"], "bureau_hearing", on=D(2024, 11, 5))
    with pytest.raises(Refused) as refused:
        services.act(db, case["id"], "nywg_public_meeting", on=D(2024, 11, 10))
    err = refused.value.to_json()["error"]
    assert err["rule"] == "three_month_rule" and err["paragraph"] == "14(d)"
    assert "2024-12-02" in err["message"] and "2024-11-05" in err["message"]
    assert "bureau_report" in err["allowed_actions"]
    shown = services.show_case(db, case["id"])
    nywg = next(s for s in shown["steps"] if s["step"] == "nywg_public_meeting")
    assert nywg["status"] == "not_applicable" and nywg["rule"] == "three_month_rule"
    unsc = next(s for s in shown["steps"] if s["step"] == "unsc_letter")
    assert unsc["status"] == "not_applicable"
    assert [h["event"] for h in shown["history"]] == [
        "case_opened", "step_done", "step_started", "step_done", "step_done"]


def test_a_step_can_be_skipped_with_a_reason_only(calendar):
    case = open_mongolia(calendar)
    with pytest.raises(BadInput, match="--reason"):
        services.act(calendar, case["id"], "emergency_bureau_meeting", skip=True)
    shown = services.act(calendar, case["id"], "emergency_bureau_meeting", skip=True,
                         reason="no urgent action could still bring about cooperation")
    step = next(s for s in shown["steps"] if s["step"] == "emergency_bureau_meeting")
    assert step["status"] == "skipped" and "urgent" in step["reason"]
    with pytest.raises(Refused, match="already recorded"):
        services.act(calendar, case["id"], "emergency_bureau_meeting")


def test_unknown_case_and_unknown_step_say_what_to_do(calendar):
    with pytest.raises(NotFound, match="case list"):
        services.show_case(calendar, "NC-1999-001")
    case = open_mongolia(calendar)
    with pytest.raises(BadInput) as bad:
        services.act(calendar, case["id"], "step3")
    assert "forward_decision" in bad.value.message


def test_refusals_at_opening_name_the_rule(db):
    with pytest.raises(Refused) as no_finding:
        services.open_case(db, state="Mongolia", scenario="7a", referred_to=["assembly"])
    assert "footnote 4" in no_finding.value.message
    with pytest.raises(Refused, match="para 5"):
        services.open_case(db, state="Mongolia", scenario="7b", summary="  ")
    with pytest.raises(Refused, match="87\\(5\\)\\(b\\)"):
        services.open_case(db, state="Israel", scenario="7b", summary="visit planned")
    ok = services.open_case(db, state="Israel", scenario="7b", summary="visit planned",
                            ad_hoc_arrangement="declaration under art. 12(3)")
    assert ok["confidentiality"] == "restricted"
    with pytest.raises(BadInput, match="Mongolia"):
        services.open_case(db, state="Mongolai", scenario="7b", summary="x")


def test_a_finding_not_referred_to_the_assembly_starts_no_formal_procedure(db):
    case = services.open_case(db, state="Libya", scenario="7a", decision_ref="x",
                              decision_date=D(2014, 12, 10), referred_to=["security-council"])
    assert case["scenario"] == "monitoring"
    with pytest.raises(Refused) as refused:
        services.act(db, case["id"], "forward_decision", on=D(2014, 12, 11))
    assert refused.value.details["paragraph"] == "13"
    assert set(case["allowed_actions"]) == {"refer_to_assembly", "close"}


def test_a_7b_case_escalates_to_7a_and_keeps_its_history(db):
    services.add_session(db, 24, D(2025, 12, 1), D(2025, 12, 5))
    case = services.open_case(db, state="Mongolia", scenario="7b", summary="visit announced",
                              travel_date=D(2024, 9, 3))
    services.act(db, case["id"], "good_offices_activate", on=D(2024, 8, 30),
                 params={"court_consulted": "2024-08-29"})
    with pytest.raises(Refused, match="7\\(b\\)"):
        services.act(db, case["id"], "open_letter", on=D(2024, 9, 1))
    shown = services.act(db, case["id"], "refer_to_assembly", on=D(2024, 10, 24),
                         params={"decision_ref": "ICC-01/22-90", "decision_date": "2024-10-24"})
    assert shown["scenario"] == "7a" and shown["decision"]["date"] == "2024-10-24"
    assert "open_letter" in shown["allowed_actions"]
    assert [h["event"] for h in shown["history"]][:2] == ["case_opened", "step_done"]


def test_closing_keeps_the_history_and_stops_further_steps(db):
    case = open_mongolia(db)
    with pytest.raises(BadInput, match="outcome"):
        services.act(db, case["id"], "close")
    shown = services.act(db, case["id"], "close", on=D(2019, 5, 6),
                         params={"outcome": "reversed_on_appeal"})
    assert shown["status"] == "closed" and shown["allowed_actions"] == []
    with pytest.raises(Refused, match="closed"):
        services.act(db, case["id"], "press_release")


def test_the_case_row_is_rebuilt_from_its_events(calendar):
    case = open_mongolia(calendar, referred=("assembly", "security-council"))
    services.act(calendar, case["id"], "forward_decision", on=D(2024, 10, 25))
    services.act(calendar, case["id"], "open_letter", params={"action": "send"}, on=D(2024, 10, 28))
    services.act(calendar, case["id"], "unsc_letter", on=D(2024, 11, 1))
    services.act(calendar, case["id"], "press_release", skip=True, reason="issued earlier")
    row = calendar.get(CaseRow, case["id"])
    assert dataclasses.asdict(services.rebuild(calendar, case["id"])) == \
        dataclasses.asdict(from_snapshot(row.snapshot))
    seqs = calendar.exec(select(EventRow.seq).where(EventRow.case_id == case["id"])).all()
    assert sorted(seqs) == [1, 2, 3, 4, 5]


def test_two_writers_on_one_case_one_wins_the_other_gets_a_conflict(database_url):
    with store.session(database_url) as db:
        case_id = open_mongolia(db)["id"]
    first, second = store.session(database_url), store.session(database_url)
    # The second writer has read the case; the first one writes before the second does.
    stored, case = record.load_case(second, case_id)
    services.act(first, case_id, "forward_decision", on=D(2024, 10, 25))
    late = Event(case_id=case_id, seq=stored.last_seq + 1, kind="step_done", by="second",
                 at=dt.datetime.now(dt.UTC), step="press_release", on=D(2024, 10, 25))
    with pytest.raises(Conflict, match="changed by someone else"):
        record.append(second, stored, case, late)
    first.close()
    second.close()
    with store.session(database_url) as db:
        shown = services.show_case(db, case_id)
    assert [s["status"] for s in shown["steps"][:2]] == ["done", "pending"]
    assert len(shown["history"]) == 2


def test_case_numbers_follow_the_decision_year(db):
    assert open_mongolia(db)["id"] == "NC-2024-001"
    assert open_mongolia(db, ref="ICC-01/22-91")["id"] == "NC-2024-002"
    other = services.open_case(db, state="Hungary", scenario="7a", decision_ref="r",
                               decision_date=D(2025, 7, 24), referred_to=["assembly"])
    assert other["id"] == "NC-2025-001"


def test_the_thousandth_case_of_a_year_is_numbered_after_the_999th(db):
    from noncoop.store.journal import CASES

    first = open_mongolia(db)["id"]
    row = dict(db.connection().execute(CASES.select().where(CASES.c.id == first)).mappings().one())

    def copied(number: str) -> None:  # a case row of that number, as the year's cases hold
        db.connection().execute(CASES.insert(), {**row, "id": number})
        db.commit()

    copied("NC-2024-999")  # "NC-2024-999" comes after "NC-2024-1000" in the text's order
    assert open_mongolia(db, ref="ICC-01/22-92")["id"] == "NC-2024-1000"
    copied("NC-2024-998")
    assert open_mongolia(db, ref="ICC-01/22-93")["id"] == "NC-2024-1001"
    copied("NC-2023-005")  # another year's, before it in order
    assert open_mongolia(db, ref="ICC-01/22-94")["id"] == "NC-2024-1002"


def test_a_batch_of_saves_names_the_case_another_writer_changed_and_writes_nothing(
        database_url):
    from noncoop.domain import apply
    from noncoop.store import journal

    with store.session(database_url) as db:
        ids = [open_mongolia(db, ref=f"ICC-01/22-9{i}")["id"] for i in range(3)]
    sweeper, person = store.session(database_url), store.session(database_url)
    read = {i: record.load_case(sweeper, i) for i in ids}
    services.act(person, ids[1], "forward_decision", on=D(2024, 10, 25))  # meanwhile
    staged = journal.Batch()
    for case_id, (stored, case) in read.items():
        event = Event(case_id=case_id, seq=stored.last_seq + 1, kind="step_done", by="batch",
                      at=dt.datetime.now(dt.UTC), step="press_release", on=D(2024, 10, 25))
        journal.save(sweeper, stored, apply(case, event), event, staged)
    with pytest.raises(Conflict, match=f"case {ids[1]} was changed"):
        staged.write(sweeper)
    sweeper.rollback()
    sweeper.close()
    person.close()
    with store.session(database_url) as db:
        histories = [len(services.show_case(db, i)["history"]) for i in ids]
    assert histories == [1, 2, 1]  # only the person's step was kept


def test_the_case_row_columns_always_say_what_the_snapshot_says(demo):
    """A step updates only the columns it changes: after the demo's cases have gone through
    their procedures (opened, stage changes, closed, assistance asked), every row still agrees
    with its snapshot."""
    from noncoop.store import journal

    db = demo
    rows = db.exec(select(CaseRow)).all()
    assert {r.stage for r in rows} >= {"formal", "closed", "informal"}
    assert any(r.assisting for r in rows)
    for row in rows:
        stored = journal.load(db, row.id)
        assert stored.columns == journal.columns(from_snapshot(row.snapshot)), row.id
