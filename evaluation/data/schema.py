"""Read the data contract in ``data_schema/`` (Frictionless Table Schema JSON).

The JSON files are the single source of truth: the loader validates against
them, the synthetic generator writes what they describe, and the reports take
category labels in Czech and English from them.

Example
-------
>>> schema = get_schema()
>>> schema.table("tenancies").field("step").label("crisis", lang="cs")
'krizové bydlení'
>>> schema.table("tenancies").primary_key
('tenancy_id',)
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.resources import resource_dir

LANGS = ("cs", "en")


def schema_dir() -> Path:
    """Folder of the data contract (``data_schema/``; see :mod:`evaluation.resources`)."""
    return resource_dir("data_schema", "datapackage.json")


def normalise_label(text: str) -> str:
    """Case-, accent- and spacing-insensitive form used to match category labels."""
    text = unicodedata.normalize("NFKD", str(text).strip().casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.replace("_", " ").replace("–", "-").split())


@dataclass(frozen=True)
class Category:
    value: str
    label_en: str
    label_cs: str

    def label(self, lang: str = "cs") -> str:
        return self.label_cs if lang == "cs" else self.label_en


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # string, integer, number, boolean, date
    title_en: str
    title_cs: str
    description_en: str
    description_cs: str
    required: bool = False
    unique: bool = False
    minimum: float | None = None
    maximum: float | None = None
    categories: tuple[Category, ...] = ()
    aliases: tuple[str, ...] = ()  # further header spellings municipal systems are known to export
    unit: str | None = None  # "CZK" for money: no value has three decimals, which tells thousands apart
    may_be_absent: bool = False  # an optional column older exports lack (national codes): its absence is no warning

    @property
    def is_categorical(self) -> bool:
        return bool(self.categories)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.categories)

    def title(self, lang: str = "cs") -> str:
        return self.title_cs if lang == "cs" else self.title_en

    def description(self, lang: str = "cs") -> str:
        return self.description_cs if lang == "cs" else self.description_en

    def label(self, code: str, lang: str = "cs") -> str:
        """Label of a category code in ``lang``; unknown codes come back unchanged."""
        for category in self.categories:
            if category.value == code:
                return category.label(lang)
        return code

    def code_lookup(self) -> dict[str, str]:
        """Map every accepted spelling (code, Czech or English label) to the code."""
        lookup: dict[str, str] = {}
        for c in self.categories:
            for spelling in (c.value, c.label_en, c.label_cs):
                lookup[normalise_label(spelling)] = c.value
        return lookup


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


#: Rule types that check the codes in a column on their own (format, membership of a code list).
CODE_CHECKS = frozenset({"pattern", "in_code_list"})


@dataclass(frozen=True)
class Rule:
    """A cross-field rule: ``compare``, ``missing_iff``, ``no_overlap``, ``in_study_period``,
    ``first_of_month``, ``constant_within``, ``pattern`` or ``in_code_list``; ``params`` holds its
    other keys."""
    type: str
    description_en: str
    description_cs: str
    params: dict[str, Any] = field(default_factory=dict)

    def description(self, lang: str = "cs") -> str:
        return self.description_cs if lang == "cs" else self.description_en

    @property
    def checked_fields(self) -> tuple[str, ...]:
        """Every field whose values the rule looks at."""
        names = [self.params[k] for k in ("left", "right", "field", "when_field", "by", "start", "end")
                 if isinstance(self.params.get(k), str)]
        return tuple(dict.fromkeys([*names, *self.params.get("fields", ())]))

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the rule needs in the file (a rule whose fields are not all in the file cannot be
        checked, so a missing optional column it reads is worth a warning). The code checks
        (``pattern``, ``in_code_list``) need none: they judge codes that are there, and a file
        without the code column has nothing for them to judge."""
        return () if self.type in CODE_CHECKS else self.checked_fields


@dataclass(frozen=True)
class CodeList:
    """A code list bundled with the contract (``codeLists`` in datapackage.json, files in ``codes/``):
    municipalities, ORP areas, housing contact points. ``frame()`` reads it, every column as text."""
    name: str
    path: Path
    title_en: str
    title_cs: str
    key: tuple[str, ...]
    version: str
    source_en: str
    source_cs: str
    illustrative: bool = False

    def title(self, lang: str = "cs") -> str:
        return self.title_cs if lang == "cs" else self.title_en

    def source(self, lang: str = "cs") -> str:
        return self.source_cs if lang == "cs" else self.source_en

    def frame(self) -> pd.DataFrame:
        return _read_code_list(str(self.path)).copy()

    def values(self, column: str) -> frozenset[str]:
        """The codes in ``column`` of the list."""
        return _code_values(str(self.path), column)


