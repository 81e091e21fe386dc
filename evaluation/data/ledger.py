"""The ledger of rows: how many came in per table, how many were excluded and why, how many loaded.

``received`` counts the data rows physically in the file (every sheet of a workbook
that holds the table; for CSV every record below the header, counted apart from the
CSV parser, so that a broken quote cannot make rows vanish). Every excluded row is
counted exactly once, under the first rule it broke in the order the loader checks
them (unreadable row, broken quotes, merged cells, wrong encoding, type, required,
category, range, unique key, the schema's rules, foreign key, orphan), so that for
every table ``received == sum(excluded) + loaded`` — the arithmetic a CONSORT-style
flow diagram needs. Columns removed for privacy are listed in ``dropped_columns``.

Example
-------
>>> ledger = Ledger.from_counts(received={"households": 10}, loaded={"households": 8},
...                             excluded={("households", "type"): 2})
>>> ledger.tidy()[["table", "stage", "rule", "rows"]].to_dict("records")[1]
{'table': 'households', 'stage': 'excluded', 'rule': 'type', 'rows': 2}
>>> ledger.excluded("households"), ledger.loaded("households")
(2, 8)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from evaluation.data.messages import RULE_NAMES
from evaluation.results import Result

STAGES = ("received", "excluded", "loaded")
LEDGER_COLUMNS = ("table", "stage", "rule", "rows", "reason_cs", "reason_en")
_STAGE_REASONS = {"received": ("řádky v souboru", "rows in the file"),
                  "loaded": ("řádky načtené k analýze", "rows loaded for analysis")}
#: What "received" counts when the rows come from a database table instead of a file.
_RECEIVED_FROM_DATABASE = ("řádky v tabulce databáze", "rows in the database table")


@dataclass(frozen=True)
class LedgerEntry:
    table: str
    stage: str
    rule: str
    rows: int
    reason_cs: str
    reason_en: str


@dataclass(frozen=True)
class DroppedColumn:
    table: str
    column: str
    reason_cs: str
    reason_en: str


@dataclass(frozen=True)
class Ledger(Result):
    """Rows received, excluded (by rule) and loaded per table; immutable."""

    entries: tuple[LedgerEntry, ...] = ()
    dropped_columns: tuple[DroppedColumn, ...] = ()
    count_columns = ("rows",)

    @property
    def title(self) -> str:
        return "Data ledger"

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(f"column {d.column!r} of {d.table} removed: {d.reason_en}" for d in self.dropped_columns)

    @classmethod
    def from_counts(cls, received: Mapping[str, int], loaded: Mapping[str, int],
                    excluded: Mapping[tuple[str, str], int],
                    dropped_columns: tuple[DroppedColumn, ...] = (), *, source_kind: str = "folder") -> Ledger:
        """Build the ledger; ``excluded`` maps (table, rule) to a row count (zero counts are left out).
        ``source_kind="database"`` says the rows were received from database tables."""
        entries: list[LedgerEntry] = []
        received_reason = _RECEIVED_FROM_DATABASE if source_kind == "database" else _STAGE_REASONS["received"]
        for table, n_in in received.items():
            entries.append(LedgerEntry(table, "received", "", int(n_in), *received_reason))
            for (t, rule), n in excluded.items():
                if t == table and n:
                    cs, en = RULE_NAMES.get(rule, (rule, rule))
                    entries.append(LedgerEntry(table, "excluded", rule, int(n), cs, en))
            entries.append(LedgerEntry(table, "loaded", "", int(loaded.get(table, 0)), *_STAGE_REASONS["loaded"]))
        return cls(entries=tuple(entries), dropped_columns=tuple(dropped_columns))

    def tidy(self) -> pd.DataFrame:
        frame = pd.DataFrame([e.__dict__ for e in self.entries], columns=list(LEDGER_COLUMNS))
        return frame.astype({"rows": "int64"})

    def dropped_columns_table(self) -> pd.DataFrame:
        return pd.DataFrame([d.__dict__ for d in self.dropped_columns],
                            columns=["table", "column", "reason_cs", "reason_en"])

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.table for e in self.entries))

    def _count(self, table: str, stage: str, rule: str | None = None) -> int:
        return sum(e.rows for e in self.entries
                   if e.table == table and e.stage == stage and (rule is None or e.rule == rule))

    def received(self, table: str) -> int:
        return self._count(table, "received")

    def excluded(self, table: str, rule: str | None = None) -> int:
        """Rows of ``table`` excluded, by any rule or by ``rule``."""
        return self._count(table, "excluded", rule)

    def loaded(self, table: str) -> int:
        return self._count(table, "loaded")
