"""Draft recommendations derived from the published results by transparent rules.

The policy brief's "Recommendations" section is the evaluator's to write. To give them a
start, each rule below looks at the published results of one scope (the tables and key
figures of the results folder, after disclosure control) and, when its condition holds,
drafts one recommendation that states the numbers it rests on. The reports show the
drafts under "Návrh doporučení k posouzení zpracovatelem" (draft recommendations for the
evaluator to review); they are never presented as the evaluation's conclusions.

Rules (thresholds are the module constants, so that a reader can check them). A rule about a
figure with uncertainty fires only when the figure's whole 95% interval lies beyond the threshold
(:func:`evaluation.findings.crossing_of`; a share without an interval gets the Wilson interval of
its base), never on the point estimate alone: 5.1 % against a 5 % threshold with an interval of
4.3–6.1 % does not fire. The drafts quote no p-values (the brief does not); the projection's
target is named as the evaluator's assumption.

================  ======================================================================
rule              condition -> draft
================  ======================================================================
lost_apps         share of applications without a decision after 90 days above
                  ``LOST_SHARE_MAX`` with confidence -> deadline tracking at the contact points, naming
                  the districts with the longest median processing time
unequal_care      processing time differs between districts (log-rank p below
                  ``ALPHA``, longest median at least ``PROCESSING_RATIO`` times the
                  shortest) -> common processing standards
step_dropout      retention at 12 months at least ``RETENTION_HIGH`` but a step's
                  drop-out share at least ``DROPOUT_HIGH`` -> name the step
low_retention     retention at 12 months below ``RETENTION_LOW`` with confidence -> review the
                  support
arrears           latest share in rent arrears of a step above ``ARREARS_HIGH`` with
                  confidence (Wilson interval of the households behind it) ->
                  early debt counselling on that step
pretrend          a pre-test of parallel trends p below ``ALPHA`` (the staggered designs'
                  key figures ``PRETEST_FIGURES``; without them the ``pretrend``
                  table's first row) -> caution about the impact estimate
impact_unclear    the 95% interval of the household impact includes zero -> do not
                  claim an effect yet
costs             offsets cover less than ``OFFSET_COVER`` of the programme cost ->
                  budget on the net cost; name the step with the lowest cost per
                  sustained tenancy
need              the stock-flow projection needs additional flats -> plan them (the
                  target reduction stated as the evaluator's assumption)
================  ======================================================================

Example
-------
>>> from evaluation.reporting.store import ResultsStore   # doctest: +SKIP
>>> results = ResultsStore.read("output/results")          # doctest: +SKIP
>>> for r in draft_recommendations(results.scopes["all"]):  # doctest: +SKIP
...     print(r.rule, r.text("cs"))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from evaluation.reporting.formatting import format_interval, format_number, format_percent

LOST_SHARE_MAX = 0.05
ALPHA = 0.05
PROCESSING_RATIO = 1.5
RETENTION_HIGH = 0.85
RETENTION_LOW = 0.75
DROPOUT_HIGH = 0.20
ARREARS_HIGH = 0.25
OFFSET_COVER = 0.5
#: Districts named in a recommendation (the longest processing times).
NAMED_DISTRICTS = 2


@dataclass(frozen=True)
class Recommendation:
    """One draft: the rule that produced it and its text in Czech and English."""

    rule: str
    text_cs: str
    text_en: str

    def text(self, lang: str = "cs") -> str:
        return self.text_cs if lang == "cs" else self.text_en


class Evidence:
    """Published numbers of one scope, as the rules read them (hidden cells are missing)."""

    def __init__(self, strands: Mapping[str, Any]) -> None:
        self.strands = strands

    def key(self, strand: str, id: str) -> Any:
        results = self.strands.get(strand)
        figure = results.key_figures.get(id) if results is not None else None
        if figure is None or figure.suppressed or figure.value is None:
            return None
        return figure

    def table(self, strand: str, name: str) -> pd.DataFrame | None:
        results = self.strands.get(strand)
        stored = results.tables.get(name) if results is not None else None
        if stored is None or stored.data.empty:
            return None
        return stored.data.copy()

    @staticmethod
    def number(frame: pd.DataFrame, column: str) -> pd.Series:
        """A published column as numbers; hidden cells (``<5``, ``x``) become missing."""
        if column not in frame:
            return pd.Series(float("nan"), index=frame.index)
        return pd.to_numeric(frame[column], errors="coerce")


def _step(code: str, lang: str) -> str:
    from evaluation.reporting.labels import value_label

    return value_label(str(code), "step", lang) or str(code)


def _join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    word = " a " if lang == "cs" else " and "
    return ", ".join(items[:-1]) + word + items[-1]


def _crossing(figure: Any, threshold: float, side: str) -> Any:
    """Whether a published key figure crosses ``threshold`` with confidence (None when it cannot be judged)."""
    from evaluation.errors import ConfigError
    from evaluation.findings import crossing_of

    try:
        return crossing_of(figure, threshold, side)
    except ConfigError:
        return None


def _lost_applications(ev: Evidence) -> Recommendation | None:
    figure = ev.key("process", "lost_share")
    crossing = _crossing(figure, LOST_SHARE_MAX, "above") if figure is not None else None
    if crossing is None or not crossing.confident:
        return None
    share_cs, share_en = format_percent(figure.value, "cs"), format_percent(figure.value, "en")
    named_cs, named_en = "", ""
    times = ev.table("process", "processing_time")
    if times is not None and "district" in times:
        times = times.assign(median=ev.number(times, "median_days")).dropna(subset=["median"])
        slowest = times.sort_values("median", ascending=False).head(NAMED_DISTRICTS)
        if len(slowest):
            cs = [f"{d} (medián {format_number(m, 'cs', 0)}\u00a0dní)" for d, m in zip(slowest["district"], slowest["median"])]
            en = [f"{d} (median {format_number(m, 'en', 0)} days)" for d, m in zip(slowest["district"], slowest["median"])]
            named_cs = f" Začít je vhodné tam, kde vyřízení trvá nejdéle: {_join(cs, 'cs')}."
            named_en = f" Start where processing takes longest: {_join(en, 'en')}."
    return Recommendation(
        "lost_apps",
        f"Bez rozhodnutí do 90 dní zůstalo {share_cs} žádostí; podíl {crossing.words('cs')}. Navrhujeme zavést na "
        f"kontaktních místech sledování lhůt vyřízení s upozorněním před uplynutím 90 dní.{named_cs}",
        f"{share_en} of applications had no decision within 90 days; the share {crossing.words('en')}. We suggest "
        f"deadline tracking at the contact points, with an alert before 90 days have passed.{named_en}")


def _unequal_care(ev: Evidence) -> Recommendation | None:
    tests = ev.table("process", "equality_of_care")
    if tests is None or "term" not in tests:
        return None
    row = tests.loc[tests["term"] == "processing_time"]
    if row.empty:
        return None
    p = Evidence.number(row, "p_value").iloc[0]
    ratio = Evidence.number(row, "effect_size").iloc[0]
    if pd.isna(p) or pd.isna(ratio) or p >= ALPHA or ratio < PROCESSING_RATIO:
        return None
    return Recommendation(
        "unequal_care",
        f"Doba vyřízení žádostí se mezi obvody liší víc, než by vysvětlila náhoda (nejdelší medián je "
        f"{format_number(ratio, 'cs', 1)}krát delší než nejkratší). Navrhujeme sjednotit postup a standardy "
        "vyřizování na všech kontaktních místech.",
        f"Processing times differ between districts by more than chance would explain (the longest median is "
        f"{format_number(ratio, 'en', 1)} times the shortest). We suggest common procedures and standards "
        "at all contact points.")


def _p(p: float, lang: str) -> str:
    return f"< {format_number(0.001, lang, 3)}" if p < 0.001 else f"= {format_number(p, lang, 3)}"


def _housed_12m(ev: Evidence) -> Any:
    return ev.key("retention", "housed_12m")


def _share_crossing(frame: pd.DataFrame, share_column: str, threshold: float) -> pd.Series:
    """Per row: whether the share lies above ``threshold`` with confidence (Wilson interval of the
    households behind it, the table's base column; without a base the rule cannot be confident)."""
    from evaluation.findings import threshold_crossing, wilson_interval

    base = next((c for c in ("households", "n_households", "known_outcome", "spells", "n") if c in frame), None)
    shares = Evidence.number(frame, share_column)
    bases = Evidence.number(frame, base) if base else pd.Series(float("nan"), index=frame.index)
    confident = []
    for share, n in zip(shares, bases):
        if pd.isna(share) or pd.isna(n) or n <= 0 or not 0 <= share <= 1:
            confident.append(False)
            continue
        low, high = wilson_interval(float(share), float(n))
        confident.append(threshold_crossing(low, high, threshold, "above", share=True).confident)
    return pd.Series(confident, index=frame.index)


def _step_dropout(ev: Evidence) -> Recommendation | None:
    housed = _housed_12m(ev)
    dropout = ev.table("process", "dropout")
    if housed is None or dropout is None or "step" not in dropout:
        return None
    retained = _crossing(housed, RETENTION_HIGH, "below")
    if retained is None or retained.status != "not":  # retention must be high with confidence
        return None
    shares = dropout.assign(share=ev.number(dropout, "dropout_share"))
    high = shares.loc[_share_crossing(shares, "dropout_share", DROPOUT_HIGH)]
    if high.empty:
        return None
    cs = [f"{_step(s, 'cs')} ({format_percent(v, 'cs', 0)})" for s, v in zip(high["step"], high["share"])]
    en = [f"{_step(s, 'en')} ({format_percent(v, 'en', 0)})" for s, v in zip(high["step"], high["share"])]
    return Recommendation(
        "step_dropout",
        f"Po 12 měsících bydlí {format_percent(housed.value, 'cs', 0)} domácností, ale značná část pobytů končí "
        f"předčasně na stupni {_join(cs, 'cs')}. Navrhujeme na tomto stupni prověřit intenzitu podpory a "
        "podmínky nájmu.",
        f"{format_percent(housed.value, 'en', 0)} of households are still housed at 12 months, but drop-out "
        f"is high on {_join(en, 'en')}. We suggest reviewing the support and conditions on that step.")


def _low_retention(ev: Evidence) -> Recommendation | None:
    housed = _housed_12m(ev)
    crossing = _crossing(housed, RETENTION_LOW, "below") if housed is not None else None
    if crossing is None or not crossing.confident:
        return None
    return Recommendation(
        "low_retention",
        f"Po 12 měsících bydlí jen {format_percent(housed.value, 'cs', 0)} domácností; podíl "
        f"{crossing.words('cs')}. Navrhujeme prověřit intenzitu podpory v prvním roce nájmu a včasné řešení dluhů.",
        f"Only {format_percent(housed.value, 'en', 0)} of households are still housed at 12 months; the share "
        f"{crossing.words('en')}. We suggest reviewing support in the first year of tenancy and early work on debts.")


def _arrears(ev: Evidence) -> Recommendation | None:
    arrears = ev.table("process", "rent_arrears")
    if arrears is None or not {"step", "month"} <= set(arrears.columns):
        return None
    arrears = arrears.assign(share=ev.number(arrears, "share_in_arrears"))
    latest = arrears.sort_values("month").groupby("step", sort=False).tail(1)
    high = latest.loc[_share_crossing(latest, "share_in_arrears", ARREARS_HIGH)]
    if high.empty:
        return None
    cs = [f"{_step(s, 'cs')} ({format_percent(v, 'cs', 0)})" for s, v in zip(high["step"], high["share"])]
    en = [f"{_step(s, 'en')} ({format_percent(v, 'en', 0)})" for s, v in zip(high["step"], high["share"])]
    limit_cs, limit_en = format_percent(ARREARS_HIGH, "cs", 0), format_percent(ARREARS_HIGH, "en", 0)
    return Recommendation(
        "arrears",
        f"Dluh na nájemném podle evidence plateb má v posledním sledovaném měsíci s dostatečnou jistotou víc než "
        f"{limit_cs} domácností na stupni {_join(cs, 'cs')}. Navrhujeme nabízet dluhové poradenství a splátkové "
        "kalendáře hned při prvním dluhu.",
        f"By the rent ledger, more than {limit_en} of households on {_join(en, 'en')} are in rent arrears in the "
        "latest month, with confidence. We suggest offering debt counselling and repayment plans at the first "
        "arrears.")


#: Key figures of the impact strand holding a pre-test's p-value, and the design in words (Czech, English).
PRETEST_FIGURES = {"pretest_p_households": ("kohorty domácností", "household cohorts"),
                   "pretest_p_municipalities": ("pilotní obce", "pilot municipalities")}


def _pretrend(ev: Evidence) -> Recommendation | None:
    published = {id: ev.key("impact", id) for id in PRETEST_FIGURES}
    published = {id: figure for id, figure in published.items() if figure is not None}
    if published:
        failed = [PRETEST_FIGURES[id] for id, figure in published.items() if figure.value < ALPHA]
        where_cs = f" ({_join([cs for cs, _ in failed], 'cs')})"
        where_en = f" ({_join([en for _, en in failed], 'en')})"
    else:  # results written before the staggered pre-tests were key figures: the event study's test
        table = ev.table("impact", "pretrend")
        p = Evidence.number(table, "p_value").iloc[0] if table is not None else float("nan")
        failed = [] if pd.isna(p) or p >= ALPHA else [p]
        where_cs = where_en = ""
    if not failed:
        return None
    return Recommendation(
        "pretrend",
        f"Programová a srovnávací skupina se vyvíjely odlišně už před vstupem do programu{where_cs}, takže rozdíl "
        "po vstupu nelze přičíst programu. Odhad dopadu proto neuvádějte jako efekt a ověřte jej jinou "
        "srovnávací skupinou nebo metodou.",
        f"The programme and comparison groups were already developing differently before entry{where_en}, so the "
        "difference after entry cannot be attributed to the programme. Do not quote the impact estimate as an "
        "effect; check it with another comparison group or method.")


def _impact_unclear(ev: Evidence) -> Recommendation | None:
    figure = ev.key("impact", "att_households")
    if figure is None or figure.ci is None:
        return None
    low, high = figure.ci
    if not (low <= 0 <= high):
        return None
    return Recommendation(
        "impact_unclear",
        f"Interval spolehlivosti dopadu na dluh na bydlení zahrnuje nulu "
        f"({format_interval(low, high, 'cs', decimals=0, unit='Kč')}). Navrhujeme zatím netvrdit, že program "
        "dluh snižuje, a pokračovat ve sběru dat.",
        f"The confidence interval of the impact on housing debt includes zero "
        f"({format_interval(low, high, 'en', decimals=0, unit='CZK')}). We suggest not yet claiming that the "
        "programme reduces debt, and continuing to collect data.")


def _costs(ev: Evidence) -> Recommendation | None:
    net = ev.table("economics", "net_cost")
    if net is None or not {"perspective", "term", "discounted"} <= set(net.columns):
        return None
    conventions = ev.table("economics", "conventions")
    perspective = "public_sector"
    if conventions is not None and {"setting", "value"} <= set(conventions.columns):
        declared = conventions.loc[conventions["setting"] == "perspective", "value"]
        perspective = str(declared.iloc[0]) if len(declared) else perspective
    rows = net[net["perspective"].astype(str) == perspective]
    values = dict(zip(rows["term"], Evidence.number(rows, "discounted")))
    cost, saved, net = values.get("programme_cost"), values.get("offsets_counted"), values.get("net_cost")
    if cost is None or saved is None or pd.isna(cost) or pd.isna(saved) or cost <= 0:
        return None
    cover = max(saved, 0.0) / cost
    if cover >= OFFSET_COVER:
        return None
    cheapest_cs, cheapest_en = "", ""
    per = ev.table("economics", "sustained_costs")
    if per is not None and {"entry_step", "cost_per_sustained_tenancy"} <= set(per.columns):
        per = per.assign(value=ev.number(per, "cost_per_sustained_tenancy")).dropna(subset=["value"])
        per = per.groupby("entry_step", as_index=False)["value"].mean().sort_values("value")
        if len(per) > 1:
            first = per.iloc[0]
            cheapest_cs = (f" Nejnižší náklady na udržené bydlení má {_step(first['entry_step'], 'cs')} "
                           f"({format_number(first['value'], 'cs', 0)}\u00a0Kč).")
            cheapest_en = (f" The lowest cost per sustained tenancy is in {_step(first['entry_step'], 'en')} "
                           f"({format_number(first['value'], 'en', 0)} CZK).")
    net_cs = f" Čisté náklady činí {format_number(net, 'cs', 0)}\u00a0Kč na domácnost." if net is not None else ""
    net_en = f" The net cost is {format_number(net, 'en', 0)} CZK per household." if net is not None else ""
    if saved > 0:
        cover_cs = (f"Úspory v jiných veřejných rozpočtech pokrývají {format_percent(cover, 'cs', 0)} nákladů "
                    "programu v horizontu hodnocení.")
        cover_en = (f"Savings in other public budgets cover {format_percent(cover, 'en', 0)} of the programme cost "
                    "within the evaluation horizon.")
    else:
        cover_cs = (f"Započtené úspory v jiných veřejných rozpočtech nejsou v horizontu hodnocení kladné "
                    f"({format_number(saved, 'cs', 0)}\u00a0Kč na domácnost).")
        cover_en = (f"The offsets counted in other public budgets are not positive within the evaluation horizon "
                    f"({format_number(saved, 'en', 0)} CZK per household).")
    return Recommendation(
        "costs",
        f"{cover_cs}{net_cs}{cheapest_cs} Navrhujeme rozpočtovat program na čisté náklady a jednotkové náklady "
        "úspor nahradit místními údaji.",
        f"{cover_en}{net_en}{cheapest_en} We suggest budgeting the programme on its net cost and replacing the "
        "unit costs of the offsets with local figures.")


def _need(ev: Evidence) -> Recommendation | None:
    projection = ev.table("need", "stock_flow")
    if projection is None or "additional_units" not in projection:
        return None
    last = projection.iloc[-1]
    flats = pd.to_numeric(pd.Series([last.get("additional_units")]), errors="coerce").iloc[0]
    if pd.isna(flats) or flats < 1:
        return None
    low = pd.to_numeric(pd.Series([last.get("additional_units_low")]), errors="coerce").iloc[0]
    high = pd.to_numeric(pd.Series([last.get("additional_units_high")]), errors="coerce").iloc[0]
    band_cs = f" (95% IS {format_interval(low, high, 'cs', decimals=0)})" if pd.notna(low) and pd.notna(high) else ""
    band_en = f" (95% CI {format_interval(low, high, 'en', decimals=0)})" if pd.notna(low) and pd.notna(high) else ""
    periods = len(projection) - 1
    target_cs, target_en = _target_words(projection)
    return Recommendation(
        "need",
        f"Má-li se bytová nouze snížit podle cíle, který pro projekci předpokládá zpracovatel{target_cs}, je během "
        f"{periods} čtvrtletí třeba {format_number(flats, 'cs', 0)} dalších bytů{band_cs}. Cíl je předpoklad, ne "
        "zjištění; s počtem bytů navrhujeme počítat v plánu rozvoje bytového fondu obce, až jej obec potvrdí.",
        f"If housing need is to fall to the target the evaluator assumes for the projection{target_en}, "
        f"{format_number(flats, 'en', 0)} additional flats{band_en} are needed over {periods} quarters. The "
        "target is an assumption, not a finding; we suggest including the flats in the municipality's housing "
        "plan once the municipality confirms the target.")


def _target_words(projection: pd.DataFrame) -> tuple[str, str]:
    """`` (snížit počet domácností v nouzi o 50 %)`` from the projection's baseline and target paths."""
    if not {"stock_baseline", "stock_target"} <= set(projection.columns):
        return "", ""
    start = pd.to_numeric(projection["stock_target"], errors="coerce").iloc[0]
    end = pd.to_numeric(projection["stock_target"], errors="coerce").iloc[-1]
    if pd.isna(start) or pd.isna(end) or start <= 0:
        return "", ""
    cut = 1 - end / start
    return (f" (snížit počet domácností v nouzi o {format_percent(cut, 'cs', 0)})",
            f" (need cut by {format_percent(cut, 'en', 0)})")


#: The rules, in the order the drafts are listed.
RULES: tuple[Callable[[Evidence], Recommendation | None], ...] = (
    _lost_applications, _unequal_care, _step_dropout, _low_retention, _arrears, _pretrend,
    _impact_unclear, _costs, _need,
)


def draft_recommendations(strands: Mapping[str, Any]) -> list[Recommendation]:
    """Drafts for one scope: ``strands`` maps a strand name to its
    :class:`~evaluation.reporting.store.StrandResults` (one scope of a results folder)."""
    evidence = Evidence(strands)
    drafts = []
    for rule in RULES:
        found = rule(evidence)
        if found is not None:
            drafts.append(found)
    return drafts
