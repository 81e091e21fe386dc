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

import re
from dataclasses import dataclass

from evaluation.data.schema import TableSchema, normalise_label


def header_key(text: str) -> str:
    """Normalised header: case, accents, ``_``, ``-``, ``.`` and spacing do not matter."""
    return " ".join(re.sub(r"[-.:/]", " ", normalise_label(text)).split())


def field_lookup(table: TableSchema) -> dict[str, str]:
    """Every accepted header spelling of ``table`` mapped to its field name (ambiguous ones left out)."""
    seen: dict[str, set[str]] = {}
    for f in table.fields:
        for spelling in (f.name, f.title_cs, f.title_en, *f.aliases):
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
