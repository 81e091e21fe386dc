"""Executing notebooks: a failure names the notebook and the cell; the first failure stops the run."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from evaluation.runner.execute import NotebookJob, execute_job
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


def test_a_notebook_runs_in_the_current_interpreter_with_its_parameters(tmp_path):
    import sys

    outcome = execute_job(job(tmp_path, "ok.ipynb", "import sys\nprint(sys.executable, value)"))
    assert outcome.ok, outcome.error
    executed = nbformat.read(outcome.job.output_path, as_version=4)
    text = executed.cells[-1].outputs[0]["text"]
    assert text.split() == [sys.executable, "2"]  # the kernel is this interpreter; the parameter arrived


def test_a_failing_cell_is_named_with_the_notebook(tmp_path):
    outcome = execute_job(job(tmp_path, "04_impact.ipynb", "x = 1", "total = value / 0", "y = 2",
                              scope="Ostrava"))
    assert not outcome.ok
    message = outcome.error
    # cell 4 of the committed notebook: markdown, parameters, "x = 1", then the failing one
    assert message.startswith("notebook 04_impact.ipynb (Ostrava) failed in cell 4")
    assert "total = value / 0" in message
    assert "ZeroDivisionError: division by zero" in message
    assert str(outcome.job.output_path) in message
    assert outcome.job.output_path.is_file()  # the executed notebook keeps the traceback


def test_the_first_failure_cancels_the_notebooks_not_started(tmp_path):
    jobs = [job(tmp_path, "a.ipynb", "raise ValueError('bad municipality code')"),
            job(tmp_path, "b.ipynb", "pass"), job(tmp_path, "c.ipynb", "pass")]
    outcomes, cancelled = execute_jobs(jobs, workers=1, progress=False)
    assert [o.job.input_path.name for o in outcomes] == ["a.ipynb"]
    assert [j.input_path.name for j in cancelled] == ["b.ipynb", "c.ipynb"]
    summary = RunSummary(output_dir=tmp_path, outcomes=tuple(outcomes), cancelled=tuple(cancelled))
    assert not summary.ok
    text = str(summary)
    assert "RUN FAILED" in text and "a.ipynb (all) failed in cell 3" in text
    assert "ValueError: bad municipality code" in text
    assert "not run because of the failure: b.ipynb (all), c.ipynb (all)" in text


def test_notebooks_run_side_by_side(tmp_path):
    jobs = [job(tmp_path, f"{i}.ipynb", "import os\nprint(os.environ['OMP_NUM_THREADS'])") for i in range(3)]
    outcomes, cancelled = execute_jobs(jobs, workers=2, progress=False)
    assert not cancelled and all(o.ok for o in outcomes)
    assert [o.job for o in outcomes] == jobs  # reported in plan order whatever order they finished
    # each kernel is told to use one thread, since kernels already run one per core
    assert nbformat.read(jobs[0].output_path, as_version=4).cells[-1].outputs[0]["text"].strip() == "1"
