"""Exact (or Monte Carlo) p-values by re-randomisation, and confidence intervals by test inversion.

Fisher's randomisation test of the sharp null hypothesis Y_i(1) = Y_i(0) + τ₀ for every unit: under
it the outcomes each assignment would have produced are known (Y − τ₀Z is fixed), so the test
statistic can be recomputed for every assignment the design could have drawn. The design is
*complete randomisation* (m of n units to the programme) or *complete randomisation within
strata/blocks* (m_s of n_s in each), with the numbers realised in the data. When the design has at
most ``max_exact`` possible assignments all of them are enumerated (an exact p-value); otherwise
``draws`` assignments are drawn and p = (1 + #{|T*| ≥ |T|}) / (1 + draws).

The statistics are the ITT estimators of :mod:`evaluation.impact.trial`: the (stratified)
difference in means, or Lin's regression-adjusted estimate. Both are linear in the outcomes,
T(z, y) = c(z)'y, so T(z, Y − τ₀Z) = c(z)'Y − τ₀ c(z)'Z and the p-value of every τ₀ comes from two
numbers per assignment. The confidence interval is the set of τ₀ that the test does not reject at
level α (Imbens & Rubin 2015, ch. 5), found by bisection on each side of the estimate. The p-value
and the inversion are those of :mod:`evaluation.impact.randomization` (randomisation inference for DiD).

Units without an outcome are left out, and the test treats the units observed as randomised with
the numbers realised among them (valid when attrition is unrelated to the potential outcomes).

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"z": [1, 1, 0, 0], "y": [3.0, 4.0, 1.0, 2.0]})
>>> res = trial_randomisation_test(df, "y", "z")
>>> res.n_assignments, round(res.p_value, 4)  # 6 possible assignments, 2 as extreme as observed
(6, 0.3333)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.errors import ConfigError, EstimationError
from evaluation.impact._regression import check_alpha
from evaluation.impact._trial_common import TrialArrays, check_strata_have_both_arms, prepare, text
from evaluation.impact.randomization import permutation_p_value
from evaluation.impact.trial import lin_covariates, observed_outcomes
from evaluation.impact.wild_bootstrap import (
    _invert,  # bracketing + bisection, as in randomization.py
)
from evaluation.reporting.labels import check_lang
from evaluation.results import Result

STATISTICS = ("difference", "lin")
#: Assignments computed at a time (bounds memory at n units: chunk x n floats).
_CHUNK = 2000


@dataclass(frozen=True)
class RandomisationDesign:
    """Complete randomisation within strata: ``strata`` codes 0..S−1 per unit and ``treated`` m_s per stratum."""

    strata: np.ndarray
    treated: np.ndarray

    @classmethod
    def from_assignment(cls, z: np.ndarray, strata: np.ndarray | None = None) -> RandomisationDesign:
        codes = np.zeros(len(z), dtype=np.int64) if strata is None else np.asarray(strata, dtype=np.int64)
        treated = np.bincount(codes, weights=z, minlength=codes.max() + 1).round().astype(np.int64)
        return cls(codes, treated)

    @property
    def sizes(self) -> np.ndarray:
        return np.bincount(self.strata, minlength=len(self.treated))

    def count(self) -> int:
        """Number of possible assignments: Π C(n_s, m_s) (a Python int, exact)."""
        return math.prod(math.comb(int(n), int(m)) for n, m in zip(self.sizes, self.treated))

    def enumerate(self) -> np.ndarray:
        """Every possible assignment (rows, 0/1 floats)."""
        out = np.zeros((1, len(self.strata)))
        for s, m in enumerate(self.treated):
            members = np.flatnonzero(self.strata == s)
            options = np.zeros((math.comb(len(members), int(m)), len(self.strata)))
            for row, chosen in enumerate(itertools.combinations(members, int(m))):
                options[row, list(chosen)] = 1.0
            out = (out[:, None, :] + options[None, :, :]).reshape(-1, len(self.strata))
        return out

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` assignments drawn uniformly from the design (rows, 0/1 floats)."""
        out = np.zeros((size, len(self.strata)))
        rows = np.arange(size)[:, None]
        for s, m in enumerate(self.treated):
            members = np.flatnonzero(self.strata == s)
            order = np.argsort(rng.random((size, len(members))), axis=1)[:, : int(m)]
            out[rows, members[order]] = 1.0
        return out


