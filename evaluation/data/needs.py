"""Which tables and fields each analysis needs: the one place that says so.

A data folder may hold only some tables of the contract (a housing contact point sends its
applications and nothing else). Whether a table is "required" therefore depends on the
analysis: :data:`ANALYSES` lists, for every analysis the strands run, the tables it needs rows
of and the *optional* fields whose values it reads (required fields are always there when the
table is). The loader uses it to

* say which analyses cannot run because a table is absent or empty;
* refuse a file in which a column an analysis needs is missing (the analysis would otherwise
  run on an empty column as if nobody had, say, an end date);

and :class:`~evaluation.data.dataset.Dataset` uses it to tell the runner which analyses and
strands its data allow (:meth:`~evaluation.data.dataset.Dataset.availability`).

The names are the runner's (``strand`` and the name each strand stores a result under). Only
fields read by the analyses in ``evaluation.process``, ``retention``, ``impact``,
``economics`` and ``need`` are listed; a field read only when present (``district``, for which
the municipality stands in) is not.

Example
-------
>>> [a.name for a in analyses_needing("costs")]
['economic_evaluation', 'offsets']
>>> needed_fields("tenancies")["end_date"][:2]
('process.reach', 'process.occupancy')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class AnalysisNeeds:
    """One analysis: its strand and name (as the runner stores it), titles, tables and optional fields."""
    strand: str
    name: str
    title_cs: str
    title_en: str
    tables: tuple[str, ...]
    fields: tuple[str, ...] = ()  # "table.field" of optional fields whose values the analysis reads

    @property
    def key(self) -> str:
        return f"{self.strand}.{self.name}"

    def title(self, lang: str = "cs") -> str:
        return self.title_cs if lang == "cs" else self.title_en


def _group(strand: str, names: Iterable[tuple[str, str, str]], tables: tuple[str, ...],
           fields: tuple[str, ...] = ()) -> tuple[AnalysisNeeds, ...]:
    return tuple(AnalysisNeeds(strand, n, cs, en, tables, fields) for n, cs, en in names)


_HOUSING = ("households", "tenancies")
_SPELL_ENDS = ("tenancies.end_date",)
_DECISIONS = ("applications.decided_date",)

#: Every analysis the strands run, with what it needs. Keep in step with evaluation/runner/strands.
ANALYSES: tuple[AnalysisNeeds, ...] = (
    AnalysisNeeds("data_quality", "validation", "kontrola dat", "data validation", ()),
    AnalysisNeeds("data_quality", "ledger", "evidence řádků", "ledger of rows", ()),
    AnalysisNeeds("data_quality", "participant_flow", "tok účastníků", "participant flow", _HOUSING),
    AnalysisNeeds("process", "reach", "dosah oproti plánu", "reach against plan", _HOUSING,
                  ("tenancies.unit_id", "tenancies.end_date", "households.cohort")),
    AnalysisNeeds("process", "occupancy", "obsazenost bytů", "occupancy of flats", ("tenancies", "units"),
                  ("tenancies.unit_id", "tenancies.end_date")),
    AnalysisNeeds("process", "entry_profile", "kdo vstupuje do programu", "who enters the programme", _HOUSING,
                  ("households.referral_source",)),
    AnalysisNeeds("process", "support_dose", "intenzita podpory", "support dose", ("tenancies", "support_contacts"),
                  ("tenancies.end_date", "support_contacts.topic")),
    AnalysisNeeds("process", "time_to_move_in", "doba do nastěhování", "time to move-in", _HOUSING,
                  ("households.referral_date",)),
    AnalysisNeeds("process", "dropout", "předčasná ukončení", "drop-out", ("tenancies",), _SPELL_ENDS),
    AnalysisNeeds("process", "rent_arrears", "dluhy na nájemném", "rent arrears", ("tenancies", "rent_ledger")),
    AnalysisNeeds("process", "applications_received", "přijaté žádosti", "applications received",
                  ("applications",)),
    *_group("process", (("processing_time", "doba vyřízení žádostí", "application processing time"),
                        ("lost_applications", "ztracené žádosti", "lost applications"),
                        ("decisions", "výsledky žádostí", "outcomes of applications"),
                        ("equality_of_care", "rovnost péče", "equality of care")), ("applications",), _DECISIONS),
    AnalysisNeeds("process", "tools_used", "použité nástroje", "tools used", ("applications",),
                  ("applications.benefit_counselling", "applications.bridging_loan",
                   "applications.housing_market_help", "applications.debt_counselling")),
    *_group("retention", (("retention", "setrvání v bydlení", "housing retention"),
                          ("retention_by_step", "setrvání podle stupně", "retention by step"),
                          ("exits", "důvody odchodu", "exits by reason"),
                          ("transitions", "přechody mezi stupni", "transitions between steps"),
                          ("rmst", "průměrná doba v bydlení (RMST)", "mean months housed (RMST)")),
            ("tenancies",), _SPELL_ENDS),
    *_group("impact", (("event_study", "studie událostí (dluh domácností)", "event study (household arrears)"),
                       ("staggered_households", "postupné zavádění (domácnosti)", "staggered adoption (households)")),
            ("households", "tenancies", "household_outcomes"), ("household_outcomes.arrears_czk",)),
    *_group("impact", (("staggered_municipalities", "postupné zavádění (obce)", "staggered adoption (municipalities)"),
                       ("wild_bootstrap", "divoký bootstrap (obce)", "wild cluster bootstrap (municipalities)")),
            ("municipality_panel",), ("municipality_panel.pilot_start_period", "municipality_panel.evictions")),
    AnalysisNeeds("impact", "balance", "srovnatelnost skupin", "balance of the groups", ("households",),
                  ("households.income_band",)),
    AnalysisNeeds("economics", "economic_evaluation", "náklady na domácnost a rok podpory",
                  "cost per household and household-year", ("tenancies", "households", "costs"), _SPELL_ENDS),
    AnalysisNeeds("economics", "offsets", "úspory v jiných službách", "cost offsets",
                  ("households", "household_outcomes", "tenancies", "costs"),
                  ("tenancies.end_date", "household_outcomes.shelter_nights", "household_outcomes.children_in_care")),
    *_group("need", (("ethos_counts", "bytová nouze podle čtvrtletí", "housing need by quarter"),
                     ("stock_flow", "projekce potřeby", "projection of need")),
            ("applications",), ("applications.ethos_category", "applications.decided_date")),
    AnalysisNeeds("need", "excluded_locality", "byty v sociálně vyloučených lokalitách",
                  "flats in socially excluded localities", ("units",)),
    # a randomised trial, where the data have one (its default outcomes: stably housed, arrears)
    *_group("trial", (("itt", "efekt přiřazení v randomizovaném pokusu", "intention-to-treat effect of the trial"),
                      ("attrition", "úbytek účastníků pokusu", "attrition in the trial"),
                      ("flow", "tok účastníků pokusu (CONSORT)", "participant flow of the trial (CONSORT)")),
            ("assignment", "households", "tenancies"), _SPELL_ENDS),
    # the opt-in design strand, with its default outcome (arrears_czk) and no retention given by hand
    *_group("design", (("covariance", "kovariance výsledku (plánování)", "outcome covariance (planning)"),
                       ("did_analytic", "síla rozdílu v rozdílech", "difference-in-differences power"),
                       ("did_simulation", "síla rozdílu v rozdílech (simulace)", "difference-in-differences power "
                        "(simulation)"),
                       ("event_study", "síla studie událostí", "event-study power"),
                       ("two_means", "síla srovnání dvou průměrů", "power of comparing two means")),
            ("household_outcomes",), ("household_outcomes.arrears_czk",)),
    *_group("design", (("retention_proportions", "síla srovnání podílů setrvání", "power of comparing retention"),
                       ("retention_logrank", "síla testu log-rank", "log-rank power")),
            _HOUSING, _SPELL_ENDS),
)

STRANDS: tuple[str, ...] = tuple(dict.fromkeys(a.strand for a in ANALYSES))


def analysis(key: str) -> AnalysisNeeds:
    """The analysis named ``strand.name`` (or ``name`` when that is unique)."""
    found = [a for a in ANALYSES if key in (a.key, a.name)]
    if len(found) != 1:
        raise KeyError(f"unknown analysis {key!r}; known: {', '.join(a.key for a in ANALYSES)}")
    return found[0]


def analyses_needing(table: str) -> tuple[AnalysisNeeds, ...]:
    """The analyses that need rows of ``table``."""
    return tuple(a for a in ANALYSES if table in a.tables)


def needed_fields(table: str) -> dict[str, tuple[str, ...]]:
    """Optional fields of ``table`` that analyses read, each with the analyses (``strand.name``) reading it."""
    out: dict[str, list[str]] = {}
    for a in ANALYSES:
        for qualified in a.fields:
            t, f = qualified.split(".", 1)
            if t == table:
                out.setdefault(f, []).append(a.key)
    return {f: tuple(keys) for f, keys in out.items()}


def titles(analyses: Iterable[AnalysisNeeds], lang: str = "cs") -> str:
    """``"title, title, …"`` of distinct analyses, in the order given."""
    return ", ".join(dict.fromkeys(a.title(lang) for a in analyses))


AVAILABILITY_COLUMNS = ("strand", "analysis", "available", "missing_tables", "empty_tables", "missing_fields",
                        "reason_cs", "reason_en")


def availability(present: Mapping[str, int], missing_fields: Mapping[str, Iterable[str]] | None = None
                 ) -> pd.DataFrame:
    """Which analyses the data allow.

    ``present`` maps each table in the data to its number of rows; ``missing_fields`` maps a
    table to the fields whose column was not in its file (filled empty by the loader). An
    analysis is available when every table it needs has rows and every optional field it reads
    was in the file.
    """
    missing_fields = {t: set(fs) for t, fs in (missing_fields or {}).items()}
    rows = []
    for a in ANALYSES:
        absent = [t for t in a.tables if t not in present]
        empty = [t for t in a.tables if t in present and not present[t]]
        fields = [q for q in a.fields if q.split(".", 1)[1] in missing_fields.get(q.split(".", 1)[0], ())]
        cs, en = [], []
        if absent:
            cs.append("chybí tabulka " + ", ".join(absent))
            en.append("table(s) absent: " + ", ".join(absent))
        if empty:
            cs.append("tabulka bez řádků: " + ", ".join(empty))
            en.append("table(s) without rows: " + ", ".join(empty))
        if fields:
            cs.append("chybí sloupec " + ", ".join(fields))
            en.append("column(s) missing: " + ", ".join(fields))
        rows.append({"strand": a.strand, "analysis": a.name, "available": not (absent or empty or fields),
                     "missing_tables": tuple(absent), "empty_tables": tuple(empty), "missing_fields": tuple(fields),
                     "reason_cs": "; ".join(cs), "reason_en": "; ".join(en)})
    return pd.DataFrame(rows, columns=list(AVAILABILITY_COLUMNS))
