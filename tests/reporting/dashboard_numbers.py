"""What numbers a dashboard may show: those of the published CSVs (as the reports round them),
and those the published metadata and the page's own words carry (``90 dní``, ``95%``).

Example
-------
>>> allowed = published_numbers(published_folder)                   # doctest: +SKIP
>>> unexplained(["2 728", "5,3 %"], allowed, "cs")                   # doctest: +SKIP
[]
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

_TOKEN = {"cs": re.compile(r"[−-]?\d+(?:[\u00a0\u202f ]\d{3})*(?:,\d+)?"),
          "en": re.compile(r"[−-]?\d+(?:,\d{3})*(?:\.\d+)?")}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
HIDDEN = re.compile(r"^(<\d+|x)$")


def numbers_in(text: str, lang: str) -> list[float]:
    """The numbers written in ``text`` the way ``lang`` writes them (``12 345,6`` / ``12,345.6``)."""
    out = []
    for token in _TOKEN[lang].findall(text):
        plain = token.replace("−", "-").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        plain = plain.replace(",", ".") if lang == "cs" else plain.replace(",", "")
        out.append(float(plain))
    return out


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def published_numbers(published: Path) -> set[float]:
    """Every number of every published CSV cell (also as per cent, and rounded to 0–3 decimals as
    the reports print them), the parts of its dates, and the numbers in the tables' published texts
    (titles, labels, notes)."""
    base: set[float] = set()
    for csv in published.glob("*/*/tables/*.csv"):
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        for value in [*frame.columns, *frame.to_numpy().ravel()]:
            text = str(value).strip()
            date = _ISO_DATE.match(text)
            if date:
                base.update(float(part) for part in date.groups())
                continue
            try:
                number = float(text)
            except ValueError:
                continue
            if math.isfinite(number):
                base.update((number, number * 100))
        info = json.loads(csv.with_suffix(".json").read_text(encoding="utf-8"))
        for text in _strings({k: info.get(k) for k in ("title_cs", "title_en", "notes", "column_labels")}):
            for lang in ("cs", "en"):
                base.update(numbers_in(text, lang))
        for note in _strings((info.get("disclosure") or {}).get("notes_cs", []) + (info.get("disclosure") or {}).get(
                "notes_en", [])):
            base.update(numbers_in(note, "cs") + numbers_in(note, "en"))
    allowed = set()
    for number in base:
        allowed.update(round(round(number, places), 6) for places in range(4))
        allowed.add(round(number, 6))
    return allowed


def unexplained(texts: Iterable[str], allowed: set[float], lang: str) -> list[tuple[str, float]]:
    """The numbers in ``texts`` that are not among ``allowed`` (with the text they are in)."""
    bad = []
    for text in texts:
        for number in numbers_in(text, lang):
            if round(number, 6) not in allowed:
                bad.append((text, number))
    return bad
