"""Checks and reshaping of a long panel for staggered DiD (Callaway & Sant'Anna).

Turns the user's long table (one row per unit and period) into numpy arrays: a wide
unit x period outcome matrix for balanced panels, or row-level arrays for repeated
cross-sections and unbalanced panels. Every row or unit left out is counted by reason in an
:class:`~evaluation.impact._design.Exclusions` record and warned about, never dropped silently.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"id": [1, 1, 2, 2], "t": [1, 2, 1, 2], "y": [0.0, 1, 0, 0],
...                       "g": [2, 2, 0, 0]})
>>> prep = prepare_panel(frame, "y", "id", "t", "g", covariates=(), weights=None, cluster=None,
...                      panel=True, allow_unbalanced=False, anticipation=0)
>>> prep.outcome_wide.shape, prep.groups.tolist()
((2, 2), [2.0])
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluation.errors import DataError, EstimationError
from evaluation.impact._design import (
    Exclusions,
    complete_rows,
    numeric,
    period_codes,
    require_columns,
)
from evaluation.impact.covariance import collinear_columns


@dataclass(frozen=True)
class PreparedPanel:
    """Arrays for the ATT(g,t) loop.

    ``entity`` is the sampling unit of the influence functions: the panel unit, or the row for
    repeated cross-sections. ``entity_group``/``entity_weight``/``entity_cluster`` are per entity.
    """

    periods: np.ndarray                 # sorted distinct periods
    groups: np.ndarray                  # sorted treatment cohorts (first treated period)
    layout: str                         # "wide" (balanced panel) or "long" (rows)
    entity_group: np.ndarray            # cohort per entity, 0 = never treated (in sample)
    entity_weight: np.ndarray
    entity_cluster: np.ndarray | None   # integer codes, or None
    n_clusters: int | None
    outcome_wide: np.ndarray | None = None     # entity x period
    covariates_wide: np.ndarray | None = None  # period x entity x k (with intercept)
    row_outcome: np.ndarray | None = None
    row_period: np.ndarray | None = None       # index into periods
    row_group: np.ndarray | None = None
    row_weight: np.ndarray | None = None
    row_entity: np.ndarray | None = None
    row_covariates: np.ndarray | None = None   # rows x k (with intercept)
    covariate_names: tuple[str, ...] = ()
    exclusions: Exclusions = field(default_factory=Exclusions)
    notes: tuple[str, ...] = ()
    group_sizes: dict = field(default_factory=dict)  # cohort -> number of units (0 = never treated)

    @property
    def n_entities(self) -> int:
        return len(self.entity_group)


def _warn(message: str) -> str:
    warnings.warn(message, UserWarning, stacklevel=5)
    return message


def _unit_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Unit codes in sorted order of the unit values (-1 for missing) and each unit's first row."""
    raw = values.to_numpy()
    if raw.dtype.kind in "iu" and raw.size and bool(np.all(raw[1:] >= raw[:-1])):
        # rows already sorted by unit (the usual layout): codes by counting changes, no hashing
        change = np.empty(raw.size, dtype=bool)
        change[0] = True
        np.not_equal(raw[1:], raw[:-1], out=change[1:])
        return np.cumsum(change) - 1, np.flatnonzero(change)
    codes, uniques = pd.factorize(values, sort=True)
    first = np.full(len(uniques), -1, dtype=np.int64)
    present = codes >= 0
    rows = np.flatnonzero(present)
    first[codes[rows][::-1]] = rows[::-1]  # the last write wins: each unit's first row
    return codes, first


