"""Randomisation inference for DiD with few treated clusters, and the design-aware choice of inference.

References: exact enumeration on hand-computable examples (2 periods: the TWFE coefficient is a
difference in mean changes); the t statistic against evaluation.impact.twfe (CR1, same as pyfixest);
size by
simulation where theory says it is exact (exchangeable clusters, randomised p-value).
"""
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation.errors import ConfigError, DataError, EstimationError
from evaluation.impact import twfe
from evaluation.impact.few_clusters import choose_inference, few_cluster_inference
from evaluation.impact.randomization import (
    count_assignments,
    enumerate_assignments,
    permutation_p_value,
    randomization_inference,
)


def _two_period(changes, treated):
    rows = []
    for i, (dy, tr) in enumerate(zip(changes, treated)):
        rows += [{"u": i, "t": 0, "y": 0.0, "first": 1 if tr else 0},
                 {"u": i, "t": 1, "y": float(dy), "first": 1 if tr else 0}]
    return pd.DataFrame(rows)


def test_exact_enumeration_by_hand():
    # 4 units, 2 treated, changes (3, 2, 0, 1): coefficient = mean(treated) - mean(control).
    # The 6 assignments give differences 2, 1, 0, 0, -1, -2 (pairs {0,1},{0,3},{0,2},{1,3},{1,2},{2,3});
    # observed {0,1}: 2. Two-sided, ties count: |d| >= 2 in 2 of 6 -> p = 1/3.
    df = _two_period([3, 2, 0, 1], [True, True, False, False])
    with pytest.warns(UserWarning, match="smallest attainable p-value"):
        res = randomization_inference(df, "y", "u", "t", first_treated="first", statistic="coef", ci=False)
    assert res.exact and res.n_assignments == 6
    assert res.estimate == pytest.approx(2.0)
    assert sorted(np.round(res.distribution, 10)) == [-2, -1, 0, 0, 1, 2]
    assert res.p_value == pytest.approx(2 / 6)
    with pytest.warns(UserWarning):
        one_sided = randomization_inference(df, "y", "u", "t", first_treated="first", statistic="coef",
                                            ci=False, alternative="greater")
    assert one_sided.p_value == pytest.approx(1 / 6)


def test_assignment_counting_and_enumeration():
    cohorts = [0, 0, 0, 5, 5, 7]
    assert count_assignments(cohorts) == math.factorial(6) // (math.factorial(3) * math.factorial(2))
    rows = enumerate_assignments(cohorts)
    assert rows.shape == (60, 6) and len({tuple(r) for r in rows}) == 60
    assert (rows[0] == cohorts).all()


def test_randomised_p_value_splits_ties():
    draws = np.array([2.0, 2.0, 1.0, 0.5, -2.0])   # observed first; 3 ties in absolute value
    assert permutation_p_value(2.0, draws, exact=True) == pytest.approx(3 / 5)
    values = [permutation_p_value(2.0, draws, exact=True, kind="randomised", rng=np.random.default_rng(s))
              for s in range(2000)]
    assert np.mean(values) == pytest.approx(1.5 / 5, abs=0.01)
    assert min(values) >= 0 and max(values) <= 3 / 5


def test_t_statistic_matches_twfe_cluster_robust():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"m": np.repeat(np.arange(14), 8), "t": np.tile(np.arange(8), 14)})
    df["first"] = np.where(df.m < 3, 4, np.where(df.m < 5, 6, 0))
    df["x"] = rng.normal(size=len(df))
    df["d"] = ((df["first"] > 0) & (df.t >= df["first"])).astype(float)
    df["y"] = rng.normal(size=len(df)) + 0.5 * df.x + 0.8 * df.d
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = twfe(df, "y", "d", "m", "t", covariates=["x"])
    res = randomization_inference(df, "y", "m", "t", first_treated="first", covariates=["x"], seed=1)
    assert res.estimate == pytest.approx(fit.estimate, rel=1e-10)
    assert res.observed == pytest.approx(fit.estimate / fit.std_error, rel=1e-8)
    assert res.n_assignments == math.factorial(14) // (math.factorial(3) * math.factorial(2) * math.factorial(9))
    # the same design given as a 0/1 treatment column
    same = randomization_inference(df, "y", "m", "t", treatment="d", covariates=["x"], seed=1)
    assert same.p_value == res.p_value
    # the interval inverts the test: its ends have p = alpha, the estimate is inside
    assert res.conf_low < res.estimate < res.conf_high


def _exchangeable(rng, n=10, treated=3, periods=6, effect=0.0):
    df = pd.DataFrame({"m": np.repeat(np.arange(n), periods), "t": np.tile(np.arange(periods), n)})
    df["first"] = np.where(df.m < treated, 3, 0)
    df["y"] = rng.normal(size=len(df)) + effect * ((df["first"] > 0) & (df.t >= 3))
    return df


