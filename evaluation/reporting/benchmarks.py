"""Earlier evidence to compare the pilot's results with: published figures and their sources.

A professional evaluation report places its findings beside what earlier studies found
(Magenta Book: "compare with the existing evidence"). The bundled file
``reports/evidence/benchmarks.yaml`` holds published housing-retention figures of Housing
First and rapid re-housing programmes (Pathways to Housing, Housing First Europe, At
Home/Chez Soi, the Brno Rapid Re-Housing trial), each with its source, year, population,
design, measure and horizon. An evaluator replaces it by their own file
(``render_reports(..., benchmarks="file.yaml")``) or leaves the comparison out
(``benchmarks=False``).

The pilot's own figures come from the retention strand's key figures ``housed_<h>m``.

Example
-------
>>> bench = load_benchmarks()
>>> sorted({int(b.horizon_months) for b in bench.items})
[12, 24, 60]
>>> bench.items[0].text("study", "cs")
'Pathways to Housing, New York'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluation.errors import ConfigError

REQUIRED = ("id", "study", "source", "year", "country", "population", "design", "measure", "horizon_months",
            "value")
BILINGUAL = ("study", "country", "population", "design", "comparison", "note")
OPTIONAL = ("n", "comparison_value", "comparison", "url", "note")


def bundled_path() -> Path:
    """The benchmarks shipped with the package (``reports/evidence/benchmarks.yaml``)."""
    from evaluation.reporting.assemble import reports_dir

    return reports_dir() / "evidence" / "benchmarks.yaml"


@dataclass(frozen=True)
class Benchmark:
    """One published figure."""

    id: str
    texts: Mapping[str, Mapping[str, str]]  # field -> {cs, en}
    source: Mapping[str, str]  # {cs, en}
    year: int
    measure: str
    horizon_months: float
    value: float
    n: int | None = None
    comparison_value: float | None = None
    url: str = ""

    def text(self, name: str, lang: str) -> str:
        return (self.texts.get(name) or {}).get(lang, "")


@dataclass(frozen=True)
class Benchmarks:
    items: tuple[Benchmark, ...]
    measures: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    path: Path | None = None

    def for_measure(self, measure: str) -> list[Benchmark]:
        return sorted((b for b in self.items if b.measure == measure), key=lambda b: (b.horizon_months, -b.year))


def _bilingual(value: Any, where: str) -> dict[str, str]:
    if isinstance(value, str):
        return {"cs": value, "en": value}
    if isinstance(value, Mapping) and {"cs", "en"} <= set(value):
        return {"cs": str(value["cs"]), "en": str(value["en"])}
    raise ConfigError(f"{where} must be a text or a mapping with 'cs' and 'en'")


def _share(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= float(value) <= 1:
        raise ConfigError(f"{where} must be a share between 0 and 1 (0.88 for 88 %), not {value!r}")
    return float(value)


def _benchmark(raw: Any, index: int, path: Path) -> Benchmark:
    where = f"benchmarks file {path}, entry {index + 1}"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be a mapping of fields")
    where = f"{where} ({raw.get('id', 'no id')})"
    missing = [k for k in REQUIRED if k not in raw or raw[k] in (None, "")]
    unknown = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL))
    if missing or unknown:
        problems = ([f"missing {', '.join(missing)}"] if missing else []) + \
                   ([f"unknown {', '.join(unknown)} (allowed: {', '.join(REQUIRED + OPTIONAL)})"] if unknown else [])
        raise ConfigError(f"{where}: {'; '.join(problems)}")
    texts = {k: _bilingual(raw[k], f"{where}: {k}") for k in BILINGUAL if k in raw}
    try:
        year, horizon = int(raw["year"]), float(raw["horizon_months"])
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: year and horizon_months must be numbers") from None
    if horizon <= 0:
        raise ConfigError(f"{where}: horizon_months must be positive, not {raw['horizon_months']!r}")
    n = raw.get("n")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n <= 0):
        raise ConfigError(f"{where}: n must be a positive whole number, not {n!r}")
    comparison = raw.get("comparison_value")
    return Benchmark(id=str(raw["id"]), texts=texts, source=_bilingual(raw["source"], f"{where}: source"),
                     year=year, measure=str(raw["measure"]), horizon_months=horizon,
                     value=_share(raw["value"], f"{where}: value"), n=n,
                     comparison_value=None if comparison is None else _share(comparison, f"{where}: comparison_value"),
                     url=str(raw.get("url", "")))


def load_benchmarks(path: str | os.PathLike[str] | None = None) -> Benchmarks:
    """Read and check a benchmarks file (default: the bundled one)."""
    import yaml

    path = Path(path) if path is not None else bundled_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read the benchmarks file {path}: {error}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"the benchmarks file {path} is not valid YAML: {error}") from error
    if not isinstance(raw, Mapping) or not isinstance(raw.get("benchmarks"), list):
        raise ConfigError(f"the benchmarks file {path} needs a list under 'benchmarks:'")
    items = tuple(_benchmark(entry, i, path) for i, entry in enumerate(raw["benchmarks"]))
    ids = [b.id for b in items]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ConfigError(f"the benchmarks file {path} lists an id twice: {', '.join(duplicated)}")
    measures = {k: _bilingual(v, f"benchmarks file {path}: measure {k}") for k, v in (raw.get("measures") or {}).items()}
    return Benchmarks(items=items, measures=measures, path=path)


def resolve_benchmarks(benchmarks: Any) -> Benchmarks | None:
    """``None`` -> the bundled file; ``False`` -> no comparison; a path -> that file; a Benchmarks -> itself."""
    if benchmarks is False:
        return None
    if isinstance(benchmarks, Benchmarks):
        return benchmarks
    return load_benchmarks(benchmarks)
