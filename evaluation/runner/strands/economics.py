"""Economic strand: cost per household and per sustained tenancy, offsets, the no-system scenario.

Stored (``<scope>/economics/``): ``cost_per_household`` (cost per household supported and per
tenancy sustained at the horizon, by municipality and step; figure), ``offsets`` (avoided
costs, net cost and the cost of not having the system per programme household; figure).
Key figure ``net_cost_per_household`` (the offsets table's ``net cost`` row, with its bootstrap
interval); text ``assumptions`` (the unit costs used).

Example
-------
>>> output = analyse(dataset, horizon_months=12, unit_costs={"shelter_night": 450})   # doctest: +SKIP
>>> output["offsets"].tidy()                                                       # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from evaluation.errors import ConfigError
from evaluation.runner.strands._common import Collector, StrandOutput, store_result, store_skipped

TITLES = {
    "cost_per_household": ("Náklady na podpořenou domácnost a na udržené bydlení",
                           "Cost per household supported and per sustained tenancy"),
    "offsets": ("Ušetřené náklady, čisté náklady a scénář bez systému (Kč na domácnost)",
                "Cost offsets, net cost and the no-system scenario (CZK per household)"),
}
FIGURES = {
    "cost_per_household": ("Náklady na udržené bydlení (Kč, 95% interval)", "Cost per sustained tenancy (CZK, 95% interval)"),
    "offsets": ("Ušetřené a čisté náklady na domácnost (Kč)", "Offsets and net cost per household (CZK)"),
}


def unit_costs_from(values: Mapping[str, float] | None) -> Any:
    """UnitCosts with the given overrides; an unknown name is a ConfigError."""
    from dataclasses import fields

    from evaluation.economics import UnitCosts

    values = dict(values or {})
    known = {f.name for f in fields(UnitCosts)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"unit_costs: unknown item(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return UnitCosts(**values)


def analyse(data: Any, *, lang: str = "cs", seed: int = 2019, horizon_months: float = 12,
            unit_costs: Mapping[str, float] | None = None,
            comparison_eviction_risk: float | None = None) -> StrandOutput:
    """Compute the economic results on ``data`` (a scoped Dataset)."""
    from evaluation import economics

    costs = unit_costs_from(unit_costs)
    run = Collector("economics", data)
    run.run("cost_per_household", ("tenancies", "households", "costs"), lambda: economics.cost_per_outcome(
        data, horizon=float(horizon_months), seed=seed))
    run.run("offsets", ("households", "household_outcomes"), lambda: economics.cost_offsets(
        data, costs, horizon=float(horizon_months), comparison_eviction_risk=comparison_eviction_risk, seed=seed))
    return run.output()


def save(session: Any, output: StrandOutput) -> None:
    """Store the economic results under their stable names (see the module docstring)."""
    for name, titles in TITLES.items():
        store_result(session, output, name, titles, figure=FIGURES.get(name), lang=session.lang)
    if "offsets" in output:
        result = output["offsets"]
        session.store.add_text("assumptions",
                               f"Jednotkové náklady (předpoklady, pokud nejsou nahrazeny místními údaji): "
                               f"{result.unit_costs.describe()}.",
                               f"Unit costs (assumptions unless replaced by local figures): "
                               f"{result.unit_costs.describe()}.")
        table = result.tidy().set_index("term")
        if "net cost" in table.index:
            row = table.loc["net cost"]
            session.store.add_key_figure(
                "net_cost_per_household", float(row["estimate"]), label_cs="Čisté náklady na domácnost programu",
                label_en="Net cost per programme household", unit="CZK",
                n=int(row["n"]) if "n" in row and pd.notna(row["n"]) else None,
                ci=(float(row["conf_low"]), float(row["conf_high"])) if pd.notna(row.get("conf_low")) else None,
                decimals=0)
    store_skipped(session, output)
