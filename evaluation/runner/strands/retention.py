"""Retention strand: tenancy retention and exits, and the names they are stored under.

Stored (``<scope>/retention/``): ``retention`` (Kaplan–Meier, still housed at the horizons;
figure), ``retention_by_step`` (by first programme step; figure), ``exits`` (Aalen–Johansen
cumulative incidence of leaving the first step up the staircase vs losing the home vs other;
figure), ``logrank_by_step``, ``transitions`` (moves from the programme steps),
``episodes`` (outcomes of the programme households' episodes); ``transitions_all`` and
``episodes_all`` (every household, comparison group included; results folder only); ``rmst``
(restricted mean survival time: the mean months housed in the first 12 and 20 months, for the
programme and by first step, with the difference and ratio against the step with most households).
Key figures ``housed_<h>m`` for each horizon and ``months_housed_<tau>m`` for each RMST horizon;
texts ``headline`` and ``finding_months_housed`` ("on average X of the first 20 months housed").

Retention is the *housing* definition of :func:`evaluation.retention.housing_episodes`
(moves up the staircase keep the episode going; eviction or abandonment is the event).
Episodes are censored at the end of the run's period when one is set, otherwise at the
latest date in the tenancy records.

Example
-------
>>> output = analyse(dataset, horizons_months=[6, 12, 20])   # doctest: +SKIP
>>> output["retention"].plot()                               # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from evaluation.runner.strands._common import (
    Collector,
    Reason,
    StrandOutput,
    period_end,
    store_frame,
    store_result,
    store_skipped,
)

TITLES = {
    "retention": ("Udržení bydlení (Kaplan–Meier)", "Tenancy retention (Kaplan–Meier)"),
    "retention_by_step": ("Udržení bydlení podle prvního stupně", "Tenancy retention by first step"),
    "exits": ("Odchody z prvního stupně: nahoru, ztráta bydlení, jinam",
              "Exits from the first step: up, home lost, elsewhere"),
    "logrank_by_step": ("Test shody udržení bydlení mezi stupni (log-rank)",
                        "Log-rank test of retention across steps"),
    "transitions": ("Přechody z programových stupňů", "Moves from the programme steps"),
    "episodes": ("Epizody bydlení domácností programu podle výsledku",
                 "Housing episodes of programme households by outcome"),
    "transitions_all": ("Přechody mezi stupni, všechny domácnosti", "Moves between steps, all households"),
    "episodes_all": ("Epizody bydlení podle výsledku, všechny domácnosti",
                     "Housing episodes by outcome, all households"),
}
FIGURES = {
    "retention": ("Podíl domácností, které si udržely bydlení", "Share of households keeping their home"),
    "retention_by_step": ("Udržení bydlení podle prvního stupně", "Retention by first step"),
    "exits": ("Kumulativní incidence odchodů", "Cumulative incidence of exits"),
}


def _programme_only(episodes: Any) -> Any:
    """Keep programme households' episodes (comparison households have no programme spells)."""
    frame = episodes.data
    if "group" in frame:
        frame = frame.loc[frame["group"].astype(str).eq("programme").to_numpy()]
    return frame


