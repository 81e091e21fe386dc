"""Executing notebooks: a failure names the notebook and the cell; the first failure stops the run;
kernels talk over IPC (no ports to race for), are not interrupted at shutdown, are started again
when they fail to start, and are stopped together when the run is interrupted."""

import signal
import sys
import threading
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from evaluation.runner.execute import KERNEL_START_ATTEMPTS, NotebookJob, execute_job
from evaluation.runner.kernel import CurrentInterpreterKernelManager, KernelGroup
from evaluation.runner.run import RunSummary, execute_jobs

KERNELSPEC = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}


def notebook(path, *sources):
    cells = [new_markdown_cell("# test"), new_code_cell("value = 1", metadata={"tags": ["parameters"]})]
    cells += [new_code_cell(source) for source in sources]
    nbformat.write(new_notebook(cells=cells, metadata=KERNELSPEC), path)
    return path


def job(tmp_path, name, *sources, parameters=None, scope="all"):
    source = notebook(tmp_path / name, *sources)
    return NotebookJob("need", scope, source, tmp_path / "out" / scope / name, parameters or {"value": 2})


def last_output(outcome):
    return nbformat.read(outcome.job.output_path, as_version=4).cells[-1].outputs[0]["text"]


def test_a_notebook_runs_in_the_current_interpreter_with_its_parameters(tmp_path):
    outcome = execute_job(job(tmp_path, "ok.ipynb", "import sys\nprint(sys.executable, value)"))
    assert outcome.ok, outcome.error
    assert last_output(outcome).split() == [sys.executable, "2"]  # this interpreter; the parameter arrived


def test_a_failing_cell_is_named_with_the_notebook(tmp_path):
    outcome = execute_job(job(tmp_path, "04_impact.ipynb", "x = 1", "total = value / 0", "y = 2",
                              scope="Ostrava"))
    assert not outcome.ok and outcome.state == "failed"
    message = outcome.error
    # cell 4 of the committed notebook: markdown, parameters, "x = 1", then the failing one
    assert message.startswith("notebook 04_impact.ipynb (Ostrava) failed in cell 4")
    assert "total = value / 0" in message
    assert "ZeroDivisionError: division by zero" in message
    assert str(outcome.job.output_path) in message
    assert outcome.job.output_path.is_file()  # the executed notebook keeps the traceback


def test_the_first_failure_leaves_the_notebooks_not_started(tmp_path):
    jobs = [job(tmp_path, "a.ipynb", "raise ValueError('bad municipality code')"),
            job(tmp_path, "b.ipynb", "pass"), job(tmp_path, "c.ipynb", "pass")]
    execution = execute_jobs(jobs, workers=1, progress=False)
    assert [o.job.input_path.name for o in execution.outcomes] == ["a.ipynb"]
    assert [j.input_path.name for j in execution.not_started] == ["b.ipynb", "c.ipynb"]
    summary = RunSummary(output_dir=tmp_path, outcomes=tuple(execution.outcomes),
                         cancelled=tuple(execution.not_started))
    assert not summary.ok and summary.status == "failed"
    text = str(summary)
    assert "RUN FAILED" in text and "a.ipynb (all) failed in cell 3" in text
    assert "ValueError: bad municipality code" in text
    assert "not started because of the failure: b.ipynb (all), c.ipynb (all)" in text


def test_notebooks_run_side_by_side_in_their_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path / "..")
    here = Path.cwd()
    jobs = [job(tmp_path, f"{i}.ipynb", "import os\nprint(os.environ['OMP_NUM_THREADS'], os.getcwd())")
            for i in range(3)]
    execution = execute_jobs(jobs, workers=2, progress=False)
    assert not execution.not_started and all(o.ok for o in execution.outcomes)
    assert [o.job for o in execution.outcomes] == jobs  # reported in plan order whatever order they finished
    # each kernel is told to use one thread, since kernels already run one per core, and runs in
    # the notebook's folder, while the runner's own working folder never changes
    assert last_output(execution.outcomes[0]).split() == ["1", str(tmp_path)]
    assert Path.cwd() == here


