"""The scope of a run: what each rule keeps, and that every row left out is counted with its reason."""

import pandas as pd
import pytest

from evaluation.data.dataset import Dataset
from evaluation.errors import ConfigError
from evaluation.runner.selection import select_scope


@pytest.fixture
def data():
    households = pd.DataFrame({
        "household_id": ["H1", "H2", "H3", "H4", "H5"],
        "municipality": ["Brno", "Brno", "Most", "Most", "Brno"],
        "group": pd.Categorical(["programme", "programme", "programme", "comparison", "comparison"]),
        "referral_date": pd.to_datetime(["2019-02-01", "2020-06-01", "2019-03-01", "2019-01-15", "2021-05-01"]),
    })
    tenancies = pd.DataFrame({
        "tenancy_id": ["T1", "T2", "T3", "T4"], "household_id": ["H1", "H1", "H2", "H3"],
        "unit_id": ["U1", "U2", "U3", "U4"],
        "step": pd.Categorical(["crisis", "social", "social", "crisis"]),
        "start_date": pd.to_datetime(["2019-03-01", "2019-09-01", "2020-07-01", "2019-04-01"]),
        "end_date": pd.to_datetime(["2019-08-31", "2021-12-31", None, "2019-10-31"]),
        "exit_reason": pd.Categorical(["moved_up", "eviction", "still_housed", "abandonment"]),
    })
    ledger = pd.DataFrame({"tenancy_id": ["T1", "T2", "T4"], "household_id": ["H1", "H1", "H3"],
                           "month": pd.to_datetime(["2019-03-01", "2021-12-01", "2019-04-01"]),
                           "arrears_balance": [0.0, 100.0, 50.0]})
    panel = pd.DataFrame({"municipality": ["Brno", "Most", "Kolín", "Brno", "Most", "Kolín"],
                          "period": [2019, 2019, 2019, 2020, 2020, 2020],
                          "pilot_start_period": [2019, 2020, None, 2019, 2020, None]})
    return Dataset.from_frames({"households": households, "tenancies": tenancies, "rent_ledger": ledger,
                                "municipality_panel": panel})


def counts(selection):
    return selection.tidy().set_index("table")


def test_no_rule_keeps_everything(data):
    chosen = select_scope(data)
    assert (counts(chosen)["rows_left_out"] == 0).all()
    assert chosen.notes == ("all municipalities, programme steps and the whole study period",)


def test_municipality_keeps_its_households_their_rows_and_the_comparison_municipalities(data):
    chosen = select_scope(data, municipality="Brno")
    assert chosen.dataset["households"]["household_id"].tolist() == ["H1", "H2", "H5"]
    assert chosen.dataset["tenancies"]["tenancy_id"].tolist() == ["T1", "T2", "T3"]
    assert chosen.dataset["rent_ledger"]["tenancy_id"].tolist() == ["T1", "T2"]
    # the panel keeps Brno and the never-piloting Kolín (its comparison), not the other pilot Most
    assert sorted(chosen.dataset["municipality_panel"]["municipality"].unique()) == ["Brno", "Kolín"]
    table = counts(chosen)
    assert table.loc["households", "rows_left_out"] == 2
    assert "other municipality: 2" in table.loc["households", "reason"]
    assert "household outside the scope: 1" in table.loc["tenancies", "reason"]
    assert "other pilot municipality: 2" in table.loc["municipality_panel", "reason"]
    assert (table["rows_in"] == table["rows_kept"] + table["rows_left_out"]).all()


def test_programme_step_keeps_comparison_households(data):
    chosen = select_scope(data, programme_step="crisis")
    assert chosen.dataset["tenancies"]["tenancy_id"].tolist() == ["T1", "T4"]
    # H2 only had a social spell; the comparison households H4 and H5 stay for every step
    assert chosen.dataset["households"]["household_id"].tolist() == ["H1", "H3", "H4", "H5"]
    assert "programme household with no spell in this step: 1" in counts(chosen).loc["households", "reason"]


def test_period_censors_spells_running_at_its_end(data):
    chosen = select_scope(data, period=("2019-01-01", "2020-12-31"))
    tenancies = chosen.dataset["tenancies"].set_index("tenancy_id")
    # T2 ended after the period (eviction in 2021): censored at the period end, still housed
    assert pd.isna(tenancies.loc["T2", "end_date"]) and tenancies.loc["T2", "exit_reason"] == "still_housed"
    assert chosen.dataset["households"]["household_id"].tolist() == ["H1", "H2", "H3", "H4"]
    assert chosen.dataset["rent_ledger"]["tenancy_id"].tolist() == ["T1", "T4"]
    assert chosen.dataset.study_period == (pd.Timestamp("2019-01-01"), pd.Timestamp("2020-12-31"))
    assert any("1 spell(s) running at the period end were censored" in n for n in chosen.notes)
    assert data["tenancies"].loc[1, "exit_reason"] == "eviction"  # the input is not changed


def test_scope_the_data_do_not_hold_is_an_error(data):
    with pytest.raises(ConfigError, match="municipality 'Ostrava' is not in the data; the data has 2 "
                                          "municipalities with data of their own: Brno, Most"):
        select_scope(data, municipality="Ostrava")
    with pytest.raises(ConfigError, match="'Kolín' has no data of its own: it occurs only as a comparison"):
        select_scope(data, municipality="Kolín")  # in the panel, never a pilot
    with pytest.raises(ConfigError, match="programme step 'affordable' does not occur in table tenancies"):
        select_scope(data, programme_step="affordable")
    with pytest.raises(ConfigError, match="ends .* before it starts"):
        select_scope(data, period=("2021-01-01", "2020-01-01"))


def test_selection_is_a_publishable_result(data):
    chosen = select_scope(data, municipality="Most")
    assert set(chosen.count_columns) <= set(chosen.tidy().columns)
    assert "household_id" not in chosen.tidy().columns
