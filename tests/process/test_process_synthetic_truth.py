"""Recover the contact-point truth of evaluation.synthetic (lost shares, processing times)."""
import numpy as np
import pytest
from scipy import stats

synthetic = pytest.importorskip("evaluation.synthetic")

from evaluation.process import equality_of_care, lost_applications, processing_time


@pytest.fixture(scope="module")
def data():
    return synthetic.simulate(seed=1, scale=2)


def test_lost_share_recovers_the_truth(data):
    truth = data.truth.table("contact_points").set_index("contact_point")
    as_of = data.truth.study_period[1]
    # 180 days: a decided application is almost never still open (lognormal tail < 1%), so the
    # share still open after 180 days estimates the share never decided (the DGP's lost share)
    t = lost_applications(data.tables, by="contact_point", as_of=as_of, max_days=180).tidy().set_index("contact_point")
    for point, row in truth.iterrows():
        p, n = row["lost_share_dgp"], t.loc[point, "old_enough"]
        assert abs(t.loc[point, "share_lost"] - p) < 3.3 * np.sqrt(p * (1 - p) / n) + 0.01, point


def test_km_median_recovers_the_processing_time(data):
    from evaluation.synthetic import calibration as cal

    truth = data.truth.table("contact_points").set_index("contact_point")
    as_of = data.truth.study_period[1]
    t = processing_time(data.tables, by="contact_point", as_of=as_of).tidy().set_index("contact_point")
    for point, row in truth.iterrows():
        # lost applications never get a decision, so S(t) levels off at the lost share: the
        # Kaplan–Meier median is the lognormal quantile at 0.5 / (1 - lost share)
        q = 0.5 / (1 - row["lost_share_dgp"])
        expected = row["median_days_dgp"] * np.exp(cal.PROCESSING_SIGMA * stats.norm.ppf(q))
        assert t.loc[point, "median_days"] == pytest.approx(expected, rel=0.08, abs=1), point


def test_equality_of_care_flags_the_designed_differences(data):
    result = equality_of_care(data.tables, by="contact_point", as_of=data.truth.study_period[1])
    t = result.tidy().set_index("term")
    # the DGP gives medians of 12 to 40 days and lost shares of 1% to 8% by contact point
    assert t.loc["processing_time", "p_value"] < 1e-10
    assert t.loc["lost", "p_value"] < 1e-4
