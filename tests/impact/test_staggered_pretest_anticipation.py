"""The parallel-trends pre-test leaves out the anticipation window (t >= g - anticipation):
under the anticipation assumption those ATT(g,t) may carry an effect, so they are no placebo."""
import numpy as np
import pandas as pd

from evaluation.impact import staggered_did


def _panel_with_anticipation(seed: int = 7) -> pd.DataFrame:
    # 600 units, periods 1..7; groups first treated in 4 and 6 (200 each) and 200 never treated.
    # True effect 3.0 from one period BEFORE g (anticipation 1) onwards; parallel trends hold.
    rng = np.random.default_rng(seed)
    units = np.arange(600)
    group = np.repeat([4, 6, 0], 200)
    rows = []
    for t in range(1, 8):
        treated = (group > 0) & (t >= group - 1)
        y = units * 0.01 + 0.5 * t + 3.0 * treated + rng.normal(size=units.size)
        rows.append(pd.DataFrame({"unit": units, "period": t, "first": group, "y": y}))
    return pd.concat(rows, ignore_index=True)


def test_pretest_excludes_the_anticipation_window():
    panel = _panel_with_anticipation()
    res = staggered_did(panel, "y", "unit", "period", "first", anticipation=1, bootstrap=False)
    cells = res.tidy()
    in_window = cells[(cells["time"] == cells["group"] - 1)]
    # the anticipation cells do carry the effect (about 3) ...
    assert (in_window["estimate"] > 2).all()
    # ... and are not part of the pre-test: group 4 has cells t = 2 (base 1), group 6 has t = 2, 3, 4
    # (R did's varying base period starts at the second period)
    test = res.pretest("wald")
    assert test.n_cells == 1 + 3
    assert test.p_value > 0.001
    assert res.pretest_df == test.n_cells


def test_without_anticipation_the_same_cells_would_reject():
    # Fitting the same data with anticipation=0 puts the t = g-1 cells into the pre-test, which
    # then rejects: the exclusion above is what keeps the test valid.
    panel = _panel_with_anticipation()
    res = staggered_did(panel, "y", "unit", "period", "first", anticipation=0, bootstrap=False)
    assert res.pretest("wald").p_value < 1e-6
