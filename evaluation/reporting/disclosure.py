"""Statistical disclosure control for published tables.

Every table that enters a results folder passes through :func:`protect_table`, and
the renderer checks it again with :func:`check_published`, so that no report can show a
cell from which a household could be recognised.

Rules (threshold ``t``, default 5):

* **Primary suppression.** A count ``0 < n < t`` is shown as ``"<t"`` (e.g. ``"<5"``).
  Counts are the columns named in ``count_columns`` plus ``n_column``.
* **Zeros are published.** A count of 0 is shown as 0: a structural or true zero names
  nobody, and statistical offices commonly publish them. Zeros are never used as
  complementary cells (hiding a zero protects nothing). ``suppress_zeros=True`` treats
  0 like a small count instead.
* **Secondary suppression.** A small cell must not be recomputable from what is shown.
  Relations come from margins (a row whose label is ``total``/``Celkem``/``all`` in a
  category column, or a count column named ``total``/``celkem``) and from identities
  without a label (:mod:`evaluation.reporting.identities`): a column that is the sum or
  difference of others in every row (``received = excluded + loaded``), a column repeated
  within groups that equals the group sum of another (``n_from`` of a transitions table),
  a stock carried to the next row of its group, and identities the caller declares
  (``relations=[("received", ["excluded", "loaded"])]``). Each relation must hide either no
  cell or at least two, otherwise the hidden cell is the total minus the others. The
  smallest non-zero visible cells are hidden as complements (shown as ``"x"``), preferring
  inner cells to totals, count cells to other columns, and cells that also close another
  relation. The result is then audited by linear programming (:func:`audit`): for each
  hidden cell the attacker's smallest and largest feasible value given every visible
  number, every relation and what the symbols say (``"<5"`` means 1..4, ``"x"`` on a count
  means at least 5, ``"x"`` elsewhere any number >= 0) must admit at least two integers;
  otherwise more complements are added. Relations are taken only where they really hold
  in the data; declared ones that do not are listed in the notes.
* **Derived figures.** Numbers in the same row as ``n_column`` (shares, means, confidence
  limits) are shown as ``"x"`` when that ``n`` is below ``t``. A column named like a
  share (``share``, ``proportion``, ``percent``, ``pct``, ``podil``) whose numerator
  ``round(share * n)`` is between 1 and ``t - 1`` is hidden too, since share and ``n``
  together give the small count. Any derived column that equals one column divided by
  another (or 100 times that; ``share = count / n_from``, ``percent_of_plan``, an estimate
  that is a plain proportion) is hidden in each row where its numerator or denominator is
  hidden, with its standard error and confidence limits.
* **Household-level guard.** :func:`check_not_household_level` refuses a table with an
  identifier column (``household_id``, ``applicant_id``, ``tenancy_id``, ``unit_id``,
  ``application_id``, ``contact_id``, any ``*_id``, birth numbers, names), values that look
  like birth numbers or pseudonyms, or rows that are single households (every count 1).

Example
-------
>>> import pandas as pd
>>> table = pd.DataFrame({"district": ["Praha 3", "Praha 7", "Praha 10", "total"],
...                       "households": [3, 12, 20, 35]})
>>> protected = protect_table(table, count_columns=("households",))
>>> protected.table["households"].tolist()
['<5', 'x', 20, 35]
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import DisclosureError
from evaluation.forked import map_forked
from evaluation.reporting.identities import (
    Cell,
    ColumnRelation,
    Relation,
    companion_columns,
    find_identities,
    find_ratios,
    whole_number_columns,
)

__all__ = ["Cell", "ColumnRelation", "DisclosureRules", "ProtectedTable", "PublishedTableCheck", "Relation",
           "RelationIndex", "TableAnalysis", "UnprotectableCells", "WITHHELD", "analyse_table", "audit",
           "check_not_household_level", "check_published", "exposed_however_hidden", "find_relations",
           "hide_derived", "is_total_label", "protect_table", "published_values",
           "relations_from_summary", "secondary_suppression"]

#: Category labels and column names that mark a margin (compared without case or accents).
TOTAL_LABELS = frozenset({"total", "celkem", "all", "vse", "vsichni", "sum", "soucet", "overall"})

#: Column names that are direct identifiers or pseudonyms of households, people, flats or records.
IDENTIFIER_COLUMNS = frozenset({
    "household_id", "applicant_id", "tenancy_id", "unit_id", "application_id", "contact_id",
    "person_id", "client_id", "case_id", "id", "birth_number", "rodne_cislo", "rc", "name",
    "first_name", "last_name", "surname", "jmeno", "prijmeni", "address", "adresa",
    "date_of_birth", "birth_date", "datum_narozeni", "email", "phone", "telefon",
})

SHARE_NAME = re.compile(r"(^|_)(share|proportion|percent|pct|podil)(_|$)")
BIRTH_NUMBER = re.compile(r"^\d{6}/?\d{3,4}$")
PSEUDONYM = re.compile(r"^[0-9a-f]{16,}$", re.IGNORECASE)

PRIMARY, SECONDARY, DERIVED = "primary", "secondary", "derived"
#: A cell that is not published at all (its table is left out, or it is the part of a pooled
#: figure that no published scope holds): the attacker knows only that it is >= 0, yet a small
#: one must still not be recoverable from what is published.
WITHHELD = "withheld"


class UnprotectableCells(DisclosureError):
    """Small cells that no complement can protect; ``cells`` names them."""

    def __init__(self, message: str, cells: Sequence[object]) -> None:
        super().__init__(message)
        self.cells = tuple(cells)


def _plain(text: object) -> str:
    folded = unicodedata.normalize("NFKD", str(text).strip().casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).replace(" ", "_")


def is_total_label(value: object) -> bool:
    """True for ``total``, ``Celkem``, ``all`` and similar margin labels (any case or accents)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    plain = _plain(value)
    return plain in TOTAL_LABELS or plain.endswith("_total") or plain.startswith("total_")


