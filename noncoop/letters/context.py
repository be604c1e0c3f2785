"""What a letter template is given (the contract in letters/README.md), built from a case, the
calendar and config. Pure: the case, the calendar and the day are passed in."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from jinja2 import StrictUndefined
from num2words import num2words

from noncoop import config, states
from noncoop.calendar import (
    BureauMeeting,
    Session,
    next_bureau_meeting,
    next_or_ongoing_session,
    next_session,
)
from noncoop.domain.case import Case
from noncoop.domain.deadlines import counted_sessions, report_session, session_name
from noncoop.domain.procedure import load_procedure
from noncoop.errors import BadInput
from noncoop.i18n import tr
from noncoop.letters.render import LetterDef
from noncoop.vocabulary import decision_ref


def ordinal(n: int, lang: str) -> str:
    # "session" is feminine in French: la première session, la vingt-troisième session.
    if lang == "fr" and n == 1:
        return "première"
    return num2words(n, to="ordinal", lang=lang)


def when(start: dt.date, end: dt.date, on: dt.date) -> str:
    """Where the letter's date `on` falls against a session's or a meeting's dates: `before`,
    `during` or `after` it. It sets the tense of what the letter says about the session or the
    meeting: a letter dated after a session never says the Bureau "will report" to it."""
    if on < start:
        return "before"
    return "during" if on <= end else "after"


def session_json(s: Session | None, lang: str, on: dt.date) -> dict[str, Any] | None:
    """The session as a letter dated `on` tells it."""
    if s is None:
        return None
    return {"number": s.number, "ordinal": ordinal(s.number, lang), "start": s.start,
            "end": s.end, "venue": place_name(s.venue, lang), "when": when(s.start, s.end, on)}


def place_name(place: str, lang: str) -> str:
    """A place in the letter's language: config keys (the_hague) and English names alike."""
    for key, names in config.letters()["places"].items():
        if place in (key, names.get("en")):
            return names.get(lang, place)
    return place


def recipients(kinds: tuple[str, ...], case: Case | None, lang: str) -> list[str]:
    """How the letter addresses its recipients (config/letters.yaml); `public` has none."""
    forms = config.letters()["recipients"][lang]
    info = states.lookup(case.requested_state) if case else None
    return [forms[k].format(state=info.named(lang) if info else "",
                            state_de=info.named_after_of(lang) if info else "")
            for k in kinds if k != "public"]


def signatory(on: dt.date, lang: str) -> dict[str, str] | StrictUndefined:
    """The President of the Assembly whose term covers `on` (config/letters.yaml `presidents`).
    Outside every term it is a value that stops the letter with a BadInput naming the date as
    soon as the letter reads it: a letter the Secretariat sends never does, one the President
    signs is not signed by a President who was not in office."""
    settings = config.letters()
    if "signatory" in settings:
        raise BadInput("letters.signatory in the settings was replaced by letters.presidents, the "
                       "Presidents with the dates of their terms: see config/letters.yaml",
                       code="signatory_unknown")
    for term in settings["presidents"]:
        end = _day(term["to"])
        if _day(term["from"]) <= on and (end is None or on <= end):
            return {"name": term["name"], "title": term["title"][lang]}
    return StrictUndefined(
        hint=(f"no President of the Assembly is known for {on.isoformat()}, the date of the "
              "letter: add the President's term (name, title, from, to) to config/letters.yaml "
              "`presidents`, or date the letter within a term"),
        exc=partial(BadInput, code="signatory_unknown"))  # type: ignore[arg-type]


def _day(value: Any) -> Any:
    """A date given as a date or as text (YAML reads 2023-12-04 as a date; a step's params hold
    "2023-12-04"), or None."""
    return None if value is None else dt.date.fromisoformat(str(value))


