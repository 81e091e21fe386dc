"""Each grading rule of evaluation.findings.rules on hand-made evidence records.

The numbers are constructed so that exactly one rule changes between two cases; the reference is
the rule as printed (docs/QA.md, ``grading_rules()``), and the level mapping is the Maryland
Scientific Methods Scale as the module documents it (Sherman et al. 1997; Madaleno & Waights 2016).
"""
from __future__ import annotations

import math

import pytest

from evaluation.errors import ConfigError
from evaluation.findings import (
    Attrition,
    Balance,
    Decomposition,
    Estimate,
    Pretest,
    Scope,
    Sensitivity,
    SyntheticFit,
    assess_effect,
    finding_text,
    grading_rules,
    load_questions,
    sms_level,
    sms_table,
)
from evaluation.findings.finding import Finding
from evaluation.findings.rules import RULE_IDS, lowest, rule_number
from evaluation.findings.sms import DESIGN_LEVELS, ESTIMATOR_DESIGNS

Q = load_questions()
EVICTIONS = Q["evictions"]


def cs_estimate(est=-0.30, low=-0.45, high=-0.15, n_treated=40, **kw):
    return Estimate("callaway_santanna", est, low, high, std_error=(high - low) / 3.92, n_treated=n_treated,
                    n_clusters=kw.pop("n_clusters", 160), n_pre_periods=kw.pop("n_pre_periods", 4), **kw)


STRONG = Pretest(0.45, "wald", n_treated=40, n_pre_periods=4)
BALANCED = Balance(0.04, 3)


def assess(primary=None, **kw):
    kw.setdefault("pretest", STRONG)
    return assess_effect(EVICTIONS, primary or cs_estimate(), **kw)


def ceilings(f: Finding) -> dict[str, str]:
    return {r.rule: r.ceiling for r in f.reasons if r.ceiling}


# ------------------------------------------------------------------------------ SMS
@pytest.mark.parametrize("method, level", [
    ("did_2x2", 3), ("twfe", 3), ("event_study", 3), ("callaway_santanna", 3), ("sun_abraham", 3),
    ("two_stage", 3), ("imputation", 3), ("wild_bootstrap", 3), ("randomization_inference", 3),
    ("synthetic_control", 4), ("synthetic_did", 4), ("itt", 5), ("cace", 5), ("trial_randomisation", 5),
    ("matched_comparison", 2), ("cox_comparison", 2), ("cross_section_adjusted", 2), ("before_after", 2),
    ("after_only", 1), ("correlation", 1)])
def test_every_estimator_has_its_level_on_the_scale(method, level):
    assert sms_level(method).level == level


def test_did_reaches_level_four_only_with_strong_pretrends_and_a_comparable_group():
    assert sms_level("twfe", strong_pretrend=True).level == 3
    assert sms_level("twfe", comparable=True).level == 3
    assert sms_level("twfe", strong_pretrend=True, comparable=True).level == 4
    assert sms_level("twfe", strong_pretrend=True, comparable=True, wwc_strict=True).level == 3
    assert sms_level("itt", attrition_ok=False).level == 4
    assert sms_level("synthetic_control", synthetic_fit=False).level == 3
    with pytest.raises(ConfigError, match="unknown estimator 'ols'"):
        sms_level("ols")


def test_sms_table_lists_every_estimator_in_both_languages():
    for lang in ("cs", "en"):
        table = sms_table(lang)
        assert len(table) == 5
        text = " ".join(table.iloc[:, 2])
        assert ("Callaway" in text) and ("TWFE" in text)
    assert set(DESIGN_LEVELS) == {d for d, _, _ in ESTIMATOR_DESIGNS.values()}


# ------------------------------------------------------------------------------ the grade
def test_a_clean_balanced_did_is_high_and_level_four():
    f = assess(balance=BALANCED)
    assert (f.status, f.direction, f.grade, f.sms_level) == ("effect", "decrease", "high", 4)
    assert ceilings(f) == {}


def test_without_a_comparable_group_the_did_stays_moderate():
    f = assess()
    assert (f.grade, f.sms_level) == ("moderate", 3)
    assert ceilings(f) == {"sms": "moderate"}
    assert any(r.rule == "sms4" for r in f.reasons)


def test_rejected_pretest_caps_at_low_and_states_no_effect():
    f = assess(pretest=Pretest(0.012, "sup_t_bootstrap", n_treated=5), balance=BALANCED)
    assert (f.status, f.grade, f.sms_level) == ("not_established", "low", 3)
    assert ceilings(f)["pretest_rejects"] == "low"
    assert not f.stated_as_effect


