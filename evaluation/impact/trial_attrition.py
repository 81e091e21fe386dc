"""Attrition by arm, and Lee (2009) bounds on the effect when it differs between the arms.

:func:`attrition` counts, per arm, the units randomised, those with an outcome and those without
(by reason), and tests whether the attrition rates differ (difference with a Wald interval;
Fisher's exact p-value).

:func:`lee_bounds` — Lee (2009, Review of Economic Studies 76(3)) "trimming" bounds. Assume the
programme can only make a unit more likely to be observed, never less (monotonicity; or only less
likely, whichever the data show). The arm observed more often then contains, besides the units
observed in both arms, a share p = (q_more − q_less)/q_more of units observed only because of
their arm. Dropping the lowest (highest) p share of that arm's outcomes gives the upper (lower)
bound of the effect for the units observed whatever their arm. Ties at the cut are trimmed
fractionally, so the bounds do not depend on the order of tied values. Standard errors are
Lee's asymptotic formula (Proposition 3; the three components of his ``trimbound`` program:
the trimmed mean's sampling variance, the cut quantile's and the trimming share's), and the
confidence interval for the effect is Imbens & Manski's (2004), which Lee uses: C solves
Φ(C + (UB − LB)/max(σ_LB, σ_UB)) − Φ(−C) = 1 − α and the interval is [LB − C σ_LB, UB + C σ_UB].

Example
-------
>>> import numpy as np, pandas as pd
>>> df = pd.DataFrame({"z": [1] * 5 + [0] * 5, "y": [1, 2, 3, 4, 5, 1, 2, 3, np.nan, np.nan]})
>>> res = lee_bounds(df, "y", "z")
>>> res.trimmed_arm, round(res.trimming_share, 2), (res.lower, res.upper)
('programme', 0.4, (0.0, 2.0))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import optimize, stats

from evaluation.errors import ConfigError, EstimationError
from evaluation.impact._regression import check_alpha
from evaluation.impact._trial_common import prepare, t_interval, text
from evaluation.impact.trial import difference_in_means
from evaluation.reporting.labels import check_lang
from evaluation.results import ESTIMATE_COLUMNS, Result

ARMS = (("programme", 1.0), ("control", 0.0))


@dataclass(frozen=True)
class AttritionResult(Result):
    """Per arm: randomised, observed, lost (and by reason); the difference in attrition rates."""

    table: pd.DataFrame
    reasons: pd.DataFrame
    difference: float
    difference_se: float
    conf_low: float
    conf_high: float
    p_value: float
    alpha: float
    notes: tuple[str, ...] = ()
    title: str = "Attrition by arm"

    count_columns: ClassVar[tuple[str, ...]] = ("randomised", "observed", "lost")

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        return (super().summary() + f"\n\nAttrition programme − control: {self.difference:.3f} "
                f"[{self.conf_low:.3f}, {self.conf_high:.3f}], Fisher exact p = {self.p_value:.3f}\n\n"
                + self.reasons.to_string(index=False))


def attrition(data: pd.DataFrame, assignment: str, outcome: str, *, reason: str | None = None,
              alpha: float = 0.05) -> AttritionResult:
    """Attrition (no ``outcome``) by arm of ``assignment``; ``reason`` names a column with the reason.

    Example
    -------
    >>> attrition(trial_frame, "assigned", "arrears_czk", reason="attrition_reason").tidy()  # doctest: +SKIP
    """
    check_alpha(alpha)
    arrays = prepare(data, assignment=assignment, outcome=outcome)
    lost = np.isnan(arrays.y)
    rows = []
    for arm, value in ARMS:
        in_arm = arrays.z == value
        n, k = int(in_arm.sum()), int((lost & in_arm).sum())
        rows.append({"arm": arm, "randomised": n, "observed": n - k, "lost": k, "attrition_rate": k / n})
    table = pd.DataFrame(rows)
    why = (data.loc[arrays.index, reason].astype("object").where(lambda s: s.notna(), "not_recorded")
           if reason else pd.Series("not_recorded", index=arrays.index))
    reasons = (pd.DataFrame({"arm": np.where(arrays.z == 1, "programme", "control"), "reason": why.to_numpy()})[lost]
               .value_counts().rename("lost").reset_index().sort_values(["arm", "lost"], ascending=[False, False]))
    r1, r0 = table["attrition_rate"]
    n1, n0 = table["randomised"]
    se = float(np.sqrt(r1 * (1 - r1) / n1 + r0 * (1 - r0) / n0))
    low, high, _ = t_interval(r1 - r0, se, np.inf, alpha)
    p = float(stats.fisher_exact([[table["lost"][0], table["observed"][0]],
                                  [table["lost"][1], table["observed"][1]]])[1])
    notes = [(f"attrition {r1:.1%} in the programme arm and {r0:.1%} in the control arm (difference "
             f"{r1 - r0:+.1%}, Fisher exact p = {p:.3f})")]
    if abs(r1 - r0) > 0.05:
        notes.append("attrition differs between the arms: the difference among those followed up can be biased; "
                     "report Lee (2009) bounds (lee_bounds)")
    notes.extend(arrays.exclusions.notes())
    return AttritionResult(table=table, reasons=reasons.reset_index(drop=True), difference=r1 - r0,
                           difference_se=se, conf_low=low, conf_high=high, p_value=p, alpha=alpha,
                           notes=tuple(notes))


@dataclass(frozen=True)
class _Trimmed:
    """A trimmed mean with the pieces of Lee's standard error."""
    mean: float
    variance_of_mean: float
    cut: float


