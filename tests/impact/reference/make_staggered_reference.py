"""Generate the checked-in reference numbers for tests/impact/test_staggered_reference.py.

Run once (needs the heavy peers: moderndid, csdid):  python tests/impact/reference/make_staggered_reference.py

Source of the numbers: the Python port ``moderndid`` (0.2.0), which replicates R ``did`` 2.x
(att_gt + aggte) and DRDID, run on ``mpdta`` (R did's example data, copied into mpdta.csv from
moderndid/core/datasets/mpdta_long.pkl.gz; the data originate in Callaway & Sant'Anna 2021 and
are distributed with R did under GPL-2). Analytic (influence-function) standard errors only
(boot=False, cband=False), so the values are deterministic. A cross-check of the point
estimates with ``csdid`` (0.4.3) is stored alongside.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent


def moderndid_case(data, control, method, xformla, panel=True):
    from moderndid import aggte, att_gt

    res = att_gt(data=data, yname="lemp", tname="year", idname="countyreal", gname="first.treat",
                 xformla=xformla, est_method=method, control_group=control, panel=panel,
                 boot=False, cband=False)
    out = {"groups": np.asarray(res.groups).tolist(), "times": np.asarray(res.times).tolist(),
           "att": np.asarray(res.att_gt).tolist(), "se": np.asarray(res.se_gt).tolist(),
           "wald_pvalue": None if res.wald_pvalue is None else float(res.wald_pvalue)}
    # moderndid 0.2.0's aggte fails on repeated cross-sections (shape mismatch): ATT(g,t) only there
    for kind in (("simple", "dynamic", "group", "calendar") if panel else ()):
        agg = aggte(res, type=kind, boot=False, cband=False)
        out[kind] = {"overall_att": float(agg.overall_att), "overall_se": float(agg.overall_se),
                     "labels": None if agg.event_times is None else np.asarray(agg.event_times).tolist(),
                     "att": None if agg.att_by_event is None else np.asarray(agg.att_by_event).tolist(),
                     "se": None if agg.se_by_event is None else np.asarray(agg.se_by_event).tolist()}
    return out


def drdid_rc_cells(data, method):
    """Each ATT(g,t) of the repeated cross-section case as a stand-alone DRDID 2x2 (never-treated
    comparison, varying base period): moderndid's att_gt scales the repeated cross-section
    standard errors by the number of distinct ids, not of observations, so the 2x2 functions
    (which equal R DRDID's) are the reference for the standard errors."""
    from moderndid import drdid_rc, reg_did_rc, std_ipw_did_rc

    fn = {"dr": drdid_rc, "ipw": std_ipw_did_rc, "reg": reg_did_rc}[method]
    years = sorted(data["year"].unique())
    att, se = [], []
    for g in (2004, 2006, 2007):
        for t in years[1:]:
            base = years[years.index(t) - 1] if t < g else g - 1
            sub = data[data["year"].isin([base, t]) & data["first.treat"].isin([0, g])]
            res = fn(y=sub["lemp"].to_numpy(), post=(sub["year"] == t).astype(int).to_numpy(),
                     d=(sub["first.treat"] == g).astype(int).to_numpy(),
                     covariates=np.column_stack([np.ones(len(sub)), sub["lpop"].to_numpy()]))
            att.append(float(res.att)), se.append(float(res.se))
    return {"att": att, "se": se}


def drdid_imp_panel_cells(data):
    """ATT(g,t) by moderndid's ``drdid_imp_panel`` (R DRDID's improved DR) cell by cell, lpop covariate."""
    from moderndid import drdid_imp_panel

    wide = data.pivot(index="countyreal", columns="year", values="lemp")
    first = data.groupby("countyreal")[["first.treat", "lpop"]].first().loc[wide.index]
    years = list(wide.columns)
    att, se = [], []
    for g in (2004, 2006, 2007):
        for t in years[1:]:
            base = years[years.index(t) - 1] if t < g else g - 1
            keep = first["first.treat"].isin([0, g]).to_numpy()
            res = drdid_imp_panel(y1=wide[t].to_numpy()[keep], y0=wide[base].to_numpy()[keep],
                                  d=(first["first.treat"].to_numpy()[keep] == g).astype(int),
                                  covariates=np.column_stack([np.ones(keep.sum()), first["lpop"].to_numpy()[keep]]))
            att.append(float(res.att)), se.append(float(res.se))
    return {"att": att, "se": se}


def csdid_case(data, control, method, xformla):
    from csdid.att_gt import ATTgt

    d = data.rename(columns={"first.treat": "first_treat"})
    model = ATTgt(yname="lemp", gname="first_treat", idname="countyreal", tname="year", data=d,
                  control_group=control, xformla=xformla).fit(est_method=method, bstrap=False)
    return {"att": np.asarray(model.results["att"]).tolist()}


def main() -> None:
    data = pd.read_csv(HERE / "mpdta.csv")
    cases = {}
    for control in ("nevertreated", "notyettreated"):
        for method in ("dr", "ipw", "reg"):
            for label, xformla in (("none", None), ("lpop", "~lpop")):
                key = f"{control}/{method}/{label}"
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    cases[key] = moderndid_case(data, control, method, xformla)
                    try:
                        cases[key]["csdid_att"] = csdid_case(data, control, method, xformla or "~1")["att"]
                    except Exception as err:  # csdid is a cross-check only
                        cases[key]["csdid_error"] = repr(err)
                print(key, "simple", round(cases[key]["simple"]["overall_att"], 6))
    for method in ("dr", "ipw", "reg"):
        key = f"rc/nevertreated/{method}/lpop"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cases[key] = moderndid_case(data, "nevertreated", method, "~lpop", panel=False)
            cases[key]["cells_2x2"] = drdid_rc_cells(data, method)
        print(key, "att", np.round(cases[key]["att"], 4))
    cases["panel/nevertreated/dr_improved/lpop/cells_2x2"] = drdid_imp_panel_cells(data)
    (HERE / "staggered_reference.json").write_text(json.dumps(cases, indent=1))


if __name__ == "__main__":
    main()
