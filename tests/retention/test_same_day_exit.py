"""An episode that ends on the day it starts is kept, with its exit at half a day.

Dates are whole days; dropping an eviction on the entry day (as ``housing_episodes`` once did)
would bias retention up. Hand-computed Kaplan–Meier: 4 households, one evicted on day 0 ->
S(t) = 3/4 from half a day on.
"""
import pandas as pd
import pytest

from evaluation.retention import KaplanMeier, housing_episodes
from evaluation.retention.episodes import SAME_DAY_EXIT

D = pd.to_datetime


def spells():
    return pd.DataFrame({
        "tenancy_id": ["T1", "T2", "T3", "T4"], "household_id": ["H1", "H2", "H3", "H4"],
        "unit_id": ["U1", "U2", "U3", "U4"], "step": ["crisis"] * 4,
        "start_date": D(["2019-01-01", "2019-02-01", "2019-03-01", "2019-03-01"]),
        "end_date": D(["2019-01-01", None, None, "2019-09-01"]),
        "exit_reason": ["eviction", "still_housed", "still_housed", "left_voluntarily"]})


def test_same_day_eviction_is_an_event_at_half_a_day():
    ep = housing_episodes(spells(), censor_date="2020-01-01")
    assert ep.exclusions.empty
    d = ep.data.set_index("household_id")
    assert d.loc["H1", "event"] and d.loc["H1", "outcome"] == "lost_home"
    assert d.loc["H1", "exit_time"] == pytest.approx(0.5 / 30.4375) == SAME_DAY_EXIT
    assert any("end on their first day" in n and "lost_home: 1" in n for n in ep.notes)
    km = KaplanMeier(times=(1.0,)).fit_episodes(ep)
    assert km.tidy()["estimate"].iloc[0] == pytest.approx(0.75)


def test_many_households_with_chained_spells_form_one_episode_each():
    """The vectorised overlap check on 20,000 households whose second spell starts the day the
    first ends (allowed): one episode each, nothing excluded. Its speed is measured by
    benchmarks/bench_retention.py, not asserted here."""
    n = 20_000
    t = pd.DataFrame({"tenancy_id": [f"T{i}" for i in range(2 * n)],
                      "household_id": [f"H{i // 2}" for i in range(2 * n)], "unit_id": None,
                      "step": ["crisis", "social"] * n,
                      "start_date": D(["2019-01-01", "2019-07-01"] * n), "end_date": D(["2019-07-01", None] * n),
                      "exit_reason": ["moved_up", "still_housed"] * n})
    ep = housing_episodes(t, censor_date="2020-01-01")
    assert len(ep.data) == n and ep.exclusions.empty
