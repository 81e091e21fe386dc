"""Synthetic pilot data with a known truth.

Real case data is confidential, so the toolkit ships a generator of data that follows the
data contract in ``data_schema/``, mimics the Czech pilots of BRIEF.md (the Ostrava staircase,
Brno Housing First, Prague's housing contact points, the 16 MPSV pilot municipalities) and
whose true effects are known (:class:`Truth`, written beside the data as ``truth.json``).

* :func:`simulate` — the tables in memory (:class:`SyntheticData`), for tests and notebooks;
* :func:`generate` — the same written to a folder as Parquet and as CSV in Czech conventions.

Example
-------
>>> from evaluation.synthetic import simulate
>>> data = simulate(seed=2019, scale=0.2)
>>> ds = data.to_dataset()
>>> ds.has("households"), data.truth.parameters["hazard_ratio_negative_exit"]
(True, 0.3)
"""

from evaluation.synthetic.generate import generate
from evaluation.synthetic.simulate import SyntheticData, simulate
from evaluation.synthetic.truth import Truth, aggregate_att

__all__ = ["SyntheticData", "Truth", "aggregate_att", "generate", "simulate"]
