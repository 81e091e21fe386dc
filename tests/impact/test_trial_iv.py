"""Complier average causal effect (evaluation.impact.trial_iv) against linearmodels IV2SLS.

Reference numbers: linearmodels ``IV2SLS(y, exog, endog=d, instruments=z)`` with the same centred
covariates, ``cov_type="robust"`` (``debiased=True`` for HC1, ``False`` for HC0) and
``"unadjusted"`` (``debiased=True``); its ``first_stage.diagnostics["f.stat"]`` for the first-stage F.
Without covariates the estimate is the Wald ratio (ȳ₁ − ȳ₀)/(d̄₁ − d̄₀) computed by hand.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from linearmodels.iv import IV2SLS

from evaluation.errors import ConfigError, EstimationError
from evaluation.impact import cace
from evaluation.impact.trial_iv import WeakInstrumentWarning


def _trial(seed=3, n=300, one_sided=False, take=0.75, cross=0.1):
    rng = np.random.default_rng(seed)
    z = rng.permutation(np.repeat([0, 1], n // 2))
    x = rng.normal(size=n)
    stratum = rng.choice(["a", "b", "c"], size=n)
    d = np.where(z == 1, rng.random(n) < take, (rng.random(n) < cross) & (not one_sided)).astype(int)
    y = 1 + 2 * d + x + rng.normal(size=n) * (1 + d)
    return pd.DataFrame({"y": y, "z": z, "d": d, "x": x, "s": stratum})


@pytest.mark.parametrize("cov_type, kwargs", [("HC1", {"cov_type": "robust", "debiased": True}),
                                              ("HC0", {"cov_type": "robust", "debiased": False}),
                                              ("classical", {"cov_type": "unadjusted", "debiased": True})])
def test_matches_linearmodels_iv2sls(cov_type, kwargs):
    frame = _trial()
    res = cace(frame, "y", "z", "d", covariates=["x"], strata="s", cov_type=cov_type)
    exog = pd.DataFrame({"const": 1.0, "x": frame.x - frame.x.mean(),
                         "b": (frame.s == "b") - (frame.s == "b").mean(), "c": (frame.s == "c") - (frame.s == "c").mean()})
    reference = IV2SLS(frame.y, exog, frame.d, frame.z).fit(**kwargs)
    assert res.estimate == pytest.approx(reference.params["d"], rel=1e-10)
    assert res.std_error == pytest.approx(reference.std_errors["d"], rel=1e-10)
    assert res.first_stage_f == pytest.approx(reference.first_stage.diagnostics["f.stat"].iloc[0], rel=1e-8)


def test_without_covariates_it_is_the_wald_ratio():
    frame = _trial(seed=8)
    res = cace(frame, "y", "z", "d")
    z, d, y = frame.z, frame.d, frame.y
    wald = (y[z == 1].mean() - y[z == 0].mean()) / (d[z == 1].mean() - d[z == 0].mean())
    assert res.estimate == pytest.approx(wald, rel=1e-12)
    table = res.tidy().set_index("term")
    assert table.loc["itt_outcome", "estimate"] == pytest.approx(y[z == 1].mean() - y[z == 0].mean())
    assert table.loc["first_stage", "estimate"] == pytest.approx(d[z == 1].mean() - d[z == 0].mean())
    shares = res.compliance.set_index("type")["share"]
    assert shares.sum() == pytest.approx(1.0)
    assert shares["always_takers"] == pytest.approx(d[z == 0].mean())


def test_one_sided_noncompliance_is_the_effect_on_the_treated():
    res = cace(_trial(seed=4, one_sided=True), "y", "z", "d")
    assert res.noncompliance == "one-sided"
    assert res.compliance.set_index("type").loc["always_takers", "share"] == 0
    assert any("Bloom" in n for n in res.notes)
    assert res.estimate == pytest.approx(2.0, abs=3 * res.std_error)


def test_weak_instrument_warns_and_no_first_stage_is_an_error():
    weak = _trial(seed=5, n=200, take=0.2, cross=0.12)
    with pytest.warns(WeakInstrumentWarning, match="weak"):
        res = cace(weak, "y", "z", "d")
    assert res.first_stage_f < 10
    none = weak.assign(d=1)
    with pytest.raises(EstimationError, match="same in both arms"):
        cace(none, "y", "z", "d")
    with pytest.raises(ConfigError, match="cov_type"):
        cace(weak, "y", "z", "d", cov_type="HC2")


def test_surface_and_plot():
    import matplotlib.pyplot as plt

    res = cace(_trial(), "y", "z", "d")
    assert list(res.tidy()["term"]) == ["cace", "itt_outcome", "first_stage"]
    assert "First-stage F" in res.summary()
    for lang, word in (("cs", "CACE"), ("en", "Complier")):
        fig, ax = plt.subplots()
        res.plot(ax=ax, lang=lang)
        assert any(word in t.get_text() for t in ax.get_yticklabels())
        plt.close(fig)
