"""Who enters, support dose, time to move-in, drop-out and arrears on the hand-built pilot."""
import numpy as np
import pandas as pd
import pytest

from evaluation.errors import DataError
from evaluation.process import (
    PilotPlan,
    dropout,
    entry_profile,
    household_type,
    rent_arrears,
    support_dose,
    time_to_move_in,
)
from evaluation.process._tables import DAYS_PER_MONTH

ROLES = ["labour_office", "municipal_social_worker", "ngo_worker", "child_protection", "housing_officer", "other"]
TOPICS = ["housing", "debts_finances", "benefits", "employment", "family_children", "health", "other"]


@pytest.fixture
def contacts():
    return pd.DataFrame({
        "contact_id": ["C1", "C2", "C3", "C4", "C5"],
        "household_id": ["H2", "H2", "H2", "H3", "H3"],
        "contact_date": pd.to_datetime(["2020-03-05", "2020-03-20", "2020-05-10", "2020-05-02", "2020-12-01"]),
        "minutes": pd.array([60, 90, 30, 120, 60], dtype="Int64"),
        "contact_type": pd.Categorical(["home_visit"] * 5),
        "worker_role": pd.Categorical(["ngo_worker", "ngo_worker", "ngo_worker", "labour_office", "ngo_worker"],
                                      categories=ROLES),
        "topic": pd.Categorical(["housing", "debts_finances", "housing", "benefits", None], categories=TOPICS),
    })


def test_household_type_derivation():
    kinds = household_type(pd.Series([1, 2, 3, 4, 2, None]), pd.Series([0, 0, 2, 2, 1, 0]))
    assert kinds.tolist() == ["single_adult", "adults_no_children", "single_parent", "adults_with_children",
                              "single_parent", "missing"]


def test_entry_profile_hand_computed(pilot):
    result = entry_profile(pilot)
    t = result.tidy()
    crisis = t.loc[t["entry_step"] == "crisis"].set_index(["characteristic", "category"])
    assert crisis.loc[("referral_source", "outreach"), ["count", "n"]].tolist() == [2, 3]
    assert crisis.loc[("referral_source", "outreach"), "share"] == pytest.approx(2 / 3)
    assert crisis.loc[("referral_source", "ngo"), "count"] == 1
    assert crisis.loc[("referral_source", "self_referral"), "count"] == 0  # empty categories kept as zero
    assert crisis.loc[("household_type", "single_parent"), "count"] == 1
    social = t.loc[t["entry_step"] == "social"].set_index(["characteristic", "category"])
    assert social.loc[("referral_source", "missing"), "count"] == 1  # H4: not dropped
    assert social.loc[("household_type", "adults_with_children"), "count"] == 1
    assert social.loc[("household_size", "4"), "count"] == 1
    reasons = result.exclusions.set_index("rule")["rows"]
    assert reasons["comparison_group"] == 1 and reasons["not_housed"] == 1
    wide = result.characteristic("ethos_category")
    assert wide.loc["rough_sleeping", "crisis"] == 2
    assert result.count_columns == ("count", "n") and result.n_column == "n"


def test_entry_profile_whole_programme_and_bad_group(pilot):
    t = entry_profile(pilot, by=()).tidy()
    assert t.loc[(t["characteristic"] == "ethos_category") & (t["category"] == "rough_sleeping"), "count"].item() == 2
    assert (t["n"] == 4).all()
    with pytest.raises(DataError, match="cannot group by 'colour'"):
        entry_profile(pilot, by="colour")


def test_support_dose_hand_computed(pilot, contacts):
    frames = {**pilot, "support_contacts": contacts}
    result = support_dose(frames, PilotPlan.ostrava(), as_of="2020-12-31")
    t = result.tidy().set_index(["step", "period"])
    months = np.array([121, 31, 244]) / DAYS_PER_MONTH  # T1, T3, T4 up to the as-of date
    within = np.minimum(months, 6).sum()
    row = t.loc[("crisis", "within_support")]
    assert row["household_months"] == pytest.approx(within)
    assert row["contacts"] == 3 and row["hours"] == pytest.approx(4.5)  # C1, C2 (H2) and C4 (H3)
    assert row["hours_per_household_month"] == pytest.approx(4.5 / within)
    assert row["percent_of_planned_hours"] == pytest.approx(100 * 4.5 / within / 8.0)
    after = t.loc[("crisis", "after_support")]
    assert after["household_months"] == pytest.approx(months[2] - 6)
    assert after["contacts"] == 1 and np.isnan(after["planned_hours_per_month"])
    assert t.loc[("crisis", "within_support"), "households"] == 3
    assert t.loc[("affordable", "within_support"), "household_months"] == 0
    assert np.isnan(t.loc[("affordable", "within_support"), "hours_per_household_month"])
    assert result.exclusions.set_index("rule").at["outside_spell", "rows"] == 1  # C3 after eviction


def test_support_dose_by_month_role_topic(pilot, contacts):
    result = support_dose({**pilot, "support_contacts": contacts}, as_of="2020-12-31")
    months = result.by_month_since_entry().set_index(["step", "month_since_entry"])
    # month 0 of crisis: three spells each contribute a full month of exposure
    assert months.loc[("crisis", 0), "household_months"] == pytest.approx(3.0)
    assert months.loc[("crisis", 0), "contacts"] == 3  # C1, C2 (days 4 and 19 of T3) and C4 (day 1 of T4)
    assert months.loc[("crisis", 1), "household_months"] == pytest.approx(2 + (31 / DAYS_PER_MONTH - 1))
    assert months.loc[("crisis", 7), "contacts"] == 1
    assert months.loc[("crisis", 0), "planned_hours_per_month"] == 8.0
    assert np.isnan(months.loc[("crisis", 6), "planned_hours_per_month"])
    roles = result.by_role().set_index(["step", "worker_role"])
    assert roles.loc[("crisis", "ngo_worker"), "hours"] == pytest.approx(3.5)
    assert roles.loc[("crisis", "labour_office"), "share_of_hours"] == pytest.approx(2 / 5.5)
    topics = result.by_topic().set_index(["step", "topic"])
    assert topics.loc[("crisis", "missing"), "contacts"] == 1  # C5 has no topic: kept as missing
    import matplotlib.pyplot as plt

    assert result.plot(lang="cs").get_xlabel() == "Měsíce od nastěhování"
    plt.close("all")


