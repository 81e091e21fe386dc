"""evaluation.data.writers: Czech CSV conventions, English CSV, Parquet types, clear errors."""
from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from evaluation.data.writers import write_tables
from evaluation.errors import ConfigError, DataError


@pytest.fixture()
def units():
    return pd.DataFrame({
        "unit_id": ["OVA-KB-00001", "OVA-SB-00002"],
        "municipality": ["Ostrava", "Jindřichův Hradec"],
        "district": ["Mariánské Hory a Hulváky", None],
        "step": pd.Categorical(["crisis", "social"], categories=["crisis", "social", "affordable", "housing_first",
                                                                 "standard"]),
        "owner_type": pd.Categorical(["ngo", "municipal"],
                                     categories=["municipal", "private", "ngo", "cooperative", "state", "other"]),
        "floor_area_m2": [45.5, 61.0],
        "rooms": pd.array([2, pd.NA], dtype="Int64"),
        "in_excluded_locality": pd.array([True, False], dtype="boolean"),
        "area_code": ["554821-0101", "554821-0203"],
    })


def test_czech_csv_conventions(units, tmp_path):
    (path,) = write_tables({"units": units}, tmp_path, fmt="csv", lang="cs")
    raw = path.read_bytes()
    assert b"\r\n" in raw and "ř".encode("cp1250") in raw  # Windows line ends and Windows-1250 bytes
    lines = raw.decode("cp1250").split("\r\n")
    assert lines[0] == "unit_id;municipality;district;step;owner_type;floor_area_m2;rooms;in_excluded_locality;area_code"
    assert lines[1] == ("OVA-KB-00001;Ostrava;Mariánské Hory a Hulváky;krizové bydlení;"
                        "nestátní nezisková organizace;45,5;2;ano;554821-0101")
    assert lines[2] == "OVA-SB-00002;Jindřichův Hradec;;sociální bydlení;obecní;61;;ne;554821-0203"


def test_english_csv(units, tmp_path):
    (path,) = write_tables({"units": units}, tmp_path, fmt="csv", lang="en")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1] == "OVA-KB-00001,Ostrava,Mariánské Hory a Hulváky,crisis housing,NGO,45.5,2,true,554821-0101"


def test_dates_and_decimals(tmp_path):
    costs = pd.DataFrame({
        "municipality": ["Brno", "Brno"], "month": pd.to_datetime(["2016-09-01", None]),
        "cost_centre": pd.Categorical(["housing_first", "shared"]), "item": pd.Categorical(["staff", "other"]),
        "amount_czk": [284375.123456789, 0.00001]})
    (path,) = write_tables({"costs": costs}, tmp_path, fmt="csv")
    lines = path.read_text(encoding="cp1250").splitlines()
    assert lines[1] == "Brno;01.09.2016;Housing First;osobní náklady (sociální práce);284375,123457"
    assert lines[2] == "Brno;;společné náklady;ostatní;0,00001"  # six decimals at most, never 1e-05


def test_parquet_keeps_the_dataset_types(units, tmp_path):
    (path,) = write_tables({"units": units}, tmp_path, fmt="parquet")
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, units)


def test_writing_twice_gives_the_same_bytes(units, tmp_path):
    digests = []
    for run in ("a", "b"):
        paths = write_tables({"units": units}, tmp_path / run, fmt="parquet") + \
            write_tables({"units": units}, tmp_path / run, fmt="csv")
        digests.append([hashlib.sha256(p.read_bytes()).hexdigest() for p in paths])
    assert digests[0] == digests[1]


def test_tables_outside_the_contract_are_written_as_they_are(tmp_path):
    (path,) = write_tables({"notes": pd.DataFrame({"x": [1.5], "y": ["a"]})}, tmp_path, fmt="csv")
    assert path.read_text(encoding="cp1250").splitlines() == ["x;y", "1,5;a"]


def test_bad_arguments_and_values_raise_clear_errors(units, tmp_path):
    with pytest.raises(ConfigError, match="format"):
        write_tables({"units": units}, tmp_path, fmt="xlsx")
    with pytest.raises(ConfigError, match="language"):
        write_tables({"units": units}, tmp_path, fmt="csv", lang="de")
    bad = units.assign(step=pd.Categorical(["crisis", "palace"]))
    with pytest.raises(DataError, match="step.*palace"):
        write_tables({"units": bad}, tmp_path, fmt="csv")
    with pytest.raises(DataError, match="windows-1250|cp1250"):
        write_tables({"units": units.assign(municipality=["Ostrava", "東京"])}, tmp_path, fmt="csv")
