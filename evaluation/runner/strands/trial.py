"""Trial strand: a randomised trial (the data's ``assignment`` table) and the names it is stored under.

The strand runs in a scope whose data have rows in the ``assignment`` table (the Brno Housing First
trial of the brief: families randomised to the programme or to usual services). For each outcome of
``trial_outcomes`` (``stably_housed``, read from the tenancies, or a column of
``household_outcomes``), ``follow_up_months`` after randomisation (:func:`evaluation.impact.trial_data`):

* the intention-to-treat effect (ITT) by Lin's (2013) regression adjustment with HC2 errors, and
  the Neyman difference in means;
* its randomisation p-value and interval by re-randomisation within the strata;
* attrition by arm and Lee (2009) bounds;
* the complier average causal effect (CACE) where receipt differs from assignment.

Stored (``<scope>/trial/``): ``trial_effects`` (ITT, randomisation test, CACE and first stage by
outcome; an effect on a share in percentage points), ``trial_lee_bounds``, ``trial_attrition``,
``trial_balance`` (baseline covariates; a diagnostic), ``trial_flow`` (CONSORT counts; figure).
Key figures ``trial_itt``, ``trial_itt_p``, ``trial_cace``, ``trial_n_programme``,
``trial_n_control`` (the first outcome); texts ``headline``, ``finding_cace``,
``evidence_headline`` (the design's level on the Maryland scale, :mod:`evaluation.findings.sms`).

Example
-------
>>> output = analyse(dataset, trial_outcomes=["stably_housed"])   # doctest: +SKIP
>>> output["itt_stably_housed"].tidy()                            # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from evaluation.runner.strands._common import (
    Collector,
    Reason,
    StrandOutput,
    no_rows,
    store_frame,
    store_skipped,
)

#: Outcome read from the tenancies (no eviction or abandonment by the follow-up).
STABLY_HOUSED = "stably_housed"
TITLES = {
    "trial_effects": ("Randomizovaný pokus: efekt přiřazení a přijetí programu",
                      "Randomised trial: effect of assignment and of receiving the programme"),
    "trial_lee_bounds": ("Randomizovaný pokus: Leeho meze efektu při úbytku účastníků",
                         "Randomised trial: Lee bounds on the effect under attrition"),
    "trial_attrition": ("Randomizovaný pokus: úbytek účastníků podle skupiny", "Randomised trial: attrition by arm"),
    "trial_balance": ("Randomizovaný pokus: vyváženost výchozích charakteristik",
                      "Randomised trial: balance of baseline characteristics"),
    "trial_flow": ("Randomizovaný pokus: tok účastníků (CONSORT)", "Randomised trial: participant flow (CONSORT)"),
}
#: What each analysis is called where the report says it could not be done.
ANALYSES = {"itt": ("Efekt přiřazení (ITT)", "Intention-to-treat effect"),
            "randomisation": ("Randomizační test", "Randomisation test"),
            "attrition": ("Úbytek účastníků", "Attrition"), "lee": ("Leeho meze", "Lee bounds"),
            "cace": ("Efekt přijetí programu (CACE)", "Complier average causal effect"),
            "balance": TITLES["trial_balance"], "flow": TITLES["trial_flow"]}


def analyse(data: Any, *, lang: str = "cs", seed: int = 2019,
            trial_outcomes: Sequence[str] = (STABLY_HOUSED, "arrears_czk"), follow_up_months: int = 12,
            randomisation_draws: int = 5000) -> StrandOutput:
    """Run the trial analyses on ``data`` (a scoped Dataset with an ``assignment`` table)."""
    from evaluation.impact.trial_data import trial_data

    run = Collector("trial", data)
    for outcome in dict.fromkeys(trial_outcomes):
        source = ("tenancies",) if outcome == STABLY_HOUSED else ("household_outcomes",)
        names = [f"{a}_{outcome}" for a in ("itt", "randomisation", "attrition", "lee", "cace", "balance")]
        if not run.has_rows("assignment", "households", *source):
            missing = no_rows([t for t in ("assignment", "households", *source) if not run.has_rows(t)])
            for name in names:
                run.skip(name, missing)
            continue
        trial = trial_data(data, outcome, months=follow_up_months)
        run.run(f"itt_{outcome}", (), trial.itt)
        run.run(f"randomisation_{outcome}", (), lambda trial=trial: trial.randomisation_test(
            draws=randomisation_draws, seed=seed))
        run.run(f"attrition_{outcome}", (), trial.attrition)
        run.run(f"lee_{outcome}", (), trial.lee_bounds)
        run.run(f"balance_{outcome}", (), trial.balance)
        if (trial.frame["received"] != trial.frame["assigned"]).any():
            run.run(f"cace_{outcome}", (), trial.cace)
        else:
            run.skip(f"cace_{outcome}", Reason(
                "every household received what it was assigned to, so the effect of assignment is the effect "
                "of the programme", "každá domácnost dostala, k čemu byla přiřazena, efekt přiřazení je tedy "
                "efektem programu"))
        if "flow" not in run.results and "flow" not in run.skipped:  # the first outcome the data allow
            run.run("flow", (), trial.flow)
    if "flow" not in run.results and "flow" not in run.skipped:
        run.skip("flow", no_rows([t for t in ("assignment", "households") if not run.has_rows(t)] or ["assignment"]))
    return run.output()


# --------------------------------------------------------------------------------------------- words
def outcome_words(outcome: str, months: int, lang: str) -> str:
    """The outcome in words, with the unit its effect is given in."""
    if outcome == STABLY_HOUSED:
        return (f"podíl domácností stabilně bydlících {months} měsíců po randomizaci (v procentních bodech)"
                if lang == "cs" else
                f"the share of households stably housed {months} months after randomisation (percentage points)")
    from evaluation.data.schema import get_schema

    try:
        field = get_schema().table("household_outcomes").field(outcome)
        title, unit = field.title(lang), field.unit
    except KeyError:
        title, unit = outcome, None
    when = f"{months} měsíců po randomizaci" if lang == "cs" else f"{months} months after randomisation"
    unit_text = {"CZK": "Kč" if lang == "cs" else "CZK"}.get(unit or "", "")
    shown = f" ({unit_text})" if unit_text and unit_text not in title else ""
    return f"{title}, {when}{shown}"


def _scale(outcome: str) -> float:
    """Effects on a share are shown in percentage points."""
    return 100.0 if outcome == STABLY_HOUSED else 1.0


TERM_WORDS = {
    "itt_lin": ("Efekt přiřazení (ITT), regresní úprava podle Lina", "ITT, Lin's regression adjustment"),
    "itt_dim": ("Efekt přiřazení (ITT), rozdíl průměrů", "ITT, difference in means"),
    "randomisation": ("Efekt přiřazení, randomizační test", "ITT, randomisation test"),
    "cace": ("Efekt přijetí programu (CACE)", "Effect of receiving the programme (CACE)"),
    "first_stage": ("Podíl přijetí: rozdíl mezi skupinami (p. b.)",
                    "Receipt of the programme: difference between arms (percentage points)"),
    "lee_lower": ("Dolní Leeho mez", "Lee lower bound"),
    "lee_upper": ("Horní Leeho mez", "Lee upper bound"),
    "complete_cases": ("Rozdíl mezi sledovanými bez úpravy", "Difference among those followed up"),
}
ARM_WORDS = {"programme": ("intervenční skupina", "programme arm"), "control": ("kontrolní skupina", "control arm")}
ESTIMATE_COLUMNS = ["estimate", "conf_low", "conf_high"]
#: Headers of the trial tables (the defaults of evaluation.reporting.labels mean other things here).
LABELS = {
    "outcome": ("Výsledek", "Outcome"), "term": ("Ukazatel", "Measure"),
    "n_programme": ("n (program)", "n (programme)"), "n_control": ("n (kontrola)", "n (control)"),
    "arm": ("Skupina", "Arm"), "randomised": ("Randomizováno", "Randomised"),
    "observed": ("S výsledkem", "With an outcome"), "lost": ("Bez výsledku", "Without an outcome"),
    "attrition_rate": ("Podíl úbytku", "Attrition rate"), "count": ("Počet", "Count"),
    "label": ("Fáze", "Stage"), "mean_programme": ("Průměr (program)", "Mean (programme)"),
    "mean_control": ("Průměr (kontrola)", "Mean (control)"), "smd": ("Standardizovaný rozdíl", "Standardised difference"),
    "variance_ratio": ("Poměr rozptylů", "Variance ratio"),
    "flag": ("Nevyváženost (|rozdíl| > 0,1)", "Imbalance (|difference| > 0.1)"),
}
LABELS |= {f"{base}_{lang}": words for base, words in list(LABELS.items()) for lang in ("cs", "en")}


def _store(session: Any, name: str, frame: pd.DataFrame, titles: tuple[str, str], **options: Any) -> None:
    """Store a trial table with the trial's column headers."""
    store_frame(session, name, frame, titles, column_labels=LABELS, **options)


