"""E-mails every client shows as written (issue 20): every subject of every notice kind, in
English and in French, with accented States and long accented names, is read back from what
the real SMTP server received by two independent decoders (Python's parser with the strict
policy, and email.header.decode_header) and compared with the text meant; meeting invitations
are read by two independent iCalendar parsers (icalendar and vobject)."""

from __future__ import annotations

import datetime as dt
import email
import re
from email.header import decode_header, make_header
from email.policy import strict
from email.utils import parseaddr

import pytest
import vobject
from icalendar import Calendar
from sqlmodel import select

from noncoop import access, clock, people, services
from noncoop.domain import load_procedure
from noncoop.notify.dispatch import dispatch
from noncoop.store.models import DeadlineRow, MessageRow, NoticeRow
from noncoop.sweep import sweep

D = dt.date
SENDER_NAME = "Secrétariat de l’Assemblée des États Parties au Statut de Rome"
SENDER = f"{SENDER_NAME} <noreply@example.org>"
# Long names, accents, parentheses and apostrophes: what the header folding got wrong.
DIRECTORY = [
    ("Élisabeth-Noëlle Müller-Lüdenscheid, Bureau de la Présidence de l’Assemblée (Présidence)",
     "po.fr@example.org", "president_office", None, "fr"),
    ("Office of the President – Ms. Zoë Łukasiewicz-Ørsted (République tchèque)",
     "po.en@example.org", "president_office", None, "en"),
    ("Secrétariat de l’Assemblée – Jean-Étienne de La Rochefoucauld-Doudeauville",
     "sec.fr@example.org", "secretariat", None, "fr"),
    ("Secretariat of the Assembly – José María Núñez-Gutiérrez y Peña",
     "sec.en@example.org", "secretariat", None, "en"),
    ("Membre du Bureau (Côte d’Ivoire) – Aïssatou N’Diaye-Kouamé Éhouman",
     "bureau.fr@example.org", "bureau", None, "fr"),
    ("Bureau member (Türkiye) – Çağlar Öztürk-Şahin Ğüneş", "bureau.en@example.org", "bureau",
     None, "en"),
    ("Point focal régional (États d’Afrique) – Amélie Ndiaye-Mbèngue à Dakar",
     "fp.fr@example.org", "focal_point", "African", "fr"),
    ("Regional focal point (Asia-Pacific States) – Chloé Ngũgĩ wa Thiong’o-Müller",
     "fp.en@example.org", "focal_point", "Asia-Pacific", "en"),
]


@pytest.fixture
def world(db, mail, monkeypatch):
    monkeypatch.setenv("NONCOOP_MAIL_FROM", SENDER)
    monkeypatch.setenv("NONCOOP_BASE_URL", "https://noncoop.example.org")
    for name, address, role, region, lang in DIRECTORY:
        people.add_person(db, name=name, email=address, role=role, region=region, lang=lang,
                          active_from=D(2024, 1, 1))
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "La Haye")
    services.add_bureau_meeting(db, D(2024, 11, 5), "New York")
    formal = services.open_case(db, state="Côte d'Ivoire", scenario="7a",
                                decision_ref="ICC-02/11-01/12", decision_date=D(2024, 10, 24),
                                referred_to=["assembly"], request="art89",
                                person="Simone Gbagbo")["id"]
    urgent = services.open_case(db, state="Democratic Republic of the Congo", scenario="7b",
                                summary="Visite annoncée à Kinshasa", person="la personne visée")["id"]
    services.act(db, urgent, "good_offices_activate", on=D(2024, 10, 25),
                 params={"court_consulted": "2024-10-24"})
    return db, formal, urgent


def _step_notices(db, formal: str, urgent: str) -> set[str]:
    """One notice of every kind a step of the workflows sends (their `notify`), on a case of
    its lane, to the roles it names; a request for assistance is made, to a French focal point
    and an English Bureau member, as the people asked are known only then."""
    kinds = set()
    for step in load_procedure().steps.values():
        for spec in step.notify:
            kinds.add(spec["letter"])
            case = urgent if step.id in access.INFORMAL_STEPS else formal
            if "assisting" in spec["to"]:
                services.act(db, case, step.id, on=D(2024, 10, 26), params={
                    "task": "Prendre contact avec le ministère", "due": "2024-11-01",
                    "to": "fp.fr@example.org,bureau.en@example.org"})
                continue
            body = {"invite": {"date": "2024-11-05", "place": "Salle du Conseil – New York"}} \
                if spec.get("invite") else {}
            db.add(NoticeRow(case_id=case, step=step.id, kind=spec["letter"],
                             recipients=spec["to"], body=body, created_at=clock.now()))
    db.commit()
    return kinds


