"""The reports' glossary: terms of the field and of the methods, in Czech and English.

Entries live in ``reports/i18n/glossary.yaml`` (one list, both languages). A report lists the
entries whose patterns occur in its text, so a brief that never mentions a wild bootstrap
does not explain one. The term in the other language is printed marked with its language
(``[wild cluster bootstrap]{lang=en}``), so that readers, screen readers and the language
checks know it is quoted. Entries marked ``first_use`` also give a footnote where the term
first occurs in the running text (:func:`add_first_use_notes`).

Example
-------
>>> entries = glossary_for("Kontaktní místa pro bydlení vyřídila 2 728 žádostí.", "cs")
>>> [e.id for e in entries]
['kmb']
>>> entries[0].term
'kontaktní místo pro bydlení (KMB)'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from evaluation.errors import ConfigError


@dataclass(frozen=True)
class GlossaryEntry:
    id: str
    term: str
    text: str
    other: str  # the term in the other language ("" when the same)
    other_lang: str
    patterns: tuple[re.Pattern[str], ...]
    footnote: str = ""

    def occurs_in(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)


@lru_cache(maxsize=2)
def load_glossary(lang: str) -> tuple[GlossaryEntry, ...]:
    """Every glossary entry in ``lang`` (``reports/i18n/glossary.yaml``)."""
    import yaml

    from evaluation.reporting.assemble import reports_dir

    path = reports_dir() / "i18n" / "glossary.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    other_lang = "en" if lang == "cs" else "cs"
    entries = []
    for item in raw:
        try:
            text = item[lang]
            patterns = tuple(re.compile(p) for p in text["match"])
            entries.append(GlossaryEntry(
                id=item["id"], term=text["term"], text=text["text"],
                other=(item.get("other") or {}).get(lang, ""), other_lang=other_lang, patterns=patterns,
                footnote=text.get("footnote", "") if item.get("first_use") else ""))
        except (KeyError, TypeError, re.error) as error:
            raise ConfigError(f"glossary {path}: entry {item.get('id', '?')!r} is incomplete or has a bad "
                              f"pattern ({error})") from error
    return tuple(entries)


def glossary_for(text: str, lang: str) -> list[GlossaryEntry]:
    """The entries whose terms occur in ``text`` (in the glossary's order)."""
    return [entry for entry in load_glossary(lang) if entry.occurs_in(text)]


def _prose_lines(markdown: str) -> list[tuple[int, str]]:
    """Lines of running text: not the YAML header, headings, tables, captions, images or fenced divs."""
    lines = markdown.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    prose = []
    for index in range(start, len(lines)):
        stripped = lines[index].lstrip()
        if not stripped or stripped.startswith(("#", "|", ":", "![", "<!--", "-   **")):
            continue
        prose.append((index, lines[index]))
    return prose


_SENTENCE_END = re.compile(r"[.;!?](?=\s|$)")


def add_first_use_notes(markdown: str, entries: Sequence[GlossaryEntry]) -> str:
    """Attach each entry's footnote to the sentence where its term first occurs in the running
    text (the mark after the sentence's full stop, so the sentence itself is left as written)."""
    lines = markdown.split("\n")
    for entry in entries:
        if not entry.footnote:
            continue
        for index, line in _prose_lines("\n".join(lines)):
            match = next((m for p in entry.patterns for m in [p.search(line)] if m), None)
            if match:
                stop = _SENTENCE_END.search(line, match.end())
                end = stop.end() if stop else len(line.rstrip())
                lines[index] = line[:end] + f"^[{entry.footnote}]" + line[end:]
                break
    return "\n".join(lines)
