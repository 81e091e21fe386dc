"""Read the contract's tables from PostgreSQL into the raw tables a file reader gives.

One read-only ``REPEATABLE READ`` transaction reads every table, so that the tables are one
consistent snapshot of a live system (a household added while its tenancies are read cannot
make a reference fail). Per table, one query through ADBC's PostgreSQL driver, which streams
PostgreSQL's binary COPY into Arrow columns: no row-by-row fetching.

What is read:

* **tables**: those named like a table of the contract (case-insensitively), or as the
  source maps them (``tables=households:v_domacnosti``); tables, views, materialised views,
  foreign and partitioned tables alike;
* **columns**: those whose name matches a field as a file header would (field name, Czech or
  English title, alias), and those whose name is close to a field the table lacks (so that the
  report can ask "did you mean"). Other columns are not read at all (a note names them), so
  a column of names or birth numbers the contract does not ask for never leaves the database;
* **order**: by the contract's primary key, so that the same data give the same rows in the
  same order (and the same fingerprint) on every read.

Types are checked against the contract before a row is read (:func:`plan_column`): a
PostgreSQL ``date``, ``timestamp`` or ``timestamptz`` (turned into the local date of
``timezone``, Europe/Prague by default) for a date; integers, ``numeric`` (read as a
double) or floats for numbers; ``boolean`` (or 0/1 integers) for yes/no; text or an enum for a
category (its labels are matched like a file's category labels); any scalar for text. Text
columns are accepted for every field and parsed by the same rules as a CSV cell (a legacy
system keeping dates as ``15.03.2019`` works). A column of another type (a date for a number,
an integer code-list id for a category, JSON, bytea, an array) is one error for the column,
never a crash and never an error per row.

Example
-------
>>> plan_column("households", "referral_date", "date", "timestamptz", "Europe/Prague").expression
'("referral_date" AT TIME ZONE \\'Europe/Prague\\')'
>>> plan_column("households", "household_size", "integer", "jsonb", "Europe/Prague").expression is None
True
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data.columns import SUGGEST_AT, header_similarity, match_headers
from evaluation.data.readers import Notice, RawTable, _arrow_may_be_garbled, finish_table
from evaluation.data.schema import DataContract, Field, TableSchema
from evaluation.data.textcodes import is_garbled
from evaluation.data.validation import file_problem
from evaluation.errors import ConfigError

#: Kinds of relation read as tables: ordinary, view, materialised view, foreign, partitioned.
RELATION_KINDS = ("r", "v", "m", "f", "p")

#: PostgreSQL types by the kind of value they hold (``kind_of`` handles domains, enums and the rest).
_TYPE_KINDS = {
    "text": "text", "varchar": "text", "bpchar": "text", "name": "text", "citext": "text", "char": "text",
    "uuid": "uuid", "int2": "integer", "int4": "integer", "int8": "integer", "numeric": "decimal",
    "money": "money", "float4": "float", "float8": "float", "date": "date", "timestamp": "timestamp",
    "timestamptz": "timestamptz", "bool": "boolean",
}
#: For each kind of contract field, the kinds of database column it accepts and how each is selected
#: ("{c}" is the quoted column, "{tz}" the quoted time zone). A kind not listed is the wrong type. Text
#: of any text type is cast to ``text`` (the driver gives ``citext`` or ``name`` as opaque bytes).
_ACCEPTS = {
    "string": {k: "{c}::text" for k in ("text", "uuid", "integer", "decimal", "money", "float", "enum", "date",
                                         "timestamp", "timestamptz", "boolean")},
    "category": {"text": "{c}::text", "enum": "{c}::text"},
    "integer": {"text": "{c}::text", "integer": "{c}", "decimal": "{c}::float8", "float": "{c}"},
    "number": {"text": "{c}::text", "integer": "{c}", "decimal": "{c}::float8", "money": "{c}::numeric::float8",
               "float": "{c}"},
    "date": {"text": "{c}::text", "date": "{c}", "timestamp": "{c}", "timestamptz": "({c} AT TIME ZONE {tz})"},
    "boolean": {"text": "{c}::text", "boolean": "{c}", "integer": "{c}"},
}
_EXPECTED = {  # what the field holds, in words: (Czech, English)
    "string": ("text", "text"), "integer": ("celé číslo", "a whole number"), "number": ("číslo", "a number"),
    "date": ("datum", "a date"), "boolean": ("ano/ne", "yes/no"),
}


@dataclass(frozen=True)
class ColumnPlan:
    """How one database column is read for ``field``: the SQL ``expression`` (None: the type cannot
    hold the field, and ``problem`` says so)."""
    column: str
    field: str
    db_type: str
    expression: str | None
    problem: Notice | None = None


def quote_identifier(name: str) -> str:
    """``name`` as a PostgreSQL identifier (always quoted, so that case and reserved words survive)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def kind_of(type_name: str, type_type: str = "b") -> str:
    """The kind of value a PostgreSQL type holds (``enum`` for an enum type, ``other`` when none fits)."""
    if type_type == "e":
        return "enum"
    return _TYPE_KINDS.get(type_name, "other")


