"""Randomisation inference (evaluation.impact.trial_randomisation) against exact enumeration by hand.

Reference numbers: p-values computed in this file by listing every assignment of tiny designs with
itertools (complete randomisation of 6 units, 3 treated: 20 assignments; two strata of 4 and 3 units:
C(4,2) x C(3,1) = 18 assignments) and recomputing the statistic on the outcomes the sharp null implies.
The interval by test inversion is checked against its definition (p > alpha just inside, <= alpha just
outside); Monte Carlo p-values against the exact ones (binomial error).
"""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation.errors import ConfigError
from evaluation.impact import itt, trial_randomisation_test
from evaluation.impact.trial_randomisation import RandomisationDesign


def _dim(y, z, strata):
    total = 0.0
    for s in np.unique(strata):
        in_s = strata == s
        total += in_s.mean() * (y[in_s & (z == 1)].mean() - y[in_s & (z == 0)].mean())
    return total


def _hand_p(y, z, strata, tau, assignments):
    adjusted = y - tau * z
    observed = abs(_dim(y, z, strata) - tau)
    stats_ = [abs(_dim(adjusted, np.asarray(a, dtype=float), strata)) for a in assignments]
    return np.mean([s >= observed - 1e-12 for s in stats_])


def _complete(n, m):
    for chosen in itertools.combinations(range(n), m):
        z = np.zeros(n)
        z[list(chosen)] = 1
        yield z


def test_complete_randomisation_matches_enumeration_by_hand():
    y = np.array([7.0, 9.0, 6.5, 3.0, 4.0, 2.5])
    z = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    frame = pd.DataFrame({"y": y, "z": z})
    for tau in (0.0, 2.0, 5.0):
        res = trial_randomisation_test(frame, "y", "z", null=tau)
        assert res.exact and res.n_assignments == 20 == res.possible_assignments
        assert res.p_value == pytest.approx(_hand_p(y, z, np.zeros(6), tau, _complete(6, 3)))
    # the observed assignment is the most extreme of the 20 in both directions: p = 2/20
    assert trial_randomisation_test(frame, "y", "z").p_value == pytest.approx(0.1)


def test_stratified_randomisation_matches_enumeration_by_hand():
    y = np.array([5.0, 2.0, 6.0, 1.0, 8.0, 3.0, 4.0])
    z = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0])
    strata = np.array([0, 0, 0, 0, 1, 1, 1])
    assignments = [np.r_[a, b] for a in _complete(4, 2) for b in _complete(3, 1)]
    assert len(assignments) == 18
    frame = pd.DataFrame({"y": y, "z": z, "s": strata})
    for tau in (0.0, 1.5, 4.0):
        res = trial_randomisation_test(frame, "y", "z", strata="s", null=tau)
        assert res.n_assignments == 18 and res.design == "stratified"
        assert res.p_value == pytest.approx(_hand_p(y, z, strata, tau, assignments))
    assert res.estimate == pytest.approx(_dim(y, z, strata))


def test_design_counts_enumerates_and_draws_within_strata():
    design = RandomisationDesign.from_assignment(np.array([1.0, 0, 1, 0, 0, 1, 0]), np.array([0, 0, 0, 0, 1, 1, 1]))
    assert design.count() == 6 * 3
    all_ = design.enumerate()
    assert len({tuple(r) for r in all_}) == 18
    assert (all_[:, :4].sum(axis=1) == 2).all() and (all_[:, 4:].sum(axis=1) == 1).all()
    drawn = design.draw(np.random.default_rng(0), 5000)
    assert (drawn[:, :4].sum(axis=1) == 2).all() and (drawn[:, 4:].sum(axis=1) == 1).all()
    # every unit of the 3-unit stratum is treated a third of the time
    assert drawn[:, 4:].mean(axis=0) == pytest.approx([1 / 3] * 3, abs=0.03)


