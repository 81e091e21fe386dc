"""The examples in the docstrings of the economic evaluation's modules run as written."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["__init__", "_figures", "assumptions", "discounting", "occupancy", "offset_effects", "offset_evidence",
           "perspective", "prices", "settings", "words"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module("evaluation.economics" + ("" if name == "__init__" else f".{name}"))
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