@dataclass(frozen=True)
class DisclosureRules:
    """How small cells are protected.

    ``threshold`` is the smallest count that may be shown; ``suppress_zeros`` hides zeros
    as if they were small counts (default: zeros are published).
    """

    threshold: int = 5
    suppress_zeros: bool = False
    secondary_symbol: str = "x"

    def __post_init__(self) -> None:
        if int(self.threshold) != self.threshold or self.threshold < 2:
            raise DisclosureError(f"disclosure threshold must be a whole number of at least 2, got {self.threshold!r}")

    @property
    def primary_symbol(self) -> str:
        return f"<{self.threshold}"

    def is_small(self, value: float) -> bool:
        """True when a count must be hidden by primary suppression."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        return value < self.threshold and (value > 0 or (self.suppress_zeros and value == 0))

    def as_dict(self) -> dict[str, object]:
        return {"threshold": self.threshold, "suppress_zeros": self.suppress_zeros,
                "primary_symbol": self.primary_symbol, "secondary_symbol": self.secondary_symbol}


@dataclass(frozen=True)
class ProtectedTable:
    """A table after disclosure control.

    ``table`` holds the published values (suppressed cells replaced by their symbol);
    ``suppressed`` maps each hidden cell ``(row position, column)`` to ``primary``,
    ``secondary`` or ``derived``; ``relations`` are the margins used; ``notes`` say what
    was done, in English and Czech.
    """

    table: pd.DataFrame
    suppressed: dict[Cell, str]
    relations: tuple[Relation, ...]
    rules: DisclosureRules
    notes_en: tuple[str, ...] = ()
    notes_cs: tuple[str, ...] = ()

    def count(self, kind: str) -> int:
        return sum(1 for k in self.suppressed.values() if k == kind)

    def summary(self) -> dict[str, object]:
        """JSON-ready description of what was hidden (stored beside the table)."""
        return {**self.rules.as_dict(),
                "primary": self.count(PRIMARY), "secondary": self.count(SECONDARY),
                "derived": self.count(DERIVED),
                "cells": [[row, col, kind] for (row, col), kind in sorted(self.suppressed.items(),
                                                                          key=lambda x: (x[0][0], x[0][1]))],
                "relations": [_relation_record(r) for r in self.relations],
                "notes_en": list(self.notes_en), "notes_cs": list(self.notes_cs)}


def _relation_record(relation: Relation) -> list:
    record = [relation.total[0], relation.total[1], [list(c) for c in relation.parts]]
    if relation.subtract:
        record.append([list(c) for c in relation.subtract])
    return record


# --------------------------------------------------------------------------- guards

def check_not_household_level(table: pd.DataFrame, name: str, *, count_columns: Sequence[str] = (),
                              n_column: str | None = None) -> None:
    """Raise :class:`DisclosureError` if ``table`` looks like household-level rows.

    Example
    -------
    >>> check_not_household_level(pd.DataFrame({"household_id": ["H1"]}), "flows")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    evaluation.errors.DisclosureError: table 'flows' has the identifier column 'household_id'; ...
    """
    for column in table.columns:
        plain = _plain(column)
        if plain in IDENTIFIER_COLUMNS or plain.endswith("_id"):
            raise DisclosureError(
                f"table {name!r} has the identifier column {column!r}; a published table must hold "
                "aggregates only (counts, shares, estimates), never one row per household, person, "
                "flat or record. Aggregate first, or drop the column.")
    for column in table.columns:
        values = table[column]
        if values.dtype != object and not isinstance(values.dtype, pd.StringDtype):
            continue
        text = values.dropna().astype(str).str.strip()
        if len(text) == 0:
            continue
        if text.str.match(BIRTH_NUMBER).mean() > 0.5:
            raise DisclosureError(f"table {name!r}, column {column!r} holds values that look like birth "
                                  "numbers (rodná čísla); they must never reach an output.")
        if text.str.match(PSEUDONYM).mean() > 0.5 and text.nunique() == len(text) and len(text) > 1:
            raise DisclosureError(f"table {name!r}, column {column!r} holds unique hash-like values that "
                                  "look like pseudonymous identifiers; publish aggregates only.")
    counts = [c for c in (*count_columns, *( [n_column] if n_column else [])) if c in table.columns]
    if counts and len(table) > 2:
        values = pd.concat([pd.to_numeric(table[c], errors="coerce") for c in counts]).dropna()
        if len(values) and bool((values == 1).all()):
            raise DisclosureError(
                f"table {name!r} looks household-level: every count in {', '.join(map(repr, counts))} "
                "is 1, i.e. one row per household. Aggregate before publishing.")


# --------------------------------------------------------------------------- margins

def _dimension_columns(table: pd.DataFrame, numeric_columns: set[str]) -> list[str]:
    return [c for c in table.columns if c not in numeric_columns and not (
        pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c]))]


def find_relations(table: pd.DataFrame, count_columns: Sequence[str],
                   dimensions: Sequence[str] | None = None) -> tuple[list[Relation], list[str]]:
    """Additive relations of ``table`` from its total rows and total columns.

    ``dimensions`` are the columns that say what a row is (default: every column that is not a
    number). Returns the relations that hold exactly in the data, and English notes about
    totals that do not add up (those are not used as relations).
    """
    relations: list[Relation] = []
    problems: list[str] = []
    values = {c: pd.to_numeric(table[c], errors="coerce").to_numpy(dtype=float) for c in count_columns}
    dims = list(dimensions) if dimensions is not None else _dimension_columns(table, set(count_columns))

    # total rows: a category column whose value is a total label, per combination of the others
    for dim in dims:
        is_total = table[dim].map(is_total_label).to_numpy(dtype=bool)
        if not is_total.any():
            continue
        others = [d for d in dims if d != dim]
        keys = (table[others].astype(str).agg("\x1f".join, axis=1) if others
                else pd.Series([""] * len(table), index=table.index)).to_numpy()
        for key in pd.unique(keys):
            rows = [int(r) for r in np.flatnonzero(keys == key)]
            totals = [r for r in rows if is_total[r]]
            parts = [r for r in rows if not is_total[r]]
            if len(totals) != 1 or not parts:
                if len(totals) > 1:
                    problems.append(f"{len(totals)} total rows in '{dim}' for one group; not used as a margin")
                continue
            for column in count_columns:
                part_values = values[column][parts]
                total_value = values[column][totals[0]]
                if np.isnan(total_value) or np.isnan(part_values).any():
                    continue
                if abs(part_values.sum() - total_value) > 1e-9:
                    problems.append(f"the total of '{column}' in '{dim}' ({total_value:g}) is not the sum "
                                    f"of its parts ({part_values.sum():g}); not used as a margin")
                    continue
                relations.append(Relation((totals[0], column), tuple((r, column) for r in parts)))

    # total columns: a count column named like a total, the other count columns its parts
    total_columns = [c for c in count_columns if is_total_label(c)]
    if len(total_columns) == 1:
        total_column = total_columns[0]
        part_columns = [c for c in count_columns if c != total_column]
        for row in range(len(table)):
            part_values = np.array([values[c][row] for c in part_columns])
            if not part_columns or np.isnan(part_values).any() or np.isnan(values[total_column][row]):
                continue
            if abs(part_values.sum() - values[total_column][row]) > 1e-9:
                problems.append(f"row {row + 1}: '{total_column}' is not the sum of "
                                f"{', '.join(part_columns)}; not used as a margin")
                continue
            relations.append(Relation((row, total_column), tuple((row, c) for c in part_columns)))
    return relations, problems


# --------------------------------------------------------------------------- audit

def _bounds(kind: str, rules: DisclosureRules, free: bool = False) -> tuple[float, float | None]:
    if kind == WITHHELD:
        return 0.0, None
    if kind == PRIMARY:
        return (0.0 if rules.suppress_zeros else 1.0), float(rules.threshold - 1)
    if free:  # a hidden whole number outside the count columns: the symbol says nothing about its size
        return 0.0, None
    return float(rules.threshold), None  # a complement is a visible-size count (never zero)


def _equation(relation: Relation, values: Mapping[Cell, float],
              hidden: set[Cell]) -> tuple[dict[Cell, float], float] | None:
    """The relation as ``sum(coefficient * hidden cell) = constant`` from the visible cells (None
    when it holds no hidden cell)."""
    coefficients: dict[Cell, float] = {}
    constant = 0.0
    for sign, cell in relation.terms():
        if cell in hidden:
            coefficients[cell] = coefficients.get(cell, 0.0) + sign
        else:
            constant += sign * values[cell]
    coefficients = {c: v for c, v in coefficients.items() if v}
    return (coefficients, -constant) if coefficients else None


def _equations(values: Mapping[Cell, float], relations: Iterable[Relation],
               hidden: set[Cell]) -> list[tuple[dict[Cell, float], float]]:
    """Each relation with a hidden cell as an equation (see :func:`_equation`)."""
    return [equation for relation in relations if (equation := _equation(relation, values, hidden)) is not None]


class RelationIndex:
    """The relations of a system of cells, indexed by cell: the groups of linked hidden cells around
    a few cells are then found without going over the whole system (:func:`audit` with ``only``).

    Example
    -------
    >>> index = RelationIndex([Relation((2, "n"), ((0, "n"), (1, "n")))])
    >>> index.groups({(0, "n"): 3, (1, "n"): 9, (2, "n"): 12}, {(0, "n"), (1, "n")}, [(0, "n")])
    [[({(0, 'n'): 1.0, (1, 'n'): 1.0}, 12.0)]]
    """

    def __init__(self, relations: Iterable[Relation]) -> None:
        self.relations = list(relations)
        self.of: dict[Cell, list[int]] = {}
        for i, relation in enumerate(self.relations):
            for cell in dict.fromkeys(relation.cells):
                self.of.setdefault(cell, []).append(i)

    def groups(self, values: Mapping[Cell, float], hidden: set[Cell],
               start: Iterable[Cell]) -> list[list[tuple[dict[Cell, float], float]]]:
        """The equations of each group of hidden cells linked to a ``start`` cell (the groups
        :func:`_components` forms, each equation in the order of the relations)."""
        equations: dict[int, tuple[dict[Cell, float], float]] = {}
        placed: set[Cell] = set()
        groups = []
        for first in start:
            if first in placed or first not in hidden:
                continue
            placed.add(first)
            queue, members = [first], []
            while queue:
                cell = queue.pop()
                for i in self.of.get(cell, ()):
                    if i in equations:
                        continue
                    equation = _equation(self.relations[i], values, hidden)
                    if equation is None or cell not in equation[0]:
                        continue  # the cell cancels out here; its other cells may still link it
                    equations[i] = equation
                    members.append(i)
                    for other in equation[0]:
                        if other not in placed:
                            placed.add(other)
                            queue.append(other)
            if members:
                groups.append([equations[i] for i in sorted(members)])
        return groups


def _components(cells: list[Cell], equations: list[tuple[dict[Cell, float], float]]) -> list[list[int]]:
    """Groups of equations that share hidden cells (each group is solved on its own)."""
    parent = {cell: cell for cell in cells}

    def find(cell: Cell) -> Cell:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for coefficients, _ in equations:
        first, *rest = coefficients
        for other in rest:
            parent[find(other)] = find(first)
    groups: dict[Cell, list[int]] = {find(cell): [] for cell in cells}
    for i, (coefficients, _) in enumerate(equations):
        groups[find(next(iter(coefficients)))].append(i)
    return [groups[root] for root in dict.fromkeys(find(c) for c in cells)]


def audit(values: dict[Cell, float], relations: Iterable[Relation] | RelationIndex, suppressed: dict[Cell, str],
          rules: DisclosureRules, *, free_cells: Iterable[Cell] = (), cache: dict | None = None,
          only: set[Cell] | None = None, exact: bool = True,
          pinned_alone: set[Cell] | None = None) -> dict[Cell, tuple[float, float]]:
    """Feasible range of every hidden count as an attacker can compute it.

    Given every visible number, the relations (totals and identities) and what the
    symbols reveal (primary: 1..t-1, complement: at least t; a complement in a column
    that is not a count column, listed in ``free_cells``: any number >= 0; a withheld cell:
    any number >= 0), integer programming gives the smallest and largest value each hidden
    small cell can take (withheld small cells are audited too). A
    cell whose range holds fewer than two integers is disclosed. Cells linked by no
    relation are solved separately; ``cache`` (a dict) keeps solved groups between calls;
    ``only`` limits the audit to some cells (hiding more cells never narrows a range, so a cell
    found safe stays safe while complements are added). With ``exact=False`` a cell that two
    feasible points show to be protected gets the range between them (narrower than its true
    range but at least as wide as protection asks; see :meth:`_RangeSolver.screen`), so only
    the cells that may be disclosed cost two optimisations each: which cells are disclosed is
    the same as with ``exact=True``. ``relations`` given as a :class:`RelationIndex` (built once
    for many audits of one system) with ``only`` forms just the groups of the audited cells.
    ``pinned_alone`` (a set, filled in) receives the disclosed cells that the relations of their
    own scope pin (run-wide cells; every disclosed cell of a single table): hiding more cells of
    other scopes cannot protect them.

    Example
    -------
    >>> r = Relation((2, "n"), ((0, "n"), (1, "n")))
    >>> audit({(0, "n"): 3, (1, "n"): 9, (2, "n"): 12}, [r], {(0, "n"): "primary"}, DisclosureRules())
    {(0, 'n'): (3.0, 3.0)}
    """
    hidden = [cell for cell, kind in suppressed.items() if kind in (PRIMARY, SECONDARY, WITHHELD)]
    if not hidden:
        return {}

    def audited(cell: Cell) -> bool:
        if only is not None and cell not in only:
            return False
        kind = suppressed[cell]
        return kind == PRIMARY or (kind == WITHHELD and rules.is_small(values.get(cell, math.nan)))

    free = set(free_cells)
    hidden_cells = set(hidden)
    if isinstance(relations, RelationIndex) and only is not None:
        groups = relations.groups(values, hidden_cells, sorted(c for c in only if c in hidden_cells and audited(c)))
    else:
        relations = relations.relations if isinstance(relations, RelationIndex) else relations
        equations = _equations(values, relations, hidden_cells)
        groups = [[equations[i] for i in group] for group in _components(hidden, equations)]
    ranges: dict[Cell, tuple[float, float]] = {}
    linked: set[Cell] = set()
    for system in groups:
        cells = sorted({c for terms, _ in system for c in terms})
        linked.update(cells)
        if not any(audited(c) for c in cells):
            continue
        key = (exact, frozenset((c, suppressed[c], c in free, audited(c)) for c in cells),
               frozenset((frozenset(terms.items()), constant) for terms, constant in system))
        if cache is not None and key in cache:
            solved, alone = cache[key]
        else:
            targets = [c for c in cells if audited(c)]
            alone = set()
            if exact:
                solver, index = _solver(cells, system, suppressed, rules, free)
                solved = {cell: solver.range(index[cell]) for cell in targets}
            else:
                solved = _decide(cells, targets, system, values, suppressed, rules, free, alone)
            if cache is not None:
                cache[key] = (solved, alone)
        ranges.update(solved)
        if pinned_alone is not None:
            pinned_alone.update(alone)
    for cell in hidden:  # in no relation: the attacker knows only what the symbol says
        if audited(cell) and cell not in linked:
            low, high = _bounds(suppressed[cell], rules)
            ranges[cell] = (low, math.inf if high is None else high)
    return ranges


def exposed_however_hidden(values: Mapping[Cell, float], relations: Iterable[Relation],
                           suppressed: Mapping[Cell, str], rules: DisclosureRules,
                           free_cells: Iterable[Cell] = ()) -> list[Cell]:
    """The small cells that no choice of complements can protect: those the relations of their
    own scope pin even with every other cell of the scope that a complement could hide hidden.

    Hiding more cells only widens an attacker's ranges, and dropping the relations that reach
    into other scopes widens them too, so a cell this model of its scope pins is pinned in every
    model secondary suppression can reach: its table has to be coarsened whatever is hidden
    (found before any complement is chosen, instead of after rounds of complements that cannot
    help). Zeros stay visible (a complement is never zero); a visible number below the threshold
    that a complement could still hide (outside the count columns, or public) may take any value
    >= 0. For cells of one table (``(row, column)``) the scope is the table.

    Example
    -------
    Four ones and their total of four, all small: whatever else is hidden, each one is pinned.

    >>> r = Relation((4, "n"), ((0, "n"), (1, "n"), (2, "n"), (3, "n")))
    >>> values = {(0, "n"): 1, (1, "n"): 1, (2, "n"): 1, (3, "n"): 1, (4, "n"): 4}
    >>> exposed_however_hidden(values, [r], dict.fromkeys(values, "primary"), DisclosureRules())
    [(0, 'n'), (1, 'n'), (2, 'n'), (3, 'n'), (4, 'n')]
    """
    free = set(free_cells)
    own: dict[object, list[Relation]] = {}
    for relation in relations:
        scopes = {_scope_of(cell) for cell in relation.cells}
        if len(scopes) == 1:
            own.setdefault(scopes.pop(), []).append(relation)
    exposed: list[Cell] = []
    for scope_relations in own.values():
        cells = {cell for relation in scope_relations for cell in relation.cells}
        if not any(suppressed.get(cell) == PRIMARY for cell in cells):
            continue
        widest = {cell: suppressed.get(cell, SECONDARY) for cell in cells if cell in suppressed or values[cell] > 0}
        loose = free | {cell for cell in widest if cell not in suppressed and values[cell] < rules.threshold}
        equations = _equations(values, scope_relations, set(widest))
        linked = sorted({cell for terms, _ in equations for cell in terms})
        for group in _components(linked, equations):
            system = [equations[i] for i in group]
            members = sorted({cell for terms, _ in system for cell in terms})
            targets = [cell for cell in members if widest[cell] == PRIMARY]
            if targets:
                solver, index = _solver(members, system, widest, rules, loose)
                exposed += _disclosed(_screened_ranges(solver, index, targets, values))
    return exposed


def _solver(cells: list[Cell], equations: list[tuple[dict[Cell, float], float]], suppressed: Mapping[Cell, str],
            rules: DisclosureRules, free: set[Cell]) -> tuple[_RangeSolver, dict[Cell, int]]:
    """The attacker's model of ``cells`` under ``equations``, and each cell's column in it."""
    index = {cell: j for j, cell in enumerate(cells)}
    rows, columns, coefficients, constants = [], [], [], []
    for row, (terms, constant) in enumerate(equations):
        for cell, coefficient in terms.items():
            rows.append(row)
            columns.append(index[cell])
            coefficients.append(coefficient)
        constants.append(constant)
    bounds = [_bounds(suppressed[c], rules, c in free) for c in cells]
    return _RangeSolver(len(cells), rows, columns, coefficients, constants, bounds), index


def _decide(cells: list[Cell], targets: list[Cell], equations: list[tuple[dict[Cell, float], float]],
            values: Mapping[Cell, float], suppressed: Mapping[Cell, str], rules: DisclosureRules,
            free: set[Cell], pinned_alone: set[Cell]) -> dict[Cell, tuple[float, float]]:
    """Ranges that decide, for each target cell of one group of linked cells, whether it is
    disclosed, as the exact ranges over the whole group would, at a cost that grows with the
    number of scopes and not with its square (a whole run links every scope into one group
    through the differencing relations ``pooled = sum of the scopes + remainder``).

    Per scope of the targets, small models of the attacker's problem:

    * **restricted** ones: the scope and, for each relation between scopes, a few partner scopes
      that can take up a change (the pooled scope, the remainders, other contact points; first
      one per relation, then 2, 4, ... while cells stay open, see :func:`_widening`), every
      other cell fixed at its true value. Each of their points is a point of the whole model,
      so a cell one finds protected (:meth:`_RangeSolver.screen` in the narrowest, then a
      whole-number point that moves the cell by one, :meth:`_RangeSolver.moved`, then its range)
      is protected in the whole run, and so is every target such a point moves;
    * a **relaxed** one: the scope's own relations only. Dropping relations only widens a range,
      so a cell it pins is disclosed in the whole run.

    Only a cell that none decides gets its exact range over the whole group. The disclosed
    cells that their own scope's relations pin are added to ``pinned_alone``."""
    scope_of = {cell: _scope_of(cell) for cell in cells}
    if len(set(scope_of.values())) == 1:
        solver, index = _solver(cells, equations, suppressed, rules, free)
        solved = _screened_ranges(solver, index, targets, values)
        pinned_alone.update(_disclosed(solved))
        return solved
    touching: dict[object, list[int]] = {}
    # each relation's terms by scope, and what each scope's terms add up to at the true values
    split: list[dict[object, tuple[dict[Cell, float], float]]] = []
    whole: list[float] = []  # what all the terms of each relation add up to at the true values
    for i, (terms, _) in enumerate(equations):
        parts: dict[object, dict[Cell, float]] = {}
        for cell, coefficient in terms.items():
            parts.setdefault(scope_of[cell], {})[cell] = coefficient
        split.append({scope: (part, sum(v * values[c] for c, v in part.items())) for scope, part in parts.items()})
        whole.append(sum(total for _, total in split[-1].values()))
        for scope in parts:
            touching.setdefault(scope, []).append(i)
    solved: dict[Cell, tuple[float, float]] = {}
    by_scope: dict[object, list[Cell]] = {}
    for cell in targets:
        by_scope.setdefault(scope_of[cell], []).append(cell)

    def restricted(chosen: set[object], members: list[Cell]) -> tuple[_RangeSolver, dict[Cell, int]]:
        """The attacker's model of the ``chosen`` scopes, the cells of the others at their true values."""
        rows = sorted({i for s in chosen for i in touching.get(s, ())})
        system = []
        for i in rows:
            inside = [split[i][s] for s in chosen if s in split[i]]
            terms = {c: v for part, _ in inside for c, v in part.items()}
            if terms:
                system.append((terms, equations[i][1] - (whole[i] - sum(total for _, total in inside))))
        return _solver(sorted({c for terms, _ in system for c in terms} | set(members)), system, suppressed, rules,
                       free)

    wanted = set(targets)

    def moved(solver: _RangeSolver, index: dict[Cell, int], cell: Cell) -> tuple[float, float] | None:
        """:meth:`_RangeSolver.moved` for ``cell``; the whole-number point it finds is one of the
        whole group too, so every target it moves (of any scope) is protected."""
        found = solver.moved(index[cell])
        if found is not None and found[0] < found[1]:
            for other, j in index.items():
                if other in wanted and other not in solved and solver.point[j] != solver.truth[j]:
                    solved[other] = (min(solver.point[j], solver.truth[j]), max(solver.point[j], solver.truth[j]))
        return found

    def decide_scope(scope: object, pinned: set[Cell]) -> list[Cell]:
        """Decide the scope's targets in its restricted models; return those none decides (the
        ones its own relations pin go to ``pinned``)."""
        open_members = [cell for cell in by_scope[scope] if cell not in solved]
        for level, (chosen, last) in enumerate(_widening(scope, touching, split)):
            if not open_members:
                break
            solver, index = restricted(chosen, open_members)
            # integer programs only where they are cheap (the narrowest model) or nothing wider follows
            integer = last or solver.n <= INTEGER_MODEL_CELLS
            truth = [values.get(c, math.nan) for c in index]
            if level == 0:
                shown = solver.screen([index[c] for c in open_members], truth)
                solved.update((cell, shown[index[cell]]) for cell in open_members if index[cell] in shown)
                open_members = [cell for cell in open_members if index[cell] not in shown]
            else:  # what a narrower model's points could not show, a wider one's rarely do in bulk
                solver.anchor(truth)
            if open_members and level == 0:  # what the scope's own relations pin is disclosed anyway
                alone = [equations[i] for i in touching.get(scope, ()) if len(split[i]) == 1]
                local, local_index = _solver(sorted({c for terms, _ in alone for c in terms} | set(open_members)),
                                             alone, suppressed, rules, free)
                for cell in list(open_members):
                    own_range = local.range(local_index[cell], exact=False)
                    if _disclosed({cell: own_range}):
                        solved[cell] = own_range
                        pinned.add(cell)
                        open_members.remove(cell)
            still_open = []
            for cell in open_members:
                if cell in solved:  # moved by the point found for another cell
                    continue
                low, high = moved(solver, index, cell) or solver.range(index[cell], exact=False, integer=integer)
                if _disclosed({cell: (low, high)}):
                    still_open.append(cell)
                else:
                    solved[cell] = (low, high)
            open_members = still_open
            if not open_members:
                break
        return open_members

    scopes = list(by_scope)
    rest: list[Cell] = []
    if len(targets) >= FORK_TARGETS and len(scopes) > 2:
        # the scope in most relations first, here (the pooled scope: its points move cells of every
        # other scope, which then are decided before their own models are built) ...
        hub = max(scopes, key=lambda scope: (len(touching.get(scope, ())), len(by_scope[scope])))
        scopes.remove(hub)
        rest += decide_scope(hub, pinned_alone)

    def scope_part(i: int) -> tuple[dict[Cell, tuple[float, float]], set[Cell], list[Cell]]:
        first, pinned = len(solved), set()
        still_open = decide_scope(scopes[i], pinned)
        return dict(itertools.islice(solved.items(), first, None)), pinned, still_open

    # ... then, with enough targets, the others side by side in forked copies of this process (each
    # copy's points prove the targets of the scopes it decides); the same cells are decided either way
    for found, pinned, still_open in map_forked(scope_part, len(scopes),
                                                workers=None if len(targets) >= FORK_TARGETS else 1):
        for cell, decided in found.items():
            solved.setdefault(cell, decided)
        pinned_alone.update(pinned)
        rest += still_open
    if rest:
        whole_group, index = _solver(cells, equations, suppressed, rules, free)
        whole_group.anchor([values.get(c, math.nan) for c in index])
        for cell in rest:
            if cell not in solved:
                solved[cell] = moved(whole_group, index, cell) or whole_group.range(index[cell], exact=False)
    return solved


