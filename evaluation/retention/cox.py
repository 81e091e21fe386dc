"""Cox proportional-hazards regression for retention, with late entry, strata and clustering.

Newton–Raphson on the log partial likelihood (step halving when the likelihood falls,
convergence when its relative change is below 1e-10), Efron ties by default (as R
``survival::coxph``), Breslow on request. Data are counting-process episodes
(entry, exit], so households entering late are in risk sets only after their entry.

Inference: model-based variance (inverse information) or, with ``robust=True`` or a
``cluster`` column, the Lin–Wei sandwich ``V (sum_c U_c U_c') V`` from score residuals
summed by cluster (R ``coxph(..., cluster=)``; no small-sample factor). Wald,
score (log-rank) and likelihood-ratio tests of all coefficients; Harrell's
concordance counted as R's ``concordance()``.

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 1, 0, 1, 1, 0], "x": [1, 0, 1, 1, 0, 0]})
>>> fit = CoxPH().fit(df, duration="t", event="e", covariates=["x"])
>>> fit.tidy()["term"].tolist()
['x']
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.errors import DataError, EstimationError
from evaluation.results import Result
from evaluation.retention import _cox_math as cm
from evaluation.retention._riskset import z_value

TIES = ("efron", "breslow")


def design_matrix(data: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """Numeric design: numbers and booleans as they are; categories/text as 0/1 indicators
    with the first level (category order, else sorted) as the reference."""
    parts = []
    for col in covariates:
        s = data[col]
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object or pd.api.types.is_string_dtype(s):
            cat = s.astype("category") if not isinstance(s.dtype, pd.CategoricalDtype) else s
            cat = cat.cat.remove_unused_categories()
            for level in list(cat.cat.categories)[1:]:
                parts.append(pd.Series((cat == level).astype(float).where(cat.notna()), name=f"{col}[{level}]"))
        else:
            parts.append(pd.Series(pd.to_numeric(s, errors="coerce").astype(float), name=col))
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=data.index)


@dataclass(frozen=True)
class CoxResult(Result):
    """Fitted Cox model: hazard ratios, tests, concordance; ``check_proportional_hazards()``."""
    terms: tuple[str, ...]
    params: np.ndarray
    cov: np.ndarray
    cov_type: str
    ties: str
    alpha: float
    loglik: float
    loglik_null: float
    score_statistic: float
    n: int
    n_events: int
    n_clusters: int | None
    concordance: float
    concordance_counts: tuple[int, int, int]
    iterations: int
    excluded: pd.DataFrame
    strata_names: tuple[str, ...] = ()
    _fit_data: Any = field(default=None, repr=False, compare=False)
    label: str = "Cox proportional hazards model"

    count_columns = ()
    n_column = None

    @property
    def title(self) -> str:
        return self.label

    @property
    def std_errors(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    @property
    def hazard_ratios(self) -> pd.Series:
        return pd.Series(np.exp(self.params), index=list(self.terms), name="hazard_ratio")

    def tests(self) -> pd.DataFrame:
        """Likelihood-ratio, Wald and score (log-rank) tests that all coefficients are zero."""
        p = len(self.terms)
        lr = 2 * (self.loglik - self.loglik_null)
        wald = float(self.params @ np.linalg.solve(self.cov, self.params))
        rows = [("likelihood ratio", lr), (f"Wald ({self.cov_type})", wald), ("score (log-rank)", self.score_statistic)]
        return pd.DataFrame([{"test": k, "statistic": v, "df": p, "p_value": float(stats.chi2.sf(v, p))}
                             for k, v in rows])

    def tidy(self, exponentiate: bool = False) -> pd.DataFrame:
        """Coefficients (log hazard ratios) or, with ``exponentiate=True``, hazard ratios with intervals."""
        z = z_value(self.alpha)
        se = self.std_errors
        out = pd.DataFrame({"term": list(self.terms), "estimate": self.params, "std_error": se,
                            "conf_low": self.params - z * se, "conf_high": self.params + z * se,
                            "p_value": 2 * stats.norm.sf(np.abs(self.params / se))})
        out["statistic"] = self.params / se
        if exponentiate:
            for c in ("estimate", "conf_low", "conf_high"):
                out[c] = np.exp(out[c])
            out["std_error"] = out["estimate"] * se  # delta method, for reference only
        return out

    @property
    def notes(self) -> tuple[str, ...]:
        t = self.tests().set_index("test")
        lr = t.iloc[0]
        notes = [f"{self.n} episodes, {self.n_events} events; ties: {self.ties}; variance: {self.cov_type}"
                 + (f" ({self.n_clusters} clusters)" if self.n_clusters else "") + ".",
                 f"Likelihood-ratio test {lr['statistic']:.2f} on {int(lr['df'])} df, p = {lr['p_value']:.3g}; "
                 f"concordance {self.concordance:.3f}."]
        if self.strata_names:
            notes.append(f"Stratified by {', '.join(self.strata_names)} (separate baseline hazards).")
        for _, row in self.excluded.iterrows():
            notes.append(f"Excluded {row['rows']} rows: {row['reason']}.")
        return tuple(notes)

    def check_proportional_hazards(self, transform: str = "km", method: str = "score") -> Any:
        """Grambsch–Therneau test of proportional hazards (see :func:`evaluation.retention.cox_zph`)."""
        from evaluation.retention.ph_test import cox_zph
        return cox_zph(self, transform=transform, method=method)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Hazard ratios with confidence intervals on a log axis."""
        if ax is None:
            import matplotlib.pyplot as plt
            _, ax = plt.subplots(figsize=(6, 0.5 + 0.45 * len(self.terms)))
        t = self.tidy(exponentiate=True)
        y = np.arange(len(t))[::-1]
        ax.errorbar(t["estimate"], y, xerr=[t["estimate"] - t["conf_low"], t["conf_high"] - t["estimate"]],
                    fmt="o", capsize=3, **kwargs)
        ax.axvline(1.0, color="grey", linestyle="--", linewidth=1)
        ax.set_xscale("log")
        ax.set_yticks(y)
        ax.set_yticklabels(t["term"])
        ax.set_xlabel(f"hazard ratio ({round(100 * (1 - self.alpha))}% CI)")
        ax.set_title(self.title)
        return ax


