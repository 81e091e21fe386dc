"""Run the evaluation from a configuration: check, validate the data once, execute, render.

Nothing runs until everything that can be checked up front is checked: the
configuration, every notebook's declared parameters against what the run passes,
and the data (loaded and validated once here; each notebook then loads it itself,
in its own kernel). Notebooks run in parallel, one kernel per worker, as many
workers as cores. The first failing notebook stops the run: notebooks not yet
started are cancelled, and the summary names the notebook and the failing cell.

Example
-------
>>> summary = run_config("configs/example.yaml", progress=False)   # doctest: +SKIP
>>> summary.ok                                                      # doctest: +SKIP
True
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluation.errors import NotebookError
from evaluation.runner.config import RunConfig, load_config
from evaluation.runner.execute import JobOutcome, NotebookJob, execute_job
from evaluation.runner.parameters import check_parameters
from evaluation.runner.plan import output_paths, plan_jobs, scope_slug, scopes


@dataclass(frozen=True)
class RunSummary:
    """What a run did: notebooks executed (with seconds), reports written, and the failure if any."""

    output_dir: Path
    outcomes: tuple[JobOutcome, ...]
    reports: tuple[Path, ...] = ()
    cancelled: tuple[NotebookJob, ...] = ()
    workers: int = 1
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())

    @property
    def failures(self) -> tuple[JobOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.ok)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.cancelled

    def raise_for_failure(self) -> None:
        """Raise NotebookError with the failure message(s) when a notebook failed."""
        if not self.ok:
            raise NotebookError("\n".join(o.error or "" for o in self.failures)
                                or f"{len(self.cancelled)} notebook(s) were not run")

    def __str__(self) -> str:
        done = sum(o.ok for o in self.outcomes)
        total = len(self.outcomes) + len(self.cancelled)
        lines = [(f"{'run finished' if self.ok else 'RUN FAILED'}: {done} of {total} notebook(s) executed "
                  f"in {self.seconds:.1f} s with {self.workers} worker(s); output in {self.output_dir}")]
        lines += [f"  error: {o.error}" for o in self.failures]
        if self.cancelled:
            lines.append(f"  not run because of the failure: {', '.join(j.label for j in self.cancelled)}")
        lines += [f"  note: {note}" for note in self.notes]
        if self.reports:
            lines.append("reports:")
            lines += [f"  {path}" for path in self.reports]
        return "\n".join(lines)


def available_cores() -> int:
    """Cores this process may use (respects CPU affinity, e.g. in containers and CI)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def run_config(config_path: str | Path | RunConfig, *, progress: bool = True) -> RunSummary:
    """Run the notebooks a YAML configuration names and render the reports.

    Raises ConfigError (bad configuration, notebook parameters out of step) or
    DataError (data unusable) before any notebook runs. A failing notebook does not
    raise: the summary has ``ok == False`` and names the notebook and cell.
    """
    config = config_path if isinstance(config_path, RunConfig) else load_config(config_path)
    started = time.perf_counter()
    # parameter names do not depend on the municipality: check them on the pooled plan,
    # before the data is even read
    for job in plan_jobs(config, [None]):
        check_parameters(job.input_path, job.parameters)
    run_scopes = scopes(config, pilot_municipalities(config))
    jobs = plan_jobs(config, run_scopes)
    _fresh_folders(config, run_scopes)
    workers = min(config.workers or available_cores(), len(jobs))
    outcomes, cancelled = execute_jobs(jobs, workers=workers, progress=progress,
                                       cell_timeout=config.cell_timeout)
    reports: tuple[Path, ...] = ()
    notes: list[str] = []
    if cancelled or not all(o.ok for o in outcomes):
        notes.append("nothing was published and no reports were rendered because a notebook failed")
    else:
        publication = _publish(config)
        notes.append(str(publication).splitlines()[0])
        if not config.report_formats:
            notes.append("no reports were rendered: report_formats is empty")
        else:
            reports = _render(config, run_scopes)
    return RunSummary(output_dir=config.output_dir, outcomes=tuple(outcomes), reports=reports,
                      cancelled=tuple(cancelled), workers=workers,
                      seconds=time.perf_counter() - started, notes=tuple(notes))


