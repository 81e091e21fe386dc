"""Movement along the staircase: from each step to the next step or to an exit type.

Each spell is one transition: to the step of the household's next spell when there is
one, otherwise to its exit reason (``still_housed`` while it goes on). A spell that ends
with ``moved_up`` but has no next spell goes to ``moved_up (next step not recorded)``.

Example
-------
>>> import pandas as pd
>>> t = pd.DataFrame({"household_id": ["H1", "H1", "H2"], "step": ["crisis", "social", "crisis"],
...                   "start_date": pd.to_datetime(["2019-01-01", "2019-06-01", "2019-02-01"]),
...                   "exit_reason": ["moved_up", "still_housed", "eviction"]})
>>> transitions(t).tidy()[["from_step", "to", "count"]].to_dict("records")[:2]
[{'from_step': 'crisis', 'to': 'social', 'count': 1}, {'from_step': 'crisis', 'to': 'eviction', 'count': 1}]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import DataError
from evaluation.results import Result

STEPS = ("crisis", "social", "affordable", "housing_first", "standard")
EXITS = ("moved_up", "standard_lease", "eviction", "abandonment", "left_voluntarily", "death", "other",
         "still_housed")
NOT_RECORDED = "moved_up (next step not recorded)"


@dataclass(frozen=True)
class TransitionsResult(Result):
    """Transition counts and row shares (share of the spells leaving each step)."""
    table: pd.DataFrame  # from_step, to, kind, count, n_from, share
    excluded: pd.DataFrame

    count_columns = ("count",)
    n_column = "n_from"

    @property
    def title(self) -> str:
        return "Movement along the staircase"

    @property
    def notes(self) -> tuple[str, ...]:
        notes = ["One row per spell: to the next step when the household has a next spell, else to its exit "
                 "reason. Shares are of the spells in each step (rows sum to 1)."]
        for _, row in self.excluded.iterrows():
            notes.append(f"Excluded {row['rows']} spells: {row['reason']}.")
        return tuple(notes)

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def matrix(self, values: str = "count") -> pd.DataFrame:
        """Wide table: steps in rows, destinations in columns (``values`` = "count" or "share")."""
        wide = self.table.pivot(index="from_step", columns="to", values=values).fillna(0)
        rows = [s for s in STEPS if s in wide.index]
        cols = [c for c in (*STEPS, *EXITS, NOT_RECORDED) if c in wide.columns]
        return wide.loc[rows, cols]

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Heat map of the row shares."""
        if ax is None:
            import matplotlib.pyplot as plt
            _, ax = plt.subplots(figsize=(8, 3.5))
        m = self.matrix("share")
        im = ax.imshow(m.to_numpy(), cmap=kwargs.pop("cmap", "Blues"), vmin=0, vmax=1, aspect="auto", **kwargs)
        ax.set_xticks(range(m.shape[1]))
        ax.set_xticklabels(m.columns, rotation=45, ha="right", fontsize="small")
        ax.set_yticks(range(m.shape[0]))
        ax.set_yticklabels(m.index)
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                ax.text(j, i, f"{m.iat[i, j]:.2f}", ha="center", va="center", fontsize="x-small")
        ax.figure.colorbar(im, ax=ax, label="share of spells")
        ax.set_title(self.title)
        return ax


def transitions(tenancies: pd.DataFrame | Any) -> TransitionsResult:
    """Count transitions between steps and to exit types from the tenancy spells."""
    if hasattr(tenancies, "tables"):
        tenancies = tenancies["tenancies"]
    missing = [c for c in ("household_id", "step", "start_date", "exit_reason") if c not in tenancies.columns]
    if missing:
        raise DataError(f"table 'tenancies' lacks column(s) {', '.join(missing)}")
    t = tenancies[["household_id", "step", "start_date", "exit_reason"]].copy()
    t["step"], t["exit_reason"] = t["step"].astype(object), t["exit_reason"].astype(object)
    reasons = {"missing household, step, start date or exit reason": t.isna().any(axis=1)}
    bad = reasons["missing household, step, start date or exit reason"]
    excluded = pd.DataFrame([{"reason": k, "rows": int(v.sum())} for k, v in reasons.items() if v.any()],
                            columns=["reason", "rows"])
    t = t[~bad].sort_values(["household_id", "start_date"], kind="stable")
    if t.empty:
        raise DataError("table 'tenancies' has no usable spells for the transition table")
    nxt = t.groupby("household_id", sort=False)["step"].shift(-1)
    to = nxt.where(nxt.notna(), t["exit_reason"])
    to = to.where(~(nxt.isna() & (t["exit_reason"] == "moved_up")), NOT_RECORDED)
    kind = np.where(nxt.notna(), "step", "exit")
    counts = (pd.DataFrame({"from_step": t["step"].to_numpy(), "to": to.to_numpy(), "kind": kind})
              .groupby(["from_step", "to", "kind"]).size().rename("count").reset_index())
    counts["n_from"] = counts.groupby("from_step")["count"].transform("sum")
    counts["share"] = counts["count"] / counts["n_from"]
    order_from = {s: i for i, s in enumerate(STEPS)}
    order_to = {s: i for i, s in enumerate((*STEPS, *EXITS, NOT_RECORDED))}
    counts = counts.sort_values(["from_step", "to"], key=lambda s: s.map(order_from if s.name == "from_step"
                                                                          else order_to).fillna(99))
    return TransitionsResult(table=counts.reset_index(drop=True), excluded=excluded)


__all__ = ["TransitionsResult", "transitions"]