def test_size_exact_under_exchangeable_clusters():
    # Theory: with exchangeable clusters and the randomised p-value, the rejection rate under the
    # sharp null is exactly alpha (120 assignments here). 300 replications: binomial band (3 SD).
    rng = np.random.default_rng(20)
    reps, rejected = 300, {"t": 0, "coef": 0}
    for r in range(reps):
        df = _exchangeable(rng)
        for stat in rejected:
            res = randomization_inference(df, "y", "m", "t", first_treated="first", statistic=stat,
                                          p_value="randomised", ci=False, seed=r)
            rejected[stat] += res.p_value <= 0.05
    band = 3 * np.sqrt(0.05 * 0.95 / reps)
    for stat, count in rejected.items():
        assert abs(count / reps - 0.05) <= band, (stat, count / reps)


def test_staggered_permutation_and_cs_statistic():
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"m": np.repeat(np.arange(8), 6), "t": np.tile(np.arange(1, 7), 8)})
    df["first"] = np.select([df.m < 2, df.m < 3], [3, 5], 0)
    df["y"] = rng.normal(size=len(df)) + 2.0 * ((df["first"] > 0) & (df.t >= df["first"]))
    res = randomization_inference(df, "y", "m", "t", first_treated="first", statistic="cs_att")
    assert res.n_assignments == math.factorial(8) // (math.factorial(2) * math.factorial(5))
    assert res.exact and np.isnan(res.conf_low)
    assert res.estimate == pytest.approx(res.distribution[0])


def test_result_surface_plot_and_errors():
    import matplotlib
    matplotlib.use("Agg")
    rng = np.random.default_rng(5)
    df = _exchangeable(rng, n=12, effect=1.0)
    res = randomization_inference(df, "y", "m", "t", first_treated="first", seed=2)
    table = res.tidy()
    assert list(table.columns[:6]) == ["term", "estimate", "std_error", "conf_low", "conf_high", "p_value"]
    assert res.plot(lang="en").get_xlabel().startswith("t statistic")
    assert res.plot(lang="cs").get_xlabel().startswith("t statistika")
    with pytest.raises(ConfigError, match="exactly one"):
        randomization_inference(df, "y", "m", "t")
    with pytest.raises(ConfigError, match="statistic"):
        randomization_inference(df, "y", "m", "t", first_treated="first", statistic="f")
    bad = df.copy()
    bad.loc[0, "first"] = 4
    with pytest.raises(DataError, match="whole clusters"):
        randomization_inference(bad, "y", "m", "t", first_treated="first")
    with pytest.raises(EstimationError, match="some clusters and not"):
        randomization_inference(df.assign(first=0), "y", "m", "t", first_treated="first")


def test_design_aware_choice():
    many = choose_inference(100, 40)
    assert many.method == "cluster"
    mid = choose_inference(30, 8)
    assert mid.method == "wild_bootstrap" and mid.weights == "rademacher"
    few = choose_inference(12, 3, variance_ratio=6.25)
    assert few.method == "randomization" and few.statistic == "t"
    assert "MacKinnon" in few.reasons("en")[-1] and "randomizační" in few.reasons("cs")[-1]
    unlike = choose_inference(60, 16, size_ratio=40.0)
    assert unlike.method == "randomization"
    tiny = choose_inference(4, 1)
    assert not tiny.can_reject and "no test can show an effect" in tiny.reasons("en")[-1]
    rng = np.random.default_rng(6)
    df = _exchangeable(rng, n=12, treated=3)
    df.loc[df.m < 3, "y"] *= 3.0
    choice = few_cluster_inference(df, "y", "t", "m", first_treated="first")
    assert choice.method == "randomization" and choice.variance_ratio > 2
    assert choice.n_assignments == 220
    result = choice.run(df, "y", "m", "t", first_treated="first", ci=False)
    assert result.statistic == "t"


@pytest.mark.slow
def test_full_simulation_few_noisier_treated():
    # benchmarks/sim_few_clusters.py design a (12 municipalities, 3 treated 2.5x noisier), 300
    # replications: cluster-robust CR1 over-rejects; RI with the t statistic over-rejects least and
    # less than RI with the coefficient (MacKinnon & Webb 2020).
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[2] / "benchmarks" / "sim_few_clusters.py"
    spec = importlib.util.spec_from_file_location("sim_few_clusters", path)
    sim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sim)
    rates = sim.simulate("a", 300, 0.0, seed=3)
    se = np.sqrt(0.05 * 0.95 / 300)
    assert rates["CR1"] > 0.05 + 2 * se
    assert rates["RI t"] < rates["RI coef"] and rates["RI t"] <= min(rates.values()) + 1e-12
