"""Read municipal exports (CSV, XLSX, Parquet) into raw tables, keeping what the user sees.

A :class:`RawTable` keeps the headers exactly as written and, for every data row, the
row number the user sees in Excel (the header row of a file without title lines being
row 1), so that every problem can be pointed at:

* **CSV**: the record number as Excel shows the file. A quoted value with line breaks in
  it is one row in Excel, so it is one row here too (a text editor shows more lines; the
  report says so when a file has such values). Blank lines count, as Excel shows them
  as empty rows.
* **XLSX**: the sheet row, with the sheet's name (``sheets``). Every sheet whose header
  row matches the table is read, one after another; a sheet that looks like part of the
  table but whose columns differ is an error, and any other sheet with data is named in
  a warning, so that no sheet is ignored without a word. Merged data cells are read as
  Excel shows them (see :mod:`evaluation.data.workbooks`).
* **Parquet**: the 1-based record number.

Nothing is lost without a word. For CSV the physical lines are counted apart from the
CSV parser, and every line is accounted for: as a row, a blank line, part of a quoted
value, or an unreadable row. A double quote that opens a value and never closes (which
makes a CSV parser swallow every following row into one cell) is reported at the row
where it starts, that row is read as it stands, and reading goes on with the next line.
Text that went through a wrong encoding before it was saved (``Ä›`` for ``ě``) is turned
back and said so, or reported where it cannot be (:mod:`evaluation.data.textcodes`).
Columns without a header are dropped when empty and otherwise named by their letter.

Values stay as the file holds them (strings for CSV; Excel dates and numbers for XLSX;
native types for Parquet). Parsing is :mod:`evaluation.data.parsing`'s job. What the
reader noticed is carried as :class:`Notice` (a whole file or column) and
:class:`RowNotice` (rows) for the loader to report.

CSV files as Czech offices export them just work: UTF-8 with or without BOM, UTF-16 with
BOM (Excel's "Unicode text"), or Windows-1250; ``;``, ``,`` or tab separators, sniffed
from the first lines.

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
import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data import textcodes
from evaluation.errors import DataError

#: File endings the reader understands, by format.
FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet",
           ".pq": "parquet"}
#: Given a header row, the fields of the table it matches (the best header row matches most), or
#: just a score (then workbook sheets are compared by their header texts).
HeaderMatch = Callable[[list[str]], Collection[str] | int]
SEPARATORS = (";", "\t", ",")  # order breaks ties: Czech exports use ';' because ',' is the decimal mark
_SNIFF_LINES = 50
_HEADER_SEARCH = 10  # title lines an export may put above the header row
_LINE_END = re.compile(r"\r\n|\r|\n")
_EOF_IN_QUOTES = re.compile(r"EOF inside string starting at row (\d+)")
MAX_EXAMPLES = 5


def _empty_bad() -> pd.DataFrame:
    return pd.DataFrame({"row": pd.Series([], dtype="int64"), "fields": pd.Series([], dtype="int64")})


@dataclass(frozen=True)
class Notice:
    """Something the reader noticed about a whole file or column (message key of
    :mod:`evaluation.data.messages`, rule, severity ``error``/``warning``/``note``)."""
    key: str
    rule: str
    severity: str = "warning"
    column: str = ""
    values: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class RowNotice:
    """A problem of some rows that the reader found: ``positions`` index ``RawTable.frame``;
    ``shown`` holds the value to show per position. ``quiet`` rows are reported as a whole,
    so their cells are not reported again as empty or invalid."""
    key: str
    rule: str
    positions: np.ndarray
    column: str
    shown: pd.Series
    values: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    quiet: bool = False


@dataclass(frozen=True)
class RawTable:
    """One file as read: columns are positions 0..k-1, ``headers[i]`` is column i's header as written
    (``[F]`` for a column without a header, by its letter). ``rows`` holds the row number as Excel
    shows it and, for workbooks, ``sheets`` the sheet of each row. A database table
    (:mod:`evaluation.data.database`) is read into the same shape, its ``path`` being the table's
    qualified name and ``rows`` the position in key order."""
    table: str
    path: Path
    file_format: str
    headers: list[str]
    frame: pd.DataFrame
    rows: np.ndarray
    bad_lines: pd.DataFrame = field(default_factory=_empty_bad)
    encoding: str | None = None
    separator: str | None = None
    sheets: np.ndarray | None = None
    notices: tuple[Notice, ...] = ()
    row_notices: tuple[RowNotice, ...] = ()
    #: A source without row numbers (a database table) names each record by its primary key instead:
    #: the positions of the key's columns (see :meth:`record_keys`).
    record_key: tuple[int, ...] = ()

    @property
    def file(self) -> str:
        return self.path.name

    @property
    def n_received(self) -> int:
        """Data rows in the file: the rows read and the rows that could not be read."""
        return len(self.frame) + len(self.bad_lines)

    @property
    def several_sheets(self) -> bool:
        return self.sheets is not None and len(set(self.sheets)) > 1

    def record_keys(self, positions: np.ndarray) -> np.ndarray | None:
        """How the source names the records at ``positions`` when it has no row numbers: a condition
        that finds each in the database, ``household_id = 'H01'`` (``AND`` between the columns of a
        composite key, ``IS NULL`` for an empty one); None for a file. Built from the values as they
        are now, so a pseudonymised key shows its pseudonyms, never the identifier."""
        if not self.record_key:
            return None
        parts = [_sql_condition(self.headers[c], self.frame[c].iloc[positions]) for c in self.record_key]
        labels = parts[0]
        for part in parts[1:]:
            labels = labels + " AND " + part
        return labels.to_numpy(dtype=object)


def _sql_condition(header: str, values: pd.Series) -> pd.Series:
    """``column = value`` per row as SQL writes it (text and dates quoted, ``IS NULL`` when empty)."""
    values = values.reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        normal = values.dt.normalize() == values
        text = values.dt.strftime("%Y-%m-%d").where(normal, values.dt.strftime("%Y-%m-%d %H:%M:%S"))
        shown = "'" + text.astype(object) + "'"
    elif pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        shown = values.astype(object).map(lambda v: str(v).lower() if isinstance(v, (bool, np.bool_)) else str(v))
    else:
        shown = "'" + values.astype(object).map(lambda v: str(v).replace("'", "''")) + "'"
    name = header if re.fullmatch(r"[a-z_][a-z0-9_]*", header) else '"' + header.replace('"', '""') + '"'
    return (name + " = " + shown.astype(object)).where(values.notna().to_numpy(), name + " IS NULL")


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


def read_raw(path: Path, table: str, match_header: HeaderMatch | None = None) -> RawTable:
    """Read one file; raises :class:`DataError` with a plain reason when it cannot be read.

    The header is the first non-empty row, or, when ``match_header`` is given, the row among
    the first few non-empty ones whose headers match most fields of the table, so that title
    lines above the table are skipped (and, in a workbook, the sheets of the table are found).
    """
    file_format = FORMATS.get(path.suffix.casefold())
    try:
        if file_format == "csv":
            return _read_csv(path, table, match_header)
        if file_format == "xlsx":
            from evaluation.data.workbooks import read_workbook

            return read_workbook(path, table, match_header)
        if file_format == "parquet":
            return _read_parquet(path, table)
    except DataError:
        raise
    except Exception as exc:  # any library failure on a broken file becomes one plain message
        raise DataError(f"{type(exc).__name__}: {exc}") from exc
    raise DataError(f"unsupported file type {path.suffix!r}")


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding of a CSV file (see :func:`evaluation.data.textcodes.decode_text`)."""
    decoded = textcodes.decode_text(data)
    return decoded.text, decoded.encoding


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


