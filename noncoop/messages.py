"""The message catalogue kept up to date: extract what the code and the page templates mark for
translation (babel.cfg), merge it into noncoop/locale/fr/LC_MESSAGES/messages.po, and say what
has no French yet.

    python -m noncoop.messages update    # extract and merge: new messages appear untranslated
    python -m noncoop.messages check     # exit 1 listing messages without French, or a stale .po

tests/test_french.py runs `problems()`: a label without French fails the tests."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from noncoop import yamlfile
from noncoop.i18n import DOMAIN, po_path

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {**DEFAULT_KEYWORDS, "tr": (2,), "ntr": (2, 3), "N_": None, "NP_": ((1, "c"), 2)}
LANGS = ("fr",)


def extract() -> Catalog:
    """Every message the checkout marks, as a template catalogue (what `pybabel extract -F
    babel.cfg` gives with these keywords)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")
    template = Catalog(project="noncoop", domain=DOMAIN, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def read(lang: str) -> Catalog:
    with po_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def update() -> None:
    """Merge the extracted messages into each language's .po (a new one comes untranslated;
    one no longer in the code is dropped, not kept as obsolete: git keeps the history)."""
    template = extract()
    for lang in LANGS:
        path = po_path(lang)
        catalog = read(lang) if path.exists() else Catalog(
            locale=lang, domain=DOMAIN, project="noncoop", fuzzy=False,
            header_comment=f"# {lang} messages of noncoop (README \"Adding a label\").")
        catalog.update(template, update_header_comment=False, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=100, sort_output=False, include_previous=False,
                     include_lineno=False)  # line numbers would change with every edit


def _key(message: object) -> tuple[str, str | None]:
    mid = message.id
    return (mid[0] if isinstance(mid, tuple) else mid, message.context)


def problems(lang: str = "fr") -> list[str]:
    """What keeps the catalogue of `lang` from being complete: a marked message missing from
    the .po (run update), one without a translation or only a fuzzy one (translate it), one
    in the .po that nothing marks any more (run update)."""
    template = extract()
    catalog = read(lang)
    wanted = {_key(m) for m in template if m.id}
    have = {_key(m): m for m in catalog if m.id}
    out = []
    for key in sorted(wanted, key=lambda k: (k[0], k[1] or "")):
        m = have.get(key)
        where = f"{key[0]!r}" + (f" (context {key[1]!r})" if key[1] else "")
        if m is None:
            out.append(f"{where}: not in {po_path(lang).name}: run python -m noncoop.messages update")
        elif m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string):
            out.append(f"{where}: no {lang} translation in {po_path(lang)}")
    for key in sorted(set(have) - wanted, key=lambda k: (k[0], k[1] or "")):
        out.append(f"{key[0]!r}: in {po_path(lang).name} but marked nowhere (stale): run "
                   "python -m noncoop.messages update")
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
        return 0
    if argv[:1] == ["check"]:
        found = problems()
        print("\n".join(found) or "every message has its French")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def extract_workflow(fileobj, keywords, comment_tags, options):  # noqa: ANN001, ANN201
    """Babel extraction method for workflows/*.yaml: the message of each rule (a guard's, a
    stage's refusal), which a French page says in French (noncoop/web/said.py). Step titles
    stay in the workflow (`title_fr`): the workflow is the one source of truth about a step."""

    doc = yamlfile.safe_load(fileobj.read().decode("utf-8")) or {}
    lines = {}
    for rule, meta in (doc.get("guards") or {}).items():
        lines[rule] = " ".join(meta["message"].split())
    for meta in (doc.get("stages") or {}).values():
        if meta and meta.get("refusal"):
            lines[meta["refusal"]["rule"]] = " ".join(meta["refusal"]["message"].split())
    for rule, message in lines.items():
        yield 0, None, message, [f"rule {rule} of the workflow"]
