"""The conventions and unit costs of an economic evaluation as tables, and the assumptions in words.

:func:`conventions_table` lists every declared choice (perspective, price year and index, discount
rates and their sources, horizon, confidence, grade, bootstrap and Monte Carlo sizes) with its
value and its words in Czech and English; :func:`unit_costs_table` every unit cost with its value
in the price year, its own price year, range, payer and source, so that no unit cost that is used
is missing from the report; :func:`assumptions_text` the paragraph a report prints under the
economic results.

Example
-------
>>> from evaluation.economics.settings import EconomicSettings
>>> "2025" in assumptions_text(EconomicSettings(), "en")
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from evaluation.economics._figures import TableResult
from evaluation.economics.words import (
    PAYERS,
    PERSPECTIVE_PHRASES,
    PERSPECTIVES,
    PRICE_OF,
    UNIT_COSTS,
    word,
)
from evaluation.reporting.formatting import format_number, format_percent

#: The grades of evidence in Czech (evaluation.findings).
_GRADES_CS = {"high": "vysoká", "moderate": "střední", "low": "nízká"}


def _percent(rate: float, lang: str) -> str:
    return format_percent(rate, lang, 1 if round(rate * 100, 1) != round(rate * 100) else 0)


@dataclass(frozen=True)
class ConventionsResult(TableResult):
    """The declared conventions: ``setting``, ``value``, the setting and its value in words, its source,
    and ``phrase_cs``/``phrase_en``: the value as the texts' templates insert it."""


    @property
    def title(self) -> str:
        return "Conventions of the economic evaluation"

    def value(self, setting: str) -> Any:
        return self.table.set_index("setting").loc[setting, "value"]


def conventions_table(settings: Any) -> ConventionsResult:
    """One row per convention (``value`` holds the number or code; ``text_cs``/``text_en`` the words). No
    count of households is among them: counts belong to the tables whose disclosure control protects them."""
    year = settings.resolved_price_year()
    rate, alt = settings.discount_rate, settings.alternative_discount_rate
    low, high = settings.discount_rate_range
    h = settings.horizon_months
    index = settings.price_index
    rows = [
        ("perspective", settings.perspective, "Perspektiva", "Perspective",
         word(PERSPECTIVES, settings.perspective, "cs") + " (obě perspektivy se vykazují)",
         word(PERSPECTIVES, settings.perspective, "en") + " (both perspectives are reported)", "", ""),
        ("price_year", year, "Cenová úroveň", "Price year", f"ceny roku {year}", f"{year} prices",
         index.describe("cs"), index.describe("en")),
        ("price_index", index.version, "Cenový index", "Price index", index.describe("cs"), index.describe("en"),
         index.url, index.url),
        ("discount_rate", rate, "Diskontní sazba", "Discount rate",
         f"{_percent(rate, 'cs')} ročně reálně, podle měsíce od vstupu", (f"{_percent(rate, 'en')} a year, real, by "
         "month since entry"), settings.discount_rate_source[0], settings.discount_rate_source[1]),
        ("alternative_discount_rate", alt, "Alternativní diskontní sazba", "Alternative discount rate",
         f"{_percent(alt, 'cs')} ročně", f"{_percent(alt, 'en')} a year", settings.alternative_rate_source[0],
         settings.alternative_rate_source[1]),
        ("discount_rate_range", f"{low:g}–{high:g}", "Rozpětí sazby v citlivostní analýze",
         "Range of the rate in the sensitivity analysis", f"{_percent(low, 'cs')} až {_percent(high, 'cs')}",
         f"{_percent(low, 'en')} to {_percent(high, 'en')}", "", ""),
        ("horizon_months", h, "Časový horizont", "Horizon",
         (f"prvních {h} měsíců od vstupu každé domácnosti; náklady, úspory i udržení bydlení za stejné období, "
         "domácnosti sledované kratší dobu jsou cenzorovány"),
         (f"the first {h} months after each household's entry; costs, offsets and retention over the same months, "
         "households followed for less are censored"), "", ""),
        ("confidence", settings.confidence, "Spolehlivost", "Confidence",
         (f"úspora se započte, jen když je efekt prokázán na hladině {_percent(settings.confidence, 'cs')} "
         f"(nejméně jistota „{_GRADES_CS.get(settings.minimum_grade, settings.minimum_grade)}“)"),
         (f"an offset counts only where its effect is established at {_percent(settings.confidence, 'en')} "
         f"confidence (grade at least '{settings.minimum_grade}')"), "", ""),
        ("n_boot", settings.n_boot, "Bootstrap", "Bootstrap", f"{settings.n_boot} opakování po domácnostech",
         f"{settings.n_boot} household replicates", "", ""),
        ("n_draws", settings.n_draws, "Simulace Monte Carlo", "Monte Carlo draws",
         f"{format_number(settings.n_draws, 'cs')} tahů, seed {settings.seed}",
         f"{format_number(settings.n_draws, 'en')} draws, seed {settings.seed}", "", ""),
    ]
    table = pd.DataFrame(rows, columns=["setting", "value", "label_cs", "label_en", "text_cs", "text_en", "source_cs",
                                        "source_en"])
    phrases = {"perspective": PERSPECTIVE_PHRASES[settings.perspective], "price_year": (str(year), str(year)),
               "discount_rate": (_percent(rate, "cs"), _percent(rate, "en")),
               "alternative_discount_rate": (_percent(alt, "cs"), _percent(alt, "en")),
               "horizon_months": (str(h), str(h)),
               "confidence": (_percent(settings.confidence, "cs"), _percent(settings.confidence, "en"))}
    table["phrase_cs"] = [phrases.get(s, ("", ""))[0] for s in table["setting"]]
    table["phrase_en"] = [phrases.get(s, ("", ""))[1] for s in table["setting"]]
    table["value"] = table["value"].astype(object)
    return ConventionsResult(table)


