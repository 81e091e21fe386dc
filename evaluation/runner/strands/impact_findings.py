"""The impact strand's findings: one per effect question, graded by the printed rules, stored as texts
that quote key figures.

For each effect question the strand answers (:func:`evaluation.findings.load_questions`; the
questions of the run configuration, default the pilots'), :func:`answers` reads the primary
analysis named in advance and the robustness analyses from the strand's output and grades them
with :func:`evaluation.findings.assess_effect`: the pre-trend test, the number of treated units
and clusters, agreement between the primary and the checks (the design-aware ones: the few-
cluster TWFE check, Sun–Abraham, two-stage and imputation estimates of the robustness panel, the
synthetic DiD), the HonestDiD breakdown value, the Goodman-Bacon weights, the balance of the
comparison group and the minimum detectable effect of the design that was run. One treated
municipality: the synthetic control with placebo-in-space inference is the basis
(:mod:`evaluation.runner.strands.impact_design`).

:func:`store` writes, per question ``<q>``:

* ``finding_<q>``: the brief's wording (:func:`evaluation.findings.finding_sections`: headline,
  strength of evidence, disagreement between methods, what can and cannot be concluded), with
  every number quoting a key figure (:mod:`evaluation.findings.quoting`);
* ``evidence_finding_<q>``: the confidence grade and SMS level in words;
* ``limitation_finding_<q>_<n>``: the finding's own limitations (the minimum detectable effect);
* ``technical_finding_<q>``: the technical report's wording (every estimate, the rules applied);
* the ``findings`` table (one row per question), the ``finding_numbers`` table the quoted key
  figures refer to, the grading rules (``grading_rules``) and the scale (``sms_scale``), and the
  text ``uncertainty`` (how to read the numbers, once).

Example
-------
>>> found = answers(output, load_questions(), Scope.pooled(16))     # doctest: +SKIP
>>> [a.finding.status for a in found if a.finding]                   # doctest: +SKIP
['effect', 'no_clear_change', ...]
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from evaluation.runner.strands import impact_design as design
from evaluation.runner.strands._common import Reason, reason_texts

#: Household-panel effect questions: primary result -> (sensitivity result, balance result).
HOUSEHOLD_RESULTS = {"staggered_households": ("honest_households", "balance")}
#: Estimators of the robustness panel read as checks (the panel's CS is the primary, its TWFE the check).
PANEL_CHECKS = ("sun_abraham", "two_stage", "imputation")


@dataclass(frozen=True)
class Answer:
    """A question and its finding, or why the scope's data could not answer it."""

    question: Any
    finding: Any = None
    reason: Reason | str | None = None


def scope_of(data: Any, panel: pd.DataFrame | None) -> Any:
    """``v obci X`` for a one-municipality run, else the pooled pilot municipalities."""
    from evaluation.findings import Scope

    scope = dict(getattr(data, "metadata", {}) or {}).get("scope", {}) or {}
    municipality = scope.get("municipality")
    if municipality:
        return Scope.municipality(str(municipality))
    treated = len(design.treated_places(panel)) if panel is not None and "first_year" in panel else None
    return Scope.pooled(treated or None)


