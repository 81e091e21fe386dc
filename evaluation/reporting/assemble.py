"""Turn a results folder into report Markdown through the Jinja2 templates in ``reports/``.

The templates only lay out what this module prepares: localised tables (as pandoc pipe
tables), figures, key figures, findings with their limitations and evidence slots, the
intervention and its logic model, the comparison with earlier evidence, authorship,
provenance, the glossary and the disclosure notice, per strand, in the report language. A
strand missing from the results folder is kept with ``present=False`` so the template can say
so in one line. Every text is given the report's typography and Czech wording
(:mod:`evaluation.reporting.czech`); the estimators' English notes are worded in Czech by
:mod:`evaluation.reporting.notes`.

Tables and figures are numbered here, in the order the report shows them, with the same
numbers in HTML, DOCX and PDF (:func:`number_in_order`).

Example
-------
>>> from evaluation.reporting.assemble import load_translations
>>> load_translations("cs")["headings"]["limitations"]
'Omezení'
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.errors import RenderError
from evaluation.reporting.czech import polish, unify_minus
from evaluation.reporting.disclosure import is_total_label
from evaluation.reporting.formatting import (
    format_cell,
    format_date,
    format_interval,
    format_number,
    format_percent,
)
from evaluation.reporting.store import (
    STRANDS,
    KeyFigure,
    StoredResults,
    StoredTable,
    StrandResults,
    slug,
)
from evaluation.resources import resource_dir

LANGS = ("cs", "en")
REPORT_KINDS = ("brief", "technical", "municipality")
#: Table names that go to the Diagnostics section of the technical report.
DIAGNOSTIC_TABLE = re.compile(r"balance|pre_?trend|diagnostic|placebo|overlap", re.IGNORECASE)
#: Strands whose first figure the policy brief shows, in order of preference.
BRIEF_FIGURE_ORDER = ("impact", "retention", "process", "economics", "need", "data")
MAX_BRIEF_FIGURES = 3
MAX_BRIEF_KEY_FIGURES = 10


def reports_dir() -> Path:
    """Folder of templates and translations (``reports/``; see :mod:`evaluation.resources`)."""
    return resource_dir("reports", "i18n/cs.yaml")


@lru_cache(maxsize=4)
def load_translations(lang: str) -> dict[str, Any]:
    """All fixed texts of the reports in ``lang`` (``reports/i18n/<lang>.yaml``)."""
    import yaml

    if lang not in LANGS:
        raise RenderError(f"report language must be one of {', '.join(LANGS)}, not {lang!r}")
    path = reports_dir() / "i18n" / f"{lang}.yaml"
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# --------------------------------------------------------------------------- Markdown helpers

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|$@~^])")


def md_escape(text: Any) -> str:
    """Escape text so pandoc reads it literally (table cells, labels, captions)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


#: Longest table the main text shows; a longer one goes to the appendix.
MAIN_MAX_ROWS = 25
#: Rows of a table the appendix shows; the rest stays in the results folder (CSV).
APPENDIX_MAX_ROWS = 40
#: Placeholders for the numbers of tables and figures (``T``/``F``) and for references to them
#: (``RT``/``RF``), filled in order of appearance by :func:`number_in_order`.
_MARK = "\u2063"
_TOKEN = re.compile(_MARK + r"(T|F|RT|RF):([^" + _MARK + r"]*)" + _MARK)


def number_token(kind: str, key: str) -> str:
    """The placeholder of the number of table (``kind="T"``) or figure (``"F"``) ``key``; ``RT``
    and ``RF`` refer to it (a reference to a table the report does not show is left out)."""
    return f"{_MARK}{kind}:{key}{_MARK}"


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH_COLUMNS = frozenset({"month", "period", "first_month", "last_month"})


def column_header(table: StoredTable, column: str, lang: str) -> str:
    """Header of ``column`` in ``lang``: the table's own labels, then the labels module,
    then the report translations; a column published in both languages (``reason_cs``,
    ``reason_en``) is headed by its base name."""
    from evaluation.reporting.czech import polish_header
    from evaluation.reporting.labels import bilingual_base, column_label

    labels = table.column_labels.get(column)
    base = bilingual_base(column)
    if labels and labels.get(lang) and labels.get(lang) != column:
        return polish_header(labels[lang], lang)
    known = column_label(column) or (column_label(base) if base else None)
    if known:
        return polish_header(known[0 if lang == "cs" else 1], lang)
    translated = load_translations(lang).get("columns", {}).get(base or column)
    if translated:
        return translated
    return (base or column).replace("_", " ")