def _raw_header(raw: bytes, name: str) -> str:
    parsed = email.message_from_bytes(raw, policy=strict)
    return next(v for k, v in parsed.raw_items() if k.lower() == name.lower())


def test_every_subject_and_name_reads_back_exactly_in_every_decoder(world, mail):
    db, formal, urgent = world
    kinds = _step_notices(db, formal, urgent)
    # Reminders and misses of the open letter's deadlines, then the next day's digest.
    services.act(db, formal, "open_letter", on=D(2024, 10, 28), params={"action": "send"})
    sweep(db, D(2024, 11, 25))
    sweep(db, D(2024, 11, 26))
    kinds |= {"reminder", "missed", "digest"}
    result = dispatch(db)
    assert result["failed"] == [] and result["dead"] == [] and result["unexpanded"] == []
    rows = {m.message_id: m for m in db.exec(select(MessageRow)).all()}
    assert len(rows) == len(mail.inbox.raw) == len(result["sent"])
    names = {address: name for name, address, *_ in DIRECTORY}
    langs = {address: lang for _, address, _, _, lang in DIRECTORY}
    notices = {n.id: n.kind for n in db.exec(select(NoticeRow)).all()}
    seen = set()
    for raw in mail.inbox.raw:
        assert raw.isascii()  # nothing for a server or a client to guess the charset of
        parsed = email.message_from_bytes(raw, policy=strict)  # a defect would raise here
        row = rows[parsed["Message-ID"]]
        intended = row.subject
        assert str(parsed["Subject"]) == intended
        assert str(make_header(decode_header(_raw_header(raw, "Subject")))) == intended
        to = parsed["To"].addresses[0]
        assert (to.display_name, to.addr_spec) == (names[row.to_email], row.to_email)
        assert str(make_header(decode_header(_raw_header(raw, "To")))) == (
            f"{names[row.to_email]} <{row.to_email}>")
        sender = parsed["From"].addresses[0]
        assert (sender.display_name, sender.addr_spec) == (SENDER_NAME, "noreply@example.org")
        assert parseaddr(str(make_header(decode_header(_raw_header(raw, "From"))))) == (
            SENDER_NAME, "noreply@example.org")
        assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
        # The subject says the case number once, and a meeting is not "Meeting: Meeting of".
        numbers = re.findall(r"NC-\d{4}-\d{3}", intended)
        assert len(numbers) == len(set(numbers)) <= 1, intended
        assert not re.search(r"(Meeting|Réunion)\s*:\s*(Meeting|Réunion)", intended, re.I)
        seen.add((notices[row.notice_id], langs[row.to_email]))
    assert seen == {(k, lang) for k in kinds for lang in ("en", "fr")}, sorted(seen)


def test_an_invitation_is_an_itip_request_from_a_real_address(world, mail):
    db, formal, _ = world
    services.act(db, formal, "emergency_bureau_meeting", on=D(2024, 10, 29),
                 params={"place": "Salle du Conseil – New York"})
    dispatch(db)
    checked = 0
    for raw in mail.inbox.raw:
        parsed = email.message_from_bytes(raw, policy=strict)
        part = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
        assert part.get_param("charset") == "utf-8" and part.get_param("method") == "REQUEST"
        text = part.get_payload(decode=True).decode("utf-8")
        attached = next(p for p in parsed.iter_attachments() if p.get_filename() == "invitation.ics")
        assert attached.get_payload(decode=True).decode("utf-8") == text.replace("\r\n", "\n").replace(
            "\n", "\r\n")  # the same invitation, as a file
        assert part.get_content_disposition() is None  # inline: the calendar client acts on it
        to = parsed["To"].addresses[0]
        # icalendar
        cal = Calendar.from_ical(text)
        assert str(cal["method"]) == "REQUEST"
        event = cal.walk("VEVENT")[0]
        assert str(event["organizer"]) == "mailto:noreply@example.org"
        assert str(event["organizer"].params["CN"]) == SENDER_NAME
        assert str(event["attendee"]) == f"mailto:{to.addr_spec}"
        assert str(event["attendee"].params["CN"]) == to.display_name
        assert event["attendee"].params["PARTSTAT"] == "NEEDS-ACTION"
        assert event["attendee"].params["RSVP"] == "FALSE"  # nobody reads the no-reply box
        assert str(event["location"]) == "Salle du Conseil – New York"
        assert str(event["summary"]) == str(parsed["Subject"])
        # vobject, an independent reader
        other = vobject.readOne(text)
        assert other.method.value == "REQUEST"
        vevent = other.vevent
        assert vevent.organizer.value == "mailto:noreply@example.org"
        assert vevent.organizer.params["CN"] == [SENDER_NAME]
        assert vevent.attendee.value == f"mailto:{to.addr_spec}"
        assert vevent.attendee.params["CN"] == [to.display_name]
        assert vevent.dtstart.value == D(2024, 10, 29)
        for needed in ("uid", "dtstamp", "sequence", "summary"):  # RFC 5546 3.2.2
            assert needed in vevent.contents, needed
        checked += 1
    assert checked == len(mail.inbox.raw) == 4  # the Bureau, both languages, and the President's office


