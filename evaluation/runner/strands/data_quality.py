"""Data-quality strand: validation summary, the ledger of rows, the scope and the participant flow.

Stored (``<scope>/data/``): ``validation`` (problems per file, rule and severity; never the
rows themselves), ``ledger`` (rows received, excluded by rule, loaded per table), ``scope``
(rows this run's scope kept), ``participant_flow`` (table and figure, CONSORT style). Key
figures ``households_received``, ``households_analysed``; texts ``flow`` and ``headline``.

Example
-------
>>> output = analyse(dataset, full_data=dataset)    # doctest: +SKIP
>>> output["participant_flow"].plot()               # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from evaluation.results import Result
from evaluation.runner.strands._common import Collector, StrandOutput, store_result, store_skipped

TITLES = {
    "validation": ("Kontrola dat: problémy podle souboru a pravidla", "Data checks: problems by file and rule"),
    "ledger": ("Evidence záznamů: přijaté, vyřazené a načtené řádky", "Ledger: rows received, excluded and loaded"),
    "scope": ("Rozsah tohoto běhu", "Scope of this run"),
    "participant_flow": ("Tok účastníků", "Participant flow"),
}


@dataclass(frozen=True)
class ValidationSummary(Result):
    """Number of problems per file, rule and severity (the validation report without its rows)."""

    counts: pd.DataFrame
    n_errors: int
    n_warnings: int
    title: str = "Data validation: problems by file and rule"
    count_columns = ("problems",)

    @property
    def notes(self) -> tuple[str, ...]:
        verdict = "no errors" if self.n_errors == 0 else f"{self.n_errors} error(s)"
        return (f"{verdict}, {self.n_warnings} warning(s); rows with errors are excluded and counted in the ledger",)

    def tidy(self) -> pd.DataFrame:
        return self.counts.copy()


def analyse(data: Any, *, lang: str = "cs", seed: int = 2019, full_data: Any = None,
            municipality: str | None = None, selection: Result | None = None,
            follow_up_months: int = 12) -> StrandOutput:
    """Summarise data quality. ``full_data`` is the folder as loaded (default ``data``): the ledger
    and the flow start from every record received, and ``municipality`` branches the others off."""
    from evaluation.process import participant_flow

    full = full_data if full_data is not None else data
    run = Collector("data_quality", full)
    report = getattr(full, "report", None)
    if report is not None:
        run.run("validation", (), lambda: ValidationSummary(report.counts(), report.n_errors, report.n_warnings))
    else:
        run.skipped["validation"] = "the data were not loaded through evaluation.data.load_folder"
    if getattr(full, "ledger", None) is not None:
        run.run("ledger", (), lambda: full.ledger)
    else:
        run.skipped["ledger"] = "the data carry no ledger of rows"
    if selection is not None:
        run.results["scope"] = selection
    if data.has("households") and data["households"].empty:
        run.skipped["participant_flow"] = "no households of this scope in the data"
    else:
        run.run("participant_flow", ("households", "tenancies"), lambda: participant_flow(
            full, municipality=municipality, follow_up_months=follow_up_months))
    return run.output()


def save(session: Any, output: StrandOutput) -> None:
    """Store the data-quality results under their stable names (see the module docstring)."""
    for name in ("validation", "ledger", "scope"):
        store_result(session, output, name, TITLES[name], lang=session.lang)
    if store_result(session, output, "participant_flow", TITLES["participant_flow"],
                    figure=("Tok domácností od přijetí dat po analýzu",
                            "Households from the data received to the analysis"), lang=session.lang):
        flow = output["participant_flow"]
        received, analysed = flow.count("received"), flow.count("analysed")
        entered = flow.count("entered")
        session.store.add_key_figure("households_received", received, label_cs="Domácnosti v datech",
                                     label_en="Households in the data", unit="households", is_count=True)
        session.store.add_key_figure("households_analysed", analysed, label_cs="Domácnosti v analýze",
                                     label_en="Households analysed", unit="households", is_count=True)
        session.store.add_text(
            "flow",
            f"Z {received} domácností v datech vstoupilo do programu {entered} a do analýzy výsledků "
            f"po {flow.follow_up_months} měsících {analysed}; každé vyřazení je uvedeno v diagramu s důvodem.",
            f"Of {received} households in the data, {entered} entered the programme and {analysed} are in "
            f"the {flow.follow_up_months}-month outcome analysis; every exclusion is shown with its reason.")
    store_skipped(session, output)
