"""Cost offsets, net cost and the cost of not having the system.

From ``household_outcomes`` (monthly), per group (programme / comparison): mean shelter
nights and mean children in care per household-month. Valued with :class:`UnitCosts`
over ``horizon`` months, the difference comparison − programme is the offset per
programme household (avoided costs). Evictions avoided are added when the comparison
group's eviction risk over the horizon is given (``comparison_eviction_risk``; the
waiting-list group has no tenancies to measure it), with the programme's risk taken
from the Aalen–Johansen incidence of losing the home in the programme episodes.

No-system scenario: the comparison group's trajectory applied to the programme
population (``n_programme x`` comparison per-household outcome costs), against the
system's cost (programme costs + the programme households' own outcome costs).

Intervals: household bootstrap (resampling within group, percentile, seeded).

Example
-------
>>> # cost_offsets(dataset, UnitCosts(), programme_cost=1_000_000).tidy()
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation.economics.bootstrap import resample_indices
from evaluation.economics.unit_costs import UnitCosts
from evaluation.errors import DataError
from evaluation.results import Result

MEASURES = {"shelter_nights": "shelter_night", "children_in_care": "child_in_care_month"}


@dataclass(frozen=True)
class OffsetsResult(Result):
    table: pd.DataFrame  # term, estimate, conf_low, conf_high, n
    unit_costs: UnitCosts
    horizon: float
    extra_notes: tuple[str, ...] = ()

    n_column = "n"

    @property
    def title(self) -> str:
        return f"Cost offsets and net cost per programme household over {self.horizon:g} months (CZK)"

    @property
    def notes(self) -> tuple[str, ...]:
        return (f"Unit costs: {self.unit_costs.describe()} (assumptions unless replaced).",
                "Offsets = (comparison - programme) mean outcome per household-month x unit cost x horizon.",
                "Intervals: household bootstrap within group, percentile.") + self.extra_notes

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        if ax is None:
            import matplotlib.pyplot as plt
            _, ax = plt.subplots(figsize=(7, 3.5))
        t = self.table
        y = np.arange(len(t))[::-1]
        ax.errorbar(t["estimate"], y, xerr=[t["estimate"] - t["conf_low"], t["conf_high"] - t["estimate"]],
                    fmt="o", capsize=3, **kwargs)
        ax.axvline(0, color="grey", linewidth=1)
        ax.set_yticks(y)
        ax.set_yticklabels(t["term"])
        ax.set_xlabel("CZK per programme household")
        ax.set_title(self.title)
        return ax


def cost_offsets(data: Any, unit_costs: UnitCosts = UnitCosts(), *, programme_cost: float | None = None,
                 horizon: float = 12.0, comparison_eviction_risk: float | None = None,
                 programme_eviction_risk: float | None = None, n_boot: int = 499, seed: int = 12345,
                 alpha: float = 0.05) -> OffsetsResult:
    """Offsets, net cost and the no-system scenario per programme household.

    ``programme_cost``: total programme cost (CZK) for the programme households; default
    the sum of table ``costs`` when present.
    """
    tables = getattr(data, "tables", data)
    for name in ("households", "household_outcomes"):
        if name not in tables:
            raise DataError(f"cost offsets need table {name!r}")
    hh = tables["households"][["household_id", "group"]].copy()
    hh["group"] = hh["group"].astype(object)
    out = tables["household_outcomes"]
    measures = [m for m in MEASURES if m in out.columns]
    if not measures:
        raise DataError("table 'household_outcomes' has neither shelter_nights nor children_in_care")
    merged = out.merge(hh, on="household_id", how="left")
    notes = []
    no_group = merged["group"].isna()
    if no_group.any():
        notes.append(f"{int(no_group.sum())} household-months without a household record were excluded.")
    merged = merged[~no_group]
    # per household: mean of each measure over its observed months (missing months not imputed)
    per_hh = merged.groupby(["household_id", "group"])[measures].mean().reset_index()
    for m in measures:
        k = int(per_hh[m].isna().sum())
        if k:
            notes.append(f"{k} households have no recorded {m} and are left out of that offset.")
    groups = set(per_hh["group"])
    if not {"programme", "comparison"} <= groups:
        raise DataError("cost offsets need household outcomes for both the programme and the comparison group "
                        f"(found: {', '.join(sorted(map(str, groups))) or 'none'})")
    if programme_cost is None:
        if "costs" not in tables:
            raise DataError("give programme_cost or a 'costs' table")
        programme_cost = float(tables["costs"]["amount_czk"].sum())
    n_prog = int((hh["group"] == "programme").sum())
    if n_prog == 0:
        raise DataError("no programme households in table 'households'")
    cost_per_hh = programme_cost / n_prog
    eviction_offset = 0.0
    if comparison_eviction_risk is not None:
        if programme_eviction_risk is None:
            raise DataError("comparison_eviction_risk needs programme_eviction_risk (e.g. from AalenJohansen)")
        eviction_offset = (comparison_eviction_risk - programme_eviction_risk) * unit_costs.eviction
    else:
        notes.append("Evictions avoided not valued: no comparison-group eviction risk given.")

    values = per_hh[measures].to_numpy(float)
    is_prog = (per_hh["group"] == "programme").to_numpy()
    prices = np.array([getattr(unit_costs, MEASURES[m]) for m in measures])

    def compute(idx: np.ndarray) -> dict[str, float]:
        v, p = values[idx], is_prog[idx]
        monthly_prog = np.nan_to_num(np.nanmean(v[p], axis=0)) * prices
        monthly_comp = np.nan_to_num(np.nanmean(v[~p], axis=0)) * prices
        offsets = (monthly_comp - monthly_prog) * horizon
        res = {f"offset: {m}": float(o) for m, o in zip(measures, offsets)}
        res["offset: evictions"] = eviction_offset
        total = float(offsets.sum()) + eviction_offset
        res["offset: total"] = total
        res["programme cost"] = cost_per_hh
        res["net cost"] = cost_per_hh - total
        res["no-system scenario cost"] = float(monthly_comp.sum() * horizon)
        res["with-system cost"] = cost_per_hh + float(monthly_prog.sum() * horizon)
        return res

    all_idx = np.arange(len(per_hh))
    point = compute(all_idx)
    strata = is_prog.astype(int)
    if n_boot < 50:
        raise DataError(f"n_boot must be at least 50 (got {n_boot})")
    rng = np.random.default_rng(seed)
    reps = pd.DataFrame([compute(resample_indices(strata, rng)) for _ in range(n_boot)])
    rows = []
    for term, est in point.items():
        lo, hi = np.nanquantile(reps[term], [alpha / 2, 1 - alpha / 2])
        rows.append({"term": term, "estimate": est, "std_error": float(reps[term].std()), "conf_low": float(lo),
                     "conf_high": float(hi), "p_value": np.nan, "n": n_prog})
    return OffsetsResult(table=pd.DataFrame(rows), unit_costs=unit_costs, horizon=horizon,
                         extra_notes=tuple(notes))
