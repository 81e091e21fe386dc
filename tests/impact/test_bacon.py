"""Goodman-Bacon decomposition against bacondecomp's published numbers and the TWFE identity.

References
----------
* bacondecomp (R, github evanjflack/bacondecomp) ``tests/testthat/test_summary.R``, stated there
  to equal Stata ``bacondecomp`` on the castle-doctrine data (Cheng & Hoekstra 2013),
  ``l_homicide ~ post``: Earlier vs Later Treated weight 0.060, average estimate -0.006; Later
  vs Earlier Treated 0.032, 0.070; Treated vs Untreated 0.908, 0.088 (3 decimals). Data:
  causaldata's copy recoded as bacondecomp's (tests/impact/robust_reference.py).
* Goodman-Bacon (2021), Figure 2 (three units, 100 periods, treated from 34 and 85; weights as
  bacondecomp's ``test_bacon_weights.R``): 0.365, 0.222, 0.278, 0.135 (3 decimals).
* The identity sum(weight x estimate) = TWFE coefficient, to 1e-10, with the TWFE coefficient
  from pyfixest ``feols`` (1e-8) -- on castle, with always-treated units, and unbalanced refusal.
* diff-diff ``BaconDecomposition`` (exact weights): every comparison's estimate and weight, 1e-8.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.errors import ConfigError, DataError, EstimationError
from evaluation.impact import bacon_decomposition
from tests.impact.robust_reference import castle_bacondecomp, staggered_sim


@pytest.fixture(scope="module")
def castle():
    return castle_bacondecomp()


def test_castle_matches_bacondecomp_summary(castle):
    res = bacon_decomposition(castle, "l_homicide", "sid", "year", treatment="post_bd")
    summary = res.by_type().set_index("term")
    expected = {"Earlier vs Later Treated": (0.060, -0.006), "Later vs Earlier Treated": (0.032, 0.070),
                "Treated vs Untreated": (0.908, 0.088)}
    assert set(summary.index) == set(expected)
    for kind, (weight, estimate) in expected.items():
        assert round(summary.loc[kind, "weight"], 3) == weight
        assert round(summary.loc[kind, "estimate"], 3) == estimate
    pf = pytest.importorskip("pyfixest")
    fit = pf.feols("l_homicide ~ post_bd | sid + year", castle)
    assert res.twfe_estimate == pytest.approx(float(fit.coef().iloc[0]), abs=1e-8)
    assert round(res.twfe_estimate, 4) == 0.0818
    implied = (res.comparisons["weight"] * res.comparisons["estimate"]).sum()
    assert implied == pytest.approx(res.twfe_estimate, abs=1e-10)
    assert res.comparisons["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    # first_treated gives the same decomposition as the 0/1 treatment column
    same = bacon_decomposition(castle, "l_homicide", "sid", "year", "effyear")
    pd.testing.assert_frame_equal(same.comparisons, res.comparisons)


def test_castle_matches_diff_diff_comparison_by_comparison(castle):
    dd = pytest.importorskip("diff_diff")
    res = bacon_decomposition(castle, "l_homicide", "sid", "year", "effyear")
    peer = dd.BaconDecomposition().fit(castle, "l_homicide", "sid", "year", "effyear")
    theirs = pd.DataFrame([{"treated": c.treated_group, "control": c.control_group,
                            "estimate": c.estimate, "weight": c.weight} for c in peer.comparisons])
    theirs["control"] = [np.inf if c == "never_treated" else float(c) for c in theirs["control"]]
    merged = res.comparisons.merge(theirs.astype({"treated": float}), on=["treated", "control"],
                                   suffixes=("", "_peer"), validate="one_to_one")
    assert len(merged) == len(res.comparisons) == 25
    np.testing.assert_allclose(merged["estimate"], merged["estimate_peer"], atol=1e-8)
    np.testing.assert_allclose(merged["weight"], merged["weight_peer"], atol=1e-8)


def test_goodman_bacon_figure_2_weights():
    t = np.arange(1, 101)
    frame = pd.DataFrame({"id": np.repeat([1, 2, 3], 100), "t": np.tile(t, 3),
                          "g": np.repeat([0, 34, 85], 100),
                          "y": np.random.default_rng(0).normal(size=300)})
    res = bacon_decomposition(frame, "y", "id", "t", "g")
    c = res.comparisons.sort_values(["control", "treated"], ascending=[False, True])
    assert np.round(c["weight"].to_numpy(), 3).tolist() == [0.365, 0.222, 0.278, 0.135]


def test_always_treated_units_and_identity():
    frame = staggered_sim(seed=31)
    frame.loc[frame["id"] < 12, "g"] = 1  # treated from the first period on
    res = bacon_decomposition(frame, "y", "id", "t", "g")
    assert "Later vs Always Treated" in set(res.comparisons["type"])
    d = ((frame["g"] > 0) & (frame["t"] >= frame["g"])).astype(float)
    pf = pytest.importorskip("pyfixest")
    fit = pf.feols("y ~ d | id + t", frame.assign(d=d))
    assert res.twfe_estimate == pytest.approx(float(fit.coef().iloc[0]), abs=1e-8)
    implied = (res.comparisons["weight"] * res.comparisons["estimate"]).sum()
    assert implied == pytest.approx(res.twfe_estimate, abs=1e-10)
    # growing effects: the forbidden comparisons pull TWFE below the clean comparisons
    assert res.forbidden_estimate < res.clean_estimate


def test_explanation_and_plot_in_both_languages(castle):
    res = bacon_decomposition(castle, "l_homicide", "sid", "year", "effyear")
    assert "3,2\u00a0%" in res.explain("cs") and "zakázaná" in res.explain("cs")
    assert "3.2%" in res.explain("en") and "forbidden" in res.explain("en")
    assert "0.070" in res.explain("en", reference=0.05)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for lang, label in (("cs", "Váha"), ("en", "Weight")):
        ax = res.plot(lang=lang)
        assert ax.get_xlabel() == label and len(ax.collections) == 3
        plt.close(ax.figure)
    assert "TWFE coefficient" in res.summary() and "<table" in res._repr_html_()


def test_refusals_are_clear():
    frame = staggered_sim(seed=32)
    with pytest.raises(ConfigError, match="covariates"):
        bacon_decomposition(frame, "y", "id", "t", "g", covariates=["x"])
    with pytest.raises(ConfigError, match="exactly one"):
        bacon_decomposition(frame, "y", "id", "t")
    with pytest.raises(EstimationError, match="unbalanced"):
        bacon_decomposition(frame.iloc[1:], "y", "id", "t", "g")
    switching = frame.assign(d=((frame["g"] > 0) & (frame["t"] >= frame["g"])).astype(int))
    switching.loc[(switching["d"] == 1) & (switching["t"] == 10), "d"] = 0
    with pytest.raises(DataError, match="switches off"):
        bacon_decomposition(switching, "y", "id", "t", treatment="d")