def _with_words(frame: pd.DataFrame, outcome: str, months: int) -> pd.DataFrame:
    frame = frame.copy()
    frame.insert(0, "outcome", outcome)
    frame.insert(1, "outcome_cs", outcome_words(outcome, months, "cs"))
    frame.insert(2, "outcome_en", outcome_words(outcome, months, "en"))
    if "term" in frame.columns:
        frame["term_cs"] = [TERM_WORDS.get(t, (t, t))[0] for t in frame["term"]]
        frame["term_en"] = [TERM_WORDS.get(t, (t, t))[1] for t in frame["term"]]
    return frame


def _outcomes(output: StrandOutput, prefix: str) -> list[str]:
    return [name.removeprefix(prefix + "_") for name in output.results if name.startswith(prefix + "_")]


# --------------------------------------------------------------------------------------------- storing
def save(session: Any, output: StrandOutput) -> None:
    """Store the trial results under their stable names (see the module docstring)."""
    months = int(session.parameters.get("follow_up_months", 12))
    effects = _effects(session, output, months)
    _lee(session, output, months)
    attrition = _attrition(session, output, months)
    _balance(session, output)
    _flow(session, output)
    _key_figures(session, output, effects, attrition, months)
    store_skipped(session, output, {f"{a}_{o}": ANALYSES[a] for a in ANALYSES for o in
                                    {n.split("_", 1)[1] for n in [*output.results, *output.skipped] if "_" in n}}
                  | {"flow": ANALYSES["flow"]})


