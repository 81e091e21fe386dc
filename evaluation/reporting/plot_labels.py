"""The words and tick labels of the charts, in Czech (default) and English.

What here is about drawing, so that every ``plot()`` says things the same way:

* :data:`PHRASES` — the fixed phrases of the charts (axis titles, legend entries,
  annotations) as ``key: (Czech, English)``; :func:`text` picks one (with ``{}`` fields).
* Tick helpers that keep axes readable at A4 width: :func:`date_axis` (month/year or year
  ticks, Czech ``1/2018``), :func:`integer_ticks` (every k-th integer, e.g. event times,
  always keeping chosen positions such as the reference period), :func:`number_axis`
  (thousands separators and decimal commas), :func:`legend_above` (the legend in a band above
  the plotting area, where it covers no data), :func:`level_text` (``95 %`` for a band).

Labels of category codes and columns (steps, exit types, ``lost_home``, ...) are not here: a
chart takes them from :mod:`evaluation.reporting.labels` (``category_label``,
``column_label``), as the tables do, so that a code reads the same in both; numbers and
p-values are written by :mod:`evaluation.reporting.formatting`.

Example
-------
>>> text("months_since_move_in", "cs")
'Měsíce od nastěhování'
>>> picked = integer_ticks_positions(range(-12, 25), keep=(-1,), max_labels=13)
>>> picked
[-12, -6, -1, 0, 6, 12, 18, 24]
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

from evaluation.errors import ConfigError
from evaluation.reporting.labels import LANGS, check_lang

#: At most this many tick labels on an axis (a guide of the report style).
MAX_TICK_LABELS = 13

#: Fixed phrases of the charts: key -> (Czech, English).
PHRASES: dict[str, tuple[str, str]] = {
    # time axes
    "months_since_move_in": ("Měsíce od nastěhování", "Months since move-in"),
    "days_since_submission": ("Dny od podání žádosti", "Days since submission"),
    "periods_from_last": ("Období od posledního pozorování", "Periods from the last observation"),
    "relative_month": ("Měsíce vůči vstupu", "Months relative to entry"),
    "relative_quarter": ("Čtvrtletí vůči vstupu", "Quarters relative to entry"),
    "relative_year": ("Roky vůči vstupu", "Years relative to entry"),
    "relative_period": ("Období vůči vstupu", "Periods relative to entry"),
    "reference_period": ("referenční období {ref}", "reference period {ref}"),
    "entry": ("vstup", "entry"),
    "calendar_month": ("Kalendářní měsíc", "Calendar month"),
    "calendar_quarter": ("Kalendářní čtvrtletí", "Calendar quarter"),
    "hidden_point": ("x = skryto kvůli ochraně soukromí", "x = hidden to protect privacy"),
    # effects
    "estimated_effect": ("Odhad efektu", "Estimated effect"),
    "average_effect": ("Průměrný efekt (ATT)", "Average effect (ATT)"),
    "pretrend_test": ("Test předchozího trendu: p-hodnota {p}", "Pre-trend test: p-value {p}"),
    "before_entry": ("před vstupem", "before entry"),
    "after_entry": ("po vstupu", "after entry"),
    "band_simultaneous": ("simultánní {level} pás", "simultaneous {level} band"),
    "band_pointwise": ("{level} interval", "{level} interval"),
    "group_first_treated": ("Skupina (období vstupu)", "Group (period of entry)"),
    "calendar_period": ("Období", "Period"),
    "overall_att": ("celkový efekt", "overall effect"),
    # retention
    "share_still_housed": ("Podíl stále bydlících", "Share still housed"),
    "cumulative_incidence": ("Kumulativní podíl odchodů", "Cumulative share of exits"),
    "at_risk": ("Počet v riziku", "Number at risk"),
    "all_households": ("všechny", "all"),
    # process
    "occupancy": ("Obsazenost bytů", "Occupancy of flats"),
    "share_in_arrears": ("Domácnosti s dluhem na nájemném", "Households in rent arrears"),
    "support_hours": ("Hodiny podpory na domácnost a měsíc", "Support hours per household-month"),
    "support_contacts": ("Kontakty na domácnost a měsíc", "Contacts per household-month"),
    "planned_level": ("plán (přerušovaně)", "plan (dashed)"),
    "plan": ("plán", "plan"),
    "share_undecided": ("Podíl dosud nerozhodnutých žádostí", "Share of applications still undecided"),
    "all_applications": ("všechny žádosti", "all applications"),
    # need
    "households_in_need": ("Domácnosti v bytové nouzi", "Households in housing need"),
    "observed": ("pozorováno", "observed"),
    "current_system": ("současný systém", "current system"),
    "target": ("cíl", "target"),
    "additional_flats": ("další potřebné byty", "additional flats needed"),
    "range_95": ("{level} rozpětí", "{level} range"),
    "households_or_flats": ("Domácnosti / byty", "Households / flats"),
    # economics
    "czk_per_sustained": ("Kč na udržené bydlení", "CZK per sustained tenancy"),
    "czk_per_programme_household": ("Kč na domácnost programu", "CZK per programme household"),
}


def count_label(table: Any, index: Any, column: str, lang: str = "cs") -> str:
    """A count for a chart label: its symbol when the published table hides it (``<5``, ``x``),
    else the whole number in ``lang``. The symbols of a published table are in
    ``table.attrs["symbols"]`` (see :func:`evaluation.reporting.publication.figures.numeric_table`)."""
    from evaluation.reporting.formatting import format_number

    symbol = table.attrs.get("symbols", {}).get((index, column)) if hasattr(table, "attrs") else None
    if symbol:
        return str(symbol)
    value = table.at[index, column] if hasattr(table, "at") else table[column]
    try:
        return format_number(int(value), lang, 0)
    except (TypeError, ValueError):
        return "x"


def text(key: str, lang: str = "cs", **values: Any) -> str:
    """The phrase ``key`` of :data:`PHRASES` in ``lang``, with ``{fields}`` filled from ``values``."""
    check_lang(lang)
    try:
        phrase = PHRASES[key][LANGS.index(lang)]
    except KeyError:
        raise ConfigError(f"no chart phrase {key!r}; known: {', '.join(sorted(PHRASES))}") from None
    return phrase.format(**values) if values else phrase


def level_text(alpha: float, lang: str = "cs") -> str:
    """The confidence level as per cent, e.g. ``95%`` (``95 %`` in Czech)."""
    from evaluation.reporting.formatting import format_percent

    return format_percent(1 - alpha, lang, 0 if round(100 * (1 - alpha)) == 100 * (1 - alpha) else 1)


# ------------------------------------------------------------------------------ tick helpers
def integer_ticks_positions(values: Iterable[float], *, keep: Sequence[float] = (),
                            max_labels: int = MAX_TICK_LABELS,
                            steps: Sequence[int] = (1, 2, 3, 6, 12, 24, 36, 60, 120)) -> list[int]:
    """Integer positions to label: every k-th value (multiples of the smallest step ``k`` from
    ``steps`` that gives at most ``max_labels`` labels) plus the ``keep`` positions."""
    ints = sorted({round(v) for v in values if math.isfinite(v)})
    if not ints:
        return []
    kept = {round(k) for k in keep}
    for step in steps:
        chosen = {v for v in ints if v % step == 0} | (kept & set(ints))
        if len(chosen) <= max_labels:
            break
    if not chosen - kept:  # a short axis between multiples: show its ends
        chosen |= {ints[0], ints[-1]}
    return sorted(chosen)


def integer_ticks(ax: Any, values: Iterable[float], labels: dict[int, str] | None = None, *,
                  keep: Sequence[float] = (), max_labels: int = MAX_TICK_LABELS, lang: str = "cs") -> list[int]:
    """Label every k-th integer of ``values`` on the x axis (and the ``keep`` positions).

    ``labels`` overrides the text of some positions (e.g. ``≤ −12`` for a binned end point);
    others are written as signed numbers with a true minus sign. A kept position whose label
    would collide with a neighbour's wins: the neighbour's label is left out.
    Returns the labelled positions.
    """
    positions = integer_ticks_positions(values, keep=keep, max_labels=max_labels)
    labels = labels or {}

    def name(v: int) -> str:
        return labels.get(v, str(v).replace("-", "−"))

    positions = _without_collisions(ax, positions, [name(v) for v in positions],
                                    {round(k) for k in keep})
    ax.set_xticks(positions, [name(v) for v in positions])
    ax.xaxis.set_minor_locator(_fixed_minor(values))
    return positions


def _fixed_minor(values: Iterable[float]) -> Any:
    from matplotlib.ticker import FixedLocator

    return FixedLocator(sorted({float(v) for v in values if math.isfinite(v)}))


def _without_collisions(ax: Any, positions: list[int], names: list[str], keep: set[int]) -> list[int]:
    """Drop labels (never a kept one) that would overlap their neighbour at the axes' width."""
    if len(positions) < 2:
        return positions
    fig = ax.figure
    lo, hi = ax.get_xlim()
    span = max(min(positions), lo), min(max(positions), hi)
    lo, hi = (min(lo, min(positions)), max(hi, max(positions))) if span[0] >= span[1] else (lo, hi)
    width_in = ax.get_position().width * fig.get_figwidth()
    inch_per_unit = width_in / max(hi - lo, 1e-9)
    size = _tick_font_size(ax)
    widths = {p: (len(n) * 0.6 * size / 72.0) for p, n in zip(positions, names)}  # ~0.6 em per character
    kept = list(positions)
    changed = True
    while changed:
        changed = False
        for a, b in pairwise(kept):
            gap = (b - a) * inch_per_unit
            if gap < (widths[a] + widths[b]) / 2 + 0.04:
                drop = b if a in keep else a if b in keep else b
                if drop in keep:
                    continue
                kept.remove(drop)
                changed = True
                break
    return kept


