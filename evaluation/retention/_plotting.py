"""Drawing for the retention results: step curves, bands, censoring ticks, at-risk table."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np


def _axes(ax: Any) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(7, 4.5))
    return ax


def step_curves(result: Any, ax: Any = None, *, ci: bool = True, censor_ticks: bool = True,
                at_risk: bool = True, at_risk_times: Sequence[float] | None = None, **kwargs: Any) -> Any:
    """Kaplan–Meier curves of a :class:`KaplanMeierResult` (one colour per group)."""
    ax = _axes(ax)
    for name, curve in result.curves.groupby("group", sort=False, observed=True):
        t = np.concatenate([[0.0], curve["time"].to_numpy()])
        s = np.concatenate([[1.0], curve["survival"].to_numpy()])
        (line,) = ax.step(t, s, where="post", label=str(name), **kwargs)
        if ci:
            low = np.concatenate([[1.0], curve["conf_low"].to_numpy()])
            high = np.concatenate([[1.0], curve["conf_high"].to_numpy()])
            ax.fill_between(t, low, high, step="post", alpha=0.2, color=line.get_color(), linewidth=0)
        if censor_ticks:
            cens = curve[curve["n_censor"] > 0]
            ax.plot(cens["time"], cens["survival"], linestyle="none", marker="|", markersize=7,
                    color=line.get_color())
    ax.set_xlabel("months")
    ax.set_ylabel("still housed (probability)")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.set_title(result.title)
    if result.curves["group"].nunique() > 1 or result.curves["group"].iloc[0] != "all":
        ax.legend(frameon=False, fontsize="small")
    if at_risk:
        add_at_risk_table(ax, result.at_risk_table(at_risk_times))
    return ax


def add_at_risk_table(ax: Any, table: Any) -> None:
    """Write the numbers at risk under the x axis, one line per group."""
    times = sorted(table["time"].unique())
    ax.set_xticks(times)
    groups = list(dict.fromkeys(table["group"]))
    for row, group in enumerate(groups):
        sub = table[table["group"] == group].set_index("time")
        y = -0.18 - 0.07 * (row + 1)
        ax.text(-0.02, y, str(group), transform=ax.transAxes, ha="right", va="center", fontsize="x-small")
        for t in times:
            ax.text(t, y, str(int(sub.loc[t, "n_risk"])), transform=ax.get_xaxis_transform(),
                    ha="center", va="center", fontsize="x-small")
    ax.text(-0.02, -0.18, "at risk", transform=ax.transAxes, ha="right", va="center",
            fontsize="x-small", fontweight="bold")
    ax.figure.subplots_adjust(bottom=0.2 + 0.06 * len(groups))
