"""The contact-point dashboard (evaluation.reporting.dashboard): built from a published run only,
every number it carries is a published one, hidden cells stay hidden, nothing is loaded from a
network, and the run and the CLI write it. The page in a real browser: test_dashboard_browser.py.

The run: tests/reporting/dashboard_run.py (synthetic applications at six contact points in three
regions, published by the real publication step)."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest

from evaluation.errors import DisclosureError, EvaluationError
from evaluation.reporting.dashboard import dashboard_html, dashboard_payload, write_run_dashboard
from evaluation.reporting.dashboard.page import UI
from evaluation.reporting.dashboard.payload import PANELS
from tests.reporting.dashboard_numbers import HIDDEN, numbers_in, published_numbers, unexplained
from tests.reporting.dashboard_run import build_published_run


@pytest.fixture(scope="session")
def run(tmp_path_factory, request):
    # one build per test session: xdist workers share their session's folder, a plain run has its own
    base = tmp_path_factory.getbasetemp()
    return build_published_run(base.parent if hasattr(request.config, "workerinput") else base)


@pytest.fixture(scope="session")
def published(run):
    return run / "published" / "results"


@pytest.fixture(scope="session")
def page(published, run):
    return dashboard_html(published, directory=run / "directory.csv")


def embedded(html: str, element: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{element}">(.*?)</script>', html, flags=re.DOTALL)
    return json.loads(found.group(1))


def test_every_cell_is_the_published_cell(page, published):
    """Cell by cell against the published CSVs: the same rows and columns, the number of every
    visible cell, no number behind a hidden one (its text is the symbol the reports print)."""
    payload = embedded(page, "dashboard-data")
    compared = hidden = 0
    for scope in payload["scopes"]:
        for panel in PANELS:
            table = scope["tables"].get(panel.table)
            csv = published / scope["id"] / panel.strand / "tables" / f"{panel.table}.csv"
            if table is None:
                assert not csv.is_file(), f"{csv} is published but not on the dashboard"
                continue
            frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
            assert [c["id"] for c in table["columns"]] == list(frame.columns)
            assert len(table["rows"]) == len(frame)
            for row, (_, expected) in zip(table["rows"], frame.iterrows()):
                for cell, column in zip(row["c"], frame.columns):
                    text = expected[column].strip()
                    if HIDDEN.match(text):
                        hidden += 1
                        assert cell == [None, text, text], (panel.table, column, cell)
                    elif cell[0] is not None:
                        compared += 1
                        assert cell[0] == pytest.approx(float(text), abs=0, rel=1e-12), (panel.table, column)
    # the run has small contact points, so both kinds of hidden cell are exercised
    assert compared > 300 and hidden > 20


def test_every_number_on_the_page_is_a_published_number(page, published):
    """Every number anywhere in the page's data (cells, titles, labels, notes) and text is a
    number of the published CSVs (as the reports round it) or of the published metadata; the
    only others are the page's own words (90 days, 95 %), the date, threshold and version."""
    # the reports print a p-value below 0.001 as "<0.001" (evaluation.reporting.formatting.format_p_value)
    allowed = published_numbers(published) | {0.001}
    payload = embedded(page, "dashboard-data")
    for lang, index in (("cs", 1), ("en", 2)):
        texts = [cell[index] for scope in payload["scopes"] for table in scope["tables"].values()
                 for row in table["rows"] for cell in row["c"]]
        texts += [t for scope in payload["scopes"] for table in scope["tables"].values()
                  for t in [table["title"][index - 1], *table["notes"][lang],
                            *(c["label"][index - 1] for c in table["columns"])]]
        assert unexplained(texts, allowed, lang) == []
        # the numbers of the cells, not only their texts
        assert all(round(v, 6) in allowed for v in _values(payload))
    words = {round(n, 6) for lang in UI for text in UI[lang].values() for n in numbers_in(text, lang)}
    meta = {round(n, 6) for n in numbers_in(" ".join([payload["results_date"], payload["built"], payload["version"],
                                                        str(payload["threshold"])]).replace(".", " "), "en")}
    rest = re.sub(r"<script.*?</script>|<style>.*?</style>", "", page, flags=re.DOTALL)
    rest = re.sub(r"<[^>]+>", " ", rest)
    for lang in ("cs", "en"):
        assert [n for n in numbers_in(rest, lang) if round(n, 6) not in allowed | words | meta] == []


def _values(payload):
    return [cell[0] for scope in payload["scopes"] for table in scope["tables"].values()
            for row in table["rows"] for cell in row["c"] if cell[0] is not None]


