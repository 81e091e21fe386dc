"""Benchmark of the contact-point dashboard at national size: 132 contact points in 14 regions.

The synthetic applications (evaluation.synthetic, ``--scale``) are spread over 132 contact
points (each its own district, regions assigned in turn), the process and need strands run on
them (pooled scope) and the real publication step protects them. Then, several runs each:

* building the page (``dashboard_html``: read the published folder, format every cell in both
  languages, inline the script) — median and range, page size;
* in headless Chromium (Debian's package): opening the file until every panel is drawn, and
  choosing a region (re-drawing every panel) — median and range.

There is no peer: no other tool makes an offline dashboard from disclosure-protected tables.
The machine is shared with other engineers: read the times as indications.

    python benchmarks/bench_dashboard.py [--scale 4] [--runs 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
REGIONS = ("Hlavní město Praha", "Středočeský kraj", "Jihočeský kraj", "Plzeňský kraj", "Karlovarský kraj",
           "Ústecký kraj", "Liberecký kraj", "Královéhradecký kraj", "Pardubický kraj", "Kraj Vysočina",
           "Jihomoravský kraj", "Olomoucký kraj", "Zlínský kraj", "Moravskoslezský kraj")
CONTACT_POINTS = 132


def national_published(root: Path, scale: float) -> tuple[Path, Path, dict[str, float]]:
    import numpy as np
    import pandas as pd

    from evaluation.reporting.publication import publish_results
    from evaluation.runner.registry import STRANDS, strand_parameters
    from evaluation.runner.session import open_session
    from evaluation.synthetic import generate

    times = {}
    started = time.perf_counter()
    generate(root / "synthetic", seed=2019, scale=scale, formats=("parquet",))
    apps = pd.read_parquet(root / "synthetic" / "parquet" / "applications.parquet")
    rng = np.random.default_rng(2026)
    point = rng.integers(0, CONTACT_POINTS, len(apps))
    apps["contact_point"] = [f"KMB {i + 1:03d}" for i in point]
    apps["district"] = [f"Obvod {i + 1:03d}" for i in point]
    apps["municipality"] = apps["district"]
    (root / "data").mkdir()
    apps.to_parquet(root / "data" / "applications.parquet")
    directory = root / "directory.csv"
    directory.write_text("contact_point;district;region\n" + "".join(
        f"KMB {i + 1:03d};Obvod {i + 1:03d};{REGIONS[i % len(REGIONS)]}\n" for i in range(CONTACT_POINTS)),
        encoding="utf-8")
    internal = root / "internal"
    for strand in ("process", "need"):
        spec = STRANDS[strand]
        module = importlib.import_module(f"evaluation.runner.strands.{strand}")
        extra = {k: v for k, v in strand_parameters(strand).items() if k in spec.extra_parameters}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            session = open_session(strand, data_dir=str(root / "data"), results_dir=str(internal), municipality=None,
                                   disclosure_threshold=5, **extra)
            module.save(session, module.analyse(session.data, **extra))
            session.finish()
    times["analyses_s"] = time.perf_counter() - started
    started = time.perf_counter()
    publish_results(internal, root / "published")
    times["publication_s"] = time.perf_counter() - started
    return root / "published", directory, {**times, "applications": len(apps)}


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} s (range {min(values):.3f}–{max(values):.3f}, {len(values)} runs)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=4.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None, help="build in this folder and keep it")
    args = parser.parse_args()

    from evaluation.reporting.dashboard import dashboard_html, write_dashboard
    from tests.reporting.browser import Browser, find_chromium

    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    if (root / "published").is_dir():
        published, directory, setup = root / "published", root / "directory.csv", {}
    else:
        published, directory, setup = national_published(root, args.scale)
    build = []
    for _ in range(args.runs):
        started = time.perf_counter()
        html = dashboard_html(published, directory=directory)
        build.append(time.perf_counter() - started)
    out = write_dashboard(published, root / "dashboard.html", directory=directory)
    payload = json.loads(html.split('id="dashboard-data">', 1)[1].split("</script>", 1)[0])
    lines = [f"# Dashboard at national size ({time.strftime('%Y-%m-%d')})", "",
             f"Machine: {platform.machine()}, {platform.python_version()}, shared with other engineers.",
             (f"Published folder: {published} ({len(payload['places'])} places, {len(payload['regions'])} regions, "
              f"{setup.get('applications', '?')} applications); set-up {json.dumps(setup)}"), "",
             f"* page built (dashboard_html): {spread(build)}; page size {len(html.encode()) / 1024:.0f} KiB"]
    chromium, reason = find_chromium(install=False)
    if chromium is None:
        lines.append(f"* browser: not measured ({reason})")
    else:
        opened, filtered = [], []
        with Browser(chromium) as browser:
            for run in range(args.runs):
                started = time.perf_counter()
                page = browser.open(out.as_uri())
                page.wait_for("document.body.dataset.rendered")
                opened.append(time.perf_counter() - started)
                region = REGIONS[run % len(REGIONS)]
                started = time.perf_counter()
                page.evaluate(f"""(() => {{ const s = document.getElementById('f-region'); s.value = {json.dumps(region)};
                    s.dispatchEvent(new Event('change')); }})()""")
                page.wait_for(f"document.body.dataset.rendered.includes({json.dumps(region)})")
                filtered.append(time.perf_counter() - started)
                assert not page.errors, page.errors
        lines += [f"* opened until drawn (headless Chromium, file URL): {spread(opened)}",
                  f"* a region chosen, every panel re-drawn: {spread(filtered)}"]
    text = "\n".join(lines) + "\n"
    print(text)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "bench_dashboard.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
