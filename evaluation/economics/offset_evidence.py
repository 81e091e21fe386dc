"""Which offsets count: the evidence behind each effect, graded by :mod:`evaluation.findings`.

An offset counts in the base case only where the programme's effect on the resource is
*established*: its finding (:func:`evaluation.findings.assess_effect`) has the status ``effect``
(the ``1 - alpha`` interval excludes zero, the pre-trend test does not reject, no check points the
other way) and at least the declared grade. An effect whose interval includes zero, whose design
rejects it, or that cannot be estimated contributes nothing to the base case and appears only in
the sensitivity analyses.

The questions graded here are the economic evaluation's own, one per offset, on the scale the
offsets are valued on (per programme household over the horizon), and are declared with their
primary analysis before the results are seen: the staggered difference-in-differences for shelter
nights and children in care (household panel against waiting-list households), the standardised
Cox comparison for losing the home. An effect given from elsewhere is graded by the estimator key
it names, or carries its own finding.

Example
-------
>>> q = offset_question("shelter_nights", "callaway_santanna", 24)
>>> q.primary.strand, q.outcome.unit_en
('economics', 'nights per household over 24 months')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.economics._figures import TableResult, label_column, new_axes, numeric
from evaluation.economics.offset_effects import OffsetEffect
from evaluation.economics.words import EFFECT_UNITS, OFFSET_ITEMS, PAYERS, STATUSES, word
from evaluation.findings import Analysis, Outcome, Question, Scope, assess_effect

#: Outcome wording of each offset's effect: Czech nominative, genitive, accusative; English; decimals.
_OUTCOMES = {
    "shelter_nights": ("počet nocí v azylových zařízeních", "počtu nocí v azylových zařízeních",
                       "počet nocí v azylových zařízeních", "nights in shelters", 1,
                       "nocí na domácnost za {h} měsíců", "nights per household over {h} months",
                       ("azylov",), ("shelter",)),
    "children_in_care": ("počet měsíců, které děti strávily v péči mimo rodinu",
                         "počtu měsíců, které děti strávily v péči mimo rodinu",
                         "počet měsíců, které děti strávily v péči mimo rodinu", "child-months in care", 2,
                         "měsíců na domácnost za {h} měsíců", "child-months per household over {h} months",
                         ("mimo rodinu",), ("in care",)),
    "evictions": ("riziko ztráty bydlení", "rizika ztráty bydlení", "riziko ztráty bydlení",
                  "the risk of losing the home", 3, "(podíl domácností) do {h} měsíců",
                  "(share of households) within {h} months", ("ztrát", "vystěhov"), ("losing the home", "evict")),
}
_TEXTS = {
    "shelter_nights": ("Snížil program počet nocí, které domácnosti strávily v azylových zařízeních?",
                       "Did the programme reduce the nights households spent in shelters?"),
    "children_in_care": ("Snížil program dobu, kterou děti domácností strávily v péči mimo rodinu?",
                         "Did the programme reduce the time the households' children spent in care?"),
    "evictions": ("Snížil program riziko, že domácnost přijde o bydlení?",
                  "Did the programme reduce the risk that a household loses its home?"),
}


def offset_question(item: str, method: str, horizon: int) -> Question:
    """The economic evaluation's question on ``item``'s effect, answered by ``method`` (its primary
    analysis, declared here), on the per-household scale over ``horizon`` months."""
    nom, gen, acc, en, decimals, unit_cs, unit_en, kw_cs, kw_en = _OUTCOMES[item]
    outcome = Outcome(nom, gen, acc, en, unit_cs.format(h=horizon), unit_en.format(h=horizon), decimals, "lower",
                      kw_cs, kw_en)
    text_cs, text_en = _TEXTS[item]
    return Question(f"economics_{item}", text_cs, text_en, "effect", Analysis("economics", "offsets", method),
                    outcome=outcome, comparison_cs="ve srovnání s domácnostmi z pořadníku",
                    comparison_en="compared with waiting-list households", treated_cs="domácnosti programu",
                    treated_en="programme households", treated_unit="household")


def grade_offsets(effects: Mapping[str, OffsetEffect], horizon: int, municipalities: Sequence[str]
                  ) -> dict[str, OffsetEffect]:
    """Each effect with its finding: the one it carries, else :func:`assess_effect` on its total
    (pre-trend test from its estimator's result, when it has one)."""
    scope = Scope.of(municipalities) if municipalities else Scope.pooled()
    graded = {}
    for item, effect in effects.items():
        if effect.finding is not None:
            graded[item] = effect
            continue
        question = offset_question(item, effect.method, horizon)
        finding = assess_effect(question, effect.estimate(), pretest=_pretest_source(effect), scope=scope)
        graded[item] = effect.with_finding(finding)
    return graded


def _pretest_source(effect: OffsetEffect) -> Any:
    """The estimator result whose pre-trend test applies (a staggered DiD), else None."""
    evidence = effect.evidence
    return evidence if type(evidence).__name__ == "StaggeredDiDResult" else None


def counts(effect: OffsetEffect | None, settings: Any) -> bool:
    """Whether an offset counts in the base case: established with at least the declared grade."""
    return effect is not None and effect.established and settings.grade_counts(effect.grade)


OFFSET_COLUMNS = ["item", "label_cs", "label_en", "unit_cs", "unit_en", "method", "effect", "std_error", "conf_low",
                  "conf_high", "effect_discounted", "status", "status_cs", "status_en", "grade", "sms_level", "counted",
                  "unit_cost", "offset", "offset_low", "offset_high", "offset_discounted", "payer_cs", "payer_en",
                  "n_programme"]


@dataclass(frozen=True)
class OffsetsResult(TableResult):
    """Each offset: the programme's effect over the horizon with its interval and the evidence behind it,
    whether it counts, and its value at the unit cost (per programme household, price year)."""

    horizon: int
    price_year: int
    rate: float
    extra_notes: tuple[str, ...] = ()

    n_column: ClassVar[str | None] = "n_programme"
    figure_drawer: ClassVar[str | None] = "evaluation.economics.offset_evidence:draw_offsets"

    @property
    def title(self) -> str:
        return (f"Offsets: the programme's effect on resource use over {self.horizon} months after entry and its "
                f"value per programme household (CZK, {self.price_year} prices)")

    @property
    def notes(self) -> tuple[str, ...]:
        return (("An offset counts only where its effect is established (evaluation.findings status 'effect' at the "
                "declared grade); otherwise it counts 0 and appears in the sensitivity analyses only."),
                ("Shelter nights and children in care: Callaway–Sant'Anna against waiting-list households; losing the "
                 "home: Cox model adjusted for the households' characteristics, standardised over the programme "
                 "households (never the comparison group's raw risk)."),
                f"Offset = -effect x unit cost; discounted by month since entry at {self.rate:.1%} a year.",
                ) + self.extra_notes


def draw_offsets(table: pd.DataFrame, ax: Any = None, *, lang: str = "cs", **kwargs: Any) -> Any:
    """The value of each offset per household with its interval (CZK, undiscounted): filled where it counts
    in the base case, hollow where its effect is not established; zero marked. A hidden cell is left out."""
    from evaluation.reporting import plot_labels as pl

    pl.check_lang(lang)
    ax = new_axes(ax, (6.3, 2.6))
    value, low, high = numeric(table, "offset"), numeric(table, "offset_low"), numeric(table, "offset_high")
    counted = table["counted"].astype(str).str.lower().isin(["true", "1", "1.0"]).to_numpy() \
        if "counted" in table.columns else np.zeros(len(table), bool)
    labels = label_column(table, lang, "item")
    y = np.arange(len(table))
    for yi in y:
        v, a, b = value.iloc[yi], low.iloc[yi], high.iloc[yi]
        if np.isfinite(a) and np.isfinite(b):
            ax.plot([min(a, b), max(a, b)], [yi, yi], color="#0072B2", linewidth=2)
        if np.isfinite(v):
            ax.plot(v, yi, "o", markersize=8, color="#0072B2",
                    markerfacecolor="#0072B2" if counted[yi] else "white", **kwargs)
    ax.axvline(0, color="grey", linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel("Úspora na domácnost (Kč); prázdný bod = nezapočteno" if lang == "cs"
                  else "Saving per household (CZK); hollow = not counted")
    pl.number_axis(ax, lang, axis="x")
    return ax


def _payer(shares: Mapping[str, float], lang: str) -> str:
    return ", ".join(word(PAYERS, payer, lang) for payer, share in shares.items() if share > 0)


def offsets_table(effects: Mapping[str, OffsetEffect], settings: Any, prices: Mapping[str, tuple[float, float, float]],
                  counted: Mapping[str, bool], missing: Mapping[str, str]) -> OffsetsResult:
    """The offsets table: one row per offset (an offset that could not be estimated has the status
    ``not_estimable`` and the reason in the notes)."""
    rate = settings.discount_rate
    rows, notes = [], []
    for item in OFFSET_ITEMS:
        payer = settings.payers[item]
        base = {"item": item, "label_cs": word(OFFSET_ITEMS, item, "cs"), "label_en": word(OFFSET_ITEMS, item, "en"),
                "unit_cs": word(EFFECT_UNITS, item, "cs"), "unit_en": word(EFFECT_UNITS, item, "en"),
                "payer_cs": _payer(payer, "cs"), "payer_en": _payer(payer, "en"), "unit_cost": prices[item][0]}
        effect = effects.get(item)
        if effect is None:
            rows.append({**base, "status": "not_estimable", "status_cs": word(STATUSES, "not_estimable", "cs"),
                         "status_en": word(STATUSES, "not_estimable", "en"), "counted": False})
            notes.append(f"{item}: not estimated ({missing.get(item, 'no data')}).")
            continue
        low, high = effect.interval()
        price = prices[item][0]
        finding = effect.finding
        rows.append({**base, "method": effect.method, "effect": effect.total(), "std_error": effect.std_error(),
                     "conf_low": low, "conf_high": high, "effect_discounted": effect.total(rate),
                     "status": effect.status, "status_cs": word(STATUSES, effect.status, "cs"),
                     "status_en": word(STATUSES, effect.status, "en"), "grade": effect.grade,
                     "sms_level": finding.sms_level if finding is not None else None,
                     "counted": bool(counted.get(item, False)), "offset": -price * effect.total(),
                     "offset_low": -price * high, "offset_high": -price * low,
                     "offset_discounted": -price * effect.total(rate), "n_programme": effect.n_programme})
    return OffsetsResult(pd.DataFrame(rows, columns=OFFSET_COLUMNS), settings.horizon_months,
                         settings.resolved_price_year(), rate, tuple(notes))


__all__ = ["OffsetsResult", "counts", "draw_offsets", "grade_offsets", "offset_question", "offsets_table"]
