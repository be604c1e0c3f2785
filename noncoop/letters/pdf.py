"""A rendered letter as PDF, with WeasyPrint (the optional extra `[pdf]`)."""

from __future__ import annotations

from noncoop import resources
from noncoop.errors import BadInput

SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu"


def to_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML
    except ImportError:
        raise BadInput("PDF output needs WeasyPrint: pip install 'noncoop[pdf]'; or ask for "
                       "--format html or docx", code="pdf_unavailable") from None
    except OSError as exc:  # the Python package is there, its system libraries are not
        raise BadInput(f"PDF output needs system libraries WeasyPrint could not load ({exc}). On "
                       f"Debian: apt-get install {SYSTEM_PACKAGES}", code="pdf_unavailable") from None
    return HTML(string=html, base_url=str(resources.LETTERS)).write_pdf()
