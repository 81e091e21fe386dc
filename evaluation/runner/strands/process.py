"""Process strand: which process indicators the notebook computes and the names they are stored under.

Stored (results folder ``<scope>/process/``):

========================  =====================================================  ======
name                      what                                                   figure
========================  =====================================================  ======
reach                     reach against plan (units, households, cohorts)        yes
occupancy                 monthly occupancy of the programme flats               yes
entry_profile             referral source, ETHOS category, household type        no
support_dose              contacts and hours per household-month vs plan         yes
time_to_move_in           days from referral to move-in                          no
dropout                   exits within the support period                        no
rent_arrears              share in arrears by month and step                     yes
applications_received     applications at contact points by period               no
processing_time           Kaplan–Meier time to decision by district              yes
lost_applications         applications with no decision after 90 days            no
decisions                 outcomes of applications by district                   no
tools_used                benefit counselling, bridging loans, ... by district   no
equality_of_care          tests of equal handling across districts               no
========================  =====================================================  ======

Key figures: ``households_entered``, ``median_days_to_move_in``, ``dropout_share``,
``lost_share``. Texts: ``headline`` and ``limitation_process_*`` for analyses not possible.

Example
-------
>>> output = analyse(dataset, lang="cs")        # doctest: +SKIP
>>> output["reach"].tidy()                      # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from evaluation.runner.strands._common import Collector, StrandOutput, store_result, store_skipped

TITLES = {
    "reach": ("Dosah oproti plánu", "Reach against plan"),
    "occupancy": ("Obsazenost bytů programu", "Occupancy of programme flats"),
    "entry_profile": ("Kdo vstupuje do programu", "Who enters the programme"),
    "support_dose": ("Intenzita podpory oproti plánu", "Support dose against plan"),
    "time_to_move_in": ("Doba od doporučení do nastěhování", "Time from referral to move-in"),
    "dropout": ("Předčasná ukončení v období podpory", "Drop-out within the support period"),
    "rent_arrears": ("Dluhy na nájemném", "Rent arrears"),
    "applications_received": ("Přijaté žádosti na kontaktních místech", "Applications received at contact points"),
    "processing_time": ("Doba vyřízení žádostí", "Application processing time"),
    "lost_applications": ("Ztracené žádosti (bez rozhodnutí po 90 dnech)",
                          "Lost applications (no decision after 90 days)"),
    "decisions": ("Výsledky žádostí", "Outcomes of applications"),
    "tools_used": ("Použité nástroje", "Tools used"),
    "equality_of_care": ("Rovnost péče napříč obvody", "Equality of care across districts"),
}
FIGURES = {
    "reach": ("Skutečnost v % plánu podle stupně", "Actual as % of plan by step"),
    "occupancy": ("Obsazenost bytů programu po měsících", "Monthly occupancy of programme flats"),
    "support_dose": ("Hodiny podpory na domácnost a měsíc", "Support hours per household-month"),
    "rent_arrears": ("Podíl domácností s dluhem na nájemném", "Share of households in rent arrears"),
    "processing_time": ("Doba do rozhodnutí o žádosti (Kaplan–Meier)", "Time to decision (Kaplan–Meier)"),
}


def analyse(data: Any, *, lang: str = "cs", seed: int = 2019, pilot_plan: str | None = None) -> StrandOutput:
    """Compute the process indicators on ``data`` (a scoped Dataset).

    ``pilot_plan`` is a YAML/JSON plan file (see evaluation.process.plan); None uses the
    Ostrava design of the brief.
    """
    from evaluation import process

    plan = process.PilotPlan.from_file(pilot_plan) if pilot_plan else process.PilotPlan.ostrava()
    run = Collector("process", data)
    housing = ("households", "tenancies")
    run.run("reach", housing, lambda: process.reach_against_plan(data, plan))
    run.run("occupancy", ("tenancies", "units"), lambda: process.occupancy(data))
    run.run("entry_profile", housing, lambda: process.entry_profile(data))
    run.run("support_dose", ("tenancies", "support_contacts"), lambda: process.support_dose(data, plan))
    run.run("time_to_move_in", housing, lambda: process.time_to_move_in(data, by="entry_step"))
    # over all steps, for the key figure (the stored table is by entry step)
    run.run("time_to_move_in_overall", housing, lambda: process.time_to_move_in(data))
    run.run("dropout", ("tenancies",), lambda: process.dropout(data, plan))
    run.run("rent_arrears", ("tenancies", "rent_ledger"), lambda: process.rent_arrears(data))
    apps = ("applications",)
    run.run("applications_received", apps, lambda: process.applications_received(data, freq="Q"))
    run.run("processing_time", apps, lambda: process.processing_time(data))
    run.run("lost_applications", apps, lambda: process.lost_applications(data))
    run.run("decisions", apps, lambda: process.decisions(data))
    run.run("tools_used", apps, lambda: process.tools_used(data))
    run.run("equality_of_care", apps, lambda: process.equality_of_care(data, seed=seed))
    return run.output()


def save(session: Any, output: StrandOutput) -> None:
    """Store the process results under their stable names (see the module docstring)."""
    for name, titles in TITLES.items():
        store_result(session, output, name, titles, figure=FIGURES.get(name), lang=session.lang)
    _key_figures(session, output)
    store_skipped(session, output)


def _key_figures(session: Any, output: StrandOutput) -> None:
    store = session.store
    headline_cs, headline_en = [], []
    if "time_to_move_in_overall" in output:
        row = output["time_to_move_in_overall"].tidy().iloc[0]
        moved = int(row["moved_in"])
        store.add_key_figure("households_entered", moved, label_cs="Nastěhované domácnosti",
                             label_en="Households moved in", unit="households", is_count=True)
        if pd.notna(row["median_days"]):
            store.add_key_figure("median_days_to_move_in", float(row["median_days"]),
                                 label_cs="Medián dní od doporučení do nastěhování",
                                 label_en="Median days from referral to move-in", unit="days", n=moved,
                                 decimals=0)
        headline_cs.append(f"Do bytů programu se nastěhovalo {moved} domácností.")
        headline_en.append(f"{moved} households moved into programme flats.")
    if "dropout" in output:
        table = output["dropout"].tidy()
        known = pd.to_numeric(table["known_outcome"], errors="coerce").sum()
        dropped = pd.to_numeric(table["dropout"], errors="coerce").sum()
        if known > 0:
            store.add_key_figure("dropout_share", float(dropped / known), label_cs="Podíl předčasných ukončení",
                                 label_en="Drop-out share", unit="%", n=int(known), decimals=0)
    if "lost_applications" in output:
        table = output["lost_applications"].tidy()
        old = pd.to_numeric(table["old_enough"], errors="coerce").sum()
        lost = pd.to_numeric(table["lost"], errors="coerce").sum()
        if old > 0:
            store.add_key_figure("lost_share", float(lost / old), label_cs="Podíl ztracených žádostí",
                                 label_en="Share of lost applications", unit="%", n=int(old), decimals=1)
    if headline_cs:
        store.add_text("headline", " ".join(headline_cs), " ".join(headline_en))

