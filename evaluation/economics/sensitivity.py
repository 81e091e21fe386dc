"""One-way sensitivity analysis of the net cost, drawn as a tornado chart.

Each input is moved on its own to a low and a high value while everything else stays at the base
case, and the net cost per household (declared perspective, discounted) is recomputed with
:meth:`evaluation.economics.cost_model.CostModel.net_cost`:

======================  ============================================================  ======================
parameter               low and high                                                  base
======================  ============================================================  ======================
programme cost          ± z x its household-bootstrap standard error                  the estimate
effect on each offset   the ends of its ``1 - alpha`` interval, counted even if the    the estimate if
                        effect is not established                                     established, else 0
unit cost of each       the stated low–high range                                     the stated value
offset
discount rate           ``discount_rate_range`` (default 0 % to 7 %)                   the declared rate
======================  ============================================================  ======================

An effect that is not established contributes 0 to the base case; its bar shows what counting it
at either end of its interval would change. The table keeps the base net cost in every row
(``net_cost_base``), so that the tornado is drawn from the table alone.

Example
-------
>>> # one_way(model, settings).tidy()[["parameter", "net_cost_low", "net_cost_high"]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.economics._figures import TableResult, label_column, new_axes, numeric
from evaluation.economics.cost_model import CostModel
from evaluation.economics.words import PARAMETERS, PERSPECTIVES, PRICE_OF, labelled, word

COLUMNS = ["parameter", "label_cs", "label_en", "base_value", "low_value", "high_value", "net_cost_low",
           "net_cost_high", "net_cost_base", "swing", "counted_in_base"]


@dataclass(frozen=True)
class OneWayResult(TableResult):
    """Net cost at the low and high value of each input (see the module docstring), widest swing first."""

    perspective: str
    horizon: int
    price_year: int

    figure_drawer: ClassVar[str | None] = "evaluation.economics.sensitivity:draw_tornado"

    @property
    def title(self) -> str:
        return (f"One-way sensitivity of the net cost per household ({word(PERSPECTIVES, self.perspective, 'en')}, "
                f"{self.horizon} months, CZK, {self.price_year} prices)")

    @property
    def notes(self) -> tuple[str, ...]:
        return (("Each input moved alone to its low and high value; effects to the ends of their interval (counted "
                "even where not established), unit costs over their stated range, the programme cost by its "
                "bootstrap interval, the discount rate over its range."),)


def draw_tornado(table: pd.DataFrame, ax: Any = None, *, lang: str = "cs", **kwargs: Any) -> Any:
    """Tornado chart: for each input a bar from the base net cost to its value at the input's low end
    and one to its high end, widest first; the base as a vertical line. A hidden cell is left out."""
    from evaluation.reporting import plot_labels as pl

    pl.check_lang(lang)
    ax = new_axes(ax, (6.3, 0.45 * max(len(table), 3) + 1.0))
    low, high, base = numeric(table, "net_cost_low"), numeric(table, "net_cost_high"), numeric(table, "net_cost_base")
    keep = (low.notna() | high.notna()).to_numpy()
    centre = float(base.dropna().iloc[0]) if base.notna().any() else 0.0
    t = table.loc[keep]
    swing = (high[keep] - low[keep]).abs().fillna(0.0).to_numpy()
    order = np.argsort(-swing, kind="stable")
    labels = np.asarray(label_column(t, lang, "parameter"))[order]
    y = np.arange(len(t))
    lo, hi = low[keep].to_numpy()[order], high[keep].to_numpy()[order]
    first = {"low": True, "high": True}
    for yi, a, b in zip(y, lo, hi):
        for value, side, colour in ((a, "low", "#0072B2"), (b, "high", "#D55E00")):
            if np.isfinite(value):
                text = ("nízká hodnota" if side == "low" else "vysoká hodnota") if lang == "cs" else f"{side} value"
                ax.barh(yi, value - centre, left=centre, color=colour, height=0.6,
                        label=text if first[side] else None, **kwargs)
                first[side] = False
    ax.axvline(centre, color="#000000", linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel("Čisté náklady na domácnost (Kč)" if lang == "cs" else "Net cost per household (CZK)")
    pl.number_axis(ax, lang, axis="x")
    if not all(first.values()):
        pl.legend_above(ax)
    return ax


def _row(parameter: str, base: float, low: float, high: float, results: tuple[float, float], centre: float,
         counted: bool | None = None) -> dict[str, Any]:
    return {"parameter": parameter, **labelled(PARAMETERS, parameter), "base_value": base, "low_value": low,
            "high_value": high, "net_cost_low": results[0], "net_cost_high": results[1], "net_cost_base": centre,
            "swing": abs(results[1] - results[0]), "counted_in_base": counted}


def one_way_net_cost(model: CostModel, perspective: str, parameter: str, value: float) -> float:
    """The net cost with one ``parameter`` (a row name of the one-way table) set to ``value``; an effect
    set this way counts whether or not it is established."""
    if parameter == "programme_cost":
        base = model.programme.total(perspective, model.rate)
        return model.net_cost(perspective, programme_scale=value / base if base else 1.0)["net_cost"]
    if parameter == "discount_rate":
        return model.net_cost(perspective, rate=value)["net_cost"]
    if parameter.startswith("effect_"):
        item = parameter[len("effect_"):]
        return model.net_cost(perspective, effects={item: value}, counted={item: True})["net_cost"]
    if parameter.startswith("price_"):
        name = parameter[len("price_"):]
        item = next(i for i, p in PRICE_OF.items() if p == name)
        return model.net_cost(perspective, prices={item: value})["net_cost"]
    raise KeyError(f"unknown parameter {parameter!r}")


def one_way(model: CostModel, settings: Any) -> OneWayResult:
    """The one-way sensitivity table of ``model`` for the declared perspective (see the module docstring)."""
    perspective = settings.perspective
    centre = model.net_cost(perspective)["net_cost"]
    z = float(stats.norm.ppf(1 - settings.alpha / 2))
    rows = []

    def add(parameter: str, base: float, low: float, high: float, counted: bool | None = None) -> None:
        results = (one_way_net_cost(model, perspective, parameter, low),
                   one_way_net_cost(model, perspective, parameter, high))
        rows.append(_row(parameter, base, low, high, results, centre, counted))

    cost = model.programme.total(perspective, model.rate)
    se = model.programme.std_error(perspective, model.rate)
    add("programme_cost", cost, max(cost - z * se, 0.0), cost + z * se)
    for item, effect in model.effects.items():
        low, high = effect.interval()
        base = effect.total() if model.counted.get(item) else 0.0
        add(f"effect_{item}", base, low, high, bool(model.counted.get(item)))
    for item in model.items:
        value, low, high = model.prices[item]
        add(f"price_{PRICE_OF[item]}", value, low, high)
    low, high = settings.discount_rate_range
    add("discount_rate", settings.discount_rate, low, high)
    table = pd.DataFrame(rows, columns=COLUMNS).sort_values("swing", ascending=False, kind="stable")
    return OneWayResult(table.reset_index(drop=True), perspective, model.horizon, settings.resolved_price_year())


__all__ = ["OneWayResult", "draw_tornado", "one_way", "one_way_net_cost"]
