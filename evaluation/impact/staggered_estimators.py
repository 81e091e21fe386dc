"""Two-group, two-period DiD estimators with their influence functions (the DRDID family).

Each ATT(g,t) of :func:`evaluation.impact.staggered.staggered_did` is one 2x2 comparison: the
units of group g against the comparison units, between a base period and period t. These
functions compute that comparison and the influence function of the estimate, following
Sant'Anna & Zhao (2020) and the R package DRDID:

* panel data (one row per unit, outcome change ``delta_y``): outcome regression
  (``reg_did_panel``), standardised IPW (``std_ipw_did_panel``), the locally efficient doubly
  robust estimator used by R ``did`` (``drdid_panel``) and the improved doubly robust estimator
  (``drdid_imp_panel``: propensity score by inverse probability tilting, outcome model by
  weighted least squares, so that first-step estimation does not enter the influence function);
* repeated cross-sections (one row per observation, ``post`` marks the later period):
  ``reg_did_rc``, ``std_ipw_did_rc`` and the locally efficient ``drdid_rc``.

The influence function ``psi`` is scaled as in DRDID: ``att - ATT ~ mean(psi)`` over the rows
passed in. Sampling weights are normalised to mean one. Control units whose propensity score
reaches ``TRIM_LEVEL`` get weight zero (DRDID's trimming).

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> d = np.repeat([1.0, 0.0], 50); dy = 2.0 * d + rng.normal(size=100)
>>> att, psi = panel_2x2(dy, d, np.ones((100, 1)), np.ones(100), "reg")
>>> bool(abs(att - (dy[:50].mean() - dy[50:].mean())) < 1e-12)
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from evaluation._tallskinny import dot, gram, matvec, tdot
from evaluation.errors import EstimationError

#: Control units with a propensity score at or above this level get weight zero (as in DRDID).
TRIM_LEVEL = 0.995
#: Propensity scores are capped below one by this margin (as in DRDID).
PS_CAP = 1e-6


class CellNotEstimable(EstimationError):
    """One ATT(g,t) cannot be estimated (singular design, no overlap); the cell is reported as NA."""


def _solve_spd(matrix: np.ndarray, what: str) -> np.ndarray:
    """Inverse of a small symmetric matrix, or CellNotEstimable when it is (nearly) singular."""
    if not np.all(np.isfinite(matrix)):
        raise CellNotEstimable(f"{what}: non-finite cross-product matrix")
    cond = np.linalg.cond(matrix)
    if not np.isfinite(cond) or cond > 1e12:
        raise CellNotEstimable(f"{what} is singular (collinear covariates or too few units)")
    return np.linalg.inv(matrix)


def wls(y: np.ndarray, X: np.ndarray, w: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares on the rows with w > 0: coefficients and (X'WX/n)^-1 over all n rows."""
    n = X.shape[0]
    inv = _solve_spd(gram(X, w) / n, what)
    beta = inv @ (tdot(X, w * y) / n)
    return beta, inv


def _loglik(d: np.ndarray, w: np.ndarray, index: np.ndarray) -> float:
    return dot(w, d * index - np.logaddexp(0.0, index))


