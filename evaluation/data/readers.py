"""Read municipal exports (CSV, XLSX, Parquet) into raw tables, keeping what the user sees.

A :class:`RawTable` keeps the headers exactly as written and, for every data row,
the row number the user sees in the file (CSV: the physical line, the header
being line 1; XLSX: the sheet row; Parquet: the 1-based record number), so that
every problem can be pointed at. Nothing is converted here except text decoding:
values stay as the file holds them (strings for CSV; Excel dates and numbers for
XLSX; native types for Parquet). Parsing is :mod:`evaluation.data.parsing`'s job.

CSV files as Czech offices export them just work: UTF-8 with or without BOM,
UTF-16 with BOM (Excel's "Unicode text"), or Windows-1250; ``;``, ``,`` or tab
separators, sniffed from the first lines.

Example
-------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "units.csv").write_bytes("unit_id;obec\\nU1;Kolín\\n".encode("cp1250"))
>>> raw = read_raw(folder / "units.csv", "units")
>>> raw.headers, raw.rows.tolist(), raw.encoding, raw.separator
(['unit_id', 'obec'], [2], 'cp1250', ';')
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.errors import DataError

#: File endings the reader understands, by format.
FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet",
           ".pq": "parquet"}
HeaderScore = Callable[[list[str]], int]
SEPARATORS = (";", "\t", ",")  # order breaks ties: Czech exports use ';' because ',' is the decimal mark
_SNIFF_LINES = 50
_HEADER_SEARCH = 10  # title lines an export may put above the header row


def _header_texts(cells: list[object]) -> list[str]:
    return [str(h).strip() if h is not None and not (isinstance(h, float) and np.isnan(h)) else "" for h in cells]


@dataclass(frozen=True)
class RawTable:
    """One file as read: columns are positions 0..k-1, ``headers[i]`` is column i's header as written."""
    table: str
    path: Path
    file_format: str
    headers: list[str]
    frame: pd.DataFrame
    rows: np.ndarray
    bad_lines: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"row": [], "fields": []}))
    encoding: str | None = None
    separator: str | None = None

    @property
    def file(self) -> str:
        return self.path.name


def table_files(folder: Path, table_names: tuple[str, ...]) -> tuple[dict[str, list[Path]], list[Path]]:
    """Files of ``folder`` by table (matched case-insensitively on the stem) and the files matching none.

    Hidden files, Excel lock files (``~$...``) and ``datapackage.json`` are ignored.
    """
    by_table: dict[str, list[Path]] = {}
    unknown: list[Path] = []
    names = {name.casefold(): name for name in table_names}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith((".", "~$")) or path.name.casefold() == "datapackage.json":
            continue
        table = names.get(path.stem.casefold())
        if table and path.suffix.casefold() in FORMATS:
            by_table.setdefault(table, []).append(path)
        else:
            unknown.append(path)
    return by_table, unknown


def read_raw(path: Path, table: str, score_header: HeaderScore | None = None) -> RawTable:
    """Read one file; raises :class:`DataError` with a plain reason when it cannot be read.

    The header is the first non-empty row, or, when ``score_header`` is given, the row among
    the first few non-empty ones that it scores highest (e.g. the number of headers that match
    a field), so that title lines above the table are skipped.
    """
    file_format = FORMATS.get(path.suffix.casefold())
    try:
        if file_format == "csv":
            return _read_csv(path, table, score_header)
        if file_format == "xlsx":
            return _read_xlsx(path, table, score_header)
        if file_format == "parquet":
            return _read_parquet(path, table)
    except DataError:
        raise
    except Exception as exc:  # any library failure on a broken file becomes one plain message
        raise DataError(f"{type(exc).__name__}: {exc}") from exc
    raise DataError(f"unsupported file type {path.suffix!r}")


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding of a CSV file: BOM first, then strict UTF-8, then Windows-1250."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1250"), "cp1250"
    except UnicodeDecodeError as exc:
        raise DataError("the text encoding is neither UTF-8 nor Windows-1250 "
                        f"(byte {data[exc.start]:#04x} at position {exc.start})") from exc


def sniff_separator(text: str) -> str:
    """The separator that splits the first lines into the same number (> 1) of fields most often."""
    sample = [line for line in text[:200_000].splitlines()[: _SNIFF_LINES * 2] if line.strip()][:_SNIFF_LINES]
    if not sample:
        return ","
    best, best_score = ",", (-1.0, 0)
    for sep in SEPARATORS:
        lengths = [len(rec) for rec in csv.reader(sample, delimiter=sep)]
        if lengths[0] < 2:
            continue
        consistency = sum(n == lengths[0] for n in lengths) / len(lengths)
        score = (consistency, lengths[0] if consistency == 1 else 0)
        if score > best_score:
            best, best_score = sep, score
    return best


