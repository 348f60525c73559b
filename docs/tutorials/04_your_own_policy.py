# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # 4. Writing a policy of your own
#
# A policy is a small frozen dataclass: its fields are its parameters, and its hooks look at an
# `Observation` (a read-only view of the fleet) and return actions (`Launch`, `Service`,
# `Deorbit`). It never changes the simulation itself; the engine checks every action and refuses
# impossible ones with a message naming the policy.
#
# Ours sends the servicer on a fixed schedule: at each review, if the servicer is free, it visits
# the module that has lost the most boards, provided it lost at least `min_failed`. It also
# replaces modules that died, like the library's policies.

# %%
import dataclasses

import numpy as np

from fleet.actions import Service
from fleet.observation import Observation
from policies.base import Policy
from policies.service_on_threshold import replace_dead_modules


@dataclasses.dataclass(frozen=True)
class RepairWorstOnSchedule(Policy):
    """Every review, send a free servicer to the module that lost the most boards."""

    name = "repair-worst-on-schedule"
    description = "scheduled trips to the most damaged module"

    review_interval_days: float = 180.0
    min_failed: int = dataclasses.field(default=2, metadata={"unit": "units", "help": "boards lost before a visit"})

    def review(self, obs: Observation) -> list:
        actions = replace_dead_modules(obs)
        if obs.servicers_busy + obs.trips_queued >= obs.servicers:
            return actions
        ops = obs.operational()
        ops = ops[~obs.pending_trip[ops]]
        if len(ops) == 0:
            return actions
        failed = obs.units_installed - obs.units_alive_of(ops)
        worst = int(np.argmax(failed))
        if failed[worst] >= self.min_failed and failed[worst] <= obs.units_per_trip:
            actions.append(Service(modules=(int(ops[worst]),), reason=f"{failed[worst]} boards down, the most"))
        return actions


# %% [markdown]
# Run it on `tiny` and read the first lines of its trace: the `policy` lines carry our reason.
# (Saved in a file, say `my_policy.py`, the same class runs from the command line with
# `--policy my_policy.py:RepairWorstOnSchedule`.)

# %%
from runs import simulate
from runs.look.trace import narrative

result = simulate("tiny", seed=1, policy=RepairWorstOnSchedule(min_failed=2))
lines = [line for line in narrative(result).splitlines() if " ground " not in line]
print("\n".join(lines[:30]))

# %% [markdown]
# Compared on the same seeds with the library's `service-on-threshold`:

# %%
import pandas as pd

rows = []
for label, policy in (("ours", RepairWorstOnSchedule()), ("service-on-threshold", "service-on-threshold")):
    for seed in range(5):
        s = simulate("tiny", seed=seed, policy=policy).summary
        rows.append({"policy": label, "availability": s["mean_availability"], "trips": s["servicing_trips"],
                     "cost, $M": s["cost_total_usd"] / 1e6})
print(pd.DataFrame(rows).groupby("policy").mean().round(3))

# %% [markdown]
# ## Exercises
#
# 1. Raise `min_failed` to 4: fewer trips, lower availability? Compare on the same five seeds.
# 2. Review every 90 days instead of 180 (`review_interval_days`).
# 3. Write a policy that visits the *least* damaged module with at least `min_failed` boards down,
#    and compare it with `RepairWorstOnSchedule`.
#
# Solutions: `solutions/04_your_own_policy.py`.
