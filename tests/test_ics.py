"""The calendar export (RFC 5545), read back by vobject, a parser that is not the one writing it:
venues where calendars look for them (LOCATION), one entry per deadline whose UID survives a
reschedule while its SEQUENCE grows, and summaries that read as a sentence."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
import vobject

from noncoop import services
from noncoop.ics import calendar_file
from noncoop.sweep import sweep

D = dt.date
STAMP = dt.datetime(2024, 11, 1, 9, tzinfo=dt.UTC)


def read(data: bytes) -> dict[str, vobject.base.Component]:
    """The events of an exported file by UID, as vobject reads them (one each: a UID twice
    in one file would be one event said twice)."""
    calendar = vobject.readOne(data.decode("utf-8"))
    events = list(calendar.contents.get("vevent", []))
    uids = [e.uid.value for e in events]
    assert len(uids) == len(set(uids)), uids
    return {e.uid.value: e for e in events}


def value(event: vobject.base.Component, name: str) -> object:
    return getattr(event, name).value if name in event.contents else None


@pytest.fixture
def mongolia(db):
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    services.add_bureau_meeting(db, D(2024, 11, 5), "New York")
    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=D(2024, 10, 24), referred_to=["assembly"])["id"]
    services.act(db, case, "open_letter", on=D(2024, 10, 28), params={"action": "send"})
    return case


def test_sessions_and_meetings_have_their_venue_as_location(db, mongolia):
    events = read(calendar_file(db, services.ADMIN, STAMP))
    session = events["session-23-regular@noncoop"]
    assert value(session, "summary") == "Assembly of States Parties, session 23"
    assert value(session, "location") == "The Hague" and value(session, "description") is None
    assert value(session, "dtstart") == D(2024, 12, 2)
    assert value(session, "dtend") == D(2024, 12, 8)  # exclusive end: the 7th is included
    meeting = events["bureau-2024-11-05@noncoop"]
    assert value(meeting, "location") == "New York" and value(meeting, "dtstart") == D(2024, 11, 5)
    assert value(meeting, "dtstamp") == STAMP


def test_deadlines_read_as_a_sentence_and_leave_the_day_free(db, mongolia):
    events = read(calendar_file(db, services.ADMIN, STAMP))
    reply = events[f"deadline-{mongolia}-open_letter-reply@noncoop"]
    assert value(reply, "summary") == (f"{mongolia} · President's open letter to the requested "
                                       "State — due: the requested State's reply")
    assert value(reply, "dtstart") == D(2024, 11, 27) and value(reply, "dtend") == D(2024, 11, 28)
    assert "2024-10-28 + 30 days" in value(reply, "description")
    assert value(reply, "location") is None and value(reply, "transp") == "TRANSPARENT"
    assert value(reply, "sequence") == "0"
    assert value(reply, "x-microsoft-cdo-busystatus") == "FREE"
    # Revised when its event was recorded, not whenever the file is written.
    assert value(reply, "dtstamp") == value(reply, "last-modified") != STAMP
    press = events[f"deadline-{mongolia}-press_release-due@noncoop"]
    assert value(press, "summary") == f"{mongolia} · President informs the public by press release — due"
    summaries = [value(e, "summary") for e in events.values()]
    assert not [s for s in summaries if "due due" in s or s.count("due") > 1], summaries


def test_a_rescheduled_deadline_keeps_its_uid_and_its_sequence_grows(db, mongolia):
    uid = f"deadline-{mongolia}-open_letter-reply@noncoop"
    before = read(calendar_file(db, services.ADMIN, STAMP))[uid]
    services.act(db, mongolia, "reschedule_deadline", on=D(2024, 11, 4), reason="asked for time",
                 params={"step": "open_letter", "kind": "reply", "due": "2024-12-20"})
    after = read(calendar_file(db, services.ADMIN, STAMP))
    assert [u for u in after if "open_letter" in u] == [uid]  # the same entry, not a second one
    moved = after[uid]
    assert value(moved, "dtstart") == D(2024, 12, 20)
    assert int(value(moved, "sequence")) > int(value(before, "sequence"))
    assert "asked for time" in value(moved, "description")
    services.act(db, mongolia, "reschedule_deadline", on=D(2024, 11, 5), reason="again",
                 params={"step": "open_letter", "kind": "reply", "due": "2025-01-10"})
    again = read(calendar_file(db, services.ADMIN, STAMP))[uid]
    assert value(again, "dtstart") == D(2025, 1, 10)
    assert int(value(again, "sequence")) > int(value(moved, "sequence"))
    assert value(again, "last-modified") >= value(moved, "last-modified") >= value(
        before, "last-modified")


def test_a_missed_deadline_says_so_under_the_same_uid_with_a_higher_sequence(db, mongolia):
    uid = f"deadline-{mongolia}-open_letter-reply@noncoop"
    before = read(calendar_file(db, services.ADMIN, STAMP))[uid]
    sweep(db, D(2024, 12, 2))
    missed = read(calendar_file(db, services.ADMIN, STAMP))[uid]
    assert value(missed, "summary").startswith(f"{mongolia} · President's open letter")
    assert " — overdue: the requested State's reply" in value(missed, "summary")
    assert int(value(missed, "sequence")) > int(value(before, "sequence"))
    assert value(missed, "dtstart") == value(before, "dtstart")


def test_a_deadline_set_again_by_a_repeated_step_is_an_entry_of_its_own(db, freezer):
    """Each travel alert gives 24 hours to share it (omnibus para 35): two alerts, two
    deadlines of one step and kind, two entries, each keeping its UID when the other moves."""
    freezer.move_to("2024-09-01 08:00:00")
    case = services.open_case(db, state="Mongolia", scenario="7b", summary="a visit")["id"]
    services.act(db, case, "good_offices_activate", on=D(2024, 8, 30),
                 params={"court_consulted": "2024-08-29"})
    services.act(db, case, "travel_alert", on=D(2024, 8, 31), params={
        "person": "A", "from": "2024-09-10", "source": "press", "reliability": "likely"})
    freezer.move_to("2024-09-02 12:30:00")  # recorded as it happens: its instant is known
    services.act(db, case, "travel_alert", params={
        "person": "B", "from": "2024-09-10", "source": "press", "reliability": "likely"})
    events = read(calendar_file(db, services.ADMIN, STAMP))
    first = f"deadline-{case}-share_travel_information-due@noncoop"
    second = f"deadline-{case}-share_travel_information-due-2@noncoop"
    # Dated a day, not an hour: from the end of that day, to the end of the next.
    assert value(events[first], "dtstart") == D(2024, 9, 1)
    assert "Runs out" not in value(events[first], "description")
    assert value(events[second], "dtstart") == D(2024, 9, 3)
    assert value(events[second], "description").endswith(
        "Runs out on 2024-09-03 at 14:30, The Hague time.")
    services.act(db, case, "reschedule_deadline", on=D(2024, 9, 2), reason="source checked",
                 params={"step": "share_travel_information", "kind": "due", "due": "2024-09-05"})
    moved = read(calendar_file(db, services.ADMIN, STAMP))
    assert value(moved[first], "dtstart") == D(2024, 9, 5)
    assert value(moved[second], "dtstart") == D(2024, 9, 3)
    assert int(value(moved[first], "sequence")) > int(value(events[first], "sequence"))
    assert value(moved[second], "sequence") == value(events[second], "sequence")


def test_the_command_line_writes_the_file_a_calendar_imports(db, mongolia, database_url, tmp_path):
    path = tmp_path / "noncoop.ics"
    env = {**os.environ, "NONCOOP_DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, "-m", "noncoop.cli", "calendar", "export", "--ics",
                           "-o", str(path)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    events = read(path.read_bytes())
    assert value(events["session-23-regular@noncoop"], "location") == "The Hague"
    assert f"deadline-{mongolia}-open_letter-reply@noncoop" in events
