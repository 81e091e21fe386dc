"""Design strand (opt-in, planning): power and minimum detectable effects of a planned pilot.

Run it by naming it in a configuration (``strands: [design]``); the default run leaves it out.
It answers the funder's question before a pilot ("can 30 crisis flats in three cohorts show
anything?") from the data at hand:

* ``did_analytic`` -- the BPW minimum detectable effect (or power) of a difference-in-differences
  with ``n_treated`` programme and ``n_control`` comparison households, ``pre_periods`` and
  ``post_periods`` months, the residual variance and serial correlation estimated from the
  *untreated* outcomes in the data (``covariance``): comparison households' months and programme
  households' months before they entered;
* ``did_simulation`` -- the power of that design at that effect by placebo experiments on the same
  untreated outcomes, with the cohorts entering ``entry_offsets`` months apart (staggered entry);
* ``event_study`` -- the last post-entry event-study coefficient against month -1, AR(1) errors
  fitted to the untreated outcomes (approximate);
* ``two_means`` -- a randomised comparison of the outcome at one follow-up (SD from the data);
* ``retention_proportions`` and ``retention_logrank`` -- still housed at
  ``retention_horizon_months``: two proportions (normal approximation) and the log-rank test
  (Schoenfeld), the comparison group's retention estimated from its tenancies unless given.

Stored (``<scope>/design/``): the tables and figures under those names, key figures
``mde_did`` and ``power_did_simulated``, texts ``headline`` (the first answer) and ``finding_<name>``
(each further answer: one bullet each in the reports).

Example
-------
>>> output = analyse(dataset, n_treated=30, n_control=60)      # doctest: +SKIP
>>> print("\\n".join(sentences(output, "cs")))                    # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import ConfigError, DataError, EstimationError
from evaluation.results import Result
from evaluation.runner.strands._common import (
    Collector,
    Reason,
    StrandOutput,
    no_rows,
    store_result,
    store_skipped,
)

DESIGN_KINDS = ("all", "did", "event_study", "two_means", "two_proportions", "logrank")
PROGRAMME_STEPS = ("crisis", "social", "affordable", "housing_first")

TITLES = {
    "covariance": ("Rozptyl a průměrné kovariance reziduí v čase (neléčené výsledky)",
                   "Residual variance and average covariances over time (untreated outcomes)"),
    "did_analytic": ("Minimální zjistitelný efekt: rozdíl v rozdílech (analyticky, BPW)",
                     "Minimum detectable effect: difference-in-differences (analytic, BPW)"),
    "did_simulation": ("Síla testu rozdílu v rozdílech simulací (placebo pokusy, postupný vstup kohort)",
                       "Power of the difference-in-differences by simulation (placebo experiments, staggered cohorts)"),
    "event_study": ("Minimální zjistitelný efekt v posledním měsíci po vstupu (studie událostí)",
                    "Minimum detectable effect in the last month after entry (event study)"),
    "two_means": ("Randomizované srovnání výsledku v jednom měření", "Randomised comparison of one follow-up"),
    "retention_proportions": ("Udržení bydlení v daném měsíci: srovnání podílů",
                              "Retention at the horizon: two proportions"),
    "retention_logrank": ("Udržení bydlení: log-rank test (poměr rizik ztráty bydlení)",
                          "Retention: log-rank test (hazard ratio of losing the home)"),
}
FIGURES = {
    "did_analytic": ("Minimální zjistitelný efekt podle počtu domácností", "Minimum detectable effect by households"),
    "did_simulation": ("Síla testu simulací podle počtu domácností", "Simulated power by households"),
    "retention_logrank": ("Síla log-rank testu podle počtu domácností", "Power of the log-rank test by households"),
}


def _check_kind(design_kind: str) -> None:
    if design_kind not in DESIGN_KINDS:
        raise ConfigError(f"design_kind must be one of {', '.join(DESIGN_KINDS)} (got {design_kind!r})")


def _month_index(months: pd.Series) -> np.ndarray:
    m = pd.to_datetime(months)
    first = m.min()
    return ((m.dt.year - first.year) * 12 + (m.dt.month - first.month)).to_numpy()


def untreated_panel(data: Any, outcome: str) -> pd.DataFrame:
    """Household-months no programme touched: comparison households throughout, programme households
    before the month they first entered a programme flat (columns ``household_id``, ``month`` as a
    month number, ``outcome``)."""
    outcomes = data["household_outcomes"]
    if outcome not in outcomes.columns:
        raise ConfigError(f"outcome {outcome!r} is not a column of table 'household_outcomes'")
    frame = outcomes[["household_id", "month", outcome]].dropna()
    entry = pd.Series(dtype="datetime64[ns]")
    if data.has("tenancies"):
        spells = data["tenancies"]
        in_programme = spells["step"].astype(object).isin(PROGRAMME_STEPS)
        entry = spells.loc[in_programme].groupby("household_id", observed=True)["start_date"].min()
    first = frame["household_id"].map(entry)
    month_start = pd.to_datetime(frame["month"]).dt.to_period("M").dt.to_timestamp()
    entry_month = pd.to_datetime(first).dt.to_period("M").dt.to_timestamp()
    keep = first.isna() | (month_start < entry_month)
    kept = frame.loc[keep.to_numpy()]
    return pd.DataFrame({"household_id": kept["household_id"].astype(str).to_numpy(),
                         "month": _month_index(kept["month"]), outcome: kept[outcome].astype(float).to_numpy()})


def ar1_fit(panel: pd.DataFrame, outcome: str, length: int = 36) -> tuple[float, float]:
    """Variance and lag-1 coefficient of AR(1) errors from two-way fixed-effects residuals of the
    units observed in the last ``length`` months (an approximation: the fixed effects bias the
    lag-1 correlation down by about (1 + rho) / length)."""
    from evaluation.design.panel import two_way_residuals

    wide = panel.pivot(index="household_id", columns="month", values=outcome).sort_index(axis=1)
    wide = wide.iloc[:, -min(length, wide.shape[1]):].dropna()
    if wide.shape[0] < 3 or wide.shape[1] < 3:
        raise EstimationError("too few households observed in every month to fit serial correlation")
    e = two_way_residuals(wide.to_numpy(float))
    rho = float(np.sum(e[:, 1:] * e[:, :-1]) / np.sum(e[:, :-1] ** 2))
    variance = float(np.mean(e ** 2) * e.shape[1] / (e.shape[1] - 1))
    return variance, min(max(rho, -0.99), 0.99)


def comparison_retention(data: Any, horizon: float) -> float:
    """Kaplan–Meier share of comparison households still housed at ``horizon`` months."""
    from evaluation.retention import KaplanMeier, housing_episodes

    episodes = housing_episodes(data).data
    if "group" not in episodes:
        raise EstimationError("the households have no group column to find the comparison group")
    comparison = episodes[episodes["group"].astype(str) == "comparison"]
    if comparison.empty:
        raise EstimationError("the data have no comparison households")
    fit = KaplanMeier(times=(horizon,)).fit(comparison["exit_time"], comparison["event"].astype(int),
                                            entry=comparison["entry"])
    value = float(fit.tidy()["estimate"].iloc[0])
    if not np.isfinite(value):
        raise EstimationError(f"the comparison households are not followed for {horizon:g} months")
    return value


def _estimable(compute: Callable[[], Result]) -> Callable[[], Result]:
    """Run ``compute``; a data problem of a planning calculation is reported, not fatal."""
    def run() -> Result:
        try:
            return compute()
        except DataError as error:
            raise EstimationError(str(error)) from None
    return run


def analyse(data: Any, *, lang: str = "cs", seed: int = 2019, design_kind: str = "all", n_treated: int = 30,
            n_control: int = 60, effect: float | None = None, power: float = 0.8, alpha: float = 0.05,
            icc: float = 0.0, cluster_size: float = 1, pre_periods: int = 12, post_periods: int = 24,
            entry_offsets: Sequence[int] = (0, 8, 16), outcome: str = "arrears_czk",
            hazard_ratio: float | None = None, control_retention: float | None = None,
            programme_retention: float | None = None, retention_horizon_months: float = 12,
            simulations: int = 200) -> StrandOutput:
    """Power and minimum detectable effects of the planned design on ``data`` (see the module docstring)."""
    from evaluation import design

    _check_kind(design_kind)
    if n_treated < 1 or n_control < 1:
        raise ConfigError("n_treated and n_control must both be at least 1")
    run = Collector("design", data)
    n = n_treated + n_control
    share = n_treated / n
    wanted = (lambda kind: design_kind in ("all", kind))
    # the power of a given effect, or the minimum detectable effect at the given power
    target = None if effect is not None else power
    panel_needs = ("household_outcomes",)
    frame = None
    if any(wanted(kind) for kind in ("did", "event_study", "two_means")):
        if run.has_rows(*panel_needs):
            frame = untreated_panel(data, outcome)
        else:
            for name in ("covariance", "did_analytic", "did_simulation", "event_study", "two_means"):
                run.skip(name, no_rows(panel_needs))
    if frame is not None:
        if wanted("did"):
            cov = run.run("covariance", panel_needs, _estimable(lambda: design.estimate_covariance(
                frame, outcome, "household_id", "month", pre=pre_periods, post=post_periods, seed=seed)))
            if cov is None:
                run.skip("did_analytic", run.skipped["covariance"])
            else:
                analytic = run.run("did_analytic", panel_needs, _estimable(lambda: design.did_power(
                    effect, n, target, pre=pre_periods, post=post_periods, covariance=cov, treated_share=share,
                    alpha=alpha, icc=icc, cluster_size=cluster_size)))
                if analytic is not None:
                    run.run("did_simulation", panel_needs, _estimable(lambda: design.simulate_did_power(
                        frame, outcome, "household_id", "month", effect=analytic.effect, n=n, pre=pre_periods,
                        post=post_periods, treated_share=share, entry_offsets=entry_offsets, simulations=simulations,
                        alpha=alpha, seed=seed)))
            if "did_simulation" not in run.results and "did_simulation" not in run.skipped:
                run.skip("did_simulation", run.skipped.get("did_analytic", run.skipped.get("covariance", "")))
        if wanted("event_study"):
            def event_study() -> Result:
                variance, rho = ar1_fit(frame, outcome)
                return design.event_study_power(effect, n, target, pre=pre_periods, post=post_periods,
                                                event_time=post_periods - 1, variance=variance, ar1=rho,
                                                treated_share=share, alpha=alpha, icc=icc, cluster_size=cluster_size)
            run.run("event_study", panel_needs, _estimable(event_study))
        if wanted("two_means"):
            sd = float(frame.groupby("month")[outcome].std().mean())
            run.run("two_means", panel_needs, _estimable(lambda: design.two_means(
                effect, n, target, sd=sd, allocation=n_treated / n_control, alpha=alpha, icc=icc,
                cluster_size=cluster_size)))
    if wanted("two_proportions") or wanted("logrank"):
        names = [name for name, kind in (("retention_proportions", "two_proportions"), ("retention_logrank", "logrank"))
                 if wanted(kind)]
        retention, reason = control_retention, None
        if retention is None:
            try:
                retention = comparison_retention(data, retention_horizon_months)
            except (EstimationError, DataError, KeyError) as error:
                reason = Reason(f"the comparison group's retention could not be estimated ({error}); give "
                                "control_retention", "udržení bydlení ve srovnávací skupině nešlo odhadnout "
                                f"(technický detail: „{error}“); zadejte control_retention")
        if retention is None:
            for name in names:
                run.skip(name, reason)
        else:
            if "retention_proportions" in names:
                run.run("retention_proportions", (), _estimable(lambda: design.two_proportions(
                    retention, programme_retention, n, None if programme_retention is not None else power,
                    allocation=n_treated / n_control, alpha=alpha, icc=icc, cluster_size=cluster_size)))
            if "retention_logrank" in names:
                run.run("retention_logrank", (), _estimable(lambda: design.logrank(
                    hazard_ratio, n, None if hazard_ratio is not None else power, allocation=n_treated / n_control,
                    alpha=alpha, control_survival=retention, survival_time=retention_horizon_months)))
    return run.output()


def sentences(output: StrandOutput, lang: str = "cs") -> list[str]:
    """The answer of every calculation, one sentence each, in ``lang``."""
    return [result.sentence(lang) for result in output.results.values() if hasattr(result, "sentence")]


def save(session: Any, output: StrandOutput) -> None:
    """Store the design results under their stable names (see the module docstring)."""
    for name, titles in TITLES.items():
        if name not in output:
            continue
        result = output[name]
        labels = result.column_labels() if hasattr(result, "column_labels") else None
        store_result(session, output, name, titles, figure=FIGURES.get(name), lang=session.lang,
                     column_labels=labels)
    if "did_analytic" in output:
        res = output["did_analytic"]
        if res.solved_for == "effect" and "effect" in res.tidy().columns:
            session.store.add_key_figure("mde_did", table="did_analytic", column="effect",
                                         label_cs="Minimální zjistitelný efekt (rozdíl v rozdílech)",
                                         label_en="Minimum detectable effect (difference-in-differences)")
    if "did_simulation" in output and "power" in output["did_simulation"].tidy().columns:
        session.store.add_key_figure("power_did_simulated", table="did_simulation", column="power",
                                     label_cs="Síla testu simulací", label_en="Power by simulation", unit="%",
                                     decimals=0)
    answered = [name for name, result in output.results.items() if hasattr(result, "sentence")]
    for index, name in enumerate(answered):
        result = output[name]
        session.store.add_text("headline" if index == 0 else f"finding_{name}", result.sentence("cs"),
                               result.sentence("en"))
    store_skipped(session, output, TITLES)


__all__ = ["DESIGN_KINDS", "analyse", "ar1_fit", "comparison_retention", "save", "sentences", "untreated_panel"]
