"""Intention-to-treat estimators of evaluation.impact.trial against published numbers.

Reference numbers and where they come from:

* Lin (2013, Ann. Appl. Stat. 7(1), Table 2) on the Angrist-Lang-Oreopoulos STAR men (data from
  R estimatr, see reference/README_trial.md): unadjusted -0.036 (0.158), interacted -0.081 (0.146)
  with HC0 — the same numbers estimatr's test-replicate-lin2013.R asserts, to 3 decimals;
* HC0-HC3 of Lin's regression against statsmodels OLS ``cov_type="HC0".."HC3"`` (1e-10);
* the difference in means against Welch's t test (scipy ``ttest_ind(equal_var=False)``), as
  estimatr's test "DIM same as t.test" does with R's t.test;
* the blocked difference in means on estimatr's own toy design (test "Blocks and conditions
  works": y = 1..8, two blocks, estimate 4) and the variance formulas of estimatr's
  mathematical notes worked by hand.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from evaluation.errors import ConfigError, DataError, EstimationError
from evaluation.impact import itt
from evaluation.impact.trial import difference_in_means

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def star():
    return pd.read_csv(REFERENCE / "alo_star_men.csv")


def test_lin_2013_table_2(star):
    assert len(star) == 157 and star["sfsp"].sum() == 58
    adjusted = itt(star, "GPA_year1", "sfsp", covariates=["gpa0"], cov_type="HC0")
    lin = adjusted.tidy().set_index("term").loc["itt_lin"]
    assert round(lin["estimate"], 3) == -0.081 and round(lin["std_error"], 3) == 0.146
    unadjusted = itt(star, "GPA_year1", "sfsp", cov_type="HC0").tidy().set_index("term").loc["itt_lin"]
    assert round(unadjusted["estimate"], 3) == -0.036 and round(unadjusted["std_error"], 3) == 0.158


@pytest.mark.parametrize("cov_type", ["HC0", "HC1", "HC2", "HC3"])
def test_lin_regression_matches_statsmodels(star, cov_type):
    frame = star.assign(gc=star["gpa0"] - star["gpa0"].mean())
    reference = smf.ols("GPA_year1 ~ sfsp * gc", frame).fit(cov_type=cov_type)
    res = itt(star, "GPA_year1", "sfsp", covariates=["gpa0"], cov_type=cov_type)
    assert res.estimate == pytest.approx(reference.params["sfsp"], abs=1e-10)
    assert res.std_error == pytest.approx(reference.bse["sfsp"], rel=1e-10)
    coefficients = res.coefficients.set_index("term")
    assert coefficients.loc["assigned:gpa0", "estimate"] == pytest.approx(reference.params["sfsp:gc"], rel=1e-9)


def test_hc2_without_covariates_is_neymans_variance(star):
    res = itt(star, "GPA_year1", "sfsp").tidy().set_index("term")
    y, z = star["GPA_year1"], star["sfsp"]
    neyman = np.sqrt(y[z == 1].var() / (z == 1).sum() + y[z == 0].var() / (z == 0).sum())
    assert res.loc["itt_lin", "std_error"] == pytest.approx(neyman, rel=1e-10)
    assert res.loc["itt_dim", "std_error"] == pytest.approx(neyman, rel=1e-10)


def test_difference_in_means_is_welchs_t_test(star):
    y, z = star["GPA_year1"], star["sfsp"]
    welch = stats.ttest_ind(y[z == 1], y[z == 0], equal_var=False)
    row = itt(star, "GPA_year1", "sfsp").tidy().set_index("term").loc["itt_dim"]
    assert row["p_value"] == pytest.approx(welch.pvalue, rel=1e-9)
    assert row["df"] == pytest.approx(welch.df, rel=1e-9)
    low, high = welch.confidence_interval(0.95)
    assert (row["conf_low"], row["conf_high"]) == pytest.approx((low, high), rel=1e-9)


def test_blocked_difference_in_means_on_estimatrs_toy_design():
    # estimatr test-difference-in-means.R: y = 1:12, z = rep(0:2, each = 4), bl = rep(1:2, times = 6);
    # conditions 0 vs 1 give 4. Hand: block 1 treated {5, 7} vs control {1, 3}, block 2 {6, 8} vs {2, 4};
    # each block variance 2/2 + 2/2 = 2, weights 1/2: V = 2 * (1/4) * 2 = 1; df = N - 2B = 8 - 4.
    y = np.arange(1.0, 9.0)
    z = np.repeat([0.0, 1.0], 4)
    block = np.tile([0, 1], 4)
    estimate, se, df, design = difference_in_means(y, z, block)
    assert (estimate, se, df, design) == (4.0, 1.0, 4.0, "stratified")
    frame = pd.DataFrame({"y": y, "z": z, "block": block})
    row = itt(frame, "y", "z", strata="block").tidy().set_index("term")
    assert row.loc["itt_dim", "estimate"] == 4.0
    assert row.loc["itt_lin", "estimate"] == pytest.approx(4.0)  # interacted strata: the same weights


def test_matched_pairs_use_the_pair_variance():
    # three pairs with differences 1, 2, 6: mean 3, V = ((1-3)^2 + (2-3)^2 + (6-3)^2) / (3 * 2) = 14/6, df 2
    y = np.array([2.0, 1.0, 5.0, 3.0, 10.0, 4.0])
    z = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0])
    pairs = np.repeat([0, 1, 2], 2)
    estimate, se, df, design = difference_in_means(y, z, pairs)
    assert (estimate, df, design) == (3.0, 2.0, "matched pairs")
    assert se == pytest.approx(np.sqrt(14 / 6))


def test_stratified_lin_estimate_weights_strata_by_size():
    rng = np.random.default_rng(4)
    rows = []
    for stratum, (n, m, effect) in enumerate(((40, 10, 1.0), (60, 40, 5.0))):
        z = rng.permutation(np.r_[np.ones(m), np.zeros(n - m)])
        rows.append(pd.DataFrame({"s": stratum, "z": z, "y": effect * z + rng.normal(size=n)}))
    frame = pd.concat(rows, ignore_index=True)
    res = itt(frame, "y", "z", strata="s").tidy().set_index("term")
    by_stratum = [frame[(frame.s == s) & (frame.z == 1)].y.mean() - frame[(frame.s == s) & (frame.z == 0)].y.mean()
                  for s in (0, 1)]
    expected = 0.4 * by_stratum[0] + 0.6 * by_stratum[1]
    assert res.loc["itt_dim", "estimate"] == pytest.approx(expected)
    assert res.loc["itt_lin", "estimate"] == pytest.approx(expected)


def test_categorical_covariates_and_arm_codes(star):
    frame = star.assign(arm=np.where(star["sfsp"] == 1, "programme", "control"),
                        band=pd.cut(star["gpa0"], [0, 75, 82, 101], labels=["low", "mid", "high"]))
    res = itt(frame, "GPA_year1", "arm", covariates=["band"])
    dummies = frame.assign(mid=(frame.band == "mid") * 1.0, high=(frame.band == "high") * 1.0)
    dummies = dummies.assign(mid=dummies.mid - dummies.mid.mean(), high=dummies.high - dummies.high.mean())
    reference = smf.ols("GPA_year1 ~ sfsp * (mid + high)", dummies).fit(cov_type="HC2")
    assert res.estimate == pytest.approx(reference.params["sfsp"], abs=1e-10)
    assert set(res.coefficients["term"]) >= {"band=mid", "band=high", "assigned:band=high"}


def test_attrition_is_counted_not_silently_dropped(star):
    res = itt(star, "GPA_year2", "sfsp")
    assert res.exclusions.set_index("reason")["rows"].sum() == star["GPA_year2"].isna().sum() == 17
    assert any("attrition" in n for n in res.notes)
    assert res.table["n_programme"].iloc[0] + res.table["n_control"].iloc[0] == 140


def test_bad_input_is_a_clear_error(star):
    with pytest.raises(DataError, match="'nope'"):
        itt(star, "nope", "sfsp")
    with pytest.raises(DataError, match="programme or control"):
        itt(star.assign(arm="maybe"), "GPA_year1", "arm")
    with pytest.raises(EstimationError, match="control arm"):
        itt(star.assign(all_in=1), "GPA_year1", "all_in")
    with pytest.raises(ConfigError, match="cov_type"):
        itt(star, "GPA_year1", "sfsp", cov_type="HC9")
    tiny = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "z": [1, 0, 0, 1, 1, 0], "s": ["a", "a", "a", "b", "b", "b"]})
    with pytest.raises(EstimationError, match="stratum|strata"):
        itt(tiny.assign(s=["a", "a", "a", "b", "b", "c"]), "y", "z", strata="s")


def test_result_surface_and_plot_languages(star):
    import matplotlib.pyplot as plt

    res = itt(star, "GPA_year1", "sfsp", covariates=["gpa0"])
    assert list(res.tidy().columns[:6]) == ["term", "estimate", "std_error", "conf_low", "conf_high", "p_value"]
    assert res.count_columns == ("n_programme", "n_control")
    assert "Lin (2013)" in res.summary() and "<table" in res._repr_html_()
    for lang, word in (("cs", "Efekt přiřazení"), ("en", "ITT, Lin")):
        fig, ax = plt.subplots()
        res.plot(ax=ax, lang=lang)
        assert any(word in t.get_text() for t in ax.get_yticklabels())
        plt.close(fig)
    with pytest.raises(ConfigError, match="lang"):
        res.plot(lang="de")
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.outcome = "x"
