"""Figures of the economic results drawn the way the reports draw published figures.

Each result names a module-level drawing function in ``figure_drawer``
(``"evaluation.economics.<module>:draw_<x>"``, called as ``draw(table, ax=None, lang="cs",
**options)``) that reads nothing but its tidy table and options: the reports call it on the
published, disclosure-protected table, where a hidden cell arrives as NaN. :meth:`DrawnResult.plot`
calls the same function on the result's own table, through ``evaluation.results.draw_figure``
where the toolkit has it (the publication layer) and directly otherwise, so that a notebook and
a report draw one picture.

Example
-------
>>> import pandas as pd
>>> numeric(pd.DataFrame({"x": ["1", "x", None]}), "x").tolist()
[1.0, nan, nan]
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.results import Result


class DrawnResult(Result):
    """A result whose figure is drawn by the function named in :attr:`figure_drawer` from its tidy table."""

    figure_drawer: ClassVar[str | None] = None

    def figure_options(self) -> dict[str, Any]:
        """Settings of the figure that are not in its table."""
        return {}

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the result's figure on ``ax`` with its drawing function (``lang="cs"`` by default)."""
        if self.figure_drawer is None:
            raise NotImplementedError(f"{type(self).__name__} has no natural plot")
        from evaluation import results

        shared = getattr(results, "draw_figure", None)
        if shared is not None:
            return shared(self, ax=ax, **kwargs)
        module, _, name = self.figure_drawer.partition(":")
        drawer = getattr(importlib.import_module(module), name)
        return drawer(self.tidy(), ax=ax, **{**self.figure_options(), **kwargs})


@dataclass(frozen=True)
class TableResult(DrawnResult):
    """A drawn result whose tidy table is the ``table`` it holds."""

    table: pd.DataFrame

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()


def numeric(table: pd.DataFrame, column: str) -> pd.Series:
    """A column as numbers; a hidden or missing cell (suppressed in a published table) is NaN."""
    if column not in table.columns:
        return pd.Series(np.nan, index=table.index, dtype=float)
    return pd.to_numeric(table[column], errors="coerce").astype(float)


def new_axes(ax: Any, size: tuple[float, float]) -> Any:
    """``ax``, or the axes of a new figure of ``size`` inches."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=size)
    return ax


def label_column(table: pd.DataFrame, lang: str, fallback: str) -> list[str]:
    """Row labels in ``lang`` from ``label_cs``/``label_en`` (else the ``fallback`` column)."""
    column = "label_cs" if lang == "cs" else "label_en"
    source = table[column] if column in table.columns else table[fallback]
    return [str(v) for v in source]


__all__ = ["DrawnResult", "TableResult", "label_column", "new_axes", "numeric"]
