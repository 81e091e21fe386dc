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

Stored (``<scope>/impact/``): ``event_study`` (figure; table in the appendix),
``staggered_households`` and ``staggered_municipalities`` (overall and by event time; figures;
tables in the appendix), ``wild_bootstrap``, ``balance`` and ``pretrend`` (diagnostics). Key
figures ``att_households``, ``att_municipalities``, ``wild_bootstrap_p``; texts ``method``,
``assumptions``, ``diagnostics``, ``headline``, ``finding_municipalities``.

Example
-------
>>> output = analyse(dataset, bootstrap_draws=999, event_window=[-12, 24])   # doctest: +SKIP
>>> output["event_study"].plot()                                             # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import EstimationError
from evaluation.runner.strands._common import (Collector, StrandOutput, store_figure, store_frame, store_result,
                                               store_skipped)

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
    "pretrend": ("Test předtrendů (studie událostí)", "Pre-trend test (event study)"),
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


def household_panel(data: Any) -> tuple[pd.DataFrame, list[str]]:
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
        notes.append(f"{len(not_housed)} programme household(s) not housed by the end of the data were left "
                     "out of the household panel (neither treated nor comparison)")
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
            event_window: Sequence[int] = (-12, 24)) -> StrandOutput:
    """Run the impact analyses on ``data`` (a scoped Dataset)."""
    from evaluation import impact
    from evaluation.impact.staggered import staggered_did

    run = Collector("impact", data)
    leads, lags = -int(event_window[0]), int(event_window[1])
    hh_tables = ("households", "tenancies", "household_outcomes")
    panel_notes: list[str] = []
    panel: pd.DataFrame | None = None
    if all(data.has(t) and not data[t].empty for t in hh_tables):
        panel, panel_notes = household_panel(data)
        if panel["first_month"].eq(0).all() or panel["first_month"].gt(0).sum() == 0:
            reason = "the household panel needs both programme and comparison households"
            run.skipped["event_study"] = run.skipped["staggered_households"] = reason
            panel = None
    if panel is not None:
        run.run("event_study", hh_tables, lambda: impact.event_study(
            panel, HOUSEHOLD_OUTCOME, "household_id", "month", "first_month", leads=leads, lags=lags))
        run.run("staggered_households", hh_tables, lambda: staggered_did(
            quarterly_panel(panel, HOUSEHOLD_OUTCOME), HOUSEHOLD_OUTCOME, "household_id", "quarter",
            "first_quarter", control_group="not_yet_treated", allow_unbalanced=True,
            n_bootstrap=bootstrap_draws, seed=seed))
    towns = ("municipality_panel",)
    if data.has("municipality_panel") and not data["municipality_panel"].empty:
        mpanel = municipality_panel(data)
        run.run("staggered_municipalities", towns, lambda: staggered_did(
            mpanel, MUNICIPALITY_OUTCOME, "municipality", "period", "first_year",
            n_bootstrap=bootstrap_draws, seed=seed, allow_unbalanced=True))
        run.run("wild_bootstrap", towns, lambda: _wild_bootstrap(mpanel, bootstrap_draws, seed))
    run.run("balance", ("households",), lambda: impact.match(
        balance_frame(data), "programme", list(BALANCE_COVARIATES), ratio=1, caliper=0.2))
    output = run.output()
    return StrandOutput(output.strand, output.results, output.skipped, tuple(panel_notes))


def _wild_bootstrap(panel: pd.DataFrame, draws: int, seed: int) -> Any:
    from evaluation.impact import wild_cluster_bootstrap

    treated = panel.loc[panel["first_year"] > 0, "municipality"].nunique()
    if treated == 0 or treated == panel["municipality"].nunique():
        raise EstimationError("the municipality panel needs pilot and non-pilot municipalities")
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


