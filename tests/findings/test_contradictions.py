"""Contradiction checks between the findings of a report scope and what its texts say.

The cases are those found reading the demo and the 16-pilot batch as a councillor would (issue 11):
the same outcome stated as decreasing and as unchanged, a recommendation premised on a problem the
findings say is absent, a figure quoted with different values, and "průkazně nezměnil" (shown not to
change) where the data only fail to show a change.
"""
from __future__ import annotations

import pytest

from evaluation.errors import ConfigError
from evaluation.findings import (
    Estimate,
    Pretest,
    Scope,
    Statement,
    assess_effect,
    assess_indicator,
    check_contradictions,
    load_questions,
    statements_from_findings,
    statements_from_text,
)
from evaluation.findings.contradictions import classify

Q = load_questions()


@pytest.fixture(scope="module")
def findings():
    arrears = assess_effect(Q["arrears"], Estimate("callaway_santanna", -5863, -6342, -5384, n_treated=138),
                            pretest=Pretest(0.49, "sup_t_bootstrap", n_treated=10))
    evictions = assess_effect(Q["evictions"], Estimate("callaway_santanna", -0.20, -0.43, 0.03, n_treated=16),
                              pretest=Pretest(0.18, "sup_t_bootstrap", n_treated=5))
    retention = assess_indicator(Q["retention"], 0.927, conf_low=0.869, conf_high=0.960, n=138)
    lost = assess_indicator(Q["applications"], 0.051, conf_low=0.043, conf_high=0.061, n=2483)
    brno = assess_effect(Q["evictions"], Estimate("callaway_santanna", -0.17, -0.26, -0.08, n_treated=1),
                         scope=Scope.municipality("Brno"))
    return [arrears, evictions, retention, lost, brno]


@pytest.mark.parametrize("text, lang, claim", [
    ("Dluh na bydlení se snížil v průměru o 5 863 Kč.", "cs", "decrease"),
    ("Počet vystěhování průkazně nezměnil.", "cs", "no_effect"),
    ("Jasnou změnu počtu vystěhování jsme nezjistili.", "cs", "no_change"),
    ("Vystěhování v obci vzrostla.", "cs", "increase"),
    ("Dopad na počet vystěhování z těchto dat odhadnout nelze.", "cs", "unknown"),
    ("Kontrolní výpočet jinou metodou ukazuje pokles.", "cs", None),
    ("Evictions did not change detectably.", "en", "no_change"),
    ("Evictions did not change.", "en", "no_effect"),
    ("The programme did not reduce evictions.", "en", "no_effect"),
    ("Housing debt fell by 5,863 CZK.", "en", "decrease"),
    ("We cannot say whether the programme changed evictions.", "en", "unknown"),
    ("A check with another method shows a rise.", "en", None),
    ("Evictions are counted per 1,000 inhabitants.", "en", None),
])
def test_classify_claims(text, lang, claim):
    assert classify(text, lang) == claim


def test_a_consistent_brief_has_no_contradiction(findings):
    statements = [*statements_from_findings(findings, "cs"), *statements_from_findings(findings, "en"),
                  Statement.direction("arrears", "decrease", source="headline"),
                  Statement.figure("att_households", -5862.97, source="key figures", decimals=0),
                  Statement.figure("att_households", -5863, source="headline", decimals=0),
                  Statement.premise("applications", "problem", source="lost_apps"),
                  Statement.premise("arrears", "decrease", source="scale-up")]
    assert check_contradictions(findings, statements) == ()


def test_same_outcome_stated_as_decreasing_and_unchanged(findings):
    statements = [Statement.direction("arrears", "decrease", source="headline"),
                  Statement.direction("arrears", "no_change", source="summary")]
    found = check_contradictions(findings, statements)
    kinds = sorted(c.kind for c in found)
    assert kinds == ["finding", "statements"]
    assert any("described differently" in c.message("en") for c in found)


def test_the_old_pooled_eviction_sentence_is_flagged(findings):
    old = ("V pilotních obcích se počet vystěhování na 1 000 obyvatel oproti obcím bez pilotu (odhad podle Callawaye "
           "a Sant’Anny) průkazně nezměnil (95% IS −0,43 až 0,03 zahrnuje nulu); p-hodnota wild cluster bootstrapu "
           "modelu s fixními efekty je 0,004.")
    statements = statements_from_text(old, Q, lang="cs", source="finding_municipalities")
    assert [s.value for s in statements] == ["no_effect"]
    found = check_contradictions(findings, statements)
    assert len(found) == 1 and "žádná jasná změna" in found[0].message("cs")


def test_a_rise_claimed_in_a_one_town_brief_is_flagged(findings):
    found = check_contradictions(findings, [Statement.direction("evictions", "increase", scope="Brno",
                                                                source="municipality brief")])
    assert [c.kind for c in found] == ["finding"] and "cannot be said" in found[0].message("en")
    assert check_contradictions(findings, [Statement.direction("evictions", "increase", scope="Most")]) == ()


def test_recommendation_premised_on_an_absent_problem(findings):
    low_retention = Statement.premise("retention", "problem", source="low_retention")
    scale_up = Statement.premise("evictions", "decrease", source="scale_up")
    found = check_contradictions(findings, [low_retention, scale_up])
    assert sorted(c.sources[0] for c in found) == ["low_retention", "scale_up"]
    assert all(c.kind == "premise" for c in found)
    assert "above the threshold of 75%" in next(c for c in found if c.subject == "retention").message("en")


def test_figure_quoted_with_different_values(findings):
    same = [Statement.figure("lost_share", 0.0511, source="table", decimals=3),
            Statement.figure("lost_share", 0.051, source="text", decimals=3)]
    assert check_contradictions(findings, same) == ()
    differ = same + [Statement.figure("lost_share", 0.06, source="recommendation", decimals=3)]
    found = check_contradictions(findings, differ)
    assert [c.kind for c in found] == ["figure"] and found[0].sources == ("table", "recommendation")


def test_statement_values_are_checked():
    with pytest.raises(ConfigError, match="must claim one of"):
        Statement.direction("arrears", "down")
    with pytest.raises(ConfigError, match="statement kind"):
        Statement("opinion", "arrears", "good")
