"""Unit costs used to value outcomes in CZK (current prices).

Every default is an **assumption to be replaced** by the evaluator with local figures
(municipal budgets, the Labour Office, MPSV statistics); the order of magnitude follows
published Czech material on the costs of homelessness, but no default is an official
price. Results print the unit costs they used.

Example
-------
>>> UnitCosts(shelter_night=500).shelter_night
500
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from evaluation.errors import ConfigError


@dataclass(frozen=True)
class UnitCosts:
    """Cost of one unit of each outcome, CZK.

    shelter_night : one night in a homeless shelter or hostel (assumption: 400 CZK, the
        order of the daily cost of a shelter bed met by municipal and state subsidy).
    eviction : one eviction (court, bailiff, moving, debt write-off, emergency
        accommodation afterwards; assumption: 80,000 CZK).
    child_in_care_month : one child-month in institutional or foster care (assumption:
        40,000 CZK per month).
    """
    shelter_night: float = 400.0
    eviction: float = 80_000.0
    child_in_care_month: float = 40_000.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (int, float)) or value < 0:
                raise ConfigError(f"unit cost {f.name} must be a non-negative number of CZK (got {value!r})")

    def describe(self) -> str:
        return "; ".join(f"{f.name} = {getattr(self, f.name):,.0f} CZK" for f in fields(self))