def save(session: Any, output: StrandOutput) -> None:
    """Store the impact results under their stable names (see the module docstring)."""
    lang = session.lang
    store_result(session, output, "event_study", TITLES["event_study"], figure=FIGURES["event_study"], lang=lang,
                 placement="appendix", report_columns=REPORT_COLUMNS["event_study"],
                 column_labels={"term": TIME_LABELS["event_study"]})
    if "event_study" in output and output["event_study"].pretrend is not None:
        test = output["event_study"].pretrend
        store_frame(session, "pretrend", pd.DataFrame({
            "test": ["pre-trend"], "leads": [len(test.terms)], "statistic": [test.statistic],
            "df": [f"{test.df_num}; {test.df_denom:g}"], "p_value": [test.p_value]}), TITLES["pretrend"],
            column_labels={"statistic": ("F", "F"), "df": ("Stupně volnosti (čitatel; jmenovatel)",
                                                         "Degrees of freedom (numerator; denominator)")})
    for name in ("staggered_households", "staggered_municipalities"):
        if name in output:
            dynamic = output[name].aggregate("dynamic")
            session.store.add_table(name, dynamic, title_cs=TITLES[name][0], title_en=TITLES[name][1],
                                    placement="appendix", report_columns=REPORT_COLUMNS["staggered"],
                                    column_labels={"term": TIME_LABELS[name]})
            store_figure(session, name, dynamic, FIGURES[name], lang=lang)
            key = "att_households" if name == "staggered_households" else "att_municipalities"
            label_cs, label_en, unit, decimals = ATT_LABELS[key]
            session.store.add_key_figure(key, dynamic.overall_estimate, label_cs=label_cs, label_en=label_en,
                                         unit=unit, ci=(dynamic.overall_conf_low, dynamic.overall_conf_high),
                                         decimals=decimals)
    store_result(session, output, "wild_bootstrap", TITLES["wild_bootstrap"], lang=lang,
                 report_columns=REPORT_COLUMNS["wild_bootstrap"])
    store_result(session, output, "balance", TITLES["balance"], lang=lang, report_columns=REPORT_COLUMNS["balance"],
                 column_labels={"term": ("Charakteristika při vstupu", "Characteristic at entry")})
    if "wild_bootstrap" in output:
        wb = output["wild_bootstrap"]
        session.store.add_key_figure("wild_bootstrap_p", wb.p_value, label_cs="p-hodnota (wild cluster bootstrap)",
                                     label_en="p-value (wild cluster bootstrap)", decimals=3)
    _texts(session, output)
    store_skipped(session, output, TITLES)


def _effect_sentence(estimate: float, low: float, high: float, lang: str, what: tuple[str, str, str, str],
                     unit: tuple[str, str], decimals: int) -> str:
    """``Compared with ..., debt decreased by 6 301 CZK (95% CI 5 796–6 805 CZK)``, or that the
    interval includes zero. ``what`` is (Czech opening, Czech subject, English opening, English subject)."""
    from evaluation.reporting.formatting import format_interval, format_number

    cs = lang == "cs"
    opening, subject = (what[0], what[1]) if cs else (what[2], what[3])
    size = format_number(abs(estimate), lang, decimals)
    unit_text = unit[0] if cs else unit[1]
    if low > 0 or high < 0:
        verb = ("snížil" if estimate < 0 else "zvýšil") if cs else ("decreased" if estimate < 0 else "increased")
        band = format_interval(*sorted((abs(low), abs(high))), lang, decimals=decimals, unit=unit_text)
        amount = f"{size}\u00a0{unit_text}" if unit_text else size
        return (f"{opening} se {subject} {verb} v průměru o {amount} (95% IS {band})" if cs else
                f"{opening} {subject} {verb} by {amount} on average (95% CI {band})")
    band = format_interval(low, high, lang, decimals=decimals, unit=unit_text)
    return (f"{opening} se {subject} průkazně nezměnil (95% IS {band} zahrnuje nulu)" if cs else
            f"{opening} {subject} did not change detectably (the 95% CI {band} includes zero)")


