"""The impact strand on the national ORP panel: the roll-out of the housing contact points by district.

National data (zákon č. 175/2025 Sb.) carry ``orp_panel``: one row per ORP area and month with the
contact point whose district (správní obvod) the area belongs to and the month it opened. Outcomes
compare per 1,000 inhabitants a month (evictions, shelter nights, newly registered households in
housing need). The design decides the method, as for the pilots' municipality panel
(:mod:`evaluation.runner.strands.impact_design`):

* **The whole country** (the pooled scope): a staggered design. Callaway–Sant'Anna with the ORP
  area as unit, the month as time and the month the area's contact point opened as first-treated
  month; comparison units are the areas whose contact point had not opened yet (and any that never
  did); errors clustered by contact point, the unit of assignment. Beside it the robustness panel
  (TWFE event study, Sun–Abraham, two-stage DiD, imputation, Goodman-Bacon decomposition) and
  HonestDiD on its event study.
* **One contact point** (a contact-point scope): its district is one treated unit (the counts and
  population of its ORP areas added up: the contact point is what opened), compared with ORP areas
  not treated over the window. The **window** ends the month before the first of those donors
  opens; its end is the latest opening month that leaves at least :data:`MIN_DONORS` donors (or the
  one with most donors), so that the post period is as long as the comparison allows. Methods for
  one treated unit: the synthetic control with placebo-in-space inference (the finding's basis when
  it fits), synthetic DiD with placebo standard errors, and Callaway–Sant'Anna named as the primary
  analysis (which the grading refuses to read alone for one treated unit).

All contact points open in the second half of 2026, so the comparison after an opening lasts only
until the last ones open: the findings say so (rule ``short_follow_up`` of
:mod:`evaluation.findings.rules`: fewer than six months with a comparison is at most low evidence),
and a district without any donor is not estimated.

The effect questions are :data:`NATIONAL_QUESTIONS` (ids ``orp_evictions``, ``orp_shelter``,
``orp_need``; primary results ``staggered_orp_<outcome>``), unless the run declares its own
questions with primary results ``staggered_orp_...``.

Example
-------
>>> from evaluation.findings import Questions
>>> [q.id for q in national_questions(Questions([])).effects()]
['orp_evictions', 'orp_shelter', 'orp_need']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation.findings.questions import Analysis, Outcome, Question, Questions
from evaluation.findings.rules import SYNTHETIC_FIT_MAX
from evaluation.runner.strands import impact_design as design
from evaluation.runner.strands._common import (
    Collector,
    Reason,
    StrandOutput,
    store_figure,
    store_frame,
)

TABLE = "orp_panel"
#: Leads and lags (months) of the robustness panel's event studies.
LEADS, LAGS = 6, 5
#: Fewest donors for a synthetic control: with J donors the placebo-in-space p-value is at least
#: 1/(J + 1) (Abadie, Diamond & Hainmueller 2010), so 19 are needed for it to reach 0.05. The window
#: ends as late as leaves this many (fewer everywhere: the window with the most donors, and no
#: synthetic control).
MIN_DONORS = 19
#: Fewest months before the opening a contact point's synthetic control is fitted on.
MIN_PRE_MONTHS = 6

_COMPARISON = ("ve srovnání s obvody ORP s dosud neotevřeným kontaktním místem",
               "compared with ORP areas whose contact point had not opened yet")
_TREATED = ("obvody ORP s otevřeným kontaktním místem", "ORP areas with an open contact point", "unit")
_PER_MONTH = ("na 1\u00a0000 obyvatel za měsíc", "per 1,000 inhabitants a month")


def _question(qid: str, text_cs: str, text_en: str, result: str, outcome: Outcome) -> Question:
    return Question(qid, text_cs, text_en, "effect",
                    Analysis("impact", f"staggered_{result}", "callaway_santanna"),
                    (Analysis("impact", f"sdid_{result}", "synthetic_did",
                              note_cs="u jednoho kontaktního místa", note_en="for one contact point"),),
                    outcome, comparison_cs=_COMPARISON[0], comparison_en=_COMPARISON[1],
                    treated_cs=_TREATED[0], treated_en=_TREATED[1], treated_unit=_TREATED[2])


#: The roll-out's effect questions (registered need is expected to RISE: a contact point finds need
#: nobody had recorded, so more registrations are the aim there, not a harm).
NATIONAL_QUESTIONS: tuple[Question, ...] = (
    _question("orp_evictions", "Snížila kontaktní místa pro bydlení počet vystěhování?",
              "Did the housing contact points reduce evictions?", "orp_evictions",
              Outcome("počet vystěhování", "počtu vystěhování", "počet vystěhování", "evictions", *_PER_MONTH, 3,
                      "lower", ("vystěhován",), ("eviction",))),
    _question("orp_shelter", "Snížila kontaktní místa pro bydlení využívání azylových zařízení?",
              "Did the housing contact points reduce the use of shelters?", "orp_shelter",
              Outcome("počet nocí v azylových zařízeních", "počtu nocí v azylových zařízeních",
                      "počet nocí v azylových zařízeních", "nights in shelters", *_PER_MONTH, 2, "lower",
                      ("azylov",), ("shelter",))),
    _question("orp_need", "Našla kontaktní místa pro bydlení domácnosti v bytové nouzi, o kterých se nevědělo?",
              "Did the housing contact points find households in housing need nobody had recorded?", "orp_need",
              Outcome("počet nově evidovaných domácností v bytové nouzi",
                      "počtu nově evidovaných domácností v bytové nouzi",
                      "počet nově evidovaných domácností v bytové nouzi",
                      "households in housing need newly registered", *_PER_MONTH, 3, "higher",
                      ("bytové nouzi",), ("housing need",))),
)


def has_panel(data: Any) -> bool:
    """Whether the scope's data carry the national ORP panel (with rows)."""
    return data is not None and data.has(TABLE) and not data[TABLE].empty


