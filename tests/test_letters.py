"""Letters: every template in both languages for every demo case, the sandbox, golden files,
DOCX and PDF output, the register of issued letters and the Bureau report."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from noncoop import services
from noncoop.errors import BadInput, Refused
from noncoop.letters import register
from noncoop.letters.render import LANGS, catalogue, render_html

D = dt.date
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def mongolia(db):
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    services.add_bureau_meeting(db, D(2024, 11, 5), "New York")
    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=D(2024, 10, 24), chamber="Pre-Trial Chamber II",
                              referred_to=["assembly"], request="art89",
                              person="Vladimir Vladimirovich Putin")
    services.act(db, case["id"], "forward_decision", on=D(2024, 10, 25))
    services.act(db, case["id"], "open_letter", on=D(2024, 10, 28),
                 params={"action": "send", "reply_days": "30"})
    return case["id"]


def test_every_letter_renders_in_both_languages_for_every_demo_case(demo):
    cases = services.list_cases(demo)
    assert len(cases) >= 10
    drafted = set()
    for case in cases:
        allowed = register.letters_allowed(demo, case["id"])
        for name in catalogue():
            for lang in LANGS:
                if name not in allowed:  # its step refuses it: so does the letter, saying why
                    with pytest.raises(Refused, match=r"refused by rule \w+ \(Annex II para"):
                        register.draft(demo, case["id"], name, lang)
                    continue
                html = register.draft(demo, case["id"], name, lang)
                assert html.startswith("<!DOCTYPE html>") and f'lang="{lang}"' in html
                assert "None" not in html, (case["id"], name, lang)
                # A draft says so in its own language: "Référence : PROJET", never "DRAFT".
                assert ("DRAFT" in html) if lang == "en" else (
                    "Référence\u00a0: PROJET" in html and "DRAFT" not in html), (case["id"], name)
                drafted.add(name)
    # The demo holds a case for every letter but those of steps it has not reached.
    assert {"forward_decision", "press_release", "open_letter", "reminder"} <= drafted


def test_user_text_stays_literal(db):
    services.open_case(db, state="Mongolia", scenario="7b",
                       summary="<script>alert(1)</script> {{7*7}}", person="{{ config }}")
    case_id = services.list_cases(db)[0]["id"]
    services.act(db, case_id, "good_offices_activate", on=D(2024, 8, 30),
                 params={"court_consulted": "2024-08-29"})
    for lang in LANGS:
        html = register.draft(db, case_id, "good_offices_notice", lang, on=D(2024, 8, 30))
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; {{7*7}}" in html
        assert "49" not in html


def test_a_missing_value_is_an_error_naming_it_never_a_blank(mongolia, db):
    from noncoop.letters import context
    from noncoop.store.codec import from_snapshot
    from noncoop.store.models import CaseRow

    case = from_snapshot(db.get(CaseRow, mongolia).snapshot)
    ctx = context.build(catalogue()["open_letter"], case, "en", on=D(2024, 10, 28))
    render_html("open_letter", "en", ctx)
    del ctx["signatory"]
    with pytest.raises(BadInput, match="'signatory' is undefined"):
        render_html("open_letter", "en", ctx)


def test_unknown_letter_language_and_format_say_what_exists(mongolia, db):
    with pytest.raises(BadInput, match="open_letter"):
        register.render(db, mongolia, "open_leter")
    with pytest.raises(BadInput, match="en, fr"):
        register.render(db, mongolia, "open_letter", "de")
    with pytest.raises(BadInput, match="html, docx, pdf"):
        register.render(db, mongolia, "open_letter", "en", "odt")


@pytest.mark.parametrize(("name", "lang"), [("open_letter", "en"), ("forward_decision", "fr"),
                                            ("press_release", "en")])
def test_golden_letters(mongolia, db, name, lang):
    """Reviewed by eye; regenerate with NONCOOP_UPDATE_GOLDEN=1 and review the diff."""
    html = register.draft(db, mongolia, name, lang, on=D(2024, 10, 28), reference="ICC-ASP/23/S/7")
    golden = GOLDEN / f"{name}.{lang}.html"
    if os.environ.get("NONCOOP_UPDATE_GOLDEN"):
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text(encoding="utf-8")


def test_the_open_letter_asks_for_the_reply_by_its_deadline(mongolia, db):
    html = register.draft(db, mongolia, "open_letter", "en", on=D(2024, 10, 28))
    assert "by 27 November 2024" in html
    assert "Vladimir Vladimirovich Putin" in html and "article 89" in html
    fr = register.draft(db, mongolia, "open_letter", "fr", on=D(2024, 10, 28))
    assert "27 novembre 2024" in fr and "Mission permanente de la Mongolie" in fr


def test_docx_is_an_editable_styled_document(mongolia, db):
    content = register.render(db, mongolia, "open_letter", "en", "docx")
    doc = Document(io.BytesIO(content))
    texts = [p.text for p in doc.paragraphs]
    assert "Excellency," in texts
    assert "Reference: DRAFT" in texts
    assert "The Permanent Mission of Mongolia to the United Nations" in texts
    heading = next(p for p in doc.paragraphs if p.style.name == "Heading 1")
    assert "Mongolia" in heading.text
    assert any(p.text == "Päivi Kaukoranta" for p in doc.paragraphs)
    assert doc.styles["Normal"].font.name == "Times New Roman"


def test_a_pdf_letter_is_a_real_page(mongolia, db, tmp_path):
    pytest.importorskip("weasyprint")
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing: .ci/run installs poppler-utils")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    from PIL import Image

    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(register.render(db, mongolia, "open_letter", "fr", "pdf"))
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    dark = sum(page.histogram()[:128])  # pixels darker than mid-grey
    assert page.size[0] < page.size[1]  # A4, portrait
    assert dark > 0.01 * page.size[0] * page.size[1]  # text on the page, not a blank


def test_issued_letters_are_numbered_stored_as_issued_and_on_the_record(mongolia, db):
    first = register.issue(db, mongolia, "open_letter", on=D(2024, 10, 28))
    cover = register.issue(db, mongolia, "open_letter_cover_note", lang="fr", on=D(2024, 10, 28))
    assert (first["reference"], cover["reference"]) == ("ICC-ASP/23/S/1", "ICC-ASP/23/S/2")
    assert first["recipients"] == ["The Permanent Mission of Mongolia to the United Nations"]
    assert len(cover["recipients"]) == 125  # every State Party on the distribution list
    entry, content = register.show(db, "ICC-ASP/23/S/1")
    assert hashlib.sha256(content).hexdigest() == entry["sha256"]
    assert b"Reference: ICC-ASP/23/S/1" in content and b"DRAFT" not in content
    history = services.show_case(db, mongolia)["history"]
    assert [(h["event"], h["step"]) for h in history[-2:]] == [
        ("letter_issued", "open_letter"), ("letter_issued", "open_letter")]


def test_a_correction_is_a_new_letter_linked_to_the_one_it_replaces(mongolia, db):
    register.issue(db, mongolia, "open_letter", on=D(2024, 10, 28))
    fixed = register.issue(db, mongolia, "open_letter", on=D(2024, 10, 29),
                           corrects="ICC-ASP/23/S/1")
    assert fixed["reference"] == "ICC-ASP/23/S/2" and fixed["corrects"] == "ICC-ASP/23/S/1"
    _, content = register.show(db, "ICC-ASP/23/S/2")
    assert b"corrects and replaces ICC-ASP/23/S/1" in content
    old = register.list_letters(db, mongolia)[0]
    assert old["corrected_by"] == "ICC-ASP/23/S/2"
    with pytest.raises(Refused, match="already corrected by ICC-ASP/23/S/2"):
        register.issue(db, mongolia, "open_letter", corrects="ICC-ASP/23/S/1")
    with pytest.raises(BadInput, match="same case and kind"):
        register.issue(db, mongolia, "press_release", corrects="ICC-ASP/23/S/2")


def test_a_register_number_needs_the_session(db):
    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=D(2024, 10, 24), referred_to=["assembly"])
    with pytest.raises(BadInput, match="calendar add-session"):
        register.issue(db, case["id"], "open_letter", on=D(2024, 10, 28))
    assert register.list_letters(db) == []


def test_the_bureau_report_tells_what_was_done_and_what_is_outstanding(mongolia, db):
    services.open_case(db, state="Mongolia", scenario="7b", summary="secret visit in March")
    html = register.report(db, 23, "en", on=D(2024, 11, 8)).decode()
    assert "Mongolia" in html and "ICC-01/22-90" in html
    assert "secret visit" not in html  # 7(b) matters are confidential (para 11)
    assert "Recommendations" in html
    fr = register.report(db, 23, "fr", "docx", on=D(2024, 11, 8))
    texts = [p.text for p in Document(io.BytesIO(fr)).paragraphs]
    assert any("Mongolie" in t for t in texts)
    assert any(p.style.name.startswith("Heading") for p in Document(io.BytesIO(fr)).paragraphs)