def test_no_household_rows_and_no_identifiers(page, run):
    """Only the published tables' rows: no application or applicant identifier, no column of a
    household-level table."""
    applications = pd.read_parquet(run / "data" / "applications.parquet")
    payload = embedded(page, "dashboard-data")
    rows = sum(len(t["rows"]) for s in payload["scopes"] for t in s["tables"].values())
    assert rows < len(applications) / 10
    for identifier in (*applications["application_id"].head(200), *applications["applicant_id"].head(200)):
        assert identifier not in page
    columns = {c["id"] for s in payload["scopes"] for t in s["tables"].values() for c in t["columns"]}
    assert not columns & {"application_id", "applicant_id", "household_id", "submitted_date", "decided_date"}


def test_self_contained(page):
    """One file: no script, style, font or image from elsewhere, so it works offline."""
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page, flags=re.IGNORECASE)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:|//)", page, flags=re.IGNORECASE)
    assert "<script src" not in page and "<link" not in page
    assert page.count("<script>") == 1 and "function render()" in page


def test_places_join_contact_points_with_districts_and_regions(published, run):
    """With the directory, a contact point and its district are one place with its region; without
    it a contact point named like its district joins it, and there are no regions."""
    with_directory = dashboard_payload(published, directory=run / "directory.csv")
    places = {p["name"]: p for p in with_directory["places"]}
    assert set(places) == {"KMB MHMP", "KMB Praha 3", "KMB Praha 7", "KMB Praha 10", "KMB Brno-střed",
                           "KMB Kraslice"}
    assert places["KMB MHMP"]["keys"] == ["KMB MHMP", "Praha"]
    assert places["KMB Kraslice"]["region"] == "Karlovarský kraj"
    assert with_directory["regions"] == ["Hlavní město Praha", "Jihomoravský kraj", "Karlovarský kraj"]
    plain = dashboard_payload(published)
    names = {p["name"]: p["keys"] for p in plain["places"]}
    assert names["KMB Praha 7"] == ["KMB Praha 7", "Praha 7"]
    assert names["KMB MHMP"] == ["KMB MHMP"] and names["Praha"] == ["Praha"]  # nothing says they are one
    assert plain["regions"] == []


