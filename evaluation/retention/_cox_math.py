"""Partial likelihood of the Cox model for counting-process (entry, exit] data, vectorised.

Everything is computed per stratum from risk-set sums at the distinct event times,
obtained with cumulative sums over households sorted by exit (those with exit >= t)
minus cumulative sums over households sorted by entry (those with entry >= t, not yet
at risk). Ties: Efron's approximation expands an event time with ``d`` events into
``d`` pseudo-rows ``l = 0..d-1`` whose risk set removes the fraction ``l/d`` of the
tied events (R ``coxph`` default); Breslow uses ``l/d = 0``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StratumData:
    x: np.ndarray          # n x p (centred)
    entry: np.ndarray
    stop: np.ndarray
    event: np.ndarray      # bool
    times: np.ndarray      # distinct event times
    d: np.ndarray          # events per distinct time
    time_index: np.ndarray  # for each event row: index into times (-1 for censored)
    stop_order: np.ndarray  # households by exit, descending
    entry_order: np.ndarray  # households by entry, descending
    n_stop_ge: np.ndarray   # per time: households with exit >= t
    n_entry_ge: np.ndarray  # per time: households with entry >= t
    row_time: np.ndarray    # per pseudo-row: index into times
    row_frac: np.ndarray    # per pseudo-row: l / d (0 for Breslow)


def stratum_data(x: np.ndarray, entry: np.ndarray, stop: np.ndarray, event: np.ndarray, efron: bool) -> StratumData:
    times, d = np.unique(stop[event], return_counts=True)
    time_index = np.full(stop.size, -1)
    time_index[event] = np.searchsorted(times, stop[event])
    stop_sorted, entry_sorted = np.sort(stop), np.sort(entry)
    n_stop_ge = stop.size - np.searchsorted(stop_sorted, times, side="left")
    n_entry_ge = entry.size - np.searchsorted(entry_sorted, times, side="left")
    row_time = np.repeat(np.arange(times.size), d)
    if efron:
        starts = np.repeat(np.cumsum(d) - d, d)
        row_frac = (np.arange(row_time.size) - starts) / np.repeat(d, d)
    else:
        row_frac = np.zeros(row_time.size)
    return StratumData(x, entry, stop, event, times, d, time_index, np.argsort(-stop, kind="stable"),
                       np.argsort(-entry, kind="stable"), n_stop_ge, n_entry_ge, row_time, row_frac)


def _risk_sum(values: np.ndarray, s: StratumData) -> np.ndarray:
    """Sum of ``values`` (first axis = households) over the risk set at each event time."""
    def take(order: np.ndarray, counts: np.ndarray) -> np.ndarray:
        csum = np.cumsum(values[order], axis=0)
        zero = np.zeros((1,) + values.shape[1:])
        csum = np.concatenate([zero, csum], axis=0)
        return csum[counts]
    return take(s.stop_order, s.n_stop_ge) - take(s.entry_order, s.n_entry_ge)


def _event_sum(values: np.ndarray, s: StratumData) -> np.ndarray:
    out = np.zeros((s.times.size,) + values.shape[1:])
    np.add.at(out, s.time_index[s.event], values[s.event])
    return out


@dataclass(frozen=True)
class RowStats:
    """Per Efron pseudo-row: weighted risk-set size, covariate mean; per event time: sums."""
    den: np.ndarray        # rows
    xbar: np.ndarray       # rows x p
    log_den: np.ndarray    # rows (on the original scale)
    s: StratumData
    risk: np.ndarray       # households: exp(x b - shift)
    shift: float


def row_stats(beta: np.ndarray, s: StratumData) -> RowStats:
    eta = s.x @ beta
    shift = float(eta.max()) if eta.size else 0.0
    r = np.exp(eta - shift)
    s0 = _risk_sum(r, s)
    s1 = _risk_sum(r[:, None] * s.x, s)
    a0 = _event_sum(r, s)
    a1 = _event_sum(r[:, None] * s.x, s)
    f = s.row_frac
    den = s0[s.row_time] - f * a0[s.row_time]
    num = s1[s.row_time] - f[:, None] * a1[s.row_time]
    den = np.maximum(den, np.finfo(float).tiny)
    return RowStats(den, num / den[:, None], np.log(den) + shift, s, r, shift)


def loglik_derivatives(beta: np.ndarray, strata: list[StratumData], hessian: bool = True
                       ) -> tuple[float, np.ndarray, np.ndarray | None]:
    """Log partial likelihood, score and observed information at ``beta`` (summed over strata)."""
    p = beta.size
    loglik, score = 0.0, np.zeros(p)
    info = np.zeros((p, p)) if hessian else None
    for s in strata:
        if s.times.size == 0:
            continue
        st = row_stats(beta, s)
        xe = s.x[s.event]
        loglik += float((xe @ beta).sum() - st.log_den.sum())
        score += xe.sum(axis=0) - st.xbar.sum(axis=0)
        if hessian:
            info += information_rows(st).sum(axis=0)
    return loglik, score, info


def information_rows(st: RowStats) -> np.ndarray:
    """Per pseudo-row weighted covariance of x in the risk set (rows x p x p)."""
    s, r = st.s, st.risk
    p = s.x.shape[1]
    f = s.row_frac
    a, b = np.triu_indices(p)
    # every covariate pair at once: one pass of risk-set sums over an n x pairs array instead of
    # one pass per pair (same sums column by column, so the same numbers)
    v = r[:, None] * s.x[:, a] * s.x[:, b]
    s2 = _risk_sum(v, s)[s.row_time] - f[:, None] * _event_sum(v, s)[s.row_time]
    upper = s2 / st.den[:, None] - st.xbar[:, a] * st.xbar[:, b]
    rows = np.empty((f.size, p, p))
    rows[:, a, b] = upper
    rows[:, b, a] = upper
    return rows


def score_residuals(beta: np.ndarray, s: StratumData) -> np.ndarray:
    """Score residuals per household (rows sum to the score); Efron-weighted like R's
    ``residuals(coxph, "score")``, used for the Lin–Wei robust variance."""
    n, p = s.x.shape
    if s.times.size == 0:
        return np.zeros((n, p))
    st = row_stats(beta, s)
    r = np.exp(s.x @ beta - st.shift)
    t = s.times.size
    # hazard increments summed per event time: sum_l 1/den_l and sum_l xbar_l/den_l
    h0 = np.bincount(s.row_time, 1 / st.den, minlength=t)
    h1 = np.zeros((t, p))
    np.add.at(h1, s.row_time, st.xbar / st.den[:, None])
    g0 = np.bincount(s.row_time, s.row_frac / st.den, minlength=t)
    g1 = np.zeros((t, p))
    np.add.at(g1, s.row_time, st.xbar * (s.row_frac / st.den)[:, None])
    mean_xbar = np.zeros((t, p))
    np.add.at(mean_xbar, s.row_time, st.xbar)
    mean_xbar /= s.d[:, None]

    c0 = np.concatenate([[0.0], np.cumsum(h0)])
    c1 = np.concatenate([np.zeros((1, p)), np.cumsum(h1, axis=0)])
    hi = np.searchsorted(s.times, s.stop, side="right")   # event times <= stop
    lo = np.searchsorted(s.times, s.entry, side="right")  # event times <= entry (not at risk)
    cum0, cum1 = c0[hi] - c0[lo], c1[hi] - c1[lo]
    resid = -r[:, None] * (s.x * cum0[:, None] - cum1)
    ev = s.event
    j = s.time_index[ev]
    # tied events share the risk set only in part (weight 1 - l/d) and contribute x - mean xbar
    resid[ev] += r[ev, None] * (s.x[ev] * g0[j, None] - g1[j])
    resid[ev] += s.x[ev] - mean_xbar[j]
    return resid


def schoenfeld(beta: np.ndarray, s: StratumData) -> tuple[np.ndarray, np.ndarray]:
    """Schoenfeld residuals (one row per event: x minus the Efron-averaged risk-set mean) and event times."""
    st = row_stats(beta, s)
    t = s.times.size
    p = s.x.shape[1]
    mean_xbar = np.zeros((t, p))
    np.add.at(mean_xbar, s.row_time, st.xbar)
    mean_xbar /= s.d[:, None]
    ev = np.flatnonzero(s.event)
    order = ev[np.argsort(s.stop[ev], kind="stable")]
    return s.x[order] - mean_xbar[s.time_index[order]], s.stop[order]


def _pair_counts(items_key: np.ndarray, is_data: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """For items in the order given, count for each query item the *earlier* data items whose
    key lies in ``[lo, hi)`` (offline divide and conquer, one vectorised pass per level)."""
    m = items_key.size
    out = np.zeros(m, dtype=np.int64)
    span = int(max(items_key.max(initial=0), hi.max(initial=0))) + 1
    pos = np.arange(m)
    k = 0
    while (1 << k) < m:
        block = pos >> (k + 1)
        right = ((pos >> k) & 1).astype(bool)
        left_data = is_data & ~right
        keys = np.sort(block[left_data] * span + items_key[left_data])
        q = ~is_data & right
        base = block[q] * span
        out[q] += np.searchsorted(keys, base + hi[q], side="left") - np.searchsorted(keys, base + lo[q], side="left")
        k += 1
    return out


def concordance_counts(eta: np.ndarray, entry: np.ndarray, stop: np.ndarray, event: np.ndarray,
                       strata: np.ndarray) -> tuple[int, int, int]:
    """Concordant, discordant and tied-in-risk-score pairs as R ``concordance()`` counts them for a
    Cox model: each event is compared with every household still at risk after it (later exit, or
    censored at the same time), within strata; a pair is concordant when the event has the higher
    risk score. Ties in time between two events are not comparable."""
    times = np.unique(np.concatenate([entry, stop]))
    rs, re_ = np.searchsorted(times, stop), np.searchsorted(times, entry)
    big = 2 * times.size + 2
    n = eta.size
    evi = np.flatnonzero(event)
    s_key = strata * big
    # data items: exits keyed so that "exit > t, or = t and censored" is key >= 2 rank(t) + 1;
    # entries keyed in a separate range (offset) for households not yet entered at t
    offset = int(strata.max(initial=0) + 1) * big
    data_key = np.concatenate([s_key + 2 * rs + (~event).astype(np.int64), offset + s_key + 2 * re_])
    q_lo_a = s_key[evi] + 2 * rs[evi] + 1
    q_hi_a = s_key[evi] + big
    q_lo_b = offset + s_key[evi] + 2 * rs[evi]
    q_hi_b = offset + s_key[evi] + big
    rank = np.unique(eta, return_inverse=True)[1]
    item_rank = np.concatenate([rank, rank, rank[evi], rank[evi]])
    key = np.concatenate([data_key, np.zeros(2 * evi.size, dtype=np.int64)])
    lo = np.concatenate([np.zeros(2 * n, dtype=np.int64), q_lo_a, q_lo_b])
    hi = np.concatenate([np.zeros(2 * n, dtype=np.int64), q_hi_a, q_hi_b])
    is_data = np.concatenate([np.ones(2 * n, bool), np.zeros(2 * evi.size, bool)])
    sign = np.concatenate([np.zeros(2 * n), np.ones(evi.size), -np.ones(evi.size)])

    def count(query_first: bool) -> int:
        # within equal risk scores, queries before data count strictly lower scores only
        order = np.lexsort((is_data if query_first else ~is_data, item_rank))
        got = _pair_counts(key[order], is_data[order], lo[order], hi[order])
        return int((got * sign[order]).sum())

    lower = count(True)
    lower_or_equal = count(False)
    # all comparable pairs, ignoring scores
    dk = np.sort(data_key)
    total = int((np.searchsorted(dk, q_hi_a) - np.searchsorted(dk, q_lo_a)).sum()
                - (np.searchsorted(dk, q_hi_b) - np.searchsorted(dk, q_lo_b)).sum())
    tied = lower_or_equal - lower
    return lower, total - lower_or_equal, tied
