"""The strands of the evaluation: their notebooks, the parameters each declares, the tables each needs.

This table is the one list of strands (:data:`STRANDS`, what ``strands: all`` runs, and the
opt-in planning strands, :data:`OPT_IN_STRANDS`; :data:`ALL_STRANDS` is both). ``notebooks/build_notebooks.py`` writes each
notebook's ``parameters`` cell from it, the runner passes exactly these parameters
(a test checks both sides agree) and checks their values against the declared rules
(:mod:`evaluation.runner.options`) before anything runs, and a strand runs in a scope
only when the scope's data have rows in the tables it needs (:attr:`Strand.needs`).

Example
-------
>>> STRANDS["impact"].notebook
'04_impact.ipynb'
>>> sorted(strand_parameters("retention"))[:3]
['data_dir', 'disclosure_threshold', 'horizons_months']
>>> STRANDS["retention"].missing_tables({"households", "applications"})
(('tenancies',),)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from evaluation.runner.options import (
    COMMON,
    AnyOf,
    Choice,
    File,
    Integer,
    Invalid,
    ListOf,
    Null,
    Number,
    Option,
    Pair,
    QuestionList,
    Record,
    nullable,
    options_by_name,
)

#: Parameters every notebook declares, with the defaults written into its ``parameters`` cell.
COMMON_PARAMETERS: Mapping[str, Any] = MappingProxyType({name: o.default for name, o in COMMON.items()})


@dataclass(frozen=True)
class Strand:
    """One strand of the evaluation.

    ``options`` are the parameters only its notebook declares; ``results_name`` is the strand
    folder its results go to in the results store (the name the report templates use);
    ``needs`` lists alternative sets of tables: the strand runs in a scope when the scope's
    data have rows in every table of at least one set (an empty set: it always runs).
    ``typical_seconds`` is how long its notebook usually takes (the demo on two cores): the
    runner starts the longest notebooks first when no earlier run has timed them.
    """

    name: str
    notebook: str
    title_en: str
    title_cs: str
    options: tuple[Option, ...] = ()
    results_name: str = ""
    needs: tuple[tuple[str, ...], ...] = ((),)
    typical_seconds: float = 1.0

    @property
    def store_name(self) -> str:
        return self.results_name or self.name

    @property
    def extra_parameters(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}

    def title(self, lang: str = "cs") -> str:
        return self.title_cs if lang == "cs" else self.title_en

    def missing_tables(self, tables_with_rows: Iterable[str]) -> tuple[tuple[str, ...], ...]:
        """Empty when the strand can run on these tables; else, for each alternative set of
        tables it could run on, the tables of that set that have no rows."""
        present = set(tables_with_rows)
        missing = tuple(tuple(t for t in tables if t not in present) for tables in self.needs)
        return () if any(not m for m in missing) else missing


@dataclass(frozen=True)
class FidelityRatingsFile(File):
    """A fidelity ratings file (CSV/XLSX) that :func:`evaluation.process.fidelity.read_ratings` reads
    without a problem: checked with the configuration, so that a bad rating stops the run before any
    notebook starts, naming the file, row (as Excel shows it), column, value and rule."""

    def check(self, value: Any, context: Any) -> str:
        from evaluation.errors import DataError
        from evaluation.process.fidelity import read_ratings

        path = super().check(value, context)
        try:
            read_ratings(path, lang="en")
        except DataError as exc:
            raise Invalid(f"must be a readable fidelity ratings file; {exc}") from None
        return path


#: Unit costs given in the run configuration, in CZK of the price year; None keeps the default (its own price
#: year, brought to the price year by the CPI; sources in evaluation.economics.settings.DEFAULT_UNIT_COSTS).
UNIT_COSTS = Record((
    Option("shelter_night", Number(minimum=0), None,
           "CZK per shelter bed-night in prices of the price year (default 400 in 2019 prices, an assumption)",
           "Kč za noc v azylovém zařízení v cenách cenové úrovně (výchozí 400 v cenách 2019, předpoklad)"),
    Option("eviction", Number(minimum=0), None,
           "CZK per lost home (eviction) in prices of the price year (default 80000 in 2019 prices, an assumption)",
           "Kč za jednu ztrátu bydlení v cenách cenové úrovně (výchozí 80 000 v cenách 2019, předpoklad)"),
    Option("child_in_care_month", Number(minimum=0), None,
           "CZK per child-month in care in prices of the price year (default 44570 in 2016 prices, MPSV)",
           "Kč za měsíc pobytu dítěte v péči mimo rodinu v cenách cenové úrovně (výchozí 44 570 v cenách 2016, MPSV)"),
))

#: The conventions of the economic evaluation (evaluation.economics.settings.EconomicSettings).
ECONOMICS_OPTIONS = (
    Option("perspective", Choice(("public_sector", "municipal")), "public_sector",
           "whose costs and savings count in the headline: public_sector (every public payer) or municipal "
           "(the municipal budget only); both are reported",
           "čí náklady a úspory se počítají v hlavním výsledku: public_sector (celý veřejný sektor) nebo municipal "
           "(jen rozpočet obce); vykazují se obě"),
    Option("price_year", nullable(Integer(minimum=1999, maximum=2100), "the last year of the CZSO price index"),
           None, "year whose prices every amount is expressed in (CZSO consumer price index), None for the last "
                 "year of the index",
           "rok, v jehož cenách jsou všechny částky (index spotřebitelských cen ČSÚ), None pro poslední rok indexu"),
    Option("discount_rate", Number(minimum=0, maximum=0.2), 0.05,
           "annual real discount rate, 0.05 after the European Commission Guide to Cost-Benefit Analysis (2014) "
           "for Cohesion countries; 3.5 percent and 0 are shown beside",
           "roční reálná diskontní sazba, 0,05 podle Průvodce analýzou nákladů a přínosů Evropské komise (2014); "
           "vedle se uvádí 3,5 % a nediskontovaná hodnota"),
    Option("horizon_months", Integer(minimum=1, maximum=240), 24,
           "months after each household entry over which costs, offsets and retention are all counted",
           "měsíce od vstupu domácnosti, za které se počítají náklady, úspory i udržení bydlení"),
    Option("offset_confidence", Number(minimum=0.5, maximum=1, exclusive_maximum=True), 0.95,
           "confidence at which an effect must be established for its saving to count",
           "spolehlivost, s jakou musí být efekt prokázán, aby se úspora započetla"),
    Option("sensitivity_draws", Integer(minimum=100), 5000,
           "Monte Carlo draws of the probabilistic sensitivity analysis",
           "počet simulací pravděpodobnostní analýzy citlivosti"),
    Option("household_bootstrap", Integer(minimum=50), 199,
           "household bootstrap replicates (programme cost, risk of losing the home)",
           "počet opakování bootstrapu po domácnostech (náklady programu, riziko ztráty bydlení)"),
    Option("unit_costs", nullable(UNIT_COSTS, "the defaults with their sources"), None,
           "unit costs in CZK of the price year, e.g. {shelter_night: 450}; None for the defaults",
           "jednotkové náklady v Kč cenové úrovně, např. {shelter_night: 450}; None pro výchozí hodnoty"),
    Option("willingness_to_pay", nullable(Number(minimum=0, exclusive_minimum=True), "no acceptability curve"), None,
           "CZK per additional home kept up to which the acceptability curve is drawn, None for no curve",
           "Kč za udržené bydlení navíc, do kterých se kreslí křivka přijatelnosti, None bez křivky"),
)

STRANDS: Mapping[str, Strand] = MappingProxyType({s.name: s for s in (
    Strand("data_quality", "01_data_quality.ipynb", "Data quality and participant flow",
           "Kvalita dat a tok účastníků", results_name="data", typical_seconds=0.6),
    Strand("process", "02_process.ipynb", "Process evaluation", "Procesní evaluace", (
        Option("pilot_plan", nullable(File((".yaml", ".yml", ".json")), "the Ostrava design of the brief"), None,
               "YAML or JSON file with the pilot plan (units, households, support), None for the Ostrava design",
               "soubor YAML nebo JSON s plánem pilotu (byty, domácnosti, podpora), None pro ostravský návrh"),
        Option("fidelity_ratings", nullable(FidelityRatingsFile((".csv", ".xlsx")), "no fidelity review"), None,
               "CSV or XLSX of the evaluator's item ratings on the Pathways Housing First fidelity scale (one row "
               "per programme and item; see evaluation.process.fidelity_template), None for none",
               "soubor CSV nebo XLSX s hodnocením položek škály věrnosti modelu Housing First (řádek na program a "
               "položku), None bez hodnocení"),
    ), needs=(("tenancies",), ("applications",)), typical_seconds=1.0),
    Strand("retention", "03_retention.ipynb", "Tenancy retention", "Udržení bydlení", (
        Option("horizons_months", ListOf(Number(minimum=0, exclusive_minimum=True)), [6, 12, 20],
               "months at which retention is reported", "měsíce, ke kterým se udržení bydlení uvádí"),
        Option("rmst_months", ListOf(Number(minimum=0, exclusive_minimum=True)), [12, 20],
               "months over which the mean time housed (restricted mean survival time) is reported",
               "měsíce, za které se uvádí průměrná doba v bydlení (omezený střední čas přežití)"),
    ), needs=(("tenancies",),), typical_seconds=0.5),
    Strand("impact", "04_impact.ipynb", "Impact evaluation", "Evaluace dopadů", (
        Option("bootstrap_draws", Integer(minimum=100), 999, "wild cluster bootstrap draws",
               "počet opakování bootstrapu"),
        Option("event_window", Pair(Integer(maximum=-1), Integer(minimum=0)), [-12, 24],
               "event-study window in months relative to move-in (first, last)",
               "okno studie událostí v měsících od nastěhování (první, poslední)"),
        Option("placebo_draws", Integer(minimum=20), 100,
               "placebo replications of the synthetic DiD's standard error (one treated municipality)",
               "počet placebo opakování pro směrodatnou chybu syntetického DiD (jedna obec v programu)"),
        Option("questions", AnyOf((Null("the pilots' questions, evaluation.findings.DEFAULT_QUESTIONS"),
                                   File((".yaml", ".yml")), QuestionList())), None,
               "evaluation questions with the primary analysis of each named in advance: a list, a YAML file, "
               "or None for the pilots' questions (an entry whose id is a pilot question changes only the "
               "keys it gives)",
               "evaluační otázky s předem určenou primární analýzou: seznam, soubor YAML, nebo None pro otázky "
               "pilotů"),
    ), needs=(("households",), ("municipality_panel",), ("orp_panel",)), typical_seconds=3.0),
    Strand("economics", "05_economics.ipynb", "Economic evaluation", "Ekonomická evaluace", ECONOMICS_OPTIONS,
           needs=(("households", "tenancies", "costs"),), typical_seconds=2.5),
    Strand("need", "06_need.ipynb", "Housing need", "Bytová nouze",
           needs=(("applications",), ("units",)), typical_seconds=0.8),
    Strand("trial", "07_trial.ipynb", "Randomised trial", "Randomizovaný pokus", (
        Option("trial_outcomes", ListOf(Choice(lambda: ("stably_housed", *_outcome_columns()))),
               ["stably_housed", "arrears_czk"],
               "outcomes of the trial, the first one the headline: stably_housed (no eviction or abandonment "
               "by the follow-up) or columns of household_outcomes",
               "výsledky pokusu, první je hlavní: stably_housed (bez vystěhování či opuštění bytu do "
               "sledování) nebo sloupce tabulky household_outcomes"),
        Option("follow_up_months", Integer(minimum=1), 12, "months from randomisation to the follow-up",
               "měsíce od randomizace do sledování výsledku"),
        Option("randomisation_draws", Integer(minimum=100), 5000, "re-randomisations of the randomisation test",
               "počet přelosování randomizačního testu"),
    ), needs=(("assignment", "households", "tenancies"), ("assignment", "households", "household_outcomes")),
       typical_seconds=0.8),
)})


def _outcome_columns() -> tuple[str, ...]:
    """Numeric columns of household_outcomes (the outcomes a design can be planned for)."""
    from evaluation.data.schema import get_schema

    return tuple(f.name for f in get_schema().table("household_outcomes").fields
                 if f.type in ("number", "integer") and f.name not in ("household_id", "month"))


#: A share strictly between 0 and 1 (power, retention).
SHARE = Number(minimum=0, maximum=1, exclusive_minimum=True, exclusive_maximum=True)

#: Strands that run only when a configuration names them (``strands: [design]``): planning tools,
#: not part of ``strands: all``, the demo or its reports. They need no particular table: the
#: strand says itself which of its answers the data allow.
OPT_IN_STRANDS: Mapping[str, Strand] = MappingProxyType({s.name: s for s in (
    Strand("design", "00_design.ipynb", "Study design: power and minimum detectable effects",
           "Plán studie: síla testu a minimální zjistitelný efekt", (
               Option("design_kind", Choice(("all", "did", "event_study", "two_means", "two_proportions",
                                             "logrank")), "all",
                      "all, did, event_study, two_means, two_proportions or logrank",
                      "all, did, event_study, two_means, two_proportions nebo logrank"),
               Option("n_treated", Integer(minimum=1), 30, "programme households (or clusters) in the planned design",
                      "domácnosti programu (nebo shluky) v plánovaném designu"),
               Option("n_control", Integer(minimum=1), 60, "comparison households (or clusters) in the planned design",
                      "srovnávací domácnosti (nebo shluky) v plánovaném designu"),
               Option("effect", nullable(Number(), "the minimum detectable effect"), None,
                      "effect on the outcome in its units, or None for the minimum detectable effect",
                      "efekt na výsledek v jeho jednotkách, nebo None pro minimální zjistitelný efekt"),
               Option("power", SHARE, 0.8,
                      "power wanted, 0-1", "požadovaná síla testu, 0-1"),
               Option("alpha", Number(minimum=0, maximum=0.5, exclusive_minimum=True), 0.05,
                      "significance level (two-sided)", "hladina významnosti (oboustranně)"),
               Option("icc", Number(minimum=0, maximum=1, exclusive_maximum=True), 0.0,
                      "intra-cluster correlation when households are randomised in clusters (0 for none)",
                      "vnitroshluková korelace při náhodném přidělení po shlucích (0 bez shluků)"),
               Option("cluster_size", Number(minimum=1), 1, "households per cluster (1 for individual assignment)",
                      "domácností na shluk (1 při přidělení po domácnostech)"),
               Option("pre_periods", Integer(minimum=1), 12, "months observed before entry",
                      "měsíce sledované před vstupem"),
               Option("post_periods", Integer(minimum=1), 24,
                      "months observed after the first cohort enters (the later cohorts enter within them)",
                      "měsíce sledované po vstupu první kohorty"),
               Option("entry_offsets", ListOf(Integer(minimum=0), unique=False), [0, 8, 16],
                      "months after the first entry at which the programme cohorts enter, e.g. [0, 8, 16]",
                      "měsíce po prvním vstupu, kdy vstupují další kohorty, např. [0, 8, 16]"),
               Option("outcome", Choice(_outcome_columns), "arrears_czk",
                      "household outcome of the difference-in-differences (column of household_outcomes)",
                      "výsledek domácností pro rozdíl v rozdílech (sloupec tabulky household_outcomes)"),
               Option("hazard_ratio", nullable(Number(minimum=0, exclusive_minimum=True), "the detectable one"),
                      None, "hazard ratio of losing the home, programme over comparison, or None for the detectable one",
                      "poměr rizik ztráty bydlení (program / srovnání), nebo None pro zjistitelný"),
               Option("control_retention", nullable(SHARE, "estimated from the data"), None, "share of comparison households still housed at the horizon, or None to estimate it",
                      "podíl srovnávacích domácností stále v bydlení, nebo None pro odhad z dat"),
               Option("programme_retention", nullable(SHARE, "the detectable one"), None, "share of programme households still housed at the horizon, or None for the detectable one",
                      "podíl domácností programu stále v bydlení, nebo None pro zjistitelný"),
               Option("retention_horizon_months", Number(minimum=0, exclusive_minimum=True), 12,
                      "months at which retention is compared", "měsíc, ke kterému se udržení bydlení srovnává"),
               Option("simulations", Integer(minimum=10), 200, "placebo experiments of the simulated power",
                      "počet placebo pokusů simulované síly testu"),
           )),
)})

#: Every strand a configuration or a notebook may name: the default ones, then the opt-in ones.
ALL_STRANDS: Mapping[str, Strand] = MappingProxyType({**STRANDS, **OPT_IN_STRANDS})


def strand_options(name: str) -> Mapping[str, Option]:
    """Every parameter the strand's notebook declares, with its rule."""
    return options_by_name([*COMMON.values(), *ALL_STRANDS[name].options])


def strand_parameters(name: str) -> dict[str, Any]:
    """Every parameter the strand's notebook declares, with its default."""
    return {key: option.default for key, option in strand_options(name).items()}


def parameter_help(name: str) -> str:
    """The English help of a parameter (written next to it in the notebooks)."""
    for option in [*COMMON.values(), *(o for s in ALL_STRANDS.values() for o in s.options)]:
        if option.name == name:
            return option.help
    raise KeyError(name)


