"""Discounting by the month in which a cost or an offset occurs.

Every cost and offset of a programme household is dated by its month since entry ``k``
(``k = 0`` for the month of entry) and discounted to the household's entry at an annual real
rate ``r``::

    D(k) = (1 + r) ** (-k / 12)          present value = sum_k amount_k x D(k)

The entry month is not discounted; a year after entry an amount counts ``1 / (1 + r)``. Amounts
must be in constant prices of one year (:mod:`evaluation.economics.prices`), so the rate is real.

Default rate: 5 % real, the social discount rate the European Commission's *Guide to
Cost-Benefit Analysis of Investment Projects* (DG REGIO, December 2014) recommends for the economic
analysis of projects in Cohesion countries, Czechia among them (3 % elsewhere); the Commission's
*Economic Appraisal Vademecum 2021–2027* keeps the 2014 guide as its basis. The 4 % real rate of
Commission Delegated Regulation (EU) No 480/2014 is the *financial* discount rate (a project's own
cash flows), not the rate of an economic evaluation from a public perspective. Results are also shown
at the alternative rate of 3.5 % real, HM Treasury's Green Book (2022) social time preference rate
for the first 30 years, and undiscounted; the one-way sensitivity analysis varies the rate between
0 % and 7 % (the upper rate of US OMB Circular A-4, 2003).

Worked example: 1,000 CZK in each of the 24 months after entry at 5 %: with q = 1.05 ** (-1/12),
the present value is 1,000 x (1 - q ** 24) / (1 - q) = 22,912.7 CZK (undiscounted 24,000 CZK).

Example
-------
>>> round(present_value(np.full(24, 1000.0), 0.05), 1)
22912.7
>>> float(discount_factors(13, 0.05)[12])    # one year after entry
0.9523809523809523
"""

from __future__ import annotations

import math

import numpy as np

from evaluation.errors import ConfigError

#: Default annual real discount rate and its source (Czech, English).
DEFAULT_DISCOUNT_RATE = 0.05
DEFAULT_RATE_SOURCE = (
    ("Evropská komise, Průvodce analýzou nákladů a přínosů investičních projektů (2014): "
    "společenská diskontní sazba 5 % reálně pro země politiky soudržnosti včetně Česka"),
    ("European Commission, Guide to Cost-Benefit Analysis of Investment Projects (2014): "
    "social discount rate of 5 % real for Cohesion countries, Czechia among them"))
#: The alternative rate reported beside the default, and its source.
ALTERNATIVE_DISCOUNT_RATE = 0.035
ALTERNATIVE_RATE_SOURCE = (
    "HM Treasury, The Green Book (2022): sazba společenské časové preference 3,5 % reálně",
    "HM Treasury, The Green Book (2022): social time preference rate of 3.5 % real")
#: Range of the rate in the one-way sensitivity analysis: undiscounted to the upper rate of OMB A-4.
DISCOUNT_RATE_RANGE = (0.0, 0.07)


def check_rate(rate: float, name: str = "discount_rate") -> float:
    """A discount rate as a share between 0 and 1 (5 % is 0.05); anything else is a ConfigError."""
    try:
        value = float(rate)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number (a share: 5 % is 0.05), not {rate!r}") from None
    if not (math.isfinite(value) and 0 <= value < 1):
        raise ConfigError(f"{name} must be a share between 0 and 1 (5 % is 0.05), not {rate!r}")
    return value


def discount_factors(n_months: int, rate: float) -> np.ndarray:
    """``D(k) = (1 + rate) ** (-k / 12)`` for the months ``k = 0 .. n_months - 1`` since entry."""
    rate = check_rate(rate)
    if n_months < 0:
        raise ConfigError(f"the number of months must not be negative (got {n_months})")
    return (1.0 + rate) ** (-np.arange(n_months) / 12.0)


def present_value(amounts_by_month: np.ndarray, rate: float) -> float:
    """Present value at entry of amounts in the months ``0, 1, ...`` since entry."""
    amounts = np.asarray(amounts_by_month, dtype=float)
    return float(amounts @ discount_factors(amounts.shape[-1], rate))


__all__ = ["ALTERNATIVE_DISCOUNT_RATE", "ALTERNATIVE_RATE_SOURCE", "DEFAULT_DISCOUNT_RATE", "DEFAULT_RATE_SOURCE",
           "DISCOUNT_RATE_RANGE", "check_rate", "discount_factors", "present_value"]