def test_kernels_use_ipc_and_are_asked_to_shut_down_without_an_interrupt(tmp_path, monkeypatch):
    """The batch failure "Address already in use": kernels now bind no TCP ports at all. And the
    "KeyboardInterrupt caught in kernel" line at every shutdown came from the SIGINT jupyter_client
    sends before its shutdown request: no signal reaches a kernel that finished its notebook."""
    signals = []
    original = CurrentInterpreterKernelManager._async_signal_kernel

    async def record(self, signum):
        signals.append(signum)
        await original(self, signum)

    monkeypatch.setattr(CurrentInterpreterKernelManager, "_async_signal_kernel", record)
    outcome = execute_job(job(tmp_path, "ipc.ipynb", "import json\nfrom ipykernel.connect import "
                              "get_connection_info\nprint(json.loads(get_connection_info())['transport'])"),
                          kernels=KernelGroup())
    assert outcome.ok, outcome.error
    assert last_output(outcome).strip() == "ipc"
    assert signals == []


def test_a_kernel_that_does_not_start_is_started_again(tmp_path, monkeypatch, caplog):
    failures = []
    original = CurrentInterpreterKernelManager._async_launch_kernel

    async def first_launch_fails(self, kernel_cmd, **kw):
        if not failures:
            failures.append(kernel_cmd)
            kernel_cmd = [sys.executable, "-c", "raise SystemExit(1)"]  # dies before it answers
        await original(self, kernel_cmd, **kw)

    monkeypatch.setattr(CurrentInterpreterKernelManager, "_async_launch_kernel", first_launch_fails)
    with caplog.at_level("WARNING", logger="evaluation.runner.execute"):
        outcome = execute_job(job(tmp_path, "retry.ipynb", "print(value)"))
    assert outcome.ok, outcome.error
    assert outcome.attempts == 2 and len(failures) == 1
    assert "retry.ipynb (all) did not start" in caplog.text and f"attempt 2 of {KERNEL_START_ATTEMPTS}" in caplog.text


def test_stopping_the_group_interrupts_a_running_notebook(tmp_path):
    kernels = KernelGroup()
    sleeper = job(tmp_path, "sleep.ipynb", "import time\ntime.sleep(300)\nprint('slept')")

    def stop_when_running():
        while kernels.running == 0:
            time.sleep(0.1)
        time.sleep(1)
        kernels.stop()

    threading.Thread(target=stop_when_running, daemon=True).start()
    outcome = execute_job(sleeper, kernels=kernels)  # would take 300 s if the kernel were not stopped
    assert outcome.interrupted and outcome.state == "interrupted" and not outcome.ok
    assert kernels.running == 0
    assert kernels.stop(signal.SIGKILL) == 0  # nothing left to stop


def test_the_progress_bar_names_the_notebook_running_not_the_one_before(tmp_path, capsys):
    """Issue 10: the bar named the notebook that had finished; it names the ones running now."""
    jobs = [job(tmp_path, "first.ipynb", "pass"), job(tmp_path, "second.ipynb", "pass")]
    execution = execute_jobs(jobs, workers=1, progress=True)
    assert all(o.ok for o in execution.outcomes)
    frames = [f for f in capsys.readouterr().err.replace("\n", "\r").split("\r") if "notebooks:" in f]
    assert any("0/2" in f and "running: first (all)" in f for f in frames), frames
    assert any("1/2" in f and "running: second (all)" in f for f in frames), frames
    # once a notebook is done the bar never shows it as running
    assert not any(("1/2" in f or "2/2" in f) and "first (all)" in f for f in frames), frames


def test_the_longest_notebooks_start_first_as_the_earlier_run_timed_them():
    from evaluation.runner.run import longest_first

    jobs = [NotebookJob(strand, scope, Path(f"{strand}.ipynb"), Path("out") / scope / f"{strand}.ipynb", {})
            for scope in ("pooled", "Brno") for strand in ("retention", "impact", "need")]
    # without an earlier run: the strands' typical seconds, the whole-data scope first among equals
    assert [(j.strand, j.scope) for j in longest_first(jobs)] == [
        ("impact", "pooled"), ("impact", "Brno"), ("need", "pooled"), ("need", "Brno"),
        ("retention", "pooled"), ("retention", "Brno")]
    # an earlier run's seconds win over the typical ones; a job it did not time keeps its typical seconds
    earlier = {"jobs": {jobs[0].key: {"seconds": 9.0}, jobs[1].key: {"seconds": 0.2}}}
    assert [(j.strand, j.scope) for j in longest_first(jobs, earlier)][:3] == [
        ("retention", "pooled"), ("impact", "Brno"), ("need", "pooled")]
