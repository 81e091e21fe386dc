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
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

#: Column names used in every tidy table, so reports can read any result.
ESTIMATE_COLUMNS = ("term", "estimate", "std_error", "conf_low", "conf_high", "p_value")


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

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the natural picture of this result on ``ax`` (matplotlib) and return the axes."""
        raise NotImplementedError(f"{type(self).__name__} has no natural plot")
