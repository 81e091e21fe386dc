"""Report typography and Czech wording: the last pass over every text a report prints.

Texts reach the reports from three places: the translations in ``reports/i18n``, the results
folder (findings, labels, titles and notes that the strands stored) and the note catalogue
(:mod:`evaluation.reporting.notes`). This module gives them one typography and, in Czech, the
wording a Czech official writes:

* one minus sign everywhere: U+2212 (``−12``), never a hyphen before a number (both languages);
* the quotation marks of the language: „…“ in Czech, “…” in English;
* the preposition *z/ze* before a number as it is read aloud (``ze 3 kohort``, ``ze 138
  domácností``, ``z 50 domácností``): :func:`z_or_ze`;
* the genitive after *na stupni* (``na stupni sociálního bydlení``), :data:`STEP_GENITIVE`;
* the field's terms instead of calques (:data:`WORDING`): *divoký klastrový bootstrap* for
  "wild cluster bootstrap", *fixní efekty domácností a kalendářních měsíců* for "dvousměrné
  fixní efekty", *žádosti bez rozhodnutí déle než 90 dní* for "ztracené žádosti", and no
  ambiguous "žádostí na kontaktních místech starších než 90 dní".

The strands may adopt the same wording at the source (the helpers are public); the pass is
then a no-op for their texts.

Example
-------
>>> polish("Z 138 domácností; 3 z 3 kohort; na stupni sociální bydlení (26 %).", "cs")
'Ze 138 domácností; 3 ze 3 kohort; na stupni sociálního bydlení (26 %).'
>>> polish("CI -0.43 to 0.03, see „Table“", "en")
'CI −0.43 to 0.03, see “Table”'
"""

from __future__ import annotations

import re

MINUS = "\u2212"

#: Step labels of the data contract (nominative) -> genitive, for "na stupni ...".
STEP_GENITIVE: dict[str, str] = {
    "krizové bydlení": "krizového bydlení",
    "sociální bydlení": "sociálního bydlení",
    "dostupné bydlení": "dostupného bydlení",
    "standardní nájem": "standardního nájmu",
    "prostupné bydlení": "prostupného bydlení",
    "Housing First": "Housing First",
}

#: Czech wording: (pattern, replacement), applied in order. Only exact phrases the strands and
#: estimators are known to write; each replacement keeps the sentence grammatical.
WORDING: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    # "wild (cluster) bootstrap": the Czech term, in the case of the sentence
    (r"\bWild cluster bootstrap\b", "Divoký klastrový bootstrap"),
    (r"\bwild cluster bootstrapem\b", "divokým klastrovým bootstrapem"),
    (r"\bwild cluster bootstrapu\b", "divokého klastrového bootstrapu"),
    (r"\bwild cluster bootstrap\b", "divoký klastrový bootstrap"),
    (r"\bwild bootstrapem\b", "divokým bootstrapem"),
    (r"\bwild bootstrapu\b", "divokého bootstrapu"),
    (r"\bwild bootstrap\b", "divoký bootstrap"),
    # two-way fixed effects: say what is fixed
    (r"\bdvousměrné fixní efekty\b", "fixní efekty domácností a kalendářních měsíců"),
    (r"\bdvousměrnými fixními efekty\b", "fixními efekty domácností a kalendářních měsíců"),
    # "lost applications": a calque; say what it means
    (r"\bPodíl ztracených žádostí\b", "Podíl žádostí bez rozhodnutí déle než 90 dní"),
    (r"\bZtracené žádosti \(bez rozhodnutí po 90 dnech\)", "Žádosti bez rozhodnutí déle než 90 dní"),
    (r"\bztracená žádost\b", "žádost bez rozhodnutí déle než 90 dní"),
    # ambiguous: the applications are older than 90 days, not the contact points
    (r"žádostí na kontaktních místech starších než (\d+) dní",
     r"žádostí podaných na kontaktních místech před více než \1 dny"),
    # "1 z 1 kohort má": one cohort
    (r"\b1 z 1 kohort má\b", "jediná kohorta má"),
    # a p-value rounded to zero
    (r"\bp = 0,000\b", "p < 0,001"),
    # the staircase is "prostupné bydlení" in the field's own documents
    (r"\bposun výš po schodech bydlení\b", "posun na vyšší stupeň prostupného bydlení"),
    (r"\bpo schodech bydlení\b", "v prostupném bydlení"),
    # typographic apostrophe in a name
    (r"Sant'Ann", "Sant’Ann"),
))

