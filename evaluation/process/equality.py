"""Equality of care across districts (or contact points): are applications handled alike?

Three questions, each with a test and an effect size:

* **Processing time** — k-sample log-rank test (:func:`evaluation.retention.logrank.logrank_test`)
  of the time to decision, undecided applications censored. The log-rank test is used rather
  than Kruskal–Wallis because Kruskal–Wallis can only rank decided applications: dropping the
  open (slowest) cases biases every district towards fast processing, most of all the districts
  with most open cases, which are exactly the ones the test should flag. Effect size: the ratio
  of the longest to the shortest Kaplan–Meier median (NaN when a median is not reached) and per
  group the observed and expected decisions.
* **Outcome** — chi-square test of independence of district and outcome among decided
  applications, with Cramér's V. When the expected counts are small (any below 1, or more than
  20% below 5: Cochran's rule) the p-value comes from Fisher's exact test for a 2 x 2 table and
  otherwise from a Monte-Carlo test with the margins fixed (as R's
  ``chisq.test(simulate.p.value = TRUE)``), with ``mc_samples`` tables and a fixed ``seed``.
* **Lost applications** — the same test on lost / not lost among applications old enough to be
  lost, with Cramér's V and the range of the lost shares.

Groups without any application are listed in the notes and left out of the tests.

Example
-------
>>> import pandas as pd
>>> apps = pd.DataFrame({"application_id": [f"A{i}" for i in range(8)],
...     "contact_point": ["KMB"] * 8, "municipality": ["Praha"] * 8,
...     "district": ["Praha 3"] * 4 + ["Praha 7"] * 4,
...     "submitted_date": pd.to_datetime(["2020-01-01"] * 8),
...     "decided_date": pd.to_datetime(["2020-01-05", "2020-01-10", "2020-01-20", "2020-02-01",
...                                     "2020-01-03", "2020-01-04", None, None]),
...     "outcome": ["granted", "rejected", "granted", "granted", "granted", "granted", "pending", "pending"]})
>>> result = equality_of_care({"applications": apps}, as_of="2020-12-31")
>>> result.tidy()["term"].tolist()
['processing_time', 'outcome', 'lost']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.errors import DataError
from evaluation.process._tables import ExclusionLog, Tables
from evaluation.process.contact_points import (
    _SAME_DAY_SHIFT,
    ProcessingTime,
    prepared_applications,
    processing_time,
)
from evaluation.results import Result

TEST_COLUMNS = ("term", "test", "statistic", "df", "p_value", "effect_size", "effect_size_name", "groups", "n")


def small_expected(expected: np.ndarray) -> bool:
    """Cochran's rule: chi-square is unreliable when any expected count < 1 or > 20% are < 5."""
    return bool((expected < 1).any() or (expected < 5).mean() > 0.2)


def independence_test(table: np.ndarray, *, mc_samples: int = 10_000, seed: int = 0) -> dict[str, Any]:
    """Chi-square test of independence on an r x c table of counts, with the small-sample fallback.

    Rows or columns that sum to zero are dropped first (they carry no information).

    >>> out = independence_test(np.array([[10, 20], [20, 10]]))
    >>> out["test"], round(out["statistic"], 3), round(out["effect_size"], 3)
    ('chi-square', 6.667, 0.333)
    """
    table = np.asarray(table, dtype=float)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    r, c = table.shape
    n = table.sum()
    if r < 2 or c < 2:
        return {"test": "not testable (fewer than two groups or categories with data)", "statistic": np.nan,
                "df": np.nan, "p_value": np.nan, "effect_size": np.nan, "n": int(n)}
    statistic, p_value, df, expected = stats.chi2_contingency(table, correction=False)
    cramers_v = float(np.sqrt(statistic / (n * (min(r, c) - 1))))
    test = "chi-square"
    if small_expected(expected):
        if (r, c) == (2, 2):
            p_value = float(stats.fisher_exact(table.astype(int)).pvalue)
            test = "Fisher exact (small expected counts)"
        else:
            rng = np.random.default_rng(seed)
            sims = stats.random_table(table.sum(axis=1).astype(int), table.sum(axis=0).astype(int)).rvs(
                mc_samples, random_state=rng)
            with np.errstate(divide="ignore", invalid="ignore"):
                sim_stat = np.nansum((sims - expected) ** 2 / expected, axis=(1, 2))
            # same tolerance as R's chisq.test so that ties with the observed table count as extreme
            hits = int((sim_stat >= statistic - 1e-7 * max(statistic, 1.0)).sum())
            p_value = (1 + hits) / (mc_samples + 1)
            test = f"Monte-Carlo chi-square ({mc_samples} tables, small expected counts)"
    return {"test": test, "statistic": float(statistic), "df": int(df), "p_value": float(p_value),
            "effect_size": cramers_v, "n": int(n)}