def cell_text(value: Any, column: str, lang: str, *, percent: bool = False, result: str | None = None) -> str:
    """A published cell in ``lang``: codes as labels, totals translated, shares as per cent,
    dates and numbers localised; the symbols of disclosure control unchanged. ``result`` is the
    stored name of the table, for columns whose codes differ between results (``group``)."""
    from evaluation.reporting.labels import decimals_for, is_percent_column, value_label

    text = "" if value is None else str(value).strip()
    if text == "" or text.lower() == "nan":
        return ""
    if text.startswith("<") or text == "x":
        return text
    label = value_label(text, column, lang, result=result)
    if label is not None:
        return unify_minus(label)
    if is_total_label(text):
        return load_translations(lang)["values"].get("total", text)
    date = _ISO_DATE.match(text)
    if date:
        if column in _MONTH_COLUMNS and date.group(3) == "01":
            return f"{int(date.group(2))}/{date.group(1)}"
        return format_date(text, lang)
    number = pd.to_numeric(pd.Series([text]), errors="coerce").iloc[0]
    if pd.isna(number):
        return unify_minus(_czech_cell(text) if lang == "cs" else text)
    if percent:
        return format_percent(number, lang, 1)
    if is_percent_column(column):
        return format_percent(number / 100, lang, 0)
    if column == "p_value":
        return format_cell(text, lang, column=column)
    decimals = decimals_for(column)
    if decimals is None and abs(number) >= 1000:
        decimals = 0
    return format_number(number, lang, decimals)


def _czech_cell(text: str) -> str:
    """A text cell an analysis wrote in English (a reason, a remark), in the catalogue's Czech."""
    from evaluation.reporting.language import foreign_passages
    from evaluation.reporting.notes import translate_note

    if not foreign_passages(text, "cs"):
        return text
    return translate_note(text) or text


def _shown_columns(table: StoredTable, lang: str) -> list[str]:
    """The columns the report shows: the table's report columns, one language of a pair."""
    from evaluation.reporting.labels import bilingual_base

    columns = [str(c) for c in table.shown().columns]
    shown = []
    for column in columns:
        base = bilingual_base(column)
        if base and {f"{base}_cs", f"{base}_en"} <= set(columns) and column != f"{base}_{lang}":
            continue
        shown.append(column)
    return shown


#: Tables already laid out while reports are rendered (see :func:`tables_laid_out_once`).
_LAID_OUT: ContextVar[dict[tuple[int, str, str | None, int | None], tuple[StoredTable, str]] | None] = \
    ContextVar("laid_out_tables", default=None)


@contextmanager
def tables_laid_out_once() -> Iterator[None]:
    """Within the block a stored table is laid out once, however many reports and formats show it
    (the brief and the technical report, in HTML, PDF and DOCX: the same Markdown each time).
    :func:`~evaluation.reporting.render.render_reports` renders inside it; the results do not
    change while it does."""
    token = _LAID_OUT.set({})
    try:
        yield
    finally:
        _LAID_OUT.reset(token)


def markdown_table(table: StoredTable, lang: str, number_key: str | None = None,
                   max_rows: int | None = None) -> str:
    """A stored table as a pandoc pipe table with its caption (at most ``max_rows`` rows).

    ``number_key`` numbers the caption ("Tabulka 3: ...") through :func:`number_token`;
    without it the caption has no number."""
    laid_out = _LAID_OUT.get()
    if laid_out is None:
        return _markdown_table(table, lang, number_key, max_rows)
    key = (id(table), lang, number_key, max_rows)
    if key not in laid_out:  # (the table is kept with its text, so its id is not reused meanwhile)
        laid_out[key] = (table, _markdown_table(table, lang, number_key, max_rows))
    return laid_out[key][1]


def _markdown_table(table: StoredTable, lang: str, number_key: str | None, max_rows: int | None) -> str:
    from evaluation.reporting.labels import is_share_column

    data = table.data
    columns = _shown_columns(table, lang)
    percent = set(table.percent_columns if table.percent_columns is not None
                  else [c for c in columns if is_share_column(c)])
    headers = [md_escape(column_header(table, c, lang)) for c in columns]
    numeric = [_is_numeric_column(data[c]) for c in columns]
    rows = data if max_rows is None else data.head(max_rows)
    body = []
    previous = None
    for _, row in rows.iterrows():
        cells = [md_escape(cell_text(row[c], c, lang, percent=c in percent, result=table.name)) for c in columns]
        # a grouping column (the first, when it is text) is printed once per group
        lead = cells[0] if columns and not numeric[0] else None
        if lead is not None and lead == previous and len(columns) > 2:
            cells[0] = ""
        previous = lead
        body.append("| " + " | ".join(cells) + " |")
    title = polish(table.title(lang), lang)
    if len(body) == 1 and len(columns) > TRANSPOSE_COLUMNS:
        # one result with many attributes reads down a page, not across it
        t = load_translations(lang)["key_figures"]
        cells = [c.strip() for c in body[0].strip()[1:-1].split(" | ")]
        body = [f"| {header} | {cell} |" for header, cell in zip(headers, cells)]
        return pipe_table([md_escape(t["indicator"]), md_escape(t["value"])], body, [False, True], title, lang,
                          number_key)
    return pipe_table(headers, body, numeric, title, lang, number_key)


