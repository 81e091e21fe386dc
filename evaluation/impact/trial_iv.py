"""Complier average causal effect (CACE) when assignment and receipt of the programme differ.

With random assignment Z, receipt D and the assumptions of Angrist, Imbens & Rubin (1996) —
assignment affects the outcome only through receipt (exclusion) and nobody takes the programme
*because* they were assigned to control (monotonicity, no defiers) — the Wald estimator
ITT_Y / ITT_D is the average effect on the compliers, the units who take the programme if and
only if assigned. It is computed as two-stage least squares of the outcome on receipt,
instrumented by assignment, with the baseline covariates (centred) and stratum indicators as
exogenous regressors; without them it is exactly (ȳ₁ − ȳ₀)/(d̄₁ − d̄₀).

* *One-sided non-compliance* (no control unit received the programme): there are no
  always-takers, monotonicity holds by design and the CACE is the effect on the treated
  (Bloom 1984).
* *Two-sided non-compliance*: the shares of compliers (d̄₁ − d̄₀), always-takers (d̄₀) and
  never-takers (1 − d̄₁) are reported; monotonicity is an assumption.

Covariance by name: ``HC1``/``robust`` (default; linearmodels ``IV2SLS`` ``cov_type="robust"``
with ``debiased=True``), ``HC0`` (``debiased=False``) or ``classical``. The first-stage F is the
squared (robust) t statistic of assignment in the first stage; below 10 the instrument is weak
and the Wald estimate unreliable (Staiger & Stock 1997).

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(5)
>>> z = rng.permutation(np.repeat([0, 1], 200))
>>> d = z * (rng.random(400) < 0.7)          # 70 % take the programme when assigned
>>> y = 1 + 3 * d + rng.normal(size=400)
>>> res = cace(pd.DataFrame({"y": y, "z": z, "d": d}), "y", "z", "d")
>>> round(res.estimate), res.noncompliance
(3, 'one-sided')
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.errors import ConfigError, EstimationError
from evaluation.impact._regression import check_alpha
from evaluation.impact._trial_common import (
    HeadlineEstimate,
    check_strata_have_both_arms,
    prepare,
    t_interval,
)
from evaluation.impact.covariance import collinear_columns
from evaluation.impact.trial import observed_outcomes, plot_estimates
from evaluation.results import ESTIMATE_COLUMNS, Result

_COV = {"hc1": "HC1", "robust": "HC1", "hc0": "HC0", "classical": "classical", "unadjusted": "classical"}
#: Below this first-stage F the instrument is weak (Staiger & Stock 1997).
WEAK_INSTRUMENT_F = 10.0


class WeakInstrumentWarning(UserWarning):
    """Assignment barely changes receipt (first-stage F below 10): the CACE is imprecise and biased
    towards the ordinary least-squares comparison of takers and non-takers."""


@dataclass(frozen=True)
class CACEResult(HeadlineEstimate, Result):
    """CACE (``cace``), the effects of assignment on the outcome (``itt_outcome``) and on receipt
    (``first_stage``), the compliance shares and the first-stage F."""

    table: pd.DataFrame
    compliance: pd.DataFrame
    first_stage_f: float
    noncompliance: str
    cov_type: str
    alpha: float
    notes: tuple[str, ...] = ()
    exclusions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["reason", "rows"]))
    title: str = "Complier average causal effect (instrumental variables)"

    count_columns: ClassVar[tuple[str, ...]] = ("n_programme", "n_control")
    HEADLINE: ClassVar[str] = "cace"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        return (super().summary() + f"\n\nFirst-stage F = {self.first_stage_f:.1f}; non-compliance: "
                f"{self.noncompliance}\n" + self.compliance.to_string(index=False))

    def plot(self, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
        """The CACE beside the ITT on the outcome, with confidence intervals."""
        return plot_estimates(self.table[self.table["term"].isin(["cace", "itt_outcome"])], ax=ax, lang=lang,
                              **kwargs)


def _iv_fit(y: np.ndarray, regressors: np.ndarray, instruments: np.ndarray, cov_type: str
            ) -> tuple[np.ndarray, np.ndarray]:
    """Just-identified IV: β = (Q'R)⁻¹Q'y and its covariance."""
    qr = instruments.T @ regressors
    beta = np.linalg.solve(qr, instruments.T @ y)
    u = y - regressors @ beta
    inverse = np.linalg.inv(qr)
    n, k = regressors.shape
    if cov_type == "classical":
        return beta, float(u @ u) / n * inverse @ (instruments.T @ instruments) @ inverse.T * n / (n - k)
    meat = (instruments * (u ** 2)[:, None]).T @ instruments
    cov = inverse @ meat @ inverse.T
    return beta, cov * n / (n - k) if cov_type == "HC1" else cov


def cace(data: pd.DataFrame, outcome: str, assignment: str, received: str, *, covariates: Sequence[str] = (),
         strata: str | None = None, cov_type: str = "HC1", alpha: float = 0.05) -> CACEResult:
    """Complier average causal effect of receiving the programme, assignment as the instrument.

    Example
    -------
    >>> res = cace(trial_frame, "arrears_czk", "assigned", "received", strata="stratum")  # doctest: +SKIP
    >>> res.compliance  # doctest: +SKIP
    """
    check_alpha(alpha)
    try:
        cov_type = _COV[str(cov_type).lower()]
    except KeyError:
        raise ConfigError(f"cov_type must be HC1 (robust), HC0 or classical, not {cov_type!r}") from None
    arrays = observed_outcomes(prepare(data, assignment=assignment, outcome=outcome, received=received,
                                       covariates=covariates, strata=strata))
    check_strata_have_both_arms(arrays)
    z, d, y = arrays.z, arrays.d, arrays.y
    strata_x, strata_names = arrays.stratum_dummies()
    X = np.column_stack([arrays.X, strata_x]) if strata_x.size else arrays.X
    exog = np.column_stack([np.ones_like(z), X - X.mean(axis=0)]) if X.size else np.ones((len(z), 1))
    names = ["Intercept", *arrays.covariate_names, *strata_names]
    collinear = collinear_columns(np.column_stack([exog, z]), [*names, "assigned"])
    if collinear:
        raise EstimationError("collinear covariates: " + ", ".join(map(repr, collinear)))
    p1, p0 = float(d[z == 1].mean()), float(d[z == 0].mean())
    if abs(p1 - p0) < 1e-12:
        raise EstimationError("receipt of the programme is the same in both arms: assignment does not change "
                              "receipt, so no complier effect can be estimated")
    rows, f_stat = [], np.nan
    n = len(y)
    df = float(n - exog.shape[1] - 1)
    for term, target, regressor in (("cace", y, d), ("itt_outcome", y, z), ("first_stage", d, z)):
        design = np.column_stack([regressor, exog])
        beta, cov = _iv_fit(target, design, np.column_stack([z, exog]), cov_type)
        se = float(np.sqrt(cov[0, 0]))
        low, high, p = t_interval(float(beta[0]), se, df, alpha)
        rows.append({"term": term, "estimate": float(beta[0]), "std_error": se, "conf_low": low, "conf_high": high,
                     "p_value": p, "df": df})
        if term == "first_stage":
            f_stat = float((beta[0] / se) ** 2)
    n1, n0 = int(z.sum()), int((1 - z).sum())
    table = pd.DataFrame(rows)[[*ESTIMATE_COLUMNS, "df"]].assign(n_programme=n1, n_control=n0)
    one_sided = p0 == 0 or p1 == 1
    compliance = pd.DataFrame({"type": ["compliers", "always_takers", "never_takers"],
                               "share": [p1 - p0, p0, 1 - p1]})
    kind = "one-sided" if one_sided else "two-sided"
    notes = [(f"{n1} programme and {n0} control units with an outcome; received the programme: {p1:.1%} of the "
             f"programme arm, {p0:.1%} of the control arm"),
             f"two-stage least squares, {cov_type} standard errors, t with {df:g} df; first-stage F = {f_stat:.1f}"]
    if one_sided:
        notes.append("one-sided non-compliance: no " + ("control unit received" if p0 == 0 else
                     "programme unit went without") + " the programme, so the CACE is the effect on those "
                     + ("treated (Bloom 1984)" if p0 == 0 else "not treated"))
    else:
        notes.append("two-sided non-compliance: the CACE assumes nobody refuses the programme because of being "
                     "offered it (monotonicity) and that the offer works only through receipt (exclusion)")
    if p1 < p0:
        notes.append("receipt is lower in the programme arm than in the control arm: check the arm codes")
    if f_stat < WEAK_INSTRUMENT_F:
        message = f"first-stage F = {f_stat:.1f} < {WEAK_INSTRUMENT_F:g}: assignment is a weak instrument for receipt"
        warnings.warn(message, WeakInstrumentWarning, stacklevel=2)
        notes.append(message)
    notes.extend(arrays.exclusions.notes())
    return CACEResult(table=table, compliance=compliance, first_stage_f=f_stat, noncompliance=kind,
                      cov_type=cov_type, alpha=alpha, notes=tuple(notes), exclusions=arrays.exclusions.table())


__all__ = ["CACEResult", "WeakInstrumentWarning", "cace"]
