"""Warm kernels and the run's data cache: every notebook's kernel is a fork of one template process
that imported the toolkit and loaded the run's data once, yet no notebook sees what another did;
the notebooks of a run read the data the runner validated instead of the data folder; a notebook
run by hand reads its folder as before."""

import json
import os
import signal
import sys
import threading
import time
import warnings

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from evaluation.runner.config import parse_config
from evaluation.runner.datacache import RUN_CACHE_ENV, cached_data, read_cache, run_cache, write_cache
from evaluation.runner.execute import NotebookJob, execute_job
from evaluation.runner.executors import LocalExecutor
from evaluation.runner.kernel import KernelGroup
from evaluation.runner.pool import KernelTemplate, fork_available
from evaluation.runner.run import execute_jobs, run_config
from tests.runner.conftest import read_record

pytestmark = pytest.mark.skipif(not fork_available(), reason="kernels are forked only where os.fork exists")

KERNELSPEC = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}

#: The first cell after the parameters: what the kernel holds before the notebook imports anything.
REPORT = """
import json, os, sys
report = {"parent": os.getppid(), "pid": os.getpid(), "pandas_loaded": "pandas" in sys.modules,
          "value": value, "cwd": os.getcwd()}
"""
#: What a careless notebook does to its kernel: a global, patched functions (the package's, a
#: library's class), an environment variable, a matplotlib setting, the working folder.
MESS = """
leftover = "from the first notebook"
import evaluation.runner.session as session_module
session_module.open_session = lambda *a, **k: "patched"
import pandas
pandas.DataFrame.describe = lambda self: "patched"
os.environ["LEFT_BY_FIRST"] = "1"
import matplotlib
matplotlib.rcParams["lines.linewidth"] = 9.0
os.chdir("/")
"""
CHECK = """
import evaluation.runner.session as session_module
import matplotlib, pandas
report.update(leftover="leftover" in globals(), session_patched=session_module.open_session.__name__ != "open_session",
              pandas_patched=isinstance(pandas.DataFrame({"a": [1]}).describe(), str),
              environment="LEFT_BY_FIRST" in os.environ, linewidth=matplotlib.rcParams["lines.linewidth"])
print(json.dumps(report))
"""


def notebook(path, *sources):
    cells = [new_markdown_cell("# test"), new_code_cell("value = 1", metadata={"tags": ["parameters"]})]
    nbformat.write(new_notebook(cells=cells + [new_code_cell(s) for s in sources], metadata=KERNELSPEC), path)
    return path


def printed(path):
    return json.loads(nbformat.read(path, as_version=4).cells[-1].outputs[0]["text"])


@pytest.fixture(scope="module")
def template():
    with KernelTemplate() as started:
        yield started


def test_one_notebook_leaves_nothing_for_the_next(tmp_path, template):
    """Two notebooks one after the other in kernels forked from the same template: the second
    sees none of the first's global, patches, environment, settings or working folder."""
    group = KernelGroup(template=template)
    first = NotebookJob("need", "all", notebook(tmp_path / "first.ipynb", REPORT, MESS, CHECK),
                        tmp_path / "out" / "first.ipynb", {"value": 1})
    second = NotebookJob("need", "all", notebook(tmp_path / "second.ipynb", REPORT, CHECK),
                         tmp_path / "out" / "second.ipynb", {"value": 2})
    for job in (first, second):
        outcome = execute_job(job, kernels=group)
        assert outcome.ok, outcome.error
    messed, clean = printed(first.output_path), printed(second.output_path)
    # the first notebook did change its own kernel ...
    assert messed["leftover"] and messed["session_patched"] and messed["pandas_patched"]
    assert messed["environment"] and messed["linewidth"] == 9.0
    # ... and the second starts from the template's state, not the first's
    assert not any(clean[k] for k in ("leftover", "session_patched", "pandas_patched", "environment"))
    assert clean["linewidth"] != 9.0 and clean["cwd"] == str(tmp_path)
    # both are kernels of their own, forked from the warm template (pandas loaded before any cell imported it),
    # with their own parameters injected as papermill does
    assert messed["parent"] == clean["parent"] == template.pid and messed["pid"] != clean["pid"]
    assert messed["pandas_loaded"] and clean["pandas_loaded"]
    assert (messed["value"], clean["value"]) == (1, 2)
    assert template.info()["threads"] == 1  # the template forks with no Python thread of its own


def test_figures_show_under_the_cells_of_a_forked_kernel(tmp_path, template):
    job = NotebookJob("need", "all", notebook(tmp_path / "plot.ipynb", "import matplotlib.pyplot as plt\n"
                                              "plt.plot([1, 2, 3]);"), tmp_path / "out" / "plot.ipynb", {})
    assert execute_job(job, kernels=KernelGroup(template=template)).ok
    outputs = nbformat.read(job.output_path, as_version=4).cells[-1].outputs
    assert any("image/png" in output.get("data", {}) for output in outputs)


def test_a_failure_in_a_forked_kernel_is_named_by_notebook_and_cell(tmp_path):
    executor = LocalExecutor(1)
    try:
        jobs = [NotebookJob("need", "Brno", notebook(tmp_path / "04_impact.ipynb", "x = 1", "x / 0"),
                            tmp_path / "out" / "04_impact.ipynb", {"value": 3})]
        execution = execute_jobs(jobs, workers=1, progress=False, executor=executor)
    finally:
        executor.close()
    [outcome] = execution.outcomes
    assert outcome.error.startswith("notebook 04_impact.ipynb (Brno) failed in cell 4 (In [")
    assert "ZeroDivisionError" in outcome.error


