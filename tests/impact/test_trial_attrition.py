"""Attrition and Lee (2009) bounds (evaluation.impact.trial_attrition).

Reference numbers:

* R ``leebounds`` (Semenova; github:vsemenova/leebounds, copy mindis/leebounds) documented output on
  the Angrist et al. (2002) Colombian voucher data, ``ABBKK_2002/STEP2_Estimate_Bounds/
  Table_ABBKK_2002.txt`` "Column 2": trimming threshold 1.057; MATH [0.075, 0.279], READING
  [0.029, 0.261], WRITING [-0.057, 0.204] (3 decimals). That program keeps every unit tied with the cut
  quantile, reproduced with ``ties="keep"``;
* the sharp bounds (default, exact share trimmed) against their definition: the largest and smallest
  mean of any subset of the trimmed arm of the size left after trimming (exhaustive on a small sample);
* Lee's analytic standard errors against the spread of the bounds over simulated trials (12 %);
* Imbens & Manski's critical value: 1.96 when the bounds coincide, 1.645 when they are far apart;
* Fisher's exact test of differential attrition against scipy.
"""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation.errors import ConfigError, EstimationError
from evaluation.impact import attrition, lee_bounds
from evaluation.impact.trial_attrition import imbens_manski_critical

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def vouchers():
    data = pd.read_csv(REFERENCE / "abk_vouchers.csv")
    assert len(data) == 3610
    return data


def _scores(data, subject):
    return pd.DataFrame({"z": data["VOUCH0"], "y": np.where(data["TEST_TAK"] == 1, data[subject], np.nan)})


@pytest.mark.parametrize("subject, lower, upper", [("MATH", 0.075, 0.279), ("READING", 0.029, 0.261),
                                                   ("WRITING", -0.057, 0.204)])
def test_r_leebounds_documented_output_on_the_voucher_data(vouchers, subject, lower, upper):
    res = lee_bounds(_scores(vouchers, subject), "y", "z", ties="keep")
    assert (round(res.lower, 3), round(res.upper, 3)) == (lower, upper)
    # the control arm took the test more often: its outcomes are trimmed; threshold 1.057 = s0 / s1
    assert res.trimmed_arm == "control"
    assert round(1 / (1 - res.trimming_share), 3) == 1.057


def test_sharp_bounds_are_the_extreme_subset_means():
    rng = np.random.default_rng(2)
    y1 = rng.normal(size=10).round(1)  # 10 programme units observed, 2 of 12 control units missing
    y0 = np.r_[rng.normal(size=8).round(1), np.nan, np.nan, np.nan, np.nan]
    frame = pd.DataFrame({"z": np.r_[np.ones(10), np.zeros(12)], "y": np.r_[y1, y0]})
    res = lee_bounds(frame, "y", "z")
    # control observed 8/12 = 2/3, programme 10/10: trim p = 1/3 of the 10, i.e. keep 6.667 -> check keep 20/3
    assert res.trimming_share == pytest.approx(1 / 3)
    keep = 10 * 2 / 3
    means = [np.mean(c) for c in itertools.combinations(np.sort(y1), 7)]
    # fractional trimming lies between the best 7-subset and the best 6-subset, weighted 2/3 : 1/3
    top7, top6 = np.sort(y1)[-7:], np.sort(y1)[-6:]
    expected_upper = (top6.sum() + (keep - 6) * top7[0]) / keep - np.nanmean(y0)
    assert res.upper == pytest.approx(expected_upper)
    assert max(means) - np.nanmean(y0) <= res.upper + 1e-12
    bottom7, bottom6 = np.sort(y1)[:7], np.sort(y1)[:6]
    assert res.lower == pytest.approx((bottom6.sum() + (keep - 6) * bottom7[-1]) / keep - np.nanmean(y0))


