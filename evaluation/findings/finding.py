"""A finding: what one question's evidence supports, in one scope, with how strongly and why.

:class:`Finding` is frozen and built once by :func:`evaluation.findings.assess_effect` or
:func:`~evaluation.findings.assess_indicator`; :mod:`evaluation.findings.wording` writes its text.
Its fields:

``status``
    ``effect`` (the primary interval lies on one side of zero and nothing rules the effect out as
    a statement), ``no_clear_change`` (the interval includes zero), ``not_established`` (the
    design's own diagnostics reject it: a failed pre-trend test, estimates of opposite sign),
    ``not_estimable`` (the design cannot identify the effect: one treated municipality); for an
    indicator ``measured`` or ``not_estimable``.
``direction``
    of the primary interval: ``decrease``, ``increase`` or ``none``.
``grade``
    ``high``, ``moderate``, ``low`` or ``not_estimable`` (:mod:`evaluation.findings.rules`).
``equivalence``
    for no clear change: the whole interval lies within ± the question's smallest relevant effect,
    so the data rule out an effect that matters (only then may a text say there is no effect).
``reasons``
    every rule applied, with its outcome (:class:`Reason`: rule id, technical text, plain text);
    ``limitations``, ``can_conclude`` and ``cannot_conclude`` likewise, in Czech and English.

:class:`Scope` words where a finding holds: ``v obci Brno`` / ``in Brno`` for one municipality,
``v pilotních obcích`` / ``in the pilot municipalities`` only for several.

Example
-------
>>> Scope.municipality("Velké Hamry").phrase("cs")
'v obci Velké Hamry'
>>> Scope.of(["Brno", "Most"]).phrase("en")
'in the pilot municipalities'
>>> Scope.of(["Brno"]).kind
'municipality'
>>> Scope.municipality("Praha 7").phrase("cs")
'v městské části Praha 7'
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from evaluation.errors import ConfigError
from evaluation.findings.evidence import Estimate, Pretest
from evaluation.findings.questions import Analysis, Outcome, Question
from evaluation.findings.thresholds import Crossing
from evaluation.reporting.labels import check_lang
from evaluation.results import Result

GRADES = ("high", "moderate", "low", "not_estimable")
_PRAGUE_DISTRICT = re.compile(r"^Praha[ -]\d+$")
EFFECT_STATUSES = ("effect", "no_clear_change", "not_established", "not_estimable")
INDICATOR_STATUSES = ("measured", "not_estimable")
SCOPE_KINDS = ("municipality", "pooled", "custom")


@dataclass(frozen=True)
class Reason:
    """One rule's outcome: the rule id (:data:`evaluation.findings.rules.RULES`), a technical text
    (may carry p-values) and a plain text for the brief, in Czech and English."""

    rule: str
    cs: str
    en: str
    plain_cs: str = ""
    plain_en: str = ""
    ceiling: str | None = None

    def text(self, lang: str = "cs", audience: str = "technical") -> str:
        check_lang(lang)
        if audience == "brief":
            plain = self.plain_cs if lang == "cs" else self.plain_en
            if plain:
                return plain
        return self.cs if lang == "cs" else self.en


@dataclass(frozen=True)
class Scope:
    """Where a finding holds: one municipality, the pilot municipalities together, or a custom phrase."""

    kind: str = "pooled"
    name: str | None = None
    n_municipalities: int | None = None
    phrase_cs: str = ""
    phrase_en: str = ""

    def __post_init__(self) -> None:
        if self.kind not in SCOPE_KINDS:
            raise ConfigError(f"scope kind must be one of {', '.join(SCOPE_KINDS)}, not {self.kind!r}")
        if self.kind == "municipality" and not self.name:
            raise ConfigError("a municipality scope needs the municipality's name")
        if self.kind == "custom" and not (self.phrase_cs and self.phrase_en):
            raise ConfigError("a custom scope needs its phrase in Czech and English")

    @classmethod
    def municipality(cls, name: str) -> Scope:
        return cls("municipality", str(name), 1)

    @classmethod
    def pooled(cls, n_municipalities: int | None = None) -> Scope:
        return cls("pooled", None, n_municipalities)

    @classmethod
    def of(cls, municipalities: Sequence[str]) -> Scope:
        """One municipality's scope when one name is given, else the pooled scope of them all."""
        names = list(dict.fromkeys(str(m) for m in municipalities))
        if not names:
            raise ConfigError("a scope needs at least one municipality")
        return cls.municipality(names[0]) if len(names) == 1 else cls.pooled(len(names))

    @property
    def single(self) -> bool:
        return self.kind == "municipality"

    def phrase(self, lang: str = "cs") -> str:
        """``v obci X`` (the name stays in the nominative after ``obci``, as official Czech writes
        it), ``v pilotních obcích``; ``in X``, ``in the pilot municipalities``."""
        check_lang(lang)
        if self.kind == "custom":
            return self.phrase_cs if lang == "cs" else self.phrase_en
        if self.kind == "municipality":
            if lang == "en":
                return f"in {self.name}"
            # a Prague district (Praha 7, Praha 14) is a městská část, not an obec
            return f"v městské části {self.name}" if _PRAGUE_DISTRICT.match(self.name) else f"v obci {self.name}"
        return "v pilotních obcích" if lang == "cs" else "in the pilot municipalities"

    @property
    def id(self) -> str:
        return self.name if self.kind == "municipality" else (self.phrase_en if self.kind == "custom" else "all")


