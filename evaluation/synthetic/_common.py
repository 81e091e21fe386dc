"""Small vectorised helpers shared by the synthetic generators: dates, draws, identifiers, frames.

Dates are handled as ``numpy.datetime64[D]`` (days) and months as ``datetime64[M]`` while
simulating; :func:`frame` turns them into the Dataset conventions at the end.

Example
-------
>>> import numpy as np
>>> add_months(np.array(["2016-09-14"], dtype="datetime64[D]"), 6.0).astype(str).tolist()
['2017-03-15']
>>> make_ids("H", 3, width=4).tolist()
['H0001', 'H0002', 'H0003']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from evaluation.data.schema import get_schema
from evaluation.synthetic.calibration import DAYS_PER_MONTH


def add_months(dates: np.ndarray, months: np.ndarray | float) -> np.ndarray:
    """Dates plus a (fractional) number of average-length months, rounded to whole days."""
    return dates + np.rint(np.asarray(months, dtype=float) * DAYS_PER_MONTH).astype("timedelta64[D]")


def month_of(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[M]")


def first_day(months: np.ndarray) -> np.ndarray:
    return months.astype("datetime64[D]")


def days_in_month(months: np.ndarray) -> np.ndarray:
    return ((months + 1).astype("datetime64[D]") - months.astype("datetime64[D]")).astype(np.int64)


def choose(rng: np.random.Generator, codes: Sequence[str], shares: Sequence[float], size: int) -> np.ndarray:
    """Draw ``size`` codes with the given shares; returns an object array of codes."""
    p = np.asarray(shares, dtype=float)
    idx = rng.choice(len(codes), size=size, p=p / p.sum())
    return np.asarray(codes, dtype=object)[idx]


def choose_by_group(rng: np.random.Generator, groups: np.ndarray, codes: Sequence[str],
                    shares: Mapping[str, Sequence[float]]) -> np.ndarray:
    """Draw one code per row with shares that depend on the row's group (inverse-CDF, vectorised)."""
    keys = list(shares)
    cdf = np.cumsum(np.array([shares[k] for k in keys], dtype=float), axis=1)
    cdf /= cdf[:, -1:]
    row_cdf = cdf[pd.Index(keys).get_indexer(groups)]
    u = rng.random(len(groups))[:, None]
    idx = np.minimum((u > row_cdf).sum(axis=1), len(codes) - 1)
    return np.asarray(codes, dtype=object)[idx]


def make_ids(prefix: str, n: int, *, width: int, start: int = 1) -> np.ndarray:
    """Identifiers such as ``H000001``: a prefix and a zero-padded running number."""
    numbers = np.arange(start, start + n).astype(str)
    return np.char.add(prefix, np.char.zfill(numbers, width)).astype(object)


def frame(table: str, columns: Mapping[str, object]) -> pd.DataFrame:
    """Build a DataFrame that follows the Dataset conventions for ``table`` of the data contract.

    Categories become ``Categorical`` with the schema codes in schema order, dates
    ``datetime64[ns]``, integers ``Int64``, booleans ``boolean``, numbers ``float64`` and text
    ``object``; columns come in schema order and every schema field is present.
    """
    schema = get_schema().table(table)
    n = len(next(iter(columns.values())))
    out: dict[str, object] = {}
    for field in schema:
        value = columns.get(field.name)
        if value is None:
            value = np.full(n, None, dtype=object)
        if field.is_categorical:
            raw = np.asarray(value, dtype=object)
            cat = pd.Categorical(raw, categories=list(field.codes))
            if (cat.isna() & ~pd.isna(raw)).any():  # a generator bug, not a user error
                bad = sorted(set(raw[cat.isna() & ~pd.isna(raw)]))
                raise ValueError(f"synthetic {table}.{field.name}: codes {bad} are not in the data contract")
            out[field.name] = cat
        elif field.type == "date":
            out[field.name] = pd.to_datetime(np.asarray(value).astype("datetime64[ns]"))
        elif field.type == "integer":
            out[field.name] = pd.array(value, dtype="Int64")
        elif field.type == "boolean":
            out[field.name] = pd.array(value, dtype="boolean")
        elif field.type == "number":
            out[field.name] = np.asarray(value, dtype=float)
        else:
            out[field.name] = np.asarray(value, dtype=object)
    return pd.DataFrame(out)


def spell_months(start: np.ndarray, end: np.ndarray) -> pd.DataFrame:
    """One row per (spell, calendar month) the spell touches: ``spell`` (position), ``month``,
    ``offset`` (months since the spell's first month), ``days`` covered and ``days_in_month``.

    ``start`` and ``end`` are ``datetime64[D]`` arrays (the end day included, never NaT).
    """
    first, last = month_of(start), month_of(end)
    count = (last - first).astype(np.int64) + 1
    spell = np.repeat(np.arange(len(start)), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    month = first[spell] + offset
    month_start = month.astype("datetime64[D]")
    month_end = (month + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    lo = np.maximum(start[spell], month_start)
    hi = np.minimum(end[spell], month_end)
    return pd.DataFrame({"spell": spell, "month": month, "offset": offset,
                         "days": (hi - lo).astype(np.int64) + 1, "days_in_month": days_in_month(month),
                         "first_day": lo})
