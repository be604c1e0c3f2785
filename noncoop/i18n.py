"""The words a person reads, in English and French, through gettext.

The English text is the message id; its French is in noncoop/locale/fr/LC_MESSAGES/messages.po
(Babel's catalogue, extracted from the code and the page templates: README "Adding a label").
The .po file is read and compiled in memory the first time a language is asked for, so a clean
checkout and an installed wheel need no compile step, and no stale .mo file can hide a change.

Codes of the record (a step's status, a deadline's kind, a case's outcome...) are never shown
as such: noncoop/vocabulary.py gives each its English words, translated here like any label.
In Python, `tr(lang, "English")` (extraction keyword tr:2) and `ntr(lang, singular, plural,
n)`; in a page template `_("English")`. Dates and numbers are written by Babel for the
language (format_date, format_number).

CLI output and JSON stay English (INTERFACE.md): only the pages and e-mails ask this module."""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import io
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

# Babel is imported where a page or a mail asks for words, not by the modules that only mark
# them (N_): the command line writes English and would pay for it at every command.
if TYPE_CHECKING:
    from babel import Locale

LANGS = ("en", "fr")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Marks a message for extraction where it is written; translated where it is shown."""
    return message


def lang_of(lang: str | None) -> str:
    return "fr" if lang == "fr" else "en"


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The catalogue of `lang`, compiled from its .po file (English needs none: the message id
    is the English). Fuzzy entries are left out, as msgfmt does: a guess is not a translation."""
    lang = lang_of(lang)
    path = po_path(lang)
    if lang == "en" or not path.exists():
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def tr(lang: str | None, message: str, **values: object) -> str:
    """`message` in `lang`, with `%(name)s` placeholders filled from `values`."""
    text = translations(lang_of(lang)).gettext(message)
    return text % values if values else text


def ntr(lang: str | None, singular: str, plural: str, n: int, **values: object) -> str:
    text = translations(lang_of(lang)).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def format_date(day: dt.date | str | None, lang: str | None, form: str = "medium") -> str:
    """A day as the language writes it: "24 Oct 2024", "24 oct. 2024"; '' for none. An
    instant (a datetime, or UTC text as the services give it: when an event was recorded) is
    the day it was where the Secretariat works (SPEC "Time"), not its UTC date: recorded at
    23:30 UTC on 2 December is 3 December in The Hague."""
    if not day:  # None, '' or a template's undefined value
        return ""
    if isinstance(day, str):
        day = (dt.datetime.fromisoformat(day.replace("Z", "+00:00")) if "T" in day
               else dt.date.fromisoformat(day[:10]))
    if isinstance(day, dt.datetime):
        from noncoop.clock import AMSTERDAM

        day = (day.astimezone(AMSTERDAM) if day.tzinfo else day).date()
    from babel.dates import format_date as _format_date

    return _format_date(day, format=form, locale=_locale(lang))


def format_time(instant: dt.datetime | str, lang: str | None) -> str:
    """The time of day of an instant (a datetime, or UTC text as the services give it) where
    the Secretariat works (SPEC "Time"), as the language writes it: "10:00"."""
    if isinstance(instant, str):
        instant = dt.datetime.fromisoformat(instant.replace("Z", "+00:00"))
    from babel.dates import format_time as _format_time

    from noncoop.clock import AMSTERDAM

    return _format_time(instant.astimezone(AMSTERDAM), format="short", locale=_locale(lang))


def format_number(value: float | int | None, lang: str | None) -> str:
    if value is None or value == "":
        return ""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_locale(lang))


@cache
def _locale(lang: str | None) -> Locale:
    from babel import Locale

    # English as the Assembly writes it (British usage: "24 Oct 2024"), French as in France.
    return Locale.parse("en_GB" if lang_of(lang) == "en" else lang_of(lang))
