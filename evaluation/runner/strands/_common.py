"""Shared pieces of the strand modules: the output of a strand and storing a result.

Why an analysis was left out is a :class:`Reason` (English and Czech) when the strand words it
itself, or the estimator's English message (an :class:`~evaluation.errors.EstimationError`);
the Czech report then says in Czech what was not done and quotes the message as a technical
detail (:func:`reason_texts`).

Example
-------
>>> out = StrandOutput("process", {}, {"contact_points": Reason("the data has no applications table",
...                                                               "data neobsahují tabulku žádostí")})
>>> str(out.skipped["contact_points"])
'the data has no applications table'
>>> reason_texts("too few clusters")[0]
'data tohoto rozsahu odhad neumožňují (technický detail: „too few clusters“)'
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from evaluation.errors import EstimationError
from evaluation.results import RESULT_FAMILY, Result


@dataclass(frozen=True)
class Reason:
    """A reason or note a strand words itself, in English (``str()``) and Czech."""

    en: str
    cs: str

    def __str__(self) -> str:
        return self.en

    def text(self, lang: str = "cs") -> str:
        return self.cs if lang == "cs" else self.en


#: The Czech sentence around an estimator's English message (quoted as a technical detail).
ESTIMATION_FAILED_CS = "data tohoto rozsahu odhad neumožňují (technický detail: „{detail}“)"


def reason_texts(reason: Reason | str) -> tuple[str, str]:
    """(Czech, English) wording of why an analysis was left out.

    A plain string is an estimator's English message: the Czech wording says in general terms
    that the analysis could not be estimated and quotes the message as a technical detail.
    """
    if isinstance(reason, Reason):
        return reason.cs, reason.en
    detail = str(reason).strip().rstrip(".")
    return ESTIMATION_FAILED_CS.format(detail=detail), detail


def note_texts(note: Reason | str) -> tuple[str, str]:
    """(Czech, English) wording of a strand note (a plain string reads the same in both)."""
    return (note.cs, note.en) if isinstance(note, Reason) else (str(note), str(note))


def table_title(table: str, lang: str = "cs") -> str:
    """The data contract's title of ``table`` in ``lang`` (the name itself when the contract lacks it)."""
    from evaluation.data.schema import get_schema

    try:
        return get_schema().table(table).title(lang)
    except KeyError:
        return table


def no_rows(tables: Sequence[str]) -> Reason:
    """The reason for an analysis whose tables have no rows in the scope."""
    where = "v tabulce " if len(tables) == 1 else "v tabulkách "
    return Reason(NO_ROWS + ", ".join(f"“{table_title(t, 'en')}”" for t in tables),
                  "v datech tohoto rozsahu nejsou záznamy " + where
                  + ", ".join(f"„{table_title(t, 'cs')}“" for t in tables))


def no_rows_in_any(alternatives: Sequence[Sequence[str]]) -> Reason:
    """The reason a whole strand was not run in a scope: for each set of tables it could run on,
    the tables of that set without rows (see ``Strand.needs`` in evaluation.runner.registry)."""
    def words(tables: Sequence[str], lang: str) -> str:
        quote = ("„{}“" if lang == "cs" else "“{}”")
        where = ({True: "v tabulce ", False: "v tabulkách "} if lang == "cs"
                 else {True: "in table ", False: "in tables "})[len(tables) == 1]
        return where + ", ".join(quote.format(table_title(t, lang)) for t in tables)

    return Reason("the data of this scope have no rows " + " nor ".join(words(a, "en") for a in alternatives),
                  "v datech tohoto rozsahu nejsou záznamy " + " ani ".join(words(a, "cs") for a in alternatives))


@dataclass(frozen=True)
class NotComputed(Result):
    """Stands in for an analysis the strand could not run, so that a notebook cell showing it
    says why instead of failing (e.g. no applications in a municipality's data)."""

    name: str
    reason: Reason | str
    count_columns = ()

    @property
    def title(self) -> str:
        return f"{self.name}: not computed"

    @property
    def notes(self) -> tuple[str, ...]:
        return (str(self.reason),)

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame({"result": [self.name], "status": ["not computed"], "reason": [str(self.reason)]})

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        import matplotlib.pyplot as plt

        ax = ax if ax is not None else plt.subplots(figsize=(6, 1.5))[1]
        ax.axis("off")
        ax.text(0.5, 0.5, f"{self.name}: not computed ({self.reason})", ha="center", va="center", wrap=True)
        return ax


