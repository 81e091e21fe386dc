"""A small hand-built pilot whose every indicator can be computed by hand."""
import pandas as pd
import pytest


def _cat(values, categories):
    return pd.Categorical(values, categories=categories)


STEPS = ["crisis", "social", "affordable", "housing_first", "standard"]
EXITS = ["moved_up", "standard_lease", "eviction", "abandonment", "left_voluntarily", "death", "other",
         "still_housed"]


def build_pilot() -> dict[str, pd.DataFrame]:
    """Six households in Ostrava (five programme, one comparison) and four flats.

    H1 crisis 2020-01-01 -> moved up 2020-05-01, then social from 2020-05-01 (still housed)
    H2 crisis 2020-03-01 -> evicted 2020-04-01 (drop-out within 6 months)
    H3 crisis 2020-05-01 in U1 after H1 left, still housed (8 months by 2020-12-31: support completed)
    H4 social 2020-11-01, still housed (censored: 2 months of 20)
    H5 programme, referred, never housed;  H6 comparison group.
    """
    households = pd.DataFrame({
        "household_id": ["H1", "H2", "H3", "H4", "H5", "H6"],
        "municipality": ["Ostrava"] * 6,
        "district": [None] * 6,
        "household_size": pd.array([1, 3, 2, 4, 1, 2], dtype="Int64"),
        "children": pd.array([0, 2, 0, 2, 0, 1], dtype="Int64"),
        "ethos_category": _cat(["rough_sleeping", "homeless_accommodation", "rough_sleeping",
                                "insecure_housing", None, "insecure_housing"],
                               ["rough_sleeping", "emergency_accommodation", "homeless_accommodation",
                                "institution", "non_conventional", "with_family_friends",
                                "insecure_housing", "inadequate_housing"]),
        "referral_source": _cat(["outreach", "ngo", "outreach", None, "ngo", "labour_office"],
                                ["outreach", "labour_office", "municipal_social_work", "ngo",
                                 "child_protection", "housing_department", "contact_point",
                                 "self_referral", "other"]),
        "referral_date": pd.to_datetime(["2019-12-01", "2020-02-10", "2020-01-01", "2020-09-01",
                                         "2020-06-01", "2020-01-01"]),
        "group": _cat(["programme"] * 5 + ["comparison"], ["programme", "comparison"]),
        "programme": _cat(["staircase"] * 5 + ["none"], ["staircase", "housing_first", "none"]),
        "cohort": pd.array([1, 1, 2, None, None, None], dtype="Int64"),
    })
    units = pd.DataFrame({
        "unit_id": ["U1", "U2", "U3", "U4"],
        "municipality": ["Ostrava"] * 4,
        "step": _cat(["crisis", "crisis", "social", "social"], STEPS),
        "in_excluded_locality": pd.array([True, False, True, None], dtype="boolean"),
        "area_code": ["A", "A", "B", None],
    })
    tenancies = pd.DataFrame({
        "tenancy_id": ["T1", "T2", "T3", "T4", "T5"],
        "household_id": ["H1", "H1", "H2", "H3", "H4"],
        "unit_id": ["U1", "U3", "U2", "U1", "U4"],
        "step": _cat(["crisis", "social", "crisis", "crisis", "social"], STEPS),
        "start_date": pd.to_datetime(["2020-01-01", "2020-05-01", "2020-03-01", "2020-05-01", "2020-11-01"]),
        "end_date": pd.to_datetime(["2020-05-01", None, "2020-04-01", None, None]),
        "exit_reason": _cat(["moved_up", "still_housed", "eviction", "still_housed", "still_housed"], EXITS),
    })
    return {"households": households, "units": units, "tenancies": tenancies}


@pytest.fixture
def pilot() -> dict[str, pd.DataFrame]:
    return build_pilot()
