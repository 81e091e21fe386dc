"""Impact strand: the difference-in-differences analyses and the names they are stored under.

Two designs, as in the brief:

* **Household cohorts.** Programme households against comparison (waiting-list) households,
  month by month from ``household_outcomes``. A programme household is treated from the
  month of its first programme move-in; comparison households are never treated; programme
  households not housed by the end of the data are left out (counted), being neither.
  Event study (TWFE leads and lags, clustered by household) on the monthly panel, and the
  Callaway–Sant'Anna staggered DiD on the quarterly panel (quarter of entry = cohort).
* **Municipality panel.** Pilot against non-pilot municipalities, year by year, evictions per
  1,000 inhabitants (a rate, so that municipalities of any size compare): Callaway–Sant'Anna by year of pilot start, and a TWFE DiD with the
  wild cluster bootstrap (few treated clusters: a handful of pilot municipalities).

Balance of the comparison group: propensity-score matching of programme on comparison
households on characteristics at entry, with standardised differences before and after.

Pre-tests of parallel trends: the event study's F test of its leads, and for each staggered
design ``res.pretest()`` -- R did's Wald test when it is reliable, else the studentised
wild-bootstrap sup-t test (:mod:`evaluation.impact.staggered_pretest`); R did's Wald p-value
(``res.pretest_p_value``) is shown beside it in the ``pretrend`` table for comparison only.

Stored (``<scope>/impact/``): ``event_study`` (figure; table in the appendix),
``staggered_households`` and ``staggered_municipalities`` (overall and by event time; figures;
tables in the appendix), ``wild_bootstrap``, ``balance`` and ``pretrend`` (diagnostics: every
pre-test, one row each). Key figures ``att_households``, ``att_municipalities``,
``wild_bootstrap_p``, ``pretest_p_households``, ``pretest_p_municipalities`` (p-value of the
pre-test used, labelled with its method); texts ``method``, ``assumptions``, ``diagnostics``,
``headline``, ``finding_municipalities``.

Example
-------
>>> output = analyse(dataset, bootstrap_draws=999, event_window=[-12, 24])   # doctest: +SKIP
>>> output["event_study"].plot()                                             # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from evaluation.runner.strands._common import (
    Collector,
    Reason,
    StrandOutput,
    disclosure_columns,
    store_figure,
    store_frame,
    store_result,
    store_skipped,
)

#: Main household outcome (housing-related debt) and the municipality outcome.
HOUSEHOLD_OUTCOME = "arrears_czk"
MUNICIPALITY_OUTCOME = "evictions_per_1000"
#: Characteristics at entry used for the propensity score (ordinal income band as 0..3).
BALANCE_COVARIATES = ("household_size", "children", "income_band_rank")

TITLES = {
    "event_study": ("Studie událostí: dluh na bydlení kolem nastěhování",
                    "Event study: housing debt around move-in"),
    "staggered_households": ("Postupný vstup (Callaway–Sant'Anna): domácnosti",
                             "Staggered DiD (Callaway–Sant'Anna): households"),
    "staggered_municipalities": ("Postupný vstup (Callaway–Sant'Anna): obce, vystěhování na 1 000 obyvatel",
                                 "Staggered DiD (Callaway–Sant'Anna): municipalities, evictions per 1,000"),
    "wild_bootstrap": ("Wild cluster bootstrap: pilotní obce", "Wild cluster bootstrap: pilot municipalities"),
    "balance": ("Vyváženost srovnávací skupiny", "Balance of the comparison group"),
    "pretrend": ("Testy paralelních trendů před vstupem", "Pre-tests of parallel trends before entry"),
}
FIGURES = {
    "event_study": ("Odhad efektu podle měsíce od nastěhování (95% interval)",
                    "Effect by month since move-in (95% interval)"),
    "staggered_households": ("Efekt podle čtvrtletí od vstupu", "Effect by quarter since entry"),
    "staggered_municipalities": ("Efekt podle roku od začátku pilotu", "Effect by year since the pilot start"),
}


def month_index(dates: pd.Series) -> pd.Series:
    """Months since January 2000 (an integer time axis for the panel estimators)."""
    return (dates.dt.year - 2000) * 12 + dates.dt.month - 1


def household_panel(data: Any) -> tuple[pd.DataFrame, list[Reason]]:
    """Monthly household panel with ``month``, ``quarter`` and ``first_month``/``first_quarter``
    (first programme move-in; 0 = comparison household), and the notes on who was left out."""
    households = data["households"]
    outcomes = data["household_outcomes"]
    tenancies = data["tenancies"]
    programme_steps = tenancies["step"].astype(str) != "standard"
    entry = tenancies.loc[programme_steps].groupby("household_id", observed=True)["start_date"].min()
    group = households.set_index("household_id")["group"].astype(str)
    programme = group[group == "programme"].index
    not_housed = programme.difference(entry.index)
    panel = outcomes.merge(households[["household_id", "municipality"]], on="household_id", how="inner")
    panel = panel[~panel["household_id"].isin(not_housed)].copy()
    panel["month"] = month_index(panel["month"])
    first = month_index(entry).reindex(panel["household_id"]).to_numpy()
    is_programme = group.reindex(panel["household_id"]).eq("programme").to_numpy()
    panel["first_month"] = np.where(is_programme, first, 0).astype(float)
    panel["quarter"] = panel["month"] // 3
    panel["first_quarter"] = np.where(panel["first_month"] > 0, panel["first_month"] // 3, 0)
    notes = []
    if len(not_housed):
        notes.append(Reason(
            f"{len(not_housed)} programme household(s) not housed by the end of the data were left out of the "
            "household panel (neither treated nor comparison)",
            f"Domácnosti programu, které do konce dat nebyly nastěhovány, nejsou v panelu domácností "
            f"(nepatří do programové ani do srovnávací skupiny): {len(not_housed)}."))
    return panel, notes


def quarterly_panel(panel: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Quarterly means of ``outcome`` per household (the staggered DiD's time unit)."""
    keys = ["household_id", "quarter", "first_quarter", "municipality"]
    return panel.groupby(keys, observed=True, as_index=False)[outcome].mean()


