"""Staggered DiD: bad input gives a clear error or a documented warning; the result surface."""
from __future__ import annotations

import dataclasses
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from test_staggered_sim import simulate  # rootdir-less import: pytest puts this folder on sys.path

from evaluation.errors import ConfigError, DataError, EstimationError
from evaluation.impact.staggered import staggered_did


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return simulate(400, seed=11)


def run(data, **kwargs):
    kwargs.setdefault("bootstrap", False)
    return staggered_did(data, "y", "id", "t", "g", **kwargs)


def test_no_never_treated_units_is_an_error_unless_not_yet_treated(frame):
    treated_only = frame[frame["g"] > 0]
    with pytest.raises(EstimationError, match="no never-treated units"):
        run(treated_only)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run(treated_only, control_group="not_yet_treated")
    # the last cohort has no comparison units once everyone is treated: NA with a note
    assert res.cells["estimate"].isna().any()
    assert any("not estimable" in note for note in res.notes)
    assert np.isfinite(res.aggregate("group").overall_estimate)


def test_a_group_with_one_unit_warns(frame):
    one = frame[(frame["g"] != 5) | (frame["id"] == frame.loc[frame["g"] == 5, "id"].min())]
    with pytest.warns(UserWarning, match="single unit"):
        res = run(one)
    assert any("single unit" in note for note in res.notes)


def test_collinear_covariates_are_an_error(frame):
    data = frame.assign(x2=2 * frame["x"] + 1)
    with pytest.raises(EstimationError, match="collinear covariates: 'x2'"):
        run(data, covariates=["x", "x2"])


def test_first_treated_changing_within_a_unit_is_an_error(frame):
    data = frame.copy()
    data.loc[data.index[0], "g"] = 4 if data.loc[data.index[0], "g"] != 4 else 3
    with pytest.raises(DataError, match="same in every period of a unit"):
        run(data)


def test_units_treated_in_the_first_period_are_dropped_with_a_warning(frame):
    data = frame.copy()
    data.loc[data["id"] < 10, "g"] = 1
    with pytest.warns(UserWarning, match="treated in or before the first period"):
        res = run(data)
    assert dict(res.exclusions.counts)["treated in the first period or earlier (no pre-treatment period)"] == 60
    assert res.n_units == 390


def test_missing_values_are_counted(frame):
    data = frame.copy()
    data.loc[data.index[:3], "y"] = np.nan
    with pytest.warns(UserWarning, match="not observed in every period"):
        res = run(data)
    counts = dict(res.exclusions.counts)
    assert counts["missing y"] == 3
    assert counts["unit not observed in every period (panel balanced)"] == 3  # unit 0 had 6 periods: 3 missing, its other 3 rows dropped


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(control_group="everyone"), ConfigError, "control_group"),
    (dict(estimation="ols"), ConfigError, "estimation"),
    (dict(base_period="fixed"), ConfigError, "base_period"),
    (dict(anticipation=-1), ConfigError, "anticipation"),
    (dict(estimation="dr_improved", panel=False), ConfigError, "panel data only"),
    (dict(covariates=["nope"]), DataError, "no column"),
    (dict(alpha=1.5), ConfigError, "alpha"),
])
def test_bad_options(frame, kwargs, error, match):
    with pytest.raises(error, match=match):
        run(frame, **kwargs)


def test_duplicate_rows_and_negative_weights(frame):
    with pytest.raises(DataError, match="duplicate"):
        run(pd.concat([frame, frame.iloc[:1]]))
    with pytest.raises(DataError, match="negative"):
        run(frame.assign(w=-1.0), weights="w")
    with pytest.raises(DataError, match="cluster"):
        run(frame.assign(c=np.arange(len(frame))), cluster="c")


def test_pretest_note_when_no_pre_periods():
    data = simulate(300, seed=3, periods=3)  # cohorts 3 (pre-periods 1,2), 4 and 5 never start
    res = run(data)
    assert res.pretest_df >= 1
    short = data[data["t"] >= 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res2 = run(short[short["g"].isin([0, 3])])
    assert res2.pretest_df == 0 and not np.isfinite(res2.pretest_p_value)
    assert any("no pre-treatment ATT" in note for note in res2.notes)


def test_result_surface(frame):
    res = run(frame, bootstrap=True, seed=1, n_bootstrap=199)
    table = res.tidy()
    for column in ("term", "group", "time", "event_time", "estimate", "std_error", "conf_low", "conf_high",
                   "p_value", "band"):
        assert column in table
    assert set(table["band"]) == {"simultaneous"}
    assert (table["conf_high"] - table["conf_low"] >= table["point_conf_high"] - table["point_conf_low"]).all()
    assert "pre-test of parallel trends" in res.summary()
    assert "<table" in res._repr_html_()
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.alpha = 0.1
    assert "influence" not in repr(res)[:2000] or "array" not in repr(res)
    axes = res.plot()
    assert len(axes) == 3
    dyn = res.aggregate("dynamic", min_e=-2, max_e=2)
    assert dyn.table["event_time"].min() == -2 and dyn.table["event_time"].max() == 2
    assert dyn.tidy().iloc[0]["term"] == "overall ATT"
    ax = dyn.plot()
    assert ax.get_xlabel().startswith("Období vůči vstupu")
    res.aggregate("simple").plot()
    res.aggregate("group", bootstrap=False).plot()
    plt.close("all")
    with pytest.raises(ConfigError):
        res.aggregate("weekly")
    with pytest.raises(ConfigError):
        res.aggregate("group", balance_e=1)
