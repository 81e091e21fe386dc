"""Words that mean what the numbers say: the text of a :class:`~evaluation.findings.Finding`.

One function writes every finding, in Czech or English, for the brief or the technical report
(:func:`finding_text`; :func:`finding_sections` gives the parts separately for a template):

* an effect: ``the estimate suggests that evictions in the pilot municipalities fell by 0.20 per
  1,000 inhabitants a year (95% interval 0.05 to 0.35)``; the verb follows the grade (high:
  ``fell by``; moderate: ``the estimate suggests that ... fell by``; low: ``the estimate points to
  a fall``) and a sentence says how strong the evidence is and what limits it;
* no clear change: ``we found no clear change in evictions in the pilot municipalities: the data
  are compatible with anything from a fall of 0.43 to a rise of 0.03 per 1,000 inhabitants a
  year``, with the smallest effect the design could have detected;
* a rejected pre-trend test or estimates of opposite sign: no effect is stated; the text says what
  can and cannot be concluded;
* a design that cannot identify the effect (one municipality): ``the effect ... cannot be
  estimated from these data``, and why;
* when a robustness check disagrees, the text says so and why.

Brief-level text carries no p-values (the technical text adds them, with the rules applied).
Uncertainty is explained once, in :func:`uncertainty_paragraph`, for the methods section.
Scope words come from :class:`~evaluation.findings.Scope` (``v obci X`` for one municipality,
``v pilotních obcích`` only for several).

Example
-------
>>> from evaluation.findings import Estimate, Scope, assess_effect, load_questions
>>> q = load_questions()["evictions"]
>>> f = assess_effect(q, Estimate("callaway_santanna", -0.2, -0.43, 0.03, n_treated=16), scope=Scope.pooled(16))
>>> print(finding_sections(f, "en")["headline"])  # doctest: +NORMALIZE_WHITESPACE
Compared with municipalities without a pilot, we found no clear change in evictions in the pilot
municipalities: the data are compatible with anything from a fall of 0.43 to a rise of 0.03 per 1,000
inhabitants a year.
"""

from __future__ import annotations

from typing import Any

from evaluation.findings.evidence import Estimate
from evaluation.findings.finding import Finding, Reason
from evaluation.findings.language import display_decimals, sentence
from evaluation.findings.rules import GRADE_ORDER, rule_number
from evaluation.findings.sms import method_words
from evaluation.reporting.formatting import NBSP, format_interval, format_number, format_p_value
from evaluation.reporting.labels import check_lang

AUDIENCES = ("brief", "technical")
#: Units short enough to repeat after both ends of an interval.
_SHORT_UNIT = 4

STRENGTH = {"high": ("Doklad je silný", "The evidence is strong"),
            "moderate": ("Doklad je středně silný", "The evidence is moderate"),
            "low": ("Doklad je slabý", "The evidence is weak")}


def _check(lang: str, audience: str) -> None:
    check_lang(lang)
    if audience not in AUDIENCES:
        from evaluation.errors import ConfigError

        raise ConfigError(f"audience must be 'brief' or 'technical', not {audience!r}")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _strip_stop(text: str) -> str:
    return text.rstrip().rstrip(".")


def _unit(f: Finding, lang: str) -> str:
    return f.unit(lang)


def _decimals(f: Finding) -> int:
    """The outcome's decimals, or more where a limit would otherwise print as zero (0,004 with 2
    decimals), at most 6."""
    return display_decimals([f.estimate, f.conf_low, f.conf_high], f.outcome.decimals if f.outcome else 2)


def _size(value: float, f: Finding, lang: str) -> str:
    decimals = _decimals(f)
    unit = _unit(f, lang)
    number = format_number(abs(value), lang, decimals)
    return f"{number}{NBSP}{unit}" if unit else number


def _interval_of_change(f: Finding, lang: str) -> str:
    """The interval of the size of a fall or rise (both limits as magnitudes)."""
    decimals = _decimals(f)
    low, high = sorted((abs(f.conf_low), abs(f.conf_high)))
    unit = _unit(f, lang)
    return format_interval(low, high, lang, decimals=decimals, unit=unit if len(unit) <= _SHORT_UNIT else "")


def _level(f: Finding, lang: str) -> str:
    return f"{round((1 - f.alpha) * 100)}% interval"


