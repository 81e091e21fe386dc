"""The evaluation questions, declared before the results are seen.

Each :class:`Question` has an id, its wording in Czech and English, the strand and stored result
that answer it, and the **primary analysis named in advance** (:class:`Analysis`); the other
analyses listed for it are robustness checks. Naming the primary analysis first is what keeps a
report from picking, after the fact, whichever estimate looks best: the primary analysis decides
what a finding says, the robustness checks only strengthen or weaken it
(:mod:`evaluation.findings.grading`).

Two kinds of question:

``effect``
    Did the programme change an outcome? Answered by an impact estimate against a comparison
    group. The question carries the outcome's wording (:class:`Outcome`: Czech nominative,
    genitive and accusative, English, unit, which direction is an improvement) and, optionally,
    the smallest effect that would matter for policy (``smallest_relevant_effect``).
``indicator``
    How much, how many, how fast? Answered by a descriptive indicator (reach, retention,
    processing time, cost, need), optionally with a threshold (``threshold`` and
    ``problem_side``: the side of the threshold where a problem lies).

:data:`DEFAULT_QUESTIONS` are the pilots' questions (seed 003, slide 17; the Prague contact-point
goals; the brief): reach, fidelity to plan, retention, the effects on arrears, evictions, shelter
use and children in care, costs, application handling, equality of care and need.
:func:`load_questions` validates a user's list (YAML file, YAML text, list or dict); an entry
whose id is a default question changes only the keys it gives.

Example
-------
>>> questions = load_questions([{"id": "evictions", "primary": {"strand": "impact",
...                               "result": "wild_bootstrap", "method": "wild_bootstrap"}}])
>>> questions["evictions"].primary.method
'wild_bootstrap'
>>> questions["arrears"].primary.method
'callaway_santanna'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from evaluation.errors import ConfigError

KINDS = ("effect", "indicator")
SIDES = ("above", "below")
BETTER = ("lower", "higher")


@dataclass(frozen=True)
class Analysis:
    """One analysis that answers a question: the strand, the stored result (table or key figure)
    and the method (an estimator key of :data:`evaluation.findings.sms.ESTIMATOR_DESIGNS` for an
    effect; a free name for an indicator)."""

    strand: str
    result: str
    method: str
    key_figure: str | None = None
    note_cs: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class Outcome:
    """How the texts name an outcome. Czech needs three cases: ``nominative`` (``dluh na
    bydlení``), ``genitive`` after nouns and prepositions (``pokles dluhu na bydlení``,
    ``změna dluhu``) and ``accusative`` after ``na`` (``dopad na dluh na bydlení``)."""

    nominative_cs: str
    genitive_cs: str
    accusative_cs: str
    name_en: str
    unit_cs: str = ""
    unit_en: str = ""
    decimals: int = 0
    better: str = "lower"
    keywords_cs: tuple[str, ...] = ()
    keywords_en: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """One evaluation question (see the module docstring)."""

    id: str
    text_cs: str
    text_en: str
    kind: str
    primary: Analysis
    robustness: tuple[Analysis, ...] = ()
    outcome: Outcome | None = None
    smallest_relevant_effect: float | None = None
    threshold: float | None = None
    problem_side: str | None = None
    comparison_cs: str = ""
    comparison_en: str = ""
    treated_cs: str = ""
    treated_en: str = ""
    treated_unit: str = "unit"

    @property
    def strand(self) -> str:
        return self.primary.strand

    def text(self, lang: str = "cs") -> str:
        return self.text_cs if lang == "cs" else self.text_en

    def to_dict(self) -> dict[str, Any]:
        """Plain data (what :func:`load_questions` reads back)."""
        data = dataclasses.asdict(self)
        data["robustness"] = [dict(a) for a in data["robustness"]]
        if self.outcome is not None:
            data["outcome"]["keywords_cs"] = list(self.outcome.keywords_cs)
            data["outcome"]["keywords_en"] = list(self.outcome.keywords_en)
        return data


class Questions(Mapping[str, Question]):
    """The questions of a run, by id, in the order declared."""

    def __init__(self, questions: Iterable[Question]) -> None:
        self._items = {q.id: q for q in questions}

    def __getitem__(self, id: str) -> Question:
        try:
            return self._items[id]
        except KeyError:
            raise KeyError(f"no evaluation question {id!r}; declared: {', '.join(self._items)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def effects(self) -> list[Question]:
        return [q for q in self._items.values() if q.kind == "effect"]

    def to_yaml(self) -> str:
        """The questions as YAML, a starting point for a run's own list."""
        return yaml.safe_dump({"questions": [q.to_dict() for q in self._items.values()]}, allow_unicode=True,
                              sort_keys=False, width=110)


