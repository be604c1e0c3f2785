"""What a page says of a refusal or of bad input, in the language of the page.

The CLI and the API keep their English messages (INTERFACE.md). A page in French says the rule
itself in French: a rule of the workflow files (a guard's or a stage's `message`, extracted into
the catalogue by noncoop/messages.py) or a rule of the code (RULES below); bad input is said by
its code (CODES). What the English message adds (the dates, the names at stake) is kept in a
second line, marked as English, so nothing the person needs is lost."""

from __future__ import annotations

import re
from functools import cache

from noncoop import i18n
from noncoop.domain.procedure import available_versions, load_procedure
from noncoop.errors import NoncoopError, NotFound, Refused
from noncoop.i18n import N_, tr

# Rules refused by the code rather than by a guard of the workflow.
RULES = {
    "permission": N_("your role may not do this"),
    "step_recorded": N_("this step is already recorded; a correction is a new event, not a "
                        "second step"),
    "move_order": N_("this move of the step cannot be recorded from where the step is now"),
    "after_decision": N_("no formal step, and no letter of one, is dated before the Court's "
                         "decision"),
    "step_skipped": N_("the step was skipped: nothing more is recorded on it"),
    "no_deadline_outstanding": N_("no such deadline is outstanding on this case"),
    "court_finding_required": N_("a formal case needs the Court's finding: its reference and "
                                 "its date"),
    "decision_open": N_("the Court's decision is already held by another case"),
    "specific_incident_required": N_("a 7(b) case needs the specific incident it is about"),
    "requested_state": N_("the requested State must be a State of the lists"),
    "one_focal_point_per_region": N_("one focal point for each regional group"),
    "four_focal_points": N_("four focal points, a fifth only at the President's request"),
    "president_ex_officio": N_("the President is ex officio focal point for his or her own "
                               "region"),
}

# Bad input, by its code: what to check, in general terms.
CODES = {
    "bad_param": N_("a detail of the step is not written as the step takes it"),
    "missing_param": N_("a detail the step needs is missing"),
    "unknown_param": N_("the step takes no such detail"),
    "too_many_params": N_("too many details for this step"),
    "bad_date": N_("a date is not written as YYYY-MM-DD"),
    "date_in_future": N_("what happened cannot be dated after today"),
    "date_out_of_range": N_("the date falls outside the calendar"),
    "date_before_previous_move": N_("the date is before the step's previous record"),
    "empty_reason": N_("a reason is needed"),
    "unknown_step": N_("the workflow has no such step"),
    "unknown_case": N_("there is no such case"),
    "unknown_state": N_("no State of that name is in the lists"),
    "unknown_person": N_("no active person of the directory has that address"),
    "no_focal_point": N_("the region has no active focal point: name who is asked"),
    "unknown_letter": N_("there is no such letter"),
    "letter_incomplete": N_("the letter lacks something it must say"),
    "bad_credentials": N_("wrong e-mail address or password"),
    "locked": N_("too many attempts: wait a little before signing in again"),
    "not_found": N_("not found"),
    "bad_page": N_("a page of the list is asked for by its number, from 1"),
}

SAID_IN_FULL = {"bad_credentials"}  # the English message adds nothing the French does not say
# Said by a page in its own words, in English too: the message points to a command ("see
# `noncoop case list`"), and the case's number is in the page's address.
PAGE_WORDS = {"unknown_case"}


@cache
def _workflow_rules() -> dict[str, str]:
    """Each rule of the workflow files with its message, as the refusals write it."""
    out: dict[str, str] = {}
    for name in ("formal", "good_offices"):
        for version in available_versions(name):
            procedure = load_procedure(name, version)
            for rule, meta in procedure.guard_meta.items():
                out.setdefault(rule, " ".join(meta["message"].split()))
            for meta in procedure.stage_refusals.values():
                out.setdefault(meta["rule"], " ".join(meta["message"].split()))
    return out


