# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # 1. A first fleet and its trace
#
# The shipped `tiny` scenario is four satellite modules of 16 accelerator boards each, in one
# cluster, with one servicing vehicle, over five years. We simulate it once and read what happened,
# line by line. Everything is seeded: the same seed gives the same story.

# %%
# %matplotlib inline
from runs import load_scenario, simulate
from runs.look.trace import narrative

scenario = load_scenario("tiny")
print(scenario.description)
print(f"{scenario.fleet.module.units} boards per module, boards fail at "
      f"{scenario.failures.unit.rate_per_year:.1%} per year, servicer trips take {scenario.servicing.trip_days:g} days")

# %%
result = simulate(scenario, seed=1)
story = narrative(result)
print(story)

# %% [markdown]
# Each line gives the date, the day since the start, who is concerned and what happened. Read it:
#
# - the initial deployment orders four modules; the launch names that decision as its cause;
# - a module is commissioned a month after launch, then its boards start failing one by one;
# - when a module has lost 20% of its boards (4 of 16), the policy `service-on-threshold` sends
#   the servicer: the `policy` line gives its reason, the `servicer` line the trip, and the module
#   line half a trip later the boards it replaced;
# - ground lines fold the weather: clouds over the ground stations delay results but lose none
#   unless a module's buffer fills up.
#
# The same events are a table (one row per event) and the fleet's state over time another:

# %%
events = result.events
story_rows = events[~events.kind.isin(["ground_outage", "ground_restored"])]
print(story_rows[["time_days", "kind", "module", "count", "detail"]].head(12).to_string(index=False))
print(result.timeline[["time_years", "modules_operational", "units_alive", "capacity_pflops"]].tail(3))

# %% [markdown]
# The key figures of the run, and a plot of capacity against demand (users want the scenario's
# 64 kW in the newest hardware, so more PFLOPS once a better generation appears):

# %%
from runs import plots
from runs.look.table import summary_table

print(summary_table(result.summary, ["delivered_pflops_days", "mean_availability", "unit_failures",
                                     "servicing_trips", "cost_total_usd"]))
fig = plots.capacity(result.timeline)
fig

# %% [markdown]
# ## Watch it
#
# The same replication can be played in a browser: modules coloured by the share of their boards
# alive, the servicer flying out and back, launches climbing, ground stations clouding over, and a
# strip of running figures. Click a module to read its history from the event log. From a terminal,
# `fleet watch tiny --seed 1 --out tiny.html`; from here:

# %%
from pathlib import Path

from runs.look.watch import write_watch

Path("results").mkdir(exist_ok=True)
print(write_watch(result, "results/tiny-seed1-watch.html"), "(open it in a browser)")

# %% [markdown]
# ![The watch page of tiny](../watch.png)
#
# ## Exercises
#
# 1. Simulate seed 2 instead of 1. On which day does the first board fail, and how many servicer
#    trips are flown in the five years?
# 2. Print only the story of module 2 (`narrative` takes `module=`). How many of its boards were
#    replaced?
# 3. Make boards fail twice as often (`failures.unit.rate_per_year`, through `model_dump` and
#    `parse_scenario` as in tutorial 2) and compare the number of trips with the shipped `tiny`.
#
# Solutions: `solutions/01_first_fleet.py` (beside this file).
