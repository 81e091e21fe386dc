"""Run the evaluation from a configuration: check, validate the data once, execute, render.

Nothing runs until everything that can be checked up front is checked: the configuration
(every key and value against its declared rule), every notebook's declared parameters
against what the run passes, and the data (loaded and validated once here; each notebook
then loads it itself, in its own kernel). Then, for every scope and strand:

* a strand whose tables have no rows in the scope (see ``Strand.needs`` in the registry) is
  not run: its results folder holds a ``limitation_<strand>_1`` text saying why, in Czech
  and English, which the technical report prints;
* a notebook that is up to date (done in an earlier run with the same data, parameters,
  notebook, package code and version, its results still there) is kept, unless ``force``;
* every other notebook runs, in parallel, one kernel per worker. The first failure stops
  the run: notebooks not yet started are left pending, and the summary names the notebook
  and the failing cell. Ctrl+C stops every running kernel at once and marks the run
  interrupted.

``<output>/run.json`` (:mod:`evaluation.runner.record`) records every notebook's state as
the run goes, so ``evaluation run CONFIG --resume`` continues where a failed or interrupted
run stopped. Reports are rendered only when every notebook is done; until then the reports
of an earlier run are moved aside (``reports-stale/``), so no report in ``reports/`` ever
disagrees with the results.

Example
-------
>>> summary = run_config("configs/example.yaml", progress=False)   # doctest: +SKIP
>>> summary.ok                                                      # doctest: +SKIP
True
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from evaluation.errors import ConfigError, NotebookError
from evaluation.forked import available_cores
from evaluation.runner.config import RunConfig, load_config
from evaluation.runner.datacache import run_cache
from evaluation.runner.execute import JobOutcome, NotebookJob
from evaluation.runner.executors import (Executor, LocalExecutor, StartingExecutor, start_executor,
                                         warm_kernels_wanted)
from evaluation.runner.kernel import KernelGroup
from evaluation.runner.parameters import check_parameters
from evaluation.runner.plan import Layout, plan_jobs, scopes, tables_with_rows
from evaluation.runner.record import RunRecord, file_fingerprint, package_fingerprint, up_to_date
from evaluation.runner.registry import ALL_STRANDS

Say = Callable[[str], None]


@dataclass(frozen=True)
class RunSummary:
    """What a run did: notebooks executed now (with seconds), kept from an earlier run, not
    possible on the data, not started; reports written; the failure or interruption if any."""

    output_dir: Path
    outcomes: tuple[JobOutcome, ...]
    reports: tuple[Path, ...] = ()
    cancelled: tuple[NotebookJob, ...] = ()
    workers: int = 1
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())
    up_to_date: tuple[NotebookJob, ...] = ()
    skipped: tuple[tuple[NotebookJob, str], ...] = ()
    resume_command: str = ""
    stale_reports: Path | None = None
    stopped: bool = False  # interrupted outside a notebook (while rendering the reports)

    @property
    def failures(self) -> tuple[JobOutcome, ...]:
        return tuple(o for o in self.outcomes if o.error is not None and not o.interrupted)

    @property
    def interrupted(self) -> tuple[JobOutcome, ...]:
        return tuple(o for o in self.outcomes if o.interrupted)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.cancelled and not self.interrupted and not self.stopped

    @property
    def status(self) -> str:
        return "finished" if self.ok else "interrupted" if self.interrupted or self.stopped else "failed"

    def raise_for_failure(self) -> None:
        """Raise NotebookError with the failure message(s) when a notebook failed or the run stopped."""
        if not self.ok:
            raise NotebookError("\n".join(o.error or "" for o in self.failures)
                                or f"the run was {self.status}; {len(self.cancelled)} notebook(s) were not run")

    def __str__(self) -> str:
        headline = {"finished": "run finished", "failed": "RUN FAILED", "interrupted": "RUN INTERRUPTED"}[self.status]
        counts = [f"{sum(o.ok for o in self.outcomes)} notebook(s) run"]
        for number, words in ((len(self.failures), "failed"), (len(self.interrupted), "interrupted"),
                              (len(self.cancelled), "not started"),
                              (len(self.up_to_date), "up to date (kept from an earlier run)"),
                              (len(self.skipped), "not possible on the data")):
            if number:
                counts.append(f"{number} {words}")
        lines = [f"{headline} in {self.seconds:.1f} s with {self.workers} worker(s): {', '.join(counts)}; "
                 f"output in {self.output_dir}"]
        lines += [f"  error: {o.error}" for o in self.failures]
        if self.interrupted:
            lines.append(f"  interrupted (stopped while running): {', '.join(o.job.label for o in self.interrupted)}")
        if self.cancelled:
            why = "because of the failure" if self.failures else "because the run was interrupted"
            lines.append(f"  not started {why}: {_listing([j.label for j in self.cancelled])}")
        lines += [f"  not run, {line}" for line in _skipped_lines(self.skipped)]
        lines += [f"  note: {note}" for note in self.notes]
        if self.stale_reports is not None and not self.reports:
            lines.append(f"  the reports of an earlier run are in {self.stale_reports}; they do not match "
                         "these results")
        if not self.ok and self.resume_command:
            lines.append(f"  to continue where the run stopped: {self.resume_command}")
        if self.reports:
            lines.append("reports:")
            lines += [f"  {path}" for path in self.reports]
        return "\n".join(lines)


def _listing(labels: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


def _skipped_lines(skipped: Sequence[tuple[NotebookJob, str]]) -> list[str]:
    """One line per notebook and reason: the scopes whose data it cannot run on."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for job, reason in skipped:
        grouped.setdefault((job.input_path.name, reason), []).append(job.scope)
    return [f"{notebook} in {_listing(scopes_)}: {reason}" for (notebook, reason), scopes_ in grouped.items()]


