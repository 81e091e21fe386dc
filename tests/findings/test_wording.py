"""The words of the findings: Czech grammar, scope, strength words, no p-values in the brief.

References: Czech number agreement as Internetová jazyková příručka (Ústav pro jazyk český AV ČR)
gives it — 1 domácnost, 2–4 domácnosti, 5 and more domácností, decimals with the genitive singular
(2,5 roku); the wording rules of evaluation/findings/wording.py.
"""
from __future__ import annotations

import pytest

from evaluation.errors import ConfigError
from evaluation.findings import (
    Balance,
    Estimate,
    Pretest,
    Scope,
    assess_effect,
    assess_indicator,
    count_text,
    finding_sections,
    finding_text,
    findings_table,
    load_questions,
    noun,
    plural_cs,
    uncertainty_paragraph,
)
from evaluation.findings.language import sentence

Q = load_questions()
NB = "\u00a0"


def plain(text: str) -> str:
    """The text with its non-breaking spaces (between a number and its unit) as spaces."""
    return text.replace(NB, " ")


@pytest.mark.parametrize("n, form", [(0, "domácností"), (1, "domácnost"), (2, "domácnosti"), (3, "domácnosti"),
                                     (4, "domácnosti"), (5, "domácností"), (11, "domácností"), (21, "domácností"),
                                     (22, "domácností"), (104, "domácností"), (-1, "domácnost"), (1.5, "domácnosti")])
def test_czech_plural_of_household(n, form):
    assert plural_cs(n, "domácnost", "domácnosti", "domácností") == form


def test_count_text_in_both_languages():
    assert [count_text(n, "municipality", "cs") for n in (1, 3, 16)] == [f"1{NB}obec", f"3{NB}obce", f"16{NB}obcí"]
    assert [count_text(n, "year", "cs") for n in (1, 2, 5, 2.5)] == [f"1{NB}rok", f"2{NB}roky", f"5{NB}let",
                                                                  f"2,5{NB}roku"]
    assert count_text(1, "child", "cs") == f"1{NB}dítě" and count_text(3, "child", "cs") == f"3{NB}děti"
    assert count_text(1, "household", "en") == f"1{NB}household" and count_text(1_234, "household", "en") == \
        f"1,234{NB}households"
    assert noun("quarter", 7, "cs") == "čtvrtletí"
    with pytest.raises(ConfigError, match="unknown noun"):
        noun("flatmate", 2)
    with pytest.raises(ConfigError, match="needs a number"):
        plural_cs("many", "a", "b", "c")


def test_sentence_keeps_non_breaking_spaces():
    assert sentence(f"v obci X je 5{NB}%") == f"V obci X je 5{NB}%."
    assert sentence("Hotovo!") == "Hotovo!"


def test_scope_words():
    assert Scope.municipality("Jindřichův Hradec").phrase("cs") == "v obci Jindřichův Hradec"
    assert Scope.of(["Most"]).phrase("en") == "in Most"
    assert Scope.of(["Most", "Kadaň", "Most"]).phrase("cs") == "v pilotních obcích"
    assert Scope("custom", phrase_cs="na kontaktních místech", phrase_en="at the contact points").phrase("en") == \
        "at the contact points"
    with pytest.raises(ConfigError, match="needs the municipality's name"):
        Scope("municipality")
    with pytest.raises(ConfigError, match="at least one municipality"):
        Scope.of([])


def _evictions(est, low, high, grade_inputs):
    return assess_effect(Q["evictions"], Estimate("callaway_santanna", est, low, high, std_error=(high - low) / 3.92,
                                                  n_treated=grade_inputs.get("n", 40), n_pre_periods=4),
                         **{k: v for k, v in grade_inputs.items() if k != "n"})


@pytest.mark.parametrize("inputs, grade, en, cs", [
    ({"pretest": Pretest(0.4, "wald", n_treated=40), "balance": Balance(0.05)}, "high",
     "evictions in the pilot municipalities fell by 0.30 per 1,000 inhabitants a year (95% interval 0.15–0.45)",
     ("jsme v pilotních obcích zjistili pokles počtu vystěhování o 0,30 na 1 000 obyvatel za rok (95% interval "
     "0,15–0,45)")),
    ({"pretest": Pretest(0.4, "wald", n_treated=40)}, "moderate",
     "the estimate suggests that evictions in the pilot municipalities fell by 0.30",
     "odhad v pilotních obcích naznačuje pokles počtu vystěhování o 0,30"),
    ({"pretest": Pretest(0.4, "wald", n_treated=4), "n": 4}, "low",
     "the estimate points to a fall in evictions in the pilot municipalities of 0.30",
     "ukazuje odhad v pilotních obcích na pokles počtu vystěhování o 0,30"),
])
def test_the_verb_follows_the_grade(inputs, grade, en, cs):
    f = _evictions(-0.30, -0.45, -0.15, inputs)
    assert f.grade == grade
    assert en in plain(finding_text(f, "en"))
    assert cs in plain(finding_text(f, "cs"))


