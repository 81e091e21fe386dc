"""Staggered DiD against R did's published mpdta output and the Python ports' numbers.

mpdta (reference/mpdta.csv): R did's example data (county teen employment 2003-2007, 500
counties), copied from moderndid 0.2.0 (MIT) which ships it; the data come from Callaway &
Sant'Anna (2021) and are distributed with R did (GPL-2).
Reference numbers:
* published: R did README and the vignette "Getting Started with the did Package"
  (bcallaway11.github.io/did, did 2.x), est_method "dr" and "reg", xformla ~1, never treated;
  the standard errors printed there are multiplier-bootstrap ones (biters = 1000);
* reference/staggered_reference.json: made by reference/make_staggered_reference.py with
  moderndid 0.2.0 (a port of R did/DRDID) and cross-checked with csdid 0.4.3; analytic SEs.
"""
from __future__ import annotations

import importlib.util
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation.impact.staggered import staggered_did

REF = Path(__file__).parent / "reference"
CONTROL = {"nevertreated": "never_treated", "notyettreated": "not_yet_treated"}


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(REF / "mpdta.csv")


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads((REF / "staggered_reference.json").read_text())


def fit(data, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return staggered_did(data, "lemp", "countyreal", "year", "first.treat", **kwargs)


# R did vignette "Getting Started with the did Package", summary(mw.attgt) (dr, no covariates)
PUBLISHED_ATT = [-0.0105, -0.0704, -0.1373, -0.1008, 0.0065, -0.0028, -0.0046, -0.0412,
                 0.0305, -0.0027, -0.0311, -0.0261]
PUBLISHED_BOOT_SE = [0.0243, 0.0331, 0.0412, 0.0358, 0.0230, 0.0210, 0.0175, 0.0196,
                     0.0147, 0.0156, 0.0179, 0.0175]


def test_group_time_effects_match_published_did_output(mpdta):
    res = fit(mpdta, seed=20240601)
    cells = res.cells
    assert cells[["group", "time"]].values.tolist() == [[g, t] for g in (2004, 2006, 2007)
                                                       for t in (2004, 2005, 2006, 2007)]
    np.testing.assert_allclose(res.estimates, PUBLISHED_ATT, atol=5e-5)
    # "P-value for pre-test of parallel trends assumption: 0.16812" (analytic Wald test, deterministic)
    assert round(res.pretest_p_value, 5) == 0.16812
    assert res.pretest_df == 5
    # bootstrap SEs: Monte Carlo error of the IQR-based scale with ~1000 draws is a few percent
    np.testing.assert_allclose(res.std_errors, PUBLISHED_BOOT_SE, rtol=0.15)
    assert res.band == "simultaneous" and 2.3 < res.crit_value < 3.2  # vignette: about 2.7


def test_outcome_regression_matches_readme(mpdta):
    # R did README: att_gt(..., est_method = "reg"), identical point estimates to dr without covariates
    res = fit(mpdta, estimation="reg", bootstrap=False)
    np.testing.assert_allclose(res.estimates, PUBLISHED_ATT, atol=5e-5)
    assert round(res.pretest_p_value, 5) == 0.16812


def test_aggregations_match_published_did_output(mpdta):
    res = fit(mpdta, seed=7)
    dyn = res.aggregate("dynamic")
    # vignette summary(mw.dyn): overall -0.0772 (SE 0.0203); e=-3..3
    assert dyn.overall_estimate == pytest.approx(-0.0772, abs=5e-5)
    np.testing.assert_allclose(dyn.table["estimate"].to_numpy(float),
                               [0.0305, -0.0006, -0.0245, -0.0199, -0.0510, -0.1373, -0.1008], atol=5e-5)
    np.testing.assert_allclose(dyn.table["std_error"].to_numpy(float),
                               [0.0157, 0.0136, 0.0144, 0.0124, 0.0163, 0.0402, 0.0354], rtol=0.15)
    assert dyn.overall_std_error == pytest.approx(0.0203, rel=0.15)
    # README summary(group_effects): overall -0.031; groups -0.0797, -0.0229, -0.0261
    grp = res.aggregate("group")
    assert grp.overall_estimate == pytest.approx(-0.0310, abs=5e-5)
    np.testing.assert_allclose(grp.table["estimate"].to_numpy(float), [-0.0797, -0.0229, -0.0261], atol=5e-5)
    # vignette summary(mw.dyn.balance): balance_e = 1 -> overall -0.0288, e = -2..1
    bal = res.aggregate("dynamic", balance_e=1)
    assert bal.overall_estimate == pytest.approx(-0.0288, abs=5e-5)
    assert bal.table["event_time"].tolist() == [-2, -1, 0, 1]
    np.testing.assert_allclose(bal.table["estimate"].to_numpy(float), [0.0065, -0.0028, -0.0066, -0.0510],
                               atol=5e-5)
    # simple aggregation: overall ATT -0.0400 (R did README of did 2.0, aggte(type = "simple"))
    assert res.aggregate("simple").overall_estimate == pytest.approx(-0.0400, abs=5e-5)


PANEL_CASES = [f"{c}/{m}/{x}" for c in ("nevertreated", "notyettreated") for m in ("dr", "ipw", "reg")
               for x in ("none", "lpop")]


@pytest.mark.parametrize("key", PANEL_CASES)
def test_matches_port_reference_numbers(mpdta, reference, key):
    control, method, cov = key.split("/")
    case = reference[key]
    res = fit(mpdta, control_group=CONTROL[control], estimation=method,
              covariates=[] if cov == "none" else ["lpop"], bootstrap=False)
    np.testing.assert_allclose(res.estimates, case["att"], atol=1e-6)
    np.testing.assert_allclose(res.estimates, case["csdid_att"], atol=1e-6)
    np.testing.assert_allclose(res.std_errors, case["se"], rtol=1e-4)
    assert res.pretest_p_value == pytest.approx(case["wald_pvalue"], abs=1e-5)  # ports round to 5 digits
    for kind in ("simple", "dynamic", "group", "calendar"):
        agg = res.aggregate(kind)
        ref = case[kind]
        assert agg.overall_estimate == pytest.approx(ref["overall_att"], abs=1e-6)
        assert agg.overall_std_error == pytest.approx(ref["overall_se"], rel=1e-4)
        if ref["att"] is not None:
            np.testing.assert_allclose(agg.table.iloc[:, 1:4].max(axis=1).to_numpy(float), ref["labels"])
            np.testing.assert_allclose(agg.table["estimate"].to_numpy(float), ref["att"], atol=1e-6)
            np.testing.assert_allclose(agg.table["std_error"].to_numpy(float), ref["se"], rtol=1e-4)


@pytest.mark.parametrize("method", ["dr", "ipw", "reg"])
def test_repeated_cross_sections_match_drdid(mpdta, reference, method):
    case = reference[f"rc/nevertreated/{method}/lpop"]
    res = fit(mpdta, covariates=["lpop"], estimation=method, panel=False, bootstrap=False)
    np.testing.assert_allclose(res.estimates, case["att"], atol=1e-6)
    # each cell's SE equals the stand-alone DRDID 2x2 repeated cross-section SE
    np.testing.assert_allclose(res.std_errors, case["cells_2x2"]["se"], rtol=1e-4)


def test_improved_doubly_robust_matches_drdid_imp_panel(mpdta, reference):
    case = reference["panel/nevertreated/dr_improved/lpop/cells_2x2"]
    res = fit(mpdta, covariates=["lpop"], estimation="dr_improved", bootstrap=False)
    np.testing.assert_allclose(res.estimates, case["att"], atol=1e-6)
    np.testing.assert_allclose(res.std_errors, case["se"], rtol=1e-4)


def test_bootstrap_standard_errors_agree_with_analytic(mpdta):
    res = fit(mpdta, covariates=["lpop"], seed=3, n_bootstrap=999)
    np.testing.assert_allclose(res.std_errors, res.cells["analytic_std_error"], rtol=0.15)
    again = fit(mpdta, covariates=["lpop"], seed=3, n_bootstrap=999)
    np.testing.assert_array_equal(res.std_errors, again.std_errors)  # seeded: reproducible


@pytest.mark.skipif(importlib.util.find_spec("moderndid") is None, reason="moderndid not installed")
def test_live_against_moderndid(mpdta):
    from moderndid import aggte, att_gt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = att_gt(data=mpdta, yname="lemp", tname="year", idname="countyreal", gname="first.treat",
                      xformla="~lpop", est_method="dr", control_group="notyettreated", boot=False, cband=False)
        peer_dyn = aggte(peer, type="dynamic", boot=False, cband=False)
    res = fit(mpdta, covariates=["lpop"], control_group="not_yet_treated", bootstrap=False)
    np.testing.assert_allclose(res.estimates, peer.att_gt, atol=1e-6)
    np.testing.assert_allclose(res.std_errors, peer.se_gt, rtol=1e-4)
    dyn = res.aggregate("dynamic")
    np.testing.assert_allclose(dyn.table["estimate"].to_numpy(float), peer_dyn.att_by_event, atol=1e-6)
    np.testing.assert_allclose(dyn.table["std_error"].to_numpy(float), peer_dyn.se_by_event, rtol=1e-4)