def _constant_within(frame: pd.DataFrame, unit: str, column: str, what: str,
                     units: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """A DataError when ``column`` takes more than one value (missing counts as a value) in a unit."""
    codes, first = units if units is not None else _unit_codes(frame[unit])
    values = frame[column].to_numpy()
    if values.dtype.kind not in "fiub":
        values = pd.factorize(values)[0]  # missing values get code -1, a value like any other
    present = codes >= 0
    other = values[first[np.where(present, codes, 0)]]
    differs = present & (values != other)
    if values.dtype.kind == "f":
        differs &= ~(np.isnan(values) & np.isnan(other))
    if differs.any():
        bad = np.unique(codes[differs])
        example = frame[unit].iloc[first[bad[np.argmin(first[bad])]]]
        raise DataError(f"column {column!r} ({what}) must be the same in every period of a unit; "
                        f"it changes within {len(bad)} unit(s), e.g. {unit}={example!r}")


def _check_unique_rows(frame: pd.DataFrame, unit: str, time: str, codes: np.ndarray,
                       period_index: np.ndarray, n_periods: int) -> None:
    """A DataError when a unit has two rows for one period."""
    key = codes.astype(np.int64) * (n_periods + 1) + period_index
    size = (int(codes.max(initial=0)) + 1) * (n_periods + 1)
    if size <= 4 * key.size + 1024 and np.bincount(key, minlength=size).max(initial=0) <= 1:
        return  # the common case, decided by counting without sorting
    order = np.argsort(key, kind="stable")
    repeated = order[1:][key[order][1:] == key[order][:-1]]
    if repeated.size:
        raise DataError(f"unit {unit!r} and period {time!r} do not identify rows: "
                        f"{repeated.size} duplicate row(s), e.g. {unit}={frame[unit].iloc[repeated.min()]!r}")


def _finite_numbers(values: np.ndarray) -> bool:
    return values.dtype.kind in "iu" or (values.dtype.kind == "f" and bool(np.isfinite(values).all()))


def _sorted_balanced_panel(data: pd.DataFrame, outcome: str, unit: str, time: str, first_treated: str,
                           covariates: tuple[str, ...], anticipation: int) -> PreparedPanel | None:
    """The arrays straight from the columns, for the usual layout: integer units and periods, rows
    sorted by unit then period, every unit in every period, numbers complete, no cohort outside the
    periods; None as soon as a check fails, and the general path below validates (and explains)."""
    u, t, g = (data[c].to_numpy() for c in (unit, time, first_treated))
    if u.dtype.kind not in "iu" or t.dtype.kind not in "iu" or not u.size or not _finite_numbers(g):
        return None
    n = u.size
    change = np.empty(n, dtype=bool)
    change[0] = True
    np.not_equal(u[1:], u[:-1], out=change[1:])
    first_rows = np.flatnonzero(change)
    n_units = first_rows.size
    n_t = n // n_units
    if n_units * n_t != n or not np.array_equal(first_rows, np.arange(0, n, n_t)) or not np.all(u[1:] >= u[:-1]):
        return None
    t_wide, g_wide = t.reshape(n_units, n_t), g.reshape(n_units, n_t)
    periods = t_wide[0]
    if np.any(periods[1:] <= periods[:-1]) or not np.array_equal(t_wide, np.broadcast_to(periods, t_wide.shape)):
        return None
    entity_group = g_wide[:, 0].astype(float)
    if not np.array_equal(g_wide, np.broadcast_to(g_wide[:, :1], g_wide.shape)) or (entity_group < 0).any():
        return None
    periods = periods.astype(float)
    treated = entity_group > 0
    if (entity_group > periods[-1] + anticipation).any() or \
            (treated & (entity_group - anticipation <= periods[0])).any():
        return None  # cohorts outside the periods: the general path recodes or drops them, with notes
    y = data[outcome].to_numpy()
    columns = [data[c].to_numpy() for c in covariates]
    if not all(_finite_numbers(v) for v in [y, *columns]):
        return None
    groups = np.unique(entity_group[treated])
    if groups.size == 0:
        return None
    xmat = np.column_stack([np.ones(n)] + [c.astype(float) for c in columns])
    if collinear_columns(xmat, ("(intercept)",) + covariates):
        return None
    sizes = {float(gv): int(np.sum(entity_group == gv)) for gv in np.r_[0.0, groups]}
    return PreparedPanel(periods=periods, groups=groups, layout="wide", entity_group=entity_group,
                         entity_weight=np.ones(n_units), entity_cluster=None, n_clusters=None,
                         outcome_wide=np.asfortranarray(y.astype(float).reshape(n_units, n_t)),
                         covariates_wide=xmat.reshape(n_units, n_t, -1).transpose(1, 0, 2).copy(),
                         covariate_names=covariates, group_sizes=sizes)


def prepare_panel(data: pd.DataFrame, outcome: str, unit: str | None, time: str, first_treated: str, *,
                  covariates: Sequence[str], weights: str | None, cluster: str | None, panel: bool,
                  allow_unbalanced: bool, anticipation: int) -> PreparedPanel:
    """Validate the long table and build the arrays (see module docstring)."""
    covariates = tuple(covariates)
    if panel and unit is None:
        raise DataError("panel=True needs the unit column (unit=...); use panel=False for "
                        "repeated cross-sections without unit identifiers")
    require_columns(data, [outcome, unit, time, first_treated, weights, cluster, *covariates])
    if len(set(covariates)) != len(covariates):
        raise DataError("the same covariate is listed twice in covariates=")
    if panel and weights is None and cluster is None:
        fast = _sorted_balanced_panel(data, outcome, unit, time, first_treated, covariates, anticipation)
        if fast is not None:
            return fast
    frame = data[[c for c in dict.fromkeys([unit, time, first_treated, outcome, weights, cluster,
                                            *covariates]) if c is not None]].copy()
    frame[first_treated] = numeric(frame, first_treated)
    if (frame[first_treated] < 0).any():
        raise DataError(f"column {first_treated!r} (first treated period) must be a period, "
                        "0 or empty for never-treated units; it holds negative values")
    frame[first_treated] = frame[first_treated].fillna(0.0)
    frame[time] = period_codes(frame[time], time)
    units = _unit_codes(frame[unit]) if unit is not None else None
    if unit is not None:
        _constant_within(frame, unit, first_treated, "first treated period", units)
    exclusions = Exclusions()
    required = [time, outcome, *covariates] + ([weights] if weights else []) + ([cluster] if cluster else [])
    required += [unit] if unit is not None else []
    if frame[required].isna().to_numpy().any():
        frame, exclusions = complete_rows(frame, required, exclusions)
        units = _unit_codes(frame[unit]) if unit is not None else None
    frame[outcome] = numeric(frame, outcome)
    for column in covariates:
        frame[column] = numeric(frame, column)
    notes: list[str] = []
    if weights:
        frame[weights] = numeric(frame, weights)
        if (frame[weights] < 0).any():
            raise DataError(f"column {weights!r} (sampling weights) must not be negative")
        if unit is not None and panel:
            _constant_within(frame, unit, weights, "sampling weight", units)
    if cluster and unit is not None and panel:
        _constant_within(frame, unit, cluster, "cluster", units)
    if frame.empty:
        raise DataError("no rows left after removing rows with missing values")
    periods = np.sort(pd.unique(frame[time].to_numpy()))
    period_index = np.searchsorted(periods, frame[time].to_numpy())
    if unit is not None:
        _check_unique_rows(frame, unit, time, units[0], period_index, len(periods))

    first_period, last_period = periods[0], periods[-1]
    g = frame[first_treated].to_numpy()
    # cohorts first treated after the data end (allowing for anticipation) are never treated here
    late = g > last_period + anticipation
    if late.any():
        count = frame.loc[late, unit].nunique() if unit is not None else int(late.sum())
        notes.append(f"{count} unit(s) first treated after the last period ({last_period:g}) "
                     "are counted as never treated")
        frame.loc[late, first_treated] = 0.0
        g = frame[first_treated].to_numpy()
    # no period before treatment (or anticipation) starts: nothing to compare with (R did drops them)
    early = (g > 0) & (g - anticipation <= first_period)
    if early.any():
        count = frame.loc[early, unit].nunique() if unit is not None else int(early.sum())
        exclusions = exclusions.add("treated in the first period or earlier (no pre-treatment period)",
                                    int(early.sum()))
        notes.append(_warn(f"{count} unit(s) treated in or before the first period {first_period:g} "
                           f"(cohorts {sorted(set(g[early].tolist()))}) have no pre-treatment period "
                           "and are dropped, as in R did"))
        frame = frame.loc[~early]
        period_index = period_index[~early]
        units = _unit_codes(frame[unit]) if unit is not None else None

    balanced_layout = panel
    if panel:
        counts = np.bincount(units[0])
        incomplete = int((counts < len(periods)).sum())
        if incomplete:
            if allow_unbalanced:
                balanced_layout = False
                notes.append(f"unbalanced panel ({incomplete} unit(s) miss some period): "
                             "estimated as repeated cross-sections with unit-level influence functions")
            else:
                drop = (counts < len(periods))[units[0]]
                exclusions = exclusions.add("unit not observed in every period (panel balanced)",
                                            int(drop.sum()))
                notes.append(_warn(f"{incomplete} unit(s) are not observed in every period and are "
                                   f"dropped to balance the panel ({int(drop.sum())} rows); use "
                                   "allow_unbalanced=True to keep them"))
                frame = frame.loc[~drop]
                period_index = period_index[~drop]
                units = _unit_codes(frame[unit])
    if frame.empty:
        raise DataError("no rows left after balancing the panel")

    groups = np.sort(pd.unique(frame[first_treated].to_numpy()))
    groups = groups[groups > 0]
    if groups.size == 0:
        raise EstimationError(f"no treated units: column {first_treated!r} is 0 or empty for every "
                              "unit left in the sample")
    design_names = ("(intercept)",) + covariates
    xmat = np.column_stack([np.ones(len(frame))] + [frame[c].to_numpy() for c in covariates])
    collinear = collinear_columns(xmat, design_names)
    if collinear:
        raise EstimationError("collinear covariates: " + ", ".join(map(repr, collinear)) +
                              " can be written as a combination of the other covariates (or are "
                              "constant); remove them")

    weight_values = frame[weights].to_numpy(float) if weights else np.ones(len(frame))
    cluster_codes = None
    n_clusters = None
    if cluster:
        cluster_codes_rows, uniques = pd.factorize(frame[cluster], sort=True)
        n_clusters = len(uniques)

    if balanced_layout:
        # every unit has one row per period: place rows by (unit, period) instead of sorting them
        unit_codes, first_rows = units
        n, n_t = first_rows.size, len(periods)
        y = frame[outcome].to_numpy(float)
        if np.array_equal(first_rows, np.arange(0, n * n_t, n_t)) and \
                np.array_equal(period_index.reshape(n, n_t), np.broadcast_to(np.arange(n_t), (n, n_t))):
            # sorted by unit and period already: the wide arrays are reshapes
            outcome_wide = np.asfortranarray(y.reshape(n, n_t))
            covariates_wide = xmat.reshape(n, n_t, -1).transpose(1, 0, 2).copy()
        else:
            outcome_wide = np.empty((n, n_t), order="F")  # column-major: each cell reads two columns
            outcome_wide[unit_codes, period_index] = y
            covariates_wide = np.empty((n_t, n, xmat.shape[1]))
            covariates_wide[period_index, unit_codes] = xmat
        entity_group = frame[first_treated].to_numpy()[first_rows]
        entity_weight = frame[weights].to_numpy(float)[first_rows] if weights else np.ones(n)
        if cluster:
            entity_cluster = pd.factorize(frame[cluster].to_numpy()[first_rows], sort=True)[0]
        else:
            entity_cluster = None
        prepared = dict(layout="wide", outcome_wide=outcome_wide, covariates_wide=covariates_wide)
    else:
        if unit is not None and panel:
            units, row_entity = np.unique(frame[unit].to_numpy(), return_inverse=True)
            first_idx = np.unique(row_entity, return_index=True)[1]
        else:
            row_entity = np.arange(len(frame))
            first_idx = row_entity
        entity_group = frame[first_treated].to_numpy()[first_idx]
        entity_weight = weight_values[first_idx]
        entity_cluster = cluster_codes_rows[first_idx] if cluster else None
        prepared = dict(layout="long", row_outcome=frame[outcome].to_numpy(float), row_period=period_index,
                        row_group=frame[first_treated].to_numpy(), row_weight=weight_values,
                        row_entity=row_entity, row_covariates=xmat)

    if weights and entity_weight.sum() <= 0:
        raise DataError(f"column {weights!r} (sampling weights) sums to zero")
    sizes = {float(gv): int(np.sum(entity_group == gv)) for gv in np.r_[0.0, groups]}
    return PreparedPanel(periods=periods, groups=groups, entity_group=entity_group,
                         entity_weight=entity_weight, entity_cluster=entity_cluster, n_clusters=n_clusters,
                         covariate_names=covariates, exclusions=exclusions, notes=tuple(notes),
                         group_sizes=sizes, **prepared)
