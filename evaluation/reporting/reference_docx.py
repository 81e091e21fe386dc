"""Build ``reports/styles/reference.docx``: pandoc's default Word styles with the report look.

Run ``python -m evaluation.reporting.reference_docx`` after changing the styles below; the
result is committed, so rendering never needs this module. Municipal offices edit the reports
in Word, so the reference document sets what an office expects of a document:

* A4 paper, margins of 2 cm (sides) and 2.3 cm (top and bottom);
* a footer with the provenance line (filled in per report by
  :func:`evaluation.reporting.render.render_docx`, which replaces :data:`FOOTER_MARK`) and the
  page number "page / pages" (Word fields, updated by Word and LibreOffice);
* Calibri (every Czech glyph, on every Word installation), 11 pt text, 9 pt tables, headings
  in the report colour;
* captions kept with their table (the table caption above it) or figure (the image above its
  caption), headings kept with the next paragraph;
* a character style "Placeholder" (yellow highlight) for the fields the evaluator fills in;
* contents styles (``toc 1``, ``toc 2``) for the table of contents
  (:func:`evaluation.reporting.word.fill_contents`).

The document language is set by pandoc from the report's ``lang``.

Example
-------
>>> from evaluation.reporting.reference_docx import build_reference_docx  # doctest: +SKIP
>>> build_reference_docx("reports/styles/reference.docx")  # doctest: +SKIP
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

BODY_FONT = "Calibri"
HEADING_COLOUR = "1D3557"
#: Text of the footer that the renderer replaces with the report's provenance line.
FOOTER_MARK = "EVALUATION-PROVENANCE-FOOTER"
#: A4 in twentieths of a point, margins 2 cm at the sides and 2.3 cm at top and bottom.
PAGE = {"w": 11906, "h": 16838}
MARGINS = {"top": 1304, "right": 1134, "bottom": 1304, "left": 1134, "header": 680, "footer": 567, "gutter": 0}
BODY_SIZE = 22  # half-points: 11 pt
TABLE_SIZE = 18  # 9 pt
FOOTER_REL_ID = "rIdEvaluationFooter"

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'

FOOTER_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr {_W} {_R}>
  <w:p>
    <w:pPr>
      <w:pStyle w:val="Footer"/>
      <w:tabs><w:tab w:val="right" w:pos="{PAGE['w'] - MARGINS['left'] - MARGINS['right']}"/></w:tabs>
    </w:pPr>
    <w:r><w:rPr><w:sz w:val="16"/><w:color w:val="6E6E6E"/></w:rPr><w:t xml:space="preserve">{FOOTER_MARK}</w:t></w:r>
    <w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:tab/></w:r>
    <w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r>
    <w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>
    <w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r>
    <w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:t>1</w:t></w:r>
    <w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r>
    <w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:t xml:space="preserve"> / </w:t></w:r>
    <w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r>
    <w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:instrText xml:space="preserve"> NUMPAGES </w:instrText></w:r>
    <w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r>
    <w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:t>1</w:t></w:r>
    <w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r>
  </w:p>
</w:ftr>
"""

#: Styles added to pandoc's: the footer paragraph and the placeholder highlight.
EXTRA_STYLES = """
  <w:style w:type="paragraph" w:styleId="Footer">
    <w:name w:val="footer"/>
    <w:basedOn w:val="Normal"/>
    <w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr>
    <w:rPr><w:sz w:val="16"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:styleId="TOC1">
    <w:name w:val="toc 1"/>
    <w:basedOn w:val="Normal"/>
    <w:next w:val="Normal"/>
    <w:uiPriority w:val="39"/>
    <w:pPr><w:spacing w:before="60" w:after="20"/></w:pPr>
  </w:style>
  <w:style w:type="paragraph" w:styleId="TOC2">
    <w:name w:val="toc 2"/>
    <w:basedOn w:val="Normal"/>
    <w:next w:val="Normal"/>
    <w:uiPriority w:val="39"/>
    <w:pPr><w:spacing w:before="0" w:after="20"/><w:ind w:left="284"/></w:pPr>
  </w:style>
  <w:style w:type="character" w:customStyle="1" w:styleId="Placeholder">
    <w:name w:val="Placeholder"/>
    <w:basedOn w:val="DefaultParagraphFont"/>
    <w:rPr><w:b/><w:highlight w:val="yellow"/></w:rPr>
  </w:style>
"""


