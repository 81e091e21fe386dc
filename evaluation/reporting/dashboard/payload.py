"""What the dashboard shows, read from a *published* results folder only.

Every cell the page carries is a cell of a published table, with the text the reports print for
it in Czech and English (:func:`evaluation.reporting.assemble.cell_text`): the symbols of
disclosure control (``<5``, ``x``) stay as they are and carry no number. Internal folders are
refused by :meth:`evaluation.reporting.store.ResultsStore.read`, so the dashboard can never
show more than the reports do.

The *places* a user filters by are the contact points and districts the tables are broken down
by. A contact point's applications are counted by contact point and its processing by district;
a directory (CSV with ``contact_point``, ``district`` and ``region`` columns, e.g. the decree's
assignment of contact points to districts) joins them and names the region. Without one, a
contact point named like a district (``KMB Praha 7`` and ``Praha 7``) is one place, and the
region comes from a ``region`` column of the tables where they have one.

Example
-------
>>> payload = dashboard_payload("output/published/results")        # doctest: +SKIP
>>> [p["name"] for p in payload["places"]][:2]                    # doctest: +SKIP
['KMB MHMP', 'KMB Praha 10']
"""

from __future__ import annotations

import csv
import datetime as _dt
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from evaluation.errors import EvaluationError
from evaluation.reporting.disclosure import is_total_label
from evaluation.reporting.store import ALL_SCOPE, ResultsStore, StoredResults, StoredTable, slug

LANGS = ("cs", "en")


@dataclass(frozen=True)
class Panel:
    """A dashboard panel: which published table of which strand it reads, and the column that
    names a place (contact point or district) or a category in each row."""

    table: str
    strand: str
    key: str | None


#: The published tables the dashboard reads, in page order (see evaluation.runner.strands).
PANELS: tuple[Panel, ...] = (
    Panel("applications_received", "process", "contact_point"),
    Panel("applications_quarterly", "process", "contact_point"),
    Panel("decisions", "process", "district"),
    Panel("processing_time", "process", "district"),
    Panel("lost_applications", "process", "district"),
    Panel("tools_used", "process", "district"),
    Panel("equality_of_care", "process", None),
    Panel("ethos_counts", "need", "ethos_category"),
    Panel("ethos_counts_quarterly", "need", "ethos_category"),
)
#: Tables whose rows are contact points or districts (the places the filters choose).
PLACE_KEYS = ("contact_point", "district")
#: The tables that make a run's results "contact-point results" (a dashboard is worth writing).
CONTACT_POINT_TABLES = ("applications_received", "decisions", "processing_time", "lost_applications")
#: Words in front of a contact point's name that a district's name does not have.
_CONTACT_POINT_PREFIX = re.compile(r"^(kmb|km|kontaktni[- ]misto( pro bydleni)?)[- ]+")


def has_contact_point_results(results: StoredResults) -> bool:
    """True when any scope published a contact-point table (applications, decisions, ...)."""
    return any(name in strand.tables for strands in results.scopes.values()
               for strand in strands.values() for name in CONTACT_POINT_TABLES)


def _number(text: str) -> float | None:
    """The number a published cell holds, None for a hidden cell, an empty cell or a label."""
    text = text.strip()
    if not text or text.startswith("<") or text == "x":
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _percent_columns(table: StoredTable, columns: Iterable[str]) -> set[str]:
    from evaluation.reporting.labels import is_share_column

    if table.percent_columns is not None:
        return set(table.percent_columns)
    return {c for c in columns if is_share_column(c)}


@lru_cache(maxsize=65536)
def _cell_text(text: str, column: str, lang: str, percent: bool, result: str) -> str:
    """The reports' text of a cell (cached: a national run repeats the same counts many times)."""
    from evaluation.reporting.assemble import cell_text

    return cell_text(text, column, lang, percent=percent, result=result)


def table_payload(table: StoredTable, key: str | None) -> dict[str, Any]:
    """One published table as the page reads it: its columns (labels in both languages) and
    rows of cells ``[number or None, Czech text, English text]``, where the texts are the ones
    the reports print; ``k`` is the row's place or category as published."""
    from evaluation.reporting.assemble import _table_notes, column_header

    data = table.data
    columns = [str(c) for c in data.columns]
    percent = _percent_columns(table, columns)
    counts = set(table.count_columns)
    out_columns = []
    for column in columns:
        values = [str(v) for v in data[column]]
        numeric = any(_number(v) is not None for v in values) and all(
            _number(v) is not None or v.strip() in ("", "x") or v.startswith("<") for v in values)
        out_columns.append({"id": column, "label": [column_header(table, column, lang) for lang in LANGS],
                            "num": numeric, "count": column in counts, "pct": column in percent})
    rows = []
    for _, row in data.iterrows():
        cells = []
        for column in columns:
            text = str(row[column])
            cells.append([_number(text) if column != key else None,
                          *(_cell_text(text, column, lang, column in percent, table.name) for lang in LANGS)])
        raw_key = str(row[key]).strip() if key and key in data.columns else ""
        rows.append({"k": raw_key, "total": bool(raw_key) and is_total_label(raw_key), "c": cells})
    notes = []
    for lang in LANGS:
        shown, technical = _table_notes(table, lang, table.name)
        notes.append(shown + technical)
    return {"title": [table.title_cs, table.title_en], "key": key if key in columns else None,
            "columns": out_columns, "rows": rows,
            "notes": {"cs": notes[0], "en": notes[1]}}


