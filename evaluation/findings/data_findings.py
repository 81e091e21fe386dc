"""Findings the published tables show on their own, stated so that a report does not miss them.

Three checks on one scope's published results (after disclosure control; hidden cells are
missing and never guessed):

``empty_step``
    a programme step whose flats stood empty (occupancy 0) in every published month from some
    month to the end of the data, at least :data:`EMPTY_MONTHS` months: a step can reach 100 %
    of its planned households and still leave its flats unused;
``missing_step``
    a step that has flats (the occupancy table) but is left out of the reach or support-dose
    table: the report says so instead of leaving a reader to assume it was counted;
``arrears_divergence``
    the impact estimate on housing debt (``att_households``, the household outcome) shows a
    fall while the rent ledger (``rent_arrears``) shows the share of households in arrears
    rising: two measures of debt tell different stories, and the report says what each measures.

Each check returns a :class:`DataFinding` (id, Czech and English text); the reports list them
among the findings (:func:`evaluation.reporting.assemble.build_context`).

Example
-------
>>> found = data_findings(results.scopes["all"])                   # doctest: +SKIP
>>> [f.id for f in found]                                            # doctest: +SKIP
['empty_step_crisis', 'missing_step_housing_first', 'arrears_divergence']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from evaluation.reporting.formatting import format_number, format_percent

#: Months of zero occupancy up to the end of the data that make a step "unused".
EMPTY_MONTHS = 6
#: A change in the share of households in arrears (percentage points, first to last year) that counts as a rise.
ARREARS_RISE = 0.05

_MONTHS_CS = ("ledna", "února", "března", "dubna", "května", "června", "července", "srpna", "září", "října",
              "listopadu", "prosince")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


@dataclass(frozen=True)
class DataFinding:
    """One finding the data show, in Czech and English."""

    id: str
    text_cs: str
    text_en: str

    def text(self, lang: str = "cs") -> str:
        return self.text_cs if lang == "cs" else self.text_en


def _table(strands: Mapping[str, Any], strand: str, name: str) -> pd.DataFrame | None:
    results = strands.get(strand)
    stored = results.tables.get(name) if results is not None else None
    if stored is None or stored.data.empty:
        return None
    return stored.data.copy()


def _number(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce") if column in frame else pd.Series(float("nan"),
                                                                                            index=frame.index)


def _step(code: str, lang: str) -> str:
    from evaluation.reporting.labels import value_label

    return value_label(str(code), "step", lang) or str(code)


def _month(value: Any, lang: str) -> str:
    stamp = pd.Timestamp(value)
    return (f"{_MONTHS_CS[stamp.month - 1]} {stamp.year}" if lang == "cs" else f"{_MONTHS_EN[stamp.month - 1]} "
            f"{stamp.year}")


def empty_steps(strands: Mapping[str, Any]) -> list[DataFinding]:
    monthly = _table(strands, "process", "occupancy_monthly")
    if monthly is None or not {"step", "month", "occupancy_rate"} <= set(monthly.columns):
        return []
    found = []
    totals = _table(strands, "process", "occupancy")
    for step, rows in monthly.assign(rate=_number(monthly, "occupancy_rate")).groupby("step", sort=False):
        rows = rows.sort_values("month")
        known = rows.dropna(subset=["rate"])
        if known.empty or known["rate"].iloc[-1] != 0:
            continue
        occupied = known.loc[known["rate"] > 0]
        empty = known.loc[known["month"] > occupied["month"].max()] if len(occupied) else known
        if len(empty) < EMPTY_MONTHS:
            continue
        since, until = empty["month"].iloc[0], known["month"].iloc[-1]
        units = _number(rows, "units_available").iloc[-1]
        overall_cs = overall_en = ""
        if totals is not None and "step" in totals:
            rate = _number(totals.loc[totals["step"] == step], "occupancy_rate")
            if len(rate) and pd.notna(rate.iloc[0]):
                overall_cs = f"; za celé období byly obsazené {format_percent(rate.iloc[0], 'cs', 0)} dostupných dní"
                overall_en = f"; over the whole period they were occupied {format_percent(rate.iloc[0], 'en', 0)} of the days available"
        units_cs = f" ({format_number(units, 'cs', 0)})" if pd.notna(units) else ""
        units_en = f" ({format_number(units, 'en', 0)})" if pd.notna(units) else ""
        found.append(DataFinding(
            f"empty_step_{step}",
            f"Byty stupně „{_step(step, 'cs')}“{units_cs} stojí od {_month(since, 'cs')} do konce dat "
            f"({pd.Timestamp(until).month}/{pd.Timestamp(until).year}) prázdné{overall_cs}. Splnění plánu počtu nastěhovaných domácností tedy "
            "neznamená, že se byty využívají; stupeň je třeba prověřit (zda je potřeba, nebo jen chybí data).",
            f"The flats of the {_step(step, 'en')} step{units_en} have stood empty from {_month(since, 'en')} to "
            f"the end of the data ({_month(until, 'en')}){overall_en}. Meeting the plan for households housed does "
            "not mean the flats are used; the step needs a review (is it needed, or are data missing?)."))
    return found


def missing_steps(strands: Mapping[str, Any]) -> list[DataFinding]:
    occupancy = _table(strands, "process", "occupancy")
    if occupancy is None or "step" not in occupancy:
        return []
    from evaluation.reporting.disclosure import is_total_label

    steps = [str(s) for s in occupancy["step"].dropna().unique() if not is_total_label(str(s))]
    found = []
    names = {"reach": ("dosahu oproti plánu", "reach against plan"),
             "support_dose": ("intenzity podpory", "support dose")}
    for step in steps:
        absent = []
        for table, words in names.items():
            frame = _table(strands, "process", table)
            if frame is not None and "step" in frame and step not in set(map(str, frame["step"].dropna())):
                absent.append(words)
        if not absent:
            continue
        cs = " a ".join(f"„{w[0]}“" for w in absent)
        en = " and ".join(f"“{w[1]}”" for w in absent) + (" tables" if len(absent) > 1 else " table")
        cs_word = "tabulkách" if len(absent) > 1 else "tabulce"
        found.append(DataFinding(
            f"missing_step_{step}",
            f"Stupeň {_step(step, 'cs')} má byty, ale v {cs_word} {cs} chybí: jeho dosah a podporu tam hodnocení "
            "neuvádí a údaje za program v nich ho nezahrnují.",
            f"The {_step(step, 'en')} step has flats but is left out of the {en}: its reach and support "
            "are not assessed there, and the programme figures there leave it out."))
    return found


def arrears_divergence(strands: Mapping[str, Any]) -> list[DataFinding]:
    impact = strands.get("impact")
    figure = impact.key_figures.get("att_households") if impact is not None else None
    ledger = _table(strands, "process", "rent_arrears")
    if figure is None or figure.suppressed or figure.ci is None or ledger is None:
        return []
    if not figure.ci[1] < 0 or not {"month", "households", "in_arrears"} <= set(ledger.columns):
        return []
    ledger = ledger.assign(households=_number(ledger, "households"), in_arrears=_number(ledger, "in_arrears"))
    yearly = ledger.dropna(subset=["households", "in_arrears"]).groupby("month")[["households", "in_arrears"]].sum()
    yearly = yearly[yearly["households"] > 0]
    if len(yearly) < 2:
        return []
    shares = yearly["in_arrears"] / yearly["households"]
    first, last = shares.iloc[0], shares.iloc[-1]
    if last - first < ARREARS_RISE:
        return []
    start, end = pd.Timestamp(shares.index[0]).year, pd.Timestamp(shares.index[-1]).year
    return [DataFinding(
        "arrears_divergence",
        f"Dva údaje o dluzích se rozcházejí: odhad dopadu ukazuje, že dluh na bydlení domácností programu klesl "
        f"proti srovnávací skupině, ale podle evidence plateb nájemného vzrostl podíl domácností programu s dluhem "
        f"na nájemném z {format_percent(first, 'cs', 0)} (konec roku {start}) na {format_percent(last, 'cs', 0)} "
        f"(konec roku {end}; jen domácnosti s publikovaným počtem). Měří různé věci: první výši dluhu proti "
        "domácnostem z pořadníku, druhý jakýkoli dluh vůči pronajímateli bez srovnání. Pokles dluhu proto "
        "neznamená, že domácnosti platí nájem včas; obojí je třeba sledovat dál.",
        f"Two measures of debt disagree: the impact estimate shows programme households' housing debt falling "
        f"against the comparison group, but by the rent ledger the share of programme households in rent arrears "
        f"rose from {format_percent(first, 'en', 0)} (end of {start}) to {format_percent(last, 'en', 0)} (end of "
        f"{end}; households with a published count only). They measure different things: the first the amount "
        "of debt against waiting-list households, the second any debt to the landlord, without a comparison. "
        "The fall in debt therefore does not mean that households pay their rent on time; both need watching.")]


def data_findings(strands: Mapping[str, Any]) -> list[DataFinding]:
    """Every finding of the module docstring that the published results of one scope show."""
    return [*empty_steps(strands), *missing_steps(strands), *arrears_divergence(strands)]


__all__ = ["ARREARS_RISE", "EMPTY_MONTHS", "DataFinding", "arrears_divergence", "data_findings", "empty_steps",
           "missing_steps"]