def test_missing_and_weak_pretests_cap_at_moderate():
    missing = assess(pretest=Pretest(math.nan, "wald"), balance=BALANCED)
    weak = assess(pretest=Pretest(0.5, "sup_t_bootstrap", n_treated=5), balance=BALANCED)
    assert (missing.grade, weak.grade) == ("moderate", "moderate")
    assert ceilings(missing)["pretest_missing"] == "moderate" and ceilings(weak)["pretest_weak"] == "moderate"
    assert weak.sms_level == 3  # a weak pre-test is not "strong pre-trend diagnostics"


@pytest.mark.parametrize("n, grade", [(1, "not_estimable"), (3, "low"), (5, "low"), (6, "moderate"),
                                      (9, "moderate"), (10, "high")])
def test_treated_units_at_the_level_of_assignment(n, grade):
    f = assess(cs_estimate(n_treated=n), pretest=Pretest(0.45, "wald", n_treated=n), balance=BALANCED)
    assert f.grade == grade


def test_one_treated_unit_is_estimable_only_with_a_fitting_synthetic_control():
    single = cs_estimate(n_treated=1)
    synth = Estimate("synthetic_control", -0.4, -0.7, -0.1, n_treated=1)
    good, poor = SyntheticFit(0.02, 1.0, 8, 40), SyntheticFit(0.3, 1.0, 8, 40)
    assert assess(single, synthetic=synth).status == "not_estimable"
    assert assess(single, synthetic=synth, synthetic_fit=poor).status == "not_estimable"
    f = assess(single, synthetic=synth, synthetic_fit=good)
    assert (f.status, f.grade, f.sms_level, f.primary.method) == ("effect", "moderate", 4, "synthetic_control")
    assert f.estimates[1].method == "callaway_santanna"  # the DiD stays on record as a check


def test_interval_including_zero_is_no_clear_change_and_low():
    f = assess(cs_estimate(-0.1, -0.3, 0.1), balance=BALANCED)
    assert (f.status, f.direction, f.grade) == ("no_clear_change", "none", "low")
    assert not f.equivalence


def test_equivalence_within_the_smallest_relevant_effect_lifts_the_null():
    q = load_questions([{"id": "evictions", "smallest_relevant_effect": 0.5}])["evictions"]
    f = assess_effect(q, cs_estimate(-0.1, -0.3, 0.1), pretest=STRONG, balance=BALANCED)
    assert (f.status, f.grade, f.equivalence) == ("no_clear_change", "high", True)
    assert "rule out an effect large enough to matter" in finding_text(f, "en")


def test_significant_estimate_below_the_mde_is_at_most_moderate():
    f = assess(cs_estimate(-0.05, -0.09, -0.01), balance=BALANCED)
    assert f.mde is not None and abs(f.estimate) < f.mde
    assert ceilings(f)["below_mde"] == "moderate" and f.grade == "moderate"
    given = assess(cs_estimate(-0.05, -0.09, -0.01), balance=BALANCED, mde=0.01)
    assert "below_mde" not in ceilings(given) and given.grade == "high"


def test_honestdid_breakdown_below_one_is_at_most_moderate():
    fragile = assess(sensitivity=Sensitivity("relative_magnitude", 0.4, 2.0))
    robust = assess(sensitivity=Sensitivity("relative_magnitude", math.nan, 2.0))
    assert ceilings(fragile)["honest_breakdown"] == "moderate"
    assert (robust.grade, robust.sms_level) == ("high", 4)  # breakdown >= 1 counts as the comparable design


def test_twfe_primary_with_forbidden_weight_is_low():
    q = load_questions([{"id": "evictions", "primary": {"strand": "impact", "result": "twfe", "method": "twfe"}}])
    primary = Estimate("twfe", -0.3, -0.45, -0.15, n_treated=40, std_error=0.08)
    f = assess_effect(q["evictions"], primary, pretest=STRONG, decomposition=Decomposition(-0.3, 0.4))
    assert ceilings(f)["twfe_forbidden"] == "low"
    clean = assess_effect(q["evictions"], primary, pretest=STRONG, decomposition=Decomposition(-0.3, 0.02))
    assert "twfe_forbidden" not in ceilings(clean)


