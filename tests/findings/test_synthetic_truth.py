"""The findings engine on data with a known truth: are the *texts* right?

Reference truth: ``evaluation.synthetic.simulate(seed=2019)`` (the data of ``make demo``) and its
truth.json — the pilots lower housing debt (household ATT about −6,300 CZK a month), the arrears
rate (−2.7 points) and evictions (−0.21 per 1,000 inhabitants a year) everywhere; households in
need per 1,000 is a placebo with true effect 0. Small simulations (tests/findings/sim.py) add a
violation of parallel trends with no effect, and effects that grow with time since entry in a
panel without never-treated units (where TWFE's forbidden comparisons reverse its sign:
Goodman-Bacon 2021).

Each case checks the status, grade and direction against the truth and the words in Czech and
English (brief text: no p-values; technical text: with them).
"""
from __future__ import annotations

import warnings

import pytest

from evaluation.findings import (
    Scope,
    Statement,
    assess_effect,
    check_contradictions,
    estimate_of,
    finding_text,
    load_questions,
    statements_from_findings,
    statements_from_text,
)
from tests.findings import sim

PER_1000 = {"unit_cs": "na 1\u00a0000 obyvatel za rok", "unit_en": "per 1,000 inhabitants a year", "decimals": 2}
QUESTIONS = load_questions([
    {"id": "arrears_rate", "kind": "effect",
     "text_cs": "Snížil program podíl domácností s dluhem na nájemném?",
     "text_en": "Did the programme lower the share of households in rent arrears?",
     "primary": {"strand": "impact", "result": "staggered_arrears_rate", "method": "callaway_santanna"},
     "robustness": [{"strand": "impact", "result": "wild_bootstrap_arrears_rate", "method": "wild_bootstrap"}],
     "outcome": {"nominative_cs": "podíl domácností s dluhem na nájemném",
                 "genitive_cs": "podílu domácností s dluhem na nájemném",
                 "accusative_cs": "podíl domácností s dluhem na nájemném",
                 "name_en": "the share of households in rent arrears", "unit_cs": "p.\u00a0b.",
                 "unit_en": "percentage points", "decimals": 1, "keywords_cs": ["dluhem"],
                 "keywords_en": ["arrears"]},
     "comparison_cs": "ve srovnání s obcemi bez pilotu", "comparison_en": "compared with municipalities without a pilot",
     "treated_cs": "pilotní obce", "treated_en": "pilot municipalities", "treated_unit": "municipality"},
    {"id": "need_rate", "kind": "effect",
     "text_cs": "Změnil program počet domácností v bytové nouzi?",
     "text_en": "Did the programme change the number of households in housing need?",
     "primary": {"strand": "impact", "result": "staggered_need", "method": "callaway_santanna"},
     "outcome": {"nominative_cs": "počet domácností v bytové nouzi", "genitive_cs": "počtu domácností v bytové nouzi",
                 "accusative_cs": "počet domácností v bytové nouzi", "name_en": "households in housing need",
                 "keywords_cs": ["bytové nouzi"], "keywords_en": ["housing need"], **PER_1000},
     "comparison_cs": "ve srovnání s obcemi bez pilotu", "comparison_en": "compared with municipalities without a pilot",
     "treated_unit": "municipality"},
])


def texts(finding):
    return {(lang, audience): finding_text(finding, lang, audience)
            for lang in ("cs", "en") for audience in ("brief", "technical")}


def assert_no_p_values_in_brief(all_texts):
    for lang in ("cs", "en"):
        brief = all_texts[(lang, "brief")]
        assert "p =" not in brief and "p <" not in brief and "p-hodnot" not in brief and "p-value" not in brief


def assert_words_match_finding(finding):
    """What the finding's own texts claim, read back, contradicts nothing."""
    for lang in ("cs", "en"):
        claims = statements_from_findings([finding], lang)
        assert check_contradictions([finding], claims) == ()


@pytest.fixture(scope="module")
def panel():
    return sim.pilots()[1]


@pytest.fixture(scope="module")
def truth():
    return sim.pilots()[0].truth