def analyse(data: Any, *, lang: str = "cs", seed: int = 2019,
            horizons_months: Sequence[float] = (6, 12, 20), rmst_months: Sequence[float] = (12, 20)) -> StrandOutput:
    """Estimate retention on ``data`` (a scoped Dataset)."""
    from evaluation import retention

    run = Collector("retention", data)
    needs = ("tenancies",)
    censor = period_end(data)
    times = tuple(float(h) for h in horizons_months)
    housing = run.run("episodes", needs, lambda: retention.housing_episodes(data, censor_date=censor))
    if housing is not None:
        frame = _programme_only(housing)
        first_step = "first_step" if "first_step" in frame else None
        run.run("retention", needs, lambda: retention.KaplanMeier(times=times).fit_episodes(frame))
        run.run("rmst", needs, lambda: retention.RestrictedMeanSurvival(tau=rmst_months).fit_episodes(frame))
        if first_step:
            run.run("retention_by_step", needs,
                    lambda: retention.KaplanMeier(times=times).fit_episodes(frame, by=first_step))
            run.run("rmst_by_step", needs, lambda: retention.RestrictedMeanSurvival(
                tau=rmst_months, reference=_largest_step(frame, first_step)).fit_episodes(frame, by=first_step))
            if frame[first_step].dropna().nunique() >= 2:
                run.run("logrank_by_step", needs, lambda: retention.logrank_test(
                    frame["exit_time"], frame["event"], frame[first_step], entry=frame["entry"]))
            else:
                run.skip("logrank_by_step", Reason(
                    "the log-rank test compares steps, and the households of this scope entered one step only",
                    "test log-rank porovnává stupně, domácnosti tohoto rozsahu ale vstoupily jen do jednoho"))
        else:
            for name in ("retention_by_step", "logrank_by_step", "rmst_by_step"):
                run.skip(name, Reason("the episodes carry no first step", "epizody bydlení neuvádějí první stupeň"))
    else:
        for name in ("retention", "retention_by_step", "logrank_by_step", "rmst", "rmst_by_step"):
            run.skip(name, run.skipped["episodes"])
    programme = run.run("programme_episodes", needs, lambda: retention.housing_episodes(
        data, definition="programme", censor_date=censor))
    if programme is not None:
        run.run("exits", needs, lambda: retention.AalenJohansen(times=times).fit_episodes(
            _programme_only(programme)))
    else:
        run.skip("exits", run.skipped["programme_episodes"])
    run.run("transitions", needs, lambda: retention.transitions(data))
    return run.output()


def _largest_step(frame: pd.DataFrame, column: str) -> str | None:
    """The first step most households entered (the reference of the RMST contrasts)."""
    counts = frame[column].dropna().astype(str).value_counts()
    return str(counts.index[0]) if len(counts) > 1 else None


#: Columns the reports show (the CSV keeps the standard errors and the terms).
REPORT_COLUMNS = {
    "retention": ["time", "estimate", "conf_low", "conf_high", "n_risk", "n_events"],
    "retention_by_step": ["first_step", "time", "estimate", "conf_low", "conf_high", "n_risk", "n_events"],
    "exits": ["cause", "time", "estimate", "conf_low", "conf_high", "n_events"],
    "transitions": ["from_step", "to", "kind", "count", "n_from", "share"],
}
#: Estimates that are probabilities (shown as per cent with their limits).
PROBABILITY_COLUMNS = ["estimate", "conf_low", "conf_high"]
LABELS = {
    "retention": {"estimate": ("V bydlení", "Still housed")},
    "retention_by_step": {"estimate": ("V bydlení", "Still housed")},
    "exits": {"estimate": ("Kumulativní incidence", "Cumulative incidence")},
}


#: Computations that only serve another analysis (for :func:`store_skipped`).
HELPERS = {"programme_episodes": ("exits", ("Epizody pobytu na programových stupních",
                                            "Spells on the programme steps"))}


ALT = {
    "retention": ("Křivka ukazuje podíl domácností programu, které si bydlení udržely, podle měsíců od "
                  "nastěhování, s 95% pásem spolehlivosti a počty domácností v riziku.",
                  "The curve shows the share of programme households keeping their home by months since move-in, "
                  "with a 95% confidence band and the numbers at risk."),
    "retention_by_step": ("Křivky ukazují udržení bydlení zvlášť pro každý stupeň, do kterého domácnosti "
                          "vstoupily.", "The curves show retention separately for each step households entered."),
    "exits": ("Křivky ukazují, jaký podíl domácností do daného měsíce odešel nahoru po schodech, přišel o "
              "bydlení nebo odešel jinam.",
              "The curves show the share of households that by a given month had moved up the staircase, lost "
              "their home or left otherwise."),
}


