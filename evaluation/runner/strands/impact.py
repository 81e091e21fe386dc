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

Stored (``<scope>/impact/``): ``event_study`` (figure), ``staggered_households`` and
``staggered_municipalities`` (overall and by event time; figures), ``wild_bootstrap``,
``balance``. Key figures ``att_households``, ``att_municipalities``, ``wild_bootstrap_p``;
texts ``method``, ``assumptions``, ``diagnostics``, ``headline``.

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
from evaluation.runner.strands._common import Collector, StrandOutput, store_result, store_skipped

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


def save(session: Any, output: StrandOutput) -> None:
    """Store the impact results under their stable names (see the module docstring)."""
    lang = session.lang
    store_result(session, output, "event_study", TITLES["event_study"], figure=FIGURES["event_study"], lang=lang)
    for name in ("staggered_households", "staggered_municipalities"):
        if name in output:
            dynamic = output[name].aggregate("dynamic")
            session.store.add_table(name, dynamic, title_cs=TITLES[name][0], title_en=TITLES[name][1])
            import matplotlib.pyplot as plt

            fig, ax = plt.subplots(figsize=(7, 4.2))
            dynamic.plot(ax=ax)
            session.store.add_figure(name, fig, caption_cs=FIGURES[name][0], caption_en=FIGURES[name][1])
            plt.close(fig)
            key = "att_households" if name == "staggered_households" else "att_municipalities"
            labels = ({"att_households": ("Průměrný efekt na dluh na bydlení (Kč)",
                                          "Average effect on housing debt (CZK)"),
                       "att_municipalities": ("Průměrný efekt na vystěhování na 1 000 obyvatel",
                                              "Average effect on evictions per 1,000 inhabitants")})[key]
            session.store.add_key_figure(key, dynamic.overall_estimate, label_cs=labels[0], label_en=labels[1],
                                         unit="CZK" if key == "att_households" else "",
                                         ci=(dynamic.overall_conf_low, dynamic.overall_conf_high), decimals=1)
    for name in ("wild_bootstrap", "balance"):
        store_result(session, output, name, TITLES[name], lang=lang)
    if "wild_bootstrap" in output:
        wb = output["wild_bootstrap"]
        session.store.add_key_figure("wild_bootstrap_p", wb.p_value, label_cs="p-hodnota (wild cluster bootstrap)",
                                     label_en="p-value (wild cluster bootstrap)", decimals=3)
    _texts(session, output)
    store_skipped(session, output)


def _texts(session: Any, output: StrandOutput) -> None:
    store = session.store
    store.add_text(
        "method",
        "Dopady odhadujeme metodou rozdílu v rozdílech: domácnosti programu srovnáváme s domácnostmi "
        "z pořadníku (studie událostí a postupný vstup podle Callawaye a Sant'Anny) a pilotní obce s "
        "obcemi bez pilotu; kvůli malému počtu pilotních obcí počítáme p-hodnoty wild cluster bootstrapem.",
        "Impacts are estimated by difference-in-differences: programme households against waiting-list "
        "households (event study and Callaway–Sant'Anna staggered DiD) and pilot against non-pilot "
        "municipalities; with few pilot municipalities the p-values come from the wild cluster bootstrap.")
    store.add_text(
        "assumptions",
        "Předpoklad paralelních trendů: bez programu by se výsledky obou skupin vyvíjely stejně; "
        "před vstupem se neprojevuje žádný efekt (bez anticipace).",
        "Parallel trends: without the programme both groups' outcomes would have moved alike; no effect "
        "before entry (no anticipation).")
    if "event_study" in output and output["event_study"].pretrend is not None:
        p = output["event_study"].pretrend.p_value
        store.add_text("diagnostics",
                       f"Test předtrendů (všechny předstihy nulové): p = {p:.3f}.",
                       f"Pre-trend test (all leads zero): p = {p:.3f}.")
    if "staggered_households" in output:
        dynamic = output["staggered_households"].aggregate("dynamic")
        est, low, high = dynamic.overall_estimate, dynamic.overall_conf_low, dynamic.overall_conf_high
        store.add_text("headline",
                       f"Po nastěhování se dluh na bydlení změnil v průměru o {est:,.0f} Kč "
                       f"(95% interval {low:,.0f} až {high:,.0f} Kč).".replace(",", " "),
                       f"After move-in housing debt changed by {est:,.0f} CZK on average "
                       f"(95% interval {low:,.0f} to {high:,.0f} CZK).")
