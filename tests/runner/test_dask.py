"""``executor: dask``: the notebooks of a run on a real Dask cluster of several worker processes
(``distributed.LocalCluster(processes=True)``), started by the run itself (``dask: {workers: 2}``)
or already running (``dask: {scheduler: ...}``). The results are those of the local executor; a
failure is named by notebook and cell and ``--resume`` continues; Ctrl+C stops the notebooks on
the workers and the run record says so."""

import json
import os
import re
import signal
import subprocess
import sys

import pytest
import yaml

from evaluation.runner.config import parse_config
from evaluation.runner.run import run_config
from tests.runner.conftest import read_record
from tests.runner.test_interrupt import SLEEP, alive, wait_for

distributed = pytest.importorskip("distributed")

#: Real notebooks, two municipalities and the pooled scope: six notebooks per executor.
BATCH = {"strands": ["data_quality", "retention"], "municipalities": ["Brno", "Ostrava"], "report_formats": []}


#: Provenance stamps: when a results file was written, how long its notebook took, the day of the run.
#: They differ between any two runs, on one executor or two; everything else must not.
STAMPS = re.compile(rb'"(?:written|date)": "[^"]*"|"seconds": [0-9.eE+-]+')


def published(output):
    """Every file of a run's published results, as bytes, with the provenance stamps blanked."""
    root = output / "published" / "results"
    return {str(path.relative_to(root)): STAMPS.sub(b"STAMP", path.read_bytes())
            for path in sorted(root.rglob("*")) if path.is_file()}


def test_the_same_batch_gives_byte_identical_published_results_on_both_executors(tmp_path, synthetic):
    local = run_config(parse_config({"data": str(synthetic), "output": "local", **BATCH}, base_dir=tmp_path),
                       progress=False)
    on_dask = run_config(parse_config({"data": str(synthetic), "output": "dask", "executor": "dask",
                                       "dask": {"workers": 2}, **BATCH}, base_dir=tmp_path), progress=False)
    assert local.ok and on_dask.ok, (str(local), str(on_dask))
    assert len(local.outcomes) == len(on_dask.outcomes) == 6
    assert "the notebooks ran on Dask, local cluster (2 at a time)" in str(on_dask)
    expected, got = published(tmp_path / "local"), published(tmp_path / "dask")
    kinds = {name.rsplit(".", 1)[-1] for name in got}
    assert {"csv", "json", "png", "svg"} <= kinds, kinds
    assert sorted(got) == sorted(expected)
    assert [name for name in expected if expected[name] != got[name]] == []
    record = read_record(tmp_path / "dask")
    assert record["status"] == "finished" and {e["state"] for e in record["jobs"].values()} == {"done"}
    assert not (tmp_path / "dask" / ".cache").exists()