def test_stopping_the_group_stops_a_forked_kernel(tmp_path, template):
    group = KernelGroup(template=template)
    sleeper = NotebookJob("need", "all", notebook(tmp_path / "sleep.ipynb", "import time\ntime.sleep(300)"),
                          tmp_path / "out" / "sleep.ipynb", {})

    def stop_when_running():
        while group.running == 0:
            time.sleep(0.1)
        time.sleep(1)
        group.stop()

    threading.Thread(target=stop_when_running, daemon=True).start()
    outcome = execute_job(sleeper, kernels=group)  # 300 s unless the forked kernel is stopped
    assert outcome.interrupted and group.running == 0
    assert group.stop(signal.SIGKILL) == 0


def test_the_template_ends_when_stopped():
    template = KernelTemplate()
    pid = template.pid
    template.stop()
    assert template.process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


# --------------------------------------------------------------------------- the run's data cache

def test_the_cache_is_the_validated_data_exactly(tmp_path, synthetic, synthetic_dataset):
    folder = write_cache(synthetic_dataset, tmp_path / "cache", data_dir=synthetic, on_error="raise")
    assert (folder.stat().st_mode & 0o777) == 0o700  # pseudonymised rows: this user only
    cached = read_cache(folder).dataset
    assert list(cached.tables) == list(synthetic_dataset.tables)
    for name, frame in synthetic_dataset.tables.items():
        pd.testing.assert_frame_equal(cached[name], frame)  # dtypes, categories and all
    assert cached.ledger == synthetic_dataset.ledger and cached.fingerprint == synthetic_dataset.fingerprint
    pd.testing.assert_frame_equal(cached.report.problems, synthetic_dataset.report.problems)
    assert cached.study_period == synthetic_dataset.study_period
    assert cached.metadata["source_rows"].keys() == synthetic_dataset.metadata["source_rows"].keys()


def test_a_notebook_reads_the_cache_only_of_its_own_folder(tmp_path, synthetic, synthetic_dataset, monkeypatch):
    caught = [warnings.WarningMessage(UserWarning("column 'x' of costs is missing"), UserWarning, "f.py", 1)]
    with run_cache(synthetic_dataset, data_dir=synthetic, on_error="raise", caught=caught) as folder:
        monkeypatch.delenv(RUN_CACHE_ENV, raising=False)
        assert cached_data(synthetic, "raise") is None  # run by hand: the notebook reads its folder
        monkeypatch.setenv(RUN_CACHE_ENV, str(folder))
        with pytest.warns(UserWarning, match="column 'x' of costs is missing"):  # as loading said it
            assert cached_data(str(synthetic) + "/", "raise").fingerprint == synthetic_dataset.fingerprint
        assert cached_data(tmp_path, "raise") is None  # another folder
        assert cached_data(synthetic, "exclude") is None  # loaded with other rules
    assert not folder.exists()  # removed when the run ends


def test_a_run_validates_the_data_once_and_its_notebooks_read_the_cache(tmp_path, synthetic, stand_ins):
    """The stand-in notebooks open their session with the loader made unusable: they succeed only
    because the data come from the run's cache; the cache is outside the output and gone after."""
    stand_ins("need", """
import evaluation.data.loader
def refuse(*args, **kwargs):
    raise AssertionError("the notebook read the data folder again")
evaluation.data.loader.load_folder = refuse
from evaluation.runner.session import open_session
session = open_session("need", data_dir=data_dir, results_dir=results_dir, municipality=municipality,
                       programme_step=programme_step, period_start=period_start, period_end=period_end, lang=lang,
                       disclosure_threshold=disclosure_threshold, seed=seed, on_error=on_error)
import os, pathlib
pathlib.Path(results_dir).parent.joinpath("cache.txt").write_text(os.environ["EVALUATION_RUN_CACHE"])
print(session.data.fingerprint)
""")
    config = parse_config({"data": str(synthetic), "output": "out", "notebooks": str(stand_ins.folder),
                           "strands": ["need"], "report_formats": [], "workers": 1}, base_dir=tmp_path)
    summary = run_config(config, progress=False)
    assert summary.ok, str(summary)
    cache = (tmp_path / "out" / "internal" / "cache.txt").read_text()  # beside the internal results
    assert not cache.startswith(str(tmp_path / "out")) and not os.path.exists(cache)
    assert read_record(tmp_path / "out")["jobs"]["all/need"]["state"] == "done"


def test_warm_kernels_can_be_turned_off(tmp_path, monkeypatch):
    """EVALUATION_WARM_KERNELS=0: each kernel is a new process again (for comparison, or a way out)."""
    monkeypatch.setenv("EVALUATION_WARM_KERNELS", "0")
    jobs = [NotebookJob("need", "all", notebook(tmp_path / "cold.ipynb", REPORT, CHECK),
                        tmp_path / "out" / "cold.ipynb", {"value": 5})]
    execution = execute_jobs(jobs, workers=1, progress=False)
    assert execution.outcomes[0].ok
    report = printed(jobs[0].output_path)
    assert report["parent"] == os.getpid() and not report["pandas_loaded"] and sys.executable