def _widening(scope: object, touching: Mapping[object, list[int]],
              split: Sequence[Mapping[object, object]]) -> Iterator[tuple[set[object], bool]]:
    """Ever larger sets of scopes around ``scope`` for the restricted models of :func:`_decide`: for
    every relation between ``scope`` and other scopes, its 1, 2, 4, ... other scopes that share
    most such relations with ``scope`` (usually the pooled scope and the remainders first, then
    the contact points whose hidden cells pair with the scope's), until every such scope is in.
    A cell that a narrow model pins is often protected in a wider one, through a chain of hidden
    cells that runs through a few other scopes; a model of every scope would be the whole group.
    Each set is formed only when the previous one left cells open; it comes with whether it is the
    widest."""
    relations = [others for i in touching.get(scope, ()) if len(others := split[i]) > 1]
    shared: Counter = Counter()
    for others in relations:
        shared.update(others.keys())
    shared.pop(scope, None)
    rank = {other: position for position, other in enumerate(sorted(shared, key=lambda s: (-shared[s], repr(s))))}
    rank[scope] = -1  # the scope itself comes first in every relation, and is always in
    widest = max((len(others) - 1 for others in relations), default=0)
    chosen: set[object] = set()
    width = 1
    while True:
        # the scope ranks first in each of its relations: the ``width`` scopes after it are its partners
        wider = {scope}.union(*(heapq.nsmallest(width + 1, others, key=rank.__getitem__) for others in relations))
        if wider != chosen:
            chosen = wider
            yield chosen, width >= widest
        if width >= widest:
            return
        width *= 2


