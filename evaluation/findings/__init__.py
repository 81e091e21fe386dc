"""Findings that hold: every claim in a report is one its own evidence supports.

The evidence engine between the estimators and the texts:

* :mod:`~evaluation.findings.questions` — the evaluation questions, with the primary analysis of
  each named in advance (:func:`load_questions`, :data:`DEFAULT_QUESTIONS`);
* :mod:`~evaluation.findings.evidence` — the numbers the rules need, read from the estimators'
  results (:func:`estimate_of`, :func:`pretest_of`, ...);
* :mod:`~evaluation.findings.sms` and :mod:`~evaluation.findings.rules` — the Maryland Scientific
  Methods Scale level of the design and the printed grading rules (:func:`grading_rules`);
* :mod:`~evaluation.findings.grading` — :func:`assess_effect` and :func:`assess_indicator` return a
  frozen :class:`Finding` (status, direction, estimate and interval, grade, SMS level, reasons,
  limitations, what can and cannot be concluded);
* :mod:`~evaluation.findings.wording` — :func:`finding_text` writes it in Czech or English, for
  the brief or the technical report; :func:`uncertainty_paragraph` for the methods section;
* :mod:`~evaluation.findings.thresholds` — :func:`threshold_crossing`: whether a figure crosses a
  threshold with confidence (its whole interval), possibly, or not, for recommendation rules;
* :mod:`~evaluation.findings.contradictions` — :func:`check_contradictions` between findings and
  a report's statements;
* :mod:`~evaluation.findings.language` — Czech plural forms (:func:`plural_cs`, :func:`count_text`).

Example
-------
>>> from evaluation.findings import Estimate, Pretest, Scope, assess_effect, finding_text, load_questions
>>> questions = load_questions()
>>> finding = assess_effect(questions["evictions"],
...                         Estimate("callaway_santanna", -0.2, -0.43, 0.03, n_treated=16),
...                         pretest=Pretest(0.18, "sup_t_bootstrap", n_treated=5), scope=Scope.pooled(16))
>>> finding.status, finding.grade
('no_clear_change', 'low')
>>> "p =" in finding_text(finding, "cs")
False
"""

from evaluation.findings.contradictions import (
    Contradiction,
    Statement,
    check_contradictions,
    statements_from_findings,
    statements_from_text,
)
from evaluation.findings.evidence import (
    Attrition,
    Balance,
    Decomposition,
    Estimate,
    Pretest,
    Sensitivity,
    SyntheticFit,
    estimate_of,
    pretest_of,
)
from evaluation.findings.finding import Finding, Reason, Scope
from evaluation.findings.grading import (
    assess_effect,
    assess_indicator,
    assess_key_figure,
    explain_disagreement,
)
from evaluation.findings.language import count_text, noun, plural_cs, plural_en
from evaluation.findings.questions import (
    DEFAULT_QUESTIONS,
    Analysis,
    Outcome,
    Question,
    Questions,
    default_questions,
    load_questions,
)
from evaluation.findings.rules import grading_rules
from evaluation.findings.sms import sms_level, sms_table
from evaluation.findings.thresholds import (
    Crossing,
    crossing_of,
    threshold_crossing,
    wilson_interval,
)
from evaluation.findings.wording import (
    finding_sections,
    finding_text,
    findings_table,
    uncertainty_paragraph,
)

__all__ = [
    "DEFAULT_QUESTIONS",
    "Analysis",
    "Attrition",
    "Balance",
    "Contradiction",
    "Crossing",
    "Decomposition",
    "Estimate",
    "Finding",
    "Outcome",
    "Pretest",
    "Question",
    "Questions",
    "Reason",
    "Scope",
    "Sensitivity",
    "Statement",
    "SyntheticFit",
    "assess_effect",
    "assess_indicator",
    "assess_key_figure",
    "check_contradictions",
    "count_text",
    "crossing_of",
    "default_questions",
    "estimate_of",
    "explain_disagreement",
    "finding_sections",
    "finding_text",
    "findings_table",
    "grading_rules",
    "load_questions",
    "noun",
    "plural_cs",
    "plural_en",
    "pretest_of",
    "sms_level",
    "sms_table",
    "statements_from_findings",
    "statements_from_text",
    "threshold_crossing",
    "uncertainty_paragraph",
    "wilson_interval",
]