# ------------------------------------------------------------------------------ headlines
def _effect_headline(f: Finding, lang: str) -> str:
    o, q = f.outcome, f.question
    where = f.scope.phrase(lang)
    size, band, level = _size(f.estimate, f, lang), _interval_of_change(f, lang), _level(f, lang)
    fall = f.direction == "decrease"
    if lang == "cs":
        change = "pokles" if fall else "nárůst"
        what = f"{change} {o.genitive_cs} o {size} ({level} {band})"
        comparison = q.comparison_cs
        if f.grade == "high":
            body = f"{comparison} jsme {where} zjistili {what}" if comparison else f"{where} jsme zjistili {what}"
        elif f.grade == "moderate":
            body = f"{comparison} odhad {where} naznačuje {what}" if comparison else f"{where} odhad naznačuje {what}"
        else:
            body = f"{comparison} ukazuje odhad {where} na {what}" if comparison else f"{where} ukazuje odhad na {what}"
        return sentence(body)
    verb = "fell" if fall else "rose"
    noun = "a fall" if fall else "a rise"
    comparison = f"{q.comparison_en}, " if q.comparison_en else ""
    if f.grade == "high":
        body = f"{comparison}{o.name_en} {where} {verb} by {size} ({level} {band})"
    elif f.grade == "moderate":
        body = f"{comparison}the estimate suggests that {o.name_en} {where} {verb} by {size} ({level} {band})"
    else:
        body = f"{comparison}the estimate points to {noun} in {o.name_en} {where} of {size} ({level} {band})"
    return sentence(body)


def _compatible_range(f: Finding, lang: str) -> str:
    """``anything from a fall of 0.43 to a rise of 0.03 <unit>`` / ``čímkoli od poklesu o 0,43 po nárůst o 0,03``."""
    decimals = _decimals(f)
    unit = _unit(f, lang)
    low = format_number(abs(f.conf_low), lang, decimals)
    high = format_number(abs(f.conf_high), lang, decimals)
    tail = f" {unit}" if unit else ""
    if lang == "cs":
        start = "od žádné změny" if f.conf_low == 0 else f"od poklesu o {low}"
        end = "po žádnou změnu" if f.conf_high == 0 else f"po nárůst o {high}"
        return f"s čímkoli {start} {end}{tail}"
    start = "no change" if f.conf_low == 0 else f"a fall of {low}"
    end = "no change" if f.conf_high == 0 else f"a rise of {high}"
    return f"with anything from {start} to {end}{tail}"


def _null_headline(f: Finding, lang: str) -> str:
    o, q = f.outcome, f.question
    where = f.scope.phrase(lang)
    if lang == "cs":
        opening = f"{q.comparison_cs} jsme {where}" if q.comparison_cs else f"{where} jsme"
        return sentence(f"{opening} nezjistili jasnou změnu {o.genitive_cs}: data jsou slučitelná "
                        f"{_compatible_range(f, 'cs')}")
    opening = f"{q.comparison_en}, we" if q.comparison_en else "We"
    return sentence(f"{opening} found no clear change in {o.name_en} {where}: the data are compatible "
                    f"{_compatible_range(f, 'en')}")


def _not_established_headline(f: Finding, lang: str) -> str:
    o = f.outcome
    where = f.scope.phrase(lang)
    if f.basis == "pretest":
        if lang == "cs":
            return sentence(f"{where} nelze říci, zda program ovlivnil {o.accusative_cs}")
        return sentence(f"we cannot say whether the programme changed {o.name_en} {where}")
    if lang == "cs":
        return sentence(f"{where} nelze říci, zda program {o.accusative_cs} snížil, nebo zvýšil")
    return sentence(f"we cannot say whether the programme lowered or raised {o.name_en} {where}")


def _not_estimable_headline(f: Finding, lang: str) -> str:
    o = f.outcome
    where = f.scope.phrase(lang)
    why = next((r.text(lang, "brief") for r in f.reasons if r.ceiling == "not_estimable"), "")
    if lang == "cs":
        head = f"dopad programu na {o.accusative_cs} {where} z těchto dat odhadnout nelze"
    else:
        head = f"the effect of the programme on {o.name_en} {where} cannot be estimated from these data"
    return sentence(head + (f": {_lower_first(_strip_stop(why))}" if why else ""))


