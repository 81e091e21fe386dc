"""The robustness panel on the synthetic pilots (known truth) and on growing effects.

Truth: ``simulate(seed=2019)`` (truth.json): the sample ATT(g,t) of the municipality panel
(16 pilots starting 2016-2018, 150 never treated), averaged by event time with the pilots per
start year as weights, and the simple ATT (``panel_att_aggregates``). The heterogeneity-robust
estimators must recover it within ``finite_sample_bound`` (tests/impact/
test_impact_synthetic_truth.py: a Bonferroni t bound for means over few treated units). On a
simulated panel whose effects grow with time since entry, static TWFE misses the ATT by more
than 5 standard errors while every robust estimator recovers it within 3 (seed fixed; checked
for seeds 0-9). The household panel (monthly, staggered move-ins) runs as ``slow``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.errors import ConfigError
from evaluation.impact import robustness_panel
from evaluation.synthetic import simulate
from tests.impact.robust_reference import staggered_sim
from tests.impact.test_impact_synthetic_truth import finite_sample_bound, per_1000

ROBUST = ("callaway_santanna", "sun_abraham", "two_stage", "imputation")


@pytest.fixture(scope="module")
def synthetic():
    return simulate(seed=2019, scale=1.0)


@pytest.fixture(scope="module")
def evictions(synthetic):
    panel = per_1000(synthetic.tables["municipality_panel"])
    return robustness_panel(panel, "evictions_per_1000", "municipality", "period",
                            "pilot_start_period", leads=4, lags=6)


def _truth_by_event_time(synthetic, outcome: str) -> pd.Series:
    panel = synthetic.tables["municipality_panel"]
    sizes = panel.drop_duplicates("municipality")["pilot_start_period"].value_counts()
    truth = synthetic.truth.table("panel_att")
    truth = truth[truth["outcome"] == outcome].assign(n=lambda t: t["group"].map(sizes).astype(float))
    weighted = truth.assign(product=truth["sample"] * truth["n"]).groupby("event_time")
    return weighted["product"].sum() / weighted["n"].sum()


def test_robust_estimators_recover_the_municipality_truth(synthetic, evictions):
    truth = _truth_by_event_time(synthetic, "evictions_per_1000")
    att = synthetic.truth.aggregate("panel_att_aggregates", "simple", "overall",
                                    "evictions_per_1000:sample")
    long = evictions.tidy()
    for estimator in ROBUST:
        rows = long[long["estimator"] == estimator]
        overall = rows[rows["term"] == "ATT"].iloc[0]
        assert abs(overall["estimate"] - att) < finite_sample_bound(16) * overall["std_error"], estimator
        post = rows[(rows["event_time"] >= 0) & (rows["event_time"] <= 5)]
        z = (post["estimate"] - post["event_time"].map(truth)) / post["std_error"]
        assert len(z) == 6 and (np.abs(z) < finite_sample_bound(16, 6 * len(ROBUST))).all(), (estimator, z)


def test_side_by_side_table_and_overlay_plot(evictions):
    table = evictions.table(lang="cs")
    assert table.columns.tolist() == ["term", "TWFE (dvousměrné fixní efekty)", "Callaway & Sant'Anna",
                                      "Sun & Abraham", "Dvoustupňový DiD (Gardner)",
                                      "Imputace (Borusyak, Jaravel, Spiess)"]
    assert table["term"].tolist()[-1] == "ATT" and "e=-1" in table["term"].tolist()
    assert table.set_index("term").loc["e=-1", "Sun & Abraham"] == "0 (ref.)"
    assert "," in table.iloc[-1, 1]  # Czech decimal comma
    tidy = evictions.tidy()
    assert set(tidy["estimator"]) == {"twfe", *ROBUST}
    assert tidy.groupby("estimator")["term"].apply(lambda t: (t == "ATT").sum()).eq(1).all()
    cs, en = evictions.explain("cs"), evictions.explain("en")
    assert "zakázaná" in cs and "forbidden" in en and "baseline" in en
    assert "Robustness panel" in evictions.summary() and "<table" in evictions._repr_html_()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = evictions.plot(lang="en")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["TWFE (two-way fixed effects)", "Callaway & Sant'Anna"] and len(labels) == 5
    plt.close(ax.figure)
    with pytest.raises(ConfigError, match="unknown estimator"):
        evictions.plot(estimators=["lpdid"])


def test_twfe_biased_where_robust_estimators_are_not():
    frame = staggered_sim(seed=0, n_units=600)
    truth = frame.loc[frame["effect"] != 0, "effect"].mean()
    res = robustness_panel(frame, "y", "id", "t", "g", leads=3, lags=5)
    long = res.tidy()
    overall = long[long["term"] == "ATT"].set_index("estimator")
    assert abs(overall.loc["twfe", "estimate"] - truth) > 5 * overall.loc["twfe", "std_error"]
    for estimator in ROBUST:
        assert abs(overall.loc[estimator, "estimate"] - truth) < 3 * overall.loc[estimator, "std_error"]
    assert res.bacon is not None and res.bacon.forbidden_weight > 0.05
    assert res.bacon.forbidden_estimate < res.bacon.clean_estimate  # growing effects


@pytest.mark.slow
def test_household_panel_recovers_the_truth(synthetic):
    # monthly household panel, 138 programme households in 9 entry months, 360 never treated,
    # 2% of household-months missing; truth = mean realised effect on treated household-months
    from tests.impact.test_impact_synthetic_truth import month_code

    tables = synthetic.tables
    spells = tables["tenancies"].loc[lambda t: t["step"] != "standard"]
    entry = month_code(spells.groupby("household_id")["start_date"].min())
    frame = tables["household_outcomes"].copy()
    frame["t"] = month_code(frame["month"])
    frame["first_treated"] = frame["household_id"].map(entry).fillna(0.0)
    potential = synthetic.potential_outcomes["household_outcomes"]
    effect = potential.assign(effect=potential["arrears_czk_1"] - potential["arrears_czk_0"])
    frame = frame.merge(effect[["household_id", "month", "effect"]], on=["household_id", "month"],
                        how="left", validate="one_to_one")
    treated = (frame["first_treated"] > 0) & (frame["t"] >= frame["first_treated"])
    truth = frame.loc[treated & frame["arrears_czk"].notna(), "effect"].mean()
    res = robustness_panel(frame, "arrears_czk", "household_id", "t", "first_treated",
                           leads=6, lags=12)
    overall = res.tidy().query("term == 'ATT'").set_index("estimator")
    for estimator in ("sun_abraham", "two_stage", "imputation"):
        assert abs(overall.loc[estimator, "estimate"] - truth) < 3 * overall.loc[estimator, "std_error"]
    assert res.bacon is None and any("unbalanced" in note for note in res.notes)
