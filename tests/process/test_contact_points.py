"""Contact points: received, processing time (censored), lost applications, decisions, tools, equality."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation.errors import DataError
from evaluation.process import (
    applications_received,
    decisions,
    equality_of_care,
    independence_test,
    lost_applications,
    processing_time,
    tools_used,
)

OUTCOMES = ["granted", "rejected", "referred", "withdrawn", "pending"]
AS_OF = "2020-12-31"


def make_apps(rows):
    frame = pd.DataFrame(rows, columns=["district", "submitted", "decided", "outcome"])
    n = len(frame)
    return pd.DataFrame({
        "application_id": [f"A{i}" for i in range(n)], "applicant_id": [f"P{i}" for i in range(n)],
        "contact_point": "KMB " + frame["district"].fillna("MHMP"), "municipality": "Praha",
        "district": frame["district"],
        "request_type": pd.Categorical(["social_flat"] * n),
        "submitted_date": pd.to_datetime(frame["submitted"]), "decided_date": pd.to_datetime(frame["decided"]),
        "outcome": pd.Categorical(frame["outcome"], categories=OUTCOMES),
        "benefit_counselling": pd.array([True, False, None] * (n // 3) + [True] * (n % 3), dtype="boolean"),
        "bridging_loan": pd.array([False] * n, dtype="boolean"),
        "housing_market_help": pd.array([True] * n, dtype="boolean"),
        "debt_counselling": pd.array([None] * n, dtype="boolean"),
    })


@pytest.fixture
def apps():
    return make_apps([
        ("Praha 3", "2020-01-01", "2020-01-11", "granted"),     # 10 days
        ("Praha 3", "2020-01-01", "2020-01-21", "rejected"),    # 20 days
        ("Praha 3", "2020-01-01", None, "pending"),             # open 365 days -> lost
        ("Praha 3", "2020-11-01", None, "pending"),             # open 60 days, not yet lost
        ("Praha 7", "2020-02-01", "2020-02-01", "granted"),     # same-day decision: 0 days
        ("Praha 7", "2020-02-01", "2020-06-01", "granted"),     # 121 days: decided late
        ("Praha 7", "2020-02-01", "2021-02-01", "withdrawn"),   # decided after the as-of date -> open
        (None, "2020-03-01", "2020-03-31", "referred"),         # MHMP: no district -> municipality
        ("Praha 7", "2021-03-01", None, "pending"),             # submitted after as-of: excluded
    ])


def test_applications_received_fills_empty_months(apps):
    result = applications_received({"applications": apps}, by="district", as_of=AS_OF)
    t = result.tidy()
    assert set(t["district"]) == {"Praha 3", "Praha 7", "Praha"}
    assert len(t) == 3 * 12  # January to December for every district
    p3 = t.loc[t["district"] == "Praha 3"].set_index("period")["applications"]
    assert p3[pd.Timestamp("2020-01-01")] == 3 and p3[pd.Timestamp("2020-02-01")] == 0
    assert t["applications"].sum() == 8
    assert result.exclusions.set_index("rule").at["submitted_after_as_of", "rows"] == 1
    quarterly = applications_received({"applications": apps}, by=(), freq="Q", as_of=AS_OF).tidy()
    assert quarterly["applications"].tolist() == [7, 0, 0, 1]
    with pytest.raises(DataError, match="freq"):
        applications_received({"applications": apps}, freq="fortnight")


def test_processing_time_matches_lifelines(apps):
    from lifelines import KaplanMeierFitter

    result = processing_time({"applications": apps}, as_of=AS_OF)
    t = result.tidy().set_index("district")
    assert t.loc["Praha 3", ["applications", "decided", "undecided"]].tolist() == [4, 2, 2]
    assert t.loc["Praha 7", "undecided"] == 1  # decided only after the as-of date
    # Praha 7: durations 0, 121 (decided) and 334 (censored at the as-of date)
    kmf = KaplanMeierFitter().fit([0, 121, 334], [1, 1, 0])
    assert t.loc["Praha 7", "median_days"] == kmf.median_survival_time_ == 121
    assert t.loc["Praha 7", "q1_days"] == 0
    kmf3 = KaplanMeierFitter().fit([10, 20, 365, 60], [1, 1, 0, 0])
    assert t.loc["Praha 3", "median_days"] == kmf3.median_survival_time_ == 20
    assert np.isnan(t.loc["Praha 3", "q3_days"])  # S never falls to 0.25
    assert t.loc["Praha 3", "mean_days_decided"] == 15
    curve = result.curves.loc[result.curves["group"] == "Praha 3"].set_index("days")["undecided"]
    assert curve[20] == pytest.approx(kmf3.survival_function_at_times(20).item())


def test_processing_time_all_undecided_and_empty_district(apps):
    open_only = apps.loc[apps["outcome"] == "pending"].copy()
    open_only = open_only.loc[open_only["district"] == "Praha 3"]
    result = processing_time({"applications": open_only}, as_of=AS_OF, groups=["Praha 3", "Praha 10"])
    t = result.tidy().set_index("district")
    assert t.loc["Praha 3", "decided"] == 0 and np.isnan(t.loc["Praha 3", "median_days"])
    assert t.loc["Praha 10", "applications"] == 0 and np.isnan(t.loc["Praha 10", "median_days"])
    import matplotlib.pyplot as plt

    ax = result.plot(lang="cs")
    assert ax.get_ylabel().startswith("Podíl dosud nerozhodnutých")
    plt.close("all")


def test_lost_applications_hand_computed(apps):
    result = lost_applications({"applications": apps}, as_of=AS_OF, max_days=90, groups=["Praha 10"])
    t = result.tidy().set_index("district")
    # Praha 3: three applications older than 90 days, one of them still open -> lost
    assert t.loc["Praha 3", ["submitted", "old_enough", "decided_in_time", "lost", "open_not_yet_lost"]].tolist() == \
        [4, 3, 2, 1, 1]
    assert t.loc["Praha 3", "share_lost"] == pytest.approx(1 / 3)
    # Wilson interval for 1 of 3 (statsmodels proportion_confint method="wilson")
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(1, 3, method="wilson")
    assert t.loc["Praha 3", "conf_low"] == pytest.approx(low) and t.loc["Praha 3", "conf_high"] == pytest.approx(high)
    assert t.loc["Praha 7", ["decided_in_time", "decided_late", "lost"]].tolist() == [1, 1, 1]
    assert t.loc["Praha 10", "submitted"] == 0 and np.isnan(t.loc["Praha 10", "share_lost"])
    assert t.loc["Praha", "lost"] == 0  # the city hall application stands under the municipality
    stricter = lost_applications({"applications": apps}, as_of=AS_OF, max_days=30).tidy().set_index("district")
    assert stricter.loc["Praha 3", "lost"] == 2
    with pytest.raises(DataError, match="max_days"):
        lost_applications({"applications": apps}, max_days=0)


def test_decisions_and_tools(apps):
    d = decisions({"applications": apps}, as_of=AS_OF).tidy().set_index(["district", "outcome"])
    assert d.loc[("Praha 7", "granted"), "count"] == 2
    assert d.loc[("Praha 7", "withdrawn"), "count"] == 0 and d.loc[("Praha 7", "pending"), "count"] == 1
    assert d.loc[("Praha 3", "pending"), "share"] == 0.5
    tools = tools_used({"applications": apps}, by=(), as_of=AS_OF).tidy().set_index("tool")
    # benefit counselling over the 8 applications kept: True, False, missing repeated; then True, True
    assert tools.loc["benefit_counselling", ["count", "n", "not_recorded"]].tolist() == [3, 6, 2]
    assert tools.loc["debt_counselling", "n"] == 0 and np.isnan(tools.loc["debt_counselling", "share"])
    import matplotlib.pyplot as plt

    decisions({"applications": apps}, as_of=AS_OF).plot()
    plt.close("all")


def test_equality_log_rank_matches_lifelines_with_ties():
    """Processing times in whole days (many ties, same-day decisions) against lifelines."""
    from lifelines.statistics import multivariate_logrank_test

    rng = np.random.default_rng(3)
    rows = []
    for i in range(150):
        district = ["Praha 3", "Praha 7", "Praha 10"][i % 3]
        days = int(rng.exponential(20 if district == "Praha 3" else 30))
        decided = rng.random() < 0.8
        rows.append((district, "2020-03-02", (pd.Timestamp("2020-03-02") + pd.Timedelta(days=days)) if decided else None,
                     "granted" if decided else "pending"))
    apps = make_apps(rows)
    result = equality_of_care({"applications": apps}, as_of=AS_OF)
    prepared = apps.assign(days=np.where(apps["decided_date"].notna(),
                                         (apps["decided_date"] - apps["submitted_date"]).dt.days,
                                         (pd.Timestamp(AS_OF) - apps["submitted_date"]).dt.days))
    ref = multivariate_logrank_test(prepared["days"], prepared["district"], apps["decided_date"].notna())
    row = result.tidy().set_index("term").loc["processing_time"]
    assert row["statistic"] == pytest.approx(ref.test_statistic, rel=1e-8)
    assert row["p_value"] == pytest.approx(ref.p_value, rel=1e-6)
    assert row["df"] == 2


def test_independence_test_against_scipy():
    table = np.array([[12, 5, 9], [7, 14, 10]])
    out = independence_test(table)
    chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
    assert out["test"] == "chi-square" and out["statistic"] == pytest.approx(chi2) and out["p_value"] == pytest.approx(p)
    assert out["effect_size"] == pytest.approx(stats.contingency.association(table, method="cramer"))
    small = np.array([[3, 1], [1, 3]])
    fisher = independence_test(small)
    assert fisher["test"].startswith("Fisher") and fisher["p_value"] == pytest.approx(stats.fisher_exact(small).pvalue)
    sparse = np.array([[4, 0, 1], [0, 3, 1], [1, 0, 2]])
    mc = independence_test(sparse, mc_samples=20_000, seed=1)
    assert mc["test"].startswith("Monte-Carlo")
    # exact conditional p-value by enumerating every table with these margins (scipy random_table pmf)
    exact = _exact_p(sparse)
    assert mc["p_value"] == pytest.approx(exact, abs=3 * np.sqrt(exact * (1 - exact) / 20_000) + 1e-3)
    empty = independence_test(np.array([[3, 0], [2, 0]]))
    assert np.isnan(empty["p_value"])


def _exact_p(table):
    from itertools import product

    rows, cols = table.sum(axis=1), table.sum(axis=0)
    dist = stats.random_table(rows, cols)
    expected = np.outer(rows, cols) / table.sum()
    observed = ((table - expected) ** 2 / expected).sum()
    total = 0.0
    for a, b, d, e in product(range(6), repeat=4):
        cand = np.array([[a, b, rows[0] - a - b], [d, e, rows[1] - d - e], [0, 0, 0]])
        cand[2] = cols - cand[:2].sum(axis=0)
        if (cand < 0).any() or cand[2].sum() != rows[2]:
            continue
        if ((cand - expected) ** 2 / expected).sum() >= observed - 1e-9:
            total += dist.pmf(cand)
    return total


def test_equality_of_care(apps):
    result = equality_of_care({"applications": apps}, as_of=AS_OF, groups=["Praha 10"])
    t = result.tidy().set_index("term")
    assert t.loc["processing_time", "test"] == "log-rank" and t.loc["processing_time", "groups"] == 3
    from lifelines.statistics import multivariate_logrank_test

    keep = apps.iloc[:8]
    days = np.array([10, 20, 365, 60, 0, 121, 334, 30])
    decided = np.array([1, 1, 0, 0, 1, 1, 0, 1])
    ref = multivariate_logrank_test(days, keep["district"].fillna("Praha"), decided)
    assert t.loc["processing_time", "statistic"] == pytest.approx(ref.test_statistic)
    assert t.loc["outcome", "n"] == 5 and t.loc["outcome", "effect_size_name"] == "Cramér's V"
    assert "Praha 10" in result.empty_groups and any("Praha 10" in n for n in result.notes)
    per = result.by_group().set_index("group")
    assert per.loc["Praha 3", "share_lost"] == pytest.approx(1 / 3)
    assert per["observed_decisions"].sum() == pytest.approx(per["expected_decisions"].sum())
    import matplotlib.pyplot as plt

    result.plot()
    plt.close("all")


def test_equality_of_care_with_one_district_is_not_testable(apps):
    one = apps.loc[apps["district"] == "Praha 3"]
    t = equality_of_care({"applications": one}, as_of=AS_OF).tidy().set_index("term")
    assert t.loc["processing_time", "test"].startswith("not testable")
    assert np.isnan(t.loc["outcome", "p_value"])


def test_equality_of_care_detects_a_slow_district():
    """Simulated truth: Praha 9 takes three times longer; the tests must see it, not in the null case."""
    rng = np.random.default_rng(7)
    rows = []
    for district, scale in (("Praha 3", 20), ("Praha 7", 20), ("Praha 9", 60)):
        for _ in range(150):
            submitted = pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(rng.integers(0, 300)))
            decided = submitted + pd.Timedelta(days=int(rng.exponential(scale)))
            outcome = rng.choice(["granted", "rejected"], p=[0.6, 0.4])
            rows.append((district, submitted, decided if decided <= pd.Timestamp(AS_OF) else None,
                         outcome if decided <= pd.Timestamp(AS_OF) else "pending"))
    apps = make_apps(rows)
    t = equality_of_care({"applications": apps}, as_of=AS_OF).tidy().set_index("term")
    assert t.loc["processing_time", "p_value"] < 1e-6
    assert t.loc["processing_time", "effect_size"] == pytest.approx(3, rel=0.35)
    assert t.loc["outcome", "p_value"] > 0.001  # outcomes were drawn alike