def _tick_font_size(ax: Any) -> float:
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=mpl.rcParams["xtick.labelsize"]).get_size_in_points()


def date_axis(ax: Any, lang: str = "cs", *, axis: str = "x", max_labels: int = 10) -> None:
    """Readable date ticks: years (``2019``) on long spans, else months at an interval
    (``1/2018`` in Czech, ``Jan 2018`` in English), at most ``max_labels`` of them.

    Call after the data are drawn (the span is read from the axis limits).
    """
    import matplotlib.dates as mdates
    from matplotlib.ticker import FuncFormatter

    check_lang(lang)
    target = ax.xaxis if axis == "x" else ax.yaxis
    lo, hi = ax.get_xlim() if axis == "x" else ax.get_ylim()
    months = max((hi - lo) / 30.4375, 1.0)
    if axis == "x":  # as many labels as fit side by side ("Jan 2018" is wider than "1/2018")
        chars = 7 if lang == "cs" else 8
        width_in = ax.get_position().width * ax.figure.get_figwidth()
        fit = int(width_in / (chars * 0.65 * _tick_font_size(ax) / 72.0 + 0.15))
        max_labels = max(2, min(max_labels, fit))
    for interval in (1, 2, 3, 4, 6):
        if months / interval <= max_labels:
            locator: Any = mdates.MonthLocator(bymonth=range(1, 13, interval))

            def formatter(value: float, pos: Any = None) -> str:
                date = mdates.num2date(value)
                return f"{date.month}/{date.year}" if lang == "cs" else date.strftime("%b %Y")
            break
    else:
        years = months / 12
        base = next(b for b in (1, 2, 5, 10, 20, 50) if years / b <= max_labels)
        locator = mdates.YearLocator(base)

        def formatter(value: float, pos: Any = None) -> str:
            return str(mdates.num2date(value).year)
    target.set_major_locator(locator)
    target.set_major_formatter(FuncFormatter(formatter))
    target.set_minor_locator(mdates.MonthLocator() if months <= 72 else mdates.YearLocator())