def logit(d: np.ndarray, X: np.ndarray, w: np.ndarray, max_iter: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Weighted logistic regression by Newton-Raphson: fitted probabilities and (X'WX)^-1.

    The inverse information is what R's ``vcov(glm)`` returns for a binomial model.
    """
    X = np.asfortranarray(X)
    beta = np.zeros(X.shape[1])
    p_bar = dot(w, d) / np.sum(w)
    if X.shape[1] == 1:  # intercept only: the maximum-likelihood fit is the weighted share, exactly
        p = np.full(X.shape[0], p_bar)
        return p, _solve_spd(np.array([[np.sum(w) * p_bar * (1.0 - p_bar)]]), "propensity-score information matrix")
    beta[0] = np.log(p_bar / (1.0 - p_bar))  # first column is the intercept
    loglik_old = -np.inf
    raw = matvec(X, beta)  # X beta, kept up to date instead of recomputed
    for _ in range(max_iter):
        p = 1.0 / (1.0 + np.exp(-np.clip(raw, -35.0, 35.0)))
        info = gram(X, w * p * (1.0 - p))
        step = np.linalg.lstsq(info, tdot(X, w * (d - p)), rcond=None)[0]
        # halve the step until the log-likelihood does not fall (guards against overshooting)
        move = matvec(X, step)
        for _half in range(30):
            loglik = _loglik(d, w, np.clip(raw + move, -35.0, 35.0))
            if loglik >= loglik_old - 1e-12 * abs(loglik_old if np.isfinite(loglik_old) else 1.0):
                break
            step, move = step / 2.0, move / 2.0
        beta = beta + step
        raw = raw + move
        if np.isfinite(loglik_old) and abs(loglik - loglik_old) < 1e-12 * (abs(loglik) + 1e-8) \
                and np.max(np.abs(step)) < 1e-8:
            break
        loglik_old = loglik
    p = 1.0 / (1.0 + np.exp(-np.clip(matvec(X, beta), -35.0, 35.0)))
    return p, _solve_spd(gram(X, w * p * (1.0 - p)), "propensity-score information matrix")


def ipt_pscore(d: np.ndarray, X: np.ndarray, w: np.ndarray, max_iter: int = 200) -> np.ndarray:
    """Propensity score by inverse probability tilting (Graham, Pinto & Egel 2012; DRDID ``pscore.cal``).

    Minimises mean(w * ((1-d) exp(x'g) - d x'g)), whose solution reweights the comparison
    units to the exact covariate totals of the treated. Newton steps with backtracking; the
    loss is convex so the minimiser is unique.
    """
    n = X.shape[0]
    p0, _ = logit(d, X, w)
    gamma = np.linalg.lstsq(X, np.log(p0 / (1.0 - p0)), rcond=None)[0]

    def loss(g: np.ndarray) -> float:
        index = np.clip(X @ g, -50.0, 50.0)
        return float(np.mean(w * ((1.0 - d) * np.exp(index) - d * index)))

    current = loss(gamma)
    for _ in range(max_iter):
        e = np.exp(np.clip(X @ gamma, -50.0, 50.0))
        grad = X.T @ (w * ((1.0 - d) * e - d)) / n
        hess = (X * (w * (1.0 - d) * e)[:, None]).T @ X / n
        step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        t = 1.0
        while t > 1e-10:
            cand = loss(gamma - t * step)
            if cand <= current:
                break
            t /= 2.0
        gamma = gamma - t * step
        improvement = current - cand
        current = cand
        if np.max(np.abs(grad)) < 1e-10 or (improvement >= 0 and improvement < 1e-14):
            break
    index = np.clip(X @ gamma, -50.0, 50.0)
    return 1.0 / (1.0 + np.exp(-index))


def _pscore(d: np.ndarray, X: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Logit propensity score capped below one, its inverse information, and the trimming mask."""
    ps, info_inv = logit(d, X, w)
    ps = np.minimum(ps, 1.0 - PS_CAP)
    keep = np.where(d == 1, ps < 1.01, ps < TRIM_LEVEL).astype(float)
    return ps, info_inv, keep


def _normalise(w: np.ndarray) -> np.ndarray:
    return w / np.mean(w)


def _means(*arrays: np.ndarray) -> tuple[float, ...]:
    return tuple(float(np.mean(a)) for a in arrays)


def _check_mass(value: float, who: str) -> None:
    if value <= 0:
        raise CellNotEstimable(f"no {who} with positive weight (after trimming)")


# ----------------------------------------------------------------------------------- panel
@dataclass(frozen=True)
class PanelFirstStep:
    """What the panel estimators compute from (d, X, w) alone, before the outcome enters.

    The cells of ``staggered_did`` that share the treated group, the comparison units and the
    covariates (with time-invariant covariates and never-treated comparisons: every cell of a
    group) share it, so the propensity score is fitted and the comparison units' regression
    design factorised once, not once per cell. ``X`` is column-major; weights are normalised.
    """

    X: np.ndarray
    d: np.ndarray
    w: np.ndarray
    w_ols: np.ndarray                  # w (1 - d): the outcome regression's weights
    xpx_inv: np.ndarray | None         # (X' W_ols X / n)^-1
    w_treat: np.ndarray                # (trimmed) treated weights
    z_treat: np.ndarray | None         # X (X'W_ols X/n)^-1 mean(w_treat X): the OLS step's direction
    ps: np.ndarray | None = None
    w_cont: np.ndarray | None = None   # (trimmed) odds weights of the comparison units
    lin_ps_scale: np.ndarray | None = None  # w (d - ps): the score of the logit
    info_n: np.ndarray | None = None   # n (X' W X)^-1 of the logit
    z_cont: np.ndarray | None = None   # X (X'W_ols X/n)^-1 mean(w_cont X)


def panel_first_step(d: np.ndarray, X: np.ndarray, w: np.ndarray, method: str) -> PanelFirstStep:
    """Propensity score (ipw, dr) and outcome-regression factorisation (reg, dr) for one comparison."""
    n = len(d)
    X = np.asfortranarray(X)
    w = _normalise(w)
    w_ols = w * (1.0 - d)
    xpx_inv = z_treat = None
    if method in ("reg", "dr"):
        xpx_inv = _solve_spd(gram(X, w_ols) / n, "outcome regression on comparison units")
    if method == "reg":
        w_treat = w * d
        return PanelFirstStep(X, d, w, w_ols, xpx_inv, w_treat, matvec(X, xpx_inv @ (tdot(X, w_treat) / n)))
    ps, info_inv, keep = _pscore(d, X, w)
    w_treat = keep * w * d
    w_cont = keep * w * ps * (1.0 - d) / (1.0 - ps)
    z_cont = None
    if xpx_inv is not None:
        z_treat = matvec(X, xpx_inv @ (tdot(X, w_treat) / n))
        z_cont = matvec(X, xpx_inv @ (tdot(X, w_cont) / n))
    return PanelFirstStep(X, d, w, w_ols, xpx_inv, w_treat, z_treat, ps, w_cont, w * (d - ps),
                          info_inv * n, z_cont)


def reg_panel(dy: np.ndarray, d: np.ndarray, X: np.ndarray, w: np.ndarray,
              first: PanelFirstStep | None = None) -> tuple[float, np.ndarray]:
    """Outcome regression DiD (Heckman, Ichimura & Todd 1997; DRDID ``reg_did_panel``)."""
    f = first or panel_first_step(d, X, w, "reg")
    n = len(dy)
    beta = f.xpx_inv @ (tdot(f.X, f.w_ols * dy) / n)
    fitted = matvec(f.X, beta)
    m_treat = np.mean(f.w_treat)
    _check_mass(m_treat, "treated units")
    eta_treat = dot(f.w_treat, dy) / n / m_treat
    eta_cont = dot(f.w_treat, fitted) / n / m_treat
    inf_treat = f.w_treat * (dy - eta_treat) / m_treat
    # lin_ols @ m1 with lin_ols = (w_ols (dy - fitted)) X (X'WX/n)^-1 and m1 = mean(w_treat X)
    inf_cont = (f.w_treat * (fitted - eta_cont) + f.w_ols * (dy - fitted) * f.z_treat) / m_treat
    return float(eta_treat - eta_cont), inf_treat - inf_cont


def ipw_panel(dy: np.ndarray, d: np.ndarray, X: np.ndarray, w: np.ndarray,
              first: PanelFirstStep | None = None) -> tuple[float, np.ndarray]:
    """Standardised (Hajek) inverse probability weighting DiD (Abadie 2005; DRDID ``std_ipw_did_panel``)."""
    f = first or panel_first_step(d, X, w, "ipw")
    n = len(dy)
    m_treat, m_cont = _means(f.w_treat, f.w_cont)
    _check_mass(m_treat, "treated units")
    _check_mass(m_cont, "comparison units")
    eta_treat = dot(f.w_treat, dy) / n / m_treat
    eta_cont = dot(f.w_cont, dy) / n / m_cont
    inf_treat = f.w_treat * (dy - eta_treat) / m_treat
    centred = f.w_cont * (dy - eta_cont)
    m2 = tdot(f.X, centred) / n
    inf_cont = (centred + f.lin_ps_scale * matvec(f.X, f.info_n @ m2)) / m_cont
    return float(eta_treat - eta_cont), inf_treat - inf_cont


def dr_panel(dy: np.ndarray, d: np.ndarray, X: np.ndarray, w: np.ndarray,
             first: PanelFirstStep | None = None) -> tuple[float, np.ndarray]:
    """Locally efficient doubly robust DiD (Sant'Anna & Zhao 2020; DRDID ``drdid_panel``, R ``did``'s "dr")."""
    f = first or panel_first_step(d, X, w, "dr")
    n = len(dy)
    beta = f.xpx_inv @ (tdot(f.X, f.w_ols * dy) / n)
    resid = dy - matvec(f.X, beta)
    m_treat, m_cont = _means(f.w_treat, f.w_cont)
    _check_mass(m_treat, "treated units")
    _check_mass(m_cont, "comparison units")
    eta_treat = dot(f.w_treat, resid) / n / m_treat
    eta_cont = dot(f.w_cont, resid) / n / m_cont
    # the first steps' terms lin_ols @ m and lin_ps @ m2 as vectors: lin_ols @ m1 = w_ols resid z_treat, ...
    ols_score = f.w_ols * resid
    inf_treat = (f.w_treat * (resid - eta_treat) - ols_score * f.z_treat) / m_treat
    centred = f.w_cont * (resid - eta_cont)
    m2 = tdot(f.X, centred) / n
    inf_cont = (centred + f.lin_ps_scale * matvec(f.X, f.info_n @ m2) - ols_score * f.z_cont) / m_cont
    return float(eta_treat - eta_cont), inf_treat - inf_cont


def dr_improved_panel(dy: np.ndarray, d: np.ndarray, X: np.ndarray, w: np.ndarray) -> tuple[float, np.ndarray]:
    """Improved doubly robust DiD (Sant'Anna & Zhao 2020, section 3.1; DRDID ``drdid_imp_panel``)."""
    w = _normalise(w)
    ps = np.minimum(ipt_pscore(d, X, w), 1.0 - PS_CAP)
    keep = np.where(d == 1, 1.0, (ps < TRIM_LEVEL).astype(float))
    odds = ps / (1.0 - ps)
    beta, _ = wls(dy, X, keep * w * (1.0 - d) * odds, "weighted outcome regression on comparison units")
    resid = dy - X @ beta
    w_treat = keep * w * d
    w_cont = keep * w * (1.0 - d) * odds
    m_treat, m_cont = _means(w_treat, w_cont)
    _check_mass(m_treat, "treated units")
    _check_mass(m_cont, "comparison units")
    eta_treat = np.mean(w_treat * resid) / m_treat
    eta_cont = np.mean(w_cont * resid) / m_cont
    inf_treat = (w_treat * resid - w_treat * eta_treat) / m_treat
    inf_cont = (w_cont * resid - w_cont * eta_cont) / m_cont
    return float(eta_treat - eta_cont), inf_treat - inf_cont


# ----------------------------------------------------------------------- repeated cross-sections
def _ols_rep(y: np.ndarray, X: np.ndarray, w_sub: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Fitted values of a WLS on the rows with w_sub > 0 and its asymptotic linear representation."""
    beta, inv = wls(y, X, w_sub, what)
    fitted = X @ beta
    return fitted, (w_sub * (y - fitted))[:, None] * X @ inv


def reg_rc(y: np.ndarray, post: np.ndarray, d: np.ndarray, X: np.ndarray,
           w: np.ndarray) -> tuple[float, np.ndarray]:
    """Outcome regression DiD for repeated cross-sections (DRDID ``reg_did_rc``)."""
    w = _normalise(w)
    fit_pre, lin_pre = _ols_rep(y, X, w * (1 - d) * (1 - post), "outcome regression (comparison, base period)")
    fit_post, lin_post = _ols_rep(y, X, w * (1 - d) * post, "outcome regression (comparison, period t)")
    w_tpre, w_tpost, w_c = w * d * (1 - post), w * d * post, w * d
    m_tpre, m_tpost, m_c = _means(w_tpre, w_tpost, w_c)
    for value, who in ((m_tpre, "treated observations in the base period"),
                       (m_tpost, "treated observations in period t")):
        _check_mass(value, who)
    eta_tpre = np.mean(w_tpre * y) / m_tpre
    eta_tpost = np.mean(w_tpost * y) / m_tpost
    reg_cont = w_c * (fit_post - fit_pre)
    eta_cont = np.mean(reg_cont) / m_c
    inf_treat = (w_tpost * y - w_tpost * eta_tpost) / m_tpost - (w_tpre * y - w_tpre * eta_tpre) / m_tpre
    m1 = (w_c[:, None] * X).mean(axis=0)
    inf_cont = (reg_cont - w_c * eta_cont + lin_post @ m1 - lin_pre @ m1) / m_c
    return float(eta_tpost - eta_tpre - eta_cont), inf_treat - inf_cont


def ipw_rc(y: np.ndarray, post: np.ndarray, d: np.ndarray, X: np.ndarray,
           w: np.ndarray) -> tuple[float, np.ndarray]:
    """Standardised IPW DiD for repeated cross-sections (DRDID ``std_ipw_did_rc``)."""
    n = len(d)
    w = _normalise(w)
    ps, info_inv, keep = _pscore(d, X, w)
    odds = ps / (1.0 - ps)
    parts = {"tpre": keep * w * d * (1 - post), "tpost": keep * w * d * post,
             "cpre": keep * w * odds * (1 - d) * (1 - post), "cpost": keep * w * odds * (1 - d) * post}
    means = {k: float(np.mean(v)) for k, v in parts.items()}
    for key, value in means.items():
        _check_mass(value, {"tpre": "treated observations in the base period",
                            "tpost": "treated observations in period t",
                            "cpre": "comparison observations in the base period",
                            "cpost": "comparison observations in period t"}[key])
    eta = {k: np.mean(parts[k] * y) / means[k] for k in parts}
    inf = {k: (parts[k] * y - parts[k] * eta[k]) / means[k] for k in parts}
    lin_ps = (w * (d - ps))[:, None] * X @ (info_inv * n)
    m2_pre = ((parts["cpre"] * (y - eta["cpre"]))[:, None] * X).mean(axis=0) / means["cpre"]
    m2_post = ((parts["cpost"] * (y - eta["cpost"]))[:, None] * X).mean(axis=0) / means["cpost"]
    inf_treat = inf["tpost"] - inf["tpre"]
    inf_cont = inf["cpost"] - inf["cpre"] + lin_ps @ (m2_post - m2_pre)
    att = (eta["tpost"] - eta["tpre"]) - (eta["cpost"] - eta["cpre"])
    return float(att), inf_treat - inf_cont


def dr_rc(y: np.ndarray, post: np.ndarray, d: np.ndarray, X: np.ndarray,
          w: np.ndarray) -> tuple[float, np.ndarray]:
    """Locally efficient doubly robust DiD for repeated cross-sections (DRDID ``drdid_rc``)."""
    n = len(d)
    w = _normalise(w)
    ps, info_inv, keep = _pscore(d, X, w)
    odds = ps / (1.0 - ps)
    f_cpre, lin_cpre = _ols_rep(y, X, w * (1 - d) * (1 - post), "outcome regression (comparison, base period)")
    f_cpost, lin_cpost = _ols_rep(y, X, w * (1 - d) * post, "outcome regression (comparison, period t)")
    f_tpre, lin_tpre = _ols_rep(y, X, w * d * (1 - post), "outcome regression (treated, base period)")
    f_tpost, lin_tpost = _ols_rep(y, X, w * d * post, "outcome regression (treated, period t)")
    f_cont = post * f_cpost + (1 - post) * f_cpre

    w_tpre, w_tpost = keep * w * d * (1 - post), keep * w * d * post
    w_cpre, w_cpost = keep * w * odds * (1 - d) * (1 - post), keep * w * odds * (1 - d) * post
    w_d, w_dt1, w_dt0 = keep * w * d, keep * w * d * post, keep * w * d * (1 - post)
    m = dict(zip(("tpre", "tpost", "cpre", "cpost", "d", "dt1", "dt0"),
                 _means(w_tpre, w_tpost, w_cpre, w_cpost, w_d, w_dt1, w_dt0)))
    for key in ("tpre", "tpost", "cpre", "cpost"):
        _check_mass(m[key], f"{'treated' if key[0] == 't' else 'comparison'} observations in the "
                            f"{'base period' if key.endswith('pre') else 'period t'}")
    e_tpre = w_tpre * (y - f_cont) / m["tpre"]
    e_tpost = w_tpost * (y - f_cont) / m["tpost"]
    e_cpre = w_cpre * (y - f_cont) / m["cpre"]
    e_cpost = w_cpost * (y - f_cont) / m["cpost"]
    e_dpost = w_d * (f_tpost - f_cpost) / m["d"]
    e_dt1post = w_dt1 * (f_tpost - f_cpost) / m["dt1"]
    e_dpre = w_d * (f_tpre - f_cpre) / m["d"]
    e_dt0pre = w_dt0 * (f_tpre - f_cpre) / m["dt0"]
    a = {k: float(np.mean(v)) for k, v in (("tpre", e_tpre), ("tpost", e_tpost), ("cpre", e_cpre),
                                            ("cpost", e_cpost), ("dpost", e_dpost), ("dt1post", e_dt1post),
                                            ("dpre", e_dpre), ("dt0pre", e_dt0pre))}
    att = ((a["tpost"] - a["tpre"]) - (a["cpost"] - a["cpre"])
           + (a["dpost"] - a["dt1post"]) - (a["dpre"] - a["dt0pre"]))

    lin_ps = (w * (d - ps))[:, None] * X @ (info_inv * n)
    inf_tpre = e_tpre - w_tpre * a["tpre"] / m["tpre"]
    inf_tpost = e_tpost - w_tpost * a["tpost"] / m["tpost"]
    m1_post = -(w_tpost[:, None] * post[:, None] * X).mean(axis=0) / m["tpost"]
    m1_pre = -(w_tpre[:, None] * (1 - post)[:, None] * X).mean(axis=0) / m["tpre"]
    inf_treat = inf_tpost - inf_tpre + lin_cpost @ m1_post + lin_cpre @ m1_pre

    inf_cpre = e_cpre - w_cpre * a["cpre"] / m["cpre"]
    inf_cpost = e_cpost - w_cpost * a["cpost"] / m["cpost"]
    m2_pre = ((w_cpre * (y - f_cont - a["cpre"]))[:, None] * X).mean(axis=0) / m["cpre"]
    m2_post = ((w_cpost * (y - f_cont - a["cpost"]))[:, None] * X).mean(axis=0) / m["cpost"]
    m3_post = -(w_cpost[:, None] * post[:, None] * X).mean(axis=0) / m["cpost"]
    m3_pre = -(w_cpre[:, None] * (1 - post)[:, None] * X).mean(axis=0) / m["cpre"]
    inf_cont = (inf_cpost - inf_cpre + lin_ps @ (m2_post - m2_pre)
                + lin_cpost @ m3_post + lin_cpre @ m3_pre)

    inf_eff = ((e_dpost - w_d * a["dpost"] / m["d"]) - (e_dt1post - w_dt1 * a["dt1post"] / m["dt1"])
               - ((e_dpre - w_d * a["dpre"] / m["d"]) - (e_dt0pre - w_dt0 * a["dt0pre"] / m["dt0"])))
    mom_post = ((w_d / m["d"] - w_dt1 / m["dt1"])[:, None] * X).mean(axis=0)
    mom_pre = ((w_d / m["d"] - w_dt0 / m["dt0"])[:, None] * X).mean(axis=0)
    inf_or = (lin_tpost - lin_cpost) @ mom_post - (lin_tpre - lin_cpre) @ mom_pre
    return float(att), inf_treat - inf_cont + inf_eff + inf_or


PANEL_ESTIMATORS: dict[str, Callable[..., tuple[float, np.ndarray]]] = {
    "reg": reg_panel, "ipw": ipw_panel, "dr": dr_panel, "dr_improved": dr_improved_panel}
RC_ESTIMATORS: dict[str, Callable[..., tuple[float, np.ndarray]]] = {
    "reg": reg_rc, "ipw": ipw_rc, "dr": dr_rc}


def panel_2x2(dy: np.ndarray, d: np.ndarray, X: np.ndarray, w: np.ndarray,
              method: str, first: PanelFirstStep | None = None) -> tuple[float, np.ndarray]:
    """ATT and influence function of one panel 2x2 comparison by ``method`` (reg, ipw, dr, dr_improved).

    ``first`` (from :func:`panel_first_step` on the same d, X, w) is reused instead of refitted.
    """
    if method == "dr_improved":
        return dr_improved_panel(dy, d, X, w)
    return PANEL_ESTIMATORS[method](dy, d, X, w, first)


def rc_2x2(y: np.ndarray, post: np.ndarray, d: np.ndarray, X: np.ndarray, w: np.ndarray,
           method: str) -> tuple[float, np.ndarray]:
    """ATT and influence function of one repeated cross-section 2x2 comparison by ``method``."""
    return RC_ESTIMATORS[method](y, post, d, X, w)