def _screened_ranges(solver: _RangeSolver, index: dict[Cell, int], targets: list[Cell],
                     values: Mapping[Cell, float]) -> dict[Cell, tuple[float, float]]:
    """Ranges that decide disclosure: points of the relaxation for the cells they show protected
    (:meth:`_RangeSolver.screen`), a whole-number point one away from the true value
    (:meth:`_RangeSolver.moved`) or the range (``exact=False``) for the others."""
    shown = solver.screen([index[c] for c in targets], [values.get(c, math.nan) for c in index])
    return {cell: shown.get(index[cell]) or solver.moved(index[cell]) or solver.range(index[cell], exact=False)
            for cell in targets}


def _scope_of(cell: Cell) -> object:
    """The scope of a run-wide cell name ``(scope, strand, table, row, column)`` (None for a cell
    of one table, ``(row, column)``)."""
    return cell[0] if len(cell) > 2 else None


def _highs() -> Any:
    """A silent HiGHS instance (its copyright banner, printed once per process, goes nowhere)."""
    import highspy

    global _BANNER_SHOWN
    if not _BANNER_SHOWN:
        import os
        import sys

        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SHOWN = True
    else:
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    # one thread: the audit's models are small, and HiGHS's pool of threads does not survive a fork
    # (a forked copy, see _decide, would wait for ever on workers it does not have)
    highs.setOptionValue("threads", 1)
    return highs


_BANNER_SHOWN = False
#: A relaxation range wider than this many whole numbers is taken as protected without the integer
#: program (an integer program narrows it only in tables of many small cells that pin each other).
RELAXATION_WIDE_ENOUGH = 2
#: HiGHS's ``simplex_strategy`` values: ranges change only the objective (primal simplex goes on from
#: the last basis), the screen's window changes the bounds (dual simplex goes on from it).
DUAL_SIMPLEX, PRIMAL_SIMPLEX = 1, 4
#: Optimisations :meth:`_RangeSolver.screen` may spend on one model, and how many in a row may show
#: no new protected cell before it stops (what is left gets its own two optimisations).
SCREEN_ROUNDS, SCREEN_STALE = 24, 2