@dataclass(frozen=True)
class StrandOutput:
    """The results of one strand by stable name, the analyses left out with the reason, and
    notes on the data (e.g. households left out of a panel), each a :class:`Reason` or a string."""

    strand: str
    results: Mapping[str, Result]
    skipped: Mapping[str, Reason | str] = field(default_factory=dict)
    notes: tuple[Reason | str, ...] = ()

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
        left = "".join(f"<li><b>{html.escape(n)}</b>: not computed ({html.escape(str(why))})</li>"
                       for n, why in self.skipped.items())
        notes = "".join(f"<li>{html.escape(str(n))}</li>" for n in self.notes)
        return f"<div><h4>{html.escape(self.strand)}</h4><ul>{done}{left}{notes}</ul></div>"


NO_ROWS = "no rows in table(s) "


class Collector:
    """Runs a strand's analyses, keeping each result under its stable name.

    An analysis whose table is absent from the data, or that cannot be estimated on it
    (EstimationError, e.g. no comparison municipality in a one-municipality run), is
    recorded as skipped with the reason (the estimator's message); any other error propagates
    and fails the notebook. A strand that knows beforehand an analysis cannot run says why in
    both languages with :meth:`skip`.
    """

    def __init__(self, strand: str, data: Any) -> None:
        self.strand = strand
        self.data = data
        self.results: dict[str, Result] = {}
        self.skipped: dict[str, Reason | str] = {}

    def has_rows(self, *tables: str) -> bool:
        """Whether every table is in the data and has rows."""
        return all(self.data.has(t) and not self.data[t].empty for t in tables)

    def skip(self, name: str, reason: Reason | str) -> None:
        """Record ``name`` as left out: a :class:`Reason` the strand words, or the reason another
        analysis it depends on was left out for."""
        self.skipped[name] = reason

    def run(self, name: str, needs: tuple[str, ...], compute: Callable[[], Result]) -> Result | None:
        missing = [table for table in needs if not self.data.has(table) or self.data[table].empty]
        if missing:
            self.skipped[name] = no_rows(missing)
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


def period_end(data: Any) -> pd.Timestamp | None:
    """The censoring date of tenancy spells: the last day of the run's period when one is set
    and the tenancy records reach it, else None (the estimators then take the latest date in
    the records). A period ending after the data must not count months nobody observed as
    months housed (retention, the economic strand's eviction risks)."""
    scope = dict(getattr(data, "metadata", {}) or {}).get("scope", {}) or {}
    period = scope.get("period")
    if not period or period[1] is None:
        return None
    end = pd.Timestamp(period[1])
    if data.has("tenancies") and not data["tenancies"].empty:
        spells = data["tenancies"]
        latest = pd.concat([spells["start_date"], spells["end_date"]]).max()
        if pd.notna(latest) and latest < end:
            return None
    return end


def disclosure_columns(result: Result, table: pd.DataFrame) -> tuple[list[str], str | None]:
    """The result's count columns and n column that its table really has: a count column a
    result declares but does not publish in ``tidy()`` needs no protection."""
    counts = [c for c in result.count_columns if c in table.columns]
    n_column = result.n_column if result.n_column in table.columns else None
    return counts, n_column


def store_result(session: Any, output: StrandOutput, name: str, titles: tuple[str, str], *,
                 figure: tuple[str, str] | None = None, lang: str = "cs",
                 plot_options: Mapping[str, Any] | None = None,
                 placement: str = "main", report_columns: Sequence[str] | None = None,
                 percent_columns: Sequence[str] | None = None, notes: Sequence[Any] = (),
                 stored_as: str | None = None,
                 column_labels: Mapping[str, tuple[str, str]] | None = None,
                 alt: tuple[str, str] | None = None, **table_options: Any) -> bool:
    """Store ``output[name]`` as table ``name`` (and as figure ``name`` when captions are given).

    The figure is the result's own drawing (:attr:`Result.figure_drawer`) with the
    ``plot_options`` it takes (e.g. ``{"time_unit": "month"}``); publication draws it from the
    protected table. ``placement``, ``report_columns`` and ``percent_columns`` say where the
    reports show the table and how (see :meth:`ResultsStore.add_table`; ``table_options`` are
    passed on: ``family``, ``dimensions``, ``wide``, ``relations``). ``stored_as`` stores it under
    another name (e.g. the monthly detail behind a summary). Returns False (and stores nothing)
    when the strand did not compute it.
    """
    if name not in output:
        return False
    result = output[name]
    counts, n_column = disclosure_columns(result, result.tidy())
    session.store.add_table(stored_as or name, result, title_cs=titles[0], title_en=titles[1], count_columns=counts,
                            n_column=n_column, placement=placement, report_columns=report_columns,
                            percent_columns=percent_columns, notes=notes, column_labels=column_labels,
                            **table_options)
    if figure is not None:
        store_figure(session, stored_as or name, result, figure, options=plot_options, alt=alt)
    return True


