"""Economic evaluation: hand-computed examples, simulations with a known effect, edge cases."""
import numpy as np
import pandas as pd
import pytest

from evaluation.economics import UnitCosts, cost_offsets, cost_per_outcome, missing_cost_months
from evaluation.economics.programme_cost import housing_programme_cost
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


def test_housing_programme_cost_allocates_shared_by_direct_costs():
    costs = pd.DataFrame({"municipality": ["A", "A", "A", "A", "B", "C"],
                          "cost_centre": ["crisis", "social", "contact_point", "shared", "shared", "housing_first"],
                          "amount_czk": [200.0, 100.0, 100.0, 80.0, 50.0, 1000.0]})
    cost = housing_programme_cost(costs, ["A", "B"])
    # A: housing 300 + shared 80 x 300 / 400 = 60; B: no direct costs -> all of its shared 50; C not analysed
    assert cost.total == pytest.approx(300 + 60 + 50)
    assert any("Contact-point costs" in n for n in cost.notes)
    assert any("C (1,000 CZK)" in n for n in cost.notes)


# --------------------------------------------------------------------------------------
# Offsets
# --------------------------------------------------------------------------------------
MONTHS = pd.date_range("2019-01-01", "2019-12-01", freq="MS")


def offset_tables():
    """Two programme households entering 1 July 2019 and two comparison households, 12 months.

    Shelter nights: programme 10 a month before entry, comparison 20 (a baseline difference);
    from July everybody's untreated level rises by 3 (a common trend) and the programme removes
    8 nights: programme 5, comparison 23. Children in care: programme 1 before and 0 after entry,
    comparison 2 throughout. The difference-in-differences is -8 nights and -1 child-month."""
    rows = []
    for h, prog in (("P1", True), ("P2", True), ("C1", False), ("C2", False)):
        for m in MONTHS:
            post = m >= pd.Timestamp("2019-07-01")
            nights = (5 if post else 10) if prog else (23 if post else 20)
            care = (0 if post else 1) if prog else 2
            rows.append((h, m, nights, care))
    outcomes = pd.DataFrame(rows, columns=["household_id", "month", "shelter_nights", "children_in_care"])
    households = pd.DataFrame({"household_id": ["P1", "P2", "C1", "C2"], "municipality": ["Brno"] * 4,
                               "group": ["programme", "programme", "comparison", "comparison"]})
    tenancies = pd.DataFrame({"tenancy_id": ["T1", "T2"], "household_id": ["P1", "P2"], "step": ["crisis", "crisis"],
                              "start_date": D(["2019-07-01", "2019-07-15"]), "end_date": [pd.NaT, pd.NaT],
                              "exit_reason": ["still_housed", "still_housed"]})
    return {"households": households, "household_outcomes": outcomes, "tenancies": tenancies}


def test_offsets_hand_computed():
    """Offset = -ATT x unit cost x treated months (July-December: 6 per household), the old
    descriptive comparison would give (21.5 - 7.5) x 500 x 12 instead."""
    u = UnitCosts(shelter_night=500, eviction=80_000, child_in_care_month=30_000)
    r = cost_offsets(offset_tables(), u, programme_cost=400_000, n_boot=0)
    tab = r.tidy().set_index("term")
    assert r.treated_months == 6
    assert r.effects_table().set_index("term").loc["shelter_nights", "estimate"] == pytest.approx(-8)
    assert tab.loc["offset: shelter_nights", "estimate"] == pytest.approx(8 * 500 * 6)
    assert tab.loc["offset: children_in_care", "estimate"] == pytest.approx(1 * 30_000 * 6)
    total = (8 * 500 + 30_000) * 6
    assert tab.loc["offset: total", "estimate"] == pytest.approx(total)
    assert tab.loc["programme cost", "estimate"] == 200_000  # 400,000 / 2 programme households
    assert tab.loc["net cost", "estimate"] == pytest.approx(200_000 - total)
    # with the system: 5 nights and no child in care; without it: 13 nights and 1 child in care
    assert tab.loc["with-system cost", "estimate"] == pytest.approx(200_000 + 5 * 500 * 6)
    assert tab.loc["no-system scenario cost", "estimate"] == pytest.approx((13 * 500 + 30_000) * 6)
    # comparison households have no tenancies: evictions avoided are not valued (NaN), and it is said
    assert np.isnan(tab.loc["offset: evictions", "estimate"])
    assert any("Evictions avoided are not valued" in n for n in r.notes)


