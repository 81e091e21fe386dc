"""What a notebook declares in its ``parameters`` cell, and whether a run passes exactly that.

Checked before anything runs: a parameter the run passes that the notebook does not
declare (a typo, or a notebook out of date) and a declared parameter the run gives no
value are both :class:`~evaluation.errors.ConfigError`.

Example
-------
>>> declared = declared_parameters("notebooks/03_retention.ipynb")   # doctest: +SKIP
>>> sorted(declared)[:2]                                             # doctest: +SKIP
['data_dir', 'disclosure_threshold']
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evaluation.errors import ConfigError


def declared_parameters(notebook: str | Path) -> dict[str, dict[str, Any]]:
    """The parameters of ``notebook`` (papermill's inspection of the cell tagged ``parameters``).

    Raises ConfigError when the notebook is missing or has no ``parameters`` cell.
    """
    import nbformat
    import papermill

    path = Path(notebook)
    if not path.is_file():
        raise ConfigError(f"notebook {path} does not exist")
    nb = nbformat.read(path, as_version=4)
    if not any("parameters" in cell.get("metadata", {}).get("tags", []) for cell in nb.cells):
        raise ConfigError(f"notebook {path.name} has no cell tagged 'parameters', so it cannot be run "
                          "with parameters; tag the cell that sets the defaults")
    if not nb.metadata.get("kernelspec", {}).get("name"):
        raise ConfigError(f"notebook {path.name} names no kernel (metadata.kernelspec); open and save it "
                          "in Jupyter with a Python kernel")
    return dict(papermill.inspect_notebook(str(path)))


def check_parameters(notebook: str | Path, parameters: Mapping[str, Any]) -> None:
    """Raise ConfigError unless ``parameters`` names exactly the parameters ``notebook`` declares."""
    declared = declared_parameters(notebook)
    unknown = sorted(set(parameters) - set(declared))
    missing = sorted(set(declared) - set(parameters))
    problems = []
    if unknown:
        problems.append(f"the run passes parameter(s) {', '.join(unknown)} that the notebook does not declare")
    if missing:
        problems.append(f"the notebook declares parameter(s) {', '.join(missing)} that the run gives no value")
    if problems:
        raise ConfigError(f"notebook {Path(notebook).name}: " + "; ".join(problems)
                          + f" (declared: {', '.join(sorted(declared))})")