def _quiet(function: Any, *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def _panel_checks(output: Mapping[str, Any], outcome: design.PanelOutcome) -> list[Any]:
    checks = list(design.check_results(output, outcome))
    panel = output.get(outcome.name("robustness"))
    if panel is not None:
        checks += [getattr(panel, key) for key in PANEL_CHECKS]
    return checks


def _synthetic(output: Mapping[str, Any], outcome: design.PanelOutcome) -> tuple[Any, Any]:
    sc, placebo = output.get(outcome.name("synthetic_control")), output.get(outcome.name("sc_placebo"))
    if sc is None or placebo is None:
        return None, None
    return design.sc_estimate(sc, placebo), design.synthetic_fit(sc)


def answers(output: Any, questions: Any, scope: Any) -> list[Answer]:
    """The finding of every effect question the impact strand answers (see the module docstring)."""
    from evaluation.errors import ConfigError, EstimationError
    from evaluation.findings import assess_effect, estimate_of

    results = dict(output.results)
    outcomes = design.panel_outcomes(questions)
    found = []
    for q in questions.effects():
        if q.primary.strand != "impact":
            continue
        primary = results.get(q.primary.result)
        if primary is None:
            found.append(Answer(q, reason=output.skipped.get(q.primary.result)))
            continue
        options: dict[str, Any] = {}
        if q.id in outcomes:
            outcome = outcomes[q.id]
            checks = _panel_checks(results, outcome)
            sc, fit = _synthetic(results, outcome)
            if sc is not None:
                options.update(synthetic=sc, synthetic_fit=fit)
            options["sensitivity"] = results.get(outcome.name("honest"))
            panel = results.get(outcome.name("robustness"))
            options["decomposition"] = panel.bacon if panel is not None else None
            if outcome.orp:  # the roll-out's comparison lasts only until the last contact points open
                from evaluation.runner.strands.impact_national import post_periods

                options.update(post_periods=post_periods(primary), period_unit="month")
        else:
            honest, balance = HOUSEHOLD_RESULTS.get(q.primary.result, (None, None))
            checks = [results[a.result] for a in q.robustness if a.strand == "impact" and a.result in results]
            options["sensitivity"] = results.get(honest) if honest else None
            options["balance"] = results.get(balance) if balance else None
        readable = []
        for check in checks:
            try:
                readable.append(estimate_of(check))
            except (ConfigError, EstimationError):
                continue  # a check without a finite interval (e.g. too few draws) is shown, not graded
        try:
            finding = _quiet(assess_effect, q, primary, robustness=readable, scope=scope,
                             **{k: v for k, v in options.items() if v is not None})
        except (ConfigError, EstimationError) as error:
            found.append(Answer(q, reason=str(error)))
            continue
        found.append(Answer(q, finding))
    return found


def stated_primaries(found: list[Answer]) -> set[str]:
    """Primary results whose own estimate a report may quote (as a key figure): the finding rests on it
    (not on a synthetic control that replaced it, not refused for a failed pre-test or a conflict)."""
    stated = set()
    for answer in found:
        f = answer.finding
        if f is not None and f.status in ("effect", "no_clear_change") and f.primary is not None \
                and f.primary.method == answer.question.primary.method:
            stated.add(answer.question.primary.result)
    return stated


# ------------------------------------------------------------------------------ storing
def _numbers(finding: Any, prefix: str) -> dict[str, float]:
    """The numbers a finding's texts write, by name: each estimate and its limits, the MDE."""
    numbers: dict[str, float] = {}
    for index, est in enumerate(finding.estimates):
        for part in ("estimate", "conf_low", "conf_high", "p_value"):
            value = getattr(est, part)
            if value is not None and math.isfinite(value):
                numbers[f"{prefix}_{index}_{part}"] = abs(float(value))
    if finding.mde is not None and math.isfinite(finding.mde):
        numbers[f"{prefix}_mde"] = abs(float(finding.mde))
    if finding.pretest is not None and finding.pretest.available:
        numbers[f"{prefix}_pretest_p"] = float(finding.pretest.p_value)
    return numbers


class _Quoter:
    """Collects the numbers quoted in texts; stores the table and key figures they refer to."""

    def __init__(self) -> None:
        self.values: dict[str, float] = {}
        self.used: set[tuple[str, int]] = set()

    def quote(self, text: str, numbers: Mapping[str, float], lang: str, decimals: int) -> str:
        from evaluation.findings.quoting import quote_numbers

        self.values.update(numbers)
        quoted, used = quote_numbers(text, numbers, lang, min_decimals=decimals)
        self.used |= used
        return quoted

    def store(self, session: Any) -> None:
        from evaluation.findings.quoting import figure_id

        if not self.values:
            return
        frame = pd.DataFrame({"quantity": list(self.values), "value": list(self.values.values())})
        session.store.add_table("finding_numbers", frame,
                                title_cs="Čísla citovaná ve zjištěních", title_en="Numbers quoted in the findings",
                                placement="folder")
        for name, decimals in sorted(self.used):
            session.store.add_key_figure(figure_id(name, decimals), table="finding_numbers", row={"quantity": name},
                                         column="value", decimals=decimals, label_cs=name, label_en=name)


FINDING_LABELS = {
    "question": ("Otázka", "Question"), "status": ("Zjištění", "Finding"), "grade": ("Jistota", "Confidence"),
    "sms_level": ("Úroveň SMS", "SMS level"), "method": ("Základ zjištění", "Basis of the finding"),
    "estimate": ("Odhad", "Estimate"), "conf_low": ("95% interval od", "95% interval from"),
    "conf_high": ("do", "to"), "mde": ("Minimální zjistitelný efekt", "Minimum detectable effect"),
}
STATUS_WORDS = {"effect": ("efekt", "effect"), "no_clear_change": ("bez jasné změny", "no clear change"),
                "not_established": ("efekt neprokázán (rozpor nebo předtrend)",
                                    "effect not established (conflict or pre-trend)"),
                "not_estimable": ("nelze odhadnout", "cannot be estimated")}


def _row(answer: Answer) -> dict[str, Any]:
    from evaluation.findings.sms import method_words
    from evaluation.findings.wording import grade_label

    q, f = answer.question, answer.finding
    row: dict[str, Any] = {"topic": q.id, "question_cs": q.text_cs, "question_en": q.text_en}
    if f is None:
        cs, en = reason_texts(answer.reason or Reason("no records in this scope", "v tomto rozsahu nejsou záznamy"))
        row.update(status_cs=f"neodpovězeno: {cs}", status_en=f"not answered: {en}")
        return row
    basis = f.primary.method if f.primary is not None else q.primary.method
    row.update(status_cs=STATUS_WORDS[f.status][0], status_en=STATUS_WORDS[f.status][1],
               grade_cs=grade_label(f, "cs"), grade_en=grade_label(f, "en"),
               method_cs=method_words(basis, "cs"), method_en=method_words(basis, "en"),
               estimate=f.estimate, conf_low=f.conf_low, conf_high=f.conf_high,
               mde=f.mde if f.mde is not None else float("nan"))
    return row


def store(session: Any, found: list[Answer]) -> None:
    """Store the findings of ``found`` (see the module docstring)."""
    from evaluation.findings import (
        finding_sections,
        grading_rules,
        sms_table,
        uncertainty_paragraph,
    )
    from evaluation.findings.language import display_decimals
    from evaluation.findings.wording import grade_label

    if not found:
        return
    store_ = session.store
    quoter = _Quoter()
    frame = pd.DataFrame([_row(a) for a in found])
    store_.add_table("findings", frame, title_cs="Zjištění k evaluačním otázkám: síla dokladu",
                     title_en="Findings on the evaluation questions: strength of evidence",
                     report_columns=[c for c in frame.columns if c != "topic"],
                     column_labels=_both(FINDING_LABELS))
    for answer in found:
        q, f = answer.question, answer.finding
        key = f"finding_{q.id}"
        if f is None:
            if answer.reason is None:  # the scope has no data for the question at all: a limitation, not a finding
                store_.add_text(f"limitation_question_{q.id}",
                                f"Na otázku „{q.text_cs}“ data tohoto rozsahu neodpovídají: chybí v nich záznamy, "
                                "na kterých stojí její primární analýza.",
                                f"The data of this scope do not answer the question “{q.text_en}”: they lack the "
                                "records its primary analysis rests on.")
                continue
            cs, en = reason_texts(answer.reason)
            store_.add_text(key, f"{q.text_cs} Na tuto otázku data tohoto rozsahu odpovědět nedovolují: {cs}.",
                            f"{q.text_en} The data of this scope do not allow an answer: {en}.")
            continue
        numbers = _numbers(f, q.id)
        base = f.outcome.decimals if f.outcome else 2
        decimals = min(display_decimals([f.estimate, f.conf_low, f.conf_high], base), base)
        texts: dict[str, dict[str, str]] = {}
        for lang in ("cs", "en"):
            brief = finding_sections(f, lang, "brief")
            main = " ".join(brief[p] for p in ("headline", "strength", "agreement", "conclusions") if brief[p])
            # the limitations are stored on their own (listed under the finding), not repeated in its text
            technical = " ".join(v for k, v in finding_sections(f, lang, "technical").items()
                                 if v and k != "limitations")
            texts[lang] = {"main": quoter.quote(main, numbers, lang, decimals),
                           "technical": quoter.quote(technical, numbers, lang, decimals)}
            texts[lang]["limitations"] = [quoter.quote(r.text(lang, "brief"), numbers, lang, decimals)
                                          for r in f.limitations]
        store_.add_text(key, texts["cs"]["main"], texts["en"]["main"])
        store_.add_text(f"technical_{key}", texts["cs"]["technical"], texts["en"]["technical"])
        store_.add_text(f"evidence_{key}", grade_label(f, "cs"), grade_label(f, "en"))
        for index, (cs, en) in enumerate(zip(texts["cs"]["limitations"], texts["en"]["limitations"]), start=1):
            store_.add_text(f"limitation_{key}_{index}", cs, en)
    quoter.store(session)
    store_.add_text("uncertainty", uncertainty_paragraph("cs"), uncertainty_paragraph("en"))
    for name, table_of, titles in (
            ("grading_rules", grading_rules, ("Pravidla hodnocení síly dokladu", "Rules grading the strength of evidence")),
            ("sms_scale", sms_table, ("Marylandská škála vědeckých metod (SMS)", "Maryland Scientific Methods Scale"))):
        cs_table, en_table = table_of("cs"), table_of("en")
        both = pd.DataFrame({f"{c}_{lang}": t.iloc[:, i] for i, c in enumerate(_plain(cs_table.columns))
                             for lang, t in (("cs", cs_table), ("en", en_table))})
        labels = _both({c: (cs_table.columns[i], en_table.columns[i]) for i, c in enumerate(_plain(cs_table.columns))})
        store_.add_table(name, both, title_cs=titles[0], title_en=titles[1], placement="appendix",
                         column_labels=labels)


def _both(labels: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Labels of a column and of its Czech and English versions."""
    return {f"{c}{suffix}": pair for c, pair in labels.items() for suffix in ("", "_cs", "_en")}


def _plain(columns: Any) -> list[str]:
    return [f"c{i}" for i in range(len(columns))]


__all__ = ["Answer", "answers", "scope_of", "stated_primaries", "store"]
