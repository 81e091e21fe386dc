"""The declared conventions of an economic evaluation, validated once.

:class:`EconomicSettings` holds every choice a reader needs to know to read the numbers:

``perspective``
    ``"public_sector"`` (default: every public payer — municipality, state and regions, EU funds)
    or ``"municipal"`` (the municipal budget only). Both are always reported; the declared one is
    the headline and the one the sensitivity analyses vary. Who pays what: ``payers``
    (:mod:`evaluation.economics.perspective`).
``price_year``, ``price_index``
    All amounts in the prices of one year (default: the last year of the index), brought there by
    the annual average consumer price index (default: ČSÚ, :func:`~evaluation.economics.prices.czech_cpi`).
``discount_rate`` (default 5 % real), ``alternative_discount_rate`` (3.5 %), ``discount_rate_range``
    See :mod:`evaluation.economics.discounting` for the sources.
``horizon_months``
    One horizon for costs, offsets and retention: the first ``horizon_months`` months after each
    household's entry (default 24: one full support period of the social and affordable steps,
    20 months, and of Housing First, 2 years, with a margin). Households followed for less are
    handled by censoring, never dropped.
``unit_costs``
    The value of one unit of each offset (:class:`UnitCost`: value, its price year, a low–high
    range, the source and its kind). Defaults: :data:`DEFAULT_UNIT_COSTS`.
``alpha``, ``minimum_grade``
    An offset counts in the base case only when its effect is established at confidence
    ``1 - alpha`` (:func:`evaluation.findings.assess_effect` status ``effect``) with at least this
    grade of evidence (``"low"``: any established effect).
``willingness_to_pay``
    CZK per additional home kept at the horizon, for the cost-effectiveness acceptability curve
    (one value: a curve from 0 to it; several: those points; empty: no curve).
``n_boot``, ``n_draws``, ``seed``
    Household bootstrap replicates (programme cost, risk of losing the home) and Monte Carlo draws
    of the probabilistic analysis.

:meth:`EconomicSettings.from_mapping` reads the run configuration's ``economics`` block (unknown
keys and bad values are a :class:`~evaluation.errors.ConfigError` naming the key).

Example
-------
>>> s = EconomicSettings.from_mapping({"perspective": "municipal", "discount_rate": 0.035,
...                                    "unit_costs": {"shelter_night": 450}})
>>> s.perspective, s.discount_rate, s.unit_costs["shelter_night"].value
('municipal', 0.035, 450.0)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evaluation.economics.discounting import (
    ALTERNATIVE_DISCOUNT_RATE,
    ALTERNATIVE_RATE_SOURCE,
    DEFAULT_DISCOUNT_RATE,
    DEFAULT_RATE_SOURCE,
    DISCOUNT_RATE_RANGE,
    check_rate,
)
from evaluation.economics.prices import PriceIndex, czech_cpi, load_price_index
from evaluation.economics.words import PAYERS, PERSPECTIVES, UNIT_COSTS
from evaluation.errors import ConfigError

#: Grades of evidence from strongest to weakest (evaluation.findings).
GRADE_ORDER = ("high", "moderate", "low")
#: Cost items of the ``costs`` table (the data contract's categories).
COST_ITEMS = ("staff", "rent_subsidy", "repairs_equipment", "administration", "bridging_loans", "other")
#: Offsets valued, and who gains each by default (see evaluation.economics.perspective).
OFFSETS = ("shelter_nights", "children_in_care", "evictions")
#: Default payer of every cost item and offset, with the reason.
DEFAULT_PAYERS: dict[str, dict[str, float]] = {
    **{item: {"municipality": 1.0} for item in COST_ITEMS},
    "shelter_nights": {"state_region": 1.0},
    "children_in_care": {"state_region": 1.0},
    "evictions": {"municipality": 1.0},
}


@dataclass(frozen=True)
class UnitCost:
    """The value of one unit of an offset: ``value`` CZK in prices of ``price_year``, a ``low``–``high``
    range (read as a 95 % range: the probabilistic analysis draws a gamma distribution with mean
    ``value`` and standard deviation (high − low) / 3.92), its source and whether it is a sourced
    figure or an ``assumption`` to be replaced."""

    value: float
    price_year: int
    low: float
    high: float
    source_en: str
    source_cs: str = ""
    kind: str = "assumption"

    def __post_init__(self) -> None:
        for name in ("value", "low", "high"):
            number = getattr(self, name)
            if not isinstance(number, (int, float)) or isinstance(number, bool) or not math.isfinite(number) \
                    or number < 0:
                raise ConfigError(f"unit cost {name} must be a non-negative number of CZK (got {number!r})")
        if not self.low <= self.value <= self.high:
            raise ConfigError(f"a unit cost's range must contain its value: {self.low:g} <= {self.value:g} "
                              f"<= {self.high:g} does not hold")
        if not isinstance(self.price_year, int) or not 1990 <= self.price_year <= 2100:
            raise ConfigError(f"a unit cost's price_year must be a year, not {self.price_year!r}")
        if self.kind not in ("assumption", "sourced"):
            raise ConfigError(f"a unit cost's kind is 'assumption' or 'sourced', not {self.kind!r}")

    @property
    def spread(self) -> float:
        """Standard deviation of the probabilistic analysis: (high − low) / 3.92."""
        return (self.high - self.low) / 3.92

    def source(self, lang: str = "cs") -> str:
        return (self.source_cs or self.source_en) if lang == "cs" else self.source_en


#: Default unit costs. The child-in-care figure is sourced; the others are assumptions to replace.
DEFAULT_UNIT_COSTS: dict[str, UnitCost] = {
    "shelter_night": UnitCost(
        400.0, 2019, 200.0, 800.0,
        "assumption: the order of the public subsidy of one shelter bed-night (the resident's own fee "
        "excluded); replace with the region's figure",
        "předpoklad: řádová výše veřejné dotace jedné noci v azylovém zařízení (bez úhrady klienta); "
        "nahraďte údajem kraje"),
    "child_in_care_month": UnitCost(
        44_570.0, 2016, 20_000.0, 55_100.0,
        "MPSV analysis of the financing of the care for children at risk (expenditure of 2016), as reported by "
        "E15 (e15.cz, article 1345736): institutional care 44,570 CZK per child-month on average; range from "
        "foster care (about 20,000) to infant homes (55,100)",
        "analýza MPSV financování systému péče o ohrožené děti (výdaje roku 2016), podle E15 (e15.cz, článek "
        "1345736): ústavní péče v průměru 44 570 Kč na dítě a měsíc; rozpětí od pěstounské péče (asi 20 000) "
        "po kojenecké ústavy (55 100)",
        kind="sourced"),
    "eviction": UnitCost(
        80_000.0, 2019, 40_000.0, 160_000.0,
        "assumption: court and bailiff costs, the landlord's unpaid rent and emergency accommodation after "
        "losing the home; replace with local figures",
        "předpoklad: soudní a exekuční náklady, nezaplacené nájemné pronajímatele a nouzové ubytování po ztrátě "
        "bydlení; nahraďte místními údaji"),
}

_SETTINGS_HELP = ("perspective, price_year, price_index, discount_rate, alternative_discount_rate, "
                  "discount_rate_range, horizon_months, unit_costs, payers, alpha, minimum_grade, "
                  "willingness_to_pay, n_boot, n_draws, seed, censor_date, eviction_covariates")


@dataclass(frozen=True)
class EconomicSettings:
    """The conventions of an economic evaluation (see the module docstring)."""

    perspective: str = "public_sector"
    price_year: int | None = None
    price_index: PriceIndex = field(default_factory=czech_cpi)
    discount_rate: float = DEFAULT_DISCOUNT_RATE
    discount_rate_source: tuple[str, str] = DEFAULT_RATE_SOURCE
    alternative_discount_rate: float = ALTERNATIVE_DISCOUNT_RATE
    alternative_rate_source: tuple[str, str] = ALTERNATIVE_RATE_SOURCE
    discount_rate_range: tuple[float, float] = DISCOUNT_RATE_RANGE
    horizon_months: int = 24
    unit_costs: Mapping[str, UnitCost] = field(default_factory=lambda: dict(DEFAULT_UNIT_COSTS))
    payers: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: {k: dict(v) for k, v in
                                                                                DEFAULT_PAYERS.items()})
    alpha: float = 0.05
    minimum_grade: str = "low"
    willingness_to_pay: tuple[float, ...] = ()
    n_boot: int = 199
    n_draws: int = 5000
    seed: int = 2019
    censor_date: Any = None
    eviction_covariates: tuple[str, ...] = ("ethos_category", "income_band", "has_children")

    def __post_init__(self) -> None:
        if self.perspective not in PERSPECTIVES:
            raise ConfigError(f"perspective must be one of {', '.join(PERSPECTIVES)}, not {self.perspective!r}")
        if not isinstance(self.price_index, PriceIndex):
            raise ConfigError("price_index must be a PriceIndex (evaluation.economics.prices.load_price_index)")
        if self.price_year is not None:
            if not isinstance(self.price_year, int) or isinstance(self.price_year, bool):
                raise ConfigError(f"price_year must be a year such as 2025, not {self.price_year!r}")
            self.price_index.level(self.price_year)  # a year outside the index is a ConfigError
        check_rate(self.discount_rate, "discount_rate")
        check_rate(self.alternative_discount_rate, "alternative_discount_rate")
        if len(self.discount_rate_range) != 2:
            raise ConfigError("discount_rate_range must be two rates: (low, high)")
        low, high = (check_rate(r, "discount_rate_range") for r in self.discount_rate_range)
        if low > high:
            raise ConfigError(f"discount_rate_range must be (low, high), got ({low}, {high})")
        if not isinstance(self.horizon_months, int) or isinstance(self.horizon_months, bool) \
                or not 1 <= self.horizon_months <= 240:
            raise ConfigError(f"horizon_months must be a whole number of months from 1 to 240, "
                              f"not {self.horizon_months!r}")
        missing = sorted(set(UNIT_COSTS) - set(self.unit_costs))
        unknown = sorted(set(self.unit_costs) - set(UNIT_COSTS))
        if missing or unknown:
            raise ConfigError("unit_costs must value exactly " + ", ".join(UNIT_COSTS)
                              + (f"; missing {', '.join(missing)}" if missing else "")
                              + (f"; unknown {', '.join(unknown)}" if unknown else ""))
        for name, cost in self.unit_costs.items():
            if not isinstance(cost, UnitCost):
                raise ConfigError(f"unit_costs[{name!r}] must be a UnitCost")
            self.price_index.level(cost.price_year)
        _check_payers(self.payers)
        if not 0 < self.alpha < 0.5:
            raise ConfigError(f"alpha must lie between 0 and 0.5 (0.05 for 95 % confidence), not {self.alpha!r}")
        if self.minimum_grade not in GRADE_ORDER:
            raise ConfigError(f"minimum_grade must be one of {', '.join(GRADE_ORDER)}, not {self.minimum_grade!r}")
        if any(not (isinstance(w, (int, float)) and math.isfinite(w) and w >= 0) for w in self.willingness_to_pay):
            raise ConfigError("willingness_to_pay must be non-negative amounts of CZK per additional home kept")
        if not isinstance(self.n_boot, int) or (self.n_boot != 0 and self.n_boot < 50):
            raise ConfigError(f"n_boot must be 0 (no bootstrap) or at least 50, not {self.n_boot!r}")
        if not isinstance(self.n_draws, int) or self.n_draws < 100:
            raise ConfigError(f"n_draws must be a whole number of at least 100, not {self.n_draws!r}")

    @property
    def confidence(self) -> float:
        return 1.0 - self.alpha

    def resolved_price_year(self) -> int:
        """The price year used: the one declared, else the last year of the price index."""
        return self.price_year if self.price_year is not None else self.price_index.last_year

    def unit_cost_in_price_year(self, name: str) -> tuple[float, float, float]:
        """``(value, low, high)`` of a unit cost in the prices of the price year."""
        cost = self.unit_costs[name]
        factor = self.price_index.factor(cost.price_year, self.resolved_price_year())
        return cost.value * factor, cost.low * factor, cost.high * factor

    def grade_counts(self, grade: str) -> bool:
        """Whether a finding of ``grade`` meets ``minimum_grade``."""
        return grade in GRADE_ORDER and GRADE_ORDER.index(grade) <= GRADE_ORDER.index(self.minimum_grade)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> EconomicSettings:
        """Settings from a configuration mapping (see the module docstring); ``unit_costs`` and ``payers``
        change only the entries they give. A unit cost given as a number is in the prices of the price
        year (or of the index's last year), with its default range scaled to it."""
        values = dict(values or {})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"economics settings: unknown key(s) {', '.join(unknown)}; known: {_SETTINGS_HELP}")
        if isinstance(values.get("price_index"), (str, bytes)) or hasattr(values.get("price_index"), "__fspath__"):
            values["price_index"] = load_price_index(values["price_index"])
        index = values.get("price_index") or czech_cpi()
        price_year = values.get("price_year") or (index.last_year if isinstance(index, PriceIndex) else None)
        if "unit_costs" in values:
            values["unit_costs"] = _unit_costs(values["unit_costs"], price_year)
        if "payers" in values:
            merged = {k: dict(v) for k, v in DEFAULT_PAYERS.items()}
            given = values["payers"]
            if not isinstance(given, Mapping):
                raise ConfigError("payers must map an item to its payers' shares, e.g. {staff: {municipality: 0.15, "
                                  "eu: 0.85}}")
            merged.update({str(k): v for k, v in given.items()})
            values["payers"] = merged
        for key in ("discount_rate_range", "eviction_covariates"):
            if key in values and not isinstance(values[key], tuple):
                values[key] = tuple(values[key])
        if "willingness_to_pay" in values:
            wtp = values["willingness_to_pay"]
            values["willingness_to_pay"] = () if wtp is None else tuple(wtp) if isinstance(wtp, Sequence) \
                else (wtp,)
        for key in ("discount_rate_source", "alternative_rate_source"):
            if key in values:
                pair = values[key]
                values[key] = (str(pair), str(pair)) if isinstance(pair, str) else tuple(pair)
        return cls(**values)


