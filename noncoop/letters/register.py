"""Use cases of correspondence: draft a letter, issue it with a register number (stored exactly
as issued, with its hash and recipients, and recorded on the case), correct it with a new
letter, list and show the register, and draft the Bureau's report to a session (para 15)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from noncoop import access, clock, config, record, services, states
from noncoop.calendar import next_or_ongoing_session
from noncoop.domain import Event, load_procedure
from noncoop.domain.case import Case
from noncoop.domain.decide import ACTION, check_date, decide, letter_act, letter_refusal, refused
from noncoop.domain.procedure import cite
from noncoop.errors import BadInput, Conflict, NotFound, Refused
from noncoop.letters import context
from noncoop.letters.render import (
    DOCUMENTS,
    REPORT,
    LetterDef,
    catalogue,
    check_lang,
    check_name,
    render_html,
)
from noncoop.services.steps import record_decision
from noncoop.store.codec import from_snapshot
from noncoop.store.models import CaseRow, EventRow, LetterRow

FORMATS = {"html": "text/html; charset=utf-8",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "pdf": "application/pdf"}


def convert(html: str, fmt: str) -> bytes:
    if fmt == "html":
        return html.encode("utf-8")
    if fmt == "docx":
        from noncoop.letters.docx import to_docx
        return to_docx(html)
    if fmt == "pdf":
        from noncoop.letters.pdf import to_pdf
        return to_pdf(html)
    raise BadInput(f"unknown format {fmt!r}: use {', '.join(FORMATS)} (--format)")


def _titles(case: Case) -> dict[str, str]:
    procedure = load_procedure(case.workflow, case.workflow_version)
    return {step.id: step.title for step in procedure.steps.values()}


def _obeys_its_step(db: Session, case: Case, name: str, on: dt.date) -> None:
    """A letter belongs to a step and obeys it (SPEC "Correspondence"): refused where the step
    is refused, under the same rule and paragraph, and never dated where its step cannot be."""
    procedure = load_procedure(case.workflow, case.workflow_version)
    facts = services.facts_for(db, on)
    letter = catalogue()[name]
    refusal = letter_refusal(procedure, case, name, facts, letter.about, letter.paragraph)
    if refusal is not None:
        raise refused(refusal, allowed_letters(procedure, case, facts))
    defn = procedure.letter_step(name)
    check_date(case, f"the letter {name}", on, facts.today,
               after_decision=bool(defn and defn.after_decision),
               paragraph=defn.paragraph if defn else "13")


def allowed_letters(procedure: Any, case: Case, facts: Any) -> list[str]:
    """The letters that may be drafted and issued on `case` now, in catalogue order."""
    return [n for n, d in catalogue().items()
            if letter_refusal(procedure, case, n, facts, d.about, d.paragraph) is None]


def letters_allowed(db: Session, case_id: str, by: str = access.ADMIN) -> list[str]:
    """What the case page offers to draft and issue: the letters whose step allows them."""
    _, _, case, _ = access.seen_case(db, by, case_id, "letters")
    procedure = load_procedure(case.workflow, case.workflow_version)
    return allowed_letters(procedure, case, services.facts_for(db, clock.today()))


def draft(db: Session, case_id: str, name: str, lang: str = "en", *, on: dt.date | None = None,
          reference: str | None = None, corrects: str | None = None,
          deadline: tuple[str, str] | None = None, by: str = access.ADMIN,
          case: Case | None = None) -> str:
    """The letter `name` about case `case_id`, as HTML, drafted by `by` (the President's office
    or the Secretariat, para 23) on a case he or she may see, where its step allows it: a
    draft, marked as such, unless `reference` gives its register number (issue). `case` is
    given by `issue`, which has checked all that already."""
    letter = _letter(name)
    on = on or clock.today()
    if case is None:
        v, _, case, _ = access.seen_case(db, by, case_id, "letter")
        access.require(v, access.FORMAL_ACTORS, "drafting and issuing letters")
        if corrects is None:  # a correction replaces a letter its step once allowed
            _obeys_its_step(db, case, name, on)
    ctx = context.build(letter, case, check_lang(lang), on=on,
                        reference=reference, corrects=corrects, sessions=services.sessions(db),
                        meetings=services.bureau_meetings(db), deadline=deadline,
                        titles=_titles(case))
    return render_html(name, lang, ctx)


def render(db: Session, case_id: str, name: str, lang: str = "en", fmt: str = "html",
           on: dt.date | None = None, by: str = access.ADMIN) -> bytes:
    """A draft (marked DRAFT, no number), in any format; nothing is stored."""
    return convert(draft(db, case_id, name, lang, on=on, by=by), fmt)


def _letter(name: str) -> LetterDef:
    if check_name(name) in DOCUMENTS:
        raise BadInput(f"{name} covers many cases, not one: see `noncoop letters report`")
    return catalogue()[name]


def _number(db: Session, on: dt.date) -> tuple[str, int]:
    """The prefix and the next number of the register (config/letters.yaml `numbering`)."""
    pattern = config.letters()["numbering"]
    fields: dict[str, Any] = {}
    if "{session}" in pattern:
        session = next_or_ongoing_session(services.sessions(db), on)
        if session is None:
            raise BadInput(f"the register number needs the Assembly session on-going on {on} or "
                           "the next one: add it (noncoop calendar add-session) and try again",
                           code="session_unknown")
        fields["session"] = session.number
    prefix = pattern.split("{seq}")[0].format(**fields)
    last = db.exec(select(func.max(LetterRow.seq)).where(LetterRow.prefix == prefix)).one()
    return prefix, (last or 0) + 1


def register_recipients(letter: LetterDef, case: Case, lang: str) -> list[str]:
    """Whom the letter goes to, one line each: all States Parties are named one by one from the
    distribution list (config/states.yaml)."""
    out = []
    for kind in letter.to:
        if kind == "states_parties":
            form = config.letters()["recipients"]["en"]["requested_state"]
            parties = sorted({i.name for i in states.registry().values() if i.party})
            out += [form.format(state=name, state_de=name) for name in parties]
        else:
            out += context.recipients((kind,), case, lang)
    return out


def issue(db: Session, case_id: str, name: str, *, lang: str = "en", fmt: str = "html",
          by: str = services.ADMIN, on: dt.date | None = None,
          corrects: str | None = None) -> dict[str, Any]:
    """Issue the letter: next register number, the bytes stored as issued with their hash and
    recipients, and a `letter_issued` event on the case, in one transaction. A letter that is
    itself an act of the procedure (workflow `letters: {NAME: {act: MOVE}}`) records that move
    of its step in the same transaction, dated as the letter: register and case never
    disagree, and the act's deadline is met by the letter."""
    letter = _letter(name)
    if fmt not in FORMATS:
        raise BadInput(f"unknown format {fmt!r}: use {', '.join(FORMATS)} (--format)")
    on = on or clock.today()
    # Who may, before anything about the register is said (a letter it holds, a number).
    v = access.seen_case(db, by, case_id, "letter")[0]
    access.require(v, access.FORMAL_ACTORS, "drafting and issuing letters")
    replaced = _replaced(db, corrects, case_id, name) if corrects else None
    for _attempt in range(5):
        row, case = record.load_case(db, case_id)
        procedure = load_procedure(case.workflow, case.workflow_version)
        act = None if replaced else letter_act(procedure, case, name)
        if replaced is None:  # the rule of its step, before the register gives a number
            _obeys_its_step(db, case, name, on)
            if act is None:
                _not_twice(db, procedure, case_id, name, lang)
        prefix, seq = _number(db, on)
        reference = f"{prefix}{seq}{config.letters()['numbering'].split('{seq}', 1)[1]}"
        content = convert(draft(db, case_id, name, lang, on=on, reference=reference,
                                corrects=replaced.reference if replaced else None, by=by,
                                case=case), fmt)
        sha = hashlib.sha256(content).hexdigest()
        db.add(LetterRow(reference=reference, prefix=prefix, seq=seq, case_id=case_id,
                         template=name, lang=lang, media_type=FORMATS[fmt], content=content,
                         sha256=sha, recipients=register_recipients(letter, case, lang),
                         issued_on=on, issued_at=clock.now(), issued_by=by,
                         corrects_id=replaced.id if replaced else None))
        data = {"reference": reference, "template": name, "lang": lang, "format": fmt,
                "sha256": sha, "corrects": replaced.reference if replaced else None}
        try:
            if act is None:
                record.append(db, row, case, Event(
                    case_id=case_id, seq=row.last_seq + 1, kind="letter_issued",
                    at=clock.now(), by=by, step=letter.step, on=on, data=data))
            else:
                _record_act(db, row, case, procedure, act, on, by, data)
        except Conflict:
            # The register number was taken by another writer (or the case changed): the
            # whole try is rolled back; take the next number.
            continue
        return _with_links(db, _by_reference(db, reference))
    raise Conflict("could not allocate a register number: too many letters issued at once; try again")


