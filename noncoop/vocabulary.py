"""The words for the codes of the record, so that a page never shows a raw code
(`reversed_on_appeal`, `in_progress`) in either language.

The codes themselves come from the workflow files (kinds of deadline, outcomes, choices of a
parameter) and from the domain (statuses, events); here each gets its English words, marked for
the catalogue with a context (the same English may need two French words: a case is "ouvert",
a deadline "en cours"). tests/test_french.py checks that every code the workflows and the demo
record has words here, and French words in the catalogue.

A deadline's basis is recorded as English text (noncoop/domain/deadlines.py writes it, and a
record never changes); `basis` reads it back into its parts and writes it in the language."""

from __future__ import annotations

import re
from collections.abc import Callable

from noncoop.i18n import N_, format_date, lang_of, translations


def NP_(context: str, message: str) -> tuple[str, str]:
    """Marks a message with its context for extraction (keyword NP_:1c,2)."""
    return context, message


WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "case_status": {"open": NP_("case status", "open"), "closed": NP_("case status", "closed")},
    "step_status": {
        "pending": NP_("step status", "pending"),
        "in_progress": NP_("step status", "started"),
        "done": NP_("step status", "done"),
        "skipped": NP_("step status", "skipped"),
        "not_applicable": NP_("step status", "not applicable"),
    },
    "deadline_status": {
        "open": NP_("deadline status", "running"),
        "met": NP_("deadline status", "met"),
        "late": NP_("deadline status", "met late"),
        "missed": NP_("deadline status", "missed"),
        "waived": NP_("deadline status", "waived"),
        "closed": NP_("deadline status", "closed"),
        "not_applicable": NP_("deadline status", "not applicable"),
    },
    "deadline_kind": {
        "due": NP_("deadline kind", "time limit"),
        "convene": NP_("deadline kind", "convening"),
        "announcement": NP_("deadline kind", "announcement"),
        "reply": NP_("deadline kind", "reply"),
        "invitation": NP_("deadline kind", "invitation"),
        "report": NP_("deadline kind", "report"),
    },
    "outcome": {
        "reversed_on_appeal": NP_("outcome", "finding reversed on appeal"),
        "amended_on_appeal": NP_("outcome", "finding amended on appeal"),
        "cooperation_achieved": NP_("outcome", "cooperation achieved"),
        "other": NP_("outcome", "other outcome"),
        "no_visit": NP_("outcome", "no visit"),
        "visit_and_arrest": NP_("outcome", "visit and arrest"),
        "visit_without_arrest": NP_("outcome", "visit without arrest"),
    },
    "scenario": {
        "7a": NP_("scenario", "7(a): finding referred"),
        "7b": NP_("scenario", "7(b): urgent"),
        "monitoring": NP_("scenario", "monitoring"),
    },
    # A filter's choice of every value, agreeing with what it filters (French: "tous les
    # statuts", "toutes les régions").
    "every": {"status": NP_("every status", "all"), "scenario": NP_("every scenario", "all"),
              "region": NP_("every region", "all"), "year": NP_("every year", "all")},
    "stage": {
        "monitoring": NP_("stage", "monitoring"),
        "informal": NP_("stage", "good offices"),
        "formal": NP_("stage", "formal procedure"),
        "closed": NP_("stage", "closed"),
    },
    "role": {
        "president_office": NP_("role", "President's office"),
        "secretariat": NP_("role", "Secretariat"),
        "focal_point": NP_("role", "regional focal point"),
        "bureau": NP_("role", "Bureau member"),
        "admin": NP_("role", "administrator"),
    },
    "session_kind": {
        "regular": NP_("session kind", "regular"),
        "resumed": NP_("session kind", "resumed"),
        "special": NP_("session kind", "special"),
    },
    "event": {
        "case_opened": NP_("event", "case opened"),
        "step_done": NP_("event", "step done"),
        "step_started": NP_("event", "step started"),
        "step_skipped": NP_("event", "step skipped"),
        "referred_to_assembly": NP_("event", "referred to the Assembly"),
        "deadline_waived": NP_("event", "deadline waived"),
        "deadline_rescheduled": NP_("event", "deadline rescheduled"),
        "task_done": NP_("event", "task done"),
        "task_declined": NP_("event", "task declined"),
        "letter_issued": NP_("event", "letter issued"),
        "deadlines_planned": NP_("event", "deadlines set"),
        "deadlines_missed": NP_("event", "deadlines missed"),
        "case_closed": NP_("event", "case closed"),
    },
    "letter": {
        "forward_decision": NP_("letter", "note verbale forwarding the decision"),
        "press_release": NP_("letter", "press release"),
        "emergency_bureau_convocation": NP_("letter", "convocation of the emergency Bureau meeting"),
        "emergency_bureau_announcement": NP_("letter", "announcement of the emergency Bureau meeting"),
        "open_letter": NP_("letter", "open letter"),
        "open_letter_cover_note": NP_("letter", "note verbale with the open letter"),
        "hearing_invitation": NP_("letter", "invitation to the Bureau hearing"),
        "nywg_request": NP_("letter", "request to the New York Working Group"),
        "nywg_meeting_notice": NP_("letter", "notice of the public meeting"),
        "omnibus_notation": NP_("letter", "text for the omnibus resolution"),
        "unsc_letter": NP_("letter", "letter to the Security Council"),
        "bureau_report_section": NP_("letter", "section of the Bureau report"),
        "good_offices_notice": NP_("letter", "notice of good offices to the Bureau"),
        "focal_point_task": NP_("letter", "request to the focal points"),
        "reminder": NP_("letter", "reminder"),
        "overdue_notice": NP_("letter", "notice of a missed deadline"),
        "travel_alert_notice": NP_("letter", "notice of a travel"),
        "meeting_notice": NP_("letter", "meeting notice"),
    },
}


