"""Field-level checks of one table: types, required values, categories, ranges and unique keys.

:class:`TableCheck` holds one file while it is checked: the raw columns, the
parsed columns, the problems found so far and, per row, the first row-level rule
the row broke (empty when none), which the ledger uses to count exclusions once.
The schema's cross-field rules live in :mod:`evaluation.data.rules`, foreign keys
in :mod:`evaluation.data.references`.

Example
-------
>>> import numpy as np, pandas as pd
>>> from pathlib import Path
>>> from evaluation.data.readers import RawTable
>>> from evaluation.data.schema import get_schema
>>> raw = RawTable("units", Path("units.csv"), "csv", ["unit_id", "obec", "stupen", "vlastnik", "v svl", "pokoje"],
...                pd.DataFrame([["U1", "Kolín", "krizové bydlení", "obecní", "ano", "2,5"]]), np.array([2]))
>>> check = TableCheck(raw, get_schema().table("units"),
...                    {"unit_id": 0, "municipality": 1, "step": 2, "owner_type": 3, "in_excluded_locality": 4,
...                     "rooms": 5})
>>> check.parse()
>>> check.problem_frame()["message_en"].tolist()
['Row 2, column “pokoje”: the value 2,5 is not a whole number.']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.data.messages import for_source, row_refs
from evaluation.data.parsing import ParsedColumn, as_text, parse_column
from evaluation.data.readers import RawTable, RowNotice
from evaluation.data.schema import TableSchema
from evaluation.data.validation import combine, file_problem, row_problems

#: Order in which row-level rules are checked; a row excluded by several counts under the first.
RULE_ORDER = ("bad_line", "quote", "merged_cells", "encoding", "type", "required", "category", "range", "unique",
              "compare", "missing_iff", "no_overlap", "in_study_period", "first_of_month", "constant_within",
              "pattern", "in_code_list", "foreign_key", "orphan")
#: Field-level rules that are not reported again for rows the reader reported as a whole.
_CELL_RULES = ("type", "required", "category", "range")
_THOUSANDS_REASONS = {
    "integer": ("sloupec má obsahovat celá čísla", "the column holds whole numbers"),
    "money": ("jde o částky v Kč, které tři desetinná místa nemají", "these are amounts in CZK, which have no "
              "three decimals"),
    "czech": ("ostatní hodnoty sloupce používají desetinnou čárku nebo tečky mezi tisíci",
              "the other values of the column use a decimal comma or dots between thousands"),
}


class TableCheck:
    """One table under check: ``columns`` maps each field found to its column position in the file."""

    def __init__(self, raw: RawTable, schema: TableSchema, columns: dict[str, int]) -> None:
        self.raw = raw
        self.schema = schema
        self.columns = dict(columns)
        self.n_rows = len(raw.frame)
        self.first_rule = np.full(self.n_rows, "", dtype=object)
        self.quiet = np.zeros(self.n_rows, dtype=bool)  # rows reported as a whole by the reader
        self.parsed: dict[str, ParsedColumn] = {}
        self.unknown: list[int] = []  # positions of columns that match no field
        self.suggestions: dict[int, str] = {}  # unknown column position -> the missing field it probably is
        self._problems: list[pd.DataFrame] = []

    # -- where things are -------------------------------------------------------------------------
    def header(self, name: str) -> str:
        return self.raw.headers[self.columns[name]]

    def raw_column(self, name: str) -> pd.Series:
        return self.raw.frame[self.columns[name]]

    def has(self, *names: str) -> bool:
        return all(n in self.parsed for n in names)

    def values(self, name: str) -> pd.Series:
        return self.parsed[name].values

    @property
    def excluded(self) -> np.ndarray:
        return self.first_rule != ""

    def sheets_of(self, positions: np.ndarray) -> np.ndarray | None:
        return None if self.raw.sheets is None else self.raw.sheets[positions]

    def keys_of(self, positions: np.ndarray) -> np.ndarray | None:
        """How a database names the rows at ``positions`` (their primary key); None for a file."""
        return self.raw.record_keys(positions)

    def refs(self, positions: np.ndarray) -> tuple[pd.Series, pd.Series]:
        """How a message names other rows: (Czech, English) texts, with the sheet when the table spans
        several (a database record by its key)."""
        rows = self.raw.rows[positions]
        sheets = self.raw.sheets[positions] if self.raw.several_sheets else None
        keys = self.keys_of(positions)
        return row_refs(rows, sheets, "cs", keys=keys), row_refs(rows, sheets, "en", keys=keys)

    # -- recording problems -----------------------------------------------------------------------
    def add_file_problem(self, rule: str, key: str, **kwargs: object) -> None:
        self._problems.append(file_problem(self.raw.file, self.schema.name, rule,
                                           for_source(key, self.raw.file_format), **kwargs))

    def add_row_problems(self, mask: np.ndarray, name: str, rule: str, key: str, *,
                         values: pd.Series | None = None, column: str | None = None,
                         per_row: dict[str, pd.Series] | None = None, severity: str = "error",
                         **fixed: object) -> np.ndarray:
        """Record a problem for each row where ``mask`` holds; returns the positions. A ``"warning"``
        keeps the rows (only an error excludes a row)."""
        if rule in _CELL_RULES and self.quiet.any():
            mask = mask & ~self.quiet
        positions = np.flatnonzero(mask)
        if not len(positions):
            return positions
        shown = as_text(self.raw_column(name).iloc[positions]) if values is None else values.iloc[positions]
        per_row = {k: (v[0].iloc[positions], v[1].iloc[positions]) if isinstance(v, tuple) else v.iloc[positions]
                   for k, v in (per_row or {}).items()}
        self._problems.append(row_problems(self.raw.file, self.schema.name, self.raw.rows[positions],
                                           column or self.header(name), shown, rule,
                                           for_source(key, self.raw.file_format), per_row,
                                           sheets=self.sheets_of(positions), keys=self.keys_of(positions),
                                           severity=severity, **fixed))
        if severity == "error":
            self.mark(positions, rule)
        return positions

    def add_reader_problems(self, notice: RowNotice) -> None:
        """Record a problem the reader found in some rows (broken quotes, merged cells, wrong encoding)."""
        positions = notice.positions
        if not len(positions):
            return
        self._problems.append(row_problems(self.raw.file, self.schema.name, self.raw.rows[positions],
                                           notice.column, notice.shown.reset_index(drop=True), notice.rule,
                                           notice.key, sheets=self.sheets_of(positions),
                                           keys=self.keys_of(positions), **dict(notice.values)))
        self.mark(positions, notice.rule)
        if notice.quiet:
            self.quiet[positions] = True

    def mark(self, positions: np.ndarray, rule: str) -> None:
        unset = self.first_rule[positions] == ""
        self.first_rule[positions[unset]] = rule

    def problem_frame(self) -> pd.DataFrame:
        return combine(self._problems)

    # -- the field-level checks -------------------------------------------------------------------
    def parse(self) -> None:
        """Parse every column found and check type, required value, category and range."""
        excel = self.raw.file_format == "xlsx"
        for f in self.schema.fields:
            if f.name not in self.columns:
                continue
            col = parse_column(self.raw_column(f.name), f, self.schema.missing_values, excel=excel)
            self.parsed[f.name] = col
            if f.is_categorical:
                allowed_cs = ", ".join(c.label_cs for c in f.categories)
                allowed_en = ", ".join(c.label_en for c in f.categories)
                self.add_row_problems(col.invalid, f.name, "category", "category",
                                      allowed_cs=allowed_cs, allowed_en=allowed_en)
            elif col.ambiguous is not None and col.ambiguous.any():
                self.add_row_problems(col.invalid & ~col.ambiguous, f.name, "type", f"type_{f.type}")
                self.add_row_problems(col.ambiguous, f.name, "type", "ambiguous_number")
            else:
                self.add_row_problems(col.invalid, f.name, "type", f"type_{f.type}")
            if col.thousands is not None and col.thousands.any():
                self._thousands_note(f.name, col)
            if f.required:
                self.add_row_problems(col.missing, f.name, "required", "required")
            if f.type in ("number", "integer"):
                self._check_range(f.name, f.minimum, f.maximum)

    def _thousands_note(self, name: str, col: ParsedColumn) -> None:
        positions = np.flatnonzero(col.thousands)
        first = positions[0]
        example = as_text(self.raw_column(name).iloc[[first]]).iloc[0]
        cs_rows, en_rows = self.refs(positions[:5])
        more = " …" if len(positions) > 5 else ""
        reason_cs, reason_en = _THOUSANDS_REASONS[col.thousands_reason]
        self.add_file_problem("thousands_dot", "thousands_dot", severity="warning", column=self.header(name),
                              count=len(positions), example=example, read=_number_text(col.values.iloc[first]),
                              rows=("řádky " + ", ".join(cs_rows) + more, "rows " + ", ".join(en_rows) + more),
                              reason_cs=reason_cs, reason_en=reason_en)

    def _check_range(self, name: str, minimum: float | None, maximum: float | None) -> None:
        numbers = self.values(name).astype("float64")
        if minimum is not None:
            self.add_row_problems((numbers < minimum).fillna(False).to_numpy(), name, "range", "minimum",
                                  limit=_number_text(minimum))
        if maximum is not None:
            self.add_row_problems((numbers > maximum).fillna(False).to_numpy(), name, "range", "maximum",
                                  limit=_number_text(maximum))

    def check_unique(self) -> None:
        """The primary key (one or more fields) and every ``unique`` field identify one row each."""
        keys = [self.schema.primary_key] if self.schema.primary_key else []
        keys += [(f.name,) for f in self.schema.fields if f.unique and (f.name,) != self.schema.primary_key]
        for key in keys:
            if not self.has(*key):
                continue
            frame = pd.DataFrame({k: self.values(k) for k in key})
            complete = frame.notna().all(axis=1).to_numpy()
            duplicated = complete & frame.duplicated(keep=False).to_numpy()
            if not duplicated.any():
                continue
            positions = np.flatnonzero(duplicated)
            group = frame.iloc[positions].groupby(list(key), sort=False).ngroup().to_numpy()
            others_by_lang = []
            for refs in self.refs(positions):
                listed = refs.groupby(group).agg(lambda r: ", ".join(r.iloc[:5]) + (" …" if len(r) > 5 else ""))
                others_by_lang.append(listed.to_numpy()[group])
            shown = as_text(self.raw_column(key[0]).iloc[positions]).reset_index(drop=True)
            for k in key[1:]:
                shown = shown + " + " + as_text(self.raw_column(k).iloc[positions]).reset_index(drop=True)
            full_shown = pd.Series("", index=range(self.n_rows), dtype=object)
            full_shown.iloc[positions] = shown.to_numpy()
            full_others = []
            for others in others_by_lang:
                full = pd.Series("", index=range(self.n_rows), dtype=object)
                full.iloc[positions] = others
                full_others.append(full)
            column = " + ".join(self.header(k) for k in key)
            self.add_row_problems(duplicated, key[0], "unique", "unique", values=full_shown, column=column,
                                  per_row={"others": tuple(full_others)})


def _number_text(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u00a0")
    return str(value).replace(".", ",")
