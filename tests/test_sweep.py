"""Sweeps: each miss raised once, even after a week of downtime; a repeated sweep changes nothing."""

import contextlib
import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import select

from noncoop import services
from noncoop.store.models import NoticeRow
from noncoop.sweep import sweep

D = dt.date


@pytest.fixture
def letter_case(db):
    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=D(2024, 10, 24), referred_to=["assembly"])
    for step in ("forward_decision", "press_release"):
        services.act(db, case["id"], step, on=D(2024, 10, 25))
    services.act(db, case["id"], "emergency_bureau_meeting", skip=True, reason="not urgent")
    services.act(db, case["id"], "open_letter", on=D(2024, 10, 28),
                 params={"action": "send", "reply_days": "30"})
    return case["id"]


def test_an_open_letter_of_28_october_with_30_days_is_due_27_november(db, letter_case):
    shown = services.show_case(db, letter_case)
    assert [d["due"] for d in shown["deadlines"] if d["kind"] == "reply"] == ["2024-11-27"]


def test_a_reminder_comes_before_the_reply_is_due_and_only_once(db, letter_case):
    first = sweep(db, D(2024, 11, 20))  # 7 days before
    assert first["changed"] == []
    assert [(n["step"], n["kind"], n["to"]) for n in first["notices"]] == [
        ("open_letter", "reminder", ["president_office"])]
    assert sweep(db, D(2024, 11, 21)) == {"as_of": "2024-11-21", "changed": [], "notices": [],
                                          "skipped": []}


def test_a_week_of_downtime_then_one_sweep_raises_each_miss_once(db, letter_case):
    result = sweep(db, D(2024, 12, 4))
    assert result["changed"] == [{"case_id": letter_case, "step": "open_letter", "kind": "reply",
                                  "due": "2024-11-27", "status": "missed"}]
    assert [(n["step"], n["kind"]) for n in result["notices"]] == [("open_letter", "missed")]
    again = sweep(db, D(2024, 12, 4))
    assert again["changed"] == [] and again["notices"] == []
    assert len(db.exec(select(NoticeRow)).all()) == 1
    shown = services.show_case(db, letter_case)
    assert [d["status"] for d in shown["deadlines"] if d["kind"] == "reply"] == ["missed"]
    assert shown["history"][-1]["event"] == "deadlines_missed"
    assert shown["history"][-1]["by"] == "system:sweep"


def test_a_miss_marked_but_never_told_is_told_once_by_the_next_sweep(db, letter_case):
    from noncoop.store.models import DeadlineRow

    sweep(db, D(2024, 12, 4))
    # As a database of an earlier version may hold it: marked missed, its notice never queued.
    db.exec(sa.delete(NoticeRow))
    db.exec(sa.update(DeadlineRow).values(missed_queued=False, missed_on=None))
    db.commit()
    told = sweep(db, D(2024, 12, 5))
    assert told["changed"] == []
    assert [(n["step"], n["kind"]) for n in told["notices"]] == [("open_letter", "missed")]
    assert sweep(db, D(2024, 12, 5))["notices"] == []
    assert [n.kind for n in db.exec(select(NoticeRow)).all()] == ["missed"]


def test_the_missed_event_rebuilds_like_the_rest(db, letter_case):
    import dataclasses

    from noncoop.store.codec import from_snapshot
    from noncoop.store.models import CaseRow

    sweep(db, D(2024, 12, 4))
    row = db.get(CaseRow, letter_case)
    assert dataclasses.asdict(services.rebuild(db, letter_case)) == \
        dataclasses.asdict(from_snapshot(row.snapshot))


def test_a_met_deadline_raises_nothing(db, letter_case):
    services.act(db, letter_case, "open_letter", on=D(2024, 11, 15), params={"action": "reply"})
    result = sweep(db, D(2024, 12, 4))
    assert all(n["step"] != "open_letter" for n in result["notices"])
    assert result["changed"] == []


def test_an_outstanding_miss_comes_back_once_a_day_in_a_digest_not_a_storm(db, letter_case):
    sweep(db, D(2024, 12, 4))
    later = sweep(db, D(2024, 12, 11))
    assert later["changed"] == []
    assert [(n["kind"], n["to"]) for n in later["notices"]] == [("digest", ["president_office"])]
    assert [(o["case_id"], o["step"]) for o in later["notices"][0]["overdue"]] == [
        (letter_case, "open_letter")]
    assert sweep(db, D(2024, 12, 11))["notices"] == []
    # The reply comes late: the deadline is late (by its date), and the digests stop.
    services.act(db, letter_case, "open_letter", on=D(2024, 12, 12), params={"action": "reply"})
    shown = services.show_case(db, letter_case)
    assert [(d["status"], d["days_late"]) for d in shown["deadlines"] if d["kind"] == "reply"] \
        == [("late", 15)]
    assert sweep(db, D(2024, 12, 13))["notices"] == []


