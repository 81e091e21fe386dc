import subprocess
import sys

import pytest

from evaluation import __version__
from evaluation.cli import build_parser, main


def test_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("validate", "synth", "run", "demo", "render"):
        assert command in out


def test_version(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert __version__ in capsys.readouterr().out


def test_unknown_command_is_a_usage_error_on_stderr(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_every_subcommand_has_its_own_help():
    parser = build_parser()
    for command in ("validate", "synth", "run", "demo", "render"):
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args([command, "--help"])
        assert exit_info.value.code == 0


def test_missing_input_folder_goes_to_stderr_with_nonzero_exit(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "evaluation.cli", "validate", str(tmp_path / "nope")],
                          capture_output=True, text=True)
    assert proc.returncode != 0
    assert proc.stdout == "" and "nope" in proc.stderr
