"""Foreign keys between tables, and the cascade of exclusions along them.

A tenancy's household and unit must exist; a rent-ledger row's tenancy must
exist. :func:`check_references` reports each row whose parent row is missing from
the parent file (rule ``foreign_key``). :func:`cascade_exclusions` then, for
loading with ``on_error="exclude"``, excludes the rows whose parent row exists
but was excluded (rule ``orphan``), table by table in dependency order, so that
an exclusion propagates down any chain (household -> tenancy -> rent ledger).
Empty references (e.g. a standard lease without a programme flat) are allowed.

Example
-------
>>> dependency_order({"tenancies": ("households",), "households": (), "rent_ledger": ("tenancies",)})
['households', 'tenancies', 'rent_ledger']
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from evaluation.data.checks import TableCheck
from evaluation.data.schema import ForeignKey


def dependency_order(parents: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Tables ordered so that every table comes after the tables it refers to."""
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in order or name in visiting:
            return
        visiting.add(name)
        for parent in parents.get(name, ()):
            if parent != name and parent in parents:
                visit(parent)
        visiting.discard(name)
        order.append(name)

    for name in parents:
        visit(name)
    return order


def _keys(check: TableCheck, fields: tuple[str, ...], positions: np.ndarray | None = None) -> pd.Index:
    columns = [check.values(f) if positions is None else check.values(f).iloc[positions] for f in fields]
    if len(columns) == 1:
        return pd.Index(columns[0].astype(object))
    return pd.MultiIndex.from_arrays([c.astype(object) for c in columns])


def _referencing(check: TableCheck, fk: ForeignKey) -> np.ndarray:
    """Rows whose reference is filled in completely (and parsed)."""
    filled = np.ones(check.n_rows, dtype=bool)
    for f in fk.fields:
        filled &= check.values(f).notna().to_numpy()
    return filled


def check_references(checks: Mapping[str, TableCheck]) -> None:
    """Report rows whose referenced parent row is not in the parent file (and note unchecked references)."""
    for check in checks.values():
        for fk in check.schema.foreign_keys:
            if not check.has(*fk.fields):
                continue
            parent = checks.get(fk.resource)
            # a parent file with a header only is reported as an empty table; its children's rows are
            # not each an error besides (they would bury that one message under thousands)
            if parent is None or parent.n_rows == 0:
                if _referencing(check, fk).any():
                    key = "foreign_key_unchecked" if parent is None else "foreign_key_empty_parent"
                    check.add_file_problem("foreign_key_unchecked", key, severity="warning",
                                           column=" + ".join(check.header(f) for f in fk.fields),
                                           parent=fk.resource)
                continue
            if not parent.has(*fk.reference_fields):
                continue
            known = _keys(parent, fk.reference_fields)
            filled = _referencing(check, fk)
            missing = filled & ~_keys(check, fk.fields).isin(known)
            check.add_row_problems(missing, fk.fields[0], "foreign_key", "foreign_key", parent=parent.raw.file,
                                   column=" + ".join(check.header(f) for f in fk.fields))


def cascade_exclusions(checks: Mapping[str, TableCheck]) -> None:
    """Exclude rows whose parent row was excluded, following foreign keys in dependency order."""
    parents = {name: tuple(fk.resource for fk in c.schema.foreign_keys) for name, c in checks.items()}
    for name in dependency_order(parents):
        check = checks[name]
        for fk in check.schema.foreign_keys:
            parent = checks.get(fk.resource)
            if parent is None or parent is check or not check.has(*fk.fields) or not parent.has(*fk.reference_fields):
                continue
            kept_positions = np.flatnonzero(~parent.excluded)
            kept = _keys(parent, fk.reference_fields, kept_positions)
            known = _keys(parent, fk.reference_fields)
            child_keys = _keys(check, fk.fields)
            orphan = (_referencing(check, fk) & ~check.excluded & child_keys.isin(known)
                      & ~child_keys.isin(kept))
            check.add_row_problems(orphan, fk.fields[0], "orphan", "orphan", parent=parent.raw.file,
                                   column=" + ".join(check.header(f) for f in fk.fields))