def test_waiving_and_rescheduling_are_events_with_a_reason(db, letter_case):
    from noncoop.errors import BadInput

    with pytest.raises(BadInput, match="--reason"):
        services.act(db, letter_case, "reschedule_deadline",
                     params={"step": "open_letter", "kind": "reply", "due": "2024-12-20"})
    shown = services.act(db, letter_case, "reschedule_deadline", on=D(2024, 11, 25),
                         reason="the State asked for more time by note verbale",
                         params={"step": "open_letter", "kind": "reply", "due": "2024-12-20"})
    replies = [(d["due"], d["status"]) for d in shown["deadlines"] if d["kind"] == "reply"]
    assert replies == [("2024-11-27", "waived"), ("2024-12-20", "open")]
    assert sweep(db, D(2024, 12, 4))["changed"] == []
    shown = services.act(db, letter_case, "waive_deadline", reason="Bureau decided to wait",
                         params={"step": "open_letter", "kind": "reply"})
    assert shown["history"][-1]["event"] == "deadline_waived"
    assert shown["history"][-1]["reason"] == "Bureau decided to wait"
    assert sweep(db, D(2024, 12, 30))["changed"] == []


def test_a_sweep_in_small_batches_raises_each_miss_once(db):
    ids = []
    for n in range(5):
        case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref=f"d{n}",
                                  decision_date=D(2024, 10, 24), referred_to=["assembly"])
        ids.append(case["id"])
    # forward_decision, press_release and emergency_bureau_meeting of every case: 15 misses.
    result = sweep(db, D(2024, 12, 4), batch=2)
    assert len(result["changed"]) == 15
    assert len({(c["case_id"], c["step"], c["kind"]) for c in result["changed"]}) == 15
    assert [n["kind"] for n in result["notices"]] == ["missed"] * 15
    assert sweep(db, D(2024, 12, 4), batch=2) == {"as_of": "2024-12-04", "changed": [],
                                                  "notices": [], "skipped": []}
    for case_id in ids:
        shown = services.show_case(db, case_id)
        assert {d["status"] for d in shown["deadlines"]} == {"missed"}


@pytest.mark.parametrize(("frozen", "missed"), [
    ("2024-10-26T21:59:00Z", False),  # 23:59 on Saturday 26 October in The Hague (CEST)
    ("2024-10-26T22:00:00Z", True),   # midnight: Sunday 27 October, the night clocks go back
    ("2025-03-29T22:59:00Z", False),  # 23:59 on Saturday 29 March (CET)
    ("2025-03-29T23:00:00Z", True),   # midnight: Sunday 30 March, the night clocks go forward
])
def test_the_sweep_day_turns_at_midnight_in_the_hague_in_dst_weeks(db, freezer, frozen, missed):
    due = dt.date.fromisoformat(frozen[:10])
    freezer.move_to(f"{due - dt.timedelta(days=3)}T10:00:00Z")
    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=due - dt.timedelta(days=40), referred_to=["assembly"])
    services.act(db, case["id"], "open_letter", on=due - dt.timedelta(days=30),
                 params={"action": "send", "reply_days": "30"})
    assert [d["due"] for d in services.show_case(db, case["id"])["deadlines"]
            if d["kind"] == "reply"] == [due.isoformat()]
    freezer.move_to(frozen)
    result = sweep(db)  # as the scheduler runs it: no date given, the clock decides
    replies = [c for c in result["changed"] if c["kind"] == "reply"]
    assert bool(replies) is missed


