"""Need stock and flows, the stock-flow projection and segregation indices."""
import numpy as np
import pandas as pd
import pytest

from evaluation.errors import ConfigError, DataError
from evaluation.need import (
    StockFlowModel,
    excluded_locality_share,
    flat_segregation,
    need_flows,
    segregation_indices,
)

ETHOS = ["rough_sleeping", "emergency_accommodation", "homeless_accommodation", "institution", "non_conventional",
         "with_family_friends", "insecure_housing", "inadequate_housing"]
OUTCOMES = ["granted", "rejected", "referred", "withdrawn", "pending"]


def applications(rows):
    frame = pd.DataFrame(rows, columns=["applicant_id", "ethos", "submitted", "decided", "outcome"])
    return pd.DataFrame({
        "application_id": [f"A{i}" for i in range(len(frame))], "applicant_id": frame["applicant_id"],
        "municipality": "Praha", "ethos_category": pd.Categorical(frame["ethos"], categories=ETHOS),
        "submitted_date": pd.to_datetime(frame["submitted"]), "decided_date": pd.to_datetime(frame["decided"]),
        "outcome": pd.Categorical(frame["outcome"], categories=OUTCOMES)})


@pytest.fixture
def register():
    return applications([
        ("P1", "rough_sleeping", "2020-01-15", "2020-04-10", "granted"),
        ("P2", "rough_sleeping", "2020-02-01", "2020-03-01", "rejected"),   # rejected: stays in need
        ("P2", "rough_sleeping", "2020-05-01", "2020-08-01", "granted"),    # same applicant: exits in Q3
        ("P3", "insecure_housing", "2020-04-01", None, "pending"),
        ("P4", None, "2020-07-01", "2020-07-20", "withdrawn"),
        ("P5", "insecure_housing", "2021-02-01", None, "pending"),          # after as-of
    ])


def test_need_flows_from_applications_hand_computed(register):
    result = need_flows({"applications": register}, freq="Q", as_of="2020-12-31")
    t = result.tidy()
    total = result.totals()
    assert total["inflow"].tolist() == [2, 1, 1, 0]
    assert total["outflow"].tolist() == [0, 1, 2, 0]  # P1 in Q2; P2 and P4 in Q3
    assert total["stock_end"].tolist() == [2, 2, 1, 1]
    assert (total["stock_start"].iloc[1:].to_numpy() == total["stock_end"].iloc[:-1].to_numpy()).all()
    rough = t.loc[t["ethos_category"] == "rough_sleeping"]
    assert rough["stock_end"].tolist() == [2, 1, 0, 0]
    missing = t.loc[t["ethos_category"] == "missing"]
    assert missing["inflow"].tolist() == [0, 0, 1, 0]  # P4 has no category: kept, not dropped
    reasons = result.exclusions.set_index("rule")["rows"]
    assert reasons["repeat_application"] == 1 and reasons["submitted_after_as_of"] == 1
    # identity for every category and period: stock_end = stock_start + inflow - outflow
    assert (t["stock_end"] == t["stock_start"] + t["inflow"] - t["outflow"]).all()
    import matplotlib.pyplot as plt

    result.plot(lang="cs")
    plt.close("all")


def test_need_flows_from_households(pilot_frames):
    t = need_flows(pilot_frames, source="households", freq="Y", as_of="2020-12-31").totals()
    # referrals: 2019-12-01 (H1), five in 2020; housed: H1, H2, H3, H4 in 2020
    assert t["inflow"].tolist() == [1, 5] and t["outflow"].tolist() == [0, 4] and t["stock_end"].tolist() == [1, 2]


def test_need_flows_errors(register):
    with pytest.raises(DataError, match="source"):
        need_flows({"applications": register}, source="census")
    with pytest.raises(DataError, match="freq"):
        need_flows({"applications": register}, freq="W")
    with pytest.raises(DataError, match="no applications"):
        need_flows({"applications": register}, as_of="2019-01-01")
    with pytest.raises(DataError, match="Brno"):
        need_flows({"applications": register}, municipality="Brno")


