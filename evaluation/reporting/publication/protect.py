"""Disclosure control over a whole run: every table of every scope protected together.

A hidden cell is only hidden if nothing else the run publishes gives it back. Each table is
first analysed on its own (:func:`evaluation.reporting.disclosure.analyse_table`: small counts,
margins, identities); then the tables are tied together:

* **the same number in two tables** -- tables of one *family* (a summary and its monthly or
  long-form detail, see :meth:`ResultsStore.add_table`) hold cells with the same dimensions
  and count column: they are one number, so hiding it in one table hides it in the other;
* **differencing between scopes** -- a count of the whole programme equals the sum of the
  same count in the municipality scopes plus a remainder no scope publishes (households of
  other municipalities). The remainder is treated as known when it is zero (a reader may
  know which municipalities took part) and as an unknown number >= 0 otherwise.

Secondary suppression and the integer-programming audit then run over the whole system of
cells and relations (:func:`evaluation.reporting.disclosure.secondary_suppression`), so that
no hidden cell can be recovered from any combination of published tables. Derived figures
(shares, means, survival estimates) follow their counts table by table. A table that cannot
be protected is coarsened (its totals dropped) and, failing that, withheld; what was done is
returned in words, for the report.

Example
-------
>>> protection = protect_run(tables, DisclosureRules())       # doctest: +SKIP
>>> protection.published[("all", "process", "reach")]         # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluation.errors import DisclosureError
from evaluation.reporting.disclosure import (
    DERIVED,
    PRIMARY,
    SECONDARY,
    WITHHELD,
    DisclosureRules,
    Relation,
    TableAnalysis,
    UnprotectableCells,
    analyse_table,
    exposed_however_hidden,
    hide_derived,
    is_total_label,
    relations_with_one_hidden,
    secondary_suppression,
)
from evaluation.reporting.publication.coarsen import coarsen_curve, drop_margins, has_margins
from evaluation.reporting.publication.internal import InternalTable

TableKey = tuple[str, str, str]
GlobalCell = tuple[Hashable, ...]
ALL = "all"
#: Rounds of coarsening before a table that still cannot be protected is withheld.
MAX_ROUNDS = 6


@dataclass
class TableOutcome:
    """What publication does with one table: its analysis (None when withheld), the cells it
    hides, and what was changed, in Czech and English."""

    table: InternalTable
    data: pd.DataFrame
    analysis: TableAnalysis | None = None
    suppressed: dict = field(default_factory=dict)
    share_hidden: int = 0
    changes: list[tuple[str, str]] = field(default_factory=list)
    withheld: tuple[str, str] | None = None
    public_cells: list[tuple[int, str]] = field(default_factory=list)  # counts of groups, published as they are


@dataclass
class RunProtection:
    """The protected run: one :class:`TableOutcome` per table, and the global relations used."""

    outcomes: dict[TableKey, TableOutcome]
    relations: list[Relation]
    rules: DisclosureRules

    def counts(self) -> dict[str, int]:
        """Published count cells, and how many of them are hidden by kind (for the summary)."""
        shown = hidden_primary = hidden_secondary = 0
        for outcome in self.outcomes.values():
            if outcome.analysis is None:
                continue
            for column in outcome.analysis.counts:
                for row in range(len(outcome.analysis.table)):
                    value = outcome.analysis.table.at[row, column]
                    if pd.isna(pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]):
                        continue
                    kind = outcome.suppressed.get((row, column))
                    shown += 1
                    hidden_primary += kind == PRIMARY
                    hidden_secondary += kind == SECONDARY
        return {"count_cells": shown, "primary": hidden_primary, "secondary": hidden_secondary,
                "withheld_tables": sum(o.analysis is None for o in self.outcomes.values())}


# --------------------------------------------------------------------------- canonical cells

def _dimensions(table: InternalTable, data: pd.DataFrame, counts: Sequence[str]) -> list[str]:
    declared = table.info.get("dimensions")
    if declared:
        return [d for d in declared if d in data.columns]
    text = set(table.info.get("text_columns", []))
    return [c for c in data.columns if c in text and c not in counts]


def _value_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value).strip()


def canonical_cells(table: InternalTable, analysis: TableAnalysis) -> dict[tuple[int, str], tuple]:
    """The identity of every count cell: ``(family, measure, dimensions)``, the same for the same
    number in any table of the family and in any scope."""
    data, counts = analysis.table, analysis.counts
    family = str(table.info.get("family") or table.name)
    wide = table.info.get("wide")
    dims = _dimensions(table, data, counts)
    keys = {}
    for spec in table.info.get("populations") or []:
        for row in _matching_rows(data, spec.get("row") or {}):
            if spec.get("column") in counts:
                by = tuple(sorted((d, _value_text(data.at[row, d])) for d in spec.get("dims") or []
                                  if d in data.columns))
                keys[(row, spec["column"])] = ("population", str(spec.get("name")), by)
    texts = [[(d, _value_text(v)) for v in data[d].tolist()] for d in dims]  # (rows are positions)
    for row in range(len(data)):
        base = tuple(column[row] for column in texts)
        for column in counts:
            if (row, column) in keys:
                continue
            if wide and column != analysis.n_column:
                dimension, measure = wide
                keys[(row, column)] = (family, measure, tuple(sorted(base + ((dimension, column),))))
            else:
                keys[(row, column)] = (family, column, tuple(sorted(base)))
    return keys


def _public_cells(table: InternalTable, data: pd.DataFrame) -> list[tuple[int, str]]:
    """Cells of the count columns in the rows ``public_rows`` names (rows that count groups or
    places, not people): published as they are."""
    cells = []
    for spec in table.info.get("public_rows") or []:
        for row in _matching_rows(data, spec):
            cells += [(row, c) for c in table.count_columns if c in data.columns]
    return cells


def _declared_dimensions(table: InternalTable, data: pd.DataFrame) -> list[str] | None:
    declared = table.info.get("dimensions")
    return [d for d in declared if d in data.columns] if declared else None


def _matching_rows(data: pd.DataFrame, selector: Mapping) -> list[int]:
    """Positions of the rows whose columns have the values of ``selector``."""
    mask = np.ones(len(data), dtype=bool)
    for column, value in selector.items():
        if column not in data.columns:
            return []
        mask &= data[column].map(_value_text).eq(_value_text(value)).to_numpy()
    return [int(r) for r in np.flatnonzero(mask)]


# --------------------------------------------------------------------------- the run-wide system

class _System:
    """Cells, values and relations of every table of the run, in global cell names."""

    def __init__(self, outcomes: Mapping[TableKey, TableOutcome], rules: DisclosureRules) -> None:
        self.rules = rules
        self.values: dict[GlobalCell, float] = {}
        self.relations: list[Relation] = []
        self.suppressed: dict[GlobalCell, str] = {}
        self.free: set[GlobalCell] = set()
        self.canonical: dict[GlobalCell, tuple] = {}
        self.tables: dict[TableKey, TableOutcome] = dict(outcomes)
        for key, outcome in outcomes.items():
            self._add_table(key, outcome)
        self._link_families()
        self._link_aggregates()
        self._link_scopes()

    @staticmethod
    def cell(key: TableKey, local: tuple[int, str]) -> GlobalCell:
        return (*key, *local)

    def _add_table(self, key: TableKey, outcome: TableOutcome) -> None:
        analysis = outcome.analysis
        if analysis is None:
            self._add_withheld(key, outcome)
            return
        for local, value in analysis.values.items():
            self.values[self.cell(key, local)] = value
        for local in analysis.free_cells:
            self.free.add(self.cell(key, local))
        for relation in analysis.relations:
            self.relations.append(Relation(self.cell(key, relation.total),
                                           tuple(self.cell(key, c) for c in relation.parts),
                                           tuple(self.cell(key, c) for c in relation.subtract)))
        for local, kind in outcome.suppressed.items():
            self.suppressed[self.cell(key, local)] = kind
        for spec in outcome.table.info.get("row_relations") or []:
            self._add_row_relation(key, analysis, spec)
        for local, canonical in canonical_cells(outcome.table, analysis).items():
            value = analysis.values.get(local, math.nan)
            if not math.isnan(value):
                self.canonical[self.cell(key, local)] = canonical

    def _add_row_relation(self, key: TableKey, analysis: TableAnalysis, spec: Mapping) -> None:
        """A declared identity between rows (``total = parts - subtract``) in every count column."""
        from evaluation.reporting.publication.keyfigures import find_row

        total = find_row(analysis.table, spec.get("total") or {})
        parts = [find_row(analysis.table, p) for p in spec.get("parts") or []]
        subtract = [find_row(analysis.table, p) for p in spec.get("subtract") or []]
        if total is None or None in parts or None in subtract or not parts:
            return
        for column in analysis.counts:
            cells = [(total, column), *((r, column) for r in parts), *((r, column) for r in subtract)]
            values = [analysis.values.get(c, math.nan) for c in cells]
            if any(math.isnan(v) for v in values):
                continue
            if abs(values[0] - sum(values[1:1 + len(parts)]) + sum(values[1 + len(parts):])) > 1e-9:
                continue
            self.relations.append(Relation(self.cell(key, cells[0]),
                                           tuple(self.cell(key, c) for c in cells[1:1 + len(parts)]),
                                           tuple(self.cell(key, c) for c in cells[1 + len(parts):])))

    def _add_withheld(self, key: TableKey, outcome: TableOutcome) -> None:
        """A withheld table's counts are unknown to a reader, but the same numbers may be
        published elsewhere (another scope, another table of the family): they stay in the
        system as withheld cells (>= 0), audited when small."""
        table = outcome.table
        try:
            analysis = analyse_table(outcome.data, count_columns=table.count_columns, n_column=table.n_column,
                                     rules=self.rules, name=table.label)
        except DisclosureError:
            return
        for local, canonical in canonical_cells(table, analysis).items():
            value = analysis.values.get(local, math.nan)
            if math.isnan(value):
                continue
            cell = self.cell(key, local)
            self.values[cell] = value
            self.suppressed[cell] = WITHHELD
            self.free.add(cell)
            self.canonical[cell] = canonical

    def _link_families(self) -> None:
        """The same number in two tables of a scope is one number."""
        by_key: dict[tuple, list[GlobalCell]] = {}
        for cell, canonical in self.canonical.items():
            by_key.setdefault((cell[0], canonical), []).append(cell)
        for cells in by_key.values():
            first = cells[0]
            for other in cells[1:]:
                if self.values[other] == self.values[first]:
                    self.relations.append(Relation(first, (other,)))

    def _link_aggregates(self) -> None:
        """A summary table's count that sums (or is the first or last of) counts of a detail table:
        ``aggregates`` of :meth:`ResultsStore.add_table`, matched on the dimensions they share."""
        for key, outcome in self.tables.items():
            specs = outcome.table.info.get("aggregates") or []
            if outcome.analysis is None or not specs:
                continue
            for spec in specs:
                detail_key = (key[0], key[1], spec.get("table"))
                detail = self.tables.get(detail_key)
                if detail is None or detail.analysis is None:
                    continue
                self._link_aggregate(key, outcome, detail_key, detail, spec)

    def _link_aggregate(self, key: TableKey, summary: TableOutcome, detail_key: TableKey, detail: TableOutcome,
                        spec: Mapping) -> None:
        summary_data, detail_data = summary.analysis.table, detail.analysis.table
        summary_dims = _dimensions(summary.table, summary_data, summary.analysis.counts)
        detail_dims = _dimensions(detail.table, detail_data, detail.analysis.counts)
        common = [d for d in summary_dims if d in detail_dims]
        wide = summary.table.info.get("wide")
        rules = dict(spec.get("columns") or {})
        if not rules and wide:  # a wide summary: each count column is a value of the wide dimension
            dimension, measure = wide
            rules = {c: {"column": measure, "where": {dimension: c}} for c in summary.analysis.counts
                     if c != summary.analysis.n_column and not is_total_label(c)}
        detail_text = {d: detail_data[d].map(_value_text) for d in detail_dims}
        for column, rule in rules.items():
            source = rule.get("column", column)
            if column not in summary_data.columns or source not in detail_data.columns:
                continue
            mask = np.ones(len(detail_data), dtype=bool)
            for dimension, value in (rule.get("where") or {}).items():
                if dimension in detail_text:
                    mask &= detail_text[dimension].eq(_value_text(value)).to_numpy()
            for row in range(len(summary_data)):
                total = self.cell(key, (row, column))
                if total not in self.values or math.isnan(self.values[total]):
                    continue
                rows = mask.copy()
                for dimension in common:
                    rows &= detail_text[dimension].eq(_value_text(summary_data.at[row, dimension])).to_numpy()
                picked = np.flatnonzero(rows)
                if not len(picked):
                    continue
                if rule.get("reduce") in ("first", "last"):
                    order = detail_text.get(rule.get("order", ""), pd.Series(range(len(detail_data))).astype(str))
                    ranked = picked[np.argsort(order.iloc[picked].to_numpy(), kind="stable")]
                    picked = ranked[:1] if rule["reduce"] == "first" else ranked[-1:]
                parts = [self.cell(detail_key, (int(r), source)) for r in picked]
                if any(p not in self.values or math.isnan(self.values[p]) for p in parts):
                    continue
                if abs(sum(self.values[p] for p in parts) - self.values[total]) > 1e-9:
                    continue
                self.relations.append(Relation(total, tuple(parts)))

    def _link_scopes(self) -> None:
        """The whole programme's count is the sum over the municipality scopes plus a remainder."""
        by_canonical: dict[tuple, dict[str, GlobalCell]] = {}
        for cell, canonical in self.canonical.items():
            by_canonical.setdefault(canonical, {}).setdefault(str(cell[0]), cell)
        for canonical, scopes in by_canonical.items():
            pooled = scopes.get(ALL)
            parts = [cell for scope, cell in scopes.items() if scope != ALL]
            if pooled is None or not parts:
                continue
            remainder = self.values[pooled] - sum(self.values[c] for c in parts)
            if remainder < 0:  # not additive over municipalities (e.g. a household in two of them)
                continue
            if remainder > 0:
                hidden = ("~remainder", *canonical)
                self.values[hidden] = remainder
                self.suppressed[hidden] = WITHHELD
                self.free.add(hidden)
                parts.append(hidden)
            self.relations.append(Relation(pooled, tuple(parts)))

    def by_table(self) -> dict[TableKey, dict[tuple[int, str], str]]:
        """The hidden cells of every table, in the table's own cell names (one pass over them all)."""
        tables: dict[TableKey, dict[tuple[int, str], str]] = {}
        for cell, kind in self.suppressed.items():
            if len(cell) == 5:
                tables.setdefault(cell[:3], {})[(cell[3], cell[4])] = kind
        return tables


