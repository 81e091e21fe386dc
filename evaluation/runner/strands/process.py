"""Process strand: which process indicators the notebook computes and the names they are stored under.

Stored (results folder ``<scope>/process/``):

========================  =====================================================  ======
name                      what                                                   figure
========================  =====================================================  ======
reach                     reach against plan (units, households, cohorts)        yes
occupancy                 occupancy by step over the whole period                yes (monthly)
occupancy_monthly         monthly occupancy (results folder only)                no
entry_profile             referral source, ETHOS category, household type by     no
                          entry step (counts)
entry_profile_detail      every characteristic, long form (results folder only)  no
support_dose              contacts and hours per household-month vs plan         yes
time_to_move_in           days from referral to move-in                          no
dropout                   exits within the support period                        no
rent_arrears              share in arrears by step at the end of each year       yes (monthly)
rent_arrears_summary      months in arrears per step over the period             no
rent_arrears_monthly      share in arrears by month and step (folder only)       no
applications_received     applications by contact point and year                 no
applications_quarterly    applications by contact point and quarter (folder)     no
processing_time           Kaplan–Meier time to decision by district              yes
lost_applications         applications with no decision after 90 days            no
decisions                 outcomes of applications by district (one column each) no
decisions_detail          outcomes with shares, long form (folder only)          no
tools_used                benefit counselling, bridging loans, ... by district   no
equality_of_care          tests of equal handling across districts               no
fidelity                  fidelity to the programme model by domain (when the    yes
                          evaluator gives a ratings file, ``fidelity_ratings``)
fidelity_items            the item ratings behind it (results folder only)       no
========================  =====================================================  ======

National data (applications that carry ``contact_point_code``, zákon č. 175/2025 Sb.): the
district of an application is its contact point's district (správní obvod, named by the contact
point), not the applicant's municipality, so the tables by district have one row per contact
point; pilot data keep the city district (the municipality outside statutory cities).

Key figures: ``households_entered``, ``median_days_to_move_in``, ``dropout_share``,
``lost_share`` (its n counts applications), ``fidelity_score_<k>`` and ``fidelity_percent_<k>`` for the
k-th programme rated. Texts: ``headline``, ``finding_contact_points`` and
``finding_fidelity`` and ``limitation_process_*`` for analyses not possible. "Folder only" tables are placed in the
results folder for analysts and named, not printed, in the reports.

Example
-------
>>> output = analyse(dataset, lang="cs")        # doctest: +SKIP
>>> output["reach"].tidy()                      # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

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
    "reach": ("Dosah oproti plánu", "Reach against plan"),
    "occupancy": ("Obsazenost bytů programu za celé období", "Occupancy of programme flats over the whole period"),
    "entry_profile": ("Kdo vstupuje do programu", "Who enters the programme"),
    "support_dose": ("Intenzita podpory oproti plánu", "Support dose against plan"),
    "time_to_move_in": ("Doba od doporučení do nastěhování", "Time from referral to move-in"),
    "dropout": ("Předčasná ukončení v období podpory", "Drop-out within the support period"),
    "occupancy_monthly": ("Obsazenost bytů programu po měsících", "Monthly occupancy of programme flats"),
    "entry_profile_detail": ("Kdo vstupuje do programu: všechny charakteristiky",
                             "Who enters the programme: every characteristic"),
    "rent_arrears": ("Dluhy na nájemném na konci roku podle stupně", "Rent arrears at the end of each year by step"),
    "rent_arrears_monthly": ("Dluhy na nájemném po měsících", "Rent arrears by month"),
    "rent_arrears_summary": ("Měsíce s dluhem na nájemném za celé období", "Months in rent arrears over the period"),
    "applications_quarterly": ("Přijaté žádosti po čtvrtletích", "Applications received by quarter"),
    "decisions_detail": ("Výsledky žádostí: počty a podíly", "Outcomes of applications: counts and shares"),
    "applications_received": ("Přijaté žádosti na kontaktních místech podle roku",
                              "Applications received at contact points by year"),
    "processing_time": ("Doba vyřízení žádostí", "Application processing time"),
    "lost_applications": ("Ztracené žádosti (bez rozhodnutí po 90 dnech)",
                          "Lost applications (no decision after 90 days)"),
    "decisions": ("Výsledky žádostí podle obvodu", "Outcomes of applications by district"),
    "tools_used": ("Použité nástroje", "Tools used"),
    "equality_of_care": ("Rovnost péče napříč obvody", "Equality of care across districts"),
    "fidelity": ("Věrnost modelu Housing First podle oblastí (škála Pathways)",
                 "Fidelity to the Housing First model by domain (Pathways scale)"),
    "fidelity_items": ("Věrnost modelu: hodnocení jednotlivých položek", "Fidelity: ratings of the items"),
}
FIGURES = {
    "reach": ("Skutečnost v % plánu podle stupně", "Actual as % of plan by step"),
    "occupancy": ("Obsazenost bytů programu po měsících", "Monthly occupancy of programme flats"),
    "support_dose": ("Hodiny podpory na domácnost a měsíc", "Support hours per household-month"),
    "rent_arrears": ("Podíl domácností s dluhem na nájemném", "Share of households in rent arrears"),
    "processing_time": ("Doba do rozhodnutí o žádosti (Kaplan–Meier)", "Time to decision (Kaplan–Meier)"),
    "fidelity": ("Věrnost modelu Housing First podle oblastí (% rozsahu škály)",
                 "Fidelity to the Housing First model by domain (% of the scale's range)"),
}


def analyse(data: Any, *, lang: str = "cs", seed: int = 2019, pilot_plan: str | None = None,
            fidelity_ratings: str | None = None) -> StrandOutput:
    """Compute the process indicators on ``data`` (a scoped Dataset).

    ``pilot_plan`` is a YAML/JSON plan file (see evaluation.process.plan); None uses the
    Ostrava design of the brief. ``fidelity_ratings`` is the evaluator's CSV/XLSX of item ratings
    of the Pathways Housing First fidelity scale (:mod:`evaluation.process.fidelity`); a file with a
    problem raises a DataError naming the file, row, column, value and rule.
    """
    from evaluation import process

    plan = process.PilotPlan.from_file(pilot_plan) if pilot_plan else process.PilotPlan.ostrava()
    data = contact_point_districts(data)
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
    if fidelity_ratings:
        _fidelity(run, data, fidelity_ratings, lang)
    return run.output()


def contact_point_districts(data: Any) -> Any:
    """``data`` with the district of each national application set to its contact point (the
    contact point's správní obvod under the act); data without contact-point codes unchanged.

    >>> apps = pd.DataFrame({"contact_point": ["KMB Benešov"], "contact_point_code": ["529303"],
    ...                      "district": [None], "municipality": ["Votice"]})
    >>> contact_point_districts({"applications": apps})["applications"]["district"].tolist()
    ['KMB Benešov']
    """
    from dataclasses import replace
    from types import MappingProxyType

    tables = getattr(data, "tables", data)
    applications = tables.get("applications") if hasattr(tables, "get") else None
    if applications is None or "contact_point_code" not in applications or "contact_point" not in applications:
        return data
    national = applications["contact_point_code"].notna() & applications["contact_point"].notna()
    if not national.any():
        return data
    district = applications["district"].astype("object") if "district" in applications else None
    applications = applications.assign(district=applications["contact_point"].astype("object").where(
        national, district))
    changed = {**dict(tables), "applications": applications}
    return replace(data, tables=MappingProxyType(changed)) if hasattr(data, "tables") else changed


def _fidelity(run: Collector, data: Any, path: str, lang: str) -> None:
    """Score the fidelity ratings; a municipality's scope keeps the programmes named after it."""
    from evaluation.data.schema import normalise_label
    from evaluation.process.fidelity import read_ratings, score_fidelity

    ratings = read_ratings(path, lang=lang)
    municipality = (dict(getattr(data, "metadata", {}) or {}).get("scope", {}) or {}).get("municipality")
    if municipality:
        ours = ratings["programme"].map(lambda p: normalise_label(str(municipality)) in normalise_label(str(p)))
        if not ours.any():
            run.skip("fidelity", Reason(
                f"the fidelity ratings name no programme of {municipality}",
                f"hodnocení věrnosti modelu neuvádí žádný program obce {municipality}"))
            return
        ratings = ratings.loc[ours.to_numpy()]
    run.run("fidelity", (), lambda: score_fidelity(ratings))


#: Computations that only serve another analysis (for :func:`store_skipped`).
HELPERS = {"time_to_move_in_overall": ("time_to_move_in", ("Doba do nastěhování, všechny stupně",
                                                           "Time to move-in, all steps"))}


def save(session: Any, output: StrandOutput) -> None:
    """Store the process results under their stable names (see the module docstring)."""
    lang = session.lang
    store_result(session, output, "reach", TITLES["reach"], figure=FIGURES["reach"], lang=lang,
                 report_columns=REPORT_COLUMNS.get("reach"), public=["planned"], alt=ALT["reach"],
                 public_rows=[{"measure": "cohorts"}])  # a cohort is a group of ten households, not a person
    for name in ("support_dose", "processing_time"):
        store_result(session, output, name, TITLES[name], figure=FIGURES.get(name), lang=lang,
                     report_columns=REPORT_COLUMNS.get(name), alt=ALT.get(name))
    _time_to_move_in(session, output)
    _with_total(session, output, "dropout", "step", public=["support_months"])
    _with_total(session, output, "lost_applications", "district", interval=("lost", "old_enough"))
    for name in ("tools_used", "equality_of_care"):
        store_result(session, output, name, TITLES[name], lang=lang, report_columns=REPORT_COLUMNS.get(name),
                     percent_columns=PERCENT_COLUMNS.get(name))
    _occupancy(session, output)
    _entry_profile(session, output)
    _rent_arrears(session, output)
    _applications(session, output)
    _decisions(session, output)
    _key_figures(session, output)
    _fidelity_results(session, output)
    store_skipped(session, output, TITLES, helpers=HELPERS)


#: What each figure shows, for readers who cannot see it.
ALT = {
    "reach": ("Sloupce ukazují, kolik bytů, domácností a kohort každý stupeň dosáhl v procentech plánu; "
              "přerušovaná čára je plán (100 %).",
              "Bars show how many flats, households and cohorts each step reached as a per cent of plan; the "
              "dashed line is the plan (100%)."),
    "support_dose": ("Čáry ukazují hodiny podpory na domácnost a měsíc podle měsíce od nastěhování, přerušovaně "
                     "plánovaná úroveň.",
                     "Lines show support hours per household-month by month since move-in, the planned level "
                     "dashed."),
    "processing_time": ("Čáry ukazují, jaký podíl žádostí zůstává po daném počtu dní bez rozhodnutí, podle "
                        "obvodu.",
                        "Lines show the share of applications still undecided after a number of days, by "
                        "district."),
    "occupancy": ("Čáry ukazují měsíční obsazenost bytů programu podle stupně.",
                  "Lines show the monthly occupancy of the programme flats by step."),
    "rent_arrears": ("Čáry ukazují podíl domácností s dluhem na nájemném po měsících podle stupně.",
                     "Lines show the share of households in rent arrears by month and step."),
    "fidelity": ("Sloupce ukazují, jak blízko má program k modelu Housing First v každé oblasti škály, v procentech "
                 "jejího rozsahu (100 % = plné naplnění modelu).",
                 "Bars show how close the programme is to the Housing First model in each domain of the scale, as a "
                 "per cent of its range (100% = full fidelity)."),
}


def _time_to_move_in(session: Any, output: StrandOutput) -> None:
    """Time to move-in by entry step with the whole programme as a row ``all`` (the key figures)."""
    if "time_to_move_in" not in output:
        return
    table = output["time_to_move_in"].tidy()
    if "time_to_move_in_overall" in output:
        overall = output["time_to_move_in_overall"].tidy().assign(entry_step="all")
        table = pd.concat([table, overall[[c for c in table.columns if c in overall.columns]]], ignore_index=True)
    result = output["time_to_move_in"]
    counts = [c for c in result.count_columns if c in table.columns]
    store_frame(session, "time_to_move_in", table, TITLES["time_to_move_in"], count_columns=counts,
                n_column=result.n_column if result.n_column in table.columns else None,
                notes=list(result.notes), report_columns=REPORT_COLUMNS["time_to_move_in"])


def _with_total(session: Any, output: StrandOutput, name: str, label_column: str, *,
                public: Sequence[str] = (), interval: tuple[str, str] | None = None) -> None:
    """Store a result's table with a total row (its key figure): counts summed, the share and
    (for ``interval=(numerator, n)``) its Wilson interval recomputed over the total."""
    if name not in output:
        return
    result = output[name]
    table = result.tidy()
    counts = [c for c in result.count_columns if c in table.columns]
    summed = list(dict.fromkeys([*counts, *([result.n_column] if result.n_column in table.columns else [])]))
    if len(table) > 1:
        total = {label_column: "total", **{c: pd.to_numeric(table[c], errors="coerce").sum() for c in summed}}
        share_column = next((c for c in table.columns if "share" in c), None)
        if share_column and interval is None:  # the share of the result: a count over its base
            numerator, base = SHARE_OF[name]
            total[share_column] = total[numerator] / total[base] if total[base] else float("nan")
        if interval is not None:
            from evaluation.process.contact_points import wilson_interval

            numerator, base = interval
            if total[base]:
                low, high = wilson_interval(total[numerator], total[base])
                total.update({share_column: total[numerator] / total[base], "conf_low": float(low),
                              "conf_high": float(high)})
        table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    store_frame(session, name, table, TITLES[name], count_columns=counts,
                n_column=result.n_column if result.n_column in table.columns else None, notes=list(result.notes),
                report_columns=REPORT_COLUMNS.get(name), percent_columns=PERCENT_COLUMNS.get(name),
                public=[c for c in public if c in table.columns], relations=getattr(result, "count_relations", ()))


#: The programme flats of each step, wherever a table counts them (for disclosure control).
FLATS_OF_STEP = {"name": "flats_of_step", "column": "units", "dims": ["step"]}
#: The count and the base of the share a result reports (for its total row).
SHARE_OF = {"dropout": ("dropout", "known_outcome")}


#: Columns the reports show (the CSV in the results folder keeps all of them).
REPORT_COLUMNS = {
    "support_dose": ["step", "period", "households", "household_months", "contacts_per_household_month",
                     "hours_per_household_month", "planned_hours_per_month", "percent_of_planned_hours"],
    "time_to_move_in": ["entry_step", "referred", "moved_in", "still_waiting", "median_days", "q1_days",
                        "q3_days", "max_days"],
    "dropout": ["step", "support_months", "spells", "dropout", "completed_support", "censored",
                "known_outcome", "dropout_share"],
    "processing_time": ["district", "applications", "decided", "undecided", "median_days", "median_conf_low",
                        "median_conf_high", "q1_days", "q3_days"],
    "lost_applications": ["district", "submitted", "old_enough", "decided_in_time", "decided_late", "lost",
                          "share_lost", "conf_low", "conf_high"],
    "tools_used": ["district", "tool", "count", "n", "share"],
    "equality_of_care": ["term", "test", "statistic", "df", "p_value", "effect_size", "effect_size_name"],
}
PERCENT_COLUMNS = {"lost_applications": ["share_lost", "conf_low", "conf_high"]}
#: Characteristics of entrants the report tabulates (the results folder has all of them).
ENTRY_CHARACTERISTICS = ("referral_source", "ethos_category", "household_type")


def _code_columns(codes: Any, field: str, result: str | None = None) -> dict[str, tuple[str, str]]:
    """Headers for columns named by codes (steps, outcomes) of ``field`` in the ``result`` pivoted."""
    from evaluation.reporting.labels import value_label

    def header(code: str, lang: str) -> str:
        text = value_label(code, field, lang, result=result) or code
        return text[:1].upper() + text[1:]

    return {str(c): (header(str(c), "cs"), header(str(c), "en")) for c in codes}


def _occupancy(session: Any, output: StrandOutput) -> None:
    """Occupancy by step over the whole period (the monthly series is the figure and a CSV)."""
    if not store_result(session, output, "occupancy", TITLES["occupancy_monthly"], stored_as="occupancy_monthly",
                        placement="folder"):
        return
    store_figure(session, "occupancy", output["occupancy"], FIGURES["occupancy"], table="occupancy_monthly",
                 alt=ALT["occupancy"])
    monthly = output["occupancy"].tidy()
    grouped = monthly.groupby("step", sort=False, observed=True)
    summary = pd.DataFrame({
        "units": grouped["units_available"].max(),
        "first_month": grouped["month"].min().dt.strftime("%Y-%m-%d"),
        "last_month": grouped["month"].max().dt.strftime("%Y-%m-%d"),
        "unit_days_available": grouped["unit_days_available"].sum(),
        "unit_days_occupied": grouped["unit_days_occupied"].sum(),
    }).reset_index()
    total = {"step": "total", "units": summary["units"].sum(), "first_month": summary["first_month"].min(),
             "last_month": summary["last_month"].max(),
             "unit_days_available": summary["unit_days_available"].sum(),
             "unit_days_occupied": summary["unit_days_occupied"].sum()}
    summary = pd.concat([summary, pd.DataFrame([total])], ignore_index=True)
    summary["occupancy_rate"] = summary["unit_days_occupied"] / summary["unit_days_available"]
    store_frame(session, "occupancy", summary, TITLES["occupancy"], count_columns=["units"],
                populations=[FLATS_OF_STEP], notes=[(
        "Obsazenost = obsazené bytodny / bytodny k dispozici za celé období, kdy byty daného stupně "
        "programu sloužily; průběh po měsících ukazuje graf.",
        "Occupancy = flat-days occupied / flat-days available over the whole period the step's flats "
        "served the programme; the monthly course is in the figure.")])


def _entry_profile(session: Any, output: StrandOutput) -> None:
    """Entrants by referral source, ETHOS category and household type (counts by entry step)."""
    if not store_result(session, output, "entry_profile", TITLES["entry_profile_detail"],
                        stored_as="entry_profile_detail", placement="folder", family="entry_profile",
                        dimensions=["entry_step", "characteristic", "category"]):
        return
    long = output["entry_profile"].tidy()
    long = long.loc[long["characteristic"].isin(ENTRY_CHARACTERISTICS)]
    if long.empty:
        return
    wide = long.pivot_table(index=["characteristic", "category"], columns="entry_step", values="count",
                            aggfunc="sum", sort=False, observed=True).fillna(0).astype(int)
    order = _step_order()
    steps = sorted((str(c) for c in wide.columns), key=lambda c: order.get(c, len(order)))
    wide.columns = [str(c) for c in wide.columns]
    wide = wide[steps]
    wide["total"] = wide[steps].sum(axis=1)
    wide = wide.reset_index()
    order = {c: i for i, c in enumerate(ENTRY_CHARACTERISTICS)}
    wide = wide.sort_values("characteristic", key=lambda c: c.map(order), kind="stable")
    session.store.add_table("entry_profile", wide, title_cs=TITLES["entry_profile"][0],
                            title_en=TITLES["entry_profile"][1], count_columns=[*steps, "total"],
                            family="entry_profile", dimensions=["characteristic", "category"],
                            wide=("entry_step", "count"), relations=[("total", steps)],
                            column_labels=_code_columns(steps, "entry_step"), notes=[(
                                "Počty domácností podle vstupního stupně; podrobnější členění (velikost "
                                "domácnosti, děti) je ve složce výsledků.",
                                "Households by entry step; finer breakdowns (household size, children) are "
                                "in the results folder.")])


def _rent_arrears(session: Any, output: StrandOutput) -> None:
    """Arrears by step at the end of each year, and months in arrears per step over the period."""
    if not store_result(session, output, "rent_arrears", TITLES["rent_arrears_monthly"],
                        stored_as="rent_arrears_monthly", placement="folder", family="rent_arrears",
                        dimensions=["step", "month"]):
        return
    result = output["rent_arrears"]
    store_figure(session, "rent_arrears", result, FIGURES["rent_arrears"], table="rent_arrears_monthly",
                 alt=ALT["rent_arrears"])
    monthly = result.tidy()
    monthly = monthly.assign(year=monthly["month"].dt.year)
    year_end = monthly.sort_values("month").groupby(["step", "year"], sort=False, observed=True).tail(1)
    year_end = year_end.sort_values(["step", "month"], key=lambda c: c.map(_step_order()) if c.name == "step"
                                    else c, kind="stable")
    year_end = year_end.assign(month=year_end["month"].dt.strftime("%Y-%m-%d"))
    store_frame(session, "rent_arrears", year_end[["step", "month", "households", "in_arrears",
                                                   "share_in_arrears", "median_balance_in_arrears"]],
                TITLES["rent_arrears"], count_columns=["households", "in_arrears"], n_column="households",
                family="rent_arrears", dimensions=["step", "month"], notes=[("Stav v posledním sledovaném měsíci každého roku (dluh = zůstatek na konci měsíce nad 0 Kč); "
                        "všechny měsíce ukazuje graf a tabulka ve složce výsledků.",
                        "Position in the last month observed in each year (arrears = month-end balance above "
                        "0 CZK); every month is in the figure and in the results folder.")])
    months = result.months_in_arrears()
    store_frame(session, "rent_arrears_summary", months[[
        "step", "tenancies", "ever_in_arrears", "share_ever_in_arrears", "median_months_in_arrears",
        "share_of_months_in_arrears"]], TITLES["rent_arrears_summary"],
        count_columns=["tenancies", "ever_in_arrears"], n_column="tenancies")


def _step_order() -> dict[str, int]:
    return {s: i for i, s in enumerate(("crisis", "social", "affordable", "housing_first", "standard"))}


def _applications(session: Any, output: StrandOutput) -> None:
    """Applications by contact point and year (the quarterly series is kept in the results folder)."""
    if "applications_received" not in output:
        return
    frame = output["applications_received"].tidy()
    frame = frame.assign(year=frame["period"].dt.year.astype(str))
    store_frame(session, "applications_quarterly", frame, TITLES["applications_quarterly"],
                count_columns=["applications"], placement="folder",
                dimensions=["contact_point", "period", "year"])
    wide = frame.pivot_table(index="contact_point", columns="year", values="applications", aggfunc="sum",
                             observed=True).fillna(0).astype(int)
    years = [str(c) for c in wide.columns]
    wide.columns = years
    wide["total"] = wide[years].sum(axis=1)
    session.store.add_table("applications_received", wide.reset_index(), title_cs=TITLES["applications_received"][0],
                            title_en=TITLES["applications_received"][1], count_columns=[*years, "total"],
                            dimensions=["contact_point"], wide=("year", "applications"),
                            aggregates=[{"table": "applications_quarterly"}], relations=[("total", years)],
                            column_labels={y: (y, y) for y in years})


def _decisions(session: Any, output: StrandOutput) -> None:
    """Outcomes of applications by district, one column per outcome."""
    if not store_result(session, output, "decisions", TITLES["decisions_detail"], stored_as="decisions_detail",
                        placement="folder", family="decisions", dimensions=["district", "outcome"]):
        return
    long = output["decisions"].tidy()
    wide = long.pivot_table(index="district", columns="outcome", values="count", aggfunc="sum", sort=False,
                            observed=True).fillna(0).astype(int)
    outcomes = [str(c) for c in wide.columns]
    wide.columns = outcomes
    wide["total"] = wide[outcomes].sum(axis=1)
    session.store.add_table("decisions", wide.reset_index(), title_cs=TITLES["decisions"][0],
                            title_en=TITLES["decisions"][1], count_columns=[*outcomes, "total"],
                            family="decisions", dimensions=["district"], wide=("outcome", "count"),
                            relations=[("total", outcomes)],
                            column_labels=_code_columns(outcomes, "outcome", "decisions"))


def _key_figures(session: Any, output: StrandOutput) -> None:
    """Headline numbers as references to cells of the stored tables, and the sentences quoting them."""
    store = session.store
    headline_cs, headline_en = [], []
    if "time_to_move_in" in output:
        store.add_key_figure("households_entered", table="time_to_move_in", row={"entry_step": "all"},
                             column="moved_in", label_cs="Nastěhované domácnosti", label_en="Households moved in",
                             unit="households", is_count=True)
        store.add_key_figure("median_days_to_move_in", table="time_to_move_in", row={"entry_step": "all"},
                             column="median_days", ci_columns=("q1_days", "q3_days"), n_column="moved_in",
                             label_cs="Medián dní od doporučení do nastěhování",
                             label_en="Median days from referral to move-in", unit="days", decimals=0)
        headline_cs.append("Do bytů programu se nastěhovalo {households_entered} domácností; od doporučení do "
                           "nastěhování uplynulo v mediánu {median_days_to_move_in} dní (polovina domácností "
                           "{median_days_to_move_in.ci} dní)")
        headline_en.append("{households_entered} households moved into programme flats; the median time from "
                           "referral to move-in was {median_days_to_move_in} days (middle half "
                           "{median_days_to_move_in.ci} days)")
    if "dropout" in output:
        store.add_key_figure("dropout_share", table="dropout", row={"step": "total"}, column="dropout_share",
                             n_column="known_outcome", label_cs="Podíl předčasných ukončení",
                             label_en="Drop-out share", unit="%", decimals=0)
    if "lost_applications" in output:
        store.add_key_figure("lost_share", table="lost_applications", row={"district": "total"},
                             column="share_lost", ci_columns=("conf_low", "conf_high"), n_column="old_enough",
                             label_cs="Podíl ztracených žádostí", label_en="Share of lost applications", unit="%",
                             decimals=1, n_unit="applications")
        store.add_text(
            "finding_contact_points",
            "Z {lost_share.n} žádostí na kontaktních místech starších než 90 dní zůstalo bez rozhodnutí "
            "{lost_share} (95% IS {lost_share.ci}).",
            "Of {lost_share.n} applications at the contact points older than 90 days, {lost_share} had no "
            "decision (95% CI {lost_share.ci}).")
    if headline_cs:
        store.add_text("headline", "; ".join(headline_cs) + ".", "; ".join(headline_en) + ".",
                       fallback=("Počty nastěhovaných domácností jsou v tabulce doby do nastěhování; malé počty "
                                 "jsou skryté.",
                                 "The numbers of households moved in are in the table of time to move-in; small "
                                 "counts are hidden."))


FIDELITY_LABELS = {
    "programme": ("Program", "Programme"), "domain": ("Oblast (kód)", "Domain (code)"),
    "title_cs": ("Oblast", "Domain"), "title_en": ("Oblast", "Domain"), "item": ("Položka", "Item"),
    "n_items": ("Položek", "Items"), "n_rated": ("Hodnoceno položek", "Items rated"),
    "mean_rating": ("Průměr položek (1–4)", "Mean item rating (1–4)"), "score": ("Body", "Score"),
    "min_score": ("Nejnižší možný počet bodů", "Lowest possible score"),
    "max_score": ("Nejvyšší možný počet bodů", "Highest possible score"),
    "percent": ("% rozsahu škály", "% of the range"), "rating": ("Hodnocení (1–4)", "Rating (1–4)"),
    "note": ("Poznámka", "Note"), "band_cs": ("Pásmo", "Band"), "band_en": ("Pásmo", "Band"),
}
FIDELITY_COLUMNS = ["programme", "domain", "title_cs", "title_en", "n_items", "n_rated", "mean_rating", "score",
                    "min_score", "max_score", "percent"]


def _fidelity_results(session: Any, output: StrandOutput) -> None:
    """Fidelity by domain (table, figure), the item ratings (results folder) and one sentence per programme."""
    if "fidelity" not in output:
        return
    result = output["fidelity"]
    profile = result.tidy()
    columns = FIDELITY_COLUMNS + [c for c in ("band_cs", "band_en") if profile[c].notna().any()]
    notes = [("Hodnocení programu podle škály věrnosti modelu Pathways Housing First (Stefancic a kol. 2013): "
              "38 položek 1–4, oblast = průměr položek, celkem = součet (38–152); procento = podíl rozsahu škály. "
              "Hodnotí evaluátor, ne data programu.",
              "The programme rated on the Pathways Housing First fidelity scale (Stefancic et al. 2013): 38 items "
              "1–4, domain = mean of its items, total = sum (38–152); percent = share of the scale's range. Rated "
              "by the evaluator, not computed from the programme's data."), *result.notes]
    store_frame(session, "fidelity", profile[columns], TITLES["fidelity"], notes=notes, percent_columns=[],
                dimensions=["programme", "domain"], public=["n_items", "n_rated", "min_score", "max_score"],
                report_columns=["programme", "title_cs", "title_en", "n_rated", "mean_rating", "score", "percent",
                                *[c for c in ("band_cs", "band_en") if c in columns]],
                column_labels=FIDELITY_LABELS)
    store_frame(session, "fidelity_items", result.items, TITLES["fidelity_items"], placement="folder",
                dimensions=["programme", "item"], public=[], column_labels=FIDELITY_LABELS)
    store_figure(session, "fidelity", result, FIGURES["fidelity"], table="fidelity", alt=ALT["fidelity"])
    sentences_cs, sentences_en = [], []
    for k, programme in enumerate(result.programmes, start=1):
        total = profile[(profile["programme"] == programme) & (profile["domain"] == "total")].iloc[0]
        if not pd.notna(total["score"]):
            continue
        row = {"programme": programme, "domain": "total"}
        session.store.add_key_figure(f"fidelity_score_{k}", table="fidelity", row=row, column="score", decimals=0,
                                     label_cs=f"Věrnost modelu Housing First, {programme}: body (38–152)",
                                     label_en=f"Housing First fidelity, {programme}: score (38–152)")
        session.store.add_key_figure(f"fidelity_percent_{k}", table="fidelity", row=row, column="percent",
                                     decimals=0, label_cs=f"Věrnost modelu Housing First, {programme}: % rozsahu",
                                     label_en=f"Housing First fidelity, {programme}: % of the range")
        domains = profile[(profile["programme"] == programme) & (profile["domain"] != "total")].dropna(subset=["percent"])
        weakest = domains.sort_values("percent").iloc[0] if len(domains) else None
        sentences_cs.append(f"Program {programme} naplňuje model Housing First na {{fidelity_percent_{k}}} % rozsahu "
                            f"škály Pathways ({{fidelity_score_{k}}} bodů z 38–152)"
                            + (f"; nejdál od modelu je oblast „{weakest['title_cs']}“" if weakest is not None else ""))
        sentences_en.append(f"Programme {programme} meets the Housing First model at {{fidelity_percent_{k}}}% of the "
                            f"Pathways scale's range ({{fidelity_score_{k}}} points of 38–152)"
                            + (f"; furthest from the model is the domain “{weakest['title_en']}”" if weakest is not None
                               else ""))
    if sentences_cs:
        session.store.add_text("finding_fidelity", ". ".join(sentences_cs) + ".", ". ".join(sentences_en) + ".")
