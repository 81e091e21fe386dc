"""The design's level on the Maryland Scientific Methods Scale (SMS), from the estimator used.

The scale (Sherman, Gottfredson, MacKenzie, Eck, Reuter & Bushway 1997, *Preventing Crime: What
Works, What Doesn't, What's Promising*, report to the US Congress, ch. 2; in the version of the
What Works Centre for Local Economic Growth, Madaleno & Waights, *Guide to scoring methods using
the Maryland Scientific Methods Scale*, 2016) ranks an impact design by how well it deals with
selection: who gets the programme, and what would have happened without it.

=====  ===================================================================================
level  design (as the findings engine applies it)
=====  ===================================================================================
1      after only, or a correlation at one point in time; no comparison over time
2      before-and-after without a comparison group, or a comparison group without a
       baseline (a cross-section, possibly matched or regression-adjusted)
3      difference-in-differences: before and after, against a comparison group
4      difference-in-differences with a matched or controlled comparison group *and*
       strong pre-trend diagnostics; synthetic control with an adequate pre-period fit
5      randomised assignment (with attrition that does not undo it)
=====  ===================================================================================

Level 4 follows Sherman et al.'s wording ("comparison between multiple units with and without the
program, controlling for other factors, or using comparison units that evidence only minor
differences"). The What Works Centre's guide is stricter: it keeps difference-in-differences,
panel methods and propensity-score matching at 3 and reserves 4 for designs that exploit
quasi-random assignment (instrumental variables, regression discontinuity). ``wwc_strict=True``
applies that reading (a DiD never scores above 3). A design with an estimator this package does
not know raises a ConfigError naming the known ones.

How each estimator of :mod:`evaluation.impact` maps (:data:`ESTIMATOR_DESIGNS`): ``did_2x2``,
``twfe``, ``event_study``, ``callaway_santanna``, ``sun_abraham``, ``two_stage``,
``imputation``, ``wild_bootstrap`` and ``randomization_inference`` (inference for a TWFE DiD) are
difference-in-differences (3, or 4 when the conditions above hold); ``synthetic_control`` and
``synthetic_did`` (not yet in evaluation.impact; accepted from other packages) are 4 with an
adequate fit; ``itt``, ``cace`` and ``trial_randomisation`` are randomised (5, or 4 with high
attrition); ``matched_comparison``, ``cox_comparison`` and ``cross_section_adjusted`` compare
without a baseline (2); ``before_after`` is 2; ``after_only`` and ``correlation`` are 1.

Example
-------
>>> sms_level("callaway_santanna").level
3
>>> sms_level("callaway_santanna", strong_pretrend=True, comparable=True).level
4
>>> sms_level("callaway_santanna", strong_pretrend=True, comparable=True, wwc_strict=True).level
3
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from evaluation.errors import ConfigError
from evaluation.reporting.labels import check_lang

#: Design kinds and their base level on the scale.
DESIGN_LEVELS = {"trial": 5, "synthetic_control": 4, "did": 3, "comparison_no_baseline": 2,
                 "before_after": 2, "after_only": 1}

#: Estimator key -> (design kind, Czech words, English words).
ESTIMATOR_DESIGNS: dict[str, tuple[str, str, str]] = {
    "did_2x2": ("did", "rozdíl v rozdílech 2×2", "2×2 difference-in-differences"),
    "twfe": ("did", "model TWFE s dvousměrnými fixními efekty", "TWFE model with two-way fixed effects"),
    "event_study": ("did", "studie událostí s předstihy a zpožděními v modelu TWFE",
                    "event study with TWFE leads and lags"),
    "callaway_santanna": ("did", "odhad podle Callawaye a Sant’Anny", "Callaway–Sant’Anna estimator"),
    "sun_abraham": ("did", "odhad podle Suna a Abrahama", "Sun–Abraham estimator"),
    "two_stage": ("did", "dvoustupňový rozdíl v rozdílech (Gardner)", "two-stage DiD (Gardner)"),
    "imputation": ("did", "imputační odhad (Borusyak, Jaravel, Spiess)",
                   "imputation estimator (Borusyak, Jaravel, Spiess)"),
    "wild_bootstrap": ("did", "model s fixními efekty a wild cluster bootstrapem",
                       "fixed-effects model with the wild cluster bootstrap"),
    "randomization_inference": ("did", "model s fixními efekty a randomizační inferencí",
                                "fixed-effects model with randomisation inference"),
    "synthetic_control": ("synthetic_control", "syntetická kontrola", "synthetic control"),
    "synthetic_did": ("synthetic_control", "syntetický rozdíl v rozdílech", "synthetic difference-in-differences"),
    "itt": ("trial", "randomizovaný pokus, efekt přiřazení (ITT)", "randomised trial, intention-to-treat effect"),
    "cace": ("trial", "randomizovaný pokus, efekt na ty, kdo program přijali (CACE)",
             "randomised trial, complier average causal effect"),
    "trial_randomisation": ("trial", "randomizovaný pokus, randomizační test", "randomised trial, randomisation test"),
    "matched_comparison": ("comparison_no_baseline", "srovnání se spárovanou skupinou bez výchozího stavu",
                           "matched comparison without a baseline"),
    "cox_comparison": ("comparison_no_baseline", "Coxův model proti srovnávací skupině bez výchozího stavu",
                       "Cox model against a comparison group without a baseline"),
    "cross_section_adjusted": ("comparison_no_baseline", "srovnání skupin po zavedení s kontrolou charakteristik",
                               "cross-sectional comparison with control variables"),
    "before_after": ("before_after", "srovnání před a po bez srovnávací skupiny",
                     "before-and-after comparison without a comparison group"),
    "after_only": ("after_only", "měření jen po zavedení", "after-only measurement"),
    "correlation": ("after_only", "korelace v jednom okamžiku", "correlation at one point in time"),
}

#: Estimators whose effect is a TWFE coefficient (staggered timing can bias it: Goodman-Bacon 2021).
TWFE_BASED = frozenset({"twfe", "event_study", "wild_bootstrap", "randomization_inference"})
#: Estimators robust to effects that differ by cohort and grow over time.
HETEROGENEITY_ROBUST = frozenset({"callaway_santanna", "sun_abraham", "two_stage", "imputation"})

#: The scale itself, as printed in the technical report: level -> (Czech, English).
SCALE = {
    1: ("Jen měření po zavedení nebo korelace v jednom okamžiku; chybí srovnání v čase.",
        "After-only measurement or a correlation at one point in time; no comparison over time."),
    2: ("Srovnání před a po bez srovnávací skupiny, nebo srovnávací skupina bez výchozího stavu.",
        "Before-and-after without a comparison group, or a comparison group without a baseline."),
    3: ("Rozdíl v rozdílech: před a po, proti srovnávací skupině.",
        "Difference-in-differences: before and after, against a comparison group."),
    4: (("Rozdíl v rozdílech se spárovanou či kontrolovanou srovnávací skupinou a silnou diagnostikou "
        "předtrendů; syntetická kontrola s dobrou shodou před vstupem."),
        ("Difference-in-differences with a matched or controlled comparison group and strong pre-trend "
        "diagnostics; synthetic control with an adequate pre-period fit.")),
    5: ("Náhodné přiřazení (randomizace), jehož výhodu nezmaří úbytek účastníků.",
        "Random assignment, with attrition that does not undo it."),
}
SOURCES = ("Sherman et al. (1997), Preventing Crime: What Works, What Doesn't, What's Promising, ch. 2; "
           "Madaleno & Waights (2016), Guide to scoring methods using the Maryland Scientific Methods Scale, "
           "What Works Centre for Local Economic Growth")


@dataclass(frozen=True)
class SMSAssessment:
    """A design's level and why (Czech, English)."""

    level: int
    design: str
    reasons_cs: tuple[str, ...]
    reasons_en: tuple[str, ...]

    def reasons(self, lang: str = "cs") -> tuple[str, ...]:
        return self.reasons_cs if check_lang(lang) == "cs" else self.reasons_en


