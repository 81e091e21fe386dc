"""Shared synthetic data for the tests of evaluation.synthetic (generated once per session)."""
from __future__ import annotations

import pytest

from evaluation.synthetic import generate, simulate


@pytest.fixture(scope="session")
def demo():
    """The default demo data in memory (seed 2019, scale 1)."""
    return simulate(seed=2019, scale=1.0)


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory):
    """The default demo data written to disk in both formats."""
    return generate(tmp_path_factory.mktemp("synth") / "demo", seed=2019, scale=1.0)


@pytest.fixture(scope="session")
def large():
    """A larger draw (about 5,000 households) for checks that need precision."""
    return simulate(seed=11, scale=10.0)


@pytest.fixture(scope="session")
def national():
    """The national roll-out of contact points at a fifth of its size (about 10,000 households)."""
    return simulate(seed=2026, scale=0.2, national=True)