class _RangeSolver:
    """The smallest and largest value a hidden cell can take given everything published, as an
    attacker computes it: one model per group of linked cells (HiGHS), the linear relaxation
    first (warm-started from cell to cell), the integer program only where the relaxation leaves
    fewer than three whole numbers (a wider range of whole numbers is protected anyway)."""

    def __init__(self, n: int, rows: list[int], columns: list[int], coefficients: list[float],
                 constants: list[float], bounds: list[tuple[float, float | None]]) -> None:
        import highspy

        self._highspy = highspy
        self.n = n
        self.model = highspy.HighsLp()
        self.model.num_col_ = n
        self.model.num_row_ = len(constants)
        self.model.col_cost_ = np.zeros(n)
        self.model.col_lower_ = np.array([b[0] for b in bounds], dtype=float)
        self.model.col_upper_ = np.array([highspy.kHighsInf if b[1] is None else b[1] for b in bounds], dtype=float)
        self.model.row_lower_ = np.array(constants, dtype=float)
        self.model.row_upper_ = np.array(constants, dtype=float)
        order = np.lexsort((np.array(rows), np.array(columns))) if columns else np.array([], dtype=int)
        cols, rws, vals = np.array(columns)[order], np.array(rows)[order], np.array(coefficients)[order]
        self.lower, self.upper = np.array(self.model.col_lower_), np.array(self.model.col_upper_)
        self.matrix = (np.asarray(columns, dtype=int), np.asarray(rows, dtype=int), np.asarray(coefficients, float),
                       np.asarray(constants, dtype=float))
        self.model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        self.model.a_matrix_.start_ = np.searchsorted(cols, np.arange(n + 1)).astype(np.int32)
        self.model.a_matrix_.index_ = rws.astype(np.int32)
        self.model.a_matrix_.value_ = vals.astype(float)
        self.relaxed = _highs()
        self.relaxed.setOptionValue("presolve", "off")  # small models solved many times: warm starts win
        # a new objective leaves the last basis feasible: primal simplex goes on from it, where dual
        # simplex (the default) starts over (11 s against 1.7 s a range in a 12,000-cell model)
        self.relaxed.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        self.relaxed.passModel(self.model)
        self.integer = None
        self.truth: np.ndarray | None = None  # the true values, known once screened
        self.changes: _ChangeModel | None = None

    def _optimum(self, highs: Any, column: int, sense: Any) -> float:
        highspy = self._highspy
        costs = np.zeros(self.n)
        costs[column] = 1.0
        highs.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), costs)
        highs.changeObjectiveSense(sense)
        highs.run()
        status = highs.getModelStatus()
        self.point = None
        if status == highspy.HighsModelStatus.kOptimal:
            self.point = np.round(np.asarray(highs.getSolution().col_value, dtype=float), 6)
            return round(float(highs.getInfo().objective_function_value), 6)
        # the true values are always feasible: anything else is an unbounded direction
        return -math.inf if sense == highspy.ObjSense.kMinimize else math.inf

    def _whole(self, point: np.ndarray | None) -> bool:
        """Whether ``point`` is a solution of the integer program too (whole numbers, feasible)."""
        return point is not None and bool(np.all(np.abs(point - np.round(point)) <= 1e-6)) and self._feasible(point)

    def anchor(self, truth: Sequence[float]) -> np.ndarray:
        """Record the true values, a point of the model (checked; :meth:`moved` starts from it)."""
        truth_values = np.asarray(truth, dtype=float)
        self.truth = truth_values if np.isfinite(truth_values).all() and self._feasible(truth_values) else None
        self.changes = None  # built for these true values when first needed
        return truth_values

    def screen(self, targets: Sequence[int], truth: Sequence[float],
               rounds: int = SCREEN_ROUNDS) -> dict[int, tuple[float, float]]:
        """The target cells that points of the relaxation show to be protected, with the range those
        points span (inside the true range, and wide enough): ``{column: (low, high)}``.

        Every point that satisfies the published relations and the symbols' bounds is one an
        attacker cannot rule out, so a cell seen at two different whole numbers in two whole-number
        points can take two values: it is protected, without its own two optimisations. The points
        come from optimising a signed sum of the open cells within their true value +- 2 (the window keeps every point
        feasible), starting from the true values (feasible by construction; checked): first the
        sum pushed up, then down, then random signs (cells tied by a fixed total move only against
        one another, which one sign for all never asks), until ``SCREEN_STALE`` rounds in a row
        show no new cell or ``rounds`` are done. The signs come from a fixed seed, so the same
        model gives the same points. What is not shown here is left to :meth:`range`."""
        truth_values = self.anchor(truth)
        if not targets:
            return {}
        highspy = self._highspy
        lower, upper = self.lower, self.upper
        whole_low, whole_high = np.full(self.n, np.inf), np.full(self.n, -np.inf)  # over whole-number points

        def seen(point: np.ndarray) -> None:
            if self._whole(point):
                np.minimum(whole_low, point, out=whole_low)
                np.maximum(whole_high, point, out=whole_high)

        if np.isfinite(truth_values).all() and self._feasible(truth_values):
            seen(truth_values)
        columns = np.asarray(targets, dtype=int)
        everything = np.arange(self.n, dtype=np.int32)

        def open_targets() -> np.ndarray:
            # two whole-number solutions that differ (fractional points spanning three whole numbers
            # prove nothing where the relations are not totally unimodular: 2a + 3b = 7 pins a, yet
            # the relaxation spans 0.5..3.5)
            return columns[~(whole_high[columns] - whole_low[columns] >= 1 - 1e-9)]

        highs = self.relaxed
        # the window changes the bounds: the last basis is no longer feasible, dual simplex suits
        highs.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
        centre = np.where(np.isfinite(truth_values), truth_values, lower)
        highs.changeColsBounds(self.n, everything, np.maximum(lower, centre - 2).astype(float),
                               np.minimum(upper, centre + 2).astype(float))
        highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        signs = np.random.default_rng(0)
        pending, stale = open_targets(), 0
        for step in range(rounds):
            if not len(pending) or stale >= SCREEN_STALE:
                break
            costs = np.zeros(self.n)
            costs[pending] = (1.0 if step == 0 else -1.0 if step == 1
                              else signs.choice((-1.0, 1.0), size=len(pending)))
            highs.changeColsCost(self.n, everything, costs)
            highs.run()
            if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                point = np.round(np.asarray(highs.getSolution().col_value, dtype=float), 6)
                if self._feasible(point):
                    seen(point)
            before, pending = len(pending), open_targets()
            stale = stale + 1 if len(pending) == before else 0
        highs.changeColsBounds(self.n, everything, lower.astype(float), upper.astype(float))
        highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        shown = set(columns.tolist()) - set(pending.tolist())
        return {int(j): (float(whole_low[j]), float(whole_high[j])) for j in shown}

    def moved(self, column: int) -> tuple[float, float] | None:
        """A whole-number point of the model where the cell is one above or one below its true
        value (the true values, from the last :meth:`screen`, are another): then the cell can take
        two values and is protected, without the two optimisations of :meth:`range` or its integer
        programs. Returns the two values (the point is kept as ``point``: it shows every cell it moves
        protected); the true value twice when no whole-number point moves the cell to either (the
        cell is pinned); None when the integer program that could tell was stopped by its time limit.

        The point changes the other cells as little as it can (the smallest sum of absolute
        changes, a linear program over the changes up and down): a change that a few hidden cells
        take up along a chain of relations. Such points are mostly whole numbers (the relaxation's
        vertices where the cell's range ends are often not); a fractional one goes to the integer
        program of the same problem, which stops at its first solution (stopped by its time limit
        before one, it proves nothing and the cell goes on to :meth:`range`)."""
        if self.truth is None:
            return None
        truth = self.truth[column]
        if self.changes is None:
            self.changes = _ChangeModel(self)
        undecided = False
        for value in (truth + 1, truth - 1):
            if not self.lower[column] - 1e-9 <= value <= self.upper[column] + 1e-9:
                continue
            point = self.changes.smallest(column, value - truth)
            if point is None:
                continue  # not even the relaxation reaches the value
            if not self._whole(point):  # a fractional point: the integer program of the same problem
                point = self.changes.smallest(column, value - truth, integer=True)
            if point is not None and self._whole(point):
                self.point = point
                return min(truth, value), max(truth, value)
            if not self.changes.infeasible:  # stopped by its time limit: it proves nothing
                undecided = True
        # neither neighbour is a whole-number point: not even of the relaxation (its range is convex
        # and holds the true value, so it holds no other whole number), or the integer program
        # proved there is none (the relaxation may still span three whole numbers: 2a + 3b = 7)
        return None if undecided else (truth, truth)

    def _feasible(self, point: np.ndarray) -> bool:
        """Whether ``point`` meets every bound and relation (to a millionth)."""
        if (point < self.lower - 1e-6).any() or (point > self.upper + 1e-6).any():
            return False
        columns, rows, coefficients, constants = self.matrix
        residual = np.zeros(len(constants))
        np.add.at(residual, rows, coefficients * point[columns])
        return bool(np.abs(residual - constants).max(initial=0.0) <= 1e-6)

    def range(self, column: int, exact: bool = True, integer: bool = True) -> tuple[float, float]:
        """The cell's smallest and largest value; with ``exact=False`` a relaxation that already
        leaves fewer than two whole numbers is returned as it is (the integer program can only
        narrow it: the cell is disclosed either way). With ``integer=False`` no integer program is
        solved: where one would be needed, the cell is returned as pinned at its smallest value
        (for a model that can only prove cells protected, such as the restricted ones of
        :func:`_decide`: a wider model decides)."""
        highspy = self._highspy
        low = self._optimum(self.relaxed, column, highspy.ObjSense.kMinimize)
        lowest = self.point
        high = self._optimum(self.relaxed, column, highspy.ObjSense.kMaximize)
        if math.isinf(low) or math.isinf(high) or \
                math.floor(high + 1e-9) - math.ceil(low - 1e-9) >= RELAXATION_WIDE_ENOUGH:
            return low, high
        if self._whole(lowest) and self._whole(self.point):
            return low, high  # both ends are reached in whole numbers: the integer program's range too
        if not exact and math.floor(high + 1e-9) - math.ceil(low - 1e-9) < 1:
            return low, high
        if not integer:
            return low, low
        if self.integer is None:
            self.integer = _highs()
            self.integer.setOptionValue("time_limit", INTEGER_TIME_LIMIT)
            self.model.integrality_ = [highspy.HighsVarType.kInteger] * self.n
            self.integer.passModel(self.model)
        low_int = self._integer_end(column, highspy.ObjSense.kMinimize)
        high_int = self._integer_end(column, highspy.ObjSense.kMaximize)
        if low_int is None or high_int is None:
            # stopped (the time limit) before any whole-number solution: nothing shows the cell can
            # take two values, so it counts as pinned (protected by more suppression, never exposed)
            pinned = low_int if low_int is not None else (high_int if high_int is not None else low)
            return pinned, pinned
        return max(low, low_int), min(high, high_int)

    def _integer_end(self, column: int, sense: Any) -> float | None:
        """The cell's smallest (largest) whole-number value, or, when the solver stops at its time
        limit, the best whole-number solution it found: a value the cell can take, so the range
        taken from it lies inside the true range and a cell is never judged protected by a solve
        cut short (the relaxation's wider range would). None when no solution was found."""
        highspy = self._highspy
        value = self._optimum(self.integer, column, sense)
        if self.integer.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            return value
        info = self.integer.getInfo()
        if getattr(info, "primal_solution_status", 0) == 2:  # a feasible whole-number solution
            return round(float(info.objective_function_value), 6)
        return None


