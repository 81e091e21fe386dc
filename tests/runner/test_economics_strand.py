"""The economics strand end to end on synthetic pilots: analyse, store, publish, read the texts.

Data: ``evaluation.synthetic.simulate(seed=2019, scale=0.5)`` (Brno Housing First, Ostrava staircase,
waiting-list comparison households). What is checked is the wiring, not the estimators (those are checked
against the known truth in tests/economics/test_appraisal_synthetic.py): every stored table carries what
disclosure control needs, every number of a text is a key figure that publication takes from the protected
table, the sentences state the declared conventions, and a share that would reveal a small number of lost
tenancies hides the cost per sustained tenancy but not the cost per household-year.
"""

from __future__ import annotations

import json
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from evaluation.data.dataset import Dataset
from evaluation.economics.eviction_effect import _is_risk
from evaluation.reporting.formatting import format_number
from evaluation.reporting.publication import publish_results
from evaluation.reporting.store import ResultsStore
from evaluation.runner.strands import economics

THRESHOLD = 5


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from evaluation.synthetic import simulate

    root = tmp_path_factory.mktemp("economics")
    data = Dataset.from_frames(simulate(seed=2019, scale=0.5).tables)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        output = economics.analyse(data, sensitivity_draws=500, household_bootstrap=50, perspective="public_sector",
                                   willingness_to_pay=2_000_000)
        store = ResultsStore(root / "internal", strand="economics")
        economics.save(SimpleNamespace(store=store, lang="cs"), output)
        store.write_meta(parameters={})
        publish_results(root / "internal", root / "published", threshold=THRESHOLD)
    internal = root / "internal" / "all" / "economics"
    published = root / "published" / "all" / "economics"
    return SimpleNamespace(output=output, internal=internal, published=published,
                           texts=json.loads((published / "texts.json").read_text("utf-8")),
                           templates=json.loads((internal / "texts.json").read_text("utf-8")),
                           figures=json.loads((published / "key_figures.json").read_text("utf-8")))


def _info(folder, table):
    return json.loads((folder / "tables" / f"{table}.json").read_text("utf-8"))


def test_every_table_and_figure_is_stored_with_what_disclosure_control_needs(run):
    tables = {p.stem for p in (run.internal / "tables").glob("*.csv")}
    assert {"net_cost", "offsets", "pathway_costs", "sustained_costs", "step_costs", "one_way", "probabilistic",
            "unit_costs", "conventions", "perspective"} <= tables
    figures = {p.stem for p in (run.internal / "figures").glob("*.json")}
    assert {"net_cost", "offsets", "pathway_costs", "sustained_costs", "one_way", "probabilistic"} <= figures
    assert {p.name for p in (run.published / "figures").glob("one_way.cs.png")} == {"one_way.cs.png"}
    # with a willingness to pay, the acceptability curve is drawn (its table kept in the results folder)
    assert (run.published / "figures" / "acceptability.cs.png").is_file()
    assert _info(run.internal, "acceptability")["placement"] == "folder"
    for table in ("pathway_costs", "sustained_costs", "step_costs"):
        assert _info(run.internal, table)["count_columns"] == ["households"]
        assert _info(run.internal, table)["n_column"] == "households"
    assert _info(run.internal, "net_cost")["n_column"] == "households"
    # the unit costs are published with their values and sources, an assumption marked as such
    units = pd.read_csv(run.published / "tables" / "unit_costs.csv").set_index("unit")
    assert units.loc["shelter_night", "kind_cs"] == "předpoklad" and units.loc["child_in_care_month", "kind"] == \
        "sourced"
    assert "MPSV" in units.loc["child_in_care_month", "source_cs"]
    assert (units["value"] > 0).all()