def municipality_panel(data: Any) -> pd.DataFrame:
    panel = data["municipality_panel"].copy()
    panel[MUNICIPALITY_OUTCOME] = panel["evictions"] / panel["population"] * 1_000
    panel["first_year"] = panel["pilot_start_period"].fillna(0).astype(float)
    panel["treated_post"] = ((panel["first_year"] > 0) & (panel["period"] >= panel["first_year"])).astype(float)
    return panel


def balance_frame(data: Any) -> pd.DataFrame:
    households = data["households"].copy()
    households["programme"] = (households["group"].astype(str) == "programme").astype(int)
    households["income_band_rank"] = households["income_band"].cat.codes.replace(-1, np.nan) \
        if hasattr(households["income_band"], "cat") else np.nan
    return households


def analyse(data: Any, *, lang: str = "cs", seed: int = 2019, bootstrap_draws: int = 999,
            event_window: Sequence[int] = (-12, 24), placebo_draws: int = 100,
            questions: Any = None) -> StrandOutput:
    """Run the impact analyses on ``data`` (a scoped Dataset); the design decides the method of
    each municipality-panel question (:mod:`evaluation.runner.strands.impact_design`)."""
    from evaluation import impact
    from evaluation.impact.staggered import staggered_did
    from evaluation.runner.strands import impact_design as design
    from evaluation.runner.strands import impact_national as national

    questions = strand_questions(questions, data)
    run = Collector("impact", data)
    leads, lags = -int(event_window[0]), int(event_window[1])
    hh_tables = ("households", "tenancies", "household_outcomes")
    panel_notes: list[Reason] = []
    panel: pd.DataFrame | None = None
    if run.has_rows(*hh_tables):
        panel, panel_notes = household_panel(data)
        if panel["first_month"].eq(0).all() or panel["first_month"].gt(0).sum() == 0:
            reason = Reason("the household panel needs both programme and comparison households",
                            "panel domácností potřebuje domácnosti programu i srovnávací domácnosti")
            run.skip("event_study", reason)
            run.skip("staggered_households", reason)
            panel = None
    if panel is not None:
        study = run.run("event_study", hh_tables, lambda: impact.event_study(
            panel, HOUSEHOLD_OUTCOME, "household_id", "month", "first_month", leads=leads, lags=lags))
        run.run("staggered_households", hh_tables, lambda: staggered_did(
            quarterly_panel(panel, HOUSEHOLD_OUTCOME), HOUSEHOLD_OUTCOME, "household_id", "quarter",
            "first_quarter", control_group="not_yet_treated", allow_unbalanced=True,
            n_bootstrap=bootstrap_draws, seed=seed))
        if study is not None:
            run.run("honest_households", hh_tables, lambda: design.sensitivity(
                study, pre=HONEST_WINDOW_MONTHS, post=HONEST_WINDOW_MONTHS))
    towns = ("municipality_panel",)
    if run.has_rows(*towns):
        mpanel = design.add_rates(municipality_panel(data))
        treated = len(design.treated_places(mpanel))
        places = mpanel["municipality"].nunique()
        for outcome in design.panel_outcomes(questions, mpanel.columns).values():
            if not outcome.orp:
                _panel_design(run, mpanel, outcome, treated, places, bootstrap_draws, placebo_draws, seed)
    if national.has_panel(data):  # national data: the roll-out of the contact points by district
        national.analyse(run, data, [o for o in design.panel_outcomes(questions).values() if o.orp],
                         bootstrap_draws=bootstrap_draws, placebo_draws=placebo_draws, seed=seed)
    if not national.has_panel(data):  # national households are applicants: there is no comparison group
        run.run("balance", ("households",), lambda: impact.match(
            balance_frame(data), "programme", list(BALANCE_COVARIATES), ratio=1, caliper=0.2))
    output = run.output()
    return StrandOutput(output.strand, output.results, output.skipped, tuple(panel_notes))


#: Months before and after move-in HonestDiD examines (the average effect of the first half-year,
#: the violation bounded by the half-year before move-in): the C-LF test with the whole monthly
#: window would enumerate billions of vertices.
HONEST_WINDOW_MONTHS = 6


