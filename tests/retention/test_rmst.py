"""Restricted mean survival time against survRM2, R survival's rmean, lifelines' curve with late
entry, Monte Carlo and the synthetic generator's truth.

References:

* survRM2 1.0-4 vignette ("Vignette for survRM2 package", Uno, printed output of
  ``rmst2(time, status, arm, tau=10)`` on ``rmst2.sample.data()``): the 312 randomised PBC
  patients, checked in as tests/retention/data/pbc_randomised.csv (source and licence there);
  compared at the printed precision (3 decimals, so |difference| <= 0.0005 + rounding).
* R survival 3.8-6, tests/Examples/survival-Ex.Rout.save (example of ``pseudo``):
  ``print(survfit(Surv(time, status) ~ ph.ecog, data=lung), rmean=730)`` prints rmean 429, 366,
  256, 118 and se 32.2, 22.4, 30.0, 0.0; the lung data ship with lifelines (``load_lung``, status
  recoded 0/1).
* lifelines 0.30 ``KaplanMeierFitter(entry=...)``: the curve with late entry, integrated here.
* Truth: exponential times (RMST = (1 - exp(-l tau)) / l) and the synthetic generator's
  household hazards (RMST_i = (1 - exp(-h_i tau)) / h_i averaged over households).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.datasets import load_lung

from evaluation.errors import DataError
from evaluation.retention import KaplanMeier, RestrictedMeanSurvival, housing_episodes, rmst
from evaluation.retention.rmst import area_and_variance

DATA = Path(__file__).resolve().parent / "data" / "pbc_randomised.csv"


@pytest.fixture(scope="module")
def pbc():
    d = pd.read_csv(DATA)
    return pd.DataFrame({"time": d["time"] / 365.25, "status": (d["status"] == 2).astype(int),
                         "arm": np.where(d["trt"] == 1, "1", "0")})


def test_pbc_matches_survrm2_vignette(pbc):
    res = rmst(pbc["time"], pbc["status"], groups=pbc["arm"], tau=10, reference="0")
    assert (pbc["arm"] == "1").sum() == 158 and (pbc["arm"] == "0").sum() == 154
    rows = res.tidy().set_index("group")
    printed = {"1": (7.146, 0.283, 6.592, 7.701), "0": (7.283, 0.295, 6.704, 7.863)}
    for arm, (est, se, low, high) in printed.items():
        got = rows.loc[arm, ["estimate", "std_error", "conf_low", "conf_high"]].to_numpy(float)
        np.testing.assert_allclose(got, [est, se, low, high], atol=6e-4)
        assert rows.loc[arm, "rmtl"] == pytest.approx(10 - est, abs=6e-4)
    contrasts = res.contrasts().set_index("term")
    printed_contrasts = {"difference": (-0.137, -0.939, 0.665, 0.738), "ratio": (0.981, 0.878, 1.096, 0.738),
                         "rmtl_ratio": (1.050, 0.787, 1.402, 0.738)}
    for term, (est, low, high, p) in printed_contrasts.items():
        got = contrasts.loc[term, ["estimate", "conf_low", "conf_high", "p_value"]].to_numpy(float)
        np.testing.assert_allclose(got, [est, low, high, p], atol=6e-4)


def test_lung_matches_r_survival_rmean():
    lung = load_lung().dropna(subset=["ph.ecog"])
    res = rmst(lung["time"], lung["status"], groups=lung["ph.ecog"].astype(int), tau=730)
    rows = res.tidy().set_index("group")
    for group, (mean, se) in {"0": (429, 32.2), "1": (366, 22.4), "2": (256, 30.0), "3": (118, 0.0)}.items():
        assert rows.loc[group, "estimate"] == pytest.approx(mean, abs=0.5)
        assert rows.loc[group, "std_error"] == pytest.approx(se, abs=0.05)
    # ph.ecog = 3 is one death at 118 days: the curve reaches 0 before 730, so the RMST is defined
    assert rows.loc["3", "n"] == 1


def test_kaplan_meier_result_gives_the_same_rmst(pbc):
    km = KaplanMeier().fit(pbc["time"], pbc["status"], groups=pbc["arm"])
    via_km = km.restricted_mean(tau=(5, 10), reference="0")
    direct = RestrictedMeanSurvival(tau=(5, 10), reference="0").fit(pbc["time"], pbc["status"], groups=pbc["arm"])
    pd.testing.assert_frame_equal(via_km.tidy(), direct.tidy())
    pd.testing.assert_frame_equal(via_km.contrasts(), direct.contrasts())


def late_entry_sample(rng, n, rate=0.08, follow=30.0):
    """Exponential times observed from a uniform entry time on (left truncation), censored at ``follow``."""
    entry = rng.uniform(0, 8, n) * (rng.random(n) < 0.5)
    t = entry + rng.exponential(1 / rate, n)  # memoryless: T | T > entry is entry + Exp(rate)
    c = entry + rng.uniform(5, follow, n)
    return entry, np.minimum(t, c), (t <= c).astype(int)


def test_late_entry_area_equals_lifelines_curve_integrated():
    entry, stop, event = late_entry_sample(np.random.default_rng(4), 400)
    tau = 15.0
    ours = rmst(stop, event, entry=entry, tau=tau).tidy().iloc[0]
    kmf = KaplanMeierFitter().fit(stop, event, entry=entry)
    sf = kmf.survival_function_.iloc[:, 0]
    times = np.concatenate([sf.index.to_numpy()[sf.index.to_numpy() < tau], [tau]])
    area = float(np.sum(np.diff(times) * sf.loc[sf.index < tau].to_numpy()))
    assert ours["estimate"] == pytest.approx(area, rel=1e-12)
    assert ours["n_late_entry"] > 100


def _coverage(reps, n, seed):
    rng = np.random.default_rng(seed)
    rate, tau = 0.08, 15.0
    truth = (1 - np.exp(-rate * tau)) / rate
    est, se = np.empty(reps), np.empty(reps)
    for r in range(reps):
        entry, stop, event = late_entry_sample(rng, n, rate)
        row = rmst(stop, event, entry=entry, tau=tau).tidy().iloc[0]
        est[r], se[r] = row["estimate"], row["std_error"]
    return truth, est, se


def test_late_entry_variance_matches_monte_carlo_spread():
    """The Greenwood-type SE with late entry equals the spread of the estimates over samples (light:
    300 samples of 300; the SD of an SD estimate is then about 4%)."""
    truth, est, se = _coverage(300, 300, seed=11)
    assert abs(est.mean() - truth) < 3 * est.std(ddof=1) / np.sqrt(len(est))
    assert se.mean() == pytest.approx(est.std(ddof=1), rel=0.12)
    covered = np.mean(np.abs(est - truth) <= 1.96 * se)
    assert 0.91 <= covered <= 0.98


@pytest.mark.slow
def test_late_entry_variance_matches_monte_carlo_spread_heavy():
    truth, est, se = _coverage(1500, 300, seed=12)
    assert abs(est.mean() - truth) < 3 * est.std(ddof=1) / np.sqrt(len(est))
    assert se.mean() == pytest.approx(est.std(ddof=1), rel=0.05)
    covered = np.mean(np.abs(est - truth) <= 1.96 * se)
    assert 0.935 <= covered <= 0.965


@pytest.fixture(scope="module")
def synthetic_truth():
    """Episodes of one synthetic draw and the true RMST by group from the generator's household hazards."""
    from evaluation.synthetic import simulate
    from evaluation.synthetic.households import simulate_population
    from evaluation.synthetic.simulate import _STREAMS

    seed, scale = 2019, 10.0
    data = simulate(seed=seed, scale=scale)
    # the generator draws the households from the first of its streams: the same draw, with hazards
    stream = np.random.SeedSequence(seed).spawn(len(_STREAMS))[_STREAMS.index("households")]
    households = simulate_population(np.random.default_rng(stream), scale).households
    exits = data.truth.parameters["sample_negative_exit_rates"]["programme"]["negative_exits"]
    assert int(households.loc[households["group"] == "programme", "negative_exit"].sum()) == exits
    hazard = households["negative_hazard"].to_numpy()
    truth = {(g, tau): float(np.mean((1 - np.exp(-hazard[m] * tau)) / hazard[m]))
             for g in ("programme", "comparison") for m in [(households["group"] == g).to_numpy()]
             for tau in (12.0, 20.0)}
    return data, truth


