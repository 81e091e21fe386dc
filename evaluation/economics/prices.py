"""Prices of one year: amounts recorded in different years brought to a single price year.

An amount ``A`` recorded in year ``y`` is expressed in the prices of the price year ``P`` by the
ratio of the annual average consumer price index (CPI) of the two years::

    A_P = A_y x I(P) / I(y)

Monthly amounts use the annual average index of their calendar year (the index of a year is the
average of its twelve monthly indices, so it is the price level of a month in the middle of the
year). A cost in a year the index does not cover is an error, never an extrapolation.

The bundled index (``data/cpi_cz.csv``, :func:`czech_cpi`) is the Czech Statistical Office's
(ČSÚ) average annual CPI, previous year = 100 ("míra inflace vyjádřená přírůstkem průměrného
ročního indexu spotřebitelských cen"), 1999–2025, with its source, URL and version in the file's
header. Index levels are chained from it with base 2015 = 100. Another index can be used: a CSV
with ``year`` and ``previous_year_100``, or with ``year`` and ``index`` and a ``# base_year:``
line (:func:`load_price_index`).

Worked example (the bundled index): 1,000 CZK spent in 2020 in 2023 prices is
1,000 x 1.038 x 1.151 x 1.107 = 1,322.6 CZK (average inflation 3.8 % in 2021, 15.1 % in 2022,
10.7 % in 2023).

Example
-------
>>> cpi = czech_cpi()
>>> round(cpi.factor(2020, 2023) * 1000, 1)
1322.6
>>> cpi.base_year, cpi.last_year
(2015, 2025)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import ConfigError, DataError

#: The bundled Czech CPI (ČSÚ, annual averages).
CZECH_CPI_PATH = Path(__file__).with_name("data") / "cpi_cz.csv"


@dataclass(frozen=True)
class PriceIndex:
    """Annual price index levels (``base_year`` = 100) with where they come from."""

    name: str
    years: tuple[int, ...]
    levels: tuple[float, ...]
    base_year: int
    name_cs: str = ""
    publisher: str = ""
    url: str = ""
    version: str = ""
    path: str = ""

    def __post_init__(self) -> None:
        if len(self.years) != len(self.levels) or not self.years:
            raise ConfigError("a price index needs one level for each of at least one year")
        steps = np.diff(np.asarray(self.years))
        if (steps != 1).any():
            raise ConfigError(f"the price index {self.name!r} must cover consecutive years without gaps "
                              f"(found {', '.join(map(str, self.years))})")
        if any(not (math.isfinite(v) and v > 0) for v in self.levels):
            raise ConfigError(f"the price index {self.name!r} has a level that is not a positive number")

    @property
    def first_year(self) -> int:
        return self.years[0]

    @property
    def last_year(self) -> int:
        return self.years[-1]

    def level(self, year: int) -> float:
        """The index level of ``year`` (``base_year`` = 100)."""
        self._check_years([year])
        return self.levels[int(year) - self.first_year]

    def factor(self, from_year: int, to_year: int) -> float:
        """The multiplier that brings an amount of ``from_year`` to the prices of ``to_year``."""
        return self.level(to_year) / self.level(from_year)

    def to_price_year(self, amounts: Any, years: Any, price_year: int) -> np.ndarray:
        """``amounts`` recorded in ``years`` (one year per amount) in the prices of ``price_year``."""
        years = np.asarray(years, dtype=np.int64)
        self._check_years(np.unique(years).tolist() + [price_year])
        levels = np.asarray(self.levels)[years - self.first_year]
        return np.asarray(amounts, dtype=float) * self.level(price_year) / levels

    def table(self) -> pd.DataFrame:
        """``year``, ``index`` (base year = 100) and the annual change (previous year = 100)."""
        levels = np.asarray(self.levels)
        change = np.r_[np.nan, levels[1:] / levels[:-1] * 100]
        return pd.DataFrame({"year": self.years, "index": levels, "previous_year_100": change})

    def describe(self, lang: str = "cs") -> str:
        """The index in words, for the assumptions: name, publisher, version, years."""
        source = ", ".join(part for part in (self.publisher, self.version) if part)
        if lang == "cs":
            return f"{self.name_cs or self.name} ({source}; roky {self.first_year}–{self.last_year})"
        return f"{self.name} ({source}; years {self.first_year}–{self.last_year})"

    def _check_years(self, years: Iterable[int]) -> None:
        outside = sorted({int(y) for y in years if not self.first_year <= int(y) <= self.last_year})
        if outside:
            raise ConfigError(
                f"the price index {self.name!r} covers {self.first_year}–{self.last_year} but year(s) "
                f"{', '.join(map(str, outside))} are needed: add them to the index file"
                + (f" ({self.path})" if self.path else "") + " or choose another price year")


def _metadata(path: Path) -> dict[str, str]:
    meta = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            key, _, value = line[1:].partition(":")
            meta[key.strip().lower()] = value.strip()
    return meta


def load_price_index(path: str | Path | None = None) -> PriceIndex:
    """Read a price index file (default: the bundled ČSÚ CPI). Header lines ``# key: value`` give
    ``name_en`` (or ``name``), ``name_cs``, ``publisher``, ``url``, ``version`` and ``base_year``; the body has ``year`` and either
    ``previous_year_100`` (the annual average index, previous year = 100; levels are chained with
    ``base_year`` = 100) or ``index`` (levels on the base stated in ``base_year``)."""
    path = CZECH_CPI_PATH if path is None else Path(path)
    if not path.is_file():
        raise ConfigError(f"the price index file {str(path)!r} does not exist")
    meta = _metadata(path)
    try:
        body = pd.read_csv(path, comment="#", skip_blank_lines=True)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"the price index file {path.name} cannot be read as CSV: {exc}") from None
    if "year" not in body.columns or not ({"previous_year_100", "index"} & set(body.columns)):
        raise DataError(f"the price index file {path.name} needs a column 'year' and a column "
                        "'previous_year_100' (annual index, previous year = 100) or 'index' (levels)")
    years = pd.to_numeric(body["year"], errors="coerce")
    column = "previous_year_100" if "previous_year_100" in body.columns else "index"
    values = pd.to_numeric(body[column], errors="coerce")
    bad = years.isna() | values.isna() | (values <= 0) | (years != years.round())
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"the price index file {path.name}, data row {row + 1}: year and {column} must be "
                        f"numbers (got {body.iloc[row]['year']!r}, {body.iloc[row][column]!r})")
    order = np.argsort(years.to_numpy())
    years_list = [int(y) for y in years.to_numpy()[order]]
    values = values.to_numpy(float)[order]
    try:
        base_year = int(meta.get("base_year", years_list[0]))
    except ValueError:
        raise DataError(f"the price index file {path.name}: base_year must be a year, "
                        f"not {meta.get('base_year')!r}") from None
    if column == "previous_year_100":
        levels = np.cumprod(np.r_[1.0, values[1:] / 100.0])  # the first year's change links to no level
    else:
        levels = values
    if base_year not in years_list:
        raise DataError(f"the price index file {path.name}: base year {base_year} is not among its years")
    levels = levels / levels[years_list.index(base_year)] * 100.0
    name = meta.get("name_en") or meta.get("name") or path.stem
    return PriceIndex(name=name, years=tuple(years_list), levels=tuple(map(float, levels)), base_year=base_year,
                      name_cs=meta.get("name_cs", name), publisher=meta.get("publisher", ""), url=meta.get("url", ""),
                      version=meta.get("version", ""), path=str(path))


@functools.lru_cache(maxsize=1)
def czech_cpi() -> PriceIndex:
    """The bundled Czech CPI (ČSÚ, annual averages, 2015 = 100)."""
    return load_price_index(CZECH_CPI_PATH)


__all__ = ["CZECH_CPI_PATH", "PriceIndex", "czech_cpi", "load_price_index"]