def _panel_design(run: Collector, mpanel: pd.DataFrame, outcome: Any, treated: int, places: int,
                  bootstrap_draws: int, placebo_draws: int, seed: int) -> None:
    """One municipality-panel question: Callaway–Sant'Anna, then the method the design calls for."""
    from evaluation.impact.staggered import staggered_did
    from evaluation.runner.strands import impact_design as design

    towns = ("municipality_panel",)
    column = outcome.column
    if column not in mpanel or mpanel[column].notna().sum() == 0:
        run.skip(outcome.primary, Reason(f"the municipality panel has no {outcome.source} values",
                                         f"panel obcí nemá hodnoty {outcome.source}"))
        return
    run.run(outcome.primary, towns, lambda: staggered_did(
        mpanel.dropna(subset=[column]), column, "municipality", "period", "first_year",
        n_bootstrap=bootstrap_draws, seed=seed, allow_unbalanced=True))
    if not 0 < treated < places:
        run.skip(outcome.check, Reason("the municipality panel needs pilot and non-pilot municipalities",
                                       "panel obcí potřebuje pilotní obce i obce bez pilotu"))
        return
    if treated == 1:
        run.skip(outcome.check, Reason(
            "one treated municipality: a cluster bootstrap cannot estimate the uncertainty; the synthetic control "
            "with placebo-in-space inference is used instead",
            "v programu je jediná obec: bootstrap po shlucích nejistotu odhadnout nedokáže; místo něj se používá "
            "syntetická kontrola s placebo testem v prostoru"))
        sc = run.run(outcome.name("synthetic_control"), towns, lambda: design.synthetic_control(mpanel, column))
        if sc is not None:
            run.run(outcome.name("sc_placebo"), towns, lambda: sc.placebo_in_space())
        run.run(outcome.name("sdid"), towns, lambda: design.synthetic_did(mpanel, column, placebo_draws, seed))
        return
    choice = run.run(outcome.name("inference_choice"), towns, lambda: design.inference_choice(mpanel, column))
    name = outcome.name("randomization") if choice is not None and choice.method == "randomization" \
        else outcome.check
    run.run(name, towns, lambda: design.twfe_check(mpanel, column, choice, bootstrap_draws, seed))
    panel_result = run.run(outcome.name("robustness"), towns, lambda: design.robustness(mpanel, column))
    if panel_result is not None:
        run.run(outcome.name("honest"), towns, lambda: design.sensitivity(panel_result.event_study))


def _wild_bootstrap(panel: pd.DataFrame, draws: int, seed: int) -> Any:
    from evaluation.impact import wild_cluster_bootstrap

    return wild_cluster_bootstrap(panel, f"{MUNICIPALITY_OUTCOME} ~ treated_post", "treated_post",
                                  "municipality", B=draws, seed=seed,
                                  fixed_effects=["municipality", "period"])


#: Columns the reports show (the CSV keeps all).
REPORT_COLUMNS = {
    "event_study": ["term", "estimate", "conf_low", "conf_high", "p_value"],
    "staggered": ["term", "estimate", "conf_low", "conf_high", "p_value", "band"],
    "wild_bootstrap": ["estimate", "conf_low", "conf_high", "p_value", "n_clusters", "n_draws", "weights", "method"],
    "balance": ["term", "mean_treated", "mean_comparison", "smd_before", "mean_treated_after",
                "mean_comparison_after", "smd_after"],
}
#: The time unit of each design's event time (words the x axis of its figure).
TIME_UNITS = {"event_study": "month", "staggered_households": "quarter", "staggered_municipalities": "year"}
TIME_LABELS = {
    "event_study": ("Měsíce od nastěhování", "Months since move-in"),
    "staggered_households": ("Čtvrtletí od vstupu", "Quarters since entry"),
    "staggered_municipalities": ("Roky od začátku pilotu", "Years since the pilot start"),
}
ATT_LABELS = {
    "att_households": ("Průměrný efekt na dluh na bydlení", "Average effect on housing debt", "CZK", 0),
    "att_municipalities": ("Průměrný efekt na vystěhování na 1 000 obyvatel",
                           "Average effect on evictions per 1,000 inhabitants", "", 2),
}


#: Key figure of each staggered design's pre-test of parallel trends (its p-value) and the design in words.
PRETEST_FIGURES = {
    "staggered_households": ("pretest_p_households", ("kohorty domácností", "household cohorts")),
    "staggered_municipalities": ("pretest_p_municipalities", ("pilotní obce", "pilot municipalities")),
}
#: The pre-tests of evaluation.impact.staggered_pretest in words (Czech, English).
METHOD_WORDS = {
    "wald": ("Waldův test (χ², jako balík R did)", "Wald test (chi-square, as R did)"),
    "sup_t": ("sup-t test s multiplikátorovým bootstrapem", "sup-t test with the multiplier bootstrap"),
    "wald_bootstrap": ("Waldův test se studentizovaným wild bootstrapem",
                       "Wald test with a studentised wild bootstrap"),
    "sup_t_bootstrap": ("sup-t test se studentizovaným wild bootstrapem",
                        "sup-t test with a studentised wild bootstrap"),
    "f": ("F test Hotellingova typu po kohortách", "Hotelling-type F test by cohort"),
}
PRETREND_LABELS = {
    "test": ("Test", "Test"),
    "coefficients": ("Testované koeficienty", "Coefficients tested"),
    "statistic": ("Statistika", "Statistic"),
    "df": ("Stupně volnosti", "Degrees of freedom"),
    "p_value": ("p-hodnota", "p-value"),
    "wald_p_value": ("p-hodnota Waldova testu R did", "p-value of R did's Wald test"),
}


