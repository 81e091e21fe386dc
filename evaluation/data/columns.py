"""Match the column headers of a file to the fields of the contract.

A header may be the field name, its Czech or English title, or one of the
field's ``aliases`` in the contract JSON (headers municipal systems are known to
export, e.g. "datum_konce" for ``end_date``), in any case, with or without
accents, with ``_``/``-``/spaces interchangeable, and with or without the unit in
brackets ("Předpis (Kč)" or "Předpis").

A header that matches nothing may still mean a field the file lacks ("Datum ukončení" for
``end_date``): :func:`header_similarity` scores it, accent- and case-insensitively, against
every spelling of a field, so that the loader can ask "did you mean …?".

Example
-------
>>> from evaluation.data.schema import get_schema
>>> tenancies = get_schema().table("tenancies")
>>> m = match_headers(["Datum Konce", "tenancy_id", "poznámka"], tenancies)
>>> m.columns, m.unknown
({'end_date': 0, 'tenancy_id': 1}, [2])
>>> round(header_similarity("Datum ukončení nájmu", tenancies.field("end_date")), 2)
0.82
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from evaluation.data.schema import Field, TableSchema, normalise_label

#: A header at least this similar to a spelling of a field is offered as that field ("did you mean").
SUGGEST_AT = 0.6
_SHORT = 5  # below this many letters, similarity by chance is high: ask for more


def header_key(text: str) -> str:
    """Normalised header: case, accents, ``_``, ``-``, ``.`` and spacing do not matter."""
    return " ".join(re.sub(r"[-.:/]", " ", normalise_label(text)).split())


def spellings(f: Field) -> tuple[str, ...]:
    """Every header spelling the contract accepts for ``f`` (name, titles, aliases), normalised."""
    keys = []
    for spelling in (f.name, f.title_cs, f.title_en, *f.aliases):
        for variant in (spelling, re.sub(r"\s*\([^)]*\)", "", spelling)):
            key = header_key(variant)
            if key:
                keys.append(key)
    return tuple(dict.fromkeys(keys))


def header_similarity(header: str, f: Field) -> float:
    """How close ``header`` is to the nearest spelling of ``f`` (0–1; accents, case, ``_``/``-`` ignored)."""
    key = header_key(re.sub(r"\s*\([^)]*\)", "", header)) or header_key(header)
    if not key:
        return 0.0
    best = 0.0
    for spelling in spellings(f):
        ratio = SequenceMatcher(None, key, spelling).ratio()
        if min(len(key), len(spelling)) < _SHORT and ratio < 0.8:
            ratio = 0.0
        best = max(best, ratio)
    return best


def field_lookup(table: TableSchema) -> dict[str, str]:
    """Every accepted header spelling of ``table`` mapped to its field name (ambiguous ones left out)."""
    seen: dict[str, set[str]] = {}
    for f in table.fields:
        for key in spellings(f):
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


def suggest_columns(raw, table: TableSchema, missing: list[Field], unknown: list[int]) -> dict[int, str]:
    """Unknown columns that probably mean a missing field: column position -> field name.

    A pair needs a header similar to a spelling of the field (:data:`SUGGEST_AT`) and values the
    field can hold (at most a fifth of a sample fails to parse as the field's type); each field and
    each column is offered once, the most similar pairs first.
    """
    from evaluation.data.parsing import parse_column

    pairs = []
    for position in unknown:
        header = raw.headers[position]
        for f in missing:
            score = header_similarity(header, f)
            if score >= SUGGEST_AT:
                pairs.append((score, position, f))
    chosen: dict[int, str] = {}
    taken: set[str] = set()
    for score, position, f in sorted(pairs, key=lambda p: -p[0]):
        if position in chosen or f.name in taken:
            continue
        sample = raw.frame[position].dropna().iloc[:200].reset_index(drop=True)
        parsed = parse_column(sample, f, table.missing_values, excel=raw.file_format == "xlsx")
        filled = ~parsed.missing
        if filled.any() and parsed.invalid[filled].mean() > 0.2:
            continue
        chosen[position] = f.name
        taken.add(f.name)
    return chosen
