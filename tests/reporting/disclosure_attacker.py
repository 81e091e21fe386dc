"""An attacker on published tables, written independently of evaluation.reporting.

It sees only what a reader sees: the published cells ("<5" = 1..4, "x" in a count
column = at least 5, "x" elsewhere = an unknown number >= 0) and the metadata saying
which columns are counts. From the *visible* rows it learns every identity a careful
reader could spot, then applies it to the rows with hidden cells:

* total rows (a category label total/Celkem/all, the other rows of its group are the parts)
  and a count column named total;
* row-wise identities: +1/-1 combinations of two to four whole-number columns that are
  zero in every row where all are visible;
* group-wise totals: a column constant within the groups of one category column that
  equals the group sum of another column;
* lagged identities between a row and the next row of its group;
* ratios: a visible derived column equal to (100 x) a / b in every fully visible row
  gives a = ratio x b / scale in the others (within the rounding of the ratio).

Each small cell's smallest and largest integer value is then computed by integer
programming (scipy.optimize.milp). An identity that contradicts the bounds of the
symbols (a coincidence of the visible rows) is dropped, as a reader would drop it.

Run as a script on a results folder::

    python tests/reporting/disclosure_attacker.py /tmp/discdemo/results
"""

from __future__ import annotations

import itertools
import json
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

BIG = 10**7
TOTALS = {"total", "celkem", "all", "vse", "vsichni", "sum", "soucet", "overall"}


