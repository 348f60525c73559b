# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # 2. Failures, servicing and availability
#
# Boards fail; a servicer can replace them, but a trip takes weeks and costs millions. How early
# should the policy call it? `service-on-threshold` sends a servicer once a module has lost a given
# fraction of its boards. We try three thresholds on the same five seeds of `tiny`, with boards
# failing three times as often as in the shipped scenario, and look at availability (capacity in
# service over the target, averaged over time), trips and cost.

# %%
# %matplotlib inline
import pandas as pd

from fleet.scenario import parse_scenario
from policies.service_on_threshold import ServiceOnThreshold
from runs import load_scenario, simulate

data = load_scenario("tiny").model_dump(mode="json")
data["failures"]["unit"]["rate_per_year"] = 0.2
scenario = parse_scenario(data, "tiny, boards failing at 20% per year")

rows = []
for threshold in (0.1, 0.25, 0.5):
    policy = ServiceOnThreshold(threshold_fraction=threshold)
    for seed in range(5):
        s = simulate(scenario, seed=seed, policy=policy).summary
        rows.append({"threshold": threshold, "seed": seed, "availability": s["mean_availability"],
                     "trips": s["servicing_trips"], "boards replaced": s["units_replaced"],
                     "cost, $M": s["cost_total_usd"] / 1e6})
table = pd.DataFrame(rows)
means = table.groupby("threshold")[["availability", "trips", "boards replaced", "cost, $M"]].mean()
print(means.round(3))

# %% [markdown]
# A low threshold keeps modules nearly whole but flies many small trips; a high one flies few
# trips and lets capacity sag in between. The plots of one run show where the time goes: failures
# per year, and how busy the single servicer is (trips wait in a queue when it is out).

# %%
from runs import plots

result = simulate(scenario, seed=0, policy=ServiceOnThreshold(threshold_fraction=0.25))
plots.failures(result.events)

# %%
plots.servicers(result.timeline, scenario.servicing.servicers)

# %% [markdown]
# ## Exercises
#
# 1. Add a threshold of 0.75 to the loop. What happens to availability and to the number of trips?
# 2. Give the fleet a second servicer (`servicing.servicers`) at threshold 0.1 and draw the servicer
#    plot again: how busy are the two?
# 3. Make each trip take 90 days instead of the shipped time (`servicing.trip_days`). Which
#    threshold gives the best availability now?
#
# Solutions: `solutions/02_failures_and_servicing.py`.
