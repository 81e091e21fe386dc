"""Getting validated tables out of a Dataset, checking columns, filtering, and counting exclusions.

Shared by ``evaluation.process`` and ``evaluation.need`` so that every indicator reads its
inputs, reports a missing column and records an exclusion in the same words.

Example
-------
>>> import pandas as pd
>>> frames = {"units": pd.DataFrame({"unit_id": ["U1"], "step": ["crisis"]})}
>>> table(frames, "units", ("unit_id", "step")).shape
(1, 2)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import DataError
from evaluation.reporting.labels import check_lang  # noqa: F401  (re-exported)

#: Average length of a month in days (365.25 / 12), used to express durations in months.
DAYS_PER_MONTH = 365.25 / 12

Tables = Any  # a Dataset or a mapping of table name -> DataFrame


def table(data: Tables, name: str, columns: Iterable[str] = (), *, optional: bool = False
          ) -> pd.DataFrame | None:
    """Return table ``name`` from a Dataset or a mapping, checking that ``columns`` are present."""
    frames = getattr(data, "tables", data)
    if not isinstance(frames, Mapping):
        raise DataError(f"expected a Dataset or a mapping of tables, got {type(data).__name__}")
    if name not in frames or frames[name] is None:
        if optional:
            return None
        present = ", ".join(frames) or "none"
        raise DataError(f"the table {name!r} is needed but the data has none (tables present: {present})")
    frame = frames[name]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"table {name!r} lacks the column(s) {', '.join(map(repr, missing))} "
                        "required by the data contract")
    return frame


def as_timestamp(value: Any, what: str) -> pd.Timestamp:
    """Parse a date argument (``as_of``, ``start``) or raise a clear error."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{what} must be a date such as '2020-12-31', got {value!r}") from exc
    if pd.isna(stamp):
        raise DataError(f"{what} must be a date, got an empty value")
    return stamp.normalize()


def default_as_of(*dates: pd.Series) -> pd.Timestamp:
    """Latest date found in the given columns: the natural end of observation."""
    latest = [s.max() for s in dates if s is not None and len(s) and s.notna().any()]
    if not latest:
        raise DataError("no dates in the data to take the as-of date from; pass as_of explicitly")
    return pd.Timestamp(max(latest)).normalize()


def filter_rows(frame: pd.DataFrame, table_name: str, **criteria: Any) -> pd.DataFrame:
    """Keep rows whose columns equal the given values (None = no filter); nothing matching is an error."""
    for column, wanted in criteria.items():
        if wanted is None:
            continue
        if column not in frame.columns:
            raise DataError(f"cannot filter table {table_name!r} by {column!r}: no such column")
        values = [wanted] if isinstance(wanted, str) or not isinstance(wanted, Iterable) else list(wanted)
        keep = frame[column].astype("object").isin(values).to_numpy(dtype=bool)
        if not keep.any():
            known = sorted(map(str, frame[column].dropna().astype("object").unique()))[:20]
            raise DataError(f"no rows of table {table_name!r} have {column} = {wanted!r} "
                            f"(values present: {', '.join(known) or 'none'})")
        frame = frame.loc[keep]
    return frame


def codes(data_column: pd.Series) -> pd.Series:
    """Category codes as plain strings (object dtype), missing stays missing."""
    return data_column.astype("object")


def category_order(column: pd.Series, fallback: Iterable[str] = ()) -> list[str]:
    """Categories in schema order when the column is categorical, else the sorted values seen."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return [str(c) for c in column.cat.categories]
    seen = sorted(map(str, column.dropna().unique()))
    ordered = [c for c in fallback if c in seen]
    return ordered + [c for c in seen if c not in ordered]


def month_start(dates: pd.Series) -> pd.Series:
    """First day of each date's month."""
    return dates.dt.to_period("M").dt.to_timestamp()


def months_between(start: pd.Series | pd.Timestamp, end: pd.Series | pd.Timestamp) -> Any:
    """Duration in average months (days / 30.44)."""
    delta = pd.to_datetime(end) - pd.to_datetime(start)
    days = delta.dt.days if isinstance(delta, pd.Series) else delta.days
    return days / DAYS_PER_MONTH


@dataclass
class ExclusionLog:
    """Collects rows left out of an analysis, with the reason, for the result's exclusions table."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, table_name: str, rule: str, count: int, reason: str) -> None:
        if int(count) > 0:
            self.rows.append({"table": table_name, "rule": rule, "rows": int(count), "reason": reason})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["table", "rule", "rows", "reason"])

    def notes(self) -> tuple[str, ...]:
        return tuple(f"Excluded {r['rows']} row(s) of {r['table']}: {r['reason']}." for r in self.rows)


def spells_in_scope(data: Tables, columns: Iterable[str], municipality: Any, as_of: Any,
                    log: ExclusionLog) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Tenancy spells (``columns``) of one municipality's households, or all, that started by
    ``as_of`` (default: the latest date in the spells); later spells are logged. ``step`` as codes."""
    tenancies = table(data, "tenancies", tuple(columns))
    if municipality is not None:
        households = filter_rows(table(data, "households", ("household_id", "municipality")), "households",
                                 municipality=municipality)
        tenancies = tenancies.loc[tenancies["household_id"].isin(households["household_id"]).to_numpy(dtype=bool)]
    as_of = as_timestamp(as_of, "as_of") if as_of is not None else default_as_of(
        tenancies["start_date"], tenancies["end_date"])
    late = (tenancies["start_date"] > as_of).to_numpy(dtype=bool)
    log.add("tenancies", "after_as_of", int(late.sum()), "spell starts after the as-of date")
    spells = tenancies.loc[~late].copy()
    spells["step"] = codes(spells["step"])
    return spells, as_of


def drop_missing(frame: pd.DataFrame, table_name: str, columns: Iterable[str], log: ExclusionLog
                 ) -> pd.DataFrame:
    """Drop rows with a missing value in ``columns``, logging each column's count."""
    for column in columns:
        missing = frame[column].isna().to_numpy(dtype=bool)
        if missing.any():
            log.add(table_name, f"missing_{column}", int(missing.sum()), f"{column} is empty")
            frame = frame.loc[~missing]
    return frame


def share(numerator: Any, denominator: Any) -> Any:
    """numerator / denominator with NaN (not an error or inf) where the denominator is zero."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return out if out.ndim else float(out)