def physical_lines(text: str | bytes) -> int:
    """Lines of ``text`` as a text editor counts them (CR, LF and CRLF end a line); the bytes of a
    file in an ASCII-compatible encoding give the same count, faster."""
    if not text:
        return 0
    lf, cr = ("\n", "\r") if isinstance(text, str) else (b"\n", b"\r")
    ends = text.count(lf) + text.count(cr) - text.count(cr + lf)
    return ends + (0 if text.endswith((lf, cr)) else 1)


# -- CSV -----------------------------------------------------------------------------------------
@dataclass
class _Records:
    """The records of a CSV text: ``frame`` (strings), ``numbers`` (0-based record index of each
    frame row), too-long records, quote problems (frame position, field, kind), lines accounted for."""
    frame: pd.DataFrame
    numbers: np.ndarray
    bad: pd.DataFrame
    quotes: list[tuple[int, int, str]] = field(default_factory=list)
    lines: int = 0
    multiline: bool = False


def _read_csv(path: Path, table: str, match_header: HeaderMatch | None) -> RawTable:
    data = path.read_bytes()
    decoded = textcodes.decode_text(data)
    text = decoded.text
    if not text.strip():
        raise DataError("the file is empty")
    sep = sniff_separator(text)
    records = _csv_records(text, sep)
    notices: list[Notice] = []
    lines = physical_lines(data if decoded.encoding in ("cp1250", "utf-8") else text)
    if records.lines != lines:  # never expected: a safety net that counts lines apart from the parser
        notices.append(Notice("lines_lost", "lines_lost", "error", values={"lines": lines, "read": records.lines}))
    if records.multiline:
        notices.append(Notice("multiline_values", "multiline_values", "note"))
    if decoded.damaged:
        notices.append(Notice("damaged_bytes", "encoding", "warning", values={"count": decoded.damaged}))
    rows = records.numbers + 1
    header_at = header_position(records.frame, match_header)
    headers = _header_texts(records.frame.iloc[header_at].tolist())
    body, kept = body_rows(records.frame, header_at)
    position_of = np.full(len(records.frame), -1, dtype=np.int64)
    position_of[kept] = np.arange(len(kept))
    row_notices = [_quote_notice(kind, position_of[p], c, body, headers, rows[p])
                   for p, c, kind in records.quotes if position_of[p] >= 0]
    bad = records.bad.assign(row=records.bad["row"] + 1) if len(records.bad) else _empty_bad()
    return finish_table(table, path, "csv", headers, body, rows[kept], notices=notices, row_notices=row_notices,
                        bad_lines=bad, encoding=decoded.encoding, separator=sep,
                        check_text=textcodes.file_may_be_garbled(data, decoded))


