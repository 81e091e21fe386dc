"""Making a table coarser so that it can be published: curves in steps of enough events,
tables without their totals.

Example
-------
>>> import pandas as pd
>>> curve = pd.DataFrame({"group": ["all"] * 4, "time": [1.0, 2.0, 3.0, 4.0],
...                       "estimate": [0.98, 0.95, 0.9, 0.88], "n_risk": [50, 49, 47, 44],
...                       "n_events": [1, 2, 3, 1]})
>>> coarse, _ = coarsen_curve(curve, {"group": ["group"], "time": "time", "events": "n_events"}, 5)
>>> coarse[["time", "estimate", "n_events"]].values.tolist()
[[3.0, 0.9, 6.0]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from evaluation.reporting.disclosure import is_total_label


def coarsen_curve(data: pd.DataFrame, curve: Mapping[str, Any], threshold: int) -> tuple[pd.DataFrame, tuple[str, str] | None]:
    """Keep a step of a survival or cumulative-incidence curve only where at least ``threshold``
    events happened since the last step kept (each step then stands for that many households,
    not one); the events of the steps merged are added to the step kept, steps after the last
    kept one are left out. Returns the coarser curve and the note saying so (None when nothing
    changed)."""
    groups = [g for g in curve.get("group", []) if g in data.columns]
    time, events = curve.get("time", "time"), curve.get("events", "n_events")
    if time not in data.columns or events not in data.columns or data.empty:
        return data, None
    keep, merged = [], []
    ordered = data.sort_values([*groups, time], kind="stable")
    for _, part in (ordered.groupby(groups, sort=False, dropna=False) if groups else [(None, ordered)]):
        pending = 0.0
        for index, value in zip(part.index, pd.to_numeric(part[events], errors="coerce").fillna(0)):
            pending += float(value)
            if pending >= threshold:
                keep.append(index)
                merged.append(pending)
                pending = 0.0
    coarse = data.loc[keep].copy()
    coarse[events] = merged
    dropped = [c for c in curve.get("drop", []) if c in coarse.columns]
    coarse = coarse.drop(columns=dropped).reset_index(drop=True)
    if len(coarse) == len(data) and not dropped:
        return coarse, None
    return coarse, (f"Křivka je zjednodušená: každý schod představuje nejméně {threshold} událostí, aby z ní "
                    "nešlo vyčíst jednotlivé domácnosti.",
                    f"The curve is simplified: each step stands for at least {threshold} events, so that no "
                    "single household can be read from it.")


def _margin_rows(table: pd.DataFrame, counts: Sequence[str]) -> pd.Series:
    text = [c for c in table.columns if c not in counts and not pd.api.types.is_numeric_dtype(table[c])]
    if not text:
        return pd.Series(False, index=table.index)
    return table[text].apply(lambda column: column.map(is_total_label)).any(axis=1)


def has_margins(table: pd.DataFrame, counts: Sequence[str]) -> bool:
    """Whether the table has a total row or a total count column."""
    return bool(_margin_rows(table, counts).any()) or any(is_total_label(c) for c in counts)


def drop_margins(table: pd.DataFrame, counts: Sequence[str]) -> pd.DataFrame:
    """The table without its total rows and total count columns."""
    rows = ~_margin_rows(table, counts)
    columns = [c for c in table.columns if not (c in counts and is_total_label(c))]
    return table.loc[rows, columns].reset_index(drop=True)
