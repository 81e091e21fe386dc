"""Panel preparation shared by ``twfe`` and ``event_study``: complete rows, weights,
duplicate and singleton checks, and entity/time/cluster codes.

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"u": [1, 1, 2, 2, 3], "t": [1, 2, 1, 2, 1], "y": [1.0, 2, 3, 4, 5]})
>>> panel = prepare_panel(df, outcome="y", entity="u", time="t", columns=[])
>>> panel.n_entities, panel.exclusions.total
(2, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.errors import DataError
from evaluation.impact._absorb import drop_singletons
from evaluation.impact._design import (
    Exclusions,
    complete_rows,
    group_codes,
    numeric,
    period_codes,
    require_columns,
)


@dataclass(frozen=True)
class Panel:
    frame: pd.DataFrame
    y: np.ndarray
    entity: np.ndarray  # codes 0..N-1
    time: np.ndarray  # codes 0..T-1
    period: np.ndarray  # period values (integers; months for dates)
    weights: np.ndarray | None
    clusters: np.ndarray | None
    n_clusters: int | None
    exclusions: Exclusions
    gaps: int  # entity-periods missing inside each entity's observed span

    @property
    def n_entities(self) -> int:
        return int(self.entity.max()) + 1 if self.entity.size else 0

    @property
    def n_periods(self) -> int:
        return int(self.time.max()) + 1 if self.time.size else 0


def prepare_panel(data: pd.DataFrame, *, outcome: str, entity: str, time: str, columns: Sequence[str],
                  optional: Sequence[str] = (), weights: str | None = None,
                  cluster: str | None = None) -> Panel:
    """Rows complete in every needed column (``optional`` ones may be missing), singletons removed.

    A singleton is an entity or a period with a single observation: its fixed effect
    fits it exactly, so it is excluded (and counted) as reghdfe/fixest do.
    """
    needed = [outcome, entity, time, *columns, weights, cluster]
    require_columns(data, [*needed, *optional])
    frame, excl = complete_rows(data, [c for c in dict.fromkeys(needed) if c is not None])
    if weights:
        w = numeric(frame, weights)
        if (w < 0).any():
            raise DataError(f"column {weights!r}: regression weights must not be negative")
        excl = excl.add(f"zero weight in {weights}", int((w == 0).sum()))
        frame = frame.loc[w > 0]
    duplicated = frame.duplicated([entity, time])
    if duplicated.any():
        raise DataError(f"{int(duplicated.sum())} duplicated ({entity}, {time}) pair(s): a panel needs "
                        f"one row per {entity} and {time}")
    period = period_codes(frame[time], time)
    codes = [group_codes(frame[entity])[0], group_codes(pd.Series(period))[0]]
    keep = drop_singletons(codes)
    excl = excl.add(f"singleton: the only row of its {entity} or {time}", int((~keep).sum()))
    frame, period = frame.loc[keep], period[keep]
    entity_codes = group_codes(frame[entity])[0]
    time_codes = group_codes(pd.Series(period))[0]
    spans = pd.DataFrame({"e": entity_codes, "t": time_codes}).groupby("e")["t"].agg(["min", "max", "size"])
    gaps = int((spans["max"] - spans["min"] + 1 - spans["size"]).sum())
    clusters, n_clusters = group_codes(frame[cluster]) if cluster else (None, None)
    return Panel(frame=frame, y=numeric(frame, outcome), entity=entity_codes, time=time_codes,
                 period=period, weights=numeric(frame, weights) if weights else None,
                 clusters=clusters, n_clusters=n_clusters, exclusions=excl, gaps=gaps)


def panel_notes(panel: Panel, entity: str, time: str) -> list[str]:
    balanced = len(panel.frame) == panel.n_entities * panel.n_periods
    notes = [f"{len(panel.frame)} observations, {panel.n_entities} {entity} × {panel.n_periods} {time}"
             + (" (balanced)" if balanced else " (unbalanced)")]
    if panel.gaps:
        notes.append(f"{panel.gaps} {entity}-{time} observation(s) missing inside units' observed spans "
                     "(gaps); estimates use the rows present")
    return notes