def _unit_costs(given: Any, price_year: int | None) -> dict[str, UnitCost]:
    if not isinstance(given, Mapping):
        raise ConfigError("unit_costs must map a unit cost's name to a number of CZK or to its fields "
                          "(value, price_year, low, high, source_en, source_cs, kind)")
    costs = dict(DEFAULT_UNIT_COSTS)
    for name, spec in given.items():
        if name not in UNIT_COSTS:
            raise ConfigError(f"unit_costs: unknown unit cost {name!r}; known: {', '.join(UNIT_COSTS)}")
        default = DEFAULT_UNIT_COSTS[name]
        if isinstance(spec, UnitCost):
            costs[name] = spec
            continue
        if isinstance(spec, (int, float)) and not isinstance(spec, bool):
            spec = {"value": float(spec)}
        if not isinstance(spec, Mapping) or "value" not in spec:
            raise ConfigError(f"unit_costs[{name!r}] must be a number of CZK or a mapping with at least 'value'")
        fields = {f.name for f in dataclasses.fields(UnitCost)}
        extra = sorted(set(spec) - fields)
        if extra:
            raise ConfigError(f"unit_costs[{name!r}]: unknown field(s) {', '.join(extra)}; known: "
                              f"{', '.join(sorted(fields))}")
        try:
            value = float(spec["value"])
        except (TypeError, ValueError):
            raise ConfigError(f"unit_costs[{name!r}]: value must be a number of CZK, not {spec['value']!r}") from None
        scale = value / default.value if default.value else 1.0
        costs[name] = UnitCost(
            value=value, price_year=int(spec.get("price_year", price_year or default.price_year)),
            low=float(spec.get("low", default.low * scale)), high=float(spec.get("high", default.high * scale)),
            source_en=str(spec.get("source_en", "given in the run configuration")),
            source_cs=str(spec.get("source_cs", "zadáno v konfiguraci běhu")),
            kind=str(spec.get("kind", "assumption")))
    return costs


def _check_payers(payers: Mapping[str, Mapping[str, float]]) -> None:
    for item, shares in payers.items():
        if not isinstance(shares, Mapping) or not shares:
            raise ConfigError(f"payers[{item!r}] must map payers ({', '.join(PAYERS)}) to shares summing to 1")
        unknown = sorted(set(shares) - set(PAYERS))
        if unknown:
            raise ConfigError(f"payers[{item!r}]: unknown payer(s) {', '.join(unknown)}; known: {', '.join(PAYERS)}")
        values = list(shares.values())
        if any(not isinstance(v, (int, float)) or v < 0 for v in values) or abs(sum(values) - 1.0) > 1e-9:
            raise ConfigError(f"payers[{item!r}]: the shares must be non-negative and sum to 1 (got {dict(shares)})")


__all__ = ["COST_ITEMS", "DEFAULT_PAYERS", "DEFAULT_UNIT_COSTS", "GRADE_ORDER", "OFFSETS", "EconomicSettings",
           "UnitCost"]
