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
  :func:`frank_wolfe_many` advances several families of problems (SDID's unit and time weights)
  in one loop; a step costs one row of the Gram matrix per problem, and problems that share one
  Gram matrix (placebo replications) read it from one copy.

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


@dataclass(frozen=True)
class SimplexQP:
    """A batch of problems ``zeta^2 ||x||^2 + ||A x - b||^2 / m`` over the simplex, in the form
    Frank–Wolfe needs (everything scaled by m): the Gram matrix ``G = A'A``, ``c = A'b`` and
    ``eta = m zeta^2``, so that the half gradient is ``g = (G + eta I) x - c``.

    ``gram`` is (B, n, n), or (1, n, n) when every problem has the same columns (placebo
    replications: subsets of one pool of comparison places, the others marked ``invalid``), which
    keeps the rows Frank–Wolfe reads in the processor's cache. Built by :func:`simplex_qp` or
    :func:`simplex_qp_shared` and reused by both rounds of :func:`frank_wolfe_sparse_many`.
    """

    gram: np.ndarray               # (B or 1, n, n)
    A: np.ndarray | None           # (B or 1, m, n) when m < n: an exact refresh through A is cheaper
    atb: np.ndarray                # (B, n), 0 on invalid columns
    bb: np.ndarray                 # (B,)
    eta: np.ndarray                # (B,)
    m_eff: np.ndarray              # (B,)
    stop: np.ndarray               # (B,) threshold on the decrease of m * objective
    invalid: np.ndarray            # (B, n) padded or excluded columns, never chosen

    @property
    def size(self) -> tuple[int, int]:
        return self.atb.shape

    def half_gradient(self, x: np.ndarray) -> np.ndarray:
        """``(G + eta I) x - c`` computed afresh."""
        if self.A is not None and self.A.shape[0] == 1:    # small products: no BLAS threads
            gx = (x @ self.A[0].T) @ self.A[0]
        elif self.A is not None:
            gx = np.matmul(np.matmul(self.A, x[:, :, None]).transpose(0, 2, 1), self.A)[:, 0, :]
        elif self.gram.shape[0] == 1:
            gx = np.matmul(x[:, None, :], self.gram)[:, 0, :]
        else:
            gx = np.matmul(self.gram, x[:, :, None])[:, :, 0]
        return gx + self.eta[:, None] * x - self.atb

    def take(self, keep: np.ndarray) -> SimplexQP:
        fields = {f: getattr(self, f) for f in self.__dataclass_fields__}
        return SimplexQP(**{f: v if v is None or (f in ("gram", "A") and v.shape[0] == 1) else v[keep]
                            for f, v in fields.items()})


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


def _qp(gram: np.ndarray, A: np.ndarray | None, atb: np.ndarray, b: np.ndarray, zeta: np.ndarray | float,
        min_decrease: np.ndarray | float, m_eff: np.ndarray, invalid: np.ndarray) -> SimplexQP:
    B = atb.shape[0]
    zeta2 = np.broadcast_to(np.asarray(zeta, dtype=float) ** 2, (B,)).astype(float)
    stop = np.broadcast_to(np.asarray(min_decrease, dtype=float) ** 2, (B,)) * m_eff
    atb = np.where(invalid, 0.0, atb)
    return SimplexQP(gram=gram, A=A, atb=atb, bb=np.einsum("bm,bm->b", b, b), eta=m_eff * zeta2, m_eff=m_eff,
                     stop=stop, invalid=invalid)


def simplex_qp(A: np.ndarray, b: np.ndarray, zeta: np.ndarray | float, *, min_decrease: np.ndarray | float,
               rows: np.ndarray | None = None, columns: np.ndarray | None = None) -> SimplexQP:
    """The problems' Gram form. ``A`` (B, m, n) and ``b`` (B, m), already centred if an intercept
    is wanted (:func:`center`); ``rows`` (B, m) marks valid rows (padding is zero and does not
    count in m), ``columns`` (B, n) valid columns. ``zeta`` and ``min_decrease`` are scalars or one
    value per problem."""
    A = np.ascontiguousarray(A, dtype=float)
    b = np.asarray(b, dtype=float)
    B, m, n = A.shape
    m_eff = np.full(B, float(m)) if rows is None else rows.sum(axis=1).astype(float)
    invalid = np.zeros((B, n), bool) if columns is None else ~np.asarray(columns, dtype=bool)
    gram = np.matmul(A.transpose(0, 2, 1), A)
    atb = np.matmul(b[:, None, :], A)[:, 0, :]
    return _qp(gram, A if m < n else None, atb, b, zeta, min_decrease, m_eff, invalid)


def simplex_qp_shared(A: np.ndarray, b: np.ndarray, zeta: np.ndarray | float, *, min_decrease: np.ndarray | float,
                      columns: np.ndarray) -> SimplexQP:
    """Problems that share one design ``A`` (m, n) and differ in ``b`` (B, m) and in which
    columns they may use (``columns`` (B, n)): one Gram matrix for all."""
    A = np.asarray(A, dtype=float)
    b = np.asarray(b, dtype=float)
    B, (m, n) = b.shape[0], A.shape
    return _qp((A.T @ A)[None], A[None] if m < n else None, b @ A, b, zeta, min_decrease, np.full(B, float(m)),
               ~np.asarray(columns, dtype=bool))


class _Batch:
    """Frank–Wolfe state of several families of problems (e.g. the unit and the time weights of
    the same B replications) that advance in one loop. Family k's weights and half gradient are
    contiguous (B, n_k) blocks of one flat buffer each, so that one gather reads the chosen entry
    of every problem of every family; per-problem scalars are flat (K B,) arrays.

    Weights and half gradient are stored as ``x = scale * x_s`` and ``g = scale * g_s``: a step
    ``x <- (1 - s) x + s e_i`` multiplies the scale by ``1 - s``, adds to one entry of x_s and adds
    the row ``G_i + eta e_i - c`` to g_s (no pass over the whole state to shrink it). Each
    problem's rows are precomputed, except when all problems share one G (placebo replications):
    then the rows come from G, which stays in the processor's cache, and c is subtracted. Both
    are recomputed exactly every REFRESH steps and whenever a scale gets small.
    """

    def __init__(self, qps: list[SimplexQP], starts: list[np.ndarray]):
        B = qps[0].size[0]
        if any(q.size[0] != B for q in qps):
            raise ValueError("problem families solved together need the same number of problems")
        self.qps = list(qps)
        self.ids = np.arange(B)
        self.x_flat = np.concatenate([np.asarray(x0, dtype=float).ravel() for x0 in starts])
        self.g_flat = np.empty_like(self.x_flat)
        self.h_diag = np.concatenate([(np.einsum("bii->bi", q.gram) + q.eta[:, None]).ravel() for q in qps])
        self.atb = np.concatenate([q.atb.ravel() for q in qps])
        for name in ("bb", "stop", "eta"):
            setattr(self, name, np.concatenate([getattr(q, name) for q in qps]))
        self.scale = np.ones(len(qps) * B)
        self.q, self.cx = np.empty(len(qps) * B), np.empty(len(qps) * B)
        self._index()

    def _index(self) -> None:
        B = self.ids.size
        widths = [q.size[1] for q in self.qps]
        starts = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64) * B
        blocks = [slice(int(s), int(s) + B * n) for s, n in zip(starts, widths)]
        self.x = [self.x_flat[blk].reshape(B, n) for blk, n in zip(blocks, widths)]
        self.g = [self.g_flat[blk].reshape(B, n) for blk, n in zip(blocks, widths)]
        self.c = [self.atb[blk].reshape(B, n) for blk, n in zip(blocks, widths)]
        self.base = np.concatenate([s + np.arange(B) * n for s, n in zip(starts, widths)])
        shared = [q.gram.shape[0] == 1 and B > 1 for q in self.qps]
        self.table = [_step_rows(q, s).reshape(-1, n) for q, s, n in zip(self.qps, shared, widths)]
        self.row_base = [np.zeros(B, np.int64) if s else np.arange(B) * n for s, n in zip(shared, widths)]
        self.minus_c = [c if s else None for c, s in zip(self.c, shared)]
        # eta e_i is in the rows unless the problems sharing G have different eta
        scatter = [s and np.ptp(q.eta) > 0 for q, s in zip(self.qps, shared)]
        self.eta_scatter = (np.concatenate([q.eta if sc else np.zeros(B) for q, sc in zip(self.qps, scatter)])
                            if any(scatter) else None)

    def weights(self) -> list[np.ndarray]:
        B = self.ids.size
        return [x * self.scale[k * B:(k + 1) * B, None] for k, x in enumerate(self.x)]

    def refresh(self) -> None:
        """x and g afresh; scales back to one."""
        B = self.ids.size
        for k, (q, x) in enumerate(zip(self.qps, self.weights())):
            g = q.half_gradient(x)
            self.cx[k * B:(k + 1) * B] = np.einsum("bn,bn->b", q.atb, x)
            self.q[k * B:(k + 1) * B] = np.einsum("bn,bn->b", g, x) - self.cx[k * B:(k + 1) * B]
            g[q.invalid] = np.inf
            self.x[k][...], self.g[k][...] = x, g
        self.scale[:] = 1.0

    def restart(self) -> None:
        """Problems whose step was a full move to a vertex: their old x and g drop out."""
        zero = self.scale == 0.0
        for k, (q, rows) in enumerate(zip(self.qps, zero.reshape(len(self.qps), -1))):
            if rows.any():
                self.x[k][rows] = 0.0
                self.g[k][rows] = np.where(q.invalid[rows], np.inf, 0.0)
        self.scale[zero] = 1.0

    def take(self, keep: np.ndarray) -> np.ndarray:
        """Keep rows ``keep`` of every family; returns the kept problems' positions."""
        B = self.ids.size
        per_problem = (np.arange(len(self.qps))[:, None] * B + keep[None, :]).ravel()
        blocks = {name: [a[keep].ravel() for a in getattr(self, attr)]
                  for name, attr in (("x_flat", "x"), ("g_flat", "g"), ("atb", "c"))}
        n = [q.size[1] for q in self.qps]
        h = np.split(self.h_diag, np.cumsum([B * w for w in n])[:-1])
        self.h_diag = np.concatenate([d.reshape(B, -1)[keep].ravel() for d in h])
        for name, parts in blocks.items():
            setattr(self, name, np.concatenate(parts))
        self.qps = [q.take(keep) for q in self.qps]
        self.ids = self.ids[keep]
        for name in ("bb", "stop", "eta", "scale", "q", "cx"):
            setattr(self, name, getattr(self, name)[per_problem])
        self._index()
        return per_problem