def _indicator_headline(f: Finding, lang: str) -> str:
    o, q = f.outcome, f.question
    where = f.scope.phrase(lang)
    if f.status == "not_estimable":
        name = o.nominative_cs if (o and lang == "cs") else (o.name_en if o else q.text(lang))
        return sentence(f"{name} {where}: " + ("údaj nelze uvést" if lang == "cs" else "the figure cannot be reported"))
    share = f.crossing.share if f.crossing else bool(o and o.unit_en == "%")
    decimals = o.decimals if o else None
    if share:
        from evaluation.reporting.formatting import format_percent

        value = format_percent(f.estimate, lang, decimals if decimals is not None else 1)
        band = format_interval(f.conf_low, f.conf_high, lang, percent=True, decimals=decimals)
    else:
        unit = _unit(f, lang)
        value = format_number(f.estimate, lang, decimals) + (f"{NBSP}{unit}" if unit else "")
        band = format_interval(f.conf_low, f.conf_high, lang, decimals=decimals, unit=unit)
    name = (o.nominative_cs if lang == "cs" else o.name_en) if o else q.text(lang).rstrip("?")
    text = f"{name} {where}: {value}" + (f" ({_level(f, lang)} {band})" if band else "")
    parts = [sentence(text)]
    if f.crossing is not None:
        parts.append(sentence(("hodnota " if lang == "cs" else "the value ") + f.crossing.words(lang, bool(not band))))
    return " ".join(parts)


def _headline(f: Finding, lang: str) -> str:
    if f.kind == "indicator":
        return _indicator_headline(f, lang)
    return {"effect": _effect_headline, "no_clear_change": _null_headline,
            "not_established": _not_established_headline, "not_estimable": _not_estimable_headline}[f.status](f, lang)


# ------------------------------------------------------------------------------ other parts
def _limiting(f: Finding, lang: str, audience: str) -> list[str]:
    texts = []
    for reason in f.reasons:
        if reason.ceiling == f.grade and reason.rule not in ("interval_includes_zero",):
            text = _lower_first(_strip_stop(reason.text(lang, audience)))
            if text not in texts:
                texts.append(text)
    return texts


def _strength(f: Finding, lang: str, audience: str) -> str:
    if f.kind == "indicator" or f.grade == "not_estimable" or f.status == "not_established":
        return ""  # the headline already says that nothing can be concluded
    index = 0 if lang == "cs" else 1
    if f.status == "no_clear_change":
        if f.grade == "low":
            return sentence("tato data proto otázku nerozhodují" if lang == "cs"
                            else "these data therefore do not settle the question")
        return sentence(("efekt, na kterém by záleželo, data vylučují; " if lang == "cs"
                         else "the data rule out an effect large enough to matter; ")
                        + _lower_first(STRENGTH[f.grade][index]))
    reasons = _limiting(f, lang, audience)
    return sentence(STRENGTH[f.grade][index] + (": " + "; ".join(reasons) if reasons else ""))


def _verdict(check: Estimate, primary: Estimate, lang: str) -> str:
    cs = lang == "cs"
    if not check.excludes_zero:
        return "jasnou změnu neukazuje" if cs else "shows no clear change"
    fall = check.direction == "decrease"
    if primary.excludes_zero and primary.direction == check.direction:
        return ("ukazuje pokles jiné velikosti" if fall else "ukazuje nárůst jiné velikosti") if cs else (
            "shows a fall of a different size" if fall else "shows a rise of a different size")
    return ("ukazuje pokles" if fall else "ukazuje nárůst") if cs else ("shows a fall" if fall else "shows a rise")


def _disagrees(primary: Estimate, check: Estimate) -> bool:
    return primary.excludes_zero != check.excludes_zero or not primary.overlaps(check) or (
        primary.excludes_zero and check.excludes_zero and primary.direction != check.direction)


def _agreement(f: Finding, lang: str, audience: str) -> str:
    primary = f.primary
    if primary is None or f.status == "not_estimable":
        return ""
    checks = [c for c in f.estimates[1:] if _disagrees(primary, c)]
    if audience == "brief" and len(checks) > 1:
        return _agreement_brief(f, checks, lang)
    parts = []
    for check, why in zip(checks, f.disagreement):
        reason = why.text(lang, audience)
        if lang == "cs":
            text = (f"Kontrolní výpočet jinou metodou ({check.words('cs')}) {_verdict(check, primary, 'cs')}; metody "
                    f"se rozcházejí: {reason}")
            if f.status == "no_clear_change" and check.excludes_zero:
                change = "Pokles" if check.direction == "decrease" else "Nárůst"
                text += f". {change} proto nepovažujeme za prokázaný: rozhoduje primární analýza určená předem"
        else:
            text = (f"A check with another method ({check.words('en')}) {_verdict(check, primary, 'en')}; the methods "
                    f"disagree: {reason}")
            if f.status == "no_clear_change" and check.excludes_zero:
                change = "fall" if check.direction == "decrease" else "rise"
                text += f". We therefore do not treat the {change} as shown: the primary analysis named in advance decides"
        parts.append(sentence(text))
    return " ".join(parts)


