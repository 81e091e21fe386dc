"""Publication: from what a run's notebooks stored (internal) to what may be shared (published).

:func:`publish_results` reads the internal results folder of a whole run (every scope and
strand), protects every table together (:mod:`.protect`), and writes the published folder
the reports are made from: tables with small cells hidden and shares rounded to what the
reports show, key figures and findings texts taken from the protected tables, figures drawn
from them, and in every strand's texts a sentence for each table or figure that had to be
left out or simplified. Nothing in the published folder lets a reader recover a hidden cell,
alone or combined with anything else the run publishes.

Example
-------
>>> summary = publish_results("output/internal/results", "output/published/results")  # doctest: +SKIP
>>> summary.counts["count_cells"], summary.counts["primary"]                          # doctest: +SKIP
(4683, 412)
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.errors import EvaluationError
from evaluation.forked import map_forked
from evaluation.reporting.disclosure import DisclosureRules, _notes
from evaluation.reporting.publication.figures import draw, numeric_table
from evaluation.reporting.publication.internal import InternalStrand, InternalTable, read_internal
from evaluation.reporting.publication.keyfigures import fill_text, mask_small_counts, resolve_key_figure
from evaluation.reporting.publication.protect import (
    RunProtection,
    TableOutcome,
    derived_columns,
    protect_run,
    round_published,
)
from evaluation.reporting.store import PUBLISHED, _write_atomic, _write_json, slug

__all__ = ["PublicationSummary", "publish_results"]

log = logging.getLogger(__name__)

#: Files that tell a user which folder may be shared.
PUBLISHED_README = """# Zveřejnitelné výsledky / Results for sharing

Tato složka obsahuje jen chráněné výsledky: malé počty jsou skryté („<{t}“, „x“), podíly
zaokrouhlené na přesnost zpráv, grafy kreslené z chráněných tabulek, klíčové údaje a věty brané
z chráněných tabulek; ochrana posuzuje všechny tabulky, obce i celek najednou. Složku `published/`
(zprávy `reports/`, výsledky `results/`, postup výpočtu `notebooks/` bez výstupů) je možné předat
zadavateli nebo zveřejnit. Složku `internal/` nikdy.

This folder holds protected results only: small counts are hidden ("<{t}", "x"), shares are
rounded to what the reports show, figures are drawn from the protected tables, key figures and
sentences are taken from them; protection looks at every table, municipality and the whole
programme at once. The `published/` folder (reports in `reports/`, results in `results/`, the
steps of the notebooks without outputs in `notebooks/`) may be sent to a funder or published.
The `internal/` folder never.
"""
INTERNAL_README = """# NESDÍLET / DO NOT SHARE

Interní výsledky v plné přesnosti a spuštěné sešity: obsahují malé počty a přesné podíly.
Nikdy je neposílejte ani nezveřejňujte; ke sdílení slouží složka `published/`.