def test_time_to_move_in_hand_computed(pilot):
    result = time_to_move_in(pilot, as_of="2020-12-31")
    row = result.tidy().iloc[0]
    days = np.array([31, 20, 121, 61])  # H1..H4 referral to first move-in
    assert row["referred"] == 5 and row["moved_in"] == 4 and row["still_waiting"] == 1
    assert row["median_days"] == pytest.approx(np.median(days))
    assert row["mean_days"] == pytest.approx(days.mean())
    assert row["q1_days"] == pytest.approx(28.25) and row["q3_days"] == pytest.approx(76.0)
    assert row["median_days_waiting_so_far"] == 213  # H5 referred 2020-06-01
    by_step = time_to_move_in(pilot, by="entry_step", as_of="2020-12-31").tidy().set_index("entry_step")
    assert by_step.loc["crisis", "median_days"] == 31 and by_step.loc["not_housed", "still_waiting"] == 1
    import matplotlib.pyplot as plt

    time_to_move_in(pilot, by="entry_step", as_of="2020-12-31").plot()
    plt.close("all")


def test_time_to_move_in_reports_move_in_before_referral(pilot):
    households = pilot["households"].copy()
    households.loc[households["household_id"] == "H2", "referral_date"] = pd.Timestamp("2020-06-01")
    result = time_to_move_in({**pilot, "households": households}, as_of="2020-12-31")
    assert result.tidy().iloc[0]["moved_in"] == 3
    assert result.exclusions.set_index("rule").at["moved_in_before_referral", "rows"] == 1


def test_dropout_hand_computed(pilot):
    t = dropout(pilot, PilotPlan.ostrava(), as_of="2020-12-31").tidy().set_index("step")
    # crisis: T1 moved up after 4 months, T3 evicted after 1 month, T4 completed 6 months
    assert t.loc["crisis", ["spells", "dropout", "positive_exit", "completed_support", "censored"]].tolist() == \
        [3, 1, 1, 1, 0]
    assert t.loc["crisis", "dropout_share"] == pytest.approx(1 / 3)
    # social: T2 and T5 still running and shorter than 20 months -> censored, no known outcome
    assert t.loc["social", "censored"] == 2 and np.isnan(t.loc["social", "dropout_share"])
    assert t.loc["affordable", "spells"] == 0


def test_dropout_treats_death_separately(pilot):
    tenancies = pilot["tenancies"].copy()
    tenancies.loc[tenancies["tenancy_id"] == "T3", "exit_reason"] = "death"
    t = dropout({**pilot, "tenancies": tenancies}, as_of="2020-12-31").tidy().set_index("step")
    assert t.loc["crisis", "dropout"] == 0 and t.loc["crisis", "death"] == 1


@pytest.fixture
def ledger():
    return pd.DataFrame({
        "tenancy_id": ["T4"] * 4 + ["T2", "T2", "T9"],
        "household_id": ["H3"] * 4 + ["H1", "H1", "H9"],
        "month": pd.to_datetime(["2020-05-01", "2020-06-01", "2020-07-01", "2020-08-01", "2020-05-01",
                                 "2020-06-01", "2020-05-01"]),
        "rent_due": [3000.0] * 7, "rent_paid": [3000.0] * 7,
        "arrears_balance": [0.0, 500.0, 1500.0, -200.0, 0.0, 0.0, 100.0],
    })


def test_rent_arrears_hand_computed(pilot, ledger):
    result = rent_arrears({**pilot, "rent_ledger": ledger})
    t = result.tidy().set_index(["step", "month"])
    june = t.loc[("crisis", pd.Timestamp("2020-06-01"))]
    assert june["households"] == 1 and june["in_arrears"] == 1 and june["share_in_arrears"] == 1.0
    assert june["mean_balance"] == 500.0
    assert t.loc[("social", pd.Timestamp("2020-06-01")), "share_in_arrears"] == 0.0
    months = result.months_in_arrears().set_index("step")
    assert months.loc["crisis", "months_in_arrears"] == 2 and months.loc["crisis", "months_observed"] == 4
    assert months.loc["crisis", "share_of_months_in_arrears"] == 0.5
    assert months.loc["social", "share_ever_in_arrears"] == 0.0
    assert result.exclusions.set_index("rule").at["unknown_tenancy", "rows"] == 1  # T9 not in tenancies
    higher = rent_arrears({**pilot, "rent_ledger": ledger}, threshold=1000).tidy().set_index(["step", "month"])
    assert higher.loc[("crisis", pd.Timestamp("2020-06-01")), "in_arrears"] == 0
    import matplotlib.pyplot as plt

    ax = result.plot(lang="en")
    assert len(ax.get_lines()) == 2 and ax.get_ylabel() == "Households in rent arrears"
    plt.close("all")


def test_rent_arrears_all_months_pooled_over_step(pilot, ledger):
    t = rent_arrears({**pilot, "rent_ledger": ledger}).tidy()
    crisis = t.loc[t["step"] == "crisis"]
    assert crisis["median_balance"].tolist() == [0.0, 500.0, 1500.0, -200.0]
    assert crisis["median_balance_in_arrears"].iloc[2] == 1500.0
