"""What the randomised-trial estimators share: turning a DataFrame into clean arrays, the
heteroskedasticity-consistent covariances HC0-HC3, and the Czech and English words of the results.

One row per randomised unit. The assignment column holds 0/1 (or True/False, or the arm codes
``programme``/``control`` of the contract's ``assignment`` table). Categorical covariates become
indicators of their categories (the first category is the reference). Rows missing the
assignment, a covariate or the stratum are excluded and counted; a missing outcome is counted as
attrition by the estimators that need the outcome.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"arm": ["programme", "control", "control"], "x": ["a", "b", "a"]})
>>> arrays = prepare(frame, assignment="arm", covariates=["x"])
>>> arrays.z.tolist(), arrays.covariate_names
([1.0, 0.0, 0.0], ('x=b',))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.errors import ConfigError, DataError, EstimationError
from evaluation.impact._design import Exclusions, complete_rows, numeric, require_columns
from evaluation.impact.covariance import LeastSquares
from evaluation.reporting.labels import LANGS, check_lang

#: Covariance estimators of the trial regressions, by name (``robust`` is HC1, as elsewhere).
HC_TYPES = ("HC0", "HC1", "HC2", "HC3", "classical")
_HC_ALIASES = {"hc0": "HC0", "hc1": "HC1", "robust": "HC1", "hc2": "HC2", "hc3": "HC3",
               "classical": "classical", "unadjusted": "classical"}

#: The words of the trial results: key -> (Czech, English).
TEXT: dict[str, tuple[str, str]] = {
    "itt_lin": ("Efekt přiřazení (ITT), regresní úprava Lin (2013)", "ITT, Lin (2013) regression adjustment"),
    "itt_dim": ("Efekt přiřazení (ITT), rozdíl průměrů", "ITT, difference in means"),
    "cace": ("Efekt na ty, kdo program přijali při přiřazení (CACE)", "Complier average causal effect (CACE)"),
    "itt_outcome": ("Efekt přiřazení na výsledek (ITT)", "Effect of assignment on the outcome (ITT)"),
    "first_stage": ("Efekt přiřazení na přijetí programu", "Effect of assignment on receipt"),
    "lee_lower": ("Dolní Leeho mez", "Lee lower bound"),
    "lee_upper": ("Horní Leeho mez", "Lee upper bound"),
    "complete_cases": ("Rozdíl průměrů sledovaných (bez úpravy)", "Difference among those followed up"),
    "randomisation": ("Randomizační test", "Randomisation test"),
    "programme": ("intervenční skupina", "programme arm"),
    "control": ("kontrolní skupina", "control arm"),
    "effect_axis": ("Odhad efektu (95% interval spolehlivosti)", "Estimated effect (95% confidence interval)"),
    "smd_axis": ("Absolutní standardizovaný rozdíl průměrů", "Absolute standardised mean difference"),
    "threshold": ("práh 0,1", "threshold 0.1"),
    "null_distribution": ("Rozdělení při nulové hypotéze (přelosování)", "Distribution under the null (re-randomisation)"),
    "observed": ("pozorovaná hodnota", "observed value"),
    "frequency": ("Četnost", "Frequency"),
    "bounds_axis": ("Efekt: meze a 95% interval (Imbens–Manski)", "Effect: bounds and 95% interval (Imbens–Manski)"),
    "compliers": ("poslušní (complier)", "compliers"),
    "always_takers": ("vždy přijímající", "always-takers"),
    "never_takers": ("nikdy nepřijímající", "never-takers"),
}


class HeadlineEstimate:
    """Mixin of the trial results whose ``table`` has one headline row (``HEADLINE`` in ``term``):
    ``estimate``, ``std_error`` and ``conf_int`` read it."""

    HEADLINE: ClassVar[str] = ""
    table: pd.DataFrame

    def _row(self) -> pd.Series:
        return self.table.set_index("term").loc[self.HEADLINE]

    @property
    def estimate(self) -> float:
        return float(self._row()["estimate"])

    @property
    def std_error(self) -> float:
        return float(self._row()["std_error"])

    @property
    def conf_int(self) -> tuple[float, float]:
        row = self._row()
        return float(row["conf_low"]), float(row["conf_high"])


def text(key: str, lang: str = "cs") -> str:
    return TEXT[key][LANGS.index(check_lang(lang))]


def hc_name(cov_type: str) -> str:
    try:
        return _HC_ALIASES[str(cov_type).lower()]
    except KeyError:
        raise ConfigError(f"unknown cov_type {cov_type!r}; use one of {', '.join(HC_TYPES)} "
                          "('robust' means HC1)") from None


def hc_covariance(fit: LeastSquares, X: np.ndarray, cov_type: str) -> np.ndarray:
    """Covariance of ``fit.coef``: HC0 (White), HC1 (× n/(n−k)), HC2 (û²/(1−h)), HC3 (û²/(1−h)²)
    or classical. HC2 is the default of R ``estimatr::lm_lin`` and, without covariates, equals
    Neyman's conservative variance of a difference in means."""
    kind = hc_name(cov_type)
    n, k = X.shape
    u = fit.resid
    if kind == "classical":
        return float(u @ u) / (n - k) * fit.bread
    weights = u ** 2
    if kind in ("HC2", "HC3"):
        leverage = np.einsum("ij,jk,ik->i", X, fit.bread, X)
        if (leverage > 1 - 1e-10).any():
            raise EstimationError(f"{kind} standard errors are undefined: {int((leverage > 1 - 1e-10).sum())} "
                                  "unit(s) are fitted exactly (leverage 1), e.g. the only unit of an arm in "
                                  "a stratum or covariate cell; merge small strata or drop the covariate")
        weights = weights / (1 - leverage) ** (1 if kind == "HC2" else 2)
    meat = (X * weights[:, None]).T @ X
    cov = fit.bread @ meat @ fit.bread
    return cov * n / (n - k) if kind == "HC1" else cov


