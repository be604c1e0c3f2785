"""What the page templates call to write words, in the language of the page.

A label is written in its template as `_("English")`; its French is in the catalogue
(noncoop/locale/fr/LC_MESSAGES/messages.po: README "Adding a label"). Codes of the record go
through `word(kind, code)` (noncoop/vocabulary.py), States and regions through `state_name(name)`
and `region_name(group)` (config/states.yaml), step names through `step_title(step)` (the workflow's `title`
and `title_fr`), dates and numbers through `day(d)` and `num(n)` (Babel, by locale).

`t.key` is the older way (a key for each label): a template still written so reads the English
of the key from LEGACY and its French from the catalogue, like `_()`. Move such a label to
`_("English")` and drop its key."""

from __future__ import annotations

from typing import Any

from noncoop import i18n, states, vocabulary
from noncoop.i18n import N_

# key -> English (the message id); only for templates not yet moved to _("...").
LEGACY: dict[str, str] = {
    "app": N_("Non-cooperation"),
    "dashboard": N_("Dashboard"),
    "cases": N_("Cases"),
    "review": N_("Bureau review"),
    "calendar": N_("Calendar"),
    "people": N_("People"),
    "public": N_("Public"),
    "sign_in": N_("Sign in"),
    "sign_out": N_("Sign out"),
    "email": N_("E-mail"),
    "password": N_("Password"),
    "my_tasks": N_("My tasks"),
    "this_week": N_("Deadlines this week"),
    "missed": N_("missed"),
    "missed_title": N_("Missed, still outstanding"),
    "none": N_("Nothing."),
    "case": N_("Case"),
    "state": N_("Requested State"),
    "region": N_("Region"),
    "scenario": N_("Scenario"),
    "status": N_("Status"),
    "stage": N_("Stage"),
    "decision": N_("Court decision"),
    "due": N_("Due"),
    "step": N_("Step"),
    "date": N_("Date"),
    "steps": N_("Steps"),
    "deadlines": N_("Deadlines"),
    "history": N_("History"),
    "letters": N_("Letters"),
    "actions": N_("Take a step"),
    "why_not": N_("Not allowed now, and why"),
    "act": N_("Record"),
    "skip": N_("Skipped, for a reason"),
    "reason": N_("Reason"),
    "params": N_("Details (one KEY=VALUE a line)"),
    "filter": N_("Filter"),
    "open": N_("open"),
    "closed": N_("closed"),
    "timeline": N_("Timeline"),
    "formal": N_("Formal procedure"),
    "informal": N_("Good offices"),
    "today": N_("today"),
    "session": N_("Session"),
    "asp": N_("ASP"),
    "bureau_meeting": N_("Bureau meeting"),
    "days_since": N_("Days since the finding"),
    "next_deadline": N_("Next deadline"),
    "overdue": N_("overdue"),
    "travel": N_("Announced travel"),
    "in_days": N_("in {n} day(s)"),
    "days_ago": N_("{n} day(s) ago"),
    "sessions": N_("Assembly sessions"),
    "meetings": N_("Bureau meetings"),
    "role": N_("Role"),
    "active": N_("Active"),
    "focal_points": N_("Regional focal points"),
    "findings": N_("Court findings referred to the Assembly"),
    "press_releases": N_("Press releases of the President"),
    "preview": N_("preview"),
    "issue": N_("Issue"),
    "issued": N_("Issued letters"),
    "by": N_("by"),
    "event": N_("Event"),
    "not_found": N_("Not found"),
    "refused": N_("Refused"),
    "bad_input": N_("Please check"),
    "error": N_("Error"),
    "back": N_("Back"),
    "done": N_("done"),
    "in_progress": N_("in progress"),
    "skipped": N_("skipped"),
    "not_applicable": N_("not applicable"),
    "pending": N_("pending"),
    "met": N_("met"),
    "late": N_("late"),
    "days_late": N_("{n} day(s) late"),
    "waived": N_("waived"),
    "lang_switch": N_("Français"),
    "who": N_("Who"),
    "task": N_("Task"),
    "no_access": N_("You may not see this page."),
    "takes": N_("Details each step takes"),
    "needs_now": N_("Needs me now"),
    "week_ahead": N_("This week"),
    "later": N_("Later"),
    "waiting_on_others": N_("Waiting on others"),
    "older_misses": N_("Missed in earlier reporting cycles"),
    # "Needs me now" is empty while misses of earlier cycles wait: say where they are.
    "none_now_older": N_("Nothing needs you now. The misses of earlier reporting cycles are "
                         "listed below."),
    "older_note": N_("Due before the current reporting cycle began ({since}), one line a case."),
    "more_items": N_("{n} more"),
    # Beyond the items a part of the dashboard shows (services/dashboard.py SHOWN).
    "not_shown": N_("{n} more, not shown here."),
    "who_requested_state": N_("the requested State's reply"),
    "who_secretariat": N_("Secretariat"),
    "who_president_office": N_("President's office"),
    "who_focal_point": N_("focal point"),
    "who_bureau": N_("Bureau"),
    "year": N_("Year"),
    "needs_action": N_("needs action"),
    "export_pdf": N_("Export as PDF"),
    "as_of": N_("as of {day}"),
    "inbox": N_("My tasks"),
    "task_no": N_("Task no. {n}"),
    "open_tasks": N_("To do"),
    "closed_tasks": N_("Closed"),
    "mark_done": N_("Mark done"),
    "decline": N_("Decline"),
    "note": N_("Note"),
    "note_done": N_("What was done (optional)"),
    "note_decline": N_("Why you decline (needed)"),
    "declined": N_("declined"),
    "cancelled": N_("cancelled"),
    "assignee": N_("For"),
    "closed_on": N_("Closed on"),
    "follows_step": N_("Done when its step is recorded on the case; you may decline it with a note."),
    "paragraph": N_("Annex II, para."),
    "all_tasks": N_("All my tasks"),
    "task_closed": N_("Task no. {n}: {status}"),
}


