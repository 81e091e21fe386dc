"""The hand-built pilot of tests/process/conftest.py, shared with the need tests."""
import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("process_pilot", Path(__file__).parents[1] / "process" / "conftest.py")
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)


@pytest.fixture
def pilot_frames():
    return _module.build_pilot()
