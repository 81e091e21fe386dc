"""The evaluation questions as configuration: the defaults and the validation of a user's list."""
from __future__ import annotations

import pytest

from evaluation.errors import ConfigError
from evaluation.findings import DEFAULT_QUESTIONS, default_questions, load_questions
from evaluation.findings.sms import ESTIMATOR_DESIGNS

PILOT_QUESTIONS = ["reach", "fidelity", "retention", "arrears", "evictions", "shelter", "children_in_care", "costs",
                   "applications", "equality", "need"]


def test_the_pilots_questions_are_declared_with_a_primary_analysis():
    questions = default_questions()
    assert list(questions) == PILOT_QUESTIONS
    for q in questions.values():
        assert q.text_cs.endswith("?") and q.text_en.endswith("?")
        assert q.primary.strand and q.primary.result and q.primary not in q.robustness
    for q in questions.effects():
        assert q.primary.method in ESTIMATOR_DESIGNS and all(a.method in ESTIMATOR_DESIGNS for a in q.robustness)
        o = q.outcome
        assert o.nominative_cs and o.genitive_cs and o.accusative_cs and o.name_en and q.comparison_cs
    assert [q.id for q in questions.effects()] == ["arrears", "evictions", "shelter", "children_in_care"]


def test_yaml_round_trip_and_file(tmp_path):
    text = default_questions().to_yaml()
    assert "primary:" in text and "Snížil program počet vystěhování?" in text
    again = load_questions(text, replace_defaults=True)
    assert tuple(again.values()) == DEFAULT_QUESTIONS
    path = tmp_path / "questions.yaml"
    path.write_text("questions:\n  - id: evictions\n    smallest_relevant_effect: 0.1\n", encoding="utf-8")
    assert load_questions(path)["evictions"].smallest_relevant_effect == 0.1
    assert load_questions(str(path))["evictions"].primary.method == "callaway_santanna"


def test_a_new_question_and_replacing_the_defaults():
    new = {"id": "employment", "kind": "effect", "text_cs": "Zvýšil program zaměstnanost?",
           "text_en": "Did the programme raise employment?",
           "primary": {"strand": "impact", "result": "did_employment", "method": "did_2x2"},
           "outcome": {"nominative_cs": "podíl zaměstnaných", "genitive_cs": "podílu zaměstnaných",
                       "accusative_cs": "podíl zaměstnaných", "name_en": "the share employed", "better": "higher",
                       "keywords_cs": "zaměstnan"}}
    questions = load_questions([new])
    assert list(questions)[-1] == "employment" and len(questions) == len(DEFAULT_QUESTIONS) + 1
    assert questions["employment"].outcome.keywords_cs == ("zaměstnan",)
    only = load_questions({"questions": [new], "replace_defaults": True})
    assert list(only) == ["employment"]
    with pytest.raises(KeyError, match="no evaluation question 'arrears'"):
        only["arrears"]


@pytest.mark.parametrize("entry, message", [
    ({"id": "evictions", "primary": {"strand": "impact", "result": "x", "method": "magic"}},
     "primary method 'magic' is not a known estimator"),
    ({"id": "evictions", "colour": "red"}, "unknown key\\(s\\) colour"),
    ({"id": "evictions", "threshold": 3}, "threshold and problem_side go together"),
    ({"id": "evictions", "smallest_relevant_effect": -1}, "must be positive"),
    ({"id": "evictions", "smallest_relevant_effect": "big"}, "must be a number"),
    ({"id": "reach", "problem_side": "left", "threshold": 10}, "problem_side must be 'above' or 'below'"),
    ({"id": "new", "kind": "effect", "text_cs": "?", "text_en": "?",
      "primary": {"strand": "impact", "result": "x", "method": "twfe"}}, "needs 'outcome'"),
    ({"id": "new", "kind": "effect", "text_cs": "?", "text_en": "?",
      "primary": {"strand": "impact", "result": "x", "method": "twfe"},
      "outcome": {"nominative_cs": "x", "name_en": "x"}}, "must give genitive_cs, accusative_cs"),
    ({"id": "new", "kind": "survey"}, "kind must be 'effect' or 'indicator'"),
    ({"id": "evictions", "robustness": [{"strand": "impact", "result": "staggered_municipalities",
                                         "method": "callaway_santanna", "key_figure": "att_municipalities"}]},
     "primary analysis is also listed as a robustness check"),
    ({"text_cs": "bez id"}, "each entry must be a mapping with an 'id'"),
])
def test_bad_entries_are_named_in_the_error(entry, message):
    with pytest.raises(ConfigError, match=message):
        load_questions([entry])


def test_source_errors():
    with pytest.raises(ConfigError, match="declared twice: reach"):
        load_questions([{"id": "reach"}, {"id": "reach"}])
    with pytest.raises(ConfigError, match="does not exist"):
        load_questions("missing.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_questions("questions: [\n  - id: x\n")
    with pytest.raises(ConfigError, match="must be a list"):
        load_questions(42)
    with pytest.raises(ConfigError, match="needs the key 'questions'"):
        load_questions({"question": []})
    with pytest.raises(ConfigError, match="no evaluation question is given"):
        load_questions({"questions": [], "replace_defaults": True})