def method_words(method: str) -> tuple[str, str]:
    """A pre-test method in words (Czech, English)."""
    return METHOD_WORDS.get(method, (method, method))


def pretests(output: StrandOutput) -> dict[str, Any]:
    """The pre-test of parallel trends of each staggered design: ``res.pretest()`` (R did's Wald
    test when it is reliable, else the studentised wild-bootstrap sup-t test)."""
    return {name: output[name].pretest() for name in PRETEST_FIGURES if name in output}


def pretrend_rows(output: StrandOutput, tests: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the ``pretrend`` table: the event study's F test of its leads, then each staggered
    design's pre-test with R did's Wald p-value beside it (for comparison)."""
    rows = []
    if "event_study" in output and output["event_study"].pretrend is not None:
        test = output["event_study"].pretrend
        rows.append({"test_cs": "Studie událostí: F test, že jsou všechny předstihy nulové",
                     "test_en": "Event study: F test that all leads are zero",
                     "coefficients": len(test.terms), "statistic": test.statistic,
                     "df": f"{test.df_num}; {test.df_denom:g}", "p_value": test.p_value, "wald_p_value": np.nan})
    for name, test in tests.items():
        design_cs, design_en = PRETEST_FIGURES[name][1]
        method_cs, method_en = method_words(test.method)
        df = f"{test.df:g}" if test.method in ("wald", "f") else ""
        rows.append({"design": name, "test_cs": f"Callaway–Sant’Anna, {design_cs}: {method_cs}",
                     "test_en": f"Callaway–Sant’Anna, {design_en}: {method_en}",
                     "coefficients": test.n_cells, "statistic": test.statistic, "df": df,
                     "p_value": test.p_value, "wald_p_value": output[name].pretest_p_value})
    return rows


def pretest_notes(output: StrandOutput, tests: dict[str, Any]) -> list[tuple[str, str]]:
    """Notes of the ``pretrend`` table (Czech, English): what each test tests, and why R did's
    Wald test is shown for comparison only where it is."""
    from evaluation.reporting.formatting import format_number

    what_cs = ("Studie událostí: stupně volnosti F testu jsou čitatel; jmenovatel. Testy Callawaye a Sant’Anny "
               "testují, že jsou všechny předtrendové ATT(g,t) nulové; sup-t test srovnává největší |t| "
               "s rozdělením ze studentizovaného wild bootstrapu s vnuceným nulovým efektem.")
    what_en = ("Event study: the F test's degrees of freedom are numerator; denominator. The Callaway–Sant’Anna "
               "tests test that all pre-treatment ATT(g,t) are zero; the sup-t test compares the largest |t| with "
               "its distribution under a studentised wild bootstrap with the null imposed.")
    notes = [(what_cs, what_en)]
    for name, test in tests.items():
        res = output[name]
        if res.pretest_reliable and test.method == "wald":
            continue
        design_cs, design_en = PRETEST_FIGURES[name][1]
        if np.isfinite(res.pretest_p_value):
            cohorts = sum(issue.startswith("group") for issue in res.wald_pretest_issues)
            cause_cs = (f"{cohorts} z {len(res.groups)} kohort má málo jednotek v programu na počet "
                        "předtrendových ATT(g,t)" if cohorts
                        else "kovariance předtrendových ATT(g,t) je téměř singulární")
            cause_en = (f"{cohorts} of {len(res.groups)} cohorts have few treated units for their pre-treatment "
                        "ATT(g,t)"
                        if cohorts else "the covariance of the pre-treatment ATT(g,t) is nearly singular")
            why_cs = (f"(p = {format_number(res.pretest_p_value, 'cs', 3)}) je zde nespolehlivý: {cause_cs}, "
                      "a platné paralelní trendy by proto zamítal příliš často")
            why_en = (f"(p = {format_number(res.pretest_p_value, 'en', 3)}) is unreliable here: {cause_en}, so it "
                      "would reject true parallel trends too often")
        else:
            why_cs = "nelze spočítat (kovariance předtrendových ATT(g,t) je singulární)"
            why_en = "cannot be computed (the covariance of the pre-treatment ATT(g,t) is singular)"
        method_cs, method_en = method_words(test.method)
        draws_cs = f" ({test.n_bootstrap} losování)" if test.n_bootstrap else ""
        draws_en = f" ({test.n_bootstrap} draws)" if test.n_bootstrap else ""
        note_cs = f"{design_cs.capitalize()}: Waldův test balíku R did {why_cs}; použit je {method_cs}{draws_cs}."
        note_en = f"{design_en.capitalize()}: R did's Wald test {why_en}; the {method_en} is used instead{draws_en}."
        notes.append((note_cs, note_en))
    return notes


#: The outcome each effect chart shows, and its unit, as the axis and the caption name them.
OUTCOMES = {
    "event_study": (("dluh na bydlení", "housing debt"), ("Kč", "CZK")),
    "staggered_households": (("dluh na bydlení", "housing debt"), ("Kč", "CZK")),
    "staggered_municipalities": (("vystěhování na 1 000 obyvatel", "evictions per 1,000 inhabitants"), None),
}


#: What each effect chart shows, for readers who cannot see it.
ALT = {
    "event_study": ("Body ukazují odhadnutý rozdíl v dluhu na bydlení mezi domácnostmi programu a srovnávací skupinou "
                    "v každém měsíci před nastěhováním a po něm, s 95% intervaly; před nastěhováním by měly ležet "
                    "kolem nuly.",
                    "Points show the estimated difference in housing debt between programme and comparison "
                    "households in each month before and after move-in, with 95% intervals; before move-in they "
                    "should lie around zero."),
    "staggered_households": ("Body ukazují průměrný efekt na dluh na bydlení podle čtvrtletí od vstupu do programu, "
                             "s pásem spolehlivosti.",
                             "Points show the average effect on housing debt by quarter since entry, with a "
                             "confidence band."),
    "staggered_municipalities": ("Body ukazují průměrný efekt na počet vystěhování na 1 000 obyvatel podle roku od "
                                 "začátku pilotu, s pásem spolehlivosti.",
                                 "Points show the average effect on evictions per 1,000 inhabitants by year since the "
                                 "pilot start, with a confidence band."),
}


def save(session: Any, output: StrandOutput) -> None:
    """Store the impact results under their stable names (see the module docstring)."""
    from evaluation.runner.strands import impact_national

    data = getattr(session, "data", None)
    if impact_national.has_panel(data):  # national data: the roll-out by district
        questions = strand_questions(_parameters(session).get("questions"), data)
        impact_national.save(session, output, questions, findings(session, output))
        return
    lang = session.lang
    outcome, unit = OUTCOMES["event_study"]
    store_result(session, output, "event_study", TITLES["event_study"], figure=FIGURES["event_study"], lang=lang,
                 plot_options={"time_unit": TIME_UNITS["event_study"], "outcome": outcome, "unit": unit},
                 placement="appendix", report_columns=REPORT_COLUMNS["event_study"],
                 column_labels={"term": TIME_LABELS["event_study"]}, alt=ALT["event_study"])
    tests = pretests(output)
    rows = pretrend_rows(output, tests)
    if rows:
        frame = pd.DataFrame(rows)
        frame["design"] = [row.get("design", "event_study") for row in rows]
        store_frame(session, "pretrend", frame, TITLES["pretrend"], notes=pretest_notes(output, tests),
                    column_labels=PRETREND_LABELS, report_columns=[c for c in frame.columns if c != "design"])
    found = findings(session, output)
    from evaluation.runner.strands.impact_findings import stated_primaries

    stated = stated_primaries(found)
    for name in ("staggered_households", "staggered_municipalities"):
        if name in output:
            dynamic = output[name].aggregate("dynamic")
            session.store.add_table(name, dynamic, title_cs=TITLES[name][0], title_en=TITLES[name][1],
                                    placement="appendix", report_columns=REPORT_COLUMNS["staggered"],
                                    column_labels={"term": TIME_LABELS[name]})
            outcome, unit = OUTCOMES[name]
            store_figure(session, name, dynamic, FIGURES[name], alt=ALT[name],
                         options={"time_unit": TIME_UNITS[name], "outcome": outcome, "unit": unit})
            key = "att_households" if name == "staggered_households" else "att_municipalities"
            if name not in stated:  # the finding does not rest on this estimate: no headline figure of it
                continue
            label_cs, label_en, unit_code, decimals = ATT_LABELS[key]
            session.store.add_key_figure(key, table=name, row={"term": "overall ATT"}, column="estimate",
                                         ci_columns=("conf_low", "conf_high"), label_cs=label_cs,
                                         label_en=label_en, unit=unit_code, decimals=decimals)
    store_result(session, output, "wild_bootstrap", TITLES["wild_bootstrap"], lang=lang,
                 report_columns=REPORT_COLUMNS["wild_bootstrap"])
    store_result(session, output, "balance", TITLES["balance"], lang=lang, report_columns=REPORT_COLUMNS["balance"],
                 column_labels={"term": ("Charakteristika při vstupu", "Characteristic at entry")})
    if "wild_bootstrap" in output:
        session.store.add_key_figure("wild_bootstrap_p", table="wild_bootstrap", column="p_value",
                                     label_cs="p-hodnota (wild cluster bootstrap)",
                                     label_en="p-value (wild cluster bootstrap)", decimals=3)
    for name, test in tests.items():
        if np.isfinite(test.p_value) and rows:
            key, (design_cs, design_en) = PRETEST_FIGURES[name]
            method_cs, method_en = method_words(test.method)
            session.store.add_key_figure(
                key, table="pretrend", row={"design": name}, column="p_value", decimals=3,
                label_cs=f"p-hodnota testu paralelních trendů, {design_cs} ({method_cs})",
                label_en=f"p-value of the parallel-trends pre-test, {design_en} ({method_en})")
    _texts(session, output, tests)
    _store_design(session, output)
    impact_findings_store(session, found)
    store_skipped(session, output, {**TITLES, **design_titles(output, run_questions(_parameters(session).get("questions")))})


#: Titles of the design-aware results, by kind (the outcome's words are added).
DESIGN_TITLES = {
    "synthetic_control": ("Syntetická kontrola", "Synthetic control"),
    "sc_placebo": ("Syntetická kontrola: placebo test v prostoru", "Synthetic control: placebo-in-space inference"),
    "sdid": ("Syntetický rozdíl v rozdílech", "Synthetic difference-in-differences"),
    "inference_choice": ("Volba inference při malém počtu obcí", "Choice of inference with few municipalities"),
    "randomization": ("Randomizační inference: model s fixními efekty", "Randomisation inference: fixed-effects model"),
    "robustness": ("Panel robustnosti: odhady podle roku od začátku", "Robustness panel: estimates by year since start"),
    "honest": ("Citlivost na porušení souběžných trendů (HonestDiD)",
               "Sensitivity to violations of parallel trends (HonestDiD)"),
}
OUTCOME_WORDS = {"evictions": ("vystěhování", "evictions"),
                 "shelter_nights": ("noci v azylových domech", "shelter nights"),
                 "children_in_care": ("děti umístěné mimo rodinu", "children placed in care"),
                 "households_in_need": ("domácnosti v bytové nouzi", "households in housing need"),
                 "arrears_rate": ("podíl domácností s dluhem", "share of households in arrears")}


def _design_items(output: StrandOutput, questions: Any = None) -> list[tuple[str, str, Any, tuple[str, str]]]:
    """(stored name, kind, outcome, titles) of every design-aware result in ``output``."""
    from evaluation.findings import load_questions
    from evaluation.runner.strands import impact_design as design

    items = []
    outcomes = design.panel_outcomes(questions or load_questions())
    for outcome in outcomes.values():
        words = OUTCOME_WORDS.get(outcome.source, (outcome.source, outcome.source))
        for kind, (cs, en) in DESIGN_TITLES.items():
            name = outcome.name(kind)
            items.append((name, kind, outcome, (f"{cs}: {words[0]}", f"{en}: {words[1]}")))
        if outcome.check in {name for name, *_ in items}:  # the check is one of the design's own results
            continue
        check_words = TITLES["wild_bootstrap"]
        items.append((outcome.check, "wild_bootstrap", outcome,
                      (f"{check_words[0]}: {words[0]}", f"{check_words[1]}: {words[1]}")))
    return items


def design_titles(output: StrandOutput, questions: Any = None) -> dict[str, tuple[str, str]]:
    return {name: titles for name, _, _, titles in _design_items(output, questions)}


def _not_drawn(name: str, **_: Any) -> None:
    """A figure of a secondary panel outcome: its table is in the results folder, the report shows none."""


def _store_design(session: Any, output: StrandOutput) -> None:
    """The design-aware results: tables (appendix), and the figures of the technical report."""
    from evaluation.runner.strands import impact_design as design

    store = session.store
    module = "evaluation.runner.strands.impact_design"
    for name, kind, outcome, titles in _design_items(output, run_questions(_parameters(session).get("questions"))):
        if name not in output or (kind == "wild_bootstrap" and name == "wild_bootstrap"):
            continue
        result = output[name]
        # the report's appendix carries the primary outcome's design tables; those of the other panel
        # outcomes (and the long overlay table the robustness figure draws) are for analysts: results folder
        where = "folder" if outcome.suffix else "appendix"
        draw = store.add_figure if not outcome.suffix else _not_drawn
        if kind == "sc_placebo":
            store.add_table(name, result.tidy(), title_cs=titles[0], title_en=titles[1], placement=where)
            gaps = design.placebo_gaps(result)
            store.add_table(f"{name}_gaps", gaps, title_cs=titles[0], title_en=titles[1], placement="folder")
            start = result.result.treatment_start
            draw(f"{name}_gaps", table=f"{name}_gaps", plotter=f"{module}:draw_placebo_gaps",
                             caption_cs=f"{titles[0]}: rozdíl obce a jejích placeb proti syntetické kontrole",
                             caption_en=f"{titles[1]}: gap of the place and of its placebos to the synthetic control",
                             options={"start": float(start)},
                             alt_cs="Tučná čára je rozdíl obce v programu proti její syntetické kontrole, šedé čáry "
                                    "tytéž rozdíly obcí bez programu; efekt je věrohodný, jen když tučná čára po "
                                    "začátku vybočí z šedého svazku.",
                             alt_en="The bold line is the gap of the programme place to its synthetic control, the "
                                    "grey lines the same gaps of places without the programme; an effect is credible "
                                    "only if the bold line leaves the grey bundle after the start.")
        elif kind == "robustness":
            overlay = design.overlay_table(result)
            store.add_table(name, overlay, title_cs=titles[0], title_en=titles[1], placement="folder")
            draw(name, table=name, plotter=f"{module}:draw_overlay",
                             caption_cs=f"{titles[0]} (všechny odhady, 95% intervaly)",
                             caption_en=f"{titles[1]} (every estimator, 95% intervals)",
                             options={"time_unit": "year"},
                             alt_cs="Odhady efektu podle roku od začátku pilotu pěti metodami vedle sebe; před "
                                    "začátkem by měly ležet kolem nuly a metody by se měly shodovat.",
                             alt_en="Effect estimates by year since the pilot start from five estimators side by "
                                    "side; before the start they should lie around zero and agree.")
            if result.bacon is not None:
                store.add_table(f"{name}_bacon", result.bacon.tidy(), title_cs=f"{titles[0]}: Goodman-Baconův rozklad",
                                title_en=f"{titles[1]}: Goodman-Bacon decomposition", placement=where)
        elif kind == "honest":  # the figure shows the robust intervals; the table is for analysts
            store.add_table(name, result.tidy(), title_cs=titles[0], title_en=titles[1], placement="folder")
            draw(name, table=name, plotter=f"{module}:draw_honest", caption_cs=titles[0],
                             caption_en=titles[1],
                             alt_cs="Robustní intervaly průměrného efektu po vstupu pro rostoucí dovolené porušení "
                                    "souběžných trendů (M̄); závěr drží, dokud interval nezahrne nulu.",
                             alt_en="Robust intervals of the average post-entry effect as the allowed violation of "
                                    "parallel trends (M̄) grows; the conclusion holds until the interval includes zero.")
        else:
            counts, n_column = disclosure_columns(result, result.tidy())
            store.add_table(name, result, title_cs=titles[0], title_en=titles[1], placement=where,
                            count_columns=counts, n_column=n_column)
            if kind == "inference_choice":
                store.add_text(f"{name}_reasons", "; ".join(result.reasons_cs) + ".", "; ".join(result.reasons_en) + ".")
    if "honest_households" in output:
        result = output["honest_households"]
        titles = ("Citlivost na porušení souběžných trendů (HonestDiD): dluh na bydlení",
                  "Sensitivity to violations of parallel trends (HonestDiD): housing debt")
        store.add_table("honest_households", result.tidy(), title_cs=titles[0], title_en=titles[1],
                        placement="folder")
        store.add_figure("honest_households", table="honest_households", plotter=f"{module}:draw_honest",
                         caption_cs=f"{titles[0]}, průměr prvních 6 měsíců po nastěhování",
                         caption_en=f"{titles[1]}, average of the first 6 months after move-in")


def strand_questions(value: Any, data: Any = None) -> Any:
    """The questions the strand answers on ``data``: :func:`run_questions`, and on national data
    (an ORP panel) the roll-out's questions instead of the pilots' effect questions
    (:func:`evaluation.runner.strands.impact_national.national_questions`)."""
    from evaluation.runner.strands import impact_national

    questions = run_questions(value)
    return impact_national.national_questions(questions) if impact_national.has_panel(data) else questions


def run_questions(value: Any) -> Any:
    """The run's evaluation questions: a Questions as given, else :func:`evaluation.findings.load_questions`
    of the configured value (None: the pilots' questions)."""
    from evaluation.findings import Questions, load_questions

    return value if isinstance(value, Questions) else load_questions(value)


def findings(session: Any, output: StrandOutput) -> list[Any]:
    """The graded answer to every effect question of the run (see impact_findings.answers)."""
    from evaluation.runner.strands import impact_findings, impact_national

    data = getattr(session, "data", None)
    questions = strand_questions(_parameters(session).get("questions"), data)
    if impact_national.has_panel(data):
        return impact_findings.answers(output, questions, impact_national.scope_of(data))
    panel = municipality_panel(data) if data is not None and data.has("municipality_panel") else None
    return impact_findings.answers(output, questions, impact_findings.scope_of(data, panel))


def _parameters(session: Any) -> Mapping[str, Any]:
    """The notebook's parameters (a session made by hand, as in a test, may have none)."""
    return getattr(session, "parameters", None) or {}


def show_findings(session: Any, output: StrandOutput, lang: str = "cs") -> str:
    """The findings as the technical report words them (for the notebook)."""
    from evaluation.findings import finding_text
    from evaluation.runner.strands._common import reason_texts

    lines = []
    for answer in findings(session, output):
        if answer.finding is not None:
            lines.append(f"{answer.question.text(lang)}\n{finding_text(answer.finding, lang, 'technical')}")
        else:
            reason = reason_texts(answer.reason or "")[0 if lang == "cs" else 1]
            lines.append(f"{answer.question.text(lang)}\n{reason}")
    return "\n\n".join(lines)


def impact_findings_store(session: Any, found: list[Any]) -> None:
    from evaluation.runner.strands import impact_findings

    impact_findings.store(session, found)


#: Significance level of the pre-tests in the texts; a design whose smallest cohort has fewer
#: treated units than FEW_TREATED gets a note that a pre-test that does not reject is weak evidence.
PRETEST_ALPHA = 0.05
FEW_TREATED = 10


def _pretest_sentence(name: str, res: Any, test: Any) -> tuple[str, str]:
    """What the pre-test of the staggered design ``name`` says, in Czech and English."""
    from evaluation.reporting.formatting import format_number

    design_cs, design_en = PRETEST_FIGURES[name][1]
    method_cs, method_en = method_words(test.method)
    opening_cs = f"Test paralelních trendů odhadu podle Callawaye a Sant’Anny pro {design_cs} ({method_cs})"
    opening_en = f"The parallel-trends pre-test of the Callaway–Sant’Anna estimate for {design_en} ({method_en})"
    if not np.isfinite(test.p_value):
        return (f"{opening_cs} nebylo možné provést.", f"{opening_en} could not be carried out.")
    p_cs, p_en = format_number(test.p_value, "cs", 3), format_number(test.p_value, "en", 3)
    if test.p_value < PRETEST_ALPHA:
        rejects_cs = f"{opening_cs} souběžný vývoj před vstupem zamítá (p = {p_cs}), odhad je proto třeba brát s výhradou."
        rejects_en = f"{opening_en} rejects parallel trends before entry (p = {p_en}), so the estimate needs a caveat."
        return rejects_cs, rejects_en
    weak_cs = weak_en = ""
    sizes = [res.group_sizes[g] for g in res.groups if g in res.group_sizes]
    if sizes and min(sizes) < FEW_TREATED:
        weak_cs = ("; s tak malým počtem jednotek v programu má ale test malou sílu a nezamítnutí je jen slabým "
                   "dokladem")
        weak_en = "; with this few treated units the test has little power, so not rejecting is weak evidence"
    return (f"{opening_cs} souběžný vývoj před vstupem nezamítá (p = {p_cs}){weak_cs}.",
            f"{opening_en} does not reject parallel trends before entry (p = {p_en}){weak_en}.")


def _texts(session: Any, output: StrandOutput, tests: dict[str, Any]) -> None:
    from evaluation.reporting.formatting import format_number

    store = session.store
    store.add_text(
        "method",
        "Dopady odhadujeme metodou rozdílu v rozdílech. Domácnosti programu srovnáváme s domácnostmi "
        "z pořadníku měsíc po měsíci: studie událostí (dvousměrné fixní efekty s předstihy a zpožděními, "
        "chyby shlukované podle domácností) a odhad pro postupný vstup kohort podle Callawaye a Sant’Anny "
        "(čtvrtletní panel, kontrolou jsou domácnosti, které do programu dosud nevstoupily). Pilotní obce srovnáváme s obcemi bez "
        "pilotu po rocích (vystěhování, noci v azylových domech a děti umístěné mimo rodinu, vše na 1 000 obyvatel). "
        "Metodu určuje uspořádání: s jedinou obcí v programu je základem syntetická kontrola (vážená kombinace obcí "
        "bez programu, která se obci před začátkem programu nejvíce podobala) s placebo testem v prostoru a jako "
        "kontrola syntetický rozdíl v rozdílech; s několika pilotními obcemi doplňuje odhad Callawaye a Sant’Anny "
        "model s fixními efekty, jehož nejistotu podle velikosti a rozptylu obcí počítá wild cluster bootstrap, "
        "nebo randomizační inference, a panel dalších odhadů (Sun a Abraham, dvoustupňový DiD, imputační odhad, "
        "Goodman-Baconův rozklad); citlivost na porušení souběžných trendů ukazuje HonestDiD (Rambachan a Roth). "
        "Ke každé otázce je primární analýza určena předem, ostatní jsou kontroly robustnosti. Souběžný vývoj skupin před vstupem ověřujeme testem všech "
        "předtrendových efektů; kde je Waldův test balíku R did kvůli malému počtu jednotek v programu "
        "nespolehlivý, použijeme sup-t test se studentizovaným wild bootstrapem. Vyváženost srovnávací skupiny "
        "ověřujeme párováním podle skóre sklonu.",
        "Impacts are estimated by difference-in-differences. Programme households are compared month by month "
        "with waiting-list households: an event study (two-way fixed effects with leads and lags, errors "
        "clustered by household) and the Callaway–Sant’Anna estimator for staggered entry (quarterly panel, "
        "not-yet-treated controls). Pilot municipalities are compared with non-pilot ones year by year "
        "(evictions, shelter nights and children placed in care, all per 1,000 inhabitants). The design decides "
        "the method: with one municipality in the programme the basis is a synthetic control (the weighted "
        "combination of places without the programme that resembled it most before the start) with placebo-in-"
        "space inference, checked by synthetic difference-in-differences; with several pilot municipalities the "
        "Callaway–Sant’Anna estimate is checked by a fixed-effects model whose uncertainty comes from the wild "
        "cluster bootstrap or randomisation inference, as the size and noise of the places call for, and by a "
        "panel of other estimators (Sun and Abraham, two-stage DiD, imputation, the Goodman-Bacon decomposition); "
        "HonestDiD (Rambachan and Roth) shows the sensitivity to violations of parallel trends. Each question's "
        "primary analysis is named in advance; the others are robustness checks. Parallel trends before entry are checked by a test of all pre-treatment effects; "
        "where R did's Wald test is unreliable because of few treated units, a sup-t test with a studentised "
        "wild bootstrap is used. The balance of the comparison group is checked by propensity-score matching.")
    store.add_text(
        "assumptions",
        "Srovnávací skupinu tvoří domácnosti z pořadníku, které do programu (zatím) nevstoupily.",
        "The comparison group are waiting-list households that have not (yet) entered the programme.")
    sentences_cs, sentences_en = [], []
    if "event_study" in output and output["event_study"].pretrend is not None:
        p = output["event_study"].pretrend.p_value
        verdict_cs = ("souběžný vývoj skupin před nastěhováním nezamítá" if p >= PRETEST_ALPHA else
                      "souběžný vývoj skupin před nastěhováním zamítá, odhad dopadu je proto třeba brát s výhradou")
        verdict_en = ("does not reject parallel trends before move-in" if p >= PRETEST_ALPHA else
                      "rejects parallel trends before move-in, so the impact estimate needs a caveat")
        sentences_cs.append(f"Test předtrendů studie událostí (všechny předstihy nulové) {verdict_cs} "
                            f"(p = {format_number(p, 'cs', 3)}).")
        sentences_en.append(f"The event study's pre-trend test (all leads zero) {verdict_en} "
                            f"(p = {format_number(p, 'en', 3)}).")
    for name, test in tests.items():
        cs, en = _pretest_sentence(name, output[name], test)
        sentences_cs.append(cs)
        sentences_en.append(en)
    if sentences_cs:
        store.add_text("diagnostics", " ".join(sentences_cs), " ".join(sentences_en))