def test_equal_observation_rates_trim_nothing():
    frame = pd.DataFrame({"z": [1, 1, 1, 1, 0, 0, 0, 0], "y": [1.0, 2, 3, np.nan, 0, 1, 2, np.nan]})
    res = lee_bounds(frame, "y", "z")
    assert res.trimming_share == 0 and res.lower == res.upper == pytest.approx(1.0)
    assert res.conf_low == pytest.approx(1.0 - 1.96 * res.se_lower, abs=0.01 * res.se_lower)


def test_analytic_standard_errors_match_the_sampling_spread():
    """Lee's delta-method standard errors against the spread of the bounds over 300 simulated trials
    (n = 2,000; observed 90 % with the programme, 75 % without; a continuous outcome)."""
    rng = np.random.default_rng(5)
    estimates, errors = [], []
    for _ in range(300):
        z = rng.permutation(np.repeat([0.0, 1.0], 1000))
        y = 1.0 + 0.5 * z + rng.normal(size=2000)
        seen = rng.random(2000) < np.where(z == 1, 0.90, 0.75)
        res = lee_bounds(pd.DataFrame({"z": z, "y": np.where(seen, y, np.nan)}), "y", "z")
        estimates.append((res.lower, res.upper))
        errors.append((res.se_lower, res.se_upper))
    spread = np.std(np.array(estimates), axis=0, ddof=1)
    assert np.mean(errors, axis=0) == pytest.approx(spread, rel=0.12)


def test_imbens_manski_critical_value():
    assert imbens_manski_critical(0.0, 1.0, 1.0, 0.05) == pytest.approx(1.959964, abs=1e-5)
    assert imbens_manski_critical(100.0, 1.0, 1.0, 0.05) == pytest.approx(1.644854, abs=1e-5)
    c = imbens_manski_critical(1.0, 0.5, 0.8, 0.05)
    assert 1.645 < c < 1.96
    assert stats.norm.cdf(c + 1.0 / 0.8) - stats.norm.cdf(-c) == pytest.approx(0.95)


def test_attrition_by_arm_and_fishers_test():
    frame = pd.DataFrame({"z": [1] * 20 + [0] * 20,
                          "y": [1.0] * 18 + [np.nan] * 2 + [1.0] * 12 + [np.nan] * 8,
                          "why": [None] * 18 + ["moved_away"] * 2 + [None] * 12 + ["withdrew"] * 5 + [None] * 3})
    res = attrition(frame, "z", "y", reason="why")
    table = res.tidy().set_index("arm")
    assert table.loc["programme", "lost"] == 2 and table.loc["control", "attrition_rate"] == 0.4
    assert res.p_value == pytest.approx(stats.fisher_exact([[2, 18], [8, 12]])[1])
    assert res.difference == pytest.approx(-0.3)
    reasons = res.reasons.set_index(["arm", "reason"])["lost"]
    assert reasons[("control", "withdrew")] == 5 and reasons[("control", "not_recorded")] == 3
    assert any("Lee" in n for n in res.notes)


def test_errors_and_plot():
    import matplotlib.pyplot as plt

    frame = pd.DataFrame({"z": [1, 1, 1, 0, 0, 0], "y": [1.0, 2, 3, 1, np.nan, np.nan]})
    with pytest.raises(EstimationError, match="fewer than 2"):
        lee_bounds(frame, "y", "z")
    with pytest.raises(ConfigError, match="ties"):
        lee_bounds(frame, "y", "z", ties="round")
    res = lee_bounds(_scores(pd.read_csv(REFERENCE / "abk_vouchers.csv"), "MATH"), "y", "z")
    assert list(res.tidy()["term"]) == ["lee_lower", "lee_upper", "complete_cases"]
    for lang, word in (("cs", "Rozdíl průměrů"), ("en", "Difference among")):
        fig, ax = plt.subplots()
        res.plot(ax=ax, lang=lang)
        assert any(word in t.get_text() for t in ax.get_yticklabels())
        plt.close(fig)