def test_a_directory_without_its_columns_is_named(published, tmp_path):
    from evaluation.reporting.dashboard.payload import read_directory

    bad = tmp_path / "kontaktni_mista.csv"
    bad.write_text("nazev;kraj\nKMB Praha 7;Praha\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match="contact_point, district, region"):
        dashboard_html(published, directory=bad)
    with pytest.raises(EvaluationError, match="does not exist"):
        dashboard_html(published, directory=tmp_path / "missing.csv")
    one_column = tmp_path / "points.csv"
    one_column.write_text("\ufeffcontact_point\nKMB Praha 7\n", encoding="utf-8")
    assert read_directory(one_column) == [{"contact_point": "KMB Praha 7", "district": "", "region": ""}]


def test_internal_results_are_refused(run, tmp_path):
    with pytest.raises(DisclosureError, match="internal results"):
        dashboard_html(run / "internal" / "results")


def test_results_without_contact_points_write_no_dashboard(published, tmp_path):
    copy = tmp_path / "results"
    shutil.copytree(published, copy)
    for table in copy.glob("*/process/tables/*"):
        table.unlink()
    out = tmp_path / "reports" / "dashboard.html"
    assert write_run_dashboard(copy, out) is None and not out.exists()
    with pytest.raises(EvaluationError, match="no contact-point tables"):
        dashboard_html(copy)
    with pytest.raises(EvaluationError, match="language"):
        dashboard_html(published, lang="de")


def test_cli_writes_the_dashboard(published, run, tmp_path, capsys):
    from evaluation.cli import main

    out = tmp_path / "shared drive" / "přehled.html"
    assert main(["dashboard", str(published), "--out", str(out), "--lang", "en",
                 "--directory", str(run / "directory.csv")]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    html = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and embedded(html, "dashboard-data")["lang"] == "en"
    assert main(["dashboard", str(run / "internal" / "results"), "--out", str(tmp_path / "x.html")]) != 0
    assert not (tmp_path / "x.html").exists()


def test_run_option_defaults_on(tmp_path):
    from evaluation.runner.config import parse_config
    from evaluation.runner.plan import Layout

    (tmp_path / "data").mkdir()
    base = {"data": str(tmp_path / "data"), "output": str(tmp_path / "out")}
    assert parse_config(base).dashboard is True
    assert parse_config({**base, "dashboard": False}).dashboard is False
    assert Layout(tmp_path).dashboard == tmp_path / "published" / "reports" / "dashboard.html"


# --------------------------------------------------------------------------- in a real browser

@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, installed with apt-get when missing (skips with the reason when it cannot be)."""
    from tests.reporting.browser import find_chromium

    path, reason = find_chromium()
    if path is None:
        pytest.skip(f"no headless browser for the dashboard page test: {reason}")
    return path


#: Text nodes of the dashboard that show numbers: everything but chart axes (scale marks), the
#: selection line and tile notes (how many places a sum covers).
_TEXTS = """(() => {
  const skip = (n) => n.parentElement.closest('.axis, .tile-note, #selection');
  const walker = document.createTreeWalker(document.getElementById('dashboard'), NodeFilter.SHOW_TEXT);
  const out = [];
  while (walker.nextNode()) if (walker.currentNode.nodeValue.trim() && !skip(walker.currentNode)) out.push(walker.currentNode.nodeValue);
  return out;
})()"""


def _choose(page, select, value):
    state = page.evaluate(f"""(() => {{ const s = document.getElementById({json.dumps(select)});
        s.value = {json.dumps(value)}; s.dispatchEvent(new Event('change')); return document.body.dataset.rendered; }})()""")
    return state


def _tile(page, name):
    return page.evaluate(f"document.querySelector('[data-tile=\"{name}\"] .tile-value').textContent")


def _published_cell(published, table, key_column, key, column, lang="cs"):
    from evaluation.reporting.assemble import cell_text

    frame = pd.read_csv(next(published.glob(f"all/*/tables/{table}.csv")), dtype=str, keep_default_na=False)
    return cell_text(frame.loc[frame[key_column] == key, column].iloc[0], column, lang,
                     percent=column in ("share_lost", "conf_low", "conf_high"), result=table)


def _picture(png):
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 24)
    background = max(colours)[0] / (image.width * image.height)
    accent = sum(count for count, rgb in colours if rgb == (31, 95, 139))  # #1f5f8b: bars, lines, tiles
    return image.size, len(colours), background, accent


def test_dashboard_in_a_real_browser(chromium, published, run, tmp_path):
    """The page in headless Chromium from a file: it draws every panel without a script error or a
    single network request; choosing a region and a contact point through the DOM shows exactly
    that place's published cells (hidden ones as their symbols); English on the switch; and the
    screenshots are the expected size and not blank (looked at by eye when the test was written:
    tiles, the quarterly lines, the bars of outcomes, processing time and lost applications)."""
    from evaluation.reporting.dashboard import write_dashboard
    from tests.reporting.browser import Browser, png_size

    out = write_dashboard(published, tmp_path / "sdílená složka" / "dashboard.html", directory=run / "directory.csv")
    allowed = published_numbers(published) | {0.001}
    for csv in published.glob("*/*/tables/*.csv"):  # place names carry numbers (Praha 10)
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        allowed |= {round(n, 6) for v in frame.to_numpy().ravel() for n in numbers_in(str(v), "cs")}
    with Browser(chromium) as browser:
        page = browser.open(out.as_uri())
        page.wait_for("document.body.dataset.rendered")
        assert page.evaluate("performance.getEntriesByType('resource').length") == 0
        panels = page.evaluate("[...document.querySelectorAll('section.panel')].map(s => s.dataset.panel)")
        assert panels == ["applications", "decisions", "processing", "lost", "tools", "equality", "need"]
        assert page.evaluate("document.querySelectorAll('section.panel svg circle, section.panel svg rect').length") > 50
        # everything chosen: the published total row, and a sum of published counts where there is none
        assert _tile(page, "lost_applications.lost") == _published_cell(published, "lost_applications", "district",
                                                                         "total", "lost")
        received = pd.read_csv(published / "all" / "process" / "tables" / "applications_received.csv", dtype=str)
        assert _tile(page, "applications_received.total").replace("\u00a0", "") == str(received["total"].astype(int).sum())
        whole = page.screenshot(1280, 1800)

        # a region, through the DOM: only its contact point remains, with its published row
        assert _choose(page, "f-region", "Jihomoravský kraj") == "cs|all|Jihomoravský kraj|"
        options = page.evaluate("[...document.querySelectorAll('#f-place option')].map(o => o.textContent)")
        assert options == ["Všechna kontaktní místa", "KMB Brno-střed"]
        assert _tile(page, "applications_received.total") == _published_cell(
            published, "applications_received", "contact_point", "KMB Brno-střed", "total")
        assert _tile(page, "processing_time.median_days") == _published_cell(
            published, "processing_time", "district", "Brno-střed", "median_days")
        bars = page.evaluate("[...document.querySelectorAll('#panel-decisions svg text.label')].map(t => t.textContent)")
        assert bars == ["KMB Brno-střed"]
        assert unexplained(page.evaluate(_TEXTS), allowed, "cs") == []
        region = page.screenshot(1280, 1800)

        # a small contact point: its hidden cells stay hidden on the page
        _choose(page, "f-region", "Karlovarský kraj")
        assert _choose(page, "f-place", "kmb-kraslice") == "cs|all|Karlovarský kraj|kmb-kraslice"
        assert _tile(page, "lost_applications.lost") == _published_cell(published, "lost_applications", "district",
                                                                         "Kraslice", "lost") == "<5"
        assert _tile(page, "lost_applications.share_lost") == "x"
        hidden_cells = page.evaluate("[...document.querySelectorAll('td.hidden')].map(t => t.textContent)")
        assert hidden_cells and set(hidden_cells) <= {"<5", "x"}
        assert unexplained(page.evaluate(_TEXTS), allowed, "cs") == []

        # English on request
        page.evaluate("document.querySelector('button[data-lang=en]').click()")
        assert page.evaluate("document.querySelector('h1').textContent") == UI["en"]["title"]
        assert page.evaluate("document.documentElement.lang") == "en"
        assert unexplained(page.evaluate(_TEXTS), allowed, "en") == []
        english = page.screenshot(1280, 1800)
        # the address keeps the view: a link opens it again, in English
        link = page.evaluate("location.href")
        assert link.endswith("#lang=en&region=Karlovarsk%C3%BD%20kraj&place=kmb-kraslice")
        assert page.errors == []
        again = browser.open(link)
        assert again.wait_for("document.body.dataset.rendered") == "en|all|Karlovarský kraj|kmb-kraslice"
        assert _tile(again, "lost_applications.lost") == "<5"
        assert again.errors == []

    for name, png in (("whole", whole), ("region", region), ("english", english)):
        (tmp_path / f"dashboard-{name}.png").write_bytes(png)
        assert png_size(png) == (1280, 1800)
        _size, colours, background, accent = _picture(png)
        assert colours > 100, f"{name}: a blank or nearly blank screenshot"
        assert background < 0.85, f"{name}: {background:.0%} of the picture is one colour"
        assert accent > 2000, f"{name}: the charts and tiles were not drawn"
    assert whole != region != english


# --------------------------------------------------------------------------- written by a run

#: A process notebook stand-in that stores a small applications table, as the real one does.
_STORE_APPLICATIONS = """
import pandas as pd
from evaluation.reporting.store import ResultsStore
table = pd.DataFrame({"contact_point": ["KMB Praha 7", "KMB Praha 3"], "2021": [120, 95], "total": [120, 95]})
ResultsStore(results_dir, strand="process", scope=municipality or "all", threshold=disclosure_threshold).add_table(
    "applications_received", table, title_cs="Přijaté žádosti", title_en="Applications received",
    count_columns=["2021", "total"])
"""


@pytest.mark.parametrize("dashboard", [True, False])
def test_a_run_writes_the_dashboard_after_publication(run, tmp_path, dashboard):
    """``evaluation run`` writes published/reports/dashboard.html from the published results
    (stand-in notebooks, tests/runner/conftest.py), unless the configuration says dashboard: false."""
    from evaluation.runner.config import parse_config
    from evaluation.runner.plan import Layout
    from evaluation.runner.registry import STRANDS
    from evaluation.runner.run import run_config
    from tests.runner.conftest import stand_in_notebook

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for strand, spec in STRANDS.items():
        stand_in_notebook(notebooks / spec.notebook, strand, *([_STORE_APPLICATIONS] if strand == "process" else []))
    config = parse_config({"data": str(run / "data"), "output": "out", "notebooks": str(notebooks),
                           "report_formats": [], "strands": ["process"], "workers": 1, "dashboard": dashboard},
                          base_dir=tmp_path, source="run.yaml")
    summary = run_config(config, progress=False)
    assert summary.ok
    path = Layout(config.output_dir).dashboard
    if dashboard:
        assert path in summary.reports and path.is_file()
        payload = embedded(path.read_text(encoding="utf-8"), "dashboard-data")
        assert [row["c"][2][0] for row in payload["scopes"][0]["tables"]["applications_received"]["rows"]] == [120, 95]
    else:
        assert not path.exists() and path not in summary.reports
