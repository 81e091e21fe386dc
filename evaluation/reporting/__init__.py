"""Reporting: the results folder, disclosure control, chart style and report rendering.

Notebooks write their results with :class:`ResultsStore`; :func:`render_reports` turns a
results folder into the policy brief and the technical report (HTML, PDF, DOCX), in Czech
or English. Nothing heavy is imported until it is used.

Example
-------
>>> from evaluation.reporting import ResultsStore, render_reports  # doctest: +SKIP
>>> store = ResultsStore("results", strand="retention", scope="Ostrava")  # doctest: +SKIP
>>> render_reports("results", "reports_out", lang="cs")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "STRANDS",
    "DisclosureRules",
    "ResultsStore",
    "StoredResults",
    "apply_style",
    "protect_table",
    "render_reports",
]

_LAZY = {
    "ResultsStore": "evaluation.reporting.store", "StoredResults": "evaluation.reporting.store",
    "STRANDS": "evaluation.reporting.store",
    "DisclosureRules": "evaluation.reporting.disclosure", "protect_table": "evaluation.reporting.disclosure",
    "render_reports": "evaluation.reporting.render", "apply_style": "evaluation.reporting.style",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'evaluation.reporting' has no attribute {name!r}")