def _effects(session: Any, output: StrandOutput, months: int) -> pd.DataFrame | None:
    rows = []
    for outcome in _outcomes(output, "itt"):
        parts = [output[f"itt_{outcome}"].tidy()]
        if f"randomisation_{outcome}" in output:
            parts.append(output[f"randomisation_{outcome}"].tidy())
        if f"cace_{outcome}" in output:
            parts.append(output[f"cace_{outcome}"].tidy().query("term != 'itt_outcome'"))
        frame = pd.concat(parts, ignore_index=True)
        scale = pd.Series(_scale(outcome), index=frame.index).where(frame["term"] != "first_stage", 100.0)
        for column in [*ESTIMATE_COLUMNS, "std_error"]:
            frame[column] = frame[column] * scale
        rows.append(_with_words(frame[["term", *ESTIMATE_COLUMNS, "std_error", "p_value", "n_programme",
                                       "n_control"]], outcome, months))
    if not rows:
        return None
    table = pd.concat(rows, ignore_index=True)
    _store(session, "trial_effects", table, TITLES["trial_effects"], count_columns=["n_programme", "n_control"],
                report_columns=["outcome_cs", "outcome_en", "term_cs", "term_en", *ESTIMATE_COLUMNS, "p_value",
                                "n_programme", "n_control"], percent_columns=[],
                dimensions=["outcome", "term"], notes=[(
                    "ITT: rozdíl mezi skupinami podle náhodného přiřazení (program − kontrola), ať domácnost "
                    "program přijala, nebo ne; regresní úprava podle Lina (2013) s robustními chybami HC2; "
                    "randomizační test přelosováním v rámci vrstev. CACE: efekt přijetí programu u domácností, "
                    "které ho přijaly, protože byly přiřazeny (přiřazení jako instrument). Efekt na podíl je v "
                    "procentních bodech; n = domácnosti s výsledkem v analýze.",
                    "ITT: difference between the arms as randomised (programme − control), whether or not a "
                    "household received the programme; Lin's (2013) regression adjustment with HC2 robust errors; "
                    "randomisation test by re-randomisation within the strata. CACE: effect of receiving the "
                    "programme for households that received it because they were assigned (assignment as the "
                    "instrument). An effect on a share is in percentage points; n = households with an outcome "
                    "in the analysis.")])
    return table


