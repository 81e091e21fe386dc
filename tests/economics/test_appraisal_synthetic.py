"""The economic evaluation against the known truth of the synthetic pilots (seed 2019, scale 3).

Truth (``evaluation.synthetic``):

* shelter nights and children in care: the potential outcomes the generator keeps
  (``potential_outcomes["household_outcomes"]``); the true effect in month ``k`` after entry is the mean of
  ``Y(1) - Y(0)`` over the treated household-months with ``months_since_entry == k``, and the truth over
  the horizon is their sum (discounted: weighted by ``D(k)``). Over all treated months the same
  differences give ``truth.parameters["secondary_effects_sample_att"]``;
* losing the home: the data-generating process of ``evaluation.synthetic.careers`` — competing
  exponential exits, monthly hazard ``h_i`` = base[ETHOS] x income multiplier x children multiplier,
  times 0.30 for programme households, other exits 0.0015 — so the true cumulative incidence is
  ``h / (h + h_o) x (1 - exp(-(h + h_o) t))`` and the true effect on the programme households is the mean
  of its difference with and without the 0.30 (households with a known income band);
* programme costs: the ``costs`` table itself (a census, reconciled to the crown in 2025 prices).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.economics import economic_evaluation
from evaluation.economics.discounting import discount_factors
from evaluation.economics.prices import czech_cpi
from evaluation.economics.settings import DEFAULT_UNIT_COSTS
from evaluation.synthetic import calibration as cal
from evaluation.synthetic import simulate

SEED, SCALE, H, RATE = 2019, 3.0, 24, 0.05


@pytest.fixture(scope="module")
def synthetic():
    return simulate(seed=SEED, scale=SCALE)


@pytest.fixture(scope="module")
def evaluation(synthetic):
    # unit costs without spread: the probabilistic analysis then reflects the estimates' uncertainty only
    fixed = {name: {"value": c.value, "low": c.value, "high": c.value, "price_year": c.price_year}
             for name, c in DEFAULT_UNIT_COSTS.items()}
    censor = synthetic.truth.parameters["household_data_extraction_date"]
    return economic_evaluation(synthetic.tables, settings={"horizon_months": H, "censor_date": censor,
                                                           "n_boot": 50, "n_draws": 4000, "unit_costs": fixed})


def _resource_truth(synthetic, measure: str) -> np.ndarray:
    po = synthetic.potential_outcomes["household_outcomes"]
    post = po[po["treated"] & (po["months_since_entry"] < H)]
    by_month = (post[f"{measure}_1"].astype(int) - post[f"{measure}_0"].astype(int)).groupby(
        post["months_since_entry"]).mean()
    return by_month.reindex(range(H)).to_numpy(float)


def _lost_home_truth(synthetic) -> np.ndarray:
    """True change in the risk of losing the home in each month after entry (programme households)."""
    hh = synthetic.tables["households"]
    prog = hh[hh["group"].astype(str) == "programme"]
    h = (prog["ethos_category"].astype(str).map(cal.NEGATIVE_EXIT_HAZARD).to_numpy(float)
         * prog["income_band"].astype(str).map(cal.INCOME_HAZARD_MULTIPLIER).to_numpy(float)
         * np.where(prog["children"].to_numpy() > 0, cal.CHILDREN_HAZARD_MULTIPLIER, 1.0))
    h = h[np.isfinite(h)][:, None]
    t = np.arange(H + 1)[None, :]
    other = cal.OTHER_EXIT_HAZARD

    def incidence(hazard):
        return hazard / (hazard + other) * (1 - np.exp(-(hazard + other) * t))

    difference = (incidence(h * cal.HAZARD_RATIO_PROGRAMME) - incidence(h)).mean(axis=0)
    return np.diff(difference)


@pytest.mark.parametrize("measure", ["shelter_nights", "children_in_care"])
def test_resource_effects_over_the_horizon_recover_the_truth(synthetic, evaluation, measure):
    effect = evaluation.effects[measure]
    truth = _resource_truth(synthetic, measure)
    low, high = effect.interval()
    assert low <= truth.sum() <= high, (effect.total(), truth.sum())
    assert abs(effect.total() - truth.sum()) < 3 * effect.std_error()
    discounted = truth @ discount_factors(H, RATE)
    assert abs(effect.total(RATE) - discounted) < 3 * effect.std_error(RATE)
    assert effect.established and effect.finding.sms_level == 3


def test_lost_home_effect_is_adjusted_and_recovers_the_truth(synthetic, evaluation):
    """The adjusted effect covers the true effect on the programme households; the comparison group's raw
    risk (a different, less acute population) would not be the counterfactual."""
    effect = evaluation.effects["evictions"]
    truth = _lost_home_truth(synthetic)
    low, high = effect.interval()
    assert low <= truth.sum() <= high, (effect.total(), truth.sum())
    assert effect.method == "cox_comparison" and effect.established and effect.finding.grade == "low"
    offsets = evaluation["offsets"].tidy().set_index("item")
    assert offsets.loc["evictions", "offset"] == pytest.approx(-effect.total() * offsets.loc["evictions", "unit_cost"])


def test_programme_costs_reconcile_with_the_cost_table(synthetic, evaluation):
    costs = synthetic.tables["costs"]
    real = czech_cpi().to_price_year(costs["amount_czk"], pd.to_datetime(costs["month"]).dt.year, 2025)
    munis = costs["municipality"].astype(str)
    housing = munis.isin(["Ostrava", "Brno"]).to_numpy()
    steps = evaluation["step_costs"].tidy()
    # Ostrava and Brno have no contact point: every cost of theirs is a housing-programme cost
    assert steps["cost_czk"].sum() == pytest.approx(real[housing].sum(), rel=1e-12)
    assert any("Praha" in n for n in evaluation["step_costs"].notes)
    yearly = steps.set_index("cost_centre")["cost_per_household_year"]
    assert yearly.notna().all() and (yearly > 0).all()


def test_probabilistic_interval_covers_the_true_net_cost(synthetic, evaluation):
    """Net cost with the true effects (same programme cost and unit costs) lies inside the 95 % range of
    the Monte Carlo distribution, in both perspectives."""
    model = evaluation.model
    d = discount_factors(H, RATE)
    truths = {"shelter_nights": _resource_truth(synthetic, "shelter_nights"),
              "children_in_care": _resource_truth(synthetic, "children_in_care"),
              "evictions": _lost_home_truth(synthetic)}
    psa = evaluation["probabilistic"].tidy().query("scenario == 'established'").set_index("perspective")
    for perspective in ("municipal", "public_sector"):
        shares = model.shares[perspective]
        true_net = model.programme.total(perspective, RATE) - sum(
            shares[item] * -model.prices[item][0] * float(d @ truths[item]) for item in truths)
        row = psa.loc[perspective]
        assert row["q025"] <= true_net <= row["q975"], (perspective, true_net, row["q025"], row["q975"])
        base = evaluation["net_cost"].row("net_cost", perspective)["discounted"]
        assert row["mean"] == pytest.approx(base, rel=0.02)


def test_horizon_is_one_for_costs_offsets_and_retention(evaluation):
    """Costs, offsets and retention all cover the first 24 months after entry."""
    assert evaluation.model.horizon == H
    assert all(e.horizon == H for e in evaluation.effects.values())
    assert evaluation["pathway_costs"].horizon == H and evaluation["net_cost"].horizon == H
    paths = evaluation["pathway_costs"].tidy().set_index("entry_step")
    assert (paths["months_in_programme"] <= H).all() and (paths["housed_share"].between(0.5, 1)).all()
    # Housing First households stay longer in the programme than crisis entrants: the cost per household-year
    # adjusts for it (cost / months in the programme x 12)
    assert paths.loc["housing_first", "months_in_programme"] > paths.loc["crisis", "months_in_programme"]
    assert paths["cost_per_household_year"].to_numpy() == pytest.approx(
        (paths["cost_per_household"] / paths["months_in_programme"] * 12).to_numpy())
    assert paths["cost_per_sustained_tenancy"].to_numpy() == pytest.approx(
        (paths["cost_per_household"] / paths["housed_share"]).to_numpy())
