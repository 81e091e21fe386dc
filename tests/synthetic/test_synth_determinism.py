"""Same seed, same data, byte for byte; different seed, different data."""
from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from evaluation.errors import ConfigError
from evaluation.synthetic import generate, simulate


def _digests(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_bytes_in_both_formats(demo_folder, tmp_path):
    again = generate(tmp_path / "again", seed=2019, scale=1.0)
    first, second = _digests(demo_folder), _digests(again)
    assert first == second
    assert any(k.endswith(".parquet") for k in first) and any(k.endswith(".csv") for k in first)
    assert "truth.json" in first


def test_a_different_seed_gives_different_data(demo):
    other = simulate(seed=2020, scale=1.0)
    assert not other.tables["household_outcomes"]["arrears_czk"].equals(demo.tables["household_outcomes"]["arrears_czk"])


def test_simulate_is_repeatable_in_memory(demo):
    again = simulate(seed=2019, scale=1.0)
    for name, table in demo.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], table)


@pytest.mark.parametrize("kwargs", [{"seed": -1}, {"seed": 1.5}, {"scale": 0}, {"scale": -2.0},
                                    {"scale": float("nan")}, {"scale": 1e9}])
def test_bad_arguments_raise_a_clear_error(kwargs):
    with pytest.raises(ConfigError, match="seed|scale"):
        simulate(**kwargs)


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="format"):
        generate(tmp_path, formats=("xlsx",))
