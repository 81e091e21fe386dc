"""The evaluated intervention's logic model (theory of change), drawn for the technical report.

A logic model reads left to right: **inputs** (flats, social work, partners) -> **activities**
(placing households, support, moving up the staircase, contact points) -> **outputs** (what
was delivered, against the plan) -> **outcomes** (what changed for households) -> **impacts**
(the longer-term aims). The design comes from the pilot plan
(:class:`evaluation.process.plan.PilotPlan`: flats, households, cohorts, months and hours of
support per step); what was delivered and achieved comes from the published results (the
``reach`` and ``support_dose`` tables and the key figures, after disclosure control, so a
hidden cell stays hidden here too). Boxes whose numbers are missing from the results say so.

Example
-------
>>> from evaluation.process.plan import PilotPlan
>>> model = build_logic_model(PilotPlan.ostrava(), {}, "cs")
>>> model.columns[0].title, model.columns[0].items[0]
('Vstupy', 'Byty: krizové bydlení 30, sociální bydlení 50, dostupné bydlení 50')
>>> fig = draw_logic_model(model)  # doctest: +SKIP
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from evaluation.reporting.czech import v_or_ve
from evaluation.reporting.formatting import format_number, format_percent

#: Column titles and fixed texts, Czech and English.
TEXTS: dict[str, dict[str, Any]] = {
    "cs": {
        "columns": ("Vstupy", "Aktivity", "Výstupy", "Výsledky", "Dopady"),
        "flats": "Byty: {items}",
        "hours": "Sociální práce: {items} h měsíčně na domácnost",
        "partners": "Spolupráce: sociální pracovníci Úřadu práce, obce a NNO, OSPOD, bytové odbory",
        "contact_points": "Kontaktní místa pro bydlení (KMB)",
        "selection": "Výběr domácností v bytové nouzi (depistáž, doporučení)",
        "placement": "{step}: {households} domácností {v} {cohorts} kohortách během {months} měsíců",
        "placement_plain": "{step}: {households} domácností",
        "support": "Podpora v bydlení: {items}",
        "support_item": "{step} {months} měs.",
        "moving_up": "Postup na vyšší stupeň prostupného bydlení",
        "counselling": "Poradenství a vyřizování žádostí na KMB",
        "households": "Nastěhované domácnosti: {items}",
        "actual_of_plan": "{step} {actual} (plán {planned})",
        "dose": "Hodiny podpory v % plánu: {items}",
        "applications": "Žádosti přijaté na KMB: {n}",
        "not_available": "{what}: výsledek není k dispozici",
        "housed": "V bydlení po 12 měsících: {value}",
        "arrears": "Dluh na bydlení oproti srovnávací skupině: {value}",
        "lost": "Žádosti bez rozhodnutí déle než 90 dní: {value}",
        "moved_up": "Posun na vyšší stupeň nebo do standardního nájmu",
        "impacts": ("Stabilní samostatné bydlení (standardní nájem)",
                    "Méně vystěhování a nocí v azylových zařízeních",
                    "Nižší veřejné výdaje na řešení bytové nouze"),
        "assumptions": "Předpoklady: dostatek bytů pro posun výš; podpora odpovídá potřebám; "
                       "spolupráce aktérů funguje",
        "plan_source": "Plán pilotu: {name}",
    },
    "en": {
        "columns": ("Inputs", "Activities", "Outputs", "Outcomes", "Impacts"),
        "flats": "Flats: {items}",
        "hours": "Social work: {items} h a month per household",
        "partners": "Partners: social workers of the Labour Office, municipality and NGOs, "
                    "child protection, housing departments",
        "contact_points": "Housing contact points (KMB)",
        "selection": "Selecting households in housing need (outreach, referral)",
        "placement": "{step}: {households} households in {cohorts} cohorts over {months} months{v}",
        "placement_plain": "{step}: {households} households",
        "support": "Housing support: {items}",
        "support_item": "{step} {months} mo.",
        "moving_up": "Moving up the staircase",
        "counselling": "Counselling and handling applications at the KMB",
        "households": "Households moved in: {items}",
        "actual_of_plan": "{step} {actual} (plan {planned})",
        "dose": "Support hours as % of plan: {items}",
        "applications": "Applications received at the KMB: {n}",
        "not_available": "{what}: result not available",
        "housed": "Housed at 12 months: {value}",
        "arrears": "Housing debt against the comparison group: {value}",
        "lost": "Applications without a decision after 90 days: {value}",
        "moved_up": "Moving up, or into a standard lease",
        "impacts": ("Stable independent housing (standard lease)",
                    "Fewer evictions and shelter nights",
                    "Lower public spending on housing need"),
        "assumptions": "Assumptions: enough flats to move up; support fits the needs; the partners cooperate",
        "plan_source": "Pilot plan: {name}",
    },
}

#: Short step names for the boxes.
STEP_SHORT: dict[str, dict[str, str]] = {
    "cs": {"crisis": "krizové", "social": "sociální", "affordable": "dostupné", "housing_first": "Housing First",
           "standard": "standardní nájem"},
    "en": {"crisis": "crisis", "social": "social", "affordable": "affordable", "housing_first": "Housing First",
           "standard": "standard lease"},
}

COLOURS = ("#DCE9F5", "#E3F1E8", "#FCEBD2", "#F4E1EC", "#E8E8E8")
EDGE = "#1D3557"


@dataclass(frozen=True)
class LogicColumn:
    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class LogicModel:
    """The five columns of the logic model and the assumptions line, in one language."""

    lang: str
    columns: tuple[LogicColumn, ...]
    assumptions: str
    source: str = ""

    def to_markdown_list(self) -> str:
        """A text version of the diagram (for readers who cannot see the figure)."""
        return "\n".join(f"- **{c.title}:** " + "; ".join(c.items) for c in self.columns)


def _step_label(step: str, lang: str) -> str:
    from evaluation.reporting.labels import value_label

    return value_label(step, "step", lang) or step


def _table(strands: Mapping[str, Any], strand: str, name: str) -> pd.DataFrame | None:
    results = strands.get(strand)
    table = results.tables.get(name) if results is not None else None
    return None if table is None else table.data


def _key(strands: Mapping[str, Any], strand: str, id: str) -> Any:
    results = strands.get(strand)
    figure = results.key_figures.get(id) if results is not None else None
    return None if figure is None or figure.suppressed or figure.value is None else figure


def _cell(value: Any, lang: str) -> str:
    text = str(value).strip()
    if text in ("", "nan"):
        return "–"
    if text.startswith("<") or text == "x":
        return text
    return format_number(float(text), lang, 0)


def build_logic_model(plan: Any, strands: Mapping[str, Any], lang: str = "cs") -> LogicModel:
    """The logic model of ``plan`` (a :class:`PilotPlan`) with the published results of one scope.

    ``strands`` maps strand names (``process``, ``retention``, ``impact``, ...) to
    :class:`evaluation.reporting.store.StrandResults`; missing results leave their boxes
    saying so.
    """
    t = TEXTS[lang]
    short = STEP_SHORT[lang]
    steps = list(plan.steps)
    inputs = [t["flats"].format(items=", ".join(f"{_step_label(s.step, lang)} {s.units}" for s in steps))]
    hours = [s for s in steps if s.planned_hours_per_month is not None]
    if hours:
        inputs.append(t["hours"].format(items=", ".join(
            f"{short.get(s.step, s.step)} {format_number(s.planned_hours_per_month, lang)}" for s in hours)))
    inputs.append(t["partners"])
    has_contact_points = _table(strands, "process", "applications_received") is not None
    if has_contact_points:
        inputs.append(t["contact_points"])

    activities = [t["selection"]]
    for s in steps:
        if s.cohorts and s.placement_months:
            activities.append(t["placement"].format(step=_step_label(s.step, lang).capitalize(),
                                                    households=s.households, cohorts=s.cohorts,
                                                    v=v_or_ve(s.cohorts) if lang == "cs" else "",
                                                    months=format_number(s.placement_months, lang)))
    activities.append(t["support"].format(items=", ".join(
        t["support_item"].format(step=short.get(s.step, s.step), months=format_number(s.support_months, lang))
        for s in steps)))
    activities.append(t["moving_up"])
    if has_contact_points:
        activities.append(t["counselling"])

    outputs = []
    reach = _table(strands, "process", "reach")
    if reach is not None and {"step", "measure", "actual"} <= set(reach.columns):
        rows = reach[reach["measure"] == "households"]
        planned = {s.step: s.households for s in steps}
        items = [t["actual_of_plan"].format(step=short.get(r.step, r.step), actual=_cell(r.actual, lang),
                                            planned=planned.get(r.step, "–")) for r in rows.itertuples()]
        outputs.append(t["households"].format(items=", ".join(items)))
    else:
        outputs.append(t["not_available"].format(what=t["households"].split(":")[0]))
    dose = _table(strands, "process", "support_dose")
    if dose is not None and {"step", "period", "percent_of_planned_hours"} <= set(dose.columns):
        rows = dose[dose["period"] == "within_support"]
        items = []
        for r in rows.itertuples():
            value = str(r.percent_of_planned_hours).strip()
            shown = value if value.startswith("<") or value == "x" else format_percent(float(value) / 100, lang, 0)
            items.append(f"{short.get(r.step, r.step)} {shown}")
        if items:
            outputs.append(t["dose"].format(items=", ".join(items)))
    applications = _table(strands, "process", "applications_received")
    if applications is not None and "total" in applications.columns:
        totals = pd.to_numeric(applications["total"], errors="coerce")
        if totals.notna().all():
            outputs.append(t["applications"].format(n=format_number(totals.sum(), lang, 0)))

    outcomes = []
    housed = _key(strands, "retention", "housed_12m")
    outcomes.append(t["housed"].format(value=format_percent(housed.value, lang, 0)) if housed is not None
                    else t["not_available"].format(what=t["housed"].split(":")[0]))
    arrears = _key(strands, "impact", "att_households")
    if arrears is not None:
        unit = "Kč" if lang == "cs" else "CZK"
        outcomes.append(t["arrears"].format(value=f"{format_number(arrears.value, lang, 0)}\u00a0{unit}"))
    lost = _key(strands, "process", "lost_share")
    if lost is not None:
        outcomes.append(t["lost"].format(value=format_percent(lost.value, lang, 1)))
    outcomes.append(t["moved_up"])

    columns = tuple(LogicColumn(title, tuple(items)) for title, items in
                    zip(t["columns"], (inputs, activities, outputs, outcomes, list(t["impacts"]))))
    name = (plan.municipality or plan.name) if lang == "cs" else (plan.name or plan.municipality)
    source = t["plan_source"].format(name=name) if name else ""
    return LogicModel(lang=lang, columns=columns, assumptions=t["assumptions"], source=source)


def _wrap(items: Sequence[str], width: int) -> list[list[str]]:
    return [textwrap.wrap(item, width=width, break_long_words=False, break_on_hyphens=False) or [""]
            for item in items]


def draw_logic_model(model: LogicModel, *, width_in: float = 10.0) -> Any:
    """A matplotlib Figure of ``model``: five columns of boxes joined by arrows, assumptions below."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from evaluation.reporting.style import report_style

    n = len(model.columns)
    wrap_chars = 27
    wrapped = [_wrap(c.items, wrap_chars) for c in model.columns]
    lines = [sum(len(item) for item in items) + 0.6 * (len(items) - 1) for items in wrapped]
    line_h = 0.16  # inches per line at 7.5 pt
    body_h = max(lines) * line_h + 0.35
    header_h, foot_h, gap = 0.36, 0.45, 0.12
    height_in = header_h + body_h + foot_h + 3 * gap
    with report_style(model.lang):
        fig = plt.figure(figsize=(width_in, height_in))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width_in)
        ax.set_ylim(0, height_in)
        ax.axis("off")
        margin, arrow_w = 0.08, 0.22
        col_w = (width_in - 2 * margin - (n - 1) * arrow_w) / n
        top = height_in - gap
        for i, (column, items) in enumerate(zip(model.columns, wrapped)):
            x = margin + i * (col_w + arrow_w)
            ax.add_patch(FancyBboxPatch((x, top - header_h), col_w, header_h, boxstyle="round,pad=0,rounding_size=0.05",
                                        facecolor=EDGE, edgecolor=EDGE, linewidth=0.8))
            ax.text(x + col_w / 2, top - header_h / 2, column.title, ha="center", va="center", color="white",
                    fontsize=9, fontweight="bold")
            body_top = top - header_h - gap / 2
            ax.add_patch(FancyBboxPatch((x, body_top - body_h), col_w, body_h,
                                        boxstyle="round,pad=0,rounding_size=0.05",
                                        facecolor=COLOURS[i % len(COLOURS)], edgecolor=EDGE, linewidth=0.6))
            y = body_top - 0.18
            for item in items:
                for k, line in enumerate(item):
                    ax.text(x + 0.1, y, ("• " if k == 0 else "   ") + line, ha="left", va="top", fontsize=7.5)
                    y -= line_h
                y -= 0.6 * line_h
            if i < n - 1:
                mid = body_top - body_h / 2
                ax.add_patch(FancyArrowPatch((x + col_w + 0.02, mid), (x + col_w + arrow_w - 0.02, mid),
                                             arrowstyle="-|>", mutation_scale=12, color=EDGE, linewidth=1.2))
        foot_top = top - header_h - gap / 2 - body_h - gap
        ax.add_patch(FancyBboxPatch((margin, foot_top - foot_h), width_in - 2 * margin, foot_h,
                                    boxstyle="round,pad=0,rounding_size=0.05", facecolor="white",
                                    edgecolor=EDGE, linewidth=0.6, linestyle=(0, (3, 2))))
        footer = model.assumptions + (f"   ·   {model.source}" if model.source else "")
        ax.text(width_in / 2, foot_top - foot_h / 2, footer, ha="center", va="center", fontsize=7.5,
                style="italic")
    return fig


def save_logic_model(model: LogicModel, folder: Any, stem: str = "logic_model") -> dict[str, str]:
    """Draw ``model`` and save it as PNG (200 dpi) and SVG in ``folder``; return {format: file name}."""
    from pathlib import Path

    import matplotlib
    import matplotlib.pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fig = draw_logic_model(model)
    names = {}
    try:
        for fmt, options in (("png", {"dpi": 200}), ("svg", {"metadata": {"Date": None}})):
            name = f"{stem}.{model.lang}.{fmt}"
            with matplotlib.rc_context({"svg.hashsalt": "evaluation"}):  # the same model, the same file
                fig.savefig(folder / name, format=fmt, **options)
            names[fmt] = name
    finally:
        plt.close(fig)
    return names