def test_a_sweep_that_read_before_another_committed_marks_nothing_twice(db, database_url,
                                                                        letter_case, monkeypatch):
    """Two workers: this one reads the overdue rows, the other sweeps and commits, then this
    one goes on. The case row, guarded by its version, decides: nothing is marked twice."""
    from noncoop import sweep as sweeping
    from noncoop.store import db as store

    real_read = sweeping._overdue_rows
    interleaved: list[dict] = []

    def read_then_other_worker(*args):
        rows = real_read(*args)
        if not interleaved:
            interleaved.append({})  # the other worker reads without waiting in turn
            with store.session(database_url) as other:
                interleaved[0] = sweep(other, D(2024, 12, 4))
        return rows

    monkeypatch.setattr(sweeping, "_overdue_rows", read_then_other_worker)
    mine = sweep(db, D(2024, 12, 4))
    # SQLite: the other worker marks it and this one sees that; PostgreSQL: this one holds the
    # rows (FOR UPDATE SKIP LOCKED), the other skips them. Either way, once.
    both = interleaved[0]["changed"] + mine["changed"]
    assert [c["kind"] for c in both] == ["reply"]
    assert [n["kind"] for n in interleaved[0]["notices"] + mine["notices"]] == ["missed"]
    history = services.show_case(db, letter_case)["history"]
    assert [h["event"] for h in history].count("deadlines_missed") == 1


