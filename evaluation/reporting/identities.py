"""Linear identities between the cells of a table, for disclosure control.

A hidden small count is only as safe as the arithmetic around it. Besides margins
labelled ``total`` (found by :func:`evaluation.reporting.disclosure.find_relations`),
published tables carry identities that nobody labelled:

* **row-wise** – one column is the sum or difference of others in every row
  (``received = excluded + loaded``; ``stock_end = stock_start + inflow - outflow``;
  ``known_outcome = spells - censored``; ``actual = planned``);
* **group-wise** – a column repeated on every row of a group (of one or two category columns)
  equals the group sum of another column (``n_from`` of a transitions table is the sum of ``count`` over the rows
  with that ``from_step``);
* **lagged** – a column of one row is tied to the next row of the same group
  (``stock_start`` of a quarter is ``stock_end`` of the quarter before);
* **ratios** – a share, rate or estimate that is one column divided by another
  (``share = count / n_from``; ``percent_of_plan = 100 * actual / planned``).

:func:`find_identities` searches all of these among the count columns and the other
whole-number columns (all subsets of two to four columns, coefficients +1/-1, vectorised),
keeps only those that hold exactly wherever all their cells are present, and turns them
into cell relations. Callers can also declare identities (:class:`ColumnRelation`), which
are checked against the data like the detected ones.

Example
-------
>>> import pandas as pd
>>> table = pd.DataFrame({"source": ["register", "survey"], "received": [120, 80],
...                       "excluded": [3, 10], "loaded": [117, 70]})
>>> relations, problems = find_identities(table, ["received", "excluded", "loaded"])
>>> relations[0]
Relation(total=(0, 'received'), parts=((0, 'excluded'), (0, 'loaded')), subtract=())
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.errors import DisclosureError

Cell = tuple[int, str]  # (row position, column name)

#: Largest number of columns in a detected identity (declared ones may be longer).
MAX_IDENTITY_SIZE = 4
#: Above this many candidate columns only identities of up to three columns are searched.
WIDE_TABLE_COLUMNS = 24
#: Columns that go with an estimate and reveal it (hidden together with a hidden ratio).
COMPANION_COLUMNS = frozenset({"std_error", "se", "conf_low", "conf_high", "ci_low", "ci_high",
                               "lower", "upper", "low", "high"})
_EXACT = 1e-9


@dataclass(frozen=True)
class Relation:
    """A linear relation of table cells: ``total = sum(parts) - sum(subtract)``."""

    total: Cell
    parts: tuple[Cell, ...]
    subtract: tuple[Cell, ...] = ()

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (self.total, *self.parts, *self.subtract)

    def terms(self) -> list[tuple[float, Cell]]:
        """``(coefficient, cell)`` pairs whose weighted sum is zero."""
        return ([(-1.0, self.total)] + [(1.0, c) for c in self.parts]
                + [(-1.0, c) for c in self.subtract])

    def key(self) -> frozenset:
        """Identity of the equation regardless of how it is written (for de-duplication)."""
        plus = frozenset(c for s, c in self.terms() if s > 0)
        minus = frozenset(c for s, c in self.terms() if s < 0)
        return frozenset({plus, minus})


@dataclass(frozen=True)
class ColumnRelation:
    """An identity between columns, declared by whoever builds the table.

    Row by row, ``total = sum(parts) - sum(subtract)``. With ``by`` (grouping columns),
    ``total`` is repeated on every row of a group and equals the group sum of
    ``parts`` minus ``subtract`` (``by=()`` makes the whole table one group).

    Example
    -------
    >>> ColumnRelation.coerce(("received", ["excluded", "loaded"]))
    ColumnRelation(total='received', parts=('excluded', 'loaded'), subtract=(), by=None)
    """

    total: str
    parts: tuple[str, ...]
    subtract: tuple[str, ...] = ()
    by: tuple[str, ...] | None = None

    @classmethod
    def coerce(cls, spec: object) -> ColumnRelation:
        """From a ColumnRelation, ``(total, parts)``, ``(total, parts, subtract)`` or a mapping."""
        if isinstance(spec, ColumnRelation):
            return spec
        if isinstance(spec, Mapping):
            fields = dict(spec)
        elif isinstance(spec, (tuple, list)) and len(spec) in (2, 3):
            fields = {"total": spec[0], "parts": spec[1], "subtract": spec[2] if len(spec) == 3 else ()}
        else:
            raise DisclosureError(f"a relation is written (total, [parts]) or (total, [parts], [subtract]) "
                                  f"or a ColumnRelation, not {spec!r}")
        unknown = set(fields) - {"total", "parts", "subtract", "by"}
        if unknown or "total" not in fields or "parts" not in fields:
            raise DisclosureError(f"a relation needs 'total' and 'parts' (and may have 'subtract', 'by'); "
                                  f"got {spec!r}")

        def names(value: object) -> tuple[str, ...]:
            return (str(value),) if isinstance(value, str) else tuple(str(v) for v in value)

        by = fields.get("by")
        return cls(str(fields["total"]), names(fields["parts"]), names(fields.get("subtract", ())),
                   None if by is None else names(by))

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.total, *self.parts, *self.subtract)


@dataclass(frozen=True)
class Ratio:
    """A derived column equal to ``scale * numerator / denominator`` in the rows ``rows``
    (``denominator`` empty: ``scale * numerator``, a share of a constant total)."""

    column: str
    numerator: str
    denominator: str
    scale: float
    rows: tuple[int, ...]


# --------------------------------------------------------------------------- columns

def _numeric(table: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def whole_number_columns(table: pd.DataFrame, counts: Sequence[str]) -> list[str]:
    """The count columns and every other numeric column holding only whole numbers >= 0.

    The others (planned places, unit-days, months) are published as they are, but take
    part in identities with counts (``actual = planned``), so they are searched too.
    """
    columns = list(counts)
    for column in table.columns:
        if column in columns or not _is_numeric(table[column]):
            continue
        values = _numeric(table, column)
        present = values[~np.isnan(values)]
        if len(present) and bool(np.all(present >= 0)) and bool(np.all(present == np.round(present))):
            columns.append(column)
    return columns


# --------------------------------------------------------------------------- identity search

def _sign_patterns(size: int) -> np.ndarray:
    """Coefficient vectors of +1/-1 with mixed signs, the first coefficient +1."""
    rest = [p for p in itertools.product((1.0, -1.0), repeat=size - 1) if -1.0 in p]
    return np.array([(1.0, *p) for p in rest])


def search_identities(matrix: np.ndarray, eligible: np.ndarray, *, must_include: Sequence[np.ndarray] = (),
                      max_size: int = MAX_IDENTITY_SIZE, min_rows: int = 1) -> list[dict[int, float]]:
    """Identities ``sum(c_j * column_j) = 0`` (``c_j`` = +1/-1) that hold in every complete row.

    ``matrix`` is rows x columns (NaN = not present). An identity is kept when it holds in
    at least ``min_rows`` rows where all its columns are present and in all of them, each
    of its columns is non-zero in one of those rows, it includes an ``eligible`` column
    and one column of every mask in ``must_include``. Subsets that contain a smaller
    identity already found are skipped (they add nothing). Returns ``{column: coefficient}``.
    """
    n_rows, n_columns = matrix.shape
    found: list[dict[int, float]] = []
    found_sets: list[frozenset[int]] = []
    present = ~np.isnan(matrix)
    filled = np.where(present, matrix, 0.0)
    nonzero = present & (filled != 0)
    for size in range(2, min(max_size, n_columns) + 1):
        combos = np.array(list(itertools.combinations(range(n_columns), size)), dtype=int)
        if not len(combos):
            continue
        # every combination is searched, so that identities that are not reported (no count,
        # one side of a lag only) still rule out their supersets
        wanted = eligible[combos].any(axis=1)
        for mask in must_include:
            wanted &= mask[combos].any(axis=1)
        signs = _sign_patterns(size)
        # rows where every column of the combination is present, per combination
        complete = present[:, combos].all(axis=2)                       # rows x combos
        enough = complete.sum(axis=0) >= max(min_rows, 1)
        # every column must be non-zero in some complete row, or the identity is a smaller one
        active = (nonzero[:, combos] & complete[:, :, None]).any(axis=0).all(axis=1)
        usable = enough & active
        combos, complete, wanted = combos[usable], complete[:, usable], wanted[usable]
        step = max(64, 4_000_000 // max(1, n_rows * len(signs) * size))  # bounded memory per step
        for start in range(0, len(combos), step):
            chunk, rows_ok = combos[start:start + step], complete[:, start:start + step]
            sums = np.einsum("rcs,ps->rcp", filled[:, chunk], signs)    # rows x combos x patterns
            holds = ((np.abs(sums) <= _EXACT) | ~rows_ok[:, :, None]).all(axis=0)
            for c, p in zip(*np.nonzero(holds)):
                members = frozenset(int(j) for j in chunk[c])
                if any(smaller <= members for smaller in found_sets):
                    continue
                found_sets.append(members)
                if wanted[start + c]:
                    found.append({int(j): float(s) for j, s in zip(chunk[c], signs[p])})
    return found


def _relation(cells: Sequence[tuple[float, Cell]], values: Mapping[Cell, float]) -> Relation:
    """Write ``sum(coefficient * cell) = 0`` as ``total = sum(parts) - sum(subtract)``.

    The total is the largest cell of the side with fewer cells (``received`` in
    ``received = excluded + loaded``).
    """
    plus = [c for s, c in cells if s > 0]
    minus = [c for s, c in cells if s < 0]

    def largest(side: list[Cell]) -> float:
        return max(values.get(c, 0.0) for c in side)

    lone, other = sorted((plus, minus), key=lambda side: (len(side), -largest(side)))
    total = max(lone, key=lambda c: values.get(c, 0.0))
    return Relation(total, tuple(other), tuple(c for c in lone if c != total))


def _row_relations(table: pd.DataFrame, columns: list[str], counts: set[str],
                   values: dict[Cell, float]) -> list[Relation]:
    matrix = np.column_stack([_numeric(table, c) for c in columns])
    eligible = np.array([c in counts for c in columns])
    max_size = MAX_IDENTITY_SIZE if len(columns) <= WIDE_TABLE_COLUMNS else 3
    relations = []
    for identity in search_identities(matrix, eligible, max_size=max_size):
        members = list(identity)
        for row in np.flatnonzero(~np.isnan(matrix[:, members]).any(axis=1)):
            relations.append(_relation([(s, (int(row), columns[j])) for j, s in identity.items()], values))
    return relations


def _groups(table: pd.DataFrame, key: Sequence[str]) -> list[np.ndarray]:
    if not key:
        return [np.arange(len(table))]
    codes = table[list(key)].astype(str).agg("\x1f".join, axis=1).to_numpy()
    return [np.flatnonzero(codes == value) for value in pd.unique(codes)]


def _group_relations(table: pd.DataFrame, columns: list[str], counts: set[str], dims: list[str],
                     values: dict[Cell, float]) -> list[Relation]:
    """A column constant within the groups of a key that equals the group sum of another column."""
    relations = []
    arrays = {c: _numeric(table, c) for c in columns}
    # a base repeated within a group of one or two dimensions (``n`` of an entry step and characteristic)
    for key in [[]] + [[d] for d in dims] + [list(pair) for pair in itertools.combinations(dims, 2)]:
        groups = _groups(table, key)
        if all(len(g) < 2 for g in groups):
            continue
        for total in columns:
            t = arrays[total]
            constant = [g for g in groups if not np.isnan(t[g]).any() and np.all(t[g] == t[g[0]])]
            if len(constant) != len(groups):
                continue
            for part in columns:
                if part == total or (total not in counts and part not in counts):
                    continue
                p = arrays[part]
                complete = [g for g in groups if not np.isnan(p[g]).any()]
                if (not any(len(g) > 1 for g in complete) or not any(np.any(p[g] != 0) for g in complete)
                        or any(abs(p[g].sum() - t[g[0]]) > _EXACT for g in complete)):
                    continue
                for g in complete:
                    parts = tuple((int(r), part) for r in g)
                    relations += [Relation((int(r), total), parts) for r in g]
    return relations


def _lag_relations(table: pd.DataFrame, columns: list[str], counts: set[str], dims: list[str],
                   values: dict[Cell, float]) -> list[Relation]:
    """Identities between a row and the next row of its group (stocks carried forward)."""
    relations = []
    matrix = np.column_stack([_numeric(table, c) for c in columns])
    k = len(columns)
    eligible = np.array([c in counts for c in columns] * 2)
    this_row, next_row = np.arange(2 * k) < k, np.arange(2 * k) >= k
    seen: set[frozenset] = set()
    for key in [[]] + [[d] for d in dims]:
        pairs = [(int(g[i]), int(g[i + 1])) for g in _groups(table, key) for i in range(len(g) - 1)]
        if len(pairs) < 2:
            continue
        first, second = np.array(pairs).T
        stacked = np.hstack([matrix[first], matrix[second]])
        for identity in search_identities(stacked, eligible, must_include=(this_row, next_row),
                                          max_size=3 if k > WIDE_TABLE_COLUMNS // 2 else MAX_IDENTITY_SIZE,
                                          min_rows=2):
            members = list(identity)
            for i in np.flatnonzero(~np.isnan(stacked[:, members]).any(axis=1)):
                cells = [(s, (int(first[i] if j < k else second[i]), columns[j % k])) for j, s in identity.items()]
                relation = _relation(cells, values)
                if relation.key() not in seen:
                    seen.add(relation.key())
                    relations.append(relation)
    return relations


def _declared_relations(table: pd.DataFrame, declared: Iterable[ColumnRelation],
                        values: dict[Cell, float]) -> tuple[list[Relation], list[str]]:
    relations: list[Relation] = []
    problems: list[str] = []
    for spec in declared:
        missing = [c for c in (*spec.columns, *(spec.by or ())) if c not in table.columns]
        if missing:
            raise DisclosureError(f"the declared relation {spec.total} = {' + '.join(spec.parts)}"
                                  f"{''.join(' - ' + s for s in spec.subtract)} names column(s) "
                                  f"{', '.join(map(repr, missing))} that the table does not have")
        arrays = {c: _numeric(table, c) for c in spec.columns}
        signed = [(1.0, c) for c in spec.parts] + [(-1.0, c) for c in spec.subtract]
        text = f"'{spec.total}' = {' + '.join(spec.parts)}{''.join(' - ' + s for s in spec.subtract)}"
        if spec.by is None:
            for row in range(len(table)):
                row_values = [arrays[c][row] for c in spec.columns]
                if any(math.isnan(v) for v in row_values):
                    continue
                if abs(sum(s * arrays[c][row] for s, c in signed) - arrays[spec.total][row]) > _EXACT:
                    problems.append(f"row {row + 1}: the declared relation {text} does not hold; not used")
                    continue
                relations.append(Relation((row, spec.total), tuple((row, c) for c in spec.parts),
                                          tuple((row, c) for c in spec.subtract)))
            continue
        for group in _groups(table, spec.by):
            block = np.array([[arrays[c][r] for c in spec.columns] for r in group])
            if np.isnan(block).any():
                continue
            total = arrays[spec.total][group]
            group_sum = sum(s * arrays[c][group].sum() for s, c in signed)
            if not np.all(total == total[0]) or abs(group_sum - total[0]) > _EXACT:
                problems.append(f"the declared relation {text} by {', '.join(spec.by) or 'the whole table'} "
                                f"does not hold in the group of row {int(group[0]) + 1}; not used")
                continue
            parts = tuple((int(r), c) for c in spec.parts for r in group)
            subtract = tuple((int(r), c) for c in spec.subtract for r in group)
            relations += [Relation((int(r), spec.total), parts, subtract) for r in group]
    return relations, problems


def find_identities(table: pd.DataFrame, count_columns: Sequence[str], *, dimensions: Sequence[str] = (),
                    declared: Iterable[object] = ()) -> tuple[list[Relation], list[str]]:
    """Cell relations from row-wise, group-wise and lagged identities, and declared ones.

    ``count_columns`` are the counts to protect; other whole-number columns take part when
    an identity also involves a count. ``dimensions`` are the category columns that define
    groups. Returns the relations and English notes about declared relations that do not
    hold in the data (those rows are not used).
    """
    table = table.reset_index(drop=True)
    counts = [c for c in count_columns if c in table.columns]
    columns = whole_number_columns(table, counts)
    values = {(r, c): v for c in columns for r, v in enumerate(_numeric(table, c))}
    declared_relations, problems = _declared_relations(table, [ColumnRelation.coerce(d) for d in declared],
                                                       values)
    relations = list(declared_relations)
    if counts and len(table):
        count_set = set(counts)
        relations += _row_relations(table, columns, count_set, values)
        relations += _group_relations(table, columns, count_set, list(dimensions), values)
        if len(table) > 2:
            relations += _lag_relations(table, columns, count_set, list(dimensions), values)
    unique: dict[frozenset, Relation] = {}
    for relation in relations:
        unique.setdefault(relation.key(), relation)
    return list(unique.values()), problems


# --------------------------------------------------------------------------- ratios

def _decimals(values: np.ndarray) -> int | None:
    """Decimal places the values were rounded to, or None when they are not rounded."""
    places = 0
    for value in values:
        for k in range(11):
            if abs(round(value, k) - value) <= 1e-12 * max(1.0, abs(value)):
                places = max(places, k)
                break
        else:
            return None
    return places if places < 10 else None


def find_ratios(table: pd.DataFrame, count_columns: Sequence[str]) -> list[Ratio]:
    """Derived columns that equal ``numerator / denominator`` (or 100 times it) of two columns.

    The numerator or the denominator must be a whole-number column; the match must hold
    (to the rounding of the derived column) in every row where all three are present, or
    in at least two rows and half of them (estimates that equal a plain share until
    censoring starts); ``rows`` are the rows where it holds.
    """
    table = table.reset_index(drop=True)
    wholes = whole_number_columns(table, [c for c in count_columns if c in table.columns])
    numeric = [c for c in table.columns if _is_numeric(table[c]) or c in wholes]
    arrays = {c: _numeric(table, c) for c in numeric}
    derived = [c for c in numeric if c not in count_columns]
    ratios = []
    for column in derived:
        d = arrays[column]
        shown = d[~np.isnan(d)]
        if not len(shown):
            continue
        places = _decimals(shown)
        for numerator, denominator in itertools.permutations(numeric, 2):
            if column in (numerator, denominator) or (numerator not in wholes and denominator not in wholes):
                continue
            a, b = arrays[numerator], arrays[denominator]
            rows = ~np.isnan(d) & ~np.isnan(a) & ~np.isnan(b) & (b > 0)
            if not rows.any() or not np.any(a[rows] > 0):
                continue
            for scale in (1.0, 100.0):
                exact = scale * a[rows] / b[rows]
                tolerance = (_EXACT * np.maximum(1.0, np.abs(exact)) if places is None
                             else 0.5 * 10.0 ** -places + 1e-12)
                holds = np.abs(d[rows] - exact) <= tolerance
                informative = holds & (a[rows] > 0)
                if holds.all() or (informative.sum() >= 2 and holds.mean() >= 0.5):
                    ratios.append(Ratio(column, numerator, denominator, scale,
                                        tuple(int(r) for r in np.flatnonzero(rows)[holds])))
                    break
        ratios += _proportional(column, d, places, {c: arrays[c] for c in wholes if c != column})
    return ratios


def _proportional(column: str, d: np.ndarray, places: int | None,
                  wholes: Mapping[str, np.ndarray]) -> list[Ratio]:
    """A derived column proportional to a whole-number column (a share of a total, a rate per a
    constant): ``d = a / K`` in every row, so one visible ``a`` gives every hidden one back
    (``denominator`` is empty: the constant need not be published)."""
    found = []
    for numerator, a in wholes.items():
        rows = ~np.isnan(d) & ~np.isnan(a) & (a > 0)
        if rows.sum() < 2:
            continue
        scale = float(np.median(d[rows] / a[rows]))
        if scale <= 0:
            continue
        exact = scale * a[rows]
        tolerance = (_EXACT * np.maximum(1.0, np.abs(exact)) * 1e3 if places is None
                     else 0.5 * 10.0 ** -places + 1e-12)
        zero_rows = ~np.isnan(d) & ~np.isnan(a) & (a == 0)
        zero_tolerance = _EXACT if places is None else 0.5 * 10.0 ** -places + 1e-12
        if np.all(np.abs(d[rows] - exact) <= tolerance) and np.all(np.abs(d[zero_rows]) <= zero_tolerance):
            found.append(Ratio(column, numerator, "", scale,
                               tuple(int(r) for r in np.flatnonzero(~np.isnan(d) & ~np.isnan(a)))))
    return found


def companion_columns(table: pd.DataFrame, column: str) -> list[str]:
    """Columns that travel with an estimate (standard error, confidence limits)."""
    out = []
    for other in table.columns:
        if other == column:
            continue
        plain = str(other).casefold()
        if plain in COMPANION_COLUMNS or plain.startswith(f"{str(column).casefold()}_"):
            out.append(other)
    return out
