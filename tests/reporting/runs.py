"""Whole runs in one process for the publication tests: every strand of every scope stored as the
notebooks store them (evaluation.runner.session + the strand modules), without starting kernels.

Example
-------
>>> internal = store_run(data_dir, tmp_path / "internal", ["Ostrava"])     # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Sequence
from pathlib import Path

from evaluation.runner.registry import STRANDS, strand_parameters
from evaluation.runner.session import open_session


def store_run(data_dir: Path, internal: Path, municipalities: Sequence[str | None] = (None,), *,
              threshold: int = 5, bootstrap_draws: int = 199, strands: Sequence[str] | None = None) -> Path:
    """Run every strand (or those named) for every scope (None = pooled) and store into ``internal``;
    return it."""
    for municipality in municipalities:
        for strand, spec in STRANDS.items():
            if strands is not None and strand not in strands:
                continue
            module = importlib.import_module(f"evaluation.runner.strands.{strand}")
            extra = {k: v for k, v in strand_parameters(strand).items() if k in spec.extra_parameters}
            if "bootstrap_draws" in extra:
                extra["bootstrap_draws"] = bootstrap_draws
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                session = open_session(strand, data_dir=str(data_dir), results_dir=str(internal),
                                       municipality=municipality, disclosure_threshold=threshold, **extra)
                with_rows = {t for t in session.data.tables if not session.data[t].empty}
                if spec.missing_tables(with_rows):  # the runner skips it in this scope
                    continue
                if strand == "data_quality":
                    output = module.analyse(session.data, full_data=session.full_data, municipality=municipality,
                                            selection=session.selection)
                else:
                    output = module.analyse(session.data, **extra)
                module.save(session, output)
                session.finish()
    return internal
