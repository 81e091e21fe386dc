"""The truth file agrees with the data: potential outcomes, ATT tables, aggregations, hazards.

Reference numbers: the true effects are the formulas of evaluation/synthetic/calibration.py,
recomputed here independently; the aggregation weights are those of Callaway & Sant'Anna
(2021, J. Econometrics 225(2), section 3.1), as implemented by R ``did::aggte``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.synthetic import Truth, aggregate_att
from evaluation.synthetic import calibration as cal


def _merged(data):
    po = data.potential_outcomes["household_outcomes"]
    obs = data.tables["household_outcomes"]
    return po.merge(obs, on=["household_id", "month"], how="left", validate="one_to_one")


def test_observed_outcomes_are_the_potential_outcome_of_the_treatment_state(demo):
    m = _merged(demo)
    assert len(m) == (demo.tables["households"].set_index("household_id")["group"]
                      .reindex(demo.tables["household_outcomes"]["household_id"]).eq("programme").sum())
    expected = np.where(m["treated"], m["arrears_czk_1"], m["arrears_czk_0"])
    np.testing.assert_array_equal(m["arrears_czk"].to_numpy(), expected)
    np.testing.assert_array_equal(m["shelter_nights"].to_numpy(dtype=float),
                                  np.where(m["treated"], m["shelter_nights_1"], m["shelter_nights_0"]))
    # before entry both potential outcomes coincide (no anticipation)
    pre = m[~m["treated"]]
    assert (pre["arrears_czk_0"] == pre["arrears_czk_1"]).all()


def test_household_att_table_matches_the_potential_outcomes_and_the_formula(demo):
    att = demo.truth.table("household_att")
    m = _merged(demo)
    post = m[m["treated"]]
    sample = (post["arrears_czk_1"] - post["arrears_czk_0"]).groupby(
        [post["cohort"], post["months_since_entry"]]).mean()
    got = att.set_index(["cohort", "event_time"])["sample"]
    np.testing.assert_allclose(got.to_numpy(), sample.reindex(got.index).to_numpy(), rtol=0, atol=1e-9)
    size = att["cohort"].map({c: a for c, (a, _) in cal.ARREARS_EFFECT.items()})
    speed = att["cohort"].map({c: k for c, (_, k) in cal.ARREARS_EFFECT.items()})
    formula = -size * (1 - np.exp(-(att["event_time"] + 1) / speed))
    np.testing.assert_allclose(att["dgp"], formula, atol=1e-9)
    # flooring at 0 CZK and rounding to whole CZK are the only differences between dgp and sample
    assert (att["sample"] - att["dgp"]).abs().max() < 1.0
    # the group of a cohort is its entry month and the period is group + event time
    g = pd.to_datetime(att["group"]).dt.to_period("M")
    p = pd.to_datetime(att["period"]).dt.to_period("M")
    assert ((p - g).apply(lambda d: d.n) == att["event_time"]).all()


def test_household_aggregates_pool_cohorts_sharing_an_entry_month(demo):
    """did::att_gt sees one group per entry month: cohorts entering in the same month form one
    ATT(g,t) cell (household-weighted), and the group's size is all their households."""
    att = demo.truth.table("household_att")
    cohorts = demo.truth.table("cohorts")
    assert cohorts["group"].duplicated().any(), "the demo has two cohorts entering in one month"
    sizes = cohorts.groupby("group")["households"].sum()
    cells = (att.assign(total=att["dgp"] * att["n"]).groupby(["group", "period"])
             .agg(total=("total", "sum"), n=("n", "sum"), event_time=("event_time", "first")).reset_index())
    cells["dgp"] = cells["total"] / cells["n"]
    w = cells["group"].map(sizes)
    simple = float((cells["dgp"] * w).sum() / w.sum())
    assert demo.truth.aggregate("household_att_aggregates", "simple", "overall", "arrears_czk:dgp") == pytest.approx(simple)
    e0 = cells[cells["event_time"] == 0]
    w0 = e0["group"].map(sizes)
    assert demo.truth.aggregate("household_att_aggregates", "dynamic", "0", "arrears_czk:dgp") == pytest.approx(
        float((e0["dgp"] * w0).sum() / w0.sum()))