def national_questions(questions: Questions) -> Questions:
    """The questions the impact strand answers on national data: the run's ORP-panel effect
    questions (primary result ``staggered_orp_...``), else :data:`NATIONAL_QUESTIONS`; the pilots'
    household and municipality-panel effect questions are not asked of national data."""
    effects = [q for q in questions.effects() if q.primary.result.startswith(design.ORP_PREFIX)]
    others = [q for q in questions.values() if q.kind != "effect"]
    return Questions([*(effects or NATIONAL_QUESTIONS), *others])


def frame(data: Any) -> pd.DataFrame:
    """The ORP panel with ``period`` (months since January 2000), ``first_month`` (the opening
    month, 0 when the contact point never opened), ``treated_post`` and the per-1,000 rates."""
    from evaluation.runner.strands.impact import month_index

    panel = data[TABLE].copy()
    panel["orp_code"] = panel["orp_code"].astype(str)
    panel["contact_point_code"] = panel["contact_point_code"].astype(str)
    panel["period"] = month_index(panel["month"]).astype(int)
    opened = panel["contact_point_opened"]
    panel["first_month"] = month_index(opened).where(opened.notna(), 0).astype(float)
    panel["treated_post"] = ((panel["first_month"] > 0) & (panel["period"] >= panel["first_month"])).astype(float)
    return design.add_rates(panel)


def month_label(index: float) -> str:
    """``2026-07`` for a month index (months since January 2000)."""
    index = int(index)
    return f"{2000 + index // 12}-{index % 12 + 1:02d}"


# ------------------------------------------------------------------------------ the window of a district
@dataclass(frozen=True)
class Window:
    """A contact point's district and its comparison: the months ``start``..``end - 1``."""

    areas: tuple[str, ...]
    opened: int
    start: int
    end: int
    donors: tuple[str, ...]

    @property
    def pre_months(self) -> int:
        return self.opened - self.start

    @property
    def post_months(self) -> int:
        return max(self.end - self.opened, 0)


