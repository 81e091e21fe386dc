"""Figures as published: drawn from the protected tables, never from the data.

A figure stored by a notebook is a specification (which table, which drawing function,
see :meth:`ResultsStore.add_figure`). Here the drawing function gets the *published* table,
with every hidden cell empty, so a chart cannot show what its table hides; the vector file
holds only what the chart shows (shares rounded as published, no hidden point).

Example
-------
>>> numeric_table(pd.DataFrame({"step": ["a"], "households": ["<5"], "share": ["0.5"]}))["households"].isna().all()
True
"""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.errors import EvaluationError


def numeric_table(published: pd.DataFrame, text_columns: Sequence[str] = ()) -> pd.DataFrame:
    """The published table for drawing: hidden cells (``<5``, ``x``) empty, numbers as numbers;
    the symbols stay in ``attrs["symbols"]`` by ``(index, column)`` for labels that print counts."""
    table = published.copy()
    symbols = {}
    for column in table.columns:
        if column in text_columns:
            continue
        converted = pd.to_numeric(table[column], errors="coerce")
        original = table[column].astype(str).str.strip()
        hidden = original.str.startswith("<") | (original == "x")
        if converted.notna().any() or hidden.any():
            table[column] = converted
            symbols.update({(index, column): original[index] for index in original.index[hidden]})
    table.attrs["symbols"] = symbols
    return table


def plotter(path: str) -> Callable[..., Any]:
    """The drawing function ``package.module:function``."""
    module, _, name = path.partition(":")
    try:
        function = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as error:
        raise EvaluationError(f"cannot find the drawing function {path!r}: {error}") from None
    return function


def draw(spec: Mapping[str, Any], tables: Mapping[str, pd.DataFrame], folder: Path, langs: Sequence[str],
         dpi: int = 200) -> list[Path]:
    """Draw figure ``spec`` in every language into ``folder`` (PNG for PDF and DOCX, SVG for HTML).

    ``tables`` are the published tables of the strand for drawing (:func:`numeric_table`).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from evaluation.reporting.style import localise_axes, report_style

    function = plotter(spec["plotter"])
    main = tables[spec["table"]]
    extra = {role: tables[name] for role, name in (spec.get("extra_tables") or {}).items()}
    written = []
    folder.mkdir(parents=True, exist_ok=True)
    for lang in langs:
        with report_style(lang):
            fig, ax = plt.subplots(figsize=tuple(spec.get("options", {}).get("figsize", (7, 4.2))))
            try:
                options = {k: v for k, v in (spec.get("options") or {}).items() if k != "figsize"}
                function(main, ax=ax, lang=lang, **options, **extra)
                localise_axes(fig, lang)
                for fmt, kwargs in (("png", {"dpi": dpi}), ("svg", {"metadata": {"Date": None}})):
                    target = folder / f"{spec['name']}.{lang}.{fmt}"
                    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{spec['name']}.", suffix=f".{fmt}")
                    os.close(handle)
                    try:
                        fig.savefig(temporary, format=fmt, bbox_inches="tight", **kwargs)
                        os.replace(temporary, target)
                    finally:
                        Path(temporary).unlink(missing_ok=True)
                    written.append(target)
            finally:
                plt.close(fig)
    return written
