"""Which inference to use for a DiD effect when treatment was assigned to a few clusters.

The rule (``choose_inference``), from the design alone -- numbers of treated and control clusters
and how unequal the clusters are -- in the order it is applied:

1. many treated *and* many control clusters (both >= 20, G >= 50) and clusters of similar size:
   cluster-robust (CR1) t test with G - 1 degrees of freedom (reliable in this range;
   Cameron, Gelbach & Miller 2008; MacKinnon & Webb 2017);
2. at least ``min_treated_bootstrap`` (default 6) treated and 6 control clusters, and the treated
   clusters not much noisier or larger than the controls: the wild cluster restricted bootstrap
   (WCR; Webb weights when G < 12, else Rademacher) -- it holds its size down to a handful of
   treated clusters when clusters are alike, but over- or under-rejects with very few treated
   clusters (MacKinnon & Webb 2017, 2018);
3. otherwise (few treated clusters, or treated clusters unlike the controls): randomisation
   inference with the studentised (t) statistic, the least oversized option when treated clusters
   are noisier (MacKinnon & Webb 2020); the coefficient itself is not used as the statistic because
   its randomisation distribution is wrong when variances differ. No method holds its size exactly
   with three noisier treated clusters (our simulation: about 10% at 5% for RI-t against 13-20% for
   the others), so the reasons say to read p-values near the threshold with caution.

Whatever is chosen, the smallest attainable randomisation p-value is 1 / (number of possible
assignments); when it exceeds alpha no test can find an effect significant, and the choice says so.
The thresholds are checked by ``benchmarks/sim_few_clusters.py`` (results in docs/QA.md).

Example
-------
>>> choice = choose_inference(n_clusters=12, n_treated=3, variance_ratio=4.0)
>>> choice.method, choice.statistic
('randomization', 't')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import ConfigError, DataError
from evaluation.impact._design import numeric, period_codes, require_columns
from evaluation.results import Result

#: Size ratio (largest treated / median control) and variance ratio above which clusters count as unlike.
UNLIKE_RATIO = 2.0


@dataclass(frozen=True)
class InferenceChoice(Result):
    """The inference method for a few-cluster DiD and the reasons, in Czech and English."""

    method: str                 # "cluster", "wild_bootstrap" or "randomization"
    statistic: str | None       # "t" for randomisation inference
    weights: str | None         # "rademacher" or "webb" for the wild bootstrap
    n_clusters: int
    n_treated: int
    n_assignments: int
    min_p_value: float
    size_ratio: float
    variance_ratio: float
    alpha: float
    reasons_cs: tuple[str, ...]
    reasons_en: tuple[str, ...]
    title: str = "Choice of inference with few clusters"

    @property
    def can_reject(self) -> bool:
        """Whether any test of the design can reach p <= alpha (two-sided)."""
        return self.min_p_value <= self.alpha

    @property
    def notes(self) -> tuple[str, ...]:
        return self.reasons_en

    def reasons(self, lang: str = "cs") -> tuple[str, ...]:
        from evaluation.reporting.plot_labels import check_lang

        return self.reasons_cs if check_lang(lang) == "cs" else self.reasons_en

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame({"method": [self.method], "statistic": [self.statistic], "weights": [self.weights],
                             "n_clusters": [self.n_clusters], "n_treated": [self.n_treated],
                             "n_assignments": [self.n_assignments], "min_p_value": [self.min_p_value],
                             "size_ratio": [self.size_ratio], "variance_ratio": [self.variance_ratio],
                             "can_reject": [self.can_reject]})

    def run(self, data: pd.DataFrame, outcome: str, entity: str, time: str, *, first_treated: str,
            cluster: str | None = None, **kwargs: Any) -> Any:
        """Run the chosen inference on the panel (TWFE effect of being treated after entry)."""
        from evaluation.impact.randomization import randomization_inference
        from evaluation.impact.twfe import twfe

        if self.method == "randomization":
            return randomization_inference(data, outcome, entity, time, first_treated=first_treated,
                                           cluster=cluster, statistic=self.statistic or "t", **kwargs)
        frame = data.copy()
        first = period_codes(frame[first_treated], first_treated)
        frame["_treated_after_entry"] = ((first > 0) & (period_codes(frame[time], time) >= first)).astype(float)
        fit = twfe(frame, outcome, "_treated_after_entry", entity, time, cluster=cluster)
        if self.method == "wild_bootstrap":
            return fit.wild_bootstrap(weights=self.weights or "rademacher", **kwargs)
        return fit


def choose_inference(n_clusters: int, n_treated: int, *, size_ratio: float = 1.0,
                     variance_ratio: float = 1.0, n_assignments: int | None = None, alpha: float = 0.05,
                     min_treated_bootstrap: int = 6) -> InferenceChoice:
    """Apply the rule of the module docstring to the design facts.

    ``size_ratio``: largest treated cluster over the median control cluster (rows or population);
    ``variance_ratio``: mean outcome variance (within cluster, before entry) of treated over control
    clusters; ``n_assignments``: possible assignments (default C(G, G1), one adoption date).
    """
    if n_clusters < 2 or not 0 < n_treated < n_clusters:
        raise ConfigError(f"need at least one treated and one control cluster (got {n_treated} of {n_clusters})")
    n_control = n_clusters - n_treated
    assignments = n_assignments or math.comb(n_clusters, n_treated)
    min_p = 1.0 / assignments
    unlike = size_ratio > UNLIKE_RATIO or variance_ratio > UNLIKE_RATIO or variance_ratio < 1 / UNLIKE_RATIO
    cs, en = [], []
    facts_cs = (f"{n_treated} ošetřených a {n_control} kontrolních klastrů"
                + (f"; ošetřené klastry jsou oproti kontrolním {size_ratio:.1f}× větší a jejich rozptyl je "
                   f"{variance_ratio:.1f}×" if unlike else "; klastry jsou si podobné velikostí i rozptylem"))
    facts_en = (f"{n_treated} treated and {n_control} control clusters"
                + (f"; treated clusters are {size_ratio:.1f}x larger than the controls and their variance is "
                   f"{variance_ratio:.1f}x" if unlike else "; clusters are alike in size and variance"))
    cs.append(facts_cs)
    en.append(facts_en)
    weights = statistic = None
    if min(n_treated, n_control) >= 20 and n_clusters >= 50 and not unlike:
        method = "cluster"
        cs.append("dost ošetřených i kontrolních klastrů: klastrově robustní t test (CR1, G−1 stupňů volnosti) "
                  "má správnou hladinu")
        en.append("enough treated and control clusters: the cluster-robust t test (CR1, G-1 degrees of "
                  "freedom) has the right size")
    elif min(n_treated, n_control) >= min_treated_bootstrap and not unlike:
        method = "wild_bootstrap"
        weights = "webb" if n_clusters < 12 else "rademacher"
        cs.append("málo klastrů pro klastrově robustní chyby, ale dost ošetřených: divoký klastrový bootstrap "
                  f"s vnucenou nulovou hypotézou (WCR, váhy {'Webb' if weights == 'webb' else 'Rademacher'})")
        en.append("too few clusters for cluster-robust errors but enough treated ones: the wild cluster "
                  f"restricted bootstrap (WCR, {weights.capitalize()} weights)")
    else:
        method, statistic = "randomization", "t"
        why_cs = ("málo ošetřených klastrů" if min(n_treated, n_control) < min_treated_bootstrap
                  else "ošetřené klastry se liší od kontrolních")
        why_en = ("few treated clusters" if min(n_treated, n_control) < min_treated_bootstrap
                  else "treated clusters unlike the controls")
        cs.append(f"{why_cs}: klastrově robustní test i bootstrap zamítají příliš často; randomizační inference "
                  "se studentizovanou statistikou (t) zamítá nejméně často navíc (MacKinnon a Webb 2020), "
                  "i ona však může hladinu překročit: p-hodnoty blízko hranice čtěte opatrně")
        en.append(f"{why_en}: cluster-robust tests and the bootstrap reject too often; randomisation inference "
                  "with the studentised (t) statistic over-rejects least (MacKinnon & Webb 2020), but it too "
                  "can exceed its size: read p-values near the threshold with caution")
    if 2 * min_p > alpha:
        cs.append(f"jen {assignments} možných přiřazení: nejmenší dosažitelná p-hodnota je {min_p:.3g}, žádný "
                  f"test nemůže efekt prokázat na hladině {alpha:g}; uvádějte odhad s intervalem a opatrný výklad")
        en.append(f"only {assignments} possible assignments: the smallest attainable p-value is {min_p:.3g}, so no "
                  f"test can show an effect at level {alpha:g}; report the estimate with its interval and caution")
    return InferenceChoice(method=method, statistic=statistic, weights=weights, n_clusters=int(n_clusters),
                           n_treated=int(n_treated), n_assignments=int(assignments), min_p_value=min_p,
                           size_ratio=float(size_ratio), variance_ratio=float(variance_ratio), alpha=alpha,
                           reasons_cs=tuple(cs), reasons_en=tuple(en))


def few_cluster_inference(data: pd.DataFrame, outcome: str, time: str, cluster: str, *, first_treated: str,
                          alpha: float = 0.05, **kwargs: Any) -> InferenceChoice:
    """Measure the design on the panel and :func:`choose_inference` for it.

    Cluster size = rows per cluster; variance = variance of the outcome within a cluster before
    its entry (all periods for never-treated clusters), after removing period means.

    Example
    -------
    >>> choice = few_cluster_inference(panel, "evictions_per_1000", "year", "municipality",
    ...                                first_treated="pilot_start")  # doctest: +SKIP
    >>> choice.method, choice.reasons("cs")  # doctest: +SKIP
    """
    require_columns(data, [outcome, time, cluster, first_treated])
    frame = data[[outcome, time, cluster, first_treated]].dropna(subset=[outcome, time, cluster])
    if frame.empty:
        raise DataError("no complete rows to describe the design")
    period = period_codes(frame[time], time)
    first = period_codes(frame[first_treated], first_treated)
    first = np.where(np.isnan(first), 0, first)
    y = numeric(frame, outcome)
    y = y - pd.Series(y).groupby(period).transform("mean").to_numpy()
    by = pd.DataFrame({"c": frame[cluster].to_numpy(), "g": first, "y": y, "pre": (first == 0) | (period < first)})
    treated = by.groupby("c")["g"].max() > 0
    sizes = by.groupby("c").size()
    variances = by[by["pre"]].groupby("c")["y"].var()
    cohorts = by.groupby("c")["g"].max()
    n_assign = math.factorial(len(cohorts))
    for count in cohorts.value_counts():
        n_assign //= math.factorial(int(count))
    size_ratio = float(sizes[treated].max() / sizes[~treated].median())
    variance_ratio = float(variances[treated].mean() / variances[~treated].mean()) \
        if variances[~treated].mean() > 0 else float("inf")
    return choose_inference(int(len(treated)), int(treated.sum()), size_ratio=size_ratio,
                            variance_ratio=variance_ratio if np.isfinite(variance_ratio) else 1.0,
                            n_assignments=n_assign, alpha=alpha, **kwargs)