@pytest.mark.parametrize("data_start", [None, "2017-06-01"])
def test_synthetic_rmst_recovers_the_generator_truth(synthetic_truth, data_start):
    """Months housed in the first 12 and 20 months (losing the home is the event, other exits
    censored) within 3 standard errors of the truth; with records starting in June 2017 most
    households enter the risk set late."""
    data, truth = synthetic_truth
    episodes = housing_episodes(data.tables["tenancies"], data.tables["households"], data_start=data_start,
                                censor_date=data.truth.parameters["household_data_extraction_date"])
    res = RestrictedMeanSurvival(tau=(12, 20)).fit_episodes(episodes, by="group")
    if data_start:
        assert res.late_entry > 2000
    for _, row in res.tidy().iterrows():
        assert abs(row["estimate"] - truth[(row["group"], row["tau"])]) < 3 * row["std_error"], row
    diff = res.contrasts().query("term == 'difference' and tau == 20").iloc[0]
    true_diff = truth[("programme", 20.0)] - truth[("comparison", 20.0)]
    assert diff["group"] == "programme" and diff["reference"] == "comparison"
    assert diff["conf_low"] <= true_diff <= diff["conf_high"]
    assert diff["p_value"] < 1e-6


def test_tau_beyond_follow_up_is_not_estimable_with_a_note():
    res = rmst([1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 0, 0], groups=["a"] * 3 + ["b"] * 3, tau=(2.5, 4))
    table = res.tidy().set_index(["group", "tau"])
    assert np.isnan(table.loc[("a", 4.0), "estimate"]) and np.isfinite(table.loc[("b", 4.0), "estimate"])
    assert any("not estimable at 4 months" in n for n in res.notes)
    ratio = res.contrasts().query("tau == 4 and term == 'ratio'")
    assert ratio["estimate"].isna().all()