# The facts a guard of noncoop/domain/rules.py gives with its refusal, in each form it writes
# them: a French page says them again from their parts (groups named d... are dates).
_DAY = r"\d{4}-\d{2}-\d{2}"
FACTS = [
    (r"no Bureau hearing \(step bureau_hearing\) is recorded on this case yet",
     N_("no Bureau hearing (step bureau_hearing) is recorded on this case yet")),
    (rf"the meeting date (?P<d1>{_DAY}) is before the Bureau hearing on (?P<d2>{_DAY})",
     N_("the meeting date %(d1)s is before the Bureau hearing on %(d2)s")),
    (rf"no session of the Assembly after the hearing on (?P<d1>{_DAY}) is in the calendar; add "
     r"the next session's dates \(noncoop calendar add-session\) and try again",
     N_("no session of the Assembly after the hearing on %(d1)s is in the calendar; add the next "
        "session's dates (noncoop calendar add-session) and try again")),
    (rf"the next session \((?P<session>.+)\) opens on (?P<d1>{_DAY}), not more than three months "
     rf"after the hearing on (?P<d2>{_DAY}) \(three months later is (?P<d3>{_DAY})\)",
     N_("the next session (%(session)s) opens on %(d1)s, not more than three months after the "
        "hearing on %(d2)s (three months later is %(d3)s)")),
    (r"the Court referred this finding to: (?P<bodies>.+); not to the Security Council",
     N_("the Court referred this finding to: %(bodies)s; not to the Security Council")),
    (rf"no session of the Assembly on or after (?P<d1>{_DAY}) is in the calendar; add it "
     r"\(noncoop calendar add-session\) and try again",
     N_("no session of the Assembly on or after %(d1)s is in the calendar; add it (noncoop "
        "calendar add-session) and try again")),
    (r"good offices have not been activated on this case",
     N_("good offices have not been activated on this case")),
    (r"no travel is recorded on this case \(step travel_alert\)",
     N_("no travel is recorded on this case (step travel_alert)")),
    (rf"the travel is announced for (?P<d1>{_DAY}); today is (?P<d2>{_DAY})",
     N_("the travel is announced for %(d1)s; today is %(d2)s")),
]
BODIES = {"assembly": N_("the Assembly"), "security-council": N_("the Security Council"),
          "nobody": N_("nobody")}


def facts(text: str, lang: str) -> str | None:
    """The facts of a refusal in `lang`, or None if they are in no form FACTS knows."""
    from noncoop.vocabulary import _session

    for pattern, message in FACTS:
        m = re.fullmatch(pattern, text.strip())
        if m is None:
            continue
        values = {}
        for key, value in m.groupdict().items():
            if key.startswith("d"):
                values[key] = i18n.format_date(value, lang)
            elif key == "session":
                values[key] = _session(value, lang) if value.startswith("session ") else value
            else:
                values[key] = ", ".join(tr(lang, BODIES[b]) if b in BODIES else b
                                        for b in value.split(", "))
        return tr(lang, message, **values)
    return None


def rule(rule: str | None, message: str, lang: str) -> str:
    """A refusal by `rule` (its English `message` as recorded: the rule's message, then its
    facts after a colon; or the facts alone) in `lang`."""
    if i18n.lang_of(lang) == "en" or not rule:
        return message
    english = _workflow_rules().get(rule) or RULES.get(rule)
    if english is None:
        return message
    said = _sentence(tr(lang, english)).rstrip(".")
    rest = message[len(english):].lstrip(": ") if message.startswith(english) else message
    known = facts(rest, lang) if rest and rest != english else None
    if rest and rest != english and known is None:  # facts not in French yet: never dropped
        return tr(lang, "%(what)s (In English: %(detail)s)", what=f"{said}.", detail=rest)
    return f"{said}{' : ' + known if known else ''}."


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def title(exc: NoncoopError, lang: str) -> str:
    if isinstance(exc, NotFound):
        return tr(lang, "Not found")
    return tr(lang, "Refused") if isinstance(exc, Refused) else tr(lang, "Please check")


def error(exc: NoncoopError, lang: str) -> str:
    """The error `exc` as a page in `lang` says it."""
    if exc.code in PAGE_WORDS:
        return _sentence(tr(lang, CODES[exc.code]))
    if i18n.lang_of(lang) == "en":
        return exc.message
    rule_name = exc.details.get("rule")
    english = (_workflow_rules().get(rule_name) or RULES.get(rule_name)) if rule_name else None
    english = english or CODES.get(exc.code)
    if english is None:
        english = N_("the request cannot be done as written")
    if exc.code == "locked" and "retry_after" in exc.details:
        return _sentence(tr(lang, "too many failed sign-ins: try again in %(seconds)s second(s)",
                            seconds=exc.details["retry_after"]))
    if exc.code in SAID_IN_FULL:
        return _sentence(tr(lang, english))
    # The rule and its paragraph, said apart on the page: "(Annex II para 7(a), footnote 4)".
    detail = re.sub(r"^refused by rule \w+ \((?:[^()]|\([^()]*\))*\): ", "", exc.message)
    return tr(lang, "%(what)s (In English: %(detail)s)", what=_sentence(tr(lang, english)),
              detail=detail)
