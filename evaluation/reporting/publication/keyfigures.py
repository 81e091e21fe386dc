"""Key figures and findings texts as published: taken from the protected tables, never from
the numbers the notebooks computed.

A key figure is a reference to a cell of a stored table (see
:meth:`ResultsStore.add_key_figure`); it is published with the cell's protected value,
rounded to the precision the reports show, and withheld where the cell is hidden. A text
quotes key figures through placeholders (``{housed_12m}``, ``{housed_12m.ci}``,
``{housed_12m.n}``), filled here in each language.

Example
-------
>>> fill_text("Do bydlení vstoupilo {entered} domácností.", {"entered": {"value": "138"}})
'Do bydlení vstoupilo 138 domácností.'
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from evaluation.reporting.publication.protect import round_published

PLACEHOLDER = re.compile(r"\{([A-Za-z0-9][A-Za-z0-9_-]*)(?:\.(ci|n))?\}")


def _same(value: Any, wanted: Any) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return wanted is None
    number, target = pd.to_numeric(pd.Series([value, wanted]), errors="coerce")
    if not pd.isna(number) and not pd.isna(target):
        return abs(float(number) - float(target)) < 1e-9
    return str(value).strip() == str(wanted).strip()


def find_row(table: pd.DataFrame, selector: Mapping[str, Any]) -> int | None:
    """Position of the one row whose columns have the values of ``selector`` (None if not one)."""
    if not selector:
        return 0 if len(table) == 1 else None
    matches = [row for row in range(len(table))
               if all(column in table.columns and _same(table.at[row, column], value)
                      for column, value in selector.items())]
    return matches[0] if len(matches) == 1 else None


def _number(value: Any) -> float | None:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return None if pd.isna(number) else float(number)


def resolve_key_figure(reference: Mapping[str, Any], published: pd.DataFrame | None) -> dict[str, Any]:
    """The published entry of a key figure from the protected table it refers to.

    ``published`` is the table as published (hidden cells hold their symbol), or None when the
    table is withheld. The value is rounded to ``decimals`` (of a per cent for ``unit="%"``).
    """
    entry = {key: reference.get(key) for key in ("label_cs", "label_en", "unit", "is_count", "decimals", "n_unit")}
    entry.update(value=None, ci=None, n=None, suppressed=True)
    if published is None:
        return entry
    row = find_row(published, reference.get("row") or {})
    if row is None:
        return entry
    value = _number(published.at[row, reference["column"]])
    if value is None:
        return entry
    decimals = reference.get("decimals")
    share = reference.get("unit") == "%"

    def rounded(number: float) -> float:
        if decimals is None:
            return round_published(number, share=share)
        return round(number, decimals + (2 if share else 0))

    entry.update(value=rounded(value), suppressed=False)
    low_high = reference.get("ci_columns")
    if low_high:
        low, high = (_number(published.at[row, c]) for c in low_high)
        entry["ci"] = None if low is None or high is None else [rounded(low), rounded(high)]
    n_column = reference.get("n_column")
    if n_column:
        entry["n"] = None if _number(published.at[row, n_column]) is None else int(_number(published.at[row, n_column]))
        if entry["n"] is None:  # the base is hidden: so is what rests on it
            entry.update(value=None, ci=None, suppressed=True)
    return entry


def fill_text(template: str, figures: Mapping[str, Mapping[str, str]]) -> str | None:
    """Fill the placeholders of ``template`` with formatted key figures; None when one is missing
    (hidden, or not a key figure of the strand)."""
    missing = False

    def replace(match: re.Match) -> str:
        nonlocal missing
        figure = figures.get(match.group(1))
        part = match.group(2) or "value"
        if figure is None or not figure.get(part):
            missing = True
            return ""
        return figure[part]

    text = PLACEHOLDER.sub(replace, template)
    return None if missing else text


#: A number that counts people or records in a note ("Excluded 3 row(s)", "Vynechány 2 domácnosti").
COUNTED = re.compile(
    r"(?<![\d.,/\-])(\d+)(?=\s*(?:\(|)(?:row|spell|household|application|applicant|tenanc|record|unit|flat|"
    r"person|famil|řád|domácnost|žádost|žadatel|záznam|pobyt|epizod|nájm|byt|osob|rodin))", re.IGNORECASE)


def mask_small_counts(text: str, threshold: int) -> str:
    """A note or a text cell as published: a number of people, households, rows or records below
    ``threshold`` is written as ``<threshold`` (notes are free text, and the estimators count
    what they leave out in them).

    Example
    -------
    >>> mask_small_counts("Excluded 3 row(s) of rent_ledger; 12 households kept.", 5)
    'Excluded <5 row(s) of rent_ledger; 12 households kept.'
    """
    def replace(match: re.Match) -> str:
        number = int(match.group(1))
        return f"<{threshold}" if 0 < number < threshold else match.group(1)

    return COUNTED.sub(replace, str(text))