def _plain(value) -> str:
    text = unicodedata.normalize("NFKD", str(value).strip().casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace(" ", "_")


def _is_total(value) -> bool:
    plain = _plain(value)
    return plain in TOTALS or plain.startswith("total_") or plain.endswith("_total")


@dataclass
class Reading:
    """What a reader knows about each cell: a number, or bounds from a symbol."""

    value: dict        # (row, column) -> float for visible numbers
    hidden: dict       # (row, column) -> (low, high) for hidden whole numbers
    primary: set       # hidden small counts
    columns: list      # whole-number columns (counts and others)
    dims: list         # category columns
    n_rows: int


def read_published(table: pd.DataFrame, count_columns, threshold: int = 5) -> Reading:
    table = table.reset_index(drop=True).astype(str)
    value, hidden, primary = {}, {}, set()
    columns, dims = [], []
    for column in table.columns:
        numbers = pd.to_numeric(table[column].str.strip(), errors="coerce")
        symbols = table[column].str.strip()
        is_symbol = symbols.str.fullmatch(r"<\d+|x")
        if numbers.notna().sum() == 0 and not is_symbol.any():
            dims.append(column)
            continue
        shown = numbers.dropna()
        whole = bool(len(shown) == 0 or ((shown >= 0) & (shown == shown.round())).all())
        if column in count_columns or whole:
            columns.append(column)
        for row in range(len(table)):
            text = symbols.iloc[row]
            if pd.notna(numbers.iloc[row]):
                value[(row, column)] = float(numbers.iloc[row])
            elif text.startswith("<") and text[1:].isdigit():
                hidden[(row, column)] = (1, int(text[1:]) - 1)
                primary.add((row, column))
            elif text == "x" and (column in count_columns or whole):
                hidden[(row, column)] = (threshold, BIG) if column in count_columns else (0, BIG)
    return Reading(value, hidden, primary, columns, dims, len(table))


def _cell_state(reading: Reading, cell):
    if cell in reading.value:
        return "v"
    if cell in reading.hidden:
        return "h"
    return None


#: A careful reader trusts a pattern between columns only where it holds in this many visible rows
#: that are not all zero (in two rows, two columns often agree by chance).
MIN_EVIDENCE = 3


def _identities(reading: Reading, cells_of, n_units: int, min_units: int) -> list:
    """Signed column combinations zero in every unit (row or row pair) where all are visible, and
    seen in at least ``MIN_EVIDENCE`` such units that are not all zero."""
    found = []
    n_columns = len(cells_of(0))
    for size in range(2, min(4, n_columns) + 1):
        for combo in itertools.combinations(range(n_columns), size):
            rows = []
            for unit in range(n_units):
                cells = [cells_of(unit)[j] for j in combo]
                if all(c is not None and c in reading.value for c in cells):
                    rows.append([reading.value[c] for c in cells])
            if len(rows) < min_units:
                continue
            matrix = np.array(rows)
            if int((matrix != 0).any(axis=1).sum()) < max(min_units, MIN_EVIDENCE):
                continue
            for rest in itertools.product((1, -1), repeat=size - 1):
                signs = np.array((1, *rest))
                if (signs > 0).all():
                    continue
                if np.all(np.abs(matrix @ signs) < 1e-9):
                    found.append((combo, signs))
    return found


def equations(reading: Reading, table: pd.DataFrame, count_columns) -> list[list]:
    """Groups of linear equations {cell: coefficient} = constant, one group per identity."""
    table = table.reset_index(drop=True).astype(str)
    groups: list[list] = []

    def instance(terms):
        coefficients, constant = {}, 0.0
        for sign, cell in terms:
            state = _cell_state(reading, cell)
            if state is None:
                return None
            if state == "v":
                constant -= sign * reading.value[cell]
            else:
                coefficients[cell] = coefficients.get(cell, 0) + sign
        coefficients = {c: s for c, s in coefficients.items() if s}
        return (coefficients, constant) if coefficients else None

    # total rows
    for dim in reading.dims:
        flags = table[dim].map(_is_total).to_numpy()
        if not flags.any():
            continue
        others = [d for d in reading.dims if d != dim]
        keys = table[others].agg("\x1f".join, axis=1).to_numpy() if others else np.array([""] * len(table))
        for key in pd.unique(keys):
            rows = np.flatnonzero(keys == key)
            totals = [r for r in rows if flags[r]]
            parts = [r for r in rows if not flags[r]]
            if len(totals) != 1 or not parts:
                continue
            for column in reading.columns:
                eq = instance([(-1, (totals[0], column))] + [(1, (r, column)) for r in parts])
                if eq:
                    groups.append([eq])
    total_columns = [c for c in reading.columns if c in count_columns and _is_total(c)]
    if len(total_columns) == 1:
        parts = [c for c in count_columns if c != total_columns[0] and c in reading.columns]
        group = [instance([(-1, (r, total_columns[0]))] + [(1, (r, c)) for c in parts])
                 for r in range(reading.n_rows)]
        groups.append([e for e in group if e])
    columns = reading.columns
    # row-wise identities
    for combo, signs in _identities(reading, lambda r: [(r, c) for c in columns], reading.n_rows, 1):
        group = [instance([(s, (r, columns[j])) for j, s in zip(combo, signs)]) for r in range(reading.n_rows)]
        groups.append([e for e in group if e])
    # group-wise totals and lagged identities
    for key in [None] + reading.dims:
        codes = table[key].to_numpy() if key else np.array([""] * len(table))
        blocks = [np.flatnonzero(codes == v) for v in pd.unique(codes)]
        if any(len(b) > 1 for b in blocks):
            for total, part in itertools.permutations(columns, 2):
                # a column repeated within groups is read as their total even when no group is
                # fully visible (n_from of a transitions table); contradictions are dropped later
                ok, used = True, 0
                for block in blocks:
                    t = [reading.value.get((r, total)) for r in block]
                    if None in t or len(set(t)) != 1:
                        ok = False
                        break
                    parts = [(r, part) for r in block]
                    if all(c in reading.value for c in parts) and abs(
                            sum(reading.value[c] for c in parts) - t[0]) > 1e-9:
                        ok = False
                        break
                    used += len(block) > 1 and any(c in reading.value or c in reading.hidden for c in parts)
                if ok and used >= 2:  # seen in two groups at least
                    group = []
                    for block in blocks:
                        for r in block:
                            group.append(instance([(-1, (r, total))] + [(1, (q, part)) for q in block]))
                    groups.append([e for e in group if e])
        pairs = [(int(b[i]), int(b[i + 1])) for b in blocks for i in range(len(b) - 1)]
        if len(pairs) >= 2:
            k = len(columns)

            def cells_of(i, pairs=pairs):
                return [(pairs[i][0], c) for c in columns] + [(pairs[i][1], c) for c in columns]

            for combo, signs in _identities(reading, cells_of, len(pairs), 2):
                if all(j < k for j in combo) or all(j >= k for j in combo):
                    continue
                group = [instance([(s, cells_of(i)[j]) for j, s in zip(combo, signs)]) for i in range(len(pairs))]
                groups.append([e for e in group if e])
    return [g for g in groups if g]


def ratio_bounds(reading: Reading, table: pd.DataFrame) -> dict:
    """Intervals for hidden cells from visible ratio columns (a = ratio x b / scale)."""
    table = table.reset_index(drop=True).astype(str)
    numeric = {c: pd.to_numeric(table[c].str.strip(), errors="coerce").to_numpy(float) for c in table.columns}
    numeric = {c: v for c, v in numeric.items() if not np.isnan(v).all()}
    bounds: dict = {}
    for d, a, b in itertools.permutations(numeric, 3):
        if a not in reading.columns and b not in reading.columns:
            continue
        dv, av, bv = numeric[d], numeric[a], numeric[b]
        rows = ~np.isnan(dv) & ~np.isnan(av) & ~np.isnan(bv) & (bv > 0) & (av > 0)
        if rows.sum() < MIN_EVIDENCE:
            continue
        for scale in (1.0, 100.0):
            if np.all(np.abs(dv[rows] - scale * av[rows] / bv[rows]) <= 1e-6 * np.maximum(1, dv[rows])):
                for r in range(reading.n_rows):
                    if (r, a) in reading.hidden and not np.isnan(dv[r]) and not np.isnan(bv[r]):
                        estimate = dv[r] * bv[r] / scale
                        low, high = bounds.get((r, a), (-np.inf, np.inf))
                        bounds[(r, a)] = (max(low, estimate - 1e-4), min(high, estimate + 1e-4))
                    if (r, b) in reading.hidden and not np.isnan(dv[r]) and dv[r] > 0 and not np.isnan(av[r]):
                        estimate = scale * av[r] / dv[r]
                        low, high = bounds.get((r, b), (-np.inf, np.inf))
                        bounds[(r, b)] = (max(low, estimate - 1e-4 * estimate), min(high, estimate + 1e-4 * estimate))
                break
    return bounds


def attack(table: pd.DataFrame, count_columns, threshold: int = 5) -> dict:
    """Integer range {cell: (low, high)} of every hidden small count of a published table."""
    reading = read_published(table, count_columns, threshold)
    if not reading.primary:
        return {}
    cells = sorted(reading.hidden)
    index = {c: i for i, c in enumerate(cells)}
    low = np.array([reading.hidden[c][0] for c in cells], float)
    high = np.array([reading.hidden[c][1] for c in cells], float)
    for cell, (lo, hi) in ratio_bounds(reading, table).items():
        low[index[cell]] = max(low[index[cell]], np.ceil(lo - 1e-9))
        high[index[cell]] = min(high[index[cell]], np.floor(hi + 1e-9))
    if np.any(low > high):  # a ratio that does not hold here; ignore ratios
        low = np.array([reading.hidden[c][0] for c in cells], float)
        high = np.array([reading.hidden[c][1] for c in cells], float)

    def solve(rows, rhs, objective):
        constraints = [LinearConstraint(np.array(rows), rhs, rhs)] if rows else []
        return milp(objective, constraints=constraints, integrality=np.ones(len(cells)), bounds=Bounds(low, high))

    rows, rhs = [], []
    for group in equations(reading, table, count_columns):
        trial_rows, trial_rhs = list(rows), list(rhs)
        for coefficients, constant in group:
            row = np.zeros(len(cells))
            for cell, sign in coefficients.items():
                row[index[cell]] = sign
            trial_rows.append(row)
            trial_rhs.append(constant)
        if solve(trial_rows, trial_rhs, np.zeros(len(cells))).success:
            rows, rhs = trial_rows, trial_rhs
    ranges = {}
    for cell in sorted(reading.primary):
        objective = np.zeros(len(cells))
        objective[index[cell]] = 1
        lo = solve(rows, rhs, objective)
        hi = solve(rows, rhs, -objective)
        ranges[cell] = (round(lo.fun), round(-hi.fun))
    return ranges


def scan(results: Path, threshold: int = 5) -> list[str]:
    """Every small cell of every table in a results folder that the attacker pins down."""
    found = []
    for csv in sorted(Path(results).glob("**/tables/*.csv")):
        info = json.loads(csv.with_suffix(".json").read_text(encoding="utf-8"))
        counts = list(info.get("count_columns", [])) + ([info["n_column"]] if info.get("n_column") else [])
        table = pd.read_csv(csv, dtype=str, keep_default_na=False)
        for (row, column), (low, high) in attack(table, counts, threshold).items():
            if low >= high:
                found.append(f"{csv.relative_to(results)}: row {row + 1} {column!r} is {low}")
    return found


if __name__ == "__main__":
    problems = scan(Path(sys.argv[1]))
    print("\n".join(problems) or "no small cell can be recovered")
    print(f"{len(problems)} recoverable small cell(s)")
