"""Checks and preparation shared by the impact estimators.

Everything here turns a user's DataFrame into clean numeric columns, or raises an
:class:`~evaluation.errors.DataError` / :class:`~evaluation.errors.EstimationError`
that names the column and the rule. Rows left out are counted by reason in an
:class:`Exclusions` record, never dropped silently.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"y": [1.0, None, 3.0], "d": [0, 1, 1]})
>>> kept, excl = complete_rows(frame, ["y", "d"])
>>> len(kept), excl.total
(2, 1)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluation.errors import DataError, EstimationError


class StaggeredTimingWarning(UserWarning):
    """Treatment starts at different times: two-way fixed effects can be biased when effects
    differ by cohort or grow over time (Goodman-Bacon 2021; de Chaisemartin & D'Haultfœuille 2020).
    Use ``staggered_did`` (Callaway & Sant'Anna) for a heterogeneity-robust estimate."""


class FewClustersWarning(UserWarning):
    """Cluster-robust inference with few clusters (or few treated clusters) over-rejects;
    use the wild cluster restricted bootstrap (``result.wild_bootstrap()``)."""


#: Below this many clusters, cluster-robust t tests are known to over-reject.
FEW_CLUSTERS = 30


@dataclass(frozen=True)
class Exclusions:
    """Rows an analysis left out, by reason (reason -> number of rows)."""

    counts: tuple[tuple[str, int], ...] = ()

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)

    def add(self, reason: str, rows: int) -> Exclusions:
        if rows <= 0:
            return self
        return Exclusions(self.counts + ((reason, int(rows)),))

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.counts), columns=["reason", "rows"])

    def notes(self) -> tuple[str, ...]:
        return tuple(f"excluded {n} row(s): {reason}" for reason, n in self.counts)


@dataclass(frozen=True)
class Prepared:
    """A cleaned frame plus the record of what was excluded on the way."""

    frame: pd.DataFrame
    exclusions: Exclusions = field(default_factory=Exclusions)


def require_columns(data: pd.DataFrame, columns: Iterable[str | None], what: str = "data") -> None:
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"{what} must be a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        raise DataError(f"{what} has no column(s) {', '.join(map(repr, missing))}; "
                        f"columns present: {', '.join(map(str, data.columns))}")


def complete_rows(frame: pd.DataFrame, columns: Sequence[str],
                  exclusions: Exclusions | None = None) -> tuple[pd.DataFrame, Exclusions]:
    """Drop rows with a missing value in ``columns``, counting them per column (first missing wins)."""
    exclusions = exclusions or Exclusions()
    keep = np.ones(len(frame), dtype=bool)
    for column in dict.fromkeys(columns):
        missing = frame[column].isna().to_numpy() & keep
        exclusions = exclusions.add(f"missing {column}", int(missing.sum()))
        keep &= ~missing
    return frame.loc[keep], exclusions


def numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    """The column as float64, or a DataError naming it."""
    series = frame[column]
    if isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(series.dtype):
        converted = pd.to_numeric(series, errors="coerce")
        if converted.isna().sum() > series.isna().sum():
            raise DataError(f"column {column!r} must be numeric; it holds values such as "
                            f"{series[converted.isna() & series.notna()].iloc[0]!r}")
        series = converted
    if pd.api.types.is_bool_dtype(series.dtype):
        series = series.astype("float64")
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    if not np.isfinite(values[~np.isnan(values)]).all():
        raise DataError(f"column {column!r} holds infinite values")
    return values


def indicator(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A 0/1 column (bool, boolean, or numbers 0 and 1) as float64; anything else is a DataError."""
    values = numeric(frame, column)
    seen = set(np.unique(values[~np.isnan(values)]).tolist())
    if not seen <= {0.0, 1.0}:
        raise DataError(f"column {column!r} must be a 0/1 (or True/False) indicator; "
                        f"it holds {sorted(seen)[:5]}")
    return values


def period_codes(series: pd.Series, column: str) -> np.ndarray:
    """Periods as integers: integer years/periods stay, dates become month counts (year*12+month-1)."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        periods = series.dt.year * 12 + series.dt.month - 1
        return periods.to_numpy(dtype="float64", na_value=np.nan)
    values = pd.to_numeric(series, errors="coerce")
    if values.isna().sum() > series.isna().sum():
        raise DataError(f"column {column!r} must hold periods as integers or dates")
    out = values.to_numpy(dtype="float64", na_value=np.nan)
    finite = out[~np.isnan(out)]
    if (finite != np.round(finite)).any():
        raise DataError(f"column {column!r} must hold whole periods (integers or month dates)")
    return out


def group_codes(series: pd.Series) -> tuple[np.ndarray, int]:
    """Dense integer codes 0..G-1 for a grouping column (missing values must be removed first)."""
    codes, uniques = pd.factorize(series, sort=True)
    return codes.astype(np.int64), len(uniques)


def check_covariates(frame: pd.DataFrame, covariates: Sequence[str]) -> None:
    """Covariates must be numeric columns that vary."""
    for column in covariates:
        values = numeric(frame, column)
        finite = values[~np.isnan(values)]
        if finite.size and np.ptp(finite) == 0:
            raise EstimationError(f"covariate {column!r} does not vary in the estimation sample; "
                                  "remove it (it is collinear with the intercept or fixed effects)")


def warn_few_clusters(n_clusters: int, n_treated_clusters: int | None = None) -> str | None:
    """Warn (and return a note) when cluster-robust inference is unreliable."""
    message = None
    if n_clusters < FEW_CLUSTERS:
        message = (f"only {n_clusters} clusters: cluster-robust tests over-reject with few clusters; "
                   "check the wild cluster bootstrap (result.wild_bootstrap())")
    elif n_treated_clusters is not None and n_treated_clusters < 5:
        message = (f"only {n_treated_clusters} treated cluster(s): cluster-robust tests over-reject; "
                   "check the wild cluster bootstrap (result.wild_bootstrap())")
    if message:
        warnings.warn(message, FewClustersWarning, stacklevel=4)
    return message
