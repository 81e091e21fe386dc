"""Economic evaluation: cost per household and per sustained tenancy, cost offsets, net cost, sensitivity.

Economic evaluation by stated convention (:func:`economic_evaluation`, settings in
:class:`EconomicSettings`): a declared perspective (municipal budget or the public sector as a
whole), one price year (ČSÚ consumer price index, :func:`czech_cpi`), discounting by month since
entry, one horizon for costs, offsets and retention, cost per household-year and per sustained
tenancy, offsets counted only where the effect is established, one-way (tornado) and
probabilistic sensitivity analyses. :func:`cost_per_outcome` (cost per household and per sustained
tenancy by cost centre, cost per application) remains as a descriptive building block; the earlier
``cost_offsets`` (every treated month, the comparison group's unadjusted risk of losing the home, the
no-system scenario) was retired when the economics strand moved to :func:`economic_evaluation`.

Example
-------
>>> from evaluation.economics import EconomicSettings, czech_cpi
>>> EconomicSettings().unit_costs["shelter_night"].value > 0, czech_cpi().base_year
(True, 2015)
"""

from evaluation.economics.appraisal import (
    TEXT_TEMPLATES,
    EconomicEvaluation,
    KeyFigure,
    economic_evaluation,
)
from evaluation.economics.bootstrap import percentile_interval, resample_indices
from evaluation.economics.cost_per_outcome import (
    CostPerOutcomeResult,
    cost_per_outcome,
    missing_cost_months,
)
from evaluation.economics.discounting import discount_factors, present_value
from evaluation.economics.eviction_effect import lost_home_effect
from evaluation.economics.offset_effects import OffsetEffect
from evaluation.economics.prices import PriceIndex, czech_cpi, load_price_index
from evaluation.economics.resource_profiles import resource_effect_profiles
from evaluation.economics.settings import EconomicSettings, UnitCost

__all__ = ["TEXT_TEMPLATES", "CostPerOutcomeResult", "EconomicEvaluation", "EconomicSettings", "KeyFigure",
           "OffsetEffect", "PriceIndex", "UnitCost", "cost_per_outcome", "czech_cpi", "discount_factors",
           "economic_evaluation", "load_price_index", "lost_home_effect", "missing_cost_months", "percentile_interval",
           "present_value", "resample_indices", "resource_effect_profiles"]
