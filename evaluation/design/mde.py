"""The minimum detectable effect of a design that was actually run, to show beside an impact estimate.

"With this design an effect smaller than X could not have been detected": with the standard error
the analysis obtained, ``MDE = (z_{1-alpha/2} + z_power) * SE`` (Bloom 1995, Evaluation Review
19:547; t quantiles with ``df`` when given, e.g. the clusters minus one of a cluster-robust
DiD). When the design is known as well (units treated and compared, periods before and after, the
residual variance and serial correlation or ICC), the BPW analytic MDE of that design
(:func:`evaluation.design.did_power`) stands beside it: a much larger SE than the design implies
points at heterogeneity or clustering the design did not foresee.

How the impact strand calls it (it needs no change to the estimators)::

    from evaluation.design import detectable_effect
    fit = did_2x2(panel, "arrears_czk", "treated", "post", unit="household_id")
    mde = detectable_effect(fit)                        # SE, clusters and alpha read from the result
    mde.minimum_detectable_effect                       # 80% power, 5% two-sided
    mde.sentence("cs")                                  # "S tímto uspořádáním by efekt menší než ..."
    detectable_effect(std_error=412.0, df=29, n_treated=10, n_control=20, pre=12, post=12,
                      variance=3.5e6, ar1=0.6)          # with the design's BPW MDE beside it

Example
-------
>>> res = detectable_effect(std_error=100.0)
>>> round(res.minimum_detectable_effect, 1)
280.2
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.design._common import (
    check_alpha,
    check_alternative,
    check_positive,
    check_power,
    t_critical,
)
from evaluation.design.panel import ResidualCovariance, did_power
from evaluation.errors import ConfigError
from evaluation.results import Result


def mde_from_se(std_error: float, *, alpha: float = 0.05, power: float = 0.8, alternative: str = "two-sided",
                df: float | None = None) -> float:
    """``(crit + quantile(power)) * std_error`` with normal (``df=None``) or t quantiles.

    >>> round(mde_from_se(1.0), 4)
    2.8016
    """
    check_positive("std_error", std_error, allow_none=False)
    check_alpha(alpha)
    check_power(power)
    check_alternative(alternative)
    quantile = stats.norm.ppf(power) if df is None else stats.t.ppf(power, df)
    return float((t_critical(alpha, alternative, df) + quantile) * std_error)


@dataclass(frozen=True)
class DetectableEffect(Result):
    """Minimum detectable effects of a design that was run: from the standard error obtained and,
    when the design is given, the BPW analytic one (rows of ``tidy()``)."""

    table: pd.DataFrame
    alpha: float
    power: float
    alternative: str
    estimate: float | None = None
    unit: str = ""

    count_columns = ()
    n_column = None

    @property
    def title(self) -> str:
        return "Minimum detectable effect of the design"

    def label(self, lang: str = "cs") -> str:
        return "Minimální zjistitelný efekt uspořádání" if lang == "cs" else self.title

    @property
    def minimum_detectable_effect(self) -> float:
        """The MDE from the standard error obtained (the design's when no SE was given)."""
        return float(self.table["mde"].iloc[0])

    @property
    def notes(self) -> tuple[str, ...]:
        return (self.sentence("en"),)

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def sentence(self, lang: str = "cs") -> str:
        """"With this design an effect smaller than X could not have been detected ..." in ``lang``."""
        from evaluation.reporting.formatting import format_number, format_percent
        from evaluation.reporting.labels import check_lang

        check_lang(lang)
        mde = format_number(self.minimum_detectable_effect, lang)
        unit = f" {self.unit}" if self.unit else ""
        power = format_percent(self.power, lang, 0)
        alpha = format_percent(self.alpha, lang, 0 if self.alpha * 100 % 1 == 0 else 1)
        sided = {"two-sided": ("oboustranně", "two-sided")}.get(self.alternative, ("jednostranně", "one-sided"))
        if lang == "cs":
            text = (f"S tímto uspořádáním by efekt menší než {mde}{unit} nebyl zjistitelný "
                    f"(minimální zjistitelný efekt při síle testu {power} a hladině významnosti {alpha}, {sided[0]})")
        else:
            text = (f"With this design an effect smaller than {mde}{unit} could not have been detected "
                    f"(minimum detectable effect at {power} power and a {alpha} significance level, {sided[1]})")
        if self.estimate is not None and np.isfinite(self.estimate):
            below = abs(self.estimate) < self.minimum_detectable_effect
            est = format_number(self.estimate, lang)
            if lang == "cs":
                text += (f"; odhad {est}{unit} je {'menší' if below else 'větší'} než tato hranice")
            else:
                text += f"; the estimate of {est}{unit} is {'below' if below else 'above'} it"
        return text + "."


def _from_result(result: Any) -> tuple[float, float | None, float | None, float | None]:
    """Standard error, df, alpha and estimate read from an impact result (duck-typed)."""
    se = getattr(result, "std_error", None)
    if se is None or not np.isfinite(float(se)):
        raise ConfigError("the result has no standard error of its effect (std_error)")
    clusters = getattr(result, "n_clusters", None)
    df = float(clusters - 1) if clusters else None
    return float(se), df, getattr(result, "alpha", None), float(getattr(result, "estimate", np.nan))


def detectable_effect(result: Any = None, *, std_error: float | None = None, df: Any = "auto",
                      alpha: float | None = None, power: float = 0.8, alternative: str = "two-sided",
                      estimate: float | None = None, n_treated: float | None = None,
                      n_control: float | None = None, pre: int | None = None, post: int | None = None,
                      variance: float | None = None, ar1: float | None = None,
                      covariance: ResidualCovariance | None = None, icc: float = 0.0, cluster_size: float = 1.0,
                      cluster_size_cv: float = 0.0, unit: str = "") -> DetectableEffect:
    """Minimum detectable effect of a design that was run (see the module docstring).

    ``result`` is an impact result with ``std_error`` (and ``n_clusters``, ``alpha``,
    ``estimate``), e.g. from :func:`evaluation.impact.did_2x2` or :func:`~evaluation.impact.twfe`;
    or give ``std_error`` (and ``df``) directly. ``df="auto"`` uses t quantiles with the result's
    clusters minus one (the test the estimate was judged by) and normal ones otherwise;
    ``df=None`` forces Bloom's normal formula ``(z_{1-alpha/2} + z_power) SE``. The design's BPW MDE is added when ``n_treated``,
    ``n_control``, ``pre``, ``post`` and the errors' ``variance`` (with ``ar1``) or a
    ``covariance`` are given; ``icc`` and ``cluster_size`` when households are nested in clusters
    (``n_treated`` and ``n_control`` then count clusters).
    """
    if result is not None:
        if std_error is not None:
            raise ConfigError("give either an impact result or std_error, not both")
        std_error, result_df, result_alpha, result_estimate = _from_result(result)
        df = result_df if df == "auto" else df
        alpha = result_alpha if alpha is None else alpha
        estimate = result_estimate if estimate is None else estimate
    df = None if isinstance(df, str) and df == "auto" else df
    alpha = 0.05 if alpha is None else alpha
    check_alpha(alpha)
    check_power(power)
    rows = []
    if std_error is not None:
        rows.append({"method": "standard error obtained", "mde": mde_from_se(std_error, alpha=alpha, power=power,
                                                                           alternative=alternative, df=df),
                     "std_error": float(std_error), "df": np.nan if df is None else float(df)})
    design_given = [v is not None for v in (n_treated, n_control, pre, post)]
    if any(design_given):
        if not all(design_given):
            raise ConfigError("the design's MDE needs n_treated, n_control, pre and post together")
        units = float(n_treated) + float(n_control)
        design = did_power(None, units, power, pre=pre, post=post, covariance=covariance, variance=variance,
                           ar1=ar1, treated_share=float(n_treated) / units, alpha=alpha, alternative=alternative,
                           icc=icc, cluster_size=cluster_size, cluster_size_cv=cluster_size_cv)
        rows.append({"method": "design (BPW analytic)", "mde": design.effect,
                     "std_error": design.values["std_error"], "df": design.values["df"]})
    if not rows:
        raise ConfigError("give an impact result, a std_error, or the design (n_treated, n_control, pre, post, "
                          "variance)")
    table = pd.DataFrame(rows)
    table.insert(2, "power", power)
    table.insert(3, "alpha", alpha)
    return DetectableEffect(table, alpha, power, alternative, estimate, unit)


__all__ = ["DetectableEffect", "detectable_effect", "mde_from_se"]
