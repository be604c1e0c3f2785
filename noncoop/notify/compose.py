"""What one person is told by one notice: subject, HTML and text from the letter templates in
his or her language, an iCalendar invitation for a meeting, and the e-mail itself."""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate, parseaddr
from html import unescape
from typing import Any

from icalendar import Calendar, Event, vCalAddress, vText
from sqlmodel import select

from noncoop import config, services
from noncoop.access import Viewer, formal_view, sight
from noncoop.domain import load_procedure
from noncoop.domain.case import Case
from noncoop.i18n import tr
from noncoop.letters import context
from noncoop.letters.docx import blocks
from noncoop.letters.render import DIGEST, LetterDef, catalogue, render_html
from noncoop.store.models import DeadlineRow, MessageRow, NoticeRow, PersonRow, TaskRow
from noncoop.tasks import DEFAULT_TASK

TEMPLATE_OF = {"reminder": "reminder", "missed": "overdue_notice", "digest": DIGEST}


@dataclass(frozen=True)
class Content:
    subject: str
    html: str
    text: str
    ics: str | None


def compose(db: Any, notice: NoticeRow, case: Case | None, person: PersonRow,
            sender: str) -> Content:
    lang = person.lang
    template = TEMPLATE_OF.get(notice.kind, notice.kind)
    if case is not None:  # a Bureau member learns the formal record only (access.py)
        viewer = Viewer(person.email, person.role, person.region, person.president)
        case = formal_view(case) if sight(viewer, case) == "formal" else case
    on = notice.created_at.date()
    if template == DIGEST:
        letter = LetterDef(DIGEST, None, "13-15", "notice", ())
        ctx = {**context.common(letter, lang, on, f"digest {on.isoformat()}", None),
               "recipients": [person.name],
               "digest": {"overdue": [{**i, "due": dt.date.fromisoformat(i["due"])}
                                    for i in notice.body.get("overdue", [])],
                          "total": notice.body.get("total", len(notice.body.get("overdue", [])))}}
    else:
        assert case is not None, f"notice {notice.id} ({notice.kind}) has no case"
        which = None
        if notice.deadline_id is not None:
            d = db.get(DeadlineRow, notice.deadline_id)
            which = (d.step, d.kind)
        steps = load_procedure(case.workflow, case.workflow_version).steps
        ctx = context.build(catalogue()[template], case, lang, on=on, reference=case.id,
                            sessions=services.sessions(db), meetings=services.bureau_meetings(db),
                            deadline=which, titles={k: v.title_in(lang) for k, v in steps.items()},
                            step=notice.step)
        ctx["recipients"] = [person.name]
        told = notice.body.get("task")
        if told is not None:  # as the request said when it was made (tasks.asked)
            ctx["task"] = {"title": told["title"], "note": told["note"],
                           "due": dt.date.fromisoformat(told["due"]) if told["due"] else None}
    ctx["inbox"] = inbox(db, notice, person)
    html = render_html(template, lang, ctx)
    invite = notice.body.get("invite")
    return Content(subject=subject_of(html, lang), html=html, text=text_of(html),
                   ics=invitation(notice, case, person, sender, invite, subject_of(html, lang))
                   if invite and case is not None else None)


def inbox(db: Any, notice: NoticeRow, person: PersonRow) -> list[dict[str, Any]]:
    """The open tasks of `person` the notice is about, each with its number and its page in the
    web inbox (NONCOOP_BASE_URL/tasks/ID) where it is marked done or declined: the task each
    person asked was given (tasks.assistance, its number kept on the notice), or the task of
    the deadline a reminder or an overdue notice is about, when it is his or hers or his or
    her role's. Without NONCOOP_BASE_URL no link can be made: the mail says where to look."""
    found: list[TaskRow | None] = []
    asked = notice.body.get("task_ids") or {}
    if person.email in asked:
        found.append(db.get(TaskRow, asked[person.email]))
    if notice.deadline_id is not None:
        d = db.get(DeadlineRow, notice.deadline_id)
        found.append(db.exec(select(TaskRow).where(
            TaskRow.case_id == d.case_id, TaskRow.deadline_position == d.position)).first())
    base = config.base_url() if config.base_url_given() else None
    return [{"id": t.id, "due": t.due, "path": f"/tasks/{t.id}",
             "url": f"{base}/tasks/{t.id}" if base else None,
             # A request's words are the asker's; a deadline's task is the letter's subject.
             "title": (tr(person.lang, t.title) if t.title == DEFAULT_TASK else t.title)
             if t.deadline_position is None else None}
            for t in found if t is not None and t.status == "open"
            and t.assignee in (person.email, person.role)]


