"""`evaluation synth` writes the folder the Python function writes."""
from __future__ import annotations

import json

from evaluation.cli import EXIT_OK, EXIT_USAGE, main


def test_cli_synth_writes_csv_and_truth(tmp_path, capsys):
    code = main(["synth", "--out", str(tmp_path / "s"), "--seed", "7", "--scale", "0.3", "--format", "csv"])
    assert code == EXIT_OK
    assert "synthetic data written" in capsys.readouterr().out
    out = tmp_path / "s"
    assert (out / "csv" / "households.csv").is_file() and not (out / "parquet").exists()
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    assert truth["seed"] == 7 and truth["scale"] == 0.3


def test_cli_synth_bad_scale_fails_with_a_message(tmp_path, capsys):
    code = main(["synth", "--out", str(tmp_path / "s"), "--scale", "-1"])
    assert code == EXIT_USAGE  # a wrong argument value, the same code in every subcommand
    assert "scale" in capsys.readouterr().err