def _step_rows(q: SimplexQP, shared: bool) -> np.ndarray:
    """Rows added to the half gradient by a step: ``G_i + eta e_i - c`` per problem; for problems
    sharing G, ``G_i`` (plus ``eta e_i`` when they share eta too; c is subtracted in the step)."""
    n = q.size[1]
    diag = np.arange(n)
    if shared:
        rows = q.gram[0].copy()
        if np.ptp(q.eta) == 0:
            rows[diag, diag] += q.eta[0]
        return rows
    rows = q.gram - q.atb[:, None, :]
    rows[:, diag, diag] += q.eta[:, None]
    return rows


def _run(batch: _Batch, max_iter: int) -> list[FrankWolfeResult]:
    """Frank–Wolfe with exact line search, synthdid's ``sc.weight.fw`` step by step, on all problems.

    Each problem stops, as in synthdid, after the first iteration (from the second on) that lowers
    its objective by at most ``min_decrease^2``, or after ``max_iter`` iterations; stopped problems
    take zero steps (their state does not change), and are dropped from the arrays once half of
    the rows have stopped. The objective (times m) is tracked as ``q + ||b||^2`` with
    ``q = x'Hx - 2 c'x``; an exact line search of length s along d lowers it by
    ``s (2 u - s d'Hd)``, ``u = -g.d``.
    """
    K, B = len(batch.qps), batch.ids.size
    m_eff = [q.m_eff for q in batch.qps]
    out_x = [np.empty((B, q.size[1])) for q in batch.qps]
    out_iter = np.zeros(K * B, dtype=np.int64)
    out_value = np.full(K * B, np.nan)
    running = np.ones(K * B, bool)
    n_running = running.size
    iterations = np.zeros(K * B, dtype=np.int64)       # when each problem stopped (0: running)
    cols = np.empty(K * B, dtype=np.int64)
    t = 0

    def write_out(sel: np.ndarray | slice = slice(None)) -> None:
        rows = batch.ids[sel]
        for k, w in enumerate(batch.weights()):
            out_x[k][rows] = w[sel]
        n = batch.ids.size
        problems = (np.arange(K)[:, None] * B + rows[None, :]).ravel()
        mine = (np.arange(K)[:, None] * n + np.arange(n)[sel][None, :]).ravel()
        stopped_at = iterations[mine]
        out_iter[problems] = np.where(stopped_at == 0, t, stopped_at)    # 0: ran all t iterations
        out_value[problems] = batch.q[mine] + batch.bb[mine]

    refresh_due = True
    since = 0
    for t in range(1, max_iter + 1):
        if refresh_due or since >= REFRESH:
            batch.refresh()
            refresh_due, since = False, 0
        since += 1
        n = batch.ids.size
        scale, q, cx = batch.scale, batch.q, batch.cx
        for k, g in enumerate(batch.g):                    # first minimum, like which.min
            g.argmin(axis=1, out=cols[k * n:(k + 1) * n])
        flat = batch.base + cols
        c_i = batch.atb.take(flat)
        g_i = batch.g_flat.take(flat)
        g_i *= scale
        h_ii = batch.h_diag.take(flat)
        # d = e_i - x: u = -g.d = g.x - g_i; d'Hd = H_ii - 2 (Hx)_i + x'Hx, with Hx = g + c
        gdx = q + cx
        u = gdx - g_i
        denom = h_ii + gdx
        denom += cx
        g_i += c_i
        g_i *= 2.0
        denom -= g_i
        step = u / denom
        step *= running & (denom > 0)                      # 0 (or nan, then 0) where no step is taken
        np.fmax(step, 0.0, out=step)
        np.fmin(step, 1.0, out=step)
        decrease = u + u
        decrease -= step * denom
        decrease *= step
        q -= decrease
        keep_w = 1.0 - step
        cx *= keep_w
        cx += step * c_i
        scale *= keep_w
        if np.minimum.reduce(scale) < 1e-100:
            batch.restart()
            refresh_due = True
        coef = step / scale
        batch.x_flat[flat] += coef
        for k, g in enumerate(batch.g):
            part = slice(k * n, (k + 1) * n)
            rows = batch.table[k].take(batch.row_base[k] + cols[part], axis=0)
            if batch.minus_c[k] is not None:
                rows -= batch.minus_c[k]
            rows *= coef[part, None]
            g += rows
        if batch.eta_scatter is not None:
            batch.g_flat[flat] += coef * batch.eta_scatter
        if t >= 2:
            running &= decrease > batch.stop
            now = np.count_nonzero(running)
            if now < n_running:
                n_running = now
                iterations[(iterations == 0) & ~running] = t
                alive = running.reshape(K, -1).any(axis=0)
                if alive.sum() <= alive.size // 2:       # drop stopped rows from the arrays
                    write_out(~alive)
                    keep = np.flatnonzero(alive)
                    per_problem = batch.take(keep)
                    running, iterations = running[per_problem], iterations[per_problem]
                    cols = np.empty(K * keep.size, dtype=np.int64)
                    if keep.size == 0:
                        break
    if batch.ids.size:
        write_out()
    return [FrankWolfeResult(weights=out_x[k], iterations=out_iter[k * B:(k + 1) * B],
                             objective=out_value[k * B:(k + 1) * B] / m_eff[k]) for k in range(K)]