def _quote_notice(kind: str, position: int, column: int, body: pd.DataFrame, headers: list[str],
                  row: int) -> RowNotice:
    value = str(body.iat[position, column]) if column < body.shape[1] else ""
    header = headers[column] if column < len(headers) else ""
    return RowNotice(kind, "quote", np.array([position]), header or f"[{column_letter(column)}]",
                     pd.Series([_short(value)], dtype=object))


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def _csv_records(text: str, sep: str) -> _Records:
    """Parse with pandas; if it fails or a quoted value swallowed whole rows, record by record."""
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str, keep_default_na=False,
                            skip_blank_lines=False, engine="c")
    except pd.errors.EmptyDataError:
        raise DataError("the file is empty") from None
    except pd.errors.ParserError:
        return _records_one_by_one(text, sep)
    frame.columns = range(frame.shape[1])
    breaks = np.zeros(len(frame), dtype=np.int64)
    if '"' in text and len(frame) < physical_lines(text):  # some quoted value holds a line break
        width = _usual_width(frame)
        for c in frame.columns:
            column = frame[c]
            inner = column.str.count(r"\r\n|\r|\n").to_numpy(dtype=np.int64)
            if inner.any():
                if _swallows(column[inner > 0], sep, width).any():
                    return _records_one_by_one(text, sep)
                breaks += inner
    return _Records(frame, np.arange(len(frame), dtype=np.int64), _empty_bad(),
                    lines=int(len(frame) + breaks.sum()), multiline=bool(breaks.any()))


