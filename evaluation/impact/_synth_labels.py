"""Chart words of the synthetic control and synthetic DiD plots, Czech (default) and English.

Example
-------
>>> phrase("synthetic", "en")
'synthetic control'
>>> phrase("gap", "cs")
'Rozdíl (skutečnost − syntetická kontrola)'
"""

from __future__ import annotations

from typing import Any

from evaluation.errors import ConfigError
from evaluation.reporting.labels import LANGS, check_lang

PHRASES: dict[str, tuple[str, str]] = {
    "treated": ("ošetřená jednotka", "treated unit"),
    "treated_mean": ("ošetřené jednotky (průměr)", "treated units (mean)"),
    "synthetic": ("syntetická kontrola", "synthetic control"),
    "gap": ("Rozdíl (skutečnost − syntetická kontrola)", "Gap (actual − synthetic control)"),
    "placebos": ("placebo (jiné jednotky)", "placebos (other units)"),
    "leave_one_out": ("bez jednoho dárce", "leaving one donor out"),
    "start": ("začátek programu", "programme start"),
    "fake_start": ("fiktivní začátek", "placebo start"),
    "period": ("Období", "Period"),
    "outcome": ("Hodnota ukazatele", "Outcome"),
    "weight": ("Váha", "Weight"),
    "unit_weight": ("Váha jednotky", "Unit weight"),
    "time_weights": ("časové váhy λ", "time weights λ"),
    "controls_weighted": ("vážené kontroly", "weighted controls"),
    "counterfactual": ("bez programu (odhad)", "without the programme (estimate)"),
    "effect": ("efekt {value}", "effect {value}"),
    "cohort": ("kohorta {value}", "cohort {value}"),
    "ratio": ("Poměr RMSPE po / před", "Post/pre RMSPE ratio"),
    "units": ("Jednotky", "Units"),
    "average_effect": ("Průměrný efekt (ATT)", "Average effect (ATT)"),
    "estimator": ("Odhad", "Estimator"),
}


def phrase(key: str, lang: str = "cs", **values: Any) -> str:
    """The chart phrase ``key`` in ``lang`` (``{value}`` fields filled)."""
    check_lang(lang)
    try:
        text = PHRASES[key][LANGS.index(lang)]
    except KeyError:
        raise ConfigError(f"no chart phrase {key!r}") from None
    return text.format(**values) if values else text
