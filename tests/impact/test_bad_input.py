"""Bad input to did_2x2: clear errors naming the column and rule, or counted exclusions."""
import numpy as np
import pandas as pd
import pytest

from evaluation.errors import ConfigError, DataError, EstimationError
from evaluation.impact import FewClustersWarning, did_2x2


def _cross_section(seed=0, n=200):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"pilot": rng.integers(0, 2, n), "post": rng.integers(0, 2, n),
                       "x": rng.normal(size=n), "town": rng.integers(0, 40, n)})
    df["y"] = df.pilot + df.post + 0.5 * df.pilot * df.post + df.x + rng.normal(size=n)
    return df


def test_no_comparison_units():
    df = _cross_section().assign(pilot=1)
    with pytest.raises(EstimationError, match="no comparison units"):
        did_2x2(df, "y", "pilot", "post")


def test_empty_cell_is_named():
    df = _cross_section()
    df = df[~((df.pilot == 1) & (df.post == 0))]
    with pytest.raises(EstimationError, match="treated group before"):
        did_2x2(df, "y", "pilot", "post")


def test_group_with_one_unit_panel():
    # one treated household observed twice: estimable, but one treated cluster is flagged
    rng = np.random.default_rng(1)
    n = 30
    df = pd.DataFrame({"hh": np.repeat(np.arange(n), 2), "post": np.tile([0, 1], n)})
    df["pilot"] = (df.hh == 0).astype(int)
    df["y"] = rng.normal(size=2 * n)
    with pytest.warns(FewClustersWarning, match="1 treated cluster"):
        res = did_2x2(df, "y", "pilot", "post", unit="hh")
    assert np.isfinite(res.estimate)


def test_group_changing_within_unit():
    df = pd.DataFrame({"hh": [1, 1, 2, 2, 3, 3], "post": [0, 1] * 3, "pilot": [0, 1, 1, 1, 0, 0],
                       "y": [1.0, 2, 3, 4, 5, 6]})
    with pytest.raises(DataError, match="changes within"):
        did_2x2(df, "y", "pilot", "post", unit="hh")


def test_collinear_and_constant_covariates():
    df = _cross_section()
    with pytest.raises(EstimationError, match="collinear"):
        did_2x2(df.assign(x2=2 * df.x + 1), "y", "pilot", "post", covariates=["x", "x2"])
    with pytest.raises(EstimationError, match="does not vary"):
        did_2x2(df.assign(k=3.0), "y", "pilot", "post", covariates=["k"])


def test_non_binary_and_non_numeric():
    df = _cross_section()
    with pytest.raises(DataError, match="0/1"):
        did_2x2(df.assign(post=df.post * 2), "y", "pilot", "post")
    with pytest.raises(DataError, match="numeric"):
        did_2x2(df.assign(y=df.y.astype(str) + " Kč"), "y", "pilot", "post")
    with pytest.raises(ConfigError, match="cov_type"):
        did_2x2(df, "y", "pilot", "post", cov_type="bootstrap")
    with pytest.raises(DataError, match="cluster"):
        did_2x2(df, "y", "pilot", "post", cov_type="cluster")


def test_missing_outcomes_are_counted_not_silent():
    df = _cross_section()
    df.loc[:6, "y"] = np.nan
    df.loc[10:11, "x"] = np.nan
    res = did_2x2(df, "y", "pilot", "post", covariates=["x"])
    reasons = dict(zip(res.exclusions["reason"], res.exclusions["rows"]))
    assert reasons == {"missing y": 7, "missing x": 2}
    assert res.n_obs == len(df) - 9
    assert "excluded 7 row(s): missing y" in res.notes


def test_negative_weights_rejected_zero_weights_counted():
    df = _cross_section().assign(w=1.0)
    with pytest.raises(DataError, match="must not be negative"):
        did_2x2(df.assign(w=-1.0), "y", "pilot", "post", weights="w")
    df.loc[:4, "w"] = 0.0
    res = did_2x2(df, "y", "pilot", "post", weights="w")
    assert res.exclusions["rows"].sum() == 5
