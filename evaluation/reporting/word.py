"""Finishing the DOCX that pandoc writes: the footer's provenance line and a filled contents list.

* The reference document's footer holds a marker
  (:data:`evaluation.reporting.reference_docx.FOOTER_MARK`) that becomes the report's
  provenance line (tool version, data fingerprint, date), beside the page number.
* pandoc writes the table of contents as an empty Word field that Word fills when the
  document is opened. Until then (and in viewers that never update fields) the contents
  would be blank, so the field's result is filled here with the numbered headings of levels
  1 and 2, each a link to its heading; Word replaces it with page numbers on update.

Example
-------
>>> finish_docx("technical_cs.docx", "evaluation 0.1.0 · data 6681a049beed · 4. 12. 2026")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

_HEADING = re.compile(r'<w:bookmarkStart [^>]*w:name="([^"]+)"[^>]*/>\s*<w:p>\s*<w:pPr>\s*'
                      r'<w:pStyle w:val="Heading([12])"\s*/>.*?</w:p>', re.DOTALL)
_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>|<w:tab\s*/>")
_TOC_FIELD = re.compile(r'(<w:instrText[^>]*>TOC [^<]*</w:instrText>)(<w:fldChar w:fldCharType="separate"\s*/>)'
                        r'(<w:fldChar w:fldCharType="end"\s*/>)(</w:r></w:p>)')
#: Right tab of the contents lines (text width of the reference document's A4 page, in twips).
TAB_POSITION = 9638


def _heading_entries(document: str) -> list[tuple[int, str, str]]:
    """(level, anchor, text) of the headings of levels 1 and 2."""
    entries = []
    for match in _HEADING.finditer(document):
        parts = [" " if m.group(1) is None else m.group(1) for m in _TEXT.finditer(match.group(0))]
        text = re.sub(r"\s+", " ", "".join(parts)).strip()
        if text:
            entries.append((int(match.group(2)), match.group(1), text))
    return entries


def _entry(level: int, anchor: str, text: str) -> str:
    return (f'<w:p><w:pPr><w:pStyle w:val="TOC{level}"/><w:tabs><w:tab w:val="right" w:leader="dot" '
            f'w:pos="{TAB_POSITION}"/></w:tabs></w:pPr><w:hyperlink w:anchor="{escape(anchor)}" w:history="1">'
            f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:hyperlink></w:p>')


def fill_contents(document: str) -> str:
    """Put the headings into the result of the contents field (the field stays for Word to update)."""
    match = _TOC_FIELD.search(document)
    entries = _heading_entries(document)
    if match is None or not entries:
        return document
    lines = "".join(_entry(*e) for e in entries)
    # the field: begin ... separate | entries (paragraphs) | end in a paragraph of its own
    replacement = (match.group(1) + match.group(2) + "</w:r></w:p>" + lines
                   + "<w:p><w:r>" + match.group(3) + match.group(4))
    return document[:match.start()] + replacement + document[match.end():]


def finish_docx(target: str | os.PathLike[str], footer: str) -> None:
    """Fill the footer's provenance line and the contents list of the DOCX ``target`` in place."""
    from evaluation.reporting.reference_docx import FOOTER_MARK

    target = Path(target)
    if not zipfile.is_zipfile(target):
        return
    with zipfile.ZipFile(target) as source:
        items = [(item, source.read(item.filename)) for item in source.infolist()]
    temporary = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as out:
        for item, data in items:
            if item.filename.startswith("word/footer"):
                data = data.replace(FOOTER_MARK.encode(), escape(footer).encode("utf-8"))
            elif item.filename == "word/document.xml":
                data = fill_contents(data.decode("utf-8")).encode("utf-8")
            out.writestr(item, data)
    os.replace(temporary, target)
