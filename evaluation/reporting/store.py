"""Results folders: what notebooks write (internal) and what reports read (published).

A run has two results folders with the same layout, one sub-folder per *scope* (``all`` for
the whole programme, or a municipality) and inside it one per *strand* (``data``,
``process``, ``retention``, ``impact``, ``economics``, ``need``, or any other name):

* the **internal** folder (``<output>/internal/results``) is what the notebooks write with
  :class:`ResultsStore`: tables at full precision, figure specifications, key figures as
  references to table cells, findings texts as templates. It is never to be shared: it
  holds small counts and exact shares. ``meta.json`` says ``"kind": "internal"``.
* the **published** folder (``<output>/published/results``) is written by
  :func:`evaluation.reporting.publication.publish_results`, which protects everything a run
  produced at once (every scope, table, figure, key figure and text); it is the only one the
  reports read and the one a user may send to a funder. ``meta.json`` says
  ``"kind": "published"``::

    <results>/
      <scope-slug>/                    e.g. all/, ostrava/, jindrichuv-hradec/
        <strand>/                      e.g. process/
          meta.json                    provenance: package version, data fingerprint, parameters,
                                       date, strand, scope (display name), disclosure threshold, kind
          tables/<name>.csv            the table (UTF-8, comma-separated, header row); published:
                                       hidden cells hold "<5" (small count) or "x" (complement or
                                       derived figure), shares rounded to what the reports show
          tables/<name>.json           {"name", "title_cs", "title_en", "notes": [{"cs", "en"}],
                                        "count_columns", "n_column", "column_labels": {col: {"cs","en"}},
                                        "placement": "main" | "appendix" | "folder",
                                        "report_columns", "percent_columns", "written",
                                        internal: "relations", "family", "dimensions", "wide",
                                        "follows", "curve" (see ResultsStore.add_table);
                                        published: "disclosure": {threshold, primary, secondary,
                                        derived, cells, relations, notes_cs, notes_en, ...}}
          figures/<name>.json          {"name", "caption_cs", "caption_en", "alt_cs", "alt_en"};
                                       internal: "table", "plotter", "options" (how to draw it)
          figures/<name>.<lang>.png|svg  published: drawn from the protected table, per language
          key_figures.json             internal: {id: {"table", "row", "column", "ci_columns", ...}};
                                       published: {id: {"value", "label_cs", "label_en", "unit", "n",
                                       "ci", "suppressed", "is_count", "decimals", "n_unit"}}
          texts.json                   internal: {id: {"cs", "en", "fallback"}} with {key_figure}
                                       placeholders; published: {id: {"cs", "en"}} (Markdown)

Files are written atomically (temporary file, then rename), so a report never reads half a
file. Adding an item with the same name again replaces it.

Example
-------
>>> import tempfile, pandas as pd
>>> root = tempfile.mkdtemp()
>>> store = ResultsStore(root, strand="process", scope="Ostrava")
>>> _ = store.add_table("reach", pd.DataFrame({"step": ["crisis", "social", "total"],
...                                             "households": [3, 47, 50]}),
...                     title_cs="Dosah", title_en="Reach", count_columns=["households"])
>>> store.add_key_figure("households", table="reach", row={"step": "total"}, column="households",
...                      label_cs="Domácností", label_en="Households", is_count=True)
>>> sorted(p.name for p in (store.folder / "tables").iterdir())
['reach.csv', 'reach.json']
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.errors import DisclosureError, EvaluationError
from evaluation.reporting.disclosure import DisclosureRules

#: Strands the report templates know, in report order.
STRANDS = ("data", "process", "retention", "impact", "economics", "need")
#: Where a table goes: the main text, the appendix of the technical report (shortened to
#: a readable length), or only the results folder (the reports say where to find it).
PLACEMENTS = ("main", "appendix", "folder")
#: Scope of results for the whole programme (all municipalities together).
ALL_SCOPE = "all"
FORMAT_VERSION = 2
#: ``meta.json`` ``kind`` of a folder written by notebooks (never shared) and of one made for sharing.
INTERNAL, PUBLISHED = "internal", "published"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def slug(text: str) -> str:
    """Folder name for a scope: ASCII, lower case, dashes (``'Jindřichův Hradec'`` -> ``'jindrichuv-hradec'``)."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    plain = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    if not plain:
        raise EvaluationError(f"cannot make a folder name from the scope {text!r}")
    return plain


