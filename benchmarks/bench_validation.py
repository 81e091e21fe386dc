"""Speed and peak memory of validating a large data folder.

A folder with 500,000 households, 1,000,000 tenancies and 1,000,000 household-month
outcome rows is written twice: as a Czech CSV export (Windows-1250, ``;``, decimal
commas, dates 15.03.2019, Czech labels) and as Parquet. Known errors are planted
(bad dates, unknown categories, duplicated keys, orphans) and the report must find
exactly those. Each case runs in its own subprocess so peak memory (VmHWM, the high-water mark of its RSS) is its own,
``--repeat`` times (median and range are reported; the machine is shared, so the range matters).

The files carry every optional column an analysis reads (the loader refuses a file without
one), some of them empty, as an export of a pilot without cohorts would.

``--baseline PATH`` runs the same cases with the ``evaluation`` package found under PATH
(e.g. an export of an earlier commit: ``git archive main evaluation data_schema | tar -x -C PATH``),
interleaved with the current runs, and puts its timings beside the current ones.

Cases:
* ``validate csv`` / ``validate parquet``: :func:`evaluation.data.validate_folder`;
* ``load csv (exclude)``: :func:`evaluation.data.load_folder` with ``on_error="exclude"``;
* ``pandas read_csv`` (peer baseline): plain ``pandas.read_csv`` of the same three CSV files with
  ``dtype=str`` — reading only, no parsing or checks — the floor any CSV validator pays.

Run: ``python benchmarks/bench_validation.py [--households 500000]``; output goes to stdout and to
``benchmarks/results/bench_validation.md``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

PLANTED = {"bad_dates": 1000, "bad_steps": 500, "duplicate_tenancies": 200, "orphan_outcomes": 300}


def write_folder(root: Path, n_households: int, seed: int = 2019) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    ids = pd.Series(np.char.add("H", np.arange(n_households).astype(str)))
    households = pd.DataFrame({
        "Domácnost": ids, "Obec": "Ostrava", "Velikost domácnosti": rng.integers(1, 7, n_households),
        "Děti": 0, "Bytová nouze (ETHOS)": rng.choice(["noclehárna", "bez střechy – na ulici",
                                                        "nejisté bydlení (hrozící ztráta bydlení)"], n_households),
        "Skupina": rng.choice(["programová skupina", "srovnávací skupina"], n_households),
        "Program": "prostupné bydlení",
        "Datum doporučení": pd.Timestamp("2016-01-01") + pd.to_timedelta(rng.integers(0, 2000, n_households), "D"),
        "Zdroj doporučení": rng.choice(["Úřad práce", "OSPOD", "depistáž (terénní práce)"], n_households),
        "Příjmové pásmo": rng.choice(["pod životním minimem", "1 až 1,5násobek životního minima", ""], n_households),
        "Kohorta": "",
    })
    # two consecutive spells per household: crisis, then social (still housed)
    start = pd.Timestamp("2017-01-01") + pd.to_timedelta(rng.integers(0, 1500, n_households), "D")
    middle = start + pd.to_timedelta(rng.integers(30, 400, n_households), "D")
    n_t = 2 * n_households
    tenancies = pd.DataFrame({
        "Nájem": np.char.add("T", np.arange(n_t).astype(str)),
        "Domácnost": np.repeat(ids.to_numpy(), 2),
        "Stupeň": np.tile(["krizové bydlení", "sociální bydlení"], n_households),
        "Byt": "",
        "datum_začátku": np.ravel(np.column_stack([start.to_numpy(), middle.to_numpy()])),
        "datum_konce": np.ravel(np.column_stack([middle.to_numpy(),
                                                 np.full(n_households, np.datetime64("NaT"), "datetime64[ns]")])),
        "Důvod ukončení": np.tile(["postup na vyšší stupeň", "stále bydlí"], n_households),
    })
    n_o_households, months = n_households // 10, 20
    outcomes = pd.DataFrame({
        "Domácnost": np.repeat(ids.to_numpy()[:n_o_households], months),
        "Měsíc": np.tile(pd.date_range("2019-01-01", periods=months, freq="MS"), n_o_households),
        "Příjem (Kč)": np.round(rng.gamma(4, 3000, n_o_households * months), 2),
        "Dluh (Kč)": np.round(rng.exponential(2000, n_o_households * months), 2),
        "Noci v azylovém zařízení": rng.integers(0, 5, n_o_households * months),
        "Děti v péči mimo rodinu": rng.integers(0, 2, n_o_households * months),
    })
    rows = rng.choice(np.arange(0, n_t, 2), PLANTED["bad_dates"] + PLANTED["bad_steps"], replace=False)
    bad_dates, bad_steps = rows[:PLANTED["bad_dates"]], rows[PLANTED["bad_dates"]:]
    dup = rng.choice(np.arange(1, n_t, 2), PLANTED["duplicate_tenancies"], replace=False)
    tenancies.loc[dup, "Nájem"] = tenancies.loc[dup - 1, "Nájem"].to_numpy()  # same id as the crisis spell
    orphans = rng.choice(len(outcomes), PLANTED["orphan_outcomes"], replace=False)
    outcomes.loc[orphans, "Domácnost"] = "X" + outcomes.loc[orphans, "Domácnost"]
    outcomes = outcomes.drop_duplicates(["Domácnost", "Měsíc"])

    csv_dir, pq_dir = root / "csv", root / "parquet"
    csv_dir.mkdir(parents=True), pq_dir.mkdir(parents=True)
    for name, frame in {"households": households, "tenancies": tenancies, "household_outcomes": outcomes}.items():
        frame.to_parquet(pq_dir / f"{name}.parquet", index=False)
        text = frame.copy()
        for col in text.columns:
            if pd.api.types.is_datetime64_any_dtype(text[col]):
                text[col] = text[col].dt.strftime("%d.%m.%Y").fillna("")
            elif pd.api.types.is_float_dtype(text[col]):
                text[col] = text[col].map("{:.2f}".format).str.replace(".", ",", regex=False)
        if name == "tenancies":
            text.loc[bad_dates, "datum_konce"] = "31.02.2019"
            text.loc[bad_steps, "Stupeň"] = "kontejner"
        text.to_csv(csv_dir / f"{name}.csv", sep=";", index=False, encoding="cp1250")
    # the parquet copy carries the same planted category errors (dates are typed there)
    pq_ten = pd.read_parquet(pq_dir / "tenancies.parquet")
    pq_ten.loc[bad_steps, "Stupeň"] = "kontejner"
    pq_ten.to_parquet(pq_dir / "tenancies.parquet", index=False)
    return {"households": len(households), "tenancies": len(tenancies), "household_outcomes": len(outcomes)}


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def _peak_rss_mb() -> float:
    """Peak resident memory of this process. Linux's ru_maxrss survives fork+exec (a child reports
    its parent's peak), so read the high-water mark of this process's own address space instead."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(case: str, folder: str) -> dict:
    start = time.perf_counter()
    if case.startswith("validate"):
        from evaluation.data import validate_folder

        report = validate_folder(folder)
        counts = report.problems.groupby("rule").size().to_dict()
    elif case.startswith("load"):
        from evaluation.data import load_folder

        ds = load_folder(folder, on_error="exclude")
        counts = {"loaded_tenancies": ds.ledger.loaded("tenancies"),
                  "excluded_tenancies": ds.ledger.excluded("tenancies")}
    else:
        counts = {}
        for path in sorted(Path(folder).glob("*.csv")):
            counts[path.stem] = len(pd.read_csv(path, sep=";", dtype=str, encoding="cp1250", keep_default_na=False))
    seconds = time.perf_counter() - start
    peak_mb = _peak_rss_mb()
    return {"seconds": seconds, "peak_mb": peak_mb, "counts": {k: int(v) for k, v in counts.items()}}