class Words:
    """`t.key`, `t[key]`, `t.get(key, default)` for the keys of LEGACY, in `lang`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __getitem__(self, key: str) -> str:
        # A key missing from LEGACY shows as itself, not as nothing: a blank label would go
        # unseen, the key is caught by tests/test_french.py's browser test and by a reader.
        return i18n.tr(self.lang, LEGACY[key]) if key in LEGACY else key

    def __getattr__(self, key: str) -> str:
        if key.startswith("__"):  # no dunder lookups (copy, pickle) through the table
            raise AttributeError(key)
        return self[key]

    def get(self, key: str, default: str | None = None) -> str | None:
        return self[key] if key in LEGACY else default

    def keys(self) -> list[str]:  # dict(t), {**t}: every label in this language
        return list(LEGACY)


def words(lang: str) -> Words:
    return Words(i18n.lang_of(lang))


def state_name(name: str | None, lang: str) -> str:
    """A State's short name in `lang` (config/states.yaml `fr`); a name not in the lists as given."""
    if not name:
        return ""
    try:
        return states.lookup(name).named(lang)
    except Exception:  # a name recorded before the lists changed is still shown
        return name


def helpers(lang: str, titles: dict[str, str] | None = None) -> dict[str, Any]:
    """What every template gets to write its words in `lang`."""
    lang = i18n.lang_of(lang)
    named = titles or {}

    def basis(text: str) -> str:
        return vocabulary.basis(text, lang, named) or text

    return {
        "_": lambda message, **values: i18n.tr(lang, message, **values),
        "gettext": lambda message, **values: i18n.tr(lang, message, **values),
        "ngettext": lambda s, p, n, **values: i18n.ntr(lang, s, p, n, **values),
        "t": words(lang),
        "word": lambda kind, code: vocabulary.word(kind, code, lang),
        "state_name": lambda name: state_name(name, lang),
        "region_name": lambda group: states.group_name(group, lang) if group else "",
        "step_title": lambda step: named.get(step, step) if step else "",
        "basis": basis,
        "day": lambda d: i18n.format_date(d, lang),
        "hour": lambda at: i18n.format_time(at, lang),
        "num": lambda n: i18n.format_number(n, lang),
        "place": lambda name: vocabulary.place(name, lang),
        "chamber": lambda name: vocabulary.chamber(name, lang),
        "letter_title": lambda name: vocabulary.word("letter", name, lang),
        "task_title": lambda task: task_title(task, lang),
        "task_note": lambda note: task_note(note, lang),
        "assignee": lambda who: assignee(who, lang),
        "actor": lambda by: actor(by, lang),
        # French puts a no-break space before a colon ("Statut : tous"), English none.
        "colon": "\u00a0:" if lang == "fr" else ":",
        "decision_ref": lambda text: vocabulary.decision_ref(text, lang),
        "cite": lambda paragraph: cite(str(paragraph), lang),
    }


