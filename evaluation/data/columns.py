"""Match the column headers of a file to the fields of the contract.

A header may be the field name, its Czech or English title, or one of the
field's ``aliases`` in the contract JSON (headers municipal systems are known to
export, e.g. "datum_konce" for ``end_date``), in any case, with or without
accents, with ``_``/``-``/spaces interchangeable, and with or without the unit in
brackets ("Předpis (Kč)" or "Předpis").

Example
-------
>>> from evaluation.data.schema import get_schema
>>> m = match_headers(["Datum Konce", "tenancy_id", "poznámka"], get_schema().table("tenancies"))
>>> m.columns, m.unknown
({'end_date': 0, 'tenancy_id': 1}, [2])
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from evaluation.data.schema import TableSchema, get_schema, normalise_label


def header_key(text: str) -> str:
    """Normalised header: case, accents, ``_``, ``-``, ``.`` and spacing do not matter."""
    return " ".join(re.sub(r"[-.:/]", " ", normalise_label(text)).split())


@lru_cache(maxsize=8)
def _aliases(folder: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """``aliases`` of every field, read from the contract JSON (the schema reader does not keep them)."""
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for resource in package["resources"]:
        raw = json.loads((folder / resource["schema"]).read_text(encoding="utf-8"))
        out[raw["name"]] = {f["name"]: tuple(f.get("aliases", ())) for f in raw["fields"]}
    return out


def field_aliases(table: str) -> dict[str, tuple[str, ...]]:
    """Extra header spellings per field of ``table``."""
    return _aliases(get_schema().folder).get(table, {})


def field_lookup(table: TableSchema) -> dict[str, str]:
    """Every accepted header spelling of ``table`` mapped to its field name (ambiguous ones left out)."""
    seen: dict[str, set[str]] = {}
    aliases = field_aliases(table.name)
    for f in table.fields:
        for spelling in (f.name, f.title_cs, f.title_en, *aliases.get(f.name, ())):
            for variant in (spelling, re.sub(r"\s*\([^)]*\)", "", spelling)):
                key = header_key(variant)
                if key:
                    seen.setdefault(key, set()).add(f.name)
    return {key: next(iter(names)) for key, names in seen.items() if len(names) == 1}


@dataclass(frozen=True)
class HeaderMatch:
    """``columns`` maps field -> column position; ``duplicates`` fields matched by several columns."""
    columns: dict[str, int]
    duplicates: dict[str, list[int]]
    unknown: list[int]


def match_headers(headers: list[str], table: TableSchema) -> HeaderMatch:
    lookup = field_lookup(table)
    found: dict[str, list[int]] = {}
    unknown: list[int] = []
    for position, header in enumerate(headers):
        name = lookup.get(header_key(header))
        if name is None:
            unknown.append(position)
        else:
            found.setdefault(name, []).append(position)
    columns = {name: positions[0] for name, positions in found.items() if len(positions) == 1}
    duplicates = {name: positions for name, positions in found.items() if len(positions) > 1}
    return HeaderMatch(columns, duplicates, unknown)