def run_config(config_path: str | Path | RunConfig, *, progress: bool = True, resume: bool = False,
               force: bool = False, key: bytes | None = None, say: Say | None = None,
               starting: StartingExecutor | None = None) -> RunSummary:
    """Run the notebooks a YAML configuration names and render the reports.

    ``resume`` continues a run that failed or was interrupted (an error when the output
    folder has no run record); ``force`` runs every notebook again, even those up to date.
    ``key`` is the pseudonymisation key for identifier columns (passed to the kernels in
    their environment, written nowhere). ``say`` receives one line per phase ("validating
    data…", "rendering reports…"). ``starting`` is the run's executor when the caller started
    it earlier (the demo, while it generates the data); the run closes it.

    Raises ConfigError (bad configuration, notebook parameters out of step) or DataError
    (data unusable) before any notebook runs. A failing or interrupted notebook does not
    raise: the summary has ``ok == False`` and says what happened and how to continue.
    """
    try:
        config, layout, earlier = _prepare(config_path, resume=resume, force=force)
    except BaseException:
        if starting is not None:  # (a caller's executor is the run's to close, whatever happens)
            starting.close()
        raise
    say = say or _silent
    started = time.perf_counter()
    # the executor starts while the data are validated: a kernel template imports the toolkit, a
    # Dask cluster comes up (the workers never get the key: their kernels read the cached data)
    starting = starting or start_executor(config, workers=config.workers or available_cores(),
                                          env=_kernel_env(key) if config.executor == "local" else {})
    try:
        dataset, caught = _validate(config, key, say)
        from evaluation.runner.selection import municipalities_with_data, pilot_municipalities

        run_scopes, notes = scopes(config, pilot_municipalities(dataset), municipalities_with_data(dataset))
        jobs = plan_jobs(config, run_scopes)
        scope_tables = {m: tables_with_rows(dataset, config, m) for m in run_scopes}
        record = RunRecord(layout.record, config=config.source, data_fingerprint=dataset.fingerprint,
                           package_version=_version())
        to_run, kept, skipped = _triage(jobs, scope_tables, dataset, record, earlier, force=force)
        to_run = longest_first(to_run, earlier)
        removed = _remove_unplanned(layout, jobs)
        if removed:
            notes.append(f"removed results no longer in the configuration: {_listing(removed)}")
        stale = _set_reports_aside(layout)
        record.data.update(scopes=[m or "pooled" for m in run_scopes], notes=list(notes))
        record.write()
        for job, reason in skipped:
            _write_not_possible(job, reason, dataset, config)
        workers = max(1, min(config.workers or available_cores(), len(to_run) or 1))
        importing: threading.Thread | None = None
        if to_run:
            executor = starting.get()
            executor.slots = min(executor.slots, len(to_run))
            workers = executor.slots
            with run_cache(dataset, data_dir=config.data_dir, on_error=config.on_error, caught=caught,
                           parent=executor.cache_parent) as cache:
                executor.use_data(cache)
                importing = _import_in_background(LATER_PHASE_MODULES)  # this process waits while notebooks run
                execution = execute_jobs(to_run, workers=workers, progress=progress, cell_timeout=config.cell_timeout,
                                         executor=executor, say=say, on_start=lambda job: _started(record, job),
                                         on_finish=lambda outcome: _finished(record, outcome))
            if executor.description:
                notes.append(f"the notebooks ran on {executor.description} ({workers} at a time)")
        else:
            execution = Execution([], [])
    finally:
        starting.close()
    summary = RunSummary(output_dir=config.output_dir, outcomes=tuple(execution.outcomes),
                         cancelled=tuple(execution.not_started), workers=workers,
                         up_to_date=tuple(kept), skipped=tuple((j, r.en) for j, r in skipped),
                         resume_command=_resume_command(config), stale_reports=stale, notes=tuple(notes))
    reports: tuple[Path, ...] = ()
    if not summary.ok:
        notes.append("nothing was published and no reports were rendered because "
                     + ("the run was interrupted" if summary.interrupted else "a notebook failed"))
    else:
        try:
            if importing is not None:  # (publication forks: no import may be half done in another thread)
                importing.join()
            notes.append(_publish_phase(config, layout, say))
            if not config.report_formats:
                notes.append("no reports were rendered: report_formats is empty")
            else:
                reports = _render_phase(config, run_scopes, layout, say)
            if config.dashboard:
                reports += _dashboard_phase(config, layout, say)
        except KeyboardInterrupt:
            notes.append("interrupted while rendering the reports; every notebook is done, so "
                         f"`{_resume_command(config)}` renders them")
            record.finish("interrupted", notes=notes)
            return replace(summary, notes=tuple(notes), stopped=True, seconds=time.perf_counter() - started)
    record.finish(summary.status, notes=notes, reports=[str(p) for p in reports])
    return replace(summary, notes=tuple(notes), reports=reports, seconds=time.perf_counter() - started)


