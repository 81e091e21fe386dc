"""Read an Excel workbook (XLSX) as one table: every sheet of the table, merged cells as Excel shows them.

Offices often keep one sheet per year. Every sheet whose header row matches the same fields
as the best-matching sheet is read, and the rows are put one after another, each keeping
its sheet and its row as Excel shows them. Any other sheet is accounted for:

* a sheet that matches at least half of those fields but not all of them looks like part of
  the table with different columns: an **error** (its rows would otherwise be lost);
* a sheet with data but not the table's header (a code list, a summary): a **warning**;
* an empty sheet: a **note**.

Merged cells in the data hold their value in the top-left cell only; the other cells read
as empty. A cell merged down one column (a household number spanning its tenancies) is read
as Excel shows it: the value fills every row of the range, and a warning names the ranges.
A cell merged across columns (a label spanning a row) cannot be read as data: its rows are
reported as merged cells, not as rows with empty values.

Example
-------
>>> import tempfile, pathlib, openpyxl
>>> path = pathlib.Path(tempfile.mkdtemp()) / "units.xlsx"
>>> book = openpyxl.Workbook()
>>> book.active.title = "2021"
>>> book.active.append(["unit_id", "obec"]); book.active.append(["U1", "Kolín"])
>>> other = book.create_sheet("2022"); other.append(["unit_id", "obec"]); other.append(["U2", "Brno"])
>>> book.save(path)
>>> raw = read_workbook(path, "units")
>>> raw.frame[0].tolist(), raw.rows.tolist(), raw.sheets.tolist()
(['U1', 'U2'], [2, 2], ['2021', '2022'])
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.data.readers import (
    MAX_EXAMPLES,
    HeaderMatch,
    Notice,
    RawTable,
    RowNotice,
    _header_texts,
    body_rows,
    column_letter,
    finish_table,
    header_position,
    name_unnamed,
)
from evaluation.data.schema import normalise_label

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


@dataclass
class _Sheet:
    title: str
    frame: pd.DataFrame
    header_at: int = -1
    headers: list[str] = field(default_factory=list)
    fields: frozenset[str] = frozenset()
    has_data: bool = False

    @property
    def empty(self) -> bool:
        return self.header_at < 0


def _letters_to_number(letters: bytes) -> int:
    n = 0
    for ch in letters.decode("ascii"):
        n = n * 26 + ord(ch) - 64
    return n


def merged_ranges(path: Path, sheet_paths: dict[str, str]) -> dict[str, list[tuple[int, int, int, int]]]:
    """``(min_col, min_row, max_col, max_row)`` (1-based) of every merged range, by sheet title.

    Read from the sheet XML, because openpyxl's read-only mode (needed for big workbooks) does not
    load merged cells."""
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for title, member in sheet_paths.items():
            member = member.lstrip("/")
            if member not in names:
                continue
            data = archive.read(member)
            found = [(_letters_to_number(a), int(b), _letters_to_number(c), int(d))
                     for a, b, c, d in _MERGE.findall(data)]
            if found:
                out[title] = found
    return out


def _load(path: Path) -> tuple[list[_Sheet], dict[str, list[tuple[int, int, int, int]]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    sheets: list[_Sheet] = []
    try:
        paths = {ws.title: getattr(ws, "_worksheet_path", "") for ws in book.worksheets}
        for ws in book.worksheets:
            ws.reset_dimensions()  # exports often carry a wrong stored sheet size
            records = [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
            width = max((len(r) for r in records), default=0)
            frame = pd.DataFrame([r + [None] * (width - len(r)) for r in records], dtype=object)
            if not frame.empty:
                frame = frame.where(frame.map(lambda v: not (isinstance(v, str) and not v.strip())), None)
            sheets.append(_Sheet(ws.title, frame))
    finally:
        book.close()
    return sheets, merged_ranges(path, {t: p for t, p in paths.items() if p})


def _header_fields(headers: list[str], match_header: HeaderMatch | None) -> frozenset[str]:
    matched = match_header(headers) if match_header is not None else None
    if matched is None or isinstance(matched, int):  # no fields to compare: compare the header texts
        return frozenset(normalise_label(h) for h in headers if h) if matched != 0 else frozenset()
    return frozenset(matched)


def read_workbook(path: Path, table: str, match_header: HeaderMatch | None = None) -> RawTable:
    """Read the sheets of ``table`` from the workbook at ``path`` (see the module docstring)."""
    sheets, merges = _load(path)
    for sheet in sheets:
        if sheet.frame.empty or sheet.frame.isna().all().all():
            continue
        sheet.header_at = header_position(sheet.frame, match_header)
        sheet.headers = _header_texts(sheet.frame.iloc[sheet.header_at].tolist())
        sheet.fields = _header_fields(sheet.headers, match_header)
        sheet.has_data = bool(sheet.frame.iloc[sheet.header_at + 1:].notna().any().any())
    filled = [s for s in sheets if not s.empty]
    if not filled:
        from evaluation.errors import DataError

        raise DataError("the workbook has no sheet with data")
    named = table.casefold()
    best = max(filled, key=lambda s: (len(s.fields), s.title.casefold() == named, -sheets.index(s)))
    if not best.fields:  # nothing matched: the sheet named like the table, else the first with data
        best = next((s for s in filled if s.title.casefold() == named), filled[0])
    chosen = [s for s in filled if s is best or (best.fields and s.fields == best.fields)]
    notices = _other_sheets(sheets, chosen, best)
    parts = [_sheet_body(s, merges.get(s.title, [])) for s in chosen]
    if len(chosen) > 1:
        notices.append(Notice("sheets_read", "sheets", "note", values={
            "sheets": ", ".join(f"„{s.title}“ ({len(p[1])})" for s, p in zip(chosen, parts))}))
    headers, body, rows, sheet_of, row_notices = _stack(parts, [s.title for s in chosen])
    for part in parts:
        notices += part[3]
    return finish_table(table, path, "xlsx", headers, body, rows, notices=notices, row_notices=row_notices,
                        sheets=sheet_of)


def _other_sheets(sheets: list[_Sheet], chosen: list[_Sheet], best: _Sheet) -> list[Notice]:
    notices: list[Notice] = []
    empty = [s.title for s in sheets if s.empty or (s not in chosen and not s.has_data and not s.fields)]
    for sheet in sheets:
        if sheet in chosen or sheet.title in empty:
            continue
        shared = sheet.fields & best.fields
        if best.fields and len(shared) >= max(2, (len(best.fields) + 1) // 2):
            notices.append(Notice("sheet_mismatch", "sheets", "error", values={
                "sheet_name": sheet.title, "best": best.title,
                "missing": ", ".join(sorted(best.fields - sheet.fields)) or "—",
                "extra": ", ".join(sorted(sheet.fields - best.fields)) or "—"}))
        else:
            notices.append(Notice("sheet_skipped", "sheets", "warning", values={"sheet_name": sheet.title}))
    if empty:
        notices.append(Notice("sheets_empty", "sheets", "note",
                              values={"sheets": ", ".join(f"„{t}“" for t in empty)}))
    return notices


def _range_text(min_col: int, min_row: int, max_col: int, max_row: int) -> str:
    return f"{column_letter(min_col - 1)}{min_row}:{column_letter(max_col - 1)}{max_row}"


def _sheet_body(sheet: _Sheet, merges: list[tuple[int, int, int, int]]
                ) -> tuple[list[str], pd.DataFrame, np.ndarray, list[Notice], list[RowNotice]]:
    """Headers, body, sheet rows and what the merged cells below the header did."""
    frame = sheet.frame.copy()
    filled, across = [], []
    for min_col, min_row, max_col, max_row in merges:
        if min_row - 1 <= sheet.header_at or min_col > frame.shape[1] or min_row > len(frame):
            continue  # title rows and the header are not data
        if min_col == max_col:
            frame.iloc[min_row - 1:max_row, min_col - 1] = frame.iat[min_row - 1, min_col - 1]
            filled.append(_range_text(min_col, min_row, max_col, max_row))
        else:
            across.append((min_row, max_row, _range_text(min_col, min_row, max_col, max_row),
                           frame.iat[min_row - 1, min_col - 1]))
    body, kept = body_rows(frame, sheet.header_at)
    headers, body = name_unnamed(sheet.headers, body)
    rows = kept + 1
    notices: list[Notice] = []
    if filled:
        notices.append(Notice("merged_filled", "merged_cells", "warning", values={
            "sheet_name": sheet.title, "count": len(filled),
            "ranges": ", ".join(filled[:MAX_EXAMPLES]) + (" …" if len(filled) > MAX_EXAMPLES else "")}))
    row_notices: list[RowNotice] = []
    for min_row, max_row, text, value in across:
        positions = np.flatnonzero((rows >= min_row) & (rows <= max_row))
        if len(positions):
            shown = pd.Series([text] * len(positions), dtype=object)
            row_notices.append(RowNotice("merged_across", "merged_cells", positions, "", shown, quiet=True))
    return headers, body, rows, notices, row_notices


def _keys(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    keys = []
    for h in headers:
        k = normalise_label(h)
        seen[k] = seen.get(k, 0) + 1
        keys.append(k if seen[k] == 1 else f"{k}#{seen[k]}")
    return keys


def _stack(parts: list[tuple[list[str], pd.DataFrame, np.ndarray, list[Notice], list[RowNotice]]],
           titles: list[str]) -> tuple[list[str], pd.DataFrame, np.ndarray, np.ndarray, list[RowNotice]]:
    """Put the sheets' rows one after another, columns aligned by header."""
    order: dict[str, str] = {}
    for headers, *_ in parts:
        for key, header in zip(_keys(headers), headers):
            order.setdefault(key, header)
    columns = list(order)
    frames, rows, sheets, row_notices = [], [], [], []
    offset = 0
    for (headers, body, sheet_rows, _, notices), title in zip(parts, titles):
        aligned = body.set_axis(_keys(headers), axis=1).reindex(columns=columns)
        frames.append(aligned)
        rows.append(sheet_rows)
        sheets.append(np.full(len(body), title, dtype=object))
        row_notices += [RowNotice(n.key, n.rule, n.positions + offset, n.column, n.shown, n.values, n.quiet)
                        for n in notices]
        offset += len(body)
    body = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    body = body.astype(object).where(body.notna(), None)
    body.columns = range(body.shape[1])
    return ([order[c] for c in columns], body, np.concatenate(rows) if rows else np.array([], dtype=np.int64),
            np.concatenate(sheets) if sheets else np.array([], dtype=object), row_notices)
