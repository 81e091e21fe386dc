"""Reading municipal exports: encodings, separators, Czech numbers and dates, XLSX, Parquet, row numbers."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from conftest import CZECH_TABLES, HOUSEHOLDS_CS, TENANCIES_CS, make_folder, write_csv

from evaluation.data import load_folder, validate_folder
from evaluation.data.readers import decode, read_raw, sniff_separator


def test_windows_1250_semicolon_czech_export_loads_with_codes_and_types(czech_folder):
    ds = load_folder(czech_folder)
    hh, units, ten, rent = ds.households, ds.units, ds.tenancies, ds.rent_ledger
    # Czech labels (any case) became the schema codes, as Categoricals in schema order
    assert hh["ethos_category"].tolist() == ["emergency_accommodation", "rough_sleeping", "insecure_housing",
                                             "with_family_friends"]
    assert list(hh["group"].cat.categories) == ["programme", "comparison"]
    assert hh["referral_source"].tolist() == ["labour_office", "child_protection", "self_referral", "outreach"]
    # 15.03.2019, "2. 4. 2019" and ISO dates
    assert hh["referral_date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-03-15", "2019-04-02", "2019-05-20",
                                                                     "2019-06-01"]
    assert hh["cohort"].dtype == "Int64" and hh["cohort"].isna().sum() == 2
    # decimal commas and thousands separated by a space
    assert units["floor_area_m2"].tolist() == [34.5, 52.25, 48.0]
    assert rent["rent_paid"].tolist() == [3200.0, 2000.5, 0.0, 4100.5]
    assert units["in_excluded_locality"].tolist() == [True, False, False]
    assert units["in_excluded_locality"].dtype == "boolean"
    assert ten["end_date"].isna().tolist() == [False, True, False, True]
    assert ten["start_date"].dtype == "datetime64[ns]"
    assert ds.report.ok and ds.report.files[0] == ("households.csv", "households", 4)


def test_encoding_detection_bom_utf8_and_cp1250():
    text = "obec\nKolín\n"
    assert decode(("\ufeff" + text).encode("utf-8")) == (text, "utf-8-sig")
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    assert decode(text.encode("cp1250")) == (text, "cp1250")
    assert decode(text.encode("utf-16")) == (text, "utf-16")


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_separator_is_sniffed(sep):
    text = sep.join(["a", "b", "c"]) + "\n" + sep.join(["1,5" if sep != "," else "1", "x", "y"]) + "\n"
    assert sniff_separator(text) == sep


def test_semicolon_wins_over_decimal_commas():
    assert sniff_separator("a;b\n1,5;2\n3;4,25\n") == ";"


def test_utf8_comma_csv_with_english_headers_and_english_labels(tmp_path):
    folder = make_folder(tmp_path / "f")
    write_csv(folder, "households", (
        "Household,Municipality,Household size,Children,Housing need (ETHOS),Group,Programme,Referral date,"
        "Income band,Referral source,Cohort\n"
        "H01,Ostrava,3,1,people in emergency accommodation,programme group,Housing First,2019-03-15,,,\n"
        "H02,Ostrava,2,0,people living rough,comparison group,no programme,\"15.03.2019\",,,\n"
        "H04,Ostrava,1,0,ROUGH_SLEEPING,programme,staircase,,,,\n"), encoding="utf-8-sig")
    write_csv(folder, "tenancies", TENANCIES_CS.replace("H02;B1;krizové bydlení;01.10.2019;15.01.2020;vystěhování",
                                                        "H02;B1;krizové bydlení;01.10.2019;15.01.2020;eviction"),
              encoding="utf-8")
    ds = load_folder(folder)
    assert ds.households["programme"].tolist() == ["housing_first", "none", "staircase"]
    assert ds.households["ethos_category"].tolist()[-1] == "rough_sleeping"
    assert ds.tenancies["exit_reason"].tolist()[2] == "eviction"
    assert ds.households["referral_date"].notna().sum() == 2


def test_xlsx_with_real_excel_dates_and_sheet_row_numbers(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    folder = make_folder(tmp_path / "f", tenancies="")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Nájmy"
    sheet.append(["Export z evidence nájmů"])  # a title line above the table, as offices do
    sheet.append([])
    sheet.append(["Nájem", "Domácnost", "Byt", "Stupeň", "Začátek", "Konec", "Důvod ukončení"])
    sheet.append(["T1", "H01", "B1", "krizové bydlení", dt.datetime(2019, 4, 1), dt.datetime(2019, 9, 30),
                  "postup na vyšší stupeň"])
    sheet.append(["T2", "H01", "B2", "sociální bydlení", dt.datetime(2019, 9, 30), None, "stále bydlí"])
    sheet.append(["T3", "H02", "B1", "krizové bydlení", 43739, "31.02.2020", "vystěhování"])  # serial day number
    for row in sheet.iter_rows(min_row=4, max_row=5, min_col=5, max_col=6):
        for cell in row:
            cell.number_format = "DD.MM.YYYY"
    book.save(folder / "Tenancies.XLSX")
    report = validate_folder(folder)
    bad = report.problems[(report.problems["severity"] == "error") & (report.problems["table"] == "tenancies")]
    # the header is on sheet row 3 because of the title line; data rows are 4, 5, 6
    assert bad[["row", "column", "value", "rule"]].values.tolist() == [[6, "Konec", "31.02.2020", "type"]]
    ds = load_folder(folder, on_error="exclude")
    assert ds.tenancies["start_date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-04-01", "2019-09-30"]
    assert ds.ledger.excluded("tenancies", "type") == 1
    assert ds.ledger.excluded("rent_ledger", "orphan") == 1  # T3's rent row follows T3 out
    # Excel serial 43739 is 2019-10-01 (days since 1899-12-30): accepted as T3's start date
    assert not ((report.problems["row"] == 6) & (report.problems["column"] == "Začátek")).any()
    raw = read_raw(folder / "Tenancies.XLSX", "tenancies")
    assert raw.rows.tolist() == [3, 4, 5, 6]  # without a header scorer the title line is the header


def test_xlsx_numeric_ids_are_read_as_text(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    folder = make_folder(tmp_path / "f", units="")
    book = openpyxl.Workbook()
    book.active.append(["unit_id", "municipality", "step", "owner_type", "in_excluded_locality", "rooms"])
    book.active.append([101, "Ostrava", "crisis", "municipal", True, 2])
    book.save(folder / "units.xlsx")
    ds = load_folder(folder, on_error="exclude")
    assert ds.units["unit_id"].tolist() == ["101"] and ds.units["in_excluded_locality"].tolist() == [True]


def test_parquet_with_native_types_and_record_numbers(tmp_path):
    folder = make_folder(tmp_path / "f", rent_ledger="")
    frame = pd.DataFrame({
        "tenancy_id": ["T1", "T1", "T3"], "household_id": ["H01", "H01", "H02"],
        "month": pd.to_datetime(["2019-04-01", "2019-05-15", "2019-10-01"]),
        "rent_due": [3200.0, 3200.0, 2800.0], "rent_paid": [3200.0, 2000.5, 0.0],
        "arrears_balance": [0.0, 1199.5, 2800.0]})
    frame.to_parquet(folder / "rent_ledger.parquet")
    report = validate_folder(folder)
    errors = report.problems[report.problems["severity"] == "error"]
    assert errors[["file", "row", "column", "rule"]].values.tolist() == [
        ["rent_ledger.parquet", 2, "month", "first_of_month"]]
    assert "15.05.2019" in errors["message_cs"].iloc[0]


def test_excel_row_numbers_with_blank_lines_and_multiline_quoted_field(tmp_path):
    text = ('Nájem;Domácnost;Byt;Stupeň;datum_začátku;datum_konce;Důvod ukončení\n'
            '\n'
            'T1;H01;"B\n1";krizové bydlení;01.04.2019;30.09.2019;postup na vyšší stupeň\n'
            'T2;H01;B2;sociální bydlení;30.09.2019;;stále bydlí\n'
            '\n'
            'T3;H02;B1;krizové bydlení;01.10.2019;31.02.2020;vystěhování\n')
    folder = make_folder(tmp_path / "f", tenancies=text)
    report = validate_folder(folder)
    errors = report.problems[(report.problems["severity"] == "error") & (report.problems["table"] == "tenancies")]
    # rows as Excel shows them: 1 header, 2 blank, 3 the two-line record (one row in Excel), 4 T2,
    # 5 blank, 6 T3 (a text editor shows T3 on line 7)
    assert errors[["row", "column", "rule"]].values.tolist()[-1] == [6, "datum_konce", "type"]
    assert errors[["row", "column", "rule"]].values.tolist()[0] == [3, "Byt", "foreign_key"]  # no flat "B\n1"
    notes = report.problems[report.problems["rule"] == "multiline_values"]
    assert notes["severity"].tolist() == ["note"] and "Excel" in notes["message_cs"].iloc[0]


def test_rows_with_too_many_fields_are_reported_and_the_rest_is_read(tmp_path):
    text = TENANCIES_CS.replace("T3;H02;B1;krizové bydlení;01.10.2019;15.01.2020;vystěhování",
                                "T3;H02;B1;krizové bydlení;01.10.2019;15.01.2020;vystěhování;navíc")
    folder = make_folder(tmp_path / "f", tenancies=text)
    report = validate_folder(folder)
    bad = report.problems[report.problems["rule"] == "bad_line"]
    assert bad[["file", "row", "value"]].values.tolist() == [["tenancies.csv", 4, "8"]]
    ds = load_folder(folder, on_error="exclude")
    assert ds.ledger.received("tenancies") == 4 and ds.ledger.excluded("tenancies", "bad_line") == 1
    assert ds.tenancies["tenancy_id"].tolist() == ["T1", "T2", "T4"]


def test_unreadable_and_empty_files_make_the_data_unusable(tmp_path):
    folder = make_folder(tmp_path / "f")
    (folder / "units.csv").write_bytes(b"")
    (folder / "rent_ledger.parquet").unlink(missing_ok=True)
    (folder / "rent_ledger.csv").unlink()
    (folder / "rent_ledger.parquet").write_bytes(b"not parquet at all")
    report = validate_folder(folder)
    unreadable = report.problems[report.problems["rule"] == "unreadable"]
    assert sorted(unreadable["file"]) == ["rent_ledger.parquet", "units.csv"]
    assert not report.usable and unreadable["row"].isna().all()


def test_unknown_files_are_a_warning_and_file_names_are_case_insensitive(tmp_path):
    folder = make_folder(tmp_path / "f", households="")
    write_csv(folder, "households", HOUSEHOLDS_CS, name="HOUSEHOLDS.CSV")
    (folder / "poznamky.docx").write_bytes(b"x")
    (folder / "~$households.xlsx").write_bytes(b"lock file")
    report = validate_folder(folder)
    assert report.ok
    warnings = report.problems[report.problems["severity"] == "warning"]
    assert warnings[["file", "rule"]].values.tolist() == [["poznamky.docx", "unknown_file"]]


def test_two_files_for_one_table_is_an_error(tmp_path):
    folder = make_folder(tmp_path / "f")
    write_csv(folder, "units", CZECH_TABLES["units"], name="units.txt")
    report = validate_folder(folder)
    assert (report.problems["rule"] == "duplicate_file").sum() == 1 and not report.usable


def test_row_numbers_are_int_arrays(czech_folder):
    raw = read_raw(czech_folder / "households.csv", "households")
    assert raw.rows.dtype == np.int64 and raw.rows.tolist() == [2, 3, 4, 5]
    assert raw.separator == ";" and raw.encoding == "cp1250"