def number_axis(ax: Any, lang: str = "cs", *, axis: str = "y", decimals: int | None = None,
                integer: bool = False) -> None:
    """Numbers with the language's separators (``12 345,6`` / ``12,345.6``), no offset or
    ``1e6`` multiplier; ``integer=True`` keeps ticks on whole numbers. On the x axis the number
    of ticks is chosen so that wide numbers (``1 200 000``) do not run into each other."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from evaluation.reporting.formatting import format_number

    check_lang(lang)
    target = ax.xaxis if axis == "x" else ax.yaxis
    nbins = 8
    if axis == "x":
        lo, hi = ax.get_xlim()
        chars = len(format_number(max(abs(lo), abs(hi)), lang, 0)) + 1
        width_in = ax.get_position().width * ax.figure.get_figwidth()
        nbins = max(3, min(8, int(width_in / (chars * 0.65 * _tick_font_size(ax) / 72.0 + 0.3))))
    target.set_major_locator(MaxNLocator(nbins=nbins, integer=integer, steps=[1, 2, 2.5, 5, 10]))

    def formatter(value: float, pos: Any = None) -> str:
        places = decimals
        if places is None:
            ticks = [t for t in target.get_majorticklocs() if math.isfinite(t)]
            step = min((abs(b - a) for a, b in pairwise(ticks) if b != a), default=1.0)
            places = 0 if step >= 1 else min(3, max(0, -math.floor(math.log10(step) + 1e-9)))
        return format_number(0.0 if abs(value) < 1e-12 else value, lang, places)

    target.set_major_formatter(FuncFormatter(formatter))


def legend_above(ax: Any, *, handles: Sequence[Any] | None = None, labels: Sequence[str] | None = None,
                 ncol: int | None = None) -> Any:
    """The legend in a band above the plotting area (charts carry no title; the caption does),
    in as many columns as fit the axes' width, long labels wrapped so columns never overlap."""
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    if handles is None or labels is None:
        handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    size = FontProperties(size="small").get_size_in_points() if mpl.rcParams else 8.0
    width_in = ax.get_position().width * ax.figure.get_figwidth()
    width_chars = int(width_in / (0.62 * size / 72.0))  # characters of the legend font across the axes
    per_entry = 5  # handle and spacing, in characters
    longest = max(len(str(label)) for label in labels)
    if ncol is None:
        ncol = max(1, min(len(labels), 4, width_chars // (longest + per_entry)))
        if ncol == 1 and len(labels) > 2:
            ncol = 2
    wrap = max(12, width_chars // ncol - per_entry)
    labels = ["\n".join(textwrap.wrap(str(label), wrap)) or str(label) for label in labels]
    return ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.01, 1.0, 0.1), ncol=ncol,
                     mode="expand" if ncol > 1 else None, borderaxespad=0.2, frameon=False,
                     fontsize="small", handlelength=1.6, columnspacing=1.0)


def localise(ax: Any, lang: str = "cs") -> Any:
    """Decimal commas on the plain number axes of a Czech chart (see reporting.style)."""
    from evaluation.reporting.style import localise_axes

    localise_axes(ax, check_lang(lang))
    return ax
