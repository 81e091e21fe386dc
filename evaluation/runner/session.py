"""What a strand notebook opens first: the data in scope, the results store, and safe display.

A notebook cell should only load, call, display and store; this module does the
load-and-scope part and shows results as they will be published (disclosure control
applied), so that an executed notebook can be shared without household-level rows.

:func:`open_session` checks what the notebook was given before it reads any data: a
parameter papermill injected that the notebook does not declare (``-p municipalty Ostrava``
would otherwise run the pooled analysis), and every value against its declared rule
(:mod:`evaluation.runner.options`). The pseudonymisation key comes from the environment
(:data:`KEY_ENV` as text, or :data:`KEY_ENV_HEX` as hexadecimal bytes, which is how
``evaluation run --key-file`` passes it to its kernels), never from a parameter, so it is
written into no notebook.

Example
-------
>>> session = open_session("retention", data_dir="demo_data", results_dir="results",
...                        municipality="Ostrava")            # doctest: +SKIP
>>> session.show(session.selection)                           # doctest: +SKIP
"""

from __future__ import annotations

import ast
import html
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.data.dataset import Dataset
from evaluation.errors import ConfigError, DataError, DisclosureError
from evaluation.results import Result
from evaluation.runner.options import Context, Invalid, did_you_mean
from evaluation.runner.registry import ALL_STRANDS, strand_options
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
        rules = DisclosureRules(threshold=self.store.rules.threshold)
        table = table.reset_index(drop=True)
        try:
            protected = protect_table(table, count_columns=counts, n_column=n_column, rules=rules,
                                      name=title or "table")
        except DisclosureError:  # as publication does: without totals, else not shown
            from evaluation.reporting.publication.coarsen import drop_margins

            try:
                protected = protect_table(drop_margins(table, counts), count_columns=[c for c in counts if c in
                                          drop_margins(table, counts).columns], n_column=n_column, rules=rules,
                                          name=title or "table")
                notes = (*notes, "Shown without totals: with them a small count could be worked out.")
            except DisclosureError as error:
                return Published(title or "", table.iloc[0:0], (*notes, f"Not shown: {error}"))
        return Published(title or "", protected.table, notes)

    def finish(self, **extra: Any) -> dict[str, Any]:
        """Write the provenance record (meta.json) of this strand and scope; ``coverage`` says whether
        the data are the pilots' or the national contact points' (the reports' titles follow it)."""
        from evaluation.runner.selection import contact_points_with_data

        notebook = ALL_STRANDS[self.strand].notebook
        extra.setdefault("coverage", "contact_points" if contact_points_with_data(self.data) else "pilots")
        return self.store.write_meta(dataset=self.data, parameters=dict(self.parameters), notebook=notebook,
                                     scope_notes=list(self.selection.notes),
                                     seconds=round(time.perf_counter() - self.started, 1), **extra)


def open_session(strand: str, *, data_dir: str, results_dir: str, municipality: str | None = None,
                 programme_step: str | None = None, period_start: str | None = None,
                 period_end: str | None = None, lang: str = "cs", disclosure_threshold: int = 5,
                 seed: int = 2019, on_error: str = "raise", **strand_parameters: Any) -> Session:
    """Load and validate ``data_dir``, keep the scope, and open the results store for ``strand``.

    In a notebook that ``evaluation run`` started, the data come from the run's cache (validated
    once by the runner; :mod:`evaluation.runner.datacache`) when it was made from ``data_dir``.

    Raises ConfigError for a parameter the notebook does not declare or a value that breaks
    its rule, DataError when the data cannot be used and ConfigError for a scope the data
    does not hold.
    """
    from evaluation.data.loader import load_source
    from evaluation.reporting.store import ALL_SCOPE, ResultsStore
    from evaluation.runner.datacache import cached_data

    if strand not in ALL_STRANDS:
        raise ConfigError(f"unknown strand {strand!r}{did_you_mean(strand, ALL_STRANDS)}; "
                          f"known strands: {', '.join(ALL_STRANDS)}")
    given = dict(data_dir=data_dir, results_dir=results_dir, municipality=municipality,
                 programme_step=programme_step, period_start=period_start, period_end=period_end, lang=lang,
                 disclosure_threshold=disclosure_threshold, seed=seed, on_error=on_error, **strand_parameters)
    check_notebook_parameters(strand, given, injected=injected_parameters())
    dataset = cached_data(data_dir, on_error)  # the run's data, validated once by `evaluation run`
    if dataset is None:
        dataset = load_source(data_dir, on_error=on_error, lang=lang, pseudonymise_key=key_from_environment())
        check_same_data(dataset)
    selection = select_scope(dataset, municipality=municipality, programme_step=programme_step,
                             period=(period_start, period_end))
    store = ResultsStore(results_dir, strand=ALL_STRANDS[strand].store_name,
                         scope=selection.municipality or ALL_SCOPE, threshold=disclosure_threshold)
    parameters = dict(municipality=selection.municipality, programme_step=programme_step, period_start=period_start,
                      period_end=period_end, lang=lang, disclosure_threshold=disclosure_threshold, seed=seed,
                      on_error=on_error, **strand_parameters)
    return Session(strand=strand, selection=selection, store=store, parameters=parameters, lang=lang)


