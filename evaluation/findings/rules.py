"""The grading rules, as data: what :func:`evaluation.findings.assess_effect` applies, in the order
it applies them, printable in the technical report (:func:`grading_rules`).

A finding starts at ``high`` and every rule that applies sets a ceiling; the grade is the lowest
ceiling. Two rules also decide what may be said: a rejected pre-trend test or estimates of
opposite sign make the finding ``not_established`` (no effect is stated), and a design that cannot
identify the effect makes it ``not_estimable``. The thresholds are the module constants, so that a
reader can check them.

Example
-------
>>> table = grading_rules("en")
>>> list(table.columns)
['Rule', 'Condition', 'Consequence', 'Source']
>>> "pretest_rejects" in set(grading_rules("en", ids=True)["Rule"])
True
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from evaluation.reporting.formatting import format_number, format_percent
from evaluation.reporting.labels import check_lang

#: Significance level of the pre-trend tests and the intervals (two-sided).
ALPHA = 0.05
#: A DiD with at most this many treated units (at the level of assignment) cannot identify an effect.
SINGLE_TREATED = 1
#: Fewer treated units than this: cluster-level inference is unreliable (few_clusters: 6 for the wild bootstrap).
MIN_TREATED = 6
#: Fewer treated units than this behind a pre-trend test: not rejecting is weak evidence (staggered_pretest).
FEW_TREATED = 10
#: Pre-periods needed for a pre-trend test worth the name.
MIN_PRE_PERIODS = 2
#: Periods after entry with a comparison below which only the first effects are seen (checked when the
#: caller gives the follow-up, e.g. the monthly ORP panel of the contact points: half a year).
MIN_POST_PERIODS = 6
#: Largest absolute standardised difference of a balanced comparison group (Stuart 2010).
SMD_BALANCED = 0.1
#: HonestDiD relative-magnitudes breakdown value at or above which the effect survives post-entry
#: violations as large as the largest pre-entry one (Rambachan & Roth 2023).
BREAKDOWN_ROBUST = 1.0
#: Share of a static TWFE coefficient's weight on forbidden comparisons (Goodman-Bacon 2021) above
#: which the coefficient is not trusted as the primary estimate.
FORBIDDEN_WEIGHT_MAX = 0.10
#: A synthetic control fits when its pre-entry RMSPE is at most this share of the treated unit's level.
SYNTHETIC_FIT_MAX = 0.10
#: Trial attrition limits: overall share lost and difference between the arms.
ATTRITION_MAX = 0.20
DIFFERENTIAL_ATTRITION_MAX = 0.05

GRADE_ORDER = ("not_estimable", "low", "moderate", "high")
GRADE_WORDS = {"high": ("vysoká", "high"), "moderate": ("střední", "moderate"), "low": ("nízká", "low"),
               "not_estimable": ("nelze odhadnout", "not estimable")}


@dataclass(frozen=True)
class Rule:
    id: str
    condition_cs: str
    condition_en: str
    consequence_cs: str
    consequence_en: str
    source: str


def _n(value: float, percent: bool = False) -> tuple[str, str]:
    """A constant as the texts print it: its own decimals (0.05 -> 0,05), or as per cent."""
    if percent:
        return format_percent(value, "cs", 0), format_percent(value, "en", 0)
    decimals = max(0, -Decimal(str(value)).normalize().as_tuple().exponent)
    return format_number(value, "cs", decimals), format_number(value, "en", decimals)


_A, _F, _M, _S, _B = (_n(v) for v in (ALPHA, FEW_TREATED, MIN_TREATED, SMD_BALANCED, BREAKDOWN_ROBUST))
_W, _SF, _AT = (_n(v, percent=True) for v in (FORBIDDEN_WEIGHT_MAX, SYNTHETIC_FIT_MAX, ATTRITION_MAX))

#: The rules in the order they are applied.
RULES: tuple[Rule, ...] = (
    Rule("primary_named",
         "Primární analýza otázky byla určena předem; ostatní odhady jsou kontroly robustnosti.",
         "The question's primary analysis was named in advance; the other estimates are robustness checks.",
         "Co zjištění říká, určuje primární odhad; kontroly jen zvyšují či snižují jistotu.",
         "The primary estimate decides what the finding says; the checks only raise or lower confidence.",
         "pre-specification (e.g. HM Treasury Magenta Book 2020)"),
    Rule("sms",
         "Úroveň uspořádání na Marylandské škále (SMS) podle použité metody.",
         "The design's level on the Maryland Scientific Methods Scale (SMS), from the method used.",
         "SMS 1–2: nejvýše nízká; SMS 3: nejvýše střední; SMS 4–5: může být vysoká.",
         "SMS 1–2: at most low; SMS 3: at most moderate; SMS 4–5: high possible.",
         "Sherman et al. 1997; Madaleno & Waights 2016 (What Works Centre for Local Economic Growth)"),
    Rule("sms4",
         f"Rozdíl v rozdílech dosáhne SMS 4, když test předtrendů nezamítá a má sílu (aspoň {_F[0]} jednotek, "
         f"{MIN_PRE_PERIODS} období) a srovnávací skupina je vyvážená (|SMD| ≤ {_S[0]}) nebo bod zlomu M̄ ≥ {_B[0]}.",
         f"A difference-in-differences reaches SMS 4 when the pre-trend test does not reject and has power (at "
         f"least {_F[1]} units, {MIN_PRE_PERIODS} periods) and the comparison group is balanced (|SMD| ≤ {_S[1]}) "
         f"or the breakdown value M̄ ≥ {_B[1]}.",
         "Může být vysoká.", "High possible.", "Sherman et al. 1997 (level 4)"),
    Rule("trial_attrition",
         f"Randomizovaný pokus s úbytkem nad {_AT[0]} nebo rozdílem úbytku mezi skupinami nad "
         f"{format_number(DIFFERENTIAL_ATTRITION_MAX * 100, 'cs', 0)} procentních bodů.",
         f"A randomised trial with attrition above {_AT[1]} or a difference in attrition between the arms above "
         f"{format_number(DIFFERENTIAL_ATTRITION_MAX * 100, 'en', 0)} percentage points.",
         "SMS 4 místo 5.", "SMS 4 instead of 5.", "What Works Clearinghouse attrition standard (simplified)"),
    Rule("single_treated",
         "Rozdíl v rozdílech s jedinou jednotkou v programu (jedna obec).",
         "A difference-in-differences with a single treated unit (one municipality).",
         "Nelze odhadnout: srovnání neoddělí program od všeho ostatního, co se v obci změnilo; jen syntetická "
         "kontrola s dobrou shodou před vstupem (pak nejvýše střední).",
         "Not estimable: the comparison cannot separate the programme from everything else that changed there; "
         "only a synthetic control with an adequate pre-entry fit can (then at most moderate).",
         "Conley & Taber 2011; Abadie, Diamond & Hainmueller 2010"),
    Rule("synthetic_fit",
         f"Syntetická kontrola: chyba před vstupem (RMSPE) nad {_SF[0]} úrovně obce v programu.",
         f"Synthetic control: pre-entry RMSPE above {_SF[1]} of the treated unit's level.",
         "Nelze odhadnout (protějšek se obci v programu nepodobá).",
         "Not estimable (the synthetic unit does not resemble the treated one).",
         "Abadie, Diamond & Hainmueller 2010, 2015"),
    Rule("few_treated",
         f"Méně než {_M[0]} jednotek v programu (na úrovni, na které se o programu rozhodlo).",
         f"Fewer than {_M[1]} treated units (at the level of assignment).",
         "Nejvýše nízká: klastrová inference je nespolehlivá a randomizační p-hodnoty hrubé.",
         "At most low: cluster-level inference is unreliable and randomisation p-values coarse.",
         "MacKinnon & Webb 2017, 2020; evaluation.impact.few_clusters"),
    Rule("pretest_rejects",
         f"Test paralelních trendů před vstupem zamítá (p < {_A[0]}).",
         f"The pre-entry test of parallel trends rejects (p < {_A[1]}).",
         "Nejvýše nízká a efekt se neuvádí: text říká, co lze a co nelze usoudit.",
         "At most low and no effect is stated: the text says what can and cannot be concluded.",
         "Roth 2022; Callaway & Sant'Anna 2021"),
    Rule("pretest_missing",
         f"Rozdíl v rozdílech bez testu předtrendů (méně než {MIN_PRE_PERIODS} období před vstupem, nebo test chybí).",
         f"A difference-in-differences without a pre-trend test (fewer than {MIN_PRE_PERIODS} pre-entry periods, "
         "or no test).",
         "Nejvýše střední.", "At most moderate.", "Roth, Sant'Anna, Bilinski & Poe 2023"),
    Rule("pretest_weak",
         f"Test předtrendů nezamítá, ale stojí za ním méně než {_F[0]} jednotek v programu.",
         f"The pre-trend test does not reject, but fewer than {_F[1]} treated units stand behind it.",
         "Nejvýše střední: nezamítnutí je jen slabým dokladem (test má malou sílu).",
         "At most moderate: not rejecting is weak evidence (the test has little power).",
         "Roth 2022; evaluation.impact.staggered_pretest"),
    Rule("twfe_forbidden",
         f"Primární odhad je statický TWFE a více než {_W[0]} jeho váhy leží na srovnáních s již zapojenými "
         "jednotkami (Goodman-Baconův rozklad).",
         f"The primary estimate is a static TWFE with more than {_W[1]} of its weight on comparisons with "
         "already-treated units (Goodman-Bacon decomposition).",
         "Nejvýše nízká.", "At most low.", "Goodman-Bacon 2021"),
    Rule("interval_includes_zero",
         "Interval spolehlivosti primárního odhadu zahrnuje nulu.",
         "The primary estimate's confidence interval includes zero.",
         "„Jasnou změnu jsme nezjistili“ a rozpětí slučitelných efektů; nejvýše nízká, pokud celý interval "
         "neleží uvnitř ± nejmenšího významného efektu otázky.",
         "'We found no clear change' and the range of compatible effects; at most low unless the whole "
         "interval lies within ± the question's smallest relevant effect.",
         "Amrhein, Greenland & McShane 2019; Lakens 2017 (equivalence)"),
    Rule("below_mde",
         "Interval vylučuje nulu, ale odhad je menší než minimální zjistitelný efekt (síla 80 %).",
         "The interval excludes zero but the estimate is smaller than the minimum detectable effect (80% power).",
         "Nejvýše střední: průkazný odhad z uspořádání s malou silou velikost efektu spíše přeceňuje.",
         "At most moderate: a significant estimate from an underpowered design tends to exaggerate.",
         "Bloom 1995; Gelman & Carlin 2014"),
    Rule("honest_breakdown",
         f"Citlivostní analýza HonestDiD: bod zlomu M̄ menší než {_B[0]}.",
         f"HonestDiD sensitivity analysis: breakdown value M̄ below {_B[1]}.",
         "Nejvýše střední: závěr by zvrátilo porušení trendů menší než největší před vstupem.",
         "At most moderate: a violation of trends smaller than the largest pre-entry one would overturn it.",
         "Rambachan & Roth 2023"),
    Rule("estimates_conflict",
         "Primární odhad a kontrola vylučují nulu s opačným znaménkem.",
         "The primary estimate and a check both exclude zero, with opposite signs.",
         "Nejvýše nízká a efekt se neuvádí; text říká, že se odhady rozcházejí a proč.",
         "At most low and no effect is stated; the text says the estimates disagree, and why.", "—"),
    Rule("estimates_disagree",
         "Jeden z odhadů vylučuje nulu a druhý ne, nebo se intervaly nepřekrývají.",
         "One estimate excludes zero and the other does not, or the intervals do not overlap.",
         "Nejvýše střední; text říká, že se odhady rozcházejí a proč (např. Goodman-Baconův rozklad, "
         "jiné výchozí období).",
         "At most moderate; the text says the estimates disagree, and why (e.g. the Goodman-Bacon "
         "decomposition, a different base period).", "—"),
    Rule("short_follow_up",
         f"Po vstupu je srovnání k dispozici jen za méně než {MIN_POST_PERIODS} období (např. měsíců).",
         f"A comparison is available for fewer than {MIN_POST_PERIODS} periods (e.g. months) after entry.",
         "Nejvýše nízká: vidět jsou jen první efekty; zda trvají, rostou nebo slábnou, říct nelze.",
         "At most low: only the first effects are seen; whether they last, grow or fade cannot be said.",
         "Callaway & Sant'Anna 2021 (event-time aggregation); evaluation.runner.strands.impact_national"),
)
RULE_IDS = tuple(r.id for r in RULES)

#: Rules of the indicator findings (descriptive figures).
INDICATOR_RULES: tuple[Rule, ...] = (
    Rule("indicator_precision",
         "Popisný ukazatel: šířka 95% intervalu (u podílů v procentních bodech, jinak vůči hodnotě).",
         "Descriptive indicator: the width of the 95% interval (in percentage points for shares, else relative "
         "to the value).",
         "Polovina šířky do 5 p. b. (10 %): vysoká; do 10 p. b. (25 %): střední; jinak nízká; bez intervalu "
         "nejvýše střední; méně než 5 jednotek: nelze odhadnout.",
         "Half-width up to 5 points (10%): high; up to 10 points (25%): moderate; else low; without an interval at "
         "most moderate; fewer than 5 units: not estimable.", "—"),
    Rule("indicator_threshold",
         "Ukazatel s prahem: práh překročen s jistotou (celý interval za prahem), možná (interval práh "
         "zahrnuje), nebo ne.",
         "Indicator with a threshold: crossed with confidence (the whole interval beyond it), possibly (the "
         "interval contains it), or not.",
         "Doporučení vychází jen z překročení s jistotou; „možná“ se uvádí jako nejistota.",
         "A recommendation rests only on a confident crossing; 'possibly' is reported as uncertainty.", "—"),
)


def grading_rules(lang: str = "cs", *, ids: bool = False, indicators: bool = True) -> pd.DataFrame:
    """The grading rules as a table for the technical report: rule, condition, consequence, source.
    ``ids=True`` shows the rule ids instead of numbers (they are what a finding's reasons cite)."""
    check_lang(lang)
    rules = RULES + (INDICATOR_RULES if indicators else ())
    rows = [{"rule": r.id if ids else str(i + 1),
             "condition": r.condition_cs if lang == "cs" else r.condition_en,
             "consequence": r.consequence_cs if lang == "cs" else r.consequence_en,
             "source": r.source} for i, r in enumerate(rules)]
    names = ({"rule": "Pravidlo", "condition": "Podmínka", "consequence": "Důsledek", "source": "Zdroj"}
             if lang == "cs" else
             {"rule": "Rule", "condition": "Condition", "consequence": "Consequence", "source": "Source"})
    return pd.DataFrame(rows).rename(columns=names)


def rule_number(rule: str) -> int:
    """The number of a rule in :func:`grading_rules` (effect rules first, then the indicator rules)."""
    ids = RULE_IDS + tuple(r.id for r in INDICATOR_RULES)
    return ids.index(rule) + 1


def grade_words(grade: str, lang: str = "cs") -> str:
    """The grade in words: ``vysoká``/``high``, ..."""
    cs, en = GRADE_WORDS[grade]
    return cs if check_lang(lang) == "cs" else en


def lowest(grades: list[str]) -> str:
    """The lowest of ``grades`` (``high`` when empty)."""
    return min(grades, key=GRADE_ORDER.index) if grades else "high"


__all__ = [
    "ALPHA",
    "ATTRITION_MAX",
    "BREAKDOWN_ROBUST",
    "DIFFERENTIAL_ATTRITION_MAX",
    "FEW_TREATED",
    "FORBIDDEN_WEIGHT_MAX",
    "GRADE_ORDER",
    "INDICATOR_RULES",
    "MIN_POST_PERIODS",
    "MIN_PRE_PERIODS",
    "MIN_TREATED",
    "RULES",
    "RULE_IDS",
    "SINGLE_TREATED",
    "SMD_BALANCED",
    "SYNTHETIC_FIT_MAX",
    "Rule",
    "grade_words",
    "grading_rules",
    "lowest",
    "rule_number",
]