def _run(case: str, folder: Path, package: str | None) -> dict:
    env = dict(os.environ)
    if package:
        env["PYTHONPATH"] = package + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, __file__, "--case", case, "--folder", str(folder)],
                         capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _summary(runs: list[dict]) -> dict:
    seconds = [r["seconds"] for r in runs]
    return {"seconds": float(np.median(seconds)), "low": min(seconds), "high": max(seconds),
            "peak_mb": float(np.median([r["peak_mb"] for r in runs])), "counts": runs[0]["counts"]}


def _repeated(case: str, folder: Path, baseline: str | None, repeat: int) -> tuple[dict, dict | None]:
    """The case ``repeat`` times, and with a baseline package interleaved with it (the order alternates),
    so that a change of the machine's load falls on both alike."""
    current, earlier = [], []
    for i in range(repeat):
        order = [None, baseline] if i % 2 == 0 else [baseline, None]
        for package in order:
            if package is None:
                current.append(_run(case, folder, None))
            elif baseline is not None:
                earlier.append(_run(case, folder, package))
    return _summary(current), (_summary(earlier) if earlier else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", help="folder holding an earlier evaluation package to time beside")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.folder)))
        return
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sizes = write_folder(root, args.households)
        cases = [("pandas read_csv (peer: read only)", "read", "csv"), ("validate csv", "validate", "csv"),
                 ("validate parquet", "validate", "parquet"), ("load csv (exclude)", "load", "csv")]
        results, baseline = {}, {}
        for label, case, fmt in cases:
            results[label], before = _repeated(case, root / fmt, args.baseline if case != "read" else None,
                                               args.repeat)
            if before is not None:
                baseline[label] = before
    csv_counts = results["validate csv"]["counts"]
    pq_counts = results["validate parquet"]["counts"]
    expected_type = PLANTED["bad_dates"]
    checks = {
        "planted bad dates found (csv)": csv_counts.get("type", 0) == expected_type,
        "planted unknown steps found (csv, parquet)": csv_counts.get("category") == pq_counts.get("category")
        == PLANTED["bad_steps"],
        "duplicated tenancy ids found (both rows each)": csv_counts.get("unique") == pq_counts.get("unique")
        == 2 * PLANTED["duplicate_tenancies"],
        "orphan outcome rows found (csv, parquet)": csv_counts.get("foreign_key") == pq_counts.get("foreign_key")
        == PLANTED["orphan_outcomes"],
        "peer read the same rows": results["pandas read_csv (peer: read only)"]["counts"] == sizes,
    }
    lines = ["# bench_validation", "",
             (f"Rows: {sizes['households']:,} households, {sizes['tenancies']:,} tenancies, "
             f"{sizes['household_outcomes']:,} household-month outcomes (total "
             f"{sum(sizes.values()):,})."), "",
             (f"Machine: {platform.machine()}, {os.cpu_count()} cores, shared with other work (load average "
              f"{load:.1f} at the start); Python {platform.python_version()}, pandas {pd.__version__}, "
              f"pyarrow {_version('pyarrow')}. Each case {args.repeat}× in a fresh process: median [range]."), "",
             "| case | seconds | peak memory (MB) | problems / counts |", "|---|---:|---:|---|"]
    for label, r in results.items():
        lines.append(f"| {label} | {r['seconds']:.1f} [{r['low']:.1f}–{r['high']:.1f}] | {r['peak_mb']:.0f} | "
                     f"{', '.join(f'{k}: {v:,}' for k, v in r['counts'].items())} |")
    for label, r in baseline.items():
        lines.append(f"| {label} — baseline ({args.baseline}) | {r['seconds']:.1f} [{r['low']:.1f}–{r['high']:.1f}] "
                     f"| {r['peak_mb']:.0f} | {', '.join(f'{k}: {v:,}' for k, v in r['counts'].items())} |")
    lines += ["", "Agreement checks:", ""] + [f"- {'OK' if ok else 'FAILED'}: {name}" for name, ok in checks.items()]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).parent / "results" / "bench_validation.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text, encoding="utf-8")
    if not all(checks.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
