"""The known truth behind the synthetic data, and how estimates should be compared with it.

Two kinds of truth are given wherever they differ:

* ``dgp`` — the population value of the data-generating process (what an estimator targets
  as the sample grows);
* ``sample`` — the value realised in this draw, computed from the potential outcomes kept by
  the generator (what a consistent estimator computed on *these* data is closest to; for
  difference-in-differences the sample ATT differs from the DGP value only by rounding and
  flooring at zero, for survival by sampling error).

Tables (``pandas.DataFrame``):

``household_att``
    Effect of entering the programme on monthly arrears (CZK) by ``cohort``, ``group``
    (entry month, ``YYYY-MM-01``), ``period`` (calendar month) and ``event_time`` (months since
    entry, >= 0): ``dgp`` = tau_c(e), ``sample`` = mean of Y(1) - Y(0) over the household-months
    present in household_outcomes, ``n`` = those rows. Before entry the effect is 0.
``household_att_aggregates``
    Callaway–Sant'Anna aggregations of ``household_att`` (``simple``, ``dynamic`` by event
    time, ``group`` by entry month, ``calendar`` by month, each with ``overall``), weighted by
    the number of households per entry month exactly as ``did::aggte`` does.
``panel_att``
    ATT(g, t) of the municipality panel for ``arrears_rate`` and ``evictions_per_1000``
    (evictions per 1,000 inhabitants: parallel trends hold on that scale, not for raw counts)
    and the placebo ``households_in_need_per_1000`` (true effect 0); pre-periods included with 0.
``panel_att_aggregates``
    The same aggregations for the panel, weighted by the number of municipalities per start year.
``retention``
    Share still housed (no negative or other exit; moving up counts as housed) at 6, 12 and 20
    months since entry, by entry step and for the comparison group: ``dgp`` = mean over the
    households of exp(-(h_i + h_other) t) (the expectation given their covariates), ``sample``
    = realised share among households followed for at least ``t`` months, ``n`` = those.
    ``dgp_negative_only`` is the same with negative exits only (a Kaplan–Meier estimate that
    censors other exits targets this).
``trial``
    The Brno Housing First trial (``evaluation.synthetic.trial``): by ``outcome`` (``arrears_czk``
    in the follow-up month; ``stably_housed``, no eviction or abandonment by the follow-up) and
    ``version`` (``dgp``, ``sample``), the complier average causal effect ``cace``, the
    intention-to-treat effect ``itt`` = ``first_stage`` x ``cace`` and the housed families behind it.
``contact_points``
    By contact point: ``lost_share_dgp`` (applications never decided), ``lost_share_sample``,
    ``median_days_dgp``/``mean_days_dgp`` of the lognormal processing time, ``mean_days_sample``
    over the applications decided by the extraction date, and counts.

Scalars in ``parameters`` include the conditional hazard ratio of a negative exit for
programme vs comparison households (``hazard_ratio_negative_exit``; a Cox model of negative
exits, censoring other exits, with ETHOS category, income band and an indicator of children
as covariates targets it) and its covariate log hazard ratios.

Example
-------
>>> att = pd.DataFrame({"group": [2016, 2016, 2017], "period": [2016, 2017, 2017],
...                     "att": [1.0, 2.0, 4.0]})
>>> aggregate_att(att, {2016: 1, 2017: 3}, value="att")["simple"]
3.0
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

TABLES = ("household_att", "household_att_aggregates", "panel_att", "panel_att_aggregates",
          "retention", "contact_points", "trial")


def aggregate_att(att: pd.DataFrame, group_sizes: Mapping[Any, float], *, value: str,
                  group: str = "group", period: str = "period", event_time: str | None = None) -> dict[str, Any]:
    """Aggregate post-treatment ATT(g, t) cells the way Callaway & Sant'Anna (2021) do.

    ``att`` holds the post-treatment cells (t >= g) present in the data; weights are the group
    sizes. ``simple`` weights every (g, t) cell by the size of g; ``dynamic`` averages over groups
    at each event time e = t - g (weights: group sizes) and ``overall`` averages those over e;
    ``group`` averages each group over its periods and ``overall`` weights groups by size;
    ``calendar`` averages groups treated by t at each t and ``overall`` averages over t.
    """
    cells = att.copy()
    cells["_w"] = cells[group].map(dict(group_sizes)).astype(float)
    if event_time is None:
        cells["_e"] = cells[period] - cells[group]
    else:
        cells["_e"] = cells[event_time]

    def weighted(frame: pd.DataFrame) -> float:
        return float(np.average(frame[value], weights=frame["_w"]))

    dynamic = {int(e): weighted(f) for e, f in cells.groupby("_e", sort=True)}
    by_group = {g: float(f[value].mean()) for g, f in cells.groupby(group, sort=True)}
    group_w = np.array([group_sizes[g] for g in by_group], dtype=float)
    calendar = {t: weighted(f) for t, f in cells.groupby(period, sort=True)}
    return {
        "simple": weighted(cells),
        "dynamic": dynamic, "dynamic_overall": float(np.mean(list(dynamic.values()))),
        "group": by_group, "group_overall": float(np.average(list(by_group.values()), weights=group_w)),
        "calendar": calendar, "calendar_overall": float(np.mean(list(calendar.values()))),
    }


def aggregates_frame(results: Mapping[str, dict[str, Any]]) -> pd.DataFrame:
    """Long table ``outcome/version, aggregation, term, value`` from :func:`aggregate_att` results."""
    rows = []
    for label, agg in results.items():
        rows.append((label, "simple", "overall", agg["simple"]))
        for kind in ("dynamic", "group", "calendar"):
            for term, v in agg[kind].items():
                rows.append((label, kind, str(term), v))
            rows.append((label, kind, "overall", agg[f"{kind}_overall"]))
    return pd.DataFrame(rows, columns=["version", "aggregation", "term", "value"])


@dataclass(frozen=True)
class Truth:
    """Every true quantity of one synthetic draw (see the module docstring for each table)."""
    seed: int
    scale: float
    study_period: tuple[str, str]
    parameters: Mapping[str, Any]
    tables: Mapping[str, pd.DataFrame]
    sources: Mapping[str, str] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame:
        try:
            return self.tables[name].copy()
        except KeyError:
            raise KeyError(f"the truth has no table {name!r}; tables: {', '.join(self.tables)}") from None

    def aggregate(self, name: str, aggregation: str = "simple", term: str = "overall",
                  version: str = "dgp") -> float:
        """One aggregated ATT, e.g. ``aggregate("panel_att_aggregates", "dynamic", "2", "arrears_rate:dgp")``."""
        t = self.tables[name]
        hit = t[(t["version"] == version) & (t["aggregation"] == aggregation) & (t["term"] == str(term))]
        if len(hit) != 1:
            raise KeyError(f"no single {aggregation}/{term}/{version} value in {name}")
        return float(hit["value"].iloc[0])

    def to_dict(self) -> dict[str, Any]:
        tables = {}
        for name, t in self.tables.items():
            t = t.copy()
            for col in t.columns:
                if pd.api.types.is_datetime64_any_dtype(t[col]):
                    t[col] = t[col].dt.strftime("%Y-%m-%d")
            tables[name] = {"columns": list(t.columns),
                            "rows": [[_plain(v) for v in row] for row in t.itertuples(index=False)]}
        return {"seed": self.seed, "scale": self.scale, "study_period": list(self.study_period),
                "parameters": _plain(dict(self.parameters)), "sources": dict(self.sources),
                "documentation": __doc__, "tables": tables}

    def to_json(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1, sort_keys=False) + "\n",
                        encoding="utf-8")
        return path

    @classmethod
    def from_json(cls, path: str | Path) -> Truth:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        tables = {name: pd.DataFrame(t["rows"], columns=t["columns"]) for name, t in raw["tables"].items()}
        return cls(seed=raw["seed"], scale=raw["scale"], study_period=tuple(raw["study_period"]),
                   parameters=raw["parameters"], tables=tables, sources=raw.get("sources", {}))


def _plain(value: Any) -> Any:
    """JSON-safe plain Python value (NaN -> None, numpy scalars -> Python, rounded floats)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else float(round(float(value), 10))
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if value is pd.NA or value is None:
        return None
    return value
