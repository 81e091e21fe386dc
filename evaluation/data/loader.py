"""Check and load a data folder: one file per table of the contract (CSV, XLSX or Parquet).

:func:`validate_folder` lists every problem at once; :func:`load_folder` returns the
validated :class:`~evaluation.data.dataset.Dataset`. With ``on_error="raise"``
any error stops loading with a :class:`~evaluation.errors.DataError` whose message
is the whole report; with ``on_error="exclude"`` the rows that break a row-level
rule are left out, each counted in the ledger under the first rule it broke, and
rows whose parent row was excluded follow them (orphans). Problems with a whole
file or column always stop loading: an unreadable file, a required column missing,
or an optional column missing that a rule of the contract or an analysis reads
(:mod:`evaluation.data.needs`) when the file has a column that probably is it (the
message asks "did you mean …?") or when a consistency rule (``missing_iff``) would
judge every row wrongly without it. An optional column that analyses read and that the
file simply lacks is a warning naming those analyses, which the Dataset then marks as
unavailable, as it does for an absent table. Direct identifiers without a
pseudonymisation key always raise :class:`~evaluation.errors.IdentifierError`.

A folder may hold only some tables. Each table that is not there is named in a note
with the analyses that cannot run without it; a file with a header and no rows is an
error when an analysis the other files allow needs it, else a note. The Dataset says
which analyses and strands the data allow (:meth:`~evaluation.data.dataset.Dataset.availability`).

The study period is the ``study_period`` argument, else ``studyPeriod`` of the
folder's own ``datapackage.json``, else the contract's.

:func:`load_source` and :func:`validate_source` take a folder or a PostgreSQL address
(``postgresql://host/db?schema=...``, :mod:`evaluation.data.database`); a database table is
read into the same raw table a file gives and checked by the same code, its records named by
their primary key where a file names a row number.

Example
-------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "tenancies.csv").write_text(
...     "tenancy_id;household_id;byt;stupeň;začátek;konec;důvod ukončení\\n"
...     "T1;H1;B1;krizové bydlení;15.03.2019;;stále bydlí\\n", encoding="utf-8")
>>> validate_folder(folder).ok
True
>>> ds = load_folder(folder)
>>> ds.tenancies["step"].tolist(), ds.ledger.loaded("tenancies"), ds.can_run("retention.retention")
(['crisis'], 1, True)
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd

from evaluation.data.checks import RULE_ORDER, TableCheck
from evaluation.data.columns import match_headers, suggest_columns
from evaluation.data.dataset import Dataset
from evaluation.data.ledger import DroppedColumn, Ledger
from evaluation.data.messages import IDENTIFIER_KINDS, for_source
from evaluation.data.needs import analyses_needing, analysis, needed_fields, titles
from evaluation.data.privacy import Pseudonymiser, content_kind, identifier_kind
from evaluation.data.readers import RawTable, read_raw, table_files
from evaluation.data.references import cascade_exclusions, check_references
from evaluation.data.rules import check_rules
from evaluation.data.schema import DataContract, TableSchema, get_schema
from evaluation.data.validation import ValidationReport, combine, file_problem, row_problems
from evaluation.errors import ConfigError, DataError, IdentifierError

OnError = Literal["raise", "exclude"]
Period = tuple[str | pd.Timestamp, str | pd.Timestamp]


def validate_folder(folder: str | Path, *, study_period: Period | None = None,
                    pseudonymise_key: bytes | None = None) -> ValidationReport:
    """Check every file of ``folder`` against the data contract and report every problem.

    Example: ``validate_folder("data/ostrava").to_text(lang="en")``.
    """
    return _Run(Path(folder), study_period, pseudonymise_key).execute(cascade=False).report


def load_folder(folder: str | Path, *, study_period: Period | None = None, pseudonymise_key: bytes | None = None,
                on_error: OnError = "raise", lang: str = "cs") -> Dataset:
    """Load and validate ``folder`` into a :class:`Dataset` (tables, ledger, report, study period,
    source and a fingerprint of the input files). ``lang`` is the language of error messages.

    Example: ``ds = load_folder("data/ostrava", on_error="exclude"); ds.ledger.tidy()``.
    """
    return finish_load(_Run(Path(folder), study_period, pseudonymise_key), on_error, lang)


def load_source(source: str | Path | object, *, study_period: Period | None = None,
                pseudonymise_key: bytes | None = None, on_error: OnError = "raise", lang: str = "cs") -> Dataset:
    """:func:`load_folder` for a folder, the same for a database: ``source`` is a folder, a
    ``postgresql://`` address or an :class:`evaluation.data.database.DatabaseSource`.

    Example: ``load_source("postgresql://db.example/kp?schema=evaluation", on_error="exclude")``.
    """
    database = _database(source)
    if database is None:
        return load_folder(source, study_period=study_period, pseudonymise_key=pseudonymise_key,
                           on_error=on_error, lang=lang)
    from evaluation.data.database import load_database

    return load_database(database, study_period=study_period, pseudonymise_key=pseudonymise_key,
                         on_error=on_error, lang=lang)


def validate_source(source: str | Path | object, *, study_period: Period | None = None,
                    pseudonymise_key: bytes | None = None) -> ValidationReport:
    """:func:`validate_folder` for a folder or a database (see :func:`load_source`)."""
    database = _database(source)
    if database is None:
        return validate_folder(source, study_period=study_period, pseudonymise_key=pseudonymise_key)
    from evaluation.data.database import validate_database

    return validate_database(database, study_period=study_period, pseudonymise_key=pseudonymise_key)


def _database(source: object):
    """The database ``source`` names, or None for a folder (no database module imported for a folder)."""
    if isinstance(source, os.PathLike) or (isinstance(source, str) and "://" not in source):
        return None
    from evaluation.data.database import DatabaseSource

    return DatabaseSource.parse(source)


def finish_load(run: _Run, on_error: OnError, lang: str) -> Dataset:
    """Execute ``run`` and return its Dataset, or raise with the whole report when the data cannot be used."""
    if on_error not in ("raise", "exclude"):
        raise ConfigError(f"on_error must be 'raise' or 'exclude', not {on_error!r}")
    run = run.execute(cascade=on_error == "exclude")
    report = run.report
    if run.refused_identifiers:
        raise IdentifierError(_identifier_message(report, lang))
    if not report.usable or (on_error == "raise" and not report.ok):
        raise DataError(report.to_text(lang=lang))
    return run.dataset()


def resolve_study_period(study_period: Period | None, folder: Path | None = None,
                         contract: DataContract | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The study period in force: the argument, the folder's ``datapackage.json``, or the contract's."""
    source = "study_period"
    if study_period is None and folder is not None and (folder / "datapackage.json").is_file():
        try:
            package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{folder / 'datapackage.json'} is not valid JSON: {exc}") from exc
        period = package.get("studyPeriod")
        if period:
            study_period, source = (period.get("start"), period.get("end")), "studyPeriod in datapackage.json"
    if study_period is None:
        study_period, source = (contract or get_schema()).study_period, "studyPeriod of the data contract"
    try:
        start, end = (_as_date(x) for x in study_period)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"the study period ({source}) must be two dates such as 2019-01-01 and 2023-12-31; "
                          f"got {study_period!r}") from exc
    if start > end:
        raise ConfigError(f"the study period ({source}) starts after it ends: {start.date()} > {end.date()}")
    return start, end


