"""The results folder: what notebooks write and reports read.

A results folder holds one sub-folder per *scope* (``all`` for the whole programme, or a
municipality) and inside it one per *strand* (``data``, ``process``, ``retention``,
``impact``, ``economics``, ``need``, or any other name)::

    <results>/
      <scope-slug>/                    e.g. all/, ostrava/, jindrichuv-hradec/
        <strand>/                      e.g. process/
          meta.json                    provenance: package version, data fingerprint, parameters,
                                       date, strand, scope (display name), disclosure threshold
          tables/<name>.csv            the published table (UTF-8, comma-separated, header row);
                                       hidden cells hold "<5" (small count) or "x" (complement or
                                       derived figure)
          tables/<name>.json           {"name", "title_cs", "title_en", "notes": [{"cs", "en"}],
                                        "count_columns", "n_column", "column_labels": {col: {"cs","en"}},
                                        "placement": "main" | "appendix" | "folder",
                                        "report_columns": [columns the report shows] | null,
                                        "percent_columns": [shares shown as per cent],
                                        "written": time written (tables are read in this order),
                                        "disclosure": {threshold, primary, secondary, derived, cells,
                                                       relations, notes_cs, notes_en, ...}}
          figures/<name>.png           300 dpi, for PDF and DOCX
          figures/<name>.svg           vector, for HTML
          figures/<name>.<lang>.png|svg  a figure drawn for one language (axis labels in
                                       Czech or English); preferred over <name>.png in that
                                       language          figures/<name>.json          {"name", "caption_cs", "caption_en"}
          key_figures.json             {id: {"value", "label_cs", "label_en", "unit", "n", "ci",
                                             "suppressed", "is_count", "decimals", "n_unit"}}
          texts.json                   {id: {"cs", "en"}}  (findings sentences, Markdown)

Disclosure control (:mod:`evaluation.reporting.disclosure`) runs when a table is added,
so the folder itself is publishable; the renderer checks each table again. Files are
written atomically (temporary file, then rename), so a report never reads half a file.
Adding an item with the same name again replaces it.

Example
-------
>>> import tempfile, pandas as pd
>>> root = tempfile.mkdtemp()
>>> store = ResultsStore(root, strand="process", scope="Ostrava")
>>> _ = store.add_table("reach", pd.DataFrame({"step": ["crisis", "social", "total"],
...                                             "households": [3, 47, 50]}),
...                     title_cs="Dosah", title_en="Reach", count_columns=["households"])
>>> store.add_key_figure("households", 50, label_cs="Domácností", label_en="Households", is_count=True)
>>> results = ResultsStore.read(root)
>>> results.strand("Ostrava", "process").tables["reach"].data["households"].tolist()
['<5', 'x', '50']
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
from evaluation.reporting.disclosure import DisclosureRules, protect_table

#: Strands the report templates know, in report order.
STRANDS = ("data", "process", "retention", "impact", "economics", "need")
#: Where a table goes: the main text, the appendix of the technical report (shortened to
#: a readable length), or only the results folder (the reports say where to find it).
PLACEMENTS = ("main", "appendix", "folder")
#: Scope of results for the whole programme (all municipalities together).
ALL_SCOPE = "all"
FORMAT_VERSION = 1
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

    def caption(self, lang: str = "cs") -> str:
        return self.caption_cs if lang == "cs" else self.caption_en

    def path(self, lang: str = "cs", fmt: str = "png") -> Path | None:
        """The file drawn for ``lang`` if there is one, else the language-neutral one."""
        for candidate in (self.folder / f"{self.name}.{lang}.{fmt}", self.folder / f"{self.name}.{fmt}"):
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
    """Writes one strand's results for one scope into a results folder.

    Parameters
    ----------
    root : results folder (created if missing)
    strand : ``data``, ``process``, ``retention``, ``impact``, ``economics``, ``need``, ...
    scope : ``"all"`` for the whole programme, or a municipality name (kept for display,
        the folder name is its :func:`slug`)
    threshold : smallest count that may be published (disclosure control)
    suppress_zeros : hide zeros as well (default: zeros are published)

    Example
    -------
    >>> import tempfile
    >>> store = ResultsStore(tempfile.mkdtemp(), strand="retention")
    >>> store.add_text("headline", "Bydlení si udrželo 90 % domácností.", "90% of households kept their home.")
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
                  relations: Iterable[Any] | None = None) -> pd.DataFrame:
        """Protect and store a table; return the published version.

        ``table_or_result`` is a DataFrame or an :class:`evaluation.results.Result` (its
        ``tidy()``, ``count_columns``, ``n_column`` and ``notes`` are used unless given here).
        ``notes`` are strings (same in both languages), ``(cs, en)`` pairs or ``{"cs", "en"}``.
        ``column_labels`` maps a column to ``(czech, english)`` headers; every other column
        gets its headers from :mod:`evaluation.reporting.labels` (which knows the columns
        of the strands' tables and the fields of the data contract).
        ``placement`` is ``"main"`` (main text), ``"appendix"`` (appendix of the technical
        report, shortened) or ``"folder"`` (results folder only, for analysts);
        ``report_columns`` are the columns the reports show (the CSV keeps all);
        ``percent_columns`` hold shares in 0..1 that the reports show as per cent (default:
        the columns named like a share, see :func:`evaluation.reporting.labels.is_share_column`).
        ``relations`` declares identities between columns that disclosure control must
        respect, e.g. ``[("received", ["excluded", "loaded"])]`` (see
        :class:`evaluation.reporting.disclosure.ColumnRelation`); a result may carry them in
        a ``count_relations`` attribute. Identities are also detected from the data.
        """
        from evaluation.reporting.labels import column_labels as default_labels

        _check_name("table", name)
        if placement not in PLACEMENTS:
            raise EvaluationError(f"table {name!r}: placement must be one of {', '.join(PLACEMENTS)}, "
                                  f"not {placement!r}")
        table, count_columns, n_column, notes = self._unpack(table_or_result, count_columns, n_column, notes)
        self._check_columns(name, table)
        if report_columns is not None:
            unknown = [c for c in report_columns if c not in table.columns]
            if unknown:
                raise EvaluationError(f"table {name!r}: report column(s) {', '.join(unknown)} are not in the "
                                      f"table (columns: {', '.join(table.columns)})")
        labels = default_labels(table.columns, column_labels)
        if percent_columns is None:
            from evaluation.reporting.labels import is_share_column

            percent_columns = [c for c in table.columns if is_share_column(c)]
        if relations is None:
            relations = getattr(table_or_result, "count_relations", ())
        protected = protect_table(table, count_columns=count_columns, n_column=n_column,
                                  rules=self.rules, name=f"{self.strand}/{name}", relations=relations or ())
        published = protected.table
        csv = published.to_csv(index=False, lineterminator="\n")
        _write_atomic(self.folder / "tables" / f"{name}.csv", csv.encode("utf-8"))
        _write_json(self.folder / "tables" / f"{name}.json", {
            "name": name, "title_cs": title_cs, "title_en": title_en,
            "notes": [_bilingual(n) for n in notes],
            "count_columns": list(count_columns), "n_column": n_column,
            "column_labels": {c: {"cs": cs, "en": en} for c, (cs, en) in labels.items()},
            "columns": [str(c) for c in published.columns],
            "placement": placement,
            "report_columns": list(report_columns) if report_columns is not None else None,
            "percent_columns": [c for c in percent_columns if c in table.columns],
            "written": _dt.datetime.now().isoformat(timespec="microseconds"),
            "disclosure": protected.summary(),
        })
        self._touch_meta()
        return published

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
    def add_figure(self, name: str, fig: Any, *, caption_cs: str, caption_en: str,
                   n: int | None = None, lang: str | None = None, dpi: int = 300) -> Path:
        """Save a matplotlib figure (or axes) as PNG at ``dpi`` and as SVG; return the PNG path.

        A figure must be drawn from aggregates; ``n`` (households behind it), when given,
        must reach the disclosure threshold. ``lang="cs"`` or ``"en"`` stores a figure drawn
        for one language (its axes get a decimal comma in Czech); store one per language,
        or one without ``lang`` for both.
        """
        from evaluation.reporting.style import localise_axes

        _check_name("figure", name)
        if n is not None and self.rules.is_small(n):
            raise DisclosureError(f"figure {name!r} rests on {n} households, fewer than "
                                  f"{self.rules.threshold}; it cannot be published")
        figure = getattr(fig, "figure", fig) if not hasattr(fig, "savefig") else fig
        if not hasattr(figure, "savefig"):
            raise EvaluationError(f"add_figure takes a matplotlib Figure or Axes, not {type(fig).__name__}")
        if lang is not None and lang not in ("cs", "en"):
            raise EvaluationError(f"figure {name!r}: lang must be 'cs', 'en' or None, not {lang!r}")
        if lang is not None:
            localise_axes(figure, lang)
        stem = name if lang is None else f"{name}.{lang}"
        folder = self.folder / "figures"
        folder.mkdir(parents=True, exist_ok=True)
        paths = {}
        for fmt, options in (("png", {"dpi": dpi}), ("svg", {"metadata": {"Date": None}})):
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=f".{fmt}")
            os.close(handle)
            try:
                figure.savefig(temporary, format=fmt, bbox_inches="tight", **options)
                os.replace(temporary, folder / f"{stem}.{fmt}")
            finally:
                Path(temporary).unlink(missing_ok=True)
            paths[fmt] = folder / f"{stem}.{fmt}"
        _write_json(folder / f"{name}.json", {"name": name, "caption_cs": caption_cs, "caption_en": caption_en})
        self._touch_meta()
        return paths["png"]

    # ---------------------------------------------------------------- key figures and texts
    def add_key_figure(self, id: str, value: float | None, *, label_cs: str, label_en: str,
                       unit: str = "", n: int | None = None, ci: tuple[float, float] | None = None,
                       is_count: bool = False, decimals: int | None = None,
                       n_unit: str = "households") -> None:
        """Store one headline number (e.g. share still housed at 12 months).

        ``unit`` is ``""``, ``"%"`` (``value`` is a share 0..1, shown as per cent), ``"CZK"``,
        ``"days"``, ``"months"``, ``"households"`` or free text. The value is withheld when
        ``n`` (households behind it) is below the threshold, or when ``is_count`` and the
        value itself is a small count. ``n_unit`` says what ``n`` counts (``"households"``,
        ``"applications"``, ``"municipalities"``, ...), so that the reports label it.
        """
        _check_name("key figure", id)
        suppressed = bool((n is not None and self.rules.is_small(n))
                          or (is_count and value is not None and self.rules.is_small(float(value))))
        if ci is not None and len(ci) != 2:
            raise EvaluationError(f"key figure {id!r}: ci must be a pair (low, high), got {ci!r}")
        entry = {"value": None if suppressed or value is None else float(value),
                 "label_cs": label_cs, "label_en": label_en, "unit": unit,
                 "n": None if n is None else int(n),
                 "ci": None if suppressed or ci is None else [float(ci[0]), float(ci[1])],
                 "suppressed": suppressed, "is_count": bool(is_count), "decimals": decimals,
                 "n_unit": n_unit}
        self._update_json("key_figures.json", id, entry)

    def add_text(self, id: str, text_cs: str, text_en: str) -> None:
        """Store a findings sentence (Markdown) in Czech and English."""
        _check_name("text", id)
        self._update_json("texts.json", id, {"cs": str(text_cs), "en": str(text_en)})

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
            "format_version": FORMAT_VERSION, "strand": self.strand, "scope": self.scope,
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

            _write_json(path, {"format_version": FORMAT_VERSION, "strand": self.strand, "scope": self.scope,
                               "package_version": __version__, "disclosure": self.rules.as_dict()})

    # ---------------------------------------------------------------- reading
    @staticmethod
    def read(root: str | os.PathLike[str]) -> StoredResults:
        """Read a whole results folder (every scope and strand) for the reports.

        A folder that holds ``meta.json`` directly is read as a single strand; a folder
        without any strand gives empty results (the reports then say what is missing).
        """
        root = Path(root)
        if not root.is_dir():
            raise EvaluationError(f"results folder {root} does not exist")
        scopes: dict[str, dict[str, StrandResults]] = {}
        strand_folders = ([root] if (root / "meta.json").is_file()
                          else sorted(p.parent for p in root.glob("*/*/meta.json")))
        for folder in strand_folders:
            strand = _read_strand(folder)
            scopes.setdefault(strand.scope, {})[strand.strand] = strand
        return StoredResults(root, scopes)


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
                              info.get("caption_en", ""))
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