def _read_csv(path: Path, table: str, score_header: HeaderScore | None) -> RawTable:
    text, encoding = decode(path.read_bytes())
    sep = sniff_separator(text)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str, keep_default_na=False,
                            skip_blank_lines=False, engine="c")
        lines = _physical_lines(frame, has_quotes='"' in text)
        bad = pd.DataFrame({"row": pd.Series([], dtype="int64"), "fields": pd.Series([], dtype="int64")})
    except pd.errors.ParserError:
        frame, lines, bad = _read_csv_record_by_record(text, sep)
    except pd.errors.EmptyDataError:
        raise DataError("the file is empty") from None
    frame, lines, headers = _split_header(frame, lines, score_header)
    return RawTable(table, path, "csv", headers, frame, lines, bad, encoding, sep)


def _physical_lines(frame: pd.DataFrame, has_quotes: bool) -> np.ndarray:
    """Line number of each record; a quoted field with line breaks pushes later records down."""
    lines = np.arange(1, len(frame) + 1, dtype=np.int64)
    if has_quotes and len(frame):
        breaks = sum(frame[c].str.count("\n").to_numpy(dtype=np.int64) for c in frame.columns)
        lines += np.concatenate([[0], np.cumsum(breaks)[:-1]])
    return lines


def _read_csv_record_by_record(text: str, sep: str) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Slow path for files whose rows have more fields than the header: keep the rows that fit."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    records, lines, starts = [], [], []
    previous_end = 0
    for record in reader:
        records.append(record)
        starts.append(previous_end + 1)
        previous_end = reader.line_num
        lines.append(previous_end)
    line_of = np.array(starts, dtype=np.int64)
    width_all = np.array([len(r) for r in records], dtype=np.int64)
    header_at = int(np.argmax(width_all > 0)) if (width_all > 0).any() else 0
    width = width_all[header_at] if len(records) else 0
    too_long = (width_all > width) & (np.arange(len(records)) > header_at)
    bad = pd.DataFrame({"row": line_of[too_long], "fields": width_all[too_long]})
    keep = [r[:width] + [""] * (width - len(r)) for r, long in zip(records, too_long) if not long]
    frame = pd.DataFrame(keep, dtype=object) if keep else pd.DataFrame()
    return frame, line_of[~too_long], bad


def _split_header(frame: pd.DataFrame, lines: np.ndarray,
                  score_header: HeaderScore | None = None) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Find the header row; empty records carry no data and are left out."""
    if frame.empty:
        raise DataError("the file has no header row")
    filled = np.ones(len(frame), dtype=bool)
    first_empty = np.flatnonzero((frame[frame.columns[0]].isna() | (frame[frame.columns[0]] == "")).to_numpy())
    if len(first_empty):  # only rows whose first cell is empty can be empty rows
        rest = frame.iloc[first_empty]
        filled[first_empty] = (rest.notna() & (rest != "")).any(axis=1).to_numpy()
    if not filled.any():
        raise DataError("the file has no header row")
    candidates = np.flatnonzero(filled)[:_HEADER_SEARCH]
    header_at = int(candidates[0])
    if score_header is not None:
        scores = [score_header(_header_texts(frame.iloc[i].tolist())) for i in candidates]
        if max(scores) > 0:
            header_at = int(candidates[int(np.argmax(scores))])
    headers = _header_texts(frame.iloc[header_at].tolist())
    body = frame.iloc[header_at + 1:]
    keep = filled[header_at + 1:]
    body = body.loc[keep].reset_index(drop=True)
    body.columns = range(body.shape[1])
    return body, lines[header_at + 1:][keep], headers


def _read_xlsx(path: Path, table: str, score_header: HeaderScore | None) -> RawTable:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = {ws.title.casefold(): ws for ws in book.worksheets}
        sheet = sheets.get(table.casefold(), book.worksheets[0])
        sheet.reset_dimensions()  # exports often carry a wrong stored sheet size
        records = [list(r) for r in sheet.iter_rows(min_row=1, values_only=True)]
    finally:
        book.close()
    width = max((len(r) for r in records), default=0)
    frame = pd.DataFrame([r + [None] * (width - len(r)) for r in records], dtype=object)
    lines = np.arange(1, len(frame) + 1, dtype=np.int64)
    frame = frame.where(frame.map(lambda v: not (isinstance(v, str) and not v.strip())), None)
    frame, lines, headers = _split_header(frame, lines, score_header)
    headers = [h or f"[{get_column_letter(i + 1)}]" for i, h in enumerate(headers)]
    empty_unnamed = [i for i, h in enumerate(headers) if h.startswith("[") and frame[i].isna().all()]
    if empty_unnamed:
        frame = frame.drop(columns=empty_unnamed)
        headers = [h for i, h in enumerate(headers) if i not in empty_unnamed]
        frame.columns = range(frame.shape[1])
    return RawTable(table, path, "xlsx", headers, frame, lines)


def _read_parquet(path: Path, table: str) -> RawTable:
    frame = pd.read_parquet(path)
    headers = [str(c) for c in frame.columns]
    frame = frame.reset_index(drop=True)
    frame.columns = range(frame.shape[1])
    return RawTable(table, path, "parquet", headers, frame, np.arange(1, len(frame) + 1, dtype=np.int64))
