# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # Solutions to tutorial 2
#
# The scenario of the tutorial: `tiny` with boards failing at 20% a year, and a helper that averages
# five seeds for one threshold.

# %%
# %matplotlib inline
import pandas as pd

from fleet.scenario import parse_scenario
from policies.service_on_threshold import ServiceOnThreshold
from runs import load_scenario, plots, simulate


def scenario_with(**servicing) -> object:
    data = load_scenario("tiny").model_dump(mode="json")
    data["failures"]["unit"]["rate_per_year"] = 0.2
    data["servicing"].update(servicing)
    return parse_scenario(data, f"tiny, boards failing at 20% per year, {servicing or 'shipped servicing'}")


def means(scenario, thresholds) -> pd.DataFrame:
    rows = []
    for threshold in thresholds:
        for seed in range(5):
            s = simulate(scenario, seed=seed, policy=ServiceOnThreshold(threshold_fraction=threshold)).summary
            rows.append({"threshold": threshold, "availability": s["mean_availability"], "trips": s["servicing_trips"]})
    return pd.DataFrame(rows).groupby("threshold").mean()


# %% [markdown]
# 1. At 0.75 a module flies with a quarter of its boards before it is repaired: fewer trips, lower
#    availability.

# %%
print(means(scenario_with(), (0.25, 0.75)).round(3))

# %% [markdown]
# 2. Two servicers at threshold 0.1:

# %%
two = scenario_with(servicers=2)
result = simulate(two, seed=0, policy=ServiceOnThreshold(threshold_fraction=0.1))
plots.servicers(result.timeline, two.servicing.servicers)

# %% [markdown]
# 3. Trips of 90 days:

# %%
print(means(scenario_with(trip_days=90.0), (0.1, 0.25, 0.5)).round(3))