def test_everyone_entering_late_is_flagged():
    res = rmst([5, 8, 9, 12], [1, 0, 1, 0], entry=[2, 3, 2, 1], tau=10)
    assert any("nobody was at risk at the start" in n for n in res.notes)


def test_area_and_variance_by_hand():
    # S = 5/6 after 2, 2/3 after 4, 4/9 after 7; area to 10 = 2 + 2*5/6 + 3*2/3 + 3*4/9 = 7
    t = np.array([2.0, 4.0, 7.0, 9.0])
    mu, var = area_and_variance(t, np.array([6, 5, 3, 2]), np.array([1, 1, 1, 0]),
                                np.array([5 / 6, 2 / 3, 4 / 9, 4 / 9]), 10.0)
    assert mu == pytest.approx(7.0)
    a = [2 * 5 / 6 + 3 * 2 / 3 + 3 * 4 / 9, 3 * 2 / 3 + 3 * 4 / 9, 3 * 4 / 9]  # areas after each event
    expected = a[0] ** 2 / (6 * 5) + a[1] ** 2 / (5 * 4) + a[2] ** 2 / (3 * 2)
    assert var == pytest.approx(expected)


def test_bad_input_is_a_clear_error():
    with pytest.raises(DataError, match="tau"):
        rmst([1, 2], [1, 0], tau=-3)
    with pytest.raises(DataError, match="reference group 'x'"):
        rmst([1, 2, 3, 4], [1, 0, 1, 0], groups=["a", "a", "b", "b"], tau=2, reference="x")
    with pytest.raises(DataError, match="before their entry"):
        rmst([1, 2], [1, 0], entry=[2, 0], tau=1)


def test_czech_sentence_and_plot(pbc):
    res = rmst(pbc["time"], pbc["status"], groups=pbc["arm"], tau=(5, 10), reference="0")
    cs = res.sentence("1", 10, lang="cs")
    assert "strávily v bydlení během prvních 10 měsíců v průměru 7,1 měsíce" in cs and "p = 0,738" in cs
    assert "Střední doba setrvání v bydlení během prvních 20 měsíců" == res.label("cs", 20)
    en = res.sentence("1", 10, lang="en")
    assert "0.1 months less than" in en
    ax = res.plot(lang="cs", tau=10)
    assert ax.get_title() == "Střední doba setrvání v bydlení během prvních 10 měsíců"
    assert "Contrasts" in res.summary() and "<table" in res._repr_html_()
