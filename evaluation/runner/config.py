"""Read and check a run configuration (YAML): which data, strands, municipalities and outputs.

Every problem in the file is listed in one :class:`~evaluation.errors.ConfigError`
(unknown keys are errors, so a typo never silently falls back to a default).
Relative paths are taken relative to the folder of the configuration file.

Example
-------
>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> (folder / "data").mkdir()
>>> _ = (folder / "run.yaml").write_text("data: data\\noutput: out\\nstrands: [process, need]\\n")
>>> config = load_config(folder / "run.yaml")
>>> config.strands, config.municipalities, config.lang
(('process', 'need'), 'pooled', 'cs')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from evaluation.errors import ConfigError
from evaluation.resources import resource_dir
from evaluation.runner.registry import ALL_STRANDS, STRANDS

REPORT_FORMATS = ("html", "pdf", "docx")
LANGS = ("cs", "en")

#: Every key a configuration may hold, with what it means (shown when a key is unknown).
KEYS: Mapping[str, str] = MappingProxyType({
    "data": "data folder (required)",
    "output": "output folder (required)",
    "strands": "'all' or a list of strands",
    "municipalities": "'pooled' (one run over all), 'all' (one run per municipality) or a list",
    "pooled": "also run over all municipalities together when municipalities are listed (true)",
    "programme_step": "one programme step, or null for all",
    "period": "mapping with start and end dates (YYYY-MM-DD)",
    "lang": "cs or en",
    "disclosure_threshold": "smallest publishable cell (households)",
    "seed": "random seed",
    "on_error": "rows that break the data contract: 'raise' (stop, the default) or 'exclude' (count and drop)",
    "report_formats": "list of html, pdf, docx ([] = no reports)",
    "workers": "'auto' or the number of notebooks run at the same time",
    "parameters": "mapping strand -> {parameter: value} for strand-specific notebook parameters",
    "notebooks": "folder with the notebooks (default: the package's notebooks/)",
    "cell_timeout": "seconds one notebook cell may run (null = no limit)",
})


def default_notebooks_dir() -> Path:
    """The toolkit's ``notebooks/`` folder (see :mod:`evaluation.resources`)."""
    return resource_dir("notebooks", "01_data_quality.ipynb")


@dataclass(frozen=True)
class RunConfig:
    """A checked run configuration. Build it with :func:`load_config` or :func:`parse_config`."""

    data_dir: Path
    output_dir: Path
    strands: tuple[str, ...] = tuple(STRANDS)
    municipalities: str | tuple[str, ...] = "pooled"
    pooled: bool = True
    programme_step: str | None = None
    period: tuple[str, str] | None = None
    lang: str = "cs"
    disclosure_threshold: int = 5
    seed: int = 2019
    on_error: str = "raise"
    report_formats: tuple[str, ...] = REPORT_FORMATS
    workers: int | None = None
    parameters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    notebooks_dir: Path = field(default_factory=default_notebooks_dir)
    cell_timeout: float | None = None
    source: str = ""

    @property
    def is_batch(self) -> bool:
        return self.municipalities != "pooled"


def load_config(path: str | Path) -> RunConfig:
    """Read a YAML run configuration and check it; raises ConfigError listing every problem."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"configuration file {path} does not exist")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"configuration file {path} is not valid YAML: {exc}") from None
    return parse_config(raw, base_dir=path.parent, source=str(path))


def parse_config(raw: Any, *, base_dir: str | Path = ".", source: str = "configuration") -> RunConfig:
    """Check a configuration mapping (as read from YAML) and build a :class:`RunConfig`."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: expected a mapping of keys to values, got {type(raw).__name__}")
    problems: list[str] = []
    for key in raw:
        if key not in KEYS:
            problems.append(f"unknown key {key!r}; known keys: {', '.join(KEYS)}")
    base = Path(base_dir)
    values: dict[str, Any] = {"source": source}
    values["data_dir"] = _folder(raw, "data", base, problems, must_exist=True)
    values["output_dir"] = _folder(raw, "output", base, problems, must_exist=False)
    if "notebooks" in raw:
        values["notebooks_dir"] = _folder(raw, "notebooks", base, problems, must_exist=True)
    values["strands"] = _strands(raw.get("strands", "all"), problems)
    values["municipalities"] = _municipalities(raw.get("municipalities", "pooled"), problems)
    values["pooled"] = _boolean(raw, "pooled", True, problems)
    values["programme_step"] = _programme_step(raw.get("programme_step"), problems)
    values["period"] = _period(raw.get("period"), problems)
    values["lang"] = _choice(raw, "lang", "cs", LANGS, problems)
    values["disclosure_threshold"] = _integer(raw, "disclosure_threshold", 5, problems, minimum=1)
    values["seed"] = _integer(raw, "seed", 2019, problems, minimum=0)
    values["on_error"] = _choice(raw, "on_error", "raise", ("raise", "exclude"), problems)
    values["report_formats"] = _formats(raw.get("report_formats", list(REPORT_FORMATS)), problems)
    values["workers"] = _workers(raw.get("workers", "auto"), problems)
    values["parameters"] = _parameters(raw.get("parameters", {}), values["strands"], problems)
    values["cell_timeout"] = _timeout(raw.get("cell_timeout"), problems)
    if problems:
        raise ConfigError(f"{source} has {len(problems)} problem(s):\n" + "\n".join(f"  - {p}" for p in problems))
    return RunConfig(**values)


