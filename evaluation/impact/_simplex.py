"""Least squares over the unit simplex (weights >= 0 that sum to one): the two solvers behind
synthetic control and synthetic difference-in-differences.

* :func:`simplex_least_squares` solves ``min ||A w - b||^2`` over the simplex *exactly* (up to
  rounding) by a primal active-set method in the style of Lawson & Hanson's NNLS, extended with
  the sum-to-one constraint. Synthetic control weights are a handful of donors at a vertex or face
  of the simplex; an active set finds that face in a few steps, where interior-point (R Synth's
  ``ipop``) or SLSQP solvers stop at a tolerance. A warm start (the previous face) makes the
  repeated solves of the nested V optimisation cheap.
* :func:`frank_wolfe` is R synthdid's ``sc.weight.fw``: Frank–Wolfe with exact line search for
  ``zeta^2 ||w||^2 + ||A w - b||^2 / m`` with an optional intercept, the same stopping rule
  (stop when an iteration lowers the objective by less than ``min_decrease^2``) and the same
  first-minimum tie-breaking, so that it reproduces synthdid's (deliberately not fully converged)
  weights. It runs a *batch* of problems at once (placebo and bootstrap replications), each with
  its own stopping time; padded rows/columns let problems of different sizes share the batch.

Example
-------
>>> import numpy as np
>>> A = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 2.0]])
>>> w = simplex_least_squares(A, np.array([0.5, 0.5]))
>>> np.round(w, 6).tolist()
[0.5, 0.5, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Weights below this (relative to 1) are treated as zero when the active set is updated.
_ZERO = 1e-14
#: Frank-Wolfe recomputes A x and A'A x exactly every this many steps.
REFRESH = 64


def _face_solution(A: np.ndarray, b: np.ndarray, free: np.ndarray) -> np.ndarray:
    """argmin ||A_F z - b|| subject to sum(z) = 1 on the free set F (minimum-norm if not unique)."""
    Af = A[:, free]
    k = Af.shape[1]
    kkt = np.zeros((k + 1, k + 1))
    kkt[:k, :k] = Af.T @ Af
    kkt[:k, k] = 1.0
    kkt[k, :k] = 1.0
    rhs = np.concatenate([Af.T @ b, [1.0]])
    try:
        sol = np.linalg.solve(kkt, rhs)
        if not np.all(np.isfinite(sol)):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        sol = np.linalg.lstsq(kkt, rhs, rcond=None)[0]
    return sol[:k]


def simplex_least_squares(A: np.ndarray, b: np.ndarray, *, start: np.ndarray | None = None,
                          tol: float = 1e-10, max_iter: int | None = None) -> np.ndarray:
    """Weights w >= 0, sum(w) = 1, minimising ||A w - b||^2 (active-set method).

    ``start`` is an optional feasible starting point (a previous solution: warm start).
    ``tol`` is the relative tolerance of the optimality (KKT) check on the gradient.
    """
    A = np.asarray(A, dtype=float)
    b = np.asarray(b, dtype=float)
    n = A.shape[1]
    if n == 1:
        return np.ones(1)
    if start is None:  # best single column
        w = np.zeros(n)
        w[int(np.argmin(((A - b[:, None]) ** 2).sum(axis=0)))] = 1.0
    else:
        w = np.clip(np.asarray(start, dtype=float), 0.0, None)
        w = w / w.sum() if w.sum() > 0 else np.full(n, 1.0 / n)
    free = w > _ZERO
    scale = max(float(np.abs(A).max(initial=0.0)) ** 2 + float(np.abs(b).max(initial=0.0)) ** 2, 1e-300)
    limit = max_iter or 10 * n + 50
    for _ in range(limit):
        for _inner in range(n + 1):  # move to the face's optimum, dropping weights that hit zero
            z = np.zeros(n)
            z[free] = _face_solution(A, b, free)
            if np.all(z[free] > _ZERO):
                w = z
                break
            blocking = free & (z <= _ZERO)
            steps = w[blocking] / np.maximum(w[blocking] - z[blocking], 1e-300)
            step = float(np.clip(steps.min(), 0.0, 1.0))
            w = w + step * (z - w)
            free &= w > _ZERO
            w[~free] = 0.0
            if not free.any():  # numerical safety: restart from the best vertex
                w[int(np.argmin(((A - b[:, None]) ** 2).sum(axis=0)))] = 1.0
                free = w > 0
                break
        grad = A.T @ (A @ w - b)
        level = float(np.mean(grad[free]))
        candidates = np.flatnonzero(~free & (grad < level - tol * scale))
        if candidates.size == 0:
            break
        free[candidates[np.argmin(grad[candidates])]] = True
    w = np.clip(w, 0.0, None)
    return w / w.sum()


# ------------------------------------------------------------------------------ Frank-Wolfe
@dataclass(frozen=True)
class FrankWolfeResult:
    weights: np.ndarray      # (B, n)
    iterations: np.ndarray   # (B,) iterations run
    objective: np.ndarray    # (B,) final objective value


def sparsify(weights: np.ndarray) -> np.ndarray:
    """synthdid's sparsify_function, row by row: zero weights at most max/4, renormalise."""
    w = np.where(weights <= weights.max(axis=-1, keepdims=True) / 4.0, 0.0, weights)
    return w / w.sum(axis=-1, keepdims=True)


