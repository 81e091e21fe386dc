"""A robustness panel of event studies: TWFE beside the heterogeneity-robust estimators.

``robustness_panel`` runs, on one staggered-adoption panel, the binned TWFE event study and
static TWFE, Callaway & Sant'Anna (dynamic and simple aggregation), Sun & Abraham, Gardner's
two-stage DiD and the Borusyak–Jaravel–Spiess imputation estimator, plus the Goodman-Bacon
decomposition of the TWFE coefficient (balanced panels without covariates). The result lays
them side by side: ``tidy()`` (long), ``table()`` (one column per estimator, as fixest's
``etable``), ``plot()`` (all event studies overlaid with offsets, as ggiplot / did2s's
comparison plots) and ``explain()`` (why TWFE differs, in Czech or English).

Estimands differ slightly: the static ATT of TWFE weights treated observations by the
variance of the residualised treatment; Sun–Abraham, two-stage and imputation weight them
equally; Callaway & Sant'Anna's simple ATT weights cohorts by their size. Pre-entry
coefficients differ in kind too: TWFE and Sun–Abraham are relative to event time −1,
Callaway & Sant'Anna's (varying base) compare consecutive periods, two-stage's are mean
residuals of the untreated model, and imputation's come from its own pre-trend regression.

Example
-------
>>> res = robustness_panel(panel, "evictions_per_1000", "municipality", "period",
...                        "pilot_start_period", leads=4, lags=6)  # doctest: +SKIP
>>> res.table(); res.plot(lang="en"); print(res.explain("cs"))  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import EstimationError
from evaluation.impact._design import period_codes
from evaluation.impact._robust_common import phrase, plot_event_times
from evaluation.impact.bacon import BaconResult, bacon_decomposition
from evaluation.impact.event_study import EventStudyResult, event_study
from evaluation.impact.imputation import ImputationResult, imputation
from evaluation.impact.staggered import staggered_did
from evaluation.impact.staggered_aggregate import AggregateResult
from evaluation.impact.sun_abraham import SunAbrahamResult, sun_abraham
from evaluation.impact.twfe import TWFEResult, twfe
from evaluation.impact.two_stage import TwoStageResult, two_stage
from evaluation.results import Result

#: Estimator keys in display order (phrase keys of the chart words).
ESTIMATORS = ("twfe", "callaway_santanna", "sun_abraham", "two_stage", "imputation")
COLUMNS = ["term", "estimate", "std_error", "conf_low", "conf_high", "p_value", "event_time"]


@dataclass(frozen=True)
class RobustnessPanelResult(Result):
    """Every estimator's result on one panel, and the comparisons built from them."""

    outcome: str
    twfe: TWFEResult
    event_study: EventStudyResult
    callaway_santanna: AggregateResult
    callaway_santanna_simple: AggregateResult
    sun_abraham: SunAbrahamResult
    two_stage: TwoStageResult
    imputation: ImputationResult
    bacon: BaconResult | None
    alpha: float
    notes: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return f"Robustness panel of event studies: {self.outcome}"

    def _event_tables(self) -> dict[str, pd.DataFrame]:
        es = self.event_study.tidy()
        cs = self.callaway_santanna.table.assign(term=lambda t: [f"e={int(e):+d}".replace("+0", "0")
                                                                 for e in t["event_time"]])
        return {
            "twfe": es.assign(term=[_plain_term(e) for e in es["event_time"]]),
            "callaway_santanna": cs.assign(reference=False),
            "sun_abraham": self.sun_abraham.table.assign(
                term=[_plain_term(e) for e in self.sun_abraham.table["event_time"]]),
            "two_stage": self.two_stage.table,
            "imputation": pd.concat([self.imputation.pretrend_table.assign(reference=False),
                                     self.imputation.table], ignore_index=True),
        }

    def _overall(self) -> dict[str, tuple[float, float, float, float, float]]:
        simple = self.callaway_santanna_simple
        row = {"twfe": self.twfe.coefficients.set_index("term").loc[self.twfe.term]}
        out = {"twfe": tuple(float(row["twfe"][c]) for c in COLUMNS[1:6]),
               "callaway_santanna": (simple.overall_estimate, simple.overall_std_error,
                                     simple.overall_conf_low, simple.overall_conf_high,
                                     simple.overall_p_value)}
        for key in ("sun_abraham", "two_stage", "imputation"):
            overall = getattr(self, key).overall.iloc[0]
            out[key] = tuple(float(overall[c]) for c in COLUMNS[1:6])
        return out

    def tidy(self) -> pd.DataFrame:
        """Long table: ``estimator``, the estimate columns, ``event_time`` (missing for the ATT)."""
        frames = []
        for key, table in self._event_tables().items():
            part = table.reindex(columns=COLUMNS + ["reference"]).copy()
            part["reference"] = part["reference"].fillna(False).astype(bool)
            frames.append(part.assign(estimator=key))
        for key, values in self._overall().items():
            frames.append(pd.DataFrame([dict(zip(COLUMNS, ("ATT", *values, np.nan)),
                                             reference=False, estimator=key)]))
        table = pd.concat(frames, ignore_index=True)
        return table[["estimator"] + COLUMNS + ["reference"]]

    def table(self, lang: str = "en", digits: int = 3) -> pd.DataFrame:
        """Side by side (fixest ``etable``): rows are event times and the ATT, columns the
        estimators, cells ``estimate (std. error)``; the reference period reads ``0 (ref.)``."""
        from evaluation.reporting.formatting import format_number

        long = self.tidy()

        def cell(row: pd.Series) -> str:
            if row["reference"]:
                return "0 (ref.)"
            if pd.isna(row["estimate"]):
                return ""
            return (f"{format_number(row['estimate'], lang, digits)} "
                    f"({format_number(row['std_error'], lang, digits)})")

        long["cell"] = long.apply(cell, axis=1)
        long["order"] = long["event_time"].fillna(np.inf)
        wide = long.pivot_table(index=["order", "term"], columns="estimator", values="cell",
                                aggfunc="first").reset_index().drop(columns="order")
        wide.columns.name = None
        wide = wide.rename(columns={k: phrase(k, lang) for k in ESTIMATORS})
        return wide[["term"] + [phrase(k, lang) for k in ESTIMATORS]].fillna("")

    def explain(self, lang: str = "cs") -> str:
        """Why TWFE and the heterogeneity-robust estimates differ: the Goodman-Bacon weights on
        forbidden comparisons, and the baseline (last pre-entry period or all of them)."""
        from evaluation.reporting.formatting import format_number

        reference = self.callaway_santanna_simple.overall_estimate
        imputed = self.imputation.estimate

        def num(x: float) -> str:
            return format_number(x, lang, 3)

        if self.bacon is not None:
            text = self.bacon.explain(lang, reference=reference)
            shift = self.bacon.twfe_estimate - self.bacon.clean_estimate
            text += (f" Zakázaná srovnání posouvají TWFE o {num(shift)}." if lang == "cs" else
                     f" Forbidden comparisons shift TWFE by {num(shift)}.")
        elif lang == "cs":
            text = (f"Rozdíl TWFE a Callaway & Sant'Anna je {num(self.twfe.estimate - reference)}; rozklad "
                    "Goodman-Bacon vyžaduje vyvážený panel bez kovariát, zde jej nelze spočítat.")
        else:
            text = (f"TWFE differs from Callaway & Sant'Anna by {num(self.twfe.estimate - reference)}; the "
                    "Goodman-Bacon decomposition needs a balanced panel without covariates and is not "
                    "available here.")
        if lang == "cs":
            return text + (f" Imputační a dvoustupňový odhad ({num(imputed)}) berou jako výchozí stav "
                           "průměr všech období před vstupem (jako TWFE), Callaway & Sant'Anna a Sun & "
                           "Abraham jen poslední období před vstupem; jejich rozdíl "
                           f"({num(imputed - reference)}) pochází z odchylek před vstupem, ne ze "
                           "zakázaných srovnání.")
        return text + (f" The imputation and two-stage estimates ({num(imputed)}) take the average of all "
                       "pre-entry periods as the baseline (as TWFE does), Callaway & Sant'Anna and Sun & "
                       f"Abraham only the last period before entry; their difference ({num(imputed - reference)}) "
                       "comes from pre-entry deviations, not from forbidden comparisons.")

    def summary(self) -> str:
        with pd.option_context("display.width", 160, "display.max_columns", 20):
            body = self.table().to_string(index=False)
        lines = [self.title, "=" * len(self.title), body, "", self.explain("en")]
        if self.notes:
            lines += [""] + [f"* {note}" for note in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (f"<div class='evaluation-result'><h4>{html.escape(self.title)}</h4>"
                + self.table().to_html(index=False, border=0)
                + f"<p>{html.escape(self.explain('en'))}</p>" + (f"<ul>{notes}</ul>" if notes else "")
                + "</div>")

    def plot(self, ax: Any = None, *, lang: str = "cs", time_unit: str = "period",
             estimators: Sequence[str] = ESTIMATORS, **kwargs: Any) -> Any:
        """All event studies overlaid by event time, each shifted sideways, with intervals."""
        tables = self._event_tables()
        unknown = [e for e in estimators if e not in tables]
        if unknown:
            from evaluation.errors import ConfigError

            raise ConfigError(f"unknown estimator(s) {unknown}; choose from {', '.join(ESTIMATORS)}")
        return plot_event_times([(key, tables[key]) for key in estimators], ax=ax, lang=lang,
                                time_unit=time_unit, alpha=self.alpha, **kwargs)


def _plain_term(e: float) -> str:
    return "e=0" if int(e) == 0 else f"e={int(e):+d}"


def robustness_panel(data: pd.DataFrame, outcome: str, unit: str, time: str, first_treated: str, *,
                     leads: int | None = None, lags: int | None = None,
                     covariates: Sequence[str] = (), cluster: str | None = None,
                     control_group: str = "never_treated", alpha: float = 0.05,
                     quiet: bool = True) -> RobustnessPanelResult:
    """Run every event-study estimator on one panel and return them side by side.

    ``first_treated``: each unit's first treated period (missing or 0: never treated);
    ``leads``/``lags``: the event window shown (every estimator uses the same one);
    ``control_group``: "never_treated" or "not_yet_treated" for Callaway & Sant'Anna (Sun &
    Abraham then uses the never-treated or the last-treated cohort); errors clustered by
    ``cluster`` (default: the unit). ``quiet`` silences the estimators' documented warnings
    (few clusters, staggered timing): they remain in each result's notes.
    """
    frame = data.copy()
    first = period_codes(frame[first_treated], first_treated)
    period = period_codes(frame[time], time)
    treated_column = "__treated__"
    frame[treated_column] = ((first > 0) & (period >= first)).astype(float)
    common = {"cluster": cluster, "alpha": alpha}
    with warnings.catch_warnings():
        if quiet:
            warnings.simplefilter("ignore")
        static = twfe(frame, outcome, treated_column, unit, time, covariates=covariates, **common)
        dynamic = event_study(frame, outcome, unit, time, first_treated, leads=leads, lags=lags,
                              covariates=covariates, **common)
        cs = staggered_did(frame, outcome, unit, time, first_treated, covariates=covariates,
                           control_group=control_group, cluster=cluster, alpha=alpha, bootstrap=False,
                           allow_unbalanced=True)
        cs_dynamic = cs.aggregate("dynamic", min_e=-leads if leads is not None else -np.inf,
                                  max_e=lags if lags is not None else np.inf)
        cs_simple = cs.aggregate("simple")
        sa = sun_abraham(frame, outcome, unit, time, first_treated, leads=leads, lags=lags,
                         covariates=covariates,
                         control="never_treated" if control_group == "never_treated" else "last_treated",
                         **common)
        gardner = two_stage(frame, outcome, unit, time, first_treated, leads=leads, lags=lags,
                            covariates=covariates, **common)
        bjs = imputation(frame, outcome, unit, time, first_treated, lags=lags,
                         pretrend_leads=min(leads, 5) if leads else None, covariates=covariates,
                         **common)
    notes = []
    try:
        bacon = None if covariates else bacon_decomposition(frame, outcome, unit, time,
                                                            treatment=treated_column)
    except EstimationError as error:
        bacon = None
        notes.append(f"Goodman-Bacon decomposition not available: {error}")
    if covariates:
        notes.append("Goodman-Bacon decomposition not computed: it is defined here without covariates")
    notes.append("TWFE column: binned event study (end points binned) and the static TWFE coefficient; "
                 "Callaway & Sant'Anna: dynamic aggregation and simple ATT, analytic errors")
    return RobustnessPanelResult(outcome=outcome, twfe=static, event_study=dynamic,
                                 callaway_santanna=cs_dynamic, callaway_santanna_simple=cs_simple,
                                 sun_abraham=sa, two_stage=gardner, imputation=bjs, bacon=bacon,
                                 alpha=alpha, notes=tuple(notes))