def t_interval(estimate: float, se: float, df: float, alpha: float) -> tuple[float, float, float]:
    """(lower, upper, two-sided p) from Student's t with ``df`` (normal when df is infinite)."""
    crit = stats.t.ppf(1 - alpha / 2, df) if np.isfinite(df) else stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.float64(estimate) / np.float64(se)  # no attrition in either arm: 0 / 0, no p-value
    p = 2 * (stats.t.sf(abs(t), df) if np.isfinite(df) else stats.norm.sf(abs(t)))
    return estimate - crit * se, estimate + crit * se, float(p)


@dataclass(frozen=True)
class TrialArrays:
    """Clean arrays for one analysis: outcome (NaN where missing), assignment, receipt, covariates
    (indicators for categories), stratum codes, and what was excluded on the way."""
    z: np.ndarray
    y: np.ndarray | None = None
    d: np.ndarray | None = None
    X: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    covariate_names: tuple[str, ...] = ()
    strata: np.ndarray | None = None
    stratum_labels: tuple[str, ...] = ()
    exclusions: Exclusions = field(default_factory=Exclusions)
    index: pd.Index = field(default_factory=pd.RangeIndex)

    @property
    def n(self) -> int:
        return len(self.z)

    def subset(self, keep: np.ndarray) -> TrialArrays:
        """The same arrays for the rows ``keep`` (a boolean mask)."""
        strata = None
        labels = self.stratum_labels
        if self.strata is not None:
            codes, uniques = pd.factorize(self.strata[keep], sort=True)
            strata, labels = codes.astype(np.int64), tuple(self.stratum_labels[u] for u in uniques)
        return TrialArrays(z=self.z[keep], y=None if self.y is None else self.y[keep],
                           d=None if self.d is None else self.d[keep], X=self.X[keep],
                           covariate_names=self.covariate_names, strata=strata, stratum_labels=labels,
                           exclusions=self.exclusions, index=self.index[keep])

    def stratum_dummies(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """Indicators of every stratum but the first (nothing without strata)."""
        if self.strata is None or len(self.stratum_labels) < 2:
            return np.empty((self.n, 0)), ()
        dummies = (self.strata[:, None] == np.arange(1, len(self.stratum_labels))[None, :]).astype(float)
        return dummies, tuple(f"stratum={s}" for s in self.stratum_labels[1:])


def assignment_indicator(frame: pd.DataFrame, column: str) -> np.ndarray:
    """0/1 assignment from 0/1, True/False or the arm codes ``programme``/``control``."""
    values = frame[column]
    if isinstance(values.dtype, pd.CategoricalDtype) or values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        text_values = values.astype("object").map(lambda v: str(v).strip().casefold() if pd.notna(v) else v)
        arms = {"programme": 1.0, "program": 1.0, "treatment": 1.0, "control": 0.0, "1": 1.0, "0": 0.0,
                "true": 1.0, "false": 0.0}
        mapped = text_values.map(arms)
        unknown = text_values.notna() & mapped.isna()
        if unknown.any():
            raise DataError(f"column {column!r} must say which arm each unit was assigned to (programme or control, "
                            f"1 or 0); it holds {sorted(map(str, text_values[unknown].unique()))[:5]}")
        return mapped.to_numpy(dtype=float)
    out = numeric(frame, column)
    seen = set(np.unique(out[~np.isnan(out)]).tolist())
    if not seen <= {0.0, 1.0}:
        raise DataError(f"column {column!r} must be 0/1 (or programme/control); it holds {sorted(seen)[:5]}")
    return out


def _covariate_block(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, list[str]]:
    values = frame[column]
    is_text = values.dtype == object or pd.api.types.is_string_dtype(values.dtype)
    if isinstance(values.dtype, pd.CategoricalDtype) or is_text:
        categories = (list(values.cat.categories[values.cat.categories.isin(values.dropna().unique())])
                      if isinstance(values.dtype, pd.CategoricalDtype) else sorted(values.dropna().astype(str).unique()))
        shown = values.astype("object").astype(str)
        columns = [(shown == str(c)).to_numpy(dtype=float) for c in categories[1:]]
        return (np.column_stack(columns) if columns else np.empty((len(frame), 0)),
                [f"{column}={c}" for c in categories[1:]])
    return numeric(frame, column)[:, None], [column]


def prepare(data: pd.DataFrame, *, assignment: str, outcome: str | None = None, received: str | None = None,
            covariates: Sequence[str] = (), strata: str | None = None) -> TrialArrays:
    """Arrays for a trial analysis; rows missing the assignment, receipt, a covariate or the stratum
    are excluded (counted). A missing outcome stays NaN: each estimator decides what it means."""
    covariates = list(covariates)
    columns = [assignment, outcome, received, strata, *covariates]
    require_columns(data, columns)
    if len(set(covariates)) != len(covariates) or {assignment, outcome, received, strata} & set(covariates):
        raise ConfigError("a column is named twice among the assignment, outcome, receipt, strata and covariates")
    frame, excl = complete_rows(data, [c for c in (assignment, received, strata, *covariates) if c is not None])
    if frame.empty:
        raise EstimationError("no randomised unit has all of: " + ", ".join(c for c in columns if c))
    z = assignment_indicator(frame, assignment)
    d = assignment_indicator(frame, received) if received else None
    y = numeric(frame, outcome) if outcome else None
    blocks = [_covariate_block(frame, c) for c in covariates]
    X = np.column_stack([b for b, _ in blocks]) if blocks else np.empty((len(frame), 0))
    names = tuple(n for _, ns in blocks for n in ns)
    codes, labels = None, ()
    if strata is not None:
        raw_codes, uniques = pd.factorize(frame[strata].astype("object"), sort=True)
        codes, labels = raw_codes.astype(np.int64), tuple(map(str, uniques))
    for arm, label in ((1.0, "programme"), (0.0, "control")):
        if not np.any(z == arm):
            raise EstimationError(f"no unit is assigned to the {label} arm (column {assignment!r}); a trial "
                                  "comparison needs both arms")
    return TrialArrays(z=z, y=y, d=d, X=X, covariate_names=names, strata=codes, stratum_labels=labels,
                       exclusions=excl, index=frame.index)


def check_strata_have_both_arms(arrays: TrialArrays, minimum: int = 1) -> None:
    """Every stratum needs ``minimum`` units in each arm; a clear error names the ones that do not."""
    if arrays.strata is None:
        return
    bad = []
    for s, label in enumerate(arrays.stratum_labels):
        in_s = arrays.strata == s
        n1, n0 = int((arrays.z[in_s] == 1).sum()), int((arrays.z[in_s] == 0).sum())
        if min(n1, n0) < minimum:
            bad.append(f"{label!r} ({n1} programme, {n0} control)")
    if bad:
        raise EstimationError(f"every stratum needs at least {minimum} unit(s) in each arm; these do not: "
                              + ", ".join(bad) + ". Merge them with a neighbouring stratum.")
