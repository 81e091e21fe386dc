"""Drawing for the retention results: step curves, bands, censoring ticks, at-risk table.

Words come from :mod:`evaluation.reporting.plot_labels` in the chart's language; group codes
(e.g. the first step) are shown with their labels from :mod:`evaluation.reporting.labels`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

#: Candidate spacings (months) of the time ticks and the at-risk columns.
TIME_STEPS = (3.0, 6.0, 12.0, 24.0, 36.0, 60.0)


def _axes(ax: Any) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(7, 4.5))
    return ax


def time_grid(top: float, max_labels: int = 13) -> np.ndarray:
    """Tick (and at-risk) times 0, k, 2k, ... up to ``top`` with at most ``max_labels`` of them."""
    step = next((s for s in TIME_STEPS if top / s + 1 <= max_labels), TIME_STEPS[-1])
    return np.arange(0.0, top + 1e-9, step)


def group_name(result: Any, group: Any, lang: str) -> str:
    """The label of a curve's group: the contract's label of a code (``first_step`` ...), ``all``
    for the single whole-sample curve; several grouping columns are joined with `` / ``."""
    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.labels import category_label

    if str(group) == "all":
        return pl.text("all_households", lang)
    columns = [c.strip() for c in str(getattr(result, "group_name", "") or "").split("/")]
    values = group if isinstance(group, tuple) else tuple(str(group).split(" / "))
    if len(columns) != len(values):
        columns = [columns[0]] * len(values)
    return " / ".join(category_label(c, v, lang) for c, v in zip(columns, values))


def step_curves(result: Any, ax: Any = None, *, ci: bool = True, censor_ticks: bool = True,
                at_risk: bool = True, at_risk_times: Sequence[float] | None = None, lang: str = "cs",
                **kwargs: Any) -> Any:
    """Kaplan–Meier curves of a :class:`KaplanMeierResult` (one colour per group)."""
    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.style import percent_axis

    pl.check_lang(lang)
    ax = _axes(ax)
    for name, curve in result.curves.groupby("group", sort=False, observed=True):
        t = np.concatenate([[0.0], curve["time"].to_numpy()])
        s = np.concatenate([[1.0], curve["survival"].to_numpy()])
        (line,) = ax.step(t, s, where="post", label=group_name(result, name, lang), **kwargs)
        if ci:
            low = np.concatenate([[1.0], curve["conf_low"].to_numpy()])
            high = np.concatenate([[1.0], curve["conf_high"].to_numpy()])
            ax.fill_between(t, low, high, step="post", alpha=0.15, color=line.get_color(), linewidth=0)
        if censor_ticks:
            cens = curve[curve["n_censor"] > 0]
            ax.plot(cens["time"], cens["survival"], linestyle="none", marker="|", markersize=5,
                    markeredgewidth=0.8, color=line.get_color())
    ax.set_xlabel(pl.text("months_since_move_in", lang))
    ax.set_ylabel(pl.text("share_still_housed", lang))
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    percent_axis(ax, "y", lang)
    top = float(result.group_sizes["max_time"].max())
    times = np.asarray(at_risk_times, float) if at_risk_times is not None else time_grid(top)
    ax.set_xticks(times)
    pl.number_axis(ax, lang, axis="x")
    ax.set_xticks(times)
    ax.set_xlim(0, max(top, times[-1]) * 1.02)
    if result.curves["group"].nunique() > 1 or str(result.curves["group"].iloc[0]) != "all":
        ax.legend(loc="lower left", frameon=False, fontsize="small")
    if at_risk:
        add_at_risk_table(ax, result.at_risk_table(times), result, lang)
    return ax


def add_at_risk_table(ax: Any, table: Any, result: Any = None, lang: str = "cs") -> None:
    """Write the numbers at risk under the x-axis title, one line per group.

    The rows are placed in points below the axes (not in axes fractions), so they never run
    into the tick labels or the axis title whatever the figure's height.
    """
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.formatting import format_number

    fig = ax.figure
    times = sorted(table["time"].unique())
    groups = list(dict.fromkeys(table["group"]))
    size = "x-small"
    first = 40.0  # points below the axes: tick labels and axis title sit above this line
    line = 10.0

    def row_transform(row: int, base: Any) -> Any:
        return base + ScaledTranslation(0, -(first + line * row) / 72.0, fig.dpi_scale_trans)

    header = blended_transform_factory(ax.transAxes, ax.transAxes)
    ax.text(0.0, 0.0, pl.text("at_risk", lang), transform=row_transform(0, header), ha="left", va="top",
            fontsize=size, fontweight="bold")
    columns = blended_transform_factory(ax.transData, ax.transAxes)
    for row, group in enumerate(groups, start=1):
        sub = table[table["group"] == group].set_index("time")
        name = group_name(result, group, lang) if result is not None else str(group)
        if len(groups) > 1:  # right-aligned left of the axes, clear of the first column of numbers
            name_at = row_transform(row, header) + ScaledTranslation(-0.2, 0, fig.dpi_scale_trans)
            ax.text(0.0, 0.0, name, transform=name_at, ha="right", va="top", fontsize=size)
        for t in times:
            ax.text(t, 0.0, format_number(int(sub.loc[t, "n_risk"]), lang), transform=row_transform(row, columns),
                    ha="center", va="top", fontsize=size)
