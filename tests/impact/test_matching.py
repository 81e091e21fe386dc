"""Propensity scores, matching and weighting: balance, counts, known effects, references."""
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from evaluation.errors import ConfigError, EstimationError
from evaluation.impact import match, propensity_score, weight


def _households(seed=0, n=1500, effect=-2.0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"household_id": [f"H{i}" for i in range(n)],
                       "age": rng.normal(40, 10, n), "debt": rng.exponential(1.0, n),
                       "children": rng.poisson(1.2, n).astype(float)})
    logit = -2.0 + 0.04 * (df.age - 40) + 0.8 * df.debt + 0.3 * df.children
    df["pilot"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    df["arrears"] = 5 + 2.0 * df.debt + 0.05 * df.age + effect * df.pilot + rng.normal(size=n)
    return df


def test_propensity_score_matches_statsmodels_logit():
    # Reference: statsmodels Logit on the same covariates.
    df = _households()
    ps = propensity_score(df, "pilot", ["age", "debt", "children"])
    ref = sm.Logit(df["pilot"], sm.add_constant(df[["age", "debt", "children"]])).fit(disp=0)
    np.testing.assert_allclose(ps.tidy()["estimate"], ref.params, rtol=1e-6)
    np.testing.assert_allclose(ps.score, ref.predict(), rtol=1e-6)
    assert ps.overlap()["n"].sum() == len(df)


def test_matching_balances_and_recovers_effect():
    df = _households(seed=1)
    res = match(df, "pilot", ["age", "debt", "children"])
    balance = res.tidy()
    assert (balance["smd_before"].abs().max() > 0.3)
    assert (balance["smd_after"].abs() < 0.1).all()
    sample = res.matched_data()
    effect = np.average(sample.loc[sample.pilot == 1, "arrears"]) - \
        np.average(sample.loc[sample.pilot == 0, "arrears"], weights=sample.loc[sample.pilot == 0, "weight"])
    assert effect == pytest.approx(-2.0, abs=0.3)  # naive difference is biased upward by debt
    naive = df.groupby("pilot")["arrears"].mean().diff().iloc[-1]
    assert naive > -1.0
    counts = res.counts.set_index("group")
    # without replacement, 1:1: matched comparison units equal matched treated units
    assert counts.loc["treated", "matched"] == counts.loc["comparison", "matched"]
    assert counts.loc["treated", "matched"] + counts.loc["treated", "unmatched"] == df.pilot.sum()
    assert "household_id" not in res.tidy().columns and "H0" not in res.summary()


def test_caliper_excludes_and_counts_unmatched():
    df = _households(seed=2, n=400)
    tight = match(df, "pilot", ["age", "debt", "children"], caliper=0.001)
    unmatched = tight.counts.set_index("group").loc["treated", "unmatched"]
    assert unmatched > 0
    assert tight.exclusions.set_index("reason").loc[
        "treated unit without a comparison within the caliper", "rows"] == unmatched
    assert any("within the caliper" in note for note in tight.notes)


def test_matching_with_replacement_and_ratio():
    df = _households(seed=3, n=600)
    res = match(df, "pilot", ["age", "debt"], ratio=2, replace=True, caliper=None)
    treated_weight = res.weights[res.propensity.treated == 1].sum()
    control_weight = res.weights[res.propensity.treated == 0].sum()
    assert control_weight == pytest.approx(treated_weight)  # each treated unit spreads weight 1
    assert res.counts.loc[0, "unmatched"] == 0


@pytest.mark.parametrize("estimand", ["ATT", "ATE"])
def test_weighting_balances(estimand):
    df = _households(seed=4)
    res = weight(df, "pilot", ["age", "debt", "children"], estimand=estimand)
    # IPW balances the covariate means in expectation; with a correct logit the weighted SMDs are small
    assert (res.tidy()["smd_after"].abs() < 0.1).all()
    sample = res.matched_data()
    t, c = sample.pilot == 1, sample.pilot == 0
    effect = np.average(sample.loc[t, "arrears"], weights=sample.loc[t, "weight"]) - \
        np.average(sample.loc[c, "arrears"], weights=sample.loc[c, "weight"])
    assert effect == pytest.approx(-2.0, abs=0.3)
    assert res.counts["effective_n"].le(res.counts["n"]).all()


def test_trim_counts_and_plot():
    df = _households(seed=5, n=500)
    res = weight(df, "pilot", ["age", "debt"], trim=0.1)
    dropped = res.exclusions.set_index("reason")["rows"].iloc[-1]
    assert dropped == int((res.weights == 0).sum()) and dropped > 0
    ax = res.plot()
    assert ax.get_xlabel() == "absolute standardised mean difference"
    assert res.propensity.plot() is not None


def test_bad_inputs():
    df = _households(seed=6, n=300)
    with pytest.raises(EstimationError, match="no comparison"):
        match(df.assign(pilot=1), "pilot", ["age"])
    with pytest.raises(EstimationError, match="collinear"):
        propensity_score(df.assign(age2=df.age * 2), "pilot", ["age", "age2"])
    with pytest.raises(EstimationError, match="does not vary"):
        propensity_score(df.assign(k=1.0), "pilot", ["age", "k"])
    separated = df.assign(score=df.pilot * 10.0 + np.linspace(0, 1, len(df)))
    with pytest.raises(EstimationError, match="separate|overlap"):
        propensity_score(separated, "pilot", ["score"])
    with pytest.raises(ConfigError):
        weight(df, "pilot", ["age"], estimand="ATC")
    missing = df.copy()
    missing.loc[:9, "debt"] = np.nan
    res = match(missing, "pilot", ["age", "debt"])
    assert "excluded 10 row(s): missing debt" in res.notes
