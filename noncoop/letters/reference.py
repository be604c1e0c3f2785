"""The reference document every DOCX letter is built on, made here from code (no binary in the
repository): the parts of a WordprocessingML package, with the house style of the PDF
(letters/shared/letter.css) as named paragraph styles, so that a Word user edits a letter with
its styles rather than with direct formatting. Serif (Times New Roman, which LibreOffice shows
as the metric-equal Liberation Serif, the PDF's font), black, the CSS's sizes and spacing, A4
with the @page margins and the page number bottom right. It carries no theme, no thumbnail and
no properties but those `docx.to_docx` gives each letter (title, author, date, language)."""

from __future__ import annotations

import io
import zipfile
from functools import cache
from xml.sax.saxutils import quoteattr

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.wordprocessingml"
FONT = "Times New Roman"
LANG_TAGS = {"en": "en-GB", "fr": "fr-FR"}


def mm(value: float) -> int:
    """Millimetres in twentieths of a point (twips), the unit of Word's lengths."""
    return round(value * 1440 / 25.4)


# The paragraph styles, from letter.css (and draft.css). Each: (style id, name, based on,
# paragraph properties, run properties). Names Word knows as built-in ("heading 1", "Body
# Text", "List Bullet") keep their built-in names so that Word's outline and lists use them.
# CSS line-height 1.4: at least 1.4 x the font size, in twips.
_LINE = 'w:line="{}" w:lineRule="atLeast"'
_BORDER = '<w:{side} w:val="single" w:sz="{size}" w:space="{space}" w:color="000000"/>'


def _borders(*sides: str, size: int = 6, space: int = 4) -> str:
    """Paragraph borders; sizes in eighths of a point (6 = 0.75pt)."""
    order = ("top", "left", "bottom", "right")
    return "<w:pBdr>" + "".join(_BORDER.format(side=s, size=size, space=space)
                                for s in order if s in sides) + "</w:pBdr>"


def _spacing(before: float = 0, after: float = 0, pt: float = 12) -> str:
    return (f'<w:spacing w:before="{mm(before)}" w:after="{mm(after)}" '
            + _LINE.format(round(pt * 1.4 * 20)) + "/>")


