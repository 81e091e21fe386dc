"""Shared pieces of the strand modules: the output of a strand and storing a result.

Example
-------
>>> import pandas as pd
>>> from evaluation.results import Result
>>> out = StrandOutput("process", {}, {"contact_points": "the data has no applications table"})
>>> out.skipped["contact_points"]
'the data has no applications table'
"""

from __future__ import annotations

import html
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from evaluation.errors import EstimationError
from evaluation.results import Result


@dataclass(frozen=True)
class NotComputed(Result):
    """Stands in for an analysis the strand could not run, so that a notebook cell showing it
    says why instead of failing (e.g. no applications in a municipality's data)."""

    name: str
    reason: str
    count_columns = ()

    @property
    def title(self) -> str:
        return f"{self.name}: not computed"

    @property
    def notes(self) -> tuple[str, ...]:
        return (self.reason,)

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame({"result": [self.name], "status": ["not computed"], "reason": [self.reason]})

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        import matplotlib.pyplot as plt

        ax = ax if ax is not None else plt.subplots(figsize=(6, 1.5))[1]
        ax.axis("off")
        ax.text(0.5, 0.5, f"{self.name}: not computed ({self.reason})", ha="center", va="center", wrap=True)
        return ax


@dataclass(frozen=True)
class StrandOutput:
    """The results of one strand by stable name, and the analyses left out with the reason."""

    strand: str
    results: Mapping[str, Result]
    skipped: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> Result:
        try:
            return self.results[name]
        except KeyError:
            reason = self.skipped.get(name)
            detail = f": {reason}" if reason else f"; results: {', '.join(self.results)}"
            raise KeyError(f"the {self.strand} strand has no result {name!r}{detail}") from None

    def __contains__(self, name: object) -> bool:
        return name in self.results

    def get(self, name: str) -> Result:
        """The result, or a :class:`NotComputed` saying why it is missing (for display cells)."""
        if name in self.results:
            return self.results[name]
        return NotComputed(name, self.skipped.get(name, "not part of this strand's results"))

    def summary(self) -> str:
        lines = [f"{self.strand}: {len(self.results)} result(s)"]
        lines += [f"  {name}: {result.title}" for name, result in self.results.items()]
        lines += [f"  {name}: not computed ({reason})" for name, reason in self.skipped.items()]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        done = "".join(f"<li><b>{html.escape(n)}</b>: {html.escape(r.title)}</li>" for n, r in self.results.items())
        left = "".join(f"<li><b>{html.escape(n)}</b>: not computed ({html.escape(why)})</li>"
                       for n, why in self.skipped.items())
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return f"<div><h4>{html.escape(self.strand)}</h4><ul>{done}{left}{notes}</ul></div>"


NO_ROWS = "no rows in table(s) "


class Collector:
    """Runs a strand's analyses, keeping each result under its stable name.

    An analysis whose table is absent from the data, or that cannot be estimated on it
    (EstimationError, e.g. no comparison municipality in a one-municipality run), is
    recorded as skipped with the reason; any other error propagates and fails the notebook.
    """

    def __init__(self, strand: str, data: Any) -> None:
        self.strand = strand
        self.data = data
        self.results: dict[str, Result] = {}
        self.skipped: dict[str, str] = {}

    def run(self, name: str, needs: tuple[str, ...], compute: Callable[[], Result]) -> Result | None:
        missing = [table for table in needs if not self.data.has(table) or self.data[table].empty]
        if missing:
            self.skipped[name] = NO_ROWS + ", ".join(missing)
            return None
        try:
            result = compute()
        except EstimationError as exc:
            self.skipped[name] = str(exc)
            return None
        self.results[name] = result
        return result

    def output(self) -> StrandOutput:
        return StrandOutput(self.strand, dict(self.results), dict(self.skipped))


def disclosure_columns(result: Result, table: pd.DataFrame) -> tuple[list[str], str | None]:
    """The result's count columns and n column that its table really has: a count column a
    result declares but does not publish in ``tidy()`` needs no protection."""
    counts = [c for c in result.count_columns if c in table.columns]
    n_column = result.n_column if result.n_column in table.columns else None
    return counts, n_column


