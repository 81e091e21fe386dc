"""Loading: strict and excluding modes, the ledger with its cascade, conventions, fingerprint."""
from __future__ import annotations

import pandas as pd
import pytest
from conftest import HOUSEHOLDS_CS, RENT_LEDGER_CS, TENANCIES_CS, make_folder, replace_line

from evaluation.data import Ledger, load_folder
from evaluation.data.dataset import Dataset
from evaluation.errors import ConfigError, DataError

BAD_HOUSEHOLD = ("H01;Ostrava;Vítkovice;tři;1;pod životním minimem;Noclehárna;Úřad práce;15.03.2019;"
                 "programová skupina;prostupné bydlení;1")


def test_strict_mode_raises_with_the_full_report(tmp_path):
    folder = make_folder(tmp_path / "f", households=replace_line(HOUSEHOLDS_CS, 2, BAD_HOUSEHOLD))
    with pytest.raises(DataError) as info:
        load_folder(folder)
    message = str(info.value)
    assert "Řádek 2, sloupec „Velikost domácnosti“: hodnota tři není celé číslo." in message
    with pytest.raises(DataError, match="Row 2, column “Velikost domácnosti”"):
        load_folder(folder, lang="en")


def test_exclude_mode_cascades_to_orphans_and_the_ledger_adds_up(tmp_path):
    # H01 is broken: its two tenancies (T1, T2) and T1's two rent rows must follow it out
    folder = make_folder(tmp_path / "f", households=replace_line(HOUSEHOLDS_CS, 2, BAD_HOUSEHOLD),
                         rent_ledger=RENT_LEDGER_CS + "T9;H02;01.11.2019;2 800;0;5 600\n")
    ds = load_folder(folder, on_error="exclude")
    assert isinstance(ds, Dataset) and isinstance(ds.ledger, Ledger)
    assert ds.households["household_id"].tolist() == ["H02", "H03", "H04"]
    assert ds.tenancies["tenancy_id"].tolist() == ["T3", "T4"]
    assert ds.rent_ledger["tenancy_id"].tolist() == ["T3", "T4"]
    ledger = ds.ledger
    assert (ledger.received("households"), ledger.excluded("households", "type"), ledger.loaded("households")) == (4, 1, 3)
    assert ledger.excluded("tenancies", "orphan") == 2 and ledger.loaded("tenancies") == 2
    assert ledger.excluded("rent_ledger", "orphan") == 2  # T1's rows: parent excluded
    assert ledger.excluded("rent_ledger", "foreign_key") == 1  # T9: parent missing
    tidy = ledger.tidy()
    assert list(tidy.columns) == ["table", "stage", "rule", "rows", "reason_cs", "reason_en"]
    for table, rows in tidy.groupby("table"):
        by_stage = rows.groupby("stage")["rows"].sum()
        assert by_stage["received"] == by_stage.get("excluded", 0) + by_stage["loaded"], table
    orphan = tidy[(tidy["table"] == "tenancies") & (tidy["rule"] == "orphan")]
    assert orphan["reason_en"].iloc[0] == "parent row was excluded (orphan)"
    # the report lists the cascaded rows too, so the officer sees why they went
    orphans = ds.report.problems[ds.report.problems["rule"] == "orphan"]
    assert orphans[["file", "row"]].values.tolist() == [["tenancies.csv", 2], ["tenancies.csv", 3],
                                                        ["rent_ledger.csv", 2], ["rent_ledger.csv", 3]]
    assert ds.metadata["source_rows"]["tenancies"].tolist() == [4, 5]


def test_row_breaking_several_rules_is_counted_once_under_the_first(tmp_path):
    tenancies = replace_line(TENANCIES_CS, 4, "T3;H02;B1;kontejner;01.10.2014;15.01.2020;vystěhování")
    ds = load_folder(make_folder(tmp_path / "f", tenancies=tenancies), on_error="exclude")
    assert ds.ledger.excluded("tenancies") == 1
    assert ds.ledger.excluded("tenancies", "category") == 1
    assert set(ds.report.problems.query("table == 'tenancies'")["rule"]) >= {"category", "in_study_period"}


def test_table_level_problems_stop_loading_even_when_excluding(tmp_path):
    tenancies = TENANCIES_CS.replace("Důvod ukončení", "Poznámka")
    with pytest.raises(DataError, match="Chybí povinný sloupec „exit_reason“"):
        load_folder(make_folder(tmp_path / "f", tenancies=tenancies), on_error="exclude")


def test_conventions_of_the_loaded_tables(czech_folder):
    ds = load_folder(czech_folder)
    from evaluation.data.schema import get_schema

    for name, frame in ds.tables.items():
        schema = get_schema().table(name)
        assert list(frame.columns) == list(schema.field_names)
        for f in schema.fields:
            dtype = frame[f.name].dtype
            if f.is_categorical:
                assert list(dtype.categories) == list(f.codes)
            elif f.type == "date":
                assert dtype == "datetime64[ns]"
            elif f.type == "integer":
                assert dtype == "Int64"
            elif f.type == "number":
                assert dtype == "float64"
            elif f.type == "boolean":
                assert dtype == "boolean"
            else:
                assert dtype == object
    assert ds.study_period == (pd.Timestamp("2015-01-01"), pd.Timestamp("2026-12-31"))
    assert ds.source == str(czech_folder)


def test_unknown_column_is_set_aside_with_a_warning(tmp_path):
    units = "\n".join(line + (";Poznámka" if i == 0 else ";po rekonstrukci")
                      for i, line in enumerate(
        "Byt;Obec;Stupeň;Vlastník;V SVL\nB1;Ostrava;krizové bydlení;obecní;ano\n"
        "B2;Ostrava;sociální bydlení;obecní;ne\nB3;Ostrava;sociální bydlení;obecní;ne".splitlines())) + "\n"
    ds = load_folder(make_folder(tmp_path / "f", units=units))
    assert "Poznámka" not in ds.units.columns
    assert ds.metadata["extra_columns"]["units"]["Poznámka"].tolist() == ["po rekonstrukci"] * 3
    warning = ds.report.problems.query("rule == 'unknown_column'")
    assert warning["severity"].tolist() == ["warning"] and ds.report.ok
    assert ds.units["floor_area_m2"].isna().all() and ds.units["floor_area_m2"].dtype == "float64"


def test_fingerprint_follows_the_bytes(tmp_path):
    a = load_folder(make_folder(tmp_path / "a")).fingerprint
    b = load_folder(make_folder(tmp_path / "b")).fingerprint
    changed = load_folder(make_folder(tmp_path / "c", rent_ledger=RENT_LEDGER_CS.replace("3 200,00;0", "3 200,00;0,0")))
    assert a == b and len(a) == 64 and changed.fingerprint != a


def test_on_error_must_be_known(czech_folder):
    with pytest.raises(ConfigError, match="on_error"):
        load_folder(czech_folder, on_error="skip")
