"""Shared fixtures of the runner tests: one synthetic data set per test session, and small
stand-in notebooks that declare exactly a strand's parameters (fast to run, so the runner's
own behaviour -- resume, failures, interrupts, keys -- is tested without the analyses)."""

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from evaluation.runner.registry import STRANDS, strand_options

KERNELSPEC = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory):
    """The synthetic pilot data (evaluation.synthetic, seed 2019) as Parquet; generated once."""
    from evaluation.synthetic import generate

    root = tmp_path_factory.mktemp("synthetic")
    generate(root, seed=2019, scale=1.0, formats=("parquet",))
    return root / "parquet"


@pytest.fixture(scope="session")
def synthetic_dataset(synthetic):
    from evaluation.data.loader import load_folder

    return load_folder(synthetic)


#: What a stand-in notebook does by default: write its strand folder as a real one would.
STORE_CELL = """
from evaluation.reporting.store import ResultsStore
from evaluation.runner.registry import STRANDS
store = ResultsStore(results_dir, strand=STRANDS[STRAND].store_name, scope=municipality or "all",
                     threshold=disclosure_threshold)
store.add_text("headline", "hotovo", "done")
store.write_meta(parameters={"seed": seed}, notebook=STRANDS[STRAND].notebook)
"""


def stand_in_notebook(path, strand, *cells):
    """A notebook declaring ``strand``'s parameters; runs ``cells`` then stores a minimal result."""
    parameters = "\n".join(f"{name} = {option.default!r}" for name, option in strand_options(strand).items())
    sources = [parameters, f"STRAND = {strand!r}", *cells, STORE_CELL]
    notebook = new_notebook(cells=[new_markdown_cell(f"# stand-in for {strand}")]
                            + [new_code_cell(s, metadata={"tags": ["parameters"]} if i == 0 else {})
                               for i, s in enumerate(sources)], metadata=KERNELSPEC)
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def stand_ins(tmp_path):
    """A notebooks folder of stand-ins for every strand; returns a function that rewrites one."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for strand, spec in STRANDS.items():
        stand_in_notebook(folder / spec.notebook, strand)

    def rewrite(strand, *cells):
        return stand_in_notebook(folder / STRANDS[strand].notebook, strand, *cells)

    rewrite.folder = folder
    return rewrite


def read_record(output):
    return json.loads((output / "run.json").read_text("utf-8"))

