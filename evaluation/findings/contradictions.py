"""Contradiction checks: does anything a report says in one scope disagree with its own findings?

A report's key statements are :class:`Statement` records: a claimed direction of an outcome
(``decrease``, ``increase``, ``no_change``, ``unknown``), a figure quoted with its value, or the
premise of a recommendation (a direction, ``problem`` or ``no_problem``). Statements can be
declared by the code that writes a text (the surest way) or read from the text itself by
:func:`statements_from_text`, which finds sentences that name a question's outcome (its
keywords) and classifies the verb. Sentences that report another method's result ("a check with
another method shows a fall") are attributions, not claims, and are skipped.

:func:`check_contradictions` compares them with the findings of the same scope and with each other:

* a direction claimed where the finding says otherwise (a fall where it found no clear change, an
  effect where it could not be established or estimated, "no change" where it found a change);
* two statements of the same outcome in the same scope with different directions;
* a figure quoted with different values (beyond its rounding);
* a recommendation premised on a problem the findings say is absent (its threshold not crossed),
  or on an effect the findings do not support.

A test can then assert that a brief has none: ``assert check_contradictions(findings, statements) == ()``.

Example
-------
>>> from evaluation.findings import Estimate, Scope, assess_effect, load_questions
>>> q = load_questions()["evictions"]
>>> f = assess_effect(q, Estimate("callaway_santanna", -0.2, -0.43, 0.03, n_treated=16))
>>> found = check_contradictions([f], [Statement.direction("evictions", "decrease", source="headline")])
>>> found[0].kind
'finding'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from evaluation.errors import ConfigError
from evaluation.findings.finding import Finding
from evaluation.findings.questions import Question, Questions
from evaluation.reporting.formatting import format_number

DIRECTIONS = ("decrease", "increase", "no_change", "no_effect", "unknown")
PREMISES = DIRECTIONS + ("problem", "no_problem")
KINDS = ("direction", "figure", "premise")
_WORDS = {"decrease": ("pokles", "a fall"), "increase": ("nárůst", "a rise"),
          "no_change": ("žádná jasná změna", "no clear change"),
          "no_effect": ("žádný účinek (změna vyloučena)", "no effect (a change ruled out)"),
          "unknown": ("nelze říci", "cannot be said"),
          "problem": ("problém", "a problem"), "no_problem": ("bez problému", "no problem")}


@dataclass(frozen=True)
class Statement:
    """One key statement of a report scope: ``kind`` (direction, figure or premise), the question or
    figure id it is about (``subject``), the ``value`` claimed, the scope id (as
    :attr:`Scope.id`: ``all`` for the pooled scope, the municipality's name) and where it stands."""

    kind: str
    subject: str
    value: Any
    scope: str = "all"
    source: str = ""
    decimals: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(f"statement kind must be one of {KINDS}, not {self.kind!r}")
        allowed = DIRECTIONS if self.kind == "direction" else PREMISES if self.kind == "premise" else None
        if allowed is not None and self.value not in allowed:
            raise ConfigError(f"a {self.kind} statement must claim one of {allowed}, not {self.value!r}")

    @classmethod
    def direction(cls, subject: str, value: str, *, scope: str = "all", source: str = "") -> Statement:
        return cls("direction", subject, value, scope, source)

    @classmethod
    def figure(cls, subject: str, value: float, *, scope: str = "all", source: str = "",
               decimals: int | None = None) -> Statement:
        return cls("figure", subject, float(value), scope, source, decimals)

    @classmethod
    def premise(cls, subject: str, value: str, *, scope: str = "all", source: str = "") -> Statement:
        return cls("premise", subject, value, scope, source)


@dataclass(frozen=True)
class Contradiction:
    """A contradiction found: its kind (``finding``, ``statements``, ``figure``, ``premise``), the
    subject and scope, the sources involved and a message in Czech and English."""

    kind: str
    subject: str
    scope: str
    sources: tuple[str, ...]
    message_cs: str
    message_en: str

    def message(self, lang: str = "cs") -> str:
        return self.message_cs if lang == "cs" else self.message_en

    def __str__(self) -> str:
        return self.message_en


# ------------------------------------------------------------------------------ reading texts
_PATTERNS = {
    "cs": {
        "attribution": r"kontroln|jinou metodou|druhá metoda|podle (?:modelu|metody)",
        "unknown": r"nelze (?:říci|odhadnout|usoudit|posoudit)|odhadnout nelze|nelze z těchto dat",
        "no_change": (r"nezjistili[^.;]{0,40}změn|změn\w*[^.;]{0,60}nezjistili|bez jasné změny|neprokázal|"
                      r"nelze prokázat"),
        "no_effect": (r"nezměnil|nezměnila|nezměnilo|beze změny|nemá (?:žádný )?(?:vliv|účinek|efekt)|"
                      r"\bne(?:snížil|klesl|zvýšil|vzrostl)"),
        "decrease": r"sníž|pokles|klesl|klesá|ubyl|úbytek",
        "increase": r"zvýš|nárůst|vzrostl|roste|přibyl",
    },
    "en": {
        "attribution": r"\bcheck\b|another method|second method|according to the (?:model|method)",
        "unknown": r"cannot (?:say|be said|be estimated|tell|conclude)|not be estimated",
        "no_change": r"no clear change|not change detectably|no detectable change|not (?:clearly|detectably)|not shown",
        "no_effect": (r"did not change|unchanged|(?:had|has) no effect|no effect on|"
                      r"\bnot\b[^.;:]{0,25}(?:decreas|fall|fell|increas|rise|rose|reduc)"),
        "decrease": r"decreas|\bfell\b|\bfall\b|reduc|declin|dropp|lower",
        "increase": r"increas|\brose\b|\brise\b|\bgrew\b|higher",
    },
}


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ])", text) if s.strip()]