def _run_single(batch: _Batch, max_iter: int) -> list[FrankWolfeResult]:
    """:func:`_run` for one problem per family (the fit itself), the per-problem numbers as Python
    floats: on one problem, numpy calls on length-one arrays cost more than the arithmetic."""
    K = len(batch.qps)
    tables = [t.reshape(q.size[1], q.size[1]) for t, q in zip(batch.table, batch.qps)]
    c_list = [q.atb[0].tolist() for q in batch.qps]
    h_list = [(np.diag(q.gram[0]) + q.eta[0]).tolist() for q in batch.qps]
    bufs = [np.empty(q.size[1]) for q in batch.qps]
    stop = batch.stop.tolist()
    running, iterations = [True] * K, [0] * K
    refresh_due, since = True, 0
    for t in range(1, max_iter + 1):
        if refresh_due or since >= REFRESH:
            batch.refresh()
            scale, q, cx = batch.scale.tolist(), batch.q.tolist(), batch.cx.tolist()
            refresh_due, since = False, 0
        since += 1
        for k in range(K):
            if not running[k]:
                continue
            g = batch.g[k][0]
            i = int(g.argmin())                            # first minimum, like which.min
            c_i, h_ii = c_list[k][i], h_list[k][i]
            g_i = float(g[i]) * scale[k]
            gdx = q[k] + cx[k]
            u = gdx - g_i
            denom = h_ii + gdx + cx[k] - (g_i + c_i) * 2.0
            step = min(max(u / denom, 0.0), 1.0) if denom > 0 else 0.0
            decrease = (u + u - step * denom) * step
            q[k] -= decrease
            keep_w = 1.0 - step
            cx[k] = cx[k] * keep_w + step * c_i
            scale[k] *= keep_w
            if scale[k] < 1e-100:                          # a full step to a vertex, or tiny scale
                batch.scale[k], batch.q[k], batch.cx[k] = scale[k], q[k], cx[k]
                batch.restart()
                scale[k] = float(batch.scale[k])
                refresh_due = True
            coef = step / scale[k]
            batch.x[k][0, i] += coef
            g += np.multiply(tables[k][i], coef, out=bufs[k])
            iterations[k] = t
            if t >= 2 and not decrease > stop[k]:
                running[k] = False
        if refresh_due or since >= REFRESH:
            batch.scale[:], batch.q[:], batch.cx[:] = scale, q, cx
        if not any(running):
            break
    batch.scale[:], batch.q[:], batch.cx[:] = scale, q, cx
    return [FrankWolfeResult(weights=w, iterations=np.array([iterations[k]]),
                             objective=np.array([(q[k] + float(batch.bb[k])) / float(batch.qps[k].m_eff[0])]))
            for k, w in enumerate(batch.weights())]


