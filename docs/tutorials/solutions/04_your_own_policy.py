# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # Solutions to tutorial 4
#
# The tutorial's policy, and one that visits the least damaged module instead.

# %%
import dataclasses

import numpy as np
import pandas as pd

from fleet.actions import Service
from fleet.observation import Observation
from policies.base import Policy
from policies.service_on_threshold import replace_dead_modules
from runs import simulate


@dataclasses.dataclass(frozen=True)
class RepairOnSchedule(Policy):
    """Every review, send a free servicer to the module that lost the most (or, with `least`, the fewest) boards,
    among those that lost at least `min_failed`."""

    name = "repair-on-schedule"
    description = "scheduled trips to the most or least damaged module"

    review_interval_days: float = 180.0
    min_failed: int = 2
    least: bool = False

    def review(self, obs: Observation) -> list:
        actions = replace_dead_modules(obs)
        if obs.servicers_busy + obs.trips_queued >= obs.servicers:
            return actions
        ops = obs.operational()
        ops = ops[~obs.pending_trip[ops]]
        failed = obs.units_installed - obs.units_alive_of(ops)
        due = (failed >= self.min_failed) & (failed <= obs.units_per_trip)
        if not due.any():
            return actions
        ops, failed = ops[due], failed[due]
        pick = int(np.argmin(failed) if self.least else np.argmax(failed))
        actions.append(Service(modules=(int(ops[pick]),), reason=f"{failed[pick]} boards down"))
        return actions


def compare(policies: dict[str, Policy]) -> pd.DataFrame:
    rows = [{"policy": label, "availability": s["mean_availability"], "trips": s["servicing_trips"]}
            for label, policy in policies.items()
            for s in (simulate("tiny", seed=seed, policy=policy).summary for seed in range(5))]
    return pd.DataFrame(rows).groupby("policy").mean().round(3)


# %% [markdown]
# 1. and 2. `min_failed` 4, and reviews every 90 days:

# %%
print(compare({"min_failed 2": RepairOnSchedule(), "min_failed 4": RepairOnSchedule(min_failed=4),
               "every 90 days": RepairOnSchedule(review_interval_days=90.0)}))

# %% [markdown]
# 3. The least damaged module first:

# %%
print(compare({"most damaged": RepairOnSchedule(), "least damaged": RepairOnSchedule(least=True)}))
