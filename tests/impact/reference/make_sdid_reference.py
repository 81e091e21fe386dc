"""Generate the checked-in reference numbers for tests/impact/test_sdid.py (sdid_reference.json).

Run once (needs the peer ``synthdid-py`` 0.1.0, a port of R synthdid 0.0.9 that also implements
Stata sdid's staggered estimator; it installs as the module ``synthdid``, which clashes with the
PyPI package ``synthdid``, so install it alone):  python tests/impact/reference/make_sdid_reference.py

Data: prop99_smoking.csv (R synthdid's california_prop99) and quota_example.csv (Stata sdid's
quota example); see README.md in this folder. Only deterministic quantities are stored: point
estimates, weights and jackknife standard errors (Algorithm 3, fixed weights). The jackknife
samples are the Stata sdid help-file examples: the single-adoption subset (cohort 2002: drop
Algeria, Jordan, Kenya, Rwanda, Samoa, Swaziland, Tanzania) and the two-cohort subset (drop
Algeria, Kenya, Samoa, Swaziland, Tanzania), as in sdidExamples.do.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
ONE_ADOPTION_DROP = ["Algeria", "Jordan", "Kenya", "Rwanda", "Samoa", "Swaziland", "Tanzania"]
TWO_COHORTS_DROP = ["Algeria", "Kenya", "Samoa", "Swaziland", "Tanzania"]


def quota() -> pd.DataFrame:
    q = pd.read_csv(HERE / "quota_example.csv")
    q["womparl"] = q["womparl"].astype("float32").astype(float)   # as stored in the .dta (float)
    return q


def main() -> None:
    import synthdid
    from synthdid import (
        did_estimate,
        panel_matrices,
        sc_estimate,
        staggered_synthdid_estimate,
        synthdid_estimate,
    )

    out: dict = {"source": "synthdid-py 0.1.0 (" + synthdid.__name__ + ")"}
    cal = pd.read_csv(HERE / "prop99_smoking.csv")
    p = panel_matrices(cal, unit="state", time="year", outcome="cigsale", treatment="treated")
    cal_out = {}
    for name, fn in (("sdid", synthdid_estimate), ("sc", sc_estimate), ("did", did_estimate)):
        tau = fn(p.Y, p.N0, p.T0, unit_names=p.units, time_labels=p.time)
        cal_out[name] = {"estimate": float(tau), "omega": dict(zip(map(str, p.units[:p.N0]),
                                                                  np.asarray(tau.weights.omega).tolist())),
                         "lambda": np.asarray(tau.weights.lambda_).tolist()
                         if hasattr(tau.weights, "lambda_") else np.asarray(tau.weights["lambda"]).tolist()}
    out["california"] = cal_out
    q = quota()
    one = q[~q.country.isin(ONE_ADOPTION_DROP)]
    p = panel_matrices(one, unit="country", time="year", outcome="womparl", treatment="quota")
    tau = synthdid_estimate(p.Y, p.N0, p.T0)
    out["quota_2002"] = {"estimate": float(tau), "jackknife_se": float(tau.se(method="jackknife"))}
    two = q[~q.country.isin(TWO_COHORTS_DROP)]
    est = staggered_synthdid_estimate(two, unit="country", time="year", outcome="womparl", treatment="quota")
    out["quota_2002_2003"] = {"att": float(est.att), "jackknife_se": float(est.se(method="jackknife")),
                              "tau": est.by_cohort["tau"].tolist()}
    est = staggered_synthdid_estimate(q, unit="country", time="year", outcome="womparl", treatment="quota")
    out["quota"] = {"att": float(est.att), "cohorts": est.by_cohort["adoption_time"].tolist(),
                    "tau": est.by_cohort["tau"].tolist(), "weight": est.by_cohort["weight"].tolist()}
    (HERE / "sdid_reference.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