def _folder(raw: Mapping, key: str, base: Path, problems: list[str], *, must_exist: bool) -> Path:
    value = raw.get(key)
    if value is None or not isinstance(value, str) or not value.strip():
        problems.append(f"{key!r} must be given as a folder path ({KEYS[key]})")
        return base
    path = (base / Path(value).expanduser()).resolve()
    if must_exist and not path.is_dir():
        problems.append(f"{key!r}: folder {path} does not exist")
    elif not must_exist and path.exists() and not path.is_dir():
        problems.append(f"{key!r}: {path} exists and is not a folder")
    return path


def _strands(value: Any, problems: list[str]) -> tuple[str, ...]:
    if value == "all":
        return tuple(STRANDS)
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        problems.append(f"'strands' must be 'all' or a non-empty list of: {', '.join(ALL_STRANDS)}")
        return ()
    unknown = [n for n in names if n not in ALL_STRANDS]
    if unknown:
        problems.append(f"unknown strand(s) {', '.join(map(repr, unknown))}; known strands: {', '.join(ALL_STRANDS)}")
    if len(set(names)) < len(names):
        problems.append("'strands' lists a strand twice")
    # keep the notebook order (01 ... 06) whatever order the file lists them in
    return tuple(n for n in ALL_STRANDS if n in names)


def _municipalities(value: Any, problems: list[str]) -> str | tuple[str, ...]:
    if value is None or value == "pooled":
        return "pooled"
    if value == "all":
        return "all"
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
        problems.append("'municipalities' must be 'pooled', 'all' or a non-empty list of municipality names")
        return "pooled"
    if len(set(names)) < len(names):
        problems.append("'municipalities' lists a municipality twice")
    return tuple(n.strip() for n in names)


def _programme_step(value: Any, problems: list[str]) -> str | None:
    if value is None:
        return None
    from evaluation.data.schema import get_schema

    codes = get_schema().table("tenancies").field("step").codes
    if value not in codes:
        problems.append(f"'programme_step' {value!r} is not a programme step; use one of {', '.join(codes)} or null")
        return None
    return value


def _date(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return None
    return None


def _period(value: Any, problems: list[str]) -> tuple[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) != {"start", "end"}:
        problems.append("'period' must be a mapping with exactly the keys start and end")
        return None
    start, end = _date(value["start"]), _date(value["end"])
    if start is None or end is None:
        problems.append("'period' start and end must be dates written YYYY-MM-DD")
        return None
    if end < start:
        problems.append(f"'period' ends ({end}) before it starts ({start})")
        return None
    return start, end


def _choice(raw: Mapping, key: str, default: str, choices: tuple[str, ...], problems: list[str]) -> str:
    value = raw.get(key, default)
    if value not in choices:
        problems.append(f"{key!r} must be one of {', '.join(choices)}, got {value!r}")
        return default
    return value


def _boolean(raw: Mapping, key: str, default: bool, problems: list[str]) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        problems.append(f"{key!r} must be true or false, got {value!r}")
        return default
    return value


def _integer(raw: Mapping, key: str, default: int, problems: list[str], *, minimum: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        problems.append(f"{key!r} must be a whole number of at least {minimum}, got {value!r}")
        return default
    return value


def _formats(value: Any, problems: list[str]) -> tuple[str, ...]:
    formats = [value] if isinstance(value, str) else value
    if not isinstance(formats, list) or any(f not in REPORT_FORMATS for f in formats):
        problems.append(f"'report_formats' must be a list of {', '.join(REPORT_FORMATS)}, got {value!r}")
        return ()
    return tuple(f for f in REPORT_FORMATS if f in formats)


def _workers(value: Any, problems: list[str]) -> int | None:
    if value == "auto" or value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.append(f"'workers' must be 'auto' or a whole number of at least 1, got {value!r}")
        return None
    return value


def _timeout(value: Any, problems: list[str]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        problems.append(f"'cell_timeout' must be a positive number of seconds or null, got {value!r}")
        return None
    return float(value)


def _parameters(value: Any, strands: tuple[str, ...], problems: list[str]) -> Mapping[str, Mapping[str, Any]]:
    if not isinstance(value, Mapping):
        problems.append("'parameters' must map strand names to {parameter: value} mappings")
        return {}
    checked: dict[str, Mapping[str, Any]] = {}
    for strand, params in value.items():
        if strand not in ALL_STRANDS:
            problems.append(f"'parameters' names unknown strand {strand!r}; known strands: {', '.join(ALL_STRANDS)}")
        elif strand not in strands:
            problems.append(f"'parameters' sets parameters of strand {strand!r}, which this run does not include")
        elif not isinstance(params, Mapping):
            problems.append(f"'parameters.{strand}' must be a mapping of parameter names to values")
        else:
            checked[strand] = MappingProxyType(dict(params))
    return MappingProxyType(checked)