def _centred_covariates(x: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """``x`` minus its column means; an error for a covariate that does not vary or collinear ones."""
    x = x - x.mean(axis=0)
    const = np.flatnonzero(np.ptp(x, axis=0) == 0)
    if const.size:
        raise EstimationError("covariate(s) " + ", ".join(names[i] for i in const)
                              + " do not vary in the data; remove them from the model")
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise EstimationError("the covariates are collinear (one is a combination of others): "
                              + ", ".join(names))
    return x


class CoxPH:
    """Cox proportional-hazards model.

    Parameters
    ----------
    ties : "efron" (default, as R) or "breslow".
    robust : Lin–Wei sandwich variance (one cluster per episode unless ``cluster`` is given).
    cluster : column whose values define clusters for the sandwich (e.g. municipality, household).
    strata : column(s) with separate baseline hazards.
    alpha : 1 - confidence level.

    Example
    -------
    >>> from lifelines.datasets import load_rossi  # doctest: +SKIP
    >>> CoxPH().fit(load_rossi(), "week", "arrest").tidy(exponentiate=True)  # doctest: +SKIP
    """

    def __init__(self, ties: str = "efron", robust: bool = False, cluster: str | None = None,
                 strata: str | Sequence[str] | None = None, alpha: float = 0.05,
                 max_iter: int = 50, tol: float = 1e-10) -> None:
        if ties not in TIES:
            raise DataError(f"ties must be 'efron' or 'breslow' (got {ties!r})")
        z_value(alpha)
        self.ties, self.robust, self.cluster, self.alpha = ties, robust or cluster is not None, cluster, alpha
        self.strata = [] if strata is None else ([strata] if isinstance(strata, str) else list(strata))
        self.max_iter, self.tol = max_iter, tol

    def fit(self, data: pd.DataFrame, duration: str = "exit_time", event: str = "event",
            covariates: Sequence[str] | None = None, entry: str | None = None,
            label: str = "Cox proportional hazards model") -> CoxResult:
        """Fit on a DataFrame of episodes: ``duration`` (exit time), ``event`` (1/0), optional
        ``entry`` (late-entry time), ``covariates`` (default: every other column)."""
        used = {duration, event} | ({entry} if entry else set()) | set(self.strata) | (
            {self.cluster} if self.cluster else set())
        missing = [c for c in used if c not in data.columns]
        if missing:
            raise DataError(f"the data have no column(s) {', '.join(sorted(missing))}")
        if covariates is None:
            covariates = [c for c in data.columns if c not in used]
        covariates = list(covariates)
        if not covariates:
            raise DataError("the Cox model needs at least one covariate")
        absent = [c for c in covariates if c not in data.columns]
        if absent:
            raise DataError(f"the data have no covariate column(s) {', '.join(absent)}")
        X = design_matrix(data, covariates)
        stop = pd.to_numeric(data[duration], errors="coerce").to_numpy(float)
        ev = pd.to_numeric(data[event].astype("float"), errors="coerce").to_numpy(float)
        start = np.full(len(data), -np.inf) if entry is None else pd.to_numeric(data[entry], errors="coerce").to_numpy(float)

        reasons = {"missing duration, event or entry time": np.isnan(stop) | np.isnan(ev) | np.isnan(start),
                   "missing covariate value": X.isna().any(axis=1).to_numpy()}
        for col in self.strata + ([self.cluster] if self.cluster else []):
            reasons[f"missing {col}"] = data[col].isna().to_numpy()
        drop = np.zeros(len(data), bool)
        counts = []
        for reason, mask in reasons.items():
            new = mask & ~drop
            if new.any():
                counts.append({"reason": reason, "rows": int(new.sum())})
            drop |= mask
        excluded = pd.DataFrame(counts, columns=["reason", "rows"])
        keep = ~drop
        if not np.isin(ev[keep], (0, 1)).all():
            raise DataError(f"column {event!r} must be 1 (event) or 0 (censored)")
        if (stop[keep] <= start[keep]).any():
            raise DataError(f"{int((stop[keep] <= start[keep]).sum())} episodes end at or before their entry "
                            f"time ({duration!r} <= {entry!r})")
        x = X.to_numpy(float)[keep]
        names = tuple(X.columns)
        if x.shape[0] == 0 or ev[keep].sum() == 0:
            raise EstimationError("the Cox model cannot be estimated: there are no events")
        x = _centred_covariates(x, names)
        strata_codes = (data.loc[keep, self.strata].astype(str).agg(" / ".join, axis=1).factorize()[0]
                        if self.strata else np.zeros(int(keep.sum()), dtype=np.int64))
        evb = ev[keep].astype(bool)
        sdata = [cm.stratum_data(x[strata_codes == k], start[keep][strata_codes == k], stop[keep][strata_codes == k],
                                 evb[strata_codes == k], self.ties == "efron")
                 for k in range(int(strata_codes.max()) + 1)]

        beta, loglik, info, iterations = self._newton(sdata, x.shape[1])
        ll0, u0, i0 = cm.loglik_derivatives(np.zeros(x.shape[1]), sdata)
        score_stat = float(u0 @ np.linalg.solve(i0, u0))
        try:
            var = np.linalg.inv(info)
        except np.linalg.LinAlgError:
            raise EstimationError("the information matrix is singular; the model is not identified") from None

        n_clusters = None
        cov_type = "model"
        if self.robust:
            resid = np.zeros_like(x)
            for k, s in enumerate(sdata):
                resid[strata_codes == k] = cm.score_residuals(beta, s)
            if self.cluster:
                groups = pd.factorize(data.loc[keep, self.cluster])[0]
                summed = np.zeros((groups.max() + 1, x.shape[1]))
                np.add.at(summed, groups, resid)
                n_clusters = int(summed.shape[0])
                cov_type = f"robust, clustered by {self.cluster}"
                if n_clusters < 30:
                    warnings.warn(f"only {n_clusters} clusters in {self.cluster!r}: sandwich standard errors "
                                  "are unreliable with few clusters", UserWarning, stacklevel=2)
            else:
                summed = resid
                cov_type = "robust"
            var = var @ (summed.T @ summed) @ var

        eta = x @ beta
        conc = cm.concordance_counts(eta, start[keep], stop[keep], evb, strata_codes.astype(np.int64))
        total = sum(conc)
        concordance = (conc[0] + conc[2] / 2) / total if total else np.nan
        fit_data = {"strata": sdata, "strata_codes": strata_codes}
        return CoxResult(terms=names, params=beta, cov=var, cov_type=cov_type, ties=self.ties, alpha=self.alpha,
                         loglik=loglik, loglik_null=ll0, score_statistic=score_stat, n=int(keep.sum()),
                         n_events=int(evb.sum()), n_clusters=n_clusters, concordance=float(concordance),
                         concordance_counts=conc, iterations=iterations, excluded=excluded,
                         strata_names=tuple(self.strata), _fit_data=fit_data, label=label)

    def coefficients(self, x: np.ndarray, stop: np.ndarray, event: np.ndarray,
                     entry: np.ndarray | None = None) -> np.ndarray:
        """The coefficients alone, from complete numeric arrays (one stratum, no variance, no
        diagnostics): what a resampling loop needs of each replicate, the same numbers as
        ``fit(...).params``. Raises EstimationError as :meth:`fit` does (no events, a covariate that
        does not vary, collinear covariates, a singular information matrix).

        Example
        -------
        >>> x = np.array([[0.0], [1.0], [0.0], [1.0], [1.0], [0.0]])
        >>> beta = CoxPH().coefficients(x, stop=np.array([1.0, 2, 3, 4, 5, 6]), event=np.array([1, 1, 0, 1, 0, 1]))
        >>> beta.shape
        (1,)
        """
        x = np.asarray(x, dtype=float)
        evb = np.asarray(event).astype(bool)
        if x.shape[0] == 0 or not evb.any():
            raise EstimationError("the Cox model cannot be estimated: there are no events")
        x = _centred_covariates(x, tuple(f"x{i}" for i in range(x.shape[1])))
        start = np.full(x.shape[0], -np.inf) if entry is None else np.asarray(entry, dtype=float)
        sdata = [cm.stratum_data(x, start, np.asarray(stop, dtype=float), evb, self.ties == "efron")]
        return self._newton(sdata, x.shape[1])[0]

    def _newton(self, sdata: list[cm.StratumData], p: int) -> tuple[np.ndarray, float, np.ndarray, int]:
        beta = np.zeros(p)
        loglik, score, info = cm.loglik_derivatives(beta, sdata)
        for iteration in range(1, self.max_iter + 1):
            try:
                step = np.linalg.solve(info, score)
            except np.linalg.LinAlgError:
                raise EstimationError("the information matrix is singular during fitting; "
                                      "check for covariates that perfectly predict the events") from None
            for _ in range(30):
                new = beta + step
                new_ll, new_score, new_info = cm.loglik_derivatives(new, sdata)
                if np.isfinite(new_ll) and new_ll >= loglik - 1e-12 * abs(loglik):
                    break
                step = step / 2
            converged = abs(new_ll - loglik) <= self.tol * max(abs(loglik), 1.0) and np.max(np.abs(step)) < 1e-6
            beta, loglik, score, info = new, new_ll, new_score, new_info
            if converged:
                return beta, loglik, info, iteration
        warnings.warn(f"Cox model did not converge in {self.max_iter} iterations (a coefficient may be "
                      "infinite: e.g. no events in one group)", UserWarning, stacklevel=3)
        return beta, loglik, info, self.max_iter


__all__ = ["CoxPH", "CoxResult", "design_matrix"]