def pipe_table(headers: list[str], body: list[str], numeric: list[bool], title: str, lang: str,
               number_key: str | None = None) -> str:
    """A pandoc pipe table: escaped ``headers``, ``body`` lines (``| a | b |``), right-aligned
    ``numeric`` columns, column widths that keep words and numbers whole, and the caption."""
    widths = _column_widths(headers, body, len(headers))
    wide = sum(widths) > TABLE_BUDGET
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join(("-" * w + ":") if right else (":" + "-" * w) for w, right in zip(widths, numeric)) + "|",
             *body]
    caption = md_escape(title)
    if number_key:
        caption = f"{load_translations(lang)['table']} {number_token('T', number_key)}: {caption}"
    lines += ["", f": {caption}"]
    if wide:  # wider than the page at the tables' size: a smaller size in the PDF for this table only
        lines = ["```{=typst}", "#show table: set text(size: 6.3pt)", "```", "", *lines, "",
                 "```{=typst}", "#show table: set text(size: 7.8pt)", "```"]
    return "\n".join(lines)


#: Width of a table row across the page in characters of the tables' font, cell padding
#: included (A4 portrait: Word 9 pt Calibri about 106, Typst 7.8 pt DejaVu Sans about 96).
TABLE_BUDGET = 100
#: A one-row table with more columns than this is shown transposed (attribute | value).
TRANSPOSE_COLUMNS = 7
#: Cell padding of a column, in characters (Word 2 × 0.19 cm, Typst 2 × 4 pt).
CELL_PADDING = 3
#: Longest text a column asks room for before it wraps.
TEXT_WRAP = 30
_WORD_BREAK = re.compile(r"[ /]|(?<=-)")


def _unbreakable(cell: str) -> int:
    """Length of the longest piece of ``cell`` that must not break: a number (with its
    non-breaking spaces, sign and unit) whole, text at spaces and after hyphens."""
    text = cell.replace("\\", "")
    if not re.search(r"[^\W\d_]", text.replace("Kč", "").replace("%", "")):
        return len(text)
    return max([len(w) for w in _WORD_BREAK.split(text)] + [1])


def _column_widths(headers: list[str], body: list[str], n: int) -> list[int]:
    """Relative column widths for pandoc (the dashes of the separator line), padding included.

    Each column gets at least its longest unbreakable piece (a whole number, the longest
    word of a header or cell) plus its padding, then room for its text up to
    :data:`TEXT_WRAP` characters while the row fits :data:`TABLE_BUDGET`. pandoc gives the
    columns these shares of the page width (when the table is wider than pandoc's line), so no
    column is so narrow that a word or a number breaks."""
    minimum = [max(_unbreakable(h), 3) for h in headers]
    wanted = list(minimum)
    for line in body:
        cells = [c.strip() for c in line.strip()[1:-1].split(" | ")]
        for i, cell in enumerate(cells[:n]):
            minimum[i] = max(minimum[i], _unbreakable(cell))
            wanted[i] = max(wanted[i], min(len(cell.replace("\\", "")), TEXT_WRAP))
    minimum = [m + CELL_PADDING for m in minimum]
    wanted = [max(w + CELL_PADDING, m) for w, m in zip(wanted, minimum)]
    if sum(wanted) <= TABLE_BUDGET:
        return wanted
    spare = TABLE_BUDGET - sum(minimum)
    if spare <= 0:
        return minimum
    extra = [w - m for w, m in zip(wanted, minimum)]
    total = sum(extra) or 1
    return [m + int(spare * e / total) for m, e in zip(minimum, extra)]


def _is_numeric_column(values: pd.Series) -> bool:
    text = values.astype(str).str.strip()
    text = text[(text != "") & (text != "x") & ~text.str.startswith("<")]
    return len(text) > 0 and bool(pd.to_numeric(text, errors="coerce").notna().all())


