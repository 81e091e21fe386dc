"""Simulated panels with a known effect, shared by the impact tests."""
import numpy as np
import pandas as pd


def staggered_panel(seed=0, n_units=60, n_periods=8, cohorts=(3, 5, None), effect=1.0,
                    dynamic=0.0, drop=0.0):
    """Panel with unit and time effects; unit i enters in period cohorts[i % len(cohorts)]
    (None = never). The effect is ``effect + dynamic * (periods since entry)``."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"unit": np.repeat(np.arange(n_units), n_periods),
                       "time": np.tile(np.arange(n_periods), n_units)})
    first = np.array([cohorts[i % len(cohorts)] or 0 for i in range(n_units)], dtype=float)
    df["first"] = first[df["unit"]]
    since = df["time"] - df["first"]
    df["d"] = ((df["first"] > 0) & (since >= 0)).astype(float)
    df["x"] = rng.normal(size=len(df))
    df["w"] = rng.uniform(0.5, 2.0, len(df))
    df["y"] = (rng.normal(size=n_units)[df["unit"]] + 0.3 * df["time"] + 0.5 * df["x"]
               + df["d"] * (effect + dynamic * since.clip(lower=0)) + rng.normal(size=len(df)))
    if drop:
        df = df.sample(frac=1 - drop, random_state=seed).sort_values(["unit", "time"])
    return df.reset_index(drop=True)
