"""Housing-need strand: ETHOS stock and flows, stock-flow projection, placement of flats.

Stored (``<scope>/need/``): ``ethos_counts`` (stock at start and end, inflow and outflow over
the period by ETHOS category, from the contact-point applications; figure by quarter),
``ethos_counts_quarterly`` (by quarter; results folder only), ``stock_flow`` (projection of
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

from evaluation.runner.strands._common import (
    Collector,
    StrandOutput,
    store_figure,
    store_frame,
    store_result,
    store_skipped,
)

TITLES = {
    "ethos_counts": ("Bytová nouze podle kategorií ETHOS: stav a toky za celé období",
                     "Housing need by ETHOS category: stock and flows over the period"),
    "ethos_counts_quarterly": ("Bytová nouze podle kategorií ETHOS po čtvrtletích",
                               "Housing need by ETHOS category by quarter"),
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


#: Columns the reports show (the CSV keeps the bands of the baseline and the placements).
REPORT_COLUMNS = {
    "stock_flow": ["t", "stock_baseline", "stock_target", "additional_units", "additional_units_low",
                   "additional_units_high", "total_units", "intensive_support_places", "standard_support_places"],
    "excluded_locality": ["step", "units", "units_recorded", "in_excluded_locality", "share"],
}
LABELS = {"stock_flow": {"t": ("Čtvrtletí projekce", "Projection quarter")}}


def save(session: Any, output: StrandOutput) -> None:
    """Store the need results under their stable names (see the module docstring)."""
    store_result(session, output, "ethos_counts", TITLES["ethos_counts_quarterly"], stored_as="ethos_counts_quarterly",
                 placement="folder", family="ethos_counts", dimensions=["ethos_category", "period"])
    if "ethos_counts" in output:
        store_figure(session, "ethos_counts", output["ethos_counts"], FIGURES["ethos_counts"],
                     table="ethos_counts_quarterly", alt=ALT["ethos_counts"])
        store_frame(session, "ethos_counts", ethos_summary(output["ethos_counts"].tidy()), TITLES["ethos_counts"],
                    count_columns=["stock_start", "inflow", "outflow", "stock_end"], dimensions=["ethos_category"],
                    aggregates=[{"table": "ethos_counts_quarterly", "columns": {
                        "inflow": {"column": "inflow"}, "outflow": {"column": "outflow"},
                        "stock_start": {"column": "stock_start", "reduce": "first", "order": "period"},
                        "stock_end": {"column": "stock_end", "reduce": "last", "order": "period"}}}],
                    notes=[(
                        "Stav na začátku prvního a na konci posledního čtvrtletí, přítok a odtok za celé období; "
                        "průběh po čtvrtletích je v grafu a ve složce výsledků.",
                        "Stock at the start of the first and the end of the last quarter, inflow and outflow over "
                        "the whole period; the quarterly course is in the figure and in the results folder.")])
    from evaluation.runner.strands.process import FLATS_OF_STEP

    store_result(session, output, "excluded_locality", TITLES["excluded_locality"], lang=session.lang,
                 report_columns=REPORT_COLUMNS.get("excluded_locality"), populations=[FLATS_OF_STEP])
    if store_result(session, output, "stock_flow", TITLES["stock_flow"], lang=session.lang,
                    report_columns=REPORT_COLUMNS.get("stock_flow"), column_labels=LABELS.get("stock_flow")) \
            and "ethos_counts" in output:
        result = output["stock_flow"]
        session.store.add_figure(
            "stock_flow", table="stock_flow", plotter=result.figure_drawer, caption_cs=FIGURES["stock_flow"][0],
            caption_en=FIGURES["stock_flow"][1], extra_tables={"history": "ethos_counts_quarterly"},
            options=result.figure_options(), alt_cs=ALT["stock_flow"][0], alt_en=ALT["stock_flow"][1])
    if "ethos_counts" in output:
        session.store.add_key_figure("need_stock", table="ethos_counts", row={"ethos_category": "all"},
                                     column="stock_end", label_cs="Domácnosti v bytové nouzi (poslední období)",
                                     label_en="Households in housing need (latest period)", unit="households",
                                     is_count=True)
        text_cs = "Na konci sledovaného období bylo v evidenci {need_stock} domácností v bytové nouzi"
        text_en = "At the end of the period {need_stock} households in housing need were on record"
        if "stock_flow" in output:
            last = output["stock_flow"].tidy().iloc[-1]
            session.store.add_key_figure("additional_flats", table="stock_flow", row={"t": int(last["t"])},
                                         column="additional_units",
                                         ci_columns=("additional_units_low", "additional_units_high"),
                                         label_cs="Další potřebné byty na konci projekce",
                                         label_en="Additional flats needed at the end of the projection",
                                         decimals=0)
            quarters = int(last["t"])
            # the target is the evaluator's assumption (a parameter of the projection), said as such
            cut = float(output["stock_flow"].settings.get("target_reduction", float("nan")))
            assumed_cs = (f" (předpoklad zpracovatele: snížit nouzi o {round(cut * 100):d}\u00a0%)"
                          if cut == cut else "")
            assumed_en = f" (the evaluator's assumption: need cut by {round(cut * 100):d}%)" if cut == cut else ""
            text_cs += (f"; ke snížení nouze podle cíle projekce{assumed_cs} je během {quarters} čtvrtletí třeba "
                        "{additional_flats} dalších bytů (95% IS {additional_flats.ci})")
            text_en += (f"; reducing need to the projected target{assumed_en} takes {{additional_flats}} more flats "
                        f"over {quarters} quarters (95% CI {{additional_flats.ci}})")
        session.store.add_text("headline", text_cs + ".", text_en + ".")
    store_skipped(session, output, TITLES)


ALT = {
    "ethos_counts": ("Plochy ukazují počet domácností v bytové nouzi na konci každého čtvrtletí podle kategorie "
                     "ETHOS.", "Areas show the number of households in housing need at the end of each quarter by "
                     "ETHOS category."),
    "stock_flow": ("Čáry ukazují pozorovaný a promítnutý počet domácností v bytové nouzi a počet dalších bytů, "
                   "které by byly potřeba k dosažení cíle.",
                   "Lines show the observed and projected number of households in housing need and the additional "
                   "flats needed to reach the target."),
}


def ethos_summary(quarterly: Any) -> Any:
    """Stock at the start and end, inflow and outflow over the period, by ETHOS category (with ``all``)."""
    import pandas as pd

    frame = quarterly.sort_values("period")
    grouped = frame.groupby("ethos_category", sort=False, observed=True)
    summary = pd.DataFrame({
        "stock_start": grouped["stock_start"].first(), "inflow": grouped["inflow"].sum(),
        "outflow": grouped["outflow"].sum(), "stock_end": grouped["stock_end"].last()}).reset_index()
    codes = _ethos_order()
    rank = summary["ethos_category"].astype(str).map(lambda c: codes.index(c) if c in codes else len(codes) + 1)
    rank = rank.where(~summary["ethos_category"].astype(str).eq("all"), len(codes) + 2)
    return summary.assign(_rank=rank).sort_values("_rank", kind="stable").drop(columns="_rank").reset_index(drop=True)


def _ethos_order() -> list[str]:
    """ETHOS Light categories in the order of the data contract (from rough sleeping on)."""
    from evaluation.data.schema import get_schema

    return list(get_schema().table("households").field("ethos_category").codes)