def pilot_municipalities(config: RunConfig) -> list[str]:
    """Load and validate the data once; the pilot municipalities it holds.

    A pilot municipality has programme households, or a pilot start in the municipality
    panel (the 16 MPSV pilots may have only panel data). Raises DataError with the
    validation report when the data cannot be used (with ``on_error: raise``, when any
    row breaks the data contract).
    """
    from evaluation.data.loader import load_folder

    dataset = load_folder(config.data_dir, on_error=config.on_error, lang=config.lang)
    households = dataset["households"]
    programme = households.loc[households["group"].astype(str).eq("programme").to_numpy()]
    pilots = set(programme["municipality"].dropna().astype(str))
    if dataset.has("municipality_panel"):
        panel = dataset["municipality_panel"]
        pilots |= set(panel.loc[panel["pilot_start_period"].notna(), "municipality"].astype(str))
    return sorted(pilots)


def execute_jobs(jobs: Sequence[NotebookJob], *, workers: int, progress: bool = True,
                 cell_timeout: float | None = None) -> tuple[list[JobOutcome], list[NotebookJob]]:
    """Execute ``jobs`` on ``workers`` threads (each job is its own kernel process).

    A job starts only when a worker is free, so the first failure stops the run: the
    jobs still running finish, the jobs not started are returned second (cancelled).
    """
    from tqdm.auto import tqdm

    queue = list(jobs)
    outcomes: list[JobOutcome] = []
    bar = tqdm(total=len(queue), desc="notebooks", unit="nb", disable=not progress)
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="notebook") as pool:
        running: set[Future] = set()
        failed = False
        while queue or running:
            while queue and not failed and len(running) < max(1, workers):
                running.add(pool.submit(execute_job, queue.pop(0), cell_timeout=cell_timeout))
            if not running:
                break
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                outcome = future.result()
                outcomes.append(outcome)
                failed = failed or not outcome.ok
                bar.update(1)
                bar.set_postfix_str(outcome.job.label, refresh=False)
    bar.close()
    order = {id(job): i for i, job in enumerate(jobs)}
    outcomes.sort(key=lambda o: order[id(o.job)])
    return outcomes, queue


def _fresh_folders(config: RunConfig, run_scopes: Sequence[str | None]) -> None:
    """Empty the results and executed-notebook folders of the scopes about to run, so that the
    reports never mix in a table left over from an earlier run."""
    paths = output_paths(config.output_dir)
    for municipality in run_scopes:
        slug = scope_slug(municipality)
        for parent in (paths.internal_results, paths.internal_notebooks):
            folder = parent / slug
            if folder.is_dir():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)


def _publish(config: RunConfig) -> Any:
    """Protect everything the run's notebooks stored, together (every scope, table, figure, key
    figure and sentence), into the published folder, with the notebooks' steps (no outputs)."""
    from evaluation.reporting.publication import publish_notebooks, publish_results

    paths = output_paths(config.output_dir)
    summary = publish_results(paths.internal_results, paths.published_results,
                              threshold=config.disclosure_threshold, langs=(config.lang,))
    if paths.published_notebooks.exists():
        shutil.rmtree(paths.published_notebooks)
    publish_notebooks(paths.internal_notebooks, paths.published_notebooks)
    shutil.copyfile(paths.published_results / "README.md", paths.published / "README.md")
    shutil.copyfile(paths.internal_results / "README.md", paths.internal / "README.md")
    return summary


def _render(config: RunConfig, run_scopes: Sequence[str | None]) -> tuple[Path, ...]:
    """Policy brief and technical report for the pooled scope, a short brief per municipality,
    from the published (protected) results."""
    from evaluation.reporting import render_reports

    paths = output_paths(config.output_dir)
    reports: list[str] = ["brief", "technical"] if None in run_scopes else []
    if any(m is not None for m in run_scopes):
        reports.append("municipality")
    rendered = render_reports(paths.published_results, paths.reports, lang=config.lang,
                              formats=config.report_formats, reports=tuple(reports),
                              threshold=config.disclosure_threshold)
    return tuple(Path(p) for p in rendered)