def test_aggregate_att_by_hand():
    """Two groups, sizes 1 and 3: hand-computed Callaway–Sant'Anna aggregations."""
    att = pd.DataFrame({"group": [1, 1, 1, 2, 2], "period": [1, 2, 3, 2, 3], "att": [1.0, 2.0, 3.0, 10.0, 20.0]})
    agg = aggregate_att(att, {1: 1, 2: 3}, value="att")
    assert agg["simple"] == pytest.approx((1 + 2 + 3 + 3 * 10 + 3 * 20) / (3 + 6))
    assert agg["dynamic"] == pytest.approx({0: (1 + 30) / 4, 1: (2 + 60) / 4, 2: 3.0})
    assert agg["dynamic_overall"] == pytest.approx(np.mean([31 / 4, 62 / 4, 3.0]))
    assert agg["group"] == pytest.approx({1: 2.0, 2: 15.0})
    assert agg["group_overall"] == pytest.approx((2.0 + 3 * 15.0) / 4)
    assert agg["calendar"] == pytest.approx({1: 1.0, 2: (2 + 30) / 4, 3: (3 + 60) / 4})
    assert agg["calendar_overall"] == pytest.approx(np.mean([1.0, 8.0, 63 / 4]))


def test_panel_truth_matches_potential_outcomes(demo):
    panel = demo.tables["municipality_panel"]
    po = demo.potential_outcomes["municipality_panel"]
    treated = po["treated"].to_numpy()
    np.testing.assert_allclose(panel["arrears_rate"], np.where(treated, po["arrears_rate_1"], po["arrears_rate_0"]))
    np.testing.assert_array_equal(panel["evictions"].to_numpy(dtype=float),
                                  np.where(treated, po["evictions_1"], po["evictions_0"]))
    att = demo.truth.table("panel_att")
    arrears = att[att["outcome"] == "arrears_rate"]
    a, b = cal.PANEL_ARREARS_EFFECT
    mult = arrears["group"].map(cal.PANEL_ARREARS_MULTIPLIER)
    formula = np.where(arrears["event_time"] >= 0, -(a + b * arrears["event_time"]) * mult, 0.0)
    np.testing.assert_allclose(arrears["dgp"], formula, atol=1e-12)
    assert (arrears["sample"] - arrears["dgp"]).abs().max() < 1e-4  # rounding to 5 decimals only
    placebo = att[att["outcome"] == "households_in_need_per_1000"]
    assert (placebo["dgp"] == 0).all()
    pre = att[att["event_time"] < 0]
    assert (pre["dgp"] == 0).all() and (pre["sample"].abs() < 1e-9).all()


def test_truth_json_round_trip(demo, tmp_path):
    path = demo.truth.to_json(tmp_path / "truth.json")
    back = Truth.from_json(path)
    assert back.seed == demo.truth.seed and back.parameters["hazard_ratio_negative_exit"] == 0.3
    for name, table in demo.truth.tables.items():
        pd.testing.assert_frame_equal(back.table(name).reset_index(drop=True), table.reset_index(drop=True),
                                      check_dtype=False, atol=1e-9)
    assert back.aggregate("panel_att_aggregates", "simple", "overall", "arrears_rate:dgp") == pytest.approx(
        demo.truth.aggregate("panel_att_aggregates", "simple", "overall", "arrears_rate:dgp"))


def test_untreated_arrears_trend_in_parallel(large):
    """Placebo DiD on Y(0): programme households vs the never-treated comparison, before vs after
    each cohort's entry month; parallel trends hold by construction, so it is about 0."""
    po = large.potential_outcomes["household_outcomes"]
    obs = large.tables["household_outcomes"].merge(large.tables["households"][["household_id", "group"]])
    comparison = obs[obs["group"] == "comparison"]
    for cohort, rows in po.groupby("cohort"):
        entry = rows.loc[rows["months_since_entry"] == 0, "month"].iloc[0]
        post = rows["month"] >= entry
        d_treated = rows.loc[post, "arrears_czk_0"].mean() - rows.loc[~post, "arrears_czk_0"].mean()
        c_post = comparison["month"] >= entry
        d_comparison = (comparison.loc[c_post, "arrears_czk"].mean() - comparison.loc[~c_post, "arrears_czk"].mean())
        # household means differ in composition only through sampling noise: well under 1,000 CZK
        assert abs(d_treated - d_comparison) < 1000, cohort


def test_a_two_by_two_did_recovers_the_sample_att(large):
    """Hand DiD for crisis cohort 1 (months 0-11 after entry vs the 12 months before), against the
    truth's sample ATT averaged over the same cells (same rows, so the gap is sampling error)."""
    hh = large.tables["households"][["household_id", "group", "cohort"]]
    obs = large.tables["household_outcomes"].merge(hh)
    entry = pd.Timestamp("2016-09-01")
    window = (obs["month"] >= entry - pd.DateOffset(months=12)) & (obs["month"] < entry + pd.DateOffset(months=12))
    obs = obs[window & ((obs["cohort"] == 1) | (obs["group"] == "comparison"))]
    post = obs["month"] >= entry
    treated = (obs["cohort"] == 1).fillna(False).astype(bool)
    means = obs.groupby([treated, post])["arrears_czk"].mean()
    did = (means[True, True] - means[True, False]) - (means[False, True] - means[False, False])
    att = large.truth.table("household_att")
    cells = att[(att["cohort"] == 1) & (att["event_time"] < 12)]
    target = float(np.average(cells["sample"], weights=cells["n"]))
    e = np.arange(12)
    assert target == pytest.approx(-6000 * np.mean(1 - np.exp(-(e + 1) / 4)), abs=50)
    assert did == pytest.approx(target, abs=700)


