"""Housing need by ETHOS Light category over time: inflow, outflow and stock per period.

Two sources, chosen by ``source`` (each defines one *need episode* per person or household):

* ``"applications"`` (default; the contact points' register): an applicant enters the stock on
  the date of their first application, with the ETHOS category of that application, and leaves
  it on the first decision with an outcome in ``exit_outcomes`` (default granted or withdrawn:
  housed, or no longer on the register) that is dated by the as-of date. Later applications of
  the same applicant do not open a new episode (one episode per applicant).
* ``"households"`` (the programme's records): a household enters on its referral date with its
  ETHOS category at entry and leaves when it first moves into a programme flat.

Stock at the end of a period = entered by the period end - left by the period end. The stock
before the first observed entry is unknown (the register starts empty), so the first periods
understate the stock; use ``start`` to drop a run-in. Missing ETHOS categories are kept as
``missing``. A total over categories is given as category ``all``.

Example
-------
>>> import pandas as pd
>>> apps = pd.DataFrame({"application_id": ["A1", "A2", "A3"], "applicant_id": ["P1", "P2", "P3"],
...     "ethos_category": ["rough_sleeping", "rough_sleeping", "insecure_housing"],
...     "submitted_date": pd.to_datetime(["2020-01-10", "2020-02-10", "2020-02-15"]),
...     "decided_date": pd.to_datetime(["2020-02-01", None, None]),
...     "outcome": ["granted", "pending", "pending"]})
>>> t = need_flows({"applications": apps}, freq="M", as_of="2020-02-29").tidy()
>>> t.loc[t["ethos_category"] == "all", ["inflow", "outflow", "stock_end"]].values.tolist()
[[1, 0, 1], [2, 1, 2]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.errors import DataError
from evaluation.process._tables import (
    ExclusionLog,
    Tables,
    as_timestamp,
    codes,
    default_as_of,
    filter_rows,
    table,
)
from evaluation.results import Result

SOURCES = ("applications", "households")
MONTHS_PER_PERIOD = {"M": 1, "Q": 3, "Y": 12}


@dataclass(frozen=True)
class NeedFlows(Result):
    """Stock at start, inflow, outflow and stock at end per period and ETHOS category."""

    table: pd.DataFrame
    source: str
    freq: str
    exit_rule: str
    exclusions: pd.DataFrame
    as_of: pd.Timestamp
    title: str = "Housing need by ETHOS category: stock and flows"

    count_columns: ClassVar[tuple[str, ...]] = ("stock_start", "inflow", "outflow", "stock_end")

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def totals(self) -> pd.DataFrame:
        """The rows of category ``all``: one per period."""
        return self.table.loc[self.table["ethos_category"] == "all"].reset_index(drop=True)

    @property
    def months_per_period(self) -> int:
        return MONTHS_PER_PERIOD[self.freq]

    @property
    def notes(self) -> tuple[str, ...]:
        lines = [f"Source: {self.source}; {self.exit_rule}. Stock before the first recorded entry is unknown "
                 "and taken as zero, so early periods understate it."]
        lines += [f"Excluded {r.rows} row(s) of {r.table}: {r.reason}." for r in self.exclusions.itertuples()]
        return tuple(lines)

    figure_drawer: ClassVar[str] = "evaluation.need.flows:draw_need"


def draw_need(table: pd.DataFrame, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
    """Stock at period end by ETHOS category (stacked areas), categories labelled in ``lang``.

    ``table`` is :meth:`NeedFlows.tidy` or its published form: a hidden stock counts as empty, and
    a quarter with a hidden stock is not drawn (so that the stack cannot give it back)."""
    import matplotlib.pyplot as plt

    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.labels import category_label

    pl.check_lang(lang)
    ax = ax if ax is not None else plt.subplots(figsize=(8, 4))[1]
    part = table.loc[table["ethos_category"].astype(str) != "all"].assign(
        stock_end=lambda t: pd.to_numeric(t["stock_end"], errors="coerce"))
    wide = part.pivot_table(index="period", columns="ethos_category", values="stock_end", sort=False,
                            aggfunc=lambda v: v.sum(min_count=len(v)), observed=True, dropna=False)
    wide = wide.loc[wide.notna().all(axis=1)]
    x = wide.index.to_timestamp() if isinstance(wide.index, pd.PeriodIndex) else pd.to_datetime(wide.index)
    ax.stackplot(x, wide.to_numpy(float).T,
                 labels=[category_label("ethos_category", c, lang) for c in wide.columns], **kwargs)
    ax.set_ylabel(pl.text("households_in_need", lang))
    pl.number_axis(ax, lang, axis="y", integer=True)
    pl.date_axis(ax, lang)
    ax.set_xlabel(pl.text("calendar_quarter", lang))
    pl.legend_above(ax)
    return ax


def _episodes_from_applications(data: Tables, municipality: Any, as_of: Any, exit_outcomes: tuple[str, ...],
                                log: ExclusionLog) -> tuple[pd.DataFrame, pd.Timestamp]:
    apps = table(data, "applications", ("applicant_id", "ethos_category", "submitted_date", "decided_date",
                                        "outcome"))
    if municipality is not None:
        apps = filter_rows(apps, "applications", municipality=municipality)
    as_of = as_timestamp(as_of, "as_of") if as_of is not None else default_as_of(
        apps["submitted_date"], apps["decided_date"])
    apps = apps.loc[apps["submitted_date"].notna().to_numpy(dtype=bool)]
    late = (apps["submitted_date"] > as_of).to_numpy(dtype=bool)
    log.add("applications", "submitted_after_as_of", int(late.sum()), "submitted after the as-of date")
    apps = apps.loc[~late].sort_values(["applicant_id", "submitted_date"], kind="stable")
    first = apps.drop_duplicates("applicant_id").set_index("applicant_id")
    exits = apps.loc[codes(apps["outcome"]).isin(exit_outcomes).to_numpy(dtype=bool)
                     & (apps["decided_date"] <= as_of).to_numpy(dtype=bool)]
    exit_date = exits.groupby("applicant_id")["decided_date"].min()
    episodes = pd.DataFrame({"entry": first["submitted_date"],
                             "category": codes(first["ethos_category"]).fillna("missing"),
                             "exit": exit_date.reindex(first.index)})
    repeat = len(apps) - len(first)
    log.add("applications", "repeat_application", repeat,
            "further application of an applicant already in the stock (one episode per applicant)")
    return episodes.reset_index(drop=True), as_of


def _episodes_from_households(data: Tables, municipality: Any, as_of: Any, log: ExclusionLog
                              ) -> tuple[pd.DataFrame, pd.Timestamp]:
    households = table(data, "households", ("household_id", "ethos_category", "referral_date"))
    tenancies = table(data, "tenancies", ("household_id", "start_date"))
    if municipality is not None:
        households = filter_rows(households, "households", municipality=municipality)
    as_of = as_timestamp(as_of, "as_of") if as_of is not None else default_as_of(
        households["referral_date"], tenancies["start_date"])
    no_date = households["referral_date"].isna().to_numpy(dtype=bool)
    log.add("households", "missing_referral_date", int(no_date.sum()), "referral date is empty")
    households = households.loc[~no_date]
    late = (households["referral_date"] > as_of).to_numpy(dtype=bool)
    log.add("households", "referred_after_as_of", int(late.sum()), "referred after the as-of date")
    households = households.loc[~late]
    housed = tenancies.loc[(tenancies["start_date"] <= as_of).to_numpy(dtype=bool)]
    first = housed.groupby("household_id")["start_date"].min()
    exit_date = first.reindex(households["household_id"]).to_numpy()
    entry = households["referral_date"].to_numpy()
    before = ~pd.isna(exit_date) & (exit_date < entry)
    log.add("households", "housed_before_referral", int(before.sum()),
            "moved in before the referral date (never in the need stock as recorded)")
    episodes = pd.DataFrame({"entry": entry, "category": codes(households["ethos_category"]).fillna("missing")
                             .to_numpy(), "exit": exit_date})
    return episodes.loc[~before].reset_index(drop=True), as_of


def need_flows(data: Tables, *, source: str = "applications", freq: str = "Q", as_of: Any = None,
               start: Any = None, municipality: str | None = None,
               exit_outcomes: tuple[str, ...] = ("granted", "withdrawn")) -> NeedFlows:
    """Stock and flows of housing need per period (``freq`` "M", "Q" or "Y") and ETHOS category.

    Example: ``need_flows(dataset, source="applications", freq="Q").totals()``
    """
    if source not in SOURCES:
        raise DataError(f"source must be one of {', '.join(SOURCES)} (got {source!r})")
    if freq not in MONTHS_PER_PERIOD:
        raise DataError(f"freq must be 'M', 'Q' or 'Y' (got {freq!r})")
    log = ExclusionLog()
    if source == "applications":
        episodes, as_of = _episodes_from_applications(data, municipality, as_of, tuple(exit_outcomes), log)
        rule = f"an applicant leaves the stock at the first decision {'/'.join(exit_outcomes)}"
        categories = list(table(data, "applications")["ethos_category"].cat.categories) \
            if isinstance(table(data, "applications")["ethos_category"].dtype, pd.CategoricalDtype) else []
    else:
        episodes, as_of = _episodes_from_households(data, municipality, as_of, log)
        rule = "a household leaves the stock when it first moves into a programme flat"
        column = table(data, "households")["ethos_category"]
        categories = list(column.cat.categories) if isinstance(column.dtype, pd.CategoricalDtype) else []
    if episodes.empty:
        raise DataError(f"need_flows: no {source} with a date on or before the as-of date {as_of:%Y-%m-%d}")
    categories = [str(c) for c in categories] or sorted(set(episodes["category"]) - {"missing"})
    if (episodes["category"] == "missing").any():
        categories.append("missing")
    first = pd.Period(as_timestamp(start, "start"), freq) if start is not None else \
        pd.Period(episodes["entry"].min(), freq)
    periods = pd.period_range(first, pd.Period(as_of, freq), freq=freq)
    ends = periods.end_time.normalize()
    ends = ends.where(ends <= as_of, as_of)
    rows = []
    for category in categories + ["all"]:
        part = episodes if category == "all" else episodes.loc[episodes["category"] == category]
        entries = np.sort(part["entry"].to_numpy(dtype="datetime64[ns]"))
        exits = np.sort(part["exit"].dropna().to_numpy(dtype="datetime64[ns]"))
        entered = np.searchsorted(entries, ends.to_numpy(dtype="datetime64[ns]"), side="right")
        left = np.searchsorted(exits, ends.to_numpy(dtype="datetime64[ns]"), side="right")
        before = pd.Timestamp(periods[0].start_time)
        entered0 = np.searchsorted(entries, np.datetime64(before, "ns"), side="left")
        left0 = np.searchsorted(exits, np.datetime64(before, "ns"), side="left")
        stock_end = entered - left
        inflow = np.diff(np.concatenate([[entered0], entered]))
        outflow = np.diff(np.concatenate([[left0], left]))
        stock_start = np.concatenate([[entered0 - left0], stock_end[:-1]])
        rows.append(pd.DataFrame({"period": periods.start_time, "ethos_category": category,
                                  "stock_start": stock_start, "inflow": inflow, "outflow": outflow,
                                  "stock_end": stock_end}))
    out = pd.concat(rows, ignore_index=True)
    return NeedFlows(table=out, source=source, freq=freq, exit_rule=rule, exclusions=log.frame(), as_of=as_of)
