"""Whether a figure crosses a threshold *with confidence*: decided on its interval, not its point.

A rule such as "more than 5 % of applications without a decision" should fire only when the data
show it. :func:`threshold_crossing` compares the whole ``1 - alpha`` interval with the threshold:

``confident``
    the whole interval lies beyond the threshold (on the ``side`` where the problem is);
``possible``
    the interval contains the threshold: the figure may or may not cross it;
``not``
    the whole interval lies on the other side: the figure does not cross it, with confidence.

Without an interval the helper cannot be confident: a point beyond the threshold is ``possible``,
a point on the other side ``not`` (flagged ``interval=False`` so that a text can say so). For a
share with its number of units but no interval, :func:`crossing_of` computes the Wilson interval.

Example
-------
>>> threshold_crossing(0.043, 0.061, 0.05, "above").status
'possible'
>>> threshold_crossing(0.052, 0.061, 0.05, "above").status
'confident'
>>> threshold_crossing(0.87, 0.96, 0.75, "below").status
'not'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from scipy import stats

from evaluation.errors import ConfigError
from evaluation.findings.evidence import finite as _finite
from evaluation.findings.language import pick
from evaluation.reporting.formatting import format_interval, format_number, format_percent

STATUSES = ("confident", "possible", "not")


@dataclass(frozen=True)
class Crossing:
    """Where a figure lies against a threshold (see the module docstring)."""

    status: str
    threshold: float
    side: str
    estimate: float | None
    conf_low: float | None
    conf_high: float | None
    interval: bool = True
    share: bool = False

    @property
    def confident(self) -> bool:
        """The rule should fire: the whole interval lies beyond the threshold."""
        return self.status == "confident"

    @property
    def possible(self) -> bool:
        """The figure may cross the threshold (``confident`` or ``possible``)."""
        return self.status in ("confident", "possible")

    def _limit(self, lang: str) -> str:
        """The threshold with its own decimals (5 %, 2,5 %, 0,75)."""
        value = self.threshold * 100 if self.share else self.threshold
        decimals = max(0, -Decimal(repr(round(value, 6))).normalize().as_tuple().exponent)
        if self.share:
            return format_percent(self.threshold, lang, decimals)
        return format_number(self.threshold, lang, decimals)

    def words(self, lang: str = "cs", with_interval: bool = True) -> str:
        """The status in words, with the threshold and the interval: ``is above the threshold of 5%
        with confidence (95% interval 5.2–6.1%)``; for ``possible``: ``may be above the threshold of 5%:
        the 95% interval 4.3–6.1% contains it``. ``with_interval=False`` leaves the interval out
        where the text has just given it."""
        limit = self._limit(lang)
        band = ""
        if self.interval and self.conf_low is not None and self.conf_high is not None:
            band = format_interval(self.conf_low, self.conf_high, lang, percent=self.share)
        if not with_interval and self.interval:
            return self._short(limit, lang)
        above = self.side == "above"
        if lang == "cs":
            where = "nad prahem" if above else "pod prahem"
            other = "pod prahem" if above else "nad prahem"
            if not self.interval:
                head = {"confident": f"je {where} {limit}", "possible": f"je podle bodového odhadu {where} {limit}",
                        "not": f"je {other} {limit}"}[self.status]
                return head + " (interval spolehlivosti není k dispozici, nelze to říci s jistotou)"
            return {"confident": f"je s dostatečnou jistotou {where} {limit} (95% interval {band})",
                    "possible": f"může být {where} {limit}: 95% interval {band} práh zahrnuje",
                    "not": f"je s dostatečnou jistotou {other} {limit} (95% interval {band})"}[self.status]
        where = "above" if above else "below"
        other = "below" if above else "above"
        if not self.interval:
            head = {"confident": f"is {where} the threshold of {limit}",
                    "possible": f"is {where} the threshold of {limit} by its point estimate",
                    "not": f"is {other} the threshold of {limit}"}[self.status]
            return head + " (no confidence interval is available, so this is not certain)"
        return {"confident": f"is {where} the threshold of {limit} with confidence (95% interval {band})",
                "possible": f"may be {where} the threshold of {limit}: the 95% interval {band} contains it",
                "not": f"is {other} the threshold of {limit} with confidence (95% interval {band})"}[self.status]

    def _short(self, limit: str, lang: str) -> str:
        above = self.side == "above"
        if lang == "cs":
            where, other = ("nad", "pod") if above else ("pod", "nad")
            return {"confident": f"je s dostatečnou jistotou {where} prahem {limit}",
                    "possible": f"může být {where} prahem {limit}: interval práh zahrnuje",
                    "not": f"je s dostatečnou jistotou {other} prahem {limit}"}[self.status]
        where, other = ("above", "below") if above else ("below", "above")
        return {"confident": f"is {where} the threshold of {limit} with confidence",
                "possible": f"may be {where} the threshold of {limit}: the interval contains it",
                "not": f"is {other} the threshold of {limit} with confidence"}[self.status]

    def label(self, lang: str = "cs") -> str:
        """One word for tables: ``jistě``/``confident``, ``možná``/``possibly``, ``ne``/``no``."""
        return pick({"confident": ("jistě", "confident"), "possible": ("možná", "possibly"),
                     "not": ("ne", "no")}[self.status], lang)


def threshold_crossing(conf_low: float | None, conf_high: float | None, threshold: float, side: str = "above", *,
                       estimate: float | None = None, share: bool = False) -> Crossing:
    """Whether the interval ``[conf_low, conf_high]`` lies beyond ``threshold`` on ``side`` ("above" or
    "below"): ``confident``, ``possible`` (it contains the threshold) or ``not``. Without an interval
    (``None``) the ``estimate`` decides between ``possible`` and ``not``. ``share=True`` words the
    values as per cent."""
    if side not in ("above", "below"):
        raise ConfigError(f"side must be 'above' or 'below' (where the problem lies), not {side!r}")
    if not _finite(threshold):
        raise ConfigError(f"the threshold must be a number, not {threshold!r}")
    has_interval = _finite(conf_low) and _finite(conf_high)
    if has_interval:
        low, high = float(conf_low), float(conf_high)
        if low > high:
            raise ConfigError(f"the interval is reversed: {low!r} > {high!r}")
        beyond = low > threshold if side == "above" else high < threshold
        short = high < threshold if side == "above" else low > threshold
        status = "confident" if beyond else "not" if short else "possible"
        return Crossing(status, float(threshold), side, None if estimate is None else float(estimate), low, high,
                        True, share)
    if not _finite(estimate):
        raise ConfigError("give an interval (conf_low, conf_high) or at least an estimate")
    point = float(estimate)
    beyond = point > threshold if side == "above" else point < threshold
    return Crossing("possible" if beyond else "not", float(threshold), side, point, None, None, False, share)


def wilson_interval(share: float, n: float, alpha: float = 0.05) -> tuple[float, float]:
    """The Wilson score interval of a share observed among ``n`` units (Wilson 1927; Brown, Cai &
    DasGupta 2001 recommend it for small n).

    >>> tuple(round(x, 4) for x in wilson_interval(0.2, 50))
    (0.1124, 0.3304)
    """
    if not (_finite(share) and 0 <= share <= 1):
        raise ConfigError(f"a share must lie between 0 and 1, not {share!r}")
    if not (_finite(n) and n > 0):
        raise ConfigError(f"the number of units behind a share must be positive, not {n!r}")
    z = float(stats.norm.ppf(1 - alpha / 2))
    denominator = 1 + z * z / n
    centre = (share + z * z / (2 * n)) / denominator
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def crossing_of(figure: Any, threshold: float, side: str = "above", *, share: bool | None = None,
                alpha: float = 0.05) -> Crossing:
    """:func:`threshold_crossing` for a stored key figure (``value``, ``ci``, ``n``, ``unit``) or any
    object with those attributes. A share (``unit == "%"`` or ``share=True``) without an interval but
    with ``n`` gets the Wilson interval."""
    value = getattr(figure, "value", None)
    ci = getattr(figure, "ci", None)
    n = getattr(figure, "n", None)
    is_share = share if share is not None else getattr(figure, "unit", "") == "%"
    if getattr(figure, "suppressed", False) or value is None:
        raise ConfigError("the key figure is suppressed or missing: no threshold can be judged on it")
    low, high = (ci if ci is not None else (None, None))
    if (low is None or high is None) and is_share and _finite(n) and float(n) > 0:
        low, high = wilson_interval(float(value), float(n), alpha)
    return threshold_crossing(low, high, threshold, side, estimate=value, share=is_share)


__all__ = ["STATUSES", "Crossing", "crossing_of", "threshold_crossing", "wilson_interval"]
