"""The impact strand on the national ORP panel (issue 15): the roll-out of the contact points by district.

Truth: ``evaluation.synthetic.simulate(national=True)`` plants effects of each contact point's opening
on the ORP areas of its district (truth.json ``orp_panel_att``: the sample ATT(g,t) of every opening
cohort and month, per 1,000 inhabitants a month). All contact points open from July to December
2026, so the comparison (areas whose contact point had not opened yet) ends in November 2026: the
truth compared is the Callaway–Sant'Anna ``simple`` aggregation (every post-opening (g, t) cell
weighted by the cohort's ORP areas, evaluation.synthetic.truth.aggregate_att) of the cells the
estimator can identify, t before the last opening month. A reduced country (scale 0.05: the ORP
panel is the full 206 areas × 48 months, only the households are fewer) keeps the tests short.

The runner test runs the real notebook for the whole country and two contact points (a July
opener with four months of comparison, and a December opener with none), publishes and renders
the briefs, and reads what a councillor would read.
"""
from __future__ import annotations

import re
import shutil
from types import SimpleNamespace

import pandas as pd
import pytest

from evaluation.findings import Estimate, Scope, assess_effect
from evaluation.runner.selection import select_scope
from evaluation.runner.strands import impact, impact_national
from evaluation.synthetic import simulate
from evaluation.synthetic.truth import aggregate_att

OUTCOMES = {"staggered_orp_evictions": "evictions_per_1000", "staggered_orp_shelter": "shelter_nights_per_1000",
            "staggered_orp_need": "households_in_need_per_1000"}
DRAWS = {"bootstrap_draws": 199, "placebo_draws": 30}


@pytest.fixture(scope="module")
def country():
    return simulate(seed=7, scale=0.05, national=True)


@pytest.fixture(scope="module")
def country_output(country):
    return impact.analyse(country.to_dataset(), seed=1, **DRAWS)


def identified_truth(truth, outcome: str) -> float:
    """The planted sample ATT of the cells a not-yet-treated comparison identifies (``simple``)."""
    att = truth.tables["orp_panel_att"]
    att = att[att["outcome"] == outcome].copy()
    last = pd.to_datetime(att["group"]).max()
    cells = att[(att["event_time"] >= 0) & (pd.to_datetime(att["period"]) < last)]
    sizes = cells.groupby("group")["n_areas"].first().to_dict()
    return aggregate_att(cells, sizes, value="sample", event_time="event_time")["simple"]


@pytest.mark.parametrize("seed", [7, 2019])
def test_the_staggered_estimate_for_the_country_covers_the_planted_effect(seed, country, country_output):
    sim = country if seed == 7 else simulate(seed=seed, scale=0.05, national=True)
    output = country_output if seed == 7 else impact.analyse(sim.to_dataset(), seed=1, **DRAWS)
    for name, outcome in OUTCOMES.items():
        result = output[name]
        assert result.control_group == "not_yet_treated" and result.n_clusters == 132  # clustered by contact point
        overall = result.aggregate("simple").tidy().iloc[0]
        truth = identified_truth(sim.truth, outcome)
        # seed 7: truth -0.0076 / -0.789 / 0.0274, estimates -0.0104 / -0.881 / 0.0264 (z -0.3, -1.1, -0.2)
        assert overall["conf_low"] <= truth <= overall["conf_high"], (outcome, truth, overall.to_dict())
        assert abs(overall["estimate"] - truth) < 3 * overall["std_error"]
    shelter = output["staggered_orp_shelter"].aggregate("simple").tidy().iloc[0]
    assert shelter["conf_high"] < 0  # the large planted fall in shelter nights is found


def test_the_country_runs_the_robustness_panel_and_honest_did(country_output):
    for suffix in ("evictions", "shelter", "need"):
        panel = country_output[f"robustness_orp_{suffix}"]
        assert {"sun_abraham", "two_stage", "imputation"} <= set(panel.tidy()["estimator"])
        assert f"honest_orp_{suffix}" in country_output
    assert "balance" not in country_output and "balance" not in country_output.skipped  # no comparison households


def test_the_country_findings_grade_the_short_follow_up_as_weak(country, country_output):
    data, output = country.to_dataset(), country_output
    found = {a.question.id: a.finding for a in impact.findings(SimpleNamespace(data=data, parameters={}), output)}
    assert set(found) == {"orp_evictions", "orp_shelter", "orp_need"}  # the pilots' questions are not asked
    for finding in found.values():
        assert finding.grade in ("low", "not_estimable")
        assert "short_follow_up" in {r.rule for r in finding.reasons}
    assert found["orp_shelter"].status == "effect" and found["orp_shelter"].direction == "decrease"
    assert found["orp_need"].status == "effect" and found["orp_need"].direction == "increase"


def test_a_contact_point_is_one_treated_district_against_areas_not_yet_treated(country):
    data = select_scope(country.to_dataset(), municipality="KMB Ostrava").dataset
    panel = impact_national.frame(data)
    window = impact_national.district_window(panel, impact_national.district_codes(data, panel))
    # Ostrava opened in July 2026; the window ends before the November openers (30 donors, the latest
    # cut leaving at least 19), so four months after the opening have a comparison
    assert impact_national.month_label(window.opened) == "2026-07" and window.post_months == 4
    assert len(window.donors) >= impact_national.MIN_DONORS and window.pre_months == 30
    donors = panel[panel["orp_code"].isin(window.donors)].groupby("orp_code")["first_month"].first()
    assert (donors >= window.end).all()  # untreated over the whole window
    output = impact.analyse(data, seed=1, **DRAWS)
    for suffix in ("evictions", "shelter", "need"):
        assert f"synthetic_control_orp_{suffix}" in output and f"sc_placebo_orp_{suffix}" in output
        sc = output[f"synthetic_control_orp_{suffix}"]
        assert len(sc.donors) == len(window.donors)
    found = impact.findings(SimpleNamespace(data=data, parameters={}), output)
    for answer in found:
        assert answer.finding.grade in ("low", "not_estimable")  # one district, four months: no strong claim
        assert "v obvodu kontaktního místa KMB Ostrava" in answer.finding.scope.phrase("cs")