def key_figure_texts(figure: KeyFigure, lang: str, threshold: int) -> dict[str, str]:
    """Label, value, interval and n (with what it counts) of a key figure, formatted for ``lang``."""
    t = load_translations(lang)
    if figure.suppressed or figure.value is None:
        value = t["key_figures"]["suppressed"].format(threshold=threshold)
        return {"label": polish(figure.label(lang), lang), "value": value, "ci": "", "n": ""}
    unit = figure.unit
    if unit == "%":
        decimals = figure.decimals if figure.decimals is not None else 1
        value = format_percent(figure.value, lang, decimals)
        ci = format_interval(*figure.ci, lang, percent=True, decimals=decimals) if figure.ci else ""
    else:
        decimals = figure.decimals if figure.decimals is not None else (0 if figure.is_count else None)
        value = format_number(figure.value, lang, decimals)
        unit_text = t["units"].get(unit, unit)
        if unit_text:
            value = f"{value}\u00a0{unit_text}"
        ci = format_interval(*figure.ci, lang, decimals=decimals, unit=unit_text) if figure.ci else ""
    n = ""
    if figure.n is not None:
        n_unit = t["units_n"].get(figure.n_unit, figure.n_unit)
        n = f"{format_number(figure.n, lang, 0)}\u00a0{n_unit}" if n_unit else format_number(figure.n, lang, 0)
    return {"label": polish(figure.label(lang), lang), "value": value, "ci": ci, "n": n}


# --------------------------------------------------------------------------- views for templates

@dataclass
class TableView:
    name: str
    title: str
    markdown: str
    notes: list[str]
    key: str = ""  # the number key (see number_token)


@dataclass
class FigureView:
    name: str
    path: str  # relative to the build folder
    caption: str
    alt: str = ""  # what the figure shows, for readers who cannot see it (the caption when empty)

    @property
    def alt_attribute(self) -> str:
        """The alt text as a pandoc attribute value (quotes and backslashes escaped)."""
        return self.alt.replace("\\", "\\\\").replace('"', '\\"')


@dataclass
class FindingView:
    """One finding, with the slots for its evidence grade and its own limitations.

    ``evidence`` is the strength of evidence (stored text ``evidence_<finding id>``, or filled
    by a grading step); ``limitations`` are the finding's own (stored texts
    ``limitation_<finding id>`` or ``limitation_<finding id>_<n>``). The strand's limitations
    that concern all its findings are in :attr:`StrandView.limitations`."""

    id: str
    strand: str
    text: str
    limitations: list[str] = field(default_factory=list)
    evidence: str | None = None


@dataclass
class StrandView:
    id: str
    title: str
    present: bool
    method: str = ""
    assumptions: str = ""
    annex: str = ""
    missing_line: str = ""
    tables: list[TableView] = field(default_factory=list)
    diagnostic_tables: list[TableView] = field(default_factory=list)
    appendix_tables: list[TableView] = field(default_factory=list)
    #: tables kept in the results folder only: (title, path inside the results folder)
    folder_tables: list[tuple[str, str]] = field(default_factory=list)
    #: the computations' notes (the estimators' own, in the report language), by table:
    #: (table title, table number key, notes)
    technical_notes: list[tuple[str, str, list[str]]] = field(default_factory=list)
    figures: list[FigureView] = field(default_factory=list)
    key_figures: list[dict[str, str]] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    findings: list[FindingView] = field(default_factory=list)
    #: limitations of the strand's findings: the fixed ones of the method, then the stored ones
    limitations: list[str] = field(default_factory=list)
    #: stored limitations only (analyses the data did not allow)
    stored_limitations: list[str] = field(default_factory=list)
    #: the fixed limitations of the strand's methods (reports/i18n)
    fixed_limitations: list[str] = field(default_factory=list)

    def texts_starting(self, prefix: str) -> list[str]:
        return [text for key, text in self.texts.items() if key.startswith(prefix)]

    def text(self, key: str) -> str:
        return self.texts.get(key, "")

    def folder_line(self, template: str, lang: str = "cs") -> str:
        """One sentence naming the detail tables kept in the results folder."""
        if not self.folder_tables:
            return ""
        open_quote, close_quote = ("„", "“") if lang == "cs" else ("“", "”")
        items = ", ".join(f"{open_quote}{md_escape(title)}{close_quote} (`{path}`)"
                          for title, path in self.folder_tables)
        return template.format(tables=items)


_DETAIL = re.compile(r"\s*\((?:technický detail|technical detail): „([^“]*)“\)")


def stored_text(results: StrandResults, key: str, lang: str) -> str:
    """A stored text in the report's wording. In Czech, an estimator's English message quoted as a
    technical detail is worded by the note catalogue, or left to the results folder."""
    text = results.text(key, lang) or ""
    if lang == "cs":
        from evaluation.reporting.notes import translate_note

        def detail(match: re.Match[str]) -> str:
            czech = translate_note(match.group(1))
            return f" (technický detail: „{czech.rstrip('.')}“)" if czech else ""

        text = _DETAIL.sub(detail, text)
    return polish(text, lang)