def _withhold(outcome: TableOutcome, reason: tuple[str, str]) -> None:
    """Leave a table out: none of its cells is published (a reader knows only that they are >= 0)."""
    outcome.withheld = reason


def protect_run(tables: Iterable[InternalTable], rules: DisclosureRules) -> RunProtection:
    """Protect every table of a run together (see the module docstring)."""
    outcomes: dict[TableKey, TableOutcome] = {}
    for table in tables:
        data = table.data
        outcome = TableOutcome(table, data)
        curve = table.info.get("curve")
        if curve:
            outcome.data, note = coarsen_curve(data, curve, rules.threshold)
            if note:
                outcome.changes.append(note)
        outcomes[table.key] = outcome
        _analyse(outcome, rules)
    for _ in range(MAX_ROUNDS + len(outcomes)):
        try:
            return _protect(outcomes, rules)
        except UnprotectableCells as error:
            keys = getattr(error, "tables", set())
            if not keys:
                raise
            for key in keys:
                _coarsen(outcomes[key], rules)
    raise DisclosureError("small cells cannot be protected even after coarsening the tables that hold them")


def _analyse(outcome: TableOutcome, rules: DisclosureRules) -> None:
    table, data = outcome.table, outcome.data
    outcome.public_cells = _public_cells(table, data)
    present = set(data.columns)
    relations = [r for r in table.info.get("relations", ())
                 if {r["total"], *r["parts"], *r.get("subtract", ()), *(r.get("by") or ())} <= present]
    try:
        outcome.analysis = analyse_table(data, count_columns=[c for c in table.count_columns if c in present],
                                         n_column=table.n_column if table.n_column in present else None,
                                         rules=rules, name=table.label, relations=relations,
                                         follows=[c for c in table.info.get("follows", []) if c in data.columns],
                                         public=[c for c in table.info.get("public", []) if c in data.columns],
                                         dimensions=_declared_dimensions(table, data),
                                         shares=[c for c in table.info.get("percent_columns") or []
                                                 if c in data.columns],
                                         public_cells=outcome.public_cells)
    except DisclosureError as error:
        outcome.analysis = None
        _withhold(outcome, (f"tabulku nelze zveřejnit: {error}", f"the table cannot be published: {error}"))


