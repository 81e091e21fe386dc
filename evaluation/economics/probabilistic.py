"""Probabilistic sensitivity analysis: the net cost when every input is uncertain at once.

Monte Carlo (``n_draws`` draws, seeded), each draw:

* each effect: ``z ~ N(0, 1)``, undiscounted total ``U_hat + z SE(U)``, discounted ``V_hat + z SE(V)``
  (normal on the estimate, as its interval);
* each unit cost: gamma with mean its value and standard deviation (high − low) / 3.92 (the stated range
  read as a 95 % range; gamma keeps costs positive, Briggs, Claxton & Sculpher 2006, ch. 4);
* the programme cost: its base value times a gamma multiplier with mean 1 and the relative
  household-bootstrap standard error.

Two scenarios: ``established`` counts only the offsets whose effect is established, as the base case
does (with every spread at zero it reproduces the base case); ``all_effects`` counts every estimated
effect, as if each were established. Reported per perspective and scenario: the mean, standard
deviation and 2.5 %, 50 % and 97.5 % quantiles of the net cost per household, and the probability
that the programme saves money (net cost below zero).

With a willingness to pay ``lambda`` per additional home kept at the horizon, the net benefit of a draw
is ``lambda x homes kept − net cost``; the cost-effectiveness acceptability curve is the share of draws
with a positive net benefit as ``lambda`` grows (Fenwick, Claxton & Sculpher 2001).

Example
-------
>>> # psa = probabilistic(model, settings); psa.tidy()
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.economics._figures import TableResult, new_axes, numeric
from evaluation.economics.cost_model import CostModel
from evaluation.economics.words import PERSPECTIVES, SCENARIOS, labelled, word

SUMMARY = ["perspective", "scenario", "label_cs", "label_en", "draws", "mean", "std", "q025", "median", "q975",
           "probability_saves"]


def _gamma(rng: np.random.Generator, mean: float, sd: float, size: int) -> np.ndarray:
    """Gamma draws with the given mean and standard deviation (the mean itself when sd is 0)."""
    if sd <= 0 or mean <= 0:
        return np.full(size, float(mean))
    shape = (mean / sd) ** 2
    return rng.gamma(shape, mean / shape, size)


@dataclass(frozen=True)
class ProbabilisticResult(TableResult):
    """Distribution of the net cost per household by perspective and scenario (see the module docstring);
    ``draws`` keeps the draws of the net cost (columns ``<perspective>:<scenario>``) and of the homes kept."""

    perspective: str
    horizon: int
    price_year: int
    n_draws: int
    seed: int
    draws: pd.DataFrame = field(repr=False, compare=False, default_factory=pd.DataFrame)

    figure_drawer: ClassVar[str | None] = "evaluation.economics.probabilistic:draw_net_cost_distribution"

    @property
    def title(self) -> str:
        return (f"Probabilistic sensitivity analysis: net cost per household over {self.horizon} months "
                f"(CZK, {self.price_year} prices, {self.n_draws:,} draws)")

    @property
    def notes(self) -> tuple[str, ...]:
        return (("Effects normal on their estimate; unit costs gamma (mean = value, SD = range / 3.92); programme "
                "cost gamma with its household-bootstrap relative standard error."),
                ("Scenario 'established': only the offsets whose effect is established count (the base case); "
                "'all_effects': every estimated effect counts."),
                f"Monte Carlo seed {self.seed}.")

    def probability_saves(self, perspective: str | None = None, scenario: str = "established") -> float:
        t = self.table
        row = t[(t["perspective"] == (perspective or self.perspective)) & (t["scenario"] == scenario)]
        return float(row["probability_saves"].iloc[0])


def draw_net_cost_distribution(table: pd.DataFrame, ax: Any = None, *, lang: str = "cs", **kwargs: Any) -> Any:
    """The median and 95 % range of the net cost per household by perspective and scenario, with the
    probability of saving money written beside; zero marked. A hidden cell is left out."""
    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.formatting import format_percent

    pl.check_lang(lang)
    ax = new_axes(ax, (6.3, 0.55 * max(len(table), 3) + 1.0))
    median, low, high = numeric(table, "median"), numeric(table, "q025"), numeric(table, "q975")
    saves = numeric(table, "probability_saves")
    y = np.arange(len(table))
    colours = {"established": "#0072B2", "all_effects": "#E69F00"}
    labels = []
    for yi, (_, row) in zip(y, table.iterrows()):
        labels.append(f"{word(PERSPECTIVES, str(row['perspective']), lang)}: "
                      f"{word(SCENARIOS, str(row['scenario']), lang)}")
        m, a, b = median.iloc[yi], low.iloc[yi], high.iloc[yi]
        colour = colours.get(str(row["scenario"]), "#000000")
        if np.isfinite(a) and np.isfinite(b):
            ax.plot([a, b], [yi, yi], color=colour, linewidth=3, solid_capstyle="butt", **kwargs)
        if np.isfinite(m):
            ax.plot(m, yi, "o", color=colour, markersize=7)
        if np.isfinite(saves.iloc[yi]) and np.isfinite(b):
            word_saves = "úspora" if lang == "cs" else "saves"
            ax.annotate(f" P({word_saves}) = {format_percent(saves.iloc[yi], lang, 0)}", (b, yi), va="center",
                        fontsize=8)
    ax.axvline(0, color="grey", linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel("Čisté náklady na domácnost (Kč), medián a 95% rozpětí" if lang == "cs"
                  else "Net cost per household (CZK), median and 95% range")
    pl.number_axis(ax, lang, axis="x")
    return ax


@dataclass(frozen=True)
class AcceptabilityResult(TableResult):
    """Cost-effectiveness acceptability curve: probability of a positive net benefit by willingness to pay
    per additional home kept, by perspective and scenario."""

    horizon: int
    price_year: int

    figure_drawer: ClassVar[str | None] = "evaluation.economics.probabilistic:draw_acceptability"

    @property
    def title(self) -> str:
        return (f"Cost-effectiveness acceptability curve: willingness to pay per additional home kept at "
                f"{self.horizon} months (CZK, {self.price_year} prices)")

    @property
    def notes(self) -> tuple[str, ...]:
        return (("Net benefit of a draw = willingness to pay x additional homes kept at the horizon (discounted) - "
                "net cost; the curve is the share of draws with a positive net benefit."),)


def draw_acceptability(table: pd.DataFrame, ax: Any = None, *, lang: str = "cs", **kwargs: Any) -> Any:
    """The acceptability curve of each perspective and scenario (probability against willingness to pay)."""
    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.style import percent_axis

    pl.check_lang(lang)
    ax = new_axes(ax, (6.3, 3.4))
    wtp, probability = numeric(table, "willingness_to_pay"), numeric(table, "probability")
    styles = {"established": "-", "all_effects": "--"}
    for (perspective, scenario), rows in table.groupby(["perspective", "scenario"], sort=False):
        index = rows.index
        ax.plot(wtp[index], probability[index], styles.get(str(scenario), "-"),
                label=f"{word(PERSPECTIVES, str(perspective), lang)}: {word(SCENARIOS, str(scenario), lang)}",
                **kwargs)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("Ochota zaplatit za udržené bydlení navíc (Kč)" if lang == "cs"
                  else "Willingness to pay per additional home kept (CZK)")
    ax.set_ylabel("Pravděpodobnost, že se program vyplatí" if lang == "cs"
                  else "Probability that the programme is worth it")
    pl.number_axis(ax, lang, axis="x")
    percent_axis(ax, "y", lang)
    pl.legend_above(ax)
    return ax


def _draw(model: CostModel, settings: Any, spread_scale: float) -> dict[str, np.ndarray]:
    """Draws of the net cost (``perspective:scenario``) and of the homes kept (``homes:scenario``)."""
    rng = np.random.default_rng(settings.seed)
    n, rate = settings.n_draws, model.rate
    z = {item: rng.standard_normal(n) for item in model.items}
    price = {}
    for item in model.items:
        value, low, high = model.prices[item]
        price[item] = _gamma(rng, value, spread_scale * (high - low) / 3.92, n)
    reference = model.programme.total(settings.perspective, rate)
    relative = model.programme.std_error(settings.perspective, rate) / reference if reference > 0 else 0.0
    scale = _gamma(rng, 1.0, spread_scale * relative, n)
    discounted = {item: model.effects[item].total(rate) + spread_scale * z[item] * model.effects[item].std_error(rate)
                  for item in model.items}
    out = {}
    for scenario in SCENARIOS:
        counted = {i: (model.counted.get(i, False) if scenario == "established" else True) for i in model.items}
        for perspective in PERSPECTIVES:
            shares = model.shares[perspective]
            offsets = sum((shares.get(i, 0.0) * -price[i] * discounted[i]) for i in model.items if counted[i])
            out[f"{perspective}:{scenario}"] = scale * model.programme.total(perspective, rate) - offsets
        if "evictions" in model.items and counted["evictions"]:
            effect = model.effects["evictions"]
            total = effect.total(0.0) + spread_scale * z["evictions"] * effect.std_error(0.0)
            out[f"homes:{scenario}"] = -total * (1.0 + rate) ** (-model.horizon / 12.0)
        else:
            out[f"homes:{scenario}"] = np.zeros(n)
    return out


def _grid(values: Sequence[float]) -> np.ndarray:
    """The willingness-to-pay points: 0 to the value in 40 steps when one value is given, else the values."""
    values = sorted(float(v) for v in values)
    if len(values) == 1:
        return np.linspace(0.0, values[0], 41)
    return np.asarray(values)


def probabilistic(model: CostModel, settings: Any, *, spread_scale: float = 1.0
                  ) -> tuple[ProbabilisticResult, AcceptabilityResult | None]:
    """The probabilistic analysis of ``model`` (see the module docstring). ``spread_scale`` multiplies
    every spread (0 gives the base case in every draw)."""
    draws = _draw(model, settings, spread_scale)
    rows = []
    for scenario in SCENARIOS:
        for perspective in PERSPECTIVES:
            values = draws[f"{perspective}:{scenario}"]
            q025, median, q975 = np.quantile(values, [0.025, 0.5, 0.975])
            rows.append({"perspective": perspective, "scenario": scenario, **labelled(SCENARIOS, scenario),
                         "draws": int(values.size), "mean": float(values.mean()), "std": float(values.std(ddof=1)),
                         "q025": float(q025), "median": float(median), "q975": float(q975),
                         "probability_saves": float((values < 0).mean())})
    price_year = settings.resolved_price_year()
    result = ProbabilisticResult(pd.DataFrame(rows, columns=SUMMARY), settings.perspective, model.horizon,
                                 price_year, settings.n_draws, settings.seed, pd.DataFrame(draws))
    if not settings.willingness_to_pay:
        return result, None
    curve = []
    for wtp in _grid(settings.willingness_to_pay):
        for scenario in SCENARIOS:
            for perspective in PERSPECTIVES:
                benefit = wtp * draws[f"homes:{scenario}"] - draws[f"{perspective}:{scenario}"]
                curve.append({"willingness_to_pay": float(wtp), "perspective": perspective, "scenario": scenario,
                              "probability": float((benefit > 0).mean())})
    return result, AcceptabilityResult(pd.DataFrame(curve), model.horizon, price_year)


__all__ = ["AcceptabilityResult", "ProbabilisticResult", "draw_acceptability", "draw_net_cost_distribution",
           "probabilistic"]
