"""Report sections that do not belong to one strand: the programme evaluated and the
comparison with earlier evidence.

* :func:`intervention_view` -- the description of the intervention, the pilot plan as a
  table and the logic model (a diagram drawn for the report, and its text version), from the
  pilot plan the process strand used (or the one given) and the published results.
* :func:`comparison_view` -- the pilot's tenancy retention beside published figures of
  earlier studies (:mod:`evaluation.reporting.benchmarks`), with populations, designs and
  sources.

Example
-------
>>> from evaluation.reporting.store import ResultsStore        # doctest: +SKIP
>>> strands = ResultsStore.read("output/results").scopes["all"]  # doctest: +SKIP
>>> comparison_view(strands, "cs", None).table                  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluation.errors import ConfigError
from evaluation.reporting.assemble import (
    FigureView,
    load_translations,
    md_escape,
    number_token,
    pipe_table,
)
from evaluation.reporting.czech import polish
from evaluation.reporting.formatting import format_interval, format_number, format_percent
from evaluation.reporting.store import ALL_SCOPE, slug

log = logging.getLogger(__name__)

PLAN_KEY = "intervention/plan"
LOGIC_MODEL_KEY = "intervention/logic_model"
COMPARISON_KEY = "comparison/retention"


@dataclass
class InterventionView:
    intro: list[str]
    plan_table: str = ""
    plan_note: str = ""
    logic_intro: str = ""
    figure: FigureView | None = None
    model_text: str = ""
    missing: str = ""


@dataclass
class ComparisonView:
    intro: str
    table: str
    studies: list[str] = field(default_factory=list)
    no_pilot: str = ""
    source_file: str = ""
    brief: str = ""


# --------------------------------------------------------------------------- the intervention

def resolve_plan(strands: Mapping[str, Any], pilot_plan: Any, root: Path | None, lang: str,
                 scope: str | None = None) -> tuple[Any, str, str]:
    """(plan, where it comes from, why there is none): the plan given, else the one the process
    strand used (its ``pilot_plan`` parameter: a file, or the default Ostrava plan). A report of
    one municipality does not show another municipality's plan as its own."""
    plan, source, missing = _plan_of(strands, pilot_plan, root, lang)
    if plan is not None and pilot_plan is None and scope and slug(scope) != ALL_SCOPE \
            and plan.municipality and slug(plan.municipality) != slug(scope):
        text = load_translations(lang)["intervention"]["plan_other"]
        return None, "", text.format(plan=plan.municipality, scope=scope)
    return plan, source, missing


def _plan_of(strands: Mapping[str, Any], pilot_plan: Any, root: Path | None, lang: str) -> tuple[Any, str, str]:
    from evaluation.process.plan import PilotPlan

    t = load_translations(lang)["intervention"]
    if isinstance(pilot_plan, PilotPlan):
        return pilot_plan, t["plan_source_file"].format(path=pilot_plan.name or "—"), ""
    if pilot_plan is not None:
        path = Path(pilot_plan)
        return PilotPlan.from_file(path), t["plan_source_file"].format(path=path.name), ""
    process = strands.get("process")
    if process is None:
        return None, "", t["no_plan"]
    recorded = (process.meta.get("parameters") or {}).get("pilot_plan")
    if not recorded:
        return PilotPlan.ostrava(), t["plan_source_default"], ""
    candidates = [Path(recorded)] + ([root / recorded, root.parent / recorded] if root is not None else [])
    found = next((p for p in candidates if p.is_file()), None)
    if found is None:
        log.warning("the pilot plan %s that the process strand used was not found; pass pilot_plan= to "
                    "render_reports to show the plan and the logic model", recorded)
        return None, "", t["plan_missing"].format(path=Path(recorded).name)
    try:
        return PilotPlan.from_file(found), t["plan_source_file"].format(path=found.name), ""
    except ConfigError as error:
        log.warning("the pilot plan %s could not be read: %s", found, error)
        return None, "", t["plan_missing"].format(path=found.name)


def plan_table(plan: Any, lang: str) -> str:
    """The pilot plan as a numbered table: one row per step."""
    from evaluation.reporting.labels import value_label

    t = load_translations(lang)["intervention"]
    columns = t["plan_columns"]
    headers = [md_escape(columns[c]) for c in
               ("step", "units", "households", "cohorts", "placement_months", "support_months", "hours")]

    def number(value: Any) -> str:
        return "–" if value is None else format_number(value, lang)

    body = ["| " + " | ".join(md_escape(c) for c in (
        value_label(s.step, "step", lang) or s.step, number(s.units), number(s.households), number(s.cohorts),
        number(s.placement_months), number(s.support_months), number(s.planned_hours_per_month))) + " |"
        for s in plan.steps]
    return pipe_table(headers, body, [False] + [True] * 6, t["plan_caption"], lang, PLAN_KEY)


