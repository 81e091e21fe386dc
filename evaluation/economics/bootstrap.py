"""Nonparametric bootstrap over households (seeded, percentile intervals).

Households are resampled with replacement *within* strata (e.g. programme and
comparison group, municipality), so each replicate keeps the design's group sizes.
The interval is the percentile interval of the replicates; replicates in which the
statistic is undefined (e.g. no sustained tenancy drawn) are dropped and counted.

Example
-------
>>> import numpy as np
>>> lo, hi, bad = percentile_interval(lambda idx: float(np.mean(np.arange(10)[idx])),
...                                   strata=np.zeros(10, int), n_boot=200, seed=1)
>>> lo < 4.5 < hi, bad
(True, 0)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from evaluation.errors import ConfigError


def resample_indices(strata: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Row indices of one bootstrap sample drawn with replacement within each stratum."""
    out = []
    for s in np.unique(strata):
        rows = np.flatnonzero(strata == s)
        out.append(rng.choice(rows, size=rows.size, replace=True))
    return np.concatenate(out)


def percentile_interval(statistic: Callable[[np.ndarray], float], strata: np.ndarray, *, n_boot: int = 999,
                        seed: int = 12345, alpha: float = 0.05) -> tuple[float, float, int]:
    """Percentile interval of ``statistic(indices)`` over ``n_boot`` resamples; also the number of
    replicates in which the statistic was not finite (dropped)."""
    if n_boot < 50:
        raise ConfigError(f"n_boot must be at least 50 for a percentile interval (got {n_boot})")
    rng = np.random.default_rng(seed)
    values = np.array([statistic(resample_indices(strata, rng)) for _ in range(n_boot)], dtype=float)
    ok = np.isfinite(values)
    if ok.sum() < 0.5 * n_boot:
        return np.nan, np.nan, int((~ok).sum())
    lo, hi = np.quantile(values[ok], [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi), int((~ok).sum())