def word(kind: str, code: str | None, lang: str | None) -> str:
    """The words for `code` of `kind` in `lang`; an unknown code is shown as it is (the test
    of the vocabulary keeps that from happening to a code the workflows or the domain use)."""
    if code is None or code == "":
        return ""
    found = WORDS.get(kind, {}).get(code)
    if found is None:
        return code
    context, message = found
    return translations(lang_of(lang)).pgettext(context, message)


# -- a deadline's basis ------------------------------------------------------------------------

_DAY = r"\d{4}-\d{2}-\d{2}"
_PLACES = {"The Hague": N_("The Hague"), "New York": N_("New York")}


def _t(lang: str, message: str, **values: str) -> str:
    return translations(lang).gettext(message) % values


def anchor(text: str, lang: str, titles: dict[str, str]) -> str:
    """What a deadline runs from, as deadlines.py writes it ("decision", "open_letter
    started", "travel_alert done"), in words."""
    if text == "decision":
        return _t(lang, N_("the Court's decision"))
    if text == "travel_information_received":  # a fact, not a step (deadlines.py)
        return _t(lang, N_("the travel information received"))
    step, _, records = text.partition(" ")
    title = titles.get(step, step)
    if records == "started":
        return _t(lang, N_("the start of “%(step)s”"), step=title)
    return _t(lang, N_("“%(step)s”"), step=title)


def _what(text: str, lang: str, titles: dict[str, str]) -> str:
    """"ANCHOR on DAY" or "ANCHOR on DAY (its hour not recorded: ...)"."""
    m = re.fullmatch(rf"(?P<a>[\w. ]+?) on (?P<d>{_DAY})", text)
    if m is None:
        raise ValueError(text)
    return _t(lang, N_("%(anchor)s on %(day)s"), anchor=anchor(m["a"], lang, titles),
              day=format_date(m["d"], lang))


def _session(text: str, lang: str) -> str:
    m = re.fullmatch(rf"session (?P<n>\d+)(?: \((?P<k>\w+)\))?, (?P<s>{_DAY}) to (?P<e>{_DAY})", text)
    if m is None:
        raise ValueError(text)
    kind = f" ({word('session_kind', m['k'], lang)})" if m["k"] else ""
    return _t(lang, N_("session %(number)s%(kind)s, %(start)s to %(end)s"), number=m["n"],
              kind=kind, start=format_date(m["s"], lang), end=format_date(m["e"], lang))