def _usual_width(frame: pd.DataFrame) -> int:
    filled = (frame != "").to_numpy()
    widths = np.where(filled.any(axis=1), frame.shape[1] - np.argmax(filled[:, ::-1], axis=1), 0)
    widths = widths[widths > 0]
    return int(Counter(widths.tolist()).most_common(1)[0][0]) if len(widths) else frame.shape[1]


def _swallows(values: pd.Series, sep: str, width: int) -> pd.Series:
    """Multi-line values that hold whole rows after their first line break: a quote opened by
    mistake, not a note with a line break in it."""
    if width < 2:
        return pd.Series(False, index=values.index)
    rest = values.str.split(r"\r\n|\r|\n", n=1, regex=True).str[1].fillna("")
    return rest.str.count(re.escape(sep)) >= width - 1


def _records_one_by_one(text: str, sep: str) -> _Records:
    """Record by record with the csv module, tracking the physical lines each record takes.

    Rows with more fields than the usual width are set aside as unreadable. A record whose
    quoted value never closes (EOF inside it), or swallows whole rows, or breaks the quoting
    otherwise is re-read as its one physical line, the quote as an ordinary character; reading
    then goes on with the next line.
    """
    starts = [0] + [m.end() for m in _LINE_END.finditer(text)]
    if starts[-1] == len(text):
        starts.pop()
    n_lines = len(starts)
    width = _sample_width(text, sep)
    records: list[list[str]] = []
    quotes: list[tuple[int, int, str]] = []
    spans: list[int] = []
    line = 0
    while line < n_lines:
        reader = csv.reader(io.StringIO(text[starts[line]:], newline=""), delimiter=sep, strict=True)
        consumed = 0
        broken: str | None = None
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                broken = "unclosed_quote" if "end of data" in str(exc) else "stray_quote"
                break
            lines_taken = reader.line_num - consumed
            if lines_taken > 1 and any(_swallows(pd.Series([v for v in record if "\n" in v or "\r" in v],
                                                           dtype=object), sep, width)):
                broken = "unclosed_quote"
                break
            records.append(record)
            spans.append(lines_taken)
            consumed = reader.line_num
        if broken is None:
            line += consumed
            break
        line += consumed  # the broken record starts here: read its one line as it stands
        end = starts[line + 1] if line + 1 < n_lines else len(text)
        literal = next(csv.reader([_LINE_END.sub("", text[starts[line]:end])], delimiter=sep,
                                  quoting=csv.QUOTE_NONE), [])
        quoted = [i for i, v in enumerate(literal) if v.startswith('"') or v.count('"') % 2]
        quotes.append((len(records), quoted[0] if quoted else 0, broken))
        records.append(literal)
        spans.append(1)
        line += 1
    widths = np.array([len(r) for r in records], dtype=np.int64)
    too_long = widths > width
    numbers = np.arange(len(records), dtype=np.int64)
    bad = pd.DataFrame({"row": numbers[too_long], "fields": widths[too_long]})
    keep = [r[:width] + [""] * (width - len(r)) for r, long in zip(records, too_long) if not long]
    frame = pd.DataFrame(keep, dtype=object) if keep else pd.DataFrame()
    frame.columns = range(frame.shape[1])
    kept_position = np.cumsum(~too_long) - 1
    quotes = [(int(kept_position[i]), c, kind) for i, c, kind in quotes if not too_long[i]]
    return _Records(frame, numbers[~too_long], bad, quotes, lines=int(sum(spans)),
                    multiline=any(s > 1 for s in spans))


def _sample_width(text: str, sep: str) -> int:
    """The most common number of fields among the first non-empty lines (title lines have fewer)."""
    sample = [line for line in text[:200_000].splitlines()[:200] if line.strip()]
    widths = Counter(len(r) for r in csv.reader(sample, delimiter=sep))
    if not widths:
        return 0
    return max(widths.items(), key=lambda kv: (kv[1], kv[0]))[0]


# -- header row and body, shared by CSV and XLSX ------------------------------------------------
def _header_texts(cells: list[object]) -> list[str]:
    return [str(h).strip() if h is not None and not (isinstance(h, float) and np.isnan(h)) else "" for h in cells]


