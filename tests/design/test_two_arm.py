"""Two-arm power against statsmodels and Stata's documented output.

References:

* statsmodels 0.14/0.15 ``TTestIndPower`` and ``NormalIndPower`` (with ``proportion_effectsize``):
  power at 1e-12; solved quantities: statsmodels' own power function at our solution hits the
  target to 1e-10, and the solutions agree to 1e-6 relative (1e-5 for ``NormalIndPower``, whose
  root finder stops about 1e-6 short of the target).
* Stata ``power twomeans 8 (10(1)14), sd(9)`` (two-sided and ``onesided``): N per group 319, 143,
  81, 52, 37 and 252, 112, 64, 41, 29 -- output reproduced in a Stata tutorial (mlln.cn, "stata
  教程07-常见样本量估计", 2018).
* Stata ``power twomeans 0 1.1, m1(20) m2(20) sd(3.67) rho(0.025)`` (the manual's cluster example
  after Ahn, Heo & Zhang 2015, p. 37): K1 = K2 = 13, N1 = N2 = 260 (same tutorial);
  ``power twomeans 0 0.2, cluster sd1(1) sd2(1) m1(15) rho(0.3)``: K = 137 per arm, and
  ``power twomeans 0 0.1, m1(40) rho(0.1)``: K = 193 per arm (course solutions with the Stata
  output pasted in).
* Stata 15 ``power twoproportions``: 0.025 vs 0.0125 -> 1,848 per group; 0.5 vs 0.7 and 0.3 vs 0.5
  -> 93 per group (an RStata session log); 0.5 vs 0.8 at 95% power -> 63 per group (chi-squared
  test, a blog post comparing it with ``test(lrchi2)``).
* Eldridge, Ashby & Kerry (2006): the design effect with unequal clusters is exact for the
  variance of the mean of all individuals, checked against the exact variance of given clusters.
"""
import numpy as np
import pytest
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import proportion_effectsize

from evaluation.design import two_means, two_proportions
from evaluation.design._common import design_effect
from evaluation.errors import ConfigError, EstimationError


@pytest.mark.parametrize("effect,n_control,ratio,alternative", [
    (0.5, 64, 1.0, "two-sided"), (0.3, 60, 0.5, "two-sided"), (0.2, 150, 2.0, "larger"),
    (-0.4, 40, 1.0, "smaller"), (0.8, 10, 3.0, "two-sided")])
def test_t_power_matches_statsmodels(effect, n_control, ratio, alternative):
    ref = TTestIndPower().power(effect, n_control, 0.05, ratio=ratio, alternative=alternative)
    ours = two_means(effect, n_control * (1 + ratio), None, allocation=ratio, alternative=alternative).power
    assert ours == pytest.approx(ref, abs=1e-12)
    ref_z = NormalIndPower().power(effect, n_control, 0.05, ratio=ratio, alternative=alternative)
    ours_z = two_means(effect, n_control * (1 + ratio), None, allocation=ratio, alternative=alternative,
                       test="z").power
    assert ours_z == pytest.approx(ref_z, abs=1e-12)


@pytest.mark.parametrize("ratio", [1.0, 0.5, 2.0])
def test_t_solutions_match_statsmodels(ratio):
    solver = TTestIndPower()
    n1 = solver.solve_power(effect_size=0.35, power=0.8, alpha=0.05, ratio=ratio)
    ours = two_means(0.35, None, 0.8, allocation=ratio)
    assert ours.values["n_exact"] / (1 + ratio) == pytest.approx(n1, rel=1e-7)
    assert solver.power(0.35, ours.values["n_exact"] / (1 + ratio), 0.05, ratio=ratio) == pytest.approx(0.8, abs=1e-10)
    d = solver.solve_power(effect_size=None, nobs1=60, power=0.8, alpha=0.05, ratio=ratio)
    mde = two_means(None, 60 * (1 + ratio), 0.8, allocation=ratio).effect
    assert mde == pytest.approx(d, rel=1e-6)
    assert solver.power(mde, 60, 0.05, ratio=ratio) == pytest.approx(0.8, abs=1e-10)
    z = NormalIndPower().solve_power(effect_size=None, nobs1=60, power=0.9, alpha=0.01, ratio=ratio)
    ours_z = two_means(None, 60 * (1 + ratio), 0.9, alpha=0.01, allocation=ratio, test="z").effect
    # statsmodels' normal solver stops about 1e-6 short (its own power at its solution is off by 1e-6)
    assert ours_z == pytest.approx(z, rel=1e-5)
    assert NormalIndPower().power(ours_z, 60, 0.01, ratio=ratio) == pytest.approx(0.9, abs=1e-10)


def test_effect_in_outcome_units_scales_with_sd():
    assert two_means(None, 90, 0.8, sd=1500.0, allocation=0.5).effect == \
        pytest.approx(1500.0 * two_means(None, 90, 0.8, allocation=0.5).effect, rel=1e-9)


