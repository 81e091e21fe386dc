"""Run the parameterised notebooks: configuration, parameter checks, papermill execution, demo.

Import is cheap (papermill loads only when something runs), so notebooks can import
``evaluation.runner.strands`` without pulling in the execution machinery.

Example
-------
>>> from evaluation.runner import run_config
>>> summary = run_config("configs/example.yaml")   # doctest: +SKIP
>>> print(summary)                                  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

__all__ = ["RunConfig", "RunSummary", "load_config", "run_config", "run_demo"]

_LOCATIONS = {
    "RunConfig": "evaluation.runner.config",
    "load_config": "evaluation.runner.config",
    "RunSummary": "evaluation.runner.run",
    "run_config": "evaluation.runner.run",
    "run_demo": "evaluation.runner.demo",
}


def __getattr__(name: str) -> Any:
    if name in _LOCATIONS:
        import importlib

        return getattr(importlib.import_module(_LOCATIONS[name]), name)
    raise AttributeError(f"module 'evaluation.runner' has no attribute {name!r}")
