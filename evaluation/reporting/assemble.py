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
import os
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

LANGS = ("cs", "en")
REPORT_KINDS = ("brief", "technical", "municipality")
#: Table names that go to the Diagnostics section of the technical report.
DIAGNOSTIC_TABLE = re.compile(r"balance|pre_?trend|diagnostic|placebo|overlap", re.IGNORECASE)
#: Strands whose first figure the policy brief shows, in order of preference.
BRIEF_FIGURE_ORDER = ("impact", "retention", "process", "economics", "need", "data")
MAX_BRIEF_FIGURES = 3
MAX_BRIEF_KEY_FIGURES = 10


def reports_dir() -> Path:
    """Folder of templates and translations: ``$EVALUATION_REPORTS_DIR``, the repository's
    ``reports/``, or a copy installed beside the package."""
    env = os.environ.get("EVALUATION_REPORTS_DIR")
    here = Path(__file__).resolve()
    candidates = ([Path(env)] if env else []) + [here.parents[2] / "reports", here.parents[1] / "reports"]
    for candidate in candidates:
        if (candidate / "i18n" / "cs.yaml").is_file():
            return candidate
    raise RenderError("report templates not found: expected reports/i18n/cs.yaml beside the package "
                      "or in $EVALUATION_REPORTS_DIR")


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


@lru_cache(maxsize=1)
def _schema_fields() -> dict[str, Any]:
    """Field name -> field of the data contract (first table that defines it)."""
    try:
        from evaluation.data.schema import get_schema

        fields: dict[str, Any] = {}
        for table in get_schema().tables:
            for f in table.fields:
                fields.setdefault(f.name, f)
        return fields
    except (FileNotFoundError, KeyError, ValueError, OSError):
        return {}


def column_header(table: StoredTable, column: str, lang: str) -> str:
    labels = table.column_labels.get(column)
    if labels and labels.get(lang):
        return labels[lang]
    translated = load_translations(lang).get("columns", {}).get(column)
    if translated:
        return translated
    schema_field = _schema_fields().get(column)
    if schema_field is not None:
        return schema_field.title(lang)
    return column.replace("_", " ")


def cell_text(value: Any, column: str, lang: str) -> str:
    """A published cell in ``lang``: category codes as labels, totals translated, numbers localised."""
    if isinstance(value, str) and is_total_label(value):
        return load_translations(lang)["values"].get("total", value)
    schema_field = _schema_fields().get(column)
    if schema_field is not None and schema_field.is_categorical and isinstance(value, str):
        return schema_field.label(value, lang)
    return format_cell(value, lang, column=column)


def markdown_table(table: StoredTable, lang: str, number: int | None = None) -> str:
    """A stored table as a pandoc pipe table with its caption."""
    data = table.data
    headers = [md_escape(column_header(table, str(c), lang)) for c in data.columns]
    numeric = [_is_numeric_column(data[c]) for c in data.columns]
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("--:" if right else ":--" for right in numeric) + "|"]
    for _, row in data.iterrows():
        cells = [md_escape(cell_text(row[c], str(c), lang)) for c in data.columns]
        lines.append("| " + " | ".join(cells) + " |")
    prefix = load_translations(lang)["table"]
    caption = f"{prefix} {number}: {table.title(lang)}" if number else table.title(lang)
    lines += ["", f": {md_escape(caption)}"]
    return "\n".join(lines)


def _is_numeric_column(values: pd.Series) -> bool:
    text = values.astype(str).str.strip()
    text = text[(text != "") & (text != "x") & ~text.str.startswith("<")]
    return len(text) > 0 and bool(pd.to_numeric(text, errors="coerce").notna().all())