def _check_name(kind: str, name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name) or name.endswith((".json", ".csv")):
        raise EvaluationError(f"{kind} name {name!r} must be letters, digits, '_' or '-', "
                              "starting with a letter or digit (it becomes a file name)")
    return name


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in JSON")


def _write_json(path: Path, payload: Any) -> None:
    text = json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=False, default=_json_default)
    _write_atomic(path, (text + "\n").encode("utf-8"))


def _read_json(path: Path, default: Any) -> Any:
    if not path.is_file():
        return default
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise EvaluationError(f"results file {path} is not valid JSON: {error}") from None


def _bilingual(note: Any) -> dict[str, str]:
    """A note as ``{"cs", "en"}``: a plain string is used for both languages."""
    if isinstance(note, Mapping):
        cs, en = note.get("cs", note.get("en", "")), note.get("en", note.get("cs", ""))
        return {"cs": str(cs), "en": str(en)}
    if isinstance(note, tuple) and len(note) == 2:
        return {"cs": str(note[0]), "en": str(note[1])}
    return {"cs": str(note), "en": str(note)}


# --------------------------------------------------------------------------- what read() returns

@dataclass(frozen=True)
class StoredTable:
    name: str
    data: pd.DataFrame  # as published: hidden cells hold their symbol, values are text
    title_cs: str
    title_en: str
    notes: tuple[dict[str, str], ...] = ()
    count_columns: tuple[str, ...] = ()
    n_column: str | None = None
    column_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    disclosure: Mapping[str, Any] = field(default_factory=dict)
    placement: str = "main"
    report_columns: tuple[str, ...] | None = None
    percent_columns: tuple[str, ...] | None = None  # None: the share-named columns

    def title(self, lang: str = "cs") -> str:
        return self.title_cs if lang == "cs" else self.title_en

    def shown(self) -> pd.DataFrame:
        """The columns the reports show (all, unless the table names its report columns)."""
        if not self.report_columns:
            return self.data
        return self.data[[c for c in self.report_columns if c in self.data.columns]]


@dataclass(frozen=True)
class StoredFigure:
    name: str
    folder: Path
    caption_cs: str
    caption_en: str
    alt_cs: str = ""
    alt_en: str = ""

    def caption(self, lang: str = "cs") -> str:
        return self.caption_cs if lang == "cs" else self.caption_en

    def alt(self, lang: str = "cs") -> str:
        """What the figure shows, for readers who cannot see it (the caption when not given)."""
        return (self.alt_cs if lang == "cs" else self.alt_en) or self.caption(lang)

    def path(self, lang: str = "cs", fmt: str = "png") -> Path | None:
        """The file drawn for ``lang`` if there is one, else the language-neutral one, else the one
        drawn for the other language."""
        other = "en" if lang == "cs" else "cs"
        for candidate in (self.folder / f"{self.name}.{lang}.{fmt}", self.folder / f"{self.name}.{fmt}",
                          self.folder / f"{self.name}.{other}.{fmt}"):
            if candidate.is_file():
                return candidate
        return None


@dataclass(frozen=True)
class KeyFigure:
    id: str
    value: float | None  # None when suppressed
    label_cs: str
    label_en: str
    unit: str = ""
    n: int | None = None
    ci: tuple[float, float] | None = None
    suppressed: bool = False
    is_count: bool = False
    decimals: int | None = None
    n_unit: str = "households"

    def label(self, lang: str = "cs") -> str:
        return self.label_cs if lang == "cs" else self.label_en


@dataclass(frozen=True)
class StrandResults:
    """Everything one notebook wrote for one scope and strand."""

    scope: str
    strand: str
    folder: Path
    meta: Mapping[str, Any]
    tables: Mapping[str, StoredTable]
    figures: Mapping[str, StoredFigure]
    key_figures: Mapping[str, KeyFigure]
    texts: Mapping[str, Mapping[str, str]]

    def text(self, id: str, lang: str = "cs") -> str | None:
        entry = self.texts.get(id)
        return None if entry is None else entry.get(lang) or entry.get("en") or entry.get("cs")


@dataclass(frozen=True)
class StoredResults:
    """A whole results folder: ``scopes[scope][strand]`` -> :class:`StrandResults`."""

    root: Path
    scopes: Mapping[str, Mapping[str, StrandResults]]

    def strand(self, scope: str, strand: str) -> StrandResults | None:
        """Results of one strand in one scope (scope by display name or folder name), or None."""
        for name, strands in self.scopes.items():
            if name == scope or slug(name) == slug(scope):
                return strands.get(strand)
        return None

    def scope_names(self) -> list[str]:
        """Scopes present, the whole-programme scope first."""
        return sorted(self.scopes, key=lambda s: (slug(s) != ALL_SCOPE, s))


