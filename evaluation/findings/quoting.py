"""Numbers in a finding's text as quotations of key figures, so that publication can protect them.

A finding's wording (:func:`~evaluation.findings.finding_text`) writes its numbers itself: the
effect, its interval, the range the data are compatible with, the minimum detectable effect, the
checks' estimates. A stored text must not carry a number computed from the data: it quotes key
figures (``{id}``) that publication fills from the protected tables (see
:meth:`evaluation.reporting.store.ResultsStore.add_text`). :func:`quote_numbers` finds each
registered number in a text, written as the wording writes it (its magnitude, in the language's
format, at some number of decimals), and puts the quotation of a key figure in its place; the
strand then stores one key figure per quoted (number, decimals) pair, a reference to the cell
that holds the number (:func:`figure_id`).

Example
-------
>>> text, used = quote_numbers("a fall of 0.19 (95% interval 0.02–0.36)",
...                            {"ev_est": -0.19, "ev_low": -0.36, "ev_high": -0.02}, "en")
>>> text
'a fall of {quote_ev_est_d2} (95% interval {quote_ev_high_d2}–{quote_ev_low_d2})'
>>> sorted(used)
[('ev_est', 2), ('ev_high', 2), ('ev_low', 2)]
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from evaluation.reporting.formatting import format_number

#: The numbers of decimals a wording may use for a number (the outcome's, or more for a small one).
DECIMALS = range(7)
#: A number is not quoted where it continues a longer number (a digit, a decimal point or a
#: thousands group before or after it).
_BEFORE = r"(?<![\d.,])(?<!\d[\u00a0\u202f ])"
_AFTER = r"(?![\d]|[.,]\d|[\u00a0\u202f ]\d{3}(?!\d))"


#: Key figures that only quote a number in a text start with this (the key-figure tables leave them out).
QUOTE_PREFIX = "quote_"


def figure_id(name: str, decimals: int) -> str:
    """The key figure that quotes number ``name`` at ``decimals`` places."""
    return f"{QUOTE_PREFIX}{name}_d{decimals}"


def quote_numbers(text: str, numbers: Mapping[str, float], lang: str, *,
                  min_decimals: int = 0) -> tuple[str, set[tuple[str, int]]]:
    """``text`` with every registered number (by name; its magnitude as the wording writes it)
    replaced by a key-figure quotation ``{quote_name_dK}``, and the (name, decimals) pairs used.

    Longer written forms are replaced first, so that ``1 234,5`` is not taken for ``234,5``;
    two names written alike quote the first registered (they show the same digits). A sign
    before a number stays in the text (the key figure holds the magnitude). ``min_decimals`` is
    the fewest places the wording writes (the outcome's decimals); a single digit is never
    quoted, since it could be a rule's number or a design level rather than the figure.
    """
    forms: dict[str, tuple[str, int]] = {}
    for name, value in numbers.items():
        if value is None or not math.isfinite(float(value)):
            continue
        for decimals in DECIMALS:
            if decimals < min_decimals:
                continue
            written = format_number(abs(float(value)), lang, decimals)
            if len(written) > 1:
                forms.setdefault(written, (name, decimals))
    used: set[tuple[str, int]] = set()
    if not forms:
        return text, used
    ordered = sorted(forms, key=len, reverse=True)
    pattern = re.compile(_BEFORE + "(" + "|".join(re.escape(f) for f in ordered) + ")" + _AFTER)

    def replace(match: re.Match[str]) -> str:
        name, decimals = forms[match.group(1)]
        used.add((name, decimals))
        return "{" + figure_id(name, decimals) + "}"

    return pattern.sub(replace, text), used


__all__ = ["QUOTE_PREFIX", "figure_id", "quote_numbers"]