def district_codes(data: Any, panel: pd.DataFrame) -> set[str]:
    """Codes of the scope's contact point: those of its applications (a contact-point scope keeps
    only its own), else the areas that opened first in the scoped panel."""
    if data.has("applications") and "contact_point_code" in data["applications"]:
        codes = set(data["applications"]["contact_point_code"].dropna().astype(str))
        if codes and panel["contact_point_code"].isin(codes).any():
            return codes
    opened = panel.loc[panel["first_month"] > 0, "first_month"]
    if opened.empty:
        return set()
    return set(panel.loc[panel["first_month"] == opened.min(), "contact_point_code"])


def district_window(panel: pd.DataFrame, codes: set[str]) -> Window | None:
    """The window of the district of ``codes`` (see the module docstring); None when it did not open."""
    areas = panel.groupby("orp_code", sort=True)[["contact_point_code", "first_month"]].first()
    own = areas["contact_point_code"].isin(codes)
    opened = areas.loc[own, "first_month"]
    if opened.empty or not (opened > 0).any():
        return None
    g = int(opened[opened > 0].min())
    start, last = int(panel["period"].min()), int(panel["period"].max())
    others = areas.loc[~own, "first_month"]
    never = others.index[others <= 0]
    cuts = sorted({int(m) for m in others[others > g]} | {last + 1}, reverse=True)
    candidates = [(c, tuple(never) + tuple(others.index[(others >= c)])) if c <= last
                  else (c, tuple(never)) for c in cuts]
    enough = [(c, d) for c, d in candidates if len(d) >= MIN_DONORS]
    end, donors = enough[0] if enough else max(candidates, key=lambda item: (len(item[1]), item[0]))
    return Window(tuple(areas.index[own]), g, start, end, tuple(sorted(donors)))


