"""Reference data sets of the heterogeneity-robust estimator tests, all from PyPI packages.

* ``df_het`` — the simulated staggered panel of R did2s (Butts & Gardner; 1,500 units x 31
  years, cohorts 2000 and 2010 and never treated, heterogeneous growing effects), as shipped
  in pyfixest (``pyfixest/did/data/df_het.csv``, MIT licence).
* ``castle`` — Cheng & Hoekstra (2013) castle-doctrine state panel (50 states x 2000-2010), as
  shipped in ``causaldata`` (MIT licence; The Mixtape's ``castle.dta``). bacondecomp's copy of
  the data (its documented example) codes the treatment ``post`` from the first year with any
  castle-doctrine law in force (``cdl > 0``); the Mixtape copy's ``post`` starts a year later in
  some states. ``castle_bacondecomp`` rebuilds bacondecomp's coding from the Mixtape columns: the
  adoption year is the first year with ``lag0 == 1``, except Alaska and Arizona (sid 2, 3), whose
  ``lag0`` marks 2005 where bacondecomp's ``effyear`` is 2006. With it the TWFE coefficient is
  bacondecomp's 0.0818 (checked against pyfixest in the test).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest


def df_het() -> pd.DataFrame:
    pyfixest = pytest.importorskip("pyfixest")
    return pd.read_csv(Path(pyfixest.__file__).parent / "did" / "data" / "df_het.csv")


def castle_bacondecomp() -> pd.DataFrame:
    castle = pytest.importorskip("causaldata.castle")
    data = castle.load_pandas().data
    adoption = data[data["lag0"] == 1].groupby("sid")["year"].min()
    adoption.loc[[2, 3]] = 2006
    data = data.assign(effyear=data["sid"].map(adoption).fillna(0).astype(int))
    data["post_bd"] = ((data["effyear"] > 0) & (data["year"] >= data["effyear"])).astype(int)
    return data


def staggered_sim(seed: int = 0, n_units: int = 240, periods: int = 10, growth: float = 0.5,
                  unbalanced: float = 0.0, covariate: bool = False) -> pd.DataFrame:
    """Staggered adoption with effects that grow with time since entry (1 + growth * e) and
    differ by cohort: TWFE is biased, the robust estimators are not."""
    rng = np.random.default_rng(seed)
    cohorts = rng.choice([0, 4, 6, 8], size=n_units, p=[0.3, 0.25, 0.25, 0.2])
    unit = np.repeat(np.arange(n_units), periods)
    t = np.tile(np.arange(1, periods + 1), n_units)
    g = np.repeat(cohorts, periods)
    e = t - g
    effect = np.where((g > 0) & (e >= 0), (1 + growth * e) * (1 + 0.1 * (g == 4)), 0.0)
    x = rng.normal(size=unit.size)
    y = (np.repeat(rng.normal(size=n_units), periods) + 0.3 * t + effect
         + (0.5 * x if covariate else 0.0) + rng.normal(size=unit.size))
    frame = pd.DataFrame({"id": unit, "t": t, "g": g, "y": y, "x": x, "effect": effect,
                          "cl": unit % 60})
    if unbalanced:
        frame = frame[rng.random(len(frame)) > unbalanced]
    return frame.reset_index(drop=True)
