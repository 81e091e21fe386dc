"""Small vectorised helpers shared by the synthetic generators: dates, draws, identifiers, frames.

Dates are handled as ``numpy.datetime64[D]`` (days) and months as ``datetime64[M]`` while
simulating; :func:`frame` turns them into the Dataset conventions at the end. Category
columns are drawn as integer positions and become ``pandas.Categorical`` straight from those
codes (:func:`categorical`), so no column of strings is built at national scale.

Example
-------
>>> import numpy as np
>>> add_months(np.array(["2016-09-14"], dtype="datetime64[D]"), 6.0).astype(str).tolist()
['2017-03-16']
>>> make_ids("H", 3, width=4).tolist()
['H0001', 'H0002', 'H0003']
>>> categorical(["a", "b"], np.array([1, -1, 0])).tolist()
['b', nan, 'a']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


def _small_codes(idx: np.ndarray, k: int) -> np.ndarray:
    return idx.astype(np.int8 if k < 127 else np.int32)


def choose_index(rng: np.random.Generator, shares: Sequence[float], size: int) -> np.ndarray:
    """Draw ``size`` positions into ``shares`` (normalised); small integer codes."""
    p = np.asarray(shares, dtype=float)
    return _small_codes(rng.choice(len(p), size=size, p=p / p.sum()), len(p))


def choose(rng: np.random.Generator, codes: Sequence[str], shares: Sequence[float], size: int) -> np.ndarray:
    """Draw ``size`` codes with the given shares; returns an object array of codes (small tables)."""
    return np.asarray(codes, dtype=object)[choose_index(rng, shares, size)]


def choose_index_by_group(rng: np.random.Generator, group: np.ndarray, shares: Sequence[Sequence[float]]
                          ) -> np.ndarray:
    """Draw one position per row with the shares of the row's group (``group`` = row of ``shares``).

    Inverse CDF on one uniform per row: the position is the number of the group's cumulative
    shares below the uniform, counted one code at a time, so no rows-by-codes matrix is built
    (millions of contacts at national scale).
    """
    cdf = np.cumsum(np.asarray(shares, dtype=float), axis=1)
    cdf /= cdf[:, -1:]
    k = cdf.shape[1]
    u = rng.random(len(group))
    idx = np.zeros(len(group), dtype=np.int8 if k < 127 else np.int32)
    for j in range(k - 1):  # the last cumulative share is 1, never below a uniform draw
        idx += u > cdf[:, j][group]
    return idx


def categorical(codes: Sequence[str], idx: np.ndarray) -> pd.Categorical:
    """A Categorical from positions into ``codes`` (``-1`` = missing) without building strings."""
    return pd.Categorical.from_codes(np.asarray(idx), categories=list(codes))


def _digit_table() -> np.ndarray:
    """ASCII digits of 0..9999, four bytes a number packed in one uint32 (``b"0042"`` for 42)."""
    numbers = np.arange(10_000)
    digits = np.stack([numbers // 1000, numbers // 100 % 10, numbers // 10 % 10, numbers % 10], axis=1)
    return np.ascontiguousarray((digits + ord("0")).astype(np.uint8)).view(np.uint32).ravel()


#: Identifiers written at a time by :func:`make_ids` (bounds its scratch memory).
_ID_BLOCK = 1 << 20


def make_ids(prefix: str, n: int, *, width: int, start: int = 1) -> np.ndarray:
    """Identifiers such as ``H000001``: a prefix and a running number zero-padded to ``width``
    digits, or to as many as the largest number needs (all of the same length); object array.

    The digits are written four at a time into one byte buffer, block by block, and Arrow turns
    the buffer into Python strings: many times faster than string functions row by row at
    national scale (millions of contacts), with little memory besides the strings themselves.
    """
    import pyarrow as pa

    if n == 0:
        return np.empty(0, dtype=object)
    width = max(width, len(str(start + n - 1)))  # never cut a number, like str.zfill
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    length = len(head) + width
    groups = -(-width // 4)
    table = _digit_table()
    buffer = np.empty((n, length), dtype=np.uint8)
    buffer[:, :len(head)] = head
    for lo in range(0, n, _ID_BLOCK):
        numbers = np.arange(start + lo, start + min(lo + _ID_BLOCK, n), dtype=np.int64)
        digits = np.empty((len(numbers), groups), dtype=np.uint32)  # four ASCII digits in each
        for g in range(groups):
            digits[:, groups - 1 - g] = table[numbers // 10_000 ** g % 10_000]
        buffer[lo:lo + len(numbers), len(head):] = digits.view(np.uint8)[:, 4 * groups - width:]
    offsets = np.arange(0, (n + 1) * length, length, dtype=np.int64)
    text = pa.Array.from_buffers(pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(buffer)])
    return text.to_numpy(zero_copy_only=False)


def _category_column(table: str, field, value: object) -> pd.Categorical:
    codes = list(field.codes)
    if isinstance(value, pd.Categorical):
        unknown = sorted(set(value.categories) - set(codes))
        if unknown:  # a generator bug, not a user error
            raise ValueError(f"synthetic {table}.{field.name}: codes {unknown} are not in the data contract")
        return value.set_categories(codes)
    raw = np.asarray(value, dtype=object)
    cat = pd.Categorical(raw, categories=codes)
    lost = cat.isna() & ~pd.isna(raw)
    if lost.any():
        raise ValueError(f"synthetic {table}.{field.name}: codes {sorted(set(raw[lost]))} are not in the data contract")
    return cat


def _integer_column(value: object) -> pd.api.extensions.ExtensionArray:
    if isinstance(value, pd.arrays.IntegerArray) and value.dtype == "Int64":
        return value
    if isinstance(value, np.ndarray) and value.dtype.kind in "iu":
        return pd.arrays.IntegerArray(value.astype(np.int64, copy=False), np.zeros(len(value), dtype=bool))
    return pd.array(value, dtype="Int64")


def _boolean_column(value: object) -> pd.api.extensions.ExtensionArray:
    if isinstance(value, pd.arrays.BooleanArray):
        return value
    if isinstance(value, np.ndarray) and value.dtype == bool:
        return pd.arrays.BooleanArray(value, np.zeros(len(value), dtype=bool))
    return pd.array(value, dtype="boolean")


def frame(table: str, columns: Mapping[str, object]) -> pd.DataFrame:
    """Build a DataFrame that follows the Dataset conventions for ``table`` of the data contract.

    Categories become ``Categorical`` with the schema codes in schema order (from strings, or
    recoded from a ``Categorical`` of some of the codes), dates ``datetime64[ns]``, integers
    ``Int64``, booleans ``boolean``, numbers ``float64`` and text ``object``; columns come in
    schema order and every schema field is present. Arrays already in their final type are
    used as they are, not copied (the frame is not consolidated), which keeps national-scale
    tables within memory.
    """
    schema = get_schema().table(table)
    n = len(next(iter(columns.values())))
    out: dict[str, object] = {}
    for field in schema:
        value = columns.get(field.name)
        if value is None:
            value = np.full(n, None, dtype=object)
        if field.is_categorical:
            out[field.name] = _category_column(table, field, value)
        elif field.type == "date":
            out[field.name] = np.asarray(value).astype("datetime64[ns]", copy=False)
        elif field.type == "integer":
            out[field.name] = _integer_column(value)
        elif field.type == "boolean":
            out[field.name] = _boolean_column(value)
        elif field.type == "number":
            out[field.name] = np.asarray(value, dtype=float)
        else:
            out[field.name] = np.asarray(value, dtype=object)
    return pd.DataFrame(out, copy=False)


@dataclass(frozen=True)
class SpellMonths:
    """One entry per (spell, calendar month) the spell touches, as parallel arrays.

    ``spell`` (position of the spell), ``month`` (``datetime64[M]``), ``offset`` (months since
    the spell's first month), ``days`` covered, ``days_in_month`` and ``first_day`` covered.
    """
    spell: np.ndarray
    month: np.ndarray
    offset: np.ndarray
    days: np.ndarray
    days_in_month: np.ndarray
    first_day: np.ndarray

    def __len__(self) -> int:
        return len(self.spell)


def spell_months(start: np.ndarray, end: np.ndarray) -> SpellMonths:
    """The months touched by spells from ``start`` to ``end`` (``datetime64[D]``, end day included,
    never NaT); compact integer types, since at national scale there are millions of them."""
    first, last = month_of(start), month_of(end)
    count = (last - first).astype(np.int64) + 1
    spell = np.repeat(np.arange(len(start), dtype=np.int32), count)
    offset = (np.arange(count.sum(), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)).astype(np.int32)
    # calendar arithmetic on the few distinct months, then looked up (month-to-day casts are slow)
    calendar = np.arange(first.min(), last.max() + 1) if len(start) else np.empty(0, dtype="datetime64[M]")
    position = (first - calendar[0]).astype(np.int64)[spell] + offset if len(start) else offset
    month_start = calendar.astype("datetime64[D]")
    next_start = (calendar + 1).astype("datetime64[D]")
    # day numbers as plain integers (no dates are missing here, so no NaT checks are needed)
    lo = np.maximum(start.astype(np.int64)[spell], month_start.astype(np.int64)[position])
    hi = np.minimum(end.astype(np.int64)[spell], next_start.astype(np.int64)[position] - 1)
    return SpellMonths(spell=spell, month=calendar[position], offset=offset, days=(hi - lo + 1).astype(np.int32),
                       days_in_month=(next_start - month_start).astype(np.int32)[position],
                       first_day=lo.astype("datetime64[D]"))
