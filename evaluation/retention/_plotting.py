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


def group_name(column: str, group: Any, lang: str) -> str:
    """The label of a curve's group: the contract's label of a code of ``column`` (``first_step``
    ...), ``all`` for the single whole-sample curve; several grouping columns (``a / b``) are
    joined with `` / ``."""
    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.labels import category_label

    if str(group) == "all":
        return pl.text("all_households", lang)
    columns = [c.strip() for c in str(column or "").split("/")]
    values = group if isinstance(group, tuple) else tuple(str(group).split(" / "))
    if len(columns) != len(values):
        columns = [columns[0]] * len(values)
    return " / ".join(category_label(c, v, lang) for c, v in zip(columns, values))


def _step_colour(column: str, group: Any, index: int) -> str:
    from evaluation.reporting.style import PALETTE, step_colour

    return step_colour(group, PALETTE[index % len(PALETTE)]) if "step" in str(column) else \
        PALETTE[index % len(PALETTE)]


def draw_survival(curve: Any, ax: Any = None, lang: str = "cs", *, at_risk: Any = None, ci: bool = True,
                  group_column: str = "group", end: float | None = None, **kwargs: Any) -> Any:
    """Kaplan–Meier curves (one colour per group; programme steps in their colours) with confidence
    bands and, when ``at_risk`` (group, time, n_risk) is given, the numbers at risk under the axis.

    ``curve`` has ``group, time, estimate, conf_low, conf_high``: the whole curve, or the published
    one in which each step stands for at least the threshold number of events.
    """
    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.style import percent_axis

    pl.check_lang(lang)
    ax = _axes(ax)
    for index, (name, part) in enumerate(curve.groupby("group", sort=False, observed=True)):
        t = np.concatenate([[0.0], part["time"].to_numpy(float)])
        s = np.concatenate([[1.0], part["estimate"].to_numpy(float)])
        colour = _step_colour(group_column, name, index)
        (line,) = ax.step(t, s, where="post", label=group_name(group_column, name, lang), color=colour, **kwargs)
        if ci:
            low = np.concatenate([[1.0], part["conf_low"].to_numpy(float)])
            high = np.concatenate([[1.0], part["conf_high"].to_numpy(float)])
            ax.fill_between(t, low, high, step="post", alpha=0.15, color=line.get_color(), linewidth=0)
    ax.set_xlabel(pl.text("months_since_move_in", lang))
    ax.set_ylabel(pl.text("share_still_housed", lang))
    ax.set_ylim(0, 1.02)
    percent_axis(ax, "y", lang)
    top = float(end) if end else float(max(curve["time"].max() if len(curve) else 0.0,
                                            at_risk["time"].max() if at_risk is not None and len(at_risk) else 0.0))
    times = np.asarray(sorted(at_risk["time"].unique()), float) if at_risk is not None and len(at_risk) \
        else time_grid(max(top, 1.0))
    ax.set_xticks(times)
    pl.number_axis(ax, lang, axis="x")
    ax.set_xticks(times)
    ax.set_xlim(0, max(top, times[-1]) * 1.02)
    groups = list(dict.fromkeys(curve["group"]))
    if len(groups) > 1 or (groups and str(groups[0]) != "all"):
        ax.legend(loc="lower left", frameon=False, fontsize="small")
    if at_risk is not None and len(at_risk):
        if group_column in at_risk.columns and group_column != "group":
            symbols = at_risk.attrs.get("symbols", {})
            at_risk = at_risk.rename(columns={group_column: "group"})
            at_risk.attrs["symbols"] = symbols
        add_at_risk_table(ax, at_risk, group_column, lang)
    return ax