def save(session: Any, output: StrandOutput) -> None:
    """Store the retention results under their stable names (see the module docstring)."""
    _episodes(session, output)
    _transitions(session, output)
    for name, titles in TITLES.items():
        if name in ("episodes", "transitions", "episodes_all", "transitions_all") or name not in output:
            continue
        probability = name in ("retention", "retention_by_step", "exits")
        group = _group_column(output[name]) if probability else None
        columns = set(output[name].tidy().columns)
        store_result(session, output, name, titles, figure=FIGURES.get(name), lang=session.lang,
                     report_columns=REPORT_COLUMNS.get(name), column_labels=LABELS.get(name),
                     percent_columns=PROBABILITY_COLUMNS if probability else None, alt=ALT.get(name),
                     family=name, dimensions=[c for c in (group, "cause", "time") if c in columns] if probability else None,
                     populations=[PROGRAMME_HOUSEHOLDS | {"row": {group: "all"}, "column": "n"}]
                     if probability and group == "group" else None)
    if "retention" in output:
        table = output["retention"].tidy()
        horizons = [float(str(term).removeprefix("S(").removesuffix(")")) for term in table["term"]]
        parts_cs, parts_en = [], []
        for months in horizons:
            key = f"housed_{months:g}m"
            session.store.add_key_figure(
                key, table="retention", row={"group": "all", "term": f"S({months:g})"}, column="estimate",
                ci_columns=("conf_low", "conf_high"), n_column="n", label_cs=f"V bydlení po {months:g} měsících",
                label_en=f"Still housed at {months:g} months", unit="%", decimals=0)
            parts_cs.append(f"po {months:g} měsících {{{key}}} (95% IS {{{key}.ci}})")
            parts_en.append(f"{{{key}}} at {months:g} months (95% CI {{{key}.ci}})")
        if parts_cs:
            first = f"housed_{horizons[0]:g}m"
            fallback = None
            if len(parts_cs) > 1:
                fallback = (f"Bydlení si udrželo {_join(parts_cs[1:], ' a ')} domácností programu; údaj za "
                            f"{horizons[0]:g} měsíců se neuvádí, protože by prozradil malý počet odchodů.",
                            f"Of programme households, {_join(parts_en[1:], ' and ')} were still housed; the figure "
                            f"at {horizons[0]:g} months is not given because it would reveal a small number of "
                            "exits.")
            session.store.add_text(
                "headline", f"Z {{{first}.n}} domácností programu si bydlení udrželo {_join(parts_cs, ' a ')}.",
                f"Of {{{first}.n}} programme households, {_join(parts_en, ' and ')} were still housed.",
                fallback=fallback)
    _rmst(session, output)
    store_skipped(session, output, TITLES, helpers=HELPERS)


ESTIMATE_COLUMNS = ["estimate", "std_error", "conf_low", "conf_high", "rmtl"]
RMST_COLUMNS = ["first_step", "tau", "term", *ESTIMATE_COLUMNS, "n", "difference", "difference_low", "difference_high", "difference_p",
                "ratio", "ratio_low", "ratio_high"]
RMST_LABELS = {
    "tau": ("Prvních měsíců", "First months"),
    "n_late_entry": ("Opožděný vstup (domácnosti)", "Late entries (households)"),
    "estimate": ("Průměrně měsíců v bydlení", "Mean months housed"),
    "rmtl": ("Průměrně měsíců bez bydlení", "Mean months not housed"),
    "difference": ("Rozdíl proti referenčnímu stupni (měsíce)", "Difference from the reference step (months)"),
    "difference_low": ("Rozdíl: dolní mez IS", "Difference: CI low"),
    "difference_high": ("Rozdíl: horní mez IS", "Difference: CI high"),
    "difference_p": ("Rozdíl: p-hodnota", "Difference: p-value"),
    "ratio": ("Poměr k referenčnímu stupni", "Ratio to the reference step"),
    "ratio_low": ("Poměr: dolní mez IS", "Ratio: CI low"),
    "ratio_high": ("Poměr: horní mez IS", "Ratio: CI high"),
}


CONTRAST_COLUMNS = ["difference", "difference_low", "difference_high", "difference_p", "ratio", "ratio_low",
                    "ratio_high"]


