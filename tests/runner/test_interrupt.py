"""Ctrl+C during `evaluation run`: the running kernels stop at once, run.json says interrupted,
the summary says what finished, what was interrupted and how to resume, and --resume finishes.

The test sends SIGINT to a subprocess running the command line, as a terminal does.
"""

import os
import signal
import subprocess
import sys
import time

import yaml

from tests.runner.conftest import read_record

SLEEP = "import os, pathlib, time\npathlib.Path(results_dir).parent.joinpath('kernel.pid').write_text(str(os.getpid()))\ntime.sleep(300)"


def wait_for(condition, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:  # a zombie is as good as gone
        return stat.read().split()[2] != "Z"


def test_ctrl_c_stops_the_kernels_records_the_interrupt_and_resume_finishes(tmp_path, synthetic, stand_ins):
    # one worker runs process, need and retention in that order (longest first): need sleeps
    stand_ins("need", SLEEP)
    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump({"data": str(synthetic), "output": "out", "notebooks": str(stand_ins.folder),
                                      "strands": ["process", "need", "retention"], "workers": 1,
                                      "report_formats": []}), encoding="utf-8")
    output = tmp_path / "out"
    run = subprocess.Popen([sys.executable, "-m", "evaluation.cli", "run", config.name, "--no-progress"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        pid_file = output / "internal" / "kernel.pid"  # beside the internal results folder
        assert wait_for(lambda: pid_file.is_file()), "the sleeping notebook never started"
        kernel = int(pid_file.read_text())
        assert read_record(output)["jobs"]["all/need"]["state"] == "running"
        run.send_signal(signal.SIGINT)
        _, stderr = run.communicate(timeout=120)  # the notebook would sleep for 300 s
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 130, stderr
    assert "interrupted: stopping 1 running notebook(s)" in stderr
    assert "RUN INTERRUPTED" in stderr and "1 notebook(s) run, 1 interrupted, 1 not started" in stderr
    assert "interrupted (stopped while running): 06_need.ipynb (pooled)" in stderr
    assert "not started because the run was interrupted: 03_retention.ipynb (pooled)" in stderr
    assert "Kernel died" not in stderr  # the stop is expected: no alarm from nbclient
    assert "to continue where the run stopped: evaluation run run.yaml --resume" in stderr
    assert wait_for(lambda: not alive(kernel), 30), "the kernel still runs"

    record = read_record(output)
    assert record["status"] == "interrupted"
    states = {key: entry["state"] for key, entry in record["jobs"].items()}
    assert states == {"all/process": "done", "all/need": "interrupted", "all/retention": "pending"}

    stand_ins("need")
    resumed = subprocess.run([sys.executable, "-m", "evaluation.cli", "run", config.name, "--resume",
                              "--no-progress"], capture_output=True, text=True, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "2 notebook(s) run, 1 up to date (kept from an earlier run)" in resumed.stdout
    assert read_record(output)["status"] == "finished"
