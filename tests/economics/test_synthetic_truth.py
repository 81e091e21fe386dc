"""The economic estimators against the known truth of the synthetic pilots.

Reference values come from the generator (``evaluation.synthetic``): the ``costs`` table
(every CZK the programmes spent), the truth's ``cohorts`` (entry step of each cohort) and
``retention`` tables, the ``tenancies`` it wrote, and the potential outcomes it keeps
(``potential_outcomes["household_outcomes"]``: shelter nights and children in care with and
without the programme), whose mean difference over the treated household-months is the truth's
``secondary_effects_sample_att``.

The offsets (the programme's effects on shelter nights, children in care and losing the home over one
horizon) are checked against the same truth in test_appraisal_synthetic.py; the earlier ``cost_offsets``
(every treated month, the comparison group's unadjusted risk of losing the home) was retired with the
economics strand's move to ``economic_evaluation``.

One draw (seed 2019, scale 10) per module; bootstrap replicates kept small for speed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.economics import cost_per_outcome
from evaluation.synthetic import simulate

SEED, SCALE = 2019, 10.0
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
