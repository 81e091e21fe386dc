"""Housing-need strand: ETHOS stock and flows, stock-flow projection, placement of flats.

Stored (``<scope>/need/``): ``ethos_counts`` (stock and flows of housing need by quarter and
ETHOS category, from the contact-point applications; figure), ``stock_flow`` (projection of
need, flats and support places; figure), ``excluded_locality`` (share of programme flats in
socially excluded localities). Key figures ``need_stock`` (latest stock), ``flats_needed``;
text ``headline``.

Example
-------
>>> output = analyse(dataset)          # doctest: +SKIP
>>> output["stock_flow"].plot()        # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from evaluation.runner.strands._common import Collector, StrandOutput, store_result, store_skipped

TITLES = {
    "ethos_counts": ("Bytová nouze podle kategorií ETHOS: stav a toky", "Housing need by ETHOS category: stock and flows"),
    "stock_flow": ("Potřeba bytů a míst podpory (model zásob a toků)",
                   "Flats and support places needed (stock-flow model)"),
    "excluded_locality": ("Byty programu v sociálně vyloučených lokalitách",
                          "Programme flats in socially excluded localities"),
}
FIGURES = {
    "ethos_counts": ("Domácnosti v bytové nouzi podle čtvrtletí", "Households in housing need by quarter"),
    "stock_flow": ("Projekce potřeby", "Projection of need"),
}


def analyse(data: Any, *, lang: str = "cs", seed: int = 2019) -> StrandOutput:
    """Measure housing need on ``data`` (a scoped Dataset)."""
    from evaluation import need

    run = Collector("need", data)
    flows = run.run("ethos_counts", ("applications",), lambda: need.need_flows(data, source="applications", freq="Q"))
    if flows is not None:
        units = data["units"] if data.has("units") else None
        capacity = float(units["unit_id"].nunique()) if units is not None else 0.0
        run.run("stock_flow", ("applications",),
                lambda: need.StockFlowModel(horizon=8, capacity=capacity).fit(flows))
    run.run("excluded_locality", ("units",), lambda: need.excluded_locality_share(data, by="step"))
    return run.output()


def save(session: Any, output: StrandOutput) -> None:
    """Store the need results under their stable names (see the module docstring)."""
    for name, titles in TITLES.items():
        store_result(session, output, name, titles, figure=FIGURES.get(name), lang=session.lang)
    if "ethos_counts" in output:
        totals = output["ethos_counts"].totals()
        if len(totals):
            stock = float(totals["stock_end"].iloc[-1])
            session.store.add_key_figure("need_stock", stock, label_cs="Domácnosti v bytové nouzi (poslední období)",
                                         label_en="Households in housing need (latest period)",
                                         unit="households", is_count=True)
            session.store.add_text("headline", f"Na konci sledovaného období bylo v evidenci {stock:.0f} domácností "
                                   "v bytové nouzi.",
                                   f"At the end of the period {stock:.0f} households in housing need were on record.")
    store_skipped(session, output)