def _difference_weights(Z: np.ndarray, design: RandomisationDesign) -> np.ndarray:
    """c(z) of the (stratified) difference in means for each row of ``Z``: w_s (z/m_s − (1−z)/(n_s−m_s))."""
    n_s, m_s = design.sizes[design.strata], design.treated[design.strata]
    w = n_s / len(design.strata)
    return w * (Z / m_s - (1 - Z) / (n_s - m_s))


def _lin_weights(Z: np.ndarray, X: np.ndarray, interact: np.ndarray) -> np.ndarray:
    """c(z) of Lin's estimate for each row of ``Z``: the 'assigned' row of (D'D)⁺D', D = [1, z, Xc, z·Xc]
    (interactions of the ``interact`` columns only, as chosen for the observed assignment)."""
    n = Z.shape[1]
    Xc = X - X.mean(axis=0)
    Xc = Xc / np.where(Xc.std(axis=0) > 0, Xc.std(axis=0), 1.0)  # scaling keeps c(z) and conditions D'D
    ones = np.ones((Z.shape[0], n, 1))
    D = np.concatenate([ones, Z[:, :, None], np.broadcast_to(Xc, (Z.shape[0], *Xc.shape)),
                        Z[:, :, None] * Xc[:, interact]], axis=2)
    gram = np.einsum("rni,rnj->rij", D, D)
    target = np.zeros((Z.shape[0], D.shape[2]))
    target[:, 1] = 1.0
    u = np.einsum("rij,rj->ri", np.linalg.pinv(gram, hermitian=True), target)
    return np.einsum("rni,ri->rn", D, u)


@dataclass(frozen=True)
class _Projections:
    """a_k = c(z_k)'Y and b_k = c(z_k)'Z for every assignment k, and the observed estimate."""
    a: np.ndarray
    b: np.ndarray
    estimate: float
    exact: bool

    def p_value(self, tau: float) -> float:
        """Two-sided p-value of the sharp null 'every effect = tau' (ties count as extreme)."""
        draws = self.a - tau * self.b
        observed = self.estimate - tau
        if not self.exact:  # drawn assignments: the observed one counts as one more draw
            draws = np.r_[observed, draws]
        return permutation_p_value(observed, draws, exact=self.exact)


