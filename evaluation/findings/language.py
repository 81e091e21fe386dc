"""Small pieces of Czech and English grammar the finding texts need.

* :func:`plural_cs` picks the Czech noun form a number governs: ``1 domácnost``, ``2–4
  domácnosti``, ``0`` and ``5+ domácností``; a number with decimals takes the genitive singular
  (``2,5 roku``, ``1,5 domácnosti``). Only exactly 1, 2, 3 and 4 are special: official Czech writes
  ``21 domácností``, ``22 domácností`` with numerals.
* :func:`count_text` writes the number and the noun together (``3 domácnosti`` / ``3
  households``), the number formatted by :mod:`evaluation.reporting.formatting` and joined to the
  noun with a non-breaking space; :data:`NOUNS` holds the nouns of the reports.
* :func:`sentence` capitalises the first letter and ends a sentence with one full stop.

Example
-------
>>> plural_cs(1, "domácnost", "domácnosti", "domácností")
'domácnost'
>>> [plural_cs(n, "domácnost", "domácnosti", "domácností") for n in (2, 4, 5, 22, 0)]
['domácnosti', 'domácnosti', 'domácností', 'domácností', 'domácností']
>>> count_text(3, "household", "cs"), count_text(1, "municipality", "en")
('3\\xa0domácnosti', '1\\xa0municipality')
>>> count_text(2.5, "year", "cs")
'2,5\\xa0roku'
"""

from __future__ import annotations

import math
import re
from typing import Any

from evaluation.errors import ConfigError
from evaluation.reporting.formatting import NBSP, format_number
from evaluation.reporting.labels import check_lang

#: Nouns of the reports: key -> ((Czech 1, 2–4, 5+, with decimals), (English singular, plural)).
NOUNS: dict[str, tuple[tuple[str, str, str, str], tuple[str, str]]] = {
    "household": (("domácnost", "domácnosti", "domácností", "domácnosti"), ("household", "households")),
    "municipality": (("obec", "obce", "obcí", "obce"), ("municipality", "municipalities")),
    "application": (("žádost", "žádosti", "žádostí", "žádosti"), ("application", "applications")),
    "month": (("měsíc", "měsíce", "měsíců", "měsíce"), ("month", "months")),
    "quarter": (("čtvrtletí", "čtvrtletí", "čtvrtletí", "čtvrtletí"), ("quarter", "quarters")),
    "year": (("rok", "roky", "let", "roku"), ("year", "years")),
    "period": (("období", "období", "období", "období"), ("period", "periods")),
    "flat": (("byt", "byty", "bytů", "bytu"), ("flat", "flats")),
    "person": (("osoba", "osoby", "osob", "osoby"), ("person", "people")),
    "child": (("dítě", "děti", "dětí", "dítěte"), ("child", "children")),
    "district": (("obvod", "obvody", "obvodů", "obvodu"), ("district", "districts")),
    "unit": (("jednotka", "jednotky", "jednotek", "jednotky"), ("unit", "units")),
}


def _is_whole(number: float) -> bool:
    return math.isfinite(number) and abs(number - round(number)) < 1e-9


def plural_cs(n: Any, one: str, few: str, many: str, fraction: str | None = None) -> str:
    """The Czech form of a noun after the number ``n``: ``one`` for 1, ``few`` for 2, 3 and 4,
    ``many`` otherwise (0, 5 and more, 21, 22, ...); a number with decimals takes ``fraction`` (the
    genitive singular; ``few`` when not given, which is the same word for most feminine nouns).

    >>> plural_cs(3, "obec", "obce", "obcí"), plural_cs(1.5, "rok", "roky", "let", "roku")
    ('obce', 'roku')
    """
    try:
        number = abs(float(n))
    except (TypeError, ValueError):
        raise ConfigError(f"plural_cs needs a number, not {n!r}") from None
    if not _is_whole(number):
        return few if fraction is None else fraction
    whole = round(number)
    if whole == 1:
        return one
    if whole in (2, 3, 4):
        return few
    return many


def plural_en(n: Any, singular: str, plural: str) -> str:
    """``singular`` for exactly 1, else ``plural``.

    >>> plural_en(1, "household", "households"), plural_en(0, "household", "households")
    ('household', 'households')
    """
    return singular if float(n) == 1 else plural


def noun(key: str, n: Any, lang: str = "cs") -> str:
    """The noun :data:`NOUNS` ``[key]`` in the form the number ``n`` governs in ``lang``."""
    check_lang(lang)
    try:
        cs, en = NOUNS[key]
    except KeyError:
        raise ConfigError(f"unknown noun {key!r}; known: {', '.join(sorted(NOUNS))}") from None
    return plural_cs(n, *cs) if lang == "cs" else plural_en(n, *en)


def count_text(n: Any, key: str, lang: str = "cs", decimals: int | None = None) -> str:
    """``n`` and the noun ``key`` joined by a non-breaking space: ``5 domácností``, ``1 household``
    (one decimal for a number that is not whole, unless ``decimals`` is given)."""
    if decimals is None:
        decimals = 0 if _is_whole(abs(float(n))) else 1
    return f"{format_number(n, lang, decimals)}{NBSP}{noun(key, n, lang)}"


def display_decimals(values: list[float], base: int, most: int = 6) -> int:
    """``base`` decimals, or more where a non-zero value would print as zero (0,004 with 2 decimals).

    >>> display_decimals([0.004, 0.3], 2)
    3
    """
    shown = [abs(float(v)) for v in values if math.isfinite(float(v)) and v != 0]
    decimals = base
    while decimals < most and any(round(v, decimals) == 0 for v in shown):
        decimals += 1
    return decimals


def sentence(text: str) -> str:
    """``text`` with a capital first letter and one full stop at the end (none added after ``?``/``!``)."""
    text = re.sub(r"[ \t\r\n]+", " ", text).strip()  # not str.split(): it would eat non-breaking spaces
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".?!" else text + "."


def join_words(items: list[str], lang: str = "cs") -> str:
    """``a, b a c`` (Czech) or ``a, b and c`` (English)."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" a " if lang == "cs" else " and ") + items[-1]


def pick(pair: tuple[str, str], lang: str) -> str:
    """The Czech or English member of a ``(cs, en)`` pair."""
    return pair[0] if check_lang(lang) == "cs" else pair[1]


__all__ = ["NOUNS", "count_text", "display_decimals", "join_words", "noun", "pick", "plural_cs", "plural_en", "sentence"]
