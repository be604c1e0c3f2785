"""A rendered letter as an editable Word document (python-docx), made from the same HTML, so
that the wording lives in one template. It walks the few elements the layout uses
(letters/README.md): headings, paragraphs, lists, emphasis, and the layout's classed blocks
(letterhead, reference, place and date, recipients, signature, footer), each with a style."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from html.parser import HTMLParser

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

BLOCKS = {"p", "h1", "h2", "h3", "li"}
SKIPPED = {"head", "style", "title", "script"}


@dataclass
class Block:
    tag: str
    context: tuple[str, ...]  # the enclosing tags and classes, outermost first
    runs: list[tuple[str, bool, bool]] = field(default_factory=list)  # text, bold, italic

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

    def _context(self) -> tuple[str, ...]:
        return tuple(label for _, label in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "meta", "link"):
            if tag == "br" and self.current is not None:
                self.current.runs.append(("\n", False, False))
            return
        classes = ".".join((dict(attrs).get("class") or "").split())
        self.stack.append((tag, f"{tag}.{classes}" if classes else tag))
        if tag in SKIPPED:
            self.skip += 1
        elif tag in BLOCKS:
            self.current = Block(tag, self._context())
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
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.skip or self.current is None:
            return
        text = " ".join(data.split())
        if data[:1].isspace() and self.current.runs:
            text = " " + text
        if data[-1:].isspace() and text:
            text += " "
        if text.strip() or (text and self.current.runs):
            self.current.runs.append((text, self.bold > 0, self.italic > 0))


def blocks(html: str) -> list[Block]:
    walker = _Walker()
    walker.feed(html)
    walker.close()
    return [b for b in walker.blocks if b.text().strip()]


def _within(block: Block, label: str) -> bool:
    return any(c == label or c.startswith(f"{label}.") or f".{label}" in c
               for c in block.context)


def _style(block: Block) -> tuple[str, WD_ALIGN_PARAGRAPH | None]:
    if _within(block, "letterhead") or _within(block, "draft-banner") \
            or _within(block, "confidential") or _within(block, "kicker"):
        return "Normal", WD_ALIGN_PARAGRAPH.CENTER
    if _within(block, "place-date"):
        return "Normal", WD_ALIGN_PARAGRAPH.RIGHT
    if block.tag == "h1":
        return "Heading 1", WD_ALIGN_PARAGRAPH.CENTER
    if block.tag in ("h2", "h3"):
        return f"Heading {block.tag[1]}", None
    if block.tag == "li" and not _within(block, "recipients"):
        return ("List Number" if _within(block, "ol") else "List Bullet"), None
    if _within(block, "blockquote"):
        return "Quote", None
    if _within(block, "main"):
        return "Normal", WD_ALIGN_PARAGRAPH.JUSTIFY
    return "Normal", None


def to_docx(html: str) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin"):
        setattr(section, side, Mm(25))
    section.bottom_margin = Mm(28)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(12)
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        doc.styles[name].font.name = "Times New Roman"
    for block in blocks(html):
        style, align = _style(block)
        para = doc.add_paragraph(style=style)
        if align is not None:
            para.alignment = align
        emphasised = (_within(block, "letterhead") or _within(block, "confidential")
                      or _within(block, "draft-banner") or _within(block, "name"))
        small = _within(block, "footer")
        if _within(block, "signature"):
            para.paragraph_format.left_indent = Mm(80)
        runs = block.runs
        for i, (text, bold, italic) in enumerate(runs):
            if i == 0:
                text = text.lstrip()
            if i == len(runs) - 1:
                text = text.rstrip()
            run = para.add_run(text)
            run.bold = bold or emphasised or None
            run.italic = italic or _within(block, "corrects") or None
            if small:
                run.font.size = Pt(9)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