def frank_wolfe_many(qps: list[SimplexQP], starts: list[np.ndarray], *, max_iter: int) -> list[FrankWolfeResult]:
    """Batched synthdid Frank–Wolfe for several families of problems at once (one loop)."""
    batch = _Batch(qps, starts)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (_run_single if batch.ids.size == 1 else _run)(batch, max_iter)


def frank_wolfe(A: np.ndarray, b: np.ndarray, zeta: np.ndarray | float, x0: np.ndarray, *,
                min_decrease: np.ndarray | float, max_iter: int, rows: np.ndarray | None = None,
                columns: np.ndarray | None = None) -> FrankWolfeResult:
    """Batched synthdid Frank–Wolfe for ``zeta^2 ||x||^2 + ||A x - b||^2 / m`` over the simplex
    (arguments as :func:`simplex_qp`; ``x0`` (B, n) the starting weights)."""
    qp = simplex_qp(A, b, zeta, min_decrease=min_decrease, rows=rows, columns=columns)
    return frank_wolfe_many([qp], [np.asarray(x0, dtype=float)], max_iter=max_iter)[0]


def frank_wolfe_sparse_many(qps: list[SimplexQP], starts: list[np.ndarray], *, max_iter: int,
                            max_iter_pre_sparsify: int = 100) -> list[FrankWolfeResult]:
    """synthdid's two rounds for several families at once: ``max_iter_pre_sparsify`` steps,
    sparsify, then up to ``max_iter`` more."""
    first = frank_wolfe_many(qps, starts, max_iter=max_iter_pre_sparsify)
    return frank_wolfe_many(qps, [sparsify(r.weights) for r in first], max_iter=max_iter)


def frank_wolfe_sparse(A: np.ndarray, b: np.ndarray, zeta: np.ndarray | float, x0: np.ndarray, *,
                       min_decrease: np.ndarray | float, max_iter: int, max_iter_pre_sparsify: int = 100,
                       rows: np.ndarray | None = None, columns: np.ndarray | None = None) -> FrankWolfeResult:
    """synthdid's two rounds: ``max_iter_pre_sparsify`` steps, sparsify, then up to ``max_iter`` more."""
    qp = simplex_qp(A, b, zeta, min_decrease=min_decrease, rows=rows, columns=columns)
    return frank_wolfe_sparse_many([qp], [np.asarray(x0, dtype=float)], max_iter=max_iter,
                                   max_iter_pre_sparsify=max_iter_pre_sparsify)[0]
