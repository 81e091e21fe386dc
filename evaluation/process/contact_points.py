"""Housing contact points (KMB): applications received, processing time, lost applications,
decisions and the tools used, by contact point or district.

Conventions shared by every function here:

* ``as_of`` is the date the data describe (default: the latest submission or decision date).
  Applications submitted after it are excluded (counted); a decision dated after it is treated
  as not yet taken.
* Grouping (``by``) defaults to ``district``; outside statutory cities the district is empty and
  the municipality stands in for it (documented in each result's notes).
* Processing time is the number of days from submission to the decision (any outcome, a
  withdrawal included: it closes the case). Undecided applications are *right-censored* at their
  age on the as-of date, and the distribution is the Kaplan–Meier estimate
  (:class:`evaluation.retention.KaplanMeier`), so that the median is not biased towards fast
  cases by leaving out the slow ones that are still open.
* A *lost* application has no decision more than ``max_days`` (default 90) after submission at
  the as-of date. Its share is taken over the applications old enough to be lost
  (submitted more than ``max_days`` before ``as_of``), with a Wilson 95% interval.

Example
-------
>>> import pandas as pd
>>> apps = pd.DataFrame({"application_id": ["A1", "A2", "A3"], "contact_point": ["KMB P7"] * 3,
...     "municipality": ["Praha"] * 3, "district": ["Praha 7"] * 3,
...     "submitted_date": pd.to_datetime(["2020-01-01", "2020-01-01", "2020-06-01"]),
...     "decided_date": pd.to_datetime(["2020-01-11", None, None]),
...     "outcome": ["granted", "pending", "pending"]})
>>> lost = lost_applications({"applications": apps}, as_of="2020-07-01", max_days=90).tidy()
>>> lost[["submitted", "old_enough", "lost"]].values.tolist()
[[3, 2, 1]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.errors import DataError
from evaluation.process._tables import (
    ExclusionLog,
    Tables,
    as_timestamp,
    check_lang,
    codes,
    default_as_of,
    filter_rows,
    share,
    table,
)
from evaluation.reporting.labels import category_label
from evaluation.results import FigureTable, Result

TOOLS = ("benefit_counselling", "bridging_loan", "housing_market_help", "debt_counselling")
OUTCOMES = ("granted", "rejected", "referred", "withdrawn", "pending")
#: Shift applied to durations for the Kaplan–Meier fit so that same-day decisions (0 days) are
#: events strictly after entry; removed again from every reported time.
_SAME_DAY_SHIFT = 1e-6


def prepared_applications(data: Tables, *, as_of: Any = None, by: tuple[str, ...] = ("district",),
                          municipality: str | None = None, log: ExclusionLog | None = None
                          ) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Applications known at ``as_of`` with ``days`` (to decision or age), ``decided`` and group columns."""
    log = log if log is not None else ExclusionLog()
    apps = table(data, "applications", ("application_id", "submitted_date", "decided_date", "outcome"))
    if municipality is not None:
        apps = filter_rows(apps, "applications", municipality=municipality)
    as_of = as_timestamp(as_of, "as_of") if as_of is not None else default_as_of(
        apps["submitted_date"], apps["decided_date"])
    late = (apps["submitted_date"] > as_of).to_numpy(dtype=bool)
    log.add("applications", "submitted_after_as_of", int(late.sum()),
            f"submitted after the as-of date {as_of:%Y-%m-%d}")
    apps = apps.loc[~late].copy()
    no_date = apps["submitted_date"].isna().to_numpy(dtype=bool)
    log.add("applications", "missing_submitted_date", int(no_date.sum()), "submission date is empty")
    apps = apps.loc[~no_date]
    decided = (apps["decided_date"].notna() & (apps["decided_date"] <= as_of)).to_numpy(dtype=bool)
    end = apps["decided_date"].where(decided, as_of)
    apps["decided"] = decided
    apps["days"] = (end - apps["submitted_date"]).dt.days.astype(float)
    apps["outcome"] = codes(apps["outcome"]).where(decided, "pending")
    for column in by:
        if column == "district" and "district" in apps.columns and "municipality" in apps.columns:
            apps["district"] = apps["district"].astype("object").fillna(apps["municipality"].astype("object"))
        elif column not in apps.columns:
            raise DataError(f"table 'applications' has no column {column!r} to group by")
        apps[column] = apps[column].astype("object")
    missing = apps[list(by)].isna().any(axis=1).to_numpy(dtype=bool) if by else np.zeros(len(apps), bool)
    log.add("applications", "missing_group", int(missing.sum()), f"{' / '.join(by)} is empty")
    return apps.loc[~missing], as_of


