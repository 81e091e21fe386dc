"""Where the toolkit's own files live: the data contract, report templates and notebooks.

In a checkout (the README's ``make`` commands) they are the repository's ``data_schema/``,
``reports/`` and ``notebooks/``; a wheel installs copies under ``<prefix>/share/evaluation/``.
An environment variable overrides either, e.g. for an organisation's own report templates.

Example
-------
>>> resource_dir("data_schema", "datapackage.json").name
'data_schema'
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from evaluation.errors import EvaluationError

_ENV = {"data_schema": "EVALUATION_SCHEMA_DIR", "reports": "EVALUATION_REPORTS_DIR",
        "notebooks": "EVALUATION_NOTEBOOKS_DIR"}


def resource_dir(name: str, marker: str) -> Path:
    """The folder ``name`` that holds ``marker``: ``$EVALUATION_<NAME>_DIR``, the checkout beside
    the package, or the installed copy in ``<prefix>/share/evaluation``."""
    env = os.environ.get(_ENV[name])
    candidates = [Path(env)] if env else []
    candidates += [Path(__file__).resolve().parents[1] / name, Path(sys.prefix) / "share" / "evaluation" / name]
    for candidate in candidates:
        if (candidate / marker).exists():
            return candidate
    raise EvaluationError(f"{name}/ not found (looked for {marker} in: "
                          + ", ".join(str(c) for c in candidates) + f"); set {_ENV[name]} to its folder")