def _prepare(config_path: str | Path | RunConfig, *, resume: bool, force: bool
             ) -> tuple[RunConfig, Layout, RunRecord | None]:
    """The configuration, the output layout and the earlier run's record, checked before any data
    is read: the options, --resume against --force and an earlier run, the notebooks' parameters."""
    config = config_path if isinstance(config_path, RunConfig) else load_config(config_path)
    layout = Layout(config.output_dir)
    if resume and force:
        raise ConfigError("--resume keeps the notebooks that are done and --force runs them all again; "
                          "give one of them")
    earlier = RunRecord.load(layout.record)
    if resume and earlier is None:
        raise ConfigError(f"nothing to resume: {layout.record} does not exist (or is unreadable); "
                          "run without --resume to start the run")
    # parameter names do not depend on the municipality: check them on the pooled plan,
    # before the data is even read
    for job in plan_jobs(config, [None]):
        check_parameters(job.input_path, job.parameters)
    return config, layout, earlier


def _silent(text: str) -> None:
    return None


#: What the publication and rendering phases import: the disclosure audit, matplotlib for the
#: published figures (pyplot only once the backend is chosen), the report assembly with the
#: process strand's plan, pandoc and Typst.
LATER_PHASE_MODULES = ("evaluation.reporting.publication", "evaluation.reporting.render", "evaluation.process",
                       "matplotlib", "pypandoc", "typst")


