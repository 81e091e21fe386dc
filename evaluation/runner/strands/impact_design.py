"""The impact strand's design-aware analyses of the municipality panel: the design decides the method.

* **One treated municipality** (a per-municipality run: that pilot against the municipalities
  without a pilot). A difference-in-differences cannot identify the effect of one place
  (its interval reflects the comparison units' variation only), so the strand fits a
  **synthetic control** (Abadie, Diamond & Hainmueller 2010; the pre-period outcome path as
  predictors) with **placebo-in-space** inference — every donor in turn treated as if it had
  the programme — and **synthetic difference-in-differences** (Arkhangelsky et al. 2021) with
  placebo standard errors as a check. The synthetic control's interval inverts the placebo
  distribution: the placebo effects of the donors estimate what the estimator gives without a
  programme, so ``[ATT - q(1-α/2), ATT - q(α/2)]`` of the donors' placebo ATTs (as the placebo
  variance of Arkhangelsky et al., Algorithm 4, uses the same draws for a standard error).
* **A few treated municipalities.** :func:`evaluation.impact.few_cluster_inference` measures the
  design (treated and control clusters, their size and noise) and chooses between the wild
  cluster bootstrap and randomisation inference (MacKinnon & Webb 2020); the chosen one is the
  TWFE check beside Callaway–Sant'Anna.
* **Staggered adoption with several treated municipalities:** the robustness panel (TWFE event
  study, Callaway–Sant'Anna, Sun–Abraham, Gardner's two-stage DiD, Borusyak–Jaravel–Spiess
  imputation, and the Goodman-Bacon decomposition of TWFE), and HonestDiD (Rambachan & Roth 2023)
  on its event study: the breakdown value M̄ of the relative-magnitudes restriction for the
  average post-entry effect.

Draws are the run's: ``bootstrap_draws`` for the wild bootstrap and randomisation inference,
``placebo_draws`` for the synthetic DiD's placebo standard error.

Example
-------
>>> outcomes = panel_outcomes(load_questions())              # doctest: +SKIP
>>> outcomes["evictions"].column
'evictions_per_1000'
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import EstimationError

#: Counts of the municipality panel that compare across places only per 1,000 inhabitants.
RATE_COLUMNS = ("evictions", "households_in_need", "shelter_nights", "children_in_care")
#: Result names of the evictions question (kept from before the questions were declared).
LEGACY = {"staggered_municipalities": "evictions"}
#: Primary results of questions on the national ORP panel (``staggered_orp_<outcome>``), analysed by
#: :mod:`evaluation.runner.strands.impact_national`.
ORP_PREFIX = "staggered_orp_"
#: Short names of panel columns in result names.
ALIASES = {"shelter": "shelter_nights", "need": "households_in_need"}
#: Most event times shown before and after the start in the municipality robustness panel (years).
PANEL_LEADS, PANEL_LAGS = 4, 4


@dataclass(frozen=True)
class PanelOutcome:
    """A municipality-panel outcome an effect question asks about, and the names its results are
    stored under: ``primary`` (Callaway–Sant'Anna), ``check`` (the few-cluster TWFE check)."""

    question: str
    source: str
    primary: str
    check: str

    @property
    def column(self) -> str:
        return f"{self.source}_per_1000" if self.source in RATE_COLUMNS else self.source

    @property
    def suffix(self) -> str:
        return "" if self.primary == "staggered_municipalities" else "_" + self.primary.removeprefix("staggered_")

    def name(self, kind: str) -> str:
        """Stored name of this outcome's ``kind`` of result (``synthetic_control``, ``sdid``, ...)."""
        return kind + self.suffix

    @property
    def orp(self) -> bool:
        """Whether the question is about the national ORP panel (not the municipality panel)."""
        return self.primary.startswith(ORP_PREFIX)


def _source(result: str, columns: Any) -> str | None:
    if result in LEGACY:
        return LEGACY[result]
    base = result.removeprefix(ORP_PREFIX).removeprefix("staggered_")
    if base in columns:
        return base
    alias = ALIASES.get(base)
    return alias if alias in columns else None


def _columns(table: str) -> list[str]:
    from evaluation.data.schema import get_schema

    return [f.name for f in get_schema().table(table).fields]


def panel_outcomes(questions: Any, columns: Any = None) -> dict[str, PanelOutcome]:
    """The effect questions the municipality panel answers (primary analysis a staggered DiD of a
    panel column), by question id."""
    if columns is None:
        columns = _columns("municipality_panel")
    found = {}
    for q in questions.effects():
        if q.primary.strand != "impact" or not q.primary.result.startswith("staggered_"):
            continue
        if q.primary.result == "staggered_households":
            continue
        orp = q.primary.result.startswith(ORP_PREFIX)
        source = _source(q.primary.result, _columns("orp_panel") if orp else columns)
        if source is None:
            continue
        check = next((a.result for a in q.robustness if a.strand == "impact"), f"wild_bootstrap_{source}")
        found[q.id] = PanelOutcome(q.id, source, q.primary.result, check)
    return found


def add_rates(panel: pd.DataFrame) -> pd.DataFrame:
    """Per-1,000 rates of the count columns (a rate, so that places of any size compare)."""
    for column in RATE_COLUMNS:
        if column in panel:
            panel[f"{column}_per_1000"] = pd.to_numeric(panel[column], errors="coerce") / panel["population"] * 1_000
    return panel


def treated_places(panel: pd.DataFrame) -> list[str]:
    return sorted(map(str, panel.loc[panel["first_year"] > 0, "municipality"].unique()))


def complete(panel: pd.DataFrame, column: str, unit: str = "municipality") -> pd.DataFrame:
    """The rows with the outcome; places without it in every year are left out (the synthetic
    estimators need a balanced panel)."""
    rows = panel.dropna(subset=[column])
    years = rows["period"].nunique()
    full = rows.groupby(unit, observed=True)["period"].transform("nunique") == years
    return rows.loc[full].reset_index(drop=True)


# ------------------------------------------------------------------------------ one treated place
def synthetic_control(panel: pd.DataFrame, column: str, unit: str = "municipality") -> Any:
    from evaluation.impact import synthetic_control as fit

    data = complete(panel, column, unit)
    if data.loc[data["treated_post"] > 0, unit].nunique() != 1:
        raise EstimationError("the synthetic control needs exactly one treated unit with the outcome "
                              "in every period")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit(data, column, unit, "period", treatment="treated_post")


def synthetic_did(panel: pd.DataFrame, column: str, draws: int, seed: int, unit: str = "municipality") -> Any:
    from evaluation.impact import synthetic_did as fit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit(complete(panel, column, unit), column, unit, "period", "treated_post",
                   se_method="placebo", replications=draws, seed=seed)


def sc_estimate(sc: Any, placebo: Any) -> Any:
    """The synthetic control as a findings Estimate: the ATT with the interval inverted from the
    donors' placebo ATTs and the placebo-in-space p-value (post/pre RMSPE ratio rank)."""
    from evaluation.findings import Estimate

    table = placebo.included
    atts = table.loc[~table["treated"].astype(bool), "att"].to_numpy(float)
    atts = atts[np.isfinite(atts)]
    if atts.size < 2:
        raise EstimationError("placebo-in-space inference needs at least two donors with a placebo estimate")
    alpha = sc.alpha
    low_q, high_q = np.quantile(atts, [alpha / 2, 1 - alpha / 2])
    estimate = float(sc.estimate)
    return Estimate("synthetic_control", estimate, estimate - float(high_q), estimate - float(low_q),
                    p_value=float(placebo.p_value), std_error=float(np.std(atts, ddof=1)), alpha=alpha, n_treated=1,
                    n_units=len(table), n_pre_periods=int(np.sum(sc.pre)),
                    label_cs="syntetická kontrola (placebo v prostoru)",
                    label_en="synthetic control (placebo in space)")


def sdid_estimate(res: Any) -> Any:
    from evaluation.findings import Estimate

    row = res.tidy().iloc[0]
    return Estimate("synthetic_did", float(row["estimate"]), float(row["conf_low"]), float(row["conf_high"]),
                    p_value=float(row["p_value"]), std_error=float(row["std_error"]), alpha=res.alpha,
                    n_treated=int(row["n_treated"]) if pd.notna(row.get("n_treated")) else 1)


def synthetic_fit(sc: Any) -> Any:
    """Pre-entry fit of the synthetic control (RMSPE against the treated place's mean level)."""
    from evaluation.findings import SyntheticFit

    pre = np.asarray(sc.pre, bool)
    treated = np.asarray(sc.treated_path, float)
    return SyntheticFit(float(sc.pre_rmspe), float(np.mean(treated[pre])), int(pre.sum()), len(sc.donors))


def placebo_gaps(placebo: Any) -> pd.DataFrame:
    """Long table of the gap paths (treated place first, then the placebos numbered): the figure's data."""
    gaps = placebo.gaps
    included = set(placebo.included["unit"])
    rows = []
    for index, unit in enumerate(gaps.columns):
        if unit not in included:
            continue
        role = "treated" if index == 0 else "placebo"
        label = str(unit) if index == 0 else f"placebo {index}"
        rows += [{"period": int(p), "series": label, "role": role, "gap": float(g)}
                 for p, g in zip(gaps.index, gaps[unit].to_numpy(float))]
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------ few treated places
def inference_choice(panel: pd.DataFrame, column: str) -> Any:
    from evaluation.impact import few_cluster_inference

    return few_cluster_inference(panel.dropna(subset=[column]), column, "period", "municipality",
                                 first_treated="first_year")


def twfe_check(panel: pd.DataFrame, column: str, choice: Any, draws: int, seed: int) -> Any:
    """The TWFE check with the inference the design calls for: randomisation inference (studentised
    statistic) or the wild cluster bootstrap (restricted, the chosen weights)."""
    from evaluation.impact import randomization_inference, wild_cluster_bootstrap

    data = panel.dropna(subset=[column])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if choice is not None and choice.method == "randomization":
            return randomization_inference(data, column, "municipality", "period", first_treated="first_year",
                                           statistic=choice.statistic or "t", n_permutations=draws, seed=seed)
        weights = (choice.weights if choice is not None and choice.weights else "rademacher")
        return wild_cluster_bootstrap(data, f"{column} ~ treated_post", "treated_post", "municipality", B=draws,
                                      seed=seed, fixed_effects=["municipality", "period"], weights=weights)


def robustness(panel: pd.DataFrame, column: str) -> Any:
    from evaluation.impact import robustness_panel

    return robustness_panel(panel.dropna(subset=[column]), column, "municipality", "period", "first_year",
                            leads=PANEL_LEADS, lags=PANEL_LAGS)


def sensitivity(event_study: Any, *, pre: int | None = None, post: int | None = None) -> Any:
    """HonestDiD relative magnitudes (C-LF) for the average of the first ``post`` post-entry
    coefficients, with the last ``pre`` pre-entry ones (before the reference period -1) bounding
    the violation: a long monthly window is cut to these (the conditional test enumerates the
    vertices of a polytope that grows with the number of coefficients)."""
    from evaluation.impact import honest_did

    vcov = event_study.event_time_vcov.to_numpy()  # aligned with the rows that have an event time
    rows = event_study.coefficients[event_study.coefficients["event_time"].notna()]
    times = rows["event_time"].to_numpy(float)
    keep = ~rows["term"].isin(event_study.pooled_terms).to_numpy() & ((times <= -2) | (times >= 0))
    if pre is not None:
        keep &= times >= -pre - 1
    if post is not None:
        keep &= times < post
    if not ((times[keep] <= -2).any() and (times[keep] >= 0).any()):
        raise EstimationError("HonestDiD needs at least one pre-entry coefficient besides the reference and one "
                              "post-entry coefficient")
    beta = pd.Series(rows["estimate"].to_numpy(float)[keep], index=times[keep])
    sigma = vcov[np.ix_(keep, keep)]
    n_post = int((beta.index >= 0).sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return honest_did(beta, sigma, restriction="relative_magnitude", e=list(range(n_post)),
                          lf_draws=2_000, grid_points=200)


def overlay_table(panel_result: Any) -> pd.DataFrame:
    """Every estimator's event-time estimates in one long table (the overlay figure's data)."""
    frames = []
    for key, table in panel_result._event_tables().items():
        frame = table[["event_time", "estimate", "conf_low", "conf_high"]].copy()
        frame["reference"] = (table["reference"].astype(bool).to_numpy() if "reference" in table else False)
        frame["reference"] = frame["reference"].astype(int)  # 0/1: a published CSV reads "False" as text
        frame.insert(0, "estimator", key)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def draw_overlay(table: pd.DataFrame, ax: Any = None, lang: str = "cs", time_unit: str = "year",
                 **kwargs: Any) -> Any:
    """The robustness panel's event studies overlaid (drawn from :func:`overlay_table`)."""
    from evaluation.impact._robust_common import plot_event_times

    table = table.copy()
    if "reference" in table:
        table["reference"] = table["reference"].astype(str).str.strip().str.lower().isin(("1", "1.0", "true"))
    series = [(key, group.reset_index(drop=True)) for key, group in table.groupby("estimator", sort=False)]
    return plot_event_times(series, ax=ax, lang=lang, time_unit=time_unit, **kwargs)


_GAP_WORDS = {"gap": ("Rozdíl proti syntetické kontrole", "Gap to the synthetic control"),
              "placebos": ("placebo (obce bez programu)", "placebos (places without the programme)"),
              "year": ("Rok", "Year"), "month": ("Měsíc", "Month"), "start": ("začátek", "start")}


def draw_placebo_gaps(table: pd.DataFrame, ax: Any = None, lang: str = "cs", start: float | None = None,
                      time_unit: str = "year", **kwargs: Any) -> Any:
    """Gap paths of the treated place (bold) and of every placebo (grey), from :func:`placebo_gaps`.
    ``time_unit="month"``: periods are months since January 2000, labelled ``2026-07``."""
    import matplotlib.pyplot as plt

    from evaluation.reporting import plot_labels as pl

    i = 0 if lang == "cs" else 1
    ax = ax if ax is not None else plt.subplots(figsize=(7, 4))[1]
    first = True
    for _, group in table[table["role"] == "placebo"].groupby("series", sort=False):
        ax.plot(group["period"], group["gap"], color="0.75", linewidth=0.6,
                label=_GAP_WORDS["placebos"][i] if first else None)
        first = False
    treated = table[table["role"] == "treated"]
    if len(treated):
        ax.plot(treated["period"], treated["gap"], color="C3", linewidth=1.8, label=str(treated["series"].iloc[0]))
    ax.axhline(0.0, color="0.3", linewidth=0.8)
    if start is not None:
        ax.axvline(float(start) - 0.5, color="C3", linestyle="--", linewidth=0.8)
    ax.set_xlabel(_GAP_WORDS["month" if time_unit == "month" else "year"][i])
    if time_unit == "month":
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{2000 + int(x) // 12}-{int(x) % 12 + 1:02d}"))
    ax.set_ylabel(_GAP_WORDS["gap"][i])
    pl.number_axis(ax, lang, axis="y")
    ax.legend(fontsize="small", loc="best")
    return ax


_HONEST_WORDS = {"original": ("původní", "original"), "mbar": ("M̄ (relativní velikost porušení)",
                                                             "M̄ (relative magnitude of the violation)"),
                 "effect": ("Průměrný efekt po vstupu", "Average effect after entry"),
                 "robust": ("robustní 95% interval", "robust 95% interval"),
                 "original_ci": ("95% interval za paralelních trendů", "95% interval under parallel trends")}


def draw_honest(table: pd.DataFrame, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
    """HonestDiD sensitivity: the original interval and the robust ones against M̄ (from its tidy table)."""
    import matplotlib.pyplot as plt

    from evaluation.reporting import plot_labels as pl

    i = 0 if lang == "cs" else 1
    ax = ax if ax is not None else plt.subplots(figsize=(7, 4))[1]
    original = table[table["method"] == "original"]
    robust = table[table["method"] != "original"]
    values = robust["value"].to_numpy(float)
    step = float(np.min(np.diff(values))) if len(values) > 1 else 1.0
    x0 = (values.min() if len(values) else 0.0) - step
    if len(original):
        row = original.iloc[0]
        ax.errorbar([x0], [row["estimate"]], yerr=[[row["estimate"] - row["conf_low"]],
                                                   [row["conf_high"] - row["estimate"]]],
                    fmt="o", capsize=4, color="C3", label=_HONEST_WORDS["original_ci"][i])
    mid = (robust["conf_low"].to_numpy(float) + robust["conf_high"].to_numpy(float)) / 2
    ax.errorbar(values, mid, yerr=[mid - robust["conf_low"].to_numpy(float),
                                   robust["conf_high"].to_numpy(float) - mid],
                fmt="none", capsize=3, color="C0", label=_HONEST_WORDS["robust"][i])
    ax.axhline(0, color="0.4", linewidth=0.8)
    ax.set_xlabel(_HONEST_WORDS["mbar"][i])
    ax.set_ylabel(_HONEST_WORDS["effect"][i])
    pl.number_axis(ax, lang, axis="y")
    ax.legend(fontsize="small", loc="best")
    return ax


def check_results(output: Mapping[str, Any], outcome: PanelOutcome) -> list[Any]:
    """The stored check results of a panel outcome, in the order the findings list them."""
    names = dict.fromkeys([outcome.check, outcome.name("randomization"), outcome.name("sdid")])
    return [output[n] for n in names if n in output]


__all__ = ["PanelOutcome", "add_rates", "check_results", "complete", "draw_honest", "draw_overlay",
           "draw_placebo_gaps", "inference_choice", "overlay_table", "panel_outcomes", "placebo_gaps",
           "robustness", "sc_estimate", "sdid_estimate", "sensitivity", "synthetic_control", "synthetic_did",
           "synthetic_fit", "treated_places", "twfe_check"]
