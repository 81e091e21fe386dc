"""The whole pipeline on synthetic data: generate, validate, run every strand, render the reports.

This is what ``evaluation demo`` and ``make demo`` run. The configuration it uses is
written next to the outputs (``demo.yaml``), so the run can be repeated or edited.

Example
-------
>>> reports = run_demo("output", lang="en", progress=False)   # doctest: +SKIP
>>> sorted(p.name for p in reports.iterdir())                 # doctest: +SKIP
['brief.en.docx', 'brief.en.html', 'brief.en.pdf', ...]
"""

from __future__ import annotations

from pathlib import Path

import yaml

from evaluation.runner.config import REPORT_FORMATS
from evaluation.runner.plan import Layout
from evaluation.runner.executors import LocalExecutor, StartingExecutor, warm_kernels_wanted
from evaluation.runner.run import RunSummary, Say, available_cores, run_config


#: The synthetic fidelity ratings of the Brno Housing First programme the demo shows (bundled example).
DEMO_FIDELITY = "hodnoceni_vernosti_brno.csv"


def demo_fidelity_ratings(data_dir: Path) -> Path:
    """Copy the bundled synthetic fidelity ratings (Housing First Brno) into ``data_dir``; return the copy."""
    from importlib import resources

    source = resources.files("evaluation.process").joinpath("scales", "examples", DEMO_FIDELITY)
    target = Path(data_dir) / DEMO_FIDELITY
    target.write_bytes(source.read_bytes())
    return target


def write_demo_config(out_dir: Path, *, lang: str, seed: int, workers: int | None = None) -> Path:
    """Write the demo's run configuration (Czech CSV data in ``data/csv``, outputs beside it; the
    process strand scores the synthetic fidelity ratings in ``data/``)."""
    config = {"data": "data/csv", "output": ".", "strands": "all", "municipalities": "pooled", "lang": lang,
              "seed": seed, "disclosure_threshold": 5, "report_formats": list(REPORT_FORMATS),
              "workers": workers or "auto"}
    if (out_dir / "data" / DEMO_FIDELITY).is_file():
        config["parameters"] = {"process": {"fidelity_ratings": f"data/{DEMO_FIDELITY}"}}
    path = out_dir / "demo.yaml"
    header = "# Written by `evaluation demo`; run again with `evaluation run demo.yaml`.\n"
    path.write_text(header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def run_demo_summary(out_dir: str | Path, *, lang: str = "cs", seed: int = 2019, progress: bool = True,
                     workers: int | None = None, say: Say | None = None) -> RunSummary:
    """Like :func:`run_demo` but return the run summary (for benchmarks and tests)."""
    import time

    from evaluation.synthetic import generate

    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    # The Czech CSV export (Windows-1250, ';', decimal commas, Czech dates and labels) is what
    # municipalities send, so the demo reads that rather than the Parquet copy.
    started = time.perf_counter()
    # the kernel template imports the toolkit while the data are generated (the run would start it
    # only once it has the data to validate)
    starting = StartingExecutor(lambda: LocalExecutor(workers or available_cores(), warm=warm_kernels_wanted()))
    try:
        if say:
            say(f"generating synthetic pilot data in {out / 'data'} …")
        generate(out / "data", seed=seed, scale=1.0, formats=("parquet", "csv"))
        demo_fidelity_ratings(out / "data")
        if say:
            say(f"generated ({time.perf_counter() - started:.1f} s)")
        config = write_demo_config(out, lang=lang, seed=seed, workers=workers)
    except BaseException:
        starting.close()
        raise
    summary = run_config(config, progress=progress, say=say, starting=starting)
    summary.raise_for_failure()
    return summary


def run_demo(out_dir: str | Path, *, lang: str = "cs", seed: int = 2019, progress: bool = True,
             say: Say | None = None) -> Path:
    """Generate synthetic pilot data into ``out_dir/data``, run every strand and render the reports.

    Returns the folder with the reports. Raises NotebookError naming the notebook and cell
    when a notebook fails. ``say`` receives one line per phase.
    """
    summary = run_demo_summary(out_dir, lang=lang, seed=seed, progress=progress, say=say)
    return Layout(summary.output_dir).reports