def _import_in_background(modules: Sequence[str]) -> threading.Thread:
    """Import ``modules`` in a daemon thread (a module that cannot be imported is left to the
    phase that needs it, which then says why)."""
    import importlib

    def run() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - importing ahead only; the phase meets the error itself
                logging.getLogger(__name__).debug("could not import %s ahead", name, exc_info=True)

    thread = threading.Thread(target=run, name="import-ahead", daemon=True)
    thread.start()
    return thread


def _version() -> str:
    from evaluation import __version__

    return __version__


def _kernel_env(key: bytes | None, data_fingerprint: str = "") -> dict[str, str]:
    from evaluation.runner.session import DATA_FINGERPRINT_ENV, KEY_ENV, KEY_ENV_HEX

    # the kernels see the key only in their environment, hex-encoded (a key file may hold any bytes);
    # a text key the runner's own environment holds must not shadow it. Each kernel loads the data
    # itself (from a database too): the fingerprint validated here lets it refuse data changed since.
    env = {KEY_ENV_HEX: key.hex(), KEY_ENV: ""} if key else {}
    return {**env, DATA_FINGERPRINT_ENV: data_fingerprint} if data_fingerprint else env


def _resume_command(config: RunConfig) -> str:
    source = config.source if config.source and Path(config.source).is_file() else "CONFIG"
    return f"evaluation run {source} --resume"


def _validate(config: RunConfig, key: bytes | None, say: Say) -> tuple[Any, list[warnings.WarningMessage]]:
    """Load and validate the data once (raises DataError with the validation report); return the
    data and the warnings loading gave (shown here, and again by each notebook that reads the data)."""
    from evaluation.data.loader import load_source

    say(f"validating data in {config.data_dir} …")
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dataset = load_source(config.data_dir, on_error=config.on_error, lang=config.lang, pseudonymise_key=key)
    for warning in caught:
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    rows = sum(len(frame) for frame in dataset.tables.values())
    say(f"data usable: {len(dataset.tables)} table(s), {rows:,} rows ({time.perf_counter() - started:.1f} s)")
    return dataset, caught


def _triage(jobs: Sequence[NotebookJob], scope_tables: dict[str | None, frozenset[str]], dataset: Any,
            record: RunRecord, earlier: dict[str, Any] | None, *, force: bool
            ) -> tuple[list[NotebookJob], list[NotebookJob], list[tuple[NotebookJob, Any]]]:
    """Enter every job in the record; return the jobs to run, those up to date, those not possible."""
    from evaluation.runner.strands._common import no_rows_in_any

    to_run, kept, skipped = [], [], []
    earlier_jobs = (earlier or {}).get("jobs", {})
    package = package_fingerprint()
    for job in jobs:
        strand = ALL_STRANDS[job.strand]
        inputs = {"data_fingerprint": dataset.fingerprint, "parameters": dict(job.parameters),
                  "package_version": _version(),
                  "code_fingerprint": {"notebook": file_fingerprint(job.input_path), "package": package}}
        entry = {"strand": job.strand, "scope": job.scope, "notebook": job.input_path.name,
                 "executed_notebook": str(job.output_path), "results": str(job.results_dir)}
        missing = strand.missing_tables(scope_tables[None if job.scope == "pooled" else job.scope])
        if missing:
            reason = no_rows_in_any(missing)
            record.add(job.key, entry, inputs=inputs, state="skipped", reason=reason.en)
            skipped.append((job, reason))
        elif not force and up_to_date(earlier_jobs.get(job.key), inputs, job.output_path,
                                      Path(job.results_dir or "") / "meta.json"):
            record.add(job.key, entry, inputs=inputs)
            record.keep(job.key, earlier_jobs[job.key])
            kept.append(job)
        else:
            record.add(job.key, entry, inputs=inputs)
            to_run.append(job)
    return to_run, kept, skipped


