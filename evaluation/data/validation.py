"""The validation report: every problem of a data folder, for the data officer who must fix it.

A problem has the file, the sheet (workbooks), the table, the row number as Excel shows
it (a database record, which has no row number, is named in ``key`` by its primary key), the
column as written in the file, the offending value, the rule broken, a severity
and a plain-words message in Czech and English. ``severity`` is ``"error"`` when the
data cannot be used as it is (a table-level problem, or a row that the loader would
exclude), ``"warning"`` for things set aside or read in a way the user should check (an
unknown column, text converted back from a wrong encoding) and ``"note"`` for plain
statements (a table not in the folder, sheets read). Problems without a row number
concern a whole file.

Example
-------
>>> report = ValidationReport(problems=empty_problems(), folder="data", files=())
>>> report.ok, report.usable
(True, True)
>>> print(report.to_text(lang="en").splitlines()[2])
Result: the data can be used – no problems found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.data.messages import EMPTY_VALUE, MESSAGES, SEVERITY_TAGS, fill, render, row_places, rule_name
from evaluation.results import Result

PROBLEM_COLUMNS = ("file", "sheet", "table", "row", "key", "column", "value", "rule", "severity", "message_cs",
                   "message_en")
SEVERITIES = ("error", "warning", "note")
#: Rows shown per (file, column, rule) group in :meth:`ValidationReport.to_text`.
MAX_SHOWN = 20


def empty_problems() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in PROBLEM_COLUMNS})
    return frame.astype({"row": "Int64"})


def file_problem(file: str, table: str, rule: str, key: str, *, severity: str = "error", column: str = "",
                 value: str = "", sheet: str = "", **values: object) -> pd.DataFrame:
    """One problem that concerns a whole file or column (no row number).

    A value given as a ``(Czech, English)`` pair fills each language's message with its part."""
    cs, en = MESSAGES[key]
    in_cs = {k: v[0] if isinstance(v, tuple) else v for k, v in values.items()}
    in_en = {k: v[1] if isinstance(v, tuple) else v for k, v in values.items()}
    frame = pd.DataFrame([{"file": file, "sheet": sheet, "table": table, "row": pd.NA, "key": "", "column": column,
                           "value": value, "rule": rule, "severity": severity,
                           "message_cs": fill(cs, column=column, **in_cs),
                           "message_en": fill(en, column=column, **in_en)}], columns=list(PROBLEM_COLUMNS))
    return frame.astype({"row": "Int64"})


PerRow = pd.Series | tuple[pd.Series, pd.Series]


def row_problems(file: str, table: str, rows: np.ndarray, column: str, values: pd.Series, rule: str, key: str,
                 per_row: dict[str, PerRow] | None = None, *, sheets: np.ndarray | None = None,
                 keys: np.ndarray | None = None, severity: str = "error", **fixed: object) -> pd.DataFrame:
    """Problems of many rows at once: ``rows``, ``sheets`` (workbooks), ``keys`` (database records)
    and ``values`` (text as in the file) are aligned. A ``per_row`` entry is one Series, or a
    (Czech, English) pair of Series."""
    values = pd.Series(values.to_numpy(dtype=object), dtype=object).fillna("")
    row_text = pd.Series(rows.astype(str), dtype=object)
    cs, en = MESSAGES[key]

    def aligned(v: pd.Series) -> pd.Series:
        return pd.Series(np.asarray(v, dtype=object), dtype=object)

    per_cs = {k: aligned(v[0] if isinstance(v, tuple) else v) for k, v in (per_row or {}).items()}
    per_en = {k: aligned(v[1] if isinstance(v, tuple) else v) for k, v in (per_row or {}).items()}
    shown_cs = values.where(values != "", EMPTY_VALUE[0])
    shown_en = values.where(values != "", EMPTY_VALUE[1])
    frame = pd.DataFrame({
        "file": file, "sheet": pd.Series(np.asarray(sheets, dtype=object)) if sheets is not None else "",
        "table": table, "row": pd.array(rows, dtype="Int64"),
        "key": pd.Series(np.asarray(keys, dtype=object)) if keys is not None else "", "column": column,
        "value": values,
        "rule": rule, "severity": severity,
        "message_cs": render(fill(cs, column=column, **fixed), row_text, shown_cs,
                             where=row_places(rows, sheets, "cs", keys=keys), **per_cs),
        "message_en": render(fill(en, column=column, **fixed), row_text, shown_en,
                             where=row_places(rows, sheets, "en", keys=keys), **per_en),
    }, columns=list(PROBLEM_COLUMNS))
    return frame