def _restyle(styles: str) -> str:
    styles = re.sub(r"<w:rFonts [^>]*/>",
                    f'<w:rFonts w:ascii="{BODY_FONT}" w:hAnsi="{BODY_FONT}" w:eastAsia="{BODY_FONT}" '
                    f'w:cs="{BODY_FONT}" />', styles)
    # heading styles in pandoc's reference carry a theme colour; give them the report colour
    styles = re.sub(r'(<w:style [^>]*w:styleId="(?:Heading\d|Title|Subtitle)".*?<w:color w:val=")[0-9A-Fa-f]{6}',
                    rf"\g<1>{HEADING_COLOUR}", styles, flags=re.DOTALL)
    # body text 11 pt
    styles = re.sub(r'(<w:rPrDefault>.*?<w:sz w:val=")\d+(" />\s*<w:szCs w:val=")\d+',
                    rf"\g<1>{BODY_SIZE}\g<2>{BODY_SIZE}", styles, count=1, flags=re.DOTALL)
    # tables 9 pt (the cell paragraphs' style sets no size, so the table style's applies)
    styles = re.sub(r'(<w:style w:type="table" w:default="1" w:styleId="Table">.*?</w:tblPr>)',
                    rf'\g<1><w:rPr><w:sz w:val="{TABLE_SIZE}"/><w:szCs w:val="{TABLE_SIZE}"/></w:rPr>',
                    styles, count=1, flags=re.DOTALL)
    # the image paragraph stays with its caption below it; captions and headings stay with what follows
    for style in ("ImageCaption",):
        styles = re.sub(rf'(<w:style [^>]*w:styleId="{style}">.*?<w:basedOn w:val="Caption" />)',
                        r"\g<1><w:pPr><w:keepLines /></w:pPr>", styles, count=1, flags=re.DOTALL)
    return styles.replace("</w:styles>", EXTRA_STYLES + "</w:styles>")


def _section(document: str) -> str:
    """A4, margins and the footer in the document's (last) section properties."""
    section = (f'<w:sectPr><w:footerReference w:type="default" r:id="{FOOTER_REL_ID}" '
               f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>'
               f'<w:footnotePr><w:numRestart w:val="eachSect" /></w:footnotePr>'
               f'<w:pgSz w:w="{PAGE["w"]}" w:h="{PAGE["h"]}"/>'
               f'<w:pgMar w:top="{MARGINS["top"]}" w:right="{MARGINS["right"]}" w:bottom="{MARGINS["bottom"]}" '
               f'w:left="{MARGINS["left"]}" w:header="{MARGINS["header"]}" w:footer="{MARGINS["footer"]}" '
               f'w:gutter="{MARGINS["gutter"]}"/></w:sectPr>')
    return re.sub(r"<w:sectPr>.*?</w:sectPr>", section, document, count=1, flags=re.DOTALL)


def build_reference_docx(target: str | Path) -> Path:
    """Write the reference document to ``target`` and return its path."""
    import pypandoc

    target = Path(target)
    with tempfile.TemporaryDirectory() as folder:
        default = Path(folder) / "default.docx"
        subprocess.run([pypandoc.get_pandoc_path(), "-o", str(default), "--print-default-data-file",
                        "reference.docx"], check=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(default) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "word/styles.xml":
                    data = _restyle(data.decode("utf-8")).encode("utf-8")
                elif item.filename == "word/document.xml":
                    data = _section(data.decode("utf-8")).encode("utf-8")
                elif item.filename == "word/_rels/document.xml.rels":
                    data = data.decode("utf-8").replace(
                        "</Relationships>",
                        f'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                        f'footer" Id="{FOOTER_REL_ID}" Target="footer1.xml" /></Relationships>').encode("utf-8")
                elif item.filename == "[Content_Types].xml":
                    data = data.decode("utf-8").replace(
                        "</Types>",
                        '<Override PartName="/word/footer1.xml" ContentType="application/'
                        'vnd.openxmlformats-officedocument.wordprocessingml.footer+xml" /></Types>').encode("utf-8")
                out.writestr(item, data)
            out.writestr("word/footer1.xml", FOOTER_XML)
    return target


if __name__ == "__main__":
    from evaluation.reporting.assemble import reports_dir

    print(build_reference_docx(reports_dir() / "styles" / "reference.docx"))
