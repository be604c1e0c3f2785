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
    "none": N_("Nothing."), "due": N_("Due"), "case": N_("Case"), "task": N_("Task"),
    "who": N_("Who"), "status": N_("Status"), "step": N_("Step"), "date": N_("Date"),
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
        "num": lambda n: i18n.format_number(n, lang),
        "place": lambda name: vocabulary.place(name, lang),
        "chamber": lambda name: vocabulary.chamber(name, lang),
        "letter_title": lambda name: vocabulary.word("letter", name, lang),
        "task_title": lambda task: task_title(task, lang),
        "assignee": lambda who: assignee(who, lang),
        "decision_ref": lambda text: vocabulary.decision_ref(text, lang),
    }


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


def assignee(who: str | None, lang: str) -> str:
    """Whom a task is for: a person's address as it is, a role in words."""
    if not who:
        return ""
    return who if "@" in who else vocabulary.word("role", who, lang)