def combine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_problems()
    return pd.concat(frames, ignore_index=True).astype({"row": "Int64"})


@dataclass(frozen=True)
class ValidationReport(Result):
    """Every problem found in a data folder.

    ``files`` holds ``(file, table, rows read)`` for each file that was read; ``absent_tables``
    the tables of the contract that are not in the folder. ``source_kind`` is ``"database"`` when
    the tables were read from a database (``folder`` is then its address, without credentials).
    """

    problems: pd.DataFrame = field(default_factory=empty_problems)
    folder: str = ""
    files: tuple[tuple[str, str, int], ...] = ()
    study_period: tuple[pd.Timestamp, pd.Timestamp] | None = None
    absent_tables: tuple[str, ...] = ()
    source_kind: str = "folder"

    @property
    def title(self) -> str:
        return "Data validation report"

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not (self.problems["severity"] == "error").any()

    @property
    def usable(self) -> bool:
        """True when no error concerns a whole file: rows with problems could be excluded."""
        errors = self.problems["severity"] == "error"
        return not (errors & self.problems["row"].isna()).any()

    @property
    def n_errors(self) -> int:
        return int((self.problems["severity"] == "error").sum())

    @property
    def n_warnings(self) -> int:
        return int((self.problems["severity"] == "warning").sum())

    @property
    def n_notes(self) -> int:
        return int((self.problems["severity"] == "note").sum())

    def tidy(self) -> pd.DataFrame:
        return self.problems.copy()

    def summary(self) -> str:
        return self.to_text(lang="cs")

    def counts(self) -> pd.DataFrame:
        """Number of problems per file, rule and severity."""
        return (self.problems.groupby(["file", "rule", "severity"], sort=False, dropna=False).size()
                .rename("problems").reset_index())

    def to_csv(self, path: str | Path, *, sep: str = ";") -> Path:
        """Write the full list (UTF-8 with BOM and ``;`` so that Czech Excel opens it as it is)."""
        path = Path(path)
        self.problems.to_csv(path, sep=sep, index=False, encoding="utf-8-sig")
        return path

    def to_text(self, lang: str = "cs", *, max_rows: int = MAX_SHOWN) -> str:
        """The report as plain text, grouped by file and rule, at most ``max_rows`` rows per
        (file, column, rule), with the count of each rule at the end."""
        cs = lang == "cs"
        message = "message_cs" if cs else "message_en"
        lines = [self._heading(cs), ""]
        lines.append(self._verdict(cs))
        problems = self.problems
        for file, in_file in problems.groupby("file", sort=False, dropna=False):
            table = in_file["table"].iloc[0] if file else ""
            whole = _HEADINGS[self.source_kind][0 if cs else 1]["whole"]
            lines += ["", f"== {file or whole}" + (f" – {table}" if table else "") + " =="]
            ordered = in_file.assign(_rank=in_file["severity"].map({s: i for i, s in enumerate(SEVERITIES)}))
            ordered = ordered.sort_values("_rank", kind="stable")
            for (_, rule, column), group in ordered.groupby(["_rank", "rule", "column"], sort=False, dropna=False):
                severity = group["severity"].iloc[0]
                tag = SEVERITY_TAGS.get(severity, (severity, severity))[0 if cs else 1]
                where = (f", sloupec „{column}“" if cs else f", column “{column}”") if column and group["row"].notna().any() else ""
                lines.append(f"[{tag}] {rule_name(rule, lang, self.source_kind)}{where}: {len(group)}×")
                lines += [f"    {text}" for text in group[message].iloc[:max_rows]]
                if len(group) > max_rows:
                    rest = len(group) - max_rows
                    lines.append(f"    … a dalších {rest}" if cs else f"    … and {rest} more")
        if len(problems):
            lines += ["", "Počet problémů podle pravidel:" if cs else "Problems by rule:"]
            for (rule, severity), n in problems.groupby(["rule", "severity"], sort=False).size().items():
                tag = SEVERITY_TAGS.get(severity, (severity, severity))[0 if cs else 1].lower()
                lines.append(f"  {rule_name(rule, lang, self.source_kind)} ({tag}): {n}")
        return "\n".join(lines)

    def _heading(self, cs: bool) -> str:
        words = _HEADINGS[self.source_kind][0 if cs else 1]
        files = ", ".join(f"{f} ({'řádků' if cs else 'rows'}: {n})" for f, _, n in self.files)
        head = words["title"].format(self.folder)
        if self.study_period:
            start, end = (d.strftime("%d.%m.%Y") for d in self.study_period)
            head += (f"\nObdobí studie: {start} – {end}" if cs else f"\nStudy period: {start} – {end}")
        if files:
            head += f"\n{words['files']}: {files}"
        if self.absent_tables:
            head += f"\n{words['absent']}: {', '.join(self.absent_tables)}"
        if self.files:
            head += "\n" + words["rows"]
        return head

    def _verdict(self, cs: bool) -> str:
        e, w = self.n_errors, self.n_warnings
        if e == 0 and w == 0 and self.n_notes:
            return ("Výsledek: data lze použít – žádné problémy. Poznámky níže." if cs
                    else "Result: the data can be used – no problems found. Notes below.")
        if e == 0 and w == 0:
            return "Výsledek: data lze použít – žádné problémy." if cs else "Result: the data can be used – no problems found."
        if e == 0:
            return (f"Výsledek: data lze použít; varování: {w}." if cs
                    else f"Result: the data can be used; warnings: {w}.")
        if self.usable:
            return (f"Výsledek: data NELZE použít bez opravy – chyby: {e}, varování: {w}. "
                    "Opravte je, nebo řádky s chybami při vyhodnocení vyřaďte (v konfiguraci běhu "
                    "„on_error: exclude“); vyřazené řádky se pak vykazují v toku účastníků." if cs else
                    f"Result: the data CANNOT be used as it is – errors: {e}, warnings: {w}. "
                    "Correct them, or exclude the rows with errors from the evaluation (run configuration "
                    "'on_error: exclude'); excluded rows are then reported in the participant flow.")
        return (f"Výsledek: data NELZE použít – chyby: {e} (z toho celé soubory či sloupce), varování: {w}." if cs
                else f"Result: the data CANNOT be used – errors: {e} (some concern whole files or columns), "
                     f"warnings: {w}.")


#: The report's heading in the words of the source it checked: (Czech, English).
_HEADINGS = {
    "folder": ({"title": "Kontrola dat ve složce „{}“", "whole": "(složka)", "files": "Soubory",
                "absent": "Tabulky, které ve složce nejsou",
                "rows": "Čísla řádků odpovídají Excelu (u sešitu i s názvem listu)."},
               {"title": "Data check of the folder “{}”", "whole": "(folder)", "files": "Files",
                "absent": "Tables not in the folder",
                "rows": "Row numbers are as Excel shows them (with the sheet name for a workbook)."}),
    "database": ({"title": "Kontrola dat v databázi „{}“", "whole": "(databáze)", "files": "Tabulky",
                  "absent": "Tabulky, které v databázi nejsou",
                  "rows": ("Záznamy jsou označeny primárním klíčem (např. household_id = 'H01'), jak je v databázi "
                           "najde dotaz s WHERE.")},
                 {"title": "Data check of the database “{}”", "whole": "(database)", "files": "Tables",
                  "absent": "Tables not in the database",
                  "rows": ("Records are named by their primary key (e.g. household_id = 'H01'), as a WHERE clause "
                           "finds them in the database.")}),
}
