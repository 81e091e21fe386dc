"""Read and check a run configuration (YAML): which data, strands, municipalities and outputs.

Every key and value is checked against the declared options (:data:`RUN_OPTIONS` here, the
notebooks' own in :mod:`evaluation.runner.registry`) and every problem in the file is listed
in one :class:`~evaluation.errors.ConfigError` naming the file, key, value and rule (unknown
keys are errors with "did you mean", so a typo never silently falls back to a default).
Relative paths are taken relative to the folder of the configuration file.
:func:`configuration_schema` publishes the same declaration as JSON Schema
(``configs/config.schema.json``).

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

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from evaluation.errors import ConfigError
from evaluation.resources import resource_dir
from evaluation.runner.options import (
    COMMON,
    Address,
    AnyOf,
    Boolean,
    Choice,
    Context,
    DataSource,
    Date,
    Folder,
    Integer,
    ListOf,
    Null,
    Number,
    Option,
    Record,
    Text,
    Word,
    check_mapping,
    did_you_mean,
    nullable,
    options_by_name,
)
from evaluation.runner.registry import ALL_STRANDS, STRANDS

REPORT_FORMATS = ("html", "pdf", "docx")
LANGS = ("cs", "en")
SCHEMA_ID = "https://github.com/evaluation/evaluation/configs/config.schema.json"

EXECUTORS = ("local", "dask")
#: Keys of ``dask:`` (one of them).
DASK_OPTIONS = (
    Option("scheduler", Address(("tcp", "tls"), "address of a running Dask scheduler"), None,
           "address of a running Dask scheduler whose workers see the same folders (shared file system)",
           "adresa běžícího plánovače Dask, jehož pracovní procesy vidí tytéž složky"),
    Option("workers", Integer(minimum=1), None,
           "worker processes of a Dask cluster started on this machine for the run (default: workers)",
           "počet pracovních procesů clusteru Dask spuštěného pro běh na tomto počítači (výchozí: workers)"),
)
#: Keys of a run configuration, in the order the documentation lists them. Keys shared with
#: the notebooks (programme step, language, threshold, seed, on_error) are the notebooks' options.
RUN_OPTIONS: Mapping[str, Option] = options_by_name([
    Option("data", DataSource(), None,
           "data folder (required): one file per table of the data contract; or a PostgreSQL database "
           "address postgresql://host/database?schema=…, its password in the environment (PGPASSWORD)",
           "složka s daty (povinné): jeden soubor na tabulku datové specifikace; nebo adresa databáze PostgreSQL "
           "postgresql://server/databáze?schema=…, heslo v prostředí (PGPASSWORD)"),
    Option("output", Folder(must_exist=False), None,
           "output folder (required): executed notebooks, results, reports and the run record run.json",
           "výstupní složka (povinné): spuštěné sešity, výsledky, zprávy a záznam běhu run.json"),
    Option("strands", AnyOf((Word("all"), ListOf(Choice(tuple(ALL_STRANDS)), single=True))), "all",
           f"'all' ({', '.join(STRANDS)}) or a list of strands, which may add the opt-in "
           f"{', '.join(s for s in ALL_STRANDS if s not in STRANDS)}",
           "'all' nebo seznam částí evaluace (plánovací část design jen na vyžádání)"),
    Option("municipalities", AnyOf((Word("pooled"), Word("all"), Null("same as pooled"),
                                    ListOf(Text("municipality name"), single=True))), "pooled",
           "'pooled' (one run over all), 'all' (one run per pilot municipality) or a list of municipalities "
           "with data of their own",
           "'pooled' (jeden souhrnný běh), 'all' (běh za každou pilotní obec) nebo seznam obcí s vlastními daty"),
    Option("pooled", Boolean(), True,
           "also run over all municipalities together when municipalities are 'all' or listed",
           "při běhu po obcích spustit i souhrnný běh za všechny obce"),
    COMMON["programme_step"],
    Option("period", nullable(Record((Option("start", Date(), None, "first day", "první den"),
                                      Option("end", Date(), None, "last day", "poslední den")),
                                     required=("start", "end")), "the whole study period"), None,
           "period analysed: a mapping with start and end dates (YYYY-MM-DD)",
           "analyzované období: start a end jako data RRRR-MM-DD"),
    COMMON["lang"],
    COMMON["disclosure_threshold"],
    COMMON["seed"],
    COMMON["on_error"],
    Option("report_formats", ListOf(Choice(REPORT_FORMATS), min_items=0, single=True), list(REPORT_FORMATS),
           "report formats ([] = no reports)", "formáty zpráv ([] = žádné zprávy)"),
    Option("dashboard", Boolean(), True,
           "write the contact-point dashboard (published/reports/dashboard.html) when the run has contact-point "
           "results", "zapsat přehled kontaktních míst (published/reports/dashboard.html), má-li běh výsledky "
           "kontaktních míst"),
    Option("workers", AnyOf((Word("auto"), Null("same as auto"), Integer(minimum=1))), "auto",
           "notebooks run at the same time ('auto' = the cores available)",
           "počet sešitů spuštěných současně ('auto' = počet dostupných jader)"),
    Option("executor", Choice(EXECUTORS), "local",
           "what runs the notebooks: local (this machine, one kernel per notebook forked from a warm process) or "
           "dask (the workers of a Dask cluster; see dask)",
           "co spouští sešity: local (tento počítač) nebo dask (pracovní procesy clusteru Dask; viz dask)"),
    Option("dask", nullable(Record(DASK_OPTIONS), "only with executor: dask; then a local cluster of 'workers' processes"),
           None,
           "with executor: dask, the cluster: {scheduler: tcp://host:8786} for a running one, or {workers: N} for a "
           "cluster of N worker processes on this machine, started for the run",
           "u executor: dask cluster: {scheduler: tcp://host:8786} pro běžící cluster, nebo {workers: N} pro N "
           "pracovních procesů na tomto počítači"),
    Option("cell_timeout", nullable(Number(minimum=0, exclusive_minimum=True), "no limit"), None,
           "seconds one notebook cell may run", "sekundy, které smí běžet jedna buňka sešitu"),
    Option("notebooks", Folder(must_exist=True), None, "folder with the notebooks",
           "složka se sešity", default_text="the package's notebooks/"),
    Option("parameters", Record(tuple(Option(s.name, Record(s.options), {}, f"parameters of {s.notebook}",
                                             f"parametry sešitu {s.notebook}")
                                      for s in ALL_STRANDS.values() if s.options)), {},
           "parameters only one strand's notebook declares: {strand: {parameter: value}}",
           "parametry jen jednoho sešitu: {část: {parametr: hodnota}}"),
])
REQUIRED = ("data", "output")


def default_notebooks_dir() -> Path:
    """The toolkit's ``notebooks/`` folder (see :mod:`evaluation.resources`)."""
    return resource_dir("notebooks", "01_data_quality.ipynb")