def _patterns(lang: str, titles: dict[str, str]) -> list[tuple[str, Callable[[re.Match[str]], str]]]:
    what = lambda t: _what(t, lang, titles)  # noqa: E731
    day = lambda d: format_date(d, lang)  # noqa: E731
    return [
        (r"(?P<w>.+ on \S+) \+ (?P<n>\d+) business day\(s\) in (?P<p>.+)",
         lambda m: _t(lang, N_("%(what)s + %(n)s business day(s) in %(place)s"), what=what(m["w"]),
                      n=m["n"], place=_t(lang, _PLACES.get(m["p"], m["p"])))),
        (r"(?P<w>.+ on \S+) \+ (?P<n>\d+) days",
         lambda m: _t(lang, N_("%(what)s + %(n)s days"), what=what(m["w"]), n=m["n"])),
        (r"(?P<a>[\w ]+?) at (?P<t>\S+ \d{2}:\d{2} \S+) \+ (?P<h>\d+) hours",
         lambda m: _t(lang, N_("%(anchor)s at %(time)s + %(hours)s hours"),
                      anchor=anchor(m["a"], lang, titles),
                      time=f"{day(m['t'][:10])} {m['t'][11:]}", hours=m["h"])),
        (r"(?P<w>.+ on \S+) \(its hour not recorded: from the end of that day\) \+ (?P<h>\d+) hours",
         lambda m: _t(lang, N_("%(what)s (its hour not recorded: from the end of that day) + "
                                "%(hours)s hours"), what=what(m["w"]), hours=m["h"])),
        (rf"Bureau meeting on (?P<d>{_DAY}) - (?P<n>\d+) days \(the first at least \d+ days after "
         r"(?P<w>.+)\)",
         lambda m: _t(lang, N_("Bureau meeting on %(day)s - %(n)s days (the first at least %(n)s "
                                "days after %(what)s)"), day=day(m["d"]), n=m["n"],
                      what=what(m["w"]))),
        (r"(?P<s>session .+) opens - (?P<n>\d+) days \(the first that opens at least \d+ days "
         r"after (?P<w>.+)\)",
         lambda m: _t(lang, N_("%(session)s opens - %(n)s days (the first that opens at least "
                                "%(n)s days after %(what)s)"), session=_session(m["s"], lang),
                      n=m["n"], what=what(m["w"]))),
        (rf"next Bureau meeting after (?P<w>.+): (?P<d>{_DAY})",
         lambda m: _t(lang, N_("next Bureau meeting after %(what)s: %(day)s"), what=what(m["w"]),
                      day=day(m["d"]))),
        (rf"rescheduled on (?P<d>{_DAY}): (?P<r>.*)",
         lambda m: _t(lang, N_("rescheduled on %(day)s: %(reason)s"), day=day(m["d"]),
                      reason=m["r"])),
    ]


def basis(text: str, lang: str | None, titles: dict[str, str]) -> str | None:
    """The recorded basis `text` in `lang`, or None when it is in no form deadlines.py writes
    (the caller shows it as recorded; tests/test_french.py keeps every form covered)."""
    lang = lang_of(lang)
    for pattern, write in _patterns(lang, titles):
        m = re.fullmatch(pattern, text, re.S)
        if m is not None:
            try:
                out = write(m)
            except ValueError:
                continue
            return out[:1].upper() + out[1:]
    return None


# -- names of the record written in English --------------------------------------------------

_CHAMBERS = [(r"Pre-Trial Chamber (?P<n>[IVX]+(?:\([A-C]\))?)", N_("Pre-Trial Chamber %(n)s")),
             (r"Trial Chamber (?P<n>[IVX]+(?:\([A-C]\))?)", N_("Trial Chamber %(n)s")),
             (r"Appeals Chamber", N_("Appeals Chamber"))]


def chamber(name: str | None, lang: str | None) -> str:
    """A Chamber of the Court as the language names it ("Chambre préliminaire II")."""
    if not name:
        return ""
    for pattern, message in _CHAMBERS:
        m = re.fullmatch(pattern, name.strip())
        if m is not None:
            return translations(lang_of(lang)).gettext(message) % m.groupdict()
    return name


def place(name: str | None, lang: str | None) -> str:
    """A seat of the Assembly ("The Hague", "New York") in the language; another place as given."""
    if not name:
        return ""
    return translations(lang_of(lang)).gettext(_PLACES[name]) if name in _PLACES else name


def decision_ref(text: str | None, lang: str | None) -> str:
    """A Court decision's reference; one the demo records without a document number ("Pre-Trial
    Chamber I decision of 2010-08-27 (document number not recorded)") in words of the language."""
    if not text:
        return ""
    m = re.fullmatch(rf"(?P<c>.+) decision of (?P<d>{_DAY}) \(document number not recorded\)", text)
    if m is None:
        return text
    return _t(lang_of(lang), N_("%(chamber)s decision of %(day)s (document number not recorded)"),
              chamber=chamber(m["c"], lang), day=format_date(m["d"], lang))