def _filled_rows(frame: pd.DataFrame) -> np.ndarray:
    filled = np.ones(len(frame), dtype=bool)
    first = frame[frame.columns[0]]
    first_empty = np.flatnonzero((first.isna() | (first == "")).to_numpy())
    if len(first_empty):  # only rows whose first cell is empty can be empty rows
        rest = frame.iloc[first_empty]
        filled[first_empty] = (rest.notna() & (rest != "")).any(axis=1).to_numpy()
    return filled


def header_position(frame: pd.DataFrame, match_header: HeaderMatch | None = None) -> int:
    """Position of the header row: the first non-empty row, or the one of the first few non-empty
    rows whose headers match most fields."""
    if frame.empty:
        raise DataError("the file has no header row")
    head = 1000  # the header is among the first non-empty rows: look at the top of the file first
    filled = _filled_rows(frame.iloc[:head])
    if filled.sum() < _HEADER_SEARCH and len(frame) > head:
        filled = _filled_rows(frame)
    if not filled.any():
        raise DataError("the file has no header row")
    candidates = np.flatnonzero(filled)[:_HEADER_SEARCH]
    header_at = int(candidates[0])
    if match_header is not None:
        scores = [header_score(match_header(_header_texts(frame.iloc[i].tolist()))) for i in candidates]
        if max(scores) > 0:
            header_at = int(candidates[int(np.argmax(scores))])
    return header_at


def header_score(matched: Collection[str] | int) -> int:
    """How well a header row matches: the number of fields it matches (a plain score is accepted too)."""
    return matched if isinstance(matched, int) else len(matched)