def draw_cumulative_incidence(curve: Any, ax: Any = None, lang: str = "cs", *, ci: bool = True,
                              group_column: str = "group", end: float | None = None, kind: str = "lines",
                              group: Any = None, **kwargs: Any) -> Any:
    """Cumulative incidence of each exit type: ``kind="lines"`` one step line per type and group
    (with bands); ``"stacked"`` the types stacked for one ``group`` (the white remainder is the
    share still housed).

    ``curve`` has ``group, cause, time, estimate, conf_low, conf_high`` (the whole curves, or the
    published ones in which each step stands for at least the threshold number of exits).
    """
    from evaluation.errors import DataError
    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.labels import category_label
    from evaluation.reporting.style import PALETTE, percent_axis

    pl.check_lang(lang)
    ax = _axes(ax)
    several = curve["group"].nunique() > 1
    top = 0.0
    causes = list(dict.fromkeys(curve["cause"]))
    if kind not in ("lines", "stacked"):
        raise DataError(f"kind must be 'lines' or 'stacked' (got {kind!r})")
    if kind == "stacked":
        groups = list(dict.fromkeys(curve["group"]))
        group = groups[0] if group is None else group
        if group not in groups:
            raise DataError(f"no group {group!r}; groups are {', '.join(map(str, groups))}")
        sub = curve[curve["group"] == group]
        grid = np.unique(sub["time"].to_numpy(float))
        layers = []
        for cause in causes:
            part = sub[sub["cause"] == cause]
            index = np.searchsorted(part["time"].to_numpy(float), grid, side="right") - 1
            values = part["estimate"].to_numpy(float)
            layers.append(np.where(index >= 0, values[np.maximum(index, 0)], 0.0) if len(values) else 0 * grid)
        ax.stackplot(np.concatenate([[0.0], grid]), *[np.concatenate([[0.0], y]) for y in layers],
                     labels=[category_label("cause", c, lang) for c in causes], step="post", alpha=0.8,
                     colors=[PALETTE[i % len(PALETTE)] for i in range(len(causes))], **kwargs)
        top = float(np.sum([y[-1] for y in layers])) if layers and len(grid) else 0.0
        causes_drawn: list = []
    else:
        causes_drawn = causes
    for (group, cause), part in (curve.groupby(["group", "cause"], sort=False, observed=True)
                                 if causes_drawn else []):
        t = np.concatenate([[0.0], part["time"].to_numpy(float)])
        y = np.concatenate([[0.0], part["estimate"].to_numpy(float)])
        name = category_label("cause", cause, lang)
        if several:
            name = f"{group_name(group_column, group, lang)}: {name}"
        colour = PALETTE[causes.index(cause) % len(PALETTE)]
        (line,) = ax.step(t, y, where="post", label=name, color=colour, **kwargs)
        top = max(top, float(np.nanmax(y)))
        if ci:
            lo = np.concatenate([[0.0], part["conf_low"].fillna(0).to_numpy(float)])
            hi = np.concatenate([[0.0], part["conf_high"].fillna(0).to_numpy(float)])
            ax.fill_between(t, lo, hi, step="post", alpha=0.15, color=line.get_color(), linewidth=0)
            top = max(top, float(np.nanmax(hi)))
    ax.set_xlabel(pl.text("months_since_move_in", lang))
    ax.set_ylabel(pl.text("cumulative_incidence", lang))
    # room above the highest curve for the legend; never past 100 %
    ax.set_ylim(0, min(1.0, max(0.1, np.ceil(top * 1.35 * 10) / 10)))
    percent_axis(ax, "y", lang)
    last = float(end) if end else float(curve["time"].max() if len(curve) else 1.0)
    ticks = time_grid(max(last, 1.0))
    ax.set_xticks(ticks)
    pl.number_axis(ax, lang, axis="x")
    ax.set_xticks(ticks)
    ax.set_xlim(0, max(last, ticks[-1]) * 1.02)
    pl.legend_above(ax)
    return ax


def add_at_risk_table(ax: Any, table: Any, group_column: str = "group", lang: str = "cs") -> None:
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
        sub = table[table["group"] == group].assign(_index=lambda t: t.index).set_index("time")
        name = group_name(group_column, group, lang)
        if len(groups) > 1:  # right-aligned left of the axes, clear of the first column of numbers
            name_at = row_transform(row, header) + ScaledTranslation(-0.2, 0, fig.dpi_scale_trans)
            ax.text(0.0, 0.0, name, transform=name_at, ha="right", va="top", fontsize=size)
        for t in times:
            if t not in sub.index:
                continue
            ax.text(t, 0.0, pl.count_label(table, sub.loc[t, "_index"], "n_risk", lang),
                    transform=row_transform(row, columns), ha="center", va="top", fontsize=size)
