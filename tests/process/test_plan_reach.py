"""Pilot plan, reach against plan and occupancy on the hand-built pilot (tests/process/conftest.py)."""
import json

import numpy as np
import pandas as pd
import pytest

from evaluation.data.dataset import Dataset
from evaluation.errors import ConfigError, DataError
from evaluation.process import PilotPlan, PlanStep, occupancy, reach_against_plan


def test_default_plan_is_the_ostrava_pilot_of_the_brief():
    plan = PilotPlan.ostrava()
    frame = plan.to_frame().set_index("step")
    # BRIEF.md: crisis 30 units, 3 cohorts, 6 months; social and affordable 50 / 50 / 20 months
    assert frame.loc["crisis", ["units", "cohorts", "support_months", "placement_months"]].tolist() == [30, 3, 6, 24]
    assert frame.loc["social", ["units", "households", "support_months"]].tolist() == [50, 50, 20]
    assert frame.loc["affordable", ["units", "households", "support_months"]].tolist() == [50, 50, 20]
    assert plan.municipality == "Ostrava" and plan.assumptions


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_plan_round_trips_through_a_file(tmp_path, suffix):
    import yaml

    raw = PilotPlan.ostrava().to_dict()
    path = tmp_path / f"plan{suffix}"
    path.write_text(json.dumps(raw) if suffix == ".json" else yaml.safe_dump(raw), encoding="utf-8")
    assert PilotPlan.from_file(path) == PilotPlan.ostrava()


def test_plan_errors_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="unknown key"):
        PilotPlan.from_dict({"steps": [{"step": "crisis", "units": 1, "households": 1, "support_months": 6,
                                        "colour": "red"}]})
    with pytest.raises(ConfigError, match="listed twice"):
        PilotPlan((PlanStep("crisis", 1, 1, 6), PlanStep("crisis", 2, 2, 6)))
    with pytest.raises(ConfigError, match="unknown step"):
        PlanStep("palace", 1, 1, 6)
    with pytest.raises(ConfigError, match="non-negative"):
        PlanStep("crisis", -1, 1, 6)
    bad = tmp_path / "plan.yaml"
    bad.write_text("steps: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid yaml"):
        PilotPlan.from_file(bad)
    with pytest.raises(ConfigError, match="no step"):
        PilotPlan.ostrava().step("housing_first")


def test_reach_against_plan_hand_computed(pilot):
    result = reach_against_plan(Dataset.from_frames(pilot), PilotPlan.ostrava(), as_of="2020-12-31")
    t = result.tidy().set_index(["step", "measure"])
    # crisis: flats U1, U2; households H1, H2, H3; cohorts {1, 2}
    assert t.loc[("crisis", "units"), "actual"] == 2
    assert t.loc[("crisis", "households"), "actual"] == 3
    assert t.loc[("crisis", "cohorts"), "actual"] == 2
    assert t.loc[("crisis", "cohorts"), "percent_of_plan"] == pytest.approx(200 / 3)
    assert t.loc[("crisis", "units"), "percent_of_plan"] == pytest.approx(100 * 2 / 30)
    # social: flats U3, U4; households H1, H4; cohorts {1} (H4 has none); no cohorts planned
    assert t.loc[("social", "households"), "actual"] == 2
    assert t.loc[("social", "cohorts"), "actual"] == 1
    assert np.isnan(t.loc[("social", "cohorts"), "percent_of_plan"])
    # a step with no households: zero, not missing
    assert t.loc[("affordable", "households"), "actual"] == 0
    assert t.loc[("affordable", "households"), "percent_of_plan"] == 0
    assert result.count_columns == ("actual",)
    assert any("comparison-group" in n for n in result.notes)
    assert "Reach against plan" in result.summary() and "<table" in result._repr_html_()


def test_reach_as_of_excludes_later_spells(pilot):
    t = reach_against_plan(pilot, as_of="2020-06-30").tidy().set_index(["step", "measure"])
    assert t.loc[("social", "households"), "actual"] == 1  # H4 moves in on 2020-11-01
    result = reach_against_plan(pilot, as_of="2020-06-30")
    assert result.exclusions.set_index("rule").at["after_as_of", "rows"] == 1


def test_municipality_filter_that_matches_nothing_is_an_error(pilot):
    with pytest.raises(DataError, match="municipality = 'Brno'.*Ostrava"):
        reach_against_plan(pilot, municipality="Brno")
    with pytest.raises(DataError, match="municipality"):
        occupancy(pilot, municipality="Brno")


def test_missing_table_and_column_errors(pilot):
    with pytest.raises(DataError, match="table 'units' is needed"):
        occupancy({"tenancies": pilot["tenancies"]})
    with pytest.raises(DataError, match="lacks the column.*'start_date'"):
        reach_against_plan({**pilot, "tenancies": pilot["tenancies"].drop(columns="start_date")})


def test_occupancy_hand_computed(pilot):
    result = occupancy(pilot, as_of="2020-12-31")
    assert result.start == pd.Timestamp("2020-01-01")
    overall = result.by_step().set_index("step")
    # crisis: U1 occupied all 366 days of 2020 (T1 Jan 1 - Apr 30, T4 May 1 - Dec 31), U2 31 days (March)
    assert overall.loc["crisis", "unit_days_occupied"] == 366 + 31
    assert overall.loc["crisis", "unit_days_available"] == 2 * 366
    # social: U3 from May 1 (245 days), U4 from Nov 1 (61 days)
    assert overall.loc["social", "unit_days_occupied"] == 245 + 61
    monthly = result.tidy().set_index(["step", "month"])
    assert monthly.loc[("crisis", pd.Timestamp("2020-01-01")), "occupancy_rate"] == pytest.approx(0.5)
    assert monthly.loc[("crisis", pd.Timestamp("2020-03-01")), "occupancy_rate"] == pytest.approx(1.0)
    assert monthly.loc[("social", pd.Timestamp("2020-04-01")), "vacancy_rate"] == pytest.approx(1.0)
    assert len(monthly) == 24


def test_occupancy_counts_overlapping_spells_in_a_flat_once(pilot):
    extra = pd.DataFrame({"tenancy_id": ["T9"], "household_id": ["H5"], "unit_id": ["U2"],
                          "step": pd.Categorical(["crisis"], categories=pilot["tenancies"]["step"].cat.categories),
                          "start_date": pd.to_datetime(["2020-03-15"]), "end_date": pd.to_datetime(["2020-04-11"]),
                          "exit_reason": pd.Categorical(["other"], categories=pilot["tenancies"]["exit_reason"].cat.categories)})
    frames = {**pilot, "tenancies": pd.concat([pilot["tenancies"], extra], ignore_index=True)}
    result = occupancy(frames, as_of="2020-12-31")
    # U2: March (31 days) plus April 1-10 from the overlapping spell = 41 unit-days
    assert result.by_step().set_index("step").loc["crisis", "unit_days_occupied"] == 366 + 41
    assert result.exclusions.set_index("rule").at["overlap_in_unit", "rows"] == 1


def test_occupancy_plot_and_bad_window(pilot):
    import matplotlib.pyplot as plt

    ax = occupancy(pilot, as_of="2020-12-31").plot(lang="cs")
    assert ax.get_ylabel().startswith("Obsazenost")
    plt.close("all")
    with pytest.raises(DataError, match="after as_of"):
        occupancy(pilot, start="2021-06-01", as_of="2020-12-31")