def classify(sentence: str, lang: str = "cs") -> str | None:
    """The direction a sentence claims (``unknown`` before ``no_change`` before a fall or rise), or
    None when it claims none or only reports another method's result."""
    patterns = _PATTERNS["cs" if lang == "cs" else "en"]
    lowered = sentence.lower()
    if re.search(patterns["attribution"], lowered):
        return None
    for kind in ("unknown", "no_change", "no_effect"):
        if re.search(patterns[kind], lowered):
            return kind
    fall = re.search(patterns["decrease"], lowered)
    rise = re.search(patterns["increase"], lowered)
    if fall and rise:
        return None
    return "decrease" if fall else "increase" if rise else None


def statements_from_text(text: str, questions: Questions | Iterable[Question], *, lang: str = "cs",
                         scope: str = "all", source: str = "") -> list[Statement]:
    """Direction statements read from ``text``: for each sentence that names an effect question's
    outcome (its ``keywords_cs``/``keywords_en``, or the outcome's name), the direction its verb claims
    (see :func:`classify`). A heuristic for texts not written by :mod:`evaluation.findings.wording`;
    declare statements directly where the code knows them."""
    items = list(questions.values()) if isinstance(questions, Questions) else list(questions)
    found = []
    for sentence in _sentences(text):
        lowered = sentence.lower()
        for q in items:
            if q.outcome is None or q.kind != "effect":
                continue
            words = q.outcome.keywords_cs if lang == "cs" else q.outcome.keywords_en
            words = words or ((q.outcome.nominative_cs,) if lang == "cs" else (q.outcome.name_en,))
            if not any(w.lower() in lowered for w in words):
                continue
            direction = classify(sentence, lang)
            if direction is not None:
                found.append(Statement.direction(q.id, direction, scope=scope, source=source or sentence[:60]))
    return found


def statements_from_findings(findings: Iterable[Finding], lang: str = "cs", audience: str = "brief") -> list[Statement]:
    """What the findings' own texts claim (read back with :func:`statements_from_text`), so that a test
    can check that the words mean what the findings say."""
    from evaluation.findings.wording import finding_text

    found = []
    for f in findings:
        if f.kind != "effect":
            continue
        found += statements_from_text(finding_text(f, lang, audience), [f.question], lang=lang, scope=f.scope.id,
                                      source=f"finding:{f.question.id}")
    return found


# ------------------------------------------------------------------------------ checks
def supported_direction(f: Finding) -> str:
    """The direction a text may claim for a finding: the fall or rise of an effect, ``no_change``
    for no clear change (``no_effect`` when the interval rules out every effect that matters),
    ``unknown`` when the effect could not be established or estimated."""
    if f.status == "effect":
        return f.direction
    if f.status == "no_clear_change":
        return "no_effect" if f.equivalence else "no_change"
    return "unknown"


def supports(f: Finding, claim: str) -> bool:
    """Whether the finding supports a claimed direction (``no_change`` is also true of ``no_effect``)."""
    supported = supported_direction(f)
    return claim == supported or (claim == "no_change" and supported == "no_effect")


def _words(value: str, lang: str) -> str:
    return _WORDS[value][0 if lang == "cs" else 1]