def _lee(session: Any, output: StrandOutput, months: int) -> None:
    rows = []
    for outcome in _outcomes(output, "lee"):
        frame = output[f"lee_{outcome}"].tidy()
        for column in [*ESTIMATE_COLUMNS, "std_error"]:
            frame[column] = frame[column] * _scale(outcome)
        rows.append(_with_words(frame[["term", *ESTIMATE_COLUMNS, "std_error", "n_programme", "n_control"]],
                                outcome, months))
    if not rows:
        return
    _store(session, "trial_lee_bounds", pd.concat(rows, ignore_index=True), TITLES["trial_lee_bounds"],
                count_columns=["n_programme", "n_control"], percent_columns=[], dimensions=["outcome", "term"],
                report_columns=["outcome_cs", "outcome_en", "term_cs", "term_en", *ESTIMATE_COLUMNS,
                                "n_programme", "n_control"],
                notes=[("Meze podle Leeho (2009): ze skupiny sledované častěji se vyřadí podíl nejvyšších, resp. "
                        "nejnižších hodnot odpovídající rozdílu v úbytku; interval 95 % podle Imbense a Manskiho "
                        "(2004) pokrývá efekt, ne meze. n = randomizované domácnosti.",
                        "Lee (2009) bounds: the arm followed up more often is trimmed of the share of its highest "
                        "or lowest values that the difference in attrition implies; the 95% interval of Imbens and "
                        "Manski (2004) covers the effect, not the bounds. n = randomised households.")])


def _attrition(session: Any, output: StrandOutput, months: int) -> pd.DataFrame | None:
    rows = []
    for outcome in _outcomes(output, "attrition"):
        frame = output[f"attrition_{outcome}"].tidy()
        frame["arm_cs"] = [ARM_WORDS[a][0] for a in frame["arm"]]
        frame["arm_en"] = [ARM_WORDS[a][1] for a in frame["arm"]]
        rows.append(_with_words(frame[["arm", "arm_cs", "arm_en", "randomised", "observed", "lost",
                                       "attrition_rate"]], outcome, months))
    if not rows:
        return None
    table = pd.concat(rows, ignore_index=True)
    _store(session, "trial_attrition", table, TITLES["trial_attrition"],
                count_columns=["randomised", "observed", "lost"], n_column="randomised",
                relations=[("randomised", ["observed", "lost"])], follows=["observed", "lost"],
                dimensions=["outcome", "arm"], percent_columns=["attrition_rate"],
                report_columns=["outcome_cs", "outcome_en", "arm_cs", "arm_en", "randomised", "observed", "lost",
                                "attrition_rate"],
                populations=[{"name": "trial_randomised", "column": "randomised", "dims": ["arm"]}],
                notes=[("Úbytek = randomizované domácnosti bez výsledku při sledování (ztracené ze sledování nebo "
                        "bez záznamu výsledku).",
                        "Attrition = randomised households without an outcome at follow-up (lost to follow-up or "
                        "no outcome record).")])
    return table


def _balance(session: Any, output: StrandOutput) -> None:
    from evaluation.impact.trial_balance import covariate_label

    frames = [output[f"balance_{o}"].tidy() for o in _outcomes(output, "balance")]
    if not frames:
        return
    table = pd.concat(frames, ignore_index=True).drop_duplicates("term")
    # the indicators of imputed covariates are shares of a few households: not published
    table = table.loc[~table["term"].astype(str).str.endswith("_missing")].reset_index(drop=True)
    table["term_cs"] = [covariate_label(t, "cs") for t in table["term"]]
    table["term_en"] = [covariate_label(t, "en") for t in table["term"]]
    columns = ["term", "term_cs", "term_en", "mean_programme", "mean_control", "smd", "variance_ratio", "flag",
               "n_programme", "n_control"]
    _store(session, "trial_balance", table[[c for c in columns if c in table.columns]], TITLES["trial_balance"],
                count_columns=["n_programme", "n_control"], dimensions=["term"], percent_columns=[],
                report_columns=["term_cs", "term_en", "mean_programme", "mean_control", "smd", "variance_ratio"],
                notes=[("Standardizovaný rozdíl průměrů (program − kontrola); |rozdíl| nad 0,1 značí nevyváženost, "
                        "kterou regresní úprava ITT zohledňuje.",
                        "Standardised mean difference (programme − control); |difference| above 0.1 marks an "
                        "imbalance, which the regression adjustment of the ITT takes into account.")])


