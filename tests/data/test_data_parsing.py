"""Czech spellings of numbers, dates, booleans and categories parse to the right values."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from evaluation.data.parsing import as_text, parse_column
from evaluation.data.schema import get_schema

MISSING = ("", "NA", "N/A", "null", "-")


def _field(table, name):
    return get_schema().table(table).field(name)


@pytest.mark.parametrize("text, value", [
    ("1234,5", 1234.5), ("1 234,50", 1234.5), ("1\u00a0234,50", 1234.5), ("1\u202f234", 1234.0),
    ("1.234,50", 1234.5), ("1.234.567", 1234567.0), ("1234.5", 1234.5), ("1,234.50", 1234.5),
    ("1 500 Kč", 1500.0), ("1500,-", 1500.0), ("-250,5", -250.5), ("\u2212250", -250.0), ("0", 0.0),
])
def test_numbers_in_czech_and_english_notation(text, value):
    col = parse_column(pd.Series([text]), _field("rent_ledger", "arrears_balance"), MISSING)
    assert col.values.iloc[0] == pytest.approx(value) and not col.invalid[0]


@pytest.mark.parametrize("text", ["12,3,4", "abc", "nan", "inf", "1e400", "1.234.5"])
def test_not_numbers(text):
    col = parse_column(pd.Series([text]), _field("rent_ledger", "rent_due"), MISSING)
    assert col.invalid[0] and pd.isna(col.values.iloc[0])


def test_integers_reject_fractions():
    col = parse_column(pd.Series(["3", "3,0", "3,5", "NA"]), _field("households", "household_size"), MISSING)
    assert col.values.tolist()[:2] == [3, 3] and col.invalid.tolist() == [False, False, True, False]
    assert col.missing.tolist() == [False, False, False, True] and col.values.dtype == "Int64"


@pytest.mark.parametrize("text", ["15.03.2019", "15.3.2019", "15. 3. 2019", "2019-03-15", "15.03.2019 0:00:00",
                                  "15.03.2019 00:00", "2019-03-15 00:00:00", "2019-03-15T00:00:00"])
def test_date_spellings(text):
    col = parse_column(pd.Series([text]), _field("tenancies", "start_date"), MISSING)
    assert col.values.iloc[0] == pd.Timestamp("2019-03-15")


@pytest.mark.parametrize("text", ["31.02.2019", "15/03/2019", "2019-13-01", "15.03.19", "březen 2019", "43539"])
def test_invalid_dates(text):
    col = parse_column(pd.Series([text]), _field("tenancies", "start_date"), MISSING)
    assert col.invalid[0]


def test_excel_serial_days_only_in_xlsx():
    # 43539 days after 1899-12-30 is 2019-03-15 (Excel's 1900 date system)
    f = _field("tenancies", "start_date")
    raw = pd.Series([43539, dt.datetime(2019, 3, 15, 14, 30), dt.date(2019, 3, 15)], dtype=object)
    col = parse_column(raw, f, MISSING, excel=True)
    assert col.values.tolist() == [pd.Timestamp("2019-03-15")] * 3
    assert parse_column(raw, f, MISSING, excel=False).invalid.tolist() == [True, False, False]


def test_booleans():
    words = ["ano", "Ne", "A", "n", "TRUE", "false", "1", "0", "yes", "No", "pravda", "snad"]
    col = parse_column(pd.Series(words), _field("units", "in_excluded_locality"), MISSING)
    assert col.values.tolist()[:11] == [True, False, True, False, True, False, True, False, True, False, True]
    assert col.invalid.tolist() == [False] * 11 + [True]


def test_categories_by_code_or_label_in_either_language():
    raw = pd.Series(["krizové bydlení", "KRIZOVE BYDLENI", "crisis", "Crisis housing", " social ", "kontejner"])
    col = parse_column(raw, _field("tenancies", "step"), MISSING)
    assert col.values.tolist() == ["crisis"] * 4 + ["social", None]
    assert col.invalid.tolist() == [False] * 5 + [True]


def test_missing_value_tokens_and_parquet_dtypes():
    col = parse_column(pd.Series(["N/A", "null", " - ", None]), _field("units", "floor_area_m2"), MISSING)
    assert col.missing.all() and not col.invalid.any()
    col = parse_column(pd.Series([1.5, np.nan]), _field("units", "floor_area_m2"), MISSING)
    assert col.missing.tolist() == [False, True] and col.values.iloc[0] == 1.5


def test_as_text_shows_values_as_in_the_file():
    shown = as_text(pd.Series([dt.datetime(2019, 3, 15), 2.0, 2.5, "x", None], dtype=object))
    assert shown.tolist() == ["15.03.2019", "2", "2.5", "x", ""]
