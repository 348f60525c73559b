"""Deploy along a schedule: modules in service by calendar year, as in a build-up to a gigawatt."""
from __future__ import annotations

import dataclasses

import numpy as np

from fleet.actions import Action, Launch
from fleet.observation import Observation
from fleet.state import Status
from fleet.tolerances import ceil_count
from policies.service_on_threshold import ServiceOnThreshold


def scheduled_modules(schedule: dict[int, int], year: float) -> int:
    """Modules the schedule asks for in calendar `year`: linear between listed years, flat outside."""
    years = sorted(schedule)
    return ceil_count(float(np.interp(year, years, [schedule[y] for y in years])))


@dataclasses.dataclass(frozen=True)
class Ramp(ServiceOnThreshold):
    """Order modules so that those in service or on the way follow `schedule`; repair at a threshold."""

    name = "ramp"
    description = "deploy modules along a schedule by year; repair a module once a fraction of its units failed"

    schedule: dict[int, int] = dataclasses.field(
        default_factory=dict, metadata={"unit": "modules by calendar year",
                                        "help": "modules in service by year, linear in between; "
                                                "empty: hold the scenario's initial fleet"})

    def __post_init__(self) -> None:
        super().__post_init__()
        if any(v < 0 for v in self.schedule.values()):
            raise ValueError("schedule: module counts must be non-negative")

    def review(self, obs: Observation) -> list[Action]:
        if not self.schedule:
            return super().review(obs)
        have = obs.count(Status.OPERATIONAL, Status.IN_TRANSIT, Status.ORDERED)
        need = scheduled_modules(self.schedule, obs.year) - have
        launch = [Launch(count=need, reason=f"schedule: {have + need} modules by {obs.year:.1f}")] if need > 0 else []
        return launch + self._dispatch(obs)
