"""What a strand notebook opens first: the data in scope, the results store, and safe display.

A notebook cell should only load, call, display and store; this module does the
load-and-scope part and shows results as they will be published (disclosure control
applied), so that an executed notebook can be shared without household-level rows.

Example
-------
>>> session = open_session("retention", data_dir="demo_data", results_dir="results",
...                        municipality="Ostrava")            # doctest: +SKIP
>>> session.show(session.selection)                           # doctest: +SKIP
"""

from __future__ import annotations

import html
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from evaluation.data.dataset import Dataset
from evaluation.errors import ConfigError
from evaluation.results import Result
from evaluation.runner.registry import ALL_STRANDS
from evaluation.runner.selection import ScopeSelection, select_scope
from evaluation.runner.strands._common import disclosure_columns


@dataclass(frozen=True)
class Published:
    """A table as it will be published: shown in Jupyter as HTML, with its notes."""

    title: str
    table: pd.DataFrame
    notes: tuple[str, ...] = ()

    def _repr_html_(self) -> str:
        notes = "".join(f"<li>{html.escape(str(n))}</li>" for n in self.notes)
        return (f"<div class='evaluation-published'><h4>{html.escape(self.title)}</h4>"
                + self.table.to_html(index=False, border=0, float_format="{:.4g}".format)
                + (f"<ul>{notes}</ul>" if notes else "") + "</div>")

    def __repr__(self) -> str:
        return f"{self.title}\n{self.table.to_string(index=False)}" + "".join(f"\n* {n}" for n in self.notes)


@dataclass
class Session:
    """The scope of one notebook run: data, results store, parameters (for provenance)."""

    strand: str
    selection: ScopeSelection
    store: Any  # evaluation.reporting.ResultsStore
    parameters: Mapping[str, Any]
    lang: str = "cs"
    started: float = field(default_factory=time.perf_counter)

    @property
    def data(self) -> Dataset:
        return self.selection.dataset

    @property
    def full_data(self) -> Dataset:
        """The data folder as loaded, before the scope (for the ledger and the participant flow)."""
        return self.selection.source if self.selection.source is not None else self.data

    @property
    def municipality(self) -> str | None:
        return self.parameters.get("municipality")

    @property
    def scope(self) -> str:
        return self.store.scope

    def show(self, result: Result | pd.DataFrame, *, title: str | None = None) -> Published:
        """The table of ``result`` after disclosure control, for display in the notebook."""
        from evaluation.reporting.disclosure import DisclosureRules, protect_table

        if isinstance(result, Result):
            table = result.tidy()
            counts, n_column = disclosure_columns(result, table)
            title, notes = title or result.title, tuple(result.notes)
        else:
            table, counts, n_column, notes = result, (), None, ()
        protected = protect_table(table.reset_index(drop=True), count_columns=counts, n_column=n_column,
                                  rules=DisclosureRules(threshold=self.store.rules.threshold),
                                  name=title or "table")
        return Published(title or "", protected.table, notes)

    def finish(self, **extra: Any) -> dict[str, Any]:
        """Write the provenance record (meta.json) of this strand and scope."""
        notebook = ALL_STRANDS[self.strand].notebook
        return self.store.write_meta(dataset=self.data, parameters=dict(self.parameters), notebook=notebook,
                                     scope_notes=list(self.selection.notes),
                                     seconds=round(time.perf_counter() - self.started, 1), **extra)


def open_session(strand: str, *, data_dir: str, results_dir: str, municipality: str | None = None,
                 programme_step: str | None = None, period_start: str | None = None,
                 period_end: str | None = None, lang: str = "cs", disclosure_threshold: int = 5,
                 seed: int = 2019, on_error: str = "raise", **strand_parameters: Any) -> Session:
    """Load and validate ``data_dir``, keep the scope, and open the results store for ``strand``.

    Raises DataError when the data cannot be used and ConfigError for a scope the data
    does not hold.
    """
    from evaluation.data.loader import load_folder
    from evaluation.reporting.store import ALL_SCOPE, ResultsStore

    if strand not in ALL_STRANDS:
        raise ConfigError(f"unknown strand {strand!r}; known strands: {', '.join(ALL_STRANDS)}")
    if lang not in ("cs", "en"):
        raise ConfigError(f"lang must be 'cs' or 'en', got {lang!r}")
    dataset = load_folder(data_dir, on_error=on_error, lang=lang)
    selection = select_scope(dataset, municipality=municipality, programme_step=programme_step,
                             period=(period_start, period_end))
    store = ResultsStore(results_dir, strand=ALL_STRANDS[strand].store_name, scope=municipality or ALL_SCOPE,
                         threshold=disclosure_threshold)
    parameters = dict(municipality=municipality, programme_step=programme_step, period_start=period_start,
                      period_end=period_end, lang=lang, disclosure_threshold=disclosure_threshold, seed=seed,
                      on_error=on_error, **strand_parameters)
    return Session(strand=strand, selection=selection, store=store, parameters=parameters, lang=lang)