def test_stata_twomeans_table():
    two_sided = [two_means(m2 - 8, None, 0.8, sd=9).values["n_control"] for m2 in range(10, 15)]
    one_sided = [two_means(m2 - 8, None, 0.8, sd=9, alternative="larger").values["n_control"]
                 for m2 in range(10, 15)]
    assert two_sided == [319, 143, 81, 52, 37]
    assert one_sided == [252, 112, 64, 41, 29]
    res = two_means(4, None, 0.8, sd=9)
    assert res.values["n"] == 162 and res.values["power_achieved"] >= 0.8


@pytest.mark.parametrize("effect,sd,m,rho,clusters", [(1.1, 3.67, 20, 0.025, 13), (0.2, 1.0, 15, 0.3, 137),
                                                      (0.1, 1.0, 40, 0.1, 193)])
def test_stata_cluster_twomeans(effect, sd, m, rho, clusters):
    res = two_means(effect, None, 0.8, sd=sd, cluster_size=m, icc=rho, test="z")
    assert res.values["clusters_control"] == clusters == res.values["clusters_treated"]
    assert res.values["n_control"] == clusters * m
    assert res.values["design_effect"] == pytest.approx(1 + (m - 1) * rho)


def test_cluster_t_test_needs_more_clusters_than_z():
    z = two_means(1.1, None, 0.8, sd=3.67, cluster_size=20, icc=0.025, test="z").values["clusters_control"]
    t = two_means(1.1, None, 0.8, sd=3.67, cluster_size=20, icc=0.025).values["clusters_control"]
    assert t >= z


@pytest.mark.parametrize("p1,p2,power,per_group", [(0.025, 0.0125, 0.8, 1848), (0.5, 0.7, 0.8, 93),
                                                   (0.3, 0.5, 0.8, 93), (0.5, 0.8, 0.95, 63)])
def test_stata_twoproportions(p1, p2, power, per_group):
    res = two_proportions(p1, p2, None, power)
    assert res.values["n_control"] == per_group == res.values["n_treated"]


@pytest.mark.parametrize("ratio", [1.0, 0.5])
def test_arcsine_matches_statsmodels_normal_power(ratio):
    h = proportion_effectsize(0.85, 0.7)
    ref = NormalIndPower().power(h, 100, 0.05, ratio=ratio)
    ours = two_proportions(0.7, 0.85, 100 * (1 + ratio), None, allocation=ratio, method="arcsine")
    assert ours.power == pytest.approx(ref, abs=1e-12)
    assert ours.values["standardized_effect"] == pytest.approx(h)
    n1 = NormalIndPower().solve_power(effect_size=h, power=0.8, alpha=0.05, ratio=ratio)
    solved = two_proportions(0.7, 0.85, None, 0.8, allocation=ratio, method="arcsine")
    assert solved.values["n_exact"] / (1 + ratio) == pytest.approx(n1, rel=1e-7)


def test_detectable_retention_round_trips():
    mde = two_proportions(0.7, None, 150, 0.8, allocation=0.5)
    assert mde.effect > 0.7
    back = two_proportions(0.7, mde.effect, 150, None, allocation=0.5)
    assert back.power == pytest.approx(0.8, abs=1e-9)
    lower = two_proportions(0.7, None, 150, 0.8, allocation=0.5, direction="decrease")
    assert lower.effect < 0.7


def test_eldridge_design_effect_is_exact_for_unequal_clusters():
    sizes = np.array([3, 8, 12, 20, 40, 5, 9])
    icc = 0.07
    # variance of the mean of all individuals (unit variance) relative to simple random sampling
    exact = np.sum(sizes * (1 + (sizes - 1) * icc)) / sizes.sum()
    cv = sizes.std(ddof=0) / sizes.mean()
    assert design_effect(icc, sizes.mean(), cv) == pytest.approx(exact, rel=1e-12)


def test_unequal_clusters_need_more_people():
    equal = two_means(0.3, None, 0.8, cluster_size=10, icc=0.05).values["n"]
    unequal = two_means(0.3, None, 0.8, cluster_size=10, icc=0.05, cluster_size_cv=0.6).values["n"]
    assert unequal > equal


def test_bad_input_is_a_clear_error():
    with pytest.raises(ConfigError, match="leave the one to compute as None"):
        two_means(0.5, 100, 0.8)
    with pytest.raises(ConfigError, match="leave the one to compute as None"):
        two_means(None, None, 0.8)
    with pytest.raises(ConfigError, match="alpha"):
        two_means(0.5, None, 0.8, alpha=1.5)
    with pytest.raises(ConfigError, match="intra-cluster correlation"):
        two_means(0.5, None, 0.8, icc=1.2, cluster_size=5)
    with pytest.raises(ConfigError, match="p_control"):
        two_proportions(1.3, 0.5, None, 0.8)
    with pytest.raises(ConfigError, match="at least"):
        two_means(None, 2, 0.8)
    with pytest.raises(EstimationError, match="too small"):
        two_proportions(0.7, None, 10, 0.999, allocation=0.5)
