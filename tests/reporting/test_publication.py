"""Publication safety over whole runs: nothing a run publishes gives a hidden count back.

Runs are made in one process with the strands as the notebooks call them (tests/reporting/runs.py)
on the synthetic data (evaluation.synthetic): the pilots as in the demo with every pilot
municipality beside the pooled scope (the 16-pilot batch), a small pilot of about 100 households
with its municipalities, and a 20-household pilot. Each is published and then attacked by
tests/reporting/run_attacker.py, written independently of the publication code: identities within
tables, the same number in two tables, differencing between the pooled and the municipality scopes,
share x n on every table and key figure, numbers in sentences, figures redrawn from the published
tables. Before this layer, the same attacker recovered 3 cells and 49 small counts from shares in
the demo's results folder and 21 and 94 in the batch's.
"""

from __future__ import annotations

import json
import re
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from evaluation.reporting.publication import publish_results
from evaluation.reporting.store import ResultsStore

sys.path.insert(0, str(Path(__file__).parent))
from run_attacker import (  # noqa: E402
    figures_not_from_published_tables,
    numbers_in_texts_not_published,
    recovered_cells,
    small_counts_from_shares,
)
from runs import store_run  # noqa: E402


def _pilots(data: Path) -> list[str]:
    """The pilot municipalities of a data folder, as `evaluation run` finds them."""
    households = pd.read_parquet(data / "households.parquet")
    panel = pd.read_parquet(data / "municipality_panel.parquet")
    programme = households.loc[households["group"].astype(str) == "programme", "municipality"].astype(str)
    return sorted(set(programme) | set(panel.loc[panel["pilot_start_period"].notna(), "municipality"].astype(str)))


def _run(root: Path, *, scale: float, seed: int, scopes: str) -> Path:
    from evaluation.synthetic import generate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        generate(root / "data", seed=seed, scale=scale, formats=("parquet",))
    data = root / "data" / "parquet"
    municipalities = {"pooled": [None], "pilots": [None, *_pilots(data)],
                      "programme": [None, "Ostrava", "Brno"]}[scopes]
    store_run(data, root / "internal", municipalities)
    publish_results(root / "internal", root / "published", langs=("cs",))
    return root


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The pilots as in the demo: the pooled scope and every pilot municipality."""
    return _run(tmp_path_factory.mktemp("batch"), scale=1.0, seed=2019, scopes="pilots")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """About 100 households (31 in the programme), pooled and per programme municipality."""
    return _run(tmp_path_factory.mktemp("small"), scale=0.2, seed=7, scopes="programme")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """About 20 households, a handful of them in the programme."""
    return _run(tmp_path_factory.mktemp("tiny"), scale=0.04, seed=7, scopes="pooled")


RUNS = ["batch", "small", "tiny"]


@pytest.mark.parametrize("run", RUNS)
def test_no_hidden_count_is_recovered_from_everything_published(run, request):
    root = request.getfixturevalue(run)
    assert recovered_cells(root / "published", root / "internal") == []


@pytest.mark.parametrize("run", RUNS)
def test_no_share_or_key_figure_gives_a_small_count_back(run, request):
    root = request.getfixturevalue(run)
    assert small_counts_from_shares(root / "published") == []


@pytest.mark.parametrize("run", RUNS)
def test_sentences_quote_only_published_figures(run, request):
    root = request.getfixturevalue(run)
    assert numbers_in_texts_not_published(root / "published", root / "internal") == []


@pytest.mark.parametrize("run", ["small", "tiny"])
def test_figures_carry_nothing_their_published_tables_do_not(run, request):
    root = request.getfixturevalue(run)
    assert figures_not_from_published_tables(root / "published", root / "internal") == []


@pytest.mark.parametrize("run", ["small", "tiny"])
def test_small_pilots_publish_every_strand_and_say_what_was_left_out(run, request):
    root = request.getfixturevalue(run)
    results = ResultsStore.read(root / "published")
    strands = results.scopes["all"]
    assignment = pd.read_parquet(root / "data" / "parquet" / "assignment.parquet")
    trial = {"trial"} if len(assignment) else set()  # the Brno trial, where the pilot has one
    assert set(strands) == {"data", "process", "retention", "impact", "economics", "need"} | trial
    said = [text["en"] for strand in strands.values() for key, text in strand.texts.items()
            if key.startswith("limitation_")]
    summary = json.loads((root / "published" / "publication.json").read_text("utf-8"))
    pooled = [o for o in summary["omissions"] if o.startswith("all/")]
    # whatever was simplified or left out is stated in the strand's texts, in both languages
    for omission in pooled:
        assert any(omission.split(": ", 1)[1] == text for text in said), omission


def test_reports_render_from_a_small_pilot(small, tmp_path):
    from evaluation.reporting import render_reports

    paths = render_reports(small / "published", tmp_path, formats=("html",),
                           reports=("brief", "technical", "municipality"), engine="pandoc")
    assert {p.name for p in paths} >= {"brief_cs.html", "technical_cs.html", "municipality_ostrava_cs.html"}


def test_settings_are_published_as_they_are(batch):
    reach = ResultsStore.read(batch / "published").strand("Ostrava", "process").tables["reach"].data
    assert not (reach["planned"] == "x").any()  # the plan is no secret
    cohorts = reach.loc[reach["measure"] == "cohorts", "actual"]
    assert not cohorts.isin(["x", "<5"]).any()  # cohorts are groups of ten households, not people
    dropout = ResultsStore.read(batch / "published").strand("all", "process").tables["dropout"].data
    assert not dropout["support_months"].isin(["x", "<5"]).any()


def test_published_numbers_carry_no_more_precision_than_the_reports(batch):
    long_share = re.compile(r"^0\.\d{4,}$")
    for csv in (batch / "published").glob("*/*/tables/*.csv"):
        info = json.loads(csv.with_suffix(".json").read_text("utf-8"))
        table = pd.read_csv(csv, dtype=str, keep_default_na=False)
        for column in info.get("percent_columns") or []:
            assert not table[column].str.match(long_share).any(), f"{csv.name}: {column}"
    for path in (batch / "published").glob("*/*/key_figures.json"):
        for id, figure in json.loads(path.read_text("utf-8")).items():
            if figure["value"] is not None and figure["unit"] == "%" and figure["decimals"] is not None:
                assert round(figure["value"], figure["decimals"] + 2) == figure["value"], id


def test_the_folders_say_which_may_be_shared(small):
    internal = (small / "internal" / "README.md").read_text("utf-8")
    assert "NESDÍLET" in internal and "DO NOT SHARE" in internal
    assert "may be sent to a funder" in (small / "published" / "README.md").read_text("utf-8")
    with pytest.raises(Exception, match="internal results"):
        ResultsStore.read(small / "internal")


def test_how_much_is_hidden(batch):
    """Over-suppression matters too: the share of published count cells that are hidden."""
    summary = json.loads((batch / "published" / "publication.json").read_text("utf-8"))
    counts = summary["counts"]
    assert counts["count_cells"] > 4000
    assert summary["hidden_share"] < 0.2, counts  # the batch: 12 % (primary 9 %, complements 3 %)
