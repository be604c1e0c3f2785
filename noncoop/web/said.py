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
}


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


def rule(rule: str | None, message: str, lang: str) -> str:
    """A refusal by `rule` (its English `message` as recorded) in `lang`."""
    if i18n.lang_of(lang) == "en" or not rule:
        return message
    english = _workflow_rules().get(rule) or RULES.get(rule)
    if english is None:
        return message
    said = tr(lang, english)
    return said[:1].upper() + said[1:] + "."


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def title(exc: NoncoopError, lang: str) -> str:
    if isinstance(exc, NotFound):
        return tr(lang, "Not found")
    return tr(lang, "Refused") if isinstance(exc, Refused) else tr(lang, "Please check")


def error(exc: NoncoopError, lang: str) -> str:
    """The error `exc` as a page in `lang` says it."""
    if i18n.lang_of(lang) == "en":
        return exc.message
    rule_name = exc.details.get("rule")
    english = (_workflow_rules().get(rule_name) or RULES.get(rule_name)) if rule_name else None
    english = english or CODES.get(exc.code)
    if english is None:
        english = N_("the request cannot be done as written")
    detail = re.sub(r"^refused by rule \w+ \(Annex II para [^)]*\): ", "", exc.message)
    return tr(lang, "%(what)s (In English: %(detail)s)", what=_sentence(tr(lang, english)),
              detail=detail)
