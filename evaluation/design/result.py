"""The result of a power calculation: the solved quantity, the design, a power curve, in Czech and English.

Every function of :mod:`evaluation.design` returns a :class:`PowerResult`. ``tidy()`` is one row
(the three quantities -- effect, sample size, power -- and the design's other numbers),
:meth:`PowerResult.sentence` says the answer in a sentence a decision-maker reads ("minimální
zjistitelný efekt ..."), and :meth:`PowerResult.plot` draws the power curve (power against the
sample size at the effect) or the minimum detectable effect against the sample size.

Example
-------
>>> from evaluation.design import two_means
>>> res = two_means(effect=None, n=200, power=0.8, sd=1.0)
>>> round(res.effect, 3)
0.398
>>> res.sentence("en").startswith("The minimum detectable effect")
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.results import FigureTable, Result

#: Titles of the designs: key -> (Czech, English).
DESIGN_TITLES: dict[str, tuple[str, str]] = {
    "two_means": ("Síla testu: rozdíl průměrů dvou skupin", "Power: difference in means of two groups"),
    "two_proportions": ("Síla testu: rozdíl podílů dvou skupin", "Power: difference in proportions of two groups"),
    "logrank": ("Síla testu: log-rank test (poměr rizik)", "Power: log-rank test (hazard ratio)"),
    "cox": ("Síla testu: Coxův model (koeficient proměnné)", "Power: Cox model (coefficient of a covariate)"),
    "did": ("Síla testu: rozdíl v rozdílech s korelací v čase (Burlig, Preonas a Woerman 2020)",
            "Power: difference-in-differences with serial correlation (Burlig, Preonas & Woerman 2020)"),
    "event_study": ("Síla testu: koeficient studie událostí", "Power: event-study coefficient"),
    "did_simulation": ("Síla testu simulací: rozdíl v rozdílech", "Power by simulation: difference-in-differences"),
}

#: What the effect is, per design: (Czech, English).
EFFECT_LABELS: dict[str, tuple[str, str]] = {
    "two_means": ("rozdíl průměrů", "difference in means"),
    "two_proportions": ("podíl v programu", "proportion in the programme group"),
    "logrank": ("poměr rizik", "hazard ratio"),
    "cox": ("poměr rizik na jednotku proměnné", "hazard ratio per unit of the covariate"),
    "did": ("rozdíl v rozdílech", "difference-in-differences"),
    "event_study": ("efekt v daném období po vstupu", "effect in the given period after entry"),
    "did_simulation": ("rozdíl v rozdílech", "difference-in-differences"),
}

#: What the sample size counts: (Czech axis title, English axis title, Czech genitive plural,
#: English noun, Czech locative plural).
SIZE_LABELS: dict[str, tuple[str, str, str, str, str]] = {
    "n": ("Počet domácností celkem", "Households in total", "domácností", "households", "domácnostech"),
    "clusters": ("Počet klastrů celkem", "Clusters in total", "klastrů", "clusters", "klastrech"),
    "units": ("Počet jednotek celkem", "Units in total", "jednotek", "units", "jednotkách"),
}

#: Bilingual column labels of ``tidy()`` (for stored tables).
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "design": ("Uspořádání", "Design"),
    "solved_for": ("Dopočtená veličina", "Solved for"),
    "effect": ("Efekt", "Effect"),
    "power": ("Síla testu", "Power"),
    "n": ("Velikost výběru celkem", "Total sample size"),
    "n_exact": ("Velikost výběru (nezaokrouhlená)", "Sample size (unrounded)"),
    "n_treated": ("V programu", "Programme group"),
    "n_control": ("Ve srovnávací skupině", "Comparison group"),
    "clusters_treated": ("Klastry v programu", "Programme clusters"),
    "clusters_control": ("Klastry ve srovnávací skupině", "Comparison clusters"),
    "events": ("Potřebný počet událostí", "Events needed"),
    "events_exact": ("Počet událostí (nezaokrouhlený)", "Events (unrounded)"),
    "event_probability": ("Pravděpodobnost události", "Probability of an event"),
    "standardized_effect": ("Standardizovaný efekt", "Standardized effect"),
    "std_error": ("Směrodatná chyba odhadu", "Standard error of the estimate"),
    "design_effect": ("Efekt uspořádání (design effect)", "Design effect"),
    "power_achieved": ("Síla při zaokrouhlených počtech", "Power at the rounded sizes"),
    "mc_std_error": ("Chyba simulace (směrodatná)", "Monte Carlo standard error"),
    "alpha": ("Hladina významnosti", "Significance level"),
    "alternative": ("Alternativa", "Alternative"),
    "method": ("Metoda", "Method"),
}

ALTERNATIVE_WORDS = {"two-sided": ("oboustranně", "two-sided"), "larger": ("jednostranně", "one-sided"),
                     "smaller": ("jednostranně", "one-sided")}


@dataclass(frozen=True)
class PowerResult(Result):
    """A solved power calculation (see the module docstring).

    ``values`` holds the quantities (``effect``, ``power``, ``n`` and the design's others, e.g.
    ``n_treated``, ``events``); ``settings`` the inputs that were fixed (``alpha``, ``sd``,
    ``icc`` ...); ``curve`` the power and the minimum detectable effect over a grid of sample sizes
    (columns ``size``, ``power`` at the effect, ``effect`` = MDE at the power).
    """

    design: str
    solved_for: str
    values: Mapping[str, Any]
    settings: Mapping[str, Any]
    curve: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    size_name: str = "n"
    extra_notes: tuple[str, ...] = ()

    count_columns = ()
    n_column = None

    # -- the three quantities
    @property
    def effect(self) -> float:
        return float(self.values["effect"])

    @property
    def power(self) -> float:
        return float(self.values["power"])

    @property
    def n(self) -> float:
        return float(self.values["n"])

    @property
    def title(self) -> str:
        return self.label("en")

    def label(self, lang: str = "cs") -> str:
        cs, en = DESIGN_TITLES.get(self.design, (self.design, self.design))
        return cs if lang == "cs" else en

    @property
    def notes(self) -> tuple[str, ...]:
        return (self.sentence("en"),) + self.extra_notes

    def tidy(self) -> pd.DataFrame:
        row = {"design": self.design, "solved_for": self.solved_for, **dict(self.values), **dict(self.settings)}
        return pd.DataFrame([row])

    def column_labels(self) -> dict[str, tuple[str, str]]:
        """Czech and English headers of the ``tidy()`` columns that have them."""
        return {c: COLUMN_LABELS[c] for c in self.tidy().columns if c in COLUMN_LABELS}

    # -- words
    def _effect_text(self, lang: str) -> str:
        from evaluation.reporting.formatting import format_number, format_percent

        if self.design == "two_proportions":
            share = format_percent(self.effect, lang)
            diff = format_number(100 * self.values["difference"], lang, 1)
            if lang == "cs":
                return f"{share} (rozdíl {diff} procentního bodu)"
            return f"{share} (a difference of {diff} percentage points)"
        return format_number(self.effect, lang)

    def sentence(self, lang: str = "cs") -> str:
        """The answer in one sentence, in ``lang`` (``cs`` or ``en``)."""
        from evaluation.reporting.formatting import format_number, format_percent
        from evaluation.reporting.labels import check_lang

        check_lang(lang)
        i = 0 if lang == "cs" else 1
        alpha = format_percent(self.settings["alpha"], lang, 0 if self.settings["alpha"] * 100 % 1 == 0 else 1)
        sided = ALTERNATIVE_WORDS[self.settings.get("alternative", "two-sided")][i]
        power = format_percent(self.power, lang, 0 if self.solved_for != "power" else 1)
        effect = self._effect_text(lang)
        effect_label = EFFECT_LABELS.get(self.design, ("efekt", "effect"))[i]
        words = SIZE_LABELS.get(self.size_name, SIZE_LABELS["n"])
        groups = self._groups(lang)
        if self.solved_for == "n":
            n = format_number(self.values["n"], lang, 0)
            split = (f" ({groups[0]} v programu a {groups[1]} ve srovnávací skupině)" if lang == "cs" else
                     f" ({groups[0]} in the programme and {groups[1]} in the comparison group)") if groups else ""
            if lang == "cs":
                return (f"K zjištění efektu {effect} ({effect_label}) se silou testu {power} při hladině "
                        f"významnosti {alpha} ({sided}) je potřeba {n} {words[2]}{split}.")
            return (f"Detecting an effect of {effect} ({effect_label}) with {power} power at a {alpha} "
                    f"significance level ({sided}) needs {n} {words[3]}{split}.")
        if lang == "cs":
            prefix = f"Při {groups[0]} {words[4]} v programu a {groups[1]} ve srovnávací skupině je " if groups else ""
            if self.solved_for == "effect":
                body = (f"minimální zjistitelný efekt ({effect_label}) při síle testu {power} a hladině "
                        f"významnosti {alpha} ({sided}) {effect}")
            else:
                body = (f"síla testu pro efekt {effect} ({effect_label}) při hladině významnosti {alpha} "
                        f"({sided}) {power}")
            text = prefix + body if prefix else body[0].upper() + body[1:].replace(f" ({sided}) ", f" ({sided}) je ", 1)
            return text + "."
        suffix = f" with {groups[0]} {words[3]} in the programme and {groups[1]} in the comparison group" if groups else ""
        if self.solved_for == "effect":
            return (f"The minimum detectable effect ({effect_label}) at {power} power and a {alpha} significance "
                    f"level ({sided}){suffix} is {effect}.")
        return (f"The power for an effect of {effect} ({effect_label}) at a {alpha} significance level "
                f"({sided}){suffix} is {power}.")

    def _groups(self, lang: str) -> tuple[str, str] | None:
        from evaluation.reporting.formatting import format_number

        t, c = self.values.get("n_treated"), self.values.get("n_control")
        if t is None or c is None or not np.isfinite(t) or not np.isfinite(c):
            return None
        return format_number(t, lang), format_number(c, lang)

    # -- picture
    figure_drawer: ClassVar[str] = "evaluation.design.result:draw_power"

    def figure_tables(self) -> dict[str, FigureTable]:
        """The curve the figure draws (power and MDE by sample size: design settings, not data)."""
        if self.curve.empty:
            return {}
        return {"curve": FigureTable(self.curve, title_cs="Křivka síly testu", title_en="Power curve",
                                     options=self.figure_options())}

    def figure_options(self) -> dict[str, Any]:
        return {"kind": "effect" if self.solved_for == "effect" else "power", "design": self.design,
                "size_name": self.size_name, "size_value": float(self.values.get("size", self.values["n"])),
                "power": float(self.power), "effect": float(self.effect),
                "target_power": float(self.settings.get("target_power", 0.8))}


def draw_power(curve: pd.DataFrame, ax: Any = None, *, kind: str = "power", lang: str = "cs", design: str = "",
               size_name: str = "n", size_value: float = float("nan"), power: float = float("nan"),
               effect: float = float("nan"), target_power: float = 0.8, **kwargs: Any) -> Any:
    """Power against the total sample size at the effect (``kind="power"``) or the minimum
    detectable effect against it at the power (``kind="effect"``), the design point marked.

    Example: ``two_means(None, 100, 0.8).plot(lang="en")``.
    """
    import matplotlib.pyplot as plt

    from evaluation.errors import ConfigError
    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.formatting import format_number
    from evaluation.reporting.style import percent_axis

    pl.check_lang(lang)
    if kind not in ("power", "effect"):
        raise ConfigError(f"kind must be 'power' or 'effect' (got {kind!r})")
    if curve is None or curve.empty:
        raise ConfigError("this result has no curve to draw")
    i = 0 if lang == "cs" else 1
    ax = ax if ax is not None else plt.subplots(figsize=(7, 4.2))[1]
    curve = curve.sort_values("size")
    x = curve["size"].to_numpy(float)
    colour = kwargs.pop("color", "C0")
    if kind == "power":
        ax.plot(x, curve["power"].to_numpy(float), color=colour, **kwargs)
        ax.axhline(target_power, color="0.5", linestyle="--", linewidth=0.8)
        ax.plot([size_value], [power], marker="o", color=colour)
        ax.set_ylim(0, 1.02)
        percent_axis(ax, "y", lang)
        ax.set_ylabel("Síla testu" if lang == "cs" else "Power")
    else:
        ax.plot(x, curve["effect"].to_numpy(float), color=colour, **kwargs)
        ax.plot([size_value], [effect], marker="o", color=colour)
        label = EFFECT_LABELS.get(design, ("efekt", "effect"))[i]
        shown = format_number(100 * power, lang, 0)
        ax.set_ylabel(f"Minimální zjistitelný efekt\n({label}, síla {shown} %)" if lang == "cs"
                      else f"Minimum detectable effect\n({label}, {shown}% power)")
        pl.number_axis(ax, lang, axis="y")
    ax.set_xlabel(SIZE_LABELS.get(size_name, SIZE_LABELS["n"])[i])
    pl.number_axis(ax, lang, axis="x")
    ax.set_xlim(left=0)
    return ax


def power_curve(power_at: Callable[[float, float], float], effect_at: Callable[[float, float], float],
                size: float, effect: float, power: float, *, minimum: float = 2.0,
                points: int = 25) -> pd.DataFrame:
    """The curve a :class:`PowerResult` draws: power at ``effect`` and the MDE at ``power`` over
    sizes from ``minimum`` to three times the design's (``power_at(size, effect)``,
    ``effect_at(size, power)``)."""
    top = max(3.0 * size, minimum + 4.0)
    sizes = np.unique(np.concatenate([np.linspace(minimum, top, points), [size]]))
    rows = []
    for s in sizes:
        try:
            p = power_at(float(s), effect)
        except Exception:  # noqa: BLE001 - a point where the design is not defined is left out
            p = np.nan
        try:
            e = effect_at(float(s), power)
        except Exception:  # noqa: BLE001
            e = np.nan
        rows.append({"size": float(s), "power": p, "effect": e})
    return pd.DataFrame(rows)


def rounded_groups(n_total: float, allocation: float) -> tuple[int, int]:
    """Whole group sizes as Stata's ``power`` rounds them: the comparison group rounded up, the
    programme group ``allocation`` times it, rounded up."""
    control = int(np.ceil(n_total / (1.0 + allocation) - 1e-9))
    treated = int(np.ceil(allocation * control - 1e-9))
    return treated, control


__all__ = ["COLUMN_LABELS", "DESIGN_TITLES", "EFFECT_LABELS", "PowerResult", "power_curve", "rounded_groups"]