def test_offsets_given_eviction_risks_and_horizon():
    u = UnitCosts(shelter_night=500, eviction=80_000, child_in_care_month=30_000)
    r = cost_offsets(offset_tables(), u, programme_cost=0, n_boot=0, horizon=3,
                     comparison_eviction_risk=0.3, programme_eviction_risk=0.1)
    tab = r.tidy().set_index("term")
    assert r.treated_months == 3
    assert tab.loc["offset: evictions", "estimate"] == pytest.approx(0.2 * 80_000)
    assert tab.loc["offset: total", "estimate"] == pytest.approx((8 * 500 + 30_000) * 3 + 0.2 * 80_000)
    assert tab.loc["no-system scenario cost", "estimate"] == pytest.approx((13 * 500 + 30_000) * 3 + 0.3 * 80_000)


def _simulated(seed, n=600, effect=-4.0):
    """Staggered entry (two cohorts, entry mid-quarter and at a quarter start), programme baseline
    6 nights above the comparison group's, a common calendar trend, household effects, Poisson noise."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2018-01-01", "2020-12-01", freq="MS")
    prog = np.arange(n) < n // 2
    entry = np.where(np.arange(n) % 2 == 0, np.datetime64("2019-02-10"), np.datetime64("2019-07-01"))
    level = np.where(prog, 12.0, 6.0) * np.exp(0.3 * rng.standard_normal(n))
    trend = 2 * np.sin(np.arange(len(months)) / 5)
    lam = level[:, None] + trend[None, :] + 3
    treated = prog[:, None] & (months.to_numpy()[None, :] >= entry.astype("datetime64[M]")[:, None])
    y = rng.poisson(np.maximum(lam + effect * treated, 0.1))
    ids = [f"H{i}" for i in range(n)]
    out = pd.DataFrame({"household_id": np.repeat(ids, len(months)), "month": np.tile(months, n),
                        "shelter_nights": y.ravel()})
    hh = pd.DataFrame({"household_id": ids, "group": np.where(prog, "programme", "comparison")})
    ten = pd.DataFrame({"tenancy_id": ids[: n // 2], "household_id": ids[: n // 2], "step": "social",
                        "start_date": pd.to_datetime(entry[: n // 2]), "end_date": pd.NaT,
                        "exit_reason": "still_housed"})
    return {"households": hh, "household_outcomes": out, "tenancies": ten}


def test_offsets_recover_known_effect_despite_baseline_difference():
    """True effect -4 nights a month; the groups differ by 6 nights at baseline, so a comparison of
    means would be far off. 95% intervals cover the truth in most of 20 draws."""
    hits, estimates = 0, []
    for seed in range(20):
        r = cost_offsets(_simulated(seed), UnitCosts(shelter_night=100), programme_cost=0, horizon=12, n_boot=0)
        row = r.effects_table().set_index("term").loc["shelter_nights"]
        estimates.append(row["estimate"])
        hits += row["conf_low"] <= -4.0 <= row["conf_high"]
        off = r.tidy().set_index("term").loc["offset: shelter_nights"]
        assert off["estimate"] == pytest.approx(-row["estimate"] * 100 * 12)
    assert abs(np.mean(estimates) + 4.0) < 0.1
    assert hits >= 16  # P(fewer than 16 of 20) < 2% at 95% coverage


def test_bad_inputs():
    with pytest.raises(ConfigError):
        UnitCosts(shelter_night=-1)
    t = tables()
    t["costs"] = t["costs"].assign(amount_czk=-5.0)
    with pytest.raises(DataError, match="amount_czk"):
        cost_per_outcome(t)
    t = offset_tables()
    t["households"] = t["households"].assign(group="programme")
    with pytest.raises(DataError, match="comparison"):
        cost_offsets(t, programme_cost=1.0)
    with pytest.raises(ConfigError, match="comparison_eviction_risk"):
        cost_offsets(offset_tables(), programme_cost=1.0, comparison_eviction_risk=1.5)
    with pytest.raises(DataError, match="tenancies"):
        cost_offsets({k: v for k, v in offset_tables().items() if k != "tenancies"}, programme_cost=1.0)
