"""The data contract as PostgreSQL tables: the DDL, and writing tables that follow the conventions.

A national system that wants to hand its data over as a database schema can start from
:func:`contract_ddl` (one ``CREATE TABLE`` per table of the contract, categories as enum types
whose labels are the contract's codes, primary keys); :func:`write_database` fills such a
schema from DataFrames that follow the Dataset conventions (the synthetic data, or files already
checked), through ADBC's bulk COPY. The tests and ``benchmarks/bench_database.py`` build their
databases with it.

Example
-------
>>> print(contract_ddl("kp", tables=("units",)).splitlines()[0])
CREATE SCHEMA IF NOT EXISTS "kp";
>>> column_type(get_schema().table("units").field("floor_area_m2"))
'numeric'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from evaluation.data.database_read import quote_identifier, quote_literal
from evaluation.data.schema import Field, TableSchema, get_schema
from evaluation.errors import ConfigError

_TYPES = {"string": "text", "integer": "bigint", "number": "numeric", "date": "date", "boolean": "boolean"}


def enum_name(table: str, f: Field) -> str:
    return f"{table}_{f.name}"


def column_type(f: Field, table: str = "", *, schema: str | None = None, enums: bool = True) -> str:
    """The PostgreSQL type of a field: an enum type for a category (``enums``), else by its type."""
    if f.is_categorical and enums and schema is not None:
        return f"{quote_identifier(schema)}.{quote_identifier(enum_name(table, f))}"
    return "text" if f.is_categorical else _TYPES[f.type]


def table_ddl(table: TableSchema, schema: str, *, enums: bool = True, keys: bool = True,
              fields: Iterable[str] | None = None) -> list[str]:
    """Statements creating one table (its enum types first); ``fields`` limits the columns."""
    chosen = [f for f in table.fields if fields is None or f.name in set(fields)]
    statements = []
    if enums:
        for f in chosen:
            if f.is_categorical:
                labels = ", ".join(quote_literal(c) for c in f.codes)
                statements.append(f"CREATE TYPE {column_type(f, table.name, schema=schema)} AS ENUM ({labels});")
    columns = [f"{quote_identifier(f.name)} {column_type(f, table.name, schema=schema, enums=enums)}"
               + (" NOT NULL" if f.required and keys else "") for f in chosen]
    if keys and table.primary_key and all(k in {f.name for f in chosen} for k in table.primary_key):
        columns.append("PRIMARY KEY (" + ", ".join(quote_identifier(k) for k in table.primary_key) + ")")
    statements.append(f"CREATE TABLE {quote_identifier(schema)}.{quote_identifier(table.name)} (\n  "
                      + ",\n  ".join(columns) + "\n);")
    return statements


def contract_ddl(schema: str = "public", *, tables: Iterable[str] | None = None, enums: bool = True,
                 keys: bool = True) -> str:
    """``CREATE`` statements for the contract's tables (all, or ``tables``) in ``schema``."""
    contract = get_schema()
    names = list(tables) if tables is not None else list(contract.table_names)
    statements = [f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(schema)};"]
    for name in names:
        statements += table_ddl(contract.table(name), schema, enums=enums, keys=keys)
    return "\n".join(statements)


def _arrow(frame: pd.DataFrame) -> Any:
    """A frame as Arrow with plain types ADBC's bulk COPY writes (categories as text)."""
    import pyarrow as pa

    plain = {c: (frame[c].astype(object).where(frame[c].notna(), None)
                 if isinstance(frame[c].dtype, pd.CategoricalDtype) else frame[c]) for c in frame.columns}
    return pa.Table.from_pandas(pd.DataFrame(plain), preserve_index=False)


def write_database(tables: Mapping[str, pd.DataFrame], connection: Any, *, schema: str = "public",
                   enums: bool = True, keys: bool = True, replace: bool = True) -> dict[str, int]:
    """Create the contract's tables for ``tables`` in ``schema`` and fill them; returns rows per table.

    ``connection`` is an ADBC connection (``DatabaseSource.connect()``). Each table is written with
    ADBC's bulk COPY into a staging table, then cast into the typed table (so numbers become
    ``numeric`` and categories the enum types) in one statement. ``keys=False`` leaves out primary
    keys and NOT NULL (to hold broken data on purpose). ``replace`` drops the schema first.
    """
    contract = get_schema()
    cursor = connection.cursor()
    try:
        if replace:
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote_identifier(schema)} CASCADE")
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(schema)}")
        written = {}
        for name, frame in tables.items():
            if name not in contract.table_names:
                raise ConfigError(f"{name!r} is not a table of the data contract")
            table = contract.table(name)
            for statement in table_ddl(table, schema, enums=enums, keys=keys, fields=frame.columns):
                cursor.execute(statement)
            staging = f"evaluation_staging_{name}"
            cursor.adbc_ingest(staging, _arrow(frame), mode="replace", temporary=True)
            casts = ", ".join(f"{quote_identifier(c)}::{column_type(table.field(c), name, schema=schema, enums=enums)}"
                              for c in frame.columns)
            cursor.execute(f"INSERT INTO {quote_identifier(schema)}.{quote_identifier(name)} "
                           f"({', '.join(quote_identifier(c) for c in frame.columns)}) "
                           f"SELECT {casts} FROM {quote_identifier(staging)}")
            cursor.execute(f"DROP TABLE {quote_identifier(staging)}")
            written[name] = len(frame)
        cursor.execute("ANALYZE")
    finally:
        cursor.close()
    return written
