"""The committed notebooks: clean (no outputs), parameterised, and in step with the runner."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from evaluation.runner.config import parse_config
from evaluation.runner.parameters import declared_parameters
from evaluation.runner.plan import job_parameters
from evaluation.runner.registry import STRANDS, strand_parameters

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
STRAND_NAMES = list(STRANDS)


def cells(strand):
    return nbformat.read(NOTEBOOKS / STRANDS[strand].notebook, as_version=4).cells


@pytest.mark.parametrize("strand", STRAND_NAMES)
def test_committed_without_outputs(strand):
    for cell in cells(strand):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{STRANDS[strand].notebook} is committed with outputs"
            assert cell.execution_count is None, f"{STRANDS[strand].notebook} has execution counts"


@pytest.mark.parametrize("strand", STRAND_NAMES)
def test_has_exactly_one_parameters_cell_and_it_comes_first(strand):
    tagged = [i for i, c in enumerate(cells(strand)) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert all(c.cell_type == "markdown" for c in cells(strand)[:tagged[0]])


@pytest.mark.parametrize("strand", STRAND_NAMES)
def test_declared_parameters_are_what_the_runner_passes(strand, tmp_path):
    declared = declared_parameters(NOTEBOOKS / STRANDS[strand].notebook)
    assert set(declared) == set(strand_parameters(strand))
    (tmp_path / "data").mkdir()
    config = parse_config({"data": "data", "output": "out"}, base_dir=tmp_path)
    for municipality in (None, "Ostrava"):
        assert set(job_parameters(config, strand, municipality)) == set(declared)


@pytest.mark.parametrize("strand", STRAND_NAMES)
def test_cells_never_display_raw_data(strand):
    """Shared notebooks hold no household-level rows: tables are shown through session.show()."""
    for cell in cells(strand):
        if cell.cell_type != "code":
            continue
        last_line = cell.source.strip().splitlines()[-1]
        assert "session.data" not in last_line, f"{STRANDS[strand].notebook} displays raw data: {last_line}"
        assert ".tidy()" not in last_line, "display through session.show() (disclosure control)"


def test_notebooks_are_as_the_builder_writes_them():
    done = subprocess.run([sys.executable, str(NOTEBOOKS / "build_notebooks.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
