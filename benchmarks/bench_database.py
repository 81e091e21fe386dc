"""Reading and validating the synthetic data at national size: from PostgreSQL, Parquet and CSV.

The synthetic pilots at ``--scale`` (default 50: about 3 million rows over the contract's ten
tables) get planted problems (household-month outcomes of households that do not exist, support
contacts dated outside the study period), then are written three times: as a Parquet folder and as a folder of CSV files in the Czech
municipal convention (Windows-1250, ``;``, decimal comma; :func:`evaluation.data.writers.write_tables`)
and into a throwaway PostgreSQL server
(:class:`evaluation.data.database_server.TemporaryServer`, the contract's DDL with enum types and
primary keys, :func:`evaluation.data.database_write.write_database`).

Cases, each ``--repeat`` times in a fresh process (median and range; the sources interleaved so
that a change of the shared machine's load falls on both alike), with the peak memory of that
process (VmHWM; the server's own memory is not in it):

* ``read only``: the floor any validator pays — ``pyarrow.parquet.read_table`` /
  ``pyarrow.csv.read_csv`` (transcoding Windows-1250) of every file, and
  ADBC's ``fetch_arrow_table`` of ``SELECT *`` of every table in one snapshot (``numeric`` columns
  come as decimal text then);
* ``read raw tables``: the toolkit's reading without the checks — :func:`evaluation.data.readers.read_raw`
  of every file, :func:`evaluation.data.database_read.read_schema` of the schema (the columns of the
  contract cast to their types on the server, key order, pandas frames, the fingerprint);
* ``validate`` (read + validate, the number a user waits for; also as rows per second):
  :func:`evaluation.data.validate_folder` and :func:`evaluation.data.database.validate_database`;
* ``load (exclude)``: :func:`evaluation.data.load_folder` / :func:`~evaluation.data.database.load_database`
  with ``on_error="exclude"``.

Agreement: all sources report the same problems by rule, find every planted one, and load the
same rows per table (ledger received / excluded / loaded).

Run: ``python benchmarks/bench_database.py [--scale 50] [--repeat 3]``; output goes to stdout and to
``benchmarks/results/bench_database.md``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from bench_validation import _peak_rss_mb, _summary, _version

PLANTED = {"orphan_outcomes": 500, "contacts_outside_period": 300}


def national_tables(scale: float, seed: int = 2019) -> dict[str, pd.DataFrame]:
    from evaluation.synthetic import simulate

    tables = {name: frame.copy() for name, frame in simulate(seed=seed, scale=scale).tables.items()}
    rng = np.random.default_rng(seed)
    outcomes = tables["household_outcomes"]
    orphans = rng.choice(len(outcomes), PLANTED["orphan_outcomes"], replace=False)
    outcomes.loc[orphans, "household_id"] = [f"ZZ{i:06d}" for i in range(len(orphans))]
    contacts = tables["support_contacts"]
    early = rng.choice(len(contacts), PLANTED["contacts_outside_period"], replace=False)
    contacts.loc[early, "contact_date"] = pd.Timestamp("2010-06-01")
    return tables


def run_case(case: str, source: str) -> dict:
    start = time.perf_counter()
    database = source.startswith("postgresql://")
    if case == "read":
        counts = _read_only(source, database)
    elif case == "raw":
        counts = _read_raw(source, database)
    elif case == "validate":
        from evaluation.data.loader import validate_source

        report = validate_source(source)
        counts = report.problems.groupby("rule").size().to_dict()
    else:
        from evaluation.data.loader import load_source

        ledger = load_source(source, on_error="exclude").ledger.tidy()
        counts = {f"{r.table}.{r.stage}{'.' + r.rule if r.rule else ''}": r.rows for r in ledger.itertuples()}
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": _peak_rss_mb(), "counts": {k: int(v) for k, v in counts.items()}}


def _read_only(source: str, database: bool) -> dict[str, int]:
    from evaluation.data.schema import get_schema

    names = get_schema().table_names
    if not database and (Path(source) / "households.csv").exists():
        import pyarrow.csv as pcsv

        options = (pcsv.ReadOptions(encoding="cp1250"), pcsv.ParseOptions(delimiter=";"))
        return {name: pcsv.read_csv(Path(source) / f"{name}.csv", read_options=options[0],
                                    parse_options=options[1]).num_rows for name in names}
    if not database:
        import pyarrow.parquet as pq

        return {name: pq.read_table(Path(source) / f"{name}.parquet").num_rows for name in names}
    from evaluation.data.database import DatabaseSource

    db = DatabaseSource.parse(source)
    connection = db.connect()
    cursor = connection.cursor()
    cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    counts = {}
    for name in names:
        cursor.execute(f'SELECT * FROM "{db.schema}"."{name}"')
        counts[name] = cursor.fetch_arrow_table().num_rows
    cursor.execute("ROLLBACK")
    cursor.close()
    connection.close()
    return counts


def _read_raw(source: str, database: bool) -> dict[str, int]:
    from evaluation.data.schema import get_schema

    contract = get_schema()
    if not database:
        from evaluation.data.readers import read_raw

        suffix = ".csv" if (Path(source) / "households.csv").exists() else ".parquet"
        return {name: read_raw(Path(source) / f"{name}{suffix}", name).n_received for name in contract.table_names}
    from evaluation.data.database import DatabaseSource
    from evaluation.data.database_read import read_schema

    db = DatabaseSource.parse(source)
    connection = db.connect()
    cursor = connection.cursor()
    reading = read_schema(cursor, contract, db.schema, db.tables, db.timezone)
    cursor.close()
    connection.close()
    return {name: raw.n_received for name, raw in reading.raws.items()}


def _run(case: str, source: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--case", case, "--source", source],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _interleaved(case: str, sources: dict[str, str], repeat: int) -> dict[str, dict]:
    runs: dict[str, list[dict]] = {label: [] for label in sources}
    for i in range(repeat):
        order = list(sources) if i % 2 == 0 else list(reversed(sources))
        for label in order:
            runs[label].append(_run(case, sources[label]))
    return {label: _summary(r) for label, r in runs.items()}


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.source)))
        return
    from evaluation.data.database import DatabaseSource
    from evaluation.data.database_server import TemporaryServer
    from evaluation.data.database_write import write_database
    from evaluation.data.writers import write_tables

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    tables = national_tables(args.scale)
    sizes = {name: len(frame) for name, frame in tables.items()}
    with tempfile.TemporaryDirectory() as tmp, TemporaryServer() as server:
        folder = Path(tmp) / "parquet"
        write_tables(tables, folder, fmt="parquet")
        csv_folder = Path(tmp) / "csv"
        write_tables(tables, csv_folder, fmt="csv", lang="cs")
        address = server.address() + "?schema=national"
        connection = DatabaseSource.parse(address).connect()
        started = time.perf_counter()
        write_database(tables, connection, schema="national")
        written_seconds = time.perf_counter() - started
        cursor = connection.cursor()
        cursor.execute("SELECT pg_database_size(current_database())")
        database_mb = cursor.fetchall()[0][0] / 2**20
        cursor.execute("SELECT version()")
        server_version = cursor.fetchall()[0][0].split(" on ")[0]
        cursor.close()
        connection.close()
        del tables
        parquet_mb, csv_mb = _size_mb(folder), _size_mb(csv_folder)
        sources = {"Parquet": str(folder), "CSV": str(csv_folder), "PostgreSQL": address}
        results = {case: _interleaved(case, sources, args.repeat) for case in ("read", "raw", "validate", "load")}
    validate = {label: r["counts"] for label, r in results["validate"].items()}
    loaded = {label: r["counts"] for label, r in results["load"].items()}
    checks = {
        "every source read every row": all(r["counts"] == sizes for case in ("read", "raw")
                                           for r in results[case].values()),
        "same problems by rule from every source": validate["Parquet"] == validate["PostgreSQL"] == validate["CSV"],
        "planted orphan outcomes found": validate["PostgreSQL"].get("foreign_key") == PLANTED["orphan_outcomes"],
        "planted contacts outside the study period found":
            validate["PostgreSQL"].get("in_study_period") == PLANTED["contacts_outside_period"],
        "same ledger (received, excluded by rule, loaded) from every source":
            loaded["Parquet"] == loaded["PostgreSQL"] == loaded["CSV"],
    }
    total = sum(sizes.values())
    labels = {"read": "read only (pyarrow.parquet / pyarrow.csv / ADBC fetch_arrow_table)",
              "raw": "read raw tables (the toolkit's readers, no checks)", "validate": "validate",
              "load": "load (on_error=exclude)"}
    lines = ["# bench_database", "",
             f"Synthetic data at scale {args.scale:g}: {total:,} rows in {len(sizes)} tables ("
             + ", ".join(f"{k} {v:,}" for k, v in sizes.items()) + "); planted: "
             + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in PLANTED.items()) + ".", "",
             f"Parquet folder {parquet_mb:.0f} MB; CSV folder {csv_mb:.0f} MB; PostgreSQL database {database_mb:.0f} MB ({server_version}, "
             f"throwaway server on 127.0.0.1, written in {written_seconds:.0f} s).", "",
             (f"Machine: {platform.machine()}, {os.cpu_count()} cores, shared with other work (load average "
              f"{load:.1f} at the start); Python {platform.python_version()}, pandas {pd.__version__}, "
              f"pyarrow {_version('pyarrow')}, adbc-driver-postgresql {_version('adbc-driver-postgresql')}. "
              f"Each case {args.repeat}× in a fresh process, the sources interleaved: median [range]; rows/s is "
              "all rows over the median; peak memory is the client process's."), "",
             "| case | source | seconds | rows/s | peak memory (MB) |", "|---|---|---:|---:|---:|"]
    for case, by_source in results.items():
        for label, r in by_source.items():
            lines.append(f"| {labels[case]} | {label} | {r['seconds']:.1f} [{r['low']:.1f}–{r['high']:.1f}] | "
                         f"{total / r['seconds']:,.0f} | {r['peak_mb']:.0f} |")
    lines += ["", "Problems found (validate): " + ", ".join(f"{k}: {v:,}" for k, v in validate["PostgreSQL"].items()),
              "", "Agreement checks:", ""] + [f"- {'OK' if ok else 'FAILED'}: {name}" for name, ok in checks.items()]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).parent / "results" / "bench_database.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text, encoding="utf-8")
    if not all(checks.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
