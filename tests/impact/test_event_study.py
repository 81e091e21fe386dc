"""Event study: same coefficients as pyfixest with hand-built dummies; pre-trend test; truth."""
import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from impact_simulate import staggered_panel
from scipy import stats

from evaluation.errors import ConfigError, DataError, EstimationError
from evaluation.impact import FewClustersWarning, StaggeredTimingWarning, event_study


def _dummies(df, lo, hi, ref):
    """Binned event-time dummies built independently of the package."""
    rel = np.where(df["first"] > 0, df["time"] - df["first"], np.nan)
    rel = np.clip(rel, lo, hi)
    names = []
    for e in range(lo, hi + 1):
        if e == ref:
            continue
        name = f"ev_{'m' if e < 0 else 'p'}{abs(e)}"
        df[name] = (rel == e).astype(float)
        names.append(name)
    return df, names


def test_matches_pyfixest_with_binned_endpoints():
    # Reference: pyfixest feols on hand-built binned event-time dummies, CRV1 by unit.
    df = staggered_panel(seed=11, n_units=90, n_periods=10, cohorts=(4, 6, None), dynamic=0.3, drop=0.05)
    with pytest.warns(StaggeredTimingWarning):
        res = event_study(df, "y", "unit", "time", "first", leads=3, lags=3, covariates=["x"])
    ref_df, names = _dummies(df.copy(), -3, 3, -1)
    ref = pf.feols("y ~ " + " + ".join(names) + " + x | unit + time", data=ref_df,
                   vcov={"CRV1": "unit"})
    table = res.tidy()
    ours = table[~table["reference"]]
    np.testing.assert_allclose(ours["estimate"], ref.coef()[names], atol=1e-6)
    np.testing.assert_allclose(ours["std_error"], ref.se()[names], rtol=1e-6)
    # pre-trend Wald test: F(q, G-1) with the CR1 covariance of the leads
    leads = [n for n in names if n.startswith("ev_m")]
    b = ref.coef()[leads].to_numpy()
    V = ref._vcov[np.ix_([list(ref.coef().index).index(n) for n in leads],
                         [list(ref.coef().index).index(n) for n in leads])]
    F = b @ np.linalg.solve(V, b) / len(leads)
    G = df["unit"].nunique()
    assert res.pretrend.statistic == pytest.approx(F, rel=1e-6)
    assert res.pretrend.df_denom == G - 1
    assert res.pretrend.p_value == pytest.approx(stats.f.sf(F, len(leads), G - 1), rel=1e-6)
    assert table.loc[table["reference"], "estimate"].item() == 0.0
    assert list(table["event_time"]) == [-3, -2, -1, 0, 1, 2, 3]


def test_recovers_dynamic_effects_and_flat_pretrends():
    df = staggered_panel(seed=12, n_units=300, n_periods=10, cohorts=(5, None), effect=1.0, dynamic=0.5)
    res = event_study(df, "y", "unit", "time", "first", leads=4, lags=4)
    table = res.tidy().set_index("event_time")
    for e in range(4):
        truth = 1.0 + 0.5 * e
        row = table.loc[e]
        assert abs(row["estimate"] - truth) < 4 * row["std_error"]
    assert res.pretrend.p_value > 0.001
    assert res.n_never_treated == 150 and res.n_treated == 150


def test_exclude_instead_of_bin_counts_rows():
    df = staggered_panel(seed=13, n_units=60, n_periods=10, cohorts=(5, None))
    res = event_study(df, "y", "unit", "time", "first", leads=2, lags=2, bin_endpoints=False)
    # treated units (30) have event times -5..4; outside [-2, 2]: -5,-4,-3 and 3,4 -> 5 rows each
    assert res.exclusions["rows"].sum() == 30 * 5
    assert "e=-2" in set(res.tidy()["term"])


def test_monthly_dates_and_plot():
    df = staggered_panel(seed=14, n_units=40, n_periods=12, cohorts=(6, None))
    months = pd.date_range("2020-01-01", periods=12, freq="MS")
    df["month"] = months[df["time"]]
    df["entry"] = pd.Series(pd.NaT, index=df.index)
    df.loc[df["first"] > 0, "entry"] = months[df.loc[df["first"] > 0, "first"].astype(int)]
    res_dates = event_study(df, "y", "unit", "month", "entry", leads=3, lags=3)
    res_ints = event_study(df, "y", "unit", "time", "first", leads=3, lags=3)
    np.testing.assert_allclose(res_dates.tidy()["estimate"], res_ints.tidy()["estimate"], atol=1e-10)
    ax = res_dates.plot()
    assert ax.get_xlabel().startswith("Období vůči vstupu")
    assert "Pre-trend test" in res_dates.summary()


def test_bad_inputs():
    df = staggered_panel(seed=15, n_units=40, cohorts=(4, None))
    with pytest.raises(ConfigError, match="reference"):
        event_study(df, "y", "unit", "time", "first", leads=2, lags=2, reference=-5)
    with pytest.raises(EstimationError, match="no unit has a first treated"):
        event_study(df.assign(first=0), "y", "unit", "time", "first")
    bad = df.copy()
    bad.loc[0, "first"] = 3
    with pytest.raises(DataError, match="changes within"):
        event_study(bad, "y", "unit", "time", "first")
    everyone = staggered_panel(seed=15, n_units=40, cohorts=(4,))
    with pytest.raises(EstimationError, match="not identified"):
        event_study(everyone, "y", "unit", "time", "first")
    small = staggered_panel(seed=16, n_units=10, n_periods=8, cohorts=(4, None))
    with pytest.warns(FewClustersWarning, match="only 10 clusters"):
        res = event_study(small, "y", "unit", "time", "first", leads=2, lags=2)
    assert any("wild cluster bootstrap" in note for note in res.notes)