def common(letter: LetterDef, lang: str, on: dt.date, reference: str | None,
           corrects: str | None) -> dict[str, Any]:
    """What every letter is given. Without a `reference` the letter is a draft: it says so, and
    only a draft does (register.issue gives the register number, a notice its case number)."""
    settings = config.letters()
    return {
        # A draft's reference says so in the letter's language ("PROJET" in French).
        "letter": {"reference": reference or tr(lang, "DRAFT"), "draft": reference is None,
                   "date": on,
                   "lang": lang, "name": letter.name,
                   "place": place_name(settings["place"], lang), "paragraph": letter.paragraph,
                   "corrects": corrects},
        "signatory": signatory(on, lang),
    }


def case_json(case: Case, lang: str) -> dict[str, Any]:
    info = states.lookup(case.requested_state)
    return {
        "id": case.id, "state": info.named(lang), "state_le": info.named_with_article(lang),
        "region": states.group_name(case.region, lang),
        "scenario": case.scenario, "decision_ref": decision_ref(case.decision_ref, lang),
        "decision_date": case.decision_date, "chamber": case.chamber, "person": case.person,
        "request": case.request, "summary": case.summary, "travel_date": case.travel_date,
        # To whom the Court referred its finding, as recorded: a letter names no other (para 13).
        "referred_to_assembly": "assembly" in case.referred_to,
        "referred_to_security_council": "security-council" in case.referred_to,
    }


def history(case: Case, titles: dict[str, str]) -> list[dict[str, Any]]:
    """The formal steps recorded on the case, in the order of the procedure."""
    out = []
    for step in load_procedure(case.workflow, case.workflow_version).lane_steps("formal"):
        rec = case.steps.get(step)
        if rec and rec.status != "pending":
            out.append({"date": rec.date, "step": step, "title": titles.get(step, step),
                        "status": rec.status, "reason": rec.reason})
    return out


def build(letter: LetterDef, case: Case, lang: str, *, on: dt.date, reference: str | None = None,
          corrects: str | None = None, sessions: tuple[Session, ...] = (),
          meetings: tuple[BureauMeeting, ...] = (), deadline: tuple[str, str] | None = None,
          titles: dict[str, str] | None = None, step: str | None = None) -> dict[str, Any]:
    """The context of `letter` about `case`, dated `on`. `deadline` (step, kind) picks the
    deadline a reminder or overdue notice is about (default: the earliest outstanding); `step`
    is the step a notice is about (default: the letter's own)."""
    steps = case.steps
    step = step or letter.step
    titles = titles or {}
    reply = next((d.due for d in case.deadlines
                  if d.step == "open_letter" and d.kind == "reply" and d.status == "open"), None)
    if reply is None and letter.step == "open_letter" and "open_letter" not in steps:
        reply = on + dt.timedelta(days=int(config.letters()["reply_days"]))
    return {
        **common(letter, lang, on, reference, corrects),
        "case": case_json(case, lang),
        "recipients": recipients(letter.to, case, lang),
        "reply_by": reply,
        "step": {"id": step, "title": titles.get(step, step)} if step else None,
        "meeting": _meeting(step, case, on, meetings, lang),
        # The sessions concerned, each chosen by the rule the engine applies (domain): the one
        # the Bureau reports to (15), the one whose omnibus resolution notes the decision
        # (14(e)), the one the three-month rule looked at (14(d)).
        **{name: session_json(s, lang, on)
           for name, s in sessions_concerned(case, sessions, on).items()},
        "deadline": _deadline(case, deadline, titles),
        "task": _task(case),
        "travel": _travel(case),
        "good_offices": _good_offices(case),
        "history": history(case, titles),
    }