# ------------------------------------------------------------------------------ a real effect
@pytest.fixture(scope="module")
def household_arrears():
    """The impact strand's household design on the synthetic pilots (CS on the quarterly panel as
    primary, the event study as check, the matched comparison group's balance)."""
    from evaluation import impact
    from evaluation.data.dataset import Dataset
    from evaluation.runner.strands import impact as strand

    data = Dataset.from_frames(sim.pilots()[0].tables)
    households, _ = strand.household_panel(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = impact.event_study(households, strand.HOUSEHOLD_OUTCOME, "household_id", "month", "first_month",
                                   leads=12, lags=24)
        balance = impact.match(strand.balance_frame(data), "programme", list(strand.BALANCE_COVARIATES), ratio=1,
                               caliper=0.2)
    quarterly = strand.quarterly_panel(households, strand.HOUSEHOLD_OUTCOME)
    primary = sim.cs(quarterly, strand.HOUSEHOLD_OUTCOME, control_group="not_yet_treated", draws=199,
                     unit="household_id", time="quarter", first="first_quarter")
    return assess_effect(QUESTIONS["arrears"], primary, robustness=[study], balance=balance, scope=Scope.pooled(16))


def test_real_effect_on_housing_debt_is_stated_as_a_strong_fall(household_arrears, truth):
    f = household_arrears
    true_effect = truth.aggregate("household_att_aggregates", "dynamic", "overall", "arrears_czk:sample")
    assert true_effect < 0
    assert (f.status, f.direction, f.grade, f.sms_level, f.agreement) == ("effect", "decrease", "high", 4, "agree")
    assert f.conf_low < true_effect < f.conf_high
    t = texts(f)
    assert "fell by" in t[("en", "brief")] and "housing debt in the pilot municipalities fell by" in t[("en", "brief")]
    assert "The evidence is strong" in t[("en", "brief")]
    assert "jsme v pilotních obcích zjistili pokles dluhu na bydlení o" in t[("cs", "brief")]
    assert "Doklad je silný" in t[("cs", "brief")]
    assert_no_p_values_in_brief(t)
    assert "p <" in t[("en", "technical")] and "SMS 4" in t[("en", "technical")]
    assert_words_match_finding(f)


def test_real_effect_on_the_arrears_rate_is_a_moderate_fall(panel, truth):
    outcome = "arrears_rate_points"
    primary, check = sim.cs(panel, outcome), sim.wild(panel, outcome)
    f = assess_effect(QUESTIONS["arrears_rate"], primary, robustness=[check], scope=Scope.pooled(16))
    true_effect = 100 * truth.aggregate("panel_att_aggregates", "dynamic", "overall", "arrears_rate:sample")
    assert (f.status, f.direction, f.grade, f.agreement) == ("effect", "decrease", "moderate", "agree")
    assert f.conf_low < true_effect < f.conf_high < 0
    # the cohorts of 5-6 pilots make the pre-test weak: that is what holds the grade at moderate
    assert {r.rule for r in f.reasons if r.ceiling == "moderate"} == {"sms", "pretest_weak"}
    t = texts(f)
    assert ("the estimate suggests that the share of households in rent arrears in the pilot municipalities fell by "
            in t[("en", "brief")])
    assert "The evidence is moderate" in t[("en", "brief")]
    assert "odhad v pilotních obcích naznačuje pokles podílu domácností s dluhem na nájemném o" in t[("cs", "brief")]
    assert "Doklad je středně silný" in t[("cs", "brief")]
    assert_no_p_values_in_brief(t)
    assert_words_match_finding(f)


# ------------------------------------------------------------------------------ a null
def test_placebo_outcome_reads_no_clear_change_and_the_compatible_range(panel, truth):
    outcome = "households_in_need_per_1000"
    primary, check = sim.cs(panel, outcome), sim.wild(panel, outcome)
    f = assess_effect(QUESTIONS["need_rate"], primary, robustness=[check], scope=Scope.pooled(16))
    assert truth.aggregate("panel_att_aggregates", "dynamic", "overall", "households_in_need_per_1000:sample") == 0
    assert (f.status, f.direction, f.grade) == ("no_clear_change", "none", "low")
    assert f.conf_low < 0 < f.conf_high
    t = texts(f)
    en, cs = t[("en", "brief")], t[("cs", "brief")]
    assert "we found no clear change in households in housing need in the pilot municipalities" in en
    assert "the data are compatible with anything from a fall of" in en and "to a rise of" in en
    assert "could not have been detected" in en
    assert "jsme v pilotních obcích nezjistili jasnou změnu počtu domácností v bytové nouzi" in cs
    assert "data jsou slučitelná s čímkoli od poklesu o" in cs and "po nárůst o" in cs
    assert "nebyl zjistitelný" in cs
    for word in ("fell by", "rose by", "průkazně", "nezměnil"):
        assert word not in en and word not in cs
    assert_no_p_values_in_brief(t)
    assert_words_match_finding(f)


# ------------------------------------------------------------------------------ disagreement
def test_pooled_evictions_say_the_methods_disagree_and_why(panel, truth):
    """The demo's pooled brief: Callaway–Sant'Anna's interval includes zero while the wild bootstrap
    of the TWFE model gives p = 0.004. The old text said "průkazně nezměnil" beside that p-value."""
    from evaluation.impact import bacon_decomposition

    outcome = "evictions_per_1000"
    primary, check = sim.cs(panel, outcome), sim.wild(panel, outcome)
    bacon = bacon_decomposition(panel, outcome, "municipality", "period", "first_year")
    f = assess_effect(QUESTIONS["evictions"], primary, robustness=[check], decomposition=bacon,
                      scope=Scope.pooled(16))
    true_effect = truth.aggregate("panel_att_aggregates", "dynamic", "overall", "evictions_per_1000:sample")
    assert true_effect < 0 and f.conf_low < true_effect < f.conf_high
    assert (f.status, f.agreement, f.grade) == ("no_clear_change", "disagree", "low")
    assert check.p_value < 0.01 and f.estimates[1].excludes_zero
    t = texts(f)
    en, cs = t[("en", "brief")], t[("cs", "brief")]
    assert "we found no clear change in evictions in the pilot municipalities" in en
    assert "A check with another method (fixed-effects model with the wild cluster bootstrap) shows a fall" in en
    assert "the methods disagree" in en and "We therefore do not treat the fall as shown" in en
    assert "only 0.9% of the check's weight, so they do not explain the difference" in en
    assert "differ mainly in precision" in en
    assert "Kontrolní výpočet jinou metodou (model s fixními efekty a wild cluster bootstrapem) ukazuje pokles" in cs
    assert "metody se rozcházejí" in cs and "Pokles proto nepovažujeme za prokázaný" in cs
    assert "tvoří jen 0,9\u00a0% váhy kontroly" in cs
    assert "průkazně" not in cs
    assert_no_p_values_in_brief(t)
    assert "p = 0.004" in t[("en", "technical")]
    assert_words_match_finding(f)
    old_cs = ("V pilotních obcích se počet vystěhování na 1 000 obyvatel oproti obcím bez pilotu (odhad podle "
              "Callawaye a Sant’Anny) průkazně nezměnil (95% IS −0,43 až 0,03 zahrnuje nulu); p-hodnota wild "
              "cluster bootstrapu modelu s fixními efekty je 0,004.")
    found = check_contradictions([f], statements_from_text(old_cs, QUESTIONS, lang="cs"))
    assert [c.kind for c in found] == ["finding"]  # "shown not to change" is more than the data support


def test_growing_effects_reverse_twfe_and_the_finding_says_so():
    """Effects that grow with time since entry, no never-treated units: the TWFE coefficient is
    negative while every true effect is positive (Goodman-Bacon 2021); the finding states no effect
    and says why."""
    from evaluation.impact import bacon_decomposition, twfe

    frame = sim.staggered(cohorts=(3, 6, 9), growth=0.6, noise=0.5, periods=12)
    primary = sim.cs(frame, "y", control_group="not_yet_treated", unit="unit", first="first")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check = twfe(frame, "y", "d", "unit", "period")
    bacon = bacon_decomposition(frame, "y", "unit", "period", "first")
    f = assess_effect(QUESTIONS["evictions"], primary, robustness=[check], decomposition=bacon)
    assert primary.aggregate("dynamic").overall_conf_low > 0 and check.conf_int[1] < 0
    assert (f.status, f.basis, f.grade, f.agreement) == ("not_established", "conflict", "low", "conflict")
    t = texts(f)
    en, cs = t[("en", "brief")], t[("cs", "brief")]
    assert "we cannot say whether the programme lowered or raised evictions" in en.lower()
    assert "shows a fall" in en and "63% of its weight" in en
    assert "nelze říci, zda program počet vystěhování snížil, nebo zvýšil" in cs
    assert "ukazuje pokles" in cs and "63\u00a0% její váhy" in cs
    for word in ("fell by", "rose by", "naznačuje pokles", "naznačuje nárůst"):
        assert word not in en and word not in cs
    assert_no_p_values_in_brief(t)
    assert_words_match_finding(f)


# ------------------------------------------------------------------------------ pre-trends
def test_failed_pretest_is_not_stated_as_an_effect():
    """No effect at all, but the pilot units trend upwards before and after entry: the estimate shows
    a clear "rise" (as three per-municipality briefs did) and the pre-test rejects."""
    frame = sim.staggered(trend=1.0, n=30, cohorts=(4, 6, 0))  # rejects for seeds 1-10
    primary = sim.cs(frame, "y", unit="unit", first="first")
    f = assess_effect(QUESTIONS["evictions"], primary, scope=Scope.pooled())
    assert primary.aggregate("dynamic").overall_conf_low > 0  # a spurious "rise"
    assert f.pretest is not None and f.pretest.rejected
    assert (f.status, f.basis, f.grade) == ("not_established", "pretest", "low")
    assert not f.stated_as_effect
    t = texts(f)
    en, cs = t[("en", "brief")], t[("cs", "brief")]
    assert en.startswith("We cannot say whether the programme changed evictions in the pilot municipalities")
    assert "already developing differently before the programme started" in en
    assert "What can be said:" in en and "What cannot be said:" in en
    assert cs.startswith("V pilotních obcích nelze říci, zda program ovlivnil počet vystěhování")
    assert "Lze říci:" in cs and "Nelze říci:" in cs
    for word in ("rose", "rise", "fell", "nárůst", "pokles", "zvýšil"):
        assert word not in en and word not in cs
    assert "not interpreted as an effect" in t[("en", "technical")]
    assert "p = " in t[("en", "technical")]
    assert_no_p_values_in_brief(t)
    assert_words_match_finding(f)


# ------------------------------------------------------------------------------ one town
@pytest.mark.parametrize("town", ["Brno", "Velké Hamry"])
def test_one_town_cannot_identify_the_effect(panel, town):
    """A municipality's own brief: one pilot against 150 others. Callaway–Sant'Anna gives a narrow
    interval (it reflects only the comparison towns' variation) while the wild bootstrap's p-value is
    far from significant; the DiD cannot identify the effect and the text says so."""
    scoped = sim.one_town(panel, town)
    outcome = "evictions_per_1000"
    primary, check = sim.cs(scoped, outcome), sim.wild(scoped, outcome)
    estimate = estimate_of(primary)
    assert estimate.n_treated == 1
    f = assess_effect(QUESTIONS["evictions"], primary, robustness=[check], scope=Scope.municipality(town))
    assert (f.status, f.grade, f.sms_level) == ("not_estimable", "not_estimable", None)
    t = texts(f)
    en, cs = t[("en", "brief")], t[("cs", "brief")]
    assert en.startswith(f"The effect of the programme on evictions in {town} cannot be estimated from these data")
    assert cs.startswith(f"Dopad programu na počet vystěhování v obci {town} z těchto dat odhadnout nelze")
    assert "v pilotních obcích" not in cs and "pilot municipalities answers" in en
    for number in (estimate.estimate, estimate.conf_low, estimate.conf_high):
        assert f"{abs(number):.2f}" not in en
    for word in ("fell", "rose", "pokles", "nárůst"):
        assert word not in en and word not in cs
    assert_no_p_values_in_brief(t)
    assert_words_match_finding(f)
    stated = Statement.direction("evictions", "increase", scope=town, source="municipality brief")
    assert [c.kind for c in check_contradictions([f], [stated])] == ["finding"]