def _coarsen(outcome: TableOutcome, rules: DisclosureRules) -> None:
    """Make a table that cannot be protected coarser: drop its totals, else withhold it."""
    analysis = outcome.analysis
    if analysis is not None and has_margins(analysis.table, analysis.counts):
        outcome.data = drop_margins(analysis.table, analysis.counts)
        outcome.changes.append(("Součty byly vypuštěny, aby z nich nešlo dopočítat malé počty.",
                                "Totals were left out so that small counts cannot be worked out from them."))
        _analyse(outcome, rules)
        return
    outcome.analysis = None
    _withhold(outcome, ("tabulka by i bez součtů prozradila malé počty, proto se nezveřejňuje",
                        "even without its totals the table would reveal small counts, so it is not published"))


def _protect(outcomes: dict[TableKey, TableOutcome], rules: DisclosureRules) -> RunProtection:
    system = _system_worth_protecting(outcomes, rules)
    try:
        _suppress(outcomes, system, rules)
    except UnprotectableCells as error:
        error.tables = _tables_to_coarsen(outcomes, system, error.cells)
        raise
    hidden = system.by_table()
    for key, outcome in outcomes.items():
        outcome.suppressed = dict(hidden.get(key, {})) if outcome.analysis is not None else {}
    return RunProtection(outcomes, system.relations, rules)


