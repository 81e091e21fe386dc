"""Tenancy careers: spells along the staircase, moves up, and exits, simulated without row loops.

A household's *career* starts on its entry date (move-in for programme households, the day it
registered on the waiting list for comparison households). Two latent exponential clocks run
from that day: a negative exit (eviction, abandonment) with the household's monthly hazard,
and an other exit (left voluntarily, death, other) with a common hazard. Between them, the
household climbs the staircase at the planned ends of its steps. The loop below runs over
*spell levels* (at most four: crisis -> social -> affordable -> standard), each level
vectorised over all households still in a spell.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> entry = np.array(["2016-09-05"] * 3, dtype="datetime64[D]")
>>> c = simulate_careers(rng, entry, np.array(["crisis"] * 3, dtype=object), np.full(3, 0.01),
...                      np.datetime64("2020-12-31"))
>>> set(c.spells["step"]) <= {"crisis", "social", "affordable", "standard"}
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.synthetic._common import add_months, choose
from evaluation.synthetic.calibration import (
    DELAY_MONTHS,
    NEGATIVE_EXIT_REASONS,
    OTHER_EXIT_HAZARD,
    OTHER_EXIT_REASONS,
    PLANNED_MONTHS,
    TRANSITIONS,
)

NEGATIVE_REASONS = tuple(r for r, _ in NEGATIVE_EXIT_REASONS)
_NO_DATE = np.datetime64("NaT", "D")


@dataclass(frozen=True)
class Careers:
    """Spells (one row per spell, ``household`` = position in the batch) and per-household exits.

    ``exit_date``/``exit_reason`` are the career's end if it happened by the censoring date
    (NaT/None otherwise); ``negative`` marks eviction or abandonment.
    """
    spells: pd.DataFrame
    exit_date: np.ndarray
    exit_reason: np.ndarray
    negative: np.ndarray


def _draw_exit(rng: np.random.Generator, entry: np.ndarray, negative_hazard: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(entry)
    t_negative = rng.exponential(1.0 / negative_hazard)
    t_other = rng.exponential(1.0 / OTHER_EXIT_HAZARD, size=n)
    negative = t_negative < t_other
    months = np.where(negative, t_negative, t_other)
    negative_reason = choose(rng, NEGATIVE_REASONS, [p for _, p in NEGATIVE_EXIT_REASONS], n)
    other_reason = choose(rng, [r for r, _ in OTHER_EXIT_REASONS], [p for _, p in OTHER_EXIT_REASONS], n)
    return add_months(entry, months), np.where(negative, negative_reason, other_reason), negative


def _planned_end(rng: np.random.Generator, start: np.ndarray, step: np.ndarray) -> np.ndarray:
    """End of the planned stay in a step (NaT-free: open-ended steps get a far-future date)."""
    planned = np.array([PLANNED_MONTHS.get(s, np.inf) for s in step], dtype=float)
    delays = choose(rng, [str(d) for d, _ in DELAY_MONTHS], [p for _, p in DELAY_MONTHS], len(step))
    planned = planned + delays.astype(float)
    finite = np.isfinite(planned)
    out = np.full(len(step), np.datetime64("2262-01-01", "D"))
    out[finite] = add_months(start[finite], planned[finite])
    return out


def _transition(rng: np.random.Generator, step: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Next step (None = stays on) and the exit reason of the ending spell, by current step."""
    nxt = np.full(len(step), None, dtype=object)
    reason = np.full(len(step), None, dtype=object)
    u = rng.random(len(step))
    for current, options in TRANSITIONS.items():
        rows = step == current
        cum = 0.0
        for next_step, exit_reason, p in options:
            hit = rows & (u >= cum) & (u < cum + p)
            nxt[hit], reason[hit] = next_step, exit_reason
            cum += p
    return nxt, reason


def simulate_careers(rng: np.random.Generator, entry: np.ndarray, entry_step: np.ndarray,
                     negative_hazard: np.ndarray, censor: np.datetime64) -> Careers:
    """Simulate the spells of a batch of households entering ``entry_step`` on ``entry``."""
    n = len(entry)
    exit_date, exit_reason, negative = _draw_exit(rng, entry, negative_hazard)
    pieces = []
    active = np.arange(n)
    start = entry.copy()
    step = entry_step.astype(object).copy()
    while active.size:
        planned_end = _planned_end(rng, start, step)
        nxt, moved_reason = _transition(rng, step)
        exits = np.maximum(exit_date[active], start)  # an exit in the one-day gap counts in this spell
        ends_by_exit = (exits <= planned_end) | (nxt == None)
        ends_by_exit &= exits <= censor
        moves = ~ends_by_exit & (planned_end <= censor) & (nxt != None)
        end = np.full(active.size, _NO_DATE)
        reason = np.full(active.size, "still_housed", dtype=object)
        end[ends_by_exit], reason[ends_by_exit] = exits[ends_by_exit], exit_reason[active][ends_by_exit]
        end[moves], reason[moves] = planned_end[moves], moved_reason[moves]
        pieces.append(pd.DataFrame({"household": active, "step": step, "start_date": start,
                                    "end_date": end, "exit_reason": reason}))
        active, start, step = active[moves], planned_end[moves] + np.timedelta64(1, "D"), nxt[moves]
    spells = pd.concat(pieces, ignore_index=True).sort_values(["household", "start_date"], kind="stable")
    happened = exit_date <= censor
    return Careers(spells.reset_index(drop=True), np.where(happened, exit_date, _NO_DATE),
                   np.where(happened, exit_reason, None), negative & happened)
