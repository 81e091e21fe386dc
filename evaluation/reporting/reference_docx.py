"""Build ``reports/styles/reference.docx``: pandoc's default Word styles with the report look.

Run ``python -m evaluation.reporting.reference_docx`` after changing the styles below; the
result is committed, so rendering never needs this module. Only the fonts and heading
colour change (Calibri has every Czech glyph and is on every Word installation); the
document language is set by pandoc from the report's ``lang``.

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


def _restyle(styles: str) -> str:
    styles = re.sub(r"<w:rFonts [^>]*/>",
                    f'<w:rFonts w:ascii="{BODY_FONT}" w:hAnsi="{BODY_FONT}" w:eastAsia="{BODY_FONT}" '
                    f'w:cs="{BODY_FONT}" />', styles)
    # heading styles in pandoc's reference carry a theme colour; give them the report colour
    return re.sub(r'(<w:style [^>]*w:styleId="(?:Heading\d|Title|Subtitle)".*?<w:color w:val=")[0-9A-Fa-f]{6}',
                  rf"\g<1>{HEADING_COLOUR}", styles, flags=re.DOTALL)


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
                out.writestr(item, data)
    return target


if __name__ == "__main__":
    from evaluation.reporting.assemble import reports_dir

    print(build_reference_docx(reports_dir() / "styles" / "reference.docx"))