@dataclass(frozen=True)
class RunConfig:
    """A checked run configuration. Build it with :func:`load_config` or :func:`parse_config`."""

    data_dir: Path | str  # a folder, or a database address (text)
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
    dashboard: bool = True
    workers: int | None = None
    parameters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    notebooks_dir: Path = field(default_factory=default_notebooks_dir)
    cell_timeout: float | None = None
    executor: str = "local"
    dask_scheduler: str | None = None
    dask_workers: int | None = None
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
    context = Context(Path(base_dir))
    problems = check_mapping({k: v for k, v in raw.items() if k != "parameters"},
                             RUN_OPTIONS, context, required=REQUIRED)
    values = {key: RUN_OPTIONS[key].check(raw[key], context) for key in RUN_OPTIONS
              if key in raw and key != "parameters" and not _has_problem(problems, key)}
    strands = _strands(values.get("strands", "all"))
    parameters = _parameters(raw.get("parameters", {}), strands, context, problems)
    problems += _executor_problems(values, raw)
    if values.get("period") and values["period"]["end"] < values["period"]["start"]:
        problems.append(f"period: ends ({values['period']['end']}) before it starts ({values['period']['start']})")
    if problems:
        raise ConfigError(f"{source} has {len(problems)} problem(s):\n" + "\n".join(f"  - {p}" for p in problems))
    period = values.get("period")
    municipalities = values.get("municipalities", "pooled")
    workers = values.get("workers", "auto")
    return RunConfig(
        data_dir=values["data"], output_dir=values["output"], strands=strands,
        municipalities="pooled" if municipalities in (None, "pooled") else
        municipalities if municipalities == "all" else tuple(municipalities),
        pooled=values.get("pooled", True), programme_step=values.get("programme_step"),
        period=(period["start"], period["end"]) if period else None,
        lang=values.get("lang", "cs"), disclosure_threshold=values.get("disclosure_threshold", 5),
        seed=values.get("seed", 2019), on_error=values.get("on_error", "raise"),
        report_formats=tuple(f for f in REPORT_FORMATS if f in values.get("report_formats", REPORT_FORMATS)),
        dashboard=values.get("dashboard", True),
        workers=None if workers in (None, "auto") else workers, parameters=parameters,
        notebooks_dir=values.get("notebooks") or default_notebooks_dir(),
        cell_timeout=float(values["cell_timeout"]) if values.get("cell_timeout") is not None else None,
        executor=values.get("executor", "local"), dask_scheduler=(values.get("dask") or {}).get("scheduler"),
        dask_workers=(values.get("dask") or {}).get("workers"), source=source)