@dataclass(frozen=True)
class TrialRandomisationResult(Result):
    """Randomisation p-value of the sharp null τ = ``null`` and the interval by test inversion."""

    statistic: str
    estimate: float
    p_value: float
    conf_low: float
    conf_high: float
    null: float
    alpha: float
    exact: bool
    n_assignments: int
    possible_assignments: int
    n_programme: int
    n_control: int
    design: str
    null_distribution: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))
    notes: tuple[str, ...] = ()
    exclusions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["reason", "rows"]))
    title: str = "Randomisation test (Fisher, by re-randomisation)"

    count_columns: ClassVar[tuple[str, ...]] = ("n_programme", "n_control")

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{"term": "randomisation", "estimate": self.estimate, "std_error": np.nan,
                              "conf_low": self.conf_low, "conf_high": self.conf_high, "p_value": self.p_value,
                              "null": self.null, "statistic": self.statistic, "exact": self.exact,
                              "n_assignments": self.n_assignments, "n_programme": self.n_programme,
                              "n_control": self.n_control}])

    def plot(self, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
        """The statistic's distribution over re-randomisations under the null, and its observed value."""
        import matplotlib.pyplot as plt

        check_lang(lang)
        ax = ax if ax is not None else plt.subplots(figsize=(6.5, 4))[1]
        ax.hist(self.null_distribution, bins=kwargs.pop("bins", 40), color="0.75", edgecolor="white",
                label=text("null_distribution", lang))
        observed = self.estimate - self.null
        ax.axvline(observed, color="C3", linewidth=1.5, label=f"{text('observed', lang)} (p = {self.p_value:.3f})")
        ax.axvline(-observed, color="C3", linewidth=0.8, linestyle=":")
        ax.set_xlabel(text("effect_axis", lang).split(" (")[0])
        ax.set_ylabel(text("frequency", lang))
        ax.legend(frameon=False, loc="best")
        return ax


def trial_randomisation_test(data: pd.DataFrame, outcome: str, assignment: str, *, strata: str | None = None,
                       covariates: Sequence[str] = (), statistic: str = "difference", null: float = 0.0,
                       alpha: float = 0.05, draws: int = 10_000, max_exact: int = 100_000,
                       seed: int | None = 0) -> TrialRandomisationResult:
    """Randomisation p-value of H₀: every unit's effect is ``null``, and its confidence interval.

    ``statistic``: ``"difference"`` (the stratified difference in means) or ``"lin"`` (Lin's
    regression-adjusted estimate with ``covariates``). Enumerates every assignment when there are at
    most ``max_exact``, else draws ``draws`` of them (``seed`` makes them reproducible).

    Example
    -------
    >>> res = trial_randomisation_test(trial_frame, "arrears_czk", "assigned", strata="stratum")  # doctest: +SKIP
    >>> res.p_value, (res.conf_low, res.conf_high)  # doctest: +SKIP
    """
    check_alpha(alpha)
    if statistic not in STATISTICS:
        raise ConfigError(f"statistic must be one of {', '.join(STATISTICS)}, not {statistic!r}")
    if statistic == "difference" and covariates:
        raise ConfigError("covariates enter only the 'lin' statistic; use statistic='lin'")
    if int(draws) < 99:
        raise ConfigError(f"draws must be at least 99 (got {draws})")
    arrays = observed_outcomes(prepare(data, assignment=assignment, outcome=outcome, covariates=covariates,
                                       strata=strata))
    check_strata_have_both_arms(arrays)
    design = RandomisationDesign.from_assignment(arrays.z, arrays.strata)
    possible = design.count()
    exact = possible <= max_exact
    Z = design.enumerate() if exact else design.draw(np.random.default_rng(seed), int(draws))
    proj = _project(arrays, design, Z, statistic, exact)
    p = proj.p_value(null)
    scale = float(np.std(proj.a - proj.estimate * proj.b)) or 1.0
    low, high = _invert(proj.p_value, proj.estimate, scale, alpha)
    kind = "stratified" if arrays.strata is not None and len(design.treated) > 1 else "complete"
    shown = f"{possible:,}" if possible < 10 ** 12 else f"about 10^{len(str(possible)) - 1}"
    notes = [(f"{'exact: all' if exact else 'Monte Carlo:'} {len(Z):,} of {shown} possible assignments "
             f"({kind} randomisation, {int(design.treated.sum())} of {len(design.strata)} units to the programme)"),
             (f"statistic: {'Lin (2013) regression-adjusted ITT' if statistic == 'lin' else 'difference in means'}; "
             f"two-sided p-value of the sharp null (every effect = {null:g})"),
             f"{100 * (1 - alpha):g}% interval: the effects not rejected at level {alpha:g} (test inversion)"]
    if not np.isfinite(low) or not np.isfinite(high):
        notes.append("the interval is unbounded: with so few possible assignments no effect can be rejected")
    notes.extend(arrays.exclusions.notes())
    return TrialRandomisationResult(
        statistic=statistic, estimate=proj.estimate, p_value=p, conf_low=low, conf_high=high, null=null,
        alpha=alpha, exact=exact, n_assignments=len(Z), possible_assignments=int(min(possible, 2 ** 62)),
        n_programme=int(arrays.z.sum()), n_control=int((1 - arrays.z).sum()), design=kind,
        null_distribution=proj.a - null * proj.b, notes=tuple(notes), exclusions=arrays.exclusions.table())


def _project(arrays: TrialArrays, design: RandomisationDesign, Z: np.ndarray, statistic: str,
             exact: bool) -> _Projections:
    X, _, interact, _ = lin_covariates(arrays)
    X = X if X.size else np.empty((arrays.n, 0))

    def weights(rows: np.ndarray) -> np.ndarray:
        return _lin_weights(rows, X, interact) if statistic == "lin" else _difference_weights(rows, design)

    a, b = np.empty(len(Z)), np.empty(len(Z))
    for lo in range(0, len(Z), _CHUNK):
        chunk = weights(Z[lo:lo + _CHUNK])
        a[lo:lo + _CHUNK], b[lo:lo + _CHUNK] = chunk @ arrays.y, chunk @ arrays.z
    observed = weights(arrays.z[None, :])[0]
    if not np.isclose(observed @ arrays.z, 1.0):
        raise EstimationError("the statistic is not identified for the observed assignment")
    return _Projections(a=a, b=b, estimate=float(observed @ arrays.y), exact=exact)


__all__ = ["RandomisationDesign", "TrialRandomisationResult", "trial_randomisation_test"]