def district_panel(panel: pd.DataFrame, window: Window, name: str) -> pd.DataFrame:
    """The window's balanced panel: the district as one unit (counts and population added up) and
    each donor area, with rates per 1,000 and ``treated_post``/``first_month``."""
    rows = panel[(panel["period"] >= window.start) & (panel["period"] < window.end)]
    rows = rows[rows["orp_code"].isin(window.areas + window.donors)].copy()
    rows["unit"] = np.where(rows["orp_code"].isin(window.areas), name, rows["orp_code"])
    counts = [c for c in design.RATE_COLUMNS if c in rows]
    for column in (*counts, "population"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce").astype(float)
    summed = rows.groupby(["unit", "period"], sort=True, as_index=False)[[*counts, "population"]].sum(min_count=1)
    summed = design.add_rates(summed)
    treated = summed["unit"].eq(name)
    summed["first_month"] = np.where(treated, window.opened, 0).astype(float)
    summed["treated_post"] = (treated & (summed["period"] >= window.opened)).astype(float)
    return summed


# ------------------------------------------------------------------------------ analyses
def analyse(run: Collector, data: Any, outcomes: Sequence[design.PanelOutcome], *, bootstrap_draws: int,
            placebo_draws: int, seed: int) -> None:
    """The ORP-panel analyses of the scope into ``run`` (the country, or one contact point)."""
    panel = frame(data)
    scope = dict(getattr(data, "metadata", {}) or {}).get("scope", {}) or {}
    point = scope.get("municipality")
    if point:
        _district(run, data, panel, str(point), outcomes, bootstrap_draws, placebo_draws, seed)
    else:
        _country(run, panel, outcomes, bootstrap_draws, seed)


def _country(run: Collector, panel: pd.DataFrame, outcomes: Sequence[design.PanelOutcome], draws: int,
             seed: int) -> None:
    for outcome in outcomes:
        rows = panel.dropna(subset=[outcome.column])
        if rows.empty:
            run.skip(outcome.primary, Reason(f"the ORP panel has no {outcome.source} values",
                                             f"panel ORP nemá hodnoty {outcome.source}"))
        else:
            _country_outcome(run, rows, outcome, draws, seed)


def _country_outcome(run: Collector, rows: pd.DataFrame, outcome: design.PanelOutcome, draws: int,
                     seed: int) -> None:
    from evaluation.impact import robustness_panel
    from evaluation.impact.staggered import staggered_did

    column = outcome.column
    run.run(outcome.primary, (TABLE,), lambda: _quiet(
        staggered_did, rows, column, "orp_code", "period", "first_month", control_group="not_yet_treated",
        cluster="contact_point_code", allow_unbalanced=True, n_bootstrap=draws, seed=seed))
    result = run.run(outcome.name("robustness"), (TABLE,), lambda: robustness_panel(
        rows, column, "orp_code", "period", "first_month", leads=LEADS, lags=LAGS, cluster="contact_point_code",
        control_group="not_yet_treated"))
    if result is not None:
        run.run(outcome.name("honest"), (TABLE,), lambda: design.sensitivity(result.event_study))


def _district(run: Collector, data: Any, panel: pd.DataFrame, point: str,
              outcomes: Sequence[design.PanelOutcome], draws: int, placebo_draws: int, seed: int) -> None:
    window = district_window(panel, district_codes(data, panel))
    reason = _window_problem(window)
    if reason is not None or window is None:
        for outcome in outcomes:
            for name in (outcome.primary, outcome.name("synthetic_control"), outcome.name("sc_placebo"),
                         outcome.name("sdid")):
                run.skip(name, reason or "")
        return
    sub = district_panel(panel, window, point)
    # one treated unit: a placebo draw makes one donor the pseudo-treated unit, so there are only as many
    # distinct placebo estimates as donors; more draws repeat them (and cost most of a contact point's time)
    replications = min(placebo_draws, max(20, len(window.donors)))
    for outcome in outcomes:
        rows = design.complete(sub, outcome.column, unit="unit")
        if rows.loc[rows["unit"].eq(point)].empty:
            run.skip(outcome.primary, Reason(f"the district has no {outcome.source} values in every month",
                                             f"obvod nemá hodnoty {outcome.source} ve všech měsících"))
        else:
            _district_outcome(run, rows, outcome, _few_donors(window), draws, replications, seed)


def _district_outcome(run: Collector, rows: pd.DataFrame, outcome: design.PanelOutcome, few: Reason | None,
                      draws: int, replications: int, seed: int) -> None:
    from evaluation.impact.staggered import staggered_did

    column = outcome.column
    run.run(outcome.primary, (TABLE,), lambda: _quiet(
        staggered_did, rows, column, "unit", "period", "first_month", control_group="never_treated",
        n_bootstrap=draws, seed=seed))
    if few is not None:
        for name in (outcome.name("synthetic_control"), outcome.name("sc_placebo"), outcome.name("sdid")):
            run.skip(name, few)
        return
    sc = run.run(outcome.name("synthetic_control"), (TABLE,), lambda: design.synthetic_control(rows, column, unit="unit"))
    if sc is None:
        return
    run.run(outcome.name("sc_placebo"), (TABLE,), lambda: sc.placebo_in_space())
    if design.synthetic_fit(sc).relative_error > SYNTHETIC_FIT_MAX:
        # no finding can rest on it (rule synthetic_fit), so its check is not run: the costliest step
        run.skip(outcome.name("sdid"), Reason(
            "the synthetic control does not resemble the district before the opening, so no finding can rest "
            "on it and its check (synthetic DiD) was not run",
            "syntetická kontrola se obvodu před otevřením nepodobá, takže na ní nemůže stát žádné zjištění, a "
            "její kontrola (syntetický rozdíl v rozdílech) se proto nepočítala"))
        return
    run.run(outcome.name("sdid"), (TABLE,), lambda: design.synthetic_did(rows, column, replications, seed, unit="unit"))


def _window_problem(window: Window | None) -> Reason | None:
    if window is None:
        return Reason("the contact point of this district had not opened by the end of the data",
                      "kontaktní místo tohoto obvodu se do konce dat neotevřelo")
    if not window.donors or window.post_months < 1:
        return Reason("no ORP area was still without an open contact point after this one opened: there is no "
                      "comparison for the months after the opening",
                      "po otevření tohoto kontaktního místa už žádný obvod ORP nebyl bez otevřeného kontaktního "
                      "místa: pro měsíce po otevření chybí srovnání")
    if window.pre_months < MIN_PRE_MONTHS:
        return Reason(f"only {window.pre_months} month(s) of data before the opening (at least {MIN_PRE_MONTHS} "
                      "are needed to fit a comparison)",
                      f"před otevřením jsou data jen za {window.pre_months} měs. (k sestavení srovnání je třeba "
                      f"aspoň {MIN_PRE_MONTHS})")
    return None


def _few_donors(window: Window) -> Reason | None:
    n = len(window.donors)
    if n >= MIN_DONORS:
        return None
    return Reason(f"only {n} ORP areas had no open contact point over the comparison window: with so few the "
                  f"placebo test cannot reach significance at 5 % (its smallest p-value is 1/{n + 1}; at least "
                  f"{MIN_DONORS} are needed)",
                  f"srovnávacích obvodů ORP bez otevřeného kontaktního místa je za celé okno srovnání jen {n}: "
                  f"placebo test by s nimi nemohl dosáhnout významnosti na hladině 5 % (nejmenší p-hodnota je "
                  f"1/{n + 1}; je jich třeba aspoň {MIN_DONORS})")


def _quiet(function: Any, *args: Any, **kwargs: Any) -> Any:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def post_periods(result: Any) -> int | None:
    """Months after entry with an estimate (a comparison): the event times >= 0 of the finite ATT(g,t)."""
    cells = getattr(result, "cells", None)
    if cells is None or "group" not in cells:
        return None
    event = cells["time"] - cells["group"]
    finite = np.isfinite(cells["estimate"].to_numpy(float))
    return int(event[finite & (event >= 0).to_numpy()].nunique())


# ------------------------------------------------------------------------------ tables of the design
def rollout_table(panel: pd.DataFrame) -> pd.DataFrame:
    """One row per opening month: contact points and ORP areas opening then, months of data before
    it, and months after it with a comparison (areas not yet treated)."""
    areas = panel.groupby("orp_code", sort=True)[["contact_point_code", "first_month"]].first()
    start, last = int(panel["period"].min()), int(panel["period"].max())
    never = bool((areas["first_month"] <= 0).any())
    rows = []
    for g, group in areas[areas["first_month"] > 0].groupby("first_month", sort=True):
        later = areas.loc[areas["first_month"] > g, "first_month"]
        end = last + 1 if never else (int(later.max()) if not later.empty else int(g))
        rows.append({"opened": month_label(g), "contact_points": group["contact_point_code"].nunique(),
                     "orp_areas": len(group), "months_before": int(g) - start,
                     "months_after_with_comparison": max(end - int(g), 0)})
    return pd.DataFrame(rows, columns=["opened", "contact_points", "orp_areas", "months_before",
                                       "months_after_with_comparison"])


def window_table(window: Window, point: str) -> pd.DataFrame:
    return pd.DataFrame([{"contact_point": point, "orp_areas": len(window.areas), "opened": month_label(window.opened),
                          "months_before": window.pre_months, "months_after_with_comparison": window.post_months,
                          "comparison_areas": len(window.donors), "window_end": month_label(window.end - 1)}])


TABLE_LABELS = {
    "opened": ("Otevření", "Opened"), "contact_points": ("Kontaktní místa", "Contact points"),
    "contact_point": ("Kontaktní místo", "Contact point"),
    "orp_areas": ("Obvody ORP", "ORP areas"), "months_before": ("Měsíců dat před otevřením", "Months of data before"),
    "months_after_with_comparison": ("Měsíců po otevření se srovnáním", "Months after with a comparison"),
    "comparison_areas": ("Srovnávací obvody ORP", "Comparison ORP areas"),
    "window_end": ("Poslední měsíc srovnání", "Last month compared"),
}
_ROLLOUT_NOTE = (
    ("Obvod ORP je srovnáván s obvody, kde kontaktní místo dosud neotevřelo; jakmile se otevřou všechna, srovnání "
     "končí. Efekty proto lze sledovat jen několik měsíců po otevření."),
    ("An ORP area is compared with areas whose contact point had not opened yet; once all have opened the "
     "comparison ends, so effects can be followed only for a few months after an opening."))


def scope_of(data: Any) -> Any:
    """The findings' scope: the district of one contact point, or the ORP areas of the country."""
    from evaluation.findings import Scope

    point = (dict(getattr(data, "metadata", {}) or {}).get("scope", {}) or {}).get("municipality")
    if point:
        return Scope("custom", phrase_cs=f"v obvodu kontaktního místa {point}",
                     phrase_en=f"in the district of the contact point {point}")
    return Scope("custom", phrase_cs="v obvodech ORP s kontaktním místem pro bydlení",
                 phrase_en="in the ORP areas with a housing contact point")


# ------------------------------------------------------------------------------ storing
_ALT_DYNAMIC = (("Body ukazují průměrný efekt podle měsíce od otevření kontaktního místa, s pásem spolehlivosti; "
                 "před otevřením by měly ležet kolem nuly."),
                ("Points show the average effect by month since the contact point opened, with a confidence band; "
                 "before the opening they should lie around zero."))


def save(session: Any, output: StrandOutput, questions: Questions, found: list[Any]) -> None:
    """Store the ORP-panel results (tables, figures, key figures, texts) and the findings."""
    from evaluation.runner.strands import impact_findings
    from evaluation.runner.strands.impact import design_titles

    store = session.store
    data = session.data
    panel = frame(data)
    point = (dict(getattr(data, "metadata", {}) or {}).get("scope", {}) or {}).get("municipality")
    stated = impact_findings.stated_primaries(found)
    outcomes = [o for o in design.panel_outcomes(questions).values() if o.orp]
    module = "evaluation.runner.strands.impact_design"
    if point:
        window = district_window(panel, district_codes(data, panel))
        if window is not None:
            store_frame(session, "orp_district", window_table(window, str(point)),
                        ("Okno srovnání kontaktního místa", "The contact point's comparison window"),
                        column_labels=TABLE_LABELS, notes=[_ROLLOUT_NOTE])
    else:
        store_frame(session, "orp_rollout", rollout_table(panel),
                    ("Otevírání kontaktních míst a délka srovnání", "Openings of the contact points and the comparison"),
                    column_labels=TABLE_LABELS, notes=[_ROLLOUT_NOTE])
    for outcome in outcomes:
        asked = questions[outcome.question].outcome
        words = (asked.nominative_cs, asked.name_en) if asked is not None else (outcome.source, outcome.source)
        name = outcome.primary
        if name in output and not point:
            dynamic = output[name].aggregate("dynamic")
            titles = (f"Postupné otevírání (Callaway–Sant’Anna): {words[0]} na 1 000 obyvatel za měsíc",
                      f"Staggered roll-out (Callaway–Sant’Anna): {words[1]} per 1,000 inhabitants a month")
            store.add_table(name, dynamic, title_cs=titles[0], title_en=titles[1], placement="appendix",
                            report_columns=["term", "estimate", "conf_low", "conf_high", "p_value", "band"],
                            column_labels={"term": ("Měsíce od otevření", "Months since the opening")})
            store_figure(session, name, dynamic, (f"Efekt podle měsíce od otevření: {words[0]}",
                                                  f"Effect by month since the opening: {words[1]}"),
                         alt=_ALT_DYNAMIC, options={"time_unit": "month", "outcome": words, "unit": None})
        elif name in output:
            store.add_table(name, output[name], title_cs=f"Callaway–Sant’Anna: {words[0]}",
                            title_en=f"Callaway–Sant’Anna: {words[1]}", placement="folder",
                            # the units are ORP areas, whose contact point and opening the decree makes
                            # public: counts of places, published as they are (not counts of people)
                            count_columns=[], public=["n_treated", "n_comparison"])
        if name in output and name in stated and not point:
            store.add_key_figure(f"att_{outcome.primary.removeprefix('staggered_')}", table=name,
                                 row={"term": "overall ATT"}, column="estimate",
                                 ci_columns=("conf_low", "conf_high"), label_cs=f"Průměrný efekt: {words[0]}",
                                 label_en=f"Average effect: {words[1]}", decimals=outcome_decimals(questions, outcome))
        _store_checks(session, output, outcome, words, module)
    impact_findings.store(session, found)
    _texts(session, bool(point))
    from evaluation.runner.strands._common import store_skipped

    store_skipped(session, output, design_titles(output, questions))


def outcome_decimals(questions: Questions, outcome: design.PanelOutcome) -> int:
    question = questions[outcome.question]
    return question.outcome.decimals if question.outcome is not None else 2


def _store_checks(session: Any, output: StrandOutput, outcome: design.PanelOutcome, words: tuple[str, str],
                  module: str) -> None:
    from evaluation.runner.strands._common import disclosure_columns

    store = session.store
    for kind, (cs, en) in (("synthetic_control", ("Syntetická kontrola", "Synthetic control")),
                           ("sdid", ("Syntetický rozdíl v rozdílech", "Synthetic difference-in-differences"))):
        name = outcome.name(kind)
        if name in output:
            counts, n_column = disclosure_columns(output[name], output[name].tidy())
            store.add_table(name, output[name], title_cs=f"{cs}: {words[0]}", title_en=f"{en}: {words[1]}",
                            placement="appendix", count_columns=counts, n_column=n_column)
    name = outcome.name("sc_placebo")
    if name in output:
        result = output[name]
        store.add_table(name, result.tidy(), title_cs=f"Placebo test v prostoru: {words[0]}",
                        title_en=f"Placebo-in-space inference: {words[1]}", placement="folder")
        store.add_table(f"{name}_gaps", design.placebo_gaps(result), title_cs=f"Placebo test: {words[0]}",
                        title_en=f"Placebo test: {words[1]}", placement="folder")
        _placebo_figure(session, result, name, words, module)
    name = outcome.name("robustness")
    if name in output:
        store.add_table(name, design.overlay_table(output[name]), title_cs=f"Panel robustnosti: {words[0]}",
                        title_en=f"Robustness panel: {words[1]}", placement="folder")
        if output[name].bacon is not None:
            store.add_table(f"{name}_bacon", output[name].bacon.tidy(),
                            title_cs=f"Goodman-Baconův rozklad: {words[0]}",
                            title_en=f"Goodman-Bacon decomposition: {words[1]}", placement="folder")
    name = outcome.name("honest")
    if name in output:
        store.add_table(name, output[name].tidy(), title_cs=f"Citlivost na porušení souběžných trendů: {words[0]}",
                        title_en=f"Sensitivity to violations of parallel trends: {words[1]}", placement="folder")


def _placebo_figure(session: Any, result: Any, name: str, words: tuple[str, str], module: str) -> None:
    """The gap paths of the district and its placebos, when the synthetic control fits (one that does
    not answers nothing, and no figure should invite reading it)."""
    store = session.store
    if design.synthetic_fit(result.result).relative_error > SYNTHETIC_FIT_MAX:
        return
    store.add_figure(f"{name}_gaps", table=f"{name}_gaps", plotter=f"{module}:draw_placebo_gaps",
                     caption_cs=f"Obvod kontaktního místa proti syntetické kontrole: {words[0]}",
                     caption_en=f"The contact point's district against its synthetic control: {words[1]}",
                     options={"start": float(result.result.treatment_start), "time_unit": "month"},
                     alt_cs="Tučná čára je rozdíl obvodu kontaktního místa proti jeho syntetické kontrole, šedé "
                            "čáry tytéž rozdíly obvodů ORP bez otevřeného kontaktního místa; efekt je věrohodný, "
                            "jen když tučná čára po otevření vybočí z šedého svazku.",
                     alt_en="The bold line is the gap of the contact point's district to its synthetic control, "
                            "the grey lines the same gaps of ORP areas without an open contact point; an effect is "
                            "credible only if the bold line leaves the grey bundle after the opening.")


def _texts(session: Any, one_point: bool) -> None:
    store = session.store
    store.add_text(
        "method",
        "Dopady zavádění kontaktních míst pro bydlení odhadujeme metodou rozdílu v rozdílech na měsíčním panelu "
        "obvodů obcí s rozšířenou působností (ORP), ukazatele na 1 000 obyvatel. Za celou republiku: odhad pro "
        "postupný vstup podle Callawaye a Sant’Anny (obvod ORP od měsíce, kdy se otevřelo jeho kontaktní místo; "
        "kontrolou jsou obvody, kde kontaktní místo dosud neotevřelo; chyby shlukované podle kontaktních míst), "
        "panel dalších odhadů (Sun a Abraham, dvoustupňový DiD, imputační odhad, Goodman-Baconův rozklad) a citlivost "
        "na porušení souběžných trendů (HonestDiD). Za jedno kontaktní místo je jeho obvod jedinou jednotkou "
        "v programu: základem je syntetická kontrola z obvodů ORP, kde kontaktní místo po celé okno srovnání "
        "neotevřelo, s placebo testem v prostoru, a jako kontrola syntetický rozdíl v rozdílech. Ke každé otázce je "
        "primární analýza určena předem.",
        "The impacts of the roll-out of the housing contact points are estimated by difference-in-differences on "
        "the monthly panel of ORP areas, outcomes per 1,000 inhabitants. For the whole country: the Callaway–"
        "Sant’Anna estimator for staggered entry (an ORP area from the month its contact point opened; comparison "
        "areas are those whose contact point had not opened yet; errors clustered by contact point), a panel of "
        "other estimators (Sun and Abraham, two-stage DiD, imputation, the Goodman-Bacon decomposition) and the "
        "sensitivity to violations of parallel trends (HonestDiD). For one contact point its district is the one "
        "treated unit: the basis is a synthetic control built from ORP areas whose contact point stayed closed "
        "over the whole comparison window, with placebo-in-space inference, checked by synthetic "
        "difference-in-differences. Each question's primary analysis is named in advance.")
    store.add_text(
        "assumptions",
        "Bez kontaktního místa by se ukazatele obvodů vyvíjely souběžně s obvody, kde kontaktní místo dosud "
        "neotevřelo; srovnání končí, jakmile se otevřou všechna kontaktní místa."
        + (" Syntetická kontrola předpokládá, že vážená kombinace srovnávacích obvodů, která se obvodu před "
           "otevřením podobala, by se mu podobala i potom." if one_point else ""),
        "Without a contact point the areas' outcomes would have moved in parallel with the areas whose contact point "
        "had not opened yet; the comparison ends once all contact points have opened."
        + (" The synthetic control assumes that the weighted combination of comparison areas that resembled the "
           "district before the opening would have kept resembling it." if one_point else ""))


__all__ = ["LAGS", "LEADS", "MIN_DONORS", "NATIONAL_QUESTIONS", "Window", "analyse", "district_codes",
           "district_panel", "district_window", "frame", "has_panel", "month_label", "national_questions",
           "post_periods", "rollout_table", "save", "scope_of", "window_table"]