def _float(value: Any) -> float:
    return float("nan") if value is None else float(value)


@dataclass(frozen=True)
class Finding(Result):
    """What the evidence on one question supports in one scope (see the module docstring)."""

    question: Question
    scope: Scope
    status: str
    direction: str
    estimate: float
    conf_low: float
    conf_high: float
    grade: str
    sms_level: int | None
    reasons: tuple[Reason, ...] = ()
    limitations: tuple[Reason, ...] = ()
    can_conclude: tuple[Reason, ...] = ()
    cannot_conclude: tuple[Reason, ...] = ()
    estimates: tuple[Estimate, ...] = ()
    agreement: str | None = None
    disagreement: tuple[Reason, ...] = ()
    pretest: Pretest | None = None
    mde: float | None = None
    crossing: Crossing | None = None
    n: int | None = None
    alpha: float = 0.05
    basis: str = ""
    equivalence: bool = False
    count_columns = ()
    n_column = None
    _title: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        statuses = EFFECT_STATUSES if self.question.kind == "effect" else INDICATOR_STATUSES
        if self.status not in statuses:
            raise ConfigError(f"status of a {self.question.kind} finding must be one of {statuses}, not "
                              f"{self.status!r}")
        if self.grade not in GRADES:
            raise ConfigError(f"grade must be one of {GRADES}, not {self.grade!r}")

    @property
    def title(self) -> str:
        return self._title or f"Finding: {self.question.text_en} ({self.scope.phrase('en')})"

    def label(self, lang: str = "cs") -> str:
        """The question in ``lang`` (the finding's caption)."""
        return self.question.text(check_lang(lang))

    @property
    def question_id(self) -> str:
        return self.question.id

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def outcome(self) -> Outcome | None:
        return self.question.outcome

    @property
    def primary(self) -> Estimate | None:
        return self.estimates[0] if self.estimates else None

    @property
    def stated_as_effect(self) -> bool:
        """Whether a text may state an effect (a fall or a rise)."""
        return self.status == "effect"

    def unit(self, lang: str = "cs") -> str:
        if self.outcome is None:
            return ""
        return self.outcome.unit_cs if check_lang(lang) == "cs" else self.outcome.unit_en

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(r.en for r in self.reasons)

    def tidy(self) -> pd.DataFrame:
        """One row: question, scope, status, direction, estimate and interval, grade, SMS level,
        agreement, pre-test p-value, MDE."""
        return pd.DataFrame([{
            "question": self.question.id, "scope": self.scope.id, "status": self.status,
            "direction": self.direction, "estimate": self.estimate, "conf_low": self.conf_low,
            "conf_high": self.conf_high, "grade": self.grade, "sms_level": self.sms_level,
            "agreement": self.agreement, "pretest_p_value": self.pretest.p_value if self.pretest else math.nan,
            "mde": self.mde if self.mde is not None else math.nan,
            "crossing": self.crossing.status if self.crossing else None,
            "primary_method": self.primary.method if self.primary else self.question.primary.method}])

    def summary(self) -> str:
        from evaluation.findings.wording import finding_text

        return self.title + "\n" + "=" * len(self.title) + "\n" + finding_text(self, "en", "technical")

    def text(self, lang: str = "cs", audience: str = "brief") -> str:
        """The finding in words (:func:`evaluation.findings.wording.finding_text`)."""
        from evaluation.findings.wording import finding_text

        return finding_text(self, lang, audience)

    # ------------------------------------------------------------------ storage
    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-safe) for the results store; :meth:`from_dict` reads it back."""
        return _plain(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        d = dict(data)
        q = dict(d["question"])
        q["primary"] = Analysis(**q["primary"])
        q["robustness"] = tuple(Analysis(**a) for a in q.get("robustness", ()))
        if q.get("outcome") is not None:
            o = dict(q["outcome"])
            o["keywords_cs"], o["keywords_en"] = tuple(o.get("keywords_cs", ())), tuple(o.get("keywords_en", ()))
            q["outcome"] = Outcome(**o)
        d["question"] = Question(**q)
        d["scope"] = Scope(**d["scope"])
        for key in ("reasons", "limitations", "can_conclude", "cannot_conclude", "disagreement"):
            d[key] = tuple(Reason(**r) for r in d.get(key, ()))
        d["estimates"] = tuple(Estimate(**{k: _float(v) if k in _FLOATS else v for k, v in e.items()})
                               for e in d.get("estimates", ()))
        d["pretest"] = None if d.get("pretest") is None else Pretest(**{
            k: _float(v) if k == "p_value" else v for k, v in d["pretest"].items()})
        d["crossing"] = None if d.get("crossing") is None else Crossing(**d["crossing"])
        for key in ("estimate", "conf_low", "conf_high"):
            d[key] = _float(d.get(key))
        return cls(**d)


_FLOATS = ("estimate", "conf_low", "conf_high", "p_value", "std_error")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return value


__all__ = ["EFFECT_STATUSES", "GRADES", "INDICATOR_STATUSES", "Finding", "Reason", "Scope"]
