"""The synthetic data follow the data contract, validate, and load back identically."""
from __future__ import annotations

import pandas as pd
import pytest

from evaluation.data.schema import get_schema
from evaluation.synthetic.calibration import STUDY_END, STUDY_START

from .contract_check import problems


def test_every_table_of_the_contract_is_simulated(demo, national):
    """The pilots hold every table but the national ORP panel; the national set holds that one."""
    assert set(demo.tables) == set(get_schema().table_names) - {"orp_panel"}
    assert set(demo.tables) | set(national.tables) == set(get_schema().table_names)
    assert all(len(t) > 0 for t in [*demo.tables.values(), *national.tables.values()])


def test_tables_conform_to_the_contract(demo):
    assert problems(dict(demo.tables), (str(STUDY_START), str(STUDY_END))) == []


def test_small_and_large_scales_conform(large):
    from evaluation.synthetic import simulate

    assert problems(dict(large.tables), (str(STUDY_START), str(STUDY_END))) == []
    tiny = simulate(seed=5, scale=0.05)
    assert problems(dict(tiny.tables), (str(STUDY_START), str(STUDY_END))) == []
    assert tiny.tables["households"]["cohort"].dropna().nunique() == 10  # every cohort exists


def test_the_checker_itself_finds_broken_rules(demo):
    """Guard against a checker that cannot fail: break three rules and expect three problems."""
    tables = dict(demo.tables)
    ten = tables["tenancies"].copy()
    ten.loc[0, "end_date"] = ten.loc[0, "start_date"] - pd.Timedelta(days=3)
    ten.loc[0, "exit_reason"] = "eviction"
    tables["tenancies"] = ten
    costs = tables["costs"].copy()
    costs.loc[0, "month"] = pd.Timestamp("2016-03-05")
    tables["costs"] = costs
    hh = tables["households"].copy()
    hh.loc[0, "children"] = hh.loc[0, "household_size"] + 1
    tables["households"] = hh
    found = problems(tables, (str(STUDY_START), str(STUDY_END)))
    assert any("end_date >= start_date" in p for p in found)
    assert any("first of month" in p for p in found)
    assert any("children <= household_size" in p for p in found)


def test_datapackage_copy_carries_the_synthetic_study_period(demo_folder):
    import json

    for folder in (demo_folder, demo_folder / "csv", demo_folder / "parquet"):
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        assert package["studyPeriod"] == {"start": "2015-01-01", "end": "2022-12-31"}
    csv_package = json.loads((demo_folder / "csv" / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in csv_package["resources"]} == {f"{t}.csv" for t in get_schema().table_names} - {
        "orp_panel.csv"}  # a resource for each file written


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_generated_folders_validate_without_problems(demo_folder, fmt):
    loader = pytest.importorskip("evaluation.data.loader")
    report = loader.validate_folder(demo_folder / fmt)
    assert report.ok, report.to_text(lang="en")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_generated_folders_load_back_to_the_simulated_tables(demo_folder, demo, fmt):
    loader = pytest.importorskip("evaluation.data.loader")
    ds = loader.load_folder(demo_folder / fmt)
    assert ds.study_period == demo.study_period
    for name, table in demo.tables.items():
        pd.testing.assert_frame_equal(ds[name].reset_index(drop=True), table.reset_index(drop=True))
