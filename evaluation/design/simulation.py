"""Power of a difference-in-differences by simulation on real or synthetic panel data.

Burlig, Preonas & Woerman's simulation approach (their Stata ``pc_simulate``): draw many
hypothetical experiments from existing data that no programme touched -- the user's pre-period
panel, or the untreated outcomes of the synthetic generator (:func:`synthetic_outcome_panel`) --
each time choosing a window of ``pre + post`` consecutive periods and ``n`` units observed in all
of them, assigning a share of the units to the programme at random (placebo assignment), planting
the effect on their post-entry outcomes, estimating the DiD and testing it. The share of
experiments that reject is the power, with Monte Carlo standard error ``sqrt(p (1 - p) / S)``.

The estimate is the two-way fixed effects DiD with standard errors clustered by unit (CR1) and a
t test with ``units - 1`` degrees of freedom -- what :func:`evaluation.impact.twfe` reports on a
balanced panel, computed here in closed form so that thousands of experiments take seconds.
Staggered entry is allowed (``entry_offsets``: the treated units are split into cohorts entering
that many periods after the first post period, e.g. three cohorts of ten crisis flats 8 months
apart); a constant planted effect keeps TWFE unbiased under it. Another estimator can be passed
as ``estimator(panel) -> (estimate, p_value)``.

Example
-------
>>> rng = np.random.default_rng(0)
>>> panel = pd.DataFrame({"u": np.repeat(np.arange(300), 10), "t": np.tile(np.arange(10), 300)})
>>> panel["y"] = rng.normal(size=len(panel))
>>> res = simulate_did_power(panel, "y", "u", "t", effect=0.5, n=100, pre=3, post=3,
...                          simulations=200, seed=1)
>>> 0.5 < res.power < 1
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.design._common import check_alpha, check_alternative, check_share
from evaluation.design.panel import _check_periods, prepare_panel, two_way_residuals
from evaluation.design.result import PowerResult
from evaluation.errors import ConfigError, DataError

Estimator = Callable[[pd.DataFrame], tuple[float, float]]


@dataclass(frozen=True)
class TWFEFit:
    """The DiD estimate of a balanced panel with its CR1 standard error, t statistic and p-value."""

    estimate: float
    std_error: float
    t: float
    p_value: float


def twfe_cluster(y: np.ndarray, d: np.ndarray, *, alternative: str = "two-sided") -> TWFEFit:
    """Two-way fixed effects regression of ``y`` on the treatment ``d`` (both units x periods,
    balanced), CR1 standard error clustered by unit (fixest's small-sample factor: ``G/(G-1) *
    (N-1)/(N-K)`` with ``K`` = the slope and the period effects; unit effects are nested in the
    clusters) and a t test with ``G - 1`` degrees of freedom.

    >>> y = np.array([[1.0, 2.0, 4.0], [2.0, 3.0, 3.5], [0.5, 1.0, 1.2]]); d = np.array([[0, 0, 1], [0, 0, 0], [0, 0, 0.]])
    >>> round(twfe_cluster(y, d).estimate, 4)
    1.775
    """
    units, periods = y.shape
    dd = two_way_residuals(d)
    yy = two_way_residuals(y)
    sxx = float(np.sum(dd * dd))
    if sxx <= 0:
        raise DataError("the treatment does not vary within units and periods: no DiD to estimate")
    beta = float(np.sum(dd * yy) / sxx)
    scores = np.sum(dd * (yy - beta * dd), axis=1)
    n_obs, k = units * periods, 1 + periods
    factor = units / (units - 1.0) * (n_obs - 1.0) / (n_obs - k)
    se = float(np.sqrt(factor * np.sum(scores ** 2)) / sxx)
    t = beta / se if se > 0 else np.inf
    if alternative == "two-sided":
        p = 2 * stats.t.sf(abs(t), units - 1)
    else:
        p = stats.t.sf(t if alternative == "larger" else -t, units - 1)
    return TWFEFit(beta, se, float(t), float(p))


def treatment_matrix(n_treated: int, units: int, pre: int, post: int, entry_offsets: Sequence[int]) -> np.ndarray:
    """0/1 treatment of ``units`` x ``pre + post`` periods: the first ``n_treated`` units treated,
    split into cohorts (one per offset, in turn) entering at ``pre + offset``."""
    d = np.zeros((units, pre + post))
    for i in range(n_treated):
        d[i, pre + entry_offsets[i % len(entry_offsets)]:] = 1.0
    return d


def _check_offsets(entry_offsets: Sequence[int], post: int) -> tuple[int, ...]:
    offsets = tuple(int(o) for o in entry_offsets)
    if not offsets or any(o < 0 or o >= post for o in offsets):
        raise ConfigError(f"entry_offsets must be periods 0..{post - 1} after the first post period "
                          f"(got {list(entry_offsets)})")
    return offsets


@dataclass(frozen=True)
class SimulatedPowerResult(PowerResult):
    """Power from simulated experiments (``values`` adds ``mc_std_error``, ``simulations``,
    ``rejections``, ``mean_estimate``, ``sd_estimate`` and ``mean_std_error``); ``curve`` has a
    row per simulated size with its Monte Carlo error."""

    figure_drawer: ClassVar[str] = "evaluation.design.simulation:draw_simulated_power"

    def figure_options(self) -> dict[str, Any]:
        return {}


def draw_simulated_power(curve: pd.DataFrame, ax: Any = None, *, lang: str = "cs", kind: str | None = None,
                         **kwargs: Any) -> Any:
    """Simulated power by sample size with 95% Monte Carlo intervals (``kind`` must be "power")."""
    import matplotlib.pyplot as plt

    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.style import percent_axis

    if kind not in (None, "power"):
        raise ConfigError("a simulated power result draws power only (kind='power')")
    pl.check_lang(lang)
    ax = ax if ax is not None else plt.subplots(figsize=(7, 4.2))[1]
    curve = curve.sort_values("size")
    colour = kwargs.pop("color", "C0")
    ax.errorbar(curve["size"], curve["power"], yerr=1.96 * curve["mc_std_error"], fmt="o-", color=colour,
                capsize=3, **kwargs)
    ax.axhline(0.8, color="0.5", linestyle="--", linewidth=0.8)
    ax.set_ylim(0, 1.02)
    percent_axis(ax, "y", lang)
    ax.set_ylabel("Síla testu (simulace)" if lang == "cs" else "Power (simulation)")
    ax.set_xlabel("Počet jednotek celkem" if lang == "cs" else "Units in total")
    pl.number_axis(ax, lang, axis="x")
    ax.set_xlim(left=0)
    return ax


def simulate_did_power(data: pd.DataFrame, outcome: str, unit: str, time: str, *, effect: float, n: int,
                       pre: int, post: int, treated_share: float = 0.5, entry_offsets: Sequence[int] = (0,),
                       simulations: int = 500, alpha: float = 0.05, alternative: str = "two-sided",
                       seed: int | None = None, sizes: Sequence[int] = (),
                       estimator: Estimator | None = None) -> SimulatedPowerResult:
    """Power of a DiD of ``n`` units by placebo experiments on ``data`` (see the module docstring).

    ``data`` is a long panel (one row per ``unit`` and ``time``) of outcomes no programme
    affected; ``sizes`` adds further numbers of units to the power curve (each simulated with the
    same number of experiments). ``estimator``, when given, receives each experiment as a frame
    with columns ``unit, time, y, treated`` and returns ``(estimate, p_value)``.
    """
    pre, post = _check_periods(pre, post)
    check_alpha(alpha)
    check_alternative(alternative)
    check_share("treated_share", treated_share)
    offsets = _check_offsets(entry_offsets, post)
    if isinstance(simulations, bool) or not isinstance(simulations, (int, np.integer)) or simulations < 10:
        raise ConfigError(f"simulations must be a whole number of at least 10 (got {simulations!r})")
    frame = prepare_panel(data, outcome, unit, time)
    wide = frame.pivot(index="_u", columns="_t", values="_y").sort_index(axis=1)
    matrix = wide.to_numpy(float)
    length = pre + post
    if matrix.shape[1] < length:
        raise DataError(f"the panel has {matrix.shape[1]} periods; an experiment of {pre} + {post} periods needs {length}")
    starts = np.arange(matrix.shape[1] - length + 1)
    complete = [np.flatnonzero(~np.isnan(matrix[:, s:s + length]).any(axis=1)) for s in starts]
    rng = np.random.default_rng(seed)
    all_sizes = sorted({int(n), *(int(s) for s in sizes)})
    rows = []
    for size in all_sizes:
        n_treated = round(treated_share * size)
        if not 1 <= n_treated < size or size < 3:
            raise ConfigError(f"{size} units with a treated share of {treated_share:g} leave no treated or no "
                              "comparison unit")
        usable = [s for s in starts if complete[s].size >= size]
        if not usable:
            raise DataError(f"no window of {length} periods has {size} units observed in every period "
                            f"(at most {max(c.size for c in complete)})")
        d = treatment_matrix(n_treated, size, pre, post, offsets)
        outcomes = _simulate(matrix, complete, usable, d, effect, size, length, simulations, alpha, alternative, rng,
                             estimator, wide)
        rows.append({"size": size, "n_treated": n_treated, "windows": len(usable), **outcomes})
    curve = pd.DataFrame(rows)
    main = curve.loc[curve["size"] == int(n)].iloc[0]
    values = {"effect": float(effect), "power": float(main["power"]), "n": float(n),
              "n_treated": int(main["n_treated"]), "n_control": int(n - main["n_treated"]),
              "mc_std_error": float(main["mc_std_error"]), "simulations": int(simulations),
              "rejections": int(main["rejections"]), "mean_estimate": float(main["mean_estimate"]),
              "sd_estimate": float(main["sd_estimate"]), "mean_std_error": float(main["mean_std_error"])}
    settings = {"alpha": alpha, "alternative": alternative, "pre": pre, "post": post,
                "treated_share": treated_share, "entry_offsets": list(offsets), "outcome": outcome,
                "windows": int(main["windows"]), "seed": seed, "target_power": 0.8}
    notes = ((f"{simulations} placebo experiments per size on {outcome!r}: random windows of {length} periods "
              f"({int(main['windows'])} possible), random units observed in all of them, random assignment; "
              "TWFE DiD with CR1 errors clustered by unit, t test with units - 1 df."),)
    return SimulatedPowerResult("did_simulation", "power", values, settings, curve, size_name="units",
                                extra_notes=notes)


def _simulate(matrix: np.ndarray, complete: list[np.ndarray], usable: list[int], d: np.ndarray, effect: float,
              size: int, length: int, simulations: int, alpha: float, alternative: str, rng: np.random.Generator,
              estimator: Estimator | None, wide: pd.DataFrame) -> dict[str, float]:
    estimates, errors, rejections = np.empty(simulations), np.empty(simulations), 0
    for s in range(simulations):
        start = usable[int(rng.integers(len(usable)))]
        chosen = rng.choice(complete[start], size, replace=False)  # random units: the first are treated
        y = matrix[chosen, start:start + length] + effect * d
        if estimator is None:
            fit = twfe_cluster(y, d, alternative=alternative)
            estimates[s], errors[s], p = fit.estimate, fit.std_error, fit.p_value
        else:
            panel = pd.DataFrame({"unit": np.repeat(wide.index.to_numpy()[chosen], length),
                                  "time": np.tile(wide.columns.to_numpy()[start:start + length], size),
                                  "y": y.ravel(), "treated": d.ravel()})
            estimates[s], p = estimator(panel)
            errors[s] = np.nan
        rejections += int(p < alpha)
    power = rejections / simulations
    return {"power": power, "mc_std_error": float(np.sqrt(max(power * (1 - power), 1e-12) / simulations)),
            "rejections": rejections, "mean_estimate": float(np.mean(estimates)),
            "sd_estimate": float(np.std(estimates, ddof=1)), "mean_std_error": float(np.nanmean(errors))
            if np.isfinite(errors).any() else np.nan}


def synthetic_outcome_panel(seed: int = 2019, scale: float = 1.0, outcome: str = "arrears_czk") -> pd.DataFrame:
    """Monthly outcomes of every synthetic household *without* the programme (the generator's
    untreated potential outcomes; comparison households are never treated): a panel with columns
    ``household_id``, ``month`` (whole months since the first), ``month_date`` and ``outcome``,
    on which :func:`simulate_did_power` plants a known effect.

    In the generator arrears follow a household level, common month effects and AR(1) shocks
    (coefficient 0.6, innovation SD 1,500 CZK): the true BPW parameters of this panel are those of
    :func:`evaluation.design.ar1_covariance` with variance 1500**2 / (1 - 0.6**2).
    """
    from evaluation.synthetic import simulate

    if outcome not in ("arrears_czk", "shelter_nights", "employed_adults", "children_in_care"):
        raise ConfigError(f"outcome must be a household outcome with potential outcomes, e.g. arrears_czk "
                          f"(got {outcome!r})")
    data = simulate(seed=seed, scale=scale)
    observed = data.tables["household_outcomes"][["household_id", "month", outcome]]
    potential = data.potential_outcomes["household_outcomes"][["household_id", "month", f"{outcome}_0"]]
    merged = observed.merge(potential, on=["household_id", "month"], how="left")
    untreated = merged[f"{outcome}_0"].where(merged[f"{outcome}_0"].notna(), merged[outcome])
    months = pd.to_datetime(merged["month"])
    first = months.min()
    index = (months.dt.year - first.year) * 12 + (months.dt.month - first.month)
    return pd.DataFrame({"household_id": merged["household_id"].astype(str).to_numpy(), "month": index.to_numpy(),
                         "month_date": months.to_numpy(), outcome: untreated.astype(float).to_numpy()})


__all__ = ["SimulatedPowerResult", "TWFEFit", "simulate_did_power", "synthetic_outcome_panel", "treatment_matrix",
           "twfe_cluster"]