def _effect(id: str, text_cs: str, text_en: str, primary: Analysis, robustness: tuple[Analysis, ...],
            outcome: Outcome, comparison: tuple[str, str], treated: tuple[str, str, str]) -> Question:
    return Question(id, text_cs, text_en, "effect", primary, robustness, outcome,
                    comparison_cs=comparison[0], comparison_en=comparison[1],
                    treated_cs=treated[0], treated_en=treated[1], treated_unit=treated[2])


def _figure(nominative: str, genitive: str, en: str, unit: tuple[str, str] = ("", ""), decimals: int = 0) -> Outcome:
    """The wording of an indicator (a share when the unit is %)."""
    return Outcome(nominative, genitive, nominative, en, unit[0], unit[1], decimals, "lower")


_WAITING_LIST = ("ve srovnání s domácnostmi z pořadníku", "compared with waiting-list households")
_PROGRAMME_HOUSEHOLDS = ("domácnosti programu", "programme households", "household")
_OTHER_TOWNS = ("ve srovnání s obcemi bez pilotu", "compared with municipalities without a pilot")
_PILOT_TOWNS = ("pilotní obce", "pilot municipalities", "municipality")
_PER_1000 = ("na 1\u00a0000 obyvatel za rok", "per 1,000 inhabitants a year")


def _panel_outcome(nominative: str, genitive: str, en: str, kw_cs: tuple[str, ...],
                   kw_en: tuple[str, ...]) -> Outcome:
    return Outcome(nominative, genitive, nominative, en, _PER_1000[0], _PER_1000[1], 2, "lower", kw_cs, kw_en)