def _record_act(db: Session, row: Any, case: Case, procedure: Any, act: Any, on: dt.date,
                by: str, data: dict[str, Any]) -> None:
    """The act the letter is (its step's move, decided as `case act` decides it) and the
    letter's issue, as two events of one transaction."""
    defn, move = act
    params = {ACTION: move.name} if len(defn.moves) > 1 else {}
    facts = services.facts_for(db, on, params)
    decision = decide(procedure, case, defn.id, facts)
    data = {**data, "act": {"step": defn.id, "move": move.name}}
    issued = Event(case_id=case.id, seq=row.last_seq + 2, kind="letter_issued", at=clock.now(),
                   by=by, step=defn.id, on=on, data=data)
    record_decision(db, row, case, procedure, decision, facts, by=by, also=issued)


def _not_twice(db: Session, procedure: Any, case_id: str, name: str, lang: str) -> None:
    """A letter that is the act of its step is issued once in each language: a second press
    release for the same finding would be a second act, which the step refuses; a mistake in
    the first is mended by a correction that names it."""
    defn = procedure.letter_step(name)
    if defn is None or not defn.letters[name].get("act"):
        return
    first = db.exec(select(LetterRow).where(
        LetterRow.case_id == case_id, LetterRow.template == name, LetterRow.lang == lang)
        .order_by(col(LetterRow.id))).first()
    if first is not None:
        raise Refused(
            f"refused by rule step_recorded ({cite(defn.paragraph)}): the {name} of "
            f"{case_id} was issued in {lang} as {first.reference} on {first.issued_on}; to "
            f"mend it, issue a correction: --corrects {first.reference}", code="rule_refused",
            rule="step_recorded", paragraph=defn.paragraph)


