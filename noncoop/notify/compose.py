"""What one person is told by one notice: subject, HTML and text from the letter templates in
his or her language, an iCalendar invitation for a meeting, and the e-mail itself."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from html import unescape
from typing import Any

from icalendar import Calendar, Event, vCalAddress, vText

from noncoop import services
from noncoop.access import Viewer, formal_view, sight
from noncoop.domain import load_procedure
from noncoop.domain.case import Case
from noncoop.i18n import tr
from noncoop.letters import context
from noncoop.letters.docx import blocks
from noncoop.letters.render import DIGEST, LetterDef, catalogue, render_html
from noncoop.store.models import DeadlineRow, MessageRow, NoticeRow, PersonRow

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
    html = render_html(template, lang, ctx)
    invite = notice.body.get("invite")
    return Content(subject=subject_of(html, lang), html=html, text=text_of(html),
                   ics=invitation(notice, case, person, sender, invite, subject_of(html, lang))
                   if invite and case is not None else None)


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
    """An iCalendar REQUEST for the meeting: an all-day event with a stable UID, so that a
    second notice about the same meeting updates the entry instead of adding one."""
    cal = Calendar()
    cal.add("prodid", "-//noncoop//Assembly procedures relating to non-cooperation//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = Event()
    day = dt.date.fromisoformat(invite["date"])
    event.add("uid", f"{case.id if case else 'none'}-{notice.step}-{invite['date']}@noncoop")
    event.add("dtstamp", notice.created_at)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    if invite.get("place"):
        event.add("location", invite["place"])
    organizer = vCalAddress(f"mailto:{sender}")
    organizer.params["cn"] = vText(tr(person.lang, "Secretariat of the Assembly of States Parties"))
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{person.email}")
    attendee.params["cn"] = vText(person.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee)
    cal.add_component(event)
    return cal.to_ical().decode("utf-8")


# What no header may carry: a line break would start another header (or the body), and a NUL
# or another control character is refused by mail servers, if the e-mail library lets it by.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _header(what: str, value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError(f"the {what} {value!r} holds a line break or another control "
                         "character, which no e-mail header may carry")
    return value


def email_of(message: MessageRow, sender: str) -> EmailMessage:
    """The e-mail of an outbox row: text and HTML alternatives, the invitation attached.
    A ValueError when a header value cannot be written."""
    mail = EmailMessage()
    mail["From"] = _header("sender", sender)
    mail["To"] = formataddr((_header("name", message.to_name),
                             _header("address", message.to_email)))
    mail["Subject"] = _header("subject", message.subject)
    mail["Message-ID"] = _header("Message-ID", message.message_id)
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail.set_content(message.text_body)
    mail.add_alternative(message.html_body, subtype="html")
    if message.ics:
        mail.add_attachment(message.ics.encode("utf-8"), maintype="text", subtype="calendar",
                            filename="invitation.ics", params={"method": "REQUEST"})
    return mail