def test_a_rise_and_the_strength_sentence():
    f = _evictions(0.30, 0.15, 0.45, {"pretest": Pretest(0.4, "wald", n_treated=4), "n": 4})
    sections = finding_sections(f, "en")
    assert "points to a rise in evictions" in sections["headline"]
    assert sections["strength"].startswith("The evidence is weak: the programme covers only 4")
    cs = finding_sections(f, "cs")
    assert "na nárůst počtu vystěhování" in cs["headline"]
    assert cs["strength"].startswith(f"Doklad je slabý: program běží jen u 4{NB}obcí")


def test_compatible_range_with_a_limit_at_zero():
    f = _evictions(0.1, 0.0, 0.2, {"pretest": Pretest(0.4, "wald", n_treated=40)})
    assert "anything from no change to a rise of 0.20" in finding_text(f, "en")
    assert "s čímkoli od žádné změny po nárůst o 0,20" in finding_text(f, "cs")


def test_brief_has_no_p_values_and_technical_has_them():
    f = _evictions(-0.2, -0.43, 0.03, {"pretest": Pretest(0.176, "sup_t_bootstrap", n_treated=5),
                                       "robustness": [Estimate("wild_bootstrap", -0.31, -0.57, -0.11, p_value=0.004)]})
    for lang in ("cs", "en"):
        brief, technical = finding_text(f, lang), finding_text(f, lang, "technical")
        assert "p =" not in brief and "p <" not in brief
        assert ("p = 0,004" if lang == "cs" else "p = 0.004") in technical
        assert ("p = 0,176" if lang == "cs" else "p = 0.176") in technical
    with pytest.raises(ConfigError, match="audience"):
        finding_text(f, "en", "councillor")
    with pytest.raises(ConfigError, match="lang"):
        finding_text(f, "de")


def test_uncertainty_is_explained_once_in_plain_words():
    for lang, words in (("cs", ("95% interval", "nezjistili", "Marylandská")),
                        ("en", ("95% interval", "no clear change", "Maryland"))):
        text = uncertainty_paragraph(lang)
        assert all(w in text for w in words)
        assert "p-" not in text and "p =" not in text


def test_indicator_against_its_threshold():
    lost = assess_indicator(Q["applications"], 0.0511, conf_low=0.0432, conf_high=0.061, n=2483)
    assert (lost.status, lost.grade, lost.crossing.status) == ("measured", "high", "possible")
    assert ("Share of applications without a decision within 90 days in the pilot municipalities: 5.1% (95% interval "
            "4.3–6.1%). The value may be above the threshold of 5%: the interval contains it.") == finding_text(lost, "en")
    assert f"může být nad prahem 5{NB}%" in finding_text(lost, "cs")
    housed = assess_indicator(Q["retention"], 0.927, conf_low=0.869, conf_high=0.960, n=138, scope=Scope.of(["Brno"]))
    assert housed.crossing.status == "not"
    assert f"v obci Brno: 92,7{NB}%" in finding_text(housed, "cs")
    assert "below the threshold" not in finding_text(housed, "en") and "above the threshold of 75%" in \
        finding_text(housed, "en")
    few = assess_indicator(Q["retention"], 0.5, n=3)
    assert (few.status, few.grade) == ("not_estimable", "not_estimable") and "údaj nelze uvést" in finding_text(few, "cs")
    no_interval = assess_indicator(Q["costs"], 144_273.0, n=138)
    assert no_interval.grade == "moderate" and "144,273 CZK." in plain(finding_text(no_interval, "en"))


def test_findings_table_in_both_languages():
    f = _evictions(-0.3, -0.45, -0.15, {"pretest": Pretest(0.4, "wald", n_treated=40)})
    cs, en = findings_table([f], "cs"), findings_table([f], "en")
    assert list(cs.columns) == ["Otázka", "Rozsah", "Zjištění", "Jistota"]
    assert cs.iloc[0]["Jistota"] == "střední jistota (SMS 3)" and en.iloc[0]["Confidence"] == \
        "moderate confidence (SMS 3)"
    assert findings_table([], "en").empty