def test_everyone_asked_is_told_the_task_its_number_its_due_date_and_its_page(world, mail,
                                                                           monkeypatch):
    db, _, urgent = world
    services.act(db, urgent, "request_assistance", on=D(2024, 10, 26), params={
        "task": "Prendre contact avec le ministère", "due": "2024-11-01",
        "to": "fp.fr@example.org,bureau.en@example.org"})
    dispatch(db)
    from noncoop import tasks
    numbers = {t["assignee"]: t["id"] for t in tasks.list_tasks(db, status=None)
               if t["step"] == "request_assistance"}
    assert set(numbers) == {"fp.fr@example.org", "bureau.en@example.org"}
    french = mail.inbox.to("fp.fr@example.org")[0].get_body(("plain",)).get_content()
    english = mail.inbox.to("bureau.en@example.org")[0].get_body(("plain",)).get_content()
    assert (f"Votre tâche nº {numbers['fp.fr@example.org']} : Prendre contact avec le "
            "ministère, à accomplir d’ici le 1er novembre 2024") in french
    assert f"https://noncoop.example.org/tasks/{numbers['fp.fr@example.org']}" in french
    assert (f"Your task no. {numbers['bureau.en@example.org']}: Prendre contact avec le "
            "ministère, due 1 November 2024") in english
    assert f"https://noncoop.example.org/tasks/{numbers['bureau.en@example.org']}" in english
    html = mail.inbox.to("bureau.en@example.org")[0].get_body(("html",)).get_content()
    assert f'href="https://noncoop.example.org/tasks/{numbers["bureau.en@example.org"]}"' in html

    # Without NONCOOP_BASE_URL no link can be made: the mail says where the task is.
    monkeypatch.delenv("NONCOOP_BASE_URL")
    services.act(db, urgent, "request_assistance", on=D(2024, 10, 27), params={
        "task": "Brief the Bureau", "to": "fp.en@example.org"})
    dispatch(db)
    number = next(t["id"] for t in tasks.list_tasks(db, "fp.en@example.org")
                  if t["title"] == "Brief the Bureau")
    text = mail.inbox.to("fp.en@example.org")[0].get_body(("plain",)).get_content()
    assert f"Your task no. {number}: Brief the Bureau." in text
    assert f"open My tasks, task no. {number} (the address /tasks/{number}" in text
    assert "http" not in text.split("Your task no.")[1]


def test_a_reminder_names_the_task_of_its_deadline(world, mail):
    db, formal, _ = world
    services.act(db, formal, "open_letter", on=D(2024, 10, 28), params={"action": "send"})
    sweep(db, D(2024, 11, 25))
    dispatch(db)
    from noncoop.store.models import TaskRow
    reminders = db.exec(select(NoticeRow).where(NoticeRow.kind == "reminder")).all()
    assert reminders
    for notice in reminders:
        d = db.get(DeadlineRow, notice.deadline_id)
        task = db.exec(select(TaskRow).where(TaskRow.case_id == d.case_id,
                                             TaskRow.deadline_position == d.position)).one()
        for row in db.exec(select(MessageRow).where(MessageRow.notice_id == notice.id)).all():
            assert f"/tasks/{task.id}" in row.text_body
            assert (f"task no. {task.id}" in row.text_body) or (f"tâche nº {task.id}" in row.text_body)