def _texts(session: Any, output: StrandOutput) -> None:
    from evaluation.reporting.formatting import format_number

    store = session.store
    store.add_text(
        "method",
        "Dopady odhadujeme metodou rozdílu v rozdílech. Domácnosti programu srovnáváme s domácnostmi "
        "z pořadníku měsíc po měsíci: studie událostí (dvousměrné fixní efekty s předstihy a zpožděními, "
        "chyby shlukované podle domácností) a odhad pro postupný vstup kohort podle Callawaye a Sant’Anny "
        "(čtvrtletní panel, kontrolou jsou dosud neléčené domácnosti). Pilotní obce srovnáváme s obcemi bez "
        "pilotu po rocích (vystěhování na 1 000 obyvatel); kvůli malému počtu pilotních obcí počítáme "
        "p-hodnotu wild cluster bootstrapem. Vyváženost srovnávací skupiny ověřujeme párováním podle "
        "skóre sklonu.",
        "Impacts are estimated by difference-in-differences. Programme households are compared month by month "
        "with waiting-list households: an event study (two-way fixed effects with leads and lags, errors "
        "clustered by household) and the Callaway–Sant’Anna estimator for staggered entry (quarterly panel, "
        "not-yet-treated controls). Pilot municipalities are compared with non-pilot ones year by year "
        "(evictions per 1,000 inhabitants); with few pilot municipalities the p-value comes from the wild "
        "cluster bootstrap. The balance of the comparison group is checked by propensity-score matching.")
    store.add_text(
        "assumptions",
        "Srovnávací skupinu tvoří domácnosti z pořadníku, které do programu (zatím) nevstoupily.",
        "The comparison group are waiting-list households that have not (yet) entered the programme.")
    if "event_study" in output and output["event_study"].pretrend is not None:
        p = output["event_study"].pretrend.p_value
        verdict_cs = ("souběžný vývoj skupin před nastěhováním nezamítá" if p >= 0.05 else
                      "souběžný vývoj skupin před nastěhováním zamítá, odhad dopadu je proto třeba brát s výhradou")
        verdict_en = ("does not reject parallel trends before move-in" if p >= 0.05 else
                      "rejects parallel trends before move-in, so the impact estimate needs a caveat")
        store.add_text("diagnostics",
                       f"Test předtrendů (všechny předstihy nulové) {verdict_cs} (p = {format_number(p, 'cs', 3)}).",
                       f"The pre-trend test (all leads zero) {verdict_en} (p = {format_number(p, 'en', 3)}).")
    if "staggered_households" in output:
        dynamic = output["staggered_households"].aggregate("dynamic")
        args = (dynamic.overall_estimate, dynamic.overall_conf_low, dynamic.overall_conf_high)
        what = ("Oproti srovnávací skupině", "dluh na bydlení domácností programu po nastěhování",
                "Compared with the comparison group,", "programme households' housing debt after move-in")
        store.add_text("headline", _effect_sentence(*args, "cs", what, ("Kč", "CZK"), 0) + ".",
                       _effect_sentence(*args, "en", what, ("Kč", "CZK"), 0) + ".")
    if "staggered_municipalities" in output:
        dynamic = output["staggered_municipalities"].aggregate("dynamic")
        args = (dynamic.overall_estimate, dynamic.overall_conf_low, dynamic.overall_conf_high)
        what = ("V pilotních obcích", "počet vystěhování na 1 000 obyvatel oproti obcím bez pilotu "
                "(odhad podle Callawaye a Sant’Anny)", "In pilot municipalities,",
                "evictions per 1,000 inhabitants compared with other municipalities (Callaway–Sant’Anna)")
        extra_cs, extra_en = "", ""
        if "wild_bootstrap" in output:
            p = output["wild_bootstrap"].p_value
            extra_cs = f"; p-hodnota wild cluster bootstrapu modelu s fixními efekty je {format_number(p, 'cs', 3)}"
            extra_en = f"; the wild cluster bootstrap p-value of the fixed-effects model is {format_number(p, 'en', 3)}"
        store.add_text("finding_municipalities", _effect_sentence(*args, "cs", what, ("", ""), 2) + extra_cs + ".",
                       _effect_sentence(*args, "en", what, ("", ""), 2) + extra_en + ".")