def intervention_view(strands: Mapping[str, Any], lang: str, fmt: str, pilot_plan: Any = None,
                      build_dir: Path | None = None, root: Path | None = None,
                      scope: str | None = None) -> InterventionView:
    """The section on the programme evaluated: description, plan table and logic model."""
    from evaluation.reporting.logic_model import build_logic_model, save_logic_model

    t = load_translations(lang)
    text = t["intervention"]
    view = InterventionView(intro=list(text["intro"]))
    plan, source, missing = resolve_plan(strands, pilot_plan, root, lang, scope)
    if plan is None:
        view.missing = missing
        return view
    view.plan_table = plan_table(plan, lang)
    view.plan_note = text["plan_note"].format(source=source)
    model = build_logic_model(plan, strands, lang)
    view.logic_intro = text["logic_intro"]
    view.model_text = model.to_markdown_list()
    if build_dir is not None:
        folder = Path(build_dir) / "figures"
        names = {fmt: f"logic_model.{lang}.{fmt}" for fmt in ("png", "svg")}
        if not all((folder / name).is_file() for name in names.values()):  # drawn once per report
            names = save_logic_model(model, folder)
        path = f"figures/{names['svg' if fmt == 'html' else 'png']}"
        caption = f"{t['figure']} {number_token('F', LOGIC_MODEL_KEY)}: {md_escape(text['logic_caption'])}"
        view.figure = FigureView("logic_model", path, caption)
    return view


# --------------------------------------------------------------------------- earlier evidence

def _share(value: float, lang: str) -> str:
    decimals = 0 if abs(round(value * 100) - value * 100) < 1e-9 else 1
    return format_percent(value, lang, decimals)


def _join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" a " if lang == "cs" else " and ") + items[-1]


def _pilot_rows(strands: Mapping[str, Any], lang: str) -> list[tuple[float, str]]:
    """(horizon, table row) for the pilot's retention key figures ``housed_<h>m``."""
    import re

    retention = strands.get("retention")
    if retention is None:
        return []
    c = load_translations(lang)["comparison"]
    period = retention.meta.get("study_period") or []
    years = f"{period[0][:4]}–{period[1][:4]}" if len(period) == 2 else ""
    place = ("Česko" if lang == "cs" else "Czechia") + (f", {years}" if years else "")
    rows = []
    for id, figure in retention.key_figures.items():
        match = re.fullmatch(r"housed_(\d+(?:\.\d+)?)m", id)
        if not match or figure.value is None or figure.suppressed:
            continue
        value = format_percent(figure.value, lang, 0)
        if figure.ci:
            value += f" ({format_interval(*figure.ci, lang, percent=True, decimals=0)})"
        horizon = float(match.group(1))
        rows.append((horizon, "| " + " | ".join(md_escape(x) for x in (
            c["this_pilot"], place, format_number(horizon, lang), value, "")) + " |"))
    return sorted(rows)


def comparison_view(strands: Mapping[str, Any], lang: str, benchmarks: Any = None) -> ComparisonView | None:
    """The pilot's retention beside earlier studies (None when the comparison is switched off)."""
    from evaluation.reporting.benchmarks import bundled_path, resolve_benchmarks

    bench = resolve_benchmarks(benchmarks)
    if bench is None:
        return None
    c = load_translations(lang)["comparison"]
    columns = c["columns"]
    headers = [md_escape(columns[k]) for k in ("study", "place", "months", "value", "comparison")]
    pilot = _pilot_rows(strands, lang)
    rows = [row for _, row in pilot]
    studies = []
    for b in bench.for_measure("housed"):
        comparison = _share(b.comparison_value, lang) if b.comparison_value is not None else ""
        rows.append("| " + " | ".join(md_escape(x) for x in (
            b.text("study", lang), f"{b.text('country', lang)}, {b.year}", format_number(b.horizon_months, lang),
            _share(b.value, lang), comparison)) + " |")
        line = c["study_line"].format(study=md_escape(b.text("study", lang)), year=b.year,
                                      population=md_escape(b.text("population", lang)),
                                      design=md_escape(b.text("design", lang)))
        if b.text("comparison", lang):
            line += " " + c["comparison_line"].format(comparison=md_escape(b.text("comparison", lang)))
        source = md_escape(b.source[lang])
        other = "en" if lang == "cs" else "cs"
        if b.source["cs"] == b.source["en"]:  # quoted in its own language
            source = f"[{source}]{{lang={'en' if lang == 'cs' else other}}}"
        line += " " + c["source_line"].format(source=source) + (f" <{b.url}>" if b.url else "")
        studies.append(polish(line, lang))
    table = pipe_table(headers, rows, [False, False, True, True, True], c["caption"], lang, COMPARISON_KEY)
    view = ComparisonView(intro=c["intro"], table=table, studies=studies,
                          no_pilot="" if pilot else c["no_pilot"])
    if bench.path is not None and bench.path.resolve() != bundled_path().resolve():
        view.source_file = c["custom_file"].format(path=bench.path.name)
    twelve = [b for b in bench.for_measure("housed") if b.horizon_months == 12]
    if twelve and any(h == 12 for h, _ in pilot):
        values = [f"{_share(b.value, lang)} ({b.text('country', lang)}, {b.year})" for b in twelve]
        view.brief = c["brief"].format(months=12, values=_join(values, lang))
    return view