def _plan(db, query, **values) -> str:
    """How the database would answer `query` as a sweep sends it, with its parameters bound;
    on PostgreSQL with table scans priced out, so that an index shows up whenever the planner
    can prove it holds the rows asked for (these tables are tiny)."""
    conn = db.connection()
    compiled = query.compile(dialect=conn.dialect)
    params = compiled.construct_params(values)
    if conn.dialect.name == "sqlite":
        args = tuple(params[name] for name in compiled.positiontup)
        return " ".join(r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", args))
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return " ".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {compiled}", params))


@pytest.mark.fresh_database
def test_each_question_of_a_sweep_reads_its_partial_index(db, letter_case):
    from noncoop import sweep as sweeping
    from noncoop.store.models import DeadlineRow

    as_of = {"as_of": "2024-12-01", "now": dt.datetime(2024, 12, 1, 9, tzinfo=dt.UTC),
             "batch": 100}
    questions = {
        "ix_deadlines_open_due": sweeping._OVERDUE,
        "ix_deadlines_untold": sweeping._UNTOLD,
        "ix_deadlines_reminder": sweeping._REMIND,
        "ix_deadlines_outstanding": select(DeadlineRow).where(
            *sweeping._outstanding_since(sweeping._AS_OF)),
    }
    for index, query in questions.items():
        plan = _plan(db, query, **as_of)
        assert index in plan, (index, plan)
    db.rollback()


def test_a_closed_case_closes_its_deadlines_and_tasks_and_later_sweeps_leave_it_be(db, letter_case):
    from noncoop import tasks
    from noncoop.notify.outbox import expand
    from noncoop.store.models import MessageRow

    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")  # the report's
    first = sweep(db, D(2024, 11, 20))  # queued, not yet sent
    assert sorted((n["step"], n["kind"]) for n in first["notices"]) == [
        ("bureau_report", "missed"), ("open_letter", "reminder")]
    db.add(NoticeRow(case_id=letter_case, step="open_letter", kind="reminder", recipients=[],
                     created_at=dt.datetime.now(dt.UTC), status="expanded"))
    db.commit()
    notice = db.exec(select(NoticeRow).where(NoticeRow.status == "expanded")).one()
    db.add(MessageRow(notice_id=notice.id, message_id="<m@x>", to_email="p@example.org",
                      to_name="P", subject="s", text_body="t", html_body="h",
                      next_attempt_at=dt.datetime.now(dt.UTC)))
    db.commit()
    shown = services.act(db, letter_case, "close", on=D(2024, 11, 21),
                         params={"outcome": "cooperation_achieved"})
    assert {(d["step"], d["status"]) for d in shown["deadlines"]} >= {
        ("open_letter", "closed"), ("bureau_report", "closed")}
    assert "open" not in {d["status"] for d in shown["deadlines"]}
    assert tasks.list_tasks(db) == []
    closed = [t for t in tasks.list_tasks(db, status="cancelled") if t["closed_on"] == "2024-11-21"]
    assert {(t["step"], t["note"]) for t in closed} == {
        ("open_letter", "closed with the case"), ("bureau_report", "closed with the case")}
    assert {n.status for n in db.exec(select(NoticeRow)).all()} == {"cancelled", "expanded"}
    assert [m.status for m in db.exec(select(MessageRow)).all()] == ["cancelled"]
    assert sweep(db, D(2024, 12, 4)) == {"as_of": "2024-12-04", "changed": [], "notices": [],
                                         "skipped": []}
    assert sweep(db, D(2025, 6, 1)) == {"as_of": "2025-06-01", "changed": [], "notices": [],
                                        "skipped": []}
    assert expand(db) == 0
    assert services.list_deadlines(db, case_id=letter_case) == []


def test_a_notice_about_a_case_closed_after_it_was_queued_is_not_sent(db, letter_case):
    from noncoop.notify.outbox import expand

    sweep(db, D(2024, 11, 20))
    row = db.exec(select(NoticeRow)).one()
    services.act(db, letter_case, "close", on=D(2024, 11, 21),
                 params={"outcome": "cooperation_achieved"})
    # As a notice written by a sweep that read before the close committed would be.
    db.refresh(row)
    row.status = "queued"
    db.add(row)
    db.commit()
    assert expand(db) == 1
    db.refresh(row)
    assert row.status == "cancelled"


def test_closing_a_case_cancels_the_requests_for_assistance_on_it(demo):
    from noncoop import tasks

    asked = next(t for t in tasks.list_tasks(demo) if t["step"] == "request_assistance")
    services.act(demo, asked["case_id"], "close", params={"outcome": "other"})
    cancelled = {t["id"]: t for t in tasks.list_tasks(demo, status="cancelled")}
    assert cancelled[asked["id"]]["note"] == "closed with the case"


def _poison(db, case_id, how):
    """A case the sweep cannot process, as a damaged or outdated database may hold it."""
    from noncoop.store.models import CaseRow

    row = db.get(CaseRow, case_id)
    snapshot = dict(row.snapshot)
    if how == "snapshot":  # one that no longer loads
        snapshot = {"id": case_id, "written_by": "a version that is gone"}
    else:  # its deadlines no longer hold the one its open deadline row is for
        snapshot["deadlines"] = snapshot["deadlines"][:1]
    db.exec(sa.update(CaseRow).where(CaseRow.id == case_id).values(snapshot=snapshot))
    db.commit()
    db.expire_all()


@pytest.mark.parametrize("how", ["snapshot", "deadline"])
def test_a_case_the_sweep_cannot_process_is_skipped_and_the_others_go_on(db, how, caplog):
    import logging

    ids = [services.open_case(db, state="Mongolia", scenario="7a", decision_ref=f"d{n}",
                              decision_date=D(2024, 10, 24), referred_to=["assembly"])["id"]
           for n in range(4)]
    bad = ids[1]
    _poison(db, bad, how)
    caplog.set_level(logging.WARNING, logger="noncoop.sweep")
    # Small batches: the skipped case is not taken up again by the next batch of the sweep.
    result = sweep(db, D(2024, 12, 4), batch=2)
    assert [s["case_id"] for s in result["skipped"]] == [bad]
    assert ("KeyError" if how == "snapshot" else "IndexError") in result["skipped"][0]["error"]
    assert sorted({c["case_id"] for c in result["changed"]}) == sorted(set(ids) - {bad})
    assert len(result["changed"]) == len(result["notices"]) == 9  # three misses a case
    assert [r.getMessage() for r in caplog.records if bad in r.getMessage()]
    for case_id in set(ids) - {bad}:
        assert {d["status"] for d in services.show_case(db, case_id)["deadlines"]} == {"missed"}
    # Nothing of the skipped case was written; the next sweep tries it again, and only it.
    assert {n.case_id for n in db.exec(select(NoticeRow)).all()} == set(ids) - {bad}
    again = sweep(db, D(2024, 12, 4))
    assert (again["changed"], again["notices"]) == ([], [])
    assert [s["case_id"] for s in again["skipped"]] == [bad]


def test_the_nothing_due_check_leaves_no_pooled_connection_outside_transactions(db):
    # On a server the check asks in autocommit. Each connection must go back to the pool as it
    # came: a write on any of them, rolled back, leaves nothing (in autocommit it would stay).
    from noncoop.access import ACCESS_LOG

    sweep(db, D(2024, 11, 1))
    probe = {"at": dt.datetime.now(dt.UTC), "who": "probe@example.org", "role": "admin",
             "case_id": "NC-PROBE", "action": "show", "sight": "full", "way": "service"}
    with contextlib.ExitStack() as held:  # as many as the pool keeps: the sweep's among them
        conns = [held.enter_context(db.get_bind().connect()) for _ in range(5)]
        for conn in conns:
            conn.execute(ACCESS_LOG.insert(), probe)
            conn.rollback()
        left = conns[0].execute(sa.select(sa.func.count()).select_from(ACCESS_LOG).where(
            ACCESS_LOG.c.case_id == "NC-PROBE")).scalar()
    assert left == 0