def _table_notes(table: StoredTable, lang: str, path: str) -> tuple[list[str], list[str]]:
    """Notes under the table (written for readers in both languages, and the disclosure symbols),
    and the computations' notes for the methods appendix: the estimators' English notes (in a
    Czech report worded by the note catalogue) and the disclosure audit's remarks."""
    from evaluation.reporting.notes import translate_note

    shown, technical = [], []
    missing = False
    for note in table.notes:
        cs, en = note.get("cs", ""), note.get("en", "")
        if cs != en:
            shown.append(polish(note.get(lang) or en, lang))
        elif lang == "en":
            technical.append(polish(en, lang))
        else:
            czech = translate_note(en)
            missing |= czech is None
            technical += [czech] if czech else []
    for note in table.disclosure.get(f"notes_{lang}", []):
        if note.startswith(("Kontrola zveřejnění:", "Disclosure check:")):
            czech = translate_note(note) if lang == "cs" else polish(note, lang)
            missing |= czech is None
            technical += [czech] if czech else []
        else:
            shown.append(polish(note, lang))
    if missing:
        technical.append(load_translations(lang)["technical_notes_missing"].format(path=path))
    return [n for n in shown if n], [n for n in technical if n]


def _findings(results: StrandResults, strand_id: str, lang: str,
              kind: str = "brief") -> tuple[list[FindingView], list[str]]:
    """The strand's findings (headline first) and the stored limitations not tied to one of them.
    The technical report words a finding with its details (stored text ``technical_<finding id>``:
    every estimate, the grade and the rules applied) where the strand stored one."""
    keys = (["headline"] if results.text("headline", lang) else []) + \
        [k for k in results.texts if k.startswith("finding_")]

    def wording(key: str) -> str:
        if kind == "technical" and results.text(f"technical_{key}", lang):
            return stored_text(results, f"technical_{key}", lang)
        return stored_text(results, key, lang)

    findings = [FindingView(id=k, strand=strand_id, text=wording(k)) for k in keys]
    limitation_keys = [k for k in results.texts if k.startswith("limitation_")]
    attached: set[str] = set()
    for finding in findings:
        own = [k for k in limitation_keys
               if k == f"limitation_{finding.id}" or k.startswith(f"limitation_{finding.id}_")]
        finding.limitations = [stored_text(results, k, lang) for k in own]
        attached.update(own)
        if results.text(f"evidence_{finding.id}", lang):
            finding.evidence = stored_text(results, f"evidence_{finding.id}", lang)
    rest = [stored_text(results, k, lang) for k in limitation_keys if k not in attached]
    if results.text("limitations", lang):
        rest.append(stored_text(results, "limitations", lang))
    return findings, rest


def _shown_key_figure(id: str, kind: str) -> bool:
    """Key figures that only quote a number in a finding's text are not listed; neither are p-values
    in a brief (it words the strength of evidence instead)."""
    from evaluation.findings.quoting import QUOTE_PREFIX

    if id.startswith(QUOTE_PREFIX):
        return False
    return kind == "technical" or not (id.startswith("pretest_p") or id.endswith("_p"))


def _strand_view(strand_id: str, results: StrandResults | None, lang: str, threshold: int,
                 figure_paths: Mapping[tuple[str, str], str], kind: str = "brief") -> StrandView:
    """A strand as a report shows it; only its figures depend on the format (PNG or SVG files), so
    inside :func:`tables_laid_out_once` the rest is built once for all formats of a report."""
    laid_out = _LAID_OUT.get()
    key = ("strand view", strand_id, id(results), lang, threshold, kind)
    if laid_out is None or key not in laid_out:
        built = _strand_text_view(strand_id, results, lang, threshold, kind)
        if laid_out is None:
            return _with_figures(built, strand_id, results, lang, figure_paths)
        laid_out[key] = (results, built)  # (the results are kept with the view, so the id is not reused)
    return _with_figures(laid_out[key][1], strand_id, results, lang, figure_paths)


def _with_figures(view: StrandView, strand_id: str, results: StrandResults | None, lang: str,
                  figure_paths: Mapping[tuple[str, str], str]) -> StrandView:
    """A copy of ``view`` with the strand's figures drawn from ``figure_paths`` (one format's files)."""
    figures = []
    if results is not None:
        t = load_translations(lang)
        for name, figure in results.figures.items():
            path = figure_paths.get((results.folder.as_posix(), name))
            if path:
                caption = f"{t['figure']} {number_token('F', f'{strand_id}/{name}')}: " \
                          f"{md_escape(polish(figure.caption(lang), lang))}"
                figures.append(FigureView(name, path, caption, polish(figure.alt(lang), lang)))
    return replace(view, figures=figures)


