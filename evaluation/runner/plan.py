"""Turn a run configuration into the list of notebook executions (strand x scope).

A *scope* is ``"pooled"`` (all municipalities together) or one municipality. Each
scope has its own results folder and folder of executed notebooks under the output
folder, named by :func:`scope_slug`:

    <output>/notebooks/<scope>/04_impact.ipynb     executed notebooks
    <output>/results/<scope>/<strand>/...          what the notebooks store (evaluation.reporting.store)
    <output>/reports/                              pooled reports, and <output>/reports/<scope>/ briefs

The pooled scope's folder is ``all``, as in the results store.

Example
-------
>>> scope_slug("Jindřichův Hradec"), scope_slug("Praha 7"), scope_slug(None)
('jindrichuv-hradec', 'praha-7', 'all')
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaluation.errors import ConfigError
from evaluation.runner.config import RunConfig
from evaluation.runner.execute import NotebookJob
from evaluation.runner.registry import ALL_STRANDS, COMMON_PARAMETERS, strand_parameters

#: How a configuration and the run summary name the run over all municipalities together.
POOLED = "pooled"


def scope_slug(municipality: str | None) -> str:
    """Folder name of a scope, the same as the results store uses (``all`` when pooled)."""
    from evaluation.reporting.store import ALL_SCOPE, slug

    return ALL_SCOPE if municipality is None else slug(municipality)


def scopes(config: RunConfig, municipalities_in_data: Sequence[str]) -> list[str | None]:
    """The municipalities to run (``None`` = pooled), pooled first.

    Raises ConfigError for a listed municipality that the data does not hold.
    """
    if config.municipalities == POOLED:
        return [None]
    if config.municipalities == "all":
        chosen = sorted(municipalities_in_data)
    else:
        known = set(municipalities_in_data)
        unknown = [m for m in config.municipalities if m not in known]
        if unknown:
            raise ConfigError(f"{config.source}: municipality(ies) {', '.join(map(repr, unknown))} are not "
                              f"pilot municipalities in the data; the pilots are: {', '.join(sorted(known))}")
        chosen = list(config.municipalities)
    slugs = [scope_slug(m) for m in chosen]
    if len(set(slugs)) < len(slugs):
        raise ConfigError(f"{config.source}: two municipalities share the folder name; rename one")
    return ([None] if config.pooled else []) + chosen


def job_parameters(config: RunConfig, strand: str, municipality: str | None) -> dict[str, Any]:
    """The parameters passed to ``strand``'s notebook for one scope: exactly those it declares."""
    overrides = dict(config.parameters.get(strand, {}))
    common = sorted(set(overrides) & set(COMMON_PARAMETERS))
    if common:
        raise ConfigError(f"{config.source}: 'parameters.{strand}' sets {', '.join(common)}, which every "
                          "notebook shares; set it at the top level of the configuration instead")
    params = strand_parameters(strand)
    params.update(overrides)
    start, end = config.period if config.period else (None, None)
    params.update(
        data_dir=str(config.data_dir),
        results_dir=str(config.output_dir / "results"),
        municipality=municipality, programme_step=config.programme_step,
        period_start=start, period_end=end, lang=config.lang,
        disclosure_threshold=config.disclosure_threshold, seed=config.seed, on_error=config.on_error)
    return params


def plan_jobs(config: RunConfig, run_scopes: Sequence[str | None]) -> list[NotebookJob]:
    """One job per scope and strand, pooled scope first, strands in notebook order."""
    jobs = []
    for municipality in run_scopes:
        slug = scope_slug(municipality)
        for strand in config.strands:
            notebook = ALL_STRANDS[strand].notebook
            jobs.append(NotebookJob(
                strand=strand, scope=municipality or POOLED,
                input_path=Path(config.notebooks_dir) / notebook,
                output_path=config.output_dir / "notebooks" / slug / notebook,
                parameters=job_parameters(config, strand, municipality)))
    return jobs