def store_figure(session: Any, name: str, result: Any, captions: tuple[str, str], *,
                 options: Mapping[str, Any] | None = None, alt: tuple[str, str] | None = None,
                 table: str | None = None) -> None:
    """Store figure ``name`` of ``result``: the tables it is drawn from and how to draw it.

    The tables of :meth:`Result.figure_tables` are stored as ``<name>_<role>`` (results folder
    only); a result drawn from its tidy table uses the table stored as ``table`` (default
    ``name``). Publication draws the figure from the protected tables (never from the data).
    """
    from evaluation.errors import EvaluationError

    if result.figure_drawer is None:
        raise EvaluationError(f"{type(result).__name__} has no figure to store")
    sources = dict(result.figure_tables())
    extra: dict[str, str] = {}
    settings = dict(result.figure_options())
    if sources:
        names = {}
        for role, source in sources.items():
            names[role] = f"{name}_{role}"
            session.store.add_table(
                names[role], source.data, title_cs=source.title_cs or f"{captions[0]}: podklad grafu",
                title_en=source.title_en or f"{captions[1]}: data of the figure",
                count_columns=[c for c in source.count_columns if c in source.data.columns],
                n_column=source.n_column if source.n_column in source.data.columns else None,
                follows=[c for c in source.follows if c in source.data.columns], curve=source.curve,
                family=name if source.family == RESULT_FAMILY else source.family,
                dimensions=list(source.dimensions) if source.dimensions else None, placement="folder")
        (main_role, main_source), *_ = sources.items()
        main = names.pop(main_role)
        extra = names
        settings.update(main_source.options)
    else:
        main = table or name
    settings.update(options or {})
    alt_cs, alt_en = alt or ("", "")
    session.store.add_figure(name, table=main, plotter=result.figure_drawer, caption_cs=captions[0],
                             caption_en=captions[1], options=settings, extra_tables=extra,
                             alt_cs=alt_cs, alt_en=alt_en)


def store_frame(session: Any, name: str, frame: pd.DataFrame, titles: tuple[str, str], *,
                count_columns: Sequence[str] = (), n_column: str | None = None, notes: Sequence[Any] = (),
                placement: str = "main", report_columns: Sequence[str] | None = None,
                percent_columns: Sequence[str] | None = None,
                column_labels: Mapping[str, tuple[str, str]] | None = None, **table_options: Any) -> None:
    """Store a summary table a strand built from its results (publication protects it; the
    ``table_options`` ``family``, ``dimensions``, ``wide``, ``relations``, ``follows`` tell it how)."""
    session.store.add_table(name, frame, title_cs=titles[0], title_en=titles[1], count_columns=count_columns,
                            n_column=n_column, notes=notes, placement=placement, report_columns=report_columns,
                            percent_columns=percent_columns, column_labels=column_labels, **table_options)


def limitation_texts(title: tuple[str, str], reason: Reason | str) -> tuple[str, str]:
    """(Czech, English) sentence saying that the analysis ``title`` was not carried out, and why."""
    reason_cs, reason_en = reason_texts(reason)
    return (f"Analýza „{title[0]}“ nebyla provedena: {reason_cs}.",
            f"The analysis “{title[1]}” was not carried out: {reason_en}.")


def store_skipped(session: Any, output: StrandOutput, titles: Mapping[str, tuple[str, str]] | None = None, *,
                  helpers: Mapping[str, tuple[str, tuple[str, str]]] | None = None) -> None:
    """Say in the report which analyses were not possible on this data, and why (see :func:`reason_texts`).

    ``helpers`` maps a computation that only serves another analysis (e.g. a key figure's
    overall estimate) to (that analysis, its own titles): it is mentioned only when the
    analysis it serves was carried out, since the report says so already otherwise.
    """
    titles, helpers = dict(titles or {}), dict(helpers or {})
    left_out = [(name, reason) for name, reason in output.skipped.items()
                if name not in helpers or helpers[name][0] not in output.skipped]
    for index, (name, reason) in enumerate(left_out, start=1):
        title = titles.get(name) or (helpers[name][1] if name in helpers else (name, name))
        text_cs, text_en = limitation_texts(title, reason)
        session.store.add_text(f"limitation_{output.strand}_{index}", text_cs, text_en)
    for index, note in enumerate(output.notes, start=1):
        session.store.add_text(f"limitation_{output.strand}_note_{index}", *note_texts(note))