@dataclass(frozen=True)
class UnitCostsResult(TableResult):
    """Each unit cost: value in the price year, its own value and price year, range, payer, kind and source."""

    price_year: int

    count_columns: ClassVar[tuple[str, ...]] = ()

    @property
    def title(self) -> str:
        return f"Unit costs used to value the offsets (CZK, {self.price_year} prices)"

    @property
    def notes(self) -> tuple[str, ...]:
        return (("Each unit cost brought from its own price year to the price year by the CPI; 'assumption' marks "
                "a value to be replaced by local figures."),)


def unit_costs_table(settings: Any) -> UnitCostsResult:
    rows = []
    for item, name in PRICE_OF.items():
        cost = settings.unit_costs[name]
        value, low, high = settings.unit_cost_in_price_year(name)
        payers = settings.payers[item]
        rows.append({"name": name, "item": item, "label_cs": word(UNIT_COSTS, name, "cs"),
                     "label_en": word(UNIT_COSTS, name, "en"), "value": value, "low": low, "high": high,
                     "original_value": cost.value, "original_price_year": cost.price_year, "kind": cost.kind,
                     "payer_cs": ", ".join(word(PAYERS, p, "cs") for p, s in payers.items() if s > 0),
                     "payer_en": ", ".join(word(PAYERS, p, "en") for p, s in payers.items() if s > 0),
                     "source_cs": cost.source("cs"), "source_en": cost.source("en")})
    return UnitCostsResult(pd.DataFrame(rows), settings.resolved_price_year())


def unit_cost_figure(name: str) -> str:
    """The name of the key figure that quotes unit cost ``name`` (a cell of the ``unit_costs`` table)."""
    return f"unit_cost_{name}"


def assumptions_text(settings: Any, lang: str = "cs", *, placeholders: bool = False) -> str:
    """The conventions in one paragraph: perspective, price year and index, discount rate and its source,
    horizon, the rule for offsets, and the unit costs with their kind. With ``placeholders`` the unit costs
    are written as key-figure placeholders (``{unit_cost_shelter_night}``, see :func:`unit_cost_figure`),
    so that a stored text quotes the published table."""
    year = settings.resolved_price_year()
    h = settings.horizon_months
    costs = []
    for name in PRICE_OF.values():
        value, _, _ = settings.unit_cost_in_price_year(name)
        kind = settings.unit_costs[name].kind
        amount = "{" + unit_cost_figure(name) + "}" if placeholders else format_number(value, lang, 0)
        if lang == "cs":
            tag = "předpoklad" if kind == "assumption" else "zdroj v tabulce jednotkových nákladů"
            costs.append(f"{word(UNIT_COSTS, name, 'cs')} {amount}\u00a0Kč ({tag})")
        else:
            tag = "assumption" if kind == "assumption" else "source in the unit-cost table"
            costs.append(f"{word(UNIT_COSTS, name, 'en')} {amount} CZK ({tag})")
    rate, alt = settings.discount_rate, settings.alternative_discount_rate
    index = settings.price_index
    if lang == "cs":
        return (f"Perspektiva: {word(PERSPECTIVES, settings.perspective, 'cs')} (vykazuje se i druhá perspektiva). "
                f"Všechny částky jsou v cenách roku {year}, přepočtené cenovým indexem ({index.describe('cs')}). "
                f"Náklady i úspory jsou diskontovány podle měsíce od vstupu sazbou {_percent(rate, 'cs')} ročně "
                f"reálně ({settings.discount_rate_source[0]}); uvádí se i nediskontovaná hodnota a sazba "
                f"{_percent(alt, 'cs')} ({settings.alternative_rate_source[0]}). Horizont: prvních {h} měsíců od "
                "vstupu každé domácnosti pro náklady, úspory i udržení bydlení. Úspora se započte jen tam, kde je "
                f"efekt programu prokázán (spolehlivost {_percent(settings.confidence, 'cs')}); úspory na ztrátách "
                "bydlení vycházejí z odhadnutého efektu programu očištěného o rozdíly mezi domácnostmi, ne z "
                "neočištěného rizika srovnávací skupiny. Jednotkové náklady: " + "; ".join(costs) + ".")
    return (f"Perspective: {word(PERSPECTIVES, settings.perspective, 'en')} (the other perspective is reported too). "
            f"All amounts are in {year} prices, brought there by the price index ({index.describe('en')}). Costs and offsets are "
            f"discounted by month since entry at {_percent(rate, 'en')} a year in real terms "
            f"({settings.discount_rate_source[1]}); undiscounted values and the rate of {_percent(alt, 'en')} "
            f"({settings.alternative_rate_source[1]}) are shown beside. Horizon: the first {h} months after each "
            "household's entry, for costs, offsets and retention alike. An offset counts only where the programme's "
            f"effect is established ({_percent(settings.confidence, 'en')} confidence); savings from lost homes rest on "
            "the estimated effect of the programme adjusted for differences between the households, never on the "
            "comparison group's unadjusted risk. Unit costs: " + "; ".join(costs) + ".")


__all__ = ["ConventionsResult", "UnitCostsResult", "assumptions_text", "conventions_table", "unit_cost_figure",
           "unit_costs_table"]
