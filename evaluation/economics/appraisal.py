"""Economic evaluation by stated convention: one entry point, results by name.

:func:`economic_evaluation` runs the whole economic evaluation of a programme under the conventions
of :class:`~evaluation.economics.settings.EconomicSettings` and returns an
:class:`EconomicEvaluation` whose results the economics strand stores by name:

=================  =====================================================================================
name               result
=================  =====================================================================================
``conventions``    perspective, price year and index, discount rates and sources, horizon, confidence
``perspective``    which cost items and offsets each perspective counts
``unit_costs``     every unit cost in the price year with its own price year, range, payer and source
``step_costs``     cost of a month and a year of support by municipality and step (figure)
``pathway_costs``  cost per household, per household-year and per sustained tenancy by entry pathway
                   over the horizon (figure)
``offsets``        each offset's effect, evidence (finding), whether it counts, its value (figure)
``net_cost``       base case by perspective: programme cost, offsets counted, net cost; undiscounted,
                   discounted, at the alternative rate; outcome costs with and without (figure)
``one_way``        one-way sensitivity (tornado figure)
``probabilistic``  Monte Carlo distribution of the net cost, probability of saving money (figure)
``acceptability``  cost-effectiveness acceptability curve (only with a willingness to pay; figure)
=================  =====================================================================================

The same horizon (the first ``horizon_months`` months after each household's entry) is used for the
programme cost, the offsets and retention; every amount is in the prices of the price year and
discounted by month since entry; an offset counts only where its effect is established
(:mod:`evaluation.economics.offset_evidence`). Effects can be given instead of estimated
(``effects={"evictions": OffsetEffect.given(...)}``), e.g. from a trial; an item that cannot be
estimated on the data (no comparison group, no outcome column) counts 0 and is listed as not
estimable.

Key figures refer to table cells (:meth:`EconomicEvaluation.key_figures`) and the texts are templates
whose ``{placeholders}`` are those key figures (:data:`TEXT_TEMPLATES`).

Example
-------
>>> # ev = economic_evaluation(dataset, settings={"horizon_months": 24, "perspective": "municipal"})
>>> # ev["net_cost"].tidy(); ev.key_figures()
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from evaluation.economics.assumptions import assumptions_text, conventions_table, unit_costs_table
from evaluation.economics.cost_model import CostModel, price_items
from evaluation.economics.eviction_effect import lost_home_effect
from evaluation.economics.horizon_costs import pathway_costs, programme_cost_profile
from evaluation.economics.net_cost import net_cost_table
from evaluation.economics.occupancy import occupancy
from evaluation.economics.offset_effects import OffsetEffect
from evaluation.economics.offset_evidence import counts, grade_offsets, offsets_table
from evaluation.economics.perspective import perspective_table, shares_by_perspective
from evaluation.economics.probabilistic import probabilistic
from evaluation.economics.resource_profiles import resource_effect_profiles
from evaluation.economics.sensitivity import one_way
from evaluation.economics.settings import OFFSETS, EconomicSettings
from evaluation.economics.step_costs import step_costs
from evaluation.errors import ConfigError, DataError, EstimationError
from evaluation.results import Result
from evaluation.retention.episodes import housing_episodes

#: Texts of the reports as templates: ``{name}`` is the key figure of that name (formatted by its unit).
TEXT_TEMPLATES: dict[str, tuple[str, str]] = {
    "headline": (
        ("Z hlediska {perspective} stojí program {programme_cost_per_household} na domácnost za prvních "
        "{horizon_months} měsíců od vstupu; započtené úspory činí "
        "{offsets_per_household}, čisté náklady tedy {net_cost_per_household} (ceny roku {price_year}, diskontováno "
        "{discount_rate} ročně). Pravděpodobnost, že program ušetří víc, než stojí: {probability_saves}."),
        ("From the perspective of {perspective} the programme costs {programme_cost_per_household} per household over "
        "the first {horizon_months} months after entry; the offsets counted amount to "
        "{offsets_per_household}, so the net cost is {net_cost_per_household} ({price_year} prices, discounted at "
        "{discount_rate} a year). Probability that the programme saves more than it costs: {probability_saves}.")),
    "pathways": (
        ("Rok podpory stojí v Housing First {cost_per_year_housing_first} na domácnost; jedno bydlení udržené "
        "{horizon_months} měsíců od vstupu stojí {cost_per_sustained_housing_first}."),
        ("A year of support in Housing First costs {cost_per_year_housing_first} per household; one tenancy sustained "
        "{horizon_months} months after entry costs {cost_per_sustained_housing_first}.")),
}


@dataclass(frozen=True)
class KeyFigure:
    """A key figure as a reference to a table cell: the table, the row (``where``: column -> value) and the
    column; the interval likewise (``ci_table``, ``ci_where``, ``ci_columns``) when it has one. A figure
    that a text inserts as words (``unit="text"``) names its Czech and English columns in ``text_columns``."""

    name: str
    table: str
    where: Mapping[str, Any]
    column: str
    label_cs: str
    label_en: str
    unit: str = "CZK"
    decimals: int = 0
    ci_table: str | None = None
    ci_where: Mapping[str, Any] | None = None
    ci_columns: tuple[str, str] | None = None
    text_columns: tuple[str, str] | None = None
    value: Any = None


@dataclass(frozen=True)
class EconomicEvaluation(Result):
    """The results of :func:`economic_evaluation` by name (see the module docstring), the graded effects
    (``effects``, with their findings) and the settings."""

    results: Mapping[str, Result]
    settings: EconomicSettings
    effects: Mapping[str, OffsetEffect] = field(default_factory=dict)
    model: CostModel | None = field(default=None, repr=False, compare=False)
    extra_notes: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return "Economic evaluation"

    @property
    def notes(self) -> tuple[str, ...]:
        return (assumptions_text(self.settings, "en"),) + self.extra_notes

    def __getitem__(self, name: str) -> Result:
        try:
            return self.results[name]
        except KeyError:
            raise KeyError(f"no economic result {name!r}; available: {', '.join(self.results)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.results)

    def __contains__(self, name: object) -> bool:
        return name in self.results

    def tidy(self) -> pd.DataFrame:
        """The base case (the ``net_cost`` table)."""
        return self.results["net_cost"].tidy()

    @property
    def findings(self) -> tuple[Any, ...]:
        return tuple(e.finding for e in self.effects.values() if e.finding is not None)

    def assumptions(self, lang: str = "cs") -> str:
        return assumptions_text(self.settings, lang)

    def key_figures(self) -> list[KeyFigure]:
        """The key figures as table cells, with their current values."""
        p = self.settings.perspective
        probabilistic_ci = {"ci_table": "probabilistic", "ci_where": {"perspective": p, "scenario": "established"},
                            "ci_columns": ("q025", "q975")}
        figures = [
            KeyFigure("net_cost_per_household", "net_cost", {"perspective": p, "term": "net_cost"}, "discounted",
                      "Čisté náklady na domácnost programu", "Net cost per programme household", **probabilistic_ci),
            KeyFigure("programme_cost_per_household", "net_cost", {"perspective": p, "term": "programme_cost"},
                      "discounted", "Náklady programu na domácnost", "Programme cost per household"),
            KeyFigure("offsets_per_household", "net_cost", {"perspective": p, "term": "offsets_counted"},
                      "discounted", "Započtené úspory na domácnost", "Offsets counted per household"),
            KeyFigure("probability_saves", "probabilistic", {"perspective": p, "scenario": "established"},
                      "probability_saves", "Pravděpodobnost, že program ušetří víc, než stojí",
                      "Probability that the programme saves more than it costs", unit="%", decimals=0),
            KeyFigure("perspective", "conventions", {"setting": "perspective"}, "value", "Perspektiva",
                      "Perspective", unit="text", text_columns=("phrase_cs", "phrase_en")),
            KeyFigure("price_year", "conventions", {"setting": "price_year"}, "value", "Cenová úroveň", "Price year",
                      unit="text", text_columns=("phrase_cs", "phrase_en")),
            KeyFigure("discount_rate", "conventions", {"setting": "discount_rate"}, "value", "Diskontní sazba",
                      "Discount rate", unit="text", text_columns=("phrase_cs", "phrase_en")),
            KeyFigure("horizon_months", "conventions", {"setting": "horizon_months"}, "value", "Horizont (měsíce)",
                      "Horizon (months)", unit="text", text_columns=("phrase_cs", "phrase_en")),
            KeyFigure("cost_per_year_housing_first", "pathway_costs", {"entry_step": "housing_first"},
                      "cost_per_household_year", "Náklady na rok podpory v Housing First",
                      "Cost per household-year of Housing First"),
            KeyFigure("cost_per_sustained_housing_first", "pathway_costs", {"entry_step": "housing_first"},
                      "cost_per_sustained_tenancy", "Náklady na udržené bydlení v Housing First",
                      "Cost per sustained tenancy in Housing First",
                      ci_table="pathway_costs", ci_where={"entry_step": "housing_first"},
                      ci_columns=("conf_low", "conf_high")),
        ]
        return [_with_value(f, self.results) for f in figures]

    def text(self, name: str, lang: str = "cs") -> str | None:
        """The text ``name`` of :data:`TEXT_TEMPLATES` filled with the key figures in ``lang`` (None when a
        key figure it needs is missing, e.g. no Housing First pathway in this scope)."""
        from string import Formatter

        template = TEXT_TEMPLATES[name][0 if lang == "cs" else 1]
        figures = {f.name: f for f in self.key_figures()}
        values = {}
        for _, field_name, _, _ in Formatter().parse(template):
            if field_name is None:
                continue
            figure = figures.get(field_name)
            words = _figure_words(figure, self.results, lang) if figure is not None else None
            if words is None:
                return None
            values[field_name] = words
        return template.format(**values)


def _figure_words(figure: KeyFigure, results: Mapping[str, Result], lang: str) -> str | None:
    """A key figure as a text inserts it: its words, a share in per cent, an amount in CZK."""
    from evaluation.reporting.formatting import format_number, format_percent

    if figure.value is None or (isinstance(figure.value, float) and figure.value != figure.value):
        return None
    if figure.text_columns is not None:
        rows = _rows(results[figure.table].tidy(), figure.where)
        return str(rows[figure.text_columns[0 if lang == "cs" else 1]].iloc[0])
    if figure.unit == "%":
        return format_percent(float(figure.value), lang, figure.decimals)
    amount = format_number(float(figure.value), lang, figure.decimals)
    return f"{amount}\u00a0Kč" if lang == "cs" else f"{amount} CZK"


def _with_value(figure: KeyFigure, results: Mapping[str, Result]) -> KeyFigure:
    from dataclasses import replace

    if figure.table not in results:
        return figure
    rows = _rows(results[figure.table].tidy(), figure.where)[figure.column]
    return replace(figure, value=rows.iloc[0] if len(rows) == 1 else None)


def _rows(table: pd.DataFrame, where: Mapping[str, Any]) -> pd.DataFrame:
    """The rows of ``table`` whose columns hold the values of ``where``."""
    mask = pd.Series(True, index=table.index)
    for column, value in where.items():
        mask &= table[column].astype(object) == value
    return table.loc[mask]


def _tables(data: Any) -> Mapping[str, pd.DataFrame]:
    tables = getattr(data, "tables", data)
    if not isinstance(tables, Mapping):
        raise DataError("economic_evaluation needs a Dataset or a mapping of table names to DataFrames")
    for name in ("costs", "tenancies", "households"):
        if name not in tables:
            raise DataError(f"the economic evaluation needs table {name!r}")
    return tables


def _estimate_effects(tables: Mapping[str, pd.DataFrame], settings: EconomicSettings, given: Mapping[str, Any],
                      notes: list[str]) -> tuple[dict[str, OffsetEffect], dict[str, str]]:
    """The effects estimated on the data for the items not given, and why any item could not be."""
    effects: dict[str, OffsetEffect] = {}
    missing: dict[str, str] = {}
    h = settings.horizon_months
    measures = [m for m in ("shelter_nights", "children_in_care") if m not in given]
    if measures:
        outcomes = tables.get("household_outcomes")
        present = [m for m in measures if outcomes is not None and m in outcomes.columns]
        for m in measures:
            if m not in present:
                missing[m] = "table 'household_outcomes' has no column " + repr(m)
        if present:
            try:
                effects.update(resource_effect_profiles(tables, present, h, alpha=settings.alpha, seed=settings.seed))
            except (DataError, EstimationError) as exc:
                for m in present:
                    missing[m] = str(exc)
    if "evictions" not in given:
        if settings.n_boot == 0:
            missing["evictions"] = "no bootstrap for its interval (n_boot = 0)"
        else:
            try:
                effects["evictions"] = lost_home_effect(
                    tables, h, covariates=settings.eviction_covariates, censor_date=settings.censor_date,
                    n_boot=settings.n_boot, seed=settings.seed, alpha=settings.alpha)
            except (DataError, EstimationError) as exc:
                missing["evictions"] = str(exc)
    for item, reason in missing.items():
        notes.append(f"The effect on {item} could not be estimated: {reason}. It counts 0.")
    return effects, missing


def _given(effects: Mapping[str, Any] | None, horizon: int) -> dict[str, OffsetEffect]:
    given = dict(effects or {})
    for item, effect in given.items():
        if item not in OFFSETS:
            raise ConfigError(f"effects: unknown offset {item!r}; known: {', '.join(OFFSETS)}")
        if not isinstance(effect, OffsetEffect):
            raise ConfigError(f"effects[{item!r}] must be an evaluation.economics.OffsetEffect (e.g. "
                              "OffsetEffect.given(item, total, std_error, horizon))")
        if effect.horizon != horizon:
            raise ConfigError(f"effects[{item!r}] covers {effect.horizon} months but the horizon is {horizon} months")
    return given


def economic_evaluation(data: Any, effects: Mapping[str, OffsetEffect] | None = None,
                        settings: EconomicSettings | Mapping[str, Any] | None = None) -> EconomicEvaluation:
    """The economic evaluation of ``data`` (a Dataset or mapping with ``costs``, ``tenancies``,
    ``households`` and, for the offsets, ``household_outcomes``) under ``settings`` (see the module
    docstring). ``effects``: offsets given instead of estimated, by item."""
    if not isinstance(settings, EconomicSettings):
        settings = EconomicSettings.from_mapping(settings)
    tables = _tables(data)
    h = settings.horizon_months
    given = _given(effects, h)
    notes: list[str] = []
    price_year = settings.resolved_price_year()
    steps = step_costs(tables, settings.price_index, price_year, censor_date=settings.censor_date)
    occ = occupancy(tables["tenancies"], tables["households"], horizon=h, censor_date=settings.censor_date)
    notes.extend(occ.notes)
    shares = shares_by_perspective(settings)
    programme = programme_cost_profile(occ, steps, shares, n_boot=settings.n_boot, seed=settings.seed)
    ids = occ.households["household_id"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        episodes = housing_episodes(tables["tenancies"][tables["tenancies"]["household_id"].isin(ids)],
                                    tables["households"], definition="housing", censor_date=occ.censor_date,
                                    failures=("lost_home", "left", "death")).data
    pathways = pathway_costs(occ, steps, shares["public_sector"], episodes, rate=settings.discount_rate,
                             n_boot=settings.n_boot, seed=settings.seed, alpha=settings.alpha)
    estimated, missing = _estimate_effects(tables, settings, given, notes)
    municipalities = sorted(set(occ.households["municipality"]))
    graded = grade_offsets({**estimated, **given}, h, municipalities)
    graded = {item: graded[item] for item in OFFSETS if item in graded}
    counted = {item: counts(effect, settings) for item, effect in graded.items()}
    prices = price_items(settings, OFFSETS)
    model = CostModel(h, settings.discount_rate, programme, graded, {i: prices[i] for i in graded}, shares, counted)
    results: dict[str, Result] = {
        "conventions": conventions_table(settings),
        "perspective": perspective_table(settings),
        "unit_costs": unit_costs_table(settings),
        "step_costs": steps,
        "pathway_costs": pathways,
        "offsets": offsets_table(graded, settings, prices, counted, missing),
        "net_cost": net_cost_table(model, settings, occ.n),
        "one_way": one_way(model, settings),
    }
    psa, curve = probabilistic(model, settings)
    results["probabilistic"] = psa
    if curve is not None:
        results["acceptability"] = curve
    return EconomicEvaluation(results=results, settings=settings, effects=graded, model=model,
                              extra_notes=tuple(notes))


__all__ = ["TEXT_TEMPLATES", "EconomicEvaluation", "KeyFigure", "economic_evaluation"]
