"""Building results folders in tests: what notebooks store (internal), then publication.

Example
-------
>>> store = internal_store(tmp_path, "retention")                                  # doctest: +SKIP
>>> key_figure(store, "housed_12m", 0.93, label_cs="V bydlení", label_en="Housed", unit="%", n=138)  # doctest: +SKIP
>>> results = published(tmp_path)                                                  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from evaluation.reporting.publication import publish_results
from evaluation.reporting.store import ResultsStore, StoredResults


def internal_store(root: Path, strand: str, scope: str = "all") -> ResultsStore:
    """The store a notebook writes with, under ``root/internal``."""
    return ResultsStore(Path(root) / "internal", strand=strand, scope=scope)


def key_figure(store: ResultsStore, id: str, value: float | None, *, label_cs: str, label_en: str,
               unit: str = "", n: int | None = None, ci: tuple[float, float] | None = None,
               is_count: bool = False, decimals: int | None = None, n_unit: str = "households") -> None:
    """A key figure with its one-row table (a key figure always refers to a table cell)."""
    table = pd.DataFrame({"value": [value], "conf_low": [ci[0] if ci else None],
                          "conf_high": [ci[1] if ci else None], "n": [n]})
    store.add_table(f"kf_{id}", table, title_cs=label_cs, title_en=label_en,
                    count_columns=["value"] if is_count else [], n_column="n" if n is not None else None,
                    placement="folder")
    store.add_key_figure(id, table=f"kf_{id}", column="value", label_cs=label_cs, label_en=label_en, unit=unit,
                         ci_columns=("conf_low", "conf_high") if ci else None,
                         n_column="n" if n is not None else None, is_count=is_count, decimals=decimals,
                         n_unit=n_unit)


def published(root: Path) -> StoredResults:
    """Publish ``root/internal`` to ``root/published`` and read it as the reports do."""
    publish_results(Path(root) / "internal", Path(root) / "published")
    return ResultsStore.read(Path(root) / "published")


def figure(store: ResultsStore, name: str, *, caption_cs: str, caption_en: str) -> None:
    """A figure with the small monthly table it is drawn from (occupancy of one step)."""
    store.add_table(f"{name}_data", pd.DataFrame({
        "step": ["social"] * 4, "month": ["2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01"],
        "occupancy_rate": [0.5, 0.75, 0.9, 0.95]}), title_cs=caption_cs, title_en=caption_en, placement="folder")
    store.add_figure(name, table=f"{name}_data", plotter="evaluation.process.reach:draw_occupancy",
                     caption_cs=caption_cs, caption_en=caption_en)