def flow_relations(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The identities of the CONSORT counts of each arm (for disclosure control)."""
    relations = []
    for arm in table["arm"].unique():
        def row(stage: str, reason: str = "all", arm: str = arm) -> dict[str, str]:
            return {"arm": arm, "stage": stage, "reason": reason}

        relations += [{"total": row("allocated"), "parts": [row("received"), row("not_received")]},
                      {"total": row("allocated"), "parts": [row("followed_up"), row("lost")]},
                      {"total": row("followed_up"), "parts": [row("analysed"), row("excluded")]}]
        for stage in ("not_received", "lost", "excluded"):
            reasons = table.loc[(table["arm"] == arm) & (table["stage"] == stage) & (table["reason"] != "all"),
                                "reason"].tolist()
            if reasons:
                relations.append({"total": row(stage), "parts": [row(stage, r) for r in reasons]})
    return relations


def _flow(session: Any, output: StrandOutput) -> None:
    if "flow" not in output:
        return
    result = output["flow"]
    table = result.tidy()
    table["reason"] = table["reason"].where(table["reason"] != "", "all")
    table.insert(1, "arm_cs", [ARM_WORDS[a][0] for a in table["arm"]])
    table.insert(2, "arm_en", [ARM_WORDS[a][1] for a in table["arm"]])
    _store(session, "trial_flow", table, TITLES["trial_flow"], count_columns=["count"],
                dimensions=["arm", "stage", "reason"], row_relations=flow_relations(table), placement="folder",
                report_columns=["arm_cs", "arm_en", "label_cs", "label_en", "count"],
                populations=[{"name": "trial_randomised", "column": "count", "row": {"stage": "allocated"},
                              "dims": ["arm"]}],
                notes=[("Analýza podle záměru léčby: každá domácnost se hodnotí ve skupině, do které byla "
                        "přiřazena, ať program přijala, nebo ne.",
                        "Intention to treat: every household is analysed in the arm it was assigned to, whether "
                        "or not it received the programme.")])
    session.store.add_figure(
        "trial_flow", table="trial_flow", plotter="evaluation.impact.trial_flow:draw_trial_flow",
        caption_cs="Tok účastníků randomizovaného pokusu (CONSORT)",
        caption_en="Participant flow of the randomised trial (CONSORT)",
        options={"n_strata": int(result.n_strata)},
        alt_cs="Diagram CONSORT: kolik domácností bylo náhodně přiřazeno do programu a do kontrolní skupiny, kolik "
               "program přijalo, kolik bylo ztraceno ze sledování a kolik je v analýze, s důvody.",
        alt_en="CONSORT diagram: how many households were randomised to the programme and to the control arm, how "
               "many received the programme, how many were lost to follow-up and how many were analysed, with "
               "the reasons.")


def attrition_ok(table: pd.DataFrame, outcome: str) -> bool | None:
    """Whether attrition leaves the randomisation intact for ``outcome``, by the findings engine's
    limits (:data:`evaluation.findings.rules.ATTRITION_MAX` overall and
    :data:`~evaluation.findings.rules.DIFFERENTIAL_ATTRITION_MAX` between the arms, a simplified
    What Works Clearinghouse standard); None when the table lacks the outcome."""
    from evaluation.findings import rules

    rows = table[table["outcome"] == outcome].set_index("arm")
    if not {"programme", "control"} <= set(rows.index):
        return None
    overall = rows["lost"].sum() / rows["randomised"].sum()
    differential = abs(rows.at["programme", "attrition_rate"] - rows.at["control", "attrition_rate"])
    return bool(overall <= rules.ATTRITION_MAX and differential <= rules.DIFFERENTIAL_ATTRITION_MAX)


def _key_figures(session: Any, output: StrandOutput, effects: pd.DataFrame | None,
                 attrition: pd.DataFrame | None, months: int) -> None:
    from evaluation.findings.sms import sms_level

    store = session.store
    if effects is None:
        return
    primary = str(effects["outcome"].iloc[0])
    unit, decimals = ("pp", 1) if primary == STABLY_HOUSED else ("CZK", 0)
    has = set(effects.loc[effects["outcome"] == primary, "term"])
    store.add_key_figure("trial_itt", table="trial_effects", row={"outcome": primary, "term": "itt_lin"},
                         column="estimate", ci_columns=("conf_low", "conf_high"), unit=unit, decimals=decimals,
                         label_cs="Efekt přiřazení do programu (ITT), randomizovaný pokus",
                         label_en="Effect of assignment to the programme (ITT), randomised trial")
    words_cs, words_en = outcome_words(primary, months, "cs"), outcome_words(primary, months, "en")
    if "randomisation" in has:
        store.add_key_figure("trial_itt_p", table="trial_effects", row={"outcome": primary, "term": "randomisation"},
                             column="p_value", decimals=3, label_cs="p-hodnota randomizačního testu",
                             label_en="Randomisation test p-value")
        # the p-value stays a key figure of the technical report; the brief's sentence gives no raw p-value
    if "flow" in output:
        for arm, words in (("programme", ("Domácnosti přiřazené do programu", "Households assigned to the programme")),
                           ("control", ("Domácnosti v kontrolní skupině", "Households in the control arm"))):
            store.add_key_figure(f"trial_n_{arm}", table="trial_flow",
                                 row={"arm": arm, "stage": "allocated", "reason": "all"}, column="count",
                                 is_count=True, unit="households", label_cs=words[0], label_en=words[1])
        who_cs = ("{trial_n_programme} domácností bylo náhodně přiřazeno do programu a {trial_n_control} do "
                  "kontrolní skupiny. ")
        who_en = "{trial_n_programme} households were randomised to the programme and {trial_n_control} to control. "
    else:
        who_cs = who_en = ""
    effect_cs = (f"Rozdíl mezi skupinami podle přiřazení (ITT, program − kontrola) – {words_cs}: "
                 "{trial_itt} (95% IS {trial_itt.ci}).")
    effect_en = (f"The difference between the arms as assigned (ITT, programme − control) in {words_en}: "
                 "{trial_itt} (95% CI {trial_itt.ci}).")
    opening_cs, opening_en = "V randomizovaném pokusu: ", "In the randomised trial: "
    fallback = (opening_cs + effect_cs, opening_en + effect_en) if who_cs else None
    store.add_text("headline", opening_cs + who_cs + effect_cs, opening_en + who_en + effect_en, fallback=fallback)
    if "cace" in has:
        store.add_key_figure("trial_cace", table="trial_effects", row={"outcome": primary, "term": "cace"},
                             column="estimate", ci_columns=("conf_low", "conf_high"), unit=unit, decimals=decimals,
                             label_cs="Efekt přijetí programu (CACE)", label_en="Effect of receiving the programme (CACE)")
        store.add_text(
            "finding_cace",
            "Ne všechny přiřazené domácnosti program přijaly a některé kontrolní ho dostaly; u domácností, které "
            f"program přijaly proto, že do něj byly přiřazeny, je efekt programu – {words_cs}: "
            "{trial_cace} (95% IS {trial_cace.ci}).",
            "Not every assigned household received the programme and some control households did; for households "
            f"that received it because they were assigned, the effect of the programme on {words_en} is "
            "{trial_cace} (95% CI {trial_cace.ci}).")
    ok = attrition_ok(attrition, primary) if attrition is not None else None
    assessment = sms_level("itt", attrition_ok=ok is not False)
    level_cs = f"randomizovaný pokus, úroveň {assessment.level} z 5 Marylandské škály vědeckých metod."
    level_en = f"a randomised trial, level {assessment.level} of 5 on the Maryland Scientific Methods Scale."
    extra_cs, extra_en = " ".join(assessment.reasons("cs")[1:]), " ".join(assessment.reasons("en")[1:])
    if ok is False:
        extra_cs += " Leeho meze v tabulce ukazují, jak daleko může úbytek odhad posunout."
        extra_en += " The Lee bounds in the table show how far attrition can move the estimate."
    store.add_text("evidence_headline", f"{level_cs} {extra_cs}".strip(), f"{level_en} {extra_en}".strip())
