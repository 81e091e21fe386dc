"""The evidence behind an effect finding, read from the estimators' results into plain records.

The grading rules need the same few numbers whatever estimator produced them: the estimate and
its interval, the number of treated units at the level of assignment, the pre-trend test, the
minimum detectable effect, a sensitivity analysis, a decomposition, the balance of the
comparison group. The records here hold them (:class:`Estimate`, :class:`Pretest`,
:class:`Sensitivity`, :class:`Decomposition`, :class:`Balance`, :class:`SyntheticFit`,
:class:`Attrition`); the ``*_of`` functions read them from the results of
:mod:`evaluation.impact` and :mod:`evaluation.design` (duck-typed, so that the findings engine
imports no estimator), or pass a record through unchanged.

Estimates read from each result (``estimate_of``):

========================================  =============================================================
result                                    estimate, interval, treated units
========================================  =============================================================
StaggeredDiDResult (Callaway–Sant'Anna)   the ``aggregation`` (default ``dynamic``) overall ATT; treated
                                          units = ever-treated clusters (units when not clustered);
                                          pre-periods = the fewest before any group's entry
AggregateResult                           its overall ATT (treated units unknown: give ``n_treated``)
DiDResult, TWFEResult                     the coefficient of ``term``; treated clusters counted from the
                                          design kept in the result
EventStudyResult                          the mean of the post-entry coefficients (e >= 0, binned end
                                          points left out) with its variance from ``event_time_vcov``
                                          and t(G - 1) intervals; treated units ``n_treated``
Sun–Abraham, two-stage, imputation        the overall ATT; treated units ``n_treated_units``
WildBootstrapResult                       the coefficient with the test-inverted interval (treated
                                          clusters: give ``n_treated``)
RandomizationResult                       the estimate with the test-inverted interval; treated clusters
ITTResult, CACEResult                     the headline row
========================================  =============================================================

Example
-------
>>> est = Estimate("callaway_santanna", -0.2, -0.43, 0.03, n_treated=16)
>>> est.direction, est.excludes_zero
('none', False)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from evaluation.errors import ConfigError
from evaluation.findings.sms import design_of, method_words

NAN = float("nan")


def finite(value: Any) -> bool:
    """Whether ``value`` is a finite number (None, text and NaN are not)."""
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Estimate:
    """One effect estimate: the estimator key (:data:`~evaluation.findings.sms.ESTIMATOR_DESIGNS`),
    the estimate and its ``1 - alpha`` interval, and the sample behind it. ``n_treated`` counts the
    treated units at the level of assignment (municipalities for a municipality panel, households
    for a household panel): the number that decides whether the design can identify an effect."""

    method: str
    estimate: float
    conf_low: float
    conf_high: float
    p_value: float = NAN
    std_error: float = NAN
    alpha: float = 0.05
    n_treated: int | None = None
    n_units: int | None = None
    n_clusters: int | None = None
    n_pre_periods: int | None = None
    label_cs: str = ""
    label_en: str = ""

    def __post_init__(self) -> None:
        design_of(self.method)
        if not (finite(self.estimate) and finite(self.conf_low) and finite(self.conf_high)):
            raise ConfigError(f"the {self.method} estimate needs a finite estimate and interval; got "
                              f"{self.estimate!r} ({self.conf_low!r}, {self.conf_high!r})")
        if self.conf_low > self.conf_high:
            raise ConfigError(f"the {self.method} interval is reversed: {self.conf_low!r} > {self.conf_high!r}")
        if not 0 < self.alpha < 1:
            raise ConfigError(f"alpha must lie between 0 and 1, not {self.alpha!r}")

    @property
    def excludes_zero(self) -> bool:
        return self.conf_low > 0 or self.conf_high < 0

    @property
    def direction(self) -> str:
        """``decrease`` or ``increase`` when the interval lies on one side of zero, else ``none``."""
        if self.conf_high < 0:
            return "decrease"
        if self.conf_low > 0:
            return "increase"
        return "none"

    @property
    def design(self) -> str:
        return design_of(self.method)

    def words(self, lang: str = "cs") -> str:
        """The estimator in words (the label given, else the estimator's)."""
        label = self.label_cs if lang == "cs" else self.label_en
        return label or method_words(self.method, lang)

    def overlaps(self, other: Estimate) -> bool:
        return self.conf_low <= other.conf_high and other.conf_low <= self.conf_high


#: The pre-tests of parallel trends in words: method -> (Czech, English).
PRETEST_WORDS = {
    "wald": ("Waldův test jako balík R did", "Wald test as R did"),
    "sup_t": ("sup-t test s multiplikátorovým bootstrapem", "sup-t test with the multiplier bootstrap"),
    "wald_bootstrap": ("Waldův test se studentizovaným wild bootstrapem", "Wald test with a studentised wild bootstrap"),
    "sup_t_bootstrap": ("sup-t test se studentizovaným wild bootstrapem",
                        "sup-t test with a studentised wild bootstrap"),
    "f": ("F test Hotellingova typu po kohortách", "Hotelling-type F test by cohort"),
    "f_leads": ("F test předstihů studie událostí", "F test of the event study's leads"),
    "f_untreated": ("test předtrendů na pozorováních mimo program (Borusyak, Jaravel, Spiess)",
                    "pre-trend test on untreated observations (Borusyak, Jaravel, Spiess)"),
}


@dataclass(frozen=True)
class Pretest:
    """A test of parallel trends before entry. ``n_treated`` is the smallest number of treated
    units behind it (a cohort's), ``reliable`` whether its reference distribution can be trusted
    with that many (R did's Wald test is not with few units; :mod:`evaluation.impact.staggered_pretest`)."""

    p_value: float
    method: str
    alpha: float = 0.05
    n_treated: int | None = None
    n_pre_periods: int | None = None
    reliable: bool = True
    label_cs: str = ""
    label_en: str = ""

    @property
    def available(self) -> bool:
        return finite(self.p_value)

    def words(self, lang: str = "cs") -> str:
        """The test in words (the label given, else the method's)."""
        label = self.label_cs if lang == "cs" else self.label_en
        if label:
            return label
        pair = PRETEST_WORDS.get(self.method, (self.method, self.method))
        return pair[0] if lang == "cs" else pair[1]

    @property
    def rejected(self) -> bool:
        return self.available and self.p_value < self.alpha


@dataclass(frozen=True)
class Sensitivity:
    """HonestDiD (Rambachan & Roth 2023): the breakdown value of a restriction (``relative_magnitude``:
    M̄; ``smoothness``: M), NaN when the robust set excludes zero up to ``upper``."""

    restriction: str
    breakdown: float
    upper: float = NAN

    @property
    def robust_to_pre_trends(self) -> bool:
        """M̄ >= 1 (or never breaks down): the effect survives post-entry violations as large as the
        largest pre-entry one (relative magnitudes only)."""
        if self.restriction != "relative_magnitude":
            return False
        return not finite(self.breakdown) or self.breakdown >= 1.0


@dataclass(frozen=True)
class Decomposition:
    """Goodman-Bacon (2021): how much of the TWFE coefficient's weight lies on comparisons with
    already-treated units, and the averages of the clean and the forbidden comparisons."""

    twfe_estimate: float
    forbidden_weight: float
    forbidden_estimate: float = NAN
    clean_estimate: float = NAN


@dataclass(frozen=True)
class Balance:
    """Balance of the comparison group on the characteristics at entry (after matching/weighting)."""

    max_abs_smd: float
    n_covariates: int = 0


@dataclass(frozen=True)
class SyntheticFit:
    """Pre-entry fit of a synthetic control: root mean squared prediction error before entry, the
    treated unit's mean level before entry, periods and donors."""

    pre_rmspe: float
    pre_level: float
    n_pre_periods: int
    n_donors: int

    @property
    def relative_error(self) -> float:
        return abs(self.pre_rmspe) / abs(self.pre_level) if self.pre_level else math.inf


@dataclass(frozen=True)
class Attrition:
    """Share of randomised units without an outcome, overall and the difference between arms."""

    overall: float
    differential: float


# ------------------------------------------------------------------------------ readers
def _treated_clusters(design: Any, term: str) -> int | None:
    if design is None or design.clusters is None or term not in design.names:
        return None
    column = design.X[:, design.names.index(term)]
    return int(np.unique(design.clusters[column != 0]).size)


def _staggered(result: Any, aggregation: str) -> dict[str, Any]:
    agg = result.aggregate(aggregation)
    values = _aggregate(agg)
    treated = result.entity_group > 0
    if result.entity_cluster is not None:
        values["n_treated"] = int(np.unique(result.entity_cluster[treated]).size)
    else:
        values["n_treated"] = int(treated.sum())
    values["n_units"] = int(result.n_units)
    values["n_clusters"] = int(result.n_clusters) if result.n_clusters else int(result.n_units)
    periods = np.asarray(result.periods, float)
    befores = [int((periods < g).sum()) for g in result.groups]
    values["n_pre_periods"] = min(befores) if befores else None
    return values


def _aggregate(agg: Any) -> dict[str, Any]:
    return {"estimate": agg.overall_estimate, "conf_low": agg.overall_conf_low, "conf_high": agg.overall_conf_high,
            "p_value": agg.overall_p_value, "std_error": agg.overall_std_error, "alpha": agg.alpha}


def _regression(result: Any) -> dict[str, Any]:
    low, high = result.conf_int
    return {"estimate": result.estimate, "conf_low": low, "conf_high": high, "p_value": result.p_value,
            "std_error": result.std_error, "alpha": result.alpha, "n_clusters": result.n_clusters,
            "n_treated": _treated_clusters(result.design, result.term)}


def _event_study(result: Any) -> dict[str, Any]:
    table = result.coefficients
    post = table[(table["event_time"] >= 0) & ~table["term"].isin(result.pooled_terms)]
    if post.empty:
        raise ConfigError("the event study has no post-entry coefficient to average")
    vcov = result.vcov.loc[post["term"], post["term"]].to_numpy()
    weights = np.full(len(post), 1.0 / len(post))
    estimate = float(weights @ post["estimate"].to_numpy())
    se = float(np.sqrt(weights @ vcov @ weights))
    df = (result.n_clusters - 1) if result.n_clusters else None
    dist = stats.norm if df is None else stats.t(df)
    crit = float(dist.ppf(1 - result.alpha / 2))
    p = float(2 * dist.sf(abs(estimate / se))) if se > 0 else NAN
    return {"estimate": estimate, "conf_low": estimate - crit * se, "conf_high": estimate + crit * se,
            "p_value": p, "std_error": se, "alpha": result.alpha, "n_treated": result.n_treated or None,
            "n_units": result.n_entities or None, "n_clusters": result.n_clusters}


def _event_time(result: Any) -> dict[str, Any]:
    if not len(result.overall):
        raise ConfigError(f"the {result.method} result has no overall ATT; estimate it with the overall effect")
    row = result.overall.iloc[0]
    return {"estimate": float(row["estimate"]), "conf_low": float(row["conf_low"]),
            "conf_high": float(row["conf_high"]), "p_value": float(row["p_value"]),
            "std_error": float(row["std_error"]), "alpha": result.alpha, "n_treated": result.n_treated_units,
            "n_units": result.n_units, "n_clusters": result.n_clusters}


def _headline(result: Any) -> dict[str, Any]:
    row = result._row()
    counts = [int(row[c]) for c in ("n_programme",) if c in row.index and finite(row[c])]
    return {"estimate": result.estimate, "conf_low": result.conf_int[0], "conf_high": result.conf_int[1],
            "p_value": float(row["p_value"]) if "p_value" in row.index else NAN, "std_error": result.std_error,
            "alpha": result.alpha, "n_treated": counts[0] if counts else None}


#: Result class name -> (estimator key, reader).
_READERS = {
    "DiDResult": ("did_2x2", _regression),
    "TWFEResult": ("twfe", _regression),
    "EventStudyResult": ("event_study", _event_study),
    "SunAbrahamResult": ("sun_abraham", _event_time),
    "TwoStageResult": ("two_stage", _event_time),
    "ImputationResult": ("imputation", _event_time),
    "AggregateResult": ("callaway_santanna", _aggregate),
    "ITTResult": ("itt", _headline),
    "CACEResult": ("cace", _headline),
}


def estimate_of(result: Any, *, method: str | None = None, aggregation: str = "dynamic",
                n_treated: int | None = None, label: tuple[str, str] | None = None) -> Estimate:
    """The :class:`Estimate` of an impact result (see the module docstring); an Estimate passes
    through. ``method`` overrides the estimator key; ``n_treated`` gives or overrides the treated
    units; ``label`` (Czech, English) names the analysis in the texts."""
    if isinstance(result, Estimate):
        values = {}
        key = method or result.method
        base = result
    else:
        name = type(result).__name__
        if name == "StaggeredDiDResult":
            key, values = "callaway_santanna", _staggered(result, aggregation)
        elif name == "WildBootstrapResult":
            key = "wild_bootstrap"
            values = {"estimate": result.estimate, "conf_low": result.conf_low, "conf_high": result.conf_high,
                      "p_value": result.p_value, "std_error": result.std_error, "alpha": result.alpha,
                      "n_clusters": result.n_clusters}
        elif name == "RandomizationResult":
            key = "randomization_inference"
            values = {"estimate": result.estimate, "conf_low": result.conf_low, "conf_high": result.conf_high,
                      "p_value": result.p_value, "alpha": result.alpha, "n_clusters": result.n_clusters,
                      "n_treated": result.n_treated_clusters}
        elif name in _READERS:
            key, reader = _READERS[name]
            values = reader(result)
        else:
            raise ConfigError(f"cannot read an effect estimate from a {name}; pass an evaluation.findings.Estimate "
                              f"or one of: StaggeredDiDResult, WildBootstrapResult, RandomizationResult, "
                              f"{', '.join(_READERS)}")
        key = method or key
        base = None
    if base is not None:
        fields = {f: getattr(base, f) for f in Estimate.__dataclass_fields__}
        fields["method"] = key
    else:
        fields = {"method": key, **{k: v for k, v in values.items() if k in Estimate.__dataclass_fields__}}
        for count in ("n_treated", "n_units", "n_clusters", "n_pre_periods"):
            if fields.get(count) is not None:
                fields[count] = int(fields[count])
    if n_treated is not None:
        fields["n_treated"] = int(n_treated)
    if label is not None:
        fields["label_cs"], fields["label_en"] = label
    return Estimate(**fields)


def pretest_of(result: Any, *, alpha: float = 0.05, n_treated: int | None = None) -> Pretest | None:
    """The pre-test of parallel trends behind a result, or None when it has none: R did's test or its
    robust replacement for a StaggeredDiDResult (``result.pretest()``), the F test of the leads of an
    event study, the untreated-observations test of the imputation estimator; a PretestResult or a
    WaldTest as given."""
    if result is None or isinstance(result, Pretest):
        return result
    name = type(result).__name__
    if name == "StaggeredDiDResult":
        test = result.pretest()
        sizes = [int(result.group_sizes[g]) for g in result.groups if g in result.group_sizes]
        periods = np.asarray(result.periods, float)
        return Pretest(float(test.p_value), test.method, alpha=alpha, n_treated=min(sizes) if sizes else None,
                       n_pre_periods=min(int((periods < g).sum()) for g in result.groups) if result.groups else None,
                       reliable=True if test.method != "wald" else result.pretest_reliable)
    if name == "PretestResult":
        return Pretest(float(result.p_value), result.method, alpha=alpha, n_treated=n_treated)
    if name in ("EventStudyResult", "ImputationResult"):
        test = result.pretrend
        if test is None:
            return None
        treated = n_treated if n_treated is not None else (getattr(result, "n_treated", None)
                                                          or getattr(result, "n_treated_units", None))
        method = "f_leads" if name == "EventStudyResult" else "f_untreated"
        return Pretest(float(test.p_value), method, alpha=alpha, n_treated=treated,
                       n_pre_periods=int(test.df_num))
    if name == "WaldTest":
        return Pretest(float(result.p_value), "f_leads", alpha=alpha, n_treated=n_treated,
                       n_pre_periods=int(result.df_num))
    return None


def sensitivity_of(result: Any) -> Sensitivity | None:
    """The breakdown value of a HonestDiDResult (or a Sensitivity as given)."""
    if result is None or isinstance(result, Sensitivity):
        return result
    return Sensitivity(result.restriction, float(result.breakdown), float(result.breakdown_upper))


def decomposition_of(result: Any) -> Decomposition | None:
    """The weights of a BaconResult (or a Decomposition as given)."""
    if result is None or isinstance(result, Decomposition):
        return result
    return Decomposition(float(result.twfe_estimate), float(result.forbidden_weight),
                         float(result.forbidden_estimate), float(result.clean_estimate))


def balance_of(result: Any) -> Balance | None:
    """The largest absolute standardised difference after matching of a BalanceResult."""
    if result is None or isinstance(result, Balance):
        return result
    table = result.tidy()
    column = "smd_after" if "smd_after" in table else "smd"
    smd = np.abs(table[column].to_numpy(float))
    return Balance(float(np.nanmax(smd)) if smd.size else NAN, int(smd.size))


def attrition_of(result: Any) -> Attrition | None:
    """Overall and differential attrition of an AttritionResult (or an Attrition as given)."""
    if result is None or isinstance(result, Attrition):
        return result
    table = result.table
    overall = float(table["lost"].sum() / table["randomised"].sum())
    return Attrition(overall, abs(float(result.difference)))


def mde_of(result: Any) -> float | None:
    """The minimum detectable effect of a DetectableEffect (or a number as given)."""
    if result is None:
        return None
    if isinstance(result, (int, float)):
        return float(result) if finite(result) and result > 0 else None
    return float(result.minimum_detectable_effect)


def mde_from_estimate(estimate: Estimate, power: float = 0.8) -> float | None:
    """The MDE of the design that was run, from the primary estimate's standard error (Bloom 1995;
    :func:`evaluation.design.mde_from_se`, t with clusters - 1 df when clustered), or None without an SE."""
    from evaluation.design import mde_from_se

    if not (finite(estimate.std_error) and estimate.std_error > 0):
        return None
    df = float(estimate.n_clusters - 1) if estimate.n_clusters and estimate.n_clusters > 1 else None
    return mde_from_se(estimate.std_error, alpha=estimate.alpha, power=power, df=df)


__all__ = [
    "PRETEST_WORDS",
    "Attrition",
    "Balance",
    "Decomposition",
    "Estimate",
    "Pretest",
    "Sensitivity",
    "SyntheticFit",
    "attrition_of",
    "balance_of",
    "decomposition_of",
    "estimate_of",
    "finite",
    "mde_from_estimate",
    "mde_of",
    "pretest_of",
    "sensitivity_of",
]