def longest_first(jobs: Sequence[NotebookJob], earlier: Mapping[str, Any] | None = None) -> list[NotebookJob]:
    """``jobs`` in the order they start: the longest first, as the earlier run timed them or else as
    the strand's notebook typically takes (the whole-data scope before the municipalities), so that
    the workers finish together instead of one running a long notebook started last.

    Example
    -------
    >>> from pathlib import Path
    >>> jobs = [NotebookJob(s, "pooled", Path(f"{s}.ipynb"), Path("out"), {}) for s in ("retention", "impact", "need")]
    >>> [job.strand for job in longest_first(jobs)]
    ['impact', 'need', 'retention']
    """
    timed = {key: entry.get("seconds") for key, entry in ((earlier or {}).get("jobs") or {}).items()}

    def expected(job: NotebookJob) -> tuple[float, bool]:
        seconds = timed.get(job.key)
        if isinstance(seconds, (int, float)) and seconds > 0:
            return float(seconds), job.scope == "pooled"
        return ALL_STRANDS[job.strand].typical_seconds, job.scope == "pooled"

    return sorted(jobs, key=expected, reverse=True)


def _remove_unplanned(layout: Layout, jobs: Sequence[NotebookJob]) -> list[str]:
    """Remove results and executed notebooks of the toolkit's strands that this configuration does
    not plan (a strand or municipality dropped from it), so the reports show only this run.
    Folders the toolkit does not write (e.g. an evaluator's own texts) are left alone."""
    planned = {Path(j.results_dir) for j in jobs if j.results_dir} | {j.output_path for j in jobs}
    store_names = {s.store_name for s in ALL_STRANDS.values()}
    notebooks = {s.notebook for s in ALL_STRANDS.values()}
    removed = []
    for folder in sorted(layout.results.glob("*/*")):
        if folder.is_dir() and folder.name in store_names and folder not in planned:
            shutil.rmtree(folder)
            removed.append(f"{folder.parent.name}/{folder.name}")
    for path in sorted(layout.notebooks.glob("*/*.ipynb")):
        if path.name in notebooks and path not in planned:
            path.unlink()
    for scope_folder in [*layout.results.glob("*"), *layout.notebooks.glob("*")]:
        if scope_folder.is_dir() and not any(scope_folder.iterdir()):
            scope_folder.rmdir()
    return removed


STALE_NOTE = (
    "Tyto zprávy pocházejí z dřívějšího běhu (viz run.json) a neodpovídají aktuálním výsledkům: "
    "běh, který je měl nahradit, neskončil nebo selhal. Nové zprávy budou ve složce reports/.\n"
    "These reports come from an earlier run (see run.json) and do not match the current results: the "
    "run that was to replace them did not finish or failed. New reports will be in the reports/ folder.\n")


def _set_reports_aside(layout: Layout) -> Path | None:
    """Move the reports of an earlier run to ``reports-stale/`` with a note saying why; return
    where stale reports are (None when there are none)."""
    if layout.reports.is_dir() and any(layout.reports.iterdir()):
        if layout.stale_reports.exists():
            shutil.rmtree(layout.stale_reports)
        layout.reports.rename(layout.stale_reports)
        (layout.stale_reports / "STALE.txt").write_text(STALE_NOTE, encoding="utf-8")
    return layout.stale_reports if layout.stale_reports.is_dir() else None


