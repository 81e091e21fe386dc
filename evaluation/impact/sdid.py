"""Synthetic difference-in-differences (Arkhangelsky, Athey, Hirshberg, Imbens & Wager 2021, AER).

For a few treated places among many comparison places: unit weights make the weighted comparison
places trend like the treated ones before the programme (with an intercept, so levels may differ);
time weights make the weighted pre-programme periods resemble the post-programme ones; the effect
is the weighted difference-in-differences. ``method="sc"`` and ``method="did"`` give synthetic
control and plain DiD as special cases of the same computation (synthdid's ``sc_estimate`` and
``did_estimate``), so that the three compare side by side (:func:`sdid_comparison`).

One adoption date reproduces R ``synthdid`` (point estimates to the published digits on
California's Proposition 99). Staggered adoption follows Stata ``sdid`` (Clarke, Pailañir, Athey &
Imbens 2023): one estimate per adoption cohort against the never-treated places, averaged with
weights equal to the cohort's number of treated unit-periods. Standard errors are a separate step
(:meth:`SyntheticDiDResult.inference`) with the paper's bootstrap (Algorithm 2), jackknife
(Algorithm 3) and placebo (Algorithm 4) as R ``vcov(method=...)`` and Stata ``vce()`` define them;
with a single treated place only the placebo method is defined.

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> units, years = [f"m{i}" for i in range(30)], np.arange(2012, 2025)
>>> df = pd.DataFrame([(u, t) for u in units for t in years], columns=["municipality", "year"])
>>> df["pilot"] = ((df.municipality == "m0") & (df.year >= 2020)).astype(int)
>>> df["y"] = rng.normal(size=len(df)) + 0.1 * (df.year - 2012) - 2.0 * df.pilot
>>> res = synthetic_did(df, "y", "municipality", "year", "pilot", se_method="placebo", seed=1)
>>> bool(res.conf_int[0] < -2.0 < res.conf_int[1])
True
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.data.dataset import Dataset
from evaluation.errors import ConfigError, EstimationError
from evaluation.impact import _sdid_core as core
from evaluation.impact._synth_panel import adoption_periods, outcome_matrix
from evaluation.results import Result

SE_METHODS = ("placebo", "bootstrap", "jackknife")
METHOD_TITLES = {"sdid": "Synthetic difference-in-differences", "sc": "Synthetic control (synthdid)",
                 "did": "Difference-in-differences"}


@dataclass(frozen=True)
class SDIDDesign:
    """The balanced panel as matrices: controls (never treated) first, then treated by cohort."""

    Y: np.ndarray = field(repr=False)           # units x periods
    units: tuple
    periods: tuple
    controls: np.ndarray = field(repr=False)    # row indices of never-treated units
    cohort_starts: tuple                        # first treated period of each cohort
    cohort_members: tuple = field(repr=False)   # row indices of each cohort's treated units
    cohort_T0: tuple                            # number of periods before each cohort starts

    @property
    def n_treated(self) -> int:
        return int(sum(len(m) for m in self.cohort_members))

    def post_periods(self, k: int) -> int:
        return len(self.periods) - self.cohort_T0[k]


@dataclass(frozen=True)
class SDIDOptions:
    method: str = "sdid"
    eta_omega: float | None = None
    eta_lambda: float = core.ETA_LAMBDA
    min_decrease: float = core.MIN_DECREASE
    max_iter: int = core.MAX_ITER


@dataclass(frozen=True)
class SyntheticDiDResult(Result):
    """Synthetic DiD (or SC / DiD) estimate, per-cohort estimates, weights, and their inference."""

    outcome: str
    unit: str
    time: str
    estimate: float
    std_error: float
    se_method: str | None
    replications: int | None
    seed: int | None
    alpha: float
    cohorts: pd.DataFrame
    unit_weights: pd.DataFrame
    time_weights: pd.DataFrame
    design: SDIDDesign = field(repr=False)
    options: SDIDOptions = field(repr=False)
    fits: tuple = field(repr=False, compare=False)           # one core.CohortFit per cohort
    draws: np.ndarray | None = field(default=None, repr=False, compare=False)
    extra_notes: tuple[str, ...] = ()

    @property
    def method(self) -> str:
        return self.options.method

    @property
    def title(self) -> str:
        return METHOD_TITLES[self.method] + (" (staggered adoption)" if self.staggered else "")

    @property
    def staggered(self) -> bool:
        return len(self.design.cohort_starts) > 1

    @property
    def conf_int(self) -> tuple[float, float]:
        z = stats.norm.ppf(1 - self.alpha / 2)
        return self.estimate - z * self.std_error, self.estimate + z * self.std_error

    @property
    def p_value(self) -> float:
        return float(2 * stats.norm.sf(abs(self.estimate / self.std_error))) if self.std_error > 0 else np.nan

    @property
    def notes(self) -> tuple[str, ...]:
        d = self.design
        lines = [f"{len(d.controls)} never-treated comparison {self.unit}(s), {d.n_treated} treated, "
                 f"{len(d.periods)} periods"
                 + (f", {len(d.cohort_starts)} adoption cohorts (estimates weighted by treated unit-periods, "
                    "as Stata sdid)" if self.staggered else "")]
        if self.se_method is None:
            lines.append("no standard error yet: call .inference('placebo' | 'bootstrap' | 'jackknife')")
        else:
            reps = f", {self.replications} replications" if self.se_method != "jackknife" else ""
            lines.append(f"standard error: {self.se_method} (Arkhangelsky et al. 2021, Algorithm "
                         f"{ {'bootstrap': 2, 'jackknife': 3, 'placebo': 4}[self.se_method]}{reps}); "
                         f"normal {100 * (1 - self.alpha):g}% interval")
        return tuple(lines) + self.extra_notes

    def tidy(self) -> pd.DataFrame:
        lo, hi = self.conf_int
        rows = [{"term": "ATT", "estimate": self.estimate, "std_error": self.std_error, "conf_low": lo,
                 "conf_high": hi, "p_value": self.p_value, "cohort": np.nan,
                 "n_treated": self.design.n_treated, "method": self.method}]
        if self.staggered:
            for row in self.cohorts.itertuples(index=False):
                rows.append({"term": f"ATT(cohort {row.cohort})", "estimate": row.estimate,
                             "std_error": row.std_error, "conf_low": row.conf_low, "conf_high": row.conf_high,
                             "p_value": row.p_value, "cohort": row.cohort, "n_treated": row.n_treated,
                             "method": self.method})
        return pd.DataFrame(rows)

    def summary(self) -> str:
        text = super().summary()
        top = self.unit_weights[self.unit_weights["weight"] > 0].sort_values(["cohort", "weight"],
                                                                               ascending=[True, False])
        with pd.option_context("display.float_format", "{:.4g}".format, "display.width", 120):
            text += "\n\nPer cohort\n" + self.cohorts.to_string(index=False)
            text += "\n\nLargest unit weights\n" + top.groupby("cohort").head(10).to_string(index=False)
        return text

    # -------------------------------------------------------------- inference (separate steps)
    def vcov(self, method: str = "placebo", replications: int = 200, seed: int | None = None) -> np.ndarray:
        """Variance of the ATT as a 1 x 1 matrix, like R ``vcov(estimate, method=...)``."""
        return np.array([[self.inference(method, replications, seed).std_error ** 2]])

    def inference(self, method: str = "placebo", replications: int = 200,
                  seed: int | None = None) -> SyntheticDiDResult:
        """A new result with standard errors by ``method``: "placebo", "bootstrap" or "jackknife"."""
        from evaluation.impact.sdid_inference import standard_errors

        if method not in SE_METHODS:
            raise ConfigError(f"se method must be one of {SE_METHODS}, not {method!r}")
        if method != "jackknife" and int(replications) < 2:
            raise ConfigError(f"replications must be at least 2, not {replications!r}")
        if seed is None and method != "jackknife":
            seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        se, cohort_se, draws, notes = standard_errors(self, method, int(replications), seed)
        cohorts = _with_inference(self.cohorts, cohort_se, self.alpha)
        return dataclasses.replace(self, std_error=float(se), se_method=method,
                                   replications=None if method == "jackknife" else int(replications),
                                   seed=seed, cohorts=cohorts, draws=draws,
                                   extra_notes=self.extra_notes + tuple(notes))

    def effect_curve(self) -> pd.DataFrame:
        """Per post-treatment period effects that average to each cohort's estimate (synthdid_effect_curve)."""
        rows = []
        d = self.design
        for k, fit in enumerate(self.fits):
            T0 = d.cohort_T0[k]
            treated = d.Y[d.cohort_members[k]].mean(axis=0)
            synthetic = fit.omega[0] @ d.Y[d.controls]
            diff = treated - synthetic
            base = float(fit.lambda_[0] @ diff[:T0])
            for j in range(T0, len(d.periods)):
                rows.append({"cohort": d.cohort_starts[k], "period": d.periods[j], "event_time": j - T0,
                             "effect": diff[j] - base})
        return pd.DataFrame(rows)

    def placebo_in_time(self, treated_fraction: float | None = None) -> SyntheticDiDResult:
        """The same estimator on pre-treatment data only, with a fake start (synthdid_placebo).

        ``treated_fraction`` of the pre-treatment periods are called treated (default: the share
        of post-treatment periods in the whole panel, as synthdid). One adoption date only.
        """
        d = self.design
        if self.staggered:
            raise EstimationError("the in-time placebo is defined for one adoption date; run it on one cohort "
                                  "(keep that cohort's treated places and the never-treated ones)")
        T0 = d.cohort_T0[0]
        if treated_fraction is None:
            treated_fraction = 1 - T0 / len(d.periods)
        fake_T0 = int(np.floor(T0 * (1 - treated_fraction)))
        if fake_T0 < (1 if self.method == "did" else 2) or fake_T0 >= T0:
            raise EstimationError(f"a placebo start leaving {fake_T0} of {T0} pre-treatment periods before it "
                                  "is not possible; choose another treated_fraction")
        placebo = dataclasses.replace(d, Y=d.Y[:, :T0], periods=d.periods[:T0],
                                      cohort_starts=(d.periods[fake_T0],), cohort_T0=(fake_T0,))
        result = _estimate(placebo, self.options, self.outcome, self.unit, self.time, self.alpha)
        return dataclasses.replace(result, extra_notes=((f"in-time placebo: pre-treatment data only, fake start "
                                                        f"{d.periods[fake_T0]}"),))

    def plot(self, ax: Any = None, *, lang: str = "cs", cohort: Any = None, kind: str = "trajectories",
             **kwargs: Any) -> Any:
        """synthdid's plot: treated vs weighted controls, the DiD parallelogram and the time weights.

        ``kind="weights"`` shows each control's own DiD estimate sized by its weight
        (synthdid_units_plot). With several cohorts, ``cohort`` picks one (default: the first).
        """
        from evaluation.impact.sdid_plot import plot_trajectories, plot_unit_weights

        if kind == "weights":
            return plot_unit_weights(self, ax=ax, lang=lang, cohort=cohort, **kwargs)
        if kind != "trajectories":
            raise ConfigError(f"kind must be 'trajectories' or 'weights', not {kind!r}")
        return plot_trajectories(self, ax=ax, lang=lang, cohort=cohort, **kwargs)


