"""Rendering the reports from a small results folder built with the store.

The folder holds tables with counts below 5 (hidden as "<5", with complements "x"), a
matplotlib figure per strand, key figures and Czech texts with every kind of diacritic.
Hidden values are chosen so that they cannot appear by chance (the complement 2207).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile

import pandas as pd
import pytest

from evaluation.errors import ConfigError, RenderError
from evaluation.reporting import render_reports
from evaluation.reporting.store import ResultsStore

pypdf = pytest.importorskip("pypdf")

PANGRAM_CS = "Příliš žluťoučký kůň úpěl ďábelské ódy"
DATE = dt.date(2026, 11, 23)
HIDDEN = re.compile(r"2[\s\u00a0\u202f]?207")


def _curve() -> pd.DataFrame:
    return pd.DataFrame({"group": ["all"] * 3, "time": [6.0, 12.0, 20.0], "estimate": [0.95, 0.87, 0.8],
                         "conf_low": [0.9, 0.8, 0.7], "conf_high": [0.98, 0.92, 0.88]})


def build_results(root):
    """An internal results folder written by the store, published; returns the published folder."""
    from evaluation.reporting.publication import publish_results

    internal = root / "internal"
    process = ResultsStore(internal, strand="process")
    process.add_table(
        "applications",
        pd.DataFrame({"district": ["Praha 3", "Praha 7", "Praha 10", "Celkem"],
                      "approved": [2, 1311, 2207, 3520], "rejected": [27, 34, 3, 64],
                      "pending": [0, 12, 9, 21], "total": [29, 1357, 2219, 3605]}),
        title_cs="Žádosti podle městské části a výsledku", title_en="Applications by district and outcome",
        count_columns=["approved", "rejected", "pending", "total"],
        column_labels={"approved": ("Schváleno", "Approved"), "rejected": ("Zamítnuto", "Rejected"),
                       "pending": ("Nerozhodnuto", "Pending"), "total": ("Celkem", "Total")})
    process.add_table(
        "reach", pd.DataFrame({"step": ["crisis", "social", "affordable"], "households": [3, 48, 50],
                               "mean_support_hours": [40.5, 31.25, 12.0]}),
        title_cs="Dosah a intenzita podpory", title_en="Reach and support dose", n_column="households",
        notes=[("Vyřazeny 2 domácnosti bez data nastěhování.", "2 households without a move-in date excluded.")])
    process.add_table("occupancy_monthly", pd.DataFrame({
        "step": ["social"] * 3, "month": ["2020-01-01", "2020-02-01", "2020-03-01"],
        "occupancy_rate": [0.5, 0.75, 0.9]}), title_cs="Obsazenost po měsících", title_en="Occupancy by month",
        placement="folder")
    process.add_figure("occupancy", table="occupancy_monthly", plotter="evaluation.process.reach:draw_occupancy",
                       caption_cs="Obsazenost bytů – měsíčně", caption_en="Occupancy by month")
    process.add_text("headline", f"{PANGRAM_CS}: pilot dosáhl plánovaného počtu domácností.",
                     "The pilot reached the planned number of households.")
    process.write_meta(data_fingerprint="0123456789abcdef" * 4, parameters={"municipality": "all"},
                       date="2026-11-20", study_period=["2019-01-01", "2023-12-31"])

    retention = ResultsStore(internal, strand="retention")
    retention.add_table("km_curve", _curve(), title_cs="Křivka", title_en="Curve", placement="folder")
    retention.add_figure("km", table="km_curve", plotter="evaluation.retention._plotting:draw_survival",
                         caption_cs="Podíl domácností, které stále bydlí",
                         caption_en="Share of households still housed")
    retention.add_table("headline_figures", pd.DataFrame({
        "term": ["S(12)", "cost per sustained tenancy", "evicted"], "estimate": [0.873, 123456.7, None],
        "conf_low": [0.79, None, None], "conf_high": [0.93, None, None], "households": [101, 101, 3]}),
        title_cs="Hlavní údaje", title_en="Headline figures", count_columns=["households"], placement="folder")
    retention.add_key_figure("housed_12m", table="headline_figures", row={"term": "S(12)"}, column="estimate",
                             ci_columns=("conf_low", "conf_high"), n_column="households", decimals=1,
                             label_cs="Domácnosti v bydlení po 12 měsících",
                             label_en="Households housed at 12 months", unit="%")
    retention.add_key_figure("cost", table="headline_figures", row={"term": "cost per sustained tenancy"},
                             column="estimate", n_column="households", label_cs="Náklady na udržené bydlení",
                             label_en="Cost per sustained tenancy", unit="CZK", decimals=0)
    retention.add_key_figure("evicted", table="headline_figures", row={"term": "evicted"}, column="households",
                             label_cs="Vystěhované domácnosti", label_en="Evicted households", is_count=True)
    retention.add_text("finding_exits", "Čtyři z pěti odchodů byly posunem výš po schodech bydlení.",
                       "Four in five exits were moves up the staircase.")
    retention.write_meta(data_fingerprint="0123456789abcdef" * 4, date="2026-11-20")

    impact = ResultsStore(internal, strand="impact")
    impact.add_table("balance", pd.DataFrame({"term": ["household_size", "children"],
                                              "estimate": [0.03, -0.08]}),
                     title_cs="Vyváženost skupin", title_en="Covariate balance")
    impact.add_table("did", pd.DataFrame({"term": ["ATT"], "estimate": [-1520.5], "std_error": [410.2],
                                          "conf_low": [-2324.5], "conf_high": [-716.5], "p_value": [0.0002]}),
                     title_cs="Dopad na dluh na nájemném (Kč)", title_en="Effect on rent arrears (CZK)")
    impact.add_text("diagnostics", "Test předtrendů nezamítl paralelní trendy (p = 0,41).",
                    "The pre-trend test did not reject parallel trends (p = 0.41).")
    impact.write_meta(data_fingerprint="0123456789abcdef" * 4, date="2026-11-20")

    ostrava = ResultsStore(internal, strand="process", scope="Ostrava")
    ostrava.add_table("supported", pd.DataFrame({"step": ["crisis"], "households": [30]}),
                      title_cs="Podpořené domácnosti", title_en="Households supported", count_columns=["households"],
                      placement="folder")
    ostrava.add_key_figure("households", table="supported", column="households", label_cs="Podpořené domácnosti",
                           label_en="Households supported", is_count=True)
    ostrava.add_text("headline", "V Ostravě bydlí {households} domácností v krizových bytech.",
                     "In Ostrava {households} households live in crisis flats.")
    ostrava.write_meta(date="2026-11-20")
    publish_results(internal, root / "published")
    return root / "published"


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory):
    return build_results(tmp_path_factory.mktemp("results"))


@pytest.fixture(scope="module")
def czech(results_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("out_cs")
    paths = render_reports(results_dir, out, lang="cs", reports=("brief", "technical", "municipality"),
                           engine="pandoc", date=DATE)
    return {p.name: p for p in paths}


@pytest.fixture(scope="module")
def english(results_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("out_en")
    paths = render_reports(results_dir, out, lang="en", formats=("html", "pdf", "docx"), engine="pandoc",
                           date=DATE)
    return {p.name: p for p in paths}


def _docx_text(path) -> str:
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return re.sub(r"<[^>]+>", "", xml.replace("</w:p>", "\n"))


def _docx_media(path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [n for n in z.namelist() if n.startswith("word/media/")]


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def _pdf_images(path) -> int:
    count = 0
    for page in pypdf.PdfReader(path).pages:
        count += len(page.images)
    return count


def test_all_reports_and_formats_are_written(czech):
    expected = {f"{kind}_cs.{ext}" for kind in ("brief", "technical", "municipality_ostrava")
                for ext in ("html", "pdf", "docx")}
    assert set(czech) == expected
    assert all(p.stat().st_size > 1000 for p in czech.values())


def test_czech_text_with_diacritics_in_every_format(czech):
    html = czech["technical_cs.html"].read_text(encoding="utf-8")
    docx = _docx_text(czech["technical_cs.docx"])
    pdf = _pdf_text(czech["technical_cs.pdf"])
    for text in (html, docx, pdf):
        flat = " ".join(text.split())
        assert PANGRAM_CS in flat
        assert "Hodnocení pilotních projektů" in flat
        assert "Omezení" in flat and "Předpoklady" in flat
        assert "Žádosti podle městské části" in flat


def test_czech_number_and_date_formats(czech):
    html = czech["brief_cs.html"].read_text(encoding="utf-8")
    assert "87,3\u00a0%" in html or "87,3&nbsp;%" in html
    assert "123\u00a0457\u00a0Kč" in html or "123&nbsp;457&nbsp;Kč" in html
    assert "23.\u00a011.\u00a02026" in html or "23.&nbsp;11.&nbsp;2026" in html
    pdf = _pdf_text(czech["brief_cs.pdf"])
    assert re.search(r"87,3\s%", pdf) and re.search(r"23\.\s11\.\s2026", pdf)


def test_figures_are_present(czech):
    html = czech["technical_cs.html"].read_text(encoding="utf-8")
    # the two stored figures and the logic model of the pilot plan
    images = re.findall(r"<img [^>]*src=\"([^\"]{0,40})", html)
    assert len(images) == 3 and all(src.startswith("data:image/") for src in images)
    assert len(_docx_media(czech["technical_cs.docx"])) == 3
    assert _pdf_images(czech["technical_cs.pdf"]) == 3
    assert _pdf_images(czech["brief_cs.pdf"]) >= 1


def test_html_is_self_contained(czech):
    html = czech["brief_cs.html"].read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img)[^>]*(src|href)=\"https?:", html)
    assert '<html xmlns="http://www.w3.org/1999/xhtml" lang="cs"' in html or 'lang="cs"' in html


def test_no_hidden_value_and_no_identifier_anywhere(czech, english):
    for path in [*czech.values(), *english.values()]:
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
        elif path.suffix == ".docx":
            text = _docx_text(path)
        else:
            text = _pdf_text(path)
        assert not HIDDEN.search(text), f"hidden value visible in {path.name}"
        assert "household_id" not in text
    # the hidden cells show their symbols in the table row
    html = czech["technical_cs.html"].read_text(encoding="utf-8")
    row = re.search(r"<tr[^>]*>\s*<td[^>]*>Praha 3</td>(.*?)</tr>", html, re.DOTALL).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells == ["&lt;5", "x", "0", "29"]
    pdf = " ".join(_pdf_text(czech["technical_cs.pdf"]).split())
    assert "Praha 3 <5 x 0 29" in pdf
    docx = " ".join(_docx_text(czech["technical_cs.docx"]).split())
    assert "Praha 3 &lt;5 x 0 29" in docx or "Praha 3 <5 x 0 29" in docx


def test_small_key_figure_is_withheld(czech):
    html = " ".join(czech["brief_cs.html"].read_text(encoding="utf-8").split())
    assert "Vystěhované domácnosti" in html
    assert "neuvádí se (méně než 5 domácností)" in html


def test_missing_strands_are_named_in_one_line(czech):
    html = " ".join(czech["brief_cs.html"].read_text(encoding="utf-8").split())
    for strand in ("Data a tok účastníků", "Ekonomické hodnocení", "Bytová nouze"):
        assert f"Výsledky části „{strand}“ nejsou ve složce výsledků k dispozici." in html
    assert "Výsledky části „Udržení bydlení“" not in html


def test_provenance_and_disclosure_notice_on_every_report(czech):
    for name in ("brief_cs", "technical_cs", "municipality_ostrava_cs"):
        pdf = " ".join(_pdf_text(czech[f"{name}.pdf"]).split())
        assert "0.1" in pdf and "Verze nástroje evaluation" in pdf
        assert "Počty menší než 5 jsou nahrazeny znakem „<5“" in pdf
    technical = " ".join(_pdf_text(czech["technical_cs.pdf"]).split())
    assert "0123456789abcdef" in technical
    # parameters as a two-column table with Czech labels, not Python reprs
    assert "Parametry výpočtu Obec all" in technical and "municipality =" not in technical


def test_technical_report_sections(czech):
    pdf = " ".join(_pdf_text(czech["technical_cs.pdf"]).split())
    assert "Test předtrendů nezamítl paralelní trendy" in pdf  # diagnostics text
    assert "Vyváženost skupin" in pdf  # balance table goes to diagnostics
    assert "Vyřazeny <5 domácnosti bez data nastěhování." in pdf  # table note, its small count masked
    assert "<0,001" in pdf  # p-value formatting


def test_policy_brief_fits_four_pages(czech, english):
    assert len(pypdf.PdfReader(czech["brief_cs.pdf"]).pages) <= 4
    assert len(pypdf.PdfReader(english["brief_en.pdf"]).pages) <= 4


def test_municipality_brief(czech):
    pdf = " ".join(_pdf_text(czech["municipality_ostrava_cs.pdf"]).split())
    assert "Sociální bydlení: Ostrava" in pdf
    assert "V Ostravě bydlí 30 domácností" in pdf


def test_english_rendering(english):
    html = " ".join(english["brief_en.html"].read_text(encoding="utf-8").split())
    assert "Key findings" in html and "87.3%" in html and "23 November 2026" in html
    assert "Results of the “Economic evaluation” strand are not available" in html
    pdf = " ".join(_pdf_text(english["technical_en.pdf"]).split())
    assert "Limitations" in pdf and "Applications by district and outcome" in pdf
    # table cells of 1,000 and more are shown without decimals (CZK amounts, counts)
    assert "Effect on rent arrears" in pdf and ("−1,520" in pdf or "-1,520" in pdf)
    assert "Limitations" in _docx_text(english["technical_en.docx"])


def test_empty_results_folder_renders_an_outline(tmp_path):
    (tmp_path / "results").mkdir()
    paths = render_reports(tmp_path / "results", tmp_path / "out", formats=("html",), engine="pandoc")
    html = paths[0].read_text(encoding="utf-8")
    assert "Složka výsledků zatím neobsahuje žádné výsledky" in html


def test_tampered_results_folder_is_refused(results_dir, tmp_path):
    copy = tmp_path / "results"
    shutil.copytree(results_dir, copy)
    csv = copy / "all" / "process" / "tables" / "applications.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("<5", "2", 1), encoding="utf-8")
    with pytest.raises(RenderError, match="small count 2"):
        render_reports(copy, tmp_path / "out", formats=("html",), engine="pandoc")
    with pytest.raises(RenderError, match="threshold"):
        render_reports(results_dir, tmp_path / "out", formats=("html",), engine="pandoc", threshold=10)


def test_bad_arguments(results_dir, tmp_path):
    with pytest.raises(ConfigError, match="language"):
        render_reports(results_dir, tmp_path, lang="de")
    with pytest.raises(ConfigError, match="formats"):
        render_reports(results_dir, tmp_path, formats=("odt",))
    with pytest.raises(ConfigError, match="reports"):
        render_reports(results_dir, tmp_path, reports=("summary",))


@pytest.mark.quarto
@pytest.mark.skipif(shutil.which("quarto") is None, reason="the Quarto CLI is not on PATH")
def test_quarto_path_renders(results_dir, tmp_path):
    paths = render_reports(results_dir, tmp_path, lang="cs", formats=("html", "docx", "pdf"),
                           reports=("brief",), engine="quarto")
    assert {p.suffix for p in paths} == {".html", ".docx", ".pdf"}
    assert PANGRAM_CS in " ".join(paths[0].read_text(encoding="utf-8").split())


def test_a_lower_threshold_at_render_time_keeps_the_stored_one(results_dir, tmp_path):
    paths = render_reports(results_dir, tmp_path, formats=("html",), reports=("brief",), engine="pandoc",
                           threshold=3)
    html = " ".join(paths[0].read_text(encoding="utf-8").split())
    assert "Počty menší než 5 jsou nahrazeny" in html