def test_texts_quote_key_figures_and_write_only_the_conventions_as_numbers(run):
    """A number in a stored text template is a declared convention (price year, rate, horizon, confidence,
    draws), never a result: results are placeholders filled from the published tables."""
    allowed = {"2025", "5", "3,5", "3.5", "0", "7", "24", "95", "500", "2014", "2022", "2016", "2019", "1999",
               "2026", "01", "13"}
    for key, entry in run.templates.items():
        for lang in ("cs", "en"):
            text = re.sub(r"\{[^}]+\}", "", entry[lang])
            numbers = set(re.findall(r"\d+(?:[.,]\d+)?", text))
            assert numbers <= allowed, (key, lang, numbers - allowed)
    for key in ("headline", "finding_offsets", "finding_pathways", "finding_sensitivity", "method", "assumptions"):
        assert key in run.texts, key


def test_headline_is_the_protected_net_cost_with_the_conventions(run):
    net = pd.read_csv(run.published / "tables" / "net_cost.csv")
    row = net[(net["perspective"] == "public_sector") & (net["term"] == "net_cost")]
    value = float(row["discounted"].iloc[0])
    assert run.figures["net_cost_per_household"]["value"] == pytest.approx(round(value))
    cs, en = run.texts["headline"]["cs"], run.texts["headline"]["en"]
    assert f"{round(value):,}".replace(",", "\u00a0") in cs and f"{round(value):,}" in en
    assert "veřejného sektoru" in cs and "ceny roku 2025" in cs and "5\u00a0% ročně" in cs and "24 měsíců" in cs
    assert "2025 prices" in en and "first 24 months" in en


def test_offsets_text_says_what_counts_and_why(run):
    offsets = run.output["offsets"].tidy()
    cs = run.texts["finding_offsets"]["cs"]
    counted = offsets[offsets["counted"].astype(bool)]
    if len(counted):
        assert "prokázán se spolehlivostí 95\u00a0%" in cs
    for status in offsets.loc[~offsets["counted"].astype(bool), "status_cs"]:
        assert status in cs
    # shelter nights and children in care accrue to the state and the regions by default
    assert "připadají státu a krajům" in cs


def test_sensitivity_in_plain_words_names_the_widest_input(run):
    top = run.output["one_way"].tidy().iloc[0]
    cs, en = run.texts["finding_sensitivity"]["cs"], run.texts["finding_sensitivity"]["en"]
    assert f"„{top['label_cs']}“" in cs and f"“{top['label_en']}”" in en
    low, high = sorted([top["net_cost_low"], top["net_cost_high"]])
    assert f"od {format_number(low, 'cs', 0)}\u00a0Kč do {format_number(high, 'cs', 0)}\u00a0Kč" in cs
    # whether a single change can make the programme save money is said in words
    saves = bool((run.output["one_way"].tidy()[["net_cost_low", "net_cost_high"]] < 0).to_numpy().any())
    assert ("Žádná jednotlivá změna vstupu nevede" in cs) == (not saves)
    assert "pravděpodobnost, že program ušetří víc, než stojí" in cs and "p =" not in cs


def test_housing_first_compared_per_household_year(run):
    """The comparison of steps is per household-year (length of stay adjusted); a share of households
    still housed that would reveal fewer than 5 lost tenancies hides the cost per sustained tenancy only."""
    pathways = pd.read_csv(run.published / "tables" / "pathway_costs.csv")
    hf = pathways[pathways["entry_step"] == "housing_first"]
    assert len(hf) == 1 and float(hf["cost_per_household_year"].iloc[0]) > 0
    assert "Housing First (Brno)" in run.texts["finding_pathways"]["cs"]
    internal = pd.read_csv(run.internal / "tables" / "sustained_costs.csv")
    published = pd.read_csv(run.published / "tables" / "sustained_costs.csv", dtype=str)
    for i, row in internal.iterrows():
        lost = round((1 - row["housed_share"]) * row["households"])
        hidden = published.loc[i, "cost_per_sustained_tenancy"] == "x"
        assert hidden == (0 < lost < THRESHOLD), (row["entry_step"], lost)


def test_a_diverged_bootstrap_fit_is_not_a_risk():
    assert _is_risk(np.array([0.0, 0.01, 0.2])) and not _is_risk(np.array([0.0, 1e44]))
    assert not _is_risk(np.array([0.0, np.nan])) and not _is_risk(np.array([-0.3, 0.1]))