# --------------------------------------------------------------------------- the writer

class ResultsStore:
    """Writes one strand's results for one scope into an *internal* results folder.

    What a notebook stores is kept at full precision and is never shared: tables as computed
    (with what disclosure control needs to know about them), figure *specifications* (which
    table to draw and how), key figures as references to table cells, and findings texts as
    templates that quote key figures. :func:`evaluation.reporting.publication.publish_results`
    then protects everything a run stores at once and writes the folder that may be shared.

    Parameters
    ----------
    root : internal results folder (created if missing)
    strand : ``data``, ``process``, ``retention``, ``impact``, ``economics``, ``need``, ...
    scope : ``"all"`` for the whole programme, or a municipality name (kept for display,
        the folder name is its :func:`slug`)
    threshold : smallest count that may be published (disclosure control)
    suppress_zeros : hide zeros as well (default: zeros are published)

    Example
    -------
    >>> import tempfile
    >>> store = ResultsStore(tempfile.mkdtemp(), strand="retention")
    >>> store.add_text("headline", "Bydlení si udrželo {housed_12m} domácností.",
    ...                "{housed_12m} of households kept their home.")
    >>> store.folder.name
    'retention'
    """

    def __init__(self, root: str | os.PathLike[str], *, strand: str, scope: str = ALL_SCOPE,
                 threshold: int = 5, suppress_zeros: bool = False) -> None:
        self.root = Path(root)
        self.strand = _check_name("strand", strand)
        self.scope = str(scope)
        self.rules = DisclosureRules(threshold=threshold, suppress_zeros=suppress_zeros)
        self.folder = self.root / slug(self.scope) / self.strand

    def __repr__(self) -> str:
        return f"ResultsStore({str(self.root)!r}, strand={self.strand!r}, scope={self.scope!r})"

    # ---------------------------------------------------------------- tables
    def add_table(self, name: str, table_or_result: Any, *, title_cs: str, title_en: str,
                  notes: Iterable[Any] = (), count_columns: Sequence[str] | None = None,
                  n_column: str | None = None,
                  column_labels: Mapping[str, tuple[str, str]] | None = None,
                  placement: str = "main", report_columns: Sequence[str] | None = None,
                  percent_columns: Sequence[str] | None = None,
                  relations: Iterable[Any] | None = None, family: str | None = None,
                  dimensions: Sequence[str] | None = None, wide: tuple[str, str] | None = None,
                  follows: Sequence[str] | None = None, curve: Mapping[str, Any] | None = None,
                  aggregates: Sequence[Mapping[str, Any]] | None = None,
                  public: Sequence[str] | None = None,
                  row_relations: Sequence[Mapping[str, Any]] | None = None,
                  populations: Sequence[Mapping[str, Any]] | None = None,
                  public_rows: Sequence[Mapping[str, Any]] | None = None) -> pd.DataFrame:
        """Store a table at full precision with what disclosure control needs; return it.

        ``table_or_result`` is a DataFrame or an :class:`evaluation.results.Result` (its
        ``tidy()``, ``count_columns``, ``n_column``, ``count_relations``, ``derived_follow``
        and ``notes`` are used unless given here). ``notes`` are strings (same in both
        languages), ``(cs, en)`` pairs or ``{"cs", "en"}``. ``column_labels`` maps a column to
        ``(czech, english)`` headers (others come from :mod:`evaluation.reporting.labels`).
        ``placement`` is ``"main"``, ``"appendix"`` or ``"folder"`` (results folder only);
        ``report_columns`` are the columns the reports show; ``percent_columns`` hold shares
        in 0..1 shown as per cent (default: the columns named like a share).

        What publication needs to protect the table together with everything else of the run:

        * ``relations`` – identities between count columns the table obeys
          (``[("received", ["excluded", "loaded"])]``; more are detected from the data);
        * ``family`` – tables of one family hold the same quantities (a summary and its
          monthly or long-form detail): a cell of one is the same number as the cell with the
          same dimensions and column in another (default: the table's own name);
        * ``dimensions`` – the columns that say what a row is (default: the text and date
          columns); ``wide=(dimension, measure)`` says that the count columns are the values
          of ``dimension`` (``decisions``: one column per outcome of measure ``count``);
        * ``follows`` – count columns whose suppression hides every derived figure of the row
          (a survival estimate follows its events and the households at risk);
        * ``curve`` – ``{"group": [...], "time": "time", "events": "n_events", "drop": [...]}``
          for a curve drawn step by step: publication keeps a step only where at least the
          threshold number of events happened, and leaves out the ``drop`` columns;
        * ``aggregates`` – counts that sum counts of another table of the strand (a summary over
          the periods of a detail table), matched on the dimensions the two share:
          ``[{"table": "ledger_detail", "columns": {"rows_excluded": {"column": "rows",
          "where": {"stage": "excluded"}}}}]``; ``"reduce": "first"`` or ``"last"`` (with
          ``"order"``) for a stock taken from the first or last period;
        * ``row_relations`` – identities between rows, in every count column where they hold:
          ``[{"total": {"box": "received"}, "parts": [{"box": "loaded"}, {"box": "excluded"}]}]``
          (rows named by the values of some of their columns; ``"subtract"`` for rows taken away);
        * ``populations`` – cells that count a population other tables count too, in any strand
          (``[{"name": "programme_households", "row": {"outcome": "total"}, "column": "households"}]``):
          every cell of the same name in a scope is the same number; with ``"dims": ["step"]`` one
          number per value of those columns (the flats of each step);
        * ``public`` – columns that are settings, not data (planned places, months of support):
          published as they are, never hidden, never a way to work a hidden count out;
          ``public_rows`` – rows whose counts are of groups, not people (``[{"measure":
          "cohorts"}]``), published as they are.
        """
        from evaluation.reporting.disclosure import check_not_household_level
        from evaluation.reporting.identities import ColumnRelation
        from evaluation.reporting.labels import column_labels as default_labels

        _check_name("table", name)
        if placement not in PLACEMENTS:
            raise EvaluationError(f"table {name!r}: placement must be one of {', '.join(PLACEMENTS)}, "
                                  f"not {placement!r}")
        table, count_columns, n_column, notes = self._unpack(table_or_result, count_columns, n_column, notes)
        self._check_columns(name, table)
        for what, columns in (("report column", report_columns), ("dimension", dimensions),
                              ("followed count", follows), ("public column", public)):
            unknown = [c for c in (columns or ()) if c not in table.columns]
            if unknown:
                raise EvaluationError(f"table {name!r}: {what}(s) {', '.join(unknown)} not in the table "
                                      f"(columns: {', '.join(table.columns)})")
        missing = [c for c in (*count_columns, *([n_column] if n_column else [])) if c not in table.columns]
        if missing:
            raise DisclosureError(f"table {name!r} has no column {', '.join(map(repr, missing))} "
                                  f"(columns: {', '.join(map(str, table.columns))})")
        check_not_household_level(table, f"{self.strand}/{name}", count_columns=count_columns, n_column=n_column)
        labels = default_labels(table.columns, column_labels)
        if percent_columns is None:
            from evaluation.reporting.labels import is_share_column

            percent_columns = [c for c in table.columns if is_share_column(c)]
        if relations is None:
            relations = getattr(table_or_result, "count_relations", ())
        if follows is None:
            follows = [c for c in getattr(table_or_result, "derived_follow", ()) if c in table.columns]
        declared = [ColumnRelation.coerce(r) for r in relations or ()]
        csv = table.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d")
        _write_atomic(self.folder / "tables" / f"{name}.csv", csv.encode("utf-8"))
        _write_json(self.folder / "tables" / f"{name}.json", {
            "name": name, "title_cs": title_cs, "title_en": title_en,
            "notes": [_bilingual(n) for n in notes],
            "count_columns": list(count_columns), "n_column": n_column,
            "column_labels": {c: {"cs": cs, "en": en} for c, (cs, en) in labels.items()},
            "columns": [str(c) for c in table.columns],
            "text_columns": [str(c) for c in table.columns if _is_text(table[c])],
            "placement": placement,
            "report_columns": list(report_columns) if report_columns is not None else None,
            "percent_columns": [c for c in percent_columns if c in table.columns],
            "written": _dt.datetime.now().isoformat(timespec="microseconds"),
            "relations": [{"total": r.total, "parts": list(r.parts), "subtract": list(r.subtract),
                           "by": None if r.by is None else list(r.by)} for r in declared],
            "family": family or name,
            "dimensions": list(dimensions) if dimensions is not None else None,
            "wide": list(wide) if wide else None,
            "follows": list(follows or ()),
            "curve": dict(curve) if curve else None,
            "aggregates": [dict(a) for a in aggregates or ()],
            "public": list(public or ()),
            "row_relations": [dict(r) for r in row_relations or ()],
            "populations": [dict(r) for r in populations or ()],
            "public_rows": [dict(r) for r in public_rows or ()],
        })
        self._touch_meta()
        return table

    @staticmethod
    def _unpack(table_or_result: Any, count_columns: Sequence[str] | None, n_column: str | None,
                notes: Iterable[Any]) -> tuple[pd.DataFrame, tuple[str, ...], str | None, list[Any]]:
        from evaluation.results import Result

        notes = list(notes)
        if isinstance(table_or_result, Result):
            result = table_or_result
            table = result.tidy()
            count_columns = tuple(result.count_columns) if count_columns is None else tuple(count_columns)
            n_column = result.n_column if n_column is None else n_column
            notes = list(result.notes) + notes
        elif isinstance(table_or_result, pd.DataFrame):
            table = table_or_result
            count_columns = tuple(count_columns or ())
        else:
            raise EvaluationError(f"add_table takes a pandas DataFrame or an evaluation Result, "
                                  f"not {type(table_or_result).__name__}")
        if isinstance(table.index, pd.MultiIndex) or table.index.name is not None:
            table = table.reset_index()
        table = table.reset_index(drop=True)
        table.columns = [str(c) for c in table.columns]
        return table, tuple(count_columns), n_column, notes

    @staticmethod
    def _check_columns(name: str, table: pd.DataFrame) -> None:
        if table.columns.duplicated().any():
            duplicated = sorted(set(table.columns[table.columns.duplicated()]))
            raise EvaluationError(f"table {name!r} has duplicated column names: {', '.join(duplicated)}")

    # ---------------------------------------------------------------- figures
    def add_figure(self, name: str, *, table: str, plotter: str, caption_cs: str, caption_en: str,
                   options: Mapping[str, Any] | None = None, extra_tables: Mapping[str, str] | None = None,
                   alt_cs: str = "", alt_en: str = "") -> None:
        """Store how to draw figure ``name``: publication draws it from the *protected* table.

        ``plotter`` is ``"package.module:function"``, called as
        ``function(table, ax=ax, lang=lang, **options, **extra)`` where ``table`` is the published
        version of the stored table ``table`` (hidden cells empty) and ``extra`` the published
        ``extra_tables`` by keyword (e.g. ``{"at_risk": "retention_at_risk"}``). ``alt_cs`` and
        ``alt_en`` say what the figure shows (its message), for readers who cannot see it.
        """
        _check_name("figure", name)
        _check_name("table", table)
        if ":" not in plotter:
            raise EvaluationError(f"figure {name!r}: plotter must be written 'package.module:function', "
                                  f"not {plotter!r}")
        for table_name in (table, *(extra_tables or {}).values()):
            if not (self.folder / "tables" / f"{table_name}.json").is_file():
                raise EvaluationError(f"figure {name!r} draws table {table_name!r}, which this strand has "
                                      "not stored; store the table first (placement='folder' keeps it out "
                                      "of the reports)")
        _write_json(self.folder / "figures" / f"{name}.json", {
            "name": name, "caption_cs": caption_cs, "caption_en": caption_en, "alt_cs": alt_cs,
            "alt_en": alt_en, "table": table, "plotter": plotter, "options": dict(options or {}),
            "extra_tables": dict(extra_tables or {}),
            "written": _dt.datetime.now().isoformat(timespec="microseconds")})
        self._touch_meta()

    # ---------------------------------------------------------------- key figures and texts
    def add_key_figure(self, id: str, *, table: str, column: str, label_cs: str, label_en: str,
                       row: Mapping[str, Any] | None = None, unit: str = "",
                       ci_columns: tuple[str, str] | None = None, n_column: str | None = None,
                       is_count: bool = False, decimals: int | None = None,
                       n_unit: str = "households") -> None:
        """Store a headline number as a reference to one cell of a stored table.

        The key figure is the cell ``column`` of the row of ``table`` where every column of
        ``row`` has the given value (the only row when ``row`` is empty), its interval the
        cells ``ci_columns`` and its base the cell ``n_column`` of that row. Publication
        takes them from the protected table, so a key figure is never more revealing than
        the table (and hidden where its cell is hidden). ``unit`` is ``""``, ``"%"`` (a
        share 0..1 shown as per cent), ``"CZK"``, ``"days"``, ``"months"``, ``"households"``
        or free text; ``decimals`` is the precision the reports show (and publish).
        """
        _check_name("key figure", id)
        path = self.folder / "tables" / f"{table}.json"
        if not path.is_file():
            raise EvaluationError(f"key figure {id!r} refers to table {table!r}, which this strand has not "
                                  "stored; store the table first")
        info = _read_json(path, {})
        wanted = [column, *(ci_columns or ()), *([n_column] if n_column else []), *(row or {})]
        unknown = [c for c in wanted if c not in info.get("columns", [])]
        if unknown:
            raise EvaluationError(f"key figure {id!r}: table {table!r} has no column(s) {', '.join(unknown)}")
        if ci_columns is not None and len(ci_columns) != 2:
            raise EvaluationError(f"key figure {id!r}: ci_columns must be a pair (low, high), got {ci_columns!r}")
        self._update_json("key_figures.json", id, {
            "table": table, "row": {str(k): _plain_value(v) for k, v in (row or {}).items()},
            "column": column, "ci_columns": list(ci_columns) if ci_columns else None, "n_column": n_column,
            "label_cs": label_cs, "label_en": label_en, "unit": unit, "is_count": bool(is_count),
            "decimals": decimals, "n_unit": n_unit})

    def add_text(self, id: str, text_cs: str, text_en: str, *,
                 fallback: tuple[str, str] | None = None) -> None:
        """Store a findings sentence (Markdown) in Czech and English.

        Numbers that come from the data are written as placeholders of key figures of the
        same strand: ``{housed_12m}`` (the value as the reports show it), ``{housed_12m.ci}``
        (its interval), ``{housed_12m.n}`` (its base). Publication fills them from the
        protected key figures; when one of them is hidden, the ``fallback`` pair is used
        instead (it may quote the others), and without a fallback the sentence is left out
        and the report says why.
        """
        _check_name("text", id)
        entry: dict[str, Any] = {"cs": str(text_cs), "en": str(text_en)}
        if fallback is not None:
            entry["fallback"] = {"cs": str(fallback[0]), "en": str(fallback[1])}
        self._update_json("texts.json", id, entry)

    def _update_json(self, file: str, key: str, entry: Mapping[str, Any]) -> None:
        path = self.folder / file
        payload = _read_json(path, {})
        payload[key] = dict(entry)
        _write_json(path, payload)
        self._touch_meta()

    # ---------------------------------------------------------------- provenance
    def write_meta(self, *, data_fingerprint: str = "", parameters: Mapping[str, Any] | None = None,
                   date: _dt.date | str | None = None, package_version: str | None = None,
                   dataset: Any = None, notebook: str = "", study_period: Sequence[str] | None = None,
                   **extra: Any) -> dict[str, Any]:
        """Record provenance: package version, data fingerprint, parameters, date, strand, scope.

        ``dataset`` (an :class:`evaluation.data.dataset.Dataset`) supplies the fingerprint,
        source and study period when they are not given.
        """
        from evaluation import __version__

        if dataset is not None:
            data_fingerprint = data_fingerprint or getattr(dataset, "fingerprint", "")
            period = getattr(dataset, "study_period", None)
            if study_period is None and period:
                study_period = [pd.Timestamp(p).date().isoformat() for p in period]
            extra.setdefault("source", getattr(dataset, "source", ""))
        if isinstance(date, (_dt.date, _dt.datetime)):
            date = date.isoformat()
        meta = _read_json(self.folder / "meta.json", {})
        meta.update({
            "format_version": FORMAT_VERSION, "kind": INTERNAL, "strand": self.strand, "scope": self.scope,
            "package_version": package_version or __version__,
            "data_fingerprint": data_fingerprint,
            "parameters": dict(parameters or {}),
            "date": date or _dt.date.today().isoformat(),
            "notebook": notebook,
            "study_period": list(study_period) if study_period else None,
            "disclosure": self.rules.as_dict(),
            **extra,
        })
        _write_json(self.folder / "meta.json", meta)
        return meta

    def _touch_meta(self) -> None:
        """Every strand folder has a meta.json with at least scope, strand and threshold."""
        path = self.folder / "meta.json"
        if not path.is_file():
            from evaluation import __version__

            _write_json(path, {"format_version": FORMAT_VERSION, "kind": INTERNAL, "strand": self.strand,
                               "scope": self.scope, "package_version": __version__,
                               "disclosure": self.rules.as_dict()})

    # ---------------------------------------------------------------- reading
    @staticmethod
    def read(root: str | os.PathLike[str]) -> StoredResults:
        """Read a whole *published* results folder (every scope and strand) for the reports.

        A folder that holds ``meta.json`` directly is read as a single strand; a folder
        without any strand gives empty results (the reports then say what is missing).
        Raises :class:`~evaluation.errors.DisclosureError` for an internal folder: reports
        are made from published (protected) results only.
        """
        root = Path(root)
        if not root.is_dir():
            raise EvaluationError(f"results folder {root} does not exist")
        scopes: dict[str, dict[str, StrandResults]] = {}
        for folder in strand_folders(root):
            if _read_json(folder / "meta.json", {}).get("kind") == INTERNAL:
                raise DisclosureError(
                    f"{folder} holds internal results at full precision, which must never be shared or "
                    "reported; publish the run first (evaluation publish), then render from the "
                    "published folder")
            strand = _read_strand(folder)
            scopes.setdefault(strand.scope, {})[strand.strand] = strand
        return StoredResults(root, scopes)


