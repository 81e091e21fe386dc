"""The validated data that every analysis takes: one DataFrame per table of the contract.

Conventions every analysis can rely on (the loader guarantees them):

* column names are the field names of ``data_schema/``;
* category columns are ``pandas.Categorical`` whose categories are the schema codes
  (English snake_case codes, whatever language the file used), in schema order;
* date columns are ``datetime64[ns]`` (``NaT`` when empty); integer columns are ``Int64``;
  number columns ``float64``; boolean columns ``boolean``; text columns ``object``;
* ``ledger`` counts the rows that came in per table and those excluded, by rule.

Example
-------
>>> import pandas as pd
>>> ds = Dataset.from_frames({"units": pd.DataFrame({"unit_id": ["U1"]})})
>>> ds.has("units"), ds.has("costs")
(True, False)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Dataset:
    tables: Mapping[str, pd.DataFrame] = field(repr=False)
    ledger: Any = field(default=None, repr=False)  # evaluation.data.ledger.Ledger
    report: Any = field(default=None, repr=False)  # evaluation.data.validation.ValidationReport
    study_period: tuple[pd.Timestamp, pd.Timestamp] | None = None
    source: str = ""
    fingerprint: str = ""  # hash of the input files, for report provenance
    metadata: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        # Never print rows: a repr ends up in logs and notebooks, and the rows are household data.
        sizes = ", ".join(f"{name}={len(frame):,}" for name, frame in self.tables.items())
        return f"Dataset({sizes}; source={self.source!r}, fingerprint={self.fingerprint[:12]!r})"

    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame], **kwargs: Any) -> Dataset:
        """Wrap DataFrames that already follow the conventions (tests, researchers)."""
        return cls(tables=MappingProxyType(dict(frames)), **kwargs)

    def __getitem__(self, name: str) -> pd.DataFrame:
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"the data has no table {name!r}; tables present: {', '.join(self.tables)}") from None

    def has(self, name: str) -> bool:
        return name in self.tables

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = object.__getattribute__(self, "tables")
        if name in tables:
            return tables[name]
        raise AttributeError(name)
