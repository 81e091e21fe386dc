"""Data that `validate --key-file` accepts can be run: `run --key-file` pseudonymises, passing the key
to the kernels in their environment, and the key is written nowhere in the output."""

import shutil
import subprocess
import sys

import pandas as pd
import pytest
import yaml

OPEN_SESSION = """
from evaluation.runner.session import open_session
session = open_session(STRAND, data_dir=data_dir, results_dir=results_dir, municipality=municipality,
                       programme_step=programme_step, period_start=period_start, period_end=period_end, lang=lang,
                       disclosure_threshold=disclosure_threshold, seed=seed, on_error=on_error)
assert "prijmeni" not in session.data["households"].columns
"""
KEY = "tajny-klic-Kolin-2024"


@pytest.fixture
def identified(tmp_path, synthetic):
    """The synthetic data with the households' surnames (a direct identifier) in a column."""
    data = tmp_path / "data"
    shutil.copytree(synthetic, data)
    households = pd.read_parquet(data / "households.parquet")
    households["prijmeni"] = [f"Novák{i}" for i in range(len(households))]
    households.to_parquet(data / "households.parquet", index=False)
    return data


def evaluation(*arguments, cwd):
    return subprocess.run([sys.executable, "-m", "evaluation.cli", *map(str, arguments)],
                          capture_output=True, text=True, cwd=cwd)


def test_run_pseudonymises_with_the_key_and_writes_it_nowhere(tmp_path, identified, stand_ins):
    stand_ins("need", OPEN_SESSION)
    (tmp_path / "key.txt").write_text(KEY + "\n", encoding="utf-8")
    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump({"data": "data", "output": "out", "notebooks": str(stand_ins.folder),
                                      "strands": ["need"], "report_formats": []}), encoding="utf-8")

    assert evaluation("validate", "data", "--key-file", "key.txt", cwd=tmp_path).returncode == 0
    refused = evaluation("run", config, "--no-progress", cwd=tmp_path)
    assert refused.returncode == 1  # data unusable, the same code as validate gives
    assert "prijmeni" in refused.stderr

    done = evaluation("run", config, "--no-progress", "--key-file", "key.txt", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert KEY.encode() not in content and KEY.encode().hex().encode() not in content, path

