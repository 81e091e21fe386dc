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


def _constant_within(frame: pd.DataFrame, unit: str, column: str, what: str) -> None:
    varying = frame.groupby(unit, sort=False, observed=True)[column].nunique(dropna=False)
    bad = varying[varying > 1]
    if len(bad):
        raise DataError(f"column {column!r} ({what}) must be the same in every period of a unit; "
                        f"it changes within {len(bad)} unit(s), e.g. {unit}={bad.index[0]!r}")


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
    frame = data[[c for c in dict.fromkeys([unit, time, first_treated, outcome, weights, cluster,
                                            *covariates]) if c is not None]].copy()
    frame[first_treated] = numeric(frame, first_treated)
    if (frame[first_treated] < 0).any():
        raise DataError(f"column {first_treated!r} (first treated period) must be a period, "
                        "0 or empty for never-treated units; it holds negative values")
    frame[first_treated] = frame[first_treated].fillna(0.0)
    frame[time] = period_codes(frame[time], time)
    if unit is not None:
        _constant_within(frame, unit, first_treated, "first treated period")
    exclusions = Exclusions()
    required = [time, outcome, *covariates] + ([weights] if weights else []) + ([cluster] if cluster else [])
    required += [unit] if unit is not None else []
    frame, exclusions = complete_rows(frame, required, exclusions)
    frame[outcome] = numeric(frame, outcome)
    for column in covariates:
        frame[column] = numeric(frame, column)
    notes: list[str] = []
    if weights:
        frame[weights] = numeric(frame, weights)
        if (frame[weights] < 0).any():
            raise DataError(f"column {weights!r} (sampling weights) must not be negative")
        if unit is not None and panel:
            _constant_within(frame, unit, weights, "sampling weight")
    if cluster and unit is not None and panel:
        _constant_within(frame, unit, cluster, "cluster")
    if unit is not None:
        dup = frame.duplicated([unit, time])
        if dup.any():
            raise DataError(f"unit {unit!r} and period {time!r} do not identify rows: "
                            f"{int(dup.sum())} duplicate row(s), e.g. {unit}={frame.loc[dup, unit].iloc[0]!r}")
    if frame.empty:
        raise DataError("no rows left after removing rows with missing values")

    periods = np.sort(frame[time].unique())
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

    balanced_layout = panel
    if panel:
        counts = frame.groupby(unit, sort=False, observed=True)[time].count()
        incomplete = counts[counts < len(periods)]
        if len(incomplete):
            if allow_unbalanced:
                balanced_layout = False
                notes.append(f"unbalanced panel ({len(incomplete)} unit(s) miss some period): "
                             "estimated as repeated cross-sections with unit-level influence functions")
            else:
                drop = frame[unit].isin(incomplete.index)
                exclusions = exclusions.add("unit not observed in every period (panel balanced)",
                                            int(drop.sum()))
                notes.append(_warn(f"{len(incomplete)} unit(s) are not observed in every period and are "
                                   f"dropped to balance the panel ({int(drop.sum())} rows); use "
                                   "allow_unbalanced=True to keep them"))
                frame = frame.loc[~drop]
    if frame.empty:
        raise DataError("no rows left after balancing the panel")

    groups = np.sort(np.unique(frame[first_treated].to_numpy()))
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

    period_index = np.searchsorted(periods, frame[time].to_numpy())
    weight_values = frame[weights].to_numpy(float) if weights else np.ones(len(frame))
    cluster_codes = None
    n_clusters = None
    if cluster:
        cluster_codes_rows, uniques = pd.factorize(frame[cluster], sort=True)
        n_clusters = len(uniques)

    if balanced_layout:
        frame = frame.assign(_pidx=period_index).sort_values([unit, "_pidx"], kind="stable")
        units, unit_codes = np.unique(frame[unit].to_numpy(), return_inverse=True)
        n, n_t = len(units), len(periods)
        outcome_wide = frame[outcome].to_numpy(float).reshape(n, n_t)
        x_rows = np.column_stack([np.ones(len(frame))] + [frame[c].to_numpy(float) for c in covariates])
        covariates_wide = x_rows.reshape(n, n_t, -1).transpose(1, 0, 2).copy()
        first_rows = slice(0, None, n_t)
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