def test_a_contact_point_opening_last_has_no_comparison(country):
    data = select_scope(country.to_dataset(), municipality="KMB Dobříš").dataset
    output = impact.analyse(data, seed=1, **DRAWS)
    assert not any(name.endswith(("_orp_evictions", "_orp_shelter", "_orp_need")) for name in output.results)
    assert "no comparison for the months after the opening" in str(output.skipped["staggered_orp_shelter"])


def test_the_window_keeps_enough_donors_or_the_most():
    """Hand-made districts: a (opens month 10), later openers b (12, 5 areas), c (14, 20 areas)."""
    rows = []
    for code, point, first, n in (("a", "A", 10, 1), ("b", "B", 12, 5), ("c", "C", 14, 20)):
        for i in range(n):
            rows += [{"orp_code": f"{code}{i}", "contact_point_code": point, "first_month": first, "period": t}
                     for t in range(20)]
    panel = pd.DataFrame(rows)
    window = impact_national.district_window(panel, {"A"})
    # the latest cut (month 14) leaves the 20 areas of C (at least 19): four months after A opened
    assert (window.end, len(window.donors), window.post_months, window.pre_months) == (14, 20, 4, 10)
    window_b = impact_national.district_window(panel, {"B"})
    assert (window_b.end, len(window_b.donors), window_b.post_months) == (14, 20, 2)
    few = panel[~panel["orp_code"].str.startswith("c") | panel["orp_code"].isin(["c0", "c1"])]
    window_few = impact_national.district_window(few, {"A"})
    # no cut leaves 19: the one with the most donors (month 12: B's 5 areas and C's 2)
    assert (window_few.end, len(window_few.donors)) == (12, 7)


def test_the_short_follow_up_rule_caps_the_grade_and_is_off_by_default():
    question = impact_national.NATIONAL_QUESTIONS[1]
    estimate = Estimate("callaway_santanna", -0.9, -1.1, -0.7, n_treated=206, n_pre_periods=30)
    scope = Scope.pooled()
    short = assess_effect(question, estimate, scope=scope, post_periods=3, period_unit="month")
    assert short.grade == "low" and "short_follow_up" in {r.rule for r in short.reasons}
    assert any("3\u00a0měsíce" in r.text("cs", "brief") for r in short.reasons)
    long = assess_effect(question, estimate, scope=scope, post_periods=12, period_unit="month")
    unset = assess_effect(question, estimate, scope=scope)
    assert "short_follow_up" not in {r.rule for r in long.reasons} | {r.rule for r in unset.reasons}


def _text(path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text("utf-8")))


def test_the_runner_publishes_a_national_brief_and_one_per_contact_point(tmp_path):
    from evaluation.runner.config import parse_config
    from evaluation.runner.run import run_config
    from evaluation.synthetic import generate

    generate(tmp_path / "data", seed=7, scale=0.05, formats=("parquet",), national=True)
    config = parse_config({"data": "data/parquet", "output": "out", "report_formats": ["html"], "workers": 2,
                           "strands": ["impact"], "pooled": True, "municipalities": ["KMB Ostrava", "KMB Dobříš"],
                           "parameters": {"impact": DRAWS}}, base_dir=tmp_path)
    summary = run_config(config, progress=False)
    assert summary.ok, str(summary)
    published = tmp_path / "out" / "published"
    findings = pd.read_csv(published / "results" / "all" / "impact" / "tables" / "findings.csv")
    assert set(findings["topic"]) == {"orp_evictions", "orp_shelter", "orp_need"}
    rollout = pd.read_csv(published / "results" / "all" / "impact" / "tables" / "orp_rollout.csv")
    assert rollout["months_after_with_comparison"].max() == 5 and rollout["months_after_with_comparison"].min() == 0
    brief = _text(published / "reports" / "brief_cs.html")
    assert "v obvodech ORP s kontaktním místem pro bydlení" in brief
    assert "Srovnání po začátku pokrývá jen 5\u00a0měsíců" in brief or "pokrývá jen 5 měsíců" in brief
    assert "p = " not in brief and "p-hodnot" not in brief
    # national data are not the pilots: the reports' titles say contact points, not pilot municipalities
    assert "Hodnocení sítě kontaktních míst pro bydlení" in brief and "pilotní obce" not in brief
    ostrava = _text(published / "reports" / "municipality_kmb-ostrava_cs.html")
    assert "Kontaktní místo pro bydlení: KMB Ostrava" in ostrava
    assert "v obvodu kontaktního místa KMB Ostrava" in ostrava and "silná jistota" not in ostrava
    # the contact point's Callaway-Sant'Anna table counts ORP areas (places the decree names), not
    # people: published as they are, so the table is neither withheld nor hidden around one area
    staggered = pd.read_csv(published / "results" / "kmb-ostrava" / "impact" / "tables" / "staggered_orp_evictions.csv")
    assert staggered["n_treated"].astype(str).eq("1").all()
    dobris = _text(published / "reports" / "municipality_kmb-dobris_cs.html")
    assert "pro měsíce po otevření chybí srovnání" in dobris
    shutil.rmtree(tmp_path / "data")
