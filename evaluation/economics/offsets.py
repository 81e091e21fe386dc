"""Cost offsets, net cost and the cost of not having the system, per programme household.

Offsets are valued from the programme's *estimated causal effect* on each resource use
(shelter nights, child-months in care; :func:`evaluation.economics.effects.resource_effects`):
staggered difference-in-differences (Callaway & Sant'Anna) of programme households, from their
entry into a housing programme step, against never-treated comparison households, on a
household-by-quarter panel of ``household_outcomes``; baseline differences between the groups
are netted out. For each resource::

    offset per programme household = -ATT (per treated household-month) x unit cost
                                     x treated household-months per programme household

where a household's treated months run from its entry month to the last month of outcomes
(``horizon=None``), or over at most ``horizon`` months since entry (the ATT is then averaged over
the event quarters within the horizon).

Evictions avoided (``offset: evictions``): (comparison - programme) risk of losing the home over
the same months x ``UnitCosts.eviction``. Each risk is the one given, or else estimated from the
tenancy spells (Aalen–Johansen cumulative incidence of eviction or abandonment,
:func:`evaluation.economics.eviction_risk.lost_home_risk`) when the group has tenancies; the
comparison is unadjusted. When the comparison group's risk is neither given nor estimable the
row is missing (NaN), not zero.

Programme cost (default): the housing programmes' cost centres in the municipalities of the
programme households with their share of shared costs
(:func:`evaluation.economics.programme_cost.housing_programme_cost`); contact-point costs are
reported in the notes, not included. Per household: divided by the programme households.

Rows: ``offset: <resource>``, ``offset: evictions``, ``offset: total``, ``programme cost``,
``net cost`` (programme cost - total offset), ``with-system cost`` (programme cost + the
programme households' own outcome costs [+ their risk of losing the home x eviction cost]) and
``no-system scenario cost`` (their counterfactual outcome costs without the programme
[+ the comparison group's risk x eviction cost]).

Intervals: normal intervals from the standard errors of the effects (household-clustered
influence functions; multiplier bootstrap with ``n_boot`` draws, or analytic with ``n_boot=0``);
the programme cost is a total without sampling error. The evictions term is combined with the
outcome terms as if independent.

Example
-------
>>> # cost_offsets(dataset, UnitCosts()).tidy()
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.economics.effects import TOTAL, resource_effects
from evaluation.economics.eviction_risk import lost_home_risk
from evaluation.economics.programme_cost import housing_programme_cost
from evaluation.economics.unit_costs import UnitCosts
from evaluation.errors import ConfigError, DataError
from evaluation.results import Result

MEASURES = {"shelter_nights": "shelter_night", "children_in_care": "child_in_care_month"}


@dataclass(frozen=True)
class OffsetsResult(Result):
    table: pd.DataFrame  # term, estimate, std_error, conf_low, conf_high, p_value, n (CZK per programme household)
    effects: pd.DataFrame  # term, estimate, ... per treated household-month (resource units; outcome_cost in CZK)
    unit_costs: UnitCosts
    horizon: float | None
    treated_months: float  # per programme household
    extra_notes: tuple[str, ...] = ()

    n_column = "n"

    @property
    def title(self) -> str:
        span = "their treated months" if self.horizon is None else f"at most {self.horizon:g} months since entry"
        return f"Cost offsets and net cost per programme household over {span} (CZK)"

    @property
    def notes(self) -> tuple[str, ...]:
        return (f"Unit costs: {self.unit_costs.describe()} (assumptions unless replaced).",
                ("Offset = -(programme effect per treated household-month, staggered difference-in-differences "
                 f"against never-treated comparison households) x unit cost x {self.treated_months:.1f} treated "
                 "months per programme household."),
                ("Intervals: from the effects' standard errors (household-clustered influence functions); "
                 "programme cost is a total.")) + self.extra_notes

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def effects_table(self) -> pd.DataFrame:
        """The effects behind the offsets, per treated household-month (programme households)."""
        return self.effects.copy()

    figure_drawer: ClassVar[str] = "evaluation.economics.offsets:draw_offsets"


def draw_offsets(table: pd.DataFrame, ax: Any = None, *, lang: str = "cs", **kwargs: Any) -> Any:
    """Offsets, programme, net and scenario costs per programme household with intervals, the terms
    worded in ``lang`` as the reports' offsets table words them."""
    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.labels import category_label

    pl.check_lang(lang)
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(7, 3.5))
    est, low, high = (pd.to_numeric(table[c], errors="coerce").to_numpy(float)
                      for c in ("estimate", "conf_low", "conf_high"))
    y = np.arange(len(table))[::-1]
    ax.errorbar(est, y, xerr=np.nan_to_num(np.vstack([est - low, high - est])), fmt="o", capsize=3, **kwargs)
    ax.axvline(0, color="grey", linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels([category_label("term", term, lang) for term in table["term"]])  # as in the table
    ax.set_xlabel(pl.text("czk_per_programme_household", lang))
    pl.number_axis(ax, lang, axis="x")
    return ax


def _interval(estimate: float, se: float, alpha: float) -> dict[str, float]:
    z = float(stats.norm.ppf(1 - alpha / 2))
    p = float(2 * stats.norm.sf(abs(estimate / se))) if se > 0 else np.nan
    return {"estimate": estimate, "std_error": se, "conf_low": estimate - z * se, "conf_high": estimate + z * se,
            "p_value": p}


def _check_risk(name: str, value: float | None) -> None:
    if value is not None and not (isinstance(value, (int, float)) and 0 <= value <= 1):
        raise ConfigError(f"{name} must be a probability between 0 and 1 (got {value!r})")


def _eviction_risks(tables: Any, times: np.ndarray, comparison: float | None, programme: float | None,
                    censor_date: Any, notes: list[str]) -> tuple[float, float, float, float] | None:
    """(comparison risk, its SE, programme risk, its SE) or None when evictions cannot be valued."""
    estimated = None
    has_tenancies = "tenancies" in tables
    if (comparison is None or programme is None) and has_tenancies:
        risk, risk_notes = lost_home_risk(tables, times, censor_date=censor_date)
        estimated = risk.set_index("group")
        notes.extend(risk_notes)
    if comparison is None:
        if estimated is None or "comparison" not in estimated.index:
            notes.append("Evictions avoided are not valued: no comparison-group risk of losing the home was given "
                         "(comparison_eviction_risk) and the comparison households have no tenancies to estimate it.")
            return None
        c, c_se = float(estimated.loc["comparison", "estimate"]), float(estimated.loc["comparison", "std_error"])
        notes.append(f"Comparison-group risk of losing the home (eviction or abandonment) over the treated months: "
                     f"{c:.3f}, estimated from its tenancies (Aalen–Johansen; {int(estimated.loc['comparison', 'n'])} "
                     "households; unadjusted for differences between the groups).")
        if estimated.loc["comparison", "capped"] > 0:
            notes.append(f"{estimated.loc['comparison', 'capped']:.0%} of the programme households' follow-up times "
                         "exceed the comparison group's longest follow-up; its risk is read there (understated).")
    else:
        c, c_se = float(comparison), 0.0
        notes.append(f"Comparison-group risk of losing the home: {c:.3f}, as given (no sampling error counted).")
    if programme is None:
        if estimated is None or "programme" not in estimated.index:
            raise DataError("evictions avoided need the programme group's risk of losing the home: give "
                            "programme_eviction_risk or a 'tenancies' table with programme households")
        p, p_se = float(estimated.loc["programme", "estimate"]), float(estimated.loc["programme", "std_error"])
        notes.append(f"Programme risk of losing the home over the treated months: {p:.3f} (Aalen–Johansen, "
                     "from entry).")
    else:
        p, p_se = float(programme), 0.0
    notes.append("Losing the home (eviction or abandonment) is valued at the eviction unit cost.")
    return c, c_se, p, p_se


def cost_offsets(data: Any, unit_costs: UnitCosts = UnitCosts(), *, programme_cost: float | None = None,
                 horizon: float | None = None, comparison_eviction_risk: float | None = None,
                 programme_eviction_risk: float | None = None, n_boot: int = 499, seed: int = 12345,
                 alpha: float = 0.05, censor_date: Any = None) -> OffsetsResult:
    """Offsets, net cost and the no-system scenario per programme household (see module docstring).

    ``data``: a Dataset (or mapping) with tables ``households``, ``household_outcomes`` and
    ``tenancies`` (entry dates), and ``costs`` unless ``programme_cost`` (total CZK) is given.
    ``horizon``: months since entry to value (``None``: every treated month observed, the span
    the cost table covers). ``comparison_eviction_risk`` / ``programme_eviction_risk``: risk of
    losing the home over the treated months, given; estimated from ``tenancies`` when ``None``.
    ``n_boot``: multiplier-bootstrap draws (0 = analytic standard errors).
    ``censor_date``: extraction date of the tenancy records (for the eviction risks).
    """
    tables = getattr(data, "tables", data)
    for name in ("households", "household_outcomes"):
        if name not in tables:
            raise DataError(f"cost offsets need table {name!r}")
    if horizon is not None and not horizon > 0:
        raise ConfigError(f"horizon must be a positive number of months or None (got {horizon!r})")
    if n_boot and n_boot < 100:
        raise ConfigError(f"n_boot must be 0 (analytic standard errors) or at least 100 (got {n_boot})")
    _check_risk("comparison_eviction_risk", comparison_eviction_risk)
    _check_risk("programme_eviction_risk", programme_eviction_risk)
    households = tables["households"]
    groups = set(households["group"].astype(object).dropna())
    if not {"programme", "comparison"} <= groups:
        raise DataError("cost offsets need households of both the programme and the comparison group "
                        f"(found: {', '.join(sorted(map(str, groups))) or 'none'})")
    measures = [m for m in MEASURES if m in tables["household_outcomes"].columns]
    if not measures:
        raise DataError("table 'household_outcomes' has neither shelter_nights nor children_in_care")
    prices = {m: float(getattr(unit_costs, MEASURES[m])) for m in measures}
    notes: list[str] = []

    programme_rows = households[households["group"].astype(object) == "programme"]
    n_prog = len(programme_rows)
    if programme_cost is None:
        if "costs" not in tables:
            raise DataError("give programme_cost or a 'costs' table")
        if "municipality" not in households.columns:
            raise DataError("table 'households' lacks column 'municipality' (needed to find the programme costs)")
        cost = housing_programme_cost(tables["costs"], programme_rows["municipality"].dropna().astype(str))
        programme_cost = cost.total
        notes.append("Programme cost: housing-programme cost centres of "
                     f"{', '.join(cost.by_municipality['municipality'])} with their share of shared costs "
                     f"({programme_cost:,.0f} CZK).")
        notes.extend(cost.notes)
    cost_per_hh = float(programme_cost) / n_prog

    fx = resource_effects(tables, prices, horizon=horizon, n_boot=n_boot, seed=seed, alpha=alpha)
    notes.extend(fx.notes)
    months = fx.treated_months_per_household
    eff = fx.effects.set_index("term")
    rows: dict[str, dict[str, float]] = {}
    for m in measures:
        scale = -prices[m] * months
        rows[f"offset: {m}"] = _interval(scale * eff.loc[m, "estimate"], abs(scale) * eff.loc[m, "std_error"], alpha)
    total, total_se = -months * eff.loc[TOTAL, "estimate"], months * eff.loc[TOTAL, "std_error"]
    with_sys, with_se = months * eff.loc["with_system", "estimate"], months * eff.loc["with_system", "std_error"]
    no_sys, no_se = months * eff.loc["no_system", "estimate"], months * eff.loc["no_system", "std_error"]

    risks = _eviction_risks(tables, fx.treated_months, comparison_eviction_risk, programme_eviction_risk,
                            censor_date, notes)
    if risks is None:
        rows["offset: evictions"] = _interval(np.nan, np.nan, alpha)
    else:
        c, c_se, p, p_se = risks
        price = unit_costs.eviction
        rows["offset: evictions"] = _interval((c - p) * price, np.hypot(c_se, p_se) * price, alpha)
        total, total_se = total + (c - p) * price, float(np.hypot(total_se, np.hypot(c_se, p_se) * price))
        with_sys, with_se = with_sys + p * price, float(np.hypot(with_se, p_se * price))
        no_sys, no_se = no_sys + c * price, float(np.hypot(no_se, c_se * price))
    rows["offset: total"] = _interval(total, total_se, alpha)
    rows["programme cost"] = _interval(cost_per_hh, 0.0, alpha)
    rows["net cost"] = _interval(cost_per_hh - total, total_se, alpha)
    rows["no-system scenario cost"] = _interval(no_sys, no_se, alpha)
    rows["with-system cost"] = _interval(cost_per_hh + with_sys, with_se, alpha)
    table = pd.DataFrame([{"term": term, **values, "n": n_prog} for term, values in rows.items()])
    notes.append(f"Effects from {fx.n_programme} programme and {fx.n_comparison} comparison households; "
                 f"programme cost per household over all {n_prog} programme households.")
    if horizon is not None:
        notes.append("The programme cost covers the whole cost table, the offsets the first "
                     f"{horizon:g} months after entry: compare with care (horizon=None matches the two).")
    return OffsetsResult(table=table, effects=fx.effects, unit_costs=unit_costs, horizon=horizon,
                         treated_months=months, extra_notes=tuple(notes))
