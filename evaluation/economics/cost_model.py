"""The deterministic model behind the base case and both sensitivity analyses.

Per programme household entered, over the horizon, in the prices of the price year, discounted by
month since entry at rate ``r`` (``d_r``), for perspective ``p``::

    programme cost   C_p = g x d_r' c_p                       (c_p: programme cost by month, g = 1)
    offset of item i O_i = - price_i x d_r' m_i               (m_i: the effect by month; positive = saving)
    net cost         N_p = C_p - sum_i share_p(i) x counted_i x O_i

``counted_i`` is 1 where the effect is established (:mod:`evaluation.economics.offset_evidence`),
else 0: an effect that is not established contributes nothing to the base case. ``share_p(i)`` is
the share of item ``i`` the perspective counts (:mod:`evaluation.economics.perspective`).

The sensitivity analyses move one input at a time (:meth:`CostModel.net_cost` with overrides) or all
at once (:mod:`evaluation.economics.probabilistic`). An effect is moved along its own uncertainty: set
to ``x`` (undiscounted total), its discounted total moves by the same number of standard errors,
``V = V_hat + (x - U_hat) / SE(U) x SE(V)``.

The cost of outcomes with the programme is what the programme households' own use of the resources
costs (``with_programme`` of each effect, valued and discounted); without the programme it is that
minus the counted effects, so that (programme cost + outcomes with) − (outcomes without) = net cost.

Example
-------
>>> # model = CostModel(...); model.net_cost("public_sector")["net_cost"]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from evaluation.economics.discounting import discount_factors
from evaluation.economics.horizon_costs import ProgrammeCostProfile
from evaluation.economics.offset_effects import OffsetEffect
from evaluation.economics.words import PRICE_OF


@dataclass(frozen=True)
class CostModel:
    """Everything the net cost depends on (see the module docstring).

    ``prices``: item -> (value, low, high) of its unit cost in the price year; ``shares``:
    perspective -> item -> share counted; ``counted``: item -> established."""

    horizon: int
    rate: float
    programme: ProgrammeCostProfile
    effects: Mapping[str, OffsetEffect]
    prices: Mapping[str, tuple[float, float, float]]
    shares: Mapping[str, Mapping[str, float]]
    counted: Mapping[str, bool]

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(self.effects)

    def effect_totals(self, item: str, rate: float, value: float | None = None) -> tuple[float, float]:
        """(undiscounted, discounted at ``rate``) total of an effect, moved to ``value`` if given."""
        effect = self.effects[item]
        u, v = effect.total(0.0), effect.total(rate)
        if value is None:
            return u, v
        se_u, se_v = effect.std_error(0.0), effect.std_error(rate)
        if se_u > 0:
            return float(value), v + (value - u) / se_u * se_v
        mean_d = float(discount_factors(self.horizon, rate).mean())
        return float(value), (float(value) * v / u) if u != 0 else float(value) * mean_d

    def net_cost(self, perspective: str, *, rate: float | None = None, effects: Mapping[str, float] | None = None,
                 prices: Mapping[str, float] | None = None, programme_scale: float = 1.0,
                 counted: Mapping[str, bool] | None = None) -> dict[str, float]:
        """Programme cost, the offsets counted and the net cost for ``perspective``, with any input
        overridden: ``rate``, ``effects`` (item -> undiscounted total), ``prices`` (item -> unit cost),
        ``programme_scale`` (a multiplier of the programme cost), ``counted`` (item -> counts)."""
        rate = self.rate if rate is None else rate
        effects, prices, counted = dict(effects or {}), dict(prices or {}), {**self.counted, **(counted or {})}
        shares = self.shares[perspective]
        out = {"programme_cost": programme_scale * self.programme.total(perspective, rate)}
        total = 0.0
        for item in self.items:
            price = prices.get(item, self.prices[item][0])
            _, discounted = self.effect_totals(item, rate, effects.get(item))
            value = -price * discounted
            counted_value = shares.get(item, 0.0) * value if counted.get(item, False) else 0.0
            out[f"offset_{item}"] = counted_value
            total += counted_value
        out["offsets_counted"] = total
        out["net_cost"] = out["programme_cost"] - total
        return out

    def outcome_costs(self, perspective: str, rate: float | None = None) -> dict[str, float]:
        """Cost of the programme households' outcomes with the programme, and without it (the counted
        effects added back), for ``perspective``; NaN when an item's own use is unknown."""
        rate = self.rate if rate is None else rate
        d = discount_factors(self.horizon, rate)
        shares = self.shares[perspective]
        with_programme = without = 0.0
        for item, effect in self.effects.items():
            own = effect.with_programme
            if own is None or np.isnan(own).any():
                return {"outcome_costs_with_programme": np.nan, "outcome_costs_without_programme": np.nan}
            price = self.prices[item][0] * shares.get(item, 0.0)
            with_programme += price * float(d @ own)
            if self.counted.get(item, False):
                without += price * float(d @ (own - effect.monthly))
            else:
                without += price * float(d @ own)
        return {"outcome_costs_with_programme": with_programme, "outcome_costs_without_programme": without}

    def homes_kept(self, rate: float | None = None, value: float | None = None,
                   counted: bool | None = None) -> float:
        """Additional homes kept at the horizon per household entered (minus the effect on losing the
        home; 0 when that effect does not count), discounted from the horizon at ``rate``."""
        if "evictions" not in self.effects:
            return 0.0
        counts = self.counted.get("evictions", False) if counted is None else counted
        if not counts:
            return 0.0
        rate = self.rate if rate is None else rate
        total = self.effects["evictions"].total(0.0) if value is None else value
        return -float(total) * (1.0 + rate) ** (-self.horizon / 12.0)


def price_items(settings: Any, items: tuple[str, ...]) -> dict[str, tuple[float, float, float]]:
    """Unit cost (value, low, high) of each offset item in the prices of the price year."""
    return {item: settings.unit_cost_in_price_year(PRICE_OF[item]) for item in items}


__all__ = ["CostModel", "price_items"]
