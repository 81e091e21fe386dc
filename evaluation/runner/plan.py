"""Turn a run configuration into the list of notebook executions (strand x scope), and name every output path.

A *scope* is ``"pooled"`` (all municipalities together) or one municipality. Every path the
runner writes is named here (:class:`Layout`), so the layout of an output folder changes in one
place:

    <output>/run.json                                  the run record (state of every notebook)
    <output>/internal/notebooks/<scope>/04_impact.ipynb  executed notebooks (full precision: never share)
    <output>/internal/results/<scope>/<strand>/...     what the notebooks store (evaluation.reporting.store)
    <output>/published/results/<scope>/<strand>/...    the same, protected as a whole run (may be shared)
    <output>/published/notebooks/<scope>/...           the notebooks' steps without outputs (may be shared)
    <output>/published/reports/                        pooled reports, and the municipality briefs
    <output>/published/reports/dashboard.html          the contact-point dashboard (one self-contained file)
    <output>/published/reports-stale/                  reports of an earlier run while they do not
                                                       match the results (a run failed or is under way)

The pooled scope's folder is ``all``, as in the results store.

Example
-------
>>> scope_slug("Jindřichův Hradec"), scope_slug("Praha 7"), scope_slug(None)
('jindrichuv-hradec', 'praha-7', 'all')
>>> Layout(Path("out")).strand_results("Praha 7", "data")
PosixPath('out/internal/results/praha-7/data')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation.errors import ConfigError
from evaluation.runner.config import RunConfig
from evaluation.runner.execute import NotebookJob
from evaluation.runner.registry import ALL_STRANDS, COMMON_PARAMETERS, strand_parameters

#: How a configuration and the run summary name the run over all municipalities together.
POOLED = "pooled"


def scope_slug(municipality: str | None) -> str:
    """Folder name of a scope, the same as the results store uses (``all`` when pooled)."""
    from evaluation.reporting.store import ALL_SCOPE, slug

    return ALL_SCOPE if municipality is None or municipality == POOLED else slug(municipality)


@dataclass(frozen=True)
class Layout:
    """Every path the runner writes under one output folder."""

    root: Path

    @property
    def record(self) -> Path:
        return self.root / "run.json"

    @property
    def internal(self) -> Path:
        """What the notebooks computed, at full precision: never shared."""
        return self.root / "internal"

    @property
    def results(self) -> Path:
        """The internal results folder the notebooks store into."""
        return self.internal / "results"

    @property
    def notebooks(self) -> Path:
        """The executed notebooks (internal: they show the analyses at full precision)."""
        return self.internal / "notebooks"

    @property
    def published(self) -> Path:
        """What may be shared: the protected results, the reports, the notebooks' steps."""
        return self.root / "published"

    @property
    def published_results(self) -> Path:
        return self.published / "results"

    @property
    def published_notebooks(self) -> Path:
        return self.published / "notebooks"

    @property
    def reports(self) -> Path:
        return self.published / "reports"

    @property
    def dashboard(self) -> Path:
        """The contact-point dashboard, made from the published results like the reports."""
        return self.reports / "dashboard.html"

    @property
    def stale_reports(self) -> Path:
        return self.published / "reports-stale"

    def strand_results(self, municipality: str | None, store_name: str) -> Path:
        return self.results / scope_slug(municipality) / store_name

    def executed_notebook(self, municipality: str | None, notebook: str) -> Path:
        return self.notebooks / scope_slug(municipality) / notebook


