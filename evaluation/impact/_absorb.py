"""Fixed effects absorbed by the within transform (alternating projections).

The within transform subtracts group means for every fixed-effect dimension in turn
until the columns stop changing (method of alternating projections; Guimarães &
Portugal 2010, Gaure 2013). With one dimension it is exact in one pass; with a
balanced two-way panel it converges in one sweep; unbalanced panels need a few more.
By Frisch–Waugh–Lovell, OLS on the transformed columns gives the same slope
coefficients as OLS with a full set of dummies.

Example
-------
>>> import numpy as np
>>> unit = np.array([0, 0, 1, 1]); time = np.array([0, 1, 0, 1])
>>> y = np.array([1.0, 2.0, 3.0, 5.0])
>>> demean(y[:, None], [unit, time]).ravel().round(3)
array([ 0.25, -0.25, -0.25,  0.25])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evaluation.errors import EstimationError


def demean(matrix: np.ndarray, groups: Sequence[np.ndarray], weights: np.ndarray | None = None,
           *, tol: float = 1e-10, max_iter: int = 10_000) -> np.ndarray:
    """Columns of ``matrix`` with the (weighted) group means of every grouping removed.

    ``groups`` are integer code arrays 0..L-1 (one per fixed-effect dimension).
    """
    out = np.array(matrix, dtype=np.float64, copy=True)
    if not groups:
        return out
    w = np.ones(out.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    sums_w = [np.bincount(g, weights=w) for g in groups]
    scale = np.maximum(np.abs(out).max(axis=0), 1.0)
    for _ in range(max_iter):
        largest_step = 0.0
        for codes, total_w in zip(groups, sums_w):
            for col in range(out.shape[1]):
                means = np.bincount(codes, weights=w * out[:, col], minlength=total_w.size)
                means = np.divide(means, total_w, out=np.zeros_like(means), where=total_w > 0)
                step = means[codes]
                out[:, col] -= step
                largest_step = max(largest_step, float(np.abs(step).max() / scale[col]))
        if len(groups) == 1 or largest_step < tol:
            return out
    raise EstimationError(f"the fixed-effects within transform did not converge in {max_iter} sweeps; "
                          "the panel may be badly connected (check units observed in one period only)")


def drop_singletons(groups: Sequence[np.ndarray]) -> np.ndarray:
    """Mask of rows kept after repeatedly removing fixed-effect groups with a single row.

    A group with one observation is fitted perfectly by its own effect, so it adds
    nothing to the slopes but would distort the degrees of freedom (Correia 2015).
    """
    keep = np.ones(groups[0].shape[0], dtype=bool) if groups else np.ones(0, dtype=bool)
    while True:
        removed = False
        for codes in groups:
            counts = np.bincount(codes[keep], minlength=int(codes.max()) + 1 if codes.size else 0)
            single = keep & (counts[codes] == 1)
            if single.any():
                keep &= ~single
                removed = True
        if not removed:
            return keep


def absorbed_dof(groups: Sequence[np.ndarray], clusters: np.ndarray | None = None) -> int:
    """Parameters used up by the absorbed effects, fixest's "nonnested" rule.

    Sum of levels minus one per extra dimension; a dimension nested in the clusters
    counts as one parameter only (its levels are already reflected in G/(G-1)).
    """
    if not groups:
        return 0
    total = 0
    for index, codes in enumerate(groups):
        levels = int(np.unique(codes).size)
        if clusters is not None and _nested(codes, clusters):
            total += 1
        else:
            total += levels
        if index > 0:
            total -= 1
    return total


def _nested(codes: np.ndarray, clusters: np.ndarray) -> bool:
    """Every level of ``codes`` lies inside one cluster."""
    order = np.lexsort((clusters, codes))
    c, k = codes[order], clusters[order]
    same_level = c[1:] == c[:-1]
    return bool(np.all(k[1:][same_level] == k[:-1][same_level]))


def transform(y: np.ndarray, X: np.ndarray, groups: Sequence[np.ndarray],
              weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(y, X) ready for OLS: weighted within transform, then rows scaled by √w.

    OLS on the result equals weighted least squares with a dummy for every fixed-effect level.
    """
    block = demean(np.column_stack([y, X]), groups, weights)
    if weights is not None:
        block *= np.sqrt(weights)[:, None]
    return block[:, 0], block[:, 1:]
