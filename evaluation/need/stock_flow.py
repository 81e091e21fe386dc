"""Stock-flow projection of the flats and support places needed to reduce housing need.

The model, per period ``t`` (the periods of the observed flows: months, quarters or years):

* households in need ``S``: ``S[t+1] = S[t] * (1 - mu) + lam`` under the *current system*,
  where ``lam`` is the mean inflow per period and ``mu`` the exit rate per period, both estimated
  from the observed flows over the last ``window`` periods (``mu = sum(outflow) /
  sum(stock_start + inflow)``). The observed exits already include the housing the current
  programme provides at its present capacity, so the baseline assumes that capacity goes on.
* the *target* path lowers the stock linearly from ``S0`` (the last observed stock) to
  ``S0 * (1 - target_reduction)`` at the ``horizon``;
* the *additional placements* needed in period ``t`` are what the target requires beyond the
  baseline exits: ``P[t] = max(0, S*[t] * (1 - mu) + lam - S*[t+1])``;
* placed households stay on average ``average_stay`` periods, leaving at rate ``1 / average_stay``
  (a geometric stay, whose mean is ``average_stay``), so the additional flats occupied are
  ``N[t+1] = N[t] * (1 - 1 / average_stay) + P[t]``; in a steady state this is Little's law,
  flats = placements per period x average stay;
* support places: ``intensive_share * N`` intensive places and the rest standard;
* flats in total = ``capacity`` (the programme's current flats) + ``N``.

Uncertainty: ``lam`` has a Poisson standard error ``sqrt(lam / T)`` and ``mu`` a binomial one
``sqrt(mu (1 - mu) / exposure)``; the ``_low`` and ``_high`` columns repeat the projection at the
ends of their 95% intervals (low need: low inflow and high exit rate; high need: the reverse).

Example
-------
>>> model = StockFlowModel(horizon=4, target_reduction=0.5, average_stay=2, intensive_share=0.25)
>>> proj = model.project(stock=100, inflow=10, exit_rate=0.1)
>>> proj.tidy()["stock_target"].tolist()
[100.0, 87.5, 75.0, 62.5, 50.0]
>>> proj.tidy()["placements_needed"].round(2).tolist()[:2]
[12.5, 13.75]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.errors import ConfigError, DataError
from evaluation.results import ESTIMATE_COLUMNS, Result


@dataclass(frozen=True)
class StockFlowProjection(Result):
    """Projected stock of need, placements, flats and support places per period."""

    table: pd.DataFrame
    parameters: pd.DataFrame
    history: pd.DataFrame
    settings: dict
    title: str = "Stock-flow projection of housing need"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def estimates(self) -> pd.DataFrame:
        """The estimated inflow and exit rate (term, estimate, std_error, conf_low, conf_high)."""
        return self.parameters.copy()

    @property
    def notes(self) -> tuple[str, ...]:
        s = self.settings
        return (f"Horizon {s['horizon']} periods, target reduction {100 * s['target_reduction']:g}%, average stay "
                f"{s['average_stay']:g} periods, {100 * s['intensive_share']:g}% needing intensive support, current "
                f"capacity {s['capacity']:g} flats. Baseline = current system (observed exits continue); "
                "additional flats are on top of the current capacity. _low/_high: 95% range from the "
                "uncertainty of inflow and exit rate.",)

    figure_drawer: ClassVar[str] = "evaluation.need.stock_flow:draw_stock_flow"

    def figure_options(self) -> dict[str, Any]:
        return {"alpha": float(self.settings.get("alpha", 0.05))}

    def plot(self, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
        """Observed and projected stock of need (baseline and target) and additional flats needed."""
        history = self.history.assign(ethos_category="all", period=self.history["t"])
        return draw_stock_flow(self.table, ax=ax, lang=lang, history=history, **{**self.figure_options(), **kwargs})


def draw_stock_flow(table: pd.DataFrame, ax: Any = None, lang: str = "cs", *, history: pd.DataFrame | None = None,
                    alpha: float = 0.05, **kwargs: Any) -> Any:
    """Observed and projected stock of need (baseline and target) and additional flats needed.

    ``history`` is the quarterly ETHOS table (its ``all`` rows are the observed stock, placed at
    periods before 0); in a published table a hidden quarter is a gap."""
    import matplotlib.pyplot as plt

    from evaluation.reporting import plot_labels as pl

    pl.check_lang(lang)
    ax = ax if ax is not None else plt.subplots(figsize=(8, 4))[1]
    t = table
    ticks = [pd.to_numeric(t["t"], errors="coerce").to_numpy(float)]
    if history is not None and len(history):
        observed = history.loc[history["ethos_category"].astype(str) == "all"].sort_values("period")
        steps = np.arange(-len(observed) + 1, 1, dtype=float)
        ax.plot(steps, pd.to_numeric(observed["stock_end"], errors="coerce").to_numpy(float), color="black",
                label=pl.text("observed", lang))
        ticks.append(steps)
    ax.plot(t["t"], t["stock_baseline"], ls="--", label=pl.text("current_system", lang))
    ax.plot(t["t"], t["stock_target"], label=pl.text("target", lang))
    (line,) = ax.plot(t["t"], t["additional_units"], label=pl.text("additional_flats", lang))
    level = pl.level_text(float(alpha), lang)
    ax.fill_between(t["t"], t["additional_units_low"], t["additional_units_high"], alpha=0.2,
                    color=line.get_color(), linewidth=0, label=pl.text("range_95", lang, level=level))
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel(pl.text("periods_from_last", lang))
    ax.set_ylabel(pl.text("households_or_flats", lang))
    ax.set_ylim(bottom=0)
    pl.integer_ticks(ax, np.concatenate(ticks), keep=(0,), lang=lang)
    pl.number_axis(ax, lang, axis="y")
    pl.legend_above(ax)
    return ax


class StockFlowModel:
    """Projection of need and capacity; see the module docstring for the equations.

    Parameters
    ----------
    horizon : number of periods to project.
    target_reduction : share by which the stock of need should fall by the horizon (0-1).
    average_stay : mean stay of a placed household in a programme flat, in periods.
    intensive_share : share of placed households needing intensive support (0-1).
    capacity : flats the programme has now (reported with the additional need).
    window : periods of history used to estimate inflow and exit rate (default all).
    alpha : 1 - confidence level of the range.

    Example
    -------
    >>> StockFlowModel(horizon=8).fit(flows).tidy()  # doctest: +SKIP
    """

    def __init__(self, horizon: int = 12, target_reduction: float = 0.5, average_stay: float = 8.0,
                 intensive_share: float = 0.3, capacity: float = 0.0, window: int | None = None,
                 alpha: float = 0.05) -> None:
        if not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise ConfigError(f"horizon must be a positive whole number of periods (got {horizon!r})")
        for name, value in (("target_reduction", target_reduction), ("intensive_share", intensive_share)):
            if not 0 <= value <= 1:
                raise ConfigError(f"{name} must lie between 0 and 1 (got {value!r})")
        if average_stay < 1:
            raise ConfigError(f"average_stay must be at least one period (got {average_stay!r})")
        if capacity < 0:
            raise ConfigError(f"capacity cannot be negative (got {capacity!r})")
        if window is not None and window < 1:
            raise ConfigError(f"window must be a positive number of periods (got {window!r})")
        self.horizon, self.target_reduction = int(horizon), float(target_reduction)
        self.average_stay, self.intensive_share = float(average_stay), float(intensive_share)
        self.capacity, self.window, self.alpha = float(capacity), window, alpha

    def fit(self, flows: Any) -> StockFlowProjection:
        """Estimate inflow and exit rate from observed flows and project.

        ``flows`` is a :class:`evaluation.need.NeedFlows` (its ``all`` rows are used) or a DataFrame
        with one row per period and columns stock_start, inflow, outflow, stock_end.
        """
        frame = flows.totals() if hasattr(flows, "totals") else pd.DataFrame(flows)
        needed = ("stock_start", "inflow", "outflow", "stock_end")
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise DataError(f"stock-flow model: the flows lack column(s) {', '.join(missing)}")
        if frame.empty:
            raise DataError("stock-flow model: no observed periods to estimate inflow and exit rate from")
        history = frame.iloc[-self.window:] if self.window else frame
        periods = len(history)
        inflow = float(history["inflow"].mean())
        exposure = float((history["stock_start"] + history["inflow"]).sum())
        if exposure <= 0:
            raise DataError("stock-flow model: nobody was in need during the window, so no exit rate can be estimated")
        exit_rate = float(history["outflow"].sum()) / exposure
        z = stats.norm.ppf(1 - self.alpha / 2)
        se_inflow = np.sqrt(inflow / periods)
        se_rate = np.sqrt(exit_rate * (1 - exit_rate) / exposure)
        parameters = pd.DataFrame({
            "term": ["inflow_per_period", "exit_rate_per_period"], "estimate": [inflow, exit_rate],
            "std_error": [se_inflow, se_rate],
            "conf_low": [max(inflow - z * se_inflow, 0.0), max(exit_rate - z * se_rate, 0.0)],
            "conf_high": [inflow + z * se_inflow, min(exit_rate + z * se_rate, 1.0)],
            "p_value": [np.nan, np.nan]}, columns=list(ESTIMATE_COLUMNS))
        stock = float(frame["stock_end"].iloc[-1])
        hist = pd.DataFrame({"t": np.arange(-len(frame) + 1, 1), "stock_end": frame["stock_end"].to_numpy(float)})
        if "period" in frame.columns:
            hist["period"] = frame["period"].to_numpy()
        return self._project(stock, parameters, hist)

    def project(self, stock: float, inflow: float, exit_rate: float) -> StockFlowProjection:
        """Project from given figures (no estimation, no uncertainty range)."""
        if stock < 0 or inflow < 0 or not 0 <= exit_rate <= 1:
            raise ConfigError("stock and inflow must be non-negative and exit_rate between 0 and 1")
        parameters = pd.DataFrame({"term": ["inflow_per_period", "exit_rate_per_period"],
                                   "estimate": [inflow, exit_rate], "std_error": [0.0, 0.0],
                                   "conf_low": [inflow, exit_rate], "conf_high": [inflow, exit_rate],
                                   "p_value": [np.nan, np.nan]})
        return self._project(float(stock), parameters, pd.DataFrame(columns=["t", "stock_end"]))

    def _path(self, stock: float, inflow: float, exit_rate: float) -> dict[str, np.ndarray]:
        h = self.horizon
        baseline = np.empty(h + 1)
        baseline[0] = stock
        for t in range(h):
            baseline[t + 1] = baseline[t] * (1 - exit_rate) + inflow
        target = stock * (1 - self.target_reduction * np.arange(h + 1) / h)
        placements = np.zeros(h + 1)
        placements[:h] = np.maximum(0.0, target[:h] * (1 - exit_rate) + inflow - target[1:])
        occupied = np.zeros(h + 1)
        for t in range(h):
            occupied[t + 1] = occupied[t] * (1 - 1 / self.average_stay) + placements[t]
        return {"baseline": baseline, "target": target, "placements": placements, "occupied": occupied}

    def _project(self, stock: float, parameters: pd.DataFrame, history: pd.DataFrame) -> StockFlowProjection:
        p = parameters.set_index("term")
        central = self._path(stock, p.at["inflow_per_period", "estimate"], p.at["exit_rate_per_period", "estimate"])
        low = self._path(stock, p.at["inflow_per_period", "conf_low"], p.at["exit_rate_per_period", "conf_high"])
        high = self._path(stock, p.at["inflow_per_period", "conf_high"], p.at["exit_rate_per_period", "conf_low"])
        table = pd.DataFrame({
            "t": np.arange(self.horizon + 1), "stock_baseline": central["baseline"],
            "stock_target": central["target"], "placements_needed": central["placements"],
            "additional_units": central["occupied"], "additional_units_low": low["occupied"],
            "additional_units_high": high["occupied"],
            "total_units": self.capacity + central["occupied"],
            "intensive_support_places": self.intensive_share * central["occupied"],
            "standard_support_places": (1 - self.intensive_share) * central["occupied"],
            "stock_baseline_low": low["baseline"], "stock_baseline_high": high["baseline"]})
        settings = {"horizon": self.horizon, "target_reduction": self.target_reduction,
                    "average_stay": self.average_stay, "intensive_share": self.intensive_share,
                    "capacity": self.capacity}
        return StockFlowProjection(table=table, parameters=parameters.reset_index(drop=True), history=history,
                                   settings=settings)