@dataclass(frozen=True)
class EqualityOfCare(Result):
    """Tests of equal processing time, outcomes and lost shares across groups."""

    table: pd.DataFrame
    per_group: pd.DataFrame
    processing: ProcessingTime
    by: tuple[str, ...]
    max_days: int
    exclusions: pd.DataFrame
    empty_groups: tuple[str, ...]
    as_of: pd.Timestamp
    title: str = "Equality of care across districts"

    count_columns: ClassVar[tuple[str, ...]] = ("n",)
    n_column: ClassVar[str | None] = "n"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def by_group(self) -> pd.DataFrame:
        """Per group: applications, decided, observed/expected decisions, median days, lost share."""
        return self.per_group.copy()

    @property
    def notes(self) -> tuple[str, ...]:
        lines = ["processing_time: log-rank test (censoring-aware; Kruskal–Wallis would drop the open cases); "
                 "effect size = longest / shortest Kaplan–Meier median. outcome: decided applications only; "
                 f"lost: no decision after {self.max_days} days, among applications old enough. Effect size "
                 "for both is Cramér's V; small expected counts switch to Fisher / Monte-Carlo p-values."]
        if self.empty_groups:
            lines.append(f"Groups with no applications, left out of the tests: {', '.join(self.empty_groups)}.")
        lines += [f"Excluded {r.rows} row(s) of {r.table}: {r.reason}." for r in self.exclusions.itertuples()]
        return tuple(lines)

    def plot(self, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
        """Processing times by group (Kaplan–Meier share still undecided)."""
        return self.processing.plot(ax=ax, lang=lang, **kwargs)


def equality_of_care(data: Tables, *, by: tuple[str, ...] | str = ("district",), as_of: Any = None,
                     max_days: int = 90, municipality: str | None = None, groups: Any = None,
                     mc_samples: int = 10_000, seed: int = 0) -> EqualityOfCare:
    """Test whether processing time, outcomes and lost applications differ across groups.

    Example: ``equality_of_care(dataset, by="district", as_of="2022-12-31").summary()``
    """
    by = (by,) if isinstance(by, str) else tuple(by)
    if not by:
        raise DataError("equality_of_care needs at least one grouping column (e.g. 'district')")
    log = ExclusionLog()
    apps, as_of = prepared_applications(data, as_of=as_of, by=by, municipality=municipality, log=log)
    processing = processing_time(data, by=by, as_of=as_of, municipality=municipality, groups=groups)
    key = apps[by[0]].astype(str)
    for column in by[1:]:
        key = key + " / " + apps[column].astype(str)
    per = processing.table.copy()
    per.insert(0, "group", per[list(by)].astype(str).agg(" / ".join, axis=1))
    empty = tuple(per.loc[per["applications"] == 0, "group"])
    rows = []

    if key.nunique() >= 2:
        from evaluation.retention.logrank import logrank_test

        # same-day decisions (0 days) must lie strictly after entry for the risk-set code
        lr = logrank_test(apps["days"].to_numpy(float) + _SAME_DAY_SHIFT, apps["decided"].to_numpy(int),
                          key.to_numpy())
        oe = lr.table.rename(columns={"observed": "observed_decisions", "expected": "expected_decisions"})
        oe = oe[["group", "observed_decisions", "expected_decisions"]].assign(group=lambda f: f["group"].astype(str))
        per = per.merge(oe, on="group", how="left")
        medians = per.loc[per["applications"] > 0, "median_days"]
        ratio = float(medians.max() / medians.min()) if medians.notna().all() and medians.min() > 0 else np.nan
        rows.append({"term": "processing_time", "test": "log-rank", "statistic": lr.statistic, "df": lr.df,
                     "p_value": lr.p_value, "effect_size": ratio,
                     "effect_size_name": "ratio of longest to shortest median", "groups": key.nunique(),
                     "n": len(apps)})
    else:
        rows.append({"term": "processing_time", "test": "not testable (fewer than two groups with data)",
                     "groups": key.nunique(), "n": len(apps)})

    decided = apps.loc[apps["decided"]]
    outcome_table = pd.crosstab(key.loc[decided.index], decided["outcome"]) if len(decided) else pd.DataFrame()
    res = independence_test(outcome_table.to_numpy(), mc_samples=mc_samples, seed=seed) if len(decided) else \
        {"test": "not testable (no decided applications)", "n": 0}
    rows.append({"term": "outcome", **res, "effect_size_name": "Cramér's V",
                 "groups": int((outcome_table.sum(axis=1) > 0).sum()) if len(decided) else 0})

    old = (as_of - apps["submitted_date"]).dt.days > max_days
    lost = (~apps["decided"]) & old
    lost_table = pd.crosstab(key.loc[old], lost.loc[old]) if old.any() else pd.DataFrame()
    res = independence_test(lost_table.to_numpy(), mc_samples=mc_samples, seed=seed) if old.any() else \
        {"test": "not testable (no application old enough)", "n": 0}
    rows.append({"term": "lost", **res, "effect_size_name": "Cramér's V",
                 "groups": int((lost_table.sum(axis=1) > 0).sum()) if old.any() else 0})
    lost_share = (lost.loc[old].groupby(key.loc[old]).mean() if old.any() else pd.Series(dtype=float))
    per = per.merge(lost_share.rename("share_lost").rename_axis("group").reset_index(), on="group", how="left")
    out = pd.DataFrame(rows).reindex(columns=list(TEST_COLUMNS))
    out["n"] = out["n"].astype("Int64")
    out["groups"] = out["groups"].astype("Int64")
    return EqualityOfCare(table=out, per_group=per, processing=processing, by=by, max_days=int(max_days),
                          exclusions=log.frame(), empty_groups=empty, as_of=as_of)
