"""Run to failure; launch new modules to hold capacity at demand."""
from __future__ import annotations

import dataclasses

from fleet.actions import Action, Launch
from fleet.observation import Observation
from policies.base import Policy
from policies.slots import modules_to_reach_target, renew_lead_field, retiring


def launches_to_restore(obs: Observation, trigger_fraction: float, lead_days: float = 0.0) -> list[Action]:
    """Launch enough new-generation modules to bring capacity (with the pipeline) back to demand,
    when it has fallen below `trigger_fraction` of demand; modules retiring within `lead_days`
    count as gone."""
    have = obs.capacity_pflops + obs.pipeline_pflops
    if lead_days > 0:
        have -= float(obs.module_capacity_pflops[retiring(obs, lead_days)].sum())
    if have >= trigger_fraction * obs.demand_pflops:
        return []
    return [Launch(count=modules_to_reach_target(obs, have), reason=f"capacity {have:.0f} of demand {obs.demand_pflops:.0f} PFLOPS")]


@dataclasses.dataclass(frozen=True)
class Replenish(Policy):
    """Never repair; launch new modules when capacity (with the pipeline) falls below demand."""

    name = "replenish"
    description = "run to failure; launch new modules to hold capacity at demand"

    trigger_fraction: float = dataclasses.field(
        default=0.97, metadata={"unit": "fraction of demand", "help": "launch when capacity falls below this"})
    renew_lead_days: float = renew_lead_field()

    def review(self, obs: Observation) -> list[Action]:
        return launches_to_restore(obs, self.trigger_fraction, self.renew_lead_days)

    def on_launch_failed(self, obs: Observation, modules: tuple[int, ...]) -> list[Action]:
        return launches_to_restore(obs, self.trigger_fraction, self.renew_lead_days)
