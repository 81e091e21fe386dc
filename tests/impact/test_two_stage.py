"""Gardner's two-stage DiD against R did2s (documented example) and pyfixest's did2s port.

References
----------
* R did2s README (github kylebutts/did2s, v1.1.0), static model on ``df_het`` with
  ``first_stage = ~ 0 | state + year``, clustered by state: ``treat = TRUE 2.152*** (0.0476)``.
  Printed to 3-4 significant digits, so held to 5e-4 (estimate) and 5e-5 (SE).
* pyfixest ``did2s`` (reproduces R did2s: same GMM variance, no small-sample factor): static and
  event-study coefficients and standard errors to 1e-6 on ``df_het`` and on an unbalanced
  simulated panel with a covariate and regression weights.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation.errors import ConfigError, EstimationError
from evaluation.impact import imputation, two_stage
from tests.impact.robust_reference import df_het, staggered_sim

pf = pytest.importorskip("pyfixest")


def _pyfixest_did2s(frame, first_stage, second_stage, cluster, weights=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.did2s(frame, yname="y", first_stage=first_stage, second_stage=second_stage,
                       treatment="treat", cluster=cluster, weights=weights)
    return fit.tidy()


@pytest.fixture(scope="module")
def het():
    return df_het()


def test_documented_did2s_example(het):
    # did2s README: static effect 2.152 (0.0476) with state (not unit) effects in stage 1
    res = two_stage(het, "dep_var", "unit", "year", "g", absorb="state", cluster="state")
    assert res.estimate == pytest.approx(2.152, abs=5e-4)
    assert res.std_error == pytest.approx(0.0476, abs=5e-5)


def test_static_and_event_study_match_pyfixest(het):
    res = two_stage(het, "dep_var", "unit", "year", "g", cluster="state")
    frame = het.rename(columns={"dep_var": "y"})
    static = _pyfixest_did2s(frame, "~ 0 | unit + year", "~ i(treat, ref=False)", "state")
    assert res.estimate == pytest.approx(static["Estimate"].iloc[0], abs=1e-6)
    assert res.std_error == pytest.approx(static["Std. Error"].iloc[0], rel=1e-6)
    frame["rel"] = frame["rel_year"].replace([np.inf, -np.inf], -1000).fillna(-1000).astype(int)
    dynamic = _pyfixest_did2s(frame, "~ 0 | unit + year", "~ i(rel, ref=-1000)", "state")
    expected = dynamic.set_index(dynamic.index.str.replace("rel::", "").astype(int))
    table = res.table.set_index(res.table["event_time"].astype(int))
    assert len(table) == len(expected) == 41
    np.testing.assert_allclose(table["estimate"], expected.loc[table.index, "Estimate"], atol=1e-6)
    np.testing.assert_allclose(table["std_error"], expected.loc[table.index, "Std. Error"], rtol=1e-6)


def test_covariates_weights_unbalanced_match_pyfixest():
    frame = staggered_sim(seed=3, unbalanced=0.05, covariate=True)
    frame["w"] = 0.5 + (frame["id"] % 3)
    frame["treat"] = (frame["g"] > 0) & (frame["t"] >= frame["g"])
    res = two_stage(frame, "y", "id", "t", "g", covariates=["x"], weights="w", cluster="cl")
    static = _pyfixest_did2s(frame.copy(), "~ x | id + t", "~ i(treat, ref=False)", "cl", weights="w")
    assert res.estimate == pytest.approx(static["Estimate"].iloc[0], abs=1e-6)
    assert res.std_error == pytest.approx(static["Std. Error"].iloc[0], rel=1e-6)


def test_point_estimates_equal_imputation():
    # Gardner's two-stage and BJS imputation give the same point estimates (equal weights)
    frame = staggered_sim(seed=4, unbalanced=0.05)
    gardner = two_stage(frame, "y", "id", "t", "g", lags=5)
    bjs = imputation(frame, "y", "id", "t", "g", lags=5)
    assert gardner.estimate == pytest.approx(bjs.estimate, abs=1e-10)
    post = gardner.table[gardner.table["event_time"] >= 0]
    np.testing.assert_allclose(post["estimate"], bjs.table["estimate"], atol=1e-10)


def test_result_surface_and_labels():
    frame = staggered_sim(seed=5)
    res = two_stage(frame, "y", "id", "t", "g", leads=3, lags=4)
    tidy = res.tidy()
    assert {"term", "estimate", "std_error", "conf_low", "conf_high", "p_value", "event_time"} <= set(tidy)
    assert tidy["term"].tolist()[-1] == "ATT" and tidy["event_time"].iloc[:-1].tolist() == list(range(-3, 5))
    assert "Two-stage" in res.summary() and "<table" in res._repr_html_()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for lang, word in (("cs", "Období vůči vstupu"), ("en", "Periods relative to entry")):
        ax = res.plot(lang=lang)
        assert ax.get_xlabel() == word
        plt.close(ax.figure)


def test_bad_input_is_named():
    frame = staggered_sim(seed=6)
    with pytest.raises(ConfigError, match="cluster-robust"):
        two_stage(frame, "y", "id", "t", "g", cov_type="robust")
    with pytest.raises(EstimationError, match="no unit has a first treated period"):
        two_stage(frame.assign(g=0), "y", "id", "t", "g")
    always = frame.assign(g=np.where(frame["id"] < 5, 1, frame["g"]))
    res = two_stage(always, "y", "id", "t", "g")
    assert any("treated in every period" in note for note in res.notes)
    last_all = frame[frame["g"] > 0]  # no never-treated: periods after the last entry have no control
    res = two_stage(last_all, "y", "id", "t", "g")
    assert any("no untreated unit is observed" in note for note in res.notes)
    assert isinstance(res.tidy(), pd.DataFrame)
