"""Rent arrears (neplatičství) over time and by step, from the monthly rent ledger.

A household-month is *in arrears* when its month-end ``arrears_balance`` exceeds ``threshold``
CZK (default 0: any debt; an overpayment is negative and is not arrears). The step of a ledger
row is the step of its tenancy.

Example
-------
>>> import pandas as pd
>>> frames = {
...     "tenancies": pd.DataFrame({"tenancy_id": ["T1", "T2"], "household_id": ["H1", "H2"],
...                                "step": ["social", "social"]}),
...     "rent_ledger": pd.DataFrame({"tenancy_id": ["T1", "T2", "T1", "T2"],
...         "household_id": ["H1", "H2", "H1", "H2"],
...         "month": pd.to_datetime(["2020-01-01", "2020-01-01", "2020-02-01", "2020-02-01"]),
...         "arrears_balance": [0.0, 1000.0, 500.0, 3000.0]}),
... }
>>> rent_arrears(frames).tidy()["share_in_arrears"].tolist()
[0.5, 1.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from evaluation.process._tables import (
    ExclusionLog,
    Tables,
    as_timestamp,
    check_lang,
    codes,
    filter_rows,
    share,
    table,
)
from evaluation.reporting.labels import category_label, column_title
from evaluation.results import Result


@dataclass(frozen=True)
class ArrearsResult(Result):
    """Monthly share in arrears and balances by step (tidy) and months in arrears per tenancy."""

    table: pd.DataFrame
    months: pd.DataFrame
    threshold: float
    exclusions: pd.DataFrame
    title: str = "Rent arrears"

    count_columns: ClassVar[tuple[str, ...]] = ("households", "in_arrears")
    n_column: ClassVar[str | None] = "households"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def months_in_arrears(self) -> pd.DataFrame:
        """Per step: tenancies, share ever in arrears, mean/median months in arrears and their share."""
        return self.months.copy()

    @property
    def notes(self) -> tuple[str, ...]:
        lines = [f"In arrears = month-end balance above {self.threshold:g} CZK. mean/median_balance over all "
                 "household-months (overpayments negative); median_balance_in_arrears over those in arrears."]
        lines += [f"Excluded {r.rows} row(s) of {r.table}: {r.reason}." for r in self.exclusions.itertuples()]
        return tuple(lines)

    figure_drawer: ClassVar[str] = "evaluation.process.arrears:draw_arrears"


def draw_arrears(table: pd.DataFrame, ax: Any = None, lang: str = "cs", measure: str = "share_in_arrears",
                 **kwargs: Any) -> Any:
    """Share of households in arrears (or another column, e.g. ``mean_balance``) by month and step.

    ``table`` is :meth:`ArrearsResult.tidy` or its published form (a hidden month is a gap).
    """
    import matplotlib.pyplot as plt

    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.style import percent_axis, step_colour

    check_lang(lang)
    ax = ax if ax is not None else plt.subplots(figsize=(8, 3.5))[1]
    values = pd.to_numeric(table[measure], errors="coerce")
    for step, part in table.assign(_value=values).groupby("step", sort=False, observed=True):
        ax.plot(pd.to_datetime(part["month"]), part["_value"], label=category_label("step", step, lang),
                color=step_colour(step), **kwargs)
    # the share is titled by what it counts; other columns by their header in the tables
    ax.set_ylabel(pl.text(measure, lang) if measure == "share_in_arrears" else column_title(measure, lang))
    if measure == "share_in_arrears":
        top = float(values.max()) if values.notna().any() else 0.1
        ax.set_ylim(0, min(1.05, max(0.1, top * 1.1)))
        percent_axis(ax, "y", lang)
    else:
        pl.number_axis(ax, lang, axis="y")
    pl.date_axis(ax, lang)
    ax.set_xlabel(pl.text("calendar_month", lang))
    pl.legend_above(ax)
    return ax


def rent_arrears(data: Tables, *, threshold: float = 0.0, as_of: Any = None,
                 municipality: str | None = None) -> ArrearsResult:
    """Share of households in arrears, mean and median balance by month and step; months in arrears.

    Example: ``rent_arrears(dataset, threshold=500).plot()``
    """
    log = ExclusionLog()
    ledger = table(data, "rent_ledger", ("tenancy_id", "household_id", "month", "arrears_balance"))
    tenancies = table(data, "tenancies", ("tenancy_id", "step"))
    if municipality is not None:
        households = filter_rows(table(data, "households", ("household_id", "municipality")), "households",
                                 municipality=municipality)
        ledger = ledger.loc[ledger["household_id"].isin(households["household_id"]).to_numpy(dtype=bool)]
    if as_of is not None:
        as_of = as_timestamp(as_of, "as_of")
        late = (ledger["month"] > as_of).to_numpy(dtype=bool)
        log.add("rent_ledger", "after_as_of", int(late.sum()), "month after the as-of date")
        ledger = ledger.loc[~late]
    step = codes(tenancies.set_index("tenancy_id")["step"])
    rows = ledger.assign(step=step.reindex(ledger["tenancy_id"]).to_numpy())
    unknown = rows["step"].isna().to_numpy(dtype=bool)
    log.add("rent_ledger", "unknown_tenancy", int(unknown.sum()), "tenancy_id not in the tenancies table")
    no_balance = rows["arrears_balance"].isna().to_numpy(dtype=bool) & ~unknown
    log.add("rent_ledger", "missing_arrears_balance", int(no_balance.sum()), "arrears balance is empty")
    rows = rows.loc[~unknown & ~no_balance]
    balance = rows["arrears_balance"].astype(float)
    rows = rows.assign(balance=balance, in_arrears=balance > threshold,
                       arrears_only=balance.where(balance > threshold))
    present = set(rows["step"].unique())
    order = [s for s in (tenancies["step"].cat.categories if isinstance(tenancies["step"].dtype,
                                                                          pd.CategoricalDtype)
                         else sorted(present)) if s in present]
    rows["step"] = pd.Categorical(rows["step"], categories=order)
    g = rows.groupby(["step", "month"], observed=True, sort=True)
    out = g.agg(households=("household_id", "nunique"), in_arrears=("in_arrears", "sum"),
                mean_balance=("balance", "mean"), median_balance=("balance", "median"),
                median_balance_in_arrears=("arrears_only", "median")).reset_index()
    out["share_in_arrears"] = share(out["in_arrears"], out["households"])
    out["in_arrears"] = out["in_arrears"].astype("int64")
    out = out[["step", "month", "households", "in_arrears", "share_in_arrears", "mean_balance",
               "median_balance", "median_balance_in_arrears"]]
    out["step"] = out["step"].astype("object")

    per = rows.groupby(["step", "tenancy_id"], observed=True).agg(months=("in_arrears", "size"),
                                                                  months_in_arrears=("in_arrears", "sum"))
    per = per.reset_index()
    months = per.groupby("step", observed=True).agg(
        tenancies=("tenancy_id", "size"), ever_in_arrears=("months_in_arrears", lambda s: int((s > 0).sum())),
        mean_months_in_arrears=("months_in_arrears", "mean"), median_months_in_arrears=("months_in_arrears", "median"),
        months_observed=("months", "sum"), months_in_arrears=("months_in_arrears", "sum")).reset_index()
    months["share_ever_in_arrears"] = share(months["ever_in_arrears"], months["tenancies"])
    months["share_of_months_in_arrears"] = share(months["months_in_arrears"], months["months_observed"])
    months["step"] = months["step"].astype("object")
    return ArrearsResult(table=out.reset_index(drop=True), months=months, threshold=float(threshold),
                         exclusions=log.frame())
