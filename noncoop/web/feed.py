"""The Atom feed of the President's press releases (para 13), as RFC 4287 asks: an author, a
link to itself, ids that never change, titles that say what was released and the date it was
released on. Everything in it is public (the releases themselves); nothing of a case file is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from html.parser import HTMLParser

from lxml import etree as ET  # python-docx's: a namespace map per document, no global one

from noncoop.clock import AMSTERDAM
from noncoop.store.models import LetterRow

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEDIA_TYPE = "application/atom+xml"
# The press releases are the President's (para 13).
AUTHOR = "President of the Assembly of States Parties"
TITLE = "Non-cooperation: press releases of the President of the Assembly of States Parties"
# A feed with no release yet is as old as the procedures (ICC-ASP/17/Res.5, 12 December 2018).
ADOPTED = dt.date(2018, 12, 12)
# Fallback titles for a release issued as PDF or DOCX, whose own title the feed cannot read.
RELEASED = {"en": "Non-cooperation – {state}: press release {reference}",
            "fr": "Non-coopération – {state} : communiqué de presse {reference}"}


def released_at(day: dt.date) -> dt.datetime:
    """A release's date as Atom's date-time: noon in The Hague, so that readers from New York
    to Tokyo see the day the release bears, not the eve of it."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=AMSTERDAM)


class _Title(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside, self.text = False, ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inside = tag == "title" and not self.text

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.text += data


def title_of(release: LetterRow, state: str | None) -> str:
    """What was released: the release's own title as issued (it names the State and carries
    its register number), or, for a PDF or DOCX, one made of the State and the number."""
    if release.media_type.startswith("text/html"):
        parser = _Title()
        parser.feed(release.content.decode("utf-8", errors="replace"))
        if parser.text.strip():
            return " ".join(parser.text.split())
    return RELEASED.get(release.lang, RELEASED["en"]).format(
        state=state or "?", reference=release.reference)


def _element(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
    child.text = text
    return child


def _author(parent: ET.Element, base: str) -> None:
    author = _element(parent, "author")
    _element(author, "name", AUTHOR)
    _element(author, "uri", f"{base}/public")


def feed(base: str, releases: Iterable[tuple[LetterRow, str | None]]) -> bytes:
    """The feed document: `base` is NONCOOP_BASE_URL (never the request's Host header, which
    anyone can set); `releases` each with the requested State it is about."""
    ordered = sorted(releases, key=lambda r: (r[0].issued_on, r[0].seq), reverse=True)
    root = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: "en"}, nsmap={None: ATOM})
    _element(root, "id", f"{base}/public")
    _element(root, "title", TITLE)
    updated = max((r.issued_on for r, _ in ordered), default=ADOPTED)
    _element(root, "updated", released_at(updated).isoformat())
    _author(root, base)
    _element(root, "link", rel="self", type=MEDIA_TYPE, href=f"{base}/public/feed.atom")
    _element(root, "link", rel="alternate", type="text/html", href=f"{base}/public")
    _element(root, "generator", "noncoop")
    for release, state in ordered:
        entry = _element(root, "entry", **{XML_LANG: release.lang})
        url = f"{base}/public/press/{release.reference}"
        # The register number is the release's for good (a correction is a new number), so
        # its address is a permanent id.
        _element(entry, "id", url)
        _element(entry, "title", title_of(release, state))
        on = released_at(release.issued_on).isoformat()
        _element(entry, "published", on)
        _element(entry, "updated", on)
        _author(entry, base)
        _element(entry, "link", rel="alternate", type=release.media_type.split(";")[0],
                 href=url, hreflang=release.lang)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