#: Whole Czech column headers worded better (the labels module's headers are kept as they are).
HEADERS: dict[str, str] = {
    "Ztracené": "Bez rozhodnutí déle než 90 dní",
    "Podíl ztracených": "Podíl bez rozhodnutí déle než 90 dní",
    "Otevřené (zatím ne ztracené)": "Otevřené, podané před méně než 90 dny",
}

_STEP_LABELS = "|".join(re.escape(label) for label in sorted(STEP_GENITIVE, key=len, reverse=True))
_STEP_LIST = re.compile(
    rf"(\bna (?:tomto )?stupni )((?:{_STEP_LABELS})(?: \([^)]*\))?(?:(?:, | a )(?:{_STEP_LABELS})(?: \([^)]*\))?)*)")
_STEP_LABEL = re.compile(_STEP_LABELS)
_Z_NUMBER = re.compile(r"(?<![\w\u00a0])([Zz]) (\d{1,3}(?:[\u00a0\u202f ]\d{3})*|\d+)(?=[\s\u00a0,.;:)%]|$)")
_HYPHEN_MINUS = re.compile(r"(?<![\w\-–/.])-(?=\d)")
_CZECH_QUOTES = re.compile(r"„([^„“”]*)“")


def z_or_ze(number: float | str) -> str:
    """The preposition *z* or *ze* before ``number`` as it is read in the genitive.

    *ze* before a numeral that starts with s, š, z, ž or a cluster that needs a vowel
    (*dvou, tří, čtyř, šesti, sedmi, sta, dvanácti, ...*), otherwise *z*.

    >>> [z_or_ze(n) for n in (1, 2, 3, 5, 7, 12, 50, 88, 138, 498, 1000, 2483)]
    ['z', 'ze', 'ze', 'z', 'ze', 'ze', 'z', 'z', 'ze', 'ze', 'z', 'ze']
    """
    if isinstance(number, str):
        number = float(re.sub(r"[\s\u00a0\u202f]", "", number).replace(",", "."))
    n = int(abs(float(number)))
    for scale in (10**9, 10**6, 10**3):
        if n >= scale:
            lead = n // scale
            return "z" if lead == 1 else z_or_ze(lead)
    if n >= 100:
        return "ze" if n // 100 in (1, 2, 3, 4, 6, 7) else "z"
    if n >= 20:
        return "ze" if n // 10 in (2, 3, 4, 6, 7) else "z"
    return "ze" if n in (2, 3, 4, 6, 7, 12, 13, 14, 16, 17) else "z"


def v_or_ve(number: float) -> str:
    """The preposition *v* or *ve* before ``number`` read in the locative (*ve dvou, ve třech,
    ve čtyřech, ve dvaceti*; *v pěti, v šesti*).

    >>> [v_or_ve(n) for n in (1, 2, 3, 5, 12, 24, 50, 300)]
    ['v', 've', 've', 'v', 've', 've', 'v', 've']
    """
    n = int(abs(float(number)))
    for scale in (10**9, 10**6, 10**3):
        if n >= scale:
            lead = n // scale
            return "v" if lead == 1 else v_or_ve(lead)
    if n >= 100:
        return "ve" if n // 100 in (2, 3, 4) else "v"
    if n >= 20:
        return "ve" if n // 10 in (2, 3, 4) else "v"
    return "ve" if n in (2, 3, 4, 12, 13, 14) else "v"


def _vocalise(match: re.Match[str]) -> str:
    word = z_or_ze(match.group(2))
    return f"{word.capitalize() if match.group(1) == 'Z' else word} {match.group(2)}"


def _genitive(match: re.Match[str]) -> str:
    return match.group(1) + _STEP_LABEL.sub(lambda m: STEP_GENITIVE[m.group(0)], match.group(2))


def unify_minus(text: str) -> str:
    """A hyphen-minus in front of a number becomes the minus sign U+2212 (not in dates or ranges)."""
    return _HYPHEN_MINUS.sub(MINUS, text)


def polish_header(text: str, lang: str) -> str:
    """A column header: :data:`HEADERS` in Czech, then :func:`polish`."""
    return polish(HEADERS.get(text, text) if lang == "cs" else text, lang)


def polish(text: str, lang: str) -> str:
    """The report's typography (both languages) and Czech wording (``lang="cs"``)."""
    if not text:
        return text
    text = unify_minus(str(text))
    if lang != "cs":
        return _CZECH_QUOTES.sub(r"“\1”", text)
    for pattern, replacement in WORDING:
        text = pattern.sub(replacement, text)
    text = _STEP_LIST.sub(_genitive, text)
    return _Z_NUMBER.sub(_vocalise, text)
