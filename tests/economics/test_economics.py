"""Economic evaluation: hand-computed examples and edge cases."""
import numpy as np
import pandas as pd
import pytest

from evaluation.economics import UnitCosts, cost_offsets, cost_per_outcome, missing_cost_months
from evaluation.errors import ConfigError, DataError

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
    outcomes = pd.DataFrame({"household_id": ["H0", "H1", "H4", "H5", "H4"],
                             "month": D(["2019-01-01"] * 4 + ["2019-02-01"]),
                             "shelter_nights": [0, 2, 10, 20, 30], "children_in_care": [0, 0, 1, 0, 0]})
    return {"households": households, "tenancies": tenancies, "costs": costs, "household_outcomes": outcomes}


def test_cost_per_household_and_sustained_hand_computed():
    r = cost_per_outcome(tables(), censor_date="2020-06-30", n_boot=100).tidy().set_index("cost_centre")
    # shared 40,000 split by households supported (2 crisis, 2 social): 20,000 each
    assert r.loc["crisis", "cost_czk"] == 140_000 and r.loc["social", "cost_czk"] == 80_000
    assert r.loc["crisis", "cost_per_household"] == 70_000
    # crisis: both still housed -> 2 sustained; social: one evicted at 2 months -> S(12) = 1/2, 1 sustained
    assert r.loc["crisis", "cost_per_sustained"] == pytest.approx(70_000)
    assert r.loc["social", "sustained"] == pytest.approx(1.0)
    assert r.loc["social", "cost_per_sustained"] == pytest.approx(80_000)


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
    assert (r["cost_per_household"] == 0).all()


def test_offsets_hand_computed():
    u = UnitCosts(shelter_night=500, eviction=0, child_in_care_month=30_000)
    r = cost_offsets(tables(), u, programme_cost=400_000, horizon=12, n_boot=100).tidy().set_index("term")
    # per household mean nights: programme (0 + 2)/2 = 1; comparison H4 mean(10, 30) = 20, H5 20 -> 20
    assert r.loc["offset: shelter_nights", "estimate"] == pytest.approx((20 - 1) * 500 * 12)
    # children in care: comparison H4 mean(1, 0) = 0.5, H5 0 -> 0.25 ; programme 0
    assert r.loc["offset: children_in_care", "estimate"] == pytest.approx(0.25 * 30_000 * 12)
    assert r.loc["programme cost", "estimate"] == 100_000  # 400,000 / 4 programme households
    total = (19 * 500 + 0.25 * 30_000) * 12
    assert r.loc["net cost", "estimate"] == pytest.approx(100_000 - total)
    assert r.loc["no-system scenario cost", "estimate"] == pytest.approx((20 * 500 + 0.25 * 30_000) * 12)


def test_offsets_recover_known_difference_with_interval():
    rng = np.random.default_rng(0)
    n = 400
    hh = pd.DataFrame({"household_id": [f"H{i}" for i in range(n)], "group": ["programme", "comparison"] * (n // 2)})
    months = D(["2019-01-01", "2019-02-01", "2019-03-01"])
    rows = [(h, m, rng.poisson(2 if g == "programme" else 6)) for h, g in zip(hh.household_id, hh.group) for m in months]
    out = pd.DataFrame(rows, columns=["household_id", "month", "shelter_nights"])
    r = cost_offsets({"households": hh, "household_outcomes": out}, UnitCosts(shelter_night=100),
                     programme_cost=0, horizon=1, n_boot=200).tidy().set_index("term")
    row = r.loc["offset: shelter_nights"]
    assert row["conf_low"] < 400 < row["conf_high"]  # true difference 4 nights x 100 CZK


def test_bad_inputs():
    with pytest.raises(ConfigError):
        UnitCosts(shelter_night=-1)
    t = tables()
    t["costs"] = t["costs"].assign(amount_czk=-5.0)
    with pytest.raises(DataError, match="amount_czk"):
        cost_per_outcome(t)
    t = tables()
    t["households"] = t["households"].assign(group="programme")
    with pytest.raises(DataError, match="comparison"):
        cost_offsets(t, programme_cost=1.0)