def subject_of(html: str, lang: str = "en") -> str:
    """The letter's title, in its language (the templates are bilingual); the catalogue's
    word for the procedure if a template has none."""
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    return " ".join(unescape(found.group(1)).split()) if found else tr(lang, "Non-cooperation")


def text_of(html: str) -> str:
    """The plain-text part: the letter's paragraphs, one blank line apart."""
    out = []
    for b in blocks(html):
        text = b.text().strip()
        out.append(f"- {text}" if b.tag == "li" else text)
    return "\n\n".join(out) + "\n"


def invitation(notice: NoticeRow, case: Case | None, person: PersonRow, sender: str,
               invite: dict[str, Any], summary: str) -> str:
    """An iTIP REQUEST (RFC 5546 3.2.2) for the meeting: an all-day event with a stable UID, so
    that a second notice about the same meeting updates the entry instead of adding one. The
    ORGANIZER is the sender's address alone (its display name goes to CN): a reply to
    `mailto:Name <address>` would reach nobody."""
    name, address = sender_parts(sender)
    cal = Calendar()
    cal.add("prodid", "-//noncoop//Assembly procedures relating to non-cooperation//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = Event()
    day = dt.date.fromisoformat(invite["date"])
    event.add("uid", f"{case.id if case else 'none'}-{notice.step}-{invite['date']}@noncoop")
    event.add("sequence", 0)
    event.add("dtstamp", notice.created_at)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    if invite.get("place"):
        event.add("location", invite["place"])
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(name or tr(person.lang, "Secretariat of the Assembly of States Parties"))
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{person.email}")
    attendee.params["cn"] = vText(person.name)
    attendee.params["cutype"] = vText("INDIVIDUAL")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    # No reply is asked: the organizer is the no-reply sender, and nobody reads its mailbox.
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    cal.add_component(event)
    return cal.to_ical().decode("utf-8")


# What no header may carry: a line break would start another header (or the body), and a NUL
# or another control character is refused by mail servers, if the e-mail library lets it by.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Bytes of UTF-8 a subject's encoded-word carries: 36 bytes are 48 of base64, a word of 60
# characters, so that even the first line ("Subject: " and one word) stays within 78 (RFC 5322
# 2.1.1).
_WORD_BYTES = 36
_FOLD = "\n "  # the generator writes each line of a raw value with its own line ending
# An atom of a display name that needs no encoding (RFC 5322 3.2.3 atext).
_ATEXT = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+\Z")
# How the e-mail is written for the wire: no header is folded by the library (its folding of
# non-ASCII words loses spaces on Python 3.11, CPython gh-144156); ours are folded already.
WIRE = SMTP.clone(max_line_length=998)


def _header(what: str, value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError(f"the {what} {value!r} holds a line break or another control "
                         "character, which no e-mail header may carry")
    return value


def _word(text: str) -> str:
    return f"=?utf-8?b?{base64.b64encode(text.encode('utf-8')).decode('ascii')}?="


def encoded_words(text: str) -> str:
    """Unstructured text (a subject) as RFC 2047 encoded-words (UTF-8, base64), one a line.
    Each word holds whole characters and the spaces among them, so that a decoder, which drops
    the white space between two encoded-words (RFC 2047 6.2), gives back the text exactly."""
    words, chunk = [], ""
    for char in text:
        if len((chunk + char).encode("utf-8")) > _WORD_BYTES:
            words.append(chunk)
            chunk = ""
        chunk += char
    words.append(chunk)
    return _FOLD.join(_word(w) for w in words)


def phrase(name: str) -> str:
    """A display name as an RFC 5322 phrase: its plain words as they are, each run of the
    others (accents, parentheses, quotes) as one encoded-word with its inner spaces. No two
    encoded-words are ever side by side: decoders differ on the space between two (RFC 2047
    drops it, Python's address parser keeps it), and agree on the space beside a plain word."""
    tokens: list[str] = []
    run: list[str] = []
    for token in name.split(" "):
        if _ATEXT.match(token):
            if run:
                tokens.append(_word(" ".join(run)))
                run = []
            tokens.append(token)
        else:
            run.append(token)
    if run:
        tokens.append(_word(" ".join(run)))
    return _folded(tokens)


def _folded(tokens: list[str], width: int = 72) -> str:
    lines = [""]
    for token in tokens:
        if lines[-1] and len(lines[-1]) + 1 + len(token) > width:
            lines.append(token)
        else:
            lines[-1] = f"{lines[-1]} {token}" if lines[-1] else token
    return _FOLD.join(lines)


def _text_header(mail: EmailMessage, name: str, value: str) -> None:
    """An unstructured header (Subject): as it is when ASCII, else as encoded-words."""
    if value.isascii():
        mail[name] = value
    else:
        mail.set_raw(name, encoded_words(value))


def _address_header(mail: EmailMessage, name: str, display: str, address: str) -> None:
    """An address header with a display name, encoded as `phrase` says when it is not ASCII
    (an address itself is ASCII here: the directory keeps no other)."""
    if display.isascii() or not display:
        mail[name] = formataddr((display, address))
    else:
        mail.set_raw(name, _folded([phrase(display), f"<{address}>"]))


def sender_parts(sender: str) -> tuple[str, str]:
    """NONCOOP_MAIL_FROM as (display name, address): `Secrétariat <noreply@example.org>` or
    a bare address. An address that cannot be read is the setting's fault, said here."""
    _header("sender", sender)
    name, address = parseaddr(sender)
    if not address or "@" not in address:
        raise ValueError(f"NONCOOP_MAIL_FROM={sender!r} holds no e-mail address: write it as "
                         "noreply@example.org or 'Secretariat <noreply@example.org>'")
    return name, address


def wire(mail: EmailMessage) -> bytes:
    """The e-mail as sent: ASCII only (bodies quoted-printable, headers encoded), CRLF."""
    return mail.as_bytes(policy=WIRE)


def email_of(message: MessageRow, sender: str) -> EmailMessage:
    """The e-mail of an outbox row: text and HTML alternatives, and for a meeting the invitation
    (text/calendar; method=REQUEST; charset=utf-8, RFC 6047), also attached as a file. A
    ValueError when a header value cannot be written."""
    mail = EmailMessage()
    _address_header(mail, "From", *sender_parts(sender))
    _address_header(mail, "To", _header("name", message.to_name),
                    _header("address", message.to_email))
    _text_header(mail, "Subject", _header("subject", message.subject))
    mail["Message-ID"] = _header("Message-ID", message.message_id)
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    # Quoted-printable: the e-mail is ASCII, whatever the server says of 8BITMIME.
    mail.set_content(message.text_body, cte="quoted-printable")
    mail.add_alternative(message.html_body, subtype="html", cte="quoted-printable")
    if message.ics:
        # iMIP (RFC 6047): the REQUEST as an alternative of the message, which calendar clients
        # act on (accept, decline), and as a file for those that only import one.
        mail.add_alternative(message.ics, subtype="calendar", cte="quoted-printable",
                             params={"method": "REQUEST"})
        mail.add_attachment(message.ics.encode("utf-8"), maintype="application", subtype="ics",
                            filename="invitation.ics")
    return mail
