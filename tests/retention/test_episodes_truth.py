"""Episodes from spells, transitions, and recovery of a known truth by simulation."""
import numpy as np
import pandas as pd
import pytest

from evaluation.errors import DataError
from evaluation.retention import AalenJohansen, CoxPH, KaplanMeier, housing_episodes, transitions

D = pd.to_datetime


def spells():
    return pd.DataFrame({
        "tenancy_id": ["T1", "T2", "T3", "T4", "T5", "T6", "T7"],
        "household_id": ["H1", "H1", "H2", "H3", "H4", "H4", "H5"],
        "unit_id": ["U1", "U2", "U3", "U4", "U5", "U6", "U7"],
        "step": ["crisis", "social", "crisis", "social", "crisis", "social", "crisis"],
        "start_date": D(["2019-01-01", "2019-07-01", "2019-02-01", "2018-06-01", "2019-01-01", "2019-03-01",
                         "2019-05-01"]),
        "end_date": D(["2019-07-01", "2020-01-01", None, "2019-06-01", "2019-04-01", "2019-08-01", "2019-04-01"]),
        "exit_reason": ["moved_up", "eviction", "still_housed", "standard_lease", "moved_up", "left_voluntarily",
                        "abandonment"]})


def test_housing_episodes_outcomes_late_entry_and_exclusions():
    ep = housing_episodes(spells(), data_start="2019-01-01", censor_date="2020-06-30")
    d = ep.data.set_index("household_id")
    assert d.loc["H1", "outcome"] == "lost_home" and d.loc["H1", "event"]
    assert d.loc["H1", "n_spells"] == 2
    assert d.loc["H2", "outcome"] == "censored" and d.loc["H2", "exit_date"] == pd.Timestamp("2020-06-30")
    # standard lease = still housed to the censoring date; began before records -> late entry
    assert d.loc["H3", "outcome"] == "censored" and d.loc["H3", "entry"] == pytest.approx(214 / 30.4375)
    # overlapping spells (H4) and end before start (H5) exclude the whole household, with reasons
    assert "H4" not in d.index and "H5" not in d.index
    reasons = set(ep.exclusions["reason"])
    assert reasons == {"overlapping spells (two flats at once)", "spell ends before it starts"}
    assert any("overlapping" in n for n in ep.notes)


def test_programme_definition_uses_first_spell():
    ep = housing_episodes(spells(), definition="programme", censor_date="2020-06-30")
    d = ep.data.set_index("household_id")
    assert d.loc["H1", "outcome"] == "positive" and d.loc["H1", "exit_time"] == pytest.approx(181 / 30.4375)


def test_bad_input_raises_clear_error():
    bad = spells().drop(columns=["exit_reason"])
    with pytest.raises(DataError, match="exit_reason"):
        housing_episodes(bad)
    bad = spells().assign(exit_reason="gone")
    with pytest.raises(DataError, match="unknown code"):
        housing_episodes(bad)


def test_transitions_counts_and_shares():
    t = transitions(spells())
    tab = t.tidy().set_index(["from_step", "to"])
    assert tab.loc[("crisis", "social"), "count"] == 2  # H1 and H4 (overlap is not this table's concern)
    assert tab.loc[("crisis", "still_housed"), "count"] == 1
    assert t.tidy().groupby("from_step")["share"].sum().tolist() == pytest.approx([1.0, 1.0])
    assert t.count_columns == ("count",) and t.n_column == "n_from"


def simulate(seed, n=600, hr=0.6, rate=0.05):
    """Exponential loss-of-home hazard `rate`/month in the comparison group, `hr` x in the programme;
    uniform censoring 6-30 months and late entry for a third of households."""
    rng = np.random.default_rng(seed)
    prog = rng.integers(0, 2, n)
    t = rng.exponential(1 / (rate * np.where(prog == 1, hr, 1.0)))
    c = rng.uniform(6, 30, n)
    entry = np.where(rng.random(n) < 1 / 3, rng.uniform(0, 4, n), 0.0)
    stop = np.minimum(t, c)
    keep = stop > entry
    return pd.DataFrame({"entry": entry, "exit_time": stop, "event": (t <= c).astype(int), "programme": prog})[keep]


def test_km_and_cox_recover_truth_and_cover():
    """Monte Carlo: 95% intervals for S(12) and the hazard ratio cover the truth about 95% of the time."""
    reps, hits_s, hits_hr = 150, 0, 0
    truth_s = np.exp(-0.05 * 0.6 * 12)
    for seed in range(reps):
        df = simulate(seed)
        km = KaplanMeier(times=(12,)).fit(df["exit_time"], df["event"], entry=df["entry"], groups=df["programme"])
        row = km.tidy().set_index("group").loc["1"]
        hits_s += row["conf_low"] <= truth_s <= row["conf_high"]
        cox = CoxPH().fit(df, covariates=["programme"], entry="entry").tidy().iloc[0]
        hits_hr += cox["conf_low"] <= np.log(0.6) <= cox["conf_high"]
    # binomial sd of the coverage with 150 replications is 1.8 points
    assert 0.90 <= hits_s / reps <= 0.99
    assert 0.90 <= hits_hr / reps <= 0.99


def test_large_sample_estimates_close_to_truth():
    df = simulate(99, n=20000)
    km = KaplanMeier(times=(6, 12, 20)).fit(df["exit_time"], df["event"], entry=df["entry"], groups=df["programme"])
    est = km.tidy().set_index(["group", "time"])["estimate"]
    for t in (6, 12, 20):
        assert est[("0", t)] == pytest.approx(np.exp(-0.05 * t), abs=0.015)
        assert est[("1", t)] == pytest.approx(np.exp(-0.03 * t), abs=0.015)
    hr = np.exp(CoxPH().fit(df, covariates=["programme"], entry="entry").params[0])
    assert hr == pytest.approx(0.6, abs=0.04)


def test_competing_risks_truth():
    rng = np.random.default_rng(7)
    n = 20000
    t_pos, t_neg = rng.exponential(1 / 0.04, n), rng.exponential(1 / 0.02, n)
    c = rng.uniform(0, 40, n)
    d = np.minimum.reduce([t_pos, t_neg, c])
    lab = np.where(d == c, "censored", np.where(d == t_pos, "positive", "negative"))
    r = AalenJohansen(times=(12,)).fit(d, lab).tidy().set_index("cause")["estimate"]
    total = 1 - np.exp(-0.06 * 12)
    assert r["positive"] == pytest.approx(total * 2 / 3, abs=0.01)
    assert r["negative"] == pytest.approx(total / 3, abs=0.01)


def test_results_surface_and_plots():
    df = simulate(3)
    km = KaplanMeier().fit(df["exit_time"], df["event"], entry=df["entry"], groups=df["programme"])
    assert "Greenwood" in km.summary() and "<table" in km._repr_html_()
    assert km.count_columns == ("n_risk", "n_events") and km.n_column == "n"
    assert km.plot() is not None
    cox = CoxPH().fit(df, covariates=["programme"], entry="entry")
    assert cox.plot() is not None and cox.check_proportional_hazards().tidy().shape[0] == 2
    lab = np.where(df["event"] == 1, "lost_home", "censored")
    aj = AalenJohansen().fit(df["exit_time"], lab, entry=df["entry"])
    assert aj.plot(kind="stacked") is not None
