"""Restricted mean survival time: the mean months housed in the first tau months, by group.

The restricted mean survival time (RMST) at ``tau`` is the area under the Kaplan–Meier curve from
0 to ``tau``: ``mu = sum_j (t_{j+1} - t_j) S(t_j)`` over the curve's steps before ``tau`` --
"during the first 20 months, households stayed housed 17.3 months on average". Late entry (left
truncation) is handled by the curve itself: a household enters the risk set at its entry time
(:class:`evaluation.retention.KaplanMeier`).

Variance: the Greenwood-type variance of the area (Klein & Moeschberger, *Survival Analysis*,
2nd ed., sec. 4.5), ``Var(mu) = sum_{t_j <= tau} A_j**2 d_j / (n_j (n_j - d_j))`` with ``A_j`` the
area under the curve from ``t_j`` to ``tau``, ``d_j`` events and ``n_j`` at risk at ``t_j`` (a term
with ``n_j = d_j`` is 0). This is what R's ``survRM2::rmst2`` and ``print(survfit, rmean=tau)`` of
the survival package compute; lifelines' ``restricted_mean_survival_time`` uses another variance
and is not followed.

Between groups, against a reference group (survRM2's contrasts): the difference in RMST with a
normal interval and test; the ratio of RMST and the ratio of the restricted mean time lost
(``tau - mu``) on the log scale (delta method: ``Var(log mu) = Var(mu) / mu**2``), the interval
transformed back. The groups are independent samples.

``tau`` must lie within each group's follow-up (survRM2 stops otherwise); a ``tau`` beyond a
group's last observation gives NaN with a note, unless the curve reached 0 before it.

How the retention strand or a report gets "months housed in the first 20" (no change to the
strand is needed; the episodes' late entry is used)::

    from evaluation.retention import RestrictedMeanSurvival, housing_episodes
    episodes = housing_episodes(dataset)                       # or with data_start=...
    res = RestrictedMeanSurvival(tau=(12, 20)).fit_episodes(episodes, by="group")  # vs "comparison"
    res.tidy(); res.contrasts()                                # by group; difference and ratios
    res.sentence("programme", 20, lang="cs")                   # "... strávily v bydlení během prvních 20 měsíců ..."
    res.plot(tau=20, lang="cs")                                # curves with the area shaded
    km.restricted_mean(tau=20)                                 # from a fitted KaplanMeierResult

Example
-------
>>> res = rmst([2, 4, 4, 7, 9, 12], [1, 1, 0, 1, 0, 0], tau=10)
>>> round(float(res.tidy()["estimate"].iloc[0]), 4)
7.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.errors import DataError
from evaluation.results import Result
from evaluation.retention._riskset import z_value
from evaluation.retention.kaplan_meier import KaplanMeier, KaplanMeierResult

#: Titles: (Czech, English); ``{tau}`` is the horizon in months.
TITLE = ("Střední doba setrvání v bydlení během prvních {tau} měsíců",
         "Mean time housed in the first {tau} months (restricted mean survival time)")
CONTRAST_TERMS = {"difference": ("rozdíl (měsíce)", "difference (months)"),
                  "ratio": ("poměr středních dob v bydlení", "ratio of mean times housed"),
                  "rmtl_ratio": ("poměr středních dob bez bydlení", "ratio of mean times not housed")}


def area_and_variance(time: np.ndarray, n_risk: np.ndarray, n_event: np.ndarray, survival: np.ndarray,
                      tau: float) -> tuple[float, float]:
    """RMST to ``tau`` and its Greenwood-type variance from one Kaplan–Meier curve (its distinct
    exit times with numbers at risk, events and the survival after each)."""
    keep = time <= tau
    t, s = time[keep], survival[keep]
    n, d = n_risk[keep].astype(float), n_event[keep].astype(float)
    grid = np.concatenate([[0.0], t, [tau]])
    heights = np.concatenate([[1.0], s])
    rectangles = np.diff(grid) * heights
    mu = float(rectangles.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where((n - d) > 0, d / (n * (n - d)), 0.0)
    after = np.cumsum(rectangles[::-1])[::-1][1:]  # area from each t_j to tau
    variance = float(np.sum(after ** 2 * terms))
    return mu, variance


@dataclass(frozen=True)
class RMSTResult(Result):
    """RMST by group and horizon (``tidy()``) and the contrasts against the reference group
    (:meth:`contrasts`); months throughout. See the module docstring."""

    table: pd.DataFrame
    contrast_table: pd.DataFrame
    curves: pd.DataFrame = field(repr=False)
    taus: tuple[float, ...]
    alpha: float
    reference: str | None
    group_name: str = "group"
    excluded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["reason", "rows"]))
    late_entry: int = 0

    count_columns = ("n_events",)
    n_column = "n"

    @property
    def title(self) -> str:
        return self.label("en")

    def label(self, lang: str = "cs", tau: float | None = None) -> str:
        """The title in ``lang`` for ``tau`` (default the last horizon)."""
        tau = self.taus[-1] if tau is None else tau
        return TITLE[0 if lang == "cs" else 1].format(tau=f"{tau:g}")

    @property
    def notes(self) -> tuple[str, ...]:
        level = round(100 * (1 - self.alpha))
        notes = [(f"Area under the Kaplan–Meier curve to tau (months); {level}% normal intervals from the "
                  "Greenwood-type variance of the area (as R survRM2 and survival's rmean).")]
        if self.reference is not None and not self.contrast_table.empty:
            notes.append(f"Contrasts against {self.reference}: difference, and ratios on the log scale "
                         "(delta method).")
        if self.late_entry:
            notes.append(f"{self.late_entry} households entered the risk set late (left truncation).")
        for group in self.table.loc[self.table["at_risk_at_start"] == 0, "group"].unique():
            notes.append(f"{group}: nobody was at risk at the start (every household entered late), so the curve "
                         "and the RMST are conditional on staying housed until the first entry and overstate "
                         "retention; set an earlier start of the records.")
        missing = self.table[~self.table["estimable"]]
        for _, row in missing.iterrows():
            notes.append(f"{row['group']}: not estimable at {row['tau']:g} months (follow-up ends at "
                         f"{row['max_time']:.1f}).")
        for _, row in self.excluded.iterrows():
            notes.append(f"Excluded {row['rows']} rows: {row['reason']}.")
        return tuple(notes)

    def tidy(self) -> pd.DataFrame:
        out = self.table.drop(columns=["estimable", "max_time", "at_risk_at_start"])
        return out.rename(columns={"group": self.group_name}) if self.group_name != "group" else out

    def contrasts(self) -> pd.DataFrame:
        """Difference in RMST, ratio of RMST and ratio of RMTL of each group against the reference,
        with intervals and p-values (``std_error`` is that of the difference or of the log ratio)."""
        return self.contrast_table.copy()

    def summary(self) -> str:
        text = super().summary()
        if not self.contrast_table.empty:
            with pd.option_context("display.width", 120, "display.max_columns", 20,
                                   "display.float_format", "{:.4g}".format):
                text += "\n\nContrasts\n" + self.contrast_table.to_string(index=False)
        return text

    def estimate(self, group: Any, tau: float | None = None) -> pd.Series:
        """The row of ``group`` at ``tau`` (default the last horizon)."""
        tau = self.taus[-1] if tau is None else float(tau)
        hit = self.table[(self.table["group"] == str(group)) & np.isclose(self.table["tau"], tau)]
        if hit.empty:
            raise DataError(f"no RMST for group {group!r} at {tau:g} months; groups: "
                            f"{', '.join(map(str, self.table['group'].unique()))}")
        return hit.iloc[0]

    def sentence(self, group: Any, tau: float | None = None, lang: str = "cs") -> str:
        """One sentence for ``group`` at ``tau``, with its contrast to the reference when there is one."""
        from evaluation.reporting.formatting import format_interval, format_number, format_p_value
        from evaluation.reporting.labels import check_lang
        from evaluation.retention._plotting import group_name

        check_lang(lang)
        row = self.estimate(group, tau)
        tau = float(row["tau"])
        name = group_name(self, row["group"], lang)
        level = round(100 * (1 - self.alpha))
        value = format_number(row["estimate"], lang, 1)
        ci = format_interval(row["conf_low"], row["conf_high"], lang, decimals=1)
        if lang == "cs":
            text = (f"Domácnosti ({name}) strávily v bydlení během prvních {tau:g} měsíců v průměru {value} měsíce "
                    f"({level}% interval spolehlivosti {ci})")
        else:
            text = (f"During the first {tau:g} months, households ({name}) stayed housed {value} months on average "
                    f"({level}% confidence interval {ci})")
        diff = self.contrast_table[(self.contrast_table["group"] == row["group"])
                                   & np.isclose(self.contrast_table["tau"], tau)
                                   & (self.contrast_table["term"] == "difference")]
        if not diff.empty and np.isfinite(diff["estimate"].iloc[0]):
            d = diff.iloc[0]
            ref = group_name(self, self.reference, lang)
            amount = format_number(abs(d["estimate"]), lang, 1)
            ci = format_interval(d["conf_low"], d["conf_high"], lang, decimals=1)
            p = format_p_value(d["p_value"], lang)
            if lang == "cs":
                more = "více" if d["estimate"] >= 0 else "méně"
                text += f", o {amount} měsíce {more} než ({ref}) (rozdíl {level}% IS {ci}; p = {p})"
            else:
                more = "more" if d["estimate"] >= 0 else "less"
                text += f", {amount} months {more} than ({ref}) (difference {level}% CI {ci}; p = {p})"
        return text + "."

    def plot(self, ax: Any = None, *, tau: float | None = None, lang: str = "cs", **kwargs: Any) -> Any:
        """Kaplan–Meier curves with the area up to ``tau`` (default the last horizon) shaded: the RMST."""
        import matplotlib.pyplot as plt

        from evaluation.reporting import plot_labels as pl
        from evaluation.reporting.style import percent_axis
        from evaluation.retention._plotting import group_name

        pl.check_lang(lang)
        tau = self.taus[-1] if tau is None else float(tau)
        ax = ax if ax is not None else plt.subplots(figsize=(7, 4.5))[1]
        for name, curve in self.curves.groupby("group", sort=False, observed=True):
            t = np.concatenate([[0.0], curve["time"].to_numpy()])
            s = np.concatenate([[1.0], curve["survival"].to_numpy()])
            (line,) = ax.step(t, s, where="post", label=group_name(self, name, lang), **kwargs)
            inside = t <= tau
            ts, ss = np.concatenate([t[inside], [tau]]), np.concatenate([s[inside], [s[inside][-1]]])
            ax.fill_between(ts, 0, ss, step="post", alpha=0.12, color=line.get_color(), linewidth=0)
        ax.axvline(tau, color="0.4", linestyle="--", linewidth=0.8)
        ax.set_xlabel(pl.text("months_since_move_in", lang))
        ax.set_ylabel(pl.text("share_still_housed", lang))
        ax.set_ylim(0, 1.02)
        ax.set_xlim(left=0)
        percent_axis(ax, "y", lang)
        pl.number_axis(ax, lang, axis="x")
        ax.set_title(self.label(lang, tau), fontsize="medium")
        if self.curves["group"].nunique() > 1:
            ax.legend(loc="lower left", frameon=False, fontsize="small")
        return ax


def _group_rows(km: KaplanMeierResult, taus: Sequence[float], z: float) -> pd.DataFrame:
    rows = []
    sizes = km.group_sizes.set_index("group")
    at_start = {row["group"]: row["n_risk_at"](1e-9) for _, row in km.data_summary.iterrows()}
    for name, curve in km.curves.groupby("group", sort=False, observed=True):
        size = sizes.loc[name]
        last_survival = float(curve["survival"].iloc[-1]) if len(curve) else 1.0
        for tau in taus:
            estimable = tau <= float(size["max_time"]) or last_survival <= 0
            if estimable:
                mu, var = area_and_variance(curve["time"].to_numpy(float), curve["n_risk"].to_numpy(),
                                            curve["n_event"].to_numpy(), curve["survival"].to_numpy(float), tau)
                se = float(np.sqrt(var))
            else:
                mu = se = np.nan
            events = int(curve.loc[curve["time"] <= tau, "n_event"].sum())
            rows.append({"group": str(name), "tau": float(tau), "term": f"RMST({tau:g})", "estimate": mu,
                         "std_error": se, "conf_low": mu - z * se, "conf_high": mu + z * se,
                         "rmtl": tau - mu, "n": int(size["n"]), "n_events": events,
                         "n_late_entry": int(size["n_late_entry"]), "estimable": bool(estimable),
                         "max_time": float(size["max_time"]), "at_risk_at_start": int(at_start.get(name, 0))})
    return pd.DataFrame(rows)


def _contrast_rows(table: pd.DataFrame, reference: str | None, z: float) -> pd.DataFrame:
    columns = ["group", "reference", "tau", "term", "estimate", "std_error", "conf_low", "conf_high", "p_value"]
    if reference is None:
        return pd.DataFrame(columns=columns)
    rows = []
    ref_rows = table[table["group"] == reference].set_index("tau")
    for _, row in table[table["group"] != reference].iterrows():
        ref = ref_rows.loc[row["tau"]]
        mu1, mu0, v1, v0, tau = row["estimate"], ref["estimate"], row["std_error"] ** 2, ref["std_error"] ** 2, row["tau"]
        base = {"group": row["group"], "reference": reference, "tau": tau}
        diff, se = mu1 - mu0, np.sqrt(v1 + v0)
        rows.append({**base, "term": "difference", "estimate": diff, "std_error": se, "conf_low": diff - z * se,
                     "conf_high": diff + z * se, "p_value": _p(diff, se)})
        for term, a, b in (("ratio", mu1, mu0), ("rmtl_ratio", tau - mu1, tau - mu0)):
            with np.errstate(divide="ignore", invalid="ignore"):
                log_ratio = np.log(a / b) if a > 0 and b > 0 else np.nan
                se_log = np.sqrt(v1 / a ** 2 + v0 / b ** 2) if a > 0 and b > 0 else np.nan
            rows.append({**base, "term": term, "estimate": np.exp(log_ratio), "std_error": se_log,
                         "conf_low": np.exp(log_ratio - z * se_log), "conf_high": np.exp(log_ratio + z * se_log),
                         "p_value": _p(log_ratio, se_log)})
    return pd.DataFrame(rows, columns=columns)


def _p(estimate: float, se: float) -> float:
    if not (np.isfinite(estimate) and np.isfinite(se)) or se <= 0:
        return np.nan
    return float(2 * stats.norm.sf(abs(estimate / se)))


def _taus(tau: float | Sequence[float]) -> tuple[float, ...]:
    values = tuple(float(t) for t in np.atleast_1d(np.asarray(tau, dtype=float)))
    if not values or any(not np.isfinite(t) or t <= 0 for t in values):
        raise DataError(f"tau (months) must be positive numbers (got {tau!r})")
    return values


def rmst_from_km(km: KaplanMeierResult, tau: float | Sequence[float] = (12, 20), *,
                 reference: str | None = None, alpha: float | None = None) -> RMSTResult:
    """RMST of every curve of a fitted Kaplan–Meier result (``KaplanMeierResult.restricted_mean``).

    ``reference`` names the group the others are compared with (default: none with one group;
    with several, the group named ``comparison`` when there is one, else the first).
    """
    taus = _taus(tau)
    alpha = km.alpha if alpha is None else alpha
    z = z_value(alpha)
    table = _group_rows(km, taus, z)
    groups = list(dict.fromkeys(table["group"]))
    if reference is None and len(groups) > 1:
        reference = "comparison" if "comparison" in groups else groups[0]
    if reference is not None and str(reference) not in groups:
        raise DataError(f"reference group {reference!r} is not among the groups: {', '.join(groups)}")
    reference = None if reference is None else str(reference)
    curves = km.curves[["group", "time", "survival", "n_risk", "n_event"]].copy()
    return RMSTResult(table=table, contrast_table=_contrast_rows(table, reference, z), curves=curves, taus=taus,
                      alpha=alpha, reference=reference, group_name=km.group_name, excluded=km.excluded,
                      late_entry=int(km.group_sizes["n_late_entry"].sum()))


class RestrictedMeanSurvival:
    """Restricted mean survival time estimator with late entry (see the module docstring).

    Parameters
    ----------
    tau : horizon(s) in months (default 12 and 20).
    alpha : 1 - confidence level.
    reference : group the others are compared with (see :func:`rmst_from_km`).

    Example
    -------
    >>> fit = RestrictedMeanSurvival(tau=6, reference="a").fit(
    ...     [1, 3, 5, 8, 2, 9, 10, 12], [1, 1, 0, 1, 0, 0, 1, 0], groups=["a"] * 4 + ["b"] * 4)
    >>> fit.contrasts()["term"].tolist()
    ['difference', 'ratio', 'rmtl_ratio']
    """

    def __init__(self, tau: float | Sequence[float] = (12, 20), alpha: float = 0.05,
                 reference: str | None = None) -> None:
        self.taus, self.alpha, self.reference = _taus(tau), alpha, reference
        z_value(alpha)

    def fit(self, durations: Any, events: Any, entry: Any = None, groups: Any = None, *,
            group_name: str = "group") -> RMSTResult:
        """``durations``/``entry`` in months, ``events`` 1 = event, 0 = censored; one RMST per group."""
        km = KaplanMeier(alpha=self.alpha).fit(durations, events, entry=entry, groups=groups, group_name=group_name)
        return rmst_from_km(km, self.taus, reference=self.reference)

    def fit_episodes(self, episodes: Any, by: str | Sequence[str] | None = None, **kwargs: Any) -> RMSTResult:
        """Fit on :func:`evaluation.retention.housing_episodes` output (late entry from its ``entry``)."""
        km = KaplanMeier(alpha=self.alpha).fit_episodes(episodes, by=by, **kwargs)
        return rmst_from_km(km, self.taus, reference=self.reference)


def rmst(durations: Any, events: Any, entry: Any = None, groups: Any = None, *,
         tau: float | Sequence[float] = (12, 20), alpha: float = 0.05, reference: str | None = None,
         group_name: str = "group") -> RMSTResult:
    """Restricted mean survival time by group with contrasts (see :class:`RestrictedMeanSurvival`)."""
    return RestrictedMeanSurvival(tau, alpha, reference).fit(durations, events, entry, groups, group_name=group_name)


__all__ = ["RMSTResult", "RestrictedMeanSurvival", "area_and_variance", "rmst", "rmst_from_km"]
