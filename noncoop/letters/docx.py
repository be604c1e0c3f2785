"""A rendered letter as an editable Word document (python-docx), made from the same HTML, so
that the wording lives in one template. It walks the few elements the layout uses
(letters/README.md): headings, paragraphs, lists, emphasis, and the layout's classed blocks
(letterhead, reference, place and date, recipients, signature, footer), each with a paragraph
style of the reference document (reference.py), which has the PDF's house style. The file
carries the letter's own properties, read from the HTML the PDF is made from too: its title
(`<title>`), author (the issuing office) and date (the layout's `<meta>`) and its language
(`<html lang>`, also set on every run, so that Word checks a French letter in French)."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from noncoop.letters.reference import LANG_TAGS, reference_docx

BLOCKS = {"p", "h1", "h2", "h3", "li"}
# HTML's white space: a no-break space (French "Référence\u00a0:") is text, kept as written.
SPACES = re.compile(r"[ \t\n\r\f]+")
SKIPPED = {"head", "style", "title", "script"}


@dataclass
class Block:
    tag: str
    context: tuple[str, ...]  # the enclosing tags and classes, outermost first
    runs: list[tuple[str, bool, bool]] = field(default_factory=list)  # text, bold, italic
    list_id: int | None = None  # which list (ol or ul) of the document an item belongs to

    def text(self) -> str:
        return "".join(t for t, _, _ in self.runs)


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []  # (tag, "tag.class1.class2")
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.skip = 0
        self.bold = 0
        self.italic = 0
        self.lists: list[int] = []  # the open lists, innermost last
        self.list_count = 0
        self.lang = "en"
        self.title: list[str] = []
        self.meta: dict[str, str] = {}

    def _context(self) -> tuple[str, ...]:
        return tuple(label for _, label in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "meta", "link"):
            if tag == "br" and self.current is not None:
                self.current.runs.append(("\n", False, False))
            named = dict(attrs)
            if tag == "meta" and named.get("name") and named.get("content") is not None:
                self.meta[str(named["name"])] = str(named["content"])
            return
        if tag == "html":
            self.lang = dict(attrs).get("lang") or self.lang
        if tag in ("ol", "ul"):
            self.list_count += 1
            self.lists.append(self.list_count)
        classes = ".".join((dict(attrs).get("class") or "").split())
        self.stack.append((tag, f"{tag}.{classes}" if classes else tag))
        if tag in SKIPPED:
            self.skip += 1
        elif tag in BLOCKS:
            self.current = Block(tag, self._context(),
                                 list_id=self.lists[-1] if tag == "li" and self.lists else None)
            self.blocks.append(self.current)
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag in SKIPPED:
                self.skip -= 1
            elif open_tag in BLOCKS:
                self.current = None
            elif open_tag in ("strong", "b"):
                self.bold -= 1
            elif open_tag in ("em", "i"):
                self.italic -= 1
            if open_tag in ("ol", "ul") and self.lists:
                self.lists.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] == "title":
            self.title.append(data)
        if self.skip or self.current is None:
            return
        text = SPACES.sub(" ", data).strip(" ")
        if SPACES.match(data[:1]) and self.current.runs:
            text = " " + text
        if SPACES.match(data[-1:]) and text:
            text += " "
        if text.strip() or (text and self.current.runs):
            self.current.runs.append((text, self.bold > 0, self.italic > 0))


def _walk(html: str) -> _Walker:
    walker = _Walker()
    walker.feed(html)
    walker.close()
    return walker


def blocks(html: str) -> list[Block]:
    return [b for b in _walk(html).blocks if b.text().strip()]


def _within(block: Block, label: str) -> bool:
    """Whether the block is, or is inside, an element of tag or class `label`."""
    return any(label in c.split(".") for c in block.context)


# Which reference style each part of the layout takes (letters/*/_layout.html), first match.
_CLASSES = (("draft-banner", "Draft Banner"), ("institution", "Letterhead"),
            ("office", "Letterhead Office"), ("confidential", "Confidential"),
            ("reference", "Reference"), ("place-date", "Place and Date"),
            ("corrects", "Corrects"), ("recipients", "Recipient"), ("kicker", "Kicker"))
JUSTIFIED = {"Body Text", "List Bullet", "List Number"}


def _style(block: Block) -> str:
    for label, style in _CLASSES:
        if _within(block, label):
            return style
    if block.tag in ("h1", "h2", "h3"):
        return f"Heading {block.tag[1]}"
    if _within(block, "signature"):
        return "Signature Name" if _within(block, "name") else "Signature"
    if _within(block, "footer"):
        return "Letter Footer"
    if block.tag == "li":
        return "List Number" if _within(block, "ol") else "List Bullet"
    if _within(block, "blockquote"):
        return "Quote"
    if _within(block, "main"):
        return "Body Text"
    return "Normal"


def _set_lang(run, tag: str) -> None:
    # Last in the run's properties, as the schema orders them (after bold, italic).
    lang = OxmlElement("w:lang")
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), tag)
    run._r.get_or_add_rPr().append(lang)


def _number_from_one(doc, para, numbers: dict[int, int], list_id: int) -> None:
    """Each numbered list of the letter counts from 1: its own numbering instance."""
    if list_id not in numbers:
        numbering = doc.part.numbering_part.element
        num = numbering.add_num(1)  # abstractNum 1: "1." (reference.py)
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        numbers[list_id] = num.numId
    num_pr = para._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = numbers[list_id]


def _properties(doc, walker: _Walker, tag: str) -> None:
    """The letter's own core properties, and nothing of a template's."""
    props = doc.core_properties
    props.title = SPACES.sub(" ", "".join(walker.title)).strip(" ")
    props.author = props.last_modified_by = walker.meta.get("author", "")
    props.language = tag
    props.revision = 1
    if created := walker.meta.get("dcterms.created"):
        day = dt.date.fromisoformat(created)
        props.created = props.modified = dt.datetime(day.year, day.month, day.day)


def to_docx(html: str) -> bytes:
    walker = _walk(html)
    lang = walker.lang if walker.lang in LANG_TAGS else "en"
    tag = LANG_TAGS[lang]
    doc = Document(io.BytesIO(reference_docx(lang)))
    _properties(doc, walker, tag)
    numbers: dict[int, int] = {}
    for block in (b for b in walker.blocks if b.text().strip()):
        style = _style(block)
        para = doc.add_paragraph(style=style)
        if style == "List Number" and block.list_id is not None:
            _number_from_one(doc, para, numbers, block.list_id)
        runs = block.runs
        if style in JUSTIFIED and any("\n" in text for text, _, _ in runs):
            # A justified line ended by a manual break would be stretched to the margin.
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT
        for i, (text, bold, italic) in enumerate(runs):
            if i == 0:
                text = text.lstrip(" ")
            if i == len(runs) - 1:
                text = text.rstrip(" ")
            run = para.add_run(text)
            run.bold = bold or None
            run.italic = italic or None
            _set_lang(run, tag)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
