"""Recommendations that fire on the interval, not the point (evaluation.findings.thresholds).

Reference for the Wilson interval: statsmodels ``proportion_confint(method="wilson")`` (PyPI peer),
to 1e-12. The demo's share of lost applications (key figure ``lost_share`` of ``make demo``:
5.11 %, 95 % CI 4.32–6.05 %) against the 5 % threshold of recommendations.LOST_SHARE_MAX is the
case the rule must not fire on with confidence.
"""
from __future__ import annotations

import pytest
from statsmodels.stats.proportion import proportion_confint

from evaluation.errors import ConfigError
from evaluation.findings import crossing_of, threshold_crossing, wilson_interval
from evaluation.reporting.store import KeyFigure


@pytest.mark.parametrize("low, high, side, status", [
    (0.052, 0.061, "above", "confident"), (0.043, 0.061, "above", "possible"), (0.05, 0.061, "above", "possible"),
    (0.02, 0.049, "above", "not"), (0.60, 0.70, "below", "confident"), (0.70, 0.80, "below", "possible"),
    (0.87, 0.96, "below", "not"), (0.75, 0.80, "below", "possible")])
def test_the_whole_interval_decides(low, high, side, status):
    threshold = 0.05 if side == "above" else 0.75
    crossing = threshold_crossing(low, high, threshold, side, share=True)
    assert crossing.status == status
    assert crossing.confident == (status == "confident") and crossing.possible == (status != "not")


def test_without_an_interval_a_point_is_never_confident():
    assert threshold_crossing(None, None, 0.05, estimate=0.09).status == "possible"
    assert threshold_crossing(None, None, 0.05, estimate=0.01).status == "not"
    words = threshold_crossing(None, None, 0.05, estimate=0.09, share=True).words("en")
    assert "by its point estimate" in words and "not certain" in words
    with pytest.raises(ConfigError, match="give an interval"):
        threshold_crossing(None, None, 0.05)
    with pytest.raises(ConfigError, match="side must be"):
        threshold_crossing(0.1, 0.2, 0.05, "over")
    with pytest.raises(ConfigError, match="reversed"):
        threshold_crossing(0.2, 0.1, 0.05)


@pytest.mark.parametrize("k, n", [(10, 50), (0, 12), (12, 12), (128, 2483), (3, 7)])
def test_wilson_interval_matches_statsmodels(k, n):
    low, high = wilson_interval(k / n, n)
    ref_low, ref_high = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert low == pytest.approx(ref_low, abs=1e-12) and high == pytest.approx(ref_high, abs=1e-12)


def test_demo_lost_applications_may_cross_but_not_with_confidence():
    figure = KeyFigure("lost_share", 0.05114780507450665, "", "", unit="%", n=2483,
                       ci=(0.04315505299348925, 0.060527253695642144))
    crossing = crossing_of(figure, 0.05, "above")
    assert crossing.status == "possible" and not crossing.confident
    assert crossing.words("cs") == "může být nad prahem 5\u00a0%: 95% interval 4,3–6,1\u00a0% práh zahrnuje"
    assert crossing.words("en") == "may be above the threshold of 5%: the 95% interval 4.3–6.1% contains it"
    assert crossing.label("cs") == "možná"
    # without a stored interval, a share with its n gets Wilson's
    wilson = crossing_of(KeyFigure("lost_share", 0.0511, "", "", unit="%", n=2483), 0.05)
    assert wilson.status == "possible" and wilson.conf_low == pytest.approx(0.0431, abs=5e-4)
    with pytest.raises(ConfigError, match="suppressed"):
        crossing_of(KeyFigure("lost_share", None, "", "", suppressed=True), 0.05)


def test_retention_thresholds_of_the_recommendation_rules():
    housed = KeyFigure("housed_12m", 0.927, "", "", unit="%", n=138, ci=(0.869, 0.960))
    assert crossing_of(housed, 0.75, "below").status == "not"            # low_retention must not fire
    assert crossing_of(housed, 0.85, "below").status == "not"            # step_dropout: retention is high ...
    assert threshold_crossing(0.869, 0.960, 0.85, "above").status == "confident"  # ... with confidence
    assert crossing_of(housed, 0.75, "below").words("en") == (
        "is above the threshold of 75% with confidence (95% interval 86.9–96.0%)")


def test_key_figure_as_an_indicator_finding():
    from evaluation.findings import Scope, assess_key_figure, finding_text, load_questions

    question = load_questions()["applications"]
    figure = KeyFigure("lost_share", 0.0511, "", "", unit="%", n=2483, ci=(0.0432, 0.061))
    f = assess_key_figure(question, figure, scope=Scope.municipality("Praha 7"))
    assert (f.status, f.crossing.status, f.label("en")) == ("measured", "possible", question.text_en)
    assert "v městské části Praha 7: 5,1\u00a0%" in finding_text(f, "cs")
    hidden = assess_key_figure(question, KeyFigure("lost_share", None, "", "", unit="%", suppressed=True))
    assert hidden.status == "not_estimable"
