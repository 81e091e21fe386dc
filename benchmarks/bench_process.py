"""Speed and memory of the process and need indicators at national scale (200,000 households).

Run ``python benchmarks/bench_process.py [--households N]``. The data are generated once
(``evaluation.synthetic`` when it is importable and ``--own`` is not given, else a simple generator
below with the same tables) and written to Parquet in a temporary folder; every indicator then
runs in its own subprocess, which reads the data, starts ``tracemalloc`` and times the call, so
the peak memory reported is what the indicator itself allocates. Where a peer computes the same
number (lifelines for the Kaplan–Meier median and the log-rank test, scipy for chi-square) the
script checks that they agree and times the peer as well. Output: a table on stdout and in
``benchmarks/results/bench_process.md``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
AS_OF = "2022-12-31"
STEPS = ["crisis", "social", "affordable", "housing_first", "standard"]
ETHOS = ["rough_sleeping", "emergency_accommodation", "homeless_accommodation", "institution", "non_conventional",
         "with_family_friends", "insecure_housing", "inadequate_housing"]
OUTCOMES = ["granted", "rejected", "referred", "withdrawn", "pending"]


def own_data(n: int, seed: int = 1) -> dict[str, pd.DataFrame]:
    """Contract-shaped tables for ``n`` households (a simple generator, not the calibrated one)."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2018-01-01")
    hh_id = np.char.add("H", np.arange(n).astype(str))
    municipality = rng.choice(["Ostrava", "Brno", "Plzeň", "Praha", "Most", "Kadaň"], n)
    size = rng.integers(1, 7, n)
    children = np.minimum(rng.integers(0, 4, n), size - 1)
    referral = start + rng.integers(0, 4 * 365, n).astype("timedelta64[D]")
    programme = rng.random(n) < 0.7
    households = pd.DataFrame({
        "household_id": hh_id, "municipality": municipality, "district": None,
        "household_size": pd.array(size, dtype="Int64"), "children": pd.array(children, dtype="Int64"),
        "ethos_category": pd.Categorical(rng.choice(ETHOS, n), categories=ETHOS),
        "referral_source": pd.Categorical(rng.choice(["outreach", "ngo", "labour_office", "self_referral"], n)),
        "referral_date": pd.to_datetime(referral),
        "group": pd.Categorical(np.where(programme, "programme", "comparison"), categories=["programme", "comparison"]),
        "cohort": pd.array(rng.integers(1, 4, n), dtype="Int64")})
    housed = programme & (rng.random(n) < 0.9)
    idx = np.flatnonzero(housed)
    move_in = referral[idx] + rng.integers(5, 200, len(idx)).astype("timedelta64[D]")
    first_step = rng.choice(["crisis", "social", "affordable"], len(idx), p=[0.4, 0.4, 0.2])
    stay = rng.integers(30, 900, len(idx)).astype("timedelta64[D]")
    end = move_in + stay
    ended = end <= np.datetime64(AS_OF)
    reason = np.where(ended, rng.choice(["moved_up", "eviction", "abandonment", "left_voluntarily", "standard_lease"],
                                        len(idx), p=[0.5, 0.15, 0.1, 0.1, 0.15]), "still_housed")
    n_units = len(idx) // 2
    unit_of = rng.integers(0, n_units, len(idx))
    unit_ids = np.char.add("U", np.arange(n_units).astype(str))
    step_of_unit = rng.choice(["crisis", "social", "affordable"], n_units)
    tenancies = pd.DataFrame({
        "tenancy_id": np.char.add("T", np.arange(len(idx)).astype(str)), "household_id": hh_id[idx],
        "unit_id": unit_ids[unit_of], "step": pd.Categorical(first_step, categories=STEPS),
        "start_date": pd.to_datetime(move_in), "end_date": pd.to_datetime(np.where(ended, end, np.datetime64("NaT"))),
        "exit_reason": pd.Categorical(reason)})
    units = pd.DataFrame({"unit_id": unit_ids, "municipality": rng.choice(["Ostrava", "Brno"], n_units),
                          "step": pd.Categorical(step_of_unit, categories=STEPS),
                          "in_excluded_locality": pd.array(rng.random(n_units) < 0.2, dtype="boolean"),
                          "area_code": np.char.add("Z", rng.integers(0, 2000, n_units).astype(str))})
    # about two contacts a month for the first year of each spell
    n_contacts = np.minimum((stay.astype(int) / 30.4 * 2).astype(int), 24)
    c_idx = np.repeat(np.arange(len(idx)), n_contacts)
    offset = (rng.random(len(c_idx)) * np.minimum(stay.astype(int), 365)[c_idx]).astype("timedelta64[D]")
    contacts = pd.DataFrame({
        "contact_id": np.arange(len(c_idx)).astype(str), "household_id": hh_id[idx][c_idx],
        "contact_date": pd.to_datetime(move_in[c_idx] + offset), "minutes": pd.array(rng.integers(15, 120, len(c_idx)),
                                                                                      dtype="Int64"),
        "worker_role": pd.Categorical(rng.choice(["ngo_worker", "labour_office", "municipal_social_worker"], len(c_idx))),
        "topic": pd.Categorical(rng.choice(["housing", "benefits", "debts_finances"], len(c_idx)))})
    contacts = contacts.loc[contacts["contact_date"] <= AS_OF]
    # monthly rent ledger for the first 12 months of each spell
    months = np.minimum(stay.astype(int) // 31, 12)
    r_idx = np.repeat(np.arange(len(idx)), months)
    k = np.concatenate([np.arange(m) for m in months]) if len(months) else np.array([], int)
    month = (move_in[r_idx].astype("datetime64[M]") + k.astype("timedelta64[M]")).astype("datetime64[D]")
    ledger = pd.DataFrame({"tenancy_id": tenancies["tenancy_id"].to_numpy()[r_idx], "household_id": hh_id[idx][r_idx],
                           "month": pd.to_datetime(month), "rent_due": 4000.0, "rent_paid": 4000.0,
                           "arrears_balance": np.where(rng.random(len(r_idx)) < 0.2, rng.gamma(2, 3000, len(r_idx)), 0.0)})
    ledger = ledger.loc[ledger["month"] <= AS_OF]
    n_apps = n // 2
    district = rng.choice(["Praha 3", "Praha 7", "Praha 10", "Praha 14"], n_apps)
    submitted = np.datetime64("2019-01-01") + rng.integers(0, 4 * 365, n_apps).astype("timedelta64[D]")
    days = np.rint(np.exp(np.log(np.where(district == "Praha 10", 40, 20)) + 0.6 * rng.standard_normal(n_apps)))
    decided = submitted + days.astype("timedelta64[D]")
    lost = rng.random(n_apps) < 0.04
    pending = lost | (decided > np.datetime64(AS_OF))
    applications = pd.DataFrame({
        "application_id": np.arange(n_apps).astype(str), "applicant_id": rng.integers(0, int(n_apps * 0.92), n_apps).astype(str),
        "contact_point": np.char.add("KMB ", district), "municipality": "Praha", "district": district,
        "ethos_category": pd.Categorical(rng.choice(ETHOS, n_apps), categories=ETHOS),
        "submitted_date": pd.to_datetime(submitted),
        "decided_date": pd.to_datetime(np.where(pending, np.datetime64("NaT"), decided)),
        "outcome": pd.Categorical(np.where(pending, "pending", rng.choice(OUTCOMES[:4], n_apps)), categories=OUTCOMES),
        "benefit_counselling": pd.array(rng.random(n_apps) < 0.4, dtype="boolean"),
        "bridging_loan": pd.array(rng.random(n_apps) < 0.05, dtype="boolean"),
        "housing_market_help": pd.array(rng.random(n_apps) < 0.2, dtype="boolean"),
        "debt_counselling": pd.array(rng.random(n_apps) < 0.25, dtype="boolean")})
    return {"households": households, "tenancies": tenancies, "units": units, "support_contacts": contacts,
            "rent_ledger": ledger, "applications": applications}


def synthetic_data(n: int) -> dict[str, pd.DataFrame] | None:
    try:
        from evaluation.synthetic import simulate
    except Exception:  # not written yet, or broken: fall back to the simple generator
        return None
    # about 435 gives 200,000 households (evaluation.synthetic.simulate docstring)
    data = simulate(seed=2019, scale=435 * n / 200_000)
    return {k: v for k, v in data.tables.items()}


def _population(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    areas = frames["units"]["area_code"].dropna().unique()
    counts = frames["units"]["area_code"].value_counts()
    return pd.DataFrame({"area_code": areas, "dwellings": counts.reindex(areas).to_numpy() * 20 + 100})


def cases() -> dict[str, callable]:
    from evaluation import need, process

    plan = process.PilotPlan.ostrava()
    return {
        "reach_against_plan": lambda f: process.reach_against_plan(f, plan, as_of=AS_OF),
        "occupancy": lambda f: process.occupancy(f, as_of=AS_OF),
        "entry_profile": lambda f: process.entry_profile(f, by=("entry_step", "municipality")),
        "support_dose": lambda f: process.support_dose(f, plan, as_of=AS_OF),
        "time_to_move_in": lambda f: process.time_to_move_in(f, by="entry_step", as_of=AS_OF),
        "dropout": lambda f: process.dropout(f, plan, as_of=AS_OF),
        "rent_arrears": lambda f: process.rent_arrears(f),
        "applications_received": lambda f: process.applications_received(f, as_of=AS_OF),
        "processing_time": lambda f: process.processing_time(f, as_of=AS_OF),
        "lost_applications": lambda f: process.lost_applications(f, as_of=AS_OF),
        "decisions": lambda f: process.decisions(f, as_of=AS_OF),
        "tools_used": lambda f: process.tools_used(f, as_of=AS_OF),
        "equality_of_care": lambda f: process.equality_of_care(f, as_of=AS_OF),
        "participant_flow": lambda f: process.participant_flow(f, as_of=AS_OF),
        "need_flows": lambda f: need.need_flows(f, freq="M", as_of=AS_OF),
        "stock_flow": lambda f: need.StockFlowModel(horizon=36).fit(need.need_flows(f, freq="M", as_of=AS_OF)),
        "flat_segregation": lambda f: need.flat_segregation(f, _population(f), population_column="dwellings"),
        "excluded_locality_share": lambda f: need.excluded_locality_share(f),
        # peers on the same numbers
        "peer: lifelines KM medians": _lifelines_medians,
        "peer: lifelines log-rank": _lifelines_logrank,
    }


def _app_durations(f: dict[str, pd.DataFrame]) -> pd.DataFrame:
    from evaluation.process.contact_points import prepared_applications

    apps, _ = prepared_applications(f, as_of=AS_OF)
    return apps


def _lifelines_medians(f: dict[str, pd.DataFrame]) -> dict[str, float]:
    from lifelines import KaplanMeierFitter

    apps = _app_durations(f)
    return {d: float(KaplanMeierFitter().fit(p["days"], p["decided"]).median_survival_time_)
            for d, p in apps.groupby("district")}


def _lifelines_logrank(f: dict[str, pd.DataFrame]) -> float:
    from lifelines.statistics import multivariate_logrank_test

    apps = _app_durations(f)
    return float(multivariate_logrank_test(apps["days"], apps["district"], apps["decided"]).test_statistic)


def run_case(folder: Path, name: str) -> dict:
    frames = {p.stem: pd.read_parquet(p) for p in folder.glob("*.parquet")}
    for frame in frames.values():  # parquet keeps categories; object columns of None stay object
        pass
    fn = cases()[name]
    tracemalloc.start()
    t0 = time.perf_counter()
    result = fn(frames)
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    check = None
    if name == "processing_time":
        check = result.tidy().set_index("district")["median_days"].to_dict()
    elif name == "equality_of_care":
        check = float(result.tidy().set_index("term").at["processing_time", "statistic"])
    elif name.startswith("peer"):
        check = result
    return {"case": name, "seconds": seconds, "peak_mib": peak / 2**20, "check": check}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--own", action="store_true", help="use the simple generator even if evaluation.synthetic works")
    parser.add_argument("--case")
    parser.add_argument("--folder")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(Path(args.folder), args.case)))
        return
    t0 = time.perf_counter()
    frames = None if args.own else synthetic_data(args.households)
    source = "evaluation.synthetic" if frames is not None else "own generator (bench_process.own_data)"
    frames = frames if frames is not None else own_data(args.households)
    build = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        for name, frame in frames.items():
            frame.to_parquet(Path(tmp) / f"{name}.parquet")
        rows = []
        for name in cases():
            out = subprocess.run([sys.executable, __file__, "--case", name, "--folder", tmp],
                                 capture_output=True, text=True, check=False)
            if out.returncode:
                rows.append({"case": name, "seconds": np.nan, "peak_mib": np.nan,
                             "check": "FAILED: " + out.stderr.strip().splitlines()[-1]})
            else:
                rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    table = pd.DataFrame(rows)
    checks = table.set_index("case")["check"]
    agreement = []
    ours, peer = checks.get("processing_time"), checks.get("peer: lifelines KM medians")
    if isinstance(ours, dict) and isinstance(peer, dict):
        diff = max(abs(ours[k] - peer[k]) for k in peer if np.isfinite(peer[k]))
        agreement.append(f"KM median processing time by district: max |ours - lifelines| = {diff:g} days")
    ours, peer = checks.get("equality_of_care"), checks.get("peer: lifelines log-rank")
    if isinstance(ours, float) and isinstance(peer, float):
        agreement.append(f"log-rank chi-square: ours {ours:.6f}, lifelines {peer:.6f}, "
                         f"relative difference {abs(ours - peer) / peer:.2e}")
    sizes = ", ".join(f"{k} {len(v):,}" for k, v in frames.items() if k in (
        "households", "tenancies", "support_contacts", "rent_ledger", "applications"))
    lines = ["# bench_process: process and need indicators at national scale", "",
             f"Data: {source}; {sizes} rows (built in {build:.1f} s). Each case runs in its own subprocess; "
             "peak = tracemalloc peak of the call. 2 shared cores: timings are noisy.", "",
             "| case | seconds | peak MiB |", "|---|---:|---:|"]
    lines += [f"| {r.case} | {r.seconds:.2f} | {r.peak_mib:.0f} |" for r in table.itertuples()]
    failed = [f"{r.case}: {r.check}" for r in table.itertuples() if isinstance(r.check, str) and r.check.startswith("FAILED")]
    lines += ["", "Agreement with peers:"] + [f"- {a}" for a in agreement] + [f"- {f}" for f in failed]
    text = "\n".join(lines)
    print(text)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "bench_process.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
