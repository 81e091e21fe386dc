"""An independent check of tables against the data contract, written for these tests.

It re-reads the rules from data_schema/ and checks them directly on the in-memory tables, so
the generator is tested even without the loader (tests of the loader live in tests/data/).
Returns a list of plain-English problems; an empty list means the tables conform.
"""
from __future__ import annotations

import csv
import json
import re

import pandas as pd

from evaluation.data.schema import get_schema

DTYPES = {"date": "datetime64[ns]", "integer": "Int64", "boolean": "boolean", "number": "float64"}


def problems(tables: dict[str, pd.DataFrame], study_period: tuple[str, str], *,
             core_tables: bool = True) -> list[str]:
    """``core_tables=False``: the tables need not include the programme's core tables (national data)."""
    schema = get_schema()
    start, end = (pd.Timestamp(d) for d in study_period)
    out: list[str] = []
    for table in schema.tables:
        if table.name not in tables:
            if table.required and core_tables:
                out.append(f"{table.name}: required table missing")
            continue
        df = tables[table.name]
        if tuple(df.columns) != table.field_names:
            out.append(f"{table.name}: columns {list(df.columns)} differ from the schema")
            continue
        for f in table:
            col = df[f.name]
            if f.is_categorical:
                if not isinstance(col.dtype, pd.CategoricalDtype) or list(col.cat.categories) != list(f.codes):
                    out.append(f"{table.name}.{f.name}: not a Categorical of the schema codes")
            elif f.type in DTYPES and str(col.dtype) != DTYPES[f.type]:
                out.append(f"{table.name}.{f.name}: dtype {col.dtype}, expected {DTYPES[f.type]}")
            elif f.type == "string" and col.dtype != object:
                out.append(f"{table.name}.{f.name}: dtype {col.dtype}, expected object")
            if f.required and col.isna().any():
                out.append(f"{table.name}.{f.name}: {int(col.isna().sum())} missing required values")
            if f.minimum is not None and (col.dropna() < f.minimum).any():
                out.append(f"{table.name}.{f.name}: values below {f.minimum}")
            if f.maximum is not None and (col.dropna() > f.maximum).any():
                out.append(f"{table.name}.{f.name}: values above {f.maximum}")
        if table.primary_key and df.duplicated(list(table.primary_key)).any():
            out.append(f"{table.name}: duplicated primary key {table.primary_key}")
        for fk in table.foreign_keys:
            if fk.resource not in tables:
                continue
            parent = tables[fk.resource]
            child = df[list(fk.fields)].dropna()
            keys = pd.MultiIndex.from_frame(parent[list(fk.reference_fields)])
            missing = ~pd.MultiIndex.from_frame(child).isin(keys)
            if missing.any():
                out.append(f"{table.name}.{fk.fields}: {int(missing.sum())} references missing in {fk.resource}")
        for rule in table.rules:
            out.extend(_rule(table.name, df, rule.type, rule.params, start, end))
    return out


def _rule(name, df, kind, p, start, end) -> list[str]:
    if kind == "compare":
        both = df[p["left"]].notna() & df[p["right"]].notna()
        left, right = df.loc[both, p["left"]], df.loc[both, p["right"]]
        ok = {">=": left >= right, "<=": left <= right, ">": left > right, "<": left < right}[p["op"]]
        return [] if ok.all() else [f"{name}: rule {p['left']} {p['op']} {p['right']} broken {int((~ok).sum())} times"]
    if kind == "missing_iff":
        empty = df[p["field"]].isna()
        when = (df[p["when_field"]].astype(object) == p["when_value"]).to_numpy()
        bad = empty.to_numpy() != when
        return [f"{name}: {p['field']} empty iff {p['when_field']} == {p['when_value']} broken {int(bad.sum())} times"] if bad.any() else []
    if kind == "no_overlap":
        s = df[[p["by"], p["start"], p["end"]]].sort_values([p["by"], p["start"]])
        stop = s[p["end"]].fillna(pd.Timestamp.max)
        prev_stop = stop.groupby(s[p["by"]]).shift()
        bad = (s[p["start"]] <= prev_stop).sum()
        return [f"{name}: {int(bad)} overlapping spells"] if bad else []
    if kind == "in_study_period":
        out = []
        for f in p["fields"]:
            v = df[f].dropna()
            if ((v < start) | (v > end)).any():
                out.append(f"{name}.{f}: dates outside the study period")
        return out
    if kind == "first_of_month":
        v = df[p["field"]].dropna()
        return [] if (v.dt.day == 1).all() else [f"{name}.{p['field']}: not first of month"]
    if kind == "constant_within":
        n = df.groupby(p["by"])[p["field"]].nunique(dropna=False)
        return [] if (n <= 1).all() else [f"{name}.{p['field']}: not constant within {p['by']}"]
    if kind == "pattern":
        values = df[p["field"]].dropna().astype(str)
        bad = ~values.map(lambda v: re.fullmatch(p["pattern"], v) is not None)
        return [f"{name}.{p['field']}: {int(bad.sum())} values do not match {p['pattern']}"] if bad.any() else []
    if kind == "in_code_list":
        allowed = _code_rows(p["list"], tuple(p["fields"]))
        rows = df[list(p["fields"])].dropna()
        bad = [tuple(map(str, r)) not in allowed for r in rows.itertuples(index=False)]
        return [f"{name}.{p['fields']}: {sum(bad)} values not in the code list {p['list']}"] if any(bad) else []
    return [f"{name}: unknown rule {kind}"]


def _code_rows(name: str, columns: tuple[str, ...]) -> set[tuple[str, ...]]:
    """Rows of a bundled code list (read with the csv module, not the toolkit)."""
    root = get_schema().folder
    package = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    path = root / next(c["path"] for c in package["codeLists"] if c["name"] == name)
    with open(path, encoding="utf-8", newline="") as handle:
        return {tuple(row[c] for c in columns) for row in csv.DictReader(handle)}
