"""Render the reports of a results folder to HTML, PDF and DOCX.

The same Markdown (from the Jinja2 templates in ``reports/templates``) feeds every format:

* with the Quarto CLI on PATH (``engine="auto"`` or ``"quarto"``) it is rendered as a
  ``.qmd`` by ``quarto render`` in a subprocess (HTML, DOCX, and PDF through Quarto's Typst);
* otherwise with pandoc from the ``pypandoc-binary`` package and the ``typst`` package:
  HTML self-contained (``--standalone --embed-resources``, images inlined, ``report.css``),
  DOCX with ``reports/styles/reference.docx``, PDF as pandoc Markdown -> Typst source with
  the ``reports/styles/report.typ`` template, compiled by ``typst.compile`` with Czech
  hyphenation and fonts that hold the Czech alphabet (Libertinus Serif, embedded in typst;
  DejaVu Sans, shipped with matplotlib). No network is needed.

Every table is checked again for disclosure before anything is written
(:func:`evaluation.reporting.disclosure.check_published`).

Example
-------
>>> from evaluation.reporting import render_reports  # doctest: +SKIP
>>> render_reports("results", "out", lang="en", formats=("html",))  # doctest: +SKIP
[PosixPath('out/brief_en.html'), PosixPath('out/technical_en.html')]
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from evaluation.errors import ConfigError, RenderError
from evaluation.reporting.assemble import (
    LANGS,
    REPORT_KINDS,
    build_context,
    render_markdown,
    reports_dir,
    tables_laid_out_once,
)
from evaluation.reporting.authorship import Authorship
from evaluation.reporting.benchmarks import resolve_benchmarks
from evaluation.reporting.disclosure import DisclosureRules, check_published, relations_from_summary
from evaluation.reporting.store import ALL_SCOPE, ResultsStore, StoredResults, slug
from evaluation.reporting.word import finish_docx

log = logging.getLogger(__name__)

FORMATS = ("html", "pdf", "docx")
#: Level of the top headings in each report's Markdown (the brief's sections are ``##``). The
#: renderers shift them so that a report's sections are level 1 in Word and PDF (under the
#: title) and ``h2`` in HTML (under the title's one ``h1``).
TOP_HEADING = {"technical": 1, "brief": 2, "municipality": 2}


def _shift(kind: str, top: int) -> list[str]:
    shift = top - TOP_HEADING.get(kind, 1)
    return [f"--shift-heading-level-by={shift}"] if shift else []
ENGINES = ("auto", "pandoc", "quarto")


@tables_laid_out_once()  # the brief and the technical report, in every format, share their tables
def render_reports(results_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, lang: str = "cs",
                   formats: Sequence[str] = FORMATS, reports: Sequence[str] = ("brief", "technical"),
                   scope: str | None = None, threshold: int | None = None, engine: str = "auto",
                   progress: bool = False, date: _dt.date | None = None,
                   authorship: Mapping[str, Any] | str | os.PathLike[str] | None = None,
                   benchmarks: str | os.PathLike[str] | bool | None = None,
                   pilot_plan: Any = None) -> list[Path]:
    """Render reports from a results folder; return the paths written.

    Parameters
    ----------
    results_dir : folder written by :class:`~evaluation.reporting.store.ResultsStore`
    out_dir : where the reports go (created if missing)
    lang : ``"cs"`` (default) or ``"en"``
    formats : any of ``"html"``, ``"pdf"``, ``"docx"``
    reports : any of ``"brief"`` (policy brief), ``"technical"`` (technical report),
        ``"municipality"`` (a short brief for every municipality scope in the folder)
    scope : the scope of the brief and technical report (default: ``all`` when present, else
        the only scope); for ``"municipality"`` only that municipality
    threshold : disclosure threshold to enforce at render time; the reports state the
        larger of it and the thresholds the tables were written with (at least 5). A table
        written with a lower threshold than asked for here stops the rendering.
    engine : ``"auto"`` (Quarto when on PATH, else pandoc + Typst), ``"pandoc"`` or ``"quarto"``
    progress : show a progress bar (tqdm)
    date : date printed on the reports (default today)
    authorship : commissioning body, evaluator, authors, status, version, contact, independence
        and conflicts of interest (a mapping, or a YAML file; see
        :mod:`evaluation.reporting.authorship`); fields left out are printed as placeholders
        marked for the evaluator
    benchmarks : published figures the technical report compares the results with: None for
        the bundled ``reports/evidence/benchmarks.yaml``, a YAML file of your own, or False
        for no comparison (see :mod:`evaluation.reporting.benchmarks`)
    pilot_plan : the pilot plan of the logic model (a :class:`evaluation.process.plan.PilotPlan`
        or a YAML/JSON file); default: the plan the process strand used

    Files are named ``<report>_<lang>.<ext>`` for the main scope and
    ``<report>_<scope-slug>_<lang>.<ext>`` for other scopes (e.g. ``municipality_ostrava_cs.pdf``).
    """
    lang, formats, reports, engine = _check_arguments(lang, formats, reports, engine)
    authorship = Authorship.from_config(authorship)
    benchmarks = resolve_benchmarks(benchmarks)
    results = ResultsStore.read(results_dir)
    threshold = _check_disclosure(results, threshold)
    jobs = _plan(results, reports, scope)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    use_quarto = engine == "quarto" or (engine == "auto" and shutil.which("quarto") is not None)
    if engine == "quarto" and shutil.which("quarto") is None:
        raise RenderError("engine='quarto' was asked for but the quarto program is not on PATH")
    date = date or _dt.date.today()

    bar = _progress(len(jobs) * len(formats), progress)
    written = [out / f"{_file_stem(kind, job_scope, results, scope)}_{lang}.{fmt}"
               for kind, job_scope in jobs for fmt in formats]
    # pandoc and Typst turn one report's Markdown into files while the next report's Markdown is
    # made, and no report waits for the one before (Quarto writes its project files into the build folder: one format
    # at a time)
    converting = ThreadPoolExecutor(max_workers=1 if use_quarto else CONVERTERS, thread_name_prefix="render")
    with contextlib.ExitStack() as builds:  # each report's build folder stays until its files are written
        try:
            pending = []
            for kind, job_scope in sorted(jobs, key=lambda job: CONVERSION_ORDER.get(job[0], len(CONVERSION_ORDER))):
                name = _file_stem(kind, job_scope, results, scope)
                build_dir = Path(builds.enter_context(tempfile.TemporaryDirectory(prefix="evaluation-render-")))
                figure_paths = _stage_figures(results, job_scope, lang, build_dir)
                for fmt in sorted(formats, key=lambda f: CONVERSION_ORDER.get(f, len(CONVERSION_ORDER))):
                    bar.set_description(f"{name} {fmt}")
                    context = build_context(results, kind=kind, scope=job_scope, lang=lang, fmt=fmt,
                                            threshold=threshold, figure_paths=figure_paths[fmt], rendered=date,
                                            authorship=authorship, benchmarks=False if benchmarks is None else benchmarks,
                                            pilot_plan=pilot_plan, build_dir=build_dir)
                    pending.append(converting.submit(_convert, render_markdown(context), fmt,
                                                     out / f"{name}_{lang}.{fmt}", build_dir, kind, use_quarto,
                                                     context["provenance"]["footer"]))
            for future in pending:
                future.result()
                bar.update(1)
        finally:
            converting.shutdown(wait=True, cancel_futures=True)
            bar.close()
    return written


# --------------------------------------------------------------------------- planning and checks

#: Reports and formats in the order they are made: the brief's Markdown first (quick to make, so the
#: converters start early), and of each report the PDF first (the longest conversion).
CONVERSION_ORDER = {"brief": 0, "technical": 1, "municipality": 2, "pdf": 0, "docx": 1, "html": 2}


def _file_stem(kind: str, job_scope: str, results: StoredResults, scope: str | None) -> str:
    """``brief`` / ``technical`` for the main scope, ``<report>_<scope-slug>`` otherwise."""
    if job_scope == _main_scope(results, scope) and kind != "municipality":
        return kind
    return f"{kind}_{slug(job_scope)}"


def _check_arguments(lang: str, formats: Iterable[str], reports: Iterable[str], engine: str
                     ) -> tuple[str, tuple[str, ...], tuple[str, ...], str]:
    if lang not in LANGS:
        raise ConfigError(f"report language must be 'cs' or 'en', not {lang!r}")
    formats = tuple(dict.fromkeys([formats] if isinstance(formats, str) else formats))
    reports = tuple(dict.fromkeys([reports] if isinstance(reports, str) else reports))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ConfigError(f"report formats must be among {', '.join(FORMATS)}; got {', '.join(formats) or 'none'}")
    unknown = [r for r in reports if r not in REPORT_KINDS]
    if unknown or not reports:
        raise ConfigError(f"reports must be among {', '.join(REPORT_KINDS)}; got {', '.join(reports) or 'none'}")
    if engine not in ENGINES:
        raise ConfigError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    return lang, formats, reports, engine


def _main_scope(results: StoredResults, scope: str | None) -> str:
    if scope is not None:
        for name in results.scopes:
            if slug(name) == slug(scope):
                return name
        return scope
    names = results.scope_names()
    if not names or any(slug(n) == ALL_SCOPE for n in names):
        return next((n for n in names if slug(n) == ALL_SCOPE), ALL_SCOPE)
    return names[0]


def _plan(results: StoredResults, reports: Sequence[str], scope: str | None) -> list[tuple[str, str]]:
    main = _main_scope(results, scope)
    jobs = [(kind, main) for kind in reports if kind != "municipality"]
    if "municipality" in reports:
        municipalities = ([main] if scope is not None else
                          [n for n in results.scope_names() if slug(n) != ALL_SCOPE])
        jobs += [("municipality", name) for name in municipalities]
    return jobs


def _check_disclosure(results: StoredResults, threshold: int | None) -> int:
    """Check every stored table again; return the threshold the reports state."""
    stored = [int(t.disclosure.get("threshold", 5)) for strands in results.scopes.values()
              for s in strands.values() for t in s.tables.values()]
    stored += [int(s.meta.get("disclosure", {}).get("threshold", 5)) for strands in results.scopes.values()
               for s in strands.values()]
    # never state (or check) less than what the tables were protected with
    threshold = max(stored + [threshold or 5])
    rules = DisclosureRules(threshold=threshold)
    problems: list[str] = []
    for scope, strands in results.scopes.items():
        for strand in strands.values():
            for table in strand.tables.values():
                relations = relations_from_summary(table.disclosure) if table.disclosure else None
                public = {(int(r), str(c)) for r, c in (table.disclosure or {}).get("public_cells", [])}
                check = check_published(table.data, count_columns=table.count_columns, n_column=table.n_column,
                                        rules=rules, name=f"{scope}/{strand.strand}/{table.name}",
                                        relations=relations, public_cells=public)
                problems += check.problems
            for figure in strand.key_figures.values():
                if figure.n is not None and rules.is_small(figure.n) and not figure.suppressed:
                    problems.append(f"{scope}/{strand.strand}: key figure {figure.id!r} rests on {figure.n} "
                                    f"households, fewer than {threshold}")
                if figure.is_count and figure.value is not None and rules.is_small(figure.value):
                    problems.append(f"{scope}/{strand.strand}: key figure {figure.id!r} is the small count "
                                    f"{figure.value:g}")
    if problems:
        raise RenderError("the results folder is not safe to publish:\n  " + "\n  ".join(problems[:50]))
    return threshold


def _stage_figures(results: StoredResults, scope: str, lang: str, build_dir: Path) -> dict[str, dict]:
    """Copy the figures of one scope into the build folder; map (strand folder, name) -> path per format."""
    figures_dir = build_dir / "figures"
    figures_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, dict] = {fmt: {} for fmt in FORMATS}
    for strand in results.scopes.get(scope, {}).values():
        for name, figure in strand.figures.items():
            png = figure.path(lang, "png")
            svg = figure.path(lang, "svg")
            if png is None:
                continue
            stem = f"{strand.strand}-{name}"
            shutil.copyfile(png, figures_dir / f"{stem}.png")
            key = (strand.folder.as_posix(), name)
            paths["pdf"][key] = paths["docx"][key] = f"figures/{stem}.png"
            if svg is not None:
                shutil.copyfile(svg, figures_dir / f"{stem}.svg")
                paths["html"][key] = f"figures/{stem}.svg"
            else:
                paths["html"][key] = f"figures/{stem}.png"
    return paths


class _NoBar:
    def set_description(self, text: str) -> None:
        pass

    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, show: bool) -> Any:
    if not show:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="reports", unit="file")


# --------------------------------------------------------------------------- pandoc + typst

def _pandoc(markdown: str, to: str, args: list[str], build_dir: Path, outputfile: Path | None = None) -> str:
    import pypandoc

    # files are found through the resource path, not the working folder: pypandoc changes the
    # working folder of the whole process for that, which reports converted side by side must not do
    if not any(arg.startswith("--resource-path=") for arg in args):
        args = [*args, f"--resource-path={build_dir}"]
    try:
        return pypandoc.convert_text(markdown, to, format="markdown", extra_args=args,
                                     outputfile=str(outputfile) if outputfile else None)
    except RuntimeError as error:
        raise RenderError(f"pandoc could not convert the report to {to}: {error}") from error


def _styles() -> Path:
    return reports_dir() / "styles"


def render_html(markdown: str, target: Path, build_dir: Path, kind: str) -> None:
    """Self-contained HTML: every image and the stylesheet inlined. The title is the one ``h1``
    (sections start at ``h2``), table headers carry ``scope``, the stylesheet prints on A4."""
    args = ["--standalone", "--embed-resources", f"--css={_styles() / 'report.css'}",
            f"--resource-path={build_dir}", "--section-divs", *_shift(kind, 2)]
    if kind == "technical":
        args += ["--toc", "--toc-depth=3", "--number-sections"]
    _pandoc(markdown, "html5", args, build_dir, outputfile=target.resolve())
    target.write_text(accessible_html(target.read_text(encoding="utf-8")), encoding="utf-8")


def accessible_html(html: str) -> str:
    """Header cells say what they head: ``scope="col"`` (pandoc writes header cells only in a
    table's head row)."""
    html = re.sub(r"<th(?=[\s>])(?![^>]*\bscope=)", '<th scope="col"', html)
    return html


def render_docx(markdown: str, target: Path, build_dir: Path, kind: str) -> None:
    """Word with the reference document's A4 page, margins, styles and footer; the technical
    report with numbered headings and a table of contents (a field Word fills on opening)."""
    args = [f"--resource-path={build_dir}", *_shift(kind, 1)]
    reference = _styles() / "reference.docx"
    if reference.is_file():
        args.append(f"--reference-doc={reference}")
    if kind == "technical":
        args += ["--number-sections", "--toc", "--toc-depth=2"]
    _pandoc(markdown, "docx", args, build_dir, outputfile=target.resolve())


def typst_font_paths() -> list[str]:
    """Font folders for Typst: matplotlib's DejaVu fonts (Czech glyphs, same as the charts)."""
    import matplotlib

    return [str(Path(matplotlib.get_data_path()) / "fonts" / "ttf")]


def render_pdf(markdown: str, target: Path, build_dir: Path, kind: str) -> None:
    """Markdown -> Typst source (pandoc, report.typ template) -> PDF (typst package)."""
    import typst

    source = build_dir / f"{kind}.typ"
    _pandoc(markdown, "typst", ["--standalone", f"--template={_styles() / 'report.typ'}", *_shift(kind, 1)],
            build_dir, outputfile=source)
    try:
        typst.compile(str(source), output=str(target.resolve()), root=str(build_dir),
                      font_paths=typst_font_paths(), ignore_system_fonts=True)
    except typst.TypstError as error:
        raise RenderError(f"Typst could not compile the PDF {target.name}: {error.message} "
                          f"{getattr(error, 'diagnostic', '')}") from error


_RENDERERS = {"html": render_html, "docx": render_docx, "pdf": render_pdf}
#: Report files converted at the same time (pandoc and Typst run beside the making of the next Markdown).
CONVERTERS = 2


def _convert(markdown: str, fmt: str, target: Path, build_dir: Path, kind: str, use_quarto: bool,
             footer: Any) -> None:
    log.info("rendering %s", target)
    if use_quarto:
        _quarto(markdown, fmt, target, build_dir, kind)
    else:
        _RENDERERS[fmt](markdown, target, build_dir, kind)
    if fmt == "docx":
        finish_docx(target, footer)


# --------------------------------------------------------------------------- quarto

_QUARTO_FORMATS = {"html": "html", "docx": "docx", "pdf": "typst"}


def _quarto(markdown: str, fmt: str, target: Path, build_dir: Path, kind: str) -> None:
    """Render the same Markdown as a .qmd with the Quarto CLI."""
    header_end = markdown.index("\n---", 3)
    options = {"html": ["  html:", "    embed-resources: true", f"    css: {_styles() / 'report.css'}"],
               "docx": ["  docx:"] + ([f"    reference-doc: {_styles() / 'reference.docx'}"]
                                      if (_styles() / "reference.docx").is_file() else []),
               "pdf": ["  typst:", "    papersize: a4", "    keep-typ: false"]}[fmt]
    if kind == "technical":
        options += ["    number-sections: true", "    toc: true"]
    shift = (2 if fmt == "html" else 1) - TOP_HEADING.get(kind, 1)
    if shift:
        options.append(f"    shift-heading-level-by: {shift}")
    qmd = markdown[:header_end] + "\nformat:\n" + "\n".join(options) + markdown[header_end:]
    source = build_dir / f"{kind}-{fmt}.qmd"
    source.write_text(qmd, encoding="utf-8")
    command = ["quarto", "render", source.name, "--to", _QUARTO_FORMATS[fmt]]
    completed = subprocess.run(command, cwd=build_dir, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RenderError(f"quarto render failed for {target.name}:\n{completed.stderr[-2000:]}")
    produced = source.with_suffix({"html": ".html", "docx": ".docx", "pdf": ".pdf"}[fmt])
    if not produced.is_file():
        raise RenderError(f"quarto render did not produce {produced.name}:\n{completed.stderr[-2000:]}")
    shutil.move(str(produced), target)