def test_agreement_partial_and_conflict():
    agree = assess(robustness=[Estimate("wild_bootstrap", -0.28, -0.5, -0.1, n_treated=40)], balance=BALANCED)
    partial = assess(robustness=[Estimate("wild_bootstrap", -0.2, -0.5, 0.1, n_treated=40)], balance=BALANCED)
    apart = assess(robustness=[Estimate("wild_bootstrap", -1.2, -1.5, -0.9, n_treated=40)], balance=BALANCED)
    conflict = assess(robustness=[Estimate("twfe", 0.3, 0.1, 0.5, n_treated=40)], balance=BALANCED)
    assert (agree.agreement, agree.grade) == ("agree", "high")
    assert (partial.agreement, partial.grade, partial.status) == ("disagree", "moderate", "effect")
    assert (apart.agreement, apart.grade) == ("disagree", "moderate")
    assert (conflict.agreement, conflict.grade, conflict.status) == ("conflict", "low", "not_established")
    assert "differ in size" in finding_text(apart, "en")


def test_randomised_trial_is_level_five_unless_attrition_undoes_it():
    q = load_questions([{"id": "arrears", "primary": {"strand": "impact", "result": "itt", "method": "itt"}}])
    itt = Estimate("itt", -800.0, -1290.0, -310.0, n_treated=150, std_error=250.0)  # MDE 700 < 800
    f = assess_effect(q["arrears"], itt)
    assert (f.sms_level, f.grade, f.pretest) == (5, "high", None)
    lossy = assess_effect(q["arrears"], itt, attrition=Attrition(0.3, 0.02))
    assert (lossy.sms_level, lossy.grade) == (4, "high")


def test_before_after_without_comparison_is_at_most_low():
    q = load_questions([{"id": "arrears", "primary": {"strand": "process", "result": "arrears",
                                                      "method": "before_after"}}])
    f = assess_effect(q["arrears"], Estimate("before_after", -900.0, -1200.0, -600.0, n_treated=120))
    assert (f.sms_level, f.grade, f.status) == (2, "low", "effect")
    assert "points to a fall" in finding_text(f, "en")


def test_the_primary_analysis_must_be_the_one_named_in_advance():
    wild = Estimate("wild_bootstrap", -0.3, -0.5, -0.1, n_treated=16)
    with pytest.raises(ConfigError, match="named its primary analysis in advance: callaway_santanna"):
        assess_effect(EVICTIONS, wild)
    with pytest.raises(ConfigError, match="not an effect question"):
        assess_effect(Q["reach"], cs_estimate())


def test_bad_estimates_are_refused_in_words():
    with pytest.raises(ConfigError, match="reversed"):
        Estimate("twfe", 0.0, 1.0, -1.0)
    with pytest.raises(ConfigError, match="finite estimate"):
        Estimate("twfe", math.nan, -1.0, 1.0)
    with pytest.raises(ConfigError, match="unknown estimator"):
        Estimate("magic", 0.0, -1.0, 1.0)


def test_grade_is_the_lowest_ceiling():
    assert lowest([]) == "high"
    assert lowest(["moderate", "low", "moderate"]) == "low"
    assert lowest(["moderate", "not_estimable"]) == "not_estimable"


def test_rules_table_cites_every_rule_applied():
    for lang, header in (("cs", "Podmínka"), ("en", "Condition")):
        table = grading_rules(lang)
        assert header in table.columns and len(table) == len(RULE_IDS) + 2
        assert table.iloc[:, 1].str.len().min() > 20
    ids = set(grading_rules("en", ids=True)["Rule"])
    f = assess(robustness=[Estimate("wild_bootstrap", -0.2, -0.5, 0.1)], sensitivity=Sensitivity(
        "relative_magnitude", 0.4, 2.0))
    assert {r.rule for r in f.reasons} <= ids
    technical = finding_text(f, "en", "technical")
    assert all(f"[{rule_number(r.rule)}]" in technical for r in f.reasons)


def test_docs_print_the_current_rules():
    """docs/QA.md carries the table of grading_rules("en"): every condition and consequence as printed."""
    from pathlib import Path

    qa = Path(__file__).resolve().parents[2] / "docs" / "QA.md"
    text = qa.read_text(encoding="utf-8").replace("\\|", "|")
    for _, row in grading_rules("en", ids=True).iterrows():
        assert f"| {row['Rule']} | {row['Condition']} | {row['Consequence']} |" in text


def test_finding_survives_a_round_trip_through_plain_data():
    import json

    f = assess(robustness=[Estimate("wild_bootstrap", -0.2, -0.5, 0.1, p_value=0.2)], scope=Scope.municipality("Kadaň"))
    back = Finding.from_dict(json.loads(json.dumps(f.to_dict())))
    assert back.tidy().equals(f.tidy())
    assert finding_text(back, "cs", "technical") == finding_text(f, "cs", "technical")
    assert back.pretest == f.pretest and back.estimates[1].p_value == 0.2