def body_rows(frame: pd.DataFrame, header_at: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows below the header that hold anything, and their positions in ``frame``."""
    below = np.arange(header_at + 1, len(frame))
    keep = below[_filled_rows(frame.iloc[header_at + 1:])] if len(below) else below
    body = frame.iloc[keep].reset_index(drop=True)
    body.columns = range(body.shape[1])
    return body, keep


def column_letter(position: int) -> str:
    """Excel's name of the column at 0-based ``position`` (A, B, …, Z, AA, …)."""
    letters = ""
    n = position + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _is_empty_cell(column: pd.Series) -> pd.Series:
    present = column.notna()
    if not present.any():
        return ~present
    text = column[present].astype(str).astype("string[pyarrow]").str.strip()
    return (~present) | ((text == "").reindex(column.index, fill_value=False)).astype(bool)


def name_unnamed(headers: list[str], body: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    """Drop columns without a header that hold nothing; name the others ``[F]`` by their letter."""
    headers = list(headers) + [""] * (body.shape[1] - len(headers))
    unnamed = [i for i, h in enumerate(headers) if not h]
    empty = {i for i in unnamed if _is_empty_cell(body[i]).all()}
    named = [h or f"[{column_letter(i)}]" for i, h in enumerate(headers)]
    if empty:
        body = body.drop(columns=sorted(empty))
        named = [h for i, h in enumerate(named) if i not in empty]
        body.columns = range(body.shape[1])
    return named, body


def finish_table(table: str, path: Path, file_format: str, headers: list[str], body: pd.DataFrame,
                 rows: np.ndarray, *, notices: list[Notice] | None = None,
                 row_notices: list[RowNotice] | None = None, check_text: bool = True,
                 sheets: np.ndarray | None = None, **extra: Any) -> RawTable:
    """Drop empty columns without a header and name the others by letter; repair garbled text."""
    notices = list(notices or [])
    row_notices = list(row_notices or [])
    headers, body = name_unnamed(headers, body)
    if check_text:
        headers, body, found = _repair_text(headers, body)
        notices += found[0]
        row_notices += found[1]
    return RawTable(table, path, file_format, headers, body, np.asarray(rows, dtype=np.int64), sheets=sheets,
                    notices=tuple(notices), row_notices=tuple(row_notices), **extra)


def _text_column_may_be_garbled(column: pd.Series) -> bool:
    present = column[column.notna()]
    try:
        joined = "\x1f".join(present.tolist())
    except TypeError:
        joined = "\x1f".join(v for v in present.tolist() if isinstance(v, str))
    return textcodes.may_be_garbled(joined)


def _repair_text(headers: list[str], body: pd.DataFrame
                 ) -> tuple[list[str], pd.DataFrame, tuple[list[Notice], list[RowNotice]]]:
    """Turn garbled text back (headers and cells); report what could not be."""
    suspect = [c for c in body.columns if body[c].dtype == object and _text_column_may_be_garbled(body[c])]
    garbled_headers = [h for h in headers if textcodes.is_garbled(h)]
    if not suspect and not garbled_headers:
        return headers, body, ([], [])
    distinct = {c: [u for u in pd.unique(body[c].dropna().to_numpy()) if isinstance(u, str)] for c in suspect}
    garbled = set(garbled_headers) | {u for c in suspect for u in distinct[c] if textcodes.is_garbled(u)}
    if not garbled:
        return headers, body, ([], [])
    context = list(dict.fromkeys([*garbled, *headers, *(u for c in suspect for u in distinct[c][:200])]))
    scan = textcodes.scan_values(context)
    notices: list[Notice] = []
    row_notices: list[RowNotice] = []
    if scan.repaired:
        fixed_columns = [h for h in headers if h in scan.repaired]
        body = body.copy()
        for c in suspect:
            hits = body[c].isin(list(scan.repaired)).to_numpy()
            if hits.any():
                body.loc[hits, c] = body.loc[hits, c].map(scan.repaired)
                fixed_columns.append(scan.repaired.get(headers[c], headers[c]))
        headers = [scan.repaired.get(h, h) for h in headers]
        how = max(scan.readings, key=scan.readings.get)
        cs, en = textcodes.READINGS[how]
        before, after = next(iter(scan.repaired.items()))
        notices.append(Notice("garbled_repaired", "encoding", "warning", values={
            "count": len(scan.repaired), "how_cs": cs, "how_en": en, "before": before, "after": after,
            "columns": ", ".join(f"„{h}“" for h in dict.fromkeys(fixed_columns))}))
    broken = set(scan.broken)
    for c in suspect:
        hits = np.flatnonzero(body[c].isin(list(broken)).to_numpy()) if broken else []
        if len(hits):
            row_notices.append(RowNotice("garbled_value", "encoding", hits, headers[c],
                                         body[c].iloc[hits].astype(str).reset_index(drop=True)))
    notices += [Notice("garbled_header", "encoding", "error", column=h) for h in headers if h in broken]
    return headers, body, (notices, row_notices)


# -- Parquet -------------------------------------------------------------------------------------
def _arrow_may_be_garbled(column) -> bool:
    """Whether an Arrow text column may hold garbled letters: its whole text buffer is searched for
    the markers at once (fast; a hit only means the values are looked at closely)."""
    import pyarrow as pa

    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return False
    def text_bytes(array) -> bytes:
        buffers = array.buffers()
        return buffers[2].to_pybytes() if len(buffers) > 2 and buffers[2] is not None else b""

    if all(text_bytes(chunk).isascii() for chunk in column.chunks):  # codes and numbers: nothing to look at
        return False
    distinct = column.unique()  # a column of a few Czech labels shrinks to a few values
    return textcodes.may_be_garbled(text_bytes(distinct).decode("utf-8", errors="replace"))


def _read_parquet(path: Path, table: str) -> RawTable:
    import pyarrow.parquet as pq

    data = pq.read_table(path)
    garbled = any(_arrow_may_be_garbled(c) for c in data.columns)
    frame = data.to_pandas()
    headers = [str(c) for c in frame.columns]
    frame = frame.reset_index(drop=True)
    frame.columns = range(frame.shape[1])
    return finish_table(table, path, "parquet", headers, frame, np.arange(1, len(frame) + 1, dtype=np.int64),
                        check_text=garbled or any(textcodes.is_garbled(h) for h in headers))