def _write_not_possible(job: NotebookJob, reason: Any, dataset: Any, config: RunConfig) -> None:
    """The strand folder of a strand the scope's data cannot support: a limitation text and meta.json."""
    from evaluation.reporting.store import ALL_SCOPE, ResultsStore
    from evaluation.runner.strands._common import limitation_texts

    strand = ALL_STRANDS[job.strand]
    if job.results_dir is not None and Path(job.results_dir).exists():
        shutil.rmtree(job.results_dir)
    job.output_path.unlink(missing_ok=True)
    store = ResultsStore(Layout(config.output_dir).results, strand=strand.store_name,
                         scope=ALL_SCOPE if job.scope == "pooled" else job.scope,
                         threshold=config.disclosure_threshold)
    store.add_text(f"limitation_{job.strand}_1", *limitation_texts((strand.title_cs, strand.title_en), reason))
    parameters = {k: v for k, v in job.parameters.items() if k not in ("data_dir", "results_dir")}
    store.write_meta(dataset=dataset, parameters=parameters, notebook=strand.notebook, not_run=reason.en)


def _started(record: RunRecord, job: NotebookJob) -> None:
    from evaluation.runner.record import now

    record.set(job.key, state="running", started=now())


def _finished(record: RunRecord, outcome: JobOutcome) -> None:
    from evaluation.runner.record import now

    record.set(outcome.job.key, state=outcome.state, seconds=round(outcome.seconds, 1), finished=now(),
               attempts=outcome.attempts, error=outcome.error)


@dataclass(frozen=True)
class Execution:
    """Outcomes in plan order (done, failed or interrupted) and the jobs never started."""

    outcomes: list[JobOutcome]
    not_started: list[NotebookJob]

    @property
    def interrupted(self) -> bool:
        return any(o.interrupted for o in self.outcomes)


def execute_jobs(jobs: Sequence[NotebookJob], *, workers: int, progress: bool = True,
                 cell_timeout: float | None = None, kernels: KernelGroup | None = None, say: Say | None = None,
                 on_start: Callable[[NotebookJob], None] | None = None,
                 on_finish: Callable[[JobOutcome], None] | None = None,
                 executor: Executor | None = None) -> Execution:
    """Execute ``jobs``, ``workers`` at a time, on ``executor`` (default: threads of this process,
    kernels of the group ``kernels``, or forked from a warm template when no group is given).

    A job starts only when a worker is free, so the first failure stops the run: the jobs
    still running finish, the jobs not started are returned as such. Ctrl+C (KeyboardInterrupt)
    stops every running kernel at once; their jobs come back interrupted.
    """
    from tqdm.auto import tqdm

    own = executor is None
    if executor is None:
        executor = LocalExecutor(workers, kernels=kernels, warm=warm_kernels_wanted())
    slots = max(1, min(workers, executor.slots))
    say = say or _silent
    queue = list(jobs)
    outcomes: list[JobOutcome] = []
    bar = tqdm(total=len(queue), desc="notebooks", unit="nb", disable=not progress)
    running: dict[Future, NotebookJob] = {}

    def show_running(refresh: bool = True) -> None:
        labels = [f"{j.input_path.stem} ({j.scope})" for j in running.values()]
        more = f" +{len(labels) - 2}" if len(labels) > 2 else ""
        bar.set_postfix_str(f"running: {', '.join(labels[:2])}{more}" if labels else "", refresh=refresh)

    def collect(done: set[Future], *, interrupted: bool = False) -> bool:
        finished = []
        for future in done:
            job = running.pop(future)
            outcome = replace(future.result(), job=job)  # a Dask worker sends back a copy of the job
            if interrupted and not outcome.ok:
                outcome = JobOutcome(job, outcome.seconds, interrupted=True, attempts=outcome.attempts)
            finished.append(outcome)
            (on_finish or _silent)(outcome)
            if not progress:
                say(f"  {outcome.state}: {job.label} ({outcome.seconds:.1f} s)")
        outcomes.extend(finished)
        show_running(refresh=False)
        bar.update(len(finished))
        return not all(o.ok for o in finished)

    try:
        failed = False
        while queue or running:
            while queue and not failed and len(running) < slots:
                job = queue.pop(0)
                (on_start or _silent)(job)
                running[executor.submit(job, cell_timeout=cell_timeout)] = job
                show_running()
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            failed = collect(done) or failed
    except KeyboardInterrupt:
        bar.clear()
        say(f"interrupted: stopping {len(running)} running notebook(s) …")
        # nbclient logs "Kernel died" at ERROR for every kernel stopped here, which is the point
        papermill_log = logging.getLogger("papermill")
        level = papermill_log.level
        papermill_log.setLevel(logging.CRITICAL)
        try:
            executor.stop()
            _wait_stopped(running, executor, collect)
        finally:
            papermill_log.setLevel(level)
    finally:
        if own:
            executor.close()
    bar.close()
    order = {id(job): i for i, job in enumerate(jobs)}
    outcomes.sort(key=lambda o: order[id(o.job)])
    return Execution(outcomes, queue)