#: The pilots' questions. Effect questions name their primary analysis; the municipality-panel
#: outcomes other than evictions (shelter nights, children in care) are declared with the analysis
#: the impact strand is to run on the same panel (``staggered_<outcome>``).
DEFAULT_QUESTIONS: tuple[Question, ...] = (
    Question("reach", "Kolik domácností program zabydlel oproti plánu?",
             "How many households did the programme house, against plan?", "indicator",
             Analysis("process", "reach", "reach_against_plan", "households_entered"),
             (Analysis("process", "occupancy", "occupancy"),),
             _figure("počet zabydlených domácností", "počtu zabydlených domácností", "households housed")),
    Question("fidelity", "Odpovídala intenzita podpory plánu?",
             "Did the intensity of support follow the plan?", "indicator",
             Analysis("process", "support_dose", "dose_against_plan"),
             (Analysis("process", "fidelity", "fidelity_scale",
                       note_cs="hodnocení věrnosti modelu, pokud se sbíralo",
                       note_en="fidelity scale, where it was collected"),)),
    Question("retention", "Udržely si domácnosti bydlení po 6, 12 a 20 měsících?",
             "Did households keep their home at 6, 12 and 20 months?", "indicator",
             Analysis("retention", "retention", "kaplan_meier", "housed_12m"),
             (Analysis("retention", "exits", "cumulative_incidence"),),
             _figure("podíl domácností bydlících i po 12 měsících", "podílu domácností bydlících i po 12 měsících",
                     "share of households still housed at 12 months", ("%", "%"), 1),
             threshold=0.75, problem_side="below"),
    _effect("arrears", "Snížil program dluh domácností na bydlení?",
            "Did the programme reduce households' housing debt?",
            Analysis("impact", "staggered_households", "callaway_santanna", "att_households"),
            (Analysis("impact", "event_study", "event_study"),),
            Outcome("dluh na bydlení", "dluhu na bydlení", "dluh na bydlení", "housing debt", "Kč", "CZK", 0,
                    "lower", ("dluh",), ("debt", "arrears")),
            _WAITING_LIST, _PROGRAMME_HOUSEHOLDS),
    _effect("evictions", "Snížil program počet vystěhování?", "Did the programme reduce evictions?",
            Analysis("impact", "staggered_municipalities", "callaway_santanna", "att_municipalities"),
            (Analysis("impact", "wild_bootstrap", "wild_bootstrap", "wild_bootstrap_p"),),
            _panel_outcome("počet vystěhování", "počtu vystěhování", "evictions", ("vystěhován",), ("eviction",)),
            _OTHER_TOWNS, _PILOT_TOWNS),
    _effect("shelter", "Snížil program využívání azylových domů?", "Did the programme reduce the use of shelters?",
            Analysis("impact", "staggered_shelter", "callaway_santanna"),
            (Analysis("impact", "wild_bootstrap_shelter", "wild_bootstrap"),),
            _panel_outcome("počet nocí v azylových domech", "počtu nocí v azylových domech", "nights in shelters",
                           ("azylov",), ("shelter",)),
            _OTHER_TOWNS, _PILOT_TOWNS),
    _effect("children_in_care", "Snížil program počet dětí umístěných mimo rodinu?",
            "Did the programme reduce the number of children placed in care?",
            Analysis("impact", "staggered_children_in_care", "callaway_santanna"),
            (Analysis("impact", "wild_bootstrap_children_in_care", "wild_bootstrap"),),
            _panel_outcome("počet dětí umístěných mimo rodinu", "počtu dětí umístěných mimo rodinu",
                           "children placed in care", ("mimo rodinu", "dětí v péči"), ("in care",)),
            _OTHER_TOWNS, _PILOT_TOWNS),
    Question("costs", "Kolik stojí podpora jedné domácnosti a jaké úspory přináší?",
             "What does supporting one household cost, and what does it save?", "indicator",
             Analysis("economics", "net_cost", "economic_evaluation", "net_cost_per_household"),
             (Analysis("economics", "one_way", "one_way_sensitivity"),
              Analysis("economics", "probabilistic", "probabilistic_sensitivity")),
             _figure("čisté náklady na domácnost", "čistých nákladů na domácnost", "net cost per household",
                     ("Kč", "CZK"))),
    Question("applications", "Vyřizují kontaktní místa žádosti včas a žádná se neztrácí?",
             "Do the contact points decide applications in time, with none lost?", "indicator",
             Analysis("process", "lost_applications", "lost_share", "lost_share"),
             (Analysis("process", "processing_time", "processing_time"),),
             _figure("podíl žádostí bez rozhodnutí do 90 dní", "podílu žádostí bez rozhodnutí do 90 dní",
                     "share of applications without a decision within 90 days", ("%", "%"), 1),
             threshold=0.05, problem_side="above"),
    Question("equality", "Dostává každý obyvatel stejnou péči ve všech obvodech?",
             "Does every resident get the same care in every district?", "indicator",
             Analysis("process", "equality_of_care", "equality_of_care"),
             (Analysis("process", "processing_time", "processing_time"),)),
    Question("need", "Jak velká je bytová nouze a kolik bytů a míst podpory je třeba?",
             "How large is housing need, and how many flats and support places are needed?", "indicator",
             Analysis("need", "stock_flow", "stock_flow", "need_stock"),
             (Analysis("need", "ethos_counts", "ethos_counts"),),
             _figure("počet domácností v bytové nouzi", "počtu domácností v bytové nouzi",
                     "households in housing need")),
)

_QUESTION_KEYS = {f.name for f in dataclasses.fields(Question)}
_ANALYSIS_KEYS = {f.name for f in dataclasses.fields(Analysis)}
_OUTCOME_KEYS = {f.name for f in dataclasses.fields(Outcome)}
_REQUIRED_OUTCOME = ("nominative_cs", "genitive_cs", "accusative_cs", "name_en")


def default_questions() -> Questions:
    """The pilots' questions (:data:`DEFAULT_QUESTIONS`)."""
    return Questions(DEFAULT_QUESTIONS)