class _ChangeModel:
    """The changes from the true values that keep every relation and bound of a
    :class:`_RangeSolver`'s model: ``x = truth + up - down``, ``A (up - down) = 0``, ``up, down >= 0``
    within the bounds; minimising ``sum(up + down)`` with one cell's change fixed gives the
    smallest change elsewhere that makes up for it. Built once per model; each cell's problem (two
    bounds changed) is solved warm from the basis of no change."""

    def __init__(self, solver: _RangeSolver) -> None:
        highspy = solver._highspy
        self._highspy = highspy
        self.solver = solver
        n = solver.n
        truth = solver.truth
        columns, rows, coefficients, constants = solver.matrix
        self.up_high = np.where(np.isfinite(solver.upper), solver.upper - truth, highspy.kHighsInf)
        self.down_high = truth - solver.lower
        model = highspy.HighsLp()
        model.num_col_, model.num_row_ = 2 * n, len(constants)
        model.col_cost_ = np.ones(2 * n)
        model.col_lower_ = np.zeros(2 * n)
        model.col_upper_ = np.concatenate([self.up_high, self.down_high]).astype(float)
        model.row_lower_ = model.row_upper_ = np.zeros(len(constants))
        order = np.lexsort((rows, columns))
        both = np.concatenate([columns[order], columns[order] + n])
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.start_ = np.searchsorted(both, np.arange(2 * n + 1)).astype(np.int32)
        model.a_matrix_.index_ = np.concatenate([rows[order], rows[order]]).astype(np.int32)
        model.a_matrix_.value_ = np.concatenate([coefficients[order], -coefficients[order]]).astype(float)
        self.model = model
        self.relaxed = _highs()
        self.relaxed.setOptionValue("simplex_strategy", DUAL_SIMPLEX)  # new bounds keep the basis dual feasible
        self.relaxed.passModel(model)
        self.relaxed.run()  # no change at all: the basis every cell's problem starts from
        self.start = self.relaxed.getBasis()
        self.integer = None
        self.infeasible = False  # whether the last problem has no solution (proved, not stopped short)

    def smallest(self, column: int, change: float, integer: bool = False) -> np.ndarray | None:
        """The point with ``column`` changed by ``change`` (+-1) and the smallest total change of
        the others (None when there is none, or the integer program stopped without one)."""
        highspy = self._highspy
        n = self.solver.n
        if integer and self.integer is None:
            self.integer = _highs()
            self.integer.setOptionValue("time_limit", INTEGER_TIME_LIMIT)
            self.integer.setOptionValue("mip_rel_gap", 1.0)  # the first whole-number solution will do
            self.model.integrality_ = [highspy.HighsVarType.kInteger] * (2 * n)
            self.integer.passModel(self.model)
        highs = self.integer if integer else self.relaxed
        if not integer:
            # from no change rather than the last cell's point: a few steps instead of undoing the
            # last cell's chain first (200 cells of a 9,000-cell model: 16 s against 98 s)
            highs.setBasis(self.start)
        up, down = (abs(change), 0.0) if change > 0 else (0.0, abs(change))
        highs.changeColsBounds(2, np.array([column, column + n], dtype=np.int32), np.array([up, down]),
                               np.array([up, down]))
        highs.run()
        point = None
        self.infeasible = highs.getModelStatus() == highspy.HighsModelStatus.kInfeasible
        # any whole-number solution will do, also the best one so far of an integer program cut short
        if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal or \
                (integer and getattr(highs.getInfo(), "primal_solution_status", 0) == 2):
            solution = np.asarray(highs.getSolution().col_value, dtype=float)
            point = np.round(self.solver.truth + solution[:n] - solution[n:], 6)
        highs.changeColsBounds(2, np.array([column, column + n], dtype=np.int32), np.zeros(2),
                               np.array([self.up_high[column], self.down_high[column]], dtype=float))
        return point


#: Cells of a restricted model (see :func:`_decide`) up to which its integer programs are solved
#: although a wider model follows (larger ones leave such cells to the wider model).
INTEGER_MODEL_CELLS = 2000

#: Targets a group needs before :func:`_decide` shares its scopes out over the cores (forking a
#: large process costs tens of milliseconds).
FORK_TARGETS = 200
#: Seconds an integer program of the audit may run; one cut short is read conservatively (see
#: ``_RangeSolver._integer_end``), so a busy machine can only hide more, never expose a cell.
INTEGER_TIME_LIMIT = 10.0


def _disclosed(ranges: dict[Cell, tuple[float, float]]) -> list[Cell]:
    return [cell for cell, (low, high) in ranges.items()
            if not (math.isinf(low) or math.isinf(high)) and math.floor(high + 1e-9) - math.ceil(low - 1e-9) < 1]


# --------------------------------------------------------------------------- suppression

def _choose_complement(relation: Relation, values: dict[Cell, float], suppressed: dict[Cell, str],
                       relations_of: dict[Cell, list[Relation]], total_cells: set[Cell],
                       free_cells: set[Cell]) -> Cell | None:
    candidates = [c for c in relation.cells if c not in suppressed and values[c] > 0]
    if not candidates:
        return None

    def closes(cell: Cell) -> bool:
        return any(sum(1 for x in r.cells if x in suppressed) == 1
                   for r in relations_of[cell] if r is not relation)

    return min(candidates, key=lambda c: (c in total_cells, c in free_cells, not closes(c), values[c], c[0]))


def secondary_suppression(values: dict[Cell, float], relations: list[Relation], suppressed: dict[Cell, str],
               rules: DisclosureRules, free_cells: set[Cell] | None = None, *,
               safe: set[Cell] | None = None) -> None:
    """Hide complements until no hidden small cell can be recovered (raises
    :class:`UnprotectableCells` naming those that stay exposed).

    ``safe`` (updated in place) holds the small cells found protected: a caller that calls again
    with the same values and relations and only more cells hidden passes the same set, and
    those cells are not audited again (hiding more never narrows an attacker's range)."""
    free_cells = free_cells or set()
    safe = set() if safe is None else safe
    relations_of: dict[Cell, list[Relation]] = {}
    for relation in relations:
        for cell in relation.cells:
            relations_of.setdefault(cell, []).append(relation)
    index = RelationIndex(relations)
    total_cells = {r.total for r in relations}
    cache: dict = {}

    dirty = set(range(len(relations)))  # relations whose hidden cells changed since they were looked at

    def add(relation: Relation) -> bool:
        cell = _choose_complement(relation, values, suppressed, relations_of, total_cells, free_cells)
        if cell is None:
            return False
        suppressed[cell] = SECONDARY
        dirty.update(index.of.get(cell, ()))
        return True

    def close_relations() -> None:
        """A complement in every relation that hides exactly one cell (the others give it away),
        relation by relation in their order, until none does; only relations whose hidden cells
        changed are looked at again (the others hide what they hid)."""
        while dirty:
            queue = sorted(dirty)
            dirty.clear()
            heapq.heapify(queue)
            queued = set(queue)
            while queue:
                i = heapq.heappop(queue)
                relation = relations[i]
                if sum(1 for c in relation.cells if c in suppressed) != 1 or not add(relation):
                    continue
                # what the complement changes: later relations in this pass, earlier ones in the next
                for j in list(dirty):
                    if j > i and j not in queued:
                        heapq.heappush(queue, j)
                        queued.add(j)
                        dirty.discard(j)

    checked: set[Cell] | None = None  # None: every hidden small cell; then only those found exposed
    alone: set[Cell] = set()

    def exposed_cells() -> list[Cell]:
        only = checked if checked is not None else {c for c in suppressed if c not in safe}
        alone.clear()
        ranges = audit(values, index, suppressed, rules, free_cells=free_cells, cache=cache, only=only,
                       exact=False, pinned_alone=alone)
        exposed = sorted(_disclosed(ranges))
        safe.update(set(ranges) - set(exposed))
        return exposed

    def helpful(cell: Cell) -> list[Relation]:
        """The relations where a complement can protect ``cell``: any, unless its own scope's
        relations pin it; then those whose hidden cells are all of its scope (hiding cells of other
        scopes leaves what pins it as it is, and would only hide numbers to no purpose)."""
        candidates = relations_of.get(cell, [])
        if cell not in alone:
            return candidates
        scope = _scope_of(cell)
        return [r for r in candidates if all(_scope_of(c) == scope for c in r.cells if c in suppressed)]

    for _ in range(len(values) + 1):
        close_relations()
        exposed = exposed_cells()
        if not exposed:
            return
        # hiding more never narrows an attacker's range: the cells found safe stay safe
        checked = set(exposed)
        # one complement per table at a time, then audit again: it often protects the table's other
        # cells too (tables of a whole run are audited together, so each gets its complement at once)
        done: set[object] = set()
        changed = False
        for cell in exposed:
            group = _table_of(cell)
            if group in done:
                continue
            if any(add(r) for r in helpful(cell)):
                changed = True
                done.add(group)
        if not changed:
            break
    checked = None
    exposed = exposed_cells()
    if exposed:
        raise UnprotectableCells(
            "small cells cannot be protected from the totals and identities of this table "
            f"(cells {', '.join(_cell_text(c) for c in exposed)}); publish it without "
            "totals or with coarser categories", exposed)


