"""Cost per outcome: hand-computed examples and edge cases (the offsets: test_appraisal*.py, test_offset*.py)."""
import pandas as pd
import pytest

from evaluation.economics import cost_per_outcome, missing_cost_months
from evaluation.errors import DataError

D = pd.to_datetime


def tables(evict_all=False):
    households = pd.DataFrame({"household_id": [f"H{i}" for i in range(6)],
                               "municipality": ["Brno"] * 4 + ["Most"] * 2,
                               "group": ["programme"] * 4 + ["comparison"] * 2})
    reason = ["eviction"] * 4 if evict_all else ["still_housed", "still_housed", "still_housed", "eviction"]
    end = [pd.NaT if r == "still_housed" else D("2019-03-01") for r in reason]
    tenancies = pd.DataFrame({"tenancy_id": [f"T{i}" for i in range(4)], "household_id": ["H0", "H1", "H2", "H3"],
                              "step": ["crisis", "crisis", "social", "social"],
                              "start_date": D(["2019-01-01"] * 4), "end_date": end, "exit_reason": reason})
    costs = pd.DataFrame({"municipality": ["Brno"] * 4,
                          "month": D(["2019-01-01", "2019-01-01", "2019-01-01", "2019-03-01"]),
                          "cost_centre": ["crisis", "social", "shared", "crisis"],
                          "item": ["staff"] * 4, "amount_czk": [100_000.0, 60_000.0, 40_000.0, 20_000.0]})
    return {"households": households, "tenancies": tenancies, "costs": costs}


def test_cost_per_household_and_sustained_hand_computed():
    r = cost_per_outcome(tables(), censor_date="2020-06-30", n_boot=100).tidy().set_index("cost_centre")
    # shared 40,000 split by households supported (2 crisis, 2 social): 20,000 each
    assert r.loc["crisis", "cost_czk"] == 140_000 and r.loc["social", "cost_czk"] == 80_000
    assert r.loc["crisis", "cost_per_household"] == 70_000
    # crisis: both still housed -> 2 sustained; social: one evicted at 2 months -> S(12) = 1/2, 1 sustained
    assert r.loc["crisis", "cost_per_sustained"] == pytest.approx(70_000)
    assert r.loc["social", "sustained"] == pytest.approx(1.0)
    assert r.loc["social", "cost_per_sustained"] == pytest.approx(80_000)


def test_households_supported_count_movers_up():
    """H0 moves up from crisis to social after 6 months: the social step supported 3 households
    (2 direct entrants), its retention is counted from H0's move; shared costs follow 2 : 3."""
    t = tables()
    t["tenancies"] = pd.concat([t["tenancies"], pd.DataFrame({
        "tenancy_id": ["T9"], "household_id": ["H0"], "step": ["social"], "start_date": D(["2019-07-01"]),
        "end_date": [pd.NaT], "exit_reason": ["still_housed"]})], ignore_index=True)
    t["tenancies"].loc[0, ["end_date", "exit_reason"]] = [D("2019-07-01"), "moved_up"]
    r = cost_per_outcome(t, censor_date="2020-06-30", n_boot=100).tidy().set_index("cost_centre")
    assert r.loc["social", "households"] == 3 and r.loc["social", "direct_entrants"] == 2
    assert r.loc["crisis", "households"] == 2 and r.loc["crisis", "direct_entrants"] == 2
    assert r.loc["crisis", "cost_czk"] == pytest.approx(120_000 + 40_000 * 2 / 5)
    assert r.loc["social", "cost_czk"] == pytest.approx(60_000 + 40_000 * 3 / 5)
    # social: H0 (from 2019-07) and H2 housed, H3 evicted at 2 months -> S(12) = 2/3
    assert r.loc["social", "retained_share"] == pytest.approx(2 / 3)
    assert r.loc["social", "cost_per_household"] == pytest.approx(r.loc["social", "cost_czk"] / 3)


def test_contact_point_cost_per_application():
    t = tables()
    t["costs"] = pd.concat([t["costs"], pd.DataFrame({
        "municipality": ["Praha"] * 2, "month": D(["2019-01-01", "2019-02-01"]), "cost_centre": ["contact_point"] * 2,
        "item": ["staff"] * 2, "amount_czk": [30_000.0, 30_000.0]})], ignore_index=True)
    t["applications"] = pd.DataFrame({"municipality": ["Praha"] * 4 + ["Brno"],
                                      "submitted_date": D(["2019-01-05", "2019-02-20", "2019-02-28", "2019-03-01",
                                                           "2019-01-10"])})
    r = cost_per_outcome(t, censor_date="2020-06-30", n_boot=100).tidy()
    cp = r[r["cost_centre"] == "contact_point"].iloc[0]
    assert cp["applications"] == 3  # the March application falls after the costed months
    assert cp["cost_per_application"] == pytest.approx(20_000)


def test_missing_cost_months_reported():
    m = missing_cost_months(tables()["costs"])
    assert m.iloc[0]["missing_months"] == 1 and m.iloc[0]["first_missing"] == "2019-02"
    r = cost_per_outcome(tables(), censor_date="2020-06-30", n_boot=100)
    assert any("1 months without cost records" in n for n in r.notes)


def test_no_sustained_tenancy_gives_nan_and_note():
    r = cost_per_outcome(tables(evict_all=True), censor_date="2020-06-30", n_boot=100)
    assert r.tidy()["cost_per_sustained"].isna().all()
    assert any("no tenancy sustained" in n for n in r.notes)


def test_zero_costs_give_zero_ratios():
    t = tables()
    t["costs"] = t["costs"].assign(amount_czk=0.0)
    r = cost_per_outcome(t, censor_date="2020-06-30", n_boot=100).tidy()
    assert (r["cost_per_household"].dropna() == 0).all()


def test_bad_inputs():
    t = tables()
    t["costs"] = t["costs"].assign(amount_czk=-5.0)
    with pytest.raises(DataError, match="amount_czk"):
        cost_per_outcome(t)
