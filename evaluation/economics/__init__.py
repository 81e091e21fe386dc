"""Economic evaluation: cost per household and per sustained tenancy, cost offsets, net cost, sensitivity.

Economic evaluation by stated convention (:func:`economic_evaluation`, settings in
:class:`EconomicSettings`): a declared perspective (municipal budget or the public sector as a
whole), one price year (ČSÚ consumer price index, :func:`czech_cpi`), discounting by month since
entry, one horizon for costs, offsets and retention, cost per household-year and per sustained
tenancy, offsets counted only where the effect is established, one-way (tornado) and
probabilistic sensitivity analyses. The earlier building blocks (:func:`cost_per_outcome`,
:func:`cost_offsets`) remain for the strand that still calls them.

Example
-------
>>> from evaluation.economics import UnitCosts, czech_cpi
>>> UnitCosts().shelter_night > 0, czech_cpi().base_year
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
from evaluation.economics.effects import ResourceEffects, resource_effects
from evaluation.economics.eviction_effect import lost_home_effect
from evaluation.economics.eviction_risk import lost_home_risk
from evaluation.economics.offset_effects import OffsetEffect
from evaluation.economics.offsets import OffsetsResult, cost_offsets
from evaluation.economics.prices import PriceIndex, czech_cpi, load_price_index
from evaluation.economics.programme_cost import ProgrammeCost, housing_programme_cost
from evaluation.economics.resource_profiles import resource_effect_profiles
from evaluation.economics.settings import EconomicSettings, UnitCost
from evaluation.economics.unit_costs import UnitCosts

__all__ = ["TEXT_TEMPLATES", "CostPerOutcomeResult", "EconomicEvaluation", "EconomicSettings", "KeyFigure",
           "OffsetEffect", "OffsetsResult", "PriceIndex", "ProgrammeCost", "ResourceEffects", "UnitCost", "UnitCosts",
           "cost_offsets", "cost_per_outcome", "czech_cpi", "discount_factors", "economic_evaluation",
           "housing_programme_cost", "load_price_index", "lost_home_effect", "lost_home_risk", "missing_cost_months",
           "percentile_interval", "present_value", "resample_indices", "resource_effect_profiles", "resource_effects"]