def _group_frame(apps: pd.DataFrame, by: tuple[str, ...], groups: Any) -> list[tuple[tuple, pd.DataFrame]]:
    """(key, rows) for every group, adding the requested ``groups`` that have no applications."""
    found = {k if isinstance(k, tuple) else (k,): part
             for k, part in apps.groupby(list(by), sort=True)} if by else {(): apps}
    if groups is not None:
        wanted = [g if isinstance(g, tuple) else (g,) for g in groups]
        for key in wanted:
            found.setdefault(key, apps.iloc[0:0])
    return list(found.items())


def _notes(by: tuple[str, ...], as_of: pd.Timestamp, exclusions: pd.DataFrame) -> list[str]:
    lines = [f"As of {as_of:%Y-%m-%d}."]
    if "district" in by:
        lines.append("Outside statutory cities the municipality stands in for the district.")
    lines += [f"Excluded {r.rows} row(s) of {r.table}: {r.reason}." for r in exclusions.itertuples()]
    return lines


def wilson_interval(successes: Any, trials: Any, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion (NaN where trials = 0)."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low, high = np.where(n > 0, centre - half, np.nan), np.where(n > 0, centre + half, np.nan)
    return np.clip(low, 0, 1), np.clip(high, 0, 1)


# --------------------------------------------------------------------------- received


@dataclass(frozen=True)
class ApplicationsReceived(Result):
    """Applications received per group and period (months with none included as 0)."""

    table: pd.DataFrame
    by: tuple[str, ...]
    exclusions: pd.DataFrame
    as_of: pd.Timestamp
    title: str = "Applications received"

    count_columns: ClassVar[tuple[str, ...]] = ("applications",)

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(_notes(self.by, self.as_of, self.exclusions))

    def plot(self, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
        import matplotlib.pyplot as plt

        ax = ax if ax is not None else plt.subplots(figsize=(8, 3.5))[1]
        wide = self.table.pivot_table(index="period", columns=list(self.by) or None, values="applications",
                                      aggfunc="sum") if self.by else self.table.set_index("period")[["applications"]]
        wide.plot(ax=ax, **kwargs)
        ax.set_ylabel("přijaté žádosti" if lang == "cs" else "applications received")
        ax.set_xlabel("")
        return ax


def applications_received(data: Tables, *, by: tuple[str, ...] | str = ("contact_point",), freq: str = "M",
                          as_of: Any = None, municipality: str | None = None) -> ApplicationsReceived:
    """Applications received by ``by`` (contact point, district, request type ...) and period.

    ``freq`` is a pandas period frequency: ``"M"`` months, ``"Q"`` quarters, ``"Y"`` years.

    Example: ``applications_received(dataset, by=("contact_point",), freq="Q").tidy()``
    """
    by = (by,) if isinstance(by, str) else tuple(by)
    log = ExclusionLog()
    apps, as_of = prepared_applications(data, as_of=as_of, by=by, municipality=municipality, log=log)
    try:
        period = apps["submitted_date"].dt.to_period(freq)
    except ValueError as exc:
        raise DataError(f"freq must be a pandas period frequency such as 'M', 'Q' or 'Y' (got {freq!r})") from exc
    if len(apps):
        periods = pd.period_range(period.min(), pd.Period(as_of, freq), freq=freq)
    else:
        periods = pd.PeriodIndex([], freq=freq)
    counts = apps.assign(period=period).groupby([*by, "period"]).size()
    keys = apps[list(by)].drop_duplicates().sort_values(list(by)) if by else pd.DataFrame(index=[0])
    grid = keys.merge(pd.DataFrame({"period": periods}), how="cross")
    out = grid.merge(counts.rename("applications").reset_index(), on=[*by, "period"], how="left")
    out["applications"] = out["applications"].fillna(0).astype("int64")
    out["period"] = out["period"].dt.to_timestamp()
    return ApplicationsReceived(table=out.reset_index(drop=True), by=by, exclusions=log.frame(), as_of=as_of)


# --------------------------------------------------------------------------- processing time


@dataclass(frozen=True)
class ProcessingTime(Result):
    """Days from submission to decision per group: Kaplan–Meier median and quartiles."""

    table: pd.DataFrame
    curves: pd.DataFrame  # group, days, n_risk, n_event, n_censor, undecided, conf_low, conf_high
    by: tuple[str, ...]
    exclusions: pd.DataFrame
    as_of: pd.Timestamp
    alpha: float = 0.05
    title: str = "Processing time of applications (days)"

    count_columns: ClassVar[tuple[str, ...]] = ("applications", "decided", "undecided")
    n_column: ClassVar[str | None] = "applications"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def notes(self) -> tuple[str, ...]:
        lines = ["Kaplan–Meier estimate: undecided applications are censored at their age on the as-of "
                 f"date. Median interval ({round(100 * (1 - self.alpha))}%) from the log(-log) Greenwood "
                 "band. NaN: fewer than half (a quarter) decided. mean_days_decided ignores open cases and "
                 "is biased downwards when many are open."]
        return tuple(lines + _notes(self.by, self.as_of, self.exclusions))

    figure_drawer: ClassVar[str] = "evaluation.process.contact_points:draw_processing_time"

    def figure_tables(self) -> dict[str, FigureTable]:
        """The curves of undecided applications; a published step stands for enough decisions."""
        curves = self.curves[["group", "days", "undecided", "conf_low", "conf_high", "n_event"]]
        return {"curve": FigureTable(curves, curve={"group": ["group"], "time": "days", "events": "n_event",
                                                    "drop": ["n_event"]},
                                     title_cs="Podíl dosud nerozhodnutých žádostí podle dní od podání",
                                     title_en="Share of applications still undecided by days since submission",
                                     options={"column": self.by[0] if len(self.by) == 1 else ""})}


def draw_processing_time(curves: pd.DataFrame, ax: Any = None, lang: str = "cs", ci: bool = False,
                         column: str = "", **kwargs: Any) -> Any:
    """Share of applications still undecided by days since submission, one step line per group
    (``column`` names what the groups are, e.g. ``district``)."""
    import matplotlib.pyplot as plt

    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.style import percent_axis

    check_lang(lang)
    ax = ax if ax is not None else plt.subplots(figsize=(7, 4))[1]
    for name, curve in curves.groupby("group", sort=False):
        t = np.concatenate([[0.0], curve["days"].to_numpy(float)])
        s = np.concatenate([[1.0], pd.to_numeric(curve["undecided"], errors="coerce").to_numpy(float)])
        text = pl.text("all_applications", lang) if str(name) == "all" else \
            category_label(column, name, lang, table="applications" if column else None)
        (line,) = ax.step(t, s, where="post", label=text, **kwargs)
        if ci:
            ax.fill_between(t, np.concatenate([[1.0], curve["conf_low"].to_numpy(float)]),
                            np.concatenate([[1.0], curve["conf_high"].to_numpy(float)]),
                            step="post", alpha=0.2, color=line.get_color(), linewidth=0)
    ax.axhline(0.5, color="grey", lw=0.8, ls=":")
    ax.set_xlabel(pl.text("days_since_submission", lang))
    ax.set_ylabel(pl.text("share_undecided", lang))
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    percent_axis(ax, "y", lang)
    pl.number_axis(ax, lang, axis="x", integer=True)
    groups = list(dict.fromkeys(curves["group"]))
    if len(groups) > 1 or (groups and str(groups[0]) != "all"):
        ax.legend(frameon=False, fontsize="small", loc="upper right")
    return ax


def _quantile_time(curve: pd.DataFrame, column: str, level: float) -> float:
    hit = curve.loc[curve[column] <= level + 1e-12, "days"]
    return float(hit.iloc[0]) if len(hit) else np.nan


def processing_time(data: Tables, *, by: tuple[str, ...] | str = ("district",), as_of: Any = None,
                    municipality: str | None = None, groups: Any = None, alpha: float = 0.05) -> ProcessingTime:
    """Kaplan–Meier processing time per group, undecided applications censored.

    ``groups`` lists groups to report even when they have no applications (e.g. every district).

    Example: ``processing_time(dataset, by="district", as_of="2022-12-31").plot()``
    """
    from evaluation.retention.kaplan_meier import KaplanMeier

    by = (by,) if isinstance(by, str) else tuple(by)
    log = ExclusionLog()
    apps, as_of = prepared_applications(data, as_of=as_of, by=by, municipality=municipality, log=log)
    rows, curves = [], []
    for key, part in _group_frame(apps, by, groups):
        name = " / ".join(map(str, key)) if key else "all"
        row = dict(zip(by, key))
        decided = part["decided"].to_numpy(dtype=bool)
        row.update({"applications": len(part), "decided": int(decided.sum()), "undecided": int((~decided).sum())})
        stats_row = dict.fromkeys(("median_days", "median_conf_low", "median_conf_high", "q1_days", "q3_days"),
                                  np.nan)
        if len(part):
            fit = KaplanMeier(alpha=alpha, times=()).fit(part["days"].to_numpy(float) + _SAME_DAY_SHIFT,
                                                         decided.astype(int))
            curve = fit.curves.assign(days=lambda c: np.round(c["time"] - _SAME_DAY_SHIFT, 9))
            curve = curve.rename(columns={"survival": "undecided"})
            curve["group"] = name
            curves.append(curve[["group", "days", "n_risk", "n_event", "n_censor", "undecided",
                                 "conf_low", "conf_high"]])
            stats_row = {"median_days": _quantile_time(curve, "undecided", 0.5),
                         "median_conf_low": _quantile_time(curve, "conf_low", 0.5),
                         "median_conf_high": _quantile_time(curve, "conf_high", 0.5),
                         "q1_days": _quantile_time(curve, "undecided", 0.75),
                         "q3_days": _quantile_time(curve, "undecided", 0.25)}
        row.update(stats_row)
        row["mean_days_decided"] = float(part.loc[decided, "days"].mean()) if decided.any() else np.nan
        rows.append(row)
    columns = ["group", "days", "n_risk", "n_event", "n_censor", "undecided", "conf_low", "conf_high"]
    curves_frame = pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(columns=columns)
    return ProcessingTime(table=pd.DataFrame(rows), curves=curves_frame, by=by, exclusions=log.frame(),
                          as_of=as_of, alpha=alpha)


# --------------------------------------------------------------------------- lost applications


@dataclass(frozen=True)
class LostApplications(Result):
    """Applications with no decision more than ``max_days`` after submission, per group."""

    table: pd.DataFrame
    by: tuple[str, ...]
    max_days: int
    exclusions: pd.DataFrame
    as_of: pd.Timestamp
    title: str = "Lost applications"

    count_columns: ClassVar[tuple[str, ...]] = ("submitted", "old_enough", "decided_in_time",
                                                "decided_late", "lost")
    n_column: ClassVar[str | None] = "old_enough"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def notes(self) -> tuple[str, ...]:
        lines = [f"Lost = no decision more than {self.max_days} days after submission on the as-of date. "
                 f"share_lost = lost / old_enough (submitted more than {self.max_days} days before the as-of "
                 "date), Wilson 95% interval. decided_late = decided, but after more than "
                 f"{self.max_days} days."]
        return tuple(lines + _notes(self.by, self.as_of, self.exclusions))


def lost_applications(data: Tables, *, max_days: int = 90, by: tuple[str, ...] | str = ("district",),
                      as_of: Any = None, municipality: str | None = None, groups: Any = None) -> LostApplications:
    """Count and share of lost applications by group (see the module notes for the definition).

    Example: ``lost_applications(dataset, max_days=60, by="contact_point").tidy()``
    """
    if not isinstance(max_days, (int, np.integer)) or max_days < 1:
        raise DataError(f"max_days must be a positive whole number of days (got {max_days!r})")
    by = (by,) if isinstance(by, str) else tuple(by)
    log = ExclusionLog()
    apps, as_of = prepared_applications(data, as_of=as_of, by=by, municipality=municipality, log=log)
    rows = []
    for key, part in _group_frame(apps, by, groups):
        decided = part["decided"].to_numpy(dtype=bool)
        days = part["days"].to_numpy(float)
        old = (as_of - part["submitted_date"]).dt.days.to_numpy(float) > max_days
        row = dict(zip(by, key))
        row.update({"submitted": len(part), "old_enough": int(old.sum()),
                    "decided_in_time": int((decided & (days <= max_days)).sum()),
                    "decided_late": int((decided & (days > max_days)).sum()),
                    "lost": int((~decided & old).sum()),
                    "open_not_yet_lost": int((~decided & ~old).sum())})
        rows.append(row)
    out = pd.DataFrame(rows)
    out["share_lost"] = share(out["lost"], out["old_enough"])
    out["conf_low"], out["conf_high"] = wilson_interval(out["lost"], out["old_enough"])
    return LostApplications(table=out, by=by, max_days=int(max_days), exclusions=log.frame(), as_of=as_of)


# --------------------------------------------------------------------------- decisions and tools


@dataclass(frozen=True)
class CategoryShares(Result):
    """Counts and shares of categories (decision outcomes, tools used) per group."""

    table: pd.DataFrame
    by: tuple[str, ...]
    exclusions: pd.DataFrame
    as_of: pd.Timestamp
    title: str = "Decisions by outcome"
    method: str = ""

    count_columns: ClassVar[tuple[str, ...]] = ("count", "n")
    n_column: ClassVar[str | None] = "n"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(([self.method] if self.method else []) + _notes(self.by, self.as_of, self.exclusions))

    def plot(self, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
        import matplotlib.pyplot as plt

        ax = ax if ax is not None else plt.subplots(figsize=(7, 3.5))[1]
        category = [c for c in self.table.columns if c in ("outcome", "tool")][0]
        wide = self.table.pivot_table(index=list(self.by) or None, columns=category, values="share",
                                      sort=False) if self.by else self.table.set_index(category)[["share"]].T
        if category == "outcome":
            wide.columns = [category_label("outcome", c, lang, table="applications") for c in wide.columns]
        (100 * wide).plot.barh(ax=ax, stacked=category == "outcome", **kwargs)
        ax.set_xlabel("%")
        ax.legend(frameon=False, fontsize="small")
        return ax


def decisions(data: Tables, *, by: tuple[str, ...] | str = ("district",), as_of: Any = None,
              municipality: str | None = None, groups: Any = None) -> CategoryShares:
    """Applications by outcome (granted, rejected, referred, withdrawn, still pending) per group.

    Example: ``decisions(dataset).tidy()``
    """
    by = (by,) if isinstance(by, str) else tuple(by)
    log = ExclusionLog()
    apps, as_of = prepared_applications(data, as_of=as_of, by=by, municipality=municipality, log=log)
    rows = []
    for key, part in _group_frame(apps, by, groups):
        counts = part["outcome"].value_counts()
        for outcome in OUTCOMES:
            rows.append({**dict(zip(by, key)), "outcome": outcome, "count": int(counts.get(outcome, 0)),
                         "n": len(part)})
    out = pd.DataFrame(rows)
    out["share"] = share(out["count"], out["n"])
    return CategoryShares(table=out, by=by, exclusions=log.frame(), as_of=as_of, title="Decisions by outcome",
                          method="Outcome as of the as-of date; a decision dated later counts as pending.")


def tools_used(data: Tables, *, by: tuple[str, ...] | str = ("district",), as_of: Any = None,
               municipality: str | None = None, groups: Any = None, tools: tuple[str, ...] = TOOLS
               ) -> CategoryShares:
    """How often each tool (benefit counselling, bridging loan, ...) was used per group.

    ``share`` = used / recorded, where recorded excludes applications with the tool left empty
    (counted in ``not_recorded``).

    Example: ``tools_used(dataset, by="contact_point").tidy()``
    """
    by = (by,) if isinstance(by, str) else tuple(by)
    log = ExclusionLog()
    apps, as_of = prepared_applications(data, as_of=as_of, by=by, municipality=municipality, log=log)
    absent = [t for t in tools if t not in apps.columns]
    if absent:
        raise DataError(f"table 'applications' has no column(s) {', '.join(absent)} for the tools used")
    rows = []
    for key, part in _group_frame(apps, by, groups):
        for tool in tools:
            values = part[tool].astype("boolean")
            rows.append({**dict(zip(by, key)), "tool": tool, "count": int(values.fillna(False).sum()),
                         "n": int(values.notna().sum()), "not_recorded": int(values.isna().sum())})
    out = pd.DataFrame(rows)
    out["share"] = share(out["count"], out["n"])
    return CategoryShares(table=out, by=by, exclusions=log.frame(), as_of=as_of, title="Tools used",
                          method="share = applications with the tool / applications where it was recorded.")
