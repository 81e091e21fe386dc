"""The programme's effect on losing the home, adjusted for who the households are.

Not the comparison group's raw risk: the effect is the difference, for the programme households,
between their risk of losing the home (eviction or abandonment) with the programme and the risk
the same households would have had without it, standardised over their characteristics
(g-formula; the average effect on the treated):

1. episodes of keeping a home (:func:`evaluation.retention.housing_episodes`, ``definition="housing"``):
   programme households from entry, comparison households from their first recorded tenancy;
   losing the home is the event, leaving and death are competing exits;
2. a Cox model of the cause-specific hazard of losing the home with a programme indicator and the
   households' characteristics at entry (default: ETHOS category, income band, children), Efron ties;
   the Breslow baseline cumulative hazard;
3. the competing exits by their Nelson–Aalen cumulative hazard in each group (the comparison group's
   for the counterfactual);
4. for each programme household ``i`` and ``a`` = with / without the programme, the cumulative
   incidence ``F_i^a(t) = sum_{t_j <= t} S_i^a(t_j-) dL_1(t_j) exp(eta_i^a)`` with
   ``S = exp(-L_1 exp(eta) - L_2^a)``; the effect by month ``k`` after entry is the increase of
   ``mean_i [F_i^1 - F_i^0]`` over the month.

The interval is a household bootstrap (resampling within group, the model refitted in every
replicate; percentile interval for the total over the horizon, replicate covariance of the monthly
effects). The design compares groups without a baseline of the outcome (Maryland scale level 2):
adjustment covers the characteristics in the model only.

Example
-------
>>> # effect = lost_home_effect(dataset.tables, horizon=24, n_boot=199)
>>> # effect.total()   # change in the risk of losing the home within 24 months (e.g. -0.3)
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from evaluation.economics.offset_effects import OffsetEffect
from evaluation.errors import DataError, EstimationError
from evaluation.retention.cox import CoxPH, design_matrix
from evaluation.retention.episodes import housing_episodes

#: Default characteristics at entry adjusted for (``has_children`` is derived from ``children``).
DEFAULT_COVARIATES = ("ethos_category", "income_band", "has_children")
COMPETING = ("left", "death")


def _frame(tables: Mapping[str, pd.DataFrame], covariates: Sequence[str], censor_date: Any,
           notes: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """One row per household: entry, exit time, cause (1 lost home, 2 competing, 0 censored), the
    programme indicator and the design columns of the covariates."""
    for name in ("tenancies", "households"):
        if name not in tables:
            raise DataError(f"the effect on losing the home needs table {name!r}")
    households = tables["households"].copy()
    if "has_children" in covariates and "has_children" not in households.columns:
        if "children" not in households.columns:
            raise DataError("table 'households' lacks column 'children' (for the covariate has_children)")
        households["has_children"] = (pd.to_numeric(households["children"], errors="coerce") > 0).astype(float)
        households.loc[pd.to_numeric(households["children"], errors="coerce").isna(), "has_children"] = np.nan
    absent = [c for c in covariates if c not in households.columns]
    if absent:
        raise DataError(f"table 'households' lacks the covariate column(s) {', '.join(absent)}")
    episodes = housing_episodes(tables["tenancies"], tables["households"], definition="housing",
                                censor_date=censor_date)
    data = episodes.data
    data = data[data["group"].astype(object).isin(["programme", "comparison"])]
    frame = data[["household_id", "entry", "exit_time", "outcome", "group"]].merge(
        households[["household_id", *covariates]], on="household_id", how="left")
    frame["cause"] = np.select([frame["outcome"] == "lost_home", frame["outcome"].isin(COMPETING)], [1, 2], 0)
    frame["programme"] = (frame["group"].astype(object) == "programme").astype(float)
    design = design_matrix(frame, list(covariates))
    missing = design.isna().any(axis=1).to_numpy()
    if missing.any():
        notes.append(f"{int(missing.sum())} households without {' or '.join(covariates)} were left out of the "
                     "model of losing the home.")
    frame, design = frame[~missing].reset_index(drop=True), design[~missing].reset_index(drop=True)
    varying = [c for c in design.columns if np.ptp(design[c].to_numpy(float)) > 0]
    dropped = [c for c in design.columns if c not in varying]
    if dropped:
        notes.append(f"Characteristics without variation left out of the model: {', '.join(dropped)}.")
    for group in ("programme", "comparison"):
        if not (frame["group"].astype(object) == group).any():
            raise EstimationError(f"the effect on losing the home needs {group} households with tenancies")
    return pd.concat([frame[["household_id", "entry", "exit_time", "cause", "group", "programme"]],
                      design[varying]], axis=1), varying


def _risk_sums(times: np.ndarray, entry: np.ndarray, exit_: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Sum of ``weight`` over the episodes at risk at each of ``times`` (entry < t <= exit)."""
    order_exit = np.argsort(exit_)
    after_exit = np.r_[np.cumsum(weight[order_exit][::-1])[::-1], 0.0]
    at_or_after = after_exit[np.searchsorted(exit_[order_exit], times, side="left")]
    order_entry = np.argsort(entry)
    after_entry = np.r_[np.cumsum(weight[order_entry][::-1])[::-1], 0.0]
    entered_later = after_entry[np.searchsorted(entry[order_entry], times, side="left")]
    return at_or_after - entered_later


