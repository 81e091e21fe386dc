"""Proportional-hazards check of a Cox fit (Grambsch & Therneau 1994), as R's ``cox.zph``.

``method="score"`` (default, R survival >= 3.0): for each covariate the score test of
adding ``x * g(t)`` to the model, evaluated at the fitted coefficients, using the
joint information of ``(beta_k, gamma_k)``; the global test adds all ``x * g(t)`` at once.
``method="approximate"`` (R survival < 3.0, lifelines): the Grambsch–Therneau
approximation from scaled Schoenfeld residuals, which assumes the covariance of the
covariates in the risk set is constant over time.

``g(t)`` is the time transform: ``"km"`` (default) ``1 - S(t-)`` from the left-continuous
Kaplan–Meier of all episodes, ``"rank"``, ``"identity"`` or ``"log"``.

Example
-------
>>> # fit = CoxPH().fit(episodes, covariates=["programme"]); cox_zph(fit).tidy()
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.errors import DataError
from evaluation.results import Result
from evaluation.retention import _cox_math as cm
from evaluation.retention.kaplan_meier import product_limit

TRANSFORMS = ("km", "rank", "identity", "log")


def _transform(times: np.ndarray, strata: list[cm.StratumData], how: str) -> np.ndarray:
    if how == "identity":
        return times.astype(float)
    if how == "log":
        return np.log(times)
    if how == "rank":
        return stats.rankdata(times)
    entry = np.concatenate([s.entry for s in strata])
    stop = np.concatenate([s.stop for s in strata])
    event = np.concatenate([s.event for s in strata]).astype(np.int64)
    curve = product_limit(entry, stop, event)
    idx = np.searchsorted(curve["time"].to_numpy(), times, side="left") - 1  # left-continuous S(t-)
    surv_before = np.where(idx >= 0, curve["survival"].to_numpy()[np.maximum(idx, 0)], 1.0)
    return 1.0 - surv_before


@dataclass(frozen=True)
class PHTestResult(Result):
    """Per-covariate and global chi-square tests of proportional hazards."""
    table: pd.DataFrame  # term, statistic, df, p_value (last row GLOBAL)
    transform: str
    method: str
    residuals: pd.DataFrame  # scaled Schoenfeld residuals by transformed event time (no identifiers)
    label: str = "Proportional hazards test (Grambsch–Therneau)"

    @property
    def title(self) -> str:
        return self.label

    @property
    def notes(self) -> tuple[str, ...]:
        bad = self.table[(self.table["term"] != "GLOBAL") & (self.table["p_value"] < 0.05)]["term"].tolist()
        notes = [f"Time transform: {self.transform}; {self.method} test "
                 + ("(R survival >= 3.0)." if self.method == "score" else "(Grambsch–Therneau approximation).")]
        if bad:
            notes.append("Proportional hazards doubtful (p < 0.05) for: " + ", ".join(bad)
                         + "; consider stratifying or a time-varying effect.")
        return tuple(notes)

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax: Any = None, term: str | None = None, **kwargs: Any) -> Any:
        """Scaled Schoenfeld residuals of one covariate against transformed time, with a lowess-free
        linear fit (the slope the test is about)."""
        if ax is None:
            import matplotlib.pyplot as plt
            _, ax = plt.subplots(figsize=(6, 4))
        term = term or self.table["term"].iloc[0]
        if term not in self.residuals.columns:
            raise DataError(f"no covariate {term!r}; covariates: {', '.join(self.residuals.columns[1:])}")
        g, y = self.residuals["g_time"], self.residuals[term]
        ax.scatter(g, y, s=8, alpha=0.5, **kwargs)
        slope, intercept = np.polyfit(g, y, 1)
        grid = np.linspace(g.min(), g.max(), 50)
        ax.plot(grid, intercept + slope * grid, color="black")
        ax.set_xlabel(f"time ({self.transform} scale)")
        ax.set_ylabel(f"beta(t) for {term}")
        ax.set_title(self.title)
        return ax


def cox_zph(fit: Any, transform: str = "km", method: str = "score") -> PHTestResult:
    """Test proportional hazards for each covariate of a :class:`CoxResult` and globally."""
    if transform not in TRANSFORMS:
        raise DataError(f"transform must be one of {', '.join(TRANSFORMS)} (got {transform!r})")
    if method not in ("score", "approximate"):
        raise DataError(f"method must be 'score' or 'approximate' (got {method!r})")
    strata = fit._fit_data["strata"]
    beta = fit.params
    p = beta.size
    resid, times, infos, row_g = [], [], [], []
    for s in strata:
        if s.times.size == 0:
            continue
        r, t = cm.schoenfeld(beta, s)
        resid.append(r)
        times.append(t)
    resid_all, times_all = np.vstack(resid), np.concatenate(times)
    g_all = _transform(times_all, strata, transform)
    g_mean = g_all.mean()
    g_centered = g_all - g_mean
    names = list(fit.terms)
    n_events = times_all.size
    model_var = np.linalg.inv(_information(beta, strata))

    if method == "score":
        info = np.zeros((2 * p, 2 * p))
        for s in strata:
            if s.times.size == 0:
                continue
            st = cm.row_stats(beta, s)
            rows = cm.information_rows(st)
            g_rows = _transform(s.times, strata, transform)[s.row_time] - g_mean
            info[:p, :p] += rows.sum(axis=0)
            info[:p, p:] += (rows * g_rows[:, None, None]).sum(axis=0)
            info[p:, p:] += (rows * (g_rows ** 2)[:, None, None]).sum(axis=0)
        info[p:, :p] = info[:p, p:].T
        u = np.concatenate([np.zeros(p), g_centered @ resid_all])
        stat = []
        for k in range(p):
            jj = [k, p + k]
            stat.append(float(u[jj] @ np.linalg.solve(info[np.ix_(jj, jj)], u[jj])))
        stat.append(float(u @ np.linalg.solve(info, u)))
    else:
        test = n_events * (g_centered @ resid_all @ model_var)
        ss = float(g_centered @ g_centered)
        stat = list(test ** 2 / (np.diag(model_var) * ss * n_events))
        stat.append(float(test @ np.linalg.solve(model_var, test) / (n_events * ss)))
    dfs = [1] * p + [p]
    table = pd.DataFrame({"term": names + ["GLOBAL"], "statistic": stat, "df": dfs,
                          "p_value": [float(stats.chi2.sf(v, d)) for v, d in zip(stat, dfs)]})
    scaled = n_events * resid_all @ model_var + beta
    res = pd.DataFrame(scaled, columns=names)
    res.insert(0, "g_time", g_all)
    return PHTestResult(table=table, transform=transform, method=method, residuals=res)


def _information(beta: np.ndarray, strata: list[cm.StratumData]) -> np.ndarray:
    return cm.loglik_derivatives(beta, strata)[2]


__all__ = ["PHTestResult", "cox_zph"]
