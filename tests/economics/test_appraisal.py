"""The economic evaluation on a hand-made pilot: every number computed by hand from the formulas.

Two programme households in Brno enter crisis flats on 1 January 2019; H1 moves up to a social flat
on 1 July 2019 and stays, H2 is evicted on 1 April 2019. Crisis costs 10,000 CZK a month in January
to June 2019, social housing 5,000 CZK a month in July to December 2019 (2019 prices = the price
year). Effects are given (so nothing is estimated): shelter nights -100 per household over the
12-month horizon (SE 10, a trial), child-months in care -0.1 (SE 0.2: the interval includes zero,
not established), the risk of losing the home -0.2 (SE 0.05).
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from evaluation.economics import OffsetEffect, economic_evaluation
from evaluation.economics.appraisal import TEXT_TEMPLATES
from evaluation.economics.probabilistic import probabilistic
from evaluation.economics.sensitivity import one_way_net_cost
from evaluation.economics.settings import EconomicSettings, UnitCost
from evaluation.errors import ConfigError, DataError, EstimationError

D = pd.to_datetime
DPM = 30.4375
H = 12


def tables() -> dict[str, pd.DataFrame]:
    households = pd.DataFrame({"household_id": ["H1", "H2"], "municipality": ["Brno", "Brno"],
                               "group": ["programme", "programme"]})
    tenancies = pd.DataFrame({"tenancy_id": ["T1", "T2", "T3"], "household_id": ["H1", "H1", "H2"],
                              "unit_id": ["U1", "U2", "U3"], "step": ["crisis", "social", "crisis"],
                              "start_date": D(["2019-01-01", "2019-07-01", "2019-01-01"]),
                              "end_date": D(["2019-07-01", None, "2019-04-01"]),
                              "exit_reason": ["moved_up", "still_housed", "eviction"]})
    months = pd.date_range("2019-01-01", periods=12, freq="MS")
    costs = pd.DataFrame({"municipality": "Brno", "month": months,
                          "cost_centre": ["crisis"] * 6 + ["social"] * 6, "item": "staff",
                          "amount_czk": [10_000.0] * 6 + [5_000.0] * 6})
    return {"households": households, "tenancies": tenancies, "costs": costs}


def settings(**extra) -> EconomicSettings:
    costs = {"shelter_night": UnitCost(400.0, 2019, 200.0, 800.0, "test"),
             "child_in_care_month": UnitCost(40_000.0, 2019, 20_000.0, 60_000.0, "test"),
             "eviction": UnitCost(80_000.0, 2019, 40_000.0, 160_000.0, "test")}
    return EconomicSettings(price_year=2019, horizon_months=H, unit_costs=costs, n_boot=50, n_draws=2000,
                            censor_date="2020-12-31", **extra)


def effects() -> dict[str, OffsetEffect]:
    return {"shelter_nights": OffsetEffect.given("shelter_nights", -100.0, 10.0, H),
            "children_in_care": OffsetEffect.given("children_in_care", -0.1, 0.2, H),
            "evictions": OffsetEffect.given("evictions", -0.2, 0.05, H, method="cox_comparison")}


@pytest.fixture(scope="module")
def evaluation():
    return economic_evaluation(tables(), effects(), settings(willingness_to_pay=(500_000.0,)))


# hand computation ------------------------------------------------------------------------------
CRISIS_MONTHS = (181 + 90) / DPM          # H1 1 Jan - 1 Jul (181 days), H2 1 Jan - 1 Apr (90 days)
SOCIAL_MONTHS = 184 / DPM                 # H1 1 Jul 2019 - 1 Jan 2020 (the end of the cost months)
C_CRISIS = 60_000 / CRISIS_MONTHS         # cost of a household-month in crisis housing
C_SOCIAL = 30_000 / SOCIAL_MONTHS
# month k is in a step when its middle, entry + (k + 0.5) x 30.4375 days, is: H1 crisis k = 0..5, social
# k = 6..11; H2 crisis k = 0..2 (evicted on day 90), then out of the programme
H1 = [C_CRISIS] * 6 + [C_SOCIAL] * 6
H2 = [C_CRISIS] * 3 + [0.0] * 9
PROFILE = (np.array(H1) + np.array(H2)) / 2
DISCOUNT = 1.05 ** (-np.arange(H) / 12)


def test_step_costs_per_household_month_and_year(evaluation):
    t = evaluation["step_costs"].tidy().set_index("cost_centre")
    assert t.loc["crisis", "household_months"] == pytest.approx(CRISIS_MONTHS)
    assert t.loc["crisis", "cost_per_household_month"] == pytest.approx(C_CRISIS)
    assert t.loc["social", "cost_per_household_year"] == pytest.approx(12 * C_SOCIAL)
    assert t.loc["crisis", "households"] == 2 and t.loc["social", "households"] == 1


def test_programme_cost_over_the_horizon(evaluation):
    net = evaluation["net_cost"]
    row = net.row("programme_cost")
    assert row["undiscounted"] == pytest.approx(PROFILE.sum())
    assert row["discounted"] == pytest.approx(PROFILE @ DISCOUNT)
    assert row["discounted_alternative"] == pytest.approx(PROFILE @ (1.035 ** (-np.arange(H) / 12)))
    paths = evaluation["pathway_costs"].tidy().iloc[0]
    assert paths["entry_step"] == "crisis" and paths["households"] == 2
    assert paths["months_in_programme"] == pytest.approx((12 + 3) / 2)
    assert paths["cost_per_household_year"] == pytest.approx(PROFILE.sum() / (7.5 / 12))
    # H2 lost the home at 2.96 months, H1 is housed at 12 months: housed share 1/2
    assert paths["housed_share"] == pytest.approx(0.5)
    assert paths["cost_per_sustained_tenancy"] == pytest.approx(PROFILE.sum() / 0.5)


def test_offsets_count_only_where_established(evaluation):
    offsets = evaluation["offsets"].tidy().set_index("item")
    assert offsets.loc["shelter_nights", "status"] == "effect" and offsets.loc["shelter_nights", "counted"]
    assert offsets.loc["children_in_care", "status"] == "no_clear_change"
    assert not offsets.loc["children_in_care", "counted"]
    assert offsets.loc["evictions", "counted"] and offsets.loc["evictions", "grade"] == "low"
    net = evaluation["net_cost"]
    # given effects are spread evenly over the months: discounted total = total / 12 x sum of D(k)
    shelter = 400 * 100 * DISCOUNT.mean()
    evictions = 80_000 * 0.2 * DISCOUNT.mean()
    public = net.row("net_cost", "public_sector")
    assert net.row("offset_children_in_care", "public_sector")["discounted"] == 0.0
    assert public["undiscounted"] == pytest.approx(PROFILE.sum() - 400 * 100 - 80_000 * 0.2)
    assert public["discounted"] == pytest.approx(PROFILE @ DISCOUNT - shelter - evictions)
    # the municipal budget does not pay for shelters: only the eviction offset counts
    municipal = net.row("net_cost", "municipal")
    assert municipal["discounted"] == pytest.approx(PROFILE @ DISCOUNT - evictions)
    kept = net.row("homes_kept", "public_sector")
    assert kept["undiscounted"] == pytest.approx(0.2) and kept["discounted"] == pytest.approx(0.2 / 1.05)
    assert net.row("net_cost_per_home_kept", "public_sector")["discounted"] == pytest.approx(
        public["discounted"] / (0.2 / 1.05))


def test_one_way_reproduces_the_base_case_at_the_base_values(evaluation):
    model, table = evaluation.model, evaluation["one_way"].tidy()
    base = model.net_cost("public_sector")["net_cost"]
    assert (table["net_cost_base"] == base).all()
    assert set(table["parameter"]) == {"programme_cost", "effect_shelter_nights", "effect_children_in_care",
                                       "effect_evictions", "price_shelter_night", "price_child_in_care_month",
                                       "price_eviction", "discount_rate"}
    for _, row in table.iterrows():
        assert one_way_net_cost(model, "public_sector", row["parameter"], row["base_value"]) == pytest.approx(
            base, rel=1e-12), row["parameter"]
    rows = table.set_index("parameter")
    # the children effect is not established: base 0, but its interval moves the net cost both ways
    children = rows.loc["effect_children_in_care"]
    assert children["base_value"] == 0 and not children["counted_in_base"]
    assert children["net_cost_low"] < base < children["net_cost_high"]
    # hand value: shelter effect at its upper end (-100 + 1.96 x 10) discounted the same number of SEs
    z = 1.959963984540054
    high_shelter = 400 * (100 - z * 10) * DISCOUNT.mean()
    assert rows.loc["effect_shelter_nights", "net_cost_high"] == pytest.approx(
        PROFILE @ DISCOUNT - high_shelter - 80_000 * 0.2 * DISCOUNT.mean())
    assert rows.loc["discount_rate", "net_cost_low"] == pytest.approx(
        evaluation["net_cost"].row("net_cost")["undiscounted"])
    assert table["swing"].is_monotonic_decreasing


def test_probabilistic_converges_to_the_base_case():
    """With every spread scaled towards zero the Monte Carlo distribution collapses on the base case."""
    ev = economic_evaluation(tables(), effects(), settings())
    psa, _ = probabilistic(ev.model, ev.settings, spread_scale=1e-9)
    for perspective in ("municipal", "public_sector"):
        base = ev["net_cost"].row("net_cost", perspective)["discounted"]
        row = psa.tidy().query("perspective == @perspective and scenario == 'established'").iloc[0]
        assert row["mean"] == pytest.approx(base, rel=1e-7) and row["q025"] == pytest.approx(base, rel=1e-7)
        assert row["probability_saves"] == float(base < 0)
    # every effect counted: the children effect (-0.1 child-months) adds its offset
    everything = psa.tidy().query("perspective == 'public_sector' and scenario == 'all_effects'").iloc[0]
    children = 40_000 * 0.1 * DISCOUNT.mean()
    base = ev["net_cost"].row("net_cost", "public_sector")["discounted"]
    assert everything["mean"] == pytest.approx(base - children, rel=1e-7)


def test_probabilistic_spreads_and_acceptability(evaluation):
    psa = evaluation["probabilistic"].tidy().set_index(["perspective", "scenario"])
    row = psa.loc[("public_sector", "established")]
    assert row["q025"] < evaluation["net_cost"].row("net_cost", "public_sector")["discounted"] < row["q975"]
    assert row["draws"] == 2000 and 0 <= row["probability_saves"] <= 1
    curve = evaluation["acceptability"].tidy()
    public = curve.query("perspective == 'public_sector' and scenario == 'established'")
    assert public["willingness_to_pay"].iloc[0] == 0 and public["willingness_to_pay"].iloc[-1] == 500_000
    assert public["probability"].iloc[0] == pytest.approx(row["probability_saves"])
    assert public["probability"].is_monotonic_increasing


def test_key_figures_are_table_cells_and_texts_fill(evaluation):
    figures = {f.name: f for f in evaluation.key_figures()}
    net = figures["net_cost_per_household"]
    assert (net.table, net.column, dict(net.where)) == ("net_cost", "discounted",
                                                        {"perspective": "public_sector", "term": "net_cost"})
    assert net.value == pytest.approx(evaluation["net_cost"].row("net_cost")["discounted"])
    assert figures["price_year"].value == 2019 and figures["horizon_months"].value == 12
    assert figures["cost_per_year_housing_first"].value is None  # no Housing First pathway here
    headline = evaluation.text("headline", "cs")
    assert "ceny roku 2019" in headline and "12 měsíců" in headline and "{" not in headline
    assert "veřejného sektoru jako celku" in headline
    assert evaluation.text("pathways", "en") is None
    assert set(TEXT_TEMPLATES) == {"headline", "pathways"}
    conventions = evaluation["conventions"].tidy().set_index("setting")
    assert conventions.loc["discount_rate", "value"] == 0.05
    assert "Cost-Benefit Analysis of Investment Projects (2014)" in conventions.loc["discount_rate", "source_en"]
    assert "2019" in evaluation.assumptions("en") and "unadjusted" in evaluation.assumptions("en")


def test_unit_costs_table_shows_every_unit_cost(evaluation):
    table = evaluation["unit_costs"].tidy().set_index("name")
    assert set(table.index) == {"shelter_night", "child_in_care_month", "eviction"}
    assert table["value"].notna().all() and table.loc["eviction", "value"] == 80_000


def test_bad_inputs():
    with pytest.raises(DataError, match="'costs'"):
        economic_evaluation({k: v for k, v in tables().items() if k != "costs"}, effects(), settings())
    with pytest.raises(ConfigError, match="covers 6 months"):
        economic_evaluation(tables(), {"shelter_nights": OffsetEffect.given("shelter_nights", -1.0, 1.0, 6)},
                            settings())
    with pytest.raises(ConfigError, match="unknown offset"):
        economic_evaluation(tables(), {"rent": effects()["evictions"]}, settings())
    with pytest.raises(ConfigError, match="item must be one of"):
        OffsetEffect.given("rent", -1.0, 1.0, 12)
    short = tables()
    short["tenancies"] = short["tenancies"].assign(end_date=D(["2019-07-01", "2019-12-01", "2019-04-01"]),
                                                   exit_reason=["moved_up", "left_voluntarily", "eviction"])
    with pytest.raises(EstimationError, match="shorter horizon_months"):
        economic_evaluation(short, {k: OffsetEffect.given(k, -1.0, 1.0, 36) for k in effects()},
                            EconomicSettings(price_year=2019, horizon_months=36, n_boot=50, n_draws=500,
                                             censor_date="2019-12-31"))


def test_items_that_cannot_be_estimated_count_zero():
    """Without household outcomes and comparison households nothing can be estimated: every offset is
    listed as not estimable, counts 0, and the net cost is the programme cost."""
    ev = economic_evaluation(tables(), None, settings())
    offsets = ev["offsets"].tidy()
    assert (offsets["status"] == "not_estimable").all() and not offsets["counted"].any()
    row = ev["net_cost"].row("net_cost")
    assert row["discounted"] == pytest.approx(PROFILE @ DISCOUNT)
    assert any("could not be estimated" in n for n in ev.notes)
    assert set(ev["one_way"].tidy()["parameter"]) == {"programme_cost", "discount_rate"}


@pytest.mark.parametrize("lang", ["cs", "en"])
def test_figures_draw_from_the_published_table(evaluation, lang):
    """Each figure is drawn by its module-level function from its tidy table alone; a hidden cell
    (NaN, as disclosure control leaves it) is left out, not an error."""
    import importlib

    import matplotlib.pyplot as plt

    for name in ("step_costs", "pathway_costs", "offsets", "net_cost", "one_way", "probabilistic",
                 "acceptability"):
        result = evaluation[name]
        module, _, function = result.figure_drawer.partition(":")
        drawer = getattr(importlib.import_module(module), function)
        table = result.tidy()
        numbers = table.select_dtypes("number").columns
        hidden = table.copy()
        hidden.loc[hidden.index[0], numbers] = np.nan
        for frame in (table, hidden):
            fig, ax = plt.subplots()
            assert drawer(frame, ax=ax, lang=lang, **result.figure_options()) is ax
            plt.close(fig)
        ax = result.plot(lang=lang)
        assert ax.get_xlabel() or ax.get_ylabel()
        plt.close(ax.figure)
