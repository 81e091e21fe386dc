"""Two-way fixed effects against pyfixest (exact small-sample convention) and linearmodels."""
import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from impact_simulate import staggered_panel
from linearmodels import PanelOLS

from evaluation.errors import DataError, EstimationError
from evaluation.impact import StaggeredTimingWarning, twfe


def _quiet_twfe(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaggeredTimingWarning)
        return twfe(*args, **kwargs)


@pytest.mark.parametrize("cov_type, vcov", [("clustered", {"CRV1": "unit"}), ("robust", "hetero"),
                                            ("unadjusted", "iid")])
def test_matches_pyfixest_unbalanced(cov_type, vcov):
    # Reference: pyfixest feols("y ~ d + x | unit + time") on the same unbalanced panel;
    # coefficients and standard errors agree to 1e-6 (same fixest "nonnested" K convention).
    df = staggered_panel(seed=1, drop=0.1)
    res = _quiet_twfe(df, "y", "d", "unit", "time", covariates=["x"], cov_type=cov_type)
    ref = pf.feols("y ~ d + x | unit + time", data=df, vcov=vcov).tidy()
    ours = res.tidy().set_index("term")
    for term in ("d", "x"):
        assert ours.loc[term, "estimate"] == pytest.approx(ref.loc[term, "Estimate"], abs=1e-6)
        assert ours.loc[term, "std_error"] == pytest.approx(ref.loc[term, "Std. Error"], rel=1e-6)
        assert ours.loc[term, "p_value"] == pytest.approx(ref.loc[term, "Pr(>|t|)"], abs=1e-6)
    assert "unbalanced" in res.notes[0]


def test_weights_match_pyfixest():
    df = staggered_panel(seed=2, drop=0.1)
    res = _quiet_twfe(df, "y", "d", "unit", "time", covariates=["x"], weights="w")
    ref = pf.feols("y ~ d + x | unit + time", data=df, vcov={"CRV1": "unit"}, weights="w").tidy()
    assert res.estimate == pytest.approx(ref.loc["d", "Estimate"], abs=1e-6)
    assert res.std_error == pytest.approx(ref.loc["d", "Std. Error"], rel=1e-6)


def test_coefficient_equals_panelols():
    # Reference: linearmodels PanelOLS with entity and time effects. Its default clustered
    # errors use a different degrees-of-freedom count, so only the coefficients are compared.
    df = staggered_panel(seed=3, drop=0.15)
    res = _quiet_twfe(df, "y", "d", "unit", "time", covariates=["x"])
    ref = PanelOLS.from_formula("y ~ d + x + EntityEffects + TimeEffects",
                                df.set_index(["unit", "time"])).fit()
    assert res.estimate == pytest.approx(ref.params["d"], abs=1e-8)


def test_recovers_effect_with_common_timing():
    df = staggered_panel(seed=4, n_units=200, cohorts=(4, None), effect=2.0)
    res = twfe(df, "y", "d", "unit", "time", covariates=["x"])
    assert abs(res.estimate - 2.0) < 4 * res.std_error
    assert res.conf_int[0] < 2.0 < res.conf_int[1]
    assert res.n_cohorts == 1 and res.negative_weight_share == 0


def test_staggered_warning_and_negative_weights():
    # Early and late cohorts with no never-treated units: late-period cells of the early cohort
    # get negative weight (de Chaisemartin & D'Haultfœuille 2020, Goodman-Bacon 2021).
    df = staggered_panel(seed=5, n_units=60, n_periods=10, cohorts=(2, 7), dynamic=0.5)
    with pytest.warns(StaggeredTimingWarning, match="staggered_did"):
        res = twfe(df, "y", "d", "unit", "time")
    assert res.n_cohorts == 2
    assert res.negative_weight_share > 0
    assert res.negative_weight_sum < 0
    table = res.diagnostics()
    assert table.loc[2, "value"] == 2


def test_singletons_and_missing_outcomes_are_counted():
    df = staggered_panel(seed=6, cohorts=(4, None))
    df.loc[[0, 1, 2], "y"] = np.nan
    lone = pd.DataFrame({"unit": [999], "time": [0], "first": [0.0], "d": [0.0], "x": [0.1],
                         "w": [1.0], "y": [1.0]})
    res = twfe(pd.concat([df, lone], ignore_index=True), "y", "d", "unit", "time")
    reasons = dict(zip(res.exclusions["reason"], res.exclusions["rows"]))
    assert reasons["missing y"] == 3
    assert reasons["singleton: the only row of its unit or time"] == 1
    assert res.n_obs == len(df) - 3


def test_bad_inputs():
    df = staggered_panel(seed=7, cohorts=(4, None))
    with pytest.raises(EstimationError, match="does not vary"):
        twfe(df.assign(d=0.0), "y", "d", "unit", "time")
    everyone = staggered_panel(seed=7, cohorts=(4,))
    with pytest.raises(EstimationError, match="not identified"):
        twfe(everyone, "y", "d", "unit", "time")
    with pytest.raises(EstimationError, match="collinear"):
        twfe(df.assign(x2=2 * df["x"]), "y", "d", "unit", "time", covariates=["x", "x2"])
    with pytest.raises(DataError, match="duplicated"):
        twfe(pd.concat([df, df.iloc[:1]]), "y", "d", "unit", "time")
    with pytest.raises(DataError, match="no column"):
        twfe(df, "y", "treated", "unit", "time")
    with pytest.raises(DataError, match="numeric"):
        twfe(df.assign(x=["a"] * len(df)), "y", "d", "unit", "time", covariates=["x"])
