"""The examples in the docstrings of evaluation.findings run as written."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["__init__", "contradictions", "evidence", "finding", "grading", "language", "questions", "rules", "sms",
           "thresholds", "wording"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module("evaluation.findings" + ("" if name == "__init__" else f".{name}"))
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and (result.attempted > 0 or name in ("finding",))
