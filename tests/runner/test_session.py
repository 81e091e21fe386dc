"""What a notebook checks before it reads data: parameters it does not declare (papermill injects
any name it is given), values against their declared rule, the municipality; and the README's
papermill command line works as written."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation.errors import ConfigError
from evaluation.runner.selection import select_scope
from evaluation.runner.session import check_notebook_parameters, key_from_environment

REPO = Path(__file__).resolve().parents[2]


def test_a_misspelt_parameter_is_refused_with_did_you_mean():
    with pytest.raises(ConfigError) as info:
        check_notebook_parameters("retention", {"data_dir": "d", "results_dir": "r"},
                                  injected=["data_dir", "municipalty"])
    message = str(info.value)
    assert message.startswith("03_retention.ipynb: papermill passed parameter 'municipalty', which "
                              "03_retention.ipynb does not declare (did you mean 'municipality'?)")


@pytest.mark.parametrize("name, value, rule", [
    ("disclosure_threshold", 1, "must be a whole number of at least 2"),
    ("horizons_months", 12, "must be a list of one or more numbers greater than 0"),
    ("lang", "cz", "must be one of cs, en (did you mean 'cs'?)"),
    ("period_start", "1.1.2020", "must be null (from the start of the study period) or a date written YYYY-MM-DD"),
])
def test_values_are_checked_against_the_declared_rule(name, value, rule):
    with pytest.raises(ConfigError, match=re.escape(f"parameter {name} = {value!r} is not allowed: it {rule}")):
        check_notebook_parameters("retention", {"data_dir": "d", "results_dir": "r", name: value})


def test_the_key_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("EVALUATION_PSEUDONYMISATION_KEY", raising=False)
    monkeypatch.delenv("EVALUATION_PSEUDONYMISATION_KEY_HEX", raising=False)
    assert key_from_environment() is None
    monkeypatch.setenv("EVALUATION_PSEUDONYMISATION_KEY", "tajné")
    assert key_from_environment() == "tajné".encode()
    monkeypatch.setenv("EVALUATION_PSEUDONYMISATION_KEY_HEX", b"\x00\xffkey".hex())
    assert key_from_environment() == b"\x00\xffkey"


def test_municipality_case_and_accents_are_matched_with_a_note(synthetic_dataset):
    chosen = select_scope(synthetic_dataset, municipality="ostrava")
    assert chosen.municipality == "Ostrava"
    assert "municipality 'ostrava' was taken as 'Ostrava', its spelling in the data" in chosen.notes
    assert select_scope(synthetic_dataset, municipality="JINDRICHUV HRADEC").municipality == "Jindřichův Hradec"


def test_a_municipality_without_data_of_its_own_is_an_error(synthetic_dataset):
    panel = synthetic_dataset["municipality_panel"]
    comparison = str(panel.loc[panel["pilot_start_period"].isna(), "municipality"].iloc[0])
    with pytest.raises(ConfigError, match=f"'{comparison}' has no data of its own: it occurs only as a comparison"):
        select_scope(synthetic_dataset, municipality=comparison)
    with pytest.raises(ConfigError) as info:
        select_scope(synthetic_dataset, municipality="Ostrva")
    message = str(info.value)
    assert "municipality 'Ostrva' is not in the data; did you mean 'Ostrava'" in message
    assert len(message) < 400  # the closest names, not the 170 municipalities of the panel


def readme_papermill_command():
    text = (REPO / "notebooks" / "README.md").read_text(encoding="utf-8")
    [line] = [line for line in text.splitlines() if line.startswith("papermill ")]
    return shlex.split(line)


def run_papermill(arguments, cwd):
    return subprocess.run([sys.executable, "-m", *arguments], capture_output=True, text=True, cwd=cwd)


@pytest.fixture
def demo_layout(tmp_path, synthetic):
    """A folder laid out as the repository after `make demo`: notebooks/ and output/data/parquet."""
    (tmp_path / "notebooks").symlink_to(REPO / "notebooks")
    (tmp_path / "output" / "data").mkdir(parents=True)
    (tmp_path / "output" / "data" / "parquet").symlink_to(synthetic)
    return tmp_path


def test_the_readme_papermill_command_runs(demo_layout):
    command = readme_papermill_command()
    assert "output/data/parquet" in command  # where `make demo` writes, as the notebooks' defaults say
    done = run_papermill(command, demo_layout)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (demo_layout / "output" / "internal" / "results" / "ostrava" / "retention" / "meta.json").is_file()


def test_papermill_with_a_misspelt_parameter_fails_instead_of_running_pooled(demo_layout):
    command = [a.replace("municipality", "municipalty") for a in readme_papermill_command()]
    done = run_papermill(command, demo_layout)
    assert done.returncode != 0
    assert "papermill passed parameter 'municipalty'" in done.stderr
    assert "(did you mean 'municipality'?)" in done.stderr
    assert not (demo_layout / "output" / "results").exists()


def test_notebook_defaults_are_where_make_demo_writes():
    from evaluation.runner.registry import COMMON_PARAMETERS

    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    out = re.search(r"^OUT\s*\?=\s*(\S+)", makefile, flags=re.M).group(1)
    assert "evaluation demo --out $(OUT)" in makefile
    # evaluation demo writes the data to <out>/data/{csv,parquet}; notebooks store into <out>/internal/results
    assert COMMON_PARAMETERS["data_dir"] == f"../{out}/data/parquet"
    assert COMMON_PARAMETERS["results_dir"] == f"../{out}/internal/results"