def test_confidence_interval_is_the_set_of_effects_not_rejected():
    rng = np.random.default_rng(7)
    z = rng.permutation(np.repeat([0.0, 1.0], 7))
    y = 2 * z + rng.normal(size=14)
    frame = pd.DataFrame({"y": y, "z": z})
    res = trial_randomisation_test(frame, "y", "z")
    assert res.exact and res.n_assignments == 3432
    width = res.conf_high - res.conf_low
    for bound, inward in ((res.conf_low, 1), (res.conf_high, -1)):
        inside = trial_randomisation_test(frame, "y", "z", null=bound + inward * 1e-6 * width)
        outside = trial_randomisation_test(frame, "y", "z", null=bound - inward * 1e-3 * width)
        assert inside.p_value > 0.05 >= outside.p_value
    assert res.conf_low < res.estimate < res.conf_high


def test_monte_carlo_p_value_agrees_with_the_exact_one():
    rng = np.random.default_rng(11)
    z = rng.permutation(np.repeat([0.0, 1.0], 7))
    frame = pd.DataFrame({"y": 0.8 * z + rng.normal(size=14), "z": z})
    exact = trial_randomisation_test(frame, "y", "z")
    drawn = trial_randomisation_test(frame, "y", "z", max_exact=10, draws=20_000, seed=3)
    assert not drawn.exact and drawn.n_assignments == 20_000
    assert drawn.p_value == pytest.approx(exact.p_value, abs=4 * np.sqrt(exact.p_value * (1 - exact.p_value) / 20_000))
    again = trial_randomisation_test(frame, "y", "z", max_exact=10, draws=20_000, seed=3)
    assert again.p_value == drawn.p_value  # the seed makes the draws reproducible


def test_lin_statistic_is_lins_estimate_and_its_interval_matches_neyman_roughly():
    star = pd.read_csv(Path(__file__).parent / "reference" / "alo_star_men.csv")
    res = trial_randomisation_test(star, "GPA_year1", "sfsp", statistic="lin", covariates=["gpa0"], draws=2000)
    lin = itt(star, "GPA_year1", "sfsp", covariates=["gpa0"])
    assert res.estimate == pytest.approx(lin.estimate, abs=1e-10)
    # randomisation and Neyman intervals agree to about a tenth of their width in a sample this size
    width = lin.conf_int[1] - lin.conf_int[0]
    assert res.conf_low == pytest.approx(lin.conf_int[0], abs=0.12 * width)
    assert res.conf_high == pytest.approx(lin.conf_int[1], abs=0.12 * width)


def test_too_few_assignments_give_an_unbounded_interval():
    frame = pd.DataFrame({"z": [1, 1, 0, 0], "y": [3.0, 4.0, 1.0, 2.0]})
    res = trial_randomisation_test(frame, "y", "z")
    assert res.p_value == pytest.approx(1 / 3) and np.isinf(res.conf_low) and np.isinf(res.conf_high)
    assert any("unbounded" in n for n in res.notes)


def test_errors_and_surface():
    import matplotlib.pyplot as plt

    frame = pd.DataFrame({"z": [1, 0] * 6, "y": np.arange(12.0), "x": np.arange(12.0) % 3})
    with pytest.raises(ConfigError, match="statistic"):
        trial_randomisation_test(frame, "y", "z", statistic="median")
    with pytest.raises(ConfigError, match="lin"):
        trial_randomisation_test(frame, "y", "z", covariates=["x"])
    with pytest.raises(ConfigError, match="draws"):
        trial_randomisation_test(frame, "y", "z", draws=10)
    res = trial_randomisation_test(frame, "y", "z", statistic="lin", covariates=["x"])
    tidy = res.tidy()
    assert tidy.loc[0, "n_assignments"] == 924 and bool(tidy.loc[0, "exact"])
    for lang, word in (("cs", "Rozdělení"), ("en", "Distribution")):
        fig, ax = plt.subplots()
        res.plot(ax=ax, lang=lang)
        assert any(word in t.get_text() for t in ax.get_legend().get_texts())
        plt.close(fig)
