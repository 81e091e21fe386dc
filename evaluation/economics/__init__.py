"""Economic evaluation: cost per household and per sustained tenancy, cost offsets, no-system scenario.

Example
-------
>>> from evaluation.economics import UnitCosts
>>> UnitCosts().shelter_night > 0
True
"""

from evaluation.economics.bootstrap import percentile_interval, resample_indices
from evaluation.economics.cost_per_outcome import (
    CostPerOutcomeResult,
    cost_per_outcome,
    missing_cost_months,
)
from evaluation.economics.effects import ResourceEffects, resource_effects
from evaluation.economics.eviction_risk import lost_home_risk
from evaluation.economics.offsets import OffsetsResult, cost_offsets
from evaluation.economics.programme_cost import ProgrammeCost, housing_programme_cost
from evaluation.economics.unit_costs import UnitCosts

__all__ = ["CostPerOutcomeResult", "OffsetsResult", "ProgrammeCost", "ResourceEffects", "UnitCosts", "cost_offsets",
           "cost_per_outcome", "housing_programme_cost", "lost_home_risk", "missing_cost_months",
           "percentile_interval", "resample_indices", "resource_effects"]