def _trimmed_mean(y: np.ndarray, keep_share: float, top: bool, ties: str = "fractional") -> _Trimmed:
    """Mean of the highest (``top``) or lowest ``keep_share`` of ``y``, the boundary unit weighted
    fractionally (``ties="keep"``: every unit at or beyond the sample quantile, ties included);
    the variance of that mean (Lee's first component) and the cut value."""
    ordered = np.sort(y)[::-1] if top else np.sort(y)
    if ties == "keep":
        cut = np.quantile(y, 1 - keep_share if top else keep_share)
        weights = (ordered >= cut if top else ordered <= cut).astype(float)
    else:
        weights = np.clip(keep_share * len(ordered) - np.arange(len(ordered)), 0.0, 1.0)
    kept = weights > 0
    w, v = weights[kept], ordered[kept]
    total = w.sum()
    mean = float(w @ v / total)
    variance = float(w @ (v - mean) ** 2 / (total - 1)) / total if total > 1 else np.nan
    return _Trimmed(mean=mean, variance_of_mean=variance, cut=float(v[-1]))


def imbens_manski_critical(width: float, se_low: float, se_high: float, alpha: float) -> float:
    """C with Φ(C + width/max(se)) − Φ(−C) = 1 − α (Imbens & Manski 2004)."""
    scale = max(se_low, se_high)
    if not np.isfinite(scale) or scale <= 0:
        return float(stats.norm.ppf(1 - alpha / 2))
    gap = max(width, 0.0) / scale

    def equation(c: float) -> float:
        return stats.norm.cdf(c + gap) - stats.norm.cdf(-c) - (1 - alpha)

    return float(optimize.brentq(equation, 0.0, stats.norm.ppf(1 - alpha / 2) + 1.0))


