"""Rendering a letter template to HTML. One sandboxed environment per language, with autoescape
and StrictUndefined (PITFALLS): a missing value is an error naming it, never a blank in a signed
letter, and user text such as `{{7*7}}` or `<script>` stays literal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound, UndefinedError, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from noncoop import resources, yamlfile
from noncoop.domain.procedure import load_procedure
from noncoop.errors import BadInput

LETTERS_DIR = resources.LETTERS
LANGS = ("en", "fr")
LOCALES = {"en": "en_GB", "fr": "fr_FR"}
REPORT = "bureau_report"  # the Bureau's report to a session: a document over all cases (para 15)
DIGEST = "digest"  # the daily digest of a person's missed deadlines: over all cases
DOCUMENTS = (REPORT, DIGEST)  # templates about many cases, not in the catalogue of letters


@dataclass(frozen=True)
class LetterDef:
    name: str
    step: str | None
    paragraph: str
    form: str
    to: tuple[str, ...]
    about: str | None = None  # "deadline": a notice about whichever deadline is outstanding


@cache
def catalogue() -> dict[str, LetterDef]:
    """The letters of letters/catalogue.yaml, by name. The step a letter belongs to, and so its
    paragraph, is the workflow's word (a step's `letters`); the catalogue gives the form and
    the addressees, and the paragraph only of the notices that belong to no one step."""
    raw = yamlfile.safe_load((LETTERS_DIR / "catalogue.yaml").read_text(encoding="utf-8"))["letters"]
    procedure = load_procedure()
    out = {}
    for name, d in raw.items():
        step = procedure.letter_step(name)
        paragraph = step.paragraph if step else str(d["paragraph"])
        out[name] = LetterDef(name, step.id if step else None, paragraph, d["form"],
                              tuple(d["to"]), d.get("about"))
    return out


def long_date(day: dt.date | None, lang: str) -> str:
    """24 October 2024 / 24 octobre 2024 (1er octobre: French writes the first of the month so)."""
    if day is None:
        raise BadInput("a letter was asked to print a date that is not known; record it first")
    text = format_date(day, "long", locale=LOCALES[lang])
    return f"1er{text[1:]}" if lang == "fr" and day.day == 1 else text


def search_path(lang: str) -> list[Path]:
    """A language's templates, then what both languages share (the house style)."""
    return [LETTERS_DIR / lang, LETTERS_DIR / "shared"]


@cache
def environment(lang: str) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(search_path(lang)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )
    env.filters["date"] = lambda day: long_date(day, lang)
    # What the workflow says of the steps, for every template and the macros they import: a
    # template keeps its own words for a step, never its own list of steps or paragraphs.
    procedure = load_procedure()
    env.globals["workflow"] = {
        "paragraphs": {s.id: s.paragraph for s in procedure.steps.values()},
        "informal": list(procedure.lane_steps("good_offices"))}
    return env


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise BadInput(f"unknown language {lang!r}: letters exist in {', '.join(LANGS)} (--lang)")
    return lang


def check_name(name: str) -> str:
    if name not in DOCUMENTS and name not in catalogue():
        raise BadInput(f"unknown letter {name!r}: use one of {', '.join(sorted(catalogue()))} "
                       "(letters/catalogue.yaml)", code="unknown_letter")
    return name


def render_html(name: str, lang: str, context: dict[str, Any]) -> str:
    check_name(name)
    try:
        template = environment(check_lang(lang)).get_template(f"{name}.html")
    except TemplateNotFound:
        raise BadInput(f"there is no {lang} template for {name}: add letters/{lang}/{name}.html",
                       code="unknown_letter") from None
    try:
        return template.render(**context)
    except UndefinedError as exc:
        raise BadInput(f"letter {name} ({lang}) cannot be drafted: {exc.message}. Record the "
                       "missing fact on the case, or fix the template (letters/README.md lists "
                       "what a template is given)", code="letter_incomplete") from None