def _same_figure(a: Statement, b: Statement) -> bool:
    decimals = [d for d in (a.decimals, b.decimals) if d is not None]
    if decimals:
        places = min(decimals)
        return round(a.value, places) == round(b.value, places)
    return math.isclose(a.value, b.value, rel_tol=5e-3, abs_tol=1e-9)


def _grouped(statements: Sequence[Statement], kind: str) -> dict[tuple[str, str], list[Statement]]:
    """The statements of ``kind`` by (subject, scope)."""
    groups: dict[tuple[str, str], list[Statement]] = {}
    for s in statements:
        if s.kind == kind:
            groups.setdefault((s.subject, s.scope), []).append(s)
    return groups


def check_contradictions(findings: Sequence[Finding], statements: Sequence[Statement] = ()) -> tuple[Contradiction, ...]:
    """Every contradiction between the findings and the statements of a report (see the module
    docstring); an empty tuple when there is none."""
    by_key = {(f.question.id, f.scope.id): f for f in findings}
    found: list[Contradiction] = []
    for s in statements:
        f = by_key.get((s.subject, s.scope))
        if f is None:
            continue
        if s.kind == "direction" and f.kind == "effect":
            supported = supported_direction(f)
            if not supports(f, s.value):
                found.append(Contradiction(
                    "finding", s.subject, s.scope, (s.source,),
                    f"{s.source or 'Text'} tvrdí „{_words(s.value, 'cs')}“, zjištění k otázce {s.subject} ({f.scope.phrase('cs')}) "
                    f"podporuje jen „{_words(supported, 'cs')}“.",
                    f"{s.source or 'A text'} claims '{_words(s.value, 'en')}', but the finding on {s.subject} "
                    f"({f.scope.phrase('en')}) supports only '{_words(supported, 'en')}'."))
        elif s.kind == "premise":
            found += _premise(s, f)
    for (subject, scope), group in _grouped(statements, "direction").items():
        values = sorted({s.value for s in group})
        if set(values) == {"no_change", "no_effect"}:
            values = []  # "no clear change" is compatible with "no effect"
        if len(values) > 1:
            found.append(Contradiction(
                "statements", subject, scope, tuple(s.source for s in group),
                f"Tentýž výsledek ({subject}, {scope}) je popsán různě: "
                + ", ".join(f"„{_words(v, 'cs')}“" for v in values) + ".",
                f"The same outcome ({subject}, {scope}) is described differently: "
                + ", ".join(f"'{_words(v, 'en')}'" for v in values) + "."))
    for (subject, scope), group in _grouped(statements, "figure").items():
        first = group[0]
        differing = [s for s in group[1:] if not _same_figure(first, s)]
        if differing:
            values = [first, *differing]
            found.append(Contradiction(
                "figure", subject, scope, tuple(s.source for s in values),
                f"Údaj {subject} ({scope}) je uveden s různými hodnotami: "
                + ", ".join(f"{format_number(s.value, 'cs')} ({s.source})" for s in values) + ".",
                f"The figure {subject} ({scope}) is quoted with different values: "
                + ", ".join(f"{format_number(s.value, 'en')} ({s.source})" for s in values) + "."))
    return tuple(found)


def _premise(s: Statement, f: Finding) -> list[Contradiction]:
    if s.value in ("problem", "no_problem"):
        if f.crossing is None:
            return []
        absent = f.crossing.status == "not"
        present = f.crossing.status == "confident"
        if (s.value == "problem" and absent) or (s.value == "no_problem" and present):
            return [Contradiction(
                "premise", s.subject, s.scope, (s.source,),
                f"Doporučení {s.source} vychází z toho, že {'problém je' if s.value == 'problem' else 'problém není'}, "
                f"ale zjištění říká, že hodnota {f.crossing.words('cs')}.",
                f"The recommendation {s.source} is premised on {'a problem' if s.value == 'problem' else 'no problem'}, "
                f"but the finding says the value {f.crossing.words('en')}.")]
        return []
    if f.kind != "effect":
        return []
    supported = supported_direction(f)
    if not supports(f, s.value):
        return [Contradiction(
            "premise", s.subject, s.scope, (s.source,),
            f"Doporučení {s.source} předpokládá „{_words(s.value, 'cs')}“, zjištění podporuje jen „{_words(supported, 'cs')}“.",
            f"The recommendation {s.source} assumes '{_words(s.value, 'en')}', but the finding supports only "
            f"'{_words(supported, 'en')}'.")]
    return []


__all__ = ["DIRECTIONS", "PREMISES", "Contradiction", "Statement", "check_contradictions", "classify",
           "statements_from_findings", "statements_from_text", "supported_direction", "supports"]