def _agreement_brief(f: Finding, checks: list[Estimate], lang: str) -> str:
    """Several disagreeing checks in one sentence for the brief: which, what they show, why the
    first differs (the technical report gives every one)."""
    from evaluation.findings.language import join_words

    primary = f.primary
    names = join_words([c.words(lang) for c in checks], lang)
    verdicts = list(dict.fromkeys(_verdict(c, primary, lang) for c in checks))
    verdict = join_words(verdicts, lang)
    reason = f.disagreement[0].text(lang, "brief") if f.disagreement else ""
    shown = [c for c in checks if c.excludes_zero]
    if lang == "cs":
        text = (f"Kontrolní výpočty jinými metodami ({names}) se s primární analýzou rozcházejí: "
                f"{verdict.replace('ukazuje', 'ukazují')}" + (f"; hlavní důvod: {reason}" if reason else ""))
        if f.status == "no_clear_change" and shown:
            change = "Pokles" if shown[0].direction == "decrease" else "Nárůst"
            text += f". {change} proto nepovažujeme za prokázaný: rozhoduje primární analýza určená předem"
    else:
        text = (f"Checks with other methods ({names}) disagree with the primary analysis: they "
                f"{verdict.replace('shows', 'show')}" + (f"; the main reason: {reason}" if reason else ""))
        if f.status == "no_clear_change" and shown:
            change = "fall" if shown[0].direction == "decrease" else "rise"
            text += f". We therefore do not treat the {change} as shown: the primary analysis named in advance decides"
    return sentence(text)


def _conclude(f: Finding, lang: str) -> str:
    if f.status not in ("not_established", "not_estimable"):
        return ""
    can = "; ".join(_lower_first(_strip_stop(r.text(lang))) for r in f.can_conclude)
    cannot = "; ".join(_lower_first(_strip_stop(r.text(lang))) for r in f.cannot_conclude)
    parts = []
    if can:
        parts.append(sentence(("lze říci: " if lang == "cs" else "what can be said: ") + can))
    if cannot:
        parts.append(sentence(("nelze říci: " if lang == "cs" else "what cannot be said: ") + cannot))
    return " ".join(parts)


def _limitations(f: Finding, lang: str, audience: str) -> str:
    texts = []
    for reason in f.limitations:
        if reason.rule == "below_mde" and audience == "brief" and f.status in ("effect", "not_established"):
            continue  # the strength sentence speaks for an effect; the MDE matters most for a null
        texts.append(sentence(reason.text(lang, audience)))
    return " ".join(texts)


def _technical(f: Finding, lang: str) -> str:
    cs = lang == "cs"
    lines = []
    decimals = _decimals(f)
    for index, est in enumerate(f.estimates):
        role = ("primární odhad" if cs else "primary estimate") if index == 0 else ("kontrola" if cs else "check")
        p_text = format_p_value(est.p_value, lang)
        p = "" if est.p_value != est.p_value else (f", p {p_text[0]} {p_text[1:]}" if p_text.startswith("<")
                                                   else f", p = {p_text}")
        band = format_interval(est.conf_low, est.conf_high, lang, decimals=decimals)
        lines.append(f"{role.capitalize()}: {est.words(lang)}: {format_number(est.estimate, lang, decimals)} "
                     f"({_level(f, lang)} {band}{p}).")
    if f.status == "not_established" and f.primary is not None:
        lines.append("Odhad se jako efekt neinterpretuje." if cs else "The estimate is not interpreted as an effect.")
    if f.kind == "effect":
        from evaluation.findings.rules import grade_words

        sms = f"; SMS {f.sms_level}" if f.sms_level is not None else ""
        lines.append(f"Jistota: {grade_words(f.grade, 'cs')}{sms}." if cs else
                      f"Confidence: {grade_words(f.grade, 'en')}{sms}.")
    heading = "Použitá pravidla (čísla podle tabulky pravidel)" if cs else "Rules applied (numbers as in the table of rules)"
    lines.append(f"{heading}: " + " ".join(f"[{rule_number(r.rule)}] {sentence(r.text(lang))}" for r in f.reasons))
    return " ".join(lines)


def finding_sections(f: Finding, lang: str = "cs", audience: str = "brief") -> dict[str, str]:
    """The parts of a finding's text: ``headline``, ``strength``, ``agreement`` (a disagreeing check
    and why), ``conclusions`` (what can and cannot be said, when no effect is stated),
    ``limitations`` (the minimum detectable effect and similar) and, for the technical report,
    ``details`` (every estimate with its p-value, the grade and every rule applied). Empty parts
    are empty strings."""
    _check(lang, audience)
    sections = {"headline": _headline(f, lang), "strength": _strength(f, lang, audience),
                "agreement": _agreement(f, lang, audience), "conclusions": _conclude(f, lang),
                "limitations": _limitations(f, lang, audience), "details": ""}
    if audience == "technical":
        sections["details"] = _technical(f, lang)
    return sections