def _increments(frame: pd.DataFrame, cause: int, grid: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Breslow (Nelson–Aalen with unit weights) increments of the cumulative hazard of ``cause`` on ``grid``."""
    events = frame["exit_time"].to_numpy(float)[frame["cause"].to_numpy() == cause]
    counts = np.zeros(grid.size)
    np.add.at(counts, np.searchsorted(grid, events[events <= grid[-1]]), 1.0)
    at_risk = _risk_sums(grid, frame["entry"].to_numpy(float), frame["exit_time"].to_numpy(float), weight)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, counts / np.maximum(at_risk, 1e-300), 0.0)


def _fit(frame: pd.DataFrame, terms: list[str]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return CoxPH().fit(frame, duration="exit_time", event="lost", covariates=terms,
                           entry="entry" if (frame["entry"] > 0).any() else None)


def _coefficients(frame: pd.DataFrame, terms: list[str], x: np.ndarray) -> np.ndarray:
    """The Cox coefficients of :func:`_fit` without its inference (complete data; otherwise the full fit,
    which counts and leaves out incomplete rows)."""
    stop, entry = frame["exit_time"].to_numpy(float), frame["entry"].to_numpy(float)
    if np.isnan(x).any() or np.isnan(stop).any() or np.isnan(entry).any():
        return np.asarray(_fit(frame, terms).params)
    return CoxPH().coefficients(x, stop, frame["lost"].to_numpy(), entry=entry if (entry > 0).any() else None)


def _standardised(frame: pd.DataFrame, columns: list[str], horizon: int, fit: Any = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Monthly risk of losing the home of the programme households with and without the programme
    (cumulative, months 1..horizon), standardised over their characteristics."""
    terms = ["programme", *columns]
    x = frame[terms].to_numpy(float)
    if fit is None:  # a bootstrap replicate: the coefficients are all it needs of the model
        beta = _coefficients(frame, terms, x)
    else:
        beta = np.asarray(fit.params)
    centre = x.mean(axis=0)
    score = np.exp((x - centre) @ beta)
    times = frame["exit_time"].to_numpy(float)
    grid = np.unique(times[(frame["cause"].to_numpy() > 0) & (times <= horizon)])
    if grid.size == 0:
        zeros = np.zeros(horizon)
        return zeros, zeros
    base = _increments(frame, 1, grid, score)
    competing = {}
    for value, group in ((1.0, "programme"), (0.0, "comparison")):
        rows = frame["programme"].to_numpy() == value
        part = frame[rows]
        competing[value] = _increments(part, 2, grid, np.ones(int(rows.sum())))
    target = x[frame["programme"].to_numpy() == 1.0]
    month_end = np.searchsorted(grid, np.arange(1, horizon + 1), side="right") - 1
    curves = {}
    for a in (1.0, 0.0):
        xa = target.copy()
        xa[:, 0] = a
        eta = np.exp((xa - centre) @ beta)[:, None]
        d1 = eta * base[None, :]
        d2 = np.broadcast_to(competing[a][None, :], d1.shape)
        cum = np.cumsum(d1 + d2, axis=1)
        before = np.c_[np.zeros((cum.shape[0], 1)), cum[:, :-1]]
        incidence = np.cumsum(np.exp(-before) * d1, axis=1).mean(axis=0)
        curves[a] = np.where(month_end >= 0, incidence[np.clip(month_end, 0, None)], 0.0)
    return curves[1.0], curves[0.0]


def _proportional_hazards(fit: Any) -> list[str]:
    """A note when the Grambsch–Therneau test doubts proportional hazards for the programme indicator."""
    try:
        table = fit.check_proportional_hazards().tidy().set_index("term")
    except (EstimationError, np.linalg.LinAlgError):
        return ["The proportional-hazards test of the programme indicator could not be computed."]
    p = float(table.loc["programme", "p_value"]) if "programme" in table.index else float("nan")
    hr = float(np.exp(fit.params[0]))
    text = (f"Hazard ratio of losing the home, programme against comparison households, adjusted: {hr:.2f}; "
            f"proportional-hazards test of the programme indicator (Grambsch–Therneau) p = {p:.3f}")
    if p < 0.05:
        text += ": the effect may change over time, read the standardised risks with care"
    return [text + "."]


def _resample(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for value in (1.0, 0.0):
        members = np.flatnonzero(frame["programme"].to_numpy() == value)
        rows.append(rng.choice(members, size=members.size, replace=True))
    return frame.iloc[np.concatenate(rows)].reset_index(drop=True)


def _is_risk(curve: np.ndarray) -> bool:
    """Whether ``curve`` is a cumulative incidence: finite and within 0..1."""
    values = np.asarray(curve, dtype=float)
    return bool(np.isfinite(values).all() and values.min(initial=0.0) >= -1e-9 and values.max(initial=0.0) <= 1 + 1e-9)


def lost_home_effect(tables: Mapping[str, pd.DataFrame], horizon: int, *,
                     covariates: Sequence[str] = DEFAULT_COVARIATES, censor_date: Any = None, n_boot: int = 199,
                     seed: int = 12345, alpha: float = 0.05) -> OffsetEffect:
    """The effect of the programme on the risk of losing the home in each of the ``horizon`` months
    after entry, per programme household (see the module docstring)."""
    if n_boot < 50:
        raise EstimationError("the effect on losing the home needs a bootstrap of at least 50 replicates for its "
                              f"interval (n_boot = {n_boot})")
    notes: list[str] = []
    frame, columns = _frame(tables, covariates, censor_date, notes)
    frame["lost"] = (frame["cause"] == 1).astype(int)
    for group in ("programme", "comparison"):
        longest = float(frame.loc[frame["group"].astype(object) == group, "exit_time"].max())
        if longest < horizon:
            raise EstimationError(f"{group} households are followed for at most {longest:.1f} months, less than the "
                                  f"horizon of {horizon} months: choose a shorter horizon_months")
    if frame["lost"].sum() == 0:
        raise EstimationError("no household lost its home: the effect on losing the home cannot be estimated")
    fit = _fit(frame, ["programme", *columns])
    with_programme, without = _standardised(frame, columns, horizon, fit)
    difference = with_programme - without
    notes.extend(_proportional_hazards(fit))
    rng = np.random.default_rng(seed)
    replicates, failed = [], 0
    for _ in range(n_boot):
        sample = _resample(frame, rng)
        try:
            a, b = _standardised(sample, [c for c in columns if np.ptp(sample[c].to_numpy(float)) > 0], horizon)
        except EstimationError:
            failed += 1
            continue
        if not _is_risk(a) or not _is_risk(b):
            # a replicate whose Cox fit diverged (separation in a small sample: a covariate level with no
            # home lost) gives cumulative incidences outside 0..1; it is a failed fit, not a draw
            failed += 1
            continue
        replicates.append(np.diff(np.r_[0.0, a - b]))
    if len(replicates) < max(50, n_boot // 2):
        raise EstimationError(f"the bootstrap of the effect on losing the home failed in {failed} of {n_boot} "
                              "replicates (too few events)")
    reps = np.asarray(replicates)
    totals = reps.sum(axis=1)
    low, high = np.quantile(totals, [alpha / 2, 1 - alpha / 2])
    if failed:
        notes.append(f"{failed} of {n_boot} bootstrap replicates could not be fitted and were left out.")
    n_programme = int((frame["programme"] == 1).sum())
    notes.append(
        f"Effect on losing the home: Cox model of the hazard of eviction or abandonment with a programme indicator "
        f"and {', '.join(covariates)} ({n_programme} programme and {len(frame) - n_programme} comparison "
        f"households, {int(frame['lost'].sum())} homes lost), standardised over the programme households; leaving "
        f"and death compete; household bootstrap ({len(reps)} replicates), percentile interval.")
    return OffsetEffect("evictions", np.diff(np.r_[0.0, difference]), np.cov(reps, rowvar=False), "cox_comparison",
                        alpha=alpha, conf_low=float(low), conf_high=float(high), n_programme=n_programme,
                        n_units=len(frame), with_programme=np.diff(np.r_[0.0, with_programme]), notes=tuple(notes))


__all__ = ["DEFAULT_COVARIATES", "lost_home_effect"]
