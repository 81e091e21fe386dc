"""Numbers and dates the way each report language writes them.

Czech: decimal comma, a non-breaking space between thousands (``12 345,6``), a
non-breaking space before the per cent sign (``12,3 %``), dates as ``23. 11. 2026``.
English: ``12,345.6``, ``12.3%``, ``23 November 2026``. Ranges take an en dash
(``87–96 %``), or ``až``/``to`` when a limit is negative. Negative numbers take the minus
sign U+2212 in both languages (``−3,5``, ``−3.5``), the one minus sign of every report.

Example
-------
>>> format_number(12345.678, "cs", decimals=1)
'12\\xa0345,7'
>>> format_percent(0.123, "cs")
'12,3\\xa0%'
>>> format_percent(0.123, "en")
'12.3%'
>>> format_interval(0.87, 0.96, "cs", percent=True, decimals=0)
'87–96\\xa0%'
>>> format_date("2026-11-23", "cs")
'23.\\xa011.\\xa02026'
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

import pandas as pd

NBSP = "\u00a0"
#: The minus sign of the reports (both languages).
MINUS = "\u2212"
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_number(value: Any, lang: str = "cs", decimals: int | None = None) -> str:
    """A number with the language's decimal and thousands separators.

    ``decimals=None`` shows whole numbers without decimals and others with up to three
    significant decimals. Missing values become an en dash.
    """
    if _missing(value):
        return "–"
    number = float(value)
    if math.isinf(number):
        return "∞" if number > 0 else "−∞"
    if decimals is None:
        # float noise from sums of weights (43.000000000000004) is a whole number
        if abs(number - round(number)) <= 1e-9 * max(1.0, abs(number)) and abs(number) < 1e15:
            decimals = 0
        else:
            magnitude = abs(number)
            decimals = 1 if magnitude >= 100 else 2 if magnitude >= 1 else 3
    text = f"{number:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "").replace("-", "")) == 0:
        text = text[1:]
    if lang == "cs":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", NBSP)
    return text.replace("-", MINUS)


def format_percent(share: Any, lang: str = "cs", decimals: int = 1) -> str:
    """A share in 0..1 as per cent: ``12,3 %`` (Czech) or ``12.3%`` (English)."""
    if _missing(share):
        return "–"
    number = format_number(float(share) * 100, lang, decimals)
    return f"{number}{NBSP}%" if lang == "cs" else f"{number}%"


def format_date(value: Any, lang: str = "cs") -> str:
    """A date: ``23. 11. 2026`` (Czech, non-breaking spaces) or ``23 November 2026`` (English)."""
    if _missing(value):
        return "–"
    if isinstance(value, str):
        value = pd.Timestamp(value)
    if isinstance(value, pd.Timestamp):
        value = value.date()
    if isinstance(value, _dt.datetime):
        value = value.date()
    if lang == "cs":
        return f"{value.day}.{NBSP}{value.month}.{NBSP}{value.year}"
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"


def format_interval(low: Any, high: Any, lang: str = "cs", *, percent: bool = False,
                    decimals: int | None = None, unit: str = "") -> str:
    """A range or confidence interval: ``87–96 %`` (en dash, the unit once at the end).

    When a limit is negative the dash would read as a minus sign, so the words ``až``
    (Czech) or ``to`` (English) join the limits: ``−6 805 až −5 796 Kč``.
    """
    if _missing(low) or _missing(high):
        return ""
    if percent:
        places = 1 if decimals is None else decimals
        a, b = (format_number(float(v) * 100, lang, places) for v in (low, high))
        unit = "%"
    else:
        a, b = format_number(low, lang, decimals), format_number(high, lang, decimals)
    negative = float(low) < 0 or float(high) < 0
    joined = f"{a} {'až' if lang == 'cs' else 'to'} {b}" if negative else f"{a}–{b}"
    if not unit:
        return joined
    if unit == "%" and lang != "cs":
        return f"{joined}%"
    return f"{joined}{NBSP}{unit}"


def format_cell(value: Any, lang: str = "cs", *, column: str = "") -> str:
    """A stored table cell (text from the CSV): numbers localised, symbols and labels unchanged."""
    if _missing(value) or value == "":
        return ""
    text = str(value).strip()
    if text.startswith("<") or text == "x":
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    if column == "p_value":
        return format_p_value(number, lang)
    return format_number(number, lang)


def format_p_value(p: Any, lang: str = "cs") -> str:
    """A p-value as tables and charts show it: three decimals, ``<0,001`` (``<0.001``) below
    0.001, an en dash when missing or not finite.

    >>> format_p_value(0.04567, "cs"), format_p_value(0.0004, "en")
    ('0,046', '<0.001')
    """
    if _missing(p) or not math.isfinite(float(p)):
        return "–"
    if float(p) < 0.001:
        return "<" + format_number(0.001, lang, 3)
    return format_number(p, lang, 3)