def _as_date(value: object) -> pd.Timestamp:
    if isinstance(value, str) and "." in value:
        return pd.to_datetime(value.replace(" ", ""), format="%d.%m.%Y")
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        raise ValueError("empty date")
    return stamp.normalize()


def _identifier_message(report: ValidationReport, lang: str) -> str:
    refused = report.problems[(report.problems["rule"] == "identifier") & (report.problems["severity"] == "error")]
    column = "message_cs" if lang == "cs" else "message_en"
    lines = [f"{file}: {text}" for file, text in zip(refused["file"], refused[column])]
    return "\n".join(lines)


def fingerprint(paths: list[Path]) -> str:
    """SHA-256 of the input files' names and bytes, in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode("utf-8") + b"\0")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


@dataclass
class _Run:
    """One pass over a folder: read, pseudonymise, check; then the report, ledger and tables.

    A source other than a folder (:class:`evaluation.data.database.DatabaseRun`, whose ``folder`` is
    None) overrides the reading (:meth:`_read_source`), its name, kind and fingerprint; everything
    after reading is shared."""
    source_kind = "folder"
    folder: Path | None
    study_period_arg: Period | None
    key: bytes | None
    contract: DataContract = field(default_factory=get_schema)
    checks: dict[str, TableCheck] = field(default_factory=dict)
    extra_columns: dict[str, pd.DataFrame] = field(default_factory=dict)
    dropped: list[DroppedColumn] = field(default_factory=list)
    pseudonymised: set[str] = field(default_factory=set)
    hidden: dict[str, set[str]] = field(default_factory=dict)  # table -> headers whose values are identifiers
    missing_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)
    refused_identifiers: bool = False
    paths: list[Path] = field(default_factory=list)
    _problems: list[pd.DataFrame] = field(default_factory=list)
    report: ValidationReport | None = None

    def execute(self, *, cascade: bool) -> _Run:
        raws = self._read_source()
        self._match_columns(raws)
        self._protect_identifiers()
        for check in self.checks.values():
            self._reader_problems(check)
            self._bad_lines(check)
            check.parse()
            check.check_unique()
            check_rules(check, self.period)
        check_references(self.checks)
        if cascade:
            cascade_exclusions(self.checks)
        self._table_presence()
        self.report = self._build_report()
        return self

    # -- reading -------------------------------------------------------------------------------
    def _read_source(self) -> dict[str, RawTable]:
        """The study period in force and the raw tables (sets ``period``, ``absent``, ``paths``)."""
        if not self.folder.exists():
            raise FileNotFoundError(f"data folder not found: {self.folder}")
        if not self.folder.is_dir():
            raise NotADirectoryError(f"not a folder: {self.folder}")
        self.period = resolve_study_period(self.study_period_arg, self.folder, self.contract)
        return self._read_files()

    def _source_label(self) -> str:
        return str(self.folder)

    def _fingerprint(self) -> str:
        return fingerprint(self.paths)

    def _read_files(self) -> dict[str, RawTable]:
        by_table, unknown = table_files(self.folder, self.contract.table_names)
        for path in unknown:
            self._problems.append(file_problem(path.name, "", "unknown_file", "unknown_file", severity="warning",
                                               name=path.name))
        if not by_table:
            self._problems.append(file_problem("", "", "no_tables", "no_tables"))
        raws: dict[str, RawTable] = {}
        for table in self.contract.tables:
            paths = by_table.get(table.name, [])
            if not paths:
                self.absent.append(table.name)
                continue
            if len(paths) > 1:
                self._problems.append(file_problem(paths[0].name, table.name, "duplicate_file", "duplicate_file",
                                                   resource=table.name, files=", ".join(p.name for p in paths)))
                continue
            self.paths.append(paths[0])
            try:
                raws[table.name] = read_raw(paths[0], table.name, _header_matcher(table))
            except DataError as exc:
                self._problems.append(file_problem(paths[0].name, table.name, "unreadable", "unreadable",
                                                   reason=str(exc)))
        if (self.folder / "datapackage.json").is_file():
            self.paths.append(self.folder / "datapackage.json")
        return raws

    def _match_columns(self, raws: dict[str, RawTable]) -> None:
        for name, raw in raws.items():
            schema = self.contract.table(name)
            match = match_headers(raw.headers, schema)
            check = TableCheck(raw, schema, match.columns)
            for f, positions in match.duplicates.items():
                check.add_file_problem("duplicate_column", "duplicate_column", field=f,
                                       column=", ".join(raw.headers[p] for p in positions),
                                       columns=", ".join(f"„{raw.headers[p]}“" for p in positions))
            missing = [f for f in schema.fields if f.name not in match.columns and f.name not in match.duplicates]
            check.suggestions = suggest_columns(raw, schema, missing, match.unknown)
            by_field = {f: p for p, f in check.suggestions.items()}
            needed = needed_fields(name)
            # a column the reader could not use (a database column of the wrong type) is reported already
            reported = {n.values.get("field") for n in raw.notices if n.severity == "error"}
            for f in missing:
                if f.name in reported:
                    continue
                hint = (_suggestion_text(raw.headers[by_field[f.name]], f, raw.file_format) if f.name in by_field
                        else ("", ""))
                values = dict(column=f.name, field=f.name, title_cs=f.title_cs, title_en=f.title_en,
                              suggestion=hint)
                if f.required:
                    check.add_file_problem("missing_column", "missing_column", **values)
                    continue
                users = _users(schema, f.name, needed.get(f.name, ()))
                if users is not None and (f.name in by_field or _checked_by_consistency(schema, f.name)):
                    check.add_file_problem("missing_needed_column", "missing_needed_column", needs=users, **values)
                elif users is not None:
                    check.add_file_problem("missing_needed_column", "missing_needed_column_absent",
                                           severity="warning", needs=users, **values)
                elif not f.may_be_absent or f.name in by_field:  # columns older exports lack: no word
                    check.add_file_problem("missing_optional_column", "missing_optional_column", severity="warning",
                                           **values)
            self.missing_fields[name] = tuple(f.name for f in missing if not f.required)
            check.unknown = list(match.unknown)
            self.checks[name] = check

    def _reader_problems(self, check: TableCheck) -> None:
        """What the reader noticed: file notices as they are, row notices as row problems (values of
        identifier columns hidden)."""
        raw = check.raw
        for n in raw.notices:
            check.add_file_problem(n.rule, n.key, severity=n.severity, column=n.column,
                                   sheet=str(n.values.get("sheet_name", "")), **dict(n.values))
        hidden = self.hidden.get(check.schema.name, set())
        for n in raw.row_notices:
            if n.column in hidden:
                n = replace(n, shown=pd.Series([HIDDEN] * len(n.positions), dtype=object))
            check.add_reader_problems(n)

    # -- privacy -------------------------------------------------------------------------------
    def _protect_identifiers(self) -> None:
        pseudonymiser = Pseudonymiser(self.key)
        flagged = self._identifier_fields()
        for name, check in self.checks.items():
            for field_name, kind in flagged.items():
                if field_name in check.columns:
                    column = check.raw_column(field_name)
                    check.raw.frame[check.columns[field_name]] = pseudonymiser.apply(column)
                    self.pseudonymised.add(f"{name}.{field_name}")
                    self.hidden.setdefault(name, set()).add(check.header(field_name))
                    self._identifier_problem(check, check.header(field_name), kind, hashed=True)
            extra = {}
            for position in check.unknown:
                header = check.raw.headers[position]
                column = check.raw.frame[position]
                kind = identifier_kind(header) or content_kind(column)
                if kind is not None:
                    self.hidden.setdefault(name, set()).add(header)
                    self._identifier_problem(check, header, kind, hashed=False)
                    continue
                if header.startswith("[") and header.endswith("]"):
                    example = next((str(v) for v in column if v is not None and str(v).strip()), "")
                    check.add_file_problem("unknown_column", "unnamed_column", severity="warning", column=header,
                                           letter=header[1:-1], example=f"„{example[:30]}“")
                else:
                    target = check.suggestions.get(position)
                    hint = _unknown_hint(check.schema.field(target), check.raw.file_format) if target else ("", "")
                    check.add_file_problem("unknown_column", "unknown_column", severity="warning", column=header,
                                           suggestion=hint)
                extra[header] = column.reset_index(drop=True)
            if extra:
                self.extra_columns[name] = pd.DataFrame(extra)

    def _identifier_fields(self) -> dict[str, str]:
        """Text fields holding direct identifiers (birth numbers, names ...) in any table, by kind,
        closed over foreign keys so joins survive pseudonymisation."""
        flagged: dict[str, str] = {}
        for check in self.checks.values():
            for f in check.schema.fields:
                if (f.name in check.columns and f.name not in flagged and f.type == "string"
                        and not f.is_categorical):
                    kind = content_kind(check.raw_column(f.name))
                    if kind is not None:
                        flagged[f.name] = kind
        changed = True
        while changed:
            changed = False
            for table in self.contract.tables:
                for fk in table.foreign_keys:
                    for child, parent in zip(fk.fields, fk.reference_fields):
                        if (child in flagged) != (parent in flagged):
                            kind = flagged.get(child) or flagged[parent]
                            flagged[child] = flagged[parent] = kind
                            changed = True
        return flagged

    def _identifier_problem(self, check: TableCheck, header: str, kind: str, *, hashed: bool) -> None:
        kind_cs, kind_en = IDENTIFIER_KINDS[kind]
        if self.key is None:
            self.refused_identifiers = True
            check.add_file_problem("identifier", "identifier_refused", column=header, kind_cs=kind_cs,
                                   kind_en=kind_en)
        elif hashed:
            check.add_file_problem("identifier", "identifier_hashed", severity="warning", column=header,
                                   kind_cs=kind_cs, kind_en=kind_en)
        else:
            check.add_file_problem("identifier", "identifier_dropped", severity="warning", column=header,
                                   kind_cs=kind_cs, kind_en=kind_en)
            self.dropped.append(DroppedColumn(check.schema.name, header, f"přímé identifikátory ({kind_cs})",
                                              f"direct identifiers ({kind_en})"))

    # -- which tables are there ---------------------------------------------------------------
    def _table_presence(self) -> None:
        """A note for each table not in the folder. A file with a header and no rows is an error where
        an analysis needs it together with another file that has rows (the export probably failed),
        else a note (a blank template, or a table the other files do not call for)."""
        rows = {name: check.n_rows + len(check.raw.bad_lines) for name, check in self.checks.items()}
        for name in self.absent:
            table = self.contract.table(name)
            blocked = _blocked(name, rows)
            self._problems.append(file_problem(
                "", name, "absent_table", for_source("absent_table", self.source_kind), severity="note",
                resource=name, title_cs=table.title_cs,
                title_en=table.title_en, consequence=_consequence(blocked, self.source_kind)))
        for name, check in self.checks.items():
            if rows[name]:
                continue
            table = self.contract.table(name)
            blocked = _blocked(name, rows, with_other_data=True)
            if blocked:
                check.add_file_problem("empty_table", "empty_table", resource=name, title_cs=table.title_cs,
                                       title_en=table.title_en, analyses=(titles(blocked, "cs"), titles(blocked, "en")))
            else:
                check.add_file_problem("empty_table", "empty_table_note", severity="note",
                                       consequence=_consequence(_blocked(name, rows), self.source_kind))

    # -- results -------------------------------------------------------------------------------
    def _bad_lines(self, check: TableCheck) -> None:
        bad = check.raw.bad_lines
        if len(bad):
            self._problems.append(row_problems(
                check.raw.file, check.schema.name, bad["row"].to_numpy(), "", bad["fields"].astype(str),
                "bad_line", "bad_line", expected=len(check.raw.headers)))

    def _build_report(self) -> ValidationReport:
        frames = self._problems + [c.problem_frame() for c in self.checks.values()]
        problems = combine(frames)
        if len(problems):
            file_order = {f: i for i, f in enumerate(dict.fromkeys(problems["file"]))}
            problems = (problems.assign(_order=problems["file"].map(file_order))
                        .sort_values(["_order", "row"], na_position="first", kind="stable")
                        .drop(columns="_order").reset_index(drop=True))
        files = tuple((c.raw.file, name, c.raw.n_received) for name, c in self.checks.items())
        return ValidationReport(problems=problems, folder=self._source_label(), files=files,
                                study_period=self.period, absent_tables=tuple(self.absent),
                                source_kind=self.source_kind)

    def ledger(self) -> Ledger:
        received, loaded, excluded = {}, {}, {}
        for name, check in self.checks.items():
            n_bad_lines = len(check.raw.bad_lines)
            received[name] = check.raw.n_received
            loaded[name] = int((~check.excluded).sum())
            counts = pd.Series(check.first_rule[check.excluded]).value_counts()
            if n_bad_lines:
                excluded[(name, "bad_line")] = n_bad_lines
            for rule in RULE_ORDER:
                if rule in counts.index:
                    excluded[(name, rule)] = int(counts[rule])
        return Ledger.from_counts(received, loaded, excluded, tuple(self.dropped), source_kind=self.source_kind)

    def dataset(self) -> Dataset:
        tables, source_rows, source_sheets = {}, {}, {}
        for name, check in self.checks.items():
            keep = ~check.excluded
            tables[name] = _conform(check, keep)
            source_rows[name] = check.raw.rows[keep]
            if check.raw.sheets is not None:
                source_sheets[name] = check.raw.sheets[keep]
        extra = {name: frame.loc[~self.checks[name].excluded].reset_index(drop=True)
                 for name, frame in self.extra_columns.items()}
        metadata = MappingProxyType({
            "files": MappingProxyType({name: c.raw.file for name, c in self.checks.items()}),
            "source_rows": MappingProxyType(source_rows),
            "source_sheets": MappingProxyType(source_sheets),
            "extra_columns": MappingProxyType(extra),
            "pseudonymised_fields": tuple(sorted(self.pseudonymised)),
            "contract_version": self.contract.version,
            "absent_tables": tuple(self.absent),
            "missing_fields": MappingProxyType({t: f for t, f in self.missing_fields.items() if f}),
        })
        return Dataset.from_frames(tables, ledger=self.ledger(), report=self.report, study_period=self.period,
                                   source=self._source_label(), fingerprint=self._fingerprint(), metadata=metadata)


HIDDEN = "***"


def _header_matcher(table: TableSchema):
    def matched(headers: list[str]) -> frozenset[str]:
        found = match_headers(headers, table)
        return frozenset(found.columns) | frozenset(found.duplicates)
    return matched


def _checked_by_consistency(schema: TableSchema, name: str) -> bool:
    """Whether a rule would judge rows wrongly without the field (``missing_iff``: an end date empty
    exactly when the spell goes on cannot be told from a file without end dates)."""
    return any(r.type == "missing_iff" and name in r.fields for r in schema.rules)


def _users(schema: TableSchema, name: str, analyses: tuple[str, ...]) -> tuple[str, str] | None:
    """Who needs an optional field, in words (Czech, English): the data checks and the analyses; None if nobody."""
    rules = [r for r in schema.rules if name in r.fields]
    used_by = [analysis(a) for a in analyses]
    if not rules and not used_by:
        return None
    cs, en = [], []
    if rules:
        cs.append("kontrola dat (" + "; ".join(f"„{r.description_cs.rstrip('.')}“" for r in rules) + ")")
        en.append("the data checks (" + "; ".join(f"“{r.description_en.rstrip('.')}”" for r in rules) + ")")
    many = len({a.title_cs for a in used_by}) > 1
    if used_by:
        cs.append(("analýzy " if many else "analýza ") + titles(used_by, "cs"))
        en.append(("the analyses " if many else "the analysis ") + titles(used_by, "en"))
    plural_cs = len(cs) > 1 or many
    singular_en = not rules and not many
    return (("potřebují ho " if plural_cs else "potřebuje ho ") + " i ".join(cs),
            " and ".join(en) + (" needs it" if singular_en else " need it"))


def _suggestion_text(header: str, f, file_format: str = "csv") -> tuple[str, str]:
    if file_format == "database":
        return (f" V tabulce je sloupec „{header}“ – jde-li o tentýž údaj, přejmenujte ho na „{f.name}“.",
                f" The table has a column “{header}” – if it holds the same, rename it to “{f.name}”.")
    return (f" V souboru je sloupec „{header}“ – jde-li o tentýž údaj, přejmenujte ho na „{f.title_cs}“.",
            f" The file has a column “{header}” – if it holds the same, rename it to “{f.title_en}”.")


def _unknown_hint(f, file_format: str = "csv") -> tuple[str, str]:
    cs, en = (f.name, f.name) if file_format == "database" else (f.title_cs, f.title_en)
    return (f" Nejde o pole „{f.title_cs}“ ({f.name})? Pokud ano, přejmenujte sloupec na „{cs}“.",
            f" Did you mean the field “{f.title_en}” ({f.name})? If so, rename the column to “{en}”.")


def _blocked(table: str, rows: dict[str, int], *, with_other_data: bool = False) -> tuple:
    """Analyses that need ``table`` and whose other tables are in the folder with rows (with
    ``with_other_data``, only analyses that need at least one such other table)."""
    return tuple(a for a in analyses_needing(table)
                 if all(rows.get(t, 0) > 0 for t in a.tables if t != table)
                 and (not with_other_data or any(t != table for t in a.tables)))


def _consequence(blocked: tuple, source_kind: str = "folder") -> tuple[str, str]:
    if not blocked:
        others = ("tabulky", "tables") if source_kind == "database" else ("soubory", "files")
        return (f"analýzy, které ostatní {others[0]} umožňují, ji nepotřebují.",
                f"none of the analyses the other {others[1]} allow needs it.")
    return (f"bez ní nelze provést: {titles(blocked, 'cs')}.",
            f"without it these analyses cannot run: {titles(blocked, 'en')}.")


def _conform(check: TableCheck, keep: np.ndarray) -> pd.DataFrame:
    """The kept rows as the data conventions promise: schema columns, codes as Categorical, typed."""
    schema: TableSchema = check.schema
    n = int(keep.sum())
    columns = {}
    for f in schema.fields:
        if f.name in check.parsed:
            values = check.values(f.name)[keep].reset_index(drop=True)
        else:
            values = pd.Series([None] * n, dtype=object)
        columns[f.name] = _typed(values, f)
    return pd.DataFrame(columns, index=pd.RangeIndex(n))


def _typed(values: pd.Series, f) -> pd.Series:
    if f.is_categorical:
        return pd.Series(pd.Categorical(values.astype(object), categories=list(f.codes)))
    if f.type == "date":
        return pd.to_datetime(values).astype("datetime64[ns]")
    if f.type == "integer":
        return values.astype("Int64")
    if f.type == "number":
        return values.astype("float64")
    if f.type == "boolean":
        return values.astype("boolean")
    return values.astype(object).where(values.notna(), None)
