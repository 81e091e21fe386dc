"""The batched Frank–Wolfe solver behind synthetic DiD against a step-by-step transcription of R
synthdid's ``fw.step`` / ``sc.weight.fw`` (synthdid 0.0.9, R/solver.R): the gradient
``t(Ax - b) %*% A + eta * x`` recomputed every step, the first minimum (``which.min``), the exact
line search clipped to [0, 1], and the stopping rule ``vals[t-1] - vals[t] > min.decrease^2``
from the second step on.

The solver keeps its state differently (Gram rows, a scaled state, several problem families in
one loop, one Gram matrix shared by placebo replications, Python floats for a single problem), so
it is held to the same iteration count for every problem and to the weights and objective within
1e-12 (rounding), on problems that stop early, late and at ``max_iter``.
"""
from __future__ import annotations

import numpy as np
import pytest

from evaluation.impact._simplex import (frank_wolfe, frank_wolfe_many, frank_wolfe_sparse, simplex_qp,
                                        simplex_qp_shared, sparsify)


def sc_weight_fw(A: np.ndarray, b: np.ndarray, zeta: float, x: np.ndarray, min_decrease: float,
                 max_iter: int) -> tuple[np.ndarray, int, float]:
    """R synthdid's sc.weight.fw (intercept already applied), one problem, line by line."""
    m = A.shape[0]
    eta = m * zeta ** 2
    vals = []
    t = 0
    while t < max_iter and (t < 2 or vals[t - 2] - vals[t - 1] > min_decrease ** 2):
        t += 1
        ax = A @ x
        half_grad = (ax - b) @ A + eta * x
        i = int(np.argmin(half_grad))
        d_x = -x.copy()
        d_x[i] = 1 - x[i]
        if np.any(d_x != 0):
            d_err = A[:, i] - ax
            step = -(half_grad @ d_x) / (np.sum(d_err ** 2) + eta * np.sum(d_x ** 2))
            x = x + min(1.0, max(0.0, step)) * d_x
        err = A @ x - b
        vals.append(zeta ** 2 * np.sum(x ** 2) + np.sum(err ** 2) / m)
    return x, t, vals[-1]


def problems(seed: int, B: int, m: int, n: int):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(B, m, n)).cumsum(axis=1)
    b = rng.normal(size=(B, m)).cumsum(axis=1)
    A -= A.mean(axis=1, keepdims=True)           # the intercept, as synthdid centres
    b -= b.mean(axis=1, keepdims=True)
    zeta = rng.uniform(1e-3, 0.5, B)
    min_decrease = rng.uniform(1e-4, 2e-2, B)
    return A, b, zeta, min_decrease


def check(result, A, b, zeta, x0, min_decrease, max_iter, columns=None):
    for j in range(A.shape[0]):
        use = slice(None) if columns is None else columns[j]
        x, t, val = sc_weight_fw(A[j][:, use], b[j], zeta[j], x0[j][use], min_decrease[j], max_iter)
        assert result.iterations[j] == t, (j, result.iterations[j], t)
        np.testing.assert_allclose(result.weights[j][use], x, atol=1e-12)
        assert result.objective[j] == pytest.approx(val, abs=1e-12)
        if columns is not None:
            assert np.all(result.weights[j][~columns[j]] == 0)


@pytest.mark.parametrize("seed, m, n", [(1, 8, 30), (2, 25, 6), (3, 5, 12)])
def test_batch_reproduces_synthdid_step_by_step(seed, m, n):
    A, b, zeta, min_decrease = problems(seed, 12, m, n)
    x0 = np.full((12, n), 1.0 / n)
    result = frank_wolfe(A, b, zeta, x0, min_decrease=min_decrease, max_iter=400)
    assert len(set(result.iterations.tolist())) > 3          # problems stop at different times
    check(result, A, b, zeta, x0, min_decrease, 400)
    one = frank_wolfe(A[:1], b[:1], zeta[:1], x0[:1], min_decrease=min_decrease[:1], max_iter=400)
    check(one, A[:1], b[:1], zeta[:1], x0[:1], min_decrease[:1], 400)      # the single-problem path


def test_two_families_in_one_loop_and_a_shared_gram_matrix():
    rng = np.random.default_rng(7)
    pool = rng.normal(size=(9, 40)).cumsum(axis=0)
    pool -= pool.mean(axis=0)
    B = 15
    columns = rng.random((B, 40)) > 0.15
    b = rng.normal(size=(B, 9)).cumsum(axis=1)
    b -= b.mean(axis=1, keepdims=True)
    zeta, min_decrease = np.full(B, 0.2), rng.uniform(1e-4, 1e-2, B)
    x0 = columns / columns.sum(axis=1, keepdims=True)
    shared = simplex_qp_shared(pool, b, zeta, min_decrease=min_decrease, columns=columns)
    A2, b2, zeta2, md2 = problems(8, B, 20, 5)
    other = simplex_qp(A2, b2, zeta2, min_decrease=md2)
    x2 = np.full((B, 5), 0.2)
    first, second = frank_wolfe_many([shared, other], [x0, x2], max_iter=300)
    check(first, np.broadcast_to(pool, (B, 9, 40)), b, zeta, x0, min_decrease, 300, columns=columns)
    check(second, A2, b2, zeta2, x2, md2, 300)


def test_two_rounds_with_sparsify():
    A, b, zeta, min_decrease = problems(4, 6, 7, 20)
    x0 = np.full((6, 20), 0.05)
    result = frank_wolfe_sparse(A, b, zeta, x0, min_decrease=min_decrease, max_iter=300, max_iter_pre_sparsify=10)
    start = np.stack([sparsify(sc_weight_fw(A[j], b[j], zeta[j], x0[j], min_decrease[j], 10)[0]) for j in range(6)])
    check(result, A, b, zeta, start, min_decrease, 300)


@pytest.mark.parametrize("twins", [False, True])
def test_placebo_over_one_pool_equals_replication_by_replication(monkeypatch, twins):
    """Placebo replications solved over the pool's one Gram matrix give the draws of solving each
    replication on its own comparison places, in its own order (the order breaks Frank–Wolfe's ties:
    with two places of the same path the pool is not used)."""
    import pandas as pd

    from evaluation.impact import sdid_inference, synthetic_did

    rng = np.random.default_rng(11)
    units, years = [f"m{i:02d}" for i in range(40)], np.arange(2010, 2022)
    y = rng.normal(size=(40, 1)) + rng.normal(size=(40, 2)) @ rng.normal(size=(2, 12)).cumsum(axis=1) \
        + 0.3 * rng.normal(size=(40, 12))
    if twins:
        y[7] = y[5] + 2.0                               # the same path, shifted: a tie after centring
    df = pd.DataFrame({"unit": np.repeat(units, 12), "year": np.tile(years, 40), "y": y.ravel()})
    df["d"] = (df.unit.isin(["m00", "m01"]) & (df.year >= 2018)).astype(int)
    fit = synthetic_did(df, "y", "unit", "year", "d", se_method=None)
    pooled = fit.inference("placebo", replications=30, seed=5)
    original = sdid_inference._fit_batches
    monkeypatch.setattr(sdid_inference, "_fit_batches",
                        lambda *args, pooled=False: original(*args, pooled=False))
    separate = fit.inference("placebo", replications=30, seed=5)
    np.testing.assert_allclose(pooled.draws, separate.draws, atol=1e-12)
    assert sdid_inference._has_twins(fit.design.Y[fit.design.controls, :8], centred=True) is twins
