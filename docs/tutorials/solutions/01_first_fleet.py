# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # Solutions to tutorial 1

# %%
from fleet.scenario import parse_scenario
from runs import load_scenario, simulate
from runs.look.trace import narrative

# %% [markdown]
# 1. Seed 2: the first board failure is the first `unit_failure` row of the event log.

# %%
result = simulate("tiny", seed=2)
events = result.events
first = events[events.kind == "unit_failure"].iloc[0]
print(f"first board failure on day {first.time_days:.0f}; trips flown: {result.summary['servicing_trips']}")

# %% [markdown]
# 2. Module 2's story, and the boards the servicer replaced on it:

# %%
print(narrative(result, module=2))
replaced = events[(events.kind == "servicing") & (events.module == 2)]["count"].sum()
print(f"boards replaced on module 2: {replaced}")

# %% [markdown]
# 3. Boards failing twice as often call the servicer more often (same seed, so the same luck as
#    far as the decisions allow):

# %%
data = load_scenario("tiny").model_dump(mode="json")
data["failures"]["unit"]["rate_per_year"] *= 2
harsh = parse_scenario(data, "tiny, boards failing twice as often")
for label, scenario in (("shipped", load_scenario("tiny")), ("twice the failures", harsh)):
    print(f"{label}: {simulate(scenario, seed=1).summary['servicing_trips']} trips")