def _strand_text_view(strand_id: str, results: StrandResults | None, lang: str, threshold: int,
                      kind: str) -> StrandView:
    t = load_translations(lang)
    fixed = t["strands"].get(strand_id, {})
    title = fixed.get("title", strand_id.replace("_", " ").capitalize())
    view = StrandView(id=strand_id, title=title, present=results is not None,
                      method=fixed.get("method", ""), assumptions=fixed.get("assumptions", ""),
                      annex=fixed.get("annex", ""),
                      missing_line=t["missing_strand"].format(strand=title))
    if results is None:
        return view
    place = f"{results.folder.parent.name}/{results.folder.name}/tables"
    for name, table in results.tables.items():
        title_text = polish(table.title(lang), lang)
        placement = table.placement
        if placement == "main" and len(table.data) > MAIN_MAX_ROWS:
            placement = "appendix"
        if placement == "folder":
            view.folder_tables.append((title_text, f"{place}/{name}.csv"))
            continue
        notes, technical = _table_notes(table, lang, f"{place}/{name}.json")
        if table.data.empty:
            notes = [t["empty_table"]] + notes
        max_rows = APPENDIX_MAX_ROWS if placement == "appendix" else None
        if max_rows is not None and len(table.data) > max_rows:
            notes = [t["appendix_truncated"].format(shown=max_rows, rows=len(table.data),
                                                    path=f"{place}/{name}.csv")] + notes
        key = f"{strand_id}/{name}"
        table_view = TableView(name, title_text, markdown_table(table, lang, key, max_rows), notes, key)
        if technical:
            view.technical_notes.append((title_text, key, technical))
        if placement == "appendix":
            view.appendix_tables.append(table_view)
        elif DIAGNOSTIC_TABLE.search(name):
            view.diagnostic_tables.append(table_view)
        else:
            view.tables.append(table_view)
    view.key_figures = [key_figure_texts(k, lang, threshold) for id, k in results.key_figures.items()
                        if _shown_key_figure(id, kind)]
    view.key_figures = [{key: md_escape(value) for key, value in k.items()} for k in view.key_figures]
    view.texts = {key: stored_text(results, key, lang) for key in results.texts}
    view.findings, view.stored_limitations = _findings(results, strand_id, lang, kind)
    view.fixed_limitations = list(fixed.get("limitations", []))
    view.limitations = view.fixed_limitations + view.stored_limitations
    return view


def md_escape_light(text: str) -> str:
    """Text built by the package (Markdown emphasis allowed): only characters pandoc could
    misread as markup of another kind are escaped."""
    return re.sub(r"([\\`<>#|$@~^\[\]])", r"\\\1", str(text)).replace("\n", " ")


def _provenance(strands: Sequence[StrandResults], lang: str, rendered: _dt.date) -> dict[str, Any]:
    t = load_translations(lang)["provenance"]
    from evaluation import __version__

    versions = sorted({str(s.meta.get("package_version", "")) for s in strands} - {""}) or [__version__]
    fingerprints = sorted({str(s.meta.get("data_fingerprint", "")) for s in strands} - {""})
    dates = sorted({str(s.meta.get("date", "")) for s in strands} - {""})
    periods = sorted({tuple(s.meta["study_period"]) for s in strands if s.meta.get("study_period")})
    parameters: dict[str, Any] = {}
    for s in strands:
        for key, value in (s.meta.get("parameters") or {}).items():
            parameters.setdefault(key, value)
    rows = [
        (t["package_version"], ", ".join(versions)),
        (t["fingerprint"], ", ".join(f[:16] for f in fingerprints) or t["none"]),
        (t["date"], ", ".join(format_date(d, lang) for d in dates) or t["none"]),
        (t["rendered"], format_date(rendered, lang)),
    ]
    if periods:
        rows.append((t["study_period"], "; ".join(format_interval_dates(a, b, lang) for a, b in periods)))
    footer = t["footer"].format(version=", ".join(versions),
                                fingerprint=(fingerprints[0][:12] if fingerprints else t["none"]),
                                date=format_date(rendered, lang))
    return {"rows": [(md_escape(a), md_escape(b)) for a, b in rows], "footer": footer,
            "parameters": [(md_escape(a), md_escape(b)) for a, b in parameter_rows(parameters, lang)],
            "versions": versions, "fingerprints": fingerprints}


def format_interval_dates(start: Any, end: Any, lang: str) -> str:
    """A period of dates: ``1. 1. 2015 – 31. 12. 2022`` (spaced en dash between dates)."""
    return f"{format_date(start, lang)} – {format_date(end, lang)}"


