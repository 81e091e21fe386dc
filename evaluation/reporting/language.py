"""Is a rendered report written in one language? A deterministic check with word lists.

A Czech report must not carry English sentences (an estimator's note, a disclosure message,
a method name left in English), an English report no Czech ones (a sentence, Czech quotation
marks). Language detectors are probabilistic and weak on short technical sentences; two small
lists of function words that occur in one language and never as words of the other (plus a
few English words the analyses use) decide robustly and the same way on every run.

A passage the report marks as quoted in the other language (``lang`` attribute in HTML,
``w:lang`` in Word, or the Markdown spans ``[...]{lang=en}`` it was written from) is left out
before the check: quoting the English title of a cited study is correct.

Example
-------
>>> foreign_passages("Podíl domácností v bydlení. Excluded 12 rows of the households table.", "cs")
['Excluded 12 rows of the households table.']
>>> foreign_passages("Share housed at 12 months. Počty jsou nahrazeny znakem „<5“.", "en")
['Počty jsou nahrazeny znakem „<5“.']
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: English words that are not Czech words (Czech homographs such as "a", "to", "on", "by", "do",
#: "no", "had", "test", "data" are left out).
ENGLISH_WORDS = frozenset(["the", "and", "of", "is", "are", "was", "were", "be", "been", "being", "with", "for", "from", "at", "as", "an", "or", "not", "this", "that", "these", "those", "which", "who", "whom", "whose", "when", "where", "after", "before", "than", "then", "there", "their", "its", "it", "into", "per", "each", "every", "any", "only", "other", "more", "less", "between", "over", "under", "without", "within", "have", "has", "would", "could", "should", "will", "can", "may", "must", "if", "but", "so", "also", "both", "such", "same", "until", "while", "about", "above", "below", "whether", "because", "during", "through", "shown", "based", "used", "households", "household", "months", "month", "rows", "row", "excluded", "estimate", "effect", "effects", "share", "applications", "application", "treated", "comparison", "interval", "intervals", "observations", "clusters", "draws", "standard", "errors", "error", "cost", "costs", "flats", "flat", "step", "steps", "programme", "municipality", "municipalities", "decision", "decisions", "lost", "outcome", "outcomes", "period", "periods", "still", "housed", "total", "none", "yes"])

#: Czech words that are not English words.
CZECH_WORDS = frozenset(["je", "jsou", "se", "na", "ve", "pro", "nebo", "podle", "jako", "bez", "od", "po", "ze", "za", "až", "než", "už", "také", "jen", "být", "byl", "byla", "bylo", "byly", "jejich", "jeho", "její", "tato", "tyto", "tento", "který", "která", "které", "kteří", "při", "mezi", "proti", "pouze", "ani", "již", "či", "tak", "že", "aby", "když", "kde", "jak", "co", "není", "nejsou", "ke", "ku", "vůči", "přes", "během", "domácnosti", "domácností", "bydlení", "počet", "podíl"])

#: Letters of the Czech alphabet that English words never have.
CZECH_LETTERS = re.compile(r"[ěščřžůňťďĚŠČŘŽŮŇŤĎ]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_CODE = re.compile(r"\S*[/_]\S*|\S+\.(?:csv|json|yaml|xlsx|parquet)\b")
_SENTENCE = re.compile(r"(?<=[.;!?])\s+|\n+")
_MARKED = re.compile(r"\[([^\[\]]+)\]\{[^}]*\blang=(\w+)[^}]*\}")


def sentences(text: str) -> list[str]:
    """The text in sentences (and lines), soft hyphens and line-end hyphenation undone."""
    text = text.replace("\u00ad\n", "").replace("\u00ad", "").replace("\u00a0", " ")
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def _is_foreign(sentence: str, lang: str, names: frozenset[str]) -> bool:
    # file paths and code names (all/process/tables/decisions_detail.csv) are no language
    sentence = _CODE.sub(" ", sentence)
    # abbreviations (IS, KMB, ÚP) and names are neither language
    words = [w for w in _WORD.findall(sentence) if w not in names and not (len(w) > 1 and w.isupper())]
    lowered = [w.lower() for w in words]
    if lang == "cs":
        return sum(w in ENGLISH_WORDS for w in lowered) >= 2
    if "„" in sentence:
        return True
    czech = sum(w in CZECH_WORDS for w in lowered)
    letters = sum(bool(CZECH_LETTERS.search(w)) for w in words)
    return czech >= 2 or letters >= 2 or (czech >= 1 and letters >= 1)


def foreign_passages(text: str, lang: str, *, names: Iterable[str] = ()) -> list[str]:
    """Sentences of ``text`` that read as the other language than ``lang``.

    ``names`` are words to ignore (proper names such as municipalities: *Jindřichův Hradec*
    is a name, not Czech, in an English report)."""
    if lang not in ("cs", "en"):
        raise ValueError(f"lang must be 'cs' or 'en', not {lang!r}")
    ignored = frozenset(w for name in names for w in _WORD.findall(name))
    return [s for s in sentences(text) if _is_foreign(s, lang, ignored)]


def marked_passages(markdown: str, lang: str) -> list[str]:
    """Texts the Markdown of a report marks as quoted in another language than ``lang``."""
    return [m.group(1) for m in _MARKED.finditer(markdown) if m.group(2) != lang]


def without(text: str, passages: Iterable[str]) -> str:
    """``text`` with ``passages`` removed, whatever the line breaks and hyphenation inside them."""
    flat = " ".join(sentences_text(text).split())
    # a word the PDF hyphenated at a line end ("Pro-\ngramme") reads "Pro-gramme" once the lines join:
    # hyphens inside words are dropped on both sides before the passages are taken out
    joined = re.sub(r"(?<=\w)-(?=\w)", "", flat)
    for passage in sorted(set(passages), key=len, reverse=True):
        plain = re.sub(r"(?<=\w)-(?=\w)", "", " ".join(re.sub(r"[*_\\]", "", passage).split()))
        joined = joined.replace(plain, " ")
    return joined


def sentences_text(text: str) -> str:
    return text.replace("\u00ad\n", "").replace("\u00ad", "").replace("-\n", "-").replace("\u00a0", " ")
