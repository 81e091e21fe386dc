"""Intention-to-treat effect of a randomised trial: Lin (2013) regression adjustment and the
Neyman difference in means.

*Lin (2013)*: OLS of the outcome on the assignment, the covariates centred at their sample
means and their interactions with the assignment; the coefficient on the assignment is the
intention-to-treat effect (ITT), and its HC2 standard error is consistent (or conservative)
under the randomisation alone (Lin 2013, Ann. Appl. Stat. 7(1); R ``estimatr::lm_lin``, whose
default is HC2). Strata enter as covariates (their indicators, centred and interacted), so the
estimate weights each stratum by its share of the sample.

*Neyman difference in means*, as R ``estimatr::difference_in_means`` (its "mathematical notes"):
without strata ȳ₁ − ȳ₀ with variance s₁²/n₁ + s₀²/n₀ and Welch–Satterthwaite degrees of freedom
(as ``t.test``); with strata Σ (N_b/N) τ̂_b with variance Σ (N_b/N)² V̂(τ̂_b) and N − 2B degrees of
freedom; matched pairs (every stratum one programme and one control unit) the pair variance
Σ (τ̂_j − τ̂)²/(J(J − 1)) with J − 1 degrees of freedom. The variances are conservative for the
sample average effect (Neyman 1923).

Units whose outcome is missing (attrition) are left out and counted; when attrition differs by
arm see :func:`evaluation.impact.trial_attrition.lee_bounds`. Exact p-values by re-randomisation
are :func:`evaluation.impact.trial_randomisation.trial_randomisation_test`.

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> df = pd.DataFrame({"z": rng.permutation(np.repeat([0, 1], 100)), "x": rng.normal(size=200)})
>>> df["y"] = 1 + 2 * df["z"] + df["x"] + rng.normal(size=200)
>>> res = itt(df, "y", "z", covariates=["x"])
>>> round(res.estimate)
2
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.errors import EstimationError
from evaluation.impact._regression import check_alpha
from evaluation.impact._trial_common import (
    HeadlineEstimate,
    TrialArrays,
    check_strata_have_both_arms,
    hc_covariance,
    hc_name,
    prepare,
    t_interval,
    text,
)
from evaluation.impact.covariance import least_squares
from evaluation.reporting.labels import check_lang
from evaluation.results import ESTIMATE_COLUMNS, Result


@dataclass(frozen=True)
class ITTResult(HeadlineEstimate, Result):
    """The ITT by Lin's regression adjustment (``itt_lin``) and by the difference in means
    (``itt_dim``), the outcome by arm (``means``) and all coefficients of Lin's regression."""

    table: pd.DataFrame
    means: pd.DataFrame
    coefficients: pd.DataFrame
    outcome: str
    cov_type: str
    alpha: float
    design: str
    notes: tuple[str, ...] = ()
    exclusions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["reason", "rows"]))
    title: str = "Intention-to-treat effect (randomised trial)"

    count_columns: ClassVar[tuple[str, ...]] = ("n_programme", "n_control")
    HEADLINE: ClassVar[str] = "itt_lin"  # estimate, std_error, conf_int: Lin's regression-adjusted ITT

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        with pd.option_context("display.float_format", "{:.4g}".format, "display.width", 120):
            return super().summary() + "\n\nOutcome by arm\n" + self.means.to_string(index=False)

    def plot(self, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
        """Both estimates with their confidence intervals, and zero."""
        return plot_estimates(self.table, ax=ax, lang=lang, **kwargs)


def plot_estimates(table: pd.DataFrame, *, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
    """Dot-and-whisker chart of the rows of a trial estimate table (labels from their ``term``)."""
    import matplotlib.pyplot as plt

    check_lang(lang)
    rows = table.iloc[::-1].reset_index(drop=True)
    ax = ax if ax is not None else plt.subplots(figsize=(6.5, 0.6 * len(rows) + 1.4))[1]
    y = np.arange(len(rows))
    ax.errorbar(rows["estimate"], y, xerr=[rows["estimate"] - rows["conf_low"], rows["conf_high"] - rows["estimate"]],
                fmt="o", color=kwargs.pop("color", "C0"), capsize=3, **kwargs)
    ax.axvline(0, color="0.5", linewidth=0.8, linestyle="--")
    ax.set_yticks(y, [text(t, lang) for t in rows["term"]])
    ax.set_xlabel(text("effect_axis", lang))
    ax.set_ylim(-0.6, len(rows) - 0.4)
    return ax


def lin_covariates(arrays: TrialArrays) -> tuple[np.ndarray, list[str], np.ndarray, list[str]]:
    """The covariates of Lin's regression (with stratum indicators), their names, which of them are
    interacted with assignment, and notes: a covariate that does not vary is dropped; one that does
    not vary within an arm keeps its main effect but not its interaction (it would duplicate z)."""
    strata_x, strata_names = arrays.stratum_dummies()
    X = np.column_stack([arrays.X, strata_x]) if strata_x.size else arrays.X
    names = list(arrays.covariate_names) + list(strata_names)
    if not X.size:
        return X, names, np.zeros(0, dtype=bool), []
    z = arrays.z
    constant = np.ptp(X, axis=0) == 0
    flat_in_arm = np.array([np.ptp(col[z == 1]) == 0 or np.ptp(col[z == 0]) == 0 for col in X.T]) & ~constant
    notes = []
    if constant.any():
        notes.append("dropped (no variation among the units analysed): "
                     + ", ".join(n for n, c in zip(names, constant) if c))
    if flat_in_arm.any():
        notes.append("no interaction with assignment (no variation within an arm): "
                     + ", ".join(n for n, c in zip(names, flat_in_arm) if c))
    return X[:, ~constant], [n for n, c in zip(names, constant) if not c], ~flat_in_arm[~constant], notes


def lin_regression(arrays: TrialArrays, cov_type: str, alpha: float) -> tuple[pd.DataFrame, float, tuple[str, ...]]:
    """Lin's fully interacted regression: coefficients table (``assigned`` is the ITT), its df, notes.

    A covariate that does not vary at all is dropped; one that does not vary within an arm keeps its
    main effect but loses its interaction (which would duplicate the assignment)."""
    X, names, interact, notes = lin_covariates(arrays)
    z = arrays.z
    Xc = X - X.mean(axis=0) if X.size else X
    if X.size:
        design = np.column_stack([np.ones_like(z), z, Xc, z[:, None] * Xc[:, interact]])
        terms = ["Intercept", "assigned", *names, *[f"assigned:{n}" for n, k in zip(names, interact) if k]]
    else:
        design, terms = np.column_stack([np.ones_like(z), z]), ["Intercept", "assigned"]
    df = float(design.shape[0] - design.shape[1])
    if df <= 0:
        raise EstimationError(f"{design.shape[0]} units for {design.shape[1]} coefficients: too many covariates")
    fit = least_squares(arrays.y, design, terms)
    cov = hc_covariance(fit, design, cov_type)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    rows = [(t, b, s, *t_interval(b, s, df, alpha)) for t, b, s in zip(terms, fit.coef, se)]
    table = pd.DataFrame(rows, columns=["term", "estimate", "std_error", "conf_low", "conf_high", "p_value"])
    return table, df, tuple(notes)


def difference_in_means(y: np.ndarray, z: np.ndarray, strata: np.ndarray | None = None
                        ) -> tuple[float, float, float, str]:
    """Neyman's estimate, standard error, degrees of freedom and design name (see module docstring)."""
    if strata is None:
        y1, y0 = y[z == 1], y[z == 0]
        if min(len(y1), len(y0)) < 2:
            raise EstimationError("each arm needs at least 2 units with an outcome for a difference in means")
        v1, v0 = y1.var(ddof=1) / len(y1), y0.var(ddof=1) / len(y0)
        var = v1 + v0
        df = var ** 2 / (v1 ** 2 / (len(y1) - 1) + v0 ** 2 / (len(y0) - 1)) if var > 0 else np.inf
        return float(y1.mean() - y0.mean()), float(np.sqrt(var)), float(df), "complete"
    labels = np.unique(strata)
    n1 = np.array([int(((strata == s) & (z == 1)).sum()) for s in labels])
    n0 = np.array([int(((strata == s) & (z == 0)).sum()) for s in labels])
    effects = np.array([y[(strata == s) & (z == 1)].mean() - y[(strata == s) & (z == 0)].mean() for s in labels])
    weights = (n1 + n0) / (n1 + n0).sum()
    estimate = float(weights @ effects)
    if (n1 == 1).all() and (n0 == 1).all():
        J = len(labels)
        if J < 2:
            raise EstimationError("a matched-pair difference in means needs at least 2 pairs")
        var = ((effects - estimate) ** 2).sum() / (J * (J - 1))
        return estimate, float(np.sqrt(var)), float(J - 1), "matched pairs"
    if (n1 < 2).any() or (n0 < 2).any():
        raise EstimationError("unless every stratum is a pair, every stratum needs at least 2 units with an outcome in "
                              "each arm for the stratified difference in means; merge small strata")
    within = np.array([y[(strata == s) & (z == 1)].var(ddof=1) / a + y[(strata == s) & (z == 0)].var(ddof=1) / b
                       for s, a, b in zip(labels, n1, n0)])
    return estimate, float(np.sqrt(weights ** 2 @ within)), float(len(y) - 2 * len(labels)), "stratified"


def arm_means(y: np.ndarray, z: np.ndarray) -> pd.DataFrame:
    rows = [{"arm": arm, "n": int((z == value).sum()), "mean": float(y[z == value].mean()),
             "sd": float(y[z == value].std(ddof=1)) if (z == value).sum() > 1 else np.nan}
            for arm, value in (("programme", 1.0), ("control", 0.0))]
    return pd.DataFrame(rows)


def observed_outcomes(arrays: TrialArrays, what: str = "outcome missing (attrition or no record)") -> TrialArrays:
    """The units whose outcome was observed; the others are counted as ``what``."""
    observed = ~np.isnan(arrays.y)
    if not observed.all():
        return replace(arrays.subset(observed), exclusions=arrays.exclusions.add(what, int((~observed).sum())))
    return arrays


def itt(data: pd.DataFrame, outcome: str, assignment: str, *, covariates: Sequence[str] = (),
        strata: str | None = None, cov_type: str = "HC2", alpha: float = 0.05) -> ITTResult:
    """Intention-to-treat effect of assignment on ``outcome``: Lin (2013) and difference in means.

    ``assignment`` is 0/1 or the arm codes ``programme``/``control``; ``strata`` the column of the
    randomisation strata (or blocks); ``covariates`` baseline columns (categorical ones become
    indicators); ``cov_type`` of Lin's regression: ``HC2`` (default), ``HC0``, ``HC1``/``robust``,
    ``HC3`` or ``classical``.

    Example
    -------
    >>> res = itt(trial_frame, "arrears_czk", "assigned", covariates=["children"],
    ...           strata="stratum")  # doctest: +SKIP
    >>> res.tidy()  # doctest: +SKIP
    """
    check_alpha(alpha)
    cov_type = hc_name(cov_type)
    arrays = observed_outcomes(prepare(data, assignment=assignment, outcome=outcome, covariates=covariates,
                                       strata=strata))
    check_strata_have_both_arms(arrays)
    coefficients, df_lin, lin_notes = lin_regression(arrays, cov_type, alpha)
    lin = coefficients.set_index("term").loc["assigned"]
    dim, dim_se, dim_df, design = difference_in_means(arrays.y, arrays.z, arrays.strata)
    n1, n0 = int(arrays.z.sum()), int((1 - arrays.z).sum())
    rows = [{"term": "itt_lin", "estimate": lin["estimate"], "std_error": lin["std_error"],
             "conf_low": lin["conf_low"], "conf_high": lin["conf_high"], "p_value": lin["p_value"], "df": df_lin,
             "method": f"Lin (2013) regression adjustment, {cov_type}"},
            {"term": "itt_dim", "estimate": dim, "std_error": dim_se,
             **dict(zip(("conf_low", "conf_high", "p_value"), t_interval(dim, dim_se, dim_df, alpha))),
             "df": dim_df, "method": f"difference in means (Neyman), {design}"}]
    table = pd.DataFrame(rows)[[*ESTIMATE_COLUMNS, "df", "method"]].assign(n_programme=n1, n_control=n0)
    n_adjusted = len(arrays.covariate_names) + max(len(arrays.stratum_labels) - 1, 0)
    notes = [f"{n1} programme and {n0} control units with an outcome; design: {design}",
             (f"Lin (2013): {n_adjusted} centred covariate(s) and their interactions with assignment; "
             f"{cov_type} standard errors, t with {df_lin:g} df"),
             "difference in means: Neyman's conservative variance (estimatr::difference_in_means)", *lin_notes]
    if n_adjusted and n_adjusted * 2 + 2 > (n1 + n0) / 10:
        notes.append("many covariates for the number of units: Lin's adjustment can be imprecise in small "
                     "samples; prefer a few prognostic covariates chosen before the analysis")
    notes.extend(arrays.exclusions.notes())
    return ITTResult(table=table, means=arm_means(arrays.y, arrays.z), coefficients=coefficients, outcome=outcome,
                     cov_type=cov_type, alpha=alpha, design=design, notes=tuple(notes),
                     exclusions=arrays.exclusions.table())


__all__ = ["ITTResult", "difference_in_means", "itt", "lin_covariates", "lin_regression", "plot_estimates"]