Internal results at full precision and the executed notebooks: they hold small counts and
exact shares. Never send or publish them; share the `published/` folder instead.
"""


@dataclass(frozen=True)
class PublicationSummary:
    """What publication did: cells published and hidden, tables and figures left out or simplified."""

    folder: Path
    threshold: int
    counts: Mapping[str, int]
    omissions: tuple[str, ...] = field(default=())
    seconds: float = 0.0

    @property
    def hidden_share(self) -> float:
        """Share of published count cells that are hidden (primary and secondary)."""
        cells = self.counts.get("count_cells", 0)
        return (self.counts.get("primary", 0) + self.counts.get("secondary", 0)) / cells if cells else 0.0

    def __str__(self) -> str:
        c = self.counts
        lines = [f"published to {self.folder}: {c.get('count_cells', 0)} count cells, {c.get('primary', 0)} "
                 f"hidden as small (<{self.threshold}), {c.get('secondary', 0)} hidden as complements "
                 f"({self.hidden_share:.1%})"]
        lines += [f"  left out or simplified: {o}" for o in self.omissions]
        return "\n".join(lines)


def publish_results(internal_dir: str | os.PathLike[str], published_dir: str | os.PathLike[str], *,
                    threshold: int | None = None, langs: Sequence[str] = ("cs", "en"),
                    progress: bool = False) -> PublicationSummary:
    """Protect a run's internal results together and write the published folder.

    ``threshold`` is the smallest count that may be shown (default: the largest any notebook
    was run with, at least 5... never lower than any notebook's). The published folder is
    replaced as a whole. Tables, figures and sentences that cannot be published safely are
    left out, and the strand's texts say so (``limitation_publication_<n>``).
    """
    import time

    started = time.perf_counter()
    strands = read_internal(internal_dir)
    thresholds = [int((s.meta.get("disclosure") or {}).get("threshold", 5)) for s in strands]
    threshold = max([threshold or 0, *thresholds, 2]) if threshold or thresholds else 5
    rules = DisclosureRules(threshold=threshold)
    protection = protect_run([t for s in strands for t in s.tables.values()], rules)
    out = Path(published_dir)
    staging = out.with_name(f".{out.name}.publishing")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    omissions = _publish_strands(strands, protection, staging, rules, langs)
    summary = PublicationSummary(out, threshold, protection.counts(), tuple(omissions),
                                 time.perf_counter() - started)
    _write_json(staging / "publication.json", {
        "threshold": threshold, "counts": dict(summary.counts), "hidden_share": summary.hidden_share,
        "omissions": list(omissions), "date": _dt.date.today().isoformat()})
    (staging / "README.md").write_text(PUBLISHED_README.format(t=threshold), encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    os.replace(staging, out)
    (Path(internal_dir) / "README.md").write_text(INTERNAL_README, encoding="utf-8")
    return summary


def _publish_strands(strands: Sequence[InternalStrand], protection: RunProtection, root: Path,
                     rules: DisclosureRules, langs: Sequence[str]) -> list[str]:
    """Publish every strand once the run is protected as a whole; the omissions in strand order.

    Each strand writes only its own folder, and drawing its figures is most of the work, so the
    strands are published side by side, one forked process per core where the system can fork
    (:func:`evaluation.forked.map_forked`); the files are the same as one after another."""
    done = map_forked(lambda i: _publish_strand(strands[i], protection, root, rules, langs), len(strands))
    return [o for omissions in done for o in omissions]


# --------------------------------------------------------------------------- one strand

def _publish_strand(strand: InternalStrand, protection: RunProtection, root: Path, rules: DisclosureRules,
                    langs: Sequence[str]) -> list[str]:
    folder = root / slug(strand.scope) / strand.strand
    folder.mkdir(parents=True, exist_ok=True)
    limitations: list[tuple[str, str]] = []
    published: dict[str, pd.DataFrame] = {}
    for name, table in strand.tables.items():
        outcome = protection.outcomes[table.key]
        if outcome.analysis is None:
            reason_cs, reason_en = outcome.withheld or ("", "")
            limitations.append((f"Tabulka „{table.info.get('title_cs', name)}“ není zveřejněna: {reason_cs}.",
                                f"The table “{table.info.get('title_en', name)}” is not published: {reason_en}."))
            continue
        published[name] = _write_table(folder, table, outcome, rules)
        for cs, en in outcome.changes:
            if table.info.get("placement") != "folder":
                limitations.append((f"{table.info.get('title_cs', name)}: {cs}",
                                    f"{table.info.get('title_en', name)}: {en}"))
    figures = _key_figures(strand, published, folder)
    _texts(strand, figures, folder, limitations, rules)
    changes = {name: protection.outcomes[table.key].changes for name, table in strand.tables.items()}
    limitations += _figures(strand, published, folder, langs, changes)
    for index, (cs, en) in enumerate(limitations, start=1):
        _add_text(folder, f"limitation_publication_{index}", cs, en)
    meta = dict(strand.meta)
    meta.update(kind=PUBLISHED, disclosure=rules.as_dict(), published=_dt.date.today().isoformat())
    _write_json(folder / "meta.json", meta)
    return [f"{strand.scope}/{strand.strand}: {en}" for _, en in limitations]


def _write_table(folder: Path, table: InternalTable, outcome: TableOutcome, rules: DisclosureRules) -> pd.DataFrame:
    from evaluation.reporting.disclosure import published_values

    analysis = outcome.analysis
    data = published_values(analysis, outcome.suppressed, rules)
    for column in analysis.counts:  # counts as whole numbers, whatever the column's type
        data[column] = [int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and not pd.isna(v)
                        else v for v in data[column]]
    shares = set(table.info.get("percent_columns") or [])
    for column in derived_columns(analysis):
        data[column] = [round_published(v, share=column in shares)
                        if isinstance(v, (int, float)) and not isinstance(v, bool) and not pd.isna(v) else v
                        for v in data[column]]
    data = data.astype(object).where(data.notna(), None)
    for column in table.info.get("text_columns", []):  # free text (reasons) may count what it left out
        if column in data.columns:
            data[column] = [mask_small_counts(v, rules.threshold) if isinstance(v, str) else v for v in data[column]]
    csv = data.to_csv(index=False, lineterminator="\n")
    _write_atomic(folder / "tables" / f"{table.name}.csv", csv.encode("utf-8"))
    notes_en, notes_cs = _notes(rules, outcome.suppressed, outcome.share_hidden, analysis.problems)
    info = {k: v for k, v in table.info.items()
            if k not in ("relations", "family", "dimensions", "wide", "follows", "curve", "text_columns")}
    info["notes"] = [{lang: mask_small_counts(note.get(lang, ""), rules.threshold) for lang in ("cs", "en")}
                     for note in info.get("notes", [])] + [{"cs": cs, "en": en} for cs, en in outcome.changes]
    info["columns"] = [str(c) for c in data.columns]
    info["disclosure"] = {
        **rules.as_dict(),
        "primary": sum(k == "primary" for k in outcome.suppressed.values()),
        "secondary": sum(k == "secondary" for k in outcome.suppressed.values()),
        "derived": sum(k == "derived" for k in outcome.suppressed.values()),
        "cells": [[row, column, kind] for (row, column), kind in sorted(outcome.suppressed.items())],
        "relations": [_relation_record(r) for r in analysis.relations],
        "public_cells": [[row, column] for row, column in sorted(outcome.public_cells)],
        "notes_en": list(notes_en), "notes_cs": list(notes_cs)}
    _write_json(folder / "tables" / f"{table.name}.json", info)
    return data


def _relation_record(relation: Any) -> list:
    record = [relation.total[0], relation.total[1], [list(c) for c in relation.parts]]
    if relation.subtract:
        record.append([list(c) for c in relation.subtract])
    return record


def _key_figures(strand: InternalStrand, published: Mapping[str, pd.DataFrame],
                 folder: Path) -> dict[str, dict[str, dict[str, str]]]:
    """Write key_figures.json; return the figures formatted per language for the texts: the number
    (a share as per cent, no other unit: the sentence words it), its interval and its base."""
    entries = {id: resolve_key_figure(reference, published.get(reference.get("table")))
               for id, reference in strand.key_figures.items()}
    _write_json(folder / "key_figures.json", entries)
    formatted: dict[str, dict[str, dict[str, str]]] = {"cs": {}, "en": {}}
    for id, entry in entries.items():
        if entry["suppressed"]:
            continue
        for lang in formatted:
            formatted[lang][id] = format_for_text(entry, lang)
    return formatted


def format_for_text(entry: Mapping[str, Any], lang: str) -> dict[str, str]:
    """A published key figure as a sentence quotes it: ``{"value", "ci", "n"}`` in ``lang``."""
    from evaluation.reporting.formatting import format_interval, format_number, format_percent

    decimals = entry.get("decimals")
    if entry.get("unit") == "%":
        places = 1 if decimals is None else decimals
        value = format_percent(entry["value"], lang, places)
        ci = format_interval(*entry["ci"], lang, percent=True, decimals=places) if entry.get("ci") else ""
    else:
        places = 0 if entry.get("is_count") and decimals is None else decimals
        value = format_number(entry["value"], lang, places)
        ci = format_interval(*entry["ci"], lang, decimals=places) if entry.get("ci") else ""
    n = format_number(entry["n"], lang, 0) if entry.get("n") is not None else ""
    return {"value": value, "ci": ci, "n": n}


def _texts(strand: InternalStrand, figures: Mapping[str, Mapping[str, Mapping[str, str]]], folder: Path,
           limitations: list[tuple[str, str]], rules: DisclosureRules) -> None:
    payload = {}
    for id, entry in strand.texts.items():
        texts = {lang: fill_text(entry.get(lang, ""), figures[lang]) for lang in ("cs", "en")}
        if None in texts.values() and entry.get("fallback"):
            texts = {lang: fill_text(entry["fallback"].get(lang, ""), figures[lang]) for lang in ("cs", "en")}
        if None in texts.values():
            limitations.append((f"Jedno ze zjištění se neuvádí, protože by prozradilo počet menší než "
                                f"{rules.threshold}.",
                                f"One finding is not stated because it would reveal a count below "
                                f"{rules.threshold}."))
            continue
        payload[id] = {lang: mask_small_counts(text, rules.threshold) for lang, text in texts.items()}
    _write_json(folder / "texts.json", payload)


def _add_text(folder: Path, id: str, cs: str, en: str) -> None:
    path = folder / "texts.json"
    payload = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    payload[id] = {"cs": cs, "en": en}
    _write_json(path, payload)


def _figures(strand: InternalStrand, published: Mapping[str, pd.DataFrame], folder: Path,
             langs: Sequence[str], changes: Mapping[str, Sequence[tuple[str, str]]]) -> list[tuple[str, str]]:
    """Draw every figure from the published tables; the limitations for those left out. What
    publication did to a figure's tables (a curve simplified to steps of enough events) is said
    in its caption."""
    limitations = []
    drawable = {name: numeric_table(data, strand.tables[name].info.get("text_columns", []))
                for name, data in published.items()}
    for name, spec in strand.figures.items():
        needed = [spec.get("table"), *(spec.get("extra_tables") or {}).values()]
        caption_cs, caption_en = spec.get("caption_cs", name), spec.get("caption_en", name)
        if any(table not in drawable for table in needed):
            limitations.append((f"Graf „{caption_cs}“ se nezveřejňuje, protože jeho tabulka není zveřejněna.",
                                f"The figure “{caption_en}” is not published because its table is not."))
            continue
        try:
            draw({**spec, "name": name}, drawable, folder / "figures", langs)
        except Exception as error:  # noqa: BLE001 - a figure that cannot be drawn is left out, never stops the run
            log.warning("figure %s/%s not drawn: %s", strand.scope, name, error)
            limitations.append((f"Graf „{caption_cs}“ nebylo možné z chráněných údajů nakreslit.",
                                f"The figure “{caption_en}” could not be drawn from the protected figures."))
            continue
        said = list(dict.fromkeys(change for table in needed for change in changes.get(table, ())))
        if said:
            caption_cs = f"{caption_cs.rstrip('.')}. " + " ".join(cs for cs, _ in said)
            caption_en = f"{caption_en.rstrip('.')}. " + " ".join(en for _, en in said)
        _write_json(folder / "figures" / f"{name}.json", {
            "name": name, "caption_cs": caption_cs, "caption_en": caption_en,
            "alt_cs": spec.get("alt_cs", ""), "alt_en": spec.get("alt_en", "")})
    return limitations


def publish_notebooks(internal_notebooks: str | os.PathLike[str], published_notebooks: str | os.PathLike[str]) -> list[Path]:
    """Copies of the executed notebooks for sharing: the steps (code and text) without any output.

    The executed notebooks show the analyses at full precision for the evaluator; what they
    display is internal. The shared copies show how the results were made; the results
    themselves are the published tables and reports.
    """
    import nbformat

    source, target = Path(internal_notebooks), Path(published_notebooks)
    written = []
    note = ("*Sdílená kopie: výstupy buněk jsou odstraněny, protože sešit běžel nad daty v plné přesnosti. "
            "Výsledky jsou ve zveřejněných tabulkách a zprávách.*\n\n"
            "*Shared copy: cell outputs are removed because the notebook ran on the data at full precision. "
            "The results are in the published tables and reports.*")
    for path in sorted(source.rglob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
            cell.metadata.pop("papermill", None)
            cell.metadata.pop("execution", None)
        notebook.metadata.pop("papermill", None)
        notebook.cells.insert(0, nbformat.v4.new_markdown_cell(note))
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, destination)
        written.append(destination)
    return written


def check_not_empty(strands: Sequence[InternalStrand], folder: Path) -> None:
    if not strands:
        raise EvaluationError(f"{folder} holds no results to publish")