def _table_of(cell: Cell) -> object:
    """The table a cell belongs to: one table for ``(row, column)`` cells, the leading parts of a
    run-wide cell name ``(scope, strand, table, row, column)``."""
    return cell[:-2] if len(cell) > 2 else ()


def _cell_text(cell: Cell) -> str:
    return f"row {cell[0] + 1} {cell[1]!r}" if len(cell) == 2 and isinstance(cell[0], int) else repr(cell)


def _unique(relations: Iterable[Relation]) -> list[Relation]:
    unique: dict[frozenset, Relation] = {}
    for relation in relations:
        unique.setdefault(relation.key(), relation)
    return list(unique.values())


@dataclass
class TableAnalysis:
    """What disclosure control knows about one table before anything is hidden.

    ``values`` are the whole-number cells that are counts or take part in a relation;
    ``primary`` the small counts; ``relations`` the margins and identities that hold in the
    data; ``free_cells`` the relation cells outside the count columns (a hidden one may be
    any number >= 0); ``follows`` the count columns whose suppression hides every derived
    figure of the row. :func:`protect_table` protects one table with it;
    :mod:`evaluation.reporting.publication` protects every table of a run together.
    """

    table: pd.DataFrame
    name: str
    counts: list[str]
    n_column: str | None
    values: dict[Cell, float]
    primary: dict[Cell, str]
    relations: list[Relation]
    free_cells: set[Cell]
    problems: list[str]
    follows: tuple[str, ...] = ()
    public: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()
    shares: tuple[str, ...] = ()  # columns holding shares of n_column (besides those named like a share)
    ratios: list | None = None  # the table's ratio columns, found once (see find_ratios)


def analyse_table(table: pd.DataFrame, *, count_columns: Sequence[str] = (), n_column: str | None = None,
                  rules: DisclosureRules | None = None, name: str = "table",
                  relations: Iterable[ColumnRelation | tuple | Mapping] = (),
                  follows: Sequence[str] = (), public: Sequence[str] = (),
                  dimensions: Sequence[str] | None = None, shares: Sequence[str] = (),
                  public_cells: Iterable[Cell] = ()) -> TableAnalysis:
    """Primary suppression and the relations of ``table`` (see :class:`TableAnalysis`); ``public``
    columns are settings published as they are (never hidden, never part of a relation), and so
    are the ``public_cells`` of a count column (a row that counts groups, not people);
    ``dimensions`` say what a row is (default: the columns that are not numbers), and are never
    hidden either.

    Raises :class:`DisclosureError` for a household-level table, a missing count column or
    counts that are not whole non-negative numbers.
    """
    rules = rules or DisclosureRules()
    missing = [c for c in (*count_columns, *([n_column] if n_column else []), *follows) if c not in table.columns]
    if missing:
        raise DisclosureError(f"table {name!r} has no column {', '.join(map(repr, missing))} "
                              f"(columns: {', '.join(map(str, table.columns))})")
    table = table.reset_index(drop=True)
    check_not_household_level(table, name, count_columns=count_columns, n_column=n_column)
    original = table
    public_cells = [(row, column) for row, column in public_cells if column in table.columns]
    if public_cells:  # what is published as it is takes no part in any relation
        table = table.copy()
        for row, column in public_cells:
            table[column] = table[column].astype(float) if pd.api.types.is_integer_dtype(table[column]) \
                else table[column]
            table.at[row, column] = np.nan
    counts = list(dict.fromkeys([*count_columns, *([n_column] if n_column else [])]))
    for column in counts:
        numeric = pd.to_numeric(table[column], errors="coerce")
        bad = numeric.notna() & ((numeric < 0) | (numeric != numeric.round()))
        if bad.any():
            raise DisclosureError(f"table {name!r}, count column {column!r} holds values that are not "
                                  f"whole non-negative numbers (row {int(np.flatnonzero(bad)[0]) + 1}); "
                                  "only counts of units may be listed in count_columns")
    values: dict[Cell, float] = {}
    for column in whole_number_columns(table, counts):
        if column in public:
            continue
        for row, value in enumerate(pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)):
            values[(row, column)] = value
    primary: dict[Cell, str] = {(row, column): PRIMARY for (row, column), v in values.items()
                                if column in counts and rules.is_small(v)}
    dims = list(dimensions) if dimensions is not None else _dimension_columns(table, set(counts))
    margins, problems = find_relations(table, counts, dims)
    searched = table.drop(columns=[c for c in public if c in table.columns]) if public else table
    identities, declared_problems = find_identities(searched, counts, declared=relations, dimensions=dims)
    problems += declared_problems
    relations_used = _unique([*margins, *identities])
    relation_cells = {c for r in relations_used for c in r.cells}
    values = {cell: v for cell, v in values.items()
              if cell[1] in counts and (not math.isnan(v) or cell not in relation_cells) or cell in relation_cells}
    free_cells = {cell for cell in relation_cells if cell[1] not in counts}
    return TableAnalysis(original, name, counts, n_column, values, primary, relations_used, free_cells, problems,
                         tuple(follows), tuple(public), tuple(dims), tuple(c for c in shares if c in table.columns))


def hide_derived(analysis: TableAnalysis, suppressed: dict[Cell, str], rules: DisclosureRules) -> int:
    """Hide the derived figures that hidden counts make revealing (see the module docstring);
    return how many shares were hidden because their own numerator is small."""
    table, counts = analysis.table, analysis.counts
    fixed = set(analysis.public) | set(analysis.dimensions)
    derived_columns = [c for c in table.columns if c not in counts and c not in fixed
                       and pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])]
    present = {c: table[c].notna().to_numpy() for c in derived_columns}

    def hide_row(row: int) -> None:
        for column in derived_columns:
            if present[column][row]:
                suppressed.setdefault((row, column), DERIVED)

    share_hidden = 0
    if analysis.n_column:
        n_values = pd.to_numeric(table[analysis.n_column], errors="coerce").to_numpy(dtype=float)
        shares = {c: pd.to_numeric(table[c], errors="coerce").to_numpy(dtype=float)
                  for c in derived_columns if SHARE_NAME.search(_plain(c)) or c in analysis.shares}
        for row, n in enumerate(n_values):
            hide = rules.is_small(n) or (n == 0 and rules.suppress_zeros) or (row, analysis.n_column) in suppressed
            if not hide and not math.isnan(n):
                for values in shares.values():
                    share = values[row]
                    if math.isnan(share):
                        continue
                    fraction = share / 100 if share > 1 else share
                    # the count behind the share, or the rest of n, would be a small number
                    implied = (round(fraction * n), round((1 - fraction) * n)) if 0 <= fraction <= 1 else ()
                    if any(rules.is_small(k) and k > 0 for k in implied):
                        hide = True
                        share_hidden += 1
                        break
            if hide:
                hide_row(row)
    if analysis.follows:
        hidden_rows = {row for row, column in suppressed if column in analysis.follows}
        for row in hidden_rows:
            hide_row(row)
    if analysis.ratios is None:
        analysis.ratios = find_ratios(table, counts)
    _hide_revealing_ratios(table, counts, suppressed, tuple(fixed), analysis.ratios)
    return share_hidden


def relations_with_one_hidden(relations: Iterable[Relation], suppressed: Mapping[Cell, str]) -> bool:
    """Whether a relation hides exactly one cell (which the others then give away)."""
    return any(sum(1 for c in r.cells if c in suppressed) == 1 for r in relations)


def published_values(analysis: TableAnalysis, suppressed: Mapping[Cell, str],
                     rules: DisclosureRules) -> pd.DataFrame:
    """The table with every hidden cell replaced by its symbol (counts shown as whole numbers)."""
    published = analysis.table.copy()
    for column in {c for _, c in suppressed}:
        published[column] = published[column].astype(object)
    for (row, column), kind in suppressed.items():
        published.at[row, column] = rules.primary_symbol if kind == PRIMARY else rules.secondary_symbol
    for column in analysis.counts:
        if column not in {c for _, c in suppressed}:
            continue
        published[column] = [int(v) if isinstance(v, (int, float, np.integer, np.floating)) and not pd.isna(v)
                             else v for v in published[column]]
    return published