def _system_worth_protecting(outcomes: Mapping[TableKey, TableOutcome], rules: DisclosureRules) -> _System:
    """The run's system of cells with only the small ones hidden, once the tables whose small cells
    no complement can protect (:func:`~evaluation.reporting.disclosure.exposed_however_hidden`)
    are coarsened: found before any complement is chosen, not after rounds of complements that
    could not help them, and again after each coarsening (a table without totals may still be
    hopeless, and is then withheld)."""
    for _ in range(2 * len(outcomes) + 1):  # each round coarsens a table, which happens twice at most
        for outcome in outcomes.values():
            outcome.suppressed = dict(outcome.analysis.primary) if outcome.analysis is not None else {}
        system = _System(outcomes, rules)
        hopeless = {key for cell in exposed_however_hidden(system.values, system.relations, system.suppressed,
                                                             rules, system.free)
                    if (key := tuple(cell[:3])) in outcomes and outcomes[key].analysis is not None}
        if not hopeless:
            return system
        for key in sorted(hopeless):
            _coarsen(outcomes[key], rules)
    raise DisclosureError("small cells cannot be protected even after coarsening the tables that hold them")


def _tables_to_coarsen(outcomes: Mapping[TableKey, TableOutcome], system: _System,
                       cells: Sequence[GlobalCell]) -> set[TableKey]:
    """The published tables that hold exposed cells or the numbers that pin them: the exposed
    cells' own tables, and where those are withheld already (or the cell is a remainder no table
    shows) the tables of every cell in a relation with them."""
    def table_of(cell: GlobalCell) -> TableKey | None:
        key = tuple(cell[:3]) if len(cell) == 5 else None
        return key if key in outcomes and outcomes[key].analysis is not None else None

    keys = {table_of(c) for c in cells} - {None}
    if keys:
        return keys
    exposed = set(cells)
    for relation in system.relations:
        if exposed & set(relation.cells):
            keys |= {table_of(c) for c in relation.cells} - {None}
    return keys


