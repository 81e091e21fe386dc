"""The strands of the evaluation, their notebooks and the parameters each notebook declares.

This table is the one place where a strand's notebook file and its parameters are
named: ``notebooks/build_notebooks.py`` writes each notebook's ``parameters`` cell
from it, and the runner passes exactly these parameters (a test checks both sides
agree).

Example
-------
>>> STRANDS["impact"].notebook
'04_impact.ipynb'
>>> sorted(strand_parameters("retention"))[:3]
['data_dir', 'disclosure_threshold', 'horizons_months']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: Parameters every notebook declares, with the defaults written into its ``parameters`` cell.
#: ``None`` for municipality / programme step / period means "all".
COMMON_PARAMETERS: Mapping[str, Any] = MappingProxyType({
    "data_dir": "../demo_data/parquet",
    "results_dir": "../output/results",
    "municipality": None,
    "programme_step": None,
    "period_start": None,
    "period_end": None,
    "lang": "cs",
    "disclosure_threshold": 5,
    "seed": 2019,
    "on_error": "raise",
})

#: What each common parameter means (written as a comment next to it in the notebook).
PARAMETER_HELP: Mapping[str, str] = MappingProxyType({
    "data_dir": "folder with the data files (CSV, XLSX or Parquet) named after the tables",
    "results_dir": "results folder for the reports (one sub-folder per scope and strand)",
    "municipality": "one municipality, or None for all (pooled)",
    "programme_step": "crisis / social / affordable / housing_first, or None for all",
    "period_start": "first day of the period analysed (YYYY-MM-DD), or None",
    "period_end": "last day of the period analysed (YYYY-MM-DD), or None",
    "lang": "language of labels and texts: cs or en",
    "disclosure_threshold": "cells with fewer households than this are suppressed",
    "seed": "random seed (bootstrap, matching ties)",
    "on_error": "rows breaking the data contract: raise (stop) or exclude (drop and count them)",
    "pilot_plan": "YAML or JSON file with the pilot plan (units, households, support), None for the Ostrava design",
    "horizons_months": "months at which retention is reported",
    "horizon_months": "months after entering a step at which a tenancy counts as sustained (cost per sustained "
                      "tenancy); offsets cover every treated month, the span of the programme cost",
    "bootstrap_draws": "wild cluster bootstrap draws",
    "event_window": "event-study window in months relative to move-in (first, last)",
    "unit_costs": "CZK per shelter night, eviction, child-month in care, e.g. {'shelter_night': 450}, None for defaults",
    # (no apostrophe or "=" in a help text: papermill cannot parse the parameters cell then)
    "comparison_eviction_risk": "risk of losing the home in the comparison group over the treated months (0-1), "
                                "or None to estimate it from the tenancies of the comparison households",
    # design (planning; opt-in)
    "design_kind": "all, did, event_study, two_means, two_proportions or logrank",
    "n_treated": "programme households (or clusters) in the planned design",
    "n_control": "comparison households (or clusters) in the planned design",
    "effect": "effect on the outcome in its units, or None for the minimum detectable effect",
    "power": "power wanted, 0-1",
    "alpha": "significance level (two-sided)",
    "icc": "intra-cluster correlation when households are randomised in clusters (0 for none)",
    "cluster_size": "households per cluster (1 for individual assignment)",
    "pre_periods": "months observed before entry",
    "post_periods": "months observed after the first cohort enters (the later cohorts enter within them)",
    "entry_offsets": "months after the first entry at which the programme cohorts enter, e.g. [0, 8, 16]",
    "outcome": "household outcome of the difference-in-differences (column of household_outcomes)",
    "hazard_ratio": "hazard ratio of losing the home, programme over comparison, or None for the detectable one",
    "control_retention": "share of comparison households still housed at the horizon, or None to estimate it",
    "programme_retention": "share of programme households still housed at the horizon, or None for the detectable one",
    "retention_horizon_months": "months at which retention is compared",
    "simulations": "placebo experiments of the simulated power",
})


@dataclass(frozen=True)
class Strand:
    """One strand of the evaluation: its notebook, the parameters only it declares, and the
    strand folder its results go to in the results store (the name the report templates use)."""

    name: str
    notebook: str
    title_en: str
    title_cs: str
    extra_parameters: Mapping[str, Any] = field(default_factory=dict)
    results_name: str = ""

    @property
    def store_name(self) -> str:
        return self.results_name or self.name

    def title(self, lang: str = "cs") -> str:
        return self.title_cs if lang == "cs" else self.title_en


STRANDS: Mapping[str, Strand] = MappingProxyType({s.name: s for s in (
    Strand("data_quality", "01_data_quality.ipynb", "Data quality and participant flow",
           "Kvalita dat a tok účastníků", results_name="data"),
    Strand("process", "02_process.ipynb", "Process evaluation", "Procesní evaluace",
           {"pilot_plan": None}),
    Strand("retention", "03_retention.ipynb", "Tenancy retention", "Udržení bydlení",
           {"horizons_months": [6, 12, 20]}),
    Strand("impact", "04_impact.ipynb", "Impact evaluation", "Evaluace dopadů",
           {"bootstrap_draws": 999, "event_window": [-12, 24]}),
    Strand("economics", "05_economics.ipynb", "Economic evaluation", "Ekonomická evaluace",
           {"horizon_months": 12, "unit_costs": None, "comparison_eviction_risk": None}),
    Strand("need", "06_need.ipynb", "Housing need", "Bytová nouze"),
)})

#: Strands that run only when a configuration names them (``strands: [design]``): planning tools,
#: not part of the default run and its reports.
OPT_IN_STRANDS: Mapping[str, Strand] = MappingProxyType({s.name: s for s in (
    Strand("design", "00_design.ipynb", "Study design: power and minimum detectable effects",
           "Plán studie: síla testu a minimální zjistitelný efekt",
           {"design_kind": "all", "n_treated": 30, "n_control": 60, "effect": None, "power": 0.8, "alpha": 0.05,
            "icc": 0.0, "cluster_size": 1, "pre_periods": 12, "post_periods": 24, "entry_offsets": [0, 8, 16],
            "outcome": "arrears_czk", "hazard_ratio": None, "control_retention": None, "programme_retention": None,
            "retention_horizon_months": 12, "simulations": 200}),
)})

#: Every strand a configuration or a notebook may name: the default ones, then the opt-in ones.
ALL_STRANDS: Mapping[str, Strand] = MappingProxyType({**STRANDS, **OPT_IN_STRANDS})


def strand_parameters(name: str) -> dict[str, Any]:
    """Every parameter the strand's notebook declares, with its default."""
    strand = ALL_STRANDS[name]
    return {**COMMON_PARAMETERS, **strand.extra_parameters}
