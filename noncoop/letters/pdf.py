"""A rendered letter as PDF, with WeasyPrint (the optional extra `[pdf]`).

The PDF is PDF/UA-1: tagged (a structure tree a screen reader follows, headings, paragraphs and
lists as such), with the document's language and title (the HTML's `lang` and `<title>`), and
its author and date from the layout's `<meta>` (letters/*/_layout.html)."""

from __future__ import annotations

import functools
import re

from noncoop import resources
from noncoop.errors import BadInput

# PDF/UA-1 came with WeasyPrint 59; pyproject asks for 60 or later.
VARIANT = "pdf/ua-1"
# A document symbol (ICC-ASP/17/Res.5, ICC-01/22-90, a register number) is one word: the line
# breaking rules would cut it after a slash or a full stop ("ICC-ASP/17/Res." / "5"), which
# reads as two words from the PDF and looks wrong on the page.
SYMBOL = re.compile(r"\bICC-[A-Za-z0-9]+(?:[/.-][A-Za-z0-9]+)*")
SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu"


def to_pdf(html: str) -> bytes:
    why = unavailable()
    if why is not None:
        raise BadInput(why, code="pdf_unavailable")
    from weasyprint import HTML

    return HTML(string=unbroken_symbols(html),
                base_url=str(resources.LETTERS)).write_pdf(pdf_variant=VARIANT)


@functools.cache
def unavailable() -> str | None:
    """Why no PDF can be made here, or None: a page offers no PDF it cannot give."""
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        return ("PDF output needs WeasyPrint: pip install 'noncoop[pdf]'; or ask for "
                "--format html or docx")
    except OSError as exc:  # the Python package is there, its system libraries are not
        return (f"PDF output needs system libraries WeasyPrint could not load ({exc}). On "
                f"Debian: apt-get install {SYSTEM_PACKAGES}")
    return None


def unbroken_symbols(html: str) -> str:
    """Each document symbol of the body kept on one line (the head, with the title, as is)."""
    head, found, body = html.partition("<body")
    if not found:
        return html
    return head + found + SYMBOL.sub(
        lambda m: f'<span style="white-space: nowrap">{m.group(0)}</span>', body)
