"""An attacker on everything a run publishes, written independently of evaluation.reporting.

It reads only the published folder (what a reader may be sent): every scope's tables, key
figures, texts and figures, and combines them as a careful reader would:

* within each table: totals, row-wise, group-wise and lagged identities learned from the visible
  rows, and ratio columns (the single-table attacker of ``disclosure_attacker.py``);
* **the same number in two tables** of a scope: cells with the same column name and the same
  values of the text columns the two tables share (a summary and its ``*_detail`` or monthly
  table), and a wide table's column named like a category of a long table's text column
  (``decisions``' column ``granted`` = ``decisions_detail``'s row ``outcome = granted``);
* **differencing between scopes**: a pooled cell is the sum of the same cell in the
  municipality scopes plus a remainder >= 0, and exactly the sum where the visible cells of that
  table add up exactly (a reader then assumes the municipalities cover the programme);
* **share x n**: a share or survival estimate published with its base gives its count back;
  key figures, and the numbers quoted in sentences.

Hidden small cells are then bounded by integer programming over the whole system
(scipy.optimize.milp). A cell is recovered when one integer remains.

Run as a script on a published results folder::

    python tests/reporting/run_attacker.py output/published/results
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

sys.path.insert(0, str(Path(__file__).parent))
from disclosure_attacker import BIG, equations, ratio_bounds, read_published  # noqa: E402

PERCENT = re.compile(r"(\d+(?:[,.]\d+)?)\s?%")


def load(published: Path) -> dict:
    """{(scope, strand, table): (table as text, its JSON)} of a published results folder."""
    tables = {}
    for csv in sorted(Path(published).glob("*/*/tables/*.csv")):
        scope, strand = csv.parts[-4], csv.parts[-3]
        info = json.loads(csv.with_suffix(".json").read_text(encoding="utf-8"))
        tables[(scope, strand, csv.stem)] = (pd.read_csv(csv, dtype=str, keep_default_na=False), info)
    return tables


def _counts(info: dict) -> list[str]:
    return list(info.get("count_columns", [])) + ([info["n_column"]] if info.get("n_column") else [])


class RunSystem:
    """Hidden cells of the whole run as variables, and every equation a reader can write."""

    def __init__(self, tables: dict, threshold: int = 5) -> None:
        self.threshold = threshold
        self.tables = tables
        self.readings = {key: read_published(table, _counts(info), threshold)
                         for key, (table, info) in tables.items()}
        self.bounds: dict = {}
        self.primary: set = set()
        self.equations: list[list] = []
        for key, reading in self.readings.items():
            for cell, (low, high) in reading.hidden.items():
                self.bounds[(key, cell)] = [low, high]
            self.primary |= {(key, cell) for cell in reading.primary}
        self._within_tables()
        self._same_numbers()
        self._between_scopes()

    # ----------------------------------------------------------------- cells
    def _term(self, key, cell):
        """(is_hidden, value or variable) of a cell as a reader sees it; None when not published."""
        reading = self.readings[key]
        if cell in reading.value:
            return False, reading.value[cell]
        if cell in reading.hidden:
            return True, (key, cell)
        return None

    def _equation(self, terms: list) -> tuple[dict, float] | None:
        coefficients, constant = defaultdict(float), 0.0
        for sign, (key, cell) in terms:
            state = self._term(key, cell)
            if state is None:
                return None
            hidden, item = state
            if hidden:
                coefficients[item] += sign
            else:
                constant -= sign * item
        coefficients = {c: s for c, s in coefficients.items() if s}
        return (coefficients, constant) if coefficients else None

    def _within_tables(self) -> None:
        for key, (table, info) in self.tables.items():
            reading = self.readings[key]
            for group in equations(reading, table, _counts(info)):
                self.equations.append([({(key, c): s for c, s in coefficients.items()}, constant)
                                       for coefficients, constant in group])
            for cell, (low, high) in ratio_bounds(reading, table).items():
                bound = self.bounds[(key, cell)]
                bound[0], bound[1] = max(bound[0], math.ceil(low - 1e-9)), min(bound[1], math.floor(high + 1e-9))

    # ----------------------------------------------------------------- the same number in two tables
    def _dims(self, key) -> list[str]:
        return self.readings[key].dims

    def _identity(self, key, row, column) -> tuple:
        table = self.tables[key][0]
        return tuple(sorted((d, table.at[row, d]) for d in self._dims(key)))

    def _same_numbers(self) -> None:
        by_scope = defaultdict(list)
        for key in self.tables:
            by_scope[key[0]].append(key)
        for keys in by_scope.values():
            for a in keys:
                for b in keys:
                    if a < b:
                        self._match_long(a, b)
                    if a != b:
                        self._match_wide(a, b)

    def _match_long(self, a, b) -> None:
        """Cells of one column in two tables whose shared text columns agree (each table's rows
        keyed by those columns uniquely) are one number."""
        ta, tb = self.tables[a][0], self.tables[b][0]
        shared = [d for d in self._dims(a) if d in self._dims(b)]
        columns = [c for c in self.readings[a].columns if c in self.readings[b].columns]
        if not shared or not columns:
            return
        ka, kb = ta[shared].agg("\x1f".join, axis=1), tb[shared].agg("\x1f".join, axis=1)
        if ka.duplicated().any() or kb.duplicated().any():
            return
        rows_b = {k: r for r, k in enumerate(kb)}
        for ra, k in enumerate(ka):
            rb = rows_b.get(k)
            if rb is None:
                continue
            for column in columns:
                equation = self._equation([(1, (a, (ra, column))), (-1, (b, (rb, column)))])
                if equation and self._consistent(a, (ra, column), b, (rb, column)):
                    self.equations.append([equation])

    def _match_wide(self, wide, long) -> None:
        """A wide table's count column named like a value of a long table's text column."""
        tw, tl = self.tables[wide][0], self.tables[long][0]
        counts = [c for c in _counts(self.tables[wide][1]) if c in tw.columns]
        for dim in self._dims(long):
            values = set(tl[dim])
            named = [c for c in counts if c in values]
            if len(named) < 2:
                continue
            shared = [d for d in self._dims(wide) if d in self._dims(long) and d != dim]
            if not shared and len(tw) > 1:  # nothing says which row of the wide table is which
                continue
            measures = [c for c in self.readings[long].columns if c in _counts(self.tables[long][1])]
            for measure in measures:
                for rw in range(len(tw)):
                    for column in named:
                        mask = tl[dim] == column
                        for d in shared:
                            mask &= tl[d] == tw.at[rw, d]
                        rows = np.flatnonzero(mask.to_numpy())
                        if len(rows) != 1:
                            continue
                        cell_l = (int(rows[0]), measure)
                        equation = self._equation([(1, (wide, (rw, column))), (-1, (long, cell_l))])
                        if equation and self._consistent(wide, (rw, column), long, cell_l):
                            self.equations.append([equation])

    def _consistent(self, a, ca, b, cb) -> bool:
        """A reader keeps a matching only where the visible cells agree."""
        va, vb = self.readings[a].value.get(ca), self.readings[b].value.get(cb)
        return va is None or vb is None or va == vb

    # ----------------------------------------------------------------- differencing between scopes
    def _between_scopes(self) -> None:
        pooled = [key for key in self.tables if key[0] == "all"]
        for key in pooled:
            others = [k for k in self.tables if k[0] != "all" and k[1:] == key[1:]]
            if not others:
                continue
            table = self.tables[key][0]
            dims = self._dims(key)
            index = {k: {tuple(self.tables[k][0].loc[r, dims]) if all(d in self.tables[k][0] for d in dims)
                         else None: r for r in range(len(self.tables[k][0]))} for k in others}
            exact = True
            pending = []
            for row in range(len(table)):
                identity = tuple(table.loc[row, dims])
                for column in self.readings[key].columns:
                    if column not in _counts(self.tables[key][1]):
                        continue
                    parts = []
                    for k in others:
                        r = index[k].get(identity)
                        if r is None:
                            continue  # no such row in that scope: a reader reads it as zero
                        parts.append((k, (r, column)))
                    terms = [(1, (key, (row, column)))] + [(-1, p) for p in parts]
                    if all(self._term(k, c) is not None and not self._term(k, c)[0] for _, (k, c) in terms):
                        total = sum(s * self._term(k, c)[1] for s, (k, c) in terms)
                        exact &= abs(total) < 1e-9
                    pending.append(terms)
            for terms in pending:
                equation = self._equation(terms)
                if equation is None:
                    continue
                coefficients, constant = equation
                if not exact:  # pooled - sum of scopes = remainder >= 0
                    remainder = ("remainder", id(terms))
                    coefficients = {**coefficients, remainder: -1.0}
                    self.bounds[remainder] = [0, BIG]
                self.equations.append([(coefficients, constant)])

    # ----------------------------------------------------------------- solving
    def solve(self) -> dict:
        """Integer range of every hidden small cell given everything published (each group of
        cells linked by equations solved on its own; groups of equations that contradict each
        other, a coincidence of the visible cells, are dropped as a reader would drop them)."""
        parent: dict = {v: v for v in self.bounds}

        def find(v):
            while parent[v] != v:
                parent[v] = parent[parent[v]]
                v = parent[v]
            return v

        for group in self.equations:
            cells = [c for coefficients, _ in group for c in coefficients]
            for other in cells[1:]:
                parent[find(other)] = find(cells[0])
        members = defaultdict(list)
        for v in self.bounds:
            members[find(v)].append(v)
        groups_of = defaultdict(list)
        for group in self.equations:
            first = next(c for coefficients, _ in group for c in coefficients)
            groups_of[find(first)].append(group)
        ranges = {}
        for root, variables in members.items():
            wanted = [v for v in variables if v in self.primary]
            if wanted:
                ranges.update(self._solve_component(sorted(variables, key=repr), groups_of[root], wanted))
        return ranges

    def _solve_component(self, variables: list, groups: list, wanted: list) -> dict:
        index = {v: i for i, v in enumerate(variables)}
        low = np.array([self.bounds[v][0] for v in variables], float)
        high = np.array([self.bounds[v][1] for v in variables], float)
        integrality = np.ones(len(variables))

        def rows_of(group):
            out = []
            for coefficients, constant in group:
                row = np.zeros(len(variables))
                for cell, sign in coefficients.items():
                    row[index[cell]] += sign
                out.append((row, constant))
            return out

        def feasible(rows) -> bool:
            if not rows:
                return True
            matrix, rhs = np.array([r for r, _ in rows]), np.array([c for _, c in rows])
            return milp(np.zeros(len(variables)), constraints=LinearConstraint(matrix, rhs, rhs),
                        integrality=integrality, bounds=Bounds(low, high)).success

        rows = [row for group in groups for row in rows_of(group)]
        if not feasible(rows):
            rows = []
            for group in groups:
                trial = rows + rows_of(group)
                if feasible(trial):
                    rows = trial
        constraints = ([LinearConstraint(np.array([r for r, _ in rows]), [c for _, c in rows], [c for _, c in rows])]
                       if rows else [])
        ranges = {}
        for cell in wanted:
            objective = np.zeros(len(variables))
            objective[index[cell]] = 1
            lo = milp(objective, constraints=constraints, integrality=integrality, bounds=Bounds(low, high))
            hi = milp(-objective, constraints=constraints, integrality=integrality, bounds=Bounds(low, high))
            ranges[cell] = (round(lo.fun), round(-hi.fun))
        return ranges


def recovered_cells(published: Path, internal: Path | None = None, threshold: int = 5) -> list[str]:
    """Every hidden small cell of a run that a reader pins down from everything published.

    With the run's ``internal`` folder (the truth), a cell counts only when the value pinned is its
    true value: a reader who trusts a coincidence of the visible cells pins wrong values, which
    discloses nothing (those are returned by :func:`wrongly_pinned`)."""
    tables = load(published)
    system = RunSystem(tables, threshold)
    found = []
    for (key, (row, column)), (low, high) in system.solve().items():
        if low < high:
            continue
        if internal is not None and _true_value(tables, internal, key, row, column) != low:
            continue
        found.append(f"{'/'.join(key)}: row {row + 1} {column!r} is {low}")
    return found


def _true_value(tables: dict, internal: Path, key: tuple, row: int, column: str) -> float | None:
    """The value a published cell hides, from the internal table (rows matched by their labels)."""
    published, _ = tables[key]
    path = Path(internal) / key[0] / key[1] / "tables" / f"{key[2]}.csv"
    truth = pd.read_csv(path, dtype=str, keep_default_na=False)
    labels = [c for c in published.columns if c in truth.columns
              and pd.to_numeric(published[c], errors="coerce").isna().all()
              and not published[c].isin(["x"]).any() and not published[c].str.startswith("<").any()]
    wanted = tuple(published.loc[row, labels]) if labels else None
    matches = [r for r in range(len(truth)) if tuple(truth.loc[r, labels]) == wanted] if labels else [row]
    if len(matches) != 1 or column not in truth.columns:
        return None
    value = pd.to_numeric(truth.at[matches[0], column], errors="coerce")
    return None if pd.isna(value) else float(value)


# --------------------------------------------------------------------------- share x n

def _number(text: str, lang: str = "cs") -> float | None:
    """A number as written in ``lang``: Czech ``1 234,5``, English ``1,234.5``."""
    text = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("\u2212", "-")
    text = text.replace(",", "") if lang == "en" else text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def small_counts_from_shares(published: Path, threshold: int = 5) -> list[str]:
    """Shares whose count or complement, given their base, is a small positive number: published
    shares in a row with a visible base, and key figures with their n."""
    found = []
    for key, (table, info) in load(published).items():
        n_column = info.get("n_column")
        if not n_column:
            continue
        for column in info.get("percent_columns") or []:
            if column not in table.columns:
                continue
            for row in range(len(table)):
                share, n = _number(table.at[row, column]), _number(table.at[row, n_column])
                if share is None or n is None or not 0 <= share <= 1:
                    continue
                found += _implied(f"{'/'.join(key)} row {row + 1} {column}", share, n, 0.0005, threshold)
    for path in sorted(Path(published).glob("*/*/key_figures.json")):
        for id, figure in json.loads(path.read_text(encoding="utf-8")).items():
            if figure.get("unit") == "%" and figure.get("value") is not None and figure.get("n"):
                places = figure.get("decimals")
                half = 0.5 * 10 ** -((1 if places is None else places) + 2)
                found += _implied(f"{path.parent.name}/{id}", figure["value"], figure["n"], half, threshold)
    return found


def _implied(where: str, share: float, n: float, half: float, threshold: int) -> list[str]:
    """The count ``share x n`` and its complement, given the rounding of the share."""
    found = []
    for value, what in ((share, "count"), (1 - share, "complement")):
        low, high = math.ceil((value - half) * n - 1e-9), math.floor((value + half) * n + 1e-9)
        if low == high and 0 < low < threshold:
            found.append(f"{where}: the {what} is {low} (share {share} of {n:g})")
    return found


# --------------------------------------------------------------------------- texts and figures

def numbers_in_texts_not_published(published: Path, internal: Path) -> list[str]:
    """Numbers in the published sentences that are neither a published key figure nor written in
    the sentence's template (so a sentence says nothing the key figures do not)."""
    found = []
    for path in sorted(Path(published).glob("*/*/texts.json")):
        scope, strand = path.parts[-3], path.parts[-2]
        templates = json.loads((Path(internal) / scope / strand / "texts.json").read_text(encoding="utf-8")) \
            if (Path(internal) / scope / strand / "texts.json").is_file() else {}
        figures = json.loads((path.parent / "key_figures.json").read_text(encoding="utf-8")) \
            if (path.parent / "key_figures.json").is_file() else {}
        allowed = set()
        for figure in figures.values():
            for value in [figure.get("value"), figure.get("n"), *(figure.get("ci") or [])]:
                if value is None:
                    continue
                for scale in (1, 100):
                    for decimals in range(0, 4):
                        allowed.add(round(abs(value) * scale, decimals))
        for id, text in json.loads(path.read_text(encoding="utf-8")).items():
            if id.startswith("limitation_publication"):
                continue
            template = templates.get(id, {})
            for lang in ("cs", "en"):
                written = " ".join(str(v) for v in (template.get(lang), *(template.get("fallback") or {}).values()))
                pattern = r"\d[\d\u00a0\u202f]*(?:,\d+)?" if lang == "cs" else r"\d[\d,]*(?:\.\d+)?"
                constants = {_number(m.rstrip(",."), lang) for m in re.findall(pattern, written)}
                for match in re.findall(pattern, text[lang]):
                    number = _number(match.rstrip(",."), lang)
                    if number is None or number in constants or abs(number) in allowed:
                        continue
                    if any(abs(number - a) < 1e-6 for a in allowed):
                        continue
                    found.append(f"{scope}/{strand}/{id} ({lang}): {match} is not a published figure")
    return found