def _executor_problems(values: Mapping[str, Any], raw: Mapping[str, Any]) -> list[str]:
    """``dask`` settings belong to ``executor: dask``, and name a running scheduler or a number of
    local workers, not both."""
    dask = values.get("dask")
    if "dask" in raw and raw["dask"] is not None and values.get("executor", "local") != "dask":
        return ["dask: is set but executor is 'local'; add 'executor: dask' or remove the dask settings"]
    if dask and "scheduler" in dask and "workers" in dask:
        return ["dask: gives both scheduler and workers; a running cluster (scheduler) has its own workers, "
                "so give one of them"]
    return []


def _has_problem(problems: list[str], key: str) -> bool:
    return any(p.startswith((f"{key}:", f"{key} is missing")) for p in problems)


def _strands(value: str | list[str]) -> tuple[str, ...]:
    # 'all' is the default strands; a list keeps the registry's order whatever order the file lists them in
    return tuple(STRANDS) if value == "all" else tuple(n for n in ALL_STRANDS if n in value)


def _parameters(value: Any, strands: tuple[str, ...], context: Context, problems: list[str]
                ) -> Mapping[str, Mapping[str, Any]]:
    """The strand parameters, every problem named with its dotted key (parameters.impact.event_window)."""
    if not isinstance(value, Mapping):
        problems.append(f"parameters: {value!r} is not allowed: it must be {RUN_OPTIONS['parameters'].spec.words()}")
        return MappingProxyType({})
    checked: dict[str, Mapping[str, Any]] = {}
    for strand, params in value.items():
        if strand not in ALL_STRANDS:
            problems.append(f"parameters: unknown strand {strand!r}{did_you_mean(strand, ALL_STRANDS)}; "
                            f"known strands: {', '.join(ALL_STRANDS)}")
            continue
        if strand not in strands:
            problems.append(f"parameters.{strand}: sets parameters of strand {strand!r}, which this run does "
                            "not include")
            continue
        if not isinstance(params, Mapping):
            problems.append(f"parameters.{strand}: {params!r} is not allowed: it must be a mapping of "
                            "parameter names to values")
            continue
        shared = [key for key in params if key in COMMON]
        problems += [f"parameters.{strand}.{key}: every notebook shares {key}; set it at the top level of the "
                     "configuration instead" for key in shared]
        own = {k: v for k, v in params.items() if k not in COMMON}
        options = options_by_name(ALL_STRANDS[strand].options)
        found = check_mapping(own, options, context, prefix=f"parameters.{strand}.")
        problems += found
        if not found:
            checked[strand] = MappingProxyType({key: options[key].check(v, context) for key, v in own.items()})
    return MappingProxyType(checked)


