"""Turn raw cell values into typed columns, Czech conventions included, without a loop over rows.

Each distinct raw value is parsed once (``pandas.factorize``) and the result is
spread back to the rows, so a million-row column with a few thousand distinct
dates costs a few thousand parses. Accepted spellings:

* numbers: ``1234,5``, ``1 234,50``, ``1.234,50``, ``1234.5``, ``1 500 Kč``, ``1500,-``;
  ``5.254`` (a dot and exactly three digits) is read per column: as thousands (5254) in a
  column of whole numbers, of amounts in CZK, or whose other values use the Czech conventions
  (``ParsedColumn.thousands``, which the check states in a warning); as a problem
  (``ParsedColumn.ambiguous``) where the column does not tell, e.g. because it also holds
  decimals after a dot such as ``12.5``. Misreading 5 254 Kč as 5,254 Kč would be silent and
  a thousand times off, so the value is never read as a decimal without evidence;
* dates: ``15.03.2019``, ``15. 3. 2019``, ``2019-03-15`` (a time of day such as
  ``0:00:00`` is dropped), real Excel dates and, in XLSX files only, Excel serial day numbers;
* booleans: ano/ne, a/n, true/false, yes/no, 1/0, pravda/nepravda;
* categories: the code or the Czech or English label, case- and accent-insensitively.

Example
-------
>>> import pandas as pd
>>> from evaluation.data.schema import get_schema
>>> f = get_schema().table("tenancies").field("start_date")
>>> col = parse_column(pd.Series(["15. 3. 2019", "31.02.2019", ""]), f, ("",))
>>> col.values.dt.strftime("%Y-%m-%d").tolist(), col.invalid.tolist(), col.missing.tolist()
(['2019-03-15', nan, nan], [False, True, False], [False, False, True])
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.data.schema import Field, normalise_label

TRUE_WORDS = ("ano", "a", "yes", "y", "true", "t", "1", "1.0", "pravda")
FALSE_WORDS = ("ne", "n", "no", "false", "f", "0", "0.0", "nepravda")
_BOOLEAN_LOOKUP = {**{w: True for w in TRUE_WORDS}, **{w: False for w in FALSE_WORDS}}

DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EXCEL_LAST_DAY = 2958465  # 9999-12-31


@dataclass(frozen=True)
class ParsedColumn:
    """Typed values (NA where missing or invalid) with the masks of missing and invalid cells.

    ``thousands`` marks the rows whose ``5.254`` was read as thousands (for the reason
    ``thousands_reason``); ``ambiguous`` the rows whose such value could not be read either way
    (they are also ``invalid``)."""
    values: pd.Series
    missing: np.ndarray
    invalid: np.ndarray
    thousands: np.ndarray | None = None
    ambiguous: np.ndarray | None = None
    thousands_reason: str = ""


def parse_column(raw: pd.Series, field: Field, missing_values: tuple[str, ...], *,
                 excel: bool = False) -> ParsedColumn:
    """Parse one raw column into the dtype the data conventions promise for ``field``.

    ``excel=True`` accepts Excel serial day numbers in date columns (XLSX cells that
    hold a date without a date format).
    """
    raw = raw.reset_index(drop=True)
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    uniques = pd.Series(np.asarray(uniques, dtype=object) if raw.dtype == object else uniques)
    unique_missing = _missing_uniques(uniques, missing_values)
    parse = _PARSERS[field.type] if not field.is_categorical else _parse_category
    dots = _dot_thousands(uniques, field) if field.type in ("number", "integer") and not field.is_categorical \
        else None
    if dots is not None and dots.thousands.any():
        uniques = uniques.copy()
        uniques[dots.thousands] = uniques[dots.thousands].astype(str).str.replace(".", "", regex=False)
    parsed, ok = parse(uniques, field, excel)
    ok = np.asarray(ok, dtype=bool) | unique_missing
    if dots is not None and dots.ambiguous.any():
        ok = ok & ~dots.ambiguous
        parsed = parsed.mask(pd.Series(dots.ambiguous, index=parsed.index))
    present = codes >= 0
    missing = ~present
    missing[present] = unique_missing[codes[present]]
    invalid = np.zeros(len(raw), dtype=bool)
    invalid[present] = ~ok[codes[present]]
    parsed = parsed.mask(pd.Series(unique_missing, index=parsed.index))
    values = _take(parsed, codes)
    if dots is None:
        return ParsedColumn(values, missing, invalid)
    thousands = np.zeros(len(raw), dtype=bool)
    thousands[present] = dots.thousands[codes[present]]
    ambiguous = np.zeros(len(raw), dtype=bool)
    ambiguous[present] = dots.ambiguous[codes[present]]
    return ParsedColumn(values, missing, invalid, thousands, ambiguous, dots.reason)


@dataclass(frozen=True)
class _DotDecision:
    thousands: np.ndarray  # per distinct value: read "5.254" as 5254
    ambiguous: np.ndarray  # per distinct value: cannot tell
    reason: str = ""  # why thousands: "integer", "money" or "czech"


_DOT_THREE = r"[+-]?[1-9]\d{0,2}\.\d{3}"


def _dot_thousands(uniques: pd.Series, field: Field) -> _DotDecision | None:
    """Decide, for the whole column, how to read values such as ``5.254`` (see the module docstring).

    Thousands when the field holds whole numbers, or amounts in CZK (three decimals do not
    exist there), or the column's other values use a decimal comma or dots between thousands
    (``1.234,50``, ``1.234.567``); unless another value has decimals after a dot (``12.5``,
    ``0.125``), in which case the column mixes conventions and these values are ambiguous.
    """
    is_text = _is_text(uniques).to_numpy(dtype=bool)
    if not is_text.any():
        return None
    text = pd.Series("", index=uniques.index, dtype=object)
    text[is_text] = uniques[is_text].astype(str)
    text = _arrow_text(text)
    if not text.str.contains(".", regex=False).any():  # the usual Czech export: nothing to decide
        return None
    text = text.str.strip().str.replace(r"(?i)\s*(kč|czk|,-)$", "", regex=True)
    candidate = text.str.fullmatch(_DOT_THREE).fillna(False).to_numpy(dtype=bool) & is_text
    if not candidate.any():
        return None
    others = text[~candidate & is_text]
    compact = others.str.replace("[\\s\u00a0\u202f']", "", regex=True)
    dot_decimal = (compact.str.fullmatch(r"[+-]?\d*\.\d+")
                   & ~compact.str.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+")).fillna(False).any()
    czech = (compact.str.fullmatch(r"[+-]?[\d.]*\d,\d*") | compact.str.fullmatch(r"[+-]?\d{1,3}(\.\d{3}){2,}")
             | others.str.contains("\\d[\\s\u00a0\u202f]\\d{3}")).fillna(False).any()
    none = np.zeros(len(uniques), dtype=bool)
    if field.type == "integer":
        return _DotDecision(candidate, none, "integer")
    if dot_decimal:
        return _DotDecision(none, candidate)
    if czech:
        return _DotDecision(candidate, none, "czech")
    if field.unit == "CZK":
        return _DotDecision(candidate, none, "money")
    return _DotDecision(none, candidate)


def as_text(values: pd.Series) -> pd.Series:
    """Raw values as a user would read them in the file (Excel dates as DD.MM.YYYY)."""
    codes, uniques = pd.factorize(values.reset_index(drop=True), use_na_sentinel=True)
    shown = pd.Series([_show(v) for v in uniques], dtype=object)
    out = _take(shown, codes).fillna("").astype(object)
    out.index = values.index
    return out


def _show(value: object) -> str:
    if isinstance(value, (_dt.datetime, pd.Timestamp)):
        return value.strftime("%d.%m.%Y") if value == pd.Timestamp(value).normalize() else value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, _dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _take(parsed: pd.Series, codes: np.ndarray) -> pd.Series:
    """Spread per-unique results back to the rows; code -1 (missing) becomes NA."""
    if len(parsed) == 0:
        return pd.Series(pd.array([None] * len(codes), dtype=parsed.dtype) if parsed.dtype != object
                         else [None] * len(codes), dtype=parsed.dtype)
    extended = pd.concat([parsed, pd.Series([None], dtype=parsed.dtype)], ignore_index=True)
    return extended.take(np.where(codes >= 0, codes, len(parsed))).reset_index(drop=True)


def _arrow_text(values: pd.Series) -> pd.Series:
    """Strings as Arrow strings, whose ``.str`` methods run in C++ instead of a Python loop."""
    return values.astype("string[pyarrow]")


def _missing_uniques(uniques: pd.Series, tokens: tuple[str, ...]) -> np.ndarray:
    if uniques.dtype != object:
        return np.zeros(len(uniques), dtype=bool)
    folded = list({t.strip().casefold() for t in tokens} | {""})
    is_text = _is_text(uniques)
    text = _arrow_text(uniques.where(is_text, "")).str.strip().str.lower()
    return (is_text & text.isin(folded).fillna(False)).to_numpy(dtype=bool)


def _is_text(uniques: pd.Series) -> pd.Series:
    if uniques.dtype != object:
        return pd.Series(False, index=uniques.index)
    kind = pd.api.types.infer_dtype(uniques, skipna=True)
    if kind in ("string", "empty"):
        return pd.Series(True, index=uniques.index)
    return uniques.map(lambda v: isinstance(v, str)).astype(bool)


def _is_number(uniques: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(uniques.dtype):
        return pd.Series(False, index=uniques.index)
    if pd.api.types.is_numeric_dtype(uniques.dtype):
        return pd.Series(True, index=uniques.index)
    return uniques.map(lambda v: isinstance(v, (int, float, np.integer, np.floating))
                       and not isinstance(v, (bool, np.bool_))).astype(bool)


def _clean_number_text(text: pd.Series) -> pd.Series:
    s = _arrow_text(text).str.strip().str.replace("\u2212", "-", regex=False)
    s = s.str.replace(r"(?i)\s*(kč|czk|,-)$", "", regex=True)
    s = s.str.replace("[\\s\u00a0\u202f']", "", regex=True)
    dot_groups = s.str.fullmatch(r"[+-]?\d{1,3}(\.\d{3}){2,}(,\d*)?|[+-]?\d{1,3}(\.\d{3})+,\d*")
    s = s.where(~dot_groups.fillna(False), s.str.replace(".", "", regex=False))
    comma_groups = s.str.fullmatch(r"[+-]?\d{1,3}(,\d{3}){2,}(\.\d*)?|[+-]?\d{1,3}(,\d{3})+\.\d*")
    s = s.where(~comma_groups.fillna(False), s.str.replace(",", "", regex=False))
    return s.str.replace(",", ".", regex=False).astype(object)


def _parse_number(uniques: pd.Series, field: Field, excel: bool) -> tuple[pd.Series, np.ndarray]:
    out = pd.Series(np.nan, index=uniques.index, dtype="float64")
    if pd.api.types.is_numeric_dtype(uniques.dtype) and not pd.api.types.is_bool_dtype(uniques.dtype):
        out = uniques.astype("float64")
    else:
        is_text = _is_text(uniques)
        is_num = pd.Series(False, index=uniques.index) if is_text.all() else _is_number(uniques)
        if is_text.any():
            out[is_text] = pd.to_numeric(_clean_number_text(uniques[is_text].astype(str)), errors="coerce")
        if is_num.any():
            out[is_num] = uniques[is_num].astype("float64")
    ok = np.isfinite(out.to_numpy(dtype="float64", na_value=np.nan))
    return out.where(ok), ok


def _parse_integer(uniques: pd.Series, field: Field, excel: bool) -> tuple[pd.Series, np.ndarray]:
    numbers, ok = _parse_number(uniques, field, excel)
    whole = ok & (np.abs(numbers.fillna(0).to_numpy()) < 2**53) & (numbers.fillna(0) % 1 == 0).to_numpy()
    return numbers.where(whole).astype("Int64"), whole


def _parse_text_dates(text: pd.Series) -> pd.Series:
    text = _arrow_text(text).str.strip().str.replace(r"\.\s+", ".", regex=True).astype(object)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = pd.Series(True, index=text.index)
    for fmt in DATE_FORMATS:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        out[todo] = parsed
        todo = todo & out.isna()
    return out.dt.normalize()


def _parse_date(uniques: pd.Series, field: Field, excel: bool) -> tuple[pd.Series, np.ndarray]:
    if pd.api.types.is_datetime64_any_dtype(uniques.dtype):
        out = uniques.dt.tz_localize(None) if uniques.dt.tz is not None else uniques
        out = out.astype("datetime64[ns]").dt.normalize()
        return out, out.notna().to_numpy()
    out = pd.Series(pd.NaT, index=uniques.index, dtype="datetime64[ns]")
    is_text = _is_text(uniques)
    if is_text.any():
        out[is_text] = _parse_text_dates(uniques[is_text].astype(str))
    rest = ~is_text
    if rest.any():
        is_stamp = uniques.map(lambda v: isinstance(v, (_dt.date, np.datetime64))).astype(bool) & rest
        if is_stamp.any():
            out[is_stamp] = pd.to_datetime(uniques[is_stamp].map(pd.Timestamp), errors="coerce").dt.normalize()
        is_num = _is_number(uniques) & rest
        if excel and is_num.any():
            days = uniques[is_num].astype("float64")
            plausible = (days >= 1) & (days <= _EXCEL_LAST_DAY)
            stamps = _EXCEL_EPOCH + pd.to_timedelta(np.floor(days.where(plausible)), unit="D")
            out[is_num] = stamps
    return out, out.notna().to_numpy()


def _parse_boolean(uniques: pd.Series, field: Field, excel: bool) -> tuple[pd.Series, np.ndarray]:
    if pd.api.types.is_bool_dtype(uniques.dtype):
        return uniques.astype("boolean"), np.ones(len(uniques), dtype=bool)
    words = uniques.map(lambda v: normalise_label(_show(v)))
    mapped = words.map(_BOOLEAN_LOOKUP)
    ok = mapped.notna().to_numpy()
    return mapped.astype("boolean"), ok


def _parse_category(uniques: pd.Series, field: Field, excel: bool) -> tuple[pd.Series, np.ndarray]:
    lookup = field.code_lookup()
    codes = uniques.map(lambda v: lookup.get(normalise_label(_show(v))))
    return codes.astype(object), codes.notna().to_numpy()


def _parse_string(uniques: pd.Series, field: Field, excel: bool) -> tuple[pd.Series, np.ndarray]:
    if uniques.dtype == object and pd.api.types.infer_dtype(uniques, skipna=True) == "string":
        text = _arrow_text(uniques).str.strip()
    else:
        text = uniques.map(lambda v: _show(v).strip() if isinstance(v, str) or not isinstance(v, (_dt.date, pd.Timestamp))
                           else v.strftime("%Y-%m-%d"))
    return text.astype(object), np.ones(len(uniques), dtype=bool)


_PARSERS = {"number": _parse_number, "integer": _parse_integer, "date": _parse_date,
            "boolean": _parse_boolean, "string": _parse_string}