def _suppress(outcomes: Mapping[TableKey, TableOutcome], system: _System, rules: DisclosureRules) -> None:
    """Secondary suppression over the whole run, with the derived figures that hidden counts make
    revealing, until nothing changes."""
    safe: set[GlobalCell] = set()  # the same system throughout, only more hidden: safe cells stay safe
    secondary_suppression(system.values, system.relations, system.suppressed, rules, system.free, safe=safe)
    for _ in range(len(system.values) + 1):
        before = len(system.suppressed)
        hidden = system.by_table()
        for key, outcome in outcomes.items():
            if outcome.analysis is None:
                continue
            local = hidden.get(key, {})
            outcome.share_hidden = hide_derived(outcome.analysis, local, rules)
            for cell, kind in local.items():
                system.suppressed.setdefault(system.cell(key, cell), kind)
        if not relations_with_one_hidden(system.relations, system.suppressed) and len(system.suppressed) == before:
            break
        secondary_suppression(system.values, system.relations, system.suppressed, rules, system.free, safe=safe)
        if len(system.suppressed) == before:
            break


def derived_columns(analysis: TableAnalysis) -> list[str]:
    """Numeric columns that are not counts (shares, means, estimates) nor settings."""
    table = analysis.table
    return [c for c in table.columns if c not in analysis.counts and c not in analysis.public
            and c not in analysis.dimensions
            and pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])]


def round_published(value: float, *, share: bool) -> float:
    """A published derived figure: a share to 0.1 %, anything else to four significant digits
    (whole numbers from 1,000 up), which is what the reports show at most."""
    if value is None or not np.isfinite(value):
        return value
    if share:
        return round(float(value), 3)
    if value == 0:
        return 0.0
    digits = max(0, 3 - int(math.floor(math.log10(abs(value)))))
    return round(float(value), digits)
