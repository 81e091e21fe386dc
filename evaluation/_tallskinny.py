"""Products with tall, skinny matrices (many rows, a few columns) without multithreaded BLAS.

The estimators spend their time in products like X'WX, X'y and Xb with a million rows and two
to ten columns. Through BLAS these are memory-bound, and a multithreaded BLAS (OpenBLAS, as
numpy ships it) wakes its worker threads for each call, which then spin waiting for the next
one: on a machine whose cores are busy (notebooks run side by side, a shared server) that
spinning costs several times the work itself (a dot product of 10^6 numbers: 0.2 ms of CPU
single-threaded, 4.5 ms with the threads). Here each product is a sum of single-threaded
``einsum`` reductions over contiguous columns, one pass over the data per column pair;
with more than ``BLAS_COLUMNS`` columns the BLAS product is used as it is.

Example
-------
>>> import numpy as np
>>> X = np.column_stack([np.ones(4), [0.0, 1, 2, 3]])
>>> gram(X).tolist(), tdot(X, np.array([1.0, 1, 1, 1])).tolist()
([[4.0, 6.0], [6.0, 14.0]], [4.0, 6.0])
"""

from __future__ import annotations

import numpy as np

#: Above this many columns, products go to BLAS (the per-pair loop would no longer pay).
BLAS_COLUMNS = 12


def columns(X: np.ndarray) -> list[np.ndarray]:
    """The columns of a 2-d array as contiguous 1-d arrays (views when X is column-major)."""
    X = np.asfortranarray(X)
    return [X[:, j] for j in range(X.shape[1])]


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product of two 1-d arrays (single-threaded)."""
    return float(np.einsum("i,i->", a, b))


def gram(X: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """X' diag(w) X (X'X without ``w``)."""
    k = X.shape[1]
    if k > BLAS_COLUMNS:
        return (X.T * w) @ X if w is not None else X.T @ X
    cols = columns(X)
    weighted = cols if w is None else [c * w for c in cols]
    out = np.empty((k, k))
    for a in range(k):
        for b in range(a, k):
            out[a, b] = out[b, a] = dot(weighted[a], cols[b])
    return out


def tdot(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """X'y for a 1-d ``y``."""
    if X.shape[1] > BLAS_COLUMNS:
        return X.T @ y
    return np.array([dot(c, y) for c in columns(X)])


def matvec(X: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Xb for a 1-d ``b``."""
    k = X.shape[1]
    if k > BLAS_COLUMNS:
        return X @ b
    cols = columns(X)
    out = cols[0] * b[0]
    for j in range(1, k):
        out += cols[j] * b[j]
    return out


__all__ = ["BLAS_COLUMNS", "columns", "dot", "gram", "matvec", "tdot"]
