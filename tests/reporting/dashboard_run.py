"""A small published run with contact points in three regions, for the dashboard tests.

The synthetic pilot applications (evaluation.synthetic, seed 2019) are moved in part to two
contact points outside Prague — half of KMB Praha 3's to a Brno contact point, and 14 of KMB
Praha 10's to a small one in Kraslice, whose counts fall below the threshold, so that the
published tables hold small-count (``<5``) and complementary (``x``) cells. The process and need
strands run on the applications alone (as a national contact-point export would be), are stored
as the notebooks store them and published by the real publication step. Built once per test
session and shared between xdist workers (a file lock).

Example
-------
>>> published = build_published_run(tmp_path)        # doctest: +SKIP
"""

from __future__ import annotations

import fcntl
import importlib
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

#: The directory a user would give: each contact point's district and region (the synthetic
#: MHMP contact point reports under the municipality, which stands in for its district).
DIRECTORY = """contact_point;district;region
KMB MHMP;Praha;Hlavní město Praha
KMB Praha 3;Praha 3;Hlavní město Praha
KMB Praha 7;Praha 7;Hlavní město Praha
KMB Praha 10;Praha 10;Hlavní město Praha
KMB Brno-střed;Brno-střed;Jihomoravský kraj
KMB Kraslice;Kraslice;Karlovarský kraj
"""


def _applications(folder: Path) -> pd.DataFrame:
    from evaluation.synthetic import generate

    generate(folder, seed=2019, scale=1.0, formats=("parquet",))
    apps = pd.read_parquet(folder / "parquet" / "applications.parquet")
    rng = np.random.default_rng(7)
    praha_3 = apps.index[apps["contact_point"] == "KMB Praha 3"]
    brno = rng.choice(praha_3, size=len(praha_3) // 2, replace=False)
    apps.loc[brno, ["contact_point", "municipality", "district"]] = ["KMB Brno-střed", "Brno", "Brno-střed"]
    praha_10 = apps.index[apps["contact_point"] == "KMB Praha 10"]
    small = rng.choice(praha_10, size=14, replace=False)
    apps.loc[small, ["contact_point", "municipality", "district"]] = ["KMB Kraslice", "Kraslice", "Kraslice"]
    return apps


def _build(root: Path) -> None:
    from evaluation.reporting.publication import publish_results
    from evaluation.runner.registry import STRANDS, strand_parameters
    from evaluation.runner.session import open_session

    data = root / "data"
    data.mkdir(parents=True)
    _applications(root / "synthetic").to_parquet(data / "applications.parquet")
    internal = root / "internal" / "results"
    for strand in ("process", "need"):
        spec = STRANDS[strand]
        module = importlib.import_module(f"evaluation.runner.strands.{strand}")
        extra = {k: v for k, v in strand_parameters(strand).items() if k in spec.extra_parameters}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            session = open_session(strand, data_dir=str(data), results_dir=str(internal), municipality=None,
                                   disclosure_threshold=5, **extra)
            module.save(session, module.analyse(session.data, **extra))
            session.finish()
    publish_results(internal, root / "published" / "results")
    (root / "directory.csv").write_text(DIRECTORY, encoding="utf-8")
    (root / "done").touch()


def build_published_run(shared: Path) -> Path:
    """The run's folder under ``shared`` (built by the first worker that asks; the others wait)."""
    root = shared / "dashboard-run"
    shared.mkdir(parents=True, exist_ok=True)
    with open(shared / "dashboard-run.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (root / "done").is_file():
                shutil.rmtree(root, ignore_errors=True)  # what a failed build left
                _build(root)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return root