def test_cox_model_recovers_the_true_hazard_ratio(large):
    """lifelines' Cox model (Efron ties) on negative exits, other exits censored, with the DGP's
    covariates; the truth is the conditional hazard ratio 0.30."""
    lifelines = pytest.importorskip("lifelines")
    ten = large.tables["tenancies"].sort_values(["household_id", "start_date"])
    first = ten.groupby("household_id").head(1).set_index("household_id")
    last = ten.groupby("household_id").tail(1).set_index("household_id")
    end = last["end_date"].fillna(pd.Timestamp(str(cal.HOUSEHOLD_DATA_END)))
    hh = large.tables["households"].set_index("household_id").loc[first.index]
    data = pd.DataFrame({
        "months": (end - first["start_date"]).dt.days / cal.DAYS_PER_MONTH,
        "event": last["exit_reason"].isin(["eviction", "abandonment"]).astype(int),
        "programme": (hh["group"] == "programme").astype(int),
        "has_children": (hh["children"] > 0).astype(int),
        "ethos": hh["ethos_category"].astype(str), "income": hh["income_band"].astype(object),
    }).dropna()
    data = pd.get_dummies(data, columns=["ethos", "income"], drop_first=True, dtype=float)
    fit = lifelines.CoxPHFitter().fit(data, duration_col="months", event_col="event")
    estimate = fit.hazard_ratios_["programme"]
    low, high = np.exp(fit.confidence_intervals_.loc["programme"])
    truth = large.truth.parameters["hazard_ratio_negative_exit"]
    assert low < truth < high
    assert estimate == pytest.approx(truth, rel=0.2)
    assert fit.hazard_ratios_["has_children"] == pytest.approx(cal.CHILDREN_HAZARD_MULTIPLIER, rel=0.25)


def test_retention_sample_matches_the_tenancies(demo):
    ret = demo.truth.table("retention")
    ten = demo.tables["tenancies"].sort_values(["household_id", "start_date"])
    hh = demo.tables["households"].set_index("household_id")
    first = ten.groupby("household_id").head(1).set_index("household_id")
    last = ten.groupby("household_id").tail(1).set_index("household_id")
    ended = ~last["exit_reason"].isin(["still_housed"])
    horizon = first["start_date"] + pd.to_timedelta(np.rint(12 * cal.DAYS_PER_MONTH), unit="D")
    exit_date = last["end_date"].where(ended)
    followed = (horizon <= pd.Timestamp("2020-12-31")) | (exit_date <= horizon)
    housed = exit_date.isna() | (exit_date > horizon)
    kind = np.where(hh.loc[first.index, "group"] == "comparison", "comparison", first["step"].astype(str))
    for k in ("crisis", "housing_first", "comparison"):
        rows = (kind == k) & followed.to_numpy()
        row = ret[(ret["entry_step"] == k) & (ret["months"] == 12)].iloc[0]
        assert row["n"] == rows.sum()
        assert row["sample"] == pytest.approx(housed.to_numpy()[rows].mean())


def test_contact_point_truth_matches_the_applications(large):
    apps = large.tables["applications"]
    truth = large.truth.table("contact_points").set_index("contact_point")
    counts = apps.groupby("contact_point").size()
    pending = apps[apps["outcome"] == "pending"].groupby("contact_point").size()
    for point, row in truth.iterrows():
        assert row["applications"] == counts[point]
        assert row["lost"] + row["pending_censored"] == pending[point]
        n = row["applications"]
        se = np.sqrt(row["lost_share_dgp"] * (1 - row["lost_share_dgp"]) / n)
        assert abs(row["lost_share_sample"] - row["lost_share_dgp"]) < 4 * se
    decided = apps.dropna(subset=["decided_date"])
    days = (decided["decided_date"] - decided["submitted_date"]).dt.days.groupby(decided["contact_point"]).mean()
    np.testing.assert_allclose(truth.loc[days.index, "mean_days_sample"], days.to_numpy())
    # censoring at the extraction date shortens observed waits a little, never lengthens them much
    assert ((truth["mean_days_sample"] / truth["mean_days_dgp"]).between(0.85, 1.05)).all()
