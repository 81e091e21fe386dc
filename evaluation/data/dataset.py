"""The validated data that every analysis takes: one DataFrame per table of the contract.

Conventions every analysis can rely on (the loader guarantees them):

* column names are the field names of ``data_schema/``;
* category columns are ``pandas.Categorical`` whose categories are the schema codes
  (English snake_case codes, whatever language the file used), in schema order;
* date columns are ``datetime64[ns]`` (``NaT`` when empty); integer columns are ``Int64``;
  number columns ``float64``; boolean columns ``boolean``; text columns ``object``;
* ``ledger`` counts the rows that came in per table and those excluded, by rule.

A folder may hold only some tables (a contact point sends only its applications).
:meth:`Dataset.availability` says which analyses the data allow and why the others cannot
run (a table absent or without rows, a column the analysis reads missing from the file),
from the one table of needs in :mod:`evaluation.data.needs`; :meth:`Dataset.can_run` and
:meth:`Dataset.runnable_strands` answer the runner's questions directly.

Example
-------
>>> import pandas as pd
>>> ds = Dataset.from_frames({"units": pd.DataFrame({"unit_id": ["U1"]})})
>>> ds.has("units"), ds.has("costs")
(True, False)
>>> ds.can_run("need.excluded_locality"), ds.can_run("retention.retention")
(True, False)
>>> ds.runnable_strands()
('data_quality', 'need')
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

    # -- which tables are there, and what they allow ---------------------------------------------
    @property
    def present_tables(self) -> tuple[str, ...]:
        """Tables in the data (with or without rows)."""
        return tuple(self.tables)

    @property
    def absent_tables(self) -> tuple[str, ...]:
        """Tables of the data contract that the data do not have."""
        if "absent_tables" in self.metadata:
            return tuple(self.metadata["absent_tables"])
        from evaluation.data.schema import get_schema

        return tuple(t for t in get_schema().table_names if t not in self.tables)

    @property
    def missing_fields(self) -> Mapping[str, tuple[str, ...]]:
        """Per table, the optional fields whose column was not in the file (the loader filled them empty)."""
        return MappingProxyType(dict(self.metadata.get("missing_fields", {})))

    def availability(self) -> pd.DataFrame:
        """One row per analysis the strands run: ``strand``, ``analysis``, ``available`` and, when not,
        ``missing_tables``, ``empty_tables``, ``missing_fields`` and the reason in Czech and English.

        Example: ``ds.availability().query("not available")[["strand", "analysis", "reason_en"]]``
        """
        from evaluation.data.needs import availability

        return availability({name: len(frame) for name, frame in self.tables.items()}, self.missing_fields)

    def can_run(self, analysis: str) -> bool:
        """Whether the data allow ``analysis`` (``"strand.name"``, or the name when unique), e.g.
        ``ds.can_run("process.processing_time")``."""
        from evaluation.data.needs import analysis as find

        needs = find(analysis)
        table = self.availability()
        row = table[(table["strand"] == needs.strand) & (table["analysis"] == needs.name)]
        return bool(row["available"].iloc[0])

    def runnable_strands(self) -> tuple[str, ...]:
        """Strands with at least one analysis the data allow, in the order of :data:`evaluation.data.needs.STRANDS`."""
        table = self.availability()
        return tuple(dict.fromkeys(table.loc[table["available"], "strand"]))
