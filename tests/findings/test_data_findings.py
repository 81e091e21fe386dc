"""Findings the published tables show on their own (evaluation.findings.data_findings), on hand-made
results built to hold each pattern of issue 11 (the demo's numbers: crisis flats empty since
September 2018, Housing First missing from the reach and dose tables, housing debt falling while the
rent ledger's share in arrears rises) and on results without them."""

import sys
from pathlib import Path

import pandas as pd

from evaluation.findings.data_findings import data_findings

sys.path.insert(0, str(Path(__file__).parents[1] / "reporting"))
from stores import internal_store, key_figure, published  # noqa: E402


def _results(root, *, empty_from="2018-09-01", rising=True, hf_in_reach=False):
    process = internal_store(root, "process")
    months = pd.date_range("2018-01-01", "2019-06-01", freq="MS")
    crisis = [0.3 if m < pd.Timestamp(empty_from) else 0.0 for m in months]
    monthly = pd.DataFrame({"step": ["crisis"] * len(months) + ["social"] * len(months),
                            "month": [m.strftime("%Y-%m-%d") for m in months] * 2,
                            "units_available": [30] * len(months) + [50] * len(months),
                            "occupancy_rate": crisis + [0.8] * len(months)})
    process.add_table("occupancy_monthly", monthly, title_cs="Obsazenost", title_en="Occupancy", placement="folder")
    process.add_table("occupancy", pd.DataFrame({"step": ["crisis", "social", "housing_first"],
                                                 "units": [30, 50, 50], "occupancy_rate": [0.13, 0.8, 0.85]}),
                      title_cs="Obsazenost", title_en="Occupancy")
    steps = ["crisis", "social"] + (["housing_first"] if hf_in_reach else [])
    process.add_table("reach", pd.DataFrame({"step": steps, "measure": ["households"] * len(steps),
                                             "planned": [30.0] * len(steps), "actual": [30] * len(steps)}),
                      title_cs="Dosah", title_en="Reach")
    share = [0.30, 0.50] if rising else [0.50, 0.45]
    process.add_table("rent_arrears", pd.DataFrame({
        "step": ["social", "social"], "month": ["2016-12-01", "2020-12-01"], "households": [40, 40],
        "in_arrears": [int(40 * s) for s in share], "share_in_arrears": share}),
        title_cs="Dluhy", title_en="Arrears", count_columns=["households", "in_arrears"], n_column="households")
    impact = internal_store(root, "impact")
    key_figure(impact, "att_households", -5863.0, label_cs="Efekt", label_en="Effect", unit="CZK",
               ci=(-6342.0, -5384.0))
    return published(root).scopes["all"]


def test_each_pattern_becomes_a_stated_finding(tmp_path):
    found = {f.id: f for f in data_findings(_results(tmp_path))}
    assert set(found) == {"empty_step_crisis", "missing_step_housing_first", "arrears_divergence"}
    empty = found["empty_step_crisis"]
    assert "od září 2018" in empty.text_cs and "13\u00a0%" in empty.text_cs
    assert "from September 2018" in empty.text_en
    assert "Housing First" in found["missing_step_housing_first"].text_cs
    divergence = found["arrears_divergence"]
    assert "z 30\u00a0%" in divergence.text_cs and "na 50\u00a0%" in divergence.text_cs
    assert "measure different things" in divergence.text_en


def test_nothing_is_said_without_the_pattern(tmp_path):
    # flats empty for 3 months only, Housing First in the reach table, arrears falling
    found = data_findings(_results(tmp_path, empty_from="2019-04-01", rising=False, hf_in_reach=True))
    assert found == []