def read_directory(path: str | os.PathLike[str] | None) -> list[dict[str, str]]:
    """The optional directory of places: a CSV (``,`` or ``;``, UTF-8) with any of the columns
    ``contact_point``, ``district``, ``region``; each row is one place."""
    if path is None:
        return []
    path = Path(path)
    if not path.is_file():
        raise EvaluationError(f"the directory of contact points {path} does not exist")
    text = path.read_text(encoding="utf-8-sig")
    header = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if header.count(";") > header.count(",") else ","
    rows = list(csv.DictReader(text.splitlines(), delimiter=delimiter))
    wanted = {"contact_point", "district", "region"}
    if not rows or not wanted & set(rows[0]):
        raise EvaluationError(f"the directory of contact points {path} needs a header row with at least one of "
                              "the columns contact_point, district, region")
    return [{k: (row.get(k) or "").strip() for k in wanted} for row in rows]


def _place_id(name: str) -> str:
    """The name a contact point and its district share: ``KMB Praha 7`` and ``Praha 7`` -> ``praha-7``."""
    return _CONTACT_POINT_PREFIX.sub("", slug(name))


def places(results: StoredResults, directory: list[dict[str, str]] = ()) -> list[dict[str, Any]]:
    """The contact points and districts the published tables break down by, joined into places,
    each with the names rows carry (``keys``) and its region ("" when unknown)."""
    seen: dict[str, dict[str, Any]] = {}
    table_regions: dict[str, str] = {}
    for strands in results.scopes.values():
        for panel in PANELS:
            strand = strands.get(panel.strand)
            table = strand.tables.get(panel.table) if strand else None
            if table is None or panel.key not in PLACE_KEYS or panel.key not in table.data.columns:
                continue
            for _, row in table.data.iterrows():
                name = str(row[panel.key]).strip()
                if not name or is_total_label(name):
                    continue
                if "region" in table.data.columns and str(row["region"]).strip():
                    table_regions[name] = str(row["region"]).strip()
                seen.setdefault(name, {"kind": panel.key})
    groups: dict[str, dict[str, Any]] = {}
    by_name: dict[str, str] = {}
    for entry in directory:
        names = [entry[k] for k in PLACE_KEYS if entry.get(k)]
        if not names:
            continue
        group_id = slug(names[0])
        group = groups.setdefault(group_id, {"name": names[0], "keys": [], "region": entry.get("region", "")})
        for name in names:
            if name not in group["keys"]:
                group["keys"].append(name)
            by_name[name] = group_id
    for name, info in sorted(seen.items()):
        if name in by_name:
            continue
        group_id = _place_id(name)
        group = groups.setdefault(group_id, {"name": name, "keys": [], "region": ""})
        group["keys"].append(name)
        if info["kind"] == "contact_point":
            group["name"] = name  # a place is named after its contact point where it has one
        by_name[name] = group_id
    out = []
    for group_id, group in groups.items():
        if not any(k in seen for k in group["keys"]):
            continue  # a directory entry with no published rows
        region = group["region"] or next((table_regions[k] for k in group["keys"] if k in table_regions), "")
        out.append({"id": group_id, "name": group["name"], "keys": group["keys"], "region": region})
    return sorted(out, key=lambda p: (p["region"], p["name"]))


def _scope_names(scope: str) -> list[str]:
    if slug(scope) == ALL_SCOPE:
        return ["Celý program", "Whole programme"]
    return [scope, scope]


def dashboard_payload(published: str | os.PathLike[str], *,
                      directory: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Everything the page shows, from the published results folder ``published`` (an internal
    folder raises DisclosureError). Raises EvaluationError when it holds no contact-point results."""
    from evaluation import __version__

    results = ResultsStore.read(published)
    if not has_contact_point_results(results):
        raise EvaluationError(
            f"the published results in {published} hold no contact-point tables ("
            + ", ".join(CONTACT_POINT_TABLES) + "), so there is nothing for a dashboard to show; run the "
            "process strand on data with an applications table")
    scopes = []
    thresholds = []
    dates = []
    for scope in results.scope_names():
        strands = results.scopes[scope]
        tables = {}
        for panel in PANELS:
            strand = strands.get(panel.strand)
            if strand is not None and panel.table in strand.tables:
                tables[panel.table] = table_payload(strand.tables[panel.table], panel.key)
        for strand in strands.values():
            threshold = (strand.meta.get("disclosure") or {}).get("threshold")
            thresholds += [int(threshold)] if threshold else []
            dates += [str(strand.meta["date"])] if strand.meta.get("date") else []
        if tables:
            scopes.append({"id": slug(scope), "name": _scope_names(scope), "tables": tables})
    found = places(results, read_directory(directory))
    return {
        "places": found,
        "regions": sorted({p["region"] for p in found if p["region"]}),
        "scopes": scopes,
        "threshold": max(thresholds) if thresholds else None,
        "results_date": max(dates) if dates else "",
        "built": _dt.date.today().isoformat(),
        "version": __version__,
    }


def payload_numbers(payload: Mapping[str, Any]) -> list[float]:
    """Every number the page's data carry (the ``v`` of each cell), for checks."""
    return [cell[0] for scope in payload["scopes"] for table in scope["tables"].values()
            for row in table["rows"] for cell in row["c"] if cell[0] is not None]