def _replaced(db: Session, reference: str, case_id: str, name: str) -> LetterRow:
    old = _by_reference(db, reference)
    if old.case_id != case_id or old.template != name:
        raise BadInput(f"{reference} is the {old.template} letter of {old.case_id}: a correction "
                       f"replaces a letter of the same case and kind ({name} of {case_id})")
    newer = db.exec(select(LetterRow).where(LetterRow.corrects_id == old.id)).first()
    if newer is not None:
        raise Refused(f"refused: {reference} was already corrected by {newer.reference}; correct "
                      f"that one instead (--corrects {newer.reference})", code="already_corrected")
    return old


def _by_reference(db: Session, reference: str) -> LetterRow:
    row = db.exec(select(LetterRow).where(LetterRow.reference == reference)).first()
    if row is None:
        raise NotFound(f"no letter {reference!r} in the register: see `noncoop letters list`",
                       code="unknown_letter_reference")
    return row


def letter_json(r: LetterRow) -> dict[str, Any]:
    return {"reference": r.reference, "case_id": r.case_id, "template": r.template,
            "lang": r.lang, "media_type": r.media_type, "sha256": r.sha256,
            "bytes": len(r.content), "issued_on": r.issued_on.isoformat(),
            "issued_at": r.issued_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "issued_by": r.issued_by, "recipients": r.recipients}


def _may_read(db: Session, v: access.Viewer, letter: LetterRow) -> bool:
    """A letter is read by whoever may see its step: a Bureau member not those of the good
    offices (para 11), nor a notice about no one step (a reminder, an overdue notice) on a case
    with any good offices record, since it may name a deadline of theirs."""
    if v.sees_all:
        return True
    if letter.case_id is None:
        return v.role == "bureau"
    _, case = record.load_case(db, letter.case_id)
    seen = access.sight(v, case)
    if seen == "full":
        return True
    if seen != "formal":
        return False
    step = catalogue()[letter.template].step if letter.template in catalogue() else None
    if step is None:
        return case.confidentiality != "restricted" and not any(
            s in access.INFORMAL_STEPS for s in case.steps)
    return step not in access.INFORMAL_STEPS


def list_letters(db: Session, case_id: str | None = None,
                 by: str = access.ADMIN) -> list[dict[str, Any]]:
    v = access.viewer(db, by)
    query = select(LetterRow).order_by(col(LetterRow.issued_at), col(LetterRow.id))
    if case_id is not None:
        access.seen_case(db, by, case_id, "letters")
        query = query.where(LetterRow.case_id == case_id)
    rows = db.exec(query).all()
    return [_with_links(db, r) for r in rows if _may_read(db, v, r)]


def show(db: Session, reference: str, by: str = access.ADMIN) -> tuple[dict[str, Any], bytes]:
    row = _by_reference(db, reference)
    v = access.viewer(db, by)
    if not _may_read(db, v, row):
        raise NotFound(f"no letter {reference!r} in the register: see `noncoop letters list`",
                       code="unknown_letter_reference")
    if row.case_id is not None:
        access.visible(db, v, record.load_case(db, row.case_id)[1], "letter")
    return _with_links(db, row), row.content


