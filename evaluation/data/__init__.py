"""Data layer: the data contract, reading municipal exports, validation and the row ledger.

The public entry points are imported lazily, so that ``import evaluation.data.schema``
stays cheap:

>>> from evaluation.data import load_folder, validate_folder  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "validate_folder": "evaluation.data.loader",
    "load_folder": "evaluation.data.loader",
    "load_source": "evaluation.data.loader",
    "validate_source": "evaluation.data.loader",
    "resolve_study_period": "evaluation.data.loader",
    "ValidationReport": "evaluation.data.validation",
    "Ledger": "evaluation.data.ledger",
    "Dataset": "evaluation.data.dataset",
    "Pseudonymiser": "evaluation.data.privacy",
    "get_schema": "evaluation.data.schema",
    "render_contract": "evaluation.data.contract_docs",
}

__all__ = [
    "Dataset", "Ledger", "Pseudonymiser", "ValidationReport", "get_schema", "load_folder", "load_source",
    "render_contract", "resolve_study_period", "validate_folder", "validate_source",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'evaluation.data' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
