"""Write tables that follow the Dataset conventions to a folder: Parquet, or CSV as municipalities export it.

* ``fmt="parquet"``: typed columns (categories as dictionary-encoded schema codes, dates as
  timestamps, nullable integers and booleans), zstd-compressed; no index and no timestamps
  in the file, so the same table gives the same bytes. Large tables are converted and written
  one row group (:data:`PARQUET_ROW_GROUP` rows) at a time, which bounds the extra memory.
* ``fmt="csv"`` with ``lang="cs"``: Czech conventions — Windows-1250, ``;`` separator,
  decimal comma, dates ``DD.MM.YYYY``, categories as Czech labels from the data contract,
  booleans ``ano``/``ne``, CRLF line ends, empty cells for missing values. With ``lang="en"``:
  UTF-8, ``,``, decimal point, ISO dates, English labels, ``true``/``false``. Column headers
  are the field names in both.

Files are named after the table (``households.csv`` ...). Numbers that are whole are written
without decimals; others with at most six decimals and no trailing zeros.

Example
-------
>>> import tempfile, pandas as pd
>>> units = pd.DataFrame({"unit_id": ["U1"], "floor_area_m2": [45.5],
...                       "step": pd.Categorical(["crisis"], categories=["crisis", "social"])})
>>> folder = tempfile.mkdtemp()
>>> [p.name for p in write_tables({"units": units}, folder, fmt="csv")]
['units.csv']
>>> (Path(folder) / "units.csv").read_bytes().decode("cp1250").splitlines()[1]
'U1;45,5;krizové bydlení'
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.data.schema import Field, get_schema
from evaluation.errors import ConfigError, DataError

FORMATS = ("parquet", "csv")
_CSV_STYLE = {
    "cs": {"encoding": "cp1250", "sep": ";", "decimal": ",", "date": "%d.%m.%Y", "true": "ano", "false": "ne"},
    "en": {"encoding": "utf-8", "sep": ",", "decimal": ".", "date": "%Y-%m-%d", "true": "true", "false": "false"},
}


def write_tables(tables: Mapping[str, pd.DataFrame], folder: str | Path, *, fmt: str = "parquet",
                 lang: str = "cs") -> list[Path]:
    """Write every table to ``folder`` (created if needed) as ``<table>.<fmt>``; returns the paths.

    Tables named like a resource of the data contract get their labels and types from it;
    other tables are written as they are.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown file format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if lang not in _CSV_STYLE:
        raise ConfigError(f"unknown language {lang!r}; use 'cs' or 'en'")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    schema = get_schema()
    paths = []
    for name, table in tables.items():
        fields = {f.name: f for f in schema.table(name)} if name in schema.table_names else {}
        path = folder / f"{name}.{fmt}"
        if fmt == "parquet":
            _write_parquet(table, path)
        else:
            _write_csv(table, path, fields, lang, name)
        paths.append(path)
    return paths


#: Rows converted to Arrow at a time (one Parquet row group each, Arrow's default size), so that
#: writing a national-scale table needs memory for one slice, not a second copy of the table.
PARQUET_ROW_GROUP = 1024 * 1024
_PARQUET_OPTIONS = {"compression": "zstd", "use_dictionary": True, "write_statistics": True}


def _write_parquet(table: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if len(table) <= PARQUET_ROW_GROUP:
        pq.write_table(pa.Table.from_pandas(table, preserve_index=False), path, **_PARQUET_OPTIONS)
        return
    first = pa.Table.from_pandas(table.iloc[:PARQUET_ROW_GROUP], preserve_index=False)
    schema = first.schema
    for i, field in enumerate(schema):
        # a text column may be empty in the first slice only: take its type from the values
        present = table[field.name].dropna() if pa.types.is_null(field.type) else ()
        if len(present):
            schema = schema.set(i, pa.field(field.name, pa.array(present.iloc[:PARQUET_ROW_GROUP]).type))
    if not schema.equals(first.schema):
        first = pa.Table.from_pandas(table.iloc[:PARQUET_ROW_GROUP], schema=schema, preserve_index=False)
    with pq.ParquetWriter(path, schema, **_PARQUET_OPTIONS) as writer:
        writer.write_table(first, row_group_size=PARQUET_ROW_GROUP)
        del first
        for start in range(PARQUET_ROW_GROUP, len(table), PARQUET_ROW_GROUP):
            piece = table.iloc[start:start + PARQUET_ROW_GROUP]
            writer.write_table(pa.Table.from_pandas(piece, schema=schema, preserve_index=False),
                               row_group_size=PARQUET_ROW_GROUP)


def _format_numbers(values: pd.Series, decimal: str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    finite = numbers.to_numpy()
    out = pd.Series("", index=values.index, dtype=object)
    present = ~np.isnan(finite)
    if not present.any():
        return out
    if np.all(finite[present] == np.round(finite[present])):
        out[present] = finite[present].astype(np.int64).astype(str)
        return out
    codes, uniques = pd.factorize(np.round(finite[present], 6))
    text = np.array([np.format_float_positional(u, precision=6, unique=True, trim="-") for u in uniques],
                    dtype=object)
    if decimal != ".":
        text = np.array([t.replace(".", decimal) for t in text], dtype=object)
    out[present] = text[codes]
    return out


def _format_dates(values: pd.Series, pattern: str) -> pd.Series:
    dates = pd.to_datetime(values)
    codes, uniques = pd.factorize(dates)
    text = np.append(pd.DatetimeIndex(uniques).strftime(pattern).to_numpy(dtype=object), "")
    return pd.Series(text[codes], index=values.index, dtype=object)  # code -1 (missing) -> ""


def _format_column(values: pd.Series, field: Field | None, lang: str) -> pd.Series:
    style = _CSV_STYLE[lang]
    if field is not None and field.is_categorical:
        labels = {c.value: c.label(lang) for c in field.categories}
        codes = values.astype(object)
        unknown = set(codes.dropna().unique()) - set(labels)
        if unknown:
            raise DataError(f"column {field.name!r}: values {sorted(map(str, unknown))} are not categories "
                            "of the data contract")
        return codes.map(labels).fillna("")
    kind = field.type if field is not None else None
    if kind == "date" or pd.api.types.is_datetime64_any_dtype(values):
        return _format_dates(values, style["date"])
    if kind == "boolean" or pd.api.types.is_bool_dtype(values):
        mapped = values.astype("boolean").map({True: style["true"], False: style["false"]})
        return mapped.astype(object).where(values.notna(), "")
    if kind in ("integer", "number") or pd.api.types.is_numeric_dtype(values):
        return _format_numbers(values, style["decimal"])
    return values.astype(object).where(values.notna(), "").astype(str)


def _write_csv(table: pd.DataFrame, path: Path, fields: Mapping[str, Field], lang: str, name: str) -> None:
    style = _CSV_STYLE[lang]
    text = pd.DataFrame({col: _format_column(table[col], fields.get(col), lang) for col in table.columns})
    try:
        text.to_csv(path, sep=style["sep"], index=False, encoding=style["encoding"], lineterminator="\r\n")
    except UnicodeEncodeError as exc:
        raise DataError(f"table {name!r}: a value cannot be written in {style['encoding']} ({exc.reason}: "
                        f"{exc.object[exc.start:exc.end]!r})") from None
