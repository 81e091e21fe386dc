"""Case data in a PostgreSQL database: read it, check it against the contract, load it.

A national system keeps its case data in a database. Everywhere a data folder is accepted
(``data:`` of a run configuration, ``evaluation validate``, :func:`evaluation.data.loader.load_source`)
a database address is accepted too::

    postgresql://HOST[:PORT]/DATABASE?schema=SCHEMA&tables=households:v_domacnosti,applications:zadosti

* ``schema`` — where the tables are (default ``public``);
* ``tables`` — contract table ``:`` database table, for tables not named like the contract's
  (others are found by name, case-insensitively; views are tables too);
* ``password_env`` — the environment variable holding the password, when it is not PGPASSWORD;
* ``timezone`` — whose calendar turns a ``timestamptz`` into a date (default Europe/Prague);
* any other parameter goes to libpq as it is (``sslmode=require``, ``connect_timeout=…``).

**Credentials come from the environment, never from the address or the configuration file**:
the user is the one in the address or ``PGUSER``; the password is ``PGPASSWORD``, libpq's
password file (``~/.pgpass``) or the variable ``password_env`` names. An address with a password
in it is refused, because addresses end up in run records, logs and version control.

After reading (:mod:`evaluation.data.database_read`: one read-only snapshot, Arrow columns, only
the contract's tables and columns, records in primary-key order), a database table is the same
raw table a file gives and goes through the same code: the same contract and rules, identifier
detection and pseudonymisation, the same ledger (``received`` = the rows of the database table)
and one report listing every problem in Czech and English. A record has no row number: a
problem names it by its primary key, as a condition that finds it (``household_id = 'H01'``).
The Dataset's fingerprint is a SHA-256 of what was read (schema, tables, columns and their
types, every value), so a run record can tell whether the data changed.

Example
-------
>>> source = DatabaseSource.parse("postgresql://db.example:5432/kp?schema=evaluation&tables=households:domacnosti")
>>> source.schema, dict(source.tables), str(source)
('evaluation', {'households': 'domacnosti'}, 'postgresql://db.example:5432/kp?schema=evaluation&tables=households:domacnosti')
>>> DatabaseSource.parse("postgresql://me:secret@db.example/kp")
Traceback (most recent call last):
...
evaluation.errors.ConfigError: the database address postgresql://me:***@db.example/kp holds a password. Passwords never go in an address or a configuration file (they end up in run records, logs and version control): remove it and give it in the environment instead, as PGPASSWORD, in libpq's password file ~/.pgpass, or in a variable named by ?password_env=NAME.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from evaluation.data.dataset import Dataset
from evaluation.data.loader import OnError, Period, _Run, finish_load, resolve_study_period
from evaluation.data.readers import RawTable
from evaluation.data.schema import get_schema
from evaluation.data.validation import ValidationReport
from evaluation.errors import ConfigError

SCHEMES = ("postgresql", "postgres")
DEFAULT_SCHEMA = "public"
DEFAULT_TIMEZONE = "Europe/Prague"
#: Parameters of the address that are the toolkit's own (the rest go to libpq).
OWN_PARAMETERS = ("schema", "tables", "password_env", "timezone")
_SECRET_PARAMETERS = ("password", "passfile_contents")
#: libpq settings the toolkit adds unless the address sets them: a wrong host fails in 10 s, not
#: minutes, and the database's own monitoring shows who reads.
_DEFAULTS = {"connect_timeout": "10", "application_name": "evaluation"}
_INSTALL = ("reading from a database needs the package adbc-driver-postgresql; install it with "
            "pip install 'evaluation[database]'")


def is_database_address(text: object) -> bool:
    """Whether ``text`` is a database address rather than a folder path (it has a scheme)."""
    return isinstance(text, str) and "://" in text


@dataclass(frozen=True)
class DatabaseSource:
    """A PostgreSQL database holding the contract's tables. ``address`` never holds a password.

    Build it with :meth:`parse` from an address; ``str(source)`` is the address as the report and
    the run record show it."""

    address: str
    schema: str = DEFAULT_SCHEMA
    tables: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    password_env: str | None = None
    timezone: str = DEFAULT_TIMEZONE

    @classmethod
    def parse(cls, source: str | DatabaseSource) -> DatabaseSource:
        """Check an address (see the module docstring); raises ConfigError naming what is wrong."""
        if isinstance(source, DatabaseSource):
            return source
        if not isinstance(source, str):
            raise ConfigError(f"a database address must be text such as postgresql://host/database, not "
                              f"{type(source).__name__}")
        parts = urlsplit(source.strip())
        if parts.scheme.lower() not in SCHEMES:
            raise ConfigError(f"{masked_address(source)} is not a PostgreSQL address: it must start with postgresql:// "
                              "(the toolkit reads PostgreSQL databases, or a folder of files)")
        query = parse_qsl(parts.query, keep_blank_values=True)
        if parts.password is not None or any(k in _SECRET_PARAMETERS for k, _ in query):
            raise ConfigError(
                f"the database address {masked_address(source)} holds a password. Passwords never go in an address or a "
                "configuration file (they end up in run records, logs and version control): remove it and give "
                "it in the environment instead, as PGPASSWORD, in libpq's password file ~/.pgpass, or in a "
                "variable named by ?password_env=NAME.")
        if not parts.path.strip("/"):
            raise ConfigError(f"the database address {source} names no database: write postgresql://host/DATABASE")
        own = {k: v for k, v in query if k in OWN_PARAMETERS}
        libpq = [(k, v) for k, v in query if k not in OWN_PARAMETERS]
        address = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(libpq, safe=":/,"), ""))
        return cls(address=address, schema=own.get("schema") or DEFAULT_SCHEMA,
                   tables=MappingProxyType(_table_mapping(own.get("tables", ""), source)),
                   password_env=own.get("password_env") or None, timezone=own.get("timezone") or DEFAULT_TIMEZONE)

    def __str__(self) -> str:
        own = [("schema", self.schema)] if self.schema != DEFAULT_SCHEMA or self.tables else []
        if self.tables:
            own.append(("tables", ",".join(f"{k}:{v}" for k, v in self.tables.items())))
        if self.password_env:
            own.append(("password_env", self.password_env))
        if self.timezone != DEFAULT_TIMEZONE:
            own.append(("timezone", self.timezone))
        parts = urlsplit(self.address)
        query = "&".join(q for q in (parts.query, urlencode(own, safe=":/,")) if q)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    def connect(self) -> Any:
        """An ADBC connection (autocommit; :func:`~evaluation.data.database_read.read_schema` opens its
        own read-only transaction). Raises ConfigError when the database cannot be reached."""
        try:
            from adbc_driver_postgresql import dbapi
        except ImportError:
            raise ConfigError(_INSTALL) from None
        try:
            return dbapi.connect(self._conninfo(), autocommit=True)
        except dbapi.Error as exc:
            from evaluation.data.database_read import _reason

            reason = _reason(exc).rstrip(". ")
            stop = "" if reason.endswith(("?", "!")) else "."
            raise ConfigError(f"cannot connect to the database {self}: {reason}{stop} Check the address and the "
                              "credentials in the environment (PGUSER, PGPASSWORD, ~/.pgpass"
                              + (f", {self.password_env}" if self.password_env else "") + ").") from None

    def _conninfo(self) -> str:
        """The address libpq gets: the toolkit's defaults added and, with ``password_env``, the password."""
        parts = urlsplit(self.address)
        query = parse_qsl(parts.query, keep_blank_values=True)
        query += [(k, v) for k, v in _DEFAULTS.items() if k not in dict(query)]
        netloc = parts.netloc
        if self.password_env:
            password = os.environ.get(self.password_env)
            if not password:
                raise ConfigError(f"the environment variable {self.password_env}, which the database address names "
                                  "for the password (password_env), is empty or not set")
            user = parts.username or os.environ.get("PGUSER", "")
            host = netloc.rsplit("@", 1)[-1]
            netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
        return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), ""))

    def __repr__(self) -> str:
        return f"DatabaseSource({str(self)!r})"


