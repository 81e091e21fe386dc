"""The economic estimators against the known truth of the synthetic pilots.

Reference values come from the generator (``evaluation.synthetic``): the ``costs`` table
(every CZK the programmes spent), the truth's ``cohorts`` (entry step of each cohort) and
``retention`` tables, the ``tenancies`` it wrote, and the potential outcomes it keeps
(``potential_outcomes["household_outcomes"]``: shelter nights and children in care with and
without the programme), whose mean difference over the treated household-months is the truth's
``secondary_effects_sample_att``.

What the offsets estimate: ``cost_offsets`` values the programme's effect per treated
household-month on each resource, estimated by staggered difference-in-differences
(Callaway & Sant'Anna, household-by-quarter panel, never-treated comparison households), times
the unit cost and the treated months per programme household. Baseline differences between the
groups (Ostrava's waiting list is less acute than the people selected,
``ETHOS_SHARES_COMPARISON``; the share of children in care differs by group,
``CHILDREN_IN_CARE_SHARE``) are netted out, so the default call recovers the truth's effects.
The earlier descriptive comparison of all months recovered about half the shelter-night effect
(5.4 of 10.9 nights) and gave children in care the wrong sign.

One draw (seed 2019, scale 10) per module; bootstrap replicates kept small for speed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.economics import UnitCosts, cost_offsets, cost_per_outcome
from evaluation.synthetic import simulate

SEED, SCALE = 2019, 10.0
UNIT = UnitCosts()
HORIZON = 12.0
HOUSING = ["crisis", "social", "affordable", "housing_first"]


@pytest.fixture(scope="module")
def synthetic():
    return simulate(seed=SEED, scale=SCALE)


def _censor(synthetic) -> str:
    return synthetic.truth.parameters["household_data_extraction_date"]


@pytest.fixture(scope="module")
def per_outcome(synthetic):
    return {shared: cost_per_outcome(synthetic.tables, horizon=HORIZON, shared=shared, n_boot=200,
                                     censor_date=_censor(synthetic)).tidy()
            for shared in ("households", "separate")}


@pytest.fixture(scope="module")
def offsets(synthetic):
    return cost_offsets(synthetic.tables, UNIT, n_boot=0, censor_date=_censor(synthetic))


def _entry_steps(synthetic) -> pd.DataFrame:
    """Programme households with their municipality and entry step (from the cohort)."""
    hh = synthetic.tables["households"]
    step_of_cohort = synthetic.truth.table("cohorts").set_index("cohort")["step"]
    prog = hh[hh["group"].astype(str) == "programme"]
    return prog.assign(entry_step=prog["cohort"].astype(int).map(step_of_cohort),
                       municipality=prog["municipality"].astype(str))


# --------------------------------------------------------------------------------------
# Cost per outcome
# --------------------------------------------------------------------------------------
def test_cost_totals_lose_nothing(synthetic, per_outcome):
    costs = synthetic.tables["costs"]
    total = float(costs["amount_czk"].sum())
    for shared, table in per_outcome.items():
        assert table["cost_czk"].sum() == pytest.approx(total, rel=1e-12), shared
        by_muni = costs.groupby(costs["municipality"].astype(str))["amount_czk"].sum()
        got = table.groupby(table["municipality"].astype(str))["cost_czk"].sum()
        assert got.to_dict() == pytest.approx(by_muni.to_dict(), rel=1e-12), shared
    # without allocation every (municipality, cost centre) total is reported as it is
    sep = per_outcome["separate"].set_index(["municipality", "cost_centre"])["cost_czk"]
    direct = costs.groupby([costs["municipality"].astype(str), costs["cost_centre"].astype(str)])["amount_czk"].sum()
    direct = direct[direct > 0]
    assert sep.sort_index().to_dict() == pytest.approx(direct.sort_index().to_dict(), rel=1e-12)


def _supported(synthetic) -> pd.Series:
    """Programme households with any spell in each step, by municipality (from the tenancies)."""
    hh = synthetic.tables["households"].set_index("household_id")
    ten = synthetic.tables["tenancies"]
    ten = ten[ten["step"].astype(str).isin(HOUSING)]
    pairs = pd.DataFrame({"municipality": hh.loc[ten["household_id"], "municipality"].astype(str).to_numpy(),
                          "step": ten["step"].astype(str).to_numpy(), "household_id": ten["household_id"].to_numpy()})
    return pairs.drop_duplicates().groupby(["municipality", "step"]).size()


def test_shared_costs_allocated_by_households(synthetic, per_outcome):
    costs = synthetic.tables["costs"].assign(cost_centre=lambda c: c["cost_centre"].astype(str),
                                             municipality=lambda c: c["municipality"].astype(str))
    table = per_outcome["households"].set_index(["municipality", "cost_centre"])
    ostrava = costs[costs["municipality"] == "Ostrava"]
    shared = ostrava.loc[ostrava["cost_centre"] == "shared", "amount_czk"].sum()
    assert shared > 0
    steps = ["crisis", "social", "affordable"]
    n = _supported(synthetic).loc["Ostrava"].reindex(steps)
    for s in steps:
        own = ostrava.loc[ostrava["cost_centre"] == s, "amount_czk"].sum()
        expected = own + shared * n[s] / n.sum()
        assert table.loc[("Ostrava", s), "cost_czk"] == pytest.approx(expected, rel=1e-12)


def test_cost_per_household_supported(synthetic, per_outcome):
    """Households supported = programme households with any spell in the step (movers-up
    included, as the step's costs include their months); direct entrants = the generator's
    entrants of that step's cohorts, reported alongside."""
    table = per_outcome["households"]
    steps = table[table["households"].notna()].set_index(["municipality", "cost_centre"])
    supported = _supported(synthetic)
    direct = _entry_steps(synthetic).groupby(["municipality", "entry_step"]).size()
    assert set(steps.index) == {("Ostrava", "crisis"), ("Ostrava", "social"), ("Ostrava", "affordable"),
                                ("Brno", "housing_first")}
    for key, row in steps.iterrows():
        assert row["households"] == supported[key], key
        assert row["direct_entrants"] == direct[key], key
        assert row["cost_per_household"] == pytest.approx(row["cost_czk"] / row["households"], rel=1e-12)
        assert row["sustained"] == pytest.approx(row["households"] * row["retained_share"], rel=1e-12)
        assert row["cost_per_sustained"] == pytest.approx(row["cost_czk"] / row["sustained"], rel=1e-12)
    # social and affordable flats also house the households that moved up into them
    assert steps.loc[("Ostrava", "social"), "households"] > steps.loc[("Ostrava", "social"), "direct_entrants"]
    assert steps.loc[("Ostrava", "affordable"), "households"] > steps.loc[("Ostrava", "affordable"), "direct_entrants"]
    # contact points (Praha) have costs but no programme households: own lines, cost per application
    praha = table[table["municipality"] == "Praha"]
    assert set(praha["cost_centre"]) == {"contact_point", "shared"}
    assert praha["cost_per_household"].isna().all()
    cp = praha[praha["cost_centre"] == "contact_point"].iloc[0]
    apps = synthetic.tables["applications"]
    assert 0 < cp["applications"] <= int((apps["municipality"].astype(str) == "Praha").sum())
    assert cp["cost_per_application"] == pytest.approx(cp["cost_czk"] / cp["applications"])


def test_retained_share_matches_retention_truth(synthetic, per_outcome):
    """For the steps only entered directly (crisis, Housing First) the step's households are the
    truth's entrants: retention at 12 months with every exit a failure is the truth's ``sample``
    share (no censoring before 12 months; an exit on the entry day now counts, at half a day) and
    lies within 3 binomial standard errors of its ``dgp`` value; the bootstrap interval of cost
    per sustained tenancy covers cost / (n x dgp retention)."""
    truth = synthetic.truth.table("retention").set_index(["entry_step", "months"])
    table = per_outcome["households"].dropna(subset=["households"])
    direct_only = table[table["households"] == table["direct_entrants"]]
    assert set(direct_only["cost_centre"]) == {"crisis", "housing_first"}
    for _, row in direct_only.iterrows():
        ref = truth.loc[(row["cost_centre"], int(HORIZON))]
        n = row["households"]
        assert n == ref["n"]
        assert row["retained_share"] * n == pytest.approx(ref["sample"] * n, abs=1e-6)
        se = np.sqrt(ref["dgp"] * (1 - ref["dgp"]) / n)
        assert abs(row["retained_share"] - ref["dgp"]) < 3 * se
        target = row["cost_czk"] / (n * ref["dgp"])
        assert row["conf_low"] <= target <= row["conf_high"], (row["cost_centre"], target)


# --------------------------------------------------------------------------------------
# Cost offsets
# --------------------------------------------------------------------------------------
def test_potential_outcomes_reproduce_truth_parameter(synthetic):
    po = synthetic.potential_outcomes["household_outcomes"]
    post = po[po["treated"]]
    for name in ("shelter_nights", "children_in_care"):
        att = (post[f"{name}_1"].astype(int) - post[f"{name}_0"].astype(int)).mean()
        assert att == pytest.approx(synthetic.truth.parameters["secondary_effects_sample_att"][name], rel=1e-12)
    assert synthetic.truth.parameters["secondary_effects_sample_att"]["shelter_nights"] < -5


@pytest.mark.parametrize("measure", ["shelter_nights", "children_in_care"])
def test_default_call_recovers_effects(synthetic, offsets, measure):
    """The effect per treated household-month is within 3 standard errors of the truth's sample
    ATT and its 95% interval covers it; the offset is -ATT x unit cost x treated months and
    covers -truth x unit cost x treated months. Children in care: a reduction (positive offset)
    although the comparison group has a different share of children in care at baseline."""
    truth = synthetic.truth.parameters["secondary_effects_sample_att"][measure]
    effect = offsets.effects_table().set_index("term").loc[measure]
    assert abs(effect["estimate"] - truth) < 3 * effect["std_error"], (effect["estimate"], truth)
    assert effect["conf_low"] <= truth <= effect["conf_high"]
    price = {"shelter_nights": UNIT.shelter_night, "children_in_care": UNIT.child_in_care_month}[measure]
    row = offsets.tidy().set_index("term").loc[f"offset: {measure}"]
    assert row["estimate"] == pytest.approx(-effect["estimate"] * price * offsets.treated_months, rel=1e-12)
    expected = -truth * price * offsets.treated_months
    assert row["conf_low"] <= expected <= row["conf_high"]
    assert row["estimate"] > 0 and row["conf_low"] > 0


def test_treated_months_and_totals(synthetic, offsets):
    """Treated months per programme household: from the entry month to the last month of outcomes
    (the truth's treated rows per household, before the 2% of months missing at random)."""
    po = synthetic.potential_outcomes["household_outcomes"]
    per_household = po[po["treated"]].groupby("household_id").size()
    assert per_household.mean() == pytest.approx(offsets.treated_months * 0.98, rel=0.01)
    tab = offsets.tidy().set_index("term")
    resources = tab.loc[["offset: shelter_nights", "offset: children_in_care"], "estimate"].sum()
    assert tab.loc["offset: total", "estimate"] == pytest.approx(resources + tab.loc["offset: evictions", "estimate"],
                                                                 rel=1e-9)
    assert tab.loc["net cost", "estimate"] == pytest.approx(tab.loc["programme cost", "estimate"]
                                                            - tab.loc["offset: total", "estimate"], rel=1e-12)
    assert (tab.loc["with-system cost", "estimate"] - tab.loc["no-system scenario cost", "estimate"]
            == pytest.approx(tab.loc["net cost", "estimate"], rel=1e-9))


def test_default_programme_cost_is_housing_programmes_only(synthetic, offsets):
    """Programme cost = crisis, social, affordable and Housing First cost centres of Ostrava and
    Brno (the municipalities of the programme households) plus Ostrava's shared costs (Ostrava
    has no contact point, so all of them); Prague's contact-point and shared costs are left out."""
    costs = synthetic.tables["costs"].assign(cost_centre=lambda c: c["cost_centre"].astype(str),
                                             municipality=lambda c: c["municipality"].astype(str))
    analysed = costs[costs["municipality"].isin(["Ostrava", "Brno"])]
    assert not (analysed["cost_centre"] == "contact_point").any()
    expected = analysed.loc[analysed["cost_centre"].isin(HOUSING + ["shared"]), "amount_czk"].sum()
    n_prog = int((synthetic.tables["households"]["group"].astype(str) == "programme").sum())
    tab = offsets.tidy().set_index("term")
    assert tab.loc["programme cost", "estimate"] == pytest.approx(expected / n_prog, rel=1e-12)
    assert tab.loc["programme cost", "estimate"] < costs["amount_czk"].sum() / n_prog
    assert any("Praha" in n for n in offsets.notes)


def test_eviction_offset_estimated_from_comparison_tenancies(synthetic, offsets):
    """Every comparison household holds a standard tenancy: its risk of losing the home is
    estimated (Aalen–Johansen) and is higher than the programme's (hazard ratio 0.3 in the DGP)."""
    row = offsets.tidy().set_index("term").loc["offset: evictions"]
    assert np.isfinite(row["estimate"]) and row["conf_low"] > 0
    assert any("estimated from its tenancies" in n for n in offsets.notes)


def test_randomised_brno_alone(synthetic):
    """Brno alone (randomised Housing First vs waiting list): the shelter-night effect is recovered
    within 3 standard errors of the truth over Brno's treated household-months."""
    hh = synthetic.tables["households"]
    brno_ids = hh.loc[hh["municipality"].astype(str) == "Brno", "household_id"]
    tables = {name: (t[t["household_id"].isin(brno_ids)] if "household_id" in t.columns else t)
              for name, t in synthetic.tables.items() if name in ("households", "household_outcomes", "tenancies")}
    res = cost_offsets(tables, UNIT, programme_cost=0.0, n_boot=0, comparison_eviction_risk=0.0,
                       programme_eviction_risk=0.0)
    effect = res.effects_table().set_index("term").loc["shelter_nights"]
    po = synthetic.potential_outcomes["household_outcomes"]
    post = po[po["treated"] & po["household_id"].isin(brno_ids)]
    truth = float((post["shelter_nights_1"].astype(int) - post["shelter_nights_0"].astype(int)).mean())
    assert abs(effect["estimate"] - truth) < 3 * effect["std_error"], (effect["estimate"], truth)
