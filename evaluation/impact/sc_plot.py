"""Pictures of synthetic control results: paths, gap, donor weights, placebo gaps and ratios,
leave-one-out paths (the figures of Abadie, Diamond & Hainmueller 2010, 2015), Czech or English.

Example
-------
>>> res.plot(kind="gap", lang="en"); res.placebo_in_space().plot()   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evaluation.errors import ConfigError
from evaluation.impact._synth_labels import phrase
from evaluation.reporting import plot_labels as pl

TREATED, SYNTHETIC, GREY = "#000000", "#0072B2", "#b0b0b0"


def _period_axis(ax: Any, periods: tuple, lang: str) -> np.ndarray:
    x = np.arange(len(periods), dtype=float)
    ticks = pl.integer_ticks_positions(range(len(periods)), max_labels=9)
    ax.set_xticks(ticks, [str(periods[i]) for i in ticks])
    ax.set_xlabel(phrase("period", lang))
    return x


def _start_line(ax: Any, res: Any, lang: str, key: str = "start") -> None:
    pre = int(res.pre.sum())
    ax.axvline(pre - 0.5, color="0.4", linestyle=":", linewidth=0.9, label=phrase(key, lang))


def _new_axes(ax: Any, kwargs: dict) -> Any:
    import matplotlib.pyplot as plt

    return ax or plt.subplots(figsize=kwargs.pop("figsize", (6.3, 3.6)))[1]


def plot_result(res: Any, ax: Any = None, *, lang: str = "cs", kind: str = "paths", **kwargs: Any) -> Any:
    pl.check_lang(lang)
    if kind not in ("paths", "gap", "weights"):
        raise ConfigError(f"kind must be 'paths', 'gap' or 'weights', not {kind!r}")
    ax = _new_axes(ax, kwargs)
    if kind == "weights":
        w = res.unit_weights.sort_values()
        w = w[w > 1e-6]
        ax.barh([str(u) for u in w.index], w.to_numpy(), color=SYNTHETIC)
        ax.set_xlabel(phrase("unit_weight", lang))
        pl.number_axis(ax, lang, axis="x")
        return ax
    x = _period_axis(ax, res.periods, lang)
    if kind == "paths":
        ax.plot(x, res.treated_path, color=TREATED, label=f"{res.treated_unit}")
        ax.plot(x, res.synthetic_path, color=SYNTHETIC, linestyle="--", label=phrase("synthetic", lang))
        ax.set_ylabel(res.outcome)
    else:
        ax.plot(x, res.gaps, color=TREATED, label=f"{res.treated_unit}")
        ax.axhline(0.0, color="0.3", linewidth=0.8)
        ax.set_ylabel(phrase("gap", lang))
    _start_line(ax, res, lang, "fake_start" if "placebo" in res.kind else "start")
    pl.number_axis(ax, lang, axis="y")
    pl.legend_above(ax)
    return ax


def plot_placebo(placebo: Any, ax: Any = None, *, lang: str = "cs", kind: str = "gaps", **kwargs: Any) -> Any:
    pl.check_lang(lang)
    res = placebo.result
    ax = _new_axes(ax, kwargs)
    table = placebo.included
    if kind == "ratio":
        t = table.sort_values("ratio")
        colours = [TREATED if tr else GREY for tr in t["treated"]]
        ax.barh([str(u) for u in t["unit"]], t["ratio"].replace(np.inf, np.nan), color=colours)
        ax.set_xlabel(phrase("ratio", lang))
        ax.tick_params(axis="y", labelsize=6)
        return ax
    if kind != "gaps":
        raise ConfigError(f"kind must be 'gaps' or 'ratio', not {kind!r}")
    x = _period_axis(ax, res.periods, lang)
    first = True
    for u in table["unit"].iloc[1:]:
        ax.plot(x, placebo.gaps[u].to_numpy(), color=GREY, linewidth=0.7,
                label=phrase("placebos", lang) if first else None)
        first = False
    ax.plot(x, placebo.gaps.iloc[:, 0].to_numpy(), color=TREATED, linewidth=1.6, label=str(res.treated_unit))
    ax.axhline(0.0, color="0.3", linewidth=0.8)
    _start_line(ax, res, lang)
    ax.set_ylabel(phrase("gap", lang))
    pl.number_axis(ax, lang, axis="y")
    pl.legend_above(ax)
    return ax


def plot_leave_one_out(loo: Any, ax: Any = None, *, lang: str = "cs", **kwargs: Any) -> Any:
    pl.check_lang(lang)
    res = loo.result
    ax = _new_axes(ax, kwargs)
    x = _period_axis(ax, res.periods, lang)
    for i, column in enumerate(loo.paths.columns):
        ax.plot(x, loo.paths[column].to_numpy(), color=GREY, linewidth=0.8,
                label=phrase("leave_one_out", lang) if i == 0 else None)
    ax.plot(x, res.treated_path, color=TREATED, label=str(res.treated_unit))
    ax.plot(x, res.synthetic_path, color=SYNTHETIC, linestyle="--", label=phrase("synthetic", lang))
    _start_line(ax, res, lang)
    ax.set_ylabel(res.outcome)
    pl.number_axis(ax, lang, axis="y")
    pl.legend_above(ax)
    return ax