def field_kind(f: Field) -> str:
    return "category" if f.is_categorical else f.type


def plan_column(table: str, column: str, f: Field | str, db_type: str, timezone: str, *,
                type_type: str = "b", shown_type: str | None = None) -> ColumnPlan:
    """How to read ``column`` (PostgreSQL type ``db_type``) for the field ``f``; a problem when the
    type cannot hold it. ``f`` may be a field type name (``"date"``) for a quick look."""
    kind = f if isinstance(f, str) else field_kind(f)
    name = f if isinstance(f, str) else f.name
    template = _ACCEPTS[kind].get(kind_of(db_type, type_type))
    if template is not None:
        return ColumnPlan(column, name, db_type, template.format(c=quote_identifier(column),
                                                                tz=quote_literal(timezone)))
    if isinstance(f, str):
        return ColumnPlan(column, name, db_type, None)
    expected = _EXPECTED.get(kind) or ("kód číselníku (" + ", ".join(f.codes) + ")",
                                        "a code of the code list (" + ", ".join(f.codes) + ")")
    hint = ("", "")
    if kind == "category" and kind_of(db_type, type_type) in ("integer", "decimal"):
        hint = (" Sloupec zřejmě obsahuje čísla položek číselníku: připojte číselník a předejte kódy nebo popisky.",
                " The column probably holds the numbers of code-list entries: join the code list and give its "
                "codes or labels.")
    problem = Notice("db_type", "db_type", "error", column=column, values={
        "field": f.name, "db_type": shown_type or db_type, "title_cs": f.title_cs, "title_en": f.title_en,
        "expected_cs": expected[0], "expected_en": expected[1], "hint_cs": hint[0], "hint_en": hint[1]})
    return ColumnPlan(column, name, db_type, None, problem)


@dataclass(frozen=True)
class DbColumn:
    name: str
    type_name: str  # pg_type.typname of the column's type (of the base type for a domain)
    type_type: str  # pg_type.typtype: b base, e enum, ...
    shown: str  # format_type(): the type as the database names it, e.g. character varying(20)


@dataclass
class Reading:
    """What reading a schema gave: raw tables by contract table, the contract tables not there,
    problems of whole tables (as report rows), the qualified name of each table read and the
    fingerprint of everything read."""
    raws: dict[str, RawTable] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)
    problems: list[pd.DataFrame] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    fingerprint: str = ""


def find_tables(contract: DataContract, relations: list[str], mapping: Mapping[str, str], schema: str,
                reading: Reading) -> dict[str, str]:
    """Contract table -> database table: as mapped, else the one named like it (case-insensitively).
    Mapped tables that are not there and names matching several tables are problems."""
    by_fold: dict[str, list[str]] = {}
    for name in relations:
        by_fold.setdefault(name.casefold(), []).append(name)
    found: dict[str, str] = {}
    for table in contract.tables:
        wanted = mapping.get(table.name)
        if wanted is not None:
            exact = [n for n in relations if n == wanted] or by_fold.get(wanted.casefold(), [])
            if len(exact) == 1:
                found[table.name] = exact[0]
            else:
                reading.problems.append(file_problem(wanted, table.name, "database", "db_mapped_missing",
                                                     name=wanted, resource=table.name, schema=schema))
            continue
        candidates = by_fold.get(table.name.casefold(), [])
        if len(candidates) == 1:
            found[table.name] = candidates[0]
        elif candidates:
            reading.problems.append(file_problem(
                "", table.name, "database", "db_duplicate_table", resource=table.name,
                found=", ".join(f"„{c}“" for c in candidates)))
        else:
            reading.absent.append(table.name)
    return found


