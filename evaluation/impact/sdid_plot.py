"""The pictures of synthetic DiD, after R synthdid's ``synthdid_plot`` and ``synthdid_units_plot``.

Trajectories: the treated places' mean and the weighted comparison places over time; the
time weights lambda as bars along the bottom; the DiD "parallelogram" (lambda-weighted
pre-treatment and post-treatment averages of both lines), the treated places' counterfactual
(dashed, parallel to the comparison's change) and the effect as an arrow.

Example
-------
>>> res.plot(lang="en"); res.plot(kind="weights")   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evaluation.errors import ConfigError
from evaluation.impact._synth_labels import phrase
from evaluation.reporting import plot_labels as pl

TREATED, CONTROL, EFFECT = "#D55E00", "#0072B2", "#000000"


def _cohort_index(res: Any, cohort: Any) -> int:
    starts = list(res.design.cohort_starts)
    if cohort is None:
        return 0
    if cohort not in starts:
        raise ConfigError(f"cohort must be one of {starts}, not {cohort!r}")
    return starts.index(cohort)


def _number(value: float, lang: str) -> str:
    from evaluation.reporting.formatting import format_number

    return format_number(value, lang, 2)


def plot_trajectories(res: Any, ax: Any = None, *, lang: str = "cs", cohort: Any = None, **kwargs: Any) -> Any:
    import matplotlib.pyplot as plt

    pl.check_lang(lang)
    k = _cohort_index(res, cohort)
    d, fit = res.design, res.fits[k]
    ax = ax or plt.subplots(figsize=kwargs.pop("figsize", (6.3, 3.6)))[1]
    T0 = d.cohort_T0[k]
    x = np.arange(len(d.periods), dtype=float)
    treated = d.Y[d.cohort_members[k]].mean(axis=0)
    control = fit.omega[0] @ d.Y[d.controls]
    lam = fit.lambda_[0]
    n1 = len(d.cohort_members[k])
    ax.plot(x, treated, color=TREATED, label=phrase("treated" if n1 == 1 else "treated_mean", lang))
    ax.plot(x, control, color=CONTROL, label=phrase("synthetic" if res.method == "sc" else "controls_weighted",
                                                     lang))
    ax.axvline(T0 - 0.5, color="0.4", linestyle=":", linewidth=0.9)
    # the parallelogram: lambda-weighted pre average and post average of both lines
    pre_x = float(lam @ x[:T0]) if lam.sum() > 0 else float(x[T0 - 1])
    post_x = float(x[T0:].mean())
    t_pre, t_post = float(lam @ treated[:T0]), float(treated[T0:].mean())
    c_pre, c_post = float(lam @ control[:T0]), float(control[T0:].mean())
    if lam.sum() > 0:
        ax.plot([pre_x, post_x], [c_pre, c_post], color=CONTROL, linewidth=0.9, marker="o", markersize=3)
        ax.plot([pre_x, post_x], [t_pre, t_pre + c_post - c_pre], color=TREATED, linestyle="--", linewidth=0.9,
                label=phrase("counterfactual", lang))
        ax.plot([pre_x], [t_pre], color=TREATED, marker="o", markersize=3)
        start_y = t_pre + c_post - c_pre
    else:  # synthetic control: no time weights, the counterfactual is the synthetic line itself
        start_y = c_post
    ax.annotate("", xy=(post_x, t_post), xytext=(post_x, start_y),
                arrowprops={"arrowstyle": "->", "color": EFFECT, "linewidth": 1.2})
    tau = float(res.cohorts["estimate"].iloc[k])
    ax.text(post_x, (t_post + start_y) / 2, " " + phrase("effect", lang, value=_number(tau, lang)),
            fontsize=8, va="center")
    lo, hi = ax.get_ylim()
    if lam.sum() > 0:  # time weights as bars along the bottom (10% of the height at the largest)
        height = 0.12 * (hi - lo) * lam / max(lam.max(), 1e-12)
        ax.bar(x[:T0], height, bottom=lo, width=0.8, color=CONTROL, alpha=0.35, label=phrase("time_weights", lang))
        ax.set_ylim(lo, hi)
    ticks = pl.integer_ticks_positions(range(len(d.periods)), max_labels=8)
    ax.set_xticks(ticks, [str(d.periods[i]) for i in ticks])
    ax.set_xlabel(phrase("period", lang))
    ax.set_ylabel(res.outcome)
    pl.number_axis(ax, lang, axis="y")
    pl.legend_above(ax)
    return ax


def plot_unit_weights(res: Any, ax: Any = None, *, lang: str = "cs", cohort: Any = None, **kwargs: Any) -> Any:
    """Each comparison place's own DiD estimate against the treated, dot area proportional to its weight."""
    import matplotlib.pyplot as plt

    pl.check_lang(lang)
    k = _cohort_index(res, cohort)
    d, fit = res.design, res.fits[k]
    T0 = d.cohort_T0[k]
    lam = fit.lambda_[0] if fit.lambda_[0].sum() > 0 else np.full(T0, 1.0 / T0)
    treated = d.Y[d.cohort_members[k]].mean(axis=0)
    Yc = d.Y[d.controls]
    own = (treated[T0:].mean() - lam @ treated[:T0]) - (Yc[:, T0:].mean(axis=1) - Yc[:, :T0] @ lam)
    w = fit.omega[0]
    order = np.argsort(own)
    ax = ax or plt.subplots(figsize=kwargs.pop("figsize", (6.3, 3.6)))[1]
    x = np.arange(len(order))
    ax.scatter(x, own[order], s=4 + 400 * w[order] / max(w.max(), 1e-12), color=CONTROL, alpha=0.7,
               edgecolor="none")
    ax.axhline(float(res.cohorts["estimate"].iloc[k]), color=EFFECT, linewidth=1.0,
               label=phrase("average_effect", lang))
    if np.isfinite(res.cohorts["std_error"].iloc[k]):
        for bound in ("conf_low", "conf_high"):
            ax.axhline(float(res.cohorts[bound].iloc[k]), color="0.5", linewidth=0.8, linestyle="--")
    names = [str(d.units[d.controls[i]]) for i in order]
    show = x[w[order] > 0]
    ax.set_xticks(show, [names[i] for i in show], rotation=90, fontsize=6)
    ax.set_xlabel(phrase("units", lang))
    ax.set_ylabel(phrase("average_effect", lang))
    pl.number_axis(ax, lang, axis="y")
    pl.legend_above(ax)
    return ax
