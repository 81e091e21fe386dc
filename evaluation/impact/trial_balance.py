"""Balance of baseline covariates between the arms of a randomised trial.

Standardised mean differences and variance ratios from
:func:`evaluation.impact.matching.balance_table` (the same definitions as for matched comparison
groups, with the ATE scale √((s₁² + s₀²)/2)). When the share assigned to the programme differs
between strata, the arms are compared with inverse-probability weights 1/p_s and 1/(1 − p_s), so
that each arm represents the whole randomised sample; the unweighted difference is kept beside it.
Categorical covariates are shown category by category. Usual warning levels: |SMD| > 0.1 and a
variance ratio outside [0.5, 2] (Rubin 2001; Austin 2009). CONSORT advises against significance
tests of baseline differences, so none is given: in a randomised trial any imbalance is chance,
and what matters is whether a prognostic covariate is imbalanced enough to adjust for it (Lin's
estimator does).

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(3)
>>> df = pd.DataFrame({"z": rng.permutation(np.repeat([0, 1], 150)), "age": rng.normal(40, 10, 300)})
>>> bool(trial_balance(df, "z", ["age"]).tidy()["smd"].abs().lt(0.3).all())
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.errors import ConfigError
from evaluation.impact._trial_common import check_strata_have_both_arms, prepare, text
from evaluation.impact.matching import balance_table
from evaluation.reporting.labels import LANGS, category_label, check_lang, column_title
from evaluation.results import Result

#: Warning levels of the balance table.
SMD_THRESHOLD = 0.1
VARIANCE_RATIO_RANGE = (0.5, 2.0)


_COVARIATE_WORDS = {"baseline": ("{} před randomizací", "{} before randomisation"),
                    "missing": ("{} – údaj chybí", "{} – not recorded")}


def covariate_label(term: str, lang: str = "cs") -> str:
    """``household_size`` -> its contract title; ``income_band=below_minimum`` -> title: category label;
    ``baseline_arrears_czk`` -> the title of arrears "before randomisation"; ``*_missing`` -> "not recorded"."""
    index = LANGS.index(check_lang(lang))
    name, _, code = term.partition("=")
    missing = name.endswith("_missing")
    name = name.removesuffix("_missing")
    baseline = name.startswith("baseline_")
    name = name.removeprefix("baseline_")
    title = column_title(name, lang)
    if baseline:
        title = _COVARIATE_WORDS["baseline"][index].format(title)
    if missing:
        title = _COVARIATE_WORDS["missing"][index].format(title)
    return f"{title}: {category_label(name, code, lang)}" if code else title


@dataclass(frozen=True)
class TrialBalance(Result):
    """One row per covariate (category): arm means, SMD, variance ratio and a flag."""

    table: pd.DataFrame
    weighted: bool
    n_programme: int
    n_control: int
    notes: tuple[str, ...] = ()
    exclusions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["reason", "rows"]))
    title: str = "Baseline balance of the randomised arms"

    count_columns: ClassVar[tuple[str, ...]] = ("n_programme", "n_control")

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def flagged(self) -> list[str]:
        return self.table.loc[self.table["flag"], "term"].tolist()

    def plot(self, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
        """|SMD| of each covariate with the 0.1 threshold."""
        import matplotlib.pyplot as plt

        check_lang(lang)
        table = self.table.iloc[::-1]
        ax = ax if ax is not None else plt.subplots(figsize=(6.5, 0.35 * len(table) + 1.4))[1]
        y = np.arange(len(table))
        colours = np.where(table["smd"].abs() > SMD_THRESHOLD, "C3", "C0")
        ax.scatter(table["smd"].abs(), y, c=colours, zorder=3, **kwargs)
        ax.axvline(SMD_THRESHOLD, color="0.5", linestyle="--", linewidth=0.8, label=text("threshold", lang))
        ax.set_yticks(y, [covariate_label(t, lang) for t in table["term"]])
        ax.set_xlabel(text("smd_axis", lang))
        ax.set_xlim(0, max(0.25, float(table["smd"].abs().max()) * 1.15))
        ax.legend(frameon=False, loc="lower right")
        return ax


def trial_balance(data: pd.DataFrame, assignment: str, covariates: Sequence[str], *,
                  strata: str | None = None) -> TrialBalance:
    """Balance of ``covariates`` between the arms of ``assignment`` (within-strata probabilities
    are respected through weights when they differ).

    Example
    -------
    >>> trial_balance(trial_frame, "assigned", ["children", "income_band"]).plot(lang="en")  # doctest: +SKIP
    """
    if not covariates:
        raise ConfigError("trial_balance needs at least one covariate")
    arrays = prepare(data, assignment=assignment, covariates=covariates, strata=strata)
    check_strata_have_both_arms(arrays)
    z = arrays.z
    weights = np.ones(arrays.n)
    weighted = False
    if arrays.strata is not None:
        share = (np.bincount(arrays.strata, weights=z) / np.bincount(arrays.strata))[arrays.strata]
        if np.ptp(share) > 1e-12:
            weights, weighted = np.where(z == 1, 1 / share, 1 / (1 - share)), True
    frame = pd.DataFrame(arrays.X, columns=list(arrays.covariate_names))
    raw = balance_table(frame, list(arrays.covariate_names), z.astype(int), weights, "ATE")
    table = pd.DataFrame({
        "term": raw["term"],
        "mean_programme": raw["mean_treated_after"], "mean_control": raw["mean_comparison_after"],
        "smd": raw["smd_after"], "variance_ratio": raw["var_ratio_after"],
    })
    if weighted:
        table["smd_unweighted"] = raw["smd_before"]
    low, high = VARIANCE_RATIO_RANGE
    ratio = table["variance_ratio"]
    table["flag"] = (table["smd"].abs() > SMD_THRESHOLD) | (ratio.notna() & ((ratio < low) | (ratio > high)))
    n1, n0 = int(z.sum()), int((1 - z).sum())
    table = table.assign(n_programme=n1, n_control=n0)
    notes = [(f"{n1} programme and {n0} control units; SMD on the scale √((s₁² + s₀²)/2); flagged: "
             f"|SMD| > {SMD_THRESHOLD} or variance ratio outside [{low}, {high}]")]
    if weighted:
        notes.append("the share assigned to the programme differs between strata: arms compared with inverse-"
                     "probability weights 1/p and 1/(1 − p) of the stratum (smd_unweighted: without them)")
    flagged = table.loc[table["flag"], "term"].tolist()
    if flagged:
        notes.append("imbalanced by chance: " + ", ".join(flagged) + "; adjust for them (Lin's estimator) if "
                     "they predict the outcome")
    notes.extend(arrays.exclusions.notes())
    return TrialBalance(table=table, weighted=weighted, n_programme=n1, n_control=n0, notes=tuple(notes),
                        exclusions=arrays.exclusions.table())


__all__ = ["TrialBalance", "covariate_label", "trial_balance"]