def scopes(config: RunConfig, pilots: Sequence[str], with_data: Sequence[str] = ()
           ) -> tuple[list[str | None], list[str]]:
    """The municipalities to run (``None`` = pooled), pooled first, and notes for the summary.

    ``municipalities: all`` runs the ``pilots`` (programme households, or a pilot start in the
    municipality panel); a list may name any municipality with data of its own (``with_data``,
    e.g. a contact point's municipality). A listed name that is not among them is a ConfigError
    suggesting the closest; one that differs only in case or accents is taken as the data's
    spelling, with a note.
    """
    from evaluation.runner.selection import resolve_municipality

    if config.municipalities == POOLED:
        return [None], []
    notes: list[str] = []
    if config.municipalities == "all":
        chosen = sorted(pilots)
        if not chosen:
            notes.append("the data have no pilot municipality (programme households or a pilot start in the "
                         "municipality panel), so 'municipalities: all' runs only the pooled scope")
    else:
        chosen = []
        for name in config.municipalities:
            try:
                resolved, note = resolve_municipality(name, sorted({*pilots, *with_data}))
            except ConfigError as exc:
                raise ConfigError(f"{config.source}: municipalities: {exc}") from None
            chosen.append(resolved)
            notes += [note] if note else []
    slugs = [scope_slug(m) for m in chosen]
    if len(set(slugs)) < len(slugs):
        raise ConfigError(f"{config.source}: municipalities: two municipalities share the folder name "
                          f"({', '.join(sorted({s for s in slugs if slugs.count(s) > 1}))}); list each once")
    if not chosen and not config.pooled:
        raise ConfigError(f"{config.source}: municipalities: the data have no pilot municipality and pooled is "
                          "false, so there is nothing to run")
    return ([None] if config.pooled else []) + chosen, notes


def job_parameters(config: RunConfig, strand: str, municipality: str | None) -> dict[str, Any]:
    """The parameters passed to ``strand``'s notebook for one scope: exactly those it declares."""
    overrides = dict(config.parameters.get(strand, {}))
    common = sorted(set(overrides) & set(COMMON_PARAMETERS))
    if common:
        raise ConfigError(f"{config.source}: 'parameters.{strand}' sets {', '.join(common)}, which every "
                          "notebook shares; set it at the top level of the configuration instead")
    params = strand_parameters(strand)
    params.update(overrides)
    start, end = config.period if config.period else (None, None)
    params.update(
        data_dir=str(config.data_dir),
        results_dir=str(Layout(config.output_dir).results),
        municipality=municipality, programme_step=config.programme_step,
        period_start=start, period_end=end, lang=config.lang,
        disclosure_threshold=config.disclosure_threshold, seed=config.seed, on_error=config.on_error)
    return params


def plan_jobs(config: RunConfig, run_scopes: Sequence[str | None]) -> list[NotebookJob]:
    """One job per scope and strand, pooled scope first, strands in notebook order."""
    layout = Layout(config.output_dir)
    jobs = []
    for municipality in run_scopes:
        for strand in config.strands:
            spec = ALL_STRANDS[strand]
            jobs.append(NotebookJob(
                strand=strand, scope=municipality or POOLED,
                input_path=Path(config.notebooks_dir) / spec.notebook,
                output_path=layout.executed_notebook(municipality, spec.notebook),
                parameters=job_parameters(config, strand, municipality),
                results_dir=layout.strand_results(municipality, spec.store_name)))
    return jobs


def tables_with_rows(dataset: Any, config: RunConfig, municipality: str | None) -> frozenset[str]:
    """The tables that have rows in one scope (municipality, programme step and period applied)."""
    from evaluation.runner.selection import select_scope

    chosen = select_scope(dataset, municipality=municipality, programme_step=config.programme_step,
                          period=config.period)
    return frozenset(name for name, frame in chosen.dataset.tables.items() if len(frame))


def check_results_folder(folder: str | Path, *, published: bool = True) -> None:
    """Raise ConfigError unless ``folder`` holds results (``<scope>/<strand>/meta.json``), so that
    rendering never writes reports that are only their outline, nor publishing an empty folder.

    ``published`` says which folder of a run is expected: the published results (render) or the
    internal results the notebooks wrote (publish).
    """
    folder = Path(folder)
    kind = "published" if published else "internal"
    if not folder.is_dir():
        raise ConfigError(f"the results folder {folder} does not exist")
    if (folder / "meta.json").is_file() or any(folder.glob("*/*/meta.json")):
        return
    hint = ""
    for candidate in (folder / kind / "results", folder / "results"):
        if any(candidate.glob("*/*/meta.json")):
            hint = f"; did you mean {candidate}?"
            break
    raise ConfigError(f"the folder {folder} holds no results (no <scope>/<strand>/meta.json inside), so there is "
                      f"nothing to {'report' if published else 'publish'}; give the {kind} results folder a run "
                      f"writes (OUTPUT/{kind}/results){hint}")