def _wait_stopped(running: dict[Future, NotebookJob], executor: Executor,
                  collect: Callable[..., bool]) -> None:
    """Wait for the stopped notebooks to come back; a second Ctrl+C kills their kernels outright."""
    import signal

    while running:
        try:
            done, _ = wait(running, timeout=10)
        except KeyboardInterrupt:
            executor.stop(signal.SIGKILL)
            continue
        if not done:
            executor.stop(signal.SIGKILL)
        collect(done, interrupted=True)


def _publish_phase(config: RunConfig, layout: Layout, say: Say) -> str:
    """Protect everything the run's notebooks stored, together (every scope, table, figure, key
    figure and sentence), into the published folder, with the notebooks' steps (no outputs) and
    the notes saying which folder may be shared; return the summary line."""
    from evaluation.reporting.publication import publish_notebooks, publish_results

    say("protecting the results for publication …")
    started = time.perf_counter()
    summary = publish_results(layout.results, layout.published_results, threshold=config.disclosure_threshold,
                              langs=(config.lang,))
    if layout.published_notebooks.exists():
        shutil.rmtree(layout.published_notebooks)
    publish_notebooks(layout.notebooks, layout.published_notebooks)
    shutil.copyfile(layout.published_results / "README.md", layout.published / "README.md")
    shutil.copyfile(layout.results / "README.md", layout.internal / "README.md")
    line = str(summary).splitlines()[0]
    say(f"{line} ({time.perf_counter() - started:.1f} s)")
    return line


def _render_phase(config: RunConfig, run_scopes: Sequence[str | None], layout: Layout, say: Say) -> tuple[Path, ...]:
    say(f"rendering reports ({', '.join(config.report_formats)}) …")
    started = time.perf_counter()
    reports = _render(config, run_scopes)
    if layout.stale_reports.exists():
        shutil.rmtree(layout.stale_reports)
    say(f"rendered {len(reports)} report file(s) ({time.perf_counter() - started:.1f} s)")
    return reports


def _dashboard_phase(config: RunConfig, layout: Layout, say: Say) -> tuple[Path, ...]:
    """The contact-point dashboard from the published results, when the run has contact-point results."""
    from evaluation.reporting.dashboard import write_run_dashboard

    path = write_run_dashboard(layout.published_results, layout.dashboard, lang=config.lang)
    if path is not None:
        say(f"wrote the contact-point dashboard {path}")
    return (path,) if path is not None else ()


def _render(config: RunConfig, run_scopes: Sequence[str | None]) -> tuple[Path, ...]:
    """Policy brief and technical report for the pooled scope, a short brief per municipality, from
    the published (protected) results only."""
    from evaluation.reporting import render_reports

    layout = Layout(config.output_dir)
    reports: list[str] = ["brief", "technical"] if None in run_scopes else []
    if any(m is not None for m in run_scopes):
        reports.append("municipality")
    paths = render_reports(layout.published_results, layout.reports, lang=config.lang, formats=config.report_formats,
                           reports=tuple(reports), threshold=config.disclosure_threshold)
    return tuple(Path(p) for p in paths)
