"""Tasks and notifications against a real SMTP server: the right person is told, once, in his
or her language, even when mail is down or the dispatcher dies mid-batch."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from icalendar import Calendar
from sqlmodel import select

from noncoop import people, services, tasks
from noncoop.errors import BadInput, NotFound, Refused
from noncoop.notify.dispatch import backoff, dispatch
from noncoop.notify.outbox import expand, list_outbox, retry
from noncoop.store.models import MessageRow
from noncoop.sweep import sweep

D = dt.date


@pytest.fixture
def directory(db):
    for name, email, role, region, lang in [
        ("Office of the President", "president.office@example.org", "president_office", None, "en"),
        ("Secretariat", "secretariat@example.org", "secretariat", None, "en"),
        ("Bureau member (France)", "bureau.fr@example.org", "bureau", None, "fr"),
        ("Bureau member (Japan)", "bureau.jp@example.org", "bureau", None, "en"),
        ("Focal point (Vanuatu)", "fp.asia@example.org", "focal_point", "Asia-Pacific", "en"),
        ("Focal point (Sierra Leone)", "fp.africa@example.org", "focal_point", "African", "fr"),
    ]:
        people.add_person(db, name=name, email=email, role=role, region=region, lang=lang,
                          active_from=D(2024, 1, 1))
    return db


@pytest.fixture
def mongolia(directory):
    db = directory
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=D(2024, 10, 24), referred_to=["assembly"],
                              request="art89", person="Vladimir Vladimirovich Putin")
    return case["id"]


def test_each_deadline_is_a_task_for_its_role_closed_by_the_step(mongolia, db):
    mine = tasks.list_tasks(db, "secretariat@example.org")
    assert [(t["step"], t["due"]) for t in mine] == [("forward_decision", "2024-10-25")]
    services.act(db, mongolia, "forward_decision", on=D(2024, 10, 25))
    assert tasks.list_tasks(db, "secretariat@example.org") == []
    done = tasks.list_tasks(db, "secretariat@example.org", status=None)
    assert [(t["status"], t["closed_on"]) for t in done] == [("done", "2024-10-25")]
    services.act(db, mongolia, "press_release", skip=True, reason="issued by the Court")
    press = [t for t in tasks.list_tasks(db, status=None) if t["step"] == "press_release"]
    assert press[0]["status"] == "cancelled"
    with pytest.raises(Refused, match="case act"):
        tasks.close(db, tasks.list_tasks(db)[0]["id"], "done", None, "president.office@example.org")


def test_the_emergency_meeting_reaches_the_bureau_with_an_invitation(mongolia, db, mail):
    services.act(db, mongolia, "emergency_bureau_meeting", on=D(2024, 10, 29),
                 params={"place": "New York"})
    result = dispatch(db)
    assert result["expanded"] == 1 and len(result["sent"]) == 3
    assert {m.split("@")[0] for rcpt, _ in mail.inbox.messages for m in rcpt} == {
        "bureau.fr", "bureau.jp", "president.office"}
    english = mail.inbox.to("bureau.jp@example.org")[0]
    french = mail.inbox.to("bureau.fr@example.org")[0]
    assert "Mongolia" in english["Subject"] and "Mongolie" in french["Subject"]
    assert english["From"] == "asp-secretariat@example.org"
    text = english.get_body(("plain",)).get_content()
    html = english.get_body(("html",)).get_content()
    assert "Mongolia" in text and "<" not in text.split("\n")[0]
    assert html.startswith("<!DOCTYPE html>")
    invite = next(p for p in english.walk() if p.get_content_type() == "text/calendar")
    event = Calendar.from_ical(invite.get_content()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == D(2024, 10, 29)
    assert str(event["location"]) == "New York"
    assert str(event["attendee"]) == "mailto:bureau.jp@example.org"
    # Nothing is sent twice, and the Message-ID is the outbox's.
    assert dispatch(db) == {"expanded": 0, "sent": [], "failed": [], "dead": [], "unexpanded": []}
    row = db.exec(select(MessageRow).where(MessageRow.to_email == "bureau.jp@example.org")).one()
    assert english["Message-ID"] == row.message_id


def test_mail_down_then_up_everything_arrives_once(mongolia, db, mail, settings_file):
    settings_file("notify: {backoff_seconds: 0}")
    mail.stop()
    services.act(db, mongolia, "emergency_bureau_meeting", on=D(2024, 10, 29))
    first = dispatch(db)
    assert first["sent"] == [] and len(first["failed"]) == 3
    assert all(m["attempts"] == 1 and "Connect" in m["last_error"] for m in first["failed"])
    assert len(dispatch(db)["failed"]) == 3
    mail.start()
    assert len(dispatch(db)["sent"]) == 3
    assert sorted(r for rcpts, _ in mail.inbox.messages for r in rcpts) == [
        "bureau.fr@example.org", "bureau.jp@example.org", "president.office@example.org"]
    assert dispatch(db)["sent"] == []


def test_after_its_last_attempt_a_message_is_a_dead_letter_until_retried(mongolia, db, mail,
                                                                        settings_file):
    settings_file("notify: {backoff_seconds: 0, max_attempts: 2}")
    mail.stop()
    services.act(db, mongolia, "emergency_bureau_meeting", on=D(2024, 10, 29))
    dispatch(db)
    assert len(dispatch(db)["dead"]) == 3
    assert dispatch(db)["failed"] == []  # dead letters are not tried again by themselves
    assert {m["status"] for m in list_outbox(db, "dead")["messages"]} == {"dead"}
    mail.start()
    assert len(retry(db)["messages"]) == 3
    assert len(dispatch(db)["sent"]) == 3 and len(mail.inbox.messages) == 3


def test_backoff_doubles_up_to_its_cap():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert backoff(30).total_seconds() == 21600


def test_without_a_mail_server_the_dispatcher_says_what_to_set(mongolia, db, monkeypatch):
    monkeypatch.delenv("NONCOOP_SMTP_HOST", raising=False)
    services.act(db, mongolia, "emergency_bureau_meeting", on=D(2024, 10, 29))
    with pytest.raises(BadInput, match="NONCOOP_SMTP_HOST"):
        dispatch(db)
    assert len(list_outbox(db, "pending")["messages"]) == 3  # kept, to send when it is set


@pytest.mark.parametrize("setting, value", [
    ("NONCOOP_MAIL_FROM", "Secretariat, no address"),
    ("NONCOOP_BASE_URL", "noncoop.example.org/without-a-scheme")])
def test_a_mistyped_mail_setting_stops_the_dispatch_before_any_notice_is_touched(
        mongolia, db, mail, monkeypatch, setting, value):
    """Every e-mail reads these settings: a mistake in one must not fail each notice in turn
    until the whole outbox is dead letters."""
    services.act(db, mongolia, "emergency_bureau_meeting", on=D(2024, 10, 29))
    before = list_outbox(db)
    monkeypatch.setenv(setting, value)
    with pytest.raises(BadInput, match=setting):
        dispatch(db)
    db.expire_all()
    assert list_outbox(db) == before and not mail.inbox.messages


@pytest.fixture
def urgent(directory):
    """A 7(b) incident in the Asia-Pacific region: restricted (para 11)."""
    db = directory
    case = services.open_case(db, state="Mongolia", scenario="7b",
                              summary="A visit of a person subject to a warrant on 3 September",
                              person="the person concerned")
    services.act(db, case["id"], "good_offices_activate", on=D(2024, 8, 30),
                 params={"court_consulted": "2024-08-29"})
    return case["id"]


def test_a_restricted_case_reaches_only_those_allowed_and_says_no_more(urgent, db, mail):
    services.act(db, urgent, "request_assistance", on=D(2024, 8, 30),
                 params={"task": "Contact the authorities", "due": "2024-09-01"})
    services.act(db, urgent, "notify_bureau", on=D(2024, 8, 30))
    dispatch(db)
    assert mail.inbox.to("fp.africa@example.org") == []  # the other region's focal point
    asked = mail.inbox.to("fp.asia@example.org")
    assert len(asked) == 1 and "Contact the authorities" in asked[0].get_body(("plain",)).get_content()
    bureau = mail.inbox.to("bureau.jp@example.org")[0].get_body(("plain",)).get_content()
    assert "good offices" in bureau.lower()
    assert "3 September" not in bureau and "person concerned" not in bureau
    assert [t["assignee"] for t in tasks.list_tasks(db) if t["step"] == "request_assistance"] == [
        "fp.asia@example.org"]


def test_a_focal_point_declines_a_task_with_a_note_on_the_record(urgent, db):
    services.act(db, urgent, "request_assistance", on=D(2024, 8, 30))
    task = next(t for t in tasks.list_tasks(db, "fp.asia@example.org") if t["step"] == "request_assistance")
    with pytest.raises(BadInput, match="--note"):
        tasks.close(db, task["id"], "declined", "", "fp.asia@example.org")
    closed = tasks.close(db, task["id"], "declined", "travelling that week", "fp.asia@example.org")
    assert closed["status"] == "declined"
    last = services.show_case(db, urgent)["history"][-1]
    assert (last["event"], last["by"], last["reason"]) == (
        "task_declined", "fp.asia@example.org", "travelling that week")


def test_nobody_to_ask_in_the_region_is_said_not_guessed(urgent, db):
    people.end_person(db, "fp.asia@example.org", D(2024, 6, 30))
    with pytest.raises(BadInput, match="no focal point of the Asia-Pacific States"):
        services.act(db, urgent, "request_assistance", on=D(2024, 8, 30))


def test_sweep_notices_become_mails_to_the_people_of_the_role(mongolia, db, mail):
    services.act(db, mongolia, "open_letter", on=D(2024, 10, 28), params={"action": "send"})
    sweep(db, D(2024, 11, 25))  # reminders for the letter's reply, misses of the rest
    sweep(db, D(2024, 11, 26))  # and the digest of what is still outstanding
    dispatch(db)
    subjects = [m["Subject"] for m in mail.inbox.to("president.office@example.org")]
    assert any(s.startswith("Reminder") for s in subjects)
    assert any("Deadlines missed and still outstanding" in s for s in subjects)
    secretariat = [m["Subject"] for m in mail.inbox.to("secretariat@example.org")]
    assert any("Transmission of the Court's decision" in s for s in secretariat)


def test_a_notice_nobody_may_receive_is_shown_not_dropped(db):
    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=D(2024, 10, 24), referred_to=["assembly"])
    services.act(db, case["id"], "emergency_bureau_meeting", on=D(2024, 10, 29))
    assert expand(db) == 1
    shown = list_outbox(db)["notices"]
    assert [(n["kind"], n["status"]) for n in shown] == [("emergency_bureau_convocation", "no_recipient")]


def test_a_dispatcher_killed_mid_batch_loses_nothing(mongolia, db, mail, database_url, settings_file):
    path = settings_file("notify: {lease_seconds: 1}")
    services.act(db, mongolia, "emergency_bureau_meeting", on=D(2024, 10, 29))
    for n in range(6):
        case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref=f"d{n}",
                                  decision_date=D(2024, 10, 24), referred_to=["assembly"])
        services.act(db, case["id"], "emergency_bureau_meeting", on=D(2024, 10, 29))
    expand(db)
    total = len(db.exec(select(MessageRow)).all())
    assert total >= 20
    mail.inbox.delay = 0.2  # a slow server, so that the kill lands mid-batch
    env = {**os.environ, "NONCOOP_DATABASE_URL": database_url, "NONCOOP_CONFIG": str(path)}
    cmd = [sys.executable, "-m", "noncoop.cli", "outbox", "dispatch", "--json"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(mail.inbox.messages) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    got_before = len(mail.inbox.messages)
    assert 4 <= got_before < total
    time.sleep(1.2)  # the lease of the message in flight runs out
    mail.inbox.delay = 0
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    ids = [m["Message-ID"] for _, m in mail.inbox.messages]
    assert set(ids) == set(db.exec(select(MessageRow.message_id)).all())  # nothing lost
    assert len(ids) - len(set(ids)) <= 1  # at most the one in flight, sent again as itself


def test_travel_information_goes_to_the_regions_focal_point(urgent, db, mail):
    services.act(db, urgent, "travel_alert", on=D(2024, 8, 30), params={
        "person": "the person concerned", "from": "2024-09-03", "source": "a State Party",
        "reliability": "confirmed"})
    services.act(db, urgent, "share_travel_information", on=D(2024, 8, 30))
    dispatch(db)
    shared = mail.inbox.to("fp.asia@example.org")
    assert [m["Subject"].split(" (")[0] for m in shared] == [
        "Travel information – Mongolia, 3 September 2024"]
    assert "a State Party" in shared[0].get_body(("plain",)).get_content()
    assert mail.inbox.to("fp.africa@example.org") == []


def test_without_a_mail_server_the_worker_says_so_once(mongolia, db, mail, monkeypatch, caplog):
    import logging

    from noncoop.scheduler import dispatch_job

    host = os.environ["NONCOOP_SMTP_HOST"]
    monkeypatch.delenv("NONCOOP_SMTP_HOST")
    services.act(db, mongolia, "emergency_bureau_meeting", on=D(2024, 10, 29))
    caplog.set_level(logging.DEBUG, logger="noncoop.scheduler")
    for _ in range(3):  # three runs of the worker, a minute apart
        assert dispatch_job() is None
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 1 and "NONCOOP_SMTP_HOST" in warned[0]
    assert len(list_outbox(db, "pending")["messages"]) == 3

    monkeypatch.setenv("NONCOOP_SMTP_HOST", host)  # set: the messages go
    assert len(dispatch_job()["sent"]) == 3
    monkeypatch.delenv("NONCOOP_SMTP_HOST")  # unset again: that is news, said again
    caplog.clear()
    dispatch_job()
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


# One bad row never stops the others (DESIGN principle 10).

def _poisoned_notice(db, case_id):
    """A notice of a letter the catalogue no longer holds: it cannot be composed."""
    from noncoop import clock
    from noncoop.store.models import NoticeRow

    row = NoticeRow(case_id=case_id, step="emergency_bureau_meeting", kind="withdrawn_letter",
                    recipients=["bureau"], created_at=clock.now())
    db.add(row)
    db.commit()
    return row.id


def test_a_notice_that_cannot_be_composed_waits_then_is_dead_and_the_rest_go(
        mongolia, db, mail, settings_file, monkeypatch):
    from noncoop import clock
    from noncoop.store.models import NoticeRow

    settings_file("notify: {backoff_seconds: 60, max_attempts: 2}")
    bad = _poisoned_notice(db, mongolia)
    services.act(db, mongolia, "emergency_bureau_meeting", on=D(2024, 10, 29))
    first = dispatch(db)
    assert first["expanded"] == 1 and len(first["sent"]) == 3  # the good notice, to everyone
    assert [(n["id"], n["status"], n["attempts"]) for n in first["unexpanded"]] == [(bad, "queued", 1)]
    assert "KeyError" in first["unexpanded"][0]["last_error"]
    assert db.exec(select(MessageRow).where(MessageRow.notice_id == bad)).all() == []
    # Not tried again before its backoff has passed...
    assert dispatch(db)["unexpanded"] == []
    later = clock.now() + dt.timedelta(seconds=61)
    monkeypatch.setattr(clock, "now", lambda: later)
    # ...then tried, and dead after its last attempt, with its error kept and shown.
    assert [(n["id"], n["status"]) for n in dispatch(db)["unexpanded"]] == [(bad, "dead")]
    row = db.get(NoticeRow, bad)
    db.refresh(row)
    assert (row.status, row.attempts) == ("dead", 2) and "withdrawn_letter" in row.last_error
    shown = {n["id"]: n for n in list_outbox(db)["notices"]}
    assert shown[bad]["status"] == "dead" and "KeyError" in shown[bad]["last_error"]
    assert dispatch(db)["unexpanded"] == []  # a dead notice is not tried again
    assert len(mail.inbox.messages) == 3


def _stored_before_the_directory_refused_it(db, name, email):
    from noncoop.store.models import PersonRow

    db.add(PersonRow(name=name, email=email, role="bureau", lang="en", active_from=D(2024, 1, 1)))
    db.commit()


@pytest.mark.parametrize(("name", "email", "reason"), [
    ("Bureau member\r\nBcc: everyone@example.org", "bureau.xx@example.org", "name"),
    ("Bureau member", "bureau.xx\x00@example.org", "address")])
def test_a_header_that_cannot_be_written_is_a_dead_letter_and_the_rest_go(
        mongolia, db, mail, name, email, reason):
    if "\x00" in email and db.get_bind().dialect.name == "postgresql":
        pytest.skip("PostgreSQL stores no NUL in text: such an address cannot be on record")
    _stored_before_the_directory_refused_it(db, name, email)
    services.act(db, mongolia, "emergency_bureau_meeting", on=D(2024, 10, 29))
    result = dispatch(db)
    assert len(result["sent"]) == 3 and result["failed"] == []
    assert [(m["to"], m["status"], m["attempts"]) for m in result["dead"]] == [(email, "dead", 1)]
    assert f"the {reason}" in result["dead"][0]["last_error"]
    assert dispatch(db) == {"expanded": 0, "sent": [], "failed": [], "dead": [], "unexpanded": []}
    assert sorted(r for rcpts, _ in mail.inbox.messages for r in rcpts) == [
        "bureau.fr@example.org", "bureau.jp@example.org", "president.office@example.org"]
    assert all("Bcc" not in m for _, m in mail.inbox.messages)


@pytest.mark.parametrize(("field", "name", "email"), [
    ("name", "Bureau member\r\nBcc: everyone@example.org", "bureau.xx@example.org"),
    ("name", "Bureau\nmember", "bureau.xx@example.org"),
    ("email", "Bureau member", "bureau.xx\x00@example.org")])
def test_the_directory_refuses_a_line_break_or_a_nul_in_a_header_value(db, field, name, email):
    with pytest.raises(BadInput, match=f"--{field}") as refused:
        people.add_person(db, name=name, email=email, role="bureau", active_from=D(2024, 1, 1))
    assert refused.value.exit_code == 2 and refused.value.details == {"field": field}
    assert people.list_people(db) == []


def test_a_task_notice_says_its_own_request_even_when_a_later_one_came_first_to_the_outbox(
        urgent, db, mail):
    from noncoop.store.models import NoticeRow

    services.act(db, urgent, "request_assistance", on=D(2024, 8, 30),
                 params={"task": "Contact the authorities", "due": "2024-09-01"})
    # A second request, to another person, before anything was sent: no due date of its own.
    services.act(db, urgent, "request_assistance", on=D(2024, 8, 31), reason="as discussed",
                 params={"task": "Brief the Bureau members", "to": "bureau.jp@example.org"})
    notices = db.exec(select(NoticeRow).order_by(NoticeRow.id)).all()
    assert [n.body["task"] for n in notices] == [
        {"title": "Contact the authorities", "due": "2024-09-01", "note": None},
        {"title": "Brief the Bureau members", "due": None, "note": "as discussed"}]
    assert notices[0].body["request"] < notices[1].body["request"]
    dispatch(db)
    first = mail.inbox.to("fp.asia@example.org")[0].get_body(("plain",)).get_content()
    second = mail.inbox.to("bureau.jp@example.org")[0].get_body(("plain",)).get_content()
    assert "Contact the authorities, by 1 September 2024." in first
    assert "Brief the Bureau" not in first and "as discussed" not in first
    assert "Brief the Bureau members." in second and "as discussed" in second
    assert "Contact the authorities" not in second and "1 September" not in second


# The outbox as the Secretariat sees it: the plain list says what the JSON says, and a dead
# notice can be tried again as a dead letter can (never about a closed case).

def _cli(*args):
    import json

    from typer.testing import CliRunner

    from noncoop.cli import app
    plain = CliRunner().invoke(app, list(args))
    as_json = CliRunner().invoke(app, [*args, "--json"])
    return plain, json.loads(as_json.output) if as_json.output.strip() else None


def _dead(db, notice_id, error="OperationalError: the database went away"):
    from noncoop.store.models import NoticeRow

    row = db.get(NoticeRow, notice_id)
    row.status, row.attempts, row.last_error = "dead", 5, error
    db.add(row)
    db.commit()


def test_the_plain_outbox_list_shows_every_notice_and_message_the_json_shows(mongolia, db, mail):
    from noncoop.store.models import NoticeRow

    services.act(db, mongolia, "emergency_bureau_meeting", on=D(2024, 10, 29))  # sent below
    dispatch(db)
    bad = _poisoned_notice(db, mongolia)
    _dead(db, bad, "KeyError: 'withdrawn_letter'")
    services.act(db, mongolia, "open_letter", on=D(2024, 10, 28), params={"action": "send"})
    sweep(db, D(2024, 11, 25))  # reminders and misses, queued: not yet dispatched
    queued = db.exec(select(NoticeRow).where(NoticeRow.status == "queued")).all()
    assert len(queued) >= 2
    plain, shown = _cli("outbox", "list")
    assert plain.exit_code == 0, plain.output
    lines = plain.output.strip().splitlines()
    assert len(lines) == len(shown["messages"]) + len(shown["notices"]) == 3 + len(queued) + 1
    for m in shown["messages"]:
        assert any(line.startswith(f"#{m['id']} ") and m["to"] in line for line in lines)
    for n in shown["notices"]:
        line = next(line for line in lines if line.startswith(f"notice {n['id']} "))
        assert n["status"] in line or n["status"] == "no_recipient"
    dead_line = next(line for line in lines if line.startswith(f"notice {bad} "))
    assert "KeyError" in dead_line and f"retry --notice {bad}" in dead_line
    assert "the outbox is empty" not in plain.output


def test_retry_revives_a_dead_notice_and_it_is_sent(mongolia, db, mail):
    from noncoop.store.models import NoticeRow

    services.act(db, mongolia, "emergency_bureau_meeting", on=D(2024, 10, 29))
    notice = db.exec(select(NoticeRow)).one()
    _dead(db, notice.id)  # it died of a failure that has passed since
    assert dispatch(db)["sent"] == []  # a dead notice waits for someone to say so
    plain, _ = _cli("outbox", "retry", "--notice", str(notice.id))
    assert plain.exit_code == 0 and "1 notice(s) to compose again" in plain.output
    db.refresh(notice)
    assert (notice.status, notice.attempts) == ("queued", 0)
    assert len(dispatch(db)["sent"]) == 3 and len(mail.inbox.messages) == 3
    # One named that is not dead is said to be so, and not sent again.
    sent = db.exec(select(MessageRow)).first()
    assert retry(db, [sent.id])["skipped"] == [
        {"message": sent.id, "case_id": mongolia, "reason": f"message {sent.id} is sent, not dead"}]
    with pytest.raises(NotFound, match="no notice 999"):
        retry(db, notice_ids=[999])
    assert dispatch(db)["sent"] == []


def test_retry_sends_nothing_more_about_a_closed_case(mongolia, db, mail, settings_file):
    from noncoop.store.models import NoticeRow

    settings_file("notify: {backoff_seconds: 0, max_attempts: 1}")
    services.act(db, mongolia, "emergency_bureau_meeting", on=D(2024, 10, 29))
    mail.stop()
    assert len(dispatch(db)["dead"]) == 3  # dead letters, the server being down
    bad = _poisoned_notice(db, mongolia)
    dispatch(db)
    assert db.get(NoticeRow, bad).status == "dead"
    services.act(db, mongolia, "close", on=D(2024, 11, 1), params={"outcome": "other"})
    mail.start()
    result = retry(db)  # every dead one: all about the closed case
    assert result["messages"] == [] and result["notices"] == []
    assert sorted(s.get("notice", 0) for s in result["skipped"]) == [0, 0, 0, bad]
    assert all(s["reason"] == f"case {mongolia} is closed: nothing more is sent about it"
               for s in result["skipped"])
    plain, _ = _cli("outbox", "retry")
    assert plain.exit_code == 0
    assert f"skipped notice {bad}: case {mongolia} is closed" in plain.output
    assert dispatch(db)["sent"] == [] and mail.inbox.messages == []