def parameter_rows(parameters: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """The run's parameters as (label, value) rows in ``lang``.

    Only the parameters the translations name are shown (``parameters`` in
    ``reports/i18n/<lang>.yaml``), in that order; internal ones (folders, language,
    error handling) are left out. Unset values show as an em dash.
    """
    labels = load_translations(lang).get("parameters", {})
    rows = []
    for key, label in labels.items():
        if key not in parameters:
            continue
        value = parameters[key]
        if key == "event_window" and isinstance(value, (list, tuple)) and len(value) == 2:
            rows.append((label, format_interval(value[0], value[1], lang, decimals=0)))
        else:
            rows.append((label, _parameter_text(value, lang)))
    return rows


def _parameter_text(value: Any, lang: str = "cs") -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return load_translations(lang)["values"]["yes" if value else "no"]
    if isinstance(value, int):
        return unify_minus(str(value))
    if isinstance(value, float):
        return format_number(value, lang)
    if isinstance(value, Mapping):
        return "; ".join(f"{k} = {_parameter_text(v, lang)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_parameter_text(v, lang) for v in value)
    from evaluation.reporting.labels import value_label

    return value_label(str(value), "", lang) or str(value)


def _brief_figures(present: Sequence[StrandView], kind: str) -> list[FigureView]:
    figures = []
    for strand_id in BRIEF_FIGURE_ORDER:
        view = next((s for s in present if s.id == strand_id), None)
        if view and view.figures:
            figures.append(next((f for f in view.figures if f.name in ("event_study", "participant_flow")),
                                view.figures[0]))
    return figures[:MAX_BRIEF_FIGURES if kind == "brief" else 2]


def _data_findings(strands: Mapping[str, Any], lang: str) -> list[FindingView]:
    """Findings the published tables show on their own (an unused step, a step left out of a table,
    two measures of debt that disagree): :mod:`evaluation.findings.data_findings`."""
    from evaluation.findings.data_findings import data_findings

    return [FindingView(id=f.id, strand="data", text=md_escape_light(polish(f.text(lang), lang)))
            for f in data_findings(strands)]


def build_context(results: StoredResults, *, kind: str, scope: str, lang: str, fmt: str, threshold: int,
                  figure_paths: Mapping[tuple[str, str], str], rendered: _dt.date | None = None,
                  authorship: Any = None, benchmarks: Any = None, pilot_plan: Any = None,
                  build_dir: Path | None = None) -> dict[str, Any]:
    """Everything a template needs for one report of one scope in one language and format.

    ``authorship``, ``benchmarks`` and ``pilot_plan`` are as in
    :func:`evaluation.reporting.render.render_reports`; ``build_dir`` is where the logic-model
    diagram is drawn (without it the technical report shows the model as text only).
    """
    from evaluation.reporting.authorship import FRONT_FIELDS, Authorship
    from evaluation.reporting.recommendations import draft_recommendations
    from evaluation.reporting.sections import comparison_view, intervention_view

    if kind not in REPORT_KINDS:
        raise RenderError(f"unknown report {kind!r}; choose from {', '.join(REPORT_KINDS)}")
    t = load_translations(lang)
    rendered = rendered or _dt.date.today()
    scope_strands = dict(results.scopes.get(scope, {}))
    order = list(STRANDS) + sorted(s for s in scope_strands if s not in STRANDS)
    if "trial" in order:  # a randomised trial, where the data have one, is read beside the impact estimates
        order.remove("trial")
        order.insert(order.index("impact") + 1, "trial")
    strands = [_strand_view(s, scope_strands.get(s), lang, threshold, figure_paths, kind) for s in order]
    # national data (the contact points of zákon č. 175/2025 Sb.) are not the pilots: their own titles
    national = any(s.meta.get("coverage") == "contact_points" for s in scope_strands.values())
    titles = {**t["report"], **(t["report_national"] if national else {})}
    scope_name = titles["scope_all"] if slug(scope) == "all" else scope
    title = titles[f"{kind}_title"].format(scope=scope_name)
    subtitle = titles[f"{kind}_subtitle"].format(scope=scope_name)
    if kind != "municipality":
        subtitle = f"{subtitle} ({titles['scope_label'].lower()}: {scope_name})" if slug(scope) != "all" else subtitle
    present = [s for s in strands if s.present]
    # the brief leaves the data strand's counts to the technical report, to make room for outcomes
    # a municipality's brief too: the data strand counts the data folder, not the municipality's households
    key_figures = [k for s in present if s.id != "data" or kind not in ("brief", "municipality")
                   for k in s.key_figures][:MAX_BRIEF_KEY_FIGURES]
    findings = [f for s in present for f in s.findings] + _data_findings(scope_strands, lang)
    recommendations = [text for s in present for text in s.texts_starting("recommendation_")]
    drafts = [md_escape_light(polish(r.text(lang), lang)) for r in draft_recommendations(scope_strands)]
    provenance = _provenance(list(scope_strands.values()), lang, rendered)
    info = Authorship.from_config(authorship)
    comparison = comparison_view(scope_strands, lang, benchmarks)
    intervention = intervention_view(scope_strands, lang, fmt, pilot_plan, build_dir, results.root, scope) \
        if kind == "technical" else None
    return {
        "t": t, "lang": lang, "fmt": fmt, "kind": kind, "scope": scope, "scope_name": scope_name,
        "title": title, "subtitle": subtitle, "date": format_date(rendered, lang),
        "short_title": titles[f"short_{kind}"],
        "strands": strands, "present": present, "missing": [s for s in strands if not s.present],
        "nothing": not present,
        "key_figures": key_figures, "all_key_figures": [k for s in present for k in s.key_figures],
        "findings": findings, "recommendations": recommendations, "draft_recommendations": drafts,
        # how to read the numbers, once (the impact strand stores it with its graded findings)
        "uncertainty": next((s.text("uncertainty") for s in present if s.text("uncertainty")), ""),
        "appendix": [s for s in present if s.appendix_tables],
        "folder_tables": [s for s in present if s.folder_tables],
        "technical_notes": [(s.title, title, key, notes) for s in present
                            for title, key, notes in s.technical_notes],
        "limitations": list(t["limitations"]),
        "stored_limitations": any(s.stored_limitations for s in present),
        "brief_figures": _brief_figures(present, kind),
        "provenance": provenance, "threshold": threshold,
        "disclosure_notice": t["disclosure_notice"].format(threshold=threshold),
        "authorship": info, "front_rows": info.rows(lang, FRONT_FIELDS), "authorship_rows": info.rows(lang),
        "statements": info.statements(lang),
        "tool_statement": t["authorship"]["tool_statement"].format(version=", ".join(provenance["versions"])),
        "brief_authorship": t["authorship"]["brief_line"].format(evaluator=info.value("evaluator", lang),
                                                                 commissioner=info.value("commissioner", lang)),
        "comparison": comparison, "intervention": intervention,
        "glossary": [],
    }


@lru_cache(maxsize=2)
def _environment(folder: str) -> Any:
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=False,
                                     trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                                     undefined=jinja2.StrictUndefined)
    environment.filters["md"] = md_escape
    environment.filters["yaml"] = lambda value: json.dumps(str(value), ensure_ascii=False)
    environment.globals["ref"] = reference
    return environment


_REFERENCE = re.compile(r" \([^()" + _MARK + r"]*" + _MARK + r"R([TF]):([^" + _MARK + r"]*)" + _MARK + r"\)")


def number_in_order(markdown: str) -> str:
    """Number tables and figures in the order the report shows them, the same in every format,
    and fill the references to them; a reference in brackets to a table or figure the report
    does not show is dropped with its brackets."""
    numbers: dict[tuple[str, str], int] = {}
    counters = {"T": 0, "F": 0}
    for match in _TOKEN.finditer(markdown):
        kind, key = match.group(1), match.group(2)
        if kind in counters and (kind, key) not in numbers:
            counters[kind] += 1
            numbers[(kind, key)] = counters[kind]
    markdown = _REFERENCE.sub(lambda m: m.group(0) if (m.group(1), m.group(2)) in numbers else "", markdown)
    return _TOKEN.sub(lambda m: str(numbers.get((m.group(1)[-1], m.group(2)), "")), markdown)


def reference(kind: str, key: str, lang: str) -> str:
    """`` (Tabulka 3)`` / `` (Figure 2)``: a reference to table (``"T"``) or figure (``"F"``) ``key``."""
    word = load_translations(lang)["table" if kind == "T" else "figure"]
    return f" ({word} {number_token('R' + kind, key)})"


def render_markdown(context: Mapping[str, Any]) -> str:
    """Fill the template of ``context['kind']`` and return pandoc Markdown (with a YAML header).

    The glossary lists the terms the report uses, so the report is rendered once to find them
    and once with the glossary; terms marked for it are explained in a footnote at first use.
    """
    import jinja2

    from evaluation.reporting.glossary import add_first_use_notes, glossary_for

    folder = reports_dir() / "templates"
    try:
        template = _environment(str(folder)).get_template(f"{context['kind']}.md.j2")
        draft = template.render(**context)
        entries = glossary_for(draft, context["lang"])
        markdown = template.render(**{**context, "glossary": entries}) if context["kind"] == "technical" else draft
    except jinja2.TemplateError as error:
        raise RenderError(f"report template {context['kind']}.md.j2 failed: {error}") from error
    return number_in_order(add_first_use_notes(markdown, entries))
