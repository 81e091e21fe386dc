"""The base case: programme cost, the offsets counted and the net cost per household, by perspective.

One row per perspective and term (:data:`TERMS`), three columns of amounts per programme household
over the horizon in the prices of the price year: ``undiscounted``, ``discounted`` (the declared
rate) and ``discounted_alternative`` (the alternative rate). Offsets appear only where their effect
is established and the perspective counts their payer (:mod:`evaluation.economics.cost_model`).
``homes_kept`` is the additional share of households keeping their home at the horizon (0 unless
the effect on losing the home is established) and ``net_cost_per_home_kept`` the net cost divided
by it (the incremental cost-effectiveness ratio; NaN without an established effect).

Example
-------
>>> # net_cost_table(model, settings, n_households).tidy().query("term == 'net_cost'")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.economics._figures import TableResult, new_axes, numeric
from evaluation.economics.cost_model import CostModel
from evaluation.economics.words import PERSPECTIVES, TERMS, labelled, word

ITEMS = ("shelter_nights", "children_in_care", "evictions")
ROW_TERMS = ("programme_cost", *(f"offset_{i}" for i in ITEMS), "offsets_counted", "net_cost",
             "outcome_costs_with_programme", "outcome_costs_without_programme", "homes_kept",
             "net_cost_per_home_kept")
AMOUNTS = ("undiscounted", "discounted", "discounted_alternative")


@dataclass(frozen=True)
class NetCostResult(TableResult):
    """Base case per programme household by perspective (see the module docstring)."""

    perspective: str
    horizon: int
    price_year: int
    rate: float
    alternative_rate: float
    counted: tuple[str, ...]
    not_counted: tuple[str, ...]

    n_column: ClassVar[str | None] = "households"
    figure_drawer: ClassVar[str | None] = "evaluation.economics.net_cost:draw_net_cost"

    @property
    def title(self) -> str:
        return (f"Programme cost, offsets and net cost per programme household over {self.horizon} months after "
                f"entry (CZK, {self.price_year} prices)")

    @property
    def notes(self) -> tuple[str, ...]:
        counted = ", ".join(self.counted) or "none"
        left = ", ".join(self.not_counted) or "none"
        return (f"Declared perspective: {word(PERSPECTIVES, self.perspective, 'en')}; both perspectives shown.",
                (f"Discounted by month since entry at {self.rate:.1%} a year (alternative {self.alternative_rate:.1%}); "
                 f"undiscounted beside."),
                (f"Offsets counted (effect established): {counted}. Not counted (effect not established; in the "
                 f"sensitivity analyses only): {left}."),
                ("Outcome costs: the programme households' own use of the offset resources, valued; without the "
                "programme = with it minus the counted effects."))

    def row(self, term: str, perspective: str | None = None) -> pd.Series:
        p = perspective or self.perspective
        t = self.table
        return t[(t["perspective"] == p) & (t["term"] == term)].iloc[0]

    def figure_options(self) -> dict[str, Any]:
        return {"horizon": self.horizon}


def draw_net_cost(table: pd.DataFrame, ax: Any = None, *, lang: str = "cs", horizon: int | None = None,
                  column: str = "discounted", **kwargs: Any) -> Any:
    """Programme cost (up), offsets counted (down) and the net cost (dot) per perspective, from the
    ``column`` of amounts; a hidden cell is left out."""
    from evaluation.reporting import plot_labels as pl

    pl.check_lang(lang)
    ax = new_axes(ax, (6.3, 3.4))
    values = numeric(table, column)
    perspectives = list(dict.fromkeys(table["perspective"].astype(str)))
    parts = [("programme_cost", "#0072B2", 1.0), *[(f"offset_{i}", c, -1.0) for i, c in
                                                    zip(ITEMS, ("#E69F00", "#CC79A7", "#56B4E9"))]]
    width = 0.8 / (len(parts) + 1)
    drawn: dict[str, Any] = {}
    for j, perspective in enumerate(perspectives):
        rows = table["perspective"].astype(str) == perspective
        for k, (term, colour, sign) in enumerate(parts):
            cell = values[rows & (table["term"] == term)]
            if cell.empty or np.isnan(cell.iloc[0]) or (k > 0 and cell.iloc[0] == 0):
                continue
            bar = ax.bar(j + (k - len(parts) / 2) * width, sign * cell.iloc[0], width, color=colour, **kwargs)
            drawn.setdefault(term, bar)
        net = values[rows & (table["term"] == "net_cost")]
        if not net.empty and np.isfinite(net.iloc[0]):
            dot = ax.plot(j + (len(parts) / 2) * width, net.iloc[0], "D", color="#000000", markersize=7)[0]
            drawn.setdefault("net_cost", dot)
    ax.axhline(0, color="grey", linewidth=1)
    ax.set_xticks(range(len(perspectives)))
    ax.set_xticklabels([word(PERSPECTIVES, p, lang) for p in perspectives])
    months = (f" za {horizon} měsíců" if lang == "cs" else f" over {horizon} months") if horizon else ""
    ax.set_ylabel(("Kč na domácnost" if lang == "cs" else "CZK per household") + months)
    pl.number_axis(ax, lang, axis="y")
    if drawn:
        pl.legend_above(ax, handles=list(drawn.values()), labels=[word(TERMS, t, lang) for t in drawn])
    return ax


def net_cost_table(model: CostModel, settings: Any, households: int) -> NetCostResult:
    """The base case of ``model`` for every perspective (see the module docstring)."""
    rates = {"undiscounted": 0.0, "discounted": settings.discount_rate,
             "discounted_alternative": settings.alternative_discount_rate}
    rows = []
    for perspective in PERSPECTIVES:
        amounts = {name: {**model.net_cost(perspective, rate=r), **model.outcome_costs(perspective, r)}
                   for name, r in rates.items()}
        for name, r in rates.items():
            kept = model.homes_kept(r)
            amounts[name]["homes_kept"] = kept
            amounts[name]["net_cost_per_home_kept"] = amounts[name]["net_cost"] / kept if kept > 0 else np.nan
        for term in ROW_TERMS:
            rows.append({"perspective": perspective, "term": term, **labelled(TERMS, term),
                         **{name: float(amounts[name].get(term, 0.0)) for name in rates}, "households": households})
    counted = tuple(i for i in model.items if model.counted.get(i))
    not_counted = tuple(i for i in ITEMS if i not in counted)
    return NetCostResult(pd.DataFrame(rows), settings.perspective, model.horizon, settings.resolved_price_year(),
                         settings.discount_rate, settings.alternative_discount_rate, counted, not_counted)


__all__ = ["NetCostResult", "draw_net_cost", "net_cost_table"]
