"""Monte Carlo: coverage of 95% intervals with many clusters, and with few treated clusters
where cluster-robust t intervals under-cover and the wild cluster restricted bootstrap holds."""
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.impact import did_2x2, twfe

TRUTH = -1.0


def _municipal_panel(rng, n_municipalities, n_treated, households=20, shock_sd=1.0):
    """Households in municipalities, two periods; municipality-by-period shocks whose size differs
    between municipalities (the setting of MacKinnon & Webb 2017)."""
    m = np.repeat(np.arange(n_municipalities), households)
    unit = np.arange(m.size)
    scale = rng.uniform(0.5, 2.0, n_municipalities)
    rows = []
    for post in (0, 1):
        shock = rng.normal(0, shock_sd, n_municipalities) * scale
        y = rng.normal(size=m.size) + shock[m] + 0.5 * post + TRUTH * post * (m < n_treated)
        rows.append(pd.DataFrame({"household": unit, "municipality": m, "post": post,
                                  "pilot": (m < n_treated).astype(int), "y": y}))
    return pd.concat(rows, ignore_index=True)


def _binomial_band(p, n, z=3.0):
    sd = np.sqrt(p * (1 - p) / n)
    return p - z * sd, p + z * sd


def test_coverage_many_clusters_twfe():
    # 50 municipalities, half treated: CR1 intervals with t(G-1) cover about 95%.
    rng = np.random.default_rng(2024)
    reps, covered = 200, 0
    for _ in range(reps):
        df = _municipal_panel(rng, 50, 25, households=4)
        df["pilot_post"] = df.pilot * df.post
        res = twfe(df, "y", "pilot_post", "household", "post", cluster="municipality")
        covered += res.conf_int[0] <= TRUTH <= res.conf_int[1]
    low, high = _binomial_band(0.95, reps)
    assert low <= covered / reps <= high


def test_few_treated_clusters_wild_bootstrap_holds_where_cr1_undercovers():
    # 10 municipalities, 2 treated (the pilot setting). Truth inside the interval <=> p(truth) > alpha.
    # CR1 + t(9) under-covers (MacKinnon & Webb 2017 report rejection rates far above 5% with
    # few treated clusters); the WCR bootstrap (all 2^10 Rademacher vectors) does not.
    rng = np.random.default_rng(7)
    reps = 400
    cr1, wcr = 0, 0
    for _ in range(reps):
        df = _municipal_panel(rng, 10, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = did_2x2(df, "y", "pilot", "post", unit="household", cluster="municipality")
        cr1 += res.conf_int[0] <= TRUTH <= res.conf_int[1]
        boot = res.wild_bootstrap(null=TRUTH)
        wcr += boot.p_value > 0.05
    cr1_rate, wcr_rate = cr1 / reps, wcr / reps
    assert cr1_rate < 0.92, f"cluster-robust coverage {cr1_rate:.3f} should visibly fall short"
    assert wcr_rate >= _binomial_band(0.95, reps)[0], f"WCR coverage {wcr_rate:.3f}"
    # the shortfall is not noise: exact one-sided binomial test against 95%
    assert stats.binomtest(cr1, reps, 0.95, alternative="less").pvalue < 0.001
