"""The synthetic Brno Housing First trial: a genuine stratified randomisation with a known truth.

Reference numbers: the truth of evaluation/synthetic/trial.py, recomputed here from the potential
outcomes and calibration formulas; the trial estimators must recover it (Lin ITT, CACE and the
stably-housed effect within 3 standard errors; the Imbens–Manski interval of the Lee bounds covers
the ITT). ``demo`` is the published design (150 families, 50 flats); ``large`` is ten times as many
families for precision (tests/synthetic/conftest.py).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.impact import trial_data
from evaluation.synthetic import calibration as cal
from evaluation.synthetic.outcomes import arrears_effect


def _joined(data):
    return data.tables["assignment"].merge(data.tables["households"], on="household_id", validate="one_to_one")


def test_design_of_the_published_trial(demo):
    trial = _joined(demo)
    assert len(trial) == 150 and set(trial["municipality"]) == {"Brno"}
    assert (trial["arm"] == "programme").sum() == 50  # 1:2, as many assigned as flats (Ripka et al. 2018)
    # who was housed is the households table's programme group; each flat left by an assigned family went to
    # a control family, so never-takers and always-takers are equally many
    assert (trial["received"] == (trial["group"] == "programme")).all()
    never = ((trial["arm"] == "programme") & ~trial["received"]).sum()
    always = ((trial["arm"] == "control") & trial["received"]).sum()
    assert never == always > 0
    assert trial.loc[trial["non_receipt_reason"].notna(), "arm"].eq("programme").all()
    assert trial["non_receipt_reason"].notna().sum() == never
    # strata: number of children; the programme's places are shared in proportion to stratum size
    for label, low, high in cal.TRIAL_STRATA:
        in_s = trial["stratum"] == label
        assert trial.loc[in_s, "children"].between(low, high).all()
        assert abs((trial.loc[in_s, "arm"] == "programme").sum() - in_s.sum() / 3) < 1
    # randomised on the referral date; followed up or lost with a reason
    assert (trial["assignment_date"] == trial["referral_date"]).all()
    assert (trial["attrition_reason"].isna() == trial["followed_up"]).all()


def test_the_assignment_is_a_randomisation(large):
    """Control families come from the treated families' population and timing: nothing at baseline predicts
    the arm, and the programme keeps in touch with more families (monotone attrition)."""
    trial = _joined(large)
    z = trial["arm"] == "programme"
    for column in ("household_size", "children"):
        a, b = trial.loc[z, column], trial.loc[~z, column]
        assert abs(a.mean() - b.mean()) / np.sqrt((a.var() + b.var()) / 2) < 0.12, column
    days = trial["assignment_date"].astype("int64") / 86_400e9
    assert abs(days[z].mean() - days[~z].mean()) < 10  # randomised on the same dates
    assert trial.loc[z, "followed_up"].mean() > trial.loc[~z, "followed_up"].mean()


def test_truth_agrees_with_the_potential_outcomes(demo):
    truth = demo.truth.table("trial").set_index(["outcome", "version"])
    trial = _joined(demo)
    housed = trial[trial["received"].astype(bool)]
    follow = (housed["assignment_date"] + pd.DateOffset(months=12)).dt.to_period("M").dt.to_timestamp()
    po = demo.potential_outcomes["household_outcomes"].merge(
        pd.DataFrame({"household_id": housed["household_id"], "month": follow}), on=["household_id", "month"])
    sample = (po["arrears_czk_1"] - po["arrears_czk_0"]).mean()
    assert truth.loc[("arrears_czk", "sample"), "cace"] == pytest.approx(sample)
    entry = demo.tables["tenancies"].query("step == 'housing_first'").groupby("household_id")["start_date"].min()
    moved_in = entry.reindex(housed["household_id"]).to_numpy().astype("datetime64[M]").astype(int)
    e = follow.to_numpy().astype("datetime64[M]").astype(int) - moved_in
    dgp = arrears_effect(housed["cohort"].to_numpy().astype(int), e).mean()
    assert truth.loc[("arrears_czk", "dgp"), "cace"] == pytest.approx(dgp)
    first_stage = trial.groupby("arm", observed=True)["received"].mean()
    assert truth["first_stage"].iloc[0] == pytest.approx(first_stage["programme"] - first_stage["control"])
    assert (truth["itt"] == truth["first_stage"] * truth["cace"]).all()


@pytest.mark.parametrize("fixture", ["demo", "large"])
def test_the_estimators_recover_the_truth(fixture, request):
    data = request.getfixturevalue(fixture)
    truth = data.truth.table("trial").set_index(["outcome", "version"])
    arrears = trial_data(data.tables, "arrears_czk")
    itt = arrears.itt()
    assert itt.estimate == pytest.approx(truth.loc[("arrears_czk", "sample"), "itt"], abs=3 * itt.std_error)
    cace = arrears.cace()
    assert cace.estimate == pytest.approx(truth.loc[("arrears_czk", "sample"), "cace"], abs=3 * cace.std_error)
    lee = arrears.lee_bounds()
    assert lee.conf_low <= truth.loc[("arrears_czk", "sample"), "itt"] <= lee.conf_high
    housed = trial_data(data.tables, "stably_housed")
    itt_h = housed.itt()
    assert itt_h.estimate == pytest.approx(truth.loc[("stably_housed", "dgp"), "itt"], abs=3 * itt_h.std_error)
    assert housed.cace().estimate == pytest.approx(truth.loc[("stably_housed", "dgp"), "cace"],
                                                   abs=3 * housed.cace().std_error)
    assert arrears.randomisation_test(draws=999).p_value < 0.05