def sessions_concerned(case: Case, sessions: tuple[Session, ...],
                       on: dt.date) -> dict[str, Session | None]:
    """`session` (the report, para 15: its deadline's session, else the first that opens with
    the lead time left after the decision), `omnibus_session` (14(e): on-going on the decision
    date, else the next) and `nywg_session` (14(d): the next after the hearing), of the kinds
    that count for each (config/deadlines.yaml `sessions_that_count`)."""
    numbers = config.deadlines()
    report = next((d.session for d in case.deadlines
                   if d.step == "bureau_report" and d.session), None)
    counted = counted_sessions(sessions, numbers, "report")
    if report is not None:
        chosen = next((s for s in counted if session_name(s) == report), None)
    elif case.decision_date is not None:
        lead = int(numbers["bureau_report"]["days_before_session"])
        chosen = report_session(counted, case.decision_date, lead)
    else:
        chosen = None
    hearing = case.steps.get("bureau_hearing")
    held = hearing.data.get("meeting_date") if hearing is not None else None
    return {
        "session": chosen,
        "omnibus_session": next_or_ongoing_session(
            counted_sessions(sessions, numbers, "omnibus"), case.decision_date or on),
        "nywg_session": next_session(counted_sessions(sessions, numbers, "three_month_rule"),
                                     dt.date.fromisoformat(held)) if held else None,
    }


def _meeting(step: str | None, case: Case, on: dt.date, meetings: tuple[BureauMeeting, ...],
             lang: str) -> dict[str, Any] | None:
    """The meeting a letter concerns: the day recorded for it on its step, else the next Bureau
    meeting in the calendar (para 14(c): "at the next meeting"), else unknown."""
    defn = load_procedure(case.workflow, case.workflow_version).steps.get(step or "")
    if defn is None or defn.meeting is None:
        return None
    rec = case.steps.get(defn.id)
    held = rec.data.get("meeting_date") if rec is not None else None
    if held:
        day = dt.date.fromisoformat(held)
        return {"date": day, "place": place_name(rec.data.get("place", ""), lang),  # type: ignore[union-attr]
                "when": when(day, day, on)}
    if defn.meeting == "bureau":
        meeting = next_bureau_meeting(meetings, on)
        if meeting is not None:
            return {"date": meeting.date, "place": place_name(meeting.place, lang),
                    "when": when(meeting.date, meeting.date, on)}
    return None


def _deadline(case: Case, which: tuple[str, str] | None,
              titles: dict[str, str]) -> dict[str, Any] | None:
    outstanding = [d for d in case.deadlines if d.status in ("open", "missed") and d.done_on is None]
    if which is not None:
        outstanding = [d for d in case.deadlines if (d.step, d.kind) == which]
    chosen = min(outstanding, key=lambda d: d.due, default=None)
    if chosen is None:
        return None
    return {"step": chosen.step, "title": titles.get(chosen.step, chosen.step),
            "kind": chosen.kind, "due": chosen.due, "status": chosen.status}


def _task(case: Case) -> dict[str, Any] | None:
    rec = case.steps.get("request_assistance")
    if rec is None:
        return None
    return {"title": rec.data.get("task") or rec.data.get("title") or "",
            "due": dt.date.fromisoformat(rec.data["due"]) if rec.data.get("due") else None,
            "note": rec.data.get("note") or rec.reason}


def _good_offices(case: Case) -> dict[str, Any] | None:
    """How the good offices were triggered, as recorded on good_offices_activate: on the
    President's own initiative in consultation with the Court (para 18), or as decided by the
    Bureau (para 19). `trigger` is None where the record does not say (a Bureau member's view of
    the case keeps only that they were activated: access.formal_view)."""
    rec = case.steps.get("good_offices_activate")
    if rec is None or rec.status != "done":
        return None
    return {"trigger": rec.data.get("trigger"), "date": rec.date,
            "urgent": rec.data.get("urgent") == "yes",  # 7(a): the chance may be gone (para 18)
            "court_consulted": _day(rec.data.get("court_consulted")),
            "bureau_decision": _day(rec.data.get("bureau_decision"))}


def _travel(case: Case) -> dict[str, Any] | None:
    """The announced travel: the newest alert's details (omnibus para 35), or the date alone."""
    if case.travel_date is None:
        return None
    alert = case.steps.get("travel_alert")
    data = alert.data if alert else {}
    return {"date": case.travel_date, "person": data.get("person"), "source": data.get("source"),
            "reliability": data.get("reliability"),
            "to": dt.date.fromisoformat(data["to"]) if data.get("to") else None}
