"""The pilot plan as configuration: what each staircase step was meant to deliver.

The default is the Ostrava pilot described in the project brief (seed 003): crisis housing
30 units, 3 cohorts of 10 households placed over 2 years, 6 months of intensive support;
social housing 50 units / 50 households / 20 months of support; affordable housing 50 / 50 /
20 months. The brief gives no planned *intensity* of support, so the contacts and hours per
household-month below are documented assumptions (change them in a YAML/JSON file):

* crisis housing, intensive work: 8 contacts and 8 hours a month (about two one-hour
  visits a week);
* social housing: 4 contacts and 4 hours a month (a weekly visit);
* affordable housing: 2 contacts and 2 hours a month (a visit every fortnight).

Example
-------
>>> plan = PilotPlan.ostrava()
>>> plan.step("crisis").units, plan.step("crisis").cohorts, plan.step("crisis").support_months
(30, 3, 6)
>>> plan.step("social").planned_hours_per_month
4.0
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.errors import ConfigError

STEPS = ("crisis", "social", "affordable", "housing_first", "standard")


@dataclass(frozen=True)
class PlanStep:
    """Plan for one step of the staircase (or for Housing First)."""

    step: str
    units: int
    households: int
    support_months: float
    cohorts: int | None = None
    placement_months: float | None = None  # period over which households are placed
    planned_contacts_per_month: float | None = None
    planned_hours_per_month: float | None = None
    support_label: str = ""

    def __post_init__(self) -> None:
        if self.step not in STEPS:
            raise ConfigError(f"pilot plan: unknown step {self.step!r}; expected one of {', '.join(STEPS)}")
        for name in ("units", "households", "support_months", "cohorts", "placement_months",
                     "planned_contacts_per_month", "planned_hours_per_month"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, (int, float)) or value < 0):
                raise ConfigError(f"pilot plan, step {self.step!r}: {name} must be a non-negative "
                                  f"number, got {value!r}")


@dataclass(frozen=True)
class PilotPlan:
    """The planned pilot: one :class:`PlanStep` per step, for one municipality."""

    steps: tuple[PlanStep, ...]
    municipality: str | None = None
    name: str = ""
    assumptions: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        names = [s.step for s in self.steps]
        if not names:
            raise ConfigError("pilot plan: at least one step is needed")
        if len(set(names)) != len(names):
            raise ConfigError(f"pilot plan: a step is listed twice ({', '.join(names)})")

    def step(self, name: str) -> PlanStep:
        for s in self.steps:
            if s.step == name:
                return s
        raise ConfigError(f"the pilot plan has no step {name!r} (steps: {', '.join(self.step_names)})")

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(s.step for s in self.steps)

    def support_months(self) -> dict[str, float]:
        return {s.step: float(s.support_months) for s in self.steps}

    def to_frame(self) -> pd.DataFrame:
        """One row per step with every planned figure."""
        return pd.DataFrame([asdict(s) for s in self.steps])

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "municipality": self.municipality,
                "assumptions": list(self.assumptions), "steps": [asdict(s) for s in self.steps]}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> PilotPlan:
        if not isinstance(raw, Mapping) or "steps" not in raw:
            raise ConfigError("pilot plan: expected a mapping with a 'steps' list")
        allowed = {f.name for f in fields(PlanStep)}
        steps = []
        for i, entry in enumerate(raw["steps"]):
            unknown = set(entry) - allowed
            if unknown:
                raise ConfigError(f"pilot plan, step {i + 1}: unknown key(s) {', '.join(sorted(unknown))}; "
                                  f"allowed: {', '.join(sorted(allowed))}")
            try:
                steps.append(PlanStep(**entry))
            except TypeError as exc:
                raise ConfigError(f"pilot plan, step {i + 1}: {exc}") from exc
        return cls(steps=tuple(steps), municipality=raw.get("municipality"), name=raw.get("name", ""),
                   assumptions=tuple(raw.get("assumptions", ())))

    @classmethod
    def from_file(cls, path: str | Path) -> PilotPlan:
        """Read a plan from YAML (``.yaml``/``.yml``) or JSON."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read the pilot plan {path}: {exc}") from exc
        try:
            if path.suffix.lower() in (".yaml", ".yml"):
                import yaml

                raw = yaml.safe_load(text)
            else:
                raw = json.loads(text)
        except Exception as exc:  # yaml.YAMLError / json.JSONDecodeError
            raise ConfigError(f"the pilot plan {path} is not valid {path.suffix.lstrip('.')}: {exc}") from exc
        return cls.from_dict(raw)

    @classmethod
    def ostrava(cls) -> PilotPlan:
        """The Ostrava staircase pilot of the brief (seed 003) with the documented intensity assumptions."""
        return cls(
            name="Ostrava staircase pilot", municipality="Ostrava",
            steps=(
                PlanStep("crisis", units=30, households=30, cohorts=3, placement_months=24,
                         support_months=6, planned_contacts_per_month=8.0, planned_hours_per_month=8.0,
                         support_label="intensive social work"),
                PlanStep("social", units=50, households=50, support_months=20,
                         planned_contacts_per_month=4.0, planned_hours_per_month=4.0),
                PlanStep("affordable", units=50, households=50, support_months=20,
                         planned_contacts_per_month=2.0, planned_hours_per_month=2.0),
            ),
            assumptions=(
                "Units, households, cohorts and months of support are from the pilot design (seed 003).",
                "Planned contacts and hours per household-month are assumptions: crisis 8/8, "
                "social 4/4, affordable 2/2.",
            ),
        )