def test_stock_flow_hand_computed():
    model = StockFlowModel(horizon=4, target_reduction=0.5, average_stay=2, intensive_share=0.25, capacity=30)
    t = model.project(stock=100, inflow=10, exit_rate=0.1).tidy()
    assert t["stock_baseline"].tolist() == pytest.approx([100, 100, 100, 100, 100])  # in steady state
    # P_t = S*_t (1 - mu) + lam - S*_{t+1}: 90 + 10 - 87.5 = 12.5, 78.75 + 10 - 75 = 13.75, ...
    assert t["placements_needed"].tolist() == pytest.approx([12.5, 13.75, 15.0, 16.25, 0.0])
    # N_{t+1} = N_t / 2 + P_t
    assert t["additional_units"].tolist() == pytest.approx([0, 12.5, 20.0, 25.0, 28.75])
    assert t["intensive_support_places"].iloc[-1] == pytest.approx(0.25 * 28.75)
    assert t["total_units"].iloc[-1] == pytest.approx(30 + 28.75)


def test_stock_flow_steady_state_is_littles_law():
    """Holding the stock at a lower level forever: placements settle at (lam - mu S*) and flats at P * stay."""
    model = StockFlowModel(horizon=1, target_reduction=0.2, average_stay=5)
    long = StockFlowModel(horizon=400, target_reduction=0.0, average_stay=5)
    p = long.project(stock=80, inflow=10, exit_rate=0.1).tidy()  # baseline steady state would be 100
    assert p["placements_needed"].iloc[:-1].to_numpy() == pytest.approx(np.full(400, 2.0))
    assert p["additional_units"].iloc[-1] == pytest.approx(2.0 * 5, rel=1e-6)
    assert model.project(stock=100, inflow=10, exit_rate=0.1).tidy()["placements_needed"].iloc[0] == pytest.approx(20)


def test_stock_flow_recovers_simulated_rates():
    """Simulated flows with known inflow 40 and exit rate 0.15 per period."""
    rng = np.random.default_rng(11)
    stock, rows = 200, []
    for _ in range(60):
        inflow = rng.poisson(40)
        outflow = rng.binomial(stock + inflow, 0.15)
        rows.append({"stock_start": stock, "inflow": inflow, "outflow": outflow,
                     "stock_end": stock + inflow - outflow})
        stock = rows[-1]["stock_end"]
    projection = StockFlowModel(horizon=8).fit(pd.DataFrame(rows))
    est = projection.estimates().set_index("term")
    assert est.loc["inflow_per_period", "conf_low"] < 40 < est.loc["inflow_per_period", "conf_high"]
    assert est.loc["exit_rate_per_period", "conf_low"] < 0.15 < est.loc["exit_rate_per_period", "conf_high"]
    t = projection.tidy()
    assert (t["additional_units_low"] <= t["additional_units"] + 1e-9).all()
    assert (t["additional_units"] <= t["additional_units_high"] + 1e-9).all()
    import matplotlib.pyplot as plt

    projection.plot(lang="cs")
    plt.close("all")


def test_stock_flow_from_need_flows(register):
    flows = need_flows({"applications": register}, freq="Q", as_of="2020-12-31")
    projection = StockFlowModel(horizon=4, target_reduction=1.0).fit(flows)
    est = projection.estimates().set_index("term")["estimate"]
    assert est["inflow_per_period"] == pytest.approx(4 / 4)
    assert est["exit_rate_per_period"] == pytest.approx(3 / (2 + 3 + 3 + 1))  # outflow / (stock_start + inflow)
    assert projection.tidy()["stock_target"].iloc[-1] == 0


def test_stock_flow_configuration_errors():
    with pytest.raises(ConfigError, match="horizon"):
        StockFlowModel(horizon=0)
    with pytest.raises(ConfigError, match="target_reduction"):
        StockFlowModel(target_reduction=1.5)
    with pytest.raises(ConfigError, match="average_stay"):
        StockFlowModel(average_stay=0.5)
    with pytest.raises(DataError, match="lack column"):
        StockFlowModel().fit(pd.DataFrame({"inflow": [1]}))
    with pytest.raises(DataError, match="nobody"):
        StockFlowModel().fit(pd.DataFrame({"stock_start": [0], "inflow": [0], "outflow": [0], "stock_end": [0]}))


