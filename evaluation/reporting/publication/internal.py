"""Reading an internal results folder: what the notebooks of a run stored, at full precision.

Example
-------
>>> strands = read_internal("output/internal/results")       # doctest: +SKIP
>>> [(s.scope, s.strand, sorted(s.tables)) for s in strands][:1]  # doctest: +SKIP
[('all', 'data', ['ledger', 'ledger_detail', ...])]
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.errors import ConfigError, EvaluationError
from evaluation.reporting.store import INTERNAL, PUBLISHED, slug, strand_folders


@dataclass(frozen=True)
class InternalTable:
    """One stored table as computed, with the description :meth:`ResultsStore.add_table` wrote."""

    scope: str
    strand: str
    name: str
    data: pd.DataFrame
    info: Mapping[str, Any]

    @property
    def key(self) -> tuple[str, str, str]:
        """``(scope folder, strand, table)``: the table's name within the run."""
        return (slug(self.scope), self.strand, self.name)

    @property
    def label(self) -> str:
        return f"{self.scope}/{self.strand}/{self.name}"

    @property
    def count_columns(self) -> list[str]:
        return [c for c in self.info.get("count_columns", []) if c in self.data.columns]

    @property
    def n_column(self) -> str | None:
        n = self.info.get("n_column")
        return n if n in self.data.columns else None


@dataclass(frozen=True)
class InternalStrand:
    """Everything one notebook stored for one scope and strand."""

    scope: str
    strand: str
    folder: Path
    meta: Mapping[str, Any]
    tables: Mapping[str, InternalTable]
    figures: Mapping[str, Mapping[str, Any]]
    key_figures: Mapping[str, Mapping[str, Any]]
    texts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def _read_json(path: Path, default: Any) -> Any:
    if not path.is_file():
        return default
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise EvaluationError(f"results file {path} is not valid JSON: {error}") from None


def read_table(csv: Path, info: Mapping[str, Any]) -> pd.DataFrame:
    """A stored table with its text columns as text and its numbers as numbers."""
    text = [c for c in info.get("text_columns", [])]
    data = pd.read_csv(csv, dtype={c: str for c in text}, keep_default_na=True, encoding="utf-8")
    for column in text:
        if column in data.columns:
            data[column] = data[column].astype(object).where(data[column].notna(), None)
    return data


def read_internal(root: str | os.PathLike[str]) -> list[InternalStrand]:
    """Every strand of every scope in an internal results folder, the whole-programme scope first.

    Raises :class:`ConfigError` for a missing folder or one that was published already.
    """
    root = Path(root)
    if not root.is_dir():
        raise ConfigError(f"results folder {root} does not exist")
    strands = []
    for folder in strand_folders(root):
        meta = _read_json(folder / "meta.json", {})
        if meta.get("kind") == PUBLISHED:
            raise ConfigError(f"{folder} holds published results already; publish the internal folder "
                                  "the notebooks wrote")
        if meta.get("kind") not in (INTERNAL, None):
            raise EvaluationError(f"{folder}/meta.json has an unknown kind {meta.get('kind')!r}")
        scope = str(meta.get("scope", folder.parent.name))
        strand = str(meta.get("strand", folder.name))
        infos = {path: _read_json(path, {}) for path in sorted((folder / "tables").glob("*.json"))}
        tables = {}
        for path, info in sorted(infos.items(), key=lambda item: str(item[1].get("written", ""))):
            csv = path.with_suffix(".csv")
            if csv.is_file():
                tables[path.stem] = InternalTable(scope, strand, path.stem, read_table(csv, info), info)
        figures = {path.stem: _read_json(path, {}) for path in sorted((folder / "figures").glob("*.json"))}
        figures = dict(sorted(figures.items(), key=lambda item: str(item[1].get("written", ""))))
        strands.append(InternalStrand(scope, strand, folder, meta, tables, figures,
                                      _read_json(folder / "key_figures.json", {}),
                                      _read_json(folder / "texts.json", {})))
    return sorted(strands, key=lambda s: (slug(s.scope) != "all", slug(s.scope), s.strand))
