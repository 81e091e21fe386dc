"""Turn a results folder into report Markdown through the Jinja2 templates in ``reports/``.

The templates only lay out what this module prepares: localised tables (as pandoc pipe
tables), figures, key figures, findings texts, provenance and the disclosure notice, per
strand, in the report language. A strand missing from the results folder is kept with
``present=False`` so the template can say so in one line.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.errors import RenderError
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
#: Placeholders for the numbers of tables and figures, filled in order of appearance.
TABLE_NUMBER, FIGURE_NUMBER = "\u2063T\u2063", "\u2063F\u2063"
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH_COLUMNS = frozenset({"month", "period", "first_month", "last_month"})


def column_header(table: StoredTable, column: str, lang: str) -> str:
    """Header of ``column`` in ``lang``: the table's own labels, then the labels module,
    then the report translations; a column published in both languages (``reason_cs``,
    ``reason_en``) is headed by its base name."""
    from evaluation.reporting.labels import bilingual_base, column_label

    labels = table.column_labels.get(column)
    base = bilingual_base(column)
    if labels and labels.get(lang) and labels.get(lang) != column:
        return labels[lang]
    known = column_label(column) or (column_label(base) if base else None)
    if known:
        return known[0 if lang == "cs" else 1]
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
        return label
    if is_total_label(text):
        return load_translations(lang)["values"].get("total", text)
    date = _ISO_DATE.match(text)
    if date:
        if column in _MONTH_COLUMNS and date.group(3) == "01":
            return f"{int(date.group(2))}/{date.group(1)}"
        return format_date(text, lang)
    number = pd.to_numeric(pd.Series([text]), errors="coerce").iloc[0]
    if pd.isna(number):
        return text
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


def markdown_table(table: StoredTable, lang: str, number: int | None = None,
                   max_rows: int | None = None) -> str:
    """A stored table as a pandoc pipe table with its caption (at most ``max_rows`` rows)."""
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
    widths = _column_widths(headers, body, len(columns))
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join(("-" * w + ":") if right else (":" + "-" * w) for w, right in zip(widths, numeric)) + "|",
             *body]
    prefix = load_translations(lang)["table"]
    caption = f"{prefix} {TABLE_NUMBER}: {table.title(lang)}" if number else table.title(lang)
    lines += ["", f": {md_escape(caption)}"]
    return "\n".join(lines)


def _column_widths(headers: list[str], body: list[str], n: int) -> list[int]:
    """Relative column widths for pandoc (dashes of the separator line): the longest cell or
    the longest word of the header, within limits, so that text columns get room to breathe."""
    widths = [max([len(w) for w in h.split()] + [3]) for h in headers]
    for line in body:
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        for i, cell in enumerate(cells[:n]):
            widths[i] = max(widths[i], min(len(cell), 36))
    return [min(max(w, 3), 36) for w in widths]


def _is_numeric_column(values: pd.Series) -> bool:
    text = values.astype(str).str.strip()
    text = text[(text != "") & (text != "x") & ~text.str.startswith("<")]
    return len(text) > 0 and bool(pd.to_numeric(text, errors="coerce").notna().all())


def key_figure_texts(figure: KeyFigure, lang: str, threshold: int) -> dict[str, str]:
    """Label, value, interval and n (with what it counts) of a key figure, formatted for ``lang``."""
    t = load_translations(lang)
    if figure.suppressed or figure.value is None:
        value = t["key_figures"]["suppressed"].format(threshold=threshold)
        return {"label": figure.label(lang), "value": value, "ci": "", "n": ""}
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
    return {"label": figure.label(lang), "value": value, "ci": ci, "n": n}


# --------------------------------------------------------------------------- views for templates

@dataclass
class TableView:
    name: str
    title: str
    markdown: str
    notes: list[str]


@dataclass
class FigureView:
    name: str
    path: str  # relative to the build folder
    caption: str


@dataclass
class StrandView:
    id: str
    title: str
    present: bool
    method: str = ""
    assumptions: str = ""
    missing_line: str = ""
    tables: list[TableView] = field(default_factory=list)
    diagnostic_tables: list[TableView] = field(default_factory=list)
    appendix_tables: list[TableView] = field(default_factory=list)
    #: tables kept in the results folder only: (title, path inside the results folder)
    folder_tables: list[tuple[str, str]] = field(default_factory=list)
    #: notes the analyses wrote in English only (shown in the appendix of a Czech report)
    technical_notes: list[tuple[str, list[str]]] = field(default_factory=list)
    figures: list[FigureView] = field(default_factory=list)
    key_figures: list[dict[str, str]] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)

    def texts_starting(self, prefix: str) -> list[str]:
        return [text for key, text in self.texts.items() if key.startswith(prefix)]

    def text(self, key: str) -> str:
        return self.texts.get(key, "")

    def folder_line(self, template: str) -> str:
        """One sentence naming the detail tables kept in the results folder."""
        if not self.folder_tables:
            return ""
        items = ", ".join(f"„{md_escape(title)}“ (`{path}`)" for title, path in self.folder_tables)
        return template.format(tables=items)


class _Numbering:
    def __init__(self) -> None:
        self.tables = 0
        self.figures = 0

    def table(self) -> int:
        self.tables += 1
        return self.tables

    def figure(self) -> int:
        self.figures += 1
        return self.figures


def _table_notes(table: StoredTable, lang: str) -> tuple[list[str], list[str]]:
    """Notes in the report language, and technical notes (written by the analyses in English
    only, or the disclosure audit's remarks) for the appendix."""
    translated, technical = [], []
    for note in table.notes:
        cs, en = note.get("cs", ""), note.get("en", "")
        if lang == "cs" and cs == en:
            technical.append(en)
        else:
            translated.append(note.get(lang) or en)
    for note in table.disclosure.get(f"notes_{lang}", []):
        # the audit's remarks on margins it could not use are for the methodologist
        (technical if note.startswith(("Kontrola zveřejnění:", "Disclosure check:")) else translated).append(note)
    return [n for n in translated if n], [n for n in technical if n]


def _strand_view(strand_id: str, results: StrandResults | None, lang: str, fmt: str, threshold: int,
                 figure_paths: Mapping[tuple[str, str], str], numbering: _Numbering) -> StrandView:
    t = load_translations(lang)
    fixed = t["strands"].get(strand_id, {})
    title = fixed.get("title", strand_id.replace("_", " ").capitalize())
    view = StrandView(id=strand_id, title=title, present=results is not None,
                      method=fixed.get("method", ""), assumptions=fixed.get("assumptions", ""),
                      missing_line=t["missing_strand"].format(strand=title))
    if results is None:
        return view
    place = f"{results.folder.parent.name}/{results.folder.name}/tables"
    for name, table in results.tables.items():
        notes, english_only = _table_notes(table, lang)
        placement = table.placement
        if placement == "main" and len(table.data) > MAIN_MAX_ROWS:
            placement = "appendix"
        if placement == "folder":
            view.folder_tables.append((table.title(lang), f"{place}/{name}.csv"))
            continue
        if table.data.empty:
            notes = [t["empty_table"]] + notes
        max_rows = APPENDIX_MAX_ROWS if placement == "appendix" else None
        if max_rows is not None and len(table.data) > max_rows:
            notes = [t["appendix_truncated"].format(shown=max_rows, rows=len(table.data),
                                                    path=f"{place}/{name}.csv")] + notes
        number = None if fmt == "pdf" else numbering.table()
        table_view = TableView(name, table.title(lang), markdown_table(table, lang, number, max_rows),
                               notes)
        if english_only:
            view.technical_notes.append((table.title(lang), english_only))
        if placement == "appendix":
            view.appendix_tables.append(table_view)
        elif DIAGNOSTIC_TABLE.search(name):
            view.diagnostic_tables.append(table_view)
        else:
            view.tables.append(table_view)
    for name, figure in results.figures.items():
        path = figure_paths.get((results.folder.as_posix(), name))
        if path:
            number = numbering.figure()
            # Typst numbers figures and tables itself (in the document language)
            caption = figure.caption(lang) if fmt == "pdf" else f"{t['figure']} {FIGURE_NUMBER}: {figure.caption(lang)}"
            view.figures.append(FigureView(name, path, md_escape(caption)))
    view.key_figures = [key_figure_texts(k, lang, threshold) for k in results.key_figures.values()]
    view.key_figures = [{key: md_escape(value) for key, value in k.items()} for k in view.key_figures]
    view.texts = {key: results.text(key, lang) or "" for key in results.texts}
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
        return str(value).replace("-", "−") if lang == "cs" else str(value)
    if isinstance(value, float):
        return format_number(value, lang)
    if isinstance(value, Mapping):
        return "; ".join(f"{k} = {_parameter_text(v, lang)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_parameter_text(v, lang) for v in value)
    from evaluation.reporting.labels import value_label

    return value_label(str(value), "", lang) or str(value)


def build_context(results: StoredResults, *, kind: str, scope: str, lang: str, fmt: str, threshold: int,
                  figure_paths: Mapping[tuple[str, str], str], rendered: _dt.date | None = None) -> dict[str, Any]:
    """Everything a template needs for one report of one scope in one language and format."""
    if kind not in REPORT_KINDS:
        raise RenderError(f"unknown report {kind!r}; choose from {', '.join(REPORT_KINDS)}")
    t = load_translations(lang)
    rendered = rendered or _dt.date.today()
    scope_strands = dict(results.scopes.get(scope, {}))
    order = list(STRANDS) + sorted(s for s in scope_strands if s not in STRANDS)
    numbering = _Numbering()
    strands = [_strand_view(s, scope_strands.get(s), lang, fmt, threshold, figure_paths, numbering)
               for s in order]
    scope_name = t["report"]["scope_all"] if slug(scope) == "all" else scope
    titles = t["report"]
    title = titles[f"{kind}_title"].format(scope=scope_name)
    subtitle = titles[f"{kind}_subtitle"].format(scope=scope_name)
    if kind != "municipality":
        subtitle = f"{subtitle} ({titles['scope_label'].lower()}: {scope_name})" if slug(scope) != "all" else subtitle
    present = [s for s in strands if s.present]
    brief_figures = []
    for strand_id in BRIEF_FIGURE_ORDER:
        view = next((s for s in present if s.id == strand_id), None)
        if view and view.figures:
            preferred = next((f for f in view.figures if f.name in ("event_study", "participant_flow")),
                             view.figures[0])
            brief_figures.append(preferred)
    limit = MAX_BRIEF_FIGURES if kind == "brief" else 2
    # the brief leaves the data strand's counts to the technical report, to make room for outcomes
    key_figures = [k for s in present if s.id != "data" or kind != "brief"
                   for k in s.key_figures][:MAX_BRIEF_KEY_FIGURES]
    findings = [text for s in present for text in ([s.text("headline")] if s.text("headline") else [])
                + s.texts_starting("finding_")]
    recommendations = [text for s in present for text in s.texts_starting("recommendation_")]
    from evaluation.reporting.recommendations import draft_recommendations

    drafts = [md_escape_light(r.text(lang)) for r in draft_recommendations(scope_strands)]
    limitations = list(t["limitations"]) + [text for s in present for text in s.texts_starting("limitation_")]
    limitations += [s.text("limitations") for s in present if s.text("limitations")]
    provenance = _provenance(list(scope_strands.values()), lang, rendered)
    return {
        "t": t, "lang": lang, "fmt": fmt, "kind": kind, "scope": scope, "scope_name": scope_name,
        "title": title, "subtitle": subtitle, "date": format_date(rendered, lang),
        "short_title": titles[f"short_{kind}"],
        "strands": strands, "present": present, "missing": [s for s in strands if not s.present],
        "nothing": not present,
        "key_figures": key_figures, "all_key_figures": [k for s in present for k in s.key_figures],
        "findings": findings, "recommendations": recommendations, "draft_recommendations": drafts,
        "appendix": [s for s in present if s.appendix_tables],
        "folder_tables": [s for s in present if s.folder_tables],
        "technical_notes": [(s.title, title, notes) for s in present for title, notes in s.technical_notes],
        "limitations": limitations, "brief_figures": brief_figures[:limit],
        "provenance": provenance, "threshold": threshold,
        "disclosure_notice": t["disclosure_notice"].format(threshold=threshold),
    }


@lru_cache(maxsize=2)
def _environment(folder: str) -> Any:
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=False,
                                     trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                                     undefined=jinja2.StrictUndefined)
    environment.filters["md"] = md_escape
    environment.filters["yaml"] = lambda value: json.dumps(str(value), ensure_ascii=False)
    return environment


def number_in_order(markdown: str) -> str:
    """Number tables and figures in the order the report shows them (HTML and DOCX; Typst
    numbers the PDF itself)."""
    for token in (TABLE_NUMBER, FIGURE_NUMBER):
        parts = markdown.split(token)
        markdown = parts[0] + "".join(f"{i}{part}" for i, part in enumerate(parts[1:], start=1))
    return markdown


def render_markdown(context: Mapping[str, Any]) -> str:
    """Fill the template of ``context['kind']`` and return pandoc Markdown (with a YAML header)."""
    import jinja2

    folder = reports_dir() / "templates"
    try:
        template = _environment(str(folder)).get_template(f"{context['kind']}.md.j2")
        return number_in_order(template.render(**context))
    except jinja2.TemplateError as error:
        raise RenderError(f"report template {context['kind']}.md.j2 failed: {error}") from error