def center(A: np.ndarray, b: np.ndarray, rows: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Subtract each column's mean over the valid rows (the intercept), leaving padded rows at 0."""
    if rows is None:
        return A - A.mean(axis=1, keepdims=True), b - b.mean(axis=1, keepdims=True)
    r = rows.astype(float)
    count = r.sum(axis=1)
    a_mean = (A * r[:, :, None]).sum(axis=1) / count[:, None]
    b_mean = (b * r).sum(axis=1) / count
    return (A - a_mean[:, None, :]) * r[:, :, None], (b - b_mean[:, None]) * r


def frank_wolfe(A: np.ndarray, b: np.ndarray, zeta: np.ndarray | float, x0: np.ndarray, *,
                min_decrease: np.ndarray | float, max_iter: int, rows: np.ndarray | None = None,
                columns: np.ndarray | None = None) -> FrankWolfeResult:
    """Batched synthdid Frank–Wolfe for ``zeta^2 ||x||^2 + ||A x - b||^2 / m`` over the simplex.

    ``A`` is (B, m, n) and ``b`` (B, m), already centred if an intercept is wanted (see
    :func:`center`). ``rows`` (B, m) marks valid rows (padding is zero and does not count in m);
    ``columns`` (B, n) marks valid columns (padded ones are never chosen). ``zeta`` and
    ``min_decrease`` are scalars or one value per problem. Each problem stops, as in synthdid,
    after the first iteration (from the second on) that lowers its objective by at most
    ``min_decrease^2``, or after ``max_iter`` iterations.
    """
    A = np.asarray(A, dtype=float)
    b = np.asarray(b, dtype=float)
    B, m, _n = A.shape
    m_eff = np.full(B, float(m)) if rows is None else rows.sum(axis=1).astype(float)
    zeta2 = np.broadcast_to(np.asarray(zeta, dtype=float) ** 2, (B,)).astype(float)
    stop = np.broadcast_to(np.asarray(min_decrease, dtype=float) ** 2, (B,)).astype(float)
    x_out = np.array(x0, dtype=float, copy=True)
    iterations = np.zeros(B, dtype=np.int64)
    value_out = np.full(B, np.nan)
    # Everything runs on the Gram matrix G = A'A, c = A'b, ||b||^2: a step costs O(n) per problem,
    # not O(m n). ||A x - b||^2 = x'Gx - 2 c'x + ||b||^2 and x'Gx, c'x, ||x||^2 are updated along the
    # step; all are recomputed exactly every REFRESH steps. (The objective's rounding error,
    # ~1e-16 ||b||^2, is orders of magnitude below synthdid's stopping threshold (1e-5 sigma)^2.)
    ids = np.arange(B)
    x = np.ascontiguousarray(x_out.copy())
    gram = np.einsum("bmi,bmj->bij", A, A)
    diag = np.einsum("bii->bi", gram).copy()
    atb = np.einsum("bmi,bm->bi", A, b)
    shifted = gram - atb[:, None, :]          # row i: G_i - c, the change of the gradient towards vertex i
    bb = np.einsum("bm,bm->b", b, b)
    eta, z2, me, st = m_eff * zeta2, zeta2, m_eff, stop
    bad = None if columns is None else ~np.asarray(columns, dtype=bool)
    previous = np.full(B, np.nan)
    running = np.ones(B, dtype=bool)
    half_grad = None
    for t in range(1, max_iter + 1):
        if not running.any():
            break
        if running.sum() <= running.size // 2:
            x_out[ids] = x                               # stopped problems no longer move
            keep = np.flatnonzero(running)
            ids, x, shifted, diag, atb, bb = ids[keep], x[keep], shifted[keep], diag[keep], atb[keep], bb[keep]
            gram = gram[keep]
            eta, z2, me, st, previous = eta[keep], z2[keep], me[keep], st[keep], previous[keep]
            bad = None if bad is None else bad[keep]
            running = np.ones(keep.size, dtype=bool)
            half_grad = None
        if half_grad is None or t % REFRESH == 0:
            gx = np.einsum("bij,bj->bi", gram, x)
            half_grad = gx - atb + eta[:, None] * x           # A'(Ax - b) + eta x
            xgx = np.einsum("bn,bn->b", x, gx)
            cx = np.einsum("bn,bn->b", atb, x)
            x_sq = np.einsum("bn,bn->b", x, x)
        rows_idx = np.arange(ids.size)
        chosen = half_grad if bad is None else np.where(bad, np.inf, half_grad)
        i = np.argmin(chosen, axis=1)                              # first minimum, like which.min
        x_i, g_ii, c_i, hg_i = x[rows_idx, i], diag[rows_idx, i], atb[rows_idx, i], half_grad[rows_idx, i]
        gx_i = hg_i + c_i - eta * x_i
        # d = e_i - x: grad.d = g_i - g.x; ||A d||^2 = G_ii - 2 (Gx)_i + x'Gx; ||d||^2 = ||x||^2 - 2 x_i + 1
        grad_d = hg_i - np.einsum("bn,bn->b", half_grad, x)
        d_sq = x_sq - 2.0 * x_i + 1.0
        denom = (g_ii - 2.0 * gx_i + xgx) + eta * d_sq
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.clip(-grad_d / denom, 0.0, 1.0)
        step[~(running & (d_sq > 0) & (denom > 0))] = 0.0
        keep_w = 1.0 - step
        x *= keep_w[:, None]
        x[rows_idx, i] += step
        # gradient at the new point: (1 - s) g + s (G_i - c) + s eta e_i
        toward = shifted[rows_idx, i, :]
        toward *= step[:, None]
        half_grad *= keep_w[:, None]
        half_grad += toward
        half_grad[rows_idx, i] += step * eta
        xgx = keep_w ** 2 * xgx + 2.0 * step * keep_w * gx_i + step ** 2 * g_ii
        cx = keep_w * cx + step * c_i
        x_sq = keep_w ** 2 * x_sq + 2.0 * step * keep_w * x_i + step ** 2
        val = z2 * x_sq + np.maximum(xgx - 2.0 * cx + bb, 0.0) / me
        live = ids[running]
        iterations[live] = t
        value_out[live] = val[running]
        if t >= 2:
            running &= previous - val > st
        previous = val
    x_out[ids] = x
    return FrankWolfeResult(weights=x_out, iterations=iterations, objective=value_out)


def frank_wolfe_sparse(A: np.ndarray, b: np.ndarray, zeta: np.ndarray | float, x0: np.ndarray, *,
                       min_decrease: np.ndarray | float, max_iter: int, max_iter_pre_sparsify: int = 100,
                       rows: np.ndarray | None = None, columns: np.ndarray | None = None) -> FrankWolfeResult:
    """synthdid's two rounds: ``max_iter_pre_sparsify`` steps, sparsify, then up to ``max_iter`` more."""
    first = frank_wolfe(A, b, zeta, x0, min_decrease=min_decrease, max_iter=max_iter_pre_sparsify,
                        rows=rows, columns=columns)
    return frank_wolfe(A, b, zeta, sparsify(first.weights), min_decrease=min_decrease, max_iter=max_iter,
                       rows=rows, columns=columns)