def key_figure_texts(figure: KeyFigure, lang: str, threshold: int) -> dict[str, str]:
    """Label, value, interval and n of a key figure, formatted for ``lang``."""
    t = load_translations(lang)
    if figure.suppressed or figure.value is None:
        value = t["key_figures"]["suppressed"].format(threshold=threshold)
        return {"label": figure.label(lang), "value": value, "ci": "", "n": ""}
    unit = figure.unit
    if unit == "%":
        value = format_percent(figure.value, lang, figure.decimals if figure.decimals is not None else 1)
        ci = format_interval(*figure.ci, lang, percent=True, decimals=figure.decimals) if figure.ci else ""
    else:
        decimals = figure.decimals if figure.decimals is not None else (0 if figure.is_count else None)
        value = format_number(figure.value, lang, decimals)
        unit_text = t["units"].get(unit, unit)
        if unit_text:
            value = f"{value}\u00a0{unit_text}"
        ci = format_interval(*figure.ci, lang, decimals=figure.decimals) if figure.ci else ""
    n = format_number(figure.n, lang, 0) if figure.n is not None else ""
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
    figures: list[FigureView] = field(default_factory=list)
    key_figures: list[dict[str, str]] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)

    def texts_starting(self, prefix: str) -> list[str]:
        return [text for key, text in self.texts.items() if key.startswith(prefix)]

    def text(self, key: str) -> str:
        return self.texts.get(key, "")


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
    for name, table in results.tables.items():
        notes = [n.get(lang) or n.get("en", "") for n in table.notes]
        notes += list(table.disclosure.get(f"notes_{lang}", []))
        number = None if fmt == "pdf" else numbering.table()
        table_view = TableView(name, table.title(lang), markdown_table(table, lang, number),
                               [n for n in notes if n])
        (view.diagnostic_tables if DIAGNOSTIC_TABLE.search(name) else view.tables).append(table_view)
    for name, figure in results.figures.items():
        path = figure_paths.get((results.folder.as_posix(), name))
        if path:
            number = numbering.figure()
            # Typst numbers figures and tables itself (in the document language)
            caption = figure.caption(lang) if fmt == "pdf" else f"{t['figure']} {number}: {figure.caption(lang)}"
            view.figures.append(FigureView(name, path, md_escape(caption)))
    view.key_figures = [key_figure_texts(k, lang, threshold) for k in results.key_figures.values()]
    view.key_figures = [{key: md_escape(value) for key, value in k.items()} for k in view.key_figures]
    view.texts = {key: results.text(key, lang) or "" for key in results.texts}
    return view


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
        rows.append((t["study_period"], "; ".join(f"{format_date(a, lang)} – {format_date(b, lang)}"
                                                   for a, b in periods)))
    if parameters:
        rows.append((t["parameters"], "; ".join(f"{k} = {_parameter_text(v)}" for k, v in parameters.items())))
    footer = t["footer"].format(version=", ".join(versions),
                                fingerprint=(fingerprints[0][:12] if fingerprints else t["none"]),
                                date=format_date(rendered, lang))
    return {"rows": [(md_escape(a), md_escape(b)) for a, b in rows], "footer": footer,
            "versions": versions, "fingerprints": fingerprints}


def _parameter_text(value: Any) -> str:
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


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
    key_figures = [k for s in present for k in s.key_figures][:MAX_BRIEF_KEY_FIGURES]
    findings = [text for s in present for text in ([s.text("headline")] if s.text("headline") else [])
                + s.texts_starting("finding_")]
    recommendations = [text for s in present for text in s.texts_starting("recommendation_")]
    limitations = list(t["limitations"]) + [text for s in present for text in s.texts_starting("limitation_")]
    limitations += [s.text("limitations") for s in present if s.text("limitations")]
    provenance = _provenance(list(scope_strands.values()), lang, rendered)
    return {
        "t": t, "lang": lang, "fmt": fmt, "kind": kind, "scope": scope, "scope_name": scope_name,
        "title": title, "subtitle": subtitle, "date": format_date(rendered, lang),
        "short_title": titles[f"short_{kind}"],
        "strands": strands, "present": present, "missing": [s for s in strands if not s.present],
        "nothing": not present,
        "key_figures": key_figures, "findings": findings, "recommendations": recommendations,
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


def render_markdown(context: Mapping[str, Any]) -> str:
    """Fill the template of ``context['kind']`` and return pandoc Markdown (with a YAML header)."""
    import jinja2

    folder = reports_dir() / "templates"
    try:
        template = _environment(str(folder)).get_template(f"{context['kind']}.md.j2")
        return template.render(**context)
    except jinja2.TemplateError as error:
        raise RenderError(f"report template {context['kind']}.md.j2 failed: {error}") from error
