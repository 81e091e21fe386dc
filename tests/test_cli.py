import re
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation import __version__
from evaluation.cli import EXIT_CODES, build_parser, main

REPO = Path(__file__).resolve().parents[1]
COMMANDS = ("validate", "synth", "run", "demo", "render", "init")


def test_help_lists_every_subcommand_and_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert command in out
    for code, meaning in EXIT_CODES:
        assert re.search(rf"^\s+{code}\s+{re.escape(meaning[:40])}", out, flags=re.M), code


def test_the_readme_prints_the_same_exit_codes():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", readme, flags=re.M)
    assert [(int(code), meaning) for code, meaning in rows] == list(EXIT_CODES)


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
    for command in COMMANDS:
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args([command, "--help"])
        assert exit_info.value.code == 0


def test_missing_input_folder_goes_to_stderr_with_nonzero_exit(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "evaluation.cli", "validate", str(tmp_path / "nope")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stdout == "" and "nope" in proc.stderr


def test_the_same_error_gives_the_same_exit_code_in_every_subcommand(tmp_path, capsys):
    missing = tmp_path / "nope"
    assert main(["validate", str(missing)]) == 2
    assert main(["run", str(missing / "run.yaml")]) == 2
    assert main(["render", str(missing), "--out", str(tmp_path / "r")]) == 2
    (tmp_path / "data").mkdir()
    (tmp_path / "run.yaml").write_text("data: data\noutput: out\n", encoding="utf-8")
    assert main(["run", str(tmp_path / "run.yaml")]) == 1  # empty data folder: unusable, as validate says
    assert main(["validate", str(tmp_path / "data")]) == 1
    assert main(["run", str(tmp_path / "run.yaml"), "--key-env", "NO_SUCH_VARIABLE_SET"]) == 2
    assert "environment variable NO_SUCH_VARIABLE_SET is empty or not set" in capsys.readouterr().err


def test_render_without_results_is_an_error_naming_the_folder(tmp_path, capsys):
    empty = tmp_path / "output"
    (empty / "results" / "all" / "need").mkdir(parents=True)
    (empty / "results" / "all" / "need" / "meta.json").write_text("{}", encoding="utf-8")
    code = main(["render", str(empty), "--out", str(tmp_path / "reports")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"the folder {empty} holds no results" in err and f"did you mean {empty / 'results'}?" in err
    assert not (tmp_path / "reports").exists()  # no outline reports


def test_publish_without_results_is_the_same_error_as_render(tmp_path, capsys):
    """Issue 10: the same error gives the same exit code in every subcommand, and a folder with no
    results is refused (publish used to write an empty published folder and exit 0)."""
    out = tmp_path / "published"
    assert main(["publish", str(tmp_path / "nope"), "--out", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err
    run = tmp_path / "output"
    (run / "internal" / "results" / "all" / "need").mkdir(parents=True)
    (run / "internal" / "results" / "all" / "need" / "meta.json").write_text('{"kind": "internal"}', encoding="utf-8")
    assert main(["publish", str(run), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"the folder {run} holds no results" in err and "nothing to publish" in err
    assert f"did you mean {run / 'internal' / 'results'}?" in err
    assert not out.exists()
    (run / "published" / "results" / "all" / "need").mkdir(parents=True)
    (run / "published" / "results" / "all" / "need" / "meta.json").write_text('{"kind": "published"}',
                                                                                encoding="utf-8")
    assert main(["publish", str(run / "published" / "results"), "--out", str(out)]) == 2
    assert "holds published results already" in capsys.readouterr().err


def test_init_writes_a_folder_once(tmp_path, capsys):
    assert main(["init", str(tmp_path / "kolin")]) == 0
    assert (tmp_path / "kolin" / "evaluation.yaml").is_file()
    assert main(["init", str(tmp_path / "kolin")]) == 2
    assert "already holds" in capsys.readouterr().err