@lru_cache(maxsize=16)
def _read_code_list(path: str) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@lru_cache(maxsize=32)
def _code_values(path: str, column: str) -> frozenset[str]:
    frame = _read_code_list(path)
    if column not in frame.columns:
        raise KeyError(f"the code list {Path(path).name} has no column {column!r}")
    return frozenset(frame[column])


@dataclass(frozen=True)
class TableSchema:
    name: str
    title_en: str
    title_cs: str
    description_en: str
    description_cs: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    rules: tuple[Rule, ...]
    missing_values: tuple[str, ...]
    required: bool = False

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"table {self.name!r} has no field {name!r}")

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def title(self, lang: str = "cs") -> str:
        return self.title_cs if lang == "cs" else self.title_en

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)


@dataclass(frozen=True)
class DataContract:
    name: str
    version: str
    study_period: tuple[str, str]
    tables: tuple[TableSchema, ...]
    folder: Path
    code_lists: tuple[CodeList, ...] = ()

    def code_list(self, name: str) -> CodeList:
        for c in self.code_lists:
            if c.name == name:
                return c
        known = ", ".join(c.name for c in self.code_lists) or "none"
        raise KeyError(f"the data contract has no code list {name!r} (known: {known})")

    def table(self, name: str) -> TableSchema:
        for t in self.tables:
            if t.name == name:
                return t
        known = ", ".join(self.table_names)
        raise KeyError(f"the data contract has no table {name!r} (known: {known})")

    @property
    def table_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tables)

    def label(self, table: str, field_name: str, code: str, lang: str = "cs") -> str:
        return self.table(table).field(field_name).label(code, lang)


def _as_tuple(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _parse_field(raw: dict[str, Any]) -> Field:
    c = raw.get("constraints", {})
    return Field(
        name=raw["name"], type=raw.get("type", "string"),
        title_en=raw.get("title", raw["name"]), title_cs=raw.get("title_cs", raw.get("title", raw["name"])),
        description_en=raw.get("description", ""), description_cs=raw.get("description_cs", ""),
        required=bool(c.get("required", False)), unique=bool(c.get("unique", False)),
        minimum=c.get("minimum"), maximum=c.get("maximum"),
        categories=tuple(Category(x["value"], x.get("label", x["value"]), x.get("label_cs", x.get("label", x["value"])))
                         for x in raw.get("categories", [])),
        aliases=tuple(raw.get("aliases", ())), unit=raw.get("unit"), may_be_absent=bool(raw.get("mayBeAbsent", False)),
    )


def _parse_table(raw: dict[str, Any], required: bool) -> TableSchema:
    rules = tuple(Rule(r["type"], r.get("description", ""), r.get("description_cs", r.get("description", "")),
                       {k: v for k, v in r.items() if k not in ("type", "description", "description_cs")})
                  for r in raw.get("rules", []))
    fks = tuple(ForeignKey(_as_tuple(fk["fields"]), fk["reference"]["resource"], _as_tuple(fk["reference"]["fields"]))
                for fk in raw.get("foreignKeys", []))
    return TableSchema(
        name=raw["name"], title_en=raw.get("title", raw["name"]), title_cs=raw.get("title_cs", raw["name"]),
        description_en=raw.get("description", ""), description_cs=raw.get("description_cs", ""),
        fields=tuple(_parse_field(f) for f in raw["fields"]),
        primary_key=_as_tuple(raw.get("primaryKey", [])), foreign_keys=fks, rules=rules,
        missing_values=tuple(raw.get("missingValues", [""])), required=required)


@lru_cache(maxsize=4)
def get_schema(folder: str | Path | None = None) -> DataContract:
    """Parse ``datapackage.json`` and every table schema it names (cached)."""
    root = Path(folder) if folder else schema_dir()
    package = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    tables = []
    for resource in package["resources"]:
        raw = json.loads((root / resource["schema"]).read_text(encoding="utf-8"))
        tables.append(_parse_table(raw, bool(resource.get("required", False))))
    period = package.get("studyPeriod", {})
    code_lists = tuple(CodeList(name=c["name"], path=root / c["path"], title_en=c.get("title", c["name"]),
                                title_cs=c.get("title_cs", c.get("title", c["name"])), key=_as_tuple(c.get("key", [])),
                                version=c.get("version", ""), source_en=c.get("source", ""),
                                source_cs=c.get("source_cs", c.get("source", "")),
                                illustrative=bool(c.get("illustrative", False)))
                       for c in package.get("codeLists", []))
    return DataContract(name=package["name"], version=package.get("version", ""),
                        study_period=(period.get("start", "1900-01-01"), period.get("end", "2100-12-31")),
                        tables=tuple(tables), folder=root, code_lists=code_lists)
