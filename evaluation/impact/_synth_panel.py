"""Turning a long panel into the unit x period matrices of synthetic control and synthetic DiD,
with the checks real municipal data need (one row per unit and period, no missing outcomes, a
0/1 treatment that stays on), each failing with a message that names the units and periods.

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"m": ["A", "A", "B", "B"], "t": [1, 2, 1, 2], "y": [1.0, 2, 3, 4],
...                    "d": [0, 1, 0, 0]})
>>> wide = outcome_matrix(df, "y", "m", "t")
>>> wide.shape, adoption_periods(df, "m", "t", "d").to_dict()
((2, 2), {'A': 2.0, 'B': nan})
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from evaluation.errors import DataError
from evaluation.impact._design import require_columns

#: At most this many unit/period pairs are named in an error message.
SHOW = 8


def _pairs(cells: Iterable[tuple[object, object]], unit: str, time: str) -> str:
    cells = list(cells)
    text = ", ".join(f"{unit} {u!s} in {time} {t!s}" for u, t in cells[:SHOW])
    return text + (f" and {len(cells) - SHOW} more" if len(cells) > SHOW else "")


def check_frame(data: pd.DataFrame, columns: Sequence[str | None]) -> pd.DataFrame:
    """The columns exist; one row per (unit, time) pair (the first two columns)."""
    require_columns(data, columns)
    unit, time = columns[0], columns[1]
    for column in (unit, time):
        if data[column].isna().any():
            raise DataError(f"column {column!r} is missing in {int(data[column].isna().sum())} row(s); "
                            f"every row needs its {column}")
    dup = data.duplicated([unit, time], keep=False)
    if dup.any():
        cells = data.loc[dup, [unit, time]].drop_duplicates().itertuples(index=False)
        raise DataError(f"more than one row for {_pairs(cells, unit, time)}: the panel needs one row "
                        f"per {unit} and {time}")
    return data


def outcome_matrix(data: pd.DataFrame, outcome: str, unit: str, time: str, *,
                   allow_missing: bool = False) -> pd.DataFrame:
    """Units x periods table of ``outcome`` (sorted); missing cells raise unless ``allow_missing``."""
    check_frame(data, [unit, time, outcome])
    values = pd.to_numeric(data[outcome], errors="coerce")
    bad = values.isna() & data[outcome].notna()
    if bad.any():
        raise DataError(f"column {outcome!r} has values that are not numbers for "
                        f"{_pairs(data.loc[bad, [unit, time]].itertuples(index=False), unit, time)}")
    frame = pd.DataFrame({unit: data[unit].to_numpy(), time: data[time].to_numpy(), "_y": values.to_numpy()})
    wide = frame.pivot(index=unit, columns=time, values="_y").sort_index().sort_index(axis=1)
    if not allow_missing and wide.isna().any().any():
        cells = [(u, t) for u, t in zip(*np.nonzero(wide.isna().to_numpy()))]
        named = [(wide.index[u], wide.columns[t]) for u, t in cells]
        absent = len(wide.index) * len(wide.columns) - len(frame)
        raise DataError(f"{outcome!r} is missing for {_pairs(named, unit, time)} "
                        + (f"({absent} unit-period row(s) absent from the data, the rest empty); " if absent else "; ")
                        + "the method needs a balanced panel with the outcome in every period: "
                        "fill the gaps or leave those units out")
    return wide


def adoption_periods(data: pd.DataFrame, unit: str, time: str, treatment: str) -> pd.Series:
    """First period with ``treatment`` = 1 per unit (NaN if never); the indicator must stay on."""
    check_frame(data, [unit, time, treatment])
    d = pd.to_numeric(data[treatment], errors="coerce")
    bad = d.isna() | ~d.isin([0, 1])
    if bad.any():
        raise DataError(f"column {treatment!r} must be 0 or 1 in every row; not so for "
                        f"{_pairs(data.loc[bad, [unit, time]].itertuples(index=False), unit, time)}")
    wide = pd.DataFrame({unit: data[unit].to_numpy(), time: data[time].to_numpy(), "_d": d.to_numpy()}) \
        .pivot(index=unit, columns=time, values="_d").sort_index().sort_index(axis=1)
    values = wide.to_numpy()
    switched_off = []
    for i, row in enumerate(values):
        seen = row[~np.isnan(row)]
        if seen.size and np.any(np.diff(seen) < 0):
            switched_off.append(wide.index[i])
    if switched_off:
        raise DataError(f"{treatment!r} goes back from 1 to 0 for {unit} "
                        f"{', '.join(map(str, switched_off[:SHOW]))}: these methods need a treatment that, "
                        "once started, stays on (code the programme's start, not its activity)")
    first = {}
    for i, u in enumerate(wide.index):
        on = np.flatnonzero(values[i] == 1)
        first[u] = wide.columns[on[0]] if on.size else np.nan
    return pd.Series(first, name="adoption")
