"""Strength of evidence: from an effect estimate and its diagnostics to a graded :class:`Finding`.

:func:`assess_effect` applies the rules of :mod:`evaluation.findings.rules` in order (each
finding lists every rule applied and its outcome in ``reasons``):

1. the primary estimate must be the analysis the question named in advance;
2. identification: a difference-in-differences with one treated unit cannot identify the effect
   (``not_estimable``) unless a synthetic control with an adequate pre-entry fit is given;
3. the design's level on the Maryland scale caps the grade (:mod:`evaluation.findings.sms`);
4. few treated units, the pre-trend test (rejected: at most low and not stated as an effect;
   missing or weak: at most moderate), the Goodman-Bacon weights of a TWFE primary;
5. the primary interval: excludes zero (an effect) or not (no clear change, at most low unless
   the interval lies within the question's smallest relevant effect);
6. the minimum detectable effect and the HonestDiD breakdown value;
7. agreement with each robustness estimate (sign and overlap), with the reasons for a
   disagreement (:func:`explain_disagreement`).

:func:`assess_indicator` grades a descriptive figure by its precision and places it against the
question's threshold (:mod:`evaluation.findings.thresholds`).

Example
-------
>>> from evaluation.findings import Estimate, Pretest, Scope, load_questions
>>> q = load_questions()["evictions"]
>>> f = assess_effect(q, Estimate("callaway_santanna", -0.3, -0.45, -0.15, n_treated=16, n_pre_periods=4),
...                   pretest=Pretest(0.4, "wald", n_treated=16), scope=Scope.pooled(16))
>>> f.status, f.direction, f.grade, f.sms_level
('effect', 'decrease', 'moderate', 3)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from evaluation.errors import ConfigError
from evaluation.findings import rules as R
from evaluation.findings.evidence import (
    Estimate,
    Pretest,
    Sensitivity,
    SyntheticFit,
    attrition_of,
    balance_of,
    decomposition_of,
    estimate_of,
    mde_from_estimate,
    mde_of,
    pretest_of,
    sensitivity_of,
)
from evaluation.findings.finding import Finding, Reason, Scope
from evaluation.findings.language import (
    count_text,
    display_decimals,
    plural_cs,
    plural_en,
    sentence,
)
from evaluation.findings.questions import Question
from evaluation.findings.sms import HETEROGENEITY_ROBUST, TWFE_BASED, sms_level
from evaluation.findings.thresholds import threshold_crossing
from evaluation.reporting.formatting import (
    format_interval,
    format_number,
    format_p_value,
    format_percent,
)

#: Units behind an indicator below which it is not reported (the disclosure threshold).
MIN_INDICATOR_UNITS = 5


class _Ledger:
    """The reasons, ceilings and conclusions collected while the rules are applied."""

    def __init__(self) -> None:
        self.reasons: list[Reason] = []
        self.ceilings: list[str] = []
        self.limitations: list[Reason] = []
        self.can: list[Reason] = []
        self.cannot: list[Reason] = []
        self.disagreement: list[Reason] = []

    def add(self, reason: Reason, ceiling: str | None = None) -> None:
        self.reasons.append(dataclasses.replace(reason, ceiling=ceiling))
        if ceiling is not None:
            self.ceilings.append(ceiling)


def _num(value: float, lang: str, decimals: int) -> str:
    return format_number(value, lang, decimals)


def _decimals(question: Question) -> int:
    return question.outcome.decimals if question.outcome is not None else 2


def _band(est: Estimate, lang: str, decimals: int) -> str:
    return format_interval(est.conf_low, est.conf_high, lang, decimals=decimals)


def _treated(question: Question, n: int, lang: str) -> str:
    key = question.treated_unit if question.treated_unit in ("household", "municipality") else "unit"
    return count_text(n, key, lang)


# ------------------------------------------------------------------------------ rules
def _check_primary(question: Question, est: Estimate, checks: Sequence[Estimate], ledger: _Ledger) -> None:
    if est.method != question.primary.method:
        raise ConfigError(
            f"question {question.id!r} named its primary analysis in advance: {question.primary.method} "
            f"({question.primary.strand}/{question.primary.result}); the estimate given as primary is {est.method}. "
            "Give it as a robustness check, or change the question's primary analysis before the results are seen.")
    names_cs = ", ".join(c.words("cs") for c in checks) or "žádné"
    names_en = ", ".join(c.words("en") for c in checks) or "none"
    ledger.add(Reason("primary_named",
                      f"Primární analýza (určená předem): {est.words('cs')}; kontroly robustnosti: {names_cs}.",
                      f"Primary analysis (named in advance): {est.words('en')}; robustness checks: {names_en}."))


def _sms(basis: Estimate, pre: Pretest | None, sens: Sensitivity | None, balance: Any, attrition: Any,
         synthetic_ok: bool | None, wwc_strict: bool, ledger: _Ledger) -> int:
    treated = pre.n_treated if pre is not None and pre.n_treated is not None else basis.n_treated
    periods = pre.n_pre_periods if pre is not None and pre.n_pre_periods is not None else basis.n_pre_periods
    strong = (pre is not None and pre.available and not pre.rejected and pre.reliable
              and treated is not None and treated >= R.FEW_TREATED
              and (periods is None or periods >= R.MIN_PRE_PERIODS)
              and (sens is None or sens.restriction != "relative_magnitude" or sens.robust_to_pre_trends))
    comparable = ((balance is not None and balance.max_abs_smd <= R.SMD_BALANCED)
                  or (sens is not None and sens.robust_to_pre_trends))
    attrition_ok = attrition is None or (attrition.overall <= R.ATTRITION_MAX
                                         and attrition.differential <= R.DIFFERENTIAL_ATTRITION_MAX)
    level = sms_level(basis.method, strong_pretrend=strong, comparable=comparable, synthetic_fit=synthetic_ok,
                      attrition_ok=attrition_ok, wwc_strict=wwc_strict)
    ceiling = "low" if level.level <= 2 else "moderate" if level.level == 3 else None
    cap_cs = {"low": "nejvýše nízká jistota", "moderate": "nejvýše střední jistota", None: "může být vysoká jistota"}
    cap_en = {"low": "at most low confidence", "moderate": "at most moderate confidence", None: "high confidence possible"}
    plain = {"low": ("bez srovnávací skupiny nebo bez výchozího stavu nelze vliv programu oddělit od jiných změn",
                     "without a comparison group or a baseline the programme cannot be told apart from other changes"),
             "moderate": (("srovnání se srovnávací skupinou před a po začátku programu nevylučuje všechna jiná "
                          "vysvětlení"),
                          ("a comparison with a comparison group before and after the start does not rule out every "
                          "other explanation")),
             None: ("", "")}[ceiling]
    ledger.add(Reason("sms",
                      f"Uspořádání: {basis.words('cs')}; úroveň {level.level} Marylandské škály (SMS): "
                      f"{' '.join(level.reasons_cs)} Proto {cap_cs[ceiling]}.",
                      f"Design: {basis.words('en')}; level {level.level} of the Maryland Scientific Methods Scale "
                      f"(SMS): {' '.join(level.reasons_en)} Hence {cap_en[ceiling]}.", *plain), ceiling)
    if level.design == "did" and not (strong and comparable) and level.level == 3:
        missing_cs, missing_en = [], []
        if not strong:
            missing_cs.append("silná diagnostika předtrendů")
            missing_en.append("strong pre-trend diagnostics")
        if not comparable:
            missing_cs.append(f"vyvážená srovnávací skupina (|SMD| ≤ {format_number(R.SMD_BALANCED, 'cs', 1)}) "
                              "nebo citlivostní analýza HonestDiD s bodem zlomu M̄ ≥ 1")
            missing_en.append(f"a balanced comparison group (|SMD| ≤ {R.SMD_BALANCED:g}) or a HonestDiD "
                              "breakdown value M̄ ≥ 1")
        ledger.add(Reason("sms4", "K úrovni 4 chybí: " + "; ".join(missing_cs) + ".",
                          "Level 4 would need: " + "; ".join(missing_en) + "."))
    return level.level


def _pretest(question: Question, basis: Estimate, pre: Pretest | None, ledger: _Ledger) -> bool:
    """Applies the pre-trend rules; True when the test rejects."""
    if pre is None or not pre.available:
        ledger.add(Reason("pretest_missing",
                          "Souběžný vývoj před vstupem nebyl testován (chybí test nebo období před vstupem).",
                          "Parallel trends before entry were not tested (no test, or no pre-entry periods).",
                          "Nebylo možné ověřit, že se skupiny před začátkem programu vyvíjely souběžně.",
                          "It could not be checked that the groups developed alike before the programme."),
                   "moderate")
        return False
    label_cs, label_en = pre.words("cs"), pre.words("en")
    p_cs, p_en = format_p_value(pre.p_value, "cs"), format_p_value(pre.p_value, "en")
    if pre.rejected:
        ledger.add(Reason("pretest_rejects",
                          f"Test paralelních trendů ({label_cs}) souběžný vývoj před vstupem zamítá (p = {p_cs}); "
                          "odhad se proto jako efekt neuvádí.",
                          f"The parallel-trends test ({label_en}) rejects parallel trends before entry (p = {p_en}); "
                          "the estimate is therefore not stated as an effect.",
                          "Už před začátkem programu se skupiny vyvíjely odlišně.",
                          "The groups were already developing differently before the programme started."), "low")
        return True
    treated = pre.n_treated if pre.n_treated is not None else basis.n_treated
    if treated is not None and treated < R.FEW_TREATED:
        ledger.add(Reason("pretest_weak",
                          # the rule's threshold, not the count: a count of households in a text would
                          # be a small number the publication layer cannot protect
                          f"Test paralelních trendů ({label_cs}) nezamítá (p = {p_cs}), ale nejmenší kohorta má "
                          f"méně než {_treated_genitive(question, R.FEW_TREATED)}: nezamítnutí je slabým dokladem.",
                          f"The parallel-trends test ({label_en}) does not reject (p = {p_en}), but the smallest "
                          f"cohort has fewer than {_treated(question, R.FEW_TREATED, 'en')}: not rejecting is weak "
                          "evidence.",
                          "Souběžný vývoj před začátkem programu šlo ověřit jen na málo jednotkách.",
                          "Parallel development before the programme could be checked on few units only."),
                   "moderate")
        return False
    ledger.add(Reason("pretest_rejects",
                      f"Test paralelních trendů ({label_cs}) souběžný vývoj před vstupem nezamítá (p = {p_cs}).",
                      f"The parallel-trends test ({label_en}) does not reject parallel trends before entry (p = {p_en}).",
                      "Před začátkem programu se skupiny vyvíjely souběžně.",
                      "Before the programme the groups developed alike."))
    return False


def _few_treated(question: Question, basis: Estimate, ledger: _Ledger) -> None:
    n = basis.n_treated
    if n is None or n >= R.MIN_TREATED:
        return
    ledger.add(Reason("few_treated",
                      f"V programu {plural_cs(n, 'je', 'jsou', 'je')} jen {_treated(question, n, 'cs')}: inference na "
                      "úrovni klastrů je nespolehlivá.",
                      f"Only {_treated(question, n, 'en')} {plural_en(n, 'is', 'are')} treated: cluster-level inference "
                      "is unreliable.",
                      f"Program běží jen u {_treated_genitive(question, n)}, takže nejistota odhadu je velká.",
                      f"The programme covers only {_treated(question, n, 'en')}, so the estimate is very uncertain."),
               "low")


def _follow_up(periods: int | None, unit: str, ledger: _Ledger) -> Reason | None:
    if periods is None or periods >= R.MIN_POST_PERIODS:
        return None
    shown_cs, shown_en = count_text(periods, unit, "cs"), count_text(periods, unit, "en")
    reason = Reason("short_follow_up",
                    f"Po vstupu je srovnání k dispozici jen za {shown_cs} (méně než {R.MIN_POST_PERIODS}): vidět jsou "
                    "jen první efekty.",
                    f"A comparison is available for only {shown_en} after entry (fewer than {R.MIN_POST_PERIODS}): "
                    "only the first effects are seen.",
                    f"Srovnání po začátku pokrývá jen {shown_cs}; zda se efekt udrží, zesílí nebo vyprchá, zatím "
                    "říct nelze.",
                    f"The comparison after the start covers only {shown_en}; whether the effect lasts, grows or fades "
                    "cannot be said yet.")
    ledger.add(reason, "low")
    return reason


def _treated_genitive(question: Question, n: int) -> str:
    """``5 obcí``/``3 obcí`` after ``u`` (genitive plural for every number above 1)."""
    key = question.treated_unit if question.treated_unit in ("household", "municipality") else "unit"
    genitive = {"household": ("domácnosti", "domácností"), "municipality": ("obce", "obcí"),
                "unit": ("jednotky", "jednotek")}[key]
    return f"{format_number(n, 'cs')}\u00a0{genitive[0] if n == 1 else genitive[1]}"


def _decomposition(basis: Estimate, deco: Any, ledger: _Ledger) -> None:
    if deco is None or basis.method not in {"twfe", "wild_bootstrap", "randomization_inference"}:
        return
    share_cs, share_en = format_percent(deco.forbidden_weight, "cs", 0), format_percent(deco.forbidden_weight, "en", 0)
    if deco.forbidden_weight > R.FORBIDDEN_WEIGHT_MAX:
        ledger.add(Reason("twfe_forbidden",
                          f"{share_cs} váhy koeficientu TWFE leží na srovnáních s již zapojenými jednotkami "
                          "(Goodman-Baconův rozklad).",
                          f"{share_en} of the TWFE coefficient's weight lies on comparisons with already-treated "
                          "units (Goodman-Bacon decomposition).",
                          "Metoda srovnává i s obcemi, které už program mají, a to může odhad zkreslit.",
                          "The method also compares with places already in the programme, which can bias it."),
                   "low")


def _interval(question: Question, basis: Estimate, ledger: _Ledger) -> str:
    decimals = _decimals(question)
    band_cs, band_en = _band(basis, "cs", decimals), _band(basis, "en", decimals)
    if basis.excludes_zero:
        ledger.add(Reason("interval_includes_zero",
                          f"Interval primárního odhadu ({band_cs}) nulu nezahrnuje.",
                          f"The primary estimate's interval ({band_en}) excludes zero."))
        return "effect"
    relevant = question.smallest_relevant_effect
    if relevant is not None and -relevant <= basis.conf_low and basis.conf_high <= relevant:
        size_cs, size_en = _num(relevant, "cs", decimals), _num(relevant, "en", decimals)
        ledger.add(Reason("interval_includes_zero",
                          f"Interval ({band_cs}) zahrnuje nulu a leží celý uvnitř ±{size_cs}, nejmenšího efektu, na "
                          "kterém by záleželo.",
                          f"The interval ({band_en}) includes zero and lies wholly within ±{size_en}, the smallest "
                          "effect that would matter.",
                          "Data vylučují efekt, na kterém by záleželo.",
                          "The data rule out an effect large enough to matter."))
        return "no_clear_change"
    ledger.add(Reason("interval_includes_zero",
                      f"Interval primárního odhadu ({band_cs}) zahrnuje nulu i efekty obou směrů.",
                      f"The primary estimate's interval ({band_en}) includes zero and effects in both directions.",
                      "Data jsou slučitelná s poklesem i s nárůstem.",
                      "The data are compatible with a fall as well as a rise."), "low")
    return "no_clear_change"


def _mde(question: Question, basis: Estimate, mde: float | None, status: str, ledger: _Ledger) -> None:
    if mde is None:
        return
    decimals = display_decimals([mde], _decimals(question))
    unit_cs = f"\u00a0{question.outcome.unit_cs}" if question.outcome and question.outcome.unit_cs else ""
    unit_en = f" {question.outcome.unit_en}" if question.outcome and question.outcome.unit_en else ""
    size_cs, size_en = _num(mde, "cs", decimals) + unit_cs, _num(mde, "en", decimals) + unit_en
    ledger.limitations.append(Reason(
        "below_mde",
        f"S tímto uspořádáním by efekt menší než {size_cs} nebyl zjistitelný (minimální zjistitelný efekt při síle "
        "80 % a hladině 5 %).",
        f"With this design an effect smaller than {size_en} could not have been detected (minimum detectable effect "
        "at 80% power and 5% significance).",
        f"S tímto uspořádáním by efekt menší než {size_cs} nebyl zjistitelný.",
        f"With this design an effect smaller than {size_en} could not have been detected."))
    if status == "effect" and abs(basis.estimate) < mde:
        ledger.add(Reason("below_mde",
                          f"Odhad je menší než minimální zjistitelný efekt ({size_cs}): průkazný odhad z uspořádání s "
                          "malou silou velikost efektu spíše přeceňuje.",
                          f"The estimate is smaller than the minimum detectable effect ({size_en}): a significant "
                          "estimate from an underpowered design tends to exaggerate the effect.",
                          "Uspořádání má na efekt této velikosti malou sílu, skutečný efekt může být menší.",
                          "The design has little power for an effect of this size; the true effect may be smaller."),
                   "moderate")


def _sensitivity(sens: Sensitivity | None, status: str, ledger: _Ledger) -> None:
    if sens is None:
        return
    if sens.restriction != "relative_magnitude":
        value = "—" if not math.isfinite(sens.breakdown) else format_number(sens.breakdown, "en", 3)
        ledger.add(Reason("honest_breakdown",
                          f"HonestDiD (hladkost): bod zlomu M = {value.replace('.', ',')}.",
                          f"HonestDiD (smoothness): breakdown value M = {value}."))
        return
    if not math.isfinite(sens.breakdown):
        ledger.add(Reason("honest_breakdown",
                          "HonestDiD: robustní interval nulu nezahrnuje pro žádné zkoumané M̄ (bod zlomu nenastal).",
                          "HonestDiD: the robust set excludes zero for every M̄ examined (no breakdown).",
                          "Závěr odolá i porušení trendů větším, než byla před vstupem.",
                          "The conclusion survives violations of trends larger than those before entry."))
        return
    b_cs, b_en = format_number(sens.breakdown, "cs", 2), format_number(sens.breakdown, "en", 2)
    if status == "effect" and 0 < sens.breakdown < R.BREAKDOWN_ROBUST:
        ledger.add(Reason("honest_breakdown",
                          f"HonestDiD: bod zlomu M̄ = {b_cs} < 1; závěr by zvrátilo porušení trendů menší než největší "
                          "změna před vstupem.",
                          f"HonestDiD: breakdown value M̄ = {b_en} < 1; a violation of trends smaller than the largest "
                          "pre-entry change would overturn the conclusion.",
                          "Závěr by zvrátila i menší odchylka od souběžného vývoje, než jaká byla před vstupem.",
                          "A departure from parallel trends smaller than the one seen before entry would overturn it."),
                   "moderate")
    else:
        ledger.add(Reason("honest_breakdown", f"HonestDiD: bod zlomu M̄ = {b_cs}.", f"HonestDiD: breakdown value M̄ = {b_en}."))


#: Why two estimators may disagree, (Czech, English) by reason; "the check" is the robustness estimate.
WHY = {
    "similar": ("oba odhady jsou podobně velké ({a} a {b}) a liší se hlavně přesností (širší interval má {wider})",
                ("the two estimates are of similar size ({a} and {b}) and differ mainly in precision ({wider} has the "
                "wider interval)")),
    "different": ("odhady se liší velikostí ({a} proti {b})", "the estimates differ in size ({a} against {b})"),
    "forbidden": (("kontrola průměruje všechna srovnání včetně srovnání se skupinami, které už program mají ({share} "
                  "její váhy); když efekt s časem roste, tato srovnání odhad zkreslují"),
                  ("the check averages all comparisons, including ones with groups already in the programme ({share} "
                  "of its weight); when the effect grows over time these comparisons bias it")),
    "forbidden_small": (("srovnání se skupinami, které už program mají, tvoří jen {share} váhy kontroly, rozdíl tedy "
                        "nevysvětlují"),
                        ("comparisons with groups already in the programme carry only {share} of the check's weight, "
                        "so they do not explain the difference")),
    "forbidden_unknown": (("kontrolu mohou zkreslovat srovnání se skupinami, které už program mají, pokud efekt s časem "
                          "roste (kolik, ukáže Goodman-Baconův rozklad)"),
                          ("the check may be biased by comparisons with groups already in the programme if the effect "
                          "grows over time (a Goodman-Bacon decomposition would show how much)")),
    "event_weights": (("primární analýza dává každému období od začátku programu stejnou váhu, kontrola váží skupiny a "
                      "období podle rozptylu zapojení do programu"),
                      ("the primary analysis gives every period since the start the same weight, while the check "
                      "weights groups and periods by the variance of treatment")),
    "base_period": (("primární analýza měří změnu od posledního období před začátkem programu, kontrola od průměru "
                    "všech období před ním"),
                    ("the primary analysis measures change from the last period before the start, the check from the "
                    "average of all periods before it")),
    "inference": ("s tak malým počtem jednotek v programu dávají různé způsoby výpočtu nejistoty velmi různé intervaly",
                  ("with this few treated units, different ways of computing the uncertainty give very different "
                  "intervals")),
    "weights": ("metody váží skupiny a období jinak, takže průměrují trochu jiné efekty",
                "the methods weight groups and periods differently, so they average somewhat different effects"),
}
#: Reasons for a disagreement given in the brief (the technical text gives them all).
BRIEF_REASONS = 2
#: A forbidden-comparison weight below this does not explain a disagreement.
FORBIDDEN_NOTABLE = 0.05
_INFERENCE_METHODS = {"wild_bootstrap", "randomization_inference"}


def _std_error(est: Estimate) -> float:
    if math.isfinite(est.std_error) and est.std_error > 0:
        return est.std_error
    return (est.conf_high - est.conf_low) / (2 * 1.959964)


def explain_disagreement(primary: Estimate, other: Estimate, decomposition: Any = None, lang: str = "cs",
                         decimals: int = 2) -> list[str]:
    """Why the check ``other`` may differ from ``primary``, in ``lang``: whether they differ in size or
    only in precision (from their numbers), and what the two estimators do differently (comparisons
    with already-treated groups, judged by the Goodman-Bacon weights when a decomposition is given;
    weighting; base period; inference with few treated units)."""
    index = 0 if lang == "cs" else 1
    a, b = format_number(primary.estimate, lang, decimals), format_number(other.estimate, lang, decimals)
    reasons = []
    if abs(primary.estimate - other.estimate) <= max(_std_error(primary), _std_error(other)):
        wider_primary = (primary.conf_high - primary.conf_low) >= (other.conf_high - other.conf_low)
        wider = (("primární analýza" if wider_primary else "kontrola") if lang == "cs"
                 else ("the primary analysis" if wider_primary else "the check"))
        reasons.append(WHY["similar"][index].format(a=a, b=b, wider=wider))
    else:
        reasons.append(WHY["different"][index].format(a=a, b=b))
    deco = decomposition_of(decomposition)
    robust_vs_twfe = other.method in TWFE_BASED and primary.method in HETEROGENEITY_ROBUST
    if robust_vs_twfe:
        if deco is None:
            reasons.append(WHY["forbidden_unknown"][index])
        else:
            share = format_percent(deco.forbidden_weight, lang, 0 if deco.forbidden_weight >= 0.01 else 1)
            key = "forbidden" if deco.forbidden_weight > FORBIDDEN_NOTABLE else "forbidden_small"
            reasons.append(WHY[key][index].format(share=share))
        if primary.method == "callaway_santanna":
            reasons.append(WHY["event_weights"][index])
            reasons.append(WHY["base_period"][index])
    elif not ({primary.method, other.method} & TWFE_BASED and {primary.method, other.method} & HETEROGENEITY_ROBUST):
        reasons.append(WHY["weights"][index])
    treated = min([n for n in (primary.n_treated, other.n_treated) if n is not None], default=None)
    if ({primary.method, other.method} & _INFERENCE_METHODS and treated is not None
            and treated < R.FEW_TREATED):
        reasons.append(WHY["inference"][index])
    return reasons


def _agreement(question: Question, basis: Estimate, checks: Sequence[Estimate], deco: Any,
               explanation: tuple[str, str] | None, ledger: _Ledger) -> tuple[str | None, bool]:
    """The agreement of ``basis`` with the checks ("agree", "disagree", "conflict") and whether a
    conflict of signs forbids stating an effect."""
    if not checks:
        return None, False
    decimals = _decimals(question)
    worst, conflict = "agree", False
    for check in checks:
        text = {lang: f"({check.words(lang)}: {_num(check.estimate, lang, decimals)}; {_band(check, lang, decimals)})"
                for lang in ("cs", "en")}
        opposite = basis.excludes_zero and check.excludes_zero and basis.direction != check.direction
        differ = basis.excludes_zero != check.excludes_zero or not basis.overlaps(check)
        if opposite:
            conflict, worst = True, "conflict"
            ledger.add(Reason("estimates_conflict",
                              f"Kontrola {text['cs']} vylučuje nulu s opačným znaménkem než primární odhad.",
                              f"The check {text['en']} excludes zero with the opposite sign to the primary estimate.",
                              "Dvě metody ukazují opačným směrem.", "Two methods point in opposite directions."),
                       "low")
        elif differ:
            worst = "disagree" if worst == "agree" else worst
            ledger.add(Reason("estimates_disagree",
                              f"Kontrola {text['cs']} se s primárním odhadem neshoduje.",
                              f"The check {text['en']} disagrees with the primary estimate.",
                              "Druhá metoda vychází jinak.", "A second method gives a different answer."),
                       "moderate")
        else:
            ledger.add(Reason("estimates_disagree",
                              f"Kontrola {text['cs']} se s primárním odhadem shoduje (znaménko i interval).",
                              f"The check {text['en']} agrees with the primary estimate (sign and interval).",
                              "Druhá metoda vychází stejně.", "A second method gives the same answer."))
            continue
        why_cs = explain_disagreement(basis, check, deco, "cs", decimals)
        why_en = explain_disagreement(basis, check, deco, "en", decimals)
        if explanation is not None:
            why_cs.insert(0, explanation[0])
            why_en.insert(0, explanation[1])
        ledger.disagreement.append(Reason("estimates_conflict" if opposite else "estimates_disagree",
                                          "; ".join(why_cs), "; ".join(why_en), "; ".join(why_cs[:BRIEF_REASONS]),
                                          "; ".join(why_en[:BRIEF_REASONS])))
    return worst, conflict


# ------------------------------------------------------------------------------ conclusions
def _conclusions(question: Question, scope: Scope, basis: Estimate, status: str, why: str,
                 ledger: _Ledger) -> None:
    o = question.outcome
    where_cs, where_en = scope.phrase("cs"), scope.phrase("en")
    decimals = _decimals(question)
    if status == "effect":
        change_cs = "poklesu" if basis.direction == "decrease" else "nárůstu"
        change_en = "fell" if basis.direction == "decrease" else "rose"
        low, high = sorted((abs(basis.conf_low), abs(basis.conf_high)))
        band_cs = format_interval(low, high, "cs", decimals=decimals)
        band_en = format_interval(low, high, "en", decimals=decimals)
        ledger.can.append(Reason("interval_includes_zero",
                                 sentence(f"{where_cs} došlo ve srovnání se srovnávací skupinou k {change_cs} "
                                          f"{o.genitive_cs} o {band_cs} {o.unit_cs}"),
                                 sentence(f"{where_en}, {o.name_en} {change_en} against the comparison group by "
                                          f"{band_en} {o.unit_en}")))
        ledger.cannot.append(Reason("interval_includes_zero",
                                    "Přesnou velikost efektu: je známa jen s nejistotou, kterou udává interval.",
                                    "The exact size of the effect: it is known only up to the interval."))
    elif status == "no_clear_change":
        ledger.can.append(Reason("interval_includes_zero",
                                 f"Data vylučují efekty mimo rozpětí {_band(basis, 'cs', decimals)} {o.unit_cs}".rstrip()
                                 + ".",
                                 f"The data rule out effects outside {_band(basis, 'en', decimals)} {o.unit_en}".rstrip()
                                 + "."))
        ledger.cannot.append(Reason("interval_includes_zero",
                                    f"Že program na {o.accusative_cs} nepůsobil: malý efekt by tato data neodhalila.",
                                    f"That the programme had no effect on {o.name_en}: these data could not reveal a "
                                    "small one."))
    elif status == "not_established" and why == "pretest":
        treated_cs = question.treated_cs or "skupina v programu"
        treated_en = question.treated_en or "the programme group"
        ledger.can.append(Reason("pretest_rejects",
                                 sentence(f"{treated_cs} a srovnávací skupina se vyvíjely odlišně už před začátkem "
                                          "programu"),
                                 sentence(f"{treated_en} and the comparison group were already developing "
                                          "differently before the programme started")))
        ledger.cannot.append(Reason("pretest_rejects",
                                    f"Zda a o kolik program změnil {o.accusative_cs}: rozdíl po začátku může pokračovat "
                                    "v odlišném vývoji z doby před ním.",
                                    f"Whether and by how much the programme changed {o.name_en}: the difference after "
                                    "the start may continue the different development from before it."))
    elif status == "not_established":
        ledger.can.append(Reason("estimates_conflict", "Každá z metod ukazuje jasnou změnu, ale opačným směrem.",
                                 "Each method shows a clear change, but in opposite directions."))
        ledger.cannot.append(Reason("estimates_conflict",
                                    "Kterým směrem program působí, dokud se rozpor nevysvětlí.",
                                    "Which way the programme works, until the disagreement is explained."))
    else:  # not_estimable
        ledger.can.append(Reason("single_treated",
                                 f"Jak se {o.nominative_cs} {where_cs} vyvíjel (popisně, bez srovnání).",
                                 f"How {o.name_en} developed {where_en} (descriptively, without a comparison)."))
        ledger.cannot.append(Reason("single_treated",
                                    f"Zda změnu {o.genitive_cs} způsobil program.",
                                    f"Whether the programme caused the change in {o.name_en}."))


#: Why one treated unit cannot identify an effect, in plain words, by the kind of unit (Czech, English).
_ONE_UNIT = {
    "municipality": (("Program běží jen v jedné obci a srovnání s ostatními obcemi nedokáže oddělit jeho vliv od všeho "
                     "ostatního, co se v obci ve stejné době změnilo."),
                     ("The programme runs in one place only, and a comparison with other places cannot separate its "
                     "influence from everything else that changed there at the same time.")),
    "household": (("Program má jen jednu domácnost a srovnání s ostatními nedokáže oddělit jeho vliv od všeho "
                  "ostatního, co se v ní ve stejné době změnilo."),
                  ("The programme has one household only, and a comparison with others cannot separate its influence "
                  "from everything else that changed for it at the same time.")),
    "unit": (("Program má jen jednu jednotku a srovnání s ostatními nedokáže oddělit jeho vliv od všeho ostatního, co "
             "se u ní ve stejné době změnilo."),
             ("The programme covers one unit only, and a comparison with others cannot separate its influence from "
             "everything else that changed there at the same time.")),
}


def _not_estimable(question: Question, scope: Scope, est: Estimate, checks: Sequence[Estimate], rule: str,
                   ledger: _Ledger, alpha: float, fit: SyntheticFit | None = None) -> Finding:
    """``fit``: the pre-entry fit of a synthetic control that was tried and fits too poorly."""
    if rule == "single_treated":
        ledger.add(Reason("single_treated",
                          f"V programu {plural_cs(est.n_treated or 1, 'je', 'jsou', 'je')} jen "
                          f"{_treated(question, est.n_treated or 1, 'cs')}: rozdíl v rozdílech "
                          "neoddělí program od všeho ostatního, co se v ní ve stejné době změnilo, a jeho interval "
                          "odráží jen rozptyl srovnávacích jednotek; syntetická kontrola s dobrou shodou není k dispozici.",
                          f"Only {_treated(question, est.n_treated or 1, 'en')} "
                          f"{plural_en(est.n_treated or 1, 'is', 'are')} treated: a difference-in-differences "
                          "cannot separate the programme from everything else that changed there at the same time, and "
                          "its interval reflects only the variation of the comparison units; no synthetic control with "
                          "an adequate fit is available.",
                          *_ONE_UNIT.get(question.treated_unit, _ONE_UNIT["unit"])), "not_estimable")
    _conclusions(question, scope, est, "not_estimable", rule, ledger)
    if scope.single and fit is not None:
        places = 0 if round(fit.relative_error * 100) != round(R.SYNTHETIC_FIT_MAX * 100) else 1
        error_cs = format_percent(fit.relative_error, "cs", places)
        error_en = format_percent(fit.relative_error, "en", places)
        limit_cs = format_percent(R.SYNTHETIC_FIT_MAX, "cs", 0)
        limit_en = format_percent(R.SYNTHETIC_FIT_MAX, "en", 0)
        ledger.limitations.append(Reason(
            "synthetic_fit",
            f"Syntetická kontrola (vážená kombinace obcí bez programu) se obci před začátkem programu dostatečně "
            f"nepodobala (průměrná chyba {error_cs} úrovně, nejvýše přípustná {limit_cs}), takže ani ona dopad "
            "odhadnout nedovoluje; na otázku odpovídá společná analýza všech pilotních obcí.",
            f"The synthetic control (a weighted combination of places without the programme) did not resemble the "
            f"place well enough before the programme (mean error {error_en} of its level, at most {limit_en} "
            "allowed), so it cannot estimate the effect either; the pooled analysis of all pilot municipalities "
            "answers the question."))
    elif scope.single:
        ledger.limitations.append(Reason(
            "single_treated",
            "Na otázku odpovídá společná analýza všech pilotních obcí; pro jednu obec by byla potřeba syntetická "
            "kontrola s dostatečně dlouhou řadou let před začátkem programu.",
            "The pooled analysis of all pilot municipalities answers the question; for one municipality a synthetic "
            "control with a long enough series of years before the programme would be needed."))
    return Finding(question, scope, "not_estimable", est.direction, est.estimate, est.conf_low, est.conf_high,
                   "not_estimable", None, tuple(ledger.reasons), tuple(ledger.limitations), tuple(ledger.can),
                   tuple(ledger.cannot), (est, *checks), None, (), None, None, alpha=alpha, basis=est.method)


def assess_effect(question: Question, primary: Any, *, robustness: Sequence[Any] = (), scope: Scope | None = None,
                  pretest: Any = None, mde: Any = None, sensitivity: Any = None, decomposition: Any = None,
                  balance: Any = None, synthetic: Any = None, synthetic_fit: SyntheticFit | None = None,
                  attrition: Any = None, n_treated: int | None = None, explanation: tuple[str, str] | None = None,
                  wwc_strict: bool = False, post_periods: int | None = None, period_unit: str = "period") -> Finding:
    """Grade the evidence on an effect question and return its :class:`Finding`.

    ``primary``: the result of the question's primary analysis (an estimator result or an
    :class:`~evaluation.findings.Estimate`; its estimator must be the one the question named).
    ``robustness``: results of the checks. ``pretest``: the pre-trend test (read from ``primary``
    when not given: R did's or the robust test of a staggered DiD, an event study's leads).
    ``mde``: a DetectableEffect or a number (computed from the primary SE when not given).
    ``sensitivity``: a HonestDiD result; ``decomposition``: a Goodman-Bacon result; ``balance``:
    the matching balance; ``synthetic`` and ``synthetic_fit``: a synthetic-control estimate and its
    pre-entry fit (used when the DiD has one treated unit); ``attrition``: a trial's attrition.
    ``n_treated`` overrides the treated units of the primary estimate; ``explanation`` (Czech,
    English) adds the evaluator's reason for a disagreement. ``post_periods``: the periods after
    entry with a comparison (rule ``short_follow_up``; not checked when None), ``period_unit`` their
    noun (``month``, ``year``; :data:`evaluation.findings.language.NOUNS`).
    """
    if question.kind != "effect" or question.outcome is None:
        raise ConfigError(f"question {question.id!r} is not an effect question with an outcome; use assess_indicator")
    scope = scope or Scope.pooled()
    est = estimate_of(primary, n_treated=n_treated)
    checks = [estimate_of(r) for r in robustness]
    ledger = _Ledger()
    _check_primary(question, est, checks, ledger)
    pre = pretest_of(pretest if pretest is not None else primary, alpha=est.alpha)
    sens, deco = sensitivity_of(sensitivity), decomposition_of(decomposition)
    basis, synthetic_ok = est, None
    fit_ok = synthetic_fit is not None and synthetic_fit.relative_error <= R.SYNTHETIC_FIT_MAX
    if est.design == "did" and est.n_treated is not None and est.n_treated <= R.SINGLE_TREATED:
        if synthetic is None or not fit_ok:
            return _not_estimable(question, scope, est, checks, "single_treated", ledger, est.alpha,
                                  fit=synthetic_fit if synthetic is not None else None)
        basis, synthetic_ok = estimate_of(synthetic), True
        checks = [est, *checks]
        ledger.add(Reason("single_treated",
                          "V programu je jediná jednotka: rozdíl v rozdílech efekt neidentifikuje, závěr stojí na "
                          "syntetické kontrole s dobrou shodou před vstupem (nejvýše střední jistota).",
                          "A single unit is treated: the difference-in-differences does not identify the effect; the "
                          "finding rests on a synthetic control with an adequate pre-entry fit (at most moderate).",
                          "Program běží v jedné obci; odhad stojí na srovnání se „syntetickou“ obcí složenou z obcí "
                          "bez programu.",
                          "The programme runs in one place; the estimate rests on a 'synthetic' twin built from "
                          "places without it."), "moderate")
    if basis.design == "synthetic_control":
        if synthetic_fit is None or not fit_ok:
            ledger.add(Reason("synthetic_fit",
                              "Shoda syntetické kontroly před vstupem chybí nebo je nedostatečná.",
                              "The synthetic control's pre-entry fit is missing or inadequate.",
                              "„Syntetická“ obec se před začátkem programu skutečné obci nepodobala.",
                              "The 'synthetic' twin did not resemble the place before the programme."), "not_estimable")
            return _not_estimable_fit(question, scope, est, checks, ledger)
        synthetic_ok = True
    level = _sms(basis, pre if basis.design == "did" else None, sens, balance_of(balance), attrition_of(attrition),
                 synthetic_ok, wwc_strict, ledger)
    short = _follow_up(post_periods, period_unit, ledger)
    rejected = False
    if basis.design == "did":
        _few_treated(question, basis, ledger)
        rejected = _pretest(question, basis, pre, ledger)
        _decomposition(basis, deco, ledger)
    status = _interval(question, basis, ledger)
    relevant = question.smallest_relevant_effect
    equivalence = (status == "no_clear_change" and relevant is not None
                   and -relevant <= basis.conf_low and basis.conf_high <= relevant)
    mde_value = mde_of(mde) if mde is not None else mde_from_estimate(basis)
    _mde(question, basis, mde_value, status, ledger)
    _sensitivity(sens, status, ledger)
    agreement, conflict = _agreement(question, basis, [c for c in checks if c is not basis], deco, explanation,
                                     ledger)
    why = ""
    if rejected:
        status, why = "not_established", "pretest"
    elif conflict:
        status, why = "not_established", "conflict"
    _conclusions(question, scope, basis, status, why, ledger)
    if short is not None and status != "effect":  # an effect's text names it among the reasons for its grade
        ledger.limitations.append(short)
    grade = R.lowest(ledger.ceilings)
    return Finding(question, scope, status, basis.direction, basis.estimate, basis.conf_low, basis.conf_high, grade,
                   level, tuple(ledger.reasons), tuple(ledger.limitations), tuple(ledger.can), tuple(ledger.cannot),
                   (basis, *[c for c in checks if c is not basis]), agreement, tuple(ledger.disagreement), pre,
                   mde_value, alpha=basis.alpha, basis=why or basis.method,
                   equivalence=equivalence and status == "no_clear_change")


def _not_estimable_fit(question: Question, scope: Scope, est: Estimate, checks: Sequence[Estimate],
                       ledger: _Ledger) -> Finding:
    _conclusions(question, scope, est, "not_estimable", "synthetic_fit", ledger)
    return Finding(question, scope, "not_estimable", est.direction, est.estimate, est.conf_low, est.conf_high,
                   "not_estimable", None, tuple(ledger.reasons), tuple(ledger.limitations), tuple(ledger.can),
                   tuple(ledger.cannot), (est, *checks), alpha=est.alpha, basis="synthetic_fit")


# ------------------------------------------------------------------------------ indicators
def assess_indicator(question: Question, value: float | None, *, conf_low: float | None = None,
                     conf_high: float | None = None, n: int | None = None, scope: Scope | None = None,
                     share: bool | None = None, threshold: float | None = None, side: str | None = None,
                     alpha: float = 0.05) -> Finding:
    """A descriptive figure as a :class:`Finding`: graded by the precision of its interval
    (rule ``indicator_precision``) and placed against the question's threshold, or ``threshold``
    and ``side`` given here (``indicator_threshold``). ``share`` (default: the outcome's unit is
    %) words the value as per cent and measures the interval in percentage points."""
    scope = scope or Scope.pooled()
    ledger = _Ledger()
    is_share = share if share is not None else bool(question.outcome and question.outcome.unit_en == "%")
    threshold = question.threshold if threshold is None else threshold
    side = question.problem_side if side is None else side
    if value is None or not math.isfinite(float(value)) or (n is not None and n < MIN_INDICATOR_UNITS):
        ledger.add(Reason("indicator_precision",
                          f"Ukazatel nelze uvést: chybí, nebo stojí na méně než {MIN_INDICATOR_UNITS} jednotkách.",
                          f"The indicator cannot be reported: it is missing or rests on fewer than "
                          f"{MIN_INDICATOR_UNITS} units.", "Údaj nelze uvést.", "The figure cannot be reported."),
                   "not_estimable")
        nan = float("nan")
        return Finding(question, scope, "not_estimable", "none", nan, nan, nan, "not_estimable", None,
                       tuple(ledger.reasons), n=n, alpha=alpha)
    value = float(value)
    has_interval = conf_low is not None and conf_high is not None
    if has_interval:
        half = (float(conf_high) - float(conf_low)) / 2
        width = half if is_share else (half / abs(value) if value else math.inf)
        limits = (0.05, 0.10) if is_share else (0.10, 0.25)
        grade = "high" if width <= limits[0] else "moderate" if width <= limits[1] else "low"
        shown_cs = format_percent(width, "cs") if not is_share else format_number(width * 100, "cs", 1) + " p. b."
        shown_en = format_percent(width, "en") if not is_share else format_number(width * 100, "en", 1) + " points"
        ledger.add(Reason("indicator_precision",
                          f"Polovina šířky 95% intervalu: {shown_cs}.", f"Half-width of the 95% interval: {shown_en}."),
                   grade)
    else:
        ledger.add(Reason("indicator_precision", "Ukazatel nemá interval spolehlivosti.",
                          "The indicator has no confidence interval.",
                          "Nejistotu údaje nelze vyčíslit.", "The uncertainty of the figure cannot be quantified."),
                   "moderate")
    crossing = None
    if threshold is not None and side is not None:
        crossing = threshold_crossing(conf_low if has_interval else None, conf_high if has_interval else None,
                                      threshold, side, estimate=value, share=is_share)
        ledger.add(Reason("indicator_threshold", f"Hodnota {crossing.words('cs')}.", f"The value {crossing.words('en')}."))
    nan = float("nan")
    return Finding(question, scope, "measured", "none", value, float(conf_low) if has_interval else nan,
                   float(conf_high) if has_interval else nan, R.lowest(ledger.ceilings), None, tuple(ledger.reasons),
                   crossing=crossing, n=n, alpha=alpha)


def assess_key_figure(question: Question, figure: Any, *, scope: Scope | None = None, **options: Any) -> Finding:
    """:func:`assess_indicator` for a stored key figure (``value``, ``ci``, ``n``; what the templates
    read from a results folder). A suppressed figure is not estimable."""
    value = None if getattr(figure, "suppressed", False) else getattr(figure, "value", None)
    ci = getattr(figure, "ci", None) or (None, None)
    options.setdefault("share", getattr(figure, "unit", "") == "%" or None)
    return assess_indicator(question, value, conf_low=ci[0], conf_high=ci[1], n=getattr(figure, "n", None),
                            scope=scope, **options)


__all__ = ["MIN_INDICATOR_UNITS", "WHY", "assess_effect", "assess_indicator", "assess_key_figure", "explain_disagreement"]