STYLES: tuple[tuple[str, str, str | None, str, str], ...] = (
    # The font on Normal too, not only in the defaults: Word shows it as the style's font.
    ("Normal", "Normal", None, _spacing(),
     f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
     '<w:color w:val="000000"/><w:sz w:val="24"/><w:szCs w:val="24"/>'),
    ("BodyText", "Body Text", "Normal", _spacing(after=3) + '<w:jc w:val="both"/>', ""),
    ("Heading1", "heading 1", "Normal",
     '<w:keepNext/>' + _spacing(4, 5, 13) + '<w:jc w:val="center"/><w:outlineLvl w:val="0"/>',
     '<w:b/><w:bCs/><w:sz w:val="26"/><w:szCs w:val="26"/>'),
    ("Heading2", "heading 2", "Normal",
     '<w:keepNext/>' + _spacing(5, 2) + '<w:outlineLvl w:val="1"/>', '<w:b/><w:bCs/>'),
    ("Heading3", "heading 3", "Normal",
     '<w:keepNext/>' + _spacing(4, 2) + '<w:outlineLvl w:val="2"/>', '<w:i/><w:iCs/>'),
    ("ListBullet", "List Bullet", "Normal",
     '<w:numPr><w:numId w:val="1"/></w:numPr>' + _spacing(after=1.5)
     + f'<w:ind w:left="{mm(10)}" w:hanging="{mm(5)}"/><w:jc w:val="both"/>', ""),
    ("ListNumber", "List Number", "Normal",
     '<w:numPr><w:numId w:val="2"/></w:numPr>' + _spacing(after=1.5)
     + f'<w:ind w:left="{mm(10)}" w:hanging="{mm(7)}"/><w:jc w:val="both"/>', ""),
    ("Quote", "Quote", "Normal", _spacing(after=3) + f'<w:ind w:left="{mm(10)}"/>', ""),
    ("DraftBanner", "Draft Banner", "Normal",
     _borders("top", "left", "bottom", "right", size=16) + _spacing(after=6)
     + '<w:jc w:val="center"/>', '<w:b/><w:bCs/><w:spacing w:val="48"/>'),
    ("Letterhead", "Letterhead", "Normal", '<w:jc w:val="center"/>',
     '<w:spacing w:val="5"/><w:sz w:val="26"/><w:szCs w:val="26"/>'),
    # The rule under the letterhead is the office line's lower border.
    ("LetterheadOffice", "Letterhead Office", "Normal",
     _borders("bottom", space=8) + _spacing(1, 6, 11) + '<w:jc w:val="center"/>',
     '<w:sz w:val="22"/><w:szCs w:val="22"/>'),
    ("Confidential", "Confidential", "Normal",
     _borders("top", "bottom", size=8, space=1) + _spacing(after=3) + '<w:jc w:val="center"/>',
     '<w:b/><w:bCs/><w:spacing w:val="48"/>'),
    ("Reference", "Reference", "Normal", _spacing(after=1), ""),
    ("PlaceDate", "Place and Date", "Normal", _spacing(after=4) + '<w:jc w:val="right"/>', ""),
    ("Corrects", "Corrects", "Normal", _spacing(2, 4), '<w:i/><w:iCs/>'),
    ("Recipient", "Recipient", "Normal", "", ""),
    ("Kicker", "Kicker", "Normal", '<w:jc w:val="center"/>', '<w:spacing w:val="36"/>'),
    ("SignatureName", "Signature Name", "Normal",
     '<w:keepNext/><w:keepLines/>' + _spacing(before=12) + f'<w:ind w:left="{mm(80)}"/>',
     '<w:b/><w:bCs/>'),
    ("Signature", "Signature", "Normal", f'<w:ind w:left="{mm(80)}"/>', ""),
    # Paragraphs with the same borders form one group: one rule above the whole footer.
    ("LetterFooter", "Letter Footer", "Normal",
     _borders("top", size=4, space=4) + _spacing(pt=9), '<w:sz w:val="18"/><w:szCs w:val="18"/>'),
    ("PageFooter", "footer", "Normal", _spacing(pt=9) + '<w:jc w:val="right"/>',
     '<w:sz w:val="18"/><w:szCs w:val="18"/>'),
)


def _run_defaults(lang: str) -> str:
    tag = LANG_TAGS[lang]
    return (f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
            f'<w:color w:val="000000"/><w:sz w:val="24"/><w:szCs w:val="24"/>'
            f'<w:lang w:val="{tag}" w:eastAsia="{tag}" w:bidi="{tag}"/>')


def _style(sid: str, name: str, based: str | None, ppr: str, rpr: str, lang: str) -> str:
    tag = LANG_TAGS[lang]
    default = ' w:default="1"' if sid == "Normal" else ""
    return (f'<w:style w:type="paragraph"{default} w:styleId="{sid}"><w:name w:val="{name}"/>'
            + (f'<w:basedOn w:val="{based}"/>' if based else "")
            + '<w:qFormat/>'
            + (f"<w:pPr>{ppr}</w:pPr>" if ppr else "")
            # The language on every style too: a style copied into another document keeps it.
            + f'<w:rPr>{rpr}<w:lang w:val="{tag}" w:eastAsia="{tag}" w:bidi="{tag}"/></w:rPr>'
            + "</w:style>")


def styles_xml(lang: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles xmlns:w="{W}">'
            f"<w:docDefaults><w:rPrDefault><w:rPr>{_run_defaults(lang)}</w:rPr></w:rPrDefault>"
            "<w:pPrDefault><w:pPr><w:spacing w:after=\"0\"/></w:pPr></w:pPrDefault></w:docDefaults>"
            + "".join(_style(*s, lang) for s in STYLES)
            + '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
            '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
            "<w:unhideWhenUsed/></w:style>"
            '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
            "<w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/></w:style>"
            "</w:styles>")