@pytest.fixture(scope="module")
def cluster():
    """A cluster already running when the run starts, as a user's would be."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as running:
        yield running


def test_a_run_on_a_running_cluster_names_a_failure_and_resumes(tmp_path, synthetic, stand_ins, cluster):
    stand_ins("need", "raise ValueError('broken export')")
    config = parse_config({"data": str(synthetic), "output": "out", "notebooks": str(stand_ins.folder),
                           "strands": ["process", "need"], "municipalities": ["Brno"], "report_formats": [],
                           "executor": "dask", "dask": {"scheduler": cluster.scheduler_address}},
                          base_dir=tmp_path, source=str(tmp_path / "run.yaml"))
    failed = run_config(config, progress=False)
    assert not failed.ok and failed.status == "failed"
    # (the longest notebooks start first: both need notebooks may have started before one failed)
    failure = failed.failures[0]
    assert all(f.job.strand == "need" for f in failed.failures)
    assert failure.error.startswith(f"notebook 06_need.ipynb ({failure.job.scope}) failed in cell")
    assert "ValueError: broken export" in failure.error
    record = read_record(tmp_path / "out")
    assert record["status"] == "failed" and "broken export" in record["jobs"][failure.job.key]["error"]
    # the data went to the workers through a cache in the output folder (which the workers see), gone now
    assert not (tmp_path / "out" / ".cache").exists() or not any((tmp_path / "out" / ".cache").iterdir())

    stand_ins("need")
    resumed = run_config(config, progress=False, resume=True)
    assert resumed.ok, str(resumed)
    assert {o.job.strand for o in resumed.outcomes} <= {"process", "need"} and resumed.up_to_date
    assert read_record(tmp_path / "out")["status"] == "finished"
    # the run's worker plugin is gone with the run: the cluster is left as it was found
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        assert not any(name.startswith("evaluation-run-") for plugins in
                       client.run(lambda dask_worker: list(dask_worker.plugins)).values() for name in plugins)


def test_ctrl_c_stops_the_notebooks_on_the_dask_workers(tmp_path, synthetic, stand_ins):
    # one worker runs process, need and retention in that order (longest first): need sleeps
    stand_ins("need", SLEEP)
    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump({"data": str(synthetic), "output": "out", "notebooks": str(stand_ins.folder),
                                      "strands": ["process", "need", "retention"], "workers": 1,
                                      "report_formats": [], "executor": "dask", "dask": {"workers": 1}}),
                      encoding="utf-8")
    output = tmp_path / "out"
    run = subprocess.Popen([sys.executable, "-m", "evaluation.cli", "run", config.name, "--no-progress"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert wait_for(lambda: (output / "internal" / "kernel.pid").is_file()), "the sleeping notebook never started"
        kernel = int((output / "internal" / "kernel.pid").read_text())
        run.send_signal(signal.SIGINT)
        _, stderr = run.communicate(timeout=120)  # the notebook would sleep for 300 s
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 130, stderr
    assert "interrupted: stopping 1 running notebook(s)" in stderr
    assert "1 notebook(s) run, 1 interrupted, 1 not started" in stderr
    assert "interrupted (stopped while running): 06_need.ipynb (pooled)" in stderr
    assert wait_for(lambda: not alive(kernel), 30), "the kernel on the worker still runs"
    states = {key: entry["state"] for key, entry in read_record(output)["jobs"].items()}
    assert states == {"all/process": "done", "all/need": "interrupted", "all/retention": "pending"}

    stand_ins("need")
    resumed = subprocess.run([sys.executable, "-m", "evaluation.cli", "run", config.name, "--resume",
                              "--no-progress"], capture_output=True, text=True, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "2 notebook(s) run, 1 up to date (kept from an earlier run)" in resumed.stdout
    assert "Dask, local cluster" in resumed.stdout
    assert os.path.isdir(output / "internal" / "notebooks")


#: A stand-in's first cell: which process forked its kernel and what the kernel held before any import.
WHO = """
import json, os, pathlib, sys
pathlib.Path(results_dir).parent.joinpath(f"kernel-{municipality or 'pooled'}-{STRAND}.json").write_text(json.dumps(
    {"parent": os.getppid(), "pid": os.getpid(), "warm": "pandas" in sys.modules and "evaluation.reporting.store" in sys.modules}))
"""


def test_start_up_is_paid_once_per_worker_not_per_notebook(tmp_path, synthetic, stand_ins, cluster):
    """Up to eight notebooks (two strands in four scopes) on two workers: every kernel is a fork of one of
    at most two warm templates (one per worker), holding the toolkit before its first cell ran."""
    for strand in ("process", "need"):
        stand_ins(strand, WHO)
    config = parse_config({"data": str(synthetic), "output": "out", "notebooks": str(stand_ins.folder),
                           "strands": ["process", "need"], "municipalities": ["Brno", "Ostrava", "Plzeň"],
                           "report_formats": [], "executor": "dask",
                           "dask": {"scheduler": cluster.scheduler_address}}, base_dir=tmp_path)
    summary = run_config(config, progress=False)
    assert summary.ok, str(summary)
    kernels = [json.loads(p.read_text()) for p in (tmp_path / "out" / "internal").glob("kernel-*.json")]
    assert len(kernels) == len(summary.outcomes) >= 6
    assert len({k["pid"] for k in kernels}) == len(kernels) and all(k["warm"] for k in kernels)
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        workers = set(client.run(os.getpid).values())
    templates = {k["parent"] for k in kernels}
    assert 1 <= len(templates) <= 2 and not templates & workers  # forked by the templates, not the workers
