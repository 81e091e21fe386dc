"""Pictures of staggered DiD results: ATT(g,t) by group, and event-study / group / calendar effects.

Pre-treatment estimates are drawn in grey, post-treatment ones in blue; the vertical bars are
the band reported in the table (simultaneous when bootstrapped, else pointwise).

Example
-------
>>> result.plot()                          # doctest: +SKIP
>>> result.aggregate("dynamic").plot()     # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np

PRE_COLOUR, POST_COLOUR = "#7f7f7f", "#1f77b4"


def _errorbars(ax: Any, x: np.ndarray, est: np.ndarray, low: np.ndarray, high: np.ndarray,
               post: np.ndarray, label_post: str = "post-treatment", label_pre: str = "pre-treatment") -> None:
    for mask, colour, label in ((~post, PRE_COLOUR, label_pre), (post, POST_COLOUR, label_post)):
        if mask.any():
            ax.errorbar(x[mask], est[mask], yerr=[est[mask] - low[mask], high[mask] - est[mask]], fmt="o",
                        color=colour, capsize=3, label=label)
    ax.axhline(0.0, color="black", linewidth=0.8)


def plot_group_time(res: Any, ax: Any = None, **kwargs: Any) -> Any:
    """One panel per group (stacked); with ``ax`` given, all groups share it, offset in time."""
    import matplotlib.pyplot as plt

    cells = res.cells
    groups = list(res.groups)
    if ax is None:
        fig, axes = plt.subplots(len(groups), 1, sharex=True, sharey=True,
                                 figsize=kwargs.pop("figsize", (6, 2.2 * len(groups))), squeeze=False)
        axes = axes[:, 0]
    else:
        axes = [ax] * len(groups)
    for i, (g, axis) in enumerate(zip(groups, axes)):
        sub = cells[cells["group"] == g]
        shift = 0.0 if ax is None else (i - (len(groups) - 1) / 2) * 0.1
        _errorbars(axis, sub["time"].to_numpy() + shift, sub["estimate"].to_numpy(), sub["conf_low"].to_numpy(),
                   sub["conf_high"].to_numpy(), sub["post"].to_numpy(bool))
        if ax is None:
            axis.set_title(f"group {g:g}", fontsize=9)
            axis.set_ylabel("ATT(g,t)")
    axes[-1].set_xlabel("period")
    return axes[-1] if ax is not None else axes


def draw_aggregate(table: Any, ax: Any = None, *, lang: str = "cs", time_unit: str = "period",
                   kind: str = "dynamic", band: str = "pointwise", alpha: float = 0.05, outcome: Any = None,
                   unit: Any = None, **kwargs: Any) -> Any:
    """Event-study plot for ``dynamic``; effects by group or period otherwise; a point for ``simple``.

    ``table`` is :meth:`AggregateResult.tidy` (its first row the overall effect) or its published
    form. Words in ``lang``; ``time_unit`` ("month", "quarter", "year", "period") words the
    event-time axis; ``outcome`` and ``unit`` (``(Czech, English)``) title the effect axis. No title:
    the band (simultaneous or pointwise) is named in the legend.
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    from evaluation.errors import ConfigError
    from evaluation.impact.event_study import effect_axis_label
    from evaluation.reporting import plot_labels as pl

    pl.check_lang(lang)
    if time_unit not in ("month", "quarter", "year", "period"):
        raise ConfigError(f"time_unit must be month, quarter, year or period (got {time_unit!r})")
    if ax is None:
        _, ax = plt.subplots(figsize=kwargs.pop("figsize", (6, 3.5)))

    def column(name: str, rows: Any) -> np.ndarray:
        return pd.to_numeric(rows[name], errors="coerce").to_numpy(float)

    level = pl.level_text(alpha, lang)
    band_text = pl.text("band_simultaneous" if band == "simultaneous" else "band_pointwise", lang, level=level)
    label = effect_axis_label(lang, outcome, unit) if outcome else pl.text("average_effect", lang)
    overall, rows = table.iloc[:1], table.iloc[1:]
    if kind == "simple" or rows.empty:
        _errorbars(ax, np.array([0.0]), column("estimate", overall), column("conf_low", overall),
                   column("conf_high", overall), np.array([True]), label_post=pl.text("overall_att", lang))
        ax.set_xticks([0.0], [pl.text("overall_att", lang)])
        ax.set_ylabel(label)
        pl.number_axis(ax, lang, axis="y")
        return ax
    x_column = {"dynamic": "event_time", "group": "group", "calendar": "time"}[kind]
    x = column(x_column, rows)
    post = x >= 0 if kind == "dynamic" else np.ones(len(x), bool)
    _errorbars(ax, x, column("estimate", rows), column("conf_low", rows), column("conf_high", rows), post,
               label_post=f"{pl.text('after_entry', lang)} ({band_text})" if kind == "dynamic" else band_text,
               label_pre=f"{pl.text('before_entry', lang)} ({band_text})")
    if kind == "dynamic":
        ax.axvline(-0.5, color="black", linestyle=":", linewidth=0.8)
        axis_key = {"month": "relative_month", "quarter": "relative_quarter", "year": "relative_year",
                    "period": "relative_period"}[time_unit]
        ax.set_xlabel(pl.text(axis_key, lang))
        pl.integer_ticks(ax, x[~np.isnan(x)], keep=(0,), lang=lang)
    else:
        ax.set_xlabel(pl.text("group_first_treated" if x_column == "group" else "calendar_period", lang))
        pl.integer_ticks(ax, x[~np.isnan(x)], lang=lang)
    ax.set_ylabel(label)
    pl.number_axis(ax, lang, axis="y")
    pl.legend_above(ax)
    return ax