def _with_links(db: Session, r: LetterRow) -> dict[str, Any]:
    """The register entry with the letter it corrects and the one that corrected it."""
    older = db.get(LetterRow, r.corrects_id) if r.corrects_id else None
    newer = db.exec(select(LetterRow.reference).where(LetterRow.corrects_id == r.id)).first()
    return {**letter_json(r), "corrects": older.reference if older else None,
            "corrected_by": newer}


# -- the Bureau report (para 15) -------------------------------------------------------------

def report(db: Session, session_number: int | None = None, lang: str = "en", fmt: str = "html",
           period_start: dt.date | None = None, period_end: dt.date | None = None,
           on: dt.date | None = None, by: str = access.ADMIN) -> bytes:
    """The Bureau's report on non-cooperation to a session, drafted from the events of every
    formal case: what was done, when, by whom, and what is outstanding. Confidential matters
    (7(b) cases, good offices) are left out (para 11)."""
    access.require(access.viewer(db, by), (*access.FORMAL_ACTORS, "bureau"), "the Bureau report")
    check_lang(lang)
    on = on or clock.today()
    sessions = services.sessions(db)
    if session_number is None:
        session = next_or_ongoing_session(sessions, on)
    else:
        session = next((s for s in sessions if s.number == session_number and s.kind == "regular"),
                       None) or next((s for s in sessions if s.number == session_number), None)
        if session is None:
            raise BadInput(f"no session {session_number} in the calendar: add it with noncoop "
                           "calendar add-session, or leave out --session for the next one")
    previous = [s for s in sessions if session and s.start < session.start]
    start = period_start or (max(s.end for s in previous) + dt.timedelta(days=1) if previous
                             else dt.date(2018, 12, 12))  # Annex II adopted at the 17th session
    end = period_end or (session.start - dt.timedelta(days=1) if session else on)
    if end < start:
        raise BadInput(f"the reporting period ends ({end}) before it starts ({start})")
    cases = []
    for row in db.exec(select(CaseRow).order_by(col(CaseRow.id))).all():
        case = from_snapshot(row.snapshot)
        if case.scenario not in ("7a", "monitoring") or case.confidentiality == "restricted":
            continue
        item = _reported_case(db, case, lang, start, end)
        if item is not None:
            cases.append(item)
    letter = LetterDef(REPORT, "bureau_report", "15", "document", ("bureau",))
    ctx = {**context.common(letter, lang, on, None, None),  # always a draft for the Bureau
           "recipients": context.recipients(letter.to, None, lang),
           "report": {"session": context.session_json(session, lang, on), "period_start": start,
                      "period_end": end, "cases": cases}}
    return convert(render_html(REPORT, lang, ctx), fmt)


def _reported_case(db: Session, case: Case, lang: str, start: dt.date,
                   end: dt.date) -> dict[str, Any] | None:
    titles = _titles(case)
    formal = set(load_procedure(case.workflow, case.workflow_version).lane_steps("formal"))
    events = db.exec(select(EventRow).where(EventRow.case_id == case.id)
                     .order_by(col(EventRow.seq))).all()
    done = [{"date": e.on, "step": e.step, "title": titles.get(e.step or "", e.step),
             "status": {"step_done": "done", "step_started": "in_progress"}.get(e.kind, "skipped"),
             "by": e.by, "reason": e.reason}
            for e in events if e.step in formal and e.kind in ("step_done", "step_started",
                                                               "step_skipped")
            and e.on is not None and start <= e.on <= end]
    decided_in_period = case.decision_date is not None and start <= case.decision_date <= end
    if not done and not decided_in_period and case.status == "closed":
        return None
    outstanding = [{"step": d.step, "title": titles.get(d.step, d.step), "due": d.due}
                   for d in case.deadlines if d.step in formal and d.status in ("open", "missed")
                   and d.done_on is None]
    info = states.lookup(case.requested_state)
    return {"id": case.id, "state": info.named(lang), "state_le": info.named_with_article(lang),
            "region": states.group_name(case.region, lang),
            "scenario": case.scenario, "status": case.status, "decision_ref": case.decision_ref,
            "decision_date": case.decision_date, "chamber": case.chamber, "person": case.person,
            "request": case.request, "party": info.party,
            "referred_to_assembly": "assembly" in case.referred_to,
            "referred_to_security_council": "security-council" in case.referred_to,
            "events": done, "outstanding": outstanding}