#: Environment variable holding the pseudonymisation key as text (as for ``validate --key-env``).
KEY_ENV = "EVALUATION_PSEUDONYMISATION_KEY"
#: Environment variable holding the key as hexadecimal bytes (``evaluation run`` sets it in its kernels).
KEY_ENV_HEX = "EVALUATION_PSEUDONYMISATION_KEY_HEX"


#: Environment variable with the fingerprint of the data ``evaluation run`` validated (set in its kernels).
DATA_FINGERPRINT_ENV = "EVALUATION_DATA_FINGERPRINT"


def check_same_data(dataset: Dataset) -> None:
    """Raise DataError when this kernel's data differ from the data ``evaluation run`` validated.

    Every notebook of a run loads the data itself; a database (or a folder) that changes while the
    run goes would give notebooks of one run different data. The runner puts the fingerprint it
    validated in the kernels' environment (:data:`DATA_FINGERPRINT_ENV`); outside a run nothing is
    checked."""
    expected = os.environ.get(DATA_FINGERPRINT_ENV)
    if expected and expected != dataset.fingerprint:
        raise DataError(
            f"Data v {dataset.source} se změnila poté, co je `evaluation run` zkontroloval; sešity jednoho běhu "
            "by počítaly z různých dat. Spusťte běh znovu, až se data přestanou měnit (u databáze např. nad "
            f"neměnným schématem nebo snímkem). / The data in {dataset.source} changed after `evaluation run` "
            "validated them (fingerprint "
            f"{expected[:12]}…, now {dataset.fingerprint[:12]}…); the notebooks of one run would compute from "
            "different data. Run again when the data no longer change (for a database, e.g. over a schema or "
            "snapshot that is not being written to).")


def key_from_environment() -> bytes | None:
    """The pseudonymisation key from the environment, or None when neither variable is set."""
    if os.environ.get(KEY_ENV_HEX):
        try:
            return bytes.fromhex(os.environ[KEY_ENV_HEX])
        except ValueError:
            raise ConfigError(f"environment variable {KEY_ENV_HEX} must hold the key as hexadecimal digits") from None
    text = os.environ.get(KEY_ENV)
    return text.encode("utf-8") if text else None


def injected_parameters() -> list[str] | None:
    """Names papermill injected into this kernel, or None outside a papermill run.

    Papermill runs its ``injected-parameters`` cell right after the notebook's ``parameters``
    cell; the cell starts with the comment ``# Parameters``. It is the last such cell in the
    kernel's input history.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipykernel brings IPython
        return None
    shell = get_ipython()
    history = shell.user_ns.get("In", []) if shell is not None else []
    for source in reversed(history):
        lines = str(source).splitlines()
        if lines and lines[0].strip() == "# Parameters":
            try:
                tree = ast.parse(str(source))
            except SyntaxError:
                return None
            return [target.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
                    for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                    if isinstance(target, ast.Name)]
    return None


def check_notebook_parameters(strand: str, values: Mapping[str, Any], *, injected: list[str] | None = None) -> None:
    """Raise ConfigError naming every parameter the notebook does not declare (passed or injected
    by papermill) and every value that breaks its declared rule."""
    options = strand_options(strand)
    notebook = ALL_STRANDS[strand].notebook
    problems = []
    for name in sorted({*values, *(injected or [])} - set(options)):
        origin = "papermill passed" if injected and name in injected else "open_session was given"
        problems.append(f"{origin} parameter {name!r}, which {notebook} does not declare"
                        f"{did_you_mean(name, options)}")
    for name, option in options.items():
        if name in values:
            try:
                option.check(values[name], Context(Path.cwd()))
            except Invalid as exc:
                problems.append(f"parameter {name} = {values[name]!r} is not allowed: it {exc}")
    if problems:
        raise ConfigError(f"{notebook}: " + "; ".join(problems)
                          + f" (declared parameters: {', '.join(options)}; see notebooks/README.md)")