def test_segregation_worked_example_by_hand():
    """Four areas; group x (flats) against everyone else y = t - x.

    X = 30, T = 200, Y = 170.
    D = 1/2 (|10/30 - 40/170| + |15/30 - 15/170| + |5/30 - 45/170| + |0 - 70/170|) = 0.509804
    xPx = (10/30)(10/50) + (15/30)(15/30) + (5/30)(5/50) + 0 = 0.0666... + 0.25 + 0.01666... = 0.333333
    """
    counts = pd.DataFrame({"area_code": ["A", "B", "C", "D"], "x": [10, 15, 5, 0], "t": [50, 30, 50, 70]})
    r = segregation_indices(counts, group="x", total="t")
    assert r.index_value("dissimilarity") == pytest.approx(0.5 * (abs(10 / 30 - 40 / 170) + abs(15 / 30 - 15 / 170)
                                                                  + abs(5 / 30 - 45 / 170) + 70 / 170))
    assert r.index_value("dissimilarity") == pytest.approx(0.509804, abs=1e-6)
    assert r.index_value("isolation") == pytest.approx(1 / 3)
    assert r.index_value("interaction") == pytest.approx(2 / 3)
    assert r.index_value("correlation_ratio") == pytest.approx((1 / 3 - 30 / 200) / (1 - 30 / 200))


def test_segregation_extremes_and_errors():
    even = pd.DataFrame({"area_code": list("ABC"), "x": [1, 2, 3], "t": [10, 20, 30]})
    r = segregation_indices(even, group="x", total="t")
    assert r.index_value("dissimilarity") == pytest.approx(0)
    assert r.index_value("isolation") == pytest.approx(0.1) and r.index_value("correlation_ratio") == pytest.approx(0)
    apart = pd.DataFrame({"area_code": list("AB"), "x": [10, 0], "t": [10, 30]})
    r = segregation_indices(apart, group="x", total="t")
    assert r.index_value("dissimilarity") == 1 and r.index_value("isolation") == 1
    assert r.index_value("correlation_ratio") == 1
    with pytest.raises(DataError, match="exceeds the area total"):
        segregation_indices(pd.DataFrame({"area_code": ["A"], "x": [5], "t": [3]}), group="x", total="t")
    with pytest.raises(DataError, match="no members"):
        segregation_indices(pd.DataFrame({"area_code": ["A"], "x": [0], "t": [3]}), group="x", total="t")
    with pytest.raises(DataError, match="more than once"):
        segregation_indices(pd.DataFrame({"area_code": ["A", "A"], "x": [0, 1], "t": [3, 3]}), group="x", total="t")


def test_flat_segregation_units_and_residents(pilot_frames):
    dwellings = pd.DataFrame({"area_code": ["A", "B", "C"], "dwellings": [10, 20, 70]})
    r = flat_segregation(pilot_frames, dwellings, population_column="dwellings")
    areas = r.by_area().set_index("area_code")
    assert areas["group"].tolist() == [2, 1, 0]  # U1, U2 in A; U3 in B; U4 has no area
    assert r.exclusions.set_index("rule").at["missing_area_code", "rows"] == 1
    expected_d = 0.5 * (abs(2 / 3 - 8 / 97) + abs(1 / 3 - 19 / 97) + abs(0 - 70 / 97))
    assert r.index_value("dissimilarity") == pytest.approx(expected_d)
    residents = pd.DataFrame({"area_code": ["A", "B", "C"], "people": [30, 50, 100]})
    rr = flat_segregation(pilot_frames, residents, population_column="people", weight="residents",
                          as_of="2020-12-31")
    # on 2020-12-31: H3 (2 people) in U1 (A), H1 (1) in U3 (B), H4 (4) in U4 (no area: excluded)
    assert rr.by_area().set_index("area_code")["group"].tolist() == [2, 1, 0]
    with pytest.raises(DataError, match="as_of"):
        flat_segregation(pilot_frames, residents, population_column="people", weight="residents")
    with pytest.raises(DataError, match="population frame"):
        flat_segregation(pilot_frames, residents)


def test_excluded_locality_share(pilot_frames):
    t = excluded_locality_share(pilot_frames).tidy().set_index("step")
    assert t.loc["crisis", ["units", "in_excluded_locality", "share"]].tolist() == [2, 1, 0.5]
    assert t.loc["social", ["units", "units_recorded", "not_recorded", "share"]].tolist() == [2, 1, 1, 1.0]
    overall = excluded_locality_share(pilot_frames, by=()).tidy()
    assert overall["share"].item() == pytest.approx(2 / 3)
