"""The one surface every estimator and indicator result shares.

A result is immutable: estimators build it once in ``fit`` (or the indicator
function) and nothing patches it afterwards. Subclasses are frozen dataclasses
that implement :meth:`Result.tidy`; the text summary, the Jupyter HTML view and
the disclosure metadata come from this base class.

Example
-------
>>> from dataclasses import dataclass
>>> import pandas as pd
>>> @dataclass(frozen=True)
... class Share(Result):
...     table: pd.DataFrame
...     title: str = "Share housed"
...     def tidy(self) -> pd.DataFrame:
...         return self.table.copy()
>>> Share(pd.DataFrame({"term": ["x"], "estimate": [0.5]})).tidy().shape
(1, 2)
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

#: Column names used in every tidy table, so reports can read any result.
ESTIMATE_COLUMNS = ("term", "estimate", "std_error", "conf_low", "conf_high", "p_value")


#: ``FigureTable.family`` for a figure's table that holds numbers of the result's own table.
RESULT_FAMILY = "<result>"


@dataclass(frozen=True)
class FigureTable:
    """A table a result's figure is drawn from, with what disclosure control needs to protect it
    before the figure is drawn (see ``ResultsStore.add_table``): counts, the base of derived
    figures, the counts a row's estimates follow, and for a step curve its groups, time and
    events (each published step must stand for enough events)."""

    data: pd.DataFrame
    count_columns: tuple[str, ...] = ()
    n_column: str | None = None
    follows: tuple[str, ...] = ()
    curve: Mapping[str, Any] | None = None
    family: str | None = None
    dimensions: tuple[str, ...] | None = None
    title_cs: str = ""
    title_en: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    """Base class of all results.

    Subclasses are ``@dataclass(frozen=True)`` and define ``title`` and
    :meth:`tidy`. ``count_columns`` names the tidy columns that hold counts of
    households (or applications, units) so that disclosure control can suppress
    small cells; ``n_column`` names the column with the number of units behind a
    derived figure (a share or mean), which is suppressed when that number is small;
    ``count_relations`` declares identities between count columns (see below).
    """

    count_columns: ClassVar[tuple[str, ...]] = ()
    n_column: ClassVar[str | None] = None
    #: Identities between count columns that disclosure control cannot detect by itself
    #: (more than four columns, coefficients other than 1), as
    #: ``evaluation.reporting.identities.ColumnRelation`` objects.
    count_relations: ClassVar[tuple[Any, ...]] = ()
    #: Count columns whose suppression hides every estimate of the row (a survival estimate
    #: follows its events and the households at risk).
    derived_follow: ClassVar[tuple[str, ...]] = ()
    #: ``"package.module:function"`` drawing this result's figure from its (published) table:
    #: ``function(table, ax=None, lang="cs", **options)``; :meth:`plot` calls the same function,
    #: so the figure in a notebook and in a report is one drawing.
    figure_drawer: ClassVar[str | None] = None

    @property
    def title(self) -> str:  # overridden by a dataclass field or property
        return type(self).__name__

    @property
    def notes(self) -> tuple[str, ...]:
        """Short lines shown under the table: method, exclusions, warnings."""
        return ()

    def tidy(self) -> pd.DataFrame:
        raise NotImplementedError

    def summary(self) -> str:
        table = self.tidy()
        with pd.option_context("display.width", 120, "display.max_columns", 20,
                               "display.float_format", "{:.4g}".format):
            body = table.to_string(index=False)
        lines = [self.title, "=" * len(self.title), body]
        if self.notes:
            lines += [""] + [f"* {note}" for note in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        table = self.tidy().to_html(index=False, float_format="{:.4g}".format, border=0)
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (f"<div class='evaluation-result'><h4>{html.escape(self.title)}</h4>{table}"
                + (f"<ul>{notes}</ul>" if notes else "") + "</div>")

    def figure_tables(self) -> Mapping[str, FigureTable]:
        """The tables the figure is drawn from, by keyword of :attr:`figure_drawer` (the first is
        its positional table); empty when it draws :meth:`tidy` itself."""
        return {}

    def figure_options(self) -> dict[str, Any]:
        """Settings of the figure that are not in its table (reference period, test p-value...)."""
        return {}

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the natural picture of this result on ``ax`` (matplotlib) and return the axes."""
        if self.figure_drawer is None:
            raise NotImplementedError(f"{type(self).__name__} has no natural plot")
        return draw_figure(self, ax=ax, **kwargs)


def draw_figure(result: Result, ax: Any = None, **kwargs: Any) -> Any:
    """Draw ``result`` with its :attr:`~Result.figure_drawer` from its own (unprotected) tables."""
    import importlib

    module, _, name = str(result.figure_drawer).partition(":")
    drawer = getattr(importlib.import_module(module), name)
    tables = dict(result.figure_tables())
    options = {**result.figure_options(), **kwargs}
    if not tables:
        return drawer(result.tidy(), ax=ax, **options)
    (first, main), *extra = tables.items()
    return drawer(main.data, ax=ax, **{**dict(main.options), **options},
                  **{role: table.data for role, table in extra})