@dataclass(frozen=True)
class LeeBoundsResult(Result):
    """Lee (2009) bounds with their standard errors and the Imbens–Manski interval."""

    lower: float
    upper: float
    se_lower: float
    se_upper: float
    conf_low: float
    conf_high: float
    trimming_share: float
    trimmed_arm: str
    observed_share: dict[str, float]
    complete_cases: pd.Series
    n_programme: int
    n_control: int
    alpha: float
    notes: tuple[str, ...] = ()
    exclusions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["reason", "rows"]))
    title: str = "Lee (2009) bounds on the effect under attrition"

    count_columns: ClassVar[tuple[str, ...]] = ("n_programme", "n_control")

    def tidy(self) -> pd.DataFrame:
        rows = [{"term": "lee_lower", "estimate": self.lower, "std_error": self.se_lower,
                 "conf_low": self.conf_low, "conf_high": self.conf_high, "p_value": np.nan},
                {"term": "lee_upper", "estimate": self.upper, "std_error": self.se_upper,
                 "conf_low": self.conf_low, "conf_high": self.conf_high, "p_value": np.nan},
                {"term": "complete_cases", **{c: self.complete_cases[c] for c in ESTIMATE_COLUMNS[1:]}}]
        return pd.DataFrame(rows).assign(trimming_share=self.trimming_share, trimmed_arm=self.trimmed_arm,
                                         n_programme=self.n_programme, n_control=self.n_control)

    def plot(self, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
        """The bounds as a bar, the Imbens–Manski interval as whiskers, the complete-case estimate as a dot."""
        import matplotlib.pyplot as plt

        check_lang(lang)
        ax = ax if ax is not None else plt.subplots(figsize=(6.5, 2.6))[1]
        ax.plot([self.conf_low, self.conf_high], [1, 1], color="0.3", linewidth=1)
        ax.plot([self.lower, self.upper], [1, 1], color="C0", linewidth=8, solid_capstyle="butt")
        cc = self.complete_cases
        ax.errorbar([cc["estimate"]], [0], xerr=[[cc["estimate"] - cc["conf_low"]], [cc["conf_high"] - cc["estimate"]]],
                    fmt="o", color="C1", capsize=3)
        ax.axvline(0, color="0.5", linestyle="--", linewidth=0.8)
        ax.set_yticks([0, 1], [text("complete_cases", lang), "Lee (2009)"])
        ax.set_ylim(-0.6, 1.6)
        ax.set_xlabel(text("bounds_axis", lang))
        return ax


def lee_bounds(data: pd.DataFrame, outcome: str, assignment: str, *, alpha: float = 0.05,
               ties: str = "fractional") -> LeeBoundsResult:
    """Lee (2009) bounds on the effect of assignment on ``outcome`` for the units observed in either
    arm; a missing ``outcome`` marks attrition. See the module docstring.

    ``ties="fractional"`` (default) trims exactly the share p, as Lee's definition; ``"keep"`` keeps
    every unit tied with the cut quantile, as R ``leebounds`` (Semenova) does: with discrete outcomes
    it trims less than p, so its bounds are narrower than the sharp ones (offered to reproduce it).

    Example
    -------
    >>> res = lee_bounds(trial_frame, "arrears_czk", "assigned")  # doctest: +SKIP
    >>> res.lower, res.upper, (res.conf_low, res.conf_high)  # doctest: +SKIP
    """
    check_alpha(alpha)
    if ties not in ("fractional", "keep"):
        raise ConfigError(f"ties must be 'fractional' or 'keep', not {ties!r}")
    arrays = prepare(data, assignment=assignment, outcome=outcome)
    observed = ~np.isnan(arrays.y)
    z = arrays.z
    n = {arm: int((z == v).sum()) for arm, v in ARMS}
    share = {arm: float(observed[z == v].mean()) for arm, v in ARMS}
    for arm, value in ARMS:
        if (observed & (z == value)).sum() < 2:
            raise EstimationError(f"fewer than 2 units of the {arm} arm have an outcome: no bounds can be computed")
    trimmed = "programme" if share["programme"] >= share["control"] else "control"
    other = "control" if trimmed == "programme" else "programme"
    t_value = 1.0 if trimmed == "programme" else 0.0
    p = (share[trimmed] - share[other]) / share[trimmed]
    y_trim = arrays.y[observed & (z == t_value)]
    y_other = arrays.y[observed & (z != t_value)]
    high = _trimmed_mean(y_trim, 1 - p, top=True, ties=ties)
    low = _trimmed_mean(y_trim, 1 - p, top=False, ties=ties)
    other_mean = float(y_other.mean())
    other_var = float(y_other.var(ddof=1) / len(y_other))
    # Lee's trimbound: the variance of the trimming share p, then each bound's three components
    a_t, a_o = share[trimmed], share[other]
    p_var = (1 - p) ** 2 * ((1 - a_t) / (n[trimmed] * a_t) + (1 - a_o) / (n[other] * a_o)) if a_o > 0 else np.nan

    def se(part: _Trimmed) -> float:
        gap = (part.cut - part.mean) ** 2
        total = part.variance_of_mean + gap * p / ((1 - p) * len(y_trim)) + gap / (1 - p) ** 2 * p_var
        return float(np.sqrt(total + other_var))

    if trimmed == "programme":
        lower, upper, se_lower, se_upper = low.mean - other_mean, high.mean - other_mean, se(low), se(high)
    else:
        lower, upper, se_lower, se_upper = other_mean - high.mean, other_mean - low.mean, se(high), se(low)
    crit = imbens_manski_critical(upper - lower, se_lower, se_upper, alpha)
    dim, dim_se, dim_df, _ = difference_in_means(arrays.y[observed], z[observed])
    complete = pd.Series({"estimate": dim, "std_error": dim_se,
                          **dict(zip(("conf_low", "conf_high", "p_value"), t_interval(dim, dim_se, dim_df, alpha)))})
    notes = [(f"observed: {share['programme']:.1%} of {n['programme']} programme and {share['control']:.1%} of "
             f"{n['control']} control units; the {trimmed} arm is trimmed by {p:.1%} of its observed outcomes"),
             ("bounds on the effect for units observed whichever their arm, assuming assignment changes whether a "
             "unit is observed in one direction only (monotonicity)"),
             f"{100 * (1 - alpha):g}% interval for the effect: Imbens & Manski (2004), C = {crit:.3f}"]
    if p == 0:
        notes.append("attrition is the same in both arms: nothing is trimmed and the bounds coincide")
    notes.extend(arrays.exclusions.notes())
    return LeeBoundsResult(lower=lower, upper=upper, se_lower=se_lower, se_upper=se_upper,
                           conf_low=lower - crit * se_lower, conf_high=upper + crit * se_upper, trimming_share=p,
                           trimmed_arm=trimmed, observed_share=share, complete_cases=complete,
                           n_programme=n["programme"], n_control=n["control"], alpha=alpha, notes=tuple(notes),
                           exclusions=arrays.exclusions.table())


__all__ = ["AttritionResult", "LeeBoundsResult", "attrition", "imbens_manski_critical", "lee_bounds"]
