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
    found = re.search(rf'<script type="application/json" id="{element}">(.*?)</script>', html, flags=re.S)
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
    rest = re.sub(r"<script.*?</script>|<style>.*?</style>", "", page, flags=re.S)
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
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page, flags=re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:|//)", page, flags=re.I)
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