def cite(paragraph: str, lang: str) -> str:
    """domain/procedure.py `cite`, in `lang`."""
    from noncoop.domain.procedure import in_annex

    if in_annex(paragraph):
        return i18n.tr(lang, "Annex II para %(paragraph)s", paragraph=paragraph)
    return paragraph


def task_title(task: dict[str, Any], lang: str) -> str:
    """A task's words in `lang`. A deadline's task is recorded as "STEP TITLE: what" in English
    (store/journal.py): it is written again from the step's name in `lang`. The default request
    for assistance is translated; words the President wrote are not."""
    from noncoop.domain import load_procedure
    from noncoop.store.journal import TASK_KINDS
    from noncoop.tasks import DEFAULT_TASK

    title = task.get("title") or ""
    if title == DEFAULT_TASK:
        return i18n.tr(lang, DEFAULT_TASK)
    procedure = load_procedure("formal")
    step = procedure.steps.get(task.get("step") or "")
    if step is not None:
        for what in TASK_KINDS.values():
            if title == (f"{step.title}: {what}" if what else step.title):
                named = step.title_in(lang)
                return f"{named} : {i18n.tr(lang, what)}" if what and lang == "fr" else \
                    f"{named}: {i18n.tr(lang, what)}" if what else named
    return title


def task_note(note: str | None, lang: str) -> str:
    """A task's note in `lang`: the notes the journal writes on a task it closes are words of
    noncoop, translated; a person's own note is shown as written."""
    from noncoop.store.journal import CLOSED_WITH_THE_CASE, DEADLINE_CLOSED

    if not note:
        return ""
    if note == CLOSED_WITH_THE_CASE:
        return i18n.tr(lang, CLOSED_WITH_THE_CASE)
    for status in vocabulary.WORDS["deadline_status"]:
        if note == DEADLINE_CLOSED % {"status": status}:
            return i18n.tr(lang, DEADLINE_CLOSED,
                           status=vocabulary.word("deadline_status", status, lang))
    return note


def actor(by: str | None, lang: str) -> str:
    """Who recorded an event: a person's address as it is; the local administrator (the
    command line's default, identity.ADMIN) and noncoop's own parts (system:...) in words."""
    from noncoop.identity import ADMIN, SWEEPER

    if by == ADMIN:
        return i18n.tr(lang, "the administrator (command line)")
    if by == SWEEPER:
        return i18n.tr(lang, "the deadline sweep")
    if by and by.startswith("system:"):
        return i18n.tr(lang, "noncoop (%(part)s)", part=by.removeprefix("system:"))
    return by or ""


def assignee(who: str | None, lang: str) -> str:
    """Whom a task is for: a person's address as it is, a role in words."""
    if not who:
        return ""
    return who if "@" in who else vocabulary.word("role", who, lang)
