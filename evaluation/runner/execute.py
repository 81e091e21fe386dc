"""Execute one parameterised notebook with papermill and describe a failure in plain words.

A kernel that fails to start (the notebook never reached its first cell) is started again,
up to :data:`KERNEL_START_ATTEMPTS` times, each retry logged; a cell that fails is not
retried. When the run is being stopped (Ctrl+C), the notebook's outcome is "interrupted".

Example
-------
>>> job = NotebookJob("need", "pooled", Path("notebooks/06_need.ipynb"),
...                   Path("out/notebooks/pooled/06_need.ipynb"), {"lang": "cs"})
>>> job.label
'06_need.ipynb (pooled)'
>>> outcome = execute_job(job)          # doctest: +SKIP
>>> outcome.ok, outcome.seconds         # doctest: +SKIP
(True, 4.2)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation.runner.kernel import KERNEL_NAME, KernelGroup

log = logging.getLogger(__name__)

#: Seconds a kernel may take to start (a busy shared machine can be slow).
KERNEL_START_TIMEOUT = 120
#: Times a kernel that does not start is tried before the notebook counts as failed.
KERNEL_START_ATTEMPTS = 3


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to run for one scope (``"pooled"`` or a municipality) with its parameters;
    ``results_dir`` is the strand folder its results go to."""

    strand: str
    scope: str
    input_path: Path
    output_path: Path
    parameters: Mapping[str, Any]
    results_dir: Path | None = None

    @property
    def label(self) -> str:
        return f"{self.input_path.name} ({self.scope})"

    @property
    def key(self) -> str:
        """Stable name of the job in the run record: ``<scope folder>/<strand>``."""
        return f"{self.output_path.parent.name}/{self.strand}"


@dataclass(frozen=True)
class JobOutcome:
    job: NotebookJob
    seconds: float
    error: str | None = None
    interrupted: bool = False
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None and not self.interrupted

    @property
    def state(self) -> str:
        """``done``, ``failed`` or ``interrupted`` (the run record's words)."""
        return "interrupted" if self.interrupted else "done" if self.ok else "failed"


def execute_job(job: NotebookJob, *, cell_timeout: float | None = None,
                kernels: KernelGroup | None = None) -> JobOutcome:
    """Run ``job`` and save the executed notebook (also when it fails, with the traceback in it)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    kernels = kernels or KernelGroup()
    job.output_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    attempt = 0
    while True:
        attempt += 1
        try:
            # The kernel starts in the notebook's folder (nbclient's resources path). Not papermill's
            # cwd=, which changes the working folder of this whole process while the notebook runs:
            # with notebooks running side by side in threads the folder flips under every thread.
            papermill.execute_notebook(
                str(job.input_path), str(job.output_path), parameters=dict(job.parameters),
                kernel_name=KERNEL_NAME, progress_bar=False,
                resources={"metadata": {"path": str(job.input_path.parent)}},
                start_timeout=KERNEL_START_TIMEOUT, execution_timeout=cell_timeout,
                kernel_manager_class=kernels.manager_class)
        except PapermillExecutionError as exc:
            if kernels.stopping.is_set():
                return JobOutcome(job, time.perf_counter() - started, interrupted=True, attempts=attempt)
            return JobOutcome(job, time.perf_counter() - started, _describe_cell_failure(job, exc),
                              attempts=attempt)
        except Exception as exc:  # noqa: BLE001 - kernel died, timed out, could not start: a failure of this notebook
            if kernels.stopping.is_set():
                return JobOutcome(job, time.perf_counter() - started, interrupted=True, attempts=attempt)
            message = f"{type(exc).__name__}: {exc}".strip()
            if attempt < KERNEL_START_ATTEMPTS and not _cells_started(job.output_path):
                log.warning("the kernel for %s did not start (%s); starting it again (attempt %d of %d)",
                            job.label, message, attempt + 1, KERNEL_START_ATTEMPTS)
                continue
            tries = f" (the kernel was started {attempt} times)" if attempt > 1 else ""
            return JobOutcome(job, time.perf_counter() - started,
                              f"notebook {job.label} could not be run{tries}: {message}", attempts=attempt)
        return JobOutcome(job, time.perf_counter() - started, attempts=attempt)


def _cells_started(executed: Path) -> bool:
    """Whether papermill began any cell of the executed notebook (it records each cell's start)."""
    import nbformat

    try:
        cells = nbformat.read(executed, as_version=4).cells
    except Exception:  # noqa: BLE001 - no readable notebook: nothing ran
        return False
    return any(cell.get("metadata", {}).get("papermill", {}).get("start_time") for cell in cells)


def _describe_cell_failure(job: NotebookJob, exc: Any) -> str:
    """Name the notebook, the cell (number in the notebook as committed, first line) and the error."""
    cell_number = _source_cell_number(job.input_path, exc.source)
    first_line = next((line.strip() for line in exc.source.splitlines() if line.strip()), "")
    where = f"cell {cell_number}" if cell_number else f"cell {exc.cell_index + 1} of the executed notebook"
    return (f"notebook {job.label} failed in {where} (In [{exc.exec_count}]: {first_line!s:.80}): "
            f"{exc.ename}: {exc.evalue}\n  the executed notebook with the full traceback is {job.output_path}")


def _source_cell_number(notebook: Path, source: str) -> int | None:
    """1-based position of the cell with this source in the committed notebook (papermill's
    index counts the injected-parameters cell, which the committed notebook does not have)."""
    import nbformat

    try:
        cells = nbformat.read(notebook, as_version=4).cells
    except Exception:  # noqa: BLE001 - only to locate the cell for the message; the message falls back
        return None
    for number, cell in enumerate(cells, start=1):
        if cell.cell_type == "code" and cell.source.strip() == source.strip():
            return number
    return None