def rmst_table(output: StrandOutput, threshold: int = 5) -> tuple[pd.DataFrame | None, bool]:
    """The programme's RMST (row ``all``) and each first step's, with the difference and ratio against
    the reference step in the step's own row, and whether contrasts were left out.

    Publication hides a step's RMST when its exits are fewer than ``threshold``; a contrast would give
    the hidden RMST back from a shown one, so at a horizon where any step has such a small number of
    exits no contrast is given."""
    if "rmst" not in output:
        return None, False
    overall = output["rmst"].tidy()
    overall = overall.drop(columns=[c for c in overall.columns if c in ("group", "first_step")])
    frames = [overall.assign(first_step="all")]
    if "rmst_by_step" in output:
        result = output["rmst_by_step"]
        by_step = result.tidy().rename(columns={result.group_name: "first_step"})
        contrasts = result.contrasts().rename(columns={"group": "first_step"})
        if not contrasts.empty:
            wide = contrasts.pivot_table(index=["first_step", "tau"], columns="term",
                                         values=["estimate", "conf_low", "conf_high", "p_value"], aggfunc="first")
            wide.columns = [f"{term}_{value}" for value, term in wide.columns]
            wide = wide.reset_index().rename(columns={
                "difference_estimate": "difference", "difference_conf_low": "difference_low",
                "difference_conf_high": "difference_high", "difference_p_value": "difference_p",
                "ratio_estimate": "ratio", "ratio_conf_low": "ratio_low", "ratio_conf_high": "ratio_high"})
            by_step = by_step.merge(wide, on=["first_step", "tau"], how="left")
        frames.append(by_step)
    table = pd.concat(frames, ignore_index=True)
    table["first_step"] = table["first_step"].astype(str)
    for column in RMST_COLUMNS:
        if column not in table.columns:
            table[column] = float("nan")
    events = table["n_events"]
    few = (table["first_step"] != "all") & (events > 0) & (events < threshold)
    small = table.loc[few, "tau"]
    blanked = table["tau"].isin(set(small)) & table[CONTRAST_COLUMNS].notna().any(axis=1)
    table.loc[table["tau"].isin(set(small)), CONTRAST_COLUMNS] = float("nan")
    # a step's mean and its variance, from a handful of exits, give the number of exits back (and the
    # exits of the steps add up to the programme's): such a step's RMST is not given, and the table
    # carries no exit counts (they are in the retention tables, protected there)
    table.loc[few, ESTIMATE_COLUMNS] = float("nan")
    return table[RMST_COLUMNS], bool(blanked.any() or few.any())


def _step_sums(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The programme's households and exits at each horizon are the sums over the first steps (declared
    for disclosure control where they are, so that a hidden step cannot be the difference)."""
    relations = []
    for term, rows in table.groupby("term", sort=False):
        total, steps = rows[rows["first_step"] == "all"], rows[rows["first_step"] != "all"]
        if len(total) == 1 and len(steps) > 1 and all(
                float(total[c].iloc[0]) == float(steps[c].sum()) for c in ("n",)):
            relations.append({"total": {"first_step": "all", "term": term},
                              "parts": [{"first_step": s, "term": term} for s in steps["first_step"]]})
    return relations


def _rmst(session: Any, output: StrandOutput) -> None:
    """Months housed in the first 12 and 20 months (RMST), the key figures and the sentence quoting them."""
    threshold = session.store.rules.threshold
    table, left_out = rmst_table(output, threshold)
    if table is None:
        return
    reference = output["rmst_by_step"].reference if "rmst_by_step" in output else None
    note_ref = None
    if reference:
        from evaluation.reporting.labels import value_label

        words = [value_label(reference, "first_step", lang) or reference for lang in ("cs", "en")]
        note_ref = (f"Rozdíl a poměr se vztahují k prvnímu stupni s nejvíce domácnostmi ({words[0]}).",
                    f"Difference and ratio are against the first step with the most households ({words[1]}).")
    store_frame(session, "rmst", table, ("Průměrná doba v bydlení během prvních měsíců (RMST)",
                                         "Mean months housed in the first months (restricted mean survival time)"),
                count_columns=[], n_column="n",
                dimensions=["first_step", "tau", "term"], percent_columns=[], column_labels=RMST_LABELS,
                report_columns=["first_step", "tau", "estimate", "conf_low", "conf_high", "n",
                                "difference", "ratio"],
                row_relations=_step_sums(table),
                populations=[PROGRAMME_HOUSEHOLDS | {"row": {"first_step": "all", "term": table["term"].iloc[0]},
                                                    "column": "n"}],
                notes=[("Plocha pod Kaplanovou–Meierovou křivkou do daného měsíce: kolik z prvních měsíců "
                        "domácnosti programu průměrně bydlely (95% IS z rozptylu Greenwoodova typu, jako R "
                        "survRM2); domácnosti, které bydlely už před začátkem záznamů, vstupují opožděně.",
                        "Area under the Kaplan–Meier curve up to the month: how many of the first months programme "
                        "households stayed housed on average (95% CI from the Greenwood-type variance, as R "
                        "survRM2); households housed before the records start enter late."),
                       *([note_ref] if note_ref else []),
                       *([(f"Stupeň s méně než {threshold} ztrátami bydlení do daného měsíce nemá uvedený průměr a rozdíly mezi "
                           "stupni se u takového horizontu neuvádějí: prozradily by počet ztrát.",
                           f"A step with fewer than {threshold} losses of the home by the month has no mean given, and "
                           "differences between steps are not given at such a horizon: they would reveal the number "
                           "of losses.")] if left_out else [])])
    overall = table[table["first_step"] == "all"]
    shown = [(float(tau), term) for tau, term, value in zip(overall["tau"], overall["term"], overall["estimate"])
             if pd.notna(value)]
    keys = []
    for tau, term in shown:
        key = f"months_housed_{tau:g}m"
        session.store.add_key_figure(
            key, table="rmst", row={"first_step": "all", "term": term}, column="estimate",
            ci_columns=("conf_low", "conf_high"), n_column="n", decimals=1,
            label_cs=f"Průměrně měsíců v bydlení z prvních {tau:g}", label_en=f"Mean months housed of the first {tau:g}")
        keys.append((tau, key))
    if not shown:
        return
    (last_tau, last), *_ = sorted(keys, reverse=True)
    text_cs = (f"Domácnosti programu bydlely během prvních {last_tau:g} měsíců od nastěhování v průměru {{{last}}} "
               f"měsíce (95% IS {{{last}.ci}})")
    text_en = (f"Programme households stayed housed on average {{{last}}} of the first {last_tau:g} months after "
               f"moving in (95% CI {{{last}.ci}})")
    for tau, key in sorted(keys):
        if key != last:
            text_cs += f"; během prvních {tau:g} měsíců {{{key}}} měsíce"
            text_en += f"; {{{key}}} of the first {tau:g} months"
    session.store.add_text("finding_months_housed", text_cs + ".", text_en + ".")


def _group_column(result: Any) -> str:
    """The column of a curve result's tidy table that names its groups (``group``, ``first_step``)."""
    table = result.tidy()
    return next((c for c in table.columns if c not in ("term", "time", "cause") and not
                 pd.api.types.is_numeric_dtype(table[c])), "group")