def _with_inference(cohorts: pd.DataFrame, se: np.ndarray, alpha: float) -> pd.DataFrame:
    table = cohorts.copy()
    z = stats.norm.ppf(1 - alpha / 2)
    table["std_error"] = se
    table["conf_low"] = table["estimate"] - z * table["std_error"]
    table["conf_high"] = table["estimate"] + z * table["std_error"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["p_value"] = 2 * stats.norm.sf(np.abs(table["estimate"] / table["std_error"]))
    return table


# ------------------------------------------------------------------------------ preparation
def prepare_design(data: pd.DataFrame, outcome: str, unit: str, time: str, treatment: str) -> SDIDDesign:
    """Check the panel and build the matrices; errors name the units and periods at fault."""
    wide = outcome_matrix(data, outcome, unit, time)
    adoption = adoption_periods(data, unit, time, treatment).reindex(wide.index)
    periods = list(wide.columns)
    never = adoption.isna().to_numpy()
    if never.all():
        raise EstimationError(f"no {unit} is ever treated ({treatment!r} is 0 everywhere)")
    if not never.any():
        raise EstimationError(f"every {unit} is treated at some point: synthetic DiD needs never-treated "
                              f"{unit}s to compare with")
    starts = [next(p for p in periods if p == s) for s in sorted(adoption.dropna().unique())]
    first = [s for s in starts if s == periods[0]]
    if first:
        names = adoption.index[adoption == periods[0]]
        raise EstimationError(f"{unit} {', '.join(map(str, names[:8]))} treated from the first period "
                              f"({periods[0]}): there are no pre-treatment periods to build weights from; "
                              "leave them out or add earlier periods")
    controls = np.flatnonzero(never)
    order = list(controls)
    members, T0s = [], []
    for s in starts:
        rows = np.flatnonzero(adoption.to_numpy() == s)
        members.append(np.arange(len(order), len(order) + rows.size))
        order += list(rows)
        T0s.append(periods.index(s))
    Y = wide.to_numpy(dtype=float)[order]
    return SDIDDesign(Y=Y, units=tuple(wide.index[order]), periods=tuple(periods),
                      controls=np.arange(controls.size), cohort_starts=tuple(starts),
                      cohort_members=tuple(members), cohort_T0=tuple(T0s))


def _check_design(design: SDIDDesign, options: SDIDOptions, unit: str) -> list[str]:
    notes = []
    for k, s in enumerate(design.cohort_starts):
        if options.method != "did" and design.cohort_T0[k] < 2:
            raise EstimationError(f"cohort starting in {s} has a single pre-treatment period: synthetic DiD and "
                                  "synthetic control need at least two (the noise level is estimated from "
                                  "changes between pre-treatment periods); use method='did'")
    if len(design.controls) < 2:
        raise EstimationError(f"only {len(design.controls)} never-treated {unit}: at least two are needed")
    flat = np.ptp(design.Y[design.controls], axis=1) == 0
    if flat.any():
        names = [design.units[i] for i in design.controls[flat]]
        notes.append(f"{int(flat.sum())} comparison {unit}(s) with a constant outcome "
                     f"({', '.join(map(str, names[:5]))}); they stay in the donor pool")
    return notes


def _estimate(design: SDIDDesign, options: SDIDOptions, outcome: str, unit: str, time: str,
              alpha: float) -> SyntheticDiDResult:
    notes = _check_design(design, options, unit)
    Yc = design.Y[design.controls]
    fits, rows, uw, tw = [], [], [], []
    for k, start in enumerate(design.cohort_starts):
        T0 = design.cohort_T0[k]
        treated_mean = design.Y[design.cohort_members[k]].mean(axis=0)
        fit = core.fit_cohorts(Yc[None], np.ones((1, Yc.shape[0]), bool), treated_mean[None], T0,
                               method=options.method, n_treated=len(design.cohort_members[k]),
                               eta_omega=options.eta_omega, eta_lambda=options.eta_lambda,
                               min_decrease=options.min_decrease, max_iter=options.max_iter)
        fits.append(fit)
        n1, n_post = len(design.cohort_members[k]), design.post_periods(k)
        rows.append({"cohort": start, "n_treated": n1, "n_pre": T0, "n_post": n_post,
                     "weight": n1 * n_post, "estimate": float(fit.tau[0]),
                     "noise_level": float(fit.noise[0]), "zeta_omega": float(fit.zeta_omega[0]),
                     "zeta_lambda": float(fit.zeta_lambda[0])})
        uw += [{"cohort": start, unit: design.units[i], "weight": float(w)}
               for i, w in zip(design.controls, fit.omega[0])]
        tw += [{"cohort": start, time: design.periods[j], "weight": float(w)} for j, w in enumerate(fit.lambda_[0])]
    cohorts = pd.DataFrame(rows)
    cohorts["weight"] = cohorts["weight"] / cohorts["weight"].sum()
    estimate = float((cohorts["weight"] * cohorts["estimate"]).sum())
    cohorts = _with_inference(cohorts, np.full(len(cohorts), np.nan), alpha)
    unit_weights = pd.DataFrame(uw).rename(columns={unit: "unit"})
    time_weights = pd.DataFrame(tw).rename(columns={time: "period"})
    for w, name in ((unit_weights, "unit"), (time_weights, "period")):
        w.attrs["label"] = name
    return SyntheticDiDResult(outcome=outcome, unit=unit, time=time, estimate=estimate, std_error=np.nan,
                              se_method=None, replications=None, seed=None, alpha=alpha, cohorts=cohorts,
                              unit_weights=unit_weights, time_weights=time_weights, design=design,
                              options=options, fits=tuple(fits), extra_notes=tuple(notes))


def synthetic_did(data: pd.DataFrame | Dataset, outcome: str, unit: str, time: str, treatment: str, *,
                  method: str = "sdid", se_method: str | None = "auto", replications: int = 200,
                  seed: int | None = None, alpha: float = 0.05, eta_omega: float | None = None,
                  eta_lambda: float = core.ETA_LAMBDA, min_decrease: float = core.MIN_DECREASE,
                  max_iter: int = core.MAX_ITER) -> SyntheticDiDResult:
    """Synthetic difference-in-differences on a balanced panel.

    ``treatment`` is a 0/1 column that switches on when the programme starts in a place and stays
    on; places that are never 1 are the comparison pool. Several start dates give the staggered
    estimator (per cohort, weighted by treated unit-periods). ``method``: "sdid", "sc" or "did".
    ``se_method``: "placebo", "bootstrap", "jackknife", None (estimate only; call
    ``.inference()`` later) or "auto" (bootstrap with two or more treated places, placebo with
    one). ``replications`` (R's default 200) and ``seed`` for the randomised methods.
    ``eta_omega`` overrides the unit-weight regularisation (default (N_tr T_post)^(1/4) for
    sdid, 1e-6 for sc); ``eta_lambda``, ``min_decrease`` and ``max_iter`` are synthdid's.

    Example
    -------
    >>> res = synthetic_did(panel, "packs", "state", "year", "treated",
    ...                     se_method="placebo", seed=1)           # doctest: +SKIP
    >>> res.tidy(); res.plot(lang="en")                          # doctest: +SKIP
    """
    if isinstance(data, Dataset):
        data = data["municipality_panel"]
    if method not in core.METHODS:
        raise ConfigError(f"method must be one of {core.METHODS}, not {method!r}")
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must be between 0 and 1, not {alpha!r}")
    if se_method not in (*SE_METHODS, "auto", None):
        raise ConfigError(f"se_method must be one of {SE_METHODS}, 'auto' or None, not {se_method!r}")
    if eta_omega is not None and eta_omega < 0:
        raise ConfigError(f"eta_omega must not be negative, not {eta_omega!r}")
    options = SDIDOptions(method=method, eta_omega=eta_omega, eta_lambda=eta_lambda,
                          min_decrease=min_decrease, max_iter=int(max_iter))
    design = prepare_design(data, outcome, unit, time, treatment)
    result = _estimate(design, options, outcome, unit, time, alpha)
    if se_method == "auto":
        se_method = "bootstrap" if design.n_treated >= 2 else "placebo"
    if se_method is not None:
        if se_method == "placebo" and len(design.controls) <= design.n_treated:
            warnings.warn("placebo standard errors need more never-treated than treated places; none computed",
                          UserWarning, stacklevel=2)
            return result
        result = result.inference(se_method, replications, seed)
    return result


def sdid_comparison(data: pd.DataFrame | Dataset, outcome: str, unit: str, time: str, treatment: str, *,
                    methods: Sequence[str] = ("did", "sc", "sdid"), **kwargs: Any) -> SDIDComparison:
    """DiD, synthetic control and synthetic DiD on the same data, side by side (synthdid's Table 1).

    ``kwargs`` go to :func:`synthetic_did` (e.g. ``se_method="placebo", seed=12345``).
    """
    results = tuple(synthetic_did(data, outcome, unit, time, treatment, method=m, **kwargs) for m in methods)
    return SDIDComparison(results=results)


@dataclass(frozen=True)
class SDIDComparison(Result):
    """Several synthdid-family estimators on one panel."""

    results: tuple
    title: str = "DiD, synthetic control and synthetic DiD compared"

    def tidy(self) -> pd.DataFrame:
        return pd.concat([r.tidy().iloc[[0]] for r in self.results], ignore_index=True)

    def plot(self, ax: Any = None, *, lang: str = "cs", **kwargs: Any) -> Any:
        """One synthdid plot per estimator, side by side (the paper's Figure 1)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, axes = plt.subplots(1, len(self.results), figsize=(4 * len(self.results), 3.5), sharey=True)
        else:
            axes = np.atleast_1d(ax)
        for a, r in zip(np.atleast_1d(axes), self.results):
            r.plot(ax=a, lang=lang, **kwargs)
            a.text(0.02, 0.02, r.method.upper(), transform=a.transAxes, fontsize=9, fontweight="bold")
        return axes