def store_result(session: Any, output: StrandOutput, name: str, titles: tuple[str, str], *,
                 figure: tuple[str, str] | None = None, figure_n: int | None = None,
                 plot: Callable[[Result, Any], Any] | None = None, lang: str = "cs",
                 placement: str = "main", report_columns: Sequence[str] | None = None,
                 percent_columns: Sequence[str] | None = None, notes: Sequence[Any] = (),
                 stored_as: str | None = None,
                 column_labels: Mapping[str, tuple[str, str]] | None = None) -> bool:
    """Store ``output[name]`` as table ``name`` (and as figure ``name`` when captions are given).

    The figure is the result's own ``plot`` (in ``lang`` when it takes a language) unless
    ``plot(result, ax)`` is given. ``placement``, ``report_columns`` and ``percent_columns``
    say where the reports show the table and how (see :meth:`ResultsStore.add_table`).
    ``stored_as`` stores it under another name (e.g. the monthly detail behind a summary).
    Returns False (and stores nothing) when the strand did not compute it.
    """
    if name not in output:
        return False
    result = output[name]
    counts, n_column = disclosure_columns(result, result.tidy())
    session.store.add_table(stored_as or name, result, title_cs=titles[0], title_en=titles[1], count_columns=counts,
                            n_column=n_column, placement=placement, report_columns=report_columns,
                            percent_columns=percent_columns, notes=notes, column_labels=column_labels)
    if figure is not None:
        store_figure(session, stored_as or name, result, figure, figure_n=figure_n, plot=plot, lang=lang)
    return True


def store_figure(session: Any, name: str, result: Any, captions: tuple[str, str], *, figure_n: int | None = None,
                 plot: Callable[[Any, Any], Any] | None = None, lang: str = "cs") -> None:
    """Draw ``result`` (its ``plot`` in ``lang`` when it takes one) and store it as figure ``name``."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    try:
        if plot is not None:
            plot(result, ax)
        elif "lang" in inspect.signature(result.plot).parameters:
            result.plot(ax=ax, lang=lang)
        else:
            result.plot(ax=ax)
        session.store.add_figure(name, fig, caption_cs=captions[0], caption_en=captions[1], n=figure_n)
    finally:
        plt.close(fig)


def store_frame(session: Any, name: str, frame: pd.DataFrame, titles: tuple[str, str], *,
                count_columns: Sequence[str] = (), n_column: str | None = None, notes: Sequence[Any] = (),
                placement: str = "main", report_columns: Sequence[str] | None = None,
                percent_columns: Sequence[str] | None = None,
                column_labels: Mapping[str, tuple[str, str]] | None = None) -> None:
    """Store a summary table a strand built from its results (disclosure control applies)."""
    session.store.add_table(name, frame, title_cs=titles[0], title_en=titles[1], count_columns=count_columns,
                            n_column=n_column, notes=notes, placement=placement, report_columns=report_columns,
                            percent_columns=percent_columns, column_labels=column_labels)


def store_skipped(session: Any, output: StrandOutput, titles: Mapping[str, tuple[str, str]] | None = None) -> None:
    """Say in the report which analyses were not possible on this data, and why."""
    titles = titles or {}
    for index, (name, reason) in enumerate(output.skipped.items(), start=1):
        title_cs, title_en = titles.get(name, (name, name))
        reason_cs = reason
        if reason.startswith(NO_ROWS):
            reason_cs = "v datech tohoto rozsahu nejsou řádky tabulek " + reason[len(NO_ROWS):]
        session.store.add_text(f"limitation_{output.strand}_{index}",
                               f"Analýza „{title_cs}“ nebyla provedena: {reason_cs}.",
                               f"The analysis “{title_en}” was not carried out: {reason}.")
    for index, note in enumerate(output.notes, start=1):
        session.store.add_text(f"limitation_{output.strand}_note_{index}", note, note)
