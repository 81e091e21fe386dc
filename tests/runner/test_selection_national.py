"""Contact points of national data as run scopes (issue 15).

National data carry the contact point's ČSÚ code (``contact_point_code``); each contact point named
in the applications is then a scope of its own, chosen by name where a municipality may be named.
The expected rows are known by construction of the synthetic country (every applicant household
goes to the contact point of its ORP area's district) and of the small hand-made frames below.
"""
from __future__ import annotations

import pandas as pd
import pytest

from evaluation.data.dataset import Dataset
from evaluation.errors import ConfigError
from evaluation.runner.selection import contact_points_with_data, municipalities_with_data, select_scope
from evaluation.synthetic import simulate


@pytest.fixture(scope="module")
def national() -> Dataset:
    return simulate(seed=7, scale=0.05, national=True).to_dataset()


def test_each_contact_point_with_applications_is_a_scope(national):
    points = contact_points_with_data(national)
    applications = national["applications"]
    assert points == sorted(applications["contact_point"].unique()) and len(points) > 100
    assert set(points) <= set(municipalities_with_data(national))  # a run's list may name them


def test_a_contact_point_scope_keeps_its_district(national):
    chosen = select_scope(national, municipality="kmb benesov")  # spelling as a user types it
    assert chosen.municipality == "KMB Benešov" and chosen.notes[0] == "contact point: KMB Benešov"
    data = chosen.dataset
    assert set(data["applications"]["contact_point"]) == {"KMB Benešov"}
    assert set(data["applications"]["contact_point_code"]) == {"529303"}
    # households: those that applied there; their contacts follow them
    assert set(data["households"]["household_id"]) == set(data["applications"]["applicant_id"])
    assert data["support_contacts"]["household_id"].isin(data["households"]["household_id"]).all()
    # the ORP panel: the areas of its district (Benešov and Votice in the bundled table), and as its
    # comparison the areas whose contact point opened later (not yet treated until then) or never
    panel = data["orp_panel"]
    own = panel["contact_point_code"].eq("529303")
    assert set(panel.loc[own, "orp_code"]) == {"2101", "2126"}
    opened = panel.loc[own, "contact_point_opened"].iloc[0]
    full = national["orp_panel"]
    later = full.loc[~full["contact_point_code"].eq("529303")
                     & ~(full["contact_point_opened"] <= opened).fillna(False).astype(bool), "orp_code"]
    assert set(panel.loc[~own, "orp_code"]) == set(later)
    assert (panel.loc[~own, "contact_point_opened"] > opened).all()
    counts = chosen.tidy().set_index("table")
    assert counts.loc["applications", "rows_kept"] == len(data["applications"])
    assert "other contact point" in counts.loc["applications", "reason"]
    assert "ORP area of another contact point's district that opened no later" in counts.loc["orp_panel", "reason"]


def test_an_unknown_contact_point_is_an_error_naming_the_closest(national):
    with pytest.raises(ConfigError, match="did you mean 'KMB Benešov'"):
        select_scope(national, municipality="KMB Benešof")


def test_pilot_data_have_no_contact_point_scopes():
    """Pilot exports carry no contact-point code: their contact points stay inside their municipality."""
    apps = pd.DataFrame({"application_id": ["A1", "A2"], "applicant_id": ["Z1", "Z2"],
                         "contact_point": ["KMB Praha 7", "KMB Praha 3"], "municipality": ["Praha", "Praha"]})
    data = Dataset.from_frames({"applications": apps})
    assert contact_points_with_data(data) == [] and municipalities_with_data(data) == ["Praha"]
    with pytest.raises(ConfigError, match="'KMB Praha 7' is not in the data"):
        select_scope(data, municipality="KMB Praha 7")


def test_a_name_that_is_a_municipality_and_a_contact_point_is_the_municipality():
    apps = pd.DataFrame({"application_id": ["A1", "A2"], "applicant_id": ["Z1", "Z2"],
                         "contact_point": ["Kladno", "Kladno"], "contact_point_code": ["532053", "532053"],
                         "municipality": ["Kladno", "Slaný"]})
    chosen = select_scope(Dataset.from_frames({"applications": apps}), municipality="Kladno")
    assert chosen.notes[0] == "municipality: Kladno"
    assert chosen.dataset["applications"]["application_id"].tolist() == ["A1"]


def test_the_process_strand_reports_national_applications_by_contact_point(national):
    """The act's district of an application is its contact point's správní obvod: one row per
    contact point (here: the points with applications), not one per applicant municipality."""
    from evaluation.runner.strands.process import analyse

    output = analyse(national, seed=1)
    applications = national["applications"]
    by_point = applications.groupby("contact_point").size()
    table = output["processing_time"].tidy().set_index("district")
    assert set(table.index) == set(by_point.index)
    assert (table["applications"] == by_point.reindex(table.index)).all()
    lost = output["lost_applications"].tidy()
    assert set(lost["district"]) == set(by_point.index)


def test_pilot_applications_keep_their_city_district():
    from evaluation.runner.strands.process import contact_point_districts

    apps = pd.DataFrame({"contact_point": ["KMB Praha 7"], "district": ["Praha 7"], "municipality": ["Praha"]})
    assert contact_point_districts({"applications": apps})["applications"] is apps
