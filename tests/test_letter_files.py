"""Letters that Word users and screen readers accept, checked with tools that are not the ones
that made the files: every letter of the catalogue (and the Bureau report) in both languages
as PDF (pypdf, pdftotext, pdffonts: tagged PDF/UA, language, title, text as written) and as DOCX
(python-docx reading it back, and LibreOffice converting it without a word on stderr)."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn

from noncoop import services
from noncoop.letters import context, register
from noncoop.letters.docx import blocks
from noncoop.letters.render import LANGS, catalogue, render_html
from noncoop.store.codec import from_snapshot
from noncoop.store.models import CaseRow

# Every letter typeset, read back and converted by LibreOffice: nothing the server changes.
pytestmark = [pytest.mark.slow, pytest.mark.one_database]

D = dt.date
ON = D(2024, 10, 28)
TAGS = {"en": "en-GB", "fr": "fr-FR"}
OFFICES = {"en": "Assembly of States Parties – ", "fr": "Assemblée des États Parties – "}
LETTERHEADS = {
    "en": "Assembly of States Parties to the Rome Statute of the International Criminal Court",
    "fr": "Assemblée des États Parties au Statut de Rome de la Cour pénale internationale"}


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: .ci/run installs {package}")
        pytest.skip(f"{name} ({package}) is not installed")
    return path


@pytest.fixture
def letters(db) -> dict[tuple[str, str], str]:
    """Every letter of the catalogue in both languages, as HTML, about a finding of
    non-compliance referred to the Assembly (the letters' own rules are tested elsewhere: here
    every one is drafted, whichever step the case is at), and the Bureau report."""
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    services.add_bureau_meeting(db, D(2024, 11, 5), "New York")
    opened = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                                decision_date=D(2024, 10, 24), chamber="Pre-Trial Chamber II",
                                referred_to=["assembly"], request="art89",
                                person="Vladimir Vladimirovich Putin")
    services.act(db, opened["id"], "forward_decision", on=D(2024, 10, 25))
    case = from_snapshot(db.get(CaseRow, opened["id"]).snapshot)
    out = {}
    for name, letter in catalogue().items():
        for lang in LANGS:
            ctx = context.build(letter, case, lang, on=ON, sessions=services.sessions(db),
                                meetings=services.bureau_meetings(db))
            out[name, lang] = render_html(name, lang, ctx)
    for lang in LANGS:  # its session line has a manual line break in a justified paragraph
        out["bureau_report", lang] = register.report(db, 23, lang, on=D(2024, 11, 8)).decode()
    return out


def _flat(text: str) -> str:
    """White space as HTML counts it: a no-break space is a character of the text."""
    return re.sub(r"[ \t\n\r\f]+", " ", text).strip(" ")


def _title(html: str) -> str:
    return _flat(re.search(r"<title>(.*?)</title>", html, re.S).group(1).replace("&amp;", "&"))


def _author(html: str) -> str:
    return re.search(r'<meta name="author" content="([^"]*)">', html).group(1)


def _expected(html: str) -> list[str]:
    """Every paragraph of the letter, as the template wrote it."""
    return [_flat(b.text()) for b in blocks(html)]


def _extracted(text: str) -> str:
    # The page number ("1 / 2", the page's margin box, an artifact of the tagged PDF) is no
    # part of the letter's text: a paragraph running over a page reads on without it.
    text = re.sub(r"(?m)^[ \t]*\d+ ?/ ?\d+[ \t]*$", "", text)
    # A line ending in a hyphen is a compound broken after its hyphen ("Pre-" / "Trial"):
    # there is no automatic hyphenation, so the hyphen is the text's own.
    return _flat(re.sub(r"-\n\s*", "-", text))


def test_every_pdf_is_tagged_with_language_and_title_and_reads_as_written(letters, tmp_path):
    pytest.importorskip("weasyprint")
    from pypdf import PdfReader

    pdftotext = _tool("pdftotext", "poppler-utils")
    pdffonts = _tool("pdffonts", "poppler-utils")
    wrong = []
    for (name, lang), html in letters.items():
        path = tmp_path / f"{name}.{lang}.pdf"
        path.write_bytes(register.convert(html, "pdf"))
        reader = PdfReader(path)
        root = reader.trailer["/Root"]
        # Tagged (PDF/UA-1): a structure tree, marked content, the language, the title shown.
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"] == True, name  # noqa: E712
        assert root["/Lang"] == lang and root["/ViewerPreferences"]["/DisplayDocTitle"], name
        assert reader.metadata.title == _title(html), name
        assert reader.metadata.author == _author(html), name
        assert reader.metadata.author.startswith(OFFICES[lang])
        assert reader.metadata.creation_date.date() == ON or name == "bureau_report"
        assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data(), name
        # Every paragraph, the letterhead first, reads from the PDF exactly as written.
        poppler = _extracted(subprocess.run([pdftotext, "-layout", str(path), "-"], check=True,
                                            capture_output=True, text=True).stdout)
        pypdf = _extracted("\n".join(page.extract_text() for page in reader.pages))
        assert LETTERHEADS[lang] in poppler and LETTERHEADS[lang] in pypdf, (name, lang)
        assert ("States Parties" if lang == "en" else "États Parties") in pypdf
        # pdftotext writes a no-break space as a space (pypdf, below, keeps it).
        wrong += [(name, lang, "pdftotext", line) for line in _expected(html)
                  if line.replace("\xa0", " ") not in poppler]
        # pypdf: the lines a reader looks for first (letterhead, reference, title, signature).
        head = _expected(html)[:8]
        wrong += [(name, lang, "pypdf", line) for line in head if line not in pypdf]
        fonts = subprocess.run([pdffonts, str(path)], check=True, capture_output=True,
                               text=True).stdout.splitlines()[2:]
        assert fonts and all("Serif" in f and "Sans" not in f and " yes yes yes " in f
                             for f in fonts), (name, fonts)  # serif, embedded, with Unicode map
    assert not wrong, wrong


def _paragraph_justified(doc, para) -> bool:
    jc = para._p.pPr.jc if para._p.pPr is not None else None
    if jc is not None:
        return jc.val is not None and str(jc.val).lower().startswith("justify")
    style = para.style
    while style is not None:
        ppr = style.element.pPr
        if ppr is not None and ppr.jc is not None:
            return str(ppr.jc.val).lower().startswith("justify")
        style = style.base_style
    return False


def test_every_docx_carries_the_letters_properties_and_house_style(letters):
    for (name, lang), html in letters.items():
        content = register.convert(html, "docx")
        doc = Document(io.BytesIO(content))
        props = doc.core_properties
        assert props.title == _title(html), name
        assert props.author == props.last_modified_by == _author(html), name
        assert props.language == TAGS[lang]
        if name != "bureau_report":
            assert props.created == props.modified == dt.datetime(2024, 10, 28, tzinfo=dt.UTC)
        assert props.comments == "" and props.revision == 1
        # Nothing of python-docx's own template: no thumbnail, no theme, no "python-docx".
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            names = z.namelist()
            assert not any("thumbnail" in n or "theme" in n for n in names), names
            for part in names:
                data = z.read(part)
                assert b"python-docx" not in data and b"2013-12-23" not in data, part
                # No theme fonts or theme colours: the style says Times New Roman, black.
                assert b"Theme" not in data and b"themeColor" not in data, part
            styles = z.read("word/styles.xml").decode()
        assert set(re.findall(r'w:color w:val="(\w+)"', styles)) == {"000000"}
        assert f'w:lang w:val="{TAGS[lang]}"' in styles
        assert "en-US" not in styles
        for style in ("Normal", "Heading 1", "Body Text"):
            font = doc.styles[style].font
            assert font.name in ("Times New Roman", None) and not font.color.theme_color
        assert doc.styles["Normal"].font.name == "Times New Roman"
        assert doc.styles["Heading 1"].font.size.pt == 13 and doc.styles["Heading 1"].font.bold
        section = doc.sections[0]
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        # Every paragraph as written, each run in the letter's language.
        texts = [_flat(p.text) for p in doc.paragraphs]
        assert texts == _expected(html), name
        runs = [r for p in doc.paragraphs for r in p.runs]
        assert runs and all(r._r.rPr.find(qn("w:lang")).get(qn("w:val")) == TAGS[lang]
                            for r in runs), name
        # No line ended by a manual break in a justified paragraph (it would be stretched).
        for para in doc.paragraphs:
            if para._p.findall(f".//{qn('w:br')}"):
                assert not _paragraph_justified(doc, para), (name, para.text)
    report = Document(io.BytesIO(register.convert(letters["bureau_report", "en"], "docx")))
    assert any("\n" in p.text for p in report.paragraphs)  # the case above was met
    # Each numbered list counts from 1 (the steps taken on a case; the draft resolution).
    numbered = {p._p.pPr.numPr.numId.val for p in report.paragraphs
                if p.style.name == "List Number"}
    assert len(numbered) == len(re.findall("<ol>", letters["bureau_report", "en"])) >= 2


def test_libreoffice_converts_every_docx_without_a_warning(letters, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("soffice is missing: .ci/run installs libreoffice-writer-nogui")
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    pdftotext = _tool("pdftotext", "poppler-utils")
    pdffonts = _tool("pdffonts", "poppler-utils")
    docs = tmp_path / "docx"
    docs.mkdir()
    for (name, lang), html in letters.items():
        (docs / f"{name}.{lang}.docx").write_bytes(register.convert(html, "docx"))
    out = tmp_path / "pdf"
    # A profile of its own: a LibreOffice running elsewhere on the machine is not disturbed.
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--norestore", "--convert-to", "pdf", "--outdir", str(out),
         *sorted(str(p) for p in docs.iterdir())],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    # The launcher's note that no Java runtime is there is about the machine, not the file.
    stderr = [line for line in done.stderr.splitlines()
              if line != "Warning: failed to launch javaldx - java may not function correctly"]
    assert stderr == [], stderr
    for (name, lang), html in letters.items():
        pdf = out / f"{name}.{lang}.pdf"
        assert pdf.exists(), (name, lang, done.stdout)
        text = _extracted(subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True,
                                         capture_output=True, text=True).stdout)
        assert LETTERHEADS[lang] in text and _expected(html)[-1] in text, (name, lang)
        fonts = subprocess.run([pdffonts, str(pdf)], check=True, capture_output=True,
                               text=True).stdout.splitlines()[2:]
        # Times New Roman stands in for itself or its metric twin: a serif, as in the PDF.
        assert fonts and all("Serif" in f or "Times" in f for f in fonts), (name, fonts)