def strand_folders(root: Path) -> list[Path]:
    """The strand folders of a results folder (the folder itself when it is one strand)."""
    return [root] if (root / "meta.json").is_file() else sorted(p.parent for p in root.glob("*/*/meta.json"))


def _is_text(values: pd.Series) -> bool:
    """A column that says what a row is (text, category, date, boolean), not a number."""
    return not (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values))


def _plain_value(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return value


def _read_strand(folder: Path) -> StrandResults:
    meta = _read_json(folder / "meta.json", {})
    tables = {}
    infos = {path: _read_json(path, {}) for path in sorted((folder / "tables").glob("*.json"))}
    # in the order the notebook wrote them (the order its strand presents them)
    for meta_path, info in sorted(infos.items(), key=lambda item: str(item[1].get("written", ""))):
        csv = meta_path.with_suffix(".csv")
        if not csv.is_file():
            continue
        data = pd.read_csv(csv, dtype=str, keep_default_na=False, encoding="utf-8")
        tables[meta_path.stem] = StoredTable(
            name=meta_path.stem, data=data, title_cs=info.get("title_cs", meta_path.stem),
            title_en=info.get("title_en", meta_path.stem),
            notes=tuple(_bilingual(n) for n in info.get("notes", [])),
            count_columns=tuple(info.get("count_columns", [])), n_column=info.get("n_column"),
            column_labels=info.get("column_labels", {}), disclosure=info.get("disclosure", {}),
            placement=info.get("placement", "main") if info.get("placement") in PLACEMENTS else "main",
            report_columns=tuple(info["report_columns"]) if info.get("report_columns") else None,
            percent_columns=tuple(info["percent_columns"]) if "percent_columns" in info else None)
    figures = {}
    for meta_path in sorted((folder / "figures").glob("*.json")):
        info = _read_json(meta_path, {})
        figure = StoredFigure(meta_path.stem, meta_path.parent, info.get("caption_cs", ""),
                              info.get("caption_en", ""), info.get("alt_cs", ""), info.get("alt_en", ""))
        if figure.path("cs") or figure.path("en"):
            figures[meta_path.stem] = figure
    key_figures = {}
    for id, entry in _read_json(folder / "key_figures.json", {}).items():
        ci = entry.get("ci")
        key_figures[id] = KeyFigure(id=id, value=entry.get("value"), label_cs=entry.get("label_cs", id),
                                    label_en=entry.get("label_en", id), unit=entry.get("unit", ""),
                                    n=entry.get("n"), ci=tuple(ci) if ci else None,
                                    suppressed=bool(entry.get("suppressed", False)),
                                    is_count=bool(entry.get("is_count", False)), decimals=entry.get("decimals"),
                                    n_unit=entry.get("n_unit") or "households")
    texts = _read_json(folder / "texts.json", {})
    return StrandResults(scope=str(meta.get("scope", folder.parent.name)),
                         strand=str(meta.get("strand", folder.name)), folder=folder, meta=meta,
                         tables=tables, figures=figures, key_figures=key_figures, texts=texts)
