"""Data with a known truth for the findings tests.

* :func:`pilots` — the synthetic pilots of :mod:`evaluation.synthetic` (``simulate(seed=2019)``,
  the data of ``make demo``), with the municipality panel on the per-1,000 scale the impact strand
  uses and the truth of ``truth.json``;
* :func:`staggered` — a small simulated panel with cohorts entering at given periods, an effect that
  may grow with time since entry, and an optional extra trend of the ever-treated units (a
  violation of parallel trends before and after entry).
"""
from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd

SEED = 2019
RATES = ("evictions", "households_in_need", "shelter_nights", "children_in_care")


@lru_cache(maxsize=1)
def pilots():
    """(simulated data, municipality panel with ``*_per_1000``, ``first_year`` and ``treated_post``)."""
    from evaluation.synthetic import simulate

    data = simulate(seed=SEED, scale=1.0)
    panel = data.tables["municipality_panel"].copy()
    for column in RATES:
        panel[f"{column}_per_1000"] = (panel[column] / panel["population"] * 1000).astype(float)
    panel["arrears_rate_points"] = panel["arrears_rate"] * 100  # percentage points
    panel["period"] = panel["period"].astype(int)
    panel["first_year"] = panel["pilot_start_period"].fillna(0).astype(float)
    panel["treated_post"] = ((panel["first_year"] > 0) & (panel["period"] >= panel["first_year"])).astype(float)
    return data, panel


def one_town(panel: pd.DataFrame, town: str) -> pd.DataFrame:
    """The panel as a one-municipality scope sees it: that pilot and every non-pilot municipality
    (evaluation.runner.selection keeps exactly these rows)."""
    keep = (panel["municipality"] == town) | (panel["first_year"] == 0)
    return panel.loc[keep].reset_index(drop=True)


def cs(panel: pd.DataFrame, outcome: str, *, control_group: str = "never_treated", draws: int = 499,
       unit: str = "municipality", time: str = "period", first: str = "first_year"):
    """Callaway–Sant'Anna as the impact strand runs it (warnings about few units are expected)."""
    from evaluation.impact.staggered import staggered_did

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return staggered_did(panel, outcome, unit, time, first, n_bootstrap=draws, seed=SEED,
                             allow_unbalanced=True, control_group=control_group)


def wild(panel: pd.DataFrame, outcome: str, draws: int = 999):
    """The impact strand's check: TWFE with the wild cluster bootstrap by municipality."""
    from evaluation.impact import wild_cluster_bootstrap

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return wild_cluster_bootstrap(panel, f"{outcome} ~ treated_post", "treated_post", "municipality", B=draws,
                                      seed=SEED, fixed_effects=["municipality", "period"])


def staggered(seed: int = 1, n: int = 20, periods: int = 10, cohorts=(4, 6, 0), trend: float = 0.0,
              effect: float = 0.0, growth: float = 0.0, noise: float = 1.0) -> pd.DataFrame:
    """``n`` units per cohort (0 = never treated); y = unit effect + 0.2 t + ``trend`` t for ever-treated
    units + (``effect`` + ``growth`` x periods since entry) once treated + noise."""
    rng = np.random.default_rng(seed)
    first = np.repeat(np.asarray(cohorts, float), n)
    frame = pd.DataFrame({"unit": np.repeat(np.arange(first.size), periods),
                          "period": np.tile(np.arange(1, periods + 1), first.size)})
    frame["first"] = first[frame["unit"]]
    since = frame["period"] - frame["first"]
    treated = (frame["first"] > 0) & (since >= 0)
    frame["d"] = treated.astype(float)
    frame["y"] = (rng.normal(0, 1, first.size)[frame["unit"]] + 0.2 * frame["period"]
                  + trend * (frame["first"] > 0) * frame["period"]
                  + treated * (effect + growth * since.clip(lower=0)) + rng.normal(0, noise, len(frame)))
    return frame