def design_of(method: str) -> str:
    """The design kind of an estimator key (a ConfigError names the known keys)."""
    try:
        return ESTIMATOR_DESIGNS[method][0]
    except KeyError:
        raise ConfigError(f"unknown estimator {method!r}; known: {', '.join(sorted(ESTIMATOR_DESIGNS))}") from None


def method_words(method: str, lang: str = "cs") -> str:
    """The estimator in words."""
    design_of(method)
    _, cs, en = ESTIMATOR_DESIGNS[method]
    return cs if check_lang(lang) == "cs" else en


def sms_level(method: str, *, strong_pretrend: bool = False, comparable: bool = False,
              synthetic_fit: bool | None = None, attrition_ok: bool = True,
              wwc_strict: bool = False) -> SMSAssessment:
    """The level of the design behind ``method`` (see the module docstring).

    ``strong_pretrend``: the pre-test did not reject and could have (reliable, enough treated
    units and pre-periods; see :mod:`evaluation.findings.grading`). ``comparable``: the comparison
    group is matched or controlled (balance within the standardised-difference limit) or the
    HonestDiD breakdown value shows robustness to trends as large as the pre-period ones.
    ``synthetic_fit``: whether a synthetic control fits the treated unit before entry.
    ``attrition_ok``: for a trial, whether attrition stays within the limits.
    """
    design = design_of(method)
    level = DESIGN_LEVELS[design]
    cs: list[str] = [SCALE[level][0]]
    en: list[str] = [SCALE[level][1]]
    if design == "did":
        if strong_pretrend and comparable and not wwc_strict:
            level = 4
            cs.append("Srovnávací skupina je vyvážená nebo kontrolovaná a diagnostika předtrendů je silná: úroveň 4.")
            en.append("The comparison group is balanced or controlled and the pre-trend diagnostics are strong: "
                      "level 4.")
        elif strong_pretrend and comparable:
            cs.append("Podle přísnějšího pojetí What Works Centre zůstává rozdíl v rozdílech na úrovni 3.")
            en.append("Under the What Works Centre's stricter reading a difference-in-differences stays at level 3.")
    elif design == "synthetic_control" and synthetic_fit is False:
        level = 3
        cs.append("Syntetická kontrola se před vstupem neshoduje dost dobře s obcí v programu: úroveň 3.")
        en.append("The synthetic control does not fit the treated unit well enough before entry: level 3.")
    elif design == "trial" and not attrition_ok:
        level = 4
        cs.append("Úbytek účastníků je velký nebo se liší mezi skupinami, což může zmařit výhodu náhodného "
                  "přiřazení: úroveň 4.")
        en.append("Attrition is high or differs between the arms, which can undo the randomisation: level 4.")
    return SMSAssessment(level, design, tuple(cs), tuple(en))


def sms_table(lang: str = "cs") -> pd.DataFrame:
    """The scale and the estimators at each level, for the technical report."""
    check_lang(lang)
    rows = []
    for level, (cs, en) in SCALE.items():
        designs = [d for d, base in DESIGN_LEVELS.items() if base == level]
        if level == 4:
            designs.append("did")
        methods = [method_words(m, lang) for m, (d, _, _) in ESTIMATOR_DESIGNS.items() if d in designs]
        rows.append({"level": level, "design": cs if lang == "cs" else en, "estimators": "; ".join(methods)})
    columns = {"level": "Úroveň" if lang == "cs" else "Level",
               "design": "Uspořádání" if lang == "cs" else "Design",
               "estimators": "Odhady v tomto balíku" if lang == "cs" else "Estimators in this package"}
    return pd.DataFrame(rows).rename(columns=columns)


__all__ = ["DESIGN_LEVELS", "ESTIMATOR_DESIGNS", "HETEROGENEITY_ROBUST", "SCALE", "SOURCES", "TWFE_BASED",
           "SMSAssessment", "design_of", "method_words", "sms_level", "sms_table"]