def finding_text(f: Finding, lang: str = "cs", audience: str = "brief") -> str:
    """The whole text of a finding (the parts of :func:`finding_sections` joined)."""
    return " ".join(part for part in finding_sections(f, lang, audience).values() if part)


def uncertainty_paragraph(lang: str = "cs") -> str:
    """How to read the numbers, in plain words, once for the methods section."""
    check_lang(lang)
    if lang == "cs":
        return ("Jak číst čísla. Každý efekt je odhad z omezeného počtu domácností a obcí, a proto ho uvádíme s 95% "
                "intervalem: s rozpětím efektů, které jsou s daty slučitelné. Leží-li celý interval na jedné straně "
                "nuly, píšeme o poklesu nebo nárůstu; zahrnuje-li nulu, píšeme, že jsme jasnou změnu nezjistili, a "
                "uvádíme celé rozpětí. Interval, který zahrnuje nulu, neznamená, že program nepůsobí – jen že tato "
                "data nedokážou malý efekt odlišit od žádného. Jak silný je doklad (silný, středně silný, slabý), "
                "závisí na uspořádání hodnocení (Marylandská škála vědeckých metod), na tom, zda se skupina v "
                "programu a srovnávací skupina vyvíjely před začátkem programu souběžně, zda druhá metoda vychází "
                "stejně a jak velký efekt by data vůbec dokázala zachytit. Kde se skupiny před začátkem vyvíjely "
                "odlišně nebo kde uspořádání efekt odhadnout nedovoluje, efekt neuvádíme a píšeme, co lze a co nelze "
                "usoudit. Pravidla jsou v technické zprávě.")
    return ("How to read the numbers. Every effect is an estimate from a limited number of households and "
            "municipalities, so we give it with a 95% interval: the range of effects compatible with the data. When "
            "the whole interval lies on one side of zero we report a fall or a rise; when it includes zero we report "
            "that we found no clear change, and give the whole range. An interval that includes zero does not mean "
            "that the programme has no effect – only that these data cannot tell a small effect from none. How "
            "strong the evidence is (strong, moderate, weak) depends on the evaluation design (the Maryland "
            "Scientific Methods Scale), on whether the programme group and the comparison group developed alike "
            "before the programme, on whether a second method agrees, and on how large an effect the data could "
            "have detected at all. Where the groups developed differently before the start, or where the design "
            "cannot estimate the effect, we state no effect and say what can and cannot be concluded. The rules are "
            "in the technical report.")


def grade_label(f: Finding, lang: str = "cs") -> str:
    """``střední jistota (SMS 3)`` / ``moderate confidence (SMS 3)`` for a table of findings."""
    from evaluation.findings.rules import grade_words

    check_lang(lang)
    word = grade_words(f.grade, lang)
    sms = f" (SMS {f.sms_level})" if f.sms_level is not None else ""
    if f.grade == "not_estimable":
        return word
    return (f"{word} jistota{sms}" if lang == "cs" else f"{word} confidence{sms}")


def findings_table(findings: list[Finding], lang: str = "cs") -> Any:
    """One row per finding for the technical report: question, scope, what the evidence supports (the
    brief text), confidence and design level, in ``lang``."""
    import pandas as pd

    check_lang(lang)
    order = {g: i for i, g in enumerate(reversed(GRADE_ORDER))}
    rows = [{"question": f.question.text(lang), "scope": f.scope.phrase(lang), "finding": finding_text(f, lang),
             "confidence": grade_label(f, lang), "_order": order[f.grade]} for f in findings]
    table = pd.DataFrame(rows).drop(columns="_order") if rows else pd.DataFrame(
        columns=["question", "scope", "finding", "confidence"])
    names = ({"question": "Otázka", "scope": "Rozsah", "finding": "Zjištění", "confidence": "Jistota"}
             if lang == "cs" else {"question": "Question", "scope": "Scope", "finding": "Finding",
                                   "confidence": "Confidence"})
    return table.rename(columns=names)


def method_label(method: str, lang: str = "cs") -> str:
    """An estimator key in words (the words the texts use)."""
    return method_words(method, lang)


def reason_list(reasons: tuple[Reason, ...], lang: str = "cs", audience: str = "technical") -> list[str]:
    """Texts of reasons, as full sentences."""
    return [sentence(r.text(lang, audience)) for r in reasons]


__all__ = ["AUDIENCES", "finding_sections", "finding_text", "findings_table", "grade_label", "method_label",
           "reason_list", "uncertainty_paragraph"]