def _level(fmt: str, text: str, left: float, hanging: float) -> str:
    return (f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val={quoteattr(text)}/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{mm(left)}" w:hanging="{mm(hanging)}"/></w:pPr></w:lvl>')


# abstractNum 0: bullets (num 1); abstractNum 1: 1. 2. 3. (num 2; each list of the letter
# gets its own num restarting at 1, docx.to_docx).
NUMBERING = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:numbering xmlns:w="{W}">'
             '<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="singleLevel"/>'
             + _level("bullet", "•", 10, 5) + "</w:abstractNum>"
             '<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="singleLevel"/>'
             + _level("decimal", "%1.", 10, 7) + "</w:abstractNum>"
             '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
             '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num></w:numbering>')


def settings_xml(lang: str) -> str:
    # doNotExpandShiftReturn: a line ended by a manual break is not stretched in a justified
    # paragraph (Word and LibreOffice both read it); docx.py also sets such paragraphs left.
    decimal, separator = (",", ";") if lang == "fr" else (".", ",")
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:settings xmlns:w="{W}">'
            '<w:defaultTabStop w:val="709"/>'
            '<w:characterSpacingControl w:val="doNotCompress"/>'
            "<w:compat><w:doNotExpandShiftReturn/>"
            '<w:compatSetting w:name="compatibilityMode" '
            'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
            f'<w:themeFontLang w:val="{LANG_TAGS[lang]}"/>'
            f'<w:decimalSymbol w:val="{decimal}"/><w:listSeparator w:val="{separator}"/>'
            "</w:settings>")


# The page: A4, margins of @page (25 25 28 25 mm), the page number "1 / 2" bottom right.
DOCUMENT = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>'
            f'<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter"/>'
            f'<w:pgSz w:w="{mm(210)}" w:h="{mm(297)}"/>'
            f'<w:pgMar w:top="{mm(25)}" w:right="{mm(25)}" w:bottom="{mm(28)}" w:left="{mm(25)}" '
            f'w:header="{mm(12)}" w:footer="{mm(12)}" w:gutter="0"/></w:sectPr></w:body></w:document>')


def _field(code: str, shown: str) -> str:
    return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
            f' {code} </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r><w:t>{shown}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')


FOOTER = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr xmlns:w="{W}">'
          '<w:p><w:pPr><w:pStyle w:val="PageFooter"/></w:pPr>' + _field("PAGE", "1")
          + '<w:r><w:t xml:space="preserve"> / </w:t></w:r>' + _field("NUMPAGES", "1")
          + "</w:p></w:ftr>")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{CT}.document.main+xml"/>'
    f'<Override PartName="/word/styles.xml" ContentType="{CT}.styles+xml"/>'
    f'<Override PartName="/word/settings.xml" ContentType="{CT}.settings+xml"/>'
    f'<Override PartName="/word/numbering.xml" ContentType="{CT}.numbering+xml"/>'
    f'<Override PartName="/word/footer1.xml" ContentType="{CT}.footer+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>')

PACKAGE_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
    'metadata/core-properties" Target="docProps/core.xml"/></Relationships>')

DOCUMENT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rIdStyles" Type="{REL}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rIdSettings" Type="{REL}/settings" Target="settings.xml"/>'
    f'<Relationship Id="rIdNumbering" Type="{REL}/numbering" Target="numbering.xml"/>'
    f'<Relationship Id="rIdFooter" Type="{REL}/footer" Target="footer1.xml"/></Relationships>')

# Empty: to_docx fills in the letter's own properties.
CORE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>')


@cache
def reference_docx(lang: str) -> bytes:
    """The reference document of a language (styles and proofing language), as DOCX bytes."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "docProps/core.xml": CORE,
        "word/document.xml": DOCUMENT,
        "word/_rels/document.xml.rels": DOCUMENT_RELS,
        "word/styles.xml": styles_xml(lang),
        "word/settings.xml": settings_xml(lang),
        "word/numbering.xml": NUMBERING,
        "word/footer1.xml": FOOTER,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            # A fixed date in the archive: the same letter gives the same reference bytes.
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), text.encode("utf-8"),
                       zipfile.ZIP_DEFLATED)
    return out.getvalue()