def protect_table(table: pd.DataFrame, *, count_columns: Sequence[str] = (), n_column: str | None = None,
                  rules: DisclosureRules | None = None, name: str = "table",
                  relations: Iterable[ColumnRelation | tuple | Mapping] = (),
                  follows: Sequence[str] = (), public: Sequence[str] = ()) -> ProtectedTable:
    """Apply primary, secondary and derived suppression to ``table`` (see module docstring).

    ``count_columns`` hold counts of households (or applications, flats); ``n_column`` the
    number of units behind the derived figures of a row. ``relations`` declares identities
    between columns that the table obeys (``("received", ["excluded", "loaded"])`` or a
    :class:`ColumnRelation`); identities are also detected from the data. ``follows`` names
    count columns whose suppression hides every derived figure of the row. Raises
    :class:`DisclosureError` for a household-level table or cells that cannot be protected.

    Example
    -------
    >>> flow = pd.DataFrame({"stage": ["households"], "received": [120], "excluded": [3], "loaded": [117]})
    >>> protect_table(flow, count_columns=["received", "excluded", "loaded"]).table.astype(str).loc[0].tolist()
    ['households', '120', '<5', 'x']
    """
    rules = rules or DisclosureRules()
    analysis = analyse_table(table, count_columns=count_columns, n_column=n_column, rules=rules, name=name,
                             relations=relations, follows=follows, public=public)
    suppressed = dict(analysis.primary)
    secondary_suppression(analysis.values, analysis.relations, suppressed, rules, analysis.free_cells)
    share_hidden = hide_derived(analysis, suppressed, rules)
    # a hidden derived figure that is tied to visible cells by an identity needs complements too
    for _ in range(len(analysis.values) + 1):
        if not relations_with_one_hidden(analysis.relations, suppressed):
            break
        before = len(suppressed)
        secondary_suppression(analysis.values, analysis.relations, suppressed, rules, analysis.free_cells)
        hide_derived(analysis, suppressed, rules)
        if len(suppressed) == before:
            break
    notes_en, notes_cs = _notes(rules, suppressed, share_hidden, analysis.problems)
    return ProtectedTable(published_values(analysis, suppressed, rules), suppressed, tuple(analysis.relations),
                          rules, notes_en, notes_cs)


def _hide_revealing_ratios(table: pd.DataFrame, counts: Sequence[str], suppressed: dict[Cell, str],
                           public: Sequence[str] = (), ratios: Sequence[Any] | None = None) -> None:
    """Hide a share, rate or estimate that is a hidden number divided by another (or by it).

    ``share = count / n`` gives ``count = share * n`` back; the standard error and
    confidence limits that go with such an estimate are hidden with it.
    """
    hidden = {cell for cell, kind in suppressed.items() if kind in (PRIMARY, SECONDARY)}
    if not hidden:
        return
    for ratio in (find_ratios(table, counts) if ratios is None else ratios):
        companions = companion_columns(table, ratio.column)
        for row in ratio.rows:
            if (row, ratio.numerator) not in hidden and (not ratio.denominator
                                                         or (row, ratio.denominator) not in hidden):
                continue
            for column in (ratio.column, *companions):
                if column not in counts and column not in public and not pd.isna(table.at[row, column]):
                    suppressed.setdefault((row, column), DERIVED)


def _notes(rules: DisclosureRules, suppressed: dict[Cell, str], share_hidden: int,
           problems: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    t, x = rules.threshold, rules.secondary_symbol
    kinds = set(suppressed.values())
    en, cs = [], []
    if PRIMARY in kinds:
        en.append(f"{rules.primary_symbol}: fewer than {t} (hidden to protect privacy).")
        cs.append(f"{rules.primary_symbol}: méně než {t} (skryto kvůli ochraně soukromí).")
    if SECONDARY in kinds:
        en.append(f"{x}: hidden so that a small number cannot be worked out from the totals or other "
                  "figures of the table.")
        cs.append(f"{x}: skryto, aby malý počet nešlo dopočítat ze součtů ani jiných údajů tabulky.")
    if DERIVED in kinds:
        en.append(f"{x}: figure based on fewer than {t} households or revealing such a count, not shown.")
        cs.append(f"{x}: údaj vychází z méně než {t} domácností nebo takový počet prozrazuje, neuvádí se.")
    if share_hidden:
        en.append(f"{share_hidden} share(s) hidden because the count behind them, or the rest of the base, "
                  f"is below {t}.")
        cs.append(f"Skryté podíly, u nichž by počet nebo zbytek do celku byl menší než {t}: {share_hidden}.")
    for problem in dict.fromkeys(problems):
        en.append(f"Disclosure check: {problem}.")
        cs.append(f"Kontrola zveřejnění: {problem}.")
    return tuple(en), tuple(cs)


# --------------------------------------------------------------------------- render-time check

@dataclass(frozen=True)
class PublishedTableCheck:
    """What :func:`check_published` found wrong with a stored table (empty when fine)."""

    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_published(table: pd.DataFrame, *, count_columns: Sequence[str] = (), n_column: str | None = None,
                    rules: DisclosureRules | None = None, name: str = "table",
                    relations: Sequence[Relation] | None = None,
                    public_cells: Iterable[Cell] = ()) -> PublishedTableCheck:
    """Check a stored (already protected) table before it is rendered.

    Refuses identifier columns and household-level rows (raises :class:`DisclosureError`)
    and lists visible counts below the threshold, derived figures shown for a small
    ``n``, and margins from which a hidden cell could be recomputed. ``relations`` are the
    margins recorded when the table was protected; without them every total label counts.
    ``public_cells`` are published as they are on purpose (rows that count groups, not people).
    """
    rules = rules or DisclosureRules()
    check_not_household_level(table, name, count_columns=count_columns, n_column=n_column)
    public = set(public_cells)
    problems: list[str] = []
    counts = [c for c in dict.fromkeys([*count_columns, *([n_column] if n_column else [])]) if c in table.columns]
    marker = {rules.primary_symbol: PRIMARY, rules.secondary_symbol: SECONDARY}
    values: dict[Cell, float] = {}
    suppressed: dict[Cell, str] = {}
    for column in counts:
        for row, raw in enumerate(table[column].tolist()):
            text = str(raw).strip()
            if text in marker:
                suppressed[(row, column)] = marker[text]
                values[(row, column)] = math.nan
            elif re.fullmatch(r"<\d+", text):
                if int(text[1:]) < rules.threshold:  # stored with a lower threshold than now required
                    problems.append(f"{name}: row {row + 1}, '{column}' was protected with threshold "
                                    f"{text[1:]}, lower than {rules.threshold}")
                suppressed[(row, column)] = PRIMARY
                values[(row, column)] = math.nan
            else:
                value = pd.to_numeric(pd.Series([raw]), errors="coerce").iloc[0]
                values[(row, column)] = float(value)
                if rules.is_small(float(value)) and (row, column) not in public:
                    problems.append(f"{name}: row {row + 1}, '{column}' shows the small count {value:g}")
    if n_column and n_column in table.columns:
        derived = [c for c in table.columns if c not in counts]
        for row, raw in enumerate(table[n_column].tolist()):
            n = values.get((row, n_column), math.nan)
            small = suppressed.get((row, n_column)) == PRIMARY or rules.is_small(n)
            if small:
                for column in derived:
                    shown = pd.to_numeric(pd.Series([table.at[row, column]]), errors="coerce").iloc[0]
                    if not pd.isna(shown):
                        problems.append(f"{name}: row {row + 1}, '{column}' is shown although n is below "
                                        f"{rules.threshold}")
    # margins: a relation with exactly one hidden cell gives it away
    if relations is None:
        relations = _structural_relations(table, counts, _dimension_columns(table, set(counts)))
    for relation in relations:  # identities may run through columns that are not counts
        for row, column in relation.cells:
            if (column not in counts and column in table.columns and row < len(table)
                    and str(table.at[row, column]).strip() in marker):
                suppressed[(row, column)] = SECONDARY
    for relation in relations:
        hidden = [c for c in relation.cells if c in suppressed]
        if len(hidden) == 1:
            row, column = hidden[0]
            problems.append(f"{name}: row {row + 1}, '{column}' is hidden but can be recomputed from the total "
                            "or another figure of its row or group")
    return PublishedTableCheck(tuple(problems))


def relations_from_summary(summary: dict) -> tuple[Relation, ...]:
    """The margins recorded by :meth:`ProtectedTable.summary` (as stored in a results folder)."""
    relations = []
    for record in summary.get("relations", []):
        row, col, parts = record[:3]
        subtract = record[3] if len(record) > 3 else []
        relations.append(Relation((int(row), str(col)), tuple((int(r), str(c)) for r, c in parts),
                                  tuple((int(r), str(c)) for r, c in subtract)))
    return tuple(relations)


def _structural_relations(table: pd.DataFrame, counts: list[str], dims: list[str]) -> list[Relation]:
    """Relations implied by total labels alone (values may be hidden, so sums are not checked)."""
    relations = []
    for dim in dims:
        is_total = table[dim].map(is_total_label).to_numpy(dtype=bool)
        if not is_total.any():
            continue
        others = [d for d in dims if d != dim]
        keys = (table[others].astype(str).agg("\x1f".join, axis=1).to_numpy() if others
                else np.array([""] * len(table)))
        for key in pd.unique(keys):
            rows = [int(r) for r in np.flatnonzero(keys == key)]
            totals = [r for r in rows if is_total[r]]
            parts = [r for r in rows if not is_total[r]]
            if len(totals) == 1 and parts:
                relations += [Relation((totals[0], c), tuple((r, c) for r in parts)) for c in counts]
    total_columns = [c for c in counts if is_total_label(c)]
    if len(total_columns) == 1:
        parts = [c for c in counts if c != total_columns[0]]
        relations += [Relation((row, total_columns[0]), tuple((row, c) for c in parts))
                      for row in range(len(table)) if parts]
    return relations