def plan_table(schema: TableSchema, columns: list[DbColumn], timezone: str
               ) -> tuple[list[ColumnPlan], list[str]]:
    """The columns to read (matching a field, or close to a field the table lacks) and the names of
    those not read."""
    names = [c.name for c in columns]
    match = match_headers(names, schema)
    field_of = {position: f for f, position in match.columns.items()}
    field_of.update({p: f for f, positions in match.duplicates.items() for p in positions})
    lacking = [f for f in schema.fields if f.name not in match.columns and f.name not in match.duplicates]
    plans, unread = [], []
    for position, column in enumerate(columns):
        if position in field_of:
            plans.append(plan_column(schema.name, column.name, schema.field(field_of[position]), column.type_name,
                                     timezone, type_type=column.type_type, shown_type=column.shown))
        elif any(header_similarity(column.name, f) >= SUGGEST_AT for f in lacking) and \
                kind_of(column.type_name, column.type_type) != "other":
            # read as text so that the report can offer it as the missing field (as for a file)
            plans.append(plan_column(schema.name, column.name, "string", column.type_name, timezone,
                                     type_type=column.type_type))
        else:
            unread.append(column.name)
    return plans, unread


def select_sql(qualified: str, plans: list[ColumnPlan], order_by: list[str]) -> str:
    exprs = [f"{p.expression} AS {quote_identifier(p.column)}" for p in plans if p.expression is not None]
    sql = f"SELECT {', '.join(exprs) or 'NULL'} FROM {qualified} AS t"
    if order_by:
        sql += " ORDER BY " + ", ".join(f"t.{quote_identifier(c)}" for c in order_by)
    return sql


def order_columns(schema: TableSchema, plans: list[ColumnPlan]) -> list[str]:
    """The database columns of the contract's primary key (in key order), or none when the key is not
    there complete and unambiguous."""
    by_field: dict[str, list[str]] = {}
    for p in plans:
        if p.expression is not None:
            by_field.setdefault(p.field, []).append(p.column)
    if not schema.primary_key or any(len(by_field.get(f, [])) != 1 for f in schema.primary_key):
        return []
    return [by_field[f][0] for f in schema.primary_key]


def to_frame(data: Any) -> pd.DataFrame:
    """An Arrow table as the raw frame a Parquet file gives: integers exact (``Int64``, so that a
    bigint identifier keeps every digit), dates as datetime64."""
    import pyarrow as pa

    integers = {pa.int8(), pa.int16(), pa.int32(), pa.int64()}
    frame = data.to_pandas(types_mapper=lambda t: pd.Int64Dtype() if t in integers else None,
                           date_as_object=False, split_blocks=True)
    frame.columns = range(frame.shape[1])
    return frame


def arrow_digest(digest: Any, data: Any) -> None:
    """Add the values of an Arrow table to ``digest``, column by column in C (no row loop): which
    values are empty, then the values (text as its lengths and bytes; other types as their fixed-width
    bytes, empty slots as zeros), so that any change of any value changes the fingerprint."""
    import pyarrow as pa
    import pyarrow.compute as pc

    digest.update(f"{data.num_rows}\0".encode())
    for name, column in zip(data.column_names, data.columns):
        array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        kind = array.type
        digest.update(f"{name}\0{kind}\0".encode())
        valid = array.is_valid().to_numpy(zero_copy_only=False)
        digest.update(valid.tobytes())
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            filled = pc.fill_null(array, "")
            width = "i8" if pa.types.is_large_string(kind) else "i4"
            offsets = np.frombuffer(filled.buffers()[1], dtype=width,
                                    count=filled.offset + len(filled) + 1)[filled.offset:]
            digest.update(np.diff(offsets).tobytes())
            if filled.buffers()[2] is not None and offsets[-1] > offsets[0]:
                digest.update(memoryview(filled.buffers()[2])[offsets[0]:offsets[-1]])
        elif pa.types.is_boolean(kind):
            digest.update(pc.fill_null(array, False).to_numpy(zero_copy_only=False).tobytes())
        elif kind.bit_width % 8 == 0 and array.buffers()[1] is not None:
            width = kind.bit_width // 8
            values = np.frombuffer(array.buffers()[1], dtype=f"u{width}", count=array.offset + len(array))
            digest.update(np.where(valid, values[array.offset:], 0).tobytes())
        else:  # not expected after the casts of the query; stable all the same
            digest.update(pd.util.hash_pandas_object(array.to_pandas(), index=False).to_numpy().tobytes())


def raw_table(table: str, qualified: str, plans: list[ColumnPlan], data: Any, key_columns: list[str],
              notices: list[Notice]) -> RawTable:
    """The Arrow result of one table as a raw table (positions of the read columns, records named by key)."""
    read = [p for p in plans if p.expression is not None]
    headers = [p.column for p in read]
    garbled = any(_arrow_may_be_garbled(c) for c in data.columns) or any(is_garbled(h) for h in headers)
    frame = to_frame(data) if read else pd.DataFrame(index=pd.RangeIndex(data.num_rows))
    key = tuple(headers.index(c) for c in key_columns)
    return finish_table(table, Path(qualified), "database", headers, frame,
                        np.arange(1, len(frame) + 1, dtype=np.int64), notices=notices, check_text=garbled,
                        record_key=key)