def _join(items: list[str], last: str) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + last + items[-1]


#: The number of programme households of the scope, wherever a table shows it (for disclosure control).
PROGRAMME_HOUSEHOLDS = {"name": "programme_households"}
#: Programme steps (transitions from a standard tenancy are not part of the programme).
PROGRAMME_STEPS = ("crisis", "social", "affordable", "housing_first")


def _episodes(session: Any, output: StrandOutput) -> None:
    """Outcomes of the programme households' housing episodes (all households in the CSV)."""
    if not store_result(session, output, "episodes", TITLES["episodes_all"], stored_as="episodes_all",
                        placement="folder"):
        return
    frame = _programme_only(output["episodes"])
    counts = frame.groupby("outcome", sort=False, observed=True).agg(
        households=("household_id", "nunique"), event=("event", "first")).reset_index()
    counts["outcome"] = counts["outcome"].astype(str)
    counts = pd.concat([counts, pd.DataFrame([{"outcome": "total", "households": int(frame["household_id"].nunique()),
                                               "event": None}])], ignore_index=True)
    store_frame(session, "episodes", counts, TITLES["episodes"], count_columns=["households"], dimensions=["outcome"],
                populations=[PROGRAMME_HOUSEHOLDS | {"row": {"outcome": "total"}, "column": "households"}])


def _transitions(session: Any, output: StrandOutput) -> None:
    """Moves from each programme step (the moves of standard tenancies stay in the CSV)."""
    if not store_result(session, output, "transitions", TITLES["transitions_all"], stored_as="transitions_all",
                        placement="folder"):
        return
    table = output["transitions"].tidy()
    table = table.loc[table["from_step"].astype(str).isin(PROGRAMME_STEPS)]
    store_frame(session, "transitions", table, TITLES["transitions"], count_columns=["count", "n_from"],
                n_column="n_from", report_columns=REPORT_COLUMNS["transitions"])