def masked_address(address: str) -> str:
    """``address`` with its password, if any, shown as ``***`` (for messages)."""
    parts = urlsplit(address)
    if parts.password is None:
        return address
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{parts.username or ''}:***@{host}", parts.path, parts.query, ""))


def _table_mapping(text: str, address: str) -> dict[str, str]:
    """``households:v_domacnosti,applications:zadosti`` -> {contract table: database table}."""
    contract = get_schema().table_names
    mapping: dict[str, str] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        table, sep, name = item.partition(":")
        table, name = table.strip(), name.strip()
        if not sep or not table or not name:
            raise ConfigError(f"tables= in the database address {masked_address(address)} must list contract:database pairs "
                              f"such as households:v_domacnosti; got {item!r}")
        if table not in contract:
            import difflib

            close = difflib.get_close_matches(table, contract, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"tables= in the database address maps {table!r}, which is not a table of the data "
                              f"contract{hint}; its tables: {', '.join(contract)}")
        mapping[table] = name
    return mapping


@dataclass
class DatabaseRun(_Run):
    """The loader's pass (:class:`evaluation.data.loader._Run`) over a database instead of a folder:
    only the reading, the source's name and the fingerprint differ."""

    source_kind = "database"
    database: DatabaseSource | None = None
    _digest: str = ""

    def _read_source(self) -> dict[str, RawTable]:
        from evaluation.data.database_read import read_schema

        self.period = resolve_study_period(self.study_period_arg, None, self.contract)
        connection = self.database.connect()
        try:
            cursor = connection.cursor()
            try:
                reading = read_schema(cursor, self.contract, self.database.schema, self.database.tables,
                                      self.database.timezone)
            finally:
                cursor.close()
        finally:
            connection.close()
        self._problems.extend(reading.problems)
        self.absent.extend(reading.absent)
        self._digest = reading.fingerprint
        return reading.raws

    def _source_label(self) -> str:
        return str(self.database)

    def _fingerprint(self) -> str:
        return self._digest


def _run(source: str | DatabaseSource, study_period: Period | None, key: bytes | None) -> DatabaseRun:
    return DatabaseRun(None, study_period, key, database=DatabaseSource.parse(source))


def validate_database(source: str | DatabaseSource, *, study_period: Period | None = None,
                      pseudonymise_key: bytes | None = None) -> ValidationReport:
    """Check the contract's tables in the database and report every problem (as for a folder).

    Example: ``validate_database("postgresql://db.example/kp?schema=evaluation").to_text(lang="en")``.
    """
    return _run(source, study_period, pseudonymise_key).execute(cascade=False).report


def load_database(source: str | DatabaseSource, *, study_period: Period | None = None,
                  pseudonymise_key: bytes | None = None, on_error: OnError = "raise", lang: str = "cs") -> Dataset:
    """Read, check and load the contract's tables from the database into a :class:`Dataset` (as
    :func:`evaluation.data.loader.load_folder` does for a folder).

    Example: ``ds = load_database("postgresql://db.example/kp?schema=evaluation", on_error="exclude")``.
    """
    return finish_load(_run(source, study_period, pseudonymise_key), on_error, lang)