def read_schema(cursor: Any, contract: DataContract, schema: str, mapping: Mapping[str, str],
                timezone: str) -> Reading:
    """Read the contract's tables from ``schema`` through an open ADBC ``cursor`` (autocommit off
    is not needed: this opens its own read-only snapshot and ends it)."""
    cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        cursor.execute("SET LOCAL DateStyle TO 'ISO, YMD'")
        try:
            cursor.execute(f"SET LOCAL TimeZone TO {quote_literal(timezone)}")
        except Exception as exc:  # the driver's error for an unknown zone
            raise ConfigError(f"timezone={timezone} in the database address is not a time zone the database "
                              f"knows ({_reason(exc)}); use a name such as Europe/Prague") from None
        return _read_snapshot(cursor, contract, schema, mapping, timezone)
    finally:
        cursor.execute("ROLLBACK")


def _read_snapshot(cursor: Any, contract: DataContract, schema: str, mapping: Mapping[str, str],
                   timezone: str) -> Reading:
    cursor.execute("SELECT nspname FROM pg_catalog.pg_namespace WHERE has_schema_privilege(oid, 'USAGE') "
                   "AND nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY nspname")
    schemas = [row[0] for row in cursor.fetchall()]
    if schema not in schemas:
        close = difflib.get_close_matches(schema, schemas, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(f"the database has no schema {schema!r} that you may read{hint}; schemas you may read: "
                          f"{', '.join(schemas) or 'none'}")
    kinds = ", ".join(quote_literal(k) for k in RELATION_KINDS)
    cursor.execute(
        "SELECT c.relname, a.attname, COALESCE(b.typname, t.typname), t.typtype, "
        "format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
        "LEFT JOIN pg_catalog.pg_type b ON t.typtype = 'd' AND b.oid = t.typbasetype "
        f"WHERE n.nspname = {quote_literal(schema)} AND c.relkind IN ({kinds}) ORDER BY c.relname, a.attnum")
    columns: dict[str, list[DbColumn]] = {}
    for relation, name, type_name, type_type, shown in cursor.fetchall():
        listed = columns.setdefault(relation, [])
        if name is not None:
            listed.append(DbColumn(name, type_name, type_type, shown))
    reading = Reading()
    found = find_tables(contract, list(columns), mapping, schema, reading)
    if not found and not reading.problems:
        reading.problems.append(file_problem("", "", "no_tables", "db_no_tables", schema=schema))
    digest = hashlib.sha256(f"{schema}\0{timezone}".encode())
    for table in contract.tables:
        if table.name not in found:
            continue
        relation = found[table.name]
        qualified = f"{quote_identifier(schema)}.{quote_identifier(relation)}"
        shown_name = f"{schema}.{relation}"
        plans, unread = plan_table(table, columns[relation], timezone)
        notices = [p.problem for p in plans if p.problem is not None]
        if unread:
            notices.append(Notice("db_columns_not_read", "unread_columns", "note", values={"columns": (
                ", ".join(f"„{c}“" for c in unread), ", ".join(f"“{c}”" for c in unread))}))
        key_columns = order_columns(table, plans)
        cursor.execute("SAVEPOINT evaluation_table")
        try:
            cursor.execute(select_sql(qualified, plans, key_columns))
            data = cursor.fetch_arrow_table()
        except Exception as exc:  # no privilege, a broken view ...: the table is reported, the rest is read
            cursor.execute("ROLLBACK TO SAVEPOINT evaluation_table")
            reading.problems.append(file_problem(shown_name, table.name, "unreadable", "db_unreadable",
                                                 reason=_reason(exc)))
            continue
        cursor.execute("RELEASE SAVEPOINT evaluation_table")
        digest.update(f"\0{table.name}\0{shown_name}\0".encode())
        digest.update("\0".join(f"{p.column}:{p.db_type}" for p in plans if p.expression).encode())
        arrow_digest(digest, data)
        raw = raw_table(table.name, shown_name, plans, data, key_columns, notices)
        reading.raws[table.name] = raw
        reading.names[table.name] = shown_name
    reading.fingerprint = digest.hexdigest()
    return reading


def _reason(exc: Exception) -> str:
    """The database's own words: its ERROR or FATAL message, else the driver's text without its status
    prefix, on one line."""
    text = str(exc).split("\nQuery was:")[0]
    said = re.search(r"(?:ERROR|FATAL):\s+(.*?)(?:\n|\. SQLSTATE|$)", text, re.S)
    if said:
        return said.group(1).strip()
    text = re.sub(r"^[A-Z_]+: ", "", text.strip()).replace("[libpq] ", "")
    return " ".join(text.split())