def figures_not_from_published_tables(published: Path, internal: Path) -> list[str]:
    """Figures that do not come out the same when drawn again from the published tables alone."""
    from evaluation.reporting.publication.figures import draw, numeric_table

    found = []
    for spec_path in sorted(Path(internal).glob("*/*/figures/*.json")):
        scope, strand = spec_path.parts[-4], spec_path.parts[-3]
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        folder = Path(published) / scope / strand
        svg = folder / "figures" / f"{spec_path.stem}.cs.svg"
        if not svg.is_file():
            continue
        tables = {}
        for csv in (folder / "tables").glob("*.csv"):
            info = json.loads((Path(internal) / scope / strand / "tables" / csv.with_suffix(".json").name)
                              .read_text(encoding="utf-8"))
            frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
            tables[csv.stem] = numeric_table(frame.mask(frame == ""), info.get("text_columns", []))
        redraw = Path(internal).parent / "redraw" / scope / strand
        draw({**spec, "name": spec_path.stem}, tables, redraw, ("cs",))
        if (redraw / svg.name).read_bytes() != svg.read_bytes():
            found.append(f"{scope}/{strand}/{spec_path.stem}: differs from a drawing of the published tables")
    return found


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    problems = recovered_cells(folder) + small_counts_from_shares(folder)
    print("\n".join(problems) or "no small cell can be recovered")
    print(f"{len(problems)} recoverable small cell(s)")
