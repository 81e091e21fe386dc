"""Data-quality strand: validation summary, the ledger of rows, the scope and the participant flow.

Stored (``<scope>/data/``): ``validation`` (problems per file, rule and severity; never the
rows themselves; results folder only when there are none), ``ledger`` (rows received,
excluded, loaded and kept per table, reasons in words), ``ledger_detail`` (by rule; folder
only), ``scope`` (rows this run's scope kept; in the report only when it left rows out),
``participant_flow`` (CONSORT table: stages and exclusions with reasons, households in total
and by entry step; figure), ``participant_flow_detail`` (the boxes; folder only). Key figures
``households_received``, ``households_analysed``; texts ``flow`` and ``validation``.

Example
-------
>>> output = analyse(dataset, full_data=dataset)    # doctest: +SKIP
>>> output["participant_flow"].plot()               # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from evaluation.reporting.formatting import format_date
from evaluation.results import Result
from evaluation.runner.strands._common import (
    Collector,
    Reason,
    StrandOutput,
    store_figure,
    store_frame,
    store_result,
    store_skipped,
)

TITLES = {
    "validation": ("Kontrola dat: problémy podle souboru a pravidla", "Data checks: problems by file and rule"),
    "ledger": ("Záznamy podle tabulky: přijaté, vyřazené a načtené řádky",
               "Records by table: rows received, excluded and loaded"),
    "scope": ("Rozsah tohoto běhu", "Scope of this run"),
    "participant_flow": ("Tok domácností hodnocením (CONSORT)", "Participant flow (CONSORT)"),
    "participant_flow_detail": ("Tok účastníků: položky diagramu", "Participant flow: boxes of the diagram"),
    "ledger_detail": ("Evidence záznamů podle pravidel", "Ledger of rows by rule"),
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
        run.skip("validation", Reason("the data were not loaded through evaluation.data.load_folder",
                                      "data nebyla načtena funkcí evaluation.data.load_folder, "
                                      "která je kontroluje"))
    if getattr(full, "ledger", None) is not None:
        run.run("ledger", (), lambda: full.ledger)
    else:
        run.skip("ledger", Reason("the data carry no ledger of rows", "data nenesou evidenci řádků"))
    if selection is not None:
        run.results["scope"] = selection
    if data.has("households") and data["households"].empty:
        run.skip("participant_flow", Reason("no households of this scope in the data",
                                            "v datech tohoto rozsahu nejsou žádné domácnosti"))
    else:
        run.run("participant_flow", ("households", "tenancies"), lambda: participant_flow(
            full, municipality=municipality, follow_up_months=follow_up_months))
    return run.output()


def save(session: Any, output: StrandOutput) -> None:
    """Store the data-quality results under their stable names (see the module docstring)."""
    _validation(session, output)
    _ledger(session, output)
    if "scope" in output:
        left_out = pd.to_numeric(output["scope"].tidy().get("rows_left_out"), errors="coerce").fillna(0)
        store_result(session, output, "scope", TITLES["scope"], lang=session.lang,
                     placement="main" if (left_out > 0).any() else "folder", dimensions=["table"],
                     relations=[("rows_in", ["rows_kept", "rows_left_out"])])
    if store_result(session, output, "participant_flow", TITLES["participant_flow_detail"],
                    stored_as="participant_flow_detail", placement="folder", family="participant_flow",
                    dimensions=list(FLOW_KEYS) + ["step"], row_relations=flow_relations(output["participant_flow"])
                    if "participant_flow" in output else None,
                    populations=[{"name": "programme_households", "column": "count",
                                  "row": {"kind": "main", "box": "entered", "step": "all"}}]):
        flow = output["participant_flow"]
        store_figure(session, "participant_flow", flow, ("Tok domácností od přijetí dat po analýzu",
                                                         "Households from the data received to the analysis"),
                     table="participant_flow_detail",
                     alt=("Diagram toku domácností: kolik domácností bylo v datech, kolik vstoupilo do programu "
                          "a kolik je v analýze výsledků, s důvody každého vyřazení.",
                          "Flow diagram: how many households were in the data, how many entered the programme "
                          "and how many are in the outcome analysis, with the reason for every exclusion."))
        steps = steps_present(flow)
        store_frame(session, "participant_flow", consort_table(flow), TITLES["participant_flow"],
                    count_columns=["all", *steps], family="participant_flow", dimensions=list(FLOW_KEYS),
                    wide=("step", "count"), relations=[("all", steps)] if steps else None,
                    report_columns=["stage_cs", "stage_en", "all", *steps],
                    notes=[(f"Stav k {format_date(flow.as_of, 'cs')}; doba sledování {flow.follow_up_months} měsíců. "
                            "Řádky „vyřazeno“ uvádějí domácnosti, které do další fáze nepostoupily, s důvodem.",
                            f"As of {format_date(flow.as_of, 'en')}; follow-up {flow.follow_up_months} months. "
                            "“Excluded” rows count the households that did not reach the next stage, with the "
                            "reason.")])
        for id, box, label_cs, label_en in (
                ("households_received", "received", "Domácnosti v datech", "Households in the data"),
                ("households_entered", "entered", "Domácnosti, které vstoupily do programu",
                 "Households that entered the programme"),
                ("households_analysed", "analysed", "Domácnosti v analýze", "Households analysed")):
            session.store.add_key_figure(id, table="participant_flow_detail", column="count",
                                         row={"kind": "main", "box": box, "step": "all"}, label_cs=label_cs,
                                         label_en=label_en, unit="households", is_count=True)
        months = flow.follow_up_months
        session.store.add_text(
            "flow",
            f"Z {{households_received}} domácností v datech vstoupilo do programu {{households_entered}} a do "
            f"analýzy výsledků po {months} měsících {{households_analysed}}; každé vyřazení je v tabulce toku "
            "uvedeno s důvodem.",
            f"Of {{households_received}} households in the data, {{households_entered}} entered the programme "
            f"and {{households_analysed}} are in the {months}-month outcome analysis; every exclusion is listed "
            "with its reason.",
            fallback=("Každé vyřazení domácnosti je v tabulce toku uvedeno s důvodem; malé počty jsou skryté.",
                      "Every exclusion of a household is listed with its reason in the flow table; small counts "
                      "are hidden."))
    store_skipped(session, output, TITLES)


#: The columns that say which box of the flow a row is (the same in the flow's two tables).
FLOW_KEYS = ("box", "kind", "rule")


def flow_relations(flow: Any) -> list[dict[str, Any]]:
    """Each main box of the flow is the box before it minus the exclusions in between (for
    disclosure control: a small exclusion must not be the difference of two boxes shown)."""
    table = flow.tidy()
    main = table.loc[(table["kind"] == "main") & (table["step"] == "all"), "box"].tolist()
    relations = []
    for before, box in zip(main, main[1:]):
        rules = table.loc[(table["kind"] == "excluded") & (table["box"] == box), "rule"].tolist()
        relations.append({"total": {"kind": "main", "box": before, "step": "all"},
                          "parts": [{"kind": "main", "box": box, "step": "all"},
                                    *({"kind": "excluded", "box": box, "rule": r} for r in rules)]})
    return relations


#: Programme steps in staircase order (columns of the flow table).
STEP_ORDER = ("crisis", "social", "affordable", "housing_first")
MAIN_BOXES = ("received", "loaded", "entered", "followed_up", "analysed")


def steps_present(flow: Any) -> list[str]:
    """Entry steps that have a box in the flow, in staircase order."""
    steps = set(flow.tidy()["step"].astype(str)) - {"all"}
    return [s for s in STEP_ORDER if s in steps] + sorted(steps - set(STEP_ORDER))


def consort_table(flow: Any) -> pd.DataFrame:
    """The participant flow as a CONSORT table: received -> excluded (with reasons) -> loaded ->
    entered -> followed up -> analysed, one row per stage or exclusion reason, households in
    total and by entry step. The stage text is in both languages (``stage_cs``, ``stage_en``).

    Example
    -------
    >>> consort_table(flow)[["stage_en", "all"]]    # doctest: +SKIP
    """
    table = flow.tidy()
    steps = steps_present(flow)
    rows: list[dict[str, Any]] = []
    for box in MAIN_BOXES:
        excluded = table.loc[(table["kind"] == "excluded") & (table["box"] == box)]
        for _, row in excluded.iterrows():
            rows.append({"stage_cs": f"– vyřazeno: {row['label_cs']}", "stage_en": f"– excluded: {row['label_en']}",
                         "all": int(row["count"]), "box": row["box"], "kind": "excluded", "rule": row["rule"]})
        main = table.loc[(table["kind"] == "main") & (table["box"] == box)]
        overall = main.loc[main["step"] == "all"]
        if overall.empty:
            continue
        entry = {"stage_cs": overall["label_cs"].iloc[0], "stage_en": overall["label_en"].iloc[0],
                 "all": int(overall["count"].iloc[0]), "box": box, "kind": "main", "rule": overall["rule"].iloc[0]}
        by_step = main.set_index("step")["count"]
        for step in steps:
            entry[step] = int(by_step[step]) if step in by_step.index else None
        rows.append(entry)
    frame = pd.DataFrame(rows, columns=["stage_cs", "stage_en", "all", *steps, *FLOW_KEYS])
    for step in steps:
        frame[step] = frame[step].astype("Int64")
    return frame


def _validation(session: Any, output: StrandOutput) -> None:
    if "validation" not in output:
        return
    summary = output["validation"]
    empty = summary.tidy().empty
    store_result(session, output, "validation", TITLES["validation"], placement="folder" if empty else "main")
    if empty:
        session.store.add_text("validation", "Kontrola dat podle datového standardu nenašla žádné chyby ani "
                               "varování.", "The data checks against the data contract found no errors or "
                               "warnings.")
    else:
        session.store.add_text(
            "validation",
            "Kontrola dat podle datového standardu našla chyby nebo varování (počty podle souborů a pravidel "
            "uvádí tabulka kontroly dat); řádky s chybami byly vyřazeny a jsou započteny v evidenci záznamů.",
            "The data checks against the data contract found errors or warnings (the data-check table counts them "
            "by file and rule); rows with errors were excluded and are counted in the ledger.")


def _ledger(session: Any, output: StrandOutput) -> None:
    """Rows per table: received, excluded, loaded (and kept by this run's scope), reasons in words."""
    if not store_result(session, output, "ledger", TITLES["ledger_detail"], stored_as="ledger_detail",
                        placement="folder", dimensions=["table", "stage", "rule"]):
        return
    long = output["ledger"].tidy()
    tables = list(dict.fromkeys(long["table"]))
    wide = pd.DataFrame({"table": tables})
    for stage, column in (("received", "rows_received"), ("excluded", "rows_excluded"), ("loaded", "rows_loaded")):
        sums = long.loc[long["stage"] == stage].groupby("table", sort=False)["rows"].sum()
        wide[column] = wide["table"].map(sums).fillna(0).astype(int)
    if "scope" in output:
        kept = output["scope"].tidy().set_index("table")["rows_kept"]
        wide["rows_kept"] = wide["table"].map(pd.to_numeric(kept, errors="coerce")).astype("Int64")
    excluded = long.loc[long["stage"] == "excluded"]
    for lang in ("cs", "en"):
        reasons = excluded.groupby("table", sort=False)[f"reason_{lang}"].agg(lambda r: "; ".join(dict.fromkeys(r)))
        wide[f"excluded_reasons_{lang}"] = wide["table"].map(reasons).fillna("")
    counts = [c for c in ("rows_received", "rows_excluded", "rows_loaded", "rows_kept") if c in wide]
    aggregates = [{"table": "ledger_detail", "columns": {
        column: {"column": "rows", "where": {"stage": stage}}
        for stage, column in (("received", "rows_received"), ("excluded", "rows_excluded"),
                              ("loaded", "rows_loaded"))}}]
    if "rows_kept" in wide:
        aggregates.append({"table": "scope", "columns": {"rows_kept": {"column": "rows_kept"}}})
    store_frame(session, "ledger", wide, TITLES["ledger"], count_columns=counts, dimensions=["table"],
                aggregates=aggregates, relations=[("rows_received", ["rows_excluded", "rows_loaded"])], notes=[(
        "Počty řádků vstupních souborů; vyřazený řádek je započten jednou, u prvního pravidla, které porušil. "
        "Podrobná evidence podle pravidel je ve složce výsledků.",
        "Rows of the input files; an excluded row is counted once, under the first rule it broke. The ledger "
        "by rule is in the results folder.")])