def _read_source(source: Any) -> list[Any]:
    if source is None:
        return []
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                    and source.endswith((".yaml", ".yml"))):
        path = Path(source)
        if not path.is_file():
            raise ConfigError(f"the file of evaluation questions {str(path)!r} does not exist")
        source = path.read_text(encoding="utf-8")
    if isinstance(source, str):
        try:
            source = yaml.safe_load(source)
        except yaml.YAMLError as exc:
            raise ConfigError(f"the evaluation questions are not valid YAML: {exc}") from None
    if isinstance(source, Mapping):
        if set(source) - {"questions", "replace_defaults"}:
            raise ConfigError("a mapping of evaluation questions needs the key 'questions' (a list) and "
                              f"optionally 'replace_defaults'; found {', '.join(map(str, source))}")
        source = source.get("questions") or []
    if not isinstance(source, (list, tuple)):
        raise ConfigError("the evaluation questions must be a list of entries (each with an 'id')")
    return list(source)


def _analysis(value: Any, where: str, problems: list[str]) -> Analysis | None:
    if isinstance(value, Analysis):
        return value
    if not isinstance(value, Mapping):
        problems.append(f"{where} must be a mapping with strand, result and method")
        return None
    unknown = set(value) - _ANALYSIS_KEYS
    missing = [k for k in ("strand", "result", "method") if not value.get(k)]
    if unknown:
        problems.append(f"{where} has unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    if missing:
        problems.append(f"{where} must name {', '.join(missing)}")
    if unknown or missing:
        return None
    return Analysis(**{k: (str(v) if k != "key_figure" or v is not None else None) for k, v in value.items()})


def _outcome(value: Any, where: str, problems: list[str]) -> Outcome | None:
    if value is None or isinstance(value, Outcome):
        return value
    if not isinstance(value, Mapping):
        problems.append(f"{where} must be a mapping (nominative_cs, genitive_cs, accusative_cs, name_en, ...)")
        return None
    before = len(problems)
    unknown = set(value) - _OUTCOME_KEYS
    missing = [k for k in _REQUIRED_OUTCOME if not value.get(k)]
    if unknown:
        problems.append(f"{where} has unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    if missing:
        problems.append(f"{where} must give {', '.join(missing)} (the Czech cases are needed for the texts)")
    if value.get("better", "lower") not in BETTER:
        problems.append(f"{where}.better must be 'lower' or 'higher', not {value.get('better')!r}")
    decimals = value.get("decimals", 0)
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 6:
        problems.append(f"{where}.decimals must be a whole number from 0 to 6, not {decimals!r}")
    if len(problems) > before:
        return None
    data = dict(value)
    for key in ("keywords_cs", "keywords_en"):
        words = data.get(key, ())
        data[key] = (words,) if isinstance(words, str) else tuple(str(w) for w in words)
    return Outcome(**data)


def _number(value: Any, where: str, problems: list[str]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(f"{where} must be a number, not {value!r}")
        return None
    return float(value)


def _question(entry: Any, position: int, defaults: Mapping[str, Question], problems: list[str]) -> Question | None:
    if isinstance(entry, Question):
        return entry
    if not isinstance(entry, Mapping) or not entry.get("id"):
        problems.append(f"question {position}: each entry must be a mapping with an 'id'")
        return None
    qid = str(entry["id"])
    where = f"question {position} ({qid})"
    unknown = set(entry) - _QUESTION_KEYS
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; allowed: "
                        f"{', '.join(sorted(_QUESTION_KEYS))}")
        return None
    base = defaults[qid].to_dict() if qid in defaults else {}
    data = {**base, **entry}
    before = len(problems)
    for key in ("text_cs", "text_en", "kind"):
        if not data.get(key):
            problems.append(f"{where}: '{key}' is missing (a new question needs its wording in both languages "
                            "and its kind)")
    if data.get("kind") and data["kind"] not in KINDS:
        problems.append(f"{where}: kind must be 'effect' or 'indicator', not {data['kind']!r}")
    primary = _analysis(data.get("primary"), f"{where}: primary", problems)
    robustness_raw = data.get("robustness") or []
    if isinstance(robustness_raw, Mapping):
        robustness_raw = [robustness_raw]
    robustness = [_analysis(a, f"{where}: robustness {i + 1}", problems) for i, a in enumerate(robustness_raw)]
    outcome = _outcome(data.get("outcome"), f"{where}: outcome", problems)
    if data.get("kind") == "effect":
        if data.get("outcome") is None:
            problems.append(f"{where}: an effect question needs 'outcome' (its wording in Czech and English)")
        from evaluation.findings.sms import ESTIMATOR_DESIGNS

        for label, analysis in [("primary", primary)] + [(f"robustness {i + 1}", a) for i, a in enumerate(robustness)]:
            if analysis is not None and analysis.method not in ESTIMATOR_DESIGNS:
                problems.append(f"{where}: {label} method {analysis.method!r} is not a known estimator; known: "
                                f"{', '.join(sorted(ESTIMATOR_DESIGNS))}")
    if primary is not None and any(a == primary for a in robustness):
        problems.append(f"{where}: the primary analysis is also listed as a robustness check")
    side = data.get("problem_side")
    threshold = _number(data.get("threshold"), f"{where}: threshold", problems)
    if side is not None and side not in SIDES:
        problems.append(f"{where}: problem_side must be 'above' or 'below', not {side!r}")
    if (threshold is None) != (side is None):
        problems.append(f"{where}: threshold and problem_side go together (the side of the threshold where a "
                        "problem lies)")
    relevant = _number(data.get("smallest_relevant_effect"), f"{where}: smallest_relevant_effect", problems)
    if relevant is not None and relevant <= 0:
        problems.append(f"{where}: smallest_relevant_effect must be positive (a size, in the outcome's unit)")
    if len(problems) > before:
        return None
    fields = {k: data.get(k, "") or "" for k in ("comparison_cs", "comparison_en", "treated_cs", "treated_en")}
    fields["treated_unit"] = str(data.get("treated_unit") or "unit")
    return Question(qid, str(data["text_cs"]), str(data["text_en"]), str(data["kind"]), primary,
                    tuple(a for a in robustness if a is not None), outcome, relevant, threshold, side, **fields)


def load_questions(source: Any = None, *, replace_defaults: bool | None = None) -> Questions:
    """The evaluation questions of a run: the defaults, changed and extended by ``source``.

    ``source``: a YAML file path, YAML text, a list of entries or ``{"questions": [...],
    "replace_defaults": bool}``; ``None`` gives :data:`DEFAULT_QUESTIONS`. An entry with the id
    of a default question changes only the keys it gives; other entries are new questions and need
    ``text_cs``, ``text_en``, ``kind``, ``primary`` (and ``outcome`` for effects).
    ``replace_defaults=True`` keeps only the questions in ``source``. Every problem is listed in
    one :class:`~evaluation.errors.ConfigError`.
    """
    raw = source
    if isinstance(raw, (str, Path)) and not isinstance(raw, Mapping):
        raw = _read_source(raw)
    if isinstance(raw, Mapping) and replace_defaults is None:
        replace_defaults = bool(raw.get("replace_defaults", False))
    entries = _read_source(raw)
    defaults = {q.id: q for q in DEFAULT_QUESTIONS}
    problems: list[str] = []
    parsed = [_question(entry, i + 1, defaults, problems) for i, entry in enumerate(entries)]
    ids = [q.id for q in parsed if q is not None]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        problems.append(f"question id(s) declared twice: {', '.join(duplicated)}")
    if problems:
        raise ConfigError("the evaluation questions cannot be used:\n- " + "\n- ".join(problems))
    given = {q.id: q for q in parsed if q is not None}
    if replace_defaults:
        if not given:
            raise ConfigError("replace_defaults is set but no evaluation question is given")
        return Questions(given.values())
    merged = [given.pop(q.id, q) for q in DEFAULT_QUESTIONS]
    return Questions(merged + list(given.values()))


__all__ = ["DEFAULT_QUESTIONS", "Analysis", "Outcome", "Question", "Questions", "default_questions",
           "load_questions"]