# --------------------------------------------------------------------------- documentation

def configuration_schema() -> dict[str, Any]:
    """The run configuration as JSON Schema (draft 2020-12), from the same declaration."""
    properties = {}
    for name, option in RUN_OPTIONS.items():
        entry = option.json()
        if name in REQUIRED or name == "notebooks":
            entry.pop("default", None)
        properties[name] = entry
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "evaluation run configuration",
        "description": "Configuration of `evaluation run CONFIG.yaml`. Generated from "
                       "evaluation/runner/config.py and evaluation/runner/registry.py by "
                       "notebooks/build_notebooks.py; do not edit by hand.",
        "type": "object",
        "additionalProperties": False,
        "required": list(REQUIRED),
        "properties": properties,
    }


def _config_help(option: Option) -> str:
    """An option's help as a configuration file says it (YAML writes Python's None as null)."""
    return option.help.replace("None", "null")


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _default_text(option: Option) -> str:
    if option.default_text:
        return option.default_text
    if option.name in REQUIRED:
        return "(required)"
    return f"`{yaml.safe_dump(option.default, default_flow_style=True).strip().removesuffix('...').strip()}`"


def configuration_table() -> str:
    """Markdown tables of every configuration key and strand parameter: default, rule, meaning."""
    lines = ["| key | default | allowed values | meaning |", "|---|---|---|---|"]
    for name, option in RUN_OPTIONS.items():
        rule = "see the next table" if name == "parameters" else option.spec.words()
        lines.append(f"| `{name}` | {_cell(_default_text(option))} | {_cell(rule)} | {_cell(_config_help(option))} |")
    lines += ["", "`parameters` (one mapping per strand; only the strands of the run):", "",
              "| strand | parameter | default | allowed values | meaning |", "|---|---|---|---|---|"]
    for strand in ALL_STRANDS.values():
        for option in strand.options:
            lines.append(f"| `{strand.name}` | `{option.name}` | {_cell(_default_text(option))} | "
                         f"{_cell(option.spec.words())} | {_cell(_config_help(option))} |")
    return "\n".join(lines)


def parameters_table() -> str:
    """Markdown tables of the notebook parameters (Python values, as in the parameters cell):
    those every notebook declares, then per strand."""
    def row(option: Option) -> str:
        rule = option.spec.words().replace("null (", "None (")
        return f"`{option.name}` | `{option.default!r}` | {_cell(rule)} | {_cell(option.help)} |"

    lines = ["| parameter | default | allowed values | meaning |", "|---|---|---|---|"]
    lines += [f"| {row(option)}" for option in COMMON.values()]
    lines += ["", "and, per strand:", "", "| strand | parameter | default | allowed values | meaning |",
              "|---|---|---|---|---|"]
    lines += [f"| {strand.name} | {row(option)}" for strand in ALL_STRANDS.values() for option in strand.options]
    return "\n".join(lines)


def commented_configuration(values: Mapping[str, Any]) -> str:
    """A configuration file with every key, its meaning in Czech and English as a comment, and
    ``values`` (or the default); keys at their default are written commented out."""
    lines: list[str] = []
    for name, option in RUN_OPTIONS.items():
        lines.append(f"# {option.help_cs}")
        lines.append(f"# {_config_help(option)} — {option.spec.words() if name != 'parameters' else 'see README'}")
        if name in values:
            lines.append(_yaml_line(name, values[name]))
        elif name == "parameters":
            lines.append("# parameters:")
            for strand in ALL_STRANDS.values():
                if strand.options:
                    lines.append(f"#   {strand.name}:")
                    lines += [f"#     {_yaml_line(o.name, o.default)}   # {o.help_cs}" for o in strand.options]
        else:
            lines.append("# " + _yaml_line(name, option.default))
        lines.append("")
    return "\n".join(lines)


def _yaml_line(name: str, value: Any) -> str:
    return yaml.safe_dump({name: value}, default_flow_style=True, allow_unicode=True,
                          sort_keys=False).strip().removeprefix("{").removesuffix("}")
