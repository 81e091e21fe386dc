"""One look for every chart in the reports.

:func:`apply_style` sets matplotlib's defaults (DejaVu Sans, which has every Czech glyph;
sizes that read well at print width; the Okabe–Ito colour-blind-safe palette; light grid).
:func:`localise_axes` puts a decimal comma on the number axes of a Czech figure;
:func:`percent_axis` labels an axis holding shares as per cent. The estimators' ``plot()``
methods draw as usual; notebooks call ``apply_style(lang)`` once and
:meth:`ResultsStore.add_figure` localises the axes of a figure stored for ``lang="cs"``.

Example
-------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> apply_style("cs")
>>> fig, ax = plt.subplots()
>>> _ = ax.plot([0, 0.5, 1.5], [0.25, 0.5, 0.75])
>>> localise_axes(fig, "cs")
>>> fig.canvas.draw()
>>> ax.xaxis.get_major_formatter()(0.5, 0)
'0,5'
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: Okabe & Ito (2008) colour-blind-safe palette, black last.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
#: One colour per programme step in every figure (the staircase from crisis up; Housing First
#: apart), and for the comparison group and the whole programme.
STEP_COLOURS = {"crisis": "#D55E00", "social": "#E69F00", "affordable": "#009E73", "housing_first": "#0072B2",
                "standard": "#56B4E9", "comparison": "#7F7F7F", "programme": "#000000", "all": "#000000"}
#: Font with the full Czech alphabet that ships with matplotlib.
FONT = "DejaVu Sans"
#: Width of a full-width figure in the reports, in inches (A4 text width).
FULL_WIDTH = 6.3


def step_colour(step: Any, default: str | None = None) -> str | None:
    """The colour of a programme step (or group) in every figure; ``default`` for other values."""
    return STEP_COLOURS.get(str(step), default)


def style_params() -> dict[str, Any]:
    """The matplotlib rcParams of the report style."""
    from cycler import cycler

    return {
        "font.family": "sans-serif",
        "font.sans-serif": [FONT, "Arial", "Liberation Sans"],
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.labelsize": 9,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "legend.fontsize": 8,
        "legend.frameon": False,
        "axes.prop_cycle": cycler(color=list(PALETTE)),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#dddddd",
        "grid.linewidth": 0.6,
        "axes.axisbelow": True,
        "figure.figsize": (FULL_WIDTH, FULL_WIDTH * 0.55),
        "figure.dpi": 100,
        "savefig.dpi": 300,
        "svg.fonttype": "path",  # SVG opens the same without the font installed
        "svg.hashsalt": "evaluation",  # the same figure gives the same file (checkable, reproducible)
        "axes.unicode_minus": True,
    }


def apply_style(lang: str = "cs") -> None:
    """Set the report style as matplotlib's defaults (``lang`` is kept for symmetry with
    :func:`localise_axes`; the style itself is the same in both languages)."""
    import matplotlib as mpl

    mpl.rcParams.update(style_params())


@contextmanager
def report_style(lang: str = "cs") -> Iterator[None]:
    """The report style for the figures drawn inside a ``with`` block only."""
    import matplotlib as mpl

    with mpl.rc_context(style_params()):
        yield


def _czech_scalar_formatter() -> Any:
    from matplotlib.ticker import ScalarFormatter

    class CzechScalarFormatter(ScalarFormatter):
        """Matplotlib's default number labels with a decimal comma and a true minus sign."""

        _czech = True

        def __call__(self, value: float, pos: int | None = None) -> str:
            return super().__call__(value, pos).replace(".", ",").replace("-", "−")

        def format_data_short(self, value: float) -> str:
            return super().format_data_short(value).replace(".", ",")

    return CzechScalarFormatter(useOffset=False)


def localise_axes(fig_or_ax: Any, lang: str = "cs") -> None:
    """Use a decimal comma on the number axes of a figure (or one axes) when ``lang='cs'``.

    Only plain number axes are changed; date, log, per-cent and category axes keep their labels.
    """
    if lang != "cs":
        return
    from matplotlib.ticker import ScalarFormatter

    axes = fig_or_ax.get_axes() if hasattr(fig_or_ax, "get_axes") else [fig_or_ax]
    for ax in axes:
        for axis in (ax.xaxis, ax.yaxis):
            formatter = axis.get_major_formatter()
            if type(formatter) is ScalarFormatter:
                axis.set_major_formatter(_czech_scalar_formatter())


def percent_axis(ax: Any, axis: str = "y", lang: str = "cs", decimals: int = 0) -> None:
    """Label a 0..1 axis as per cent: ``12 %`` in Czech, ``12%`` in English."""
    from matplotlib.ticker import FuncFormatter

    from evaluation.reporting.formatting import format_percent

    target = ax.yaxis if axis == "y" else ax.xaxis
    formatter = FuncFormatter(lambda value, pos=None: format_percent(value, lang, decimals))
    target.set_major_formatter(formatter)
