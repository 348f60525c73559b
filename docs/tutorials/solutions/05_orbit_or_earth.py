# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # Solutions to tutorial 5

# %%
from fleet.scenario import parse_scenario
from runs import load_scenario, simulate

paper = load_scenario("starcloud-40mw").model_dump(mode="json")
real = load_scenario("starcloud-40mw-realistic").model_dump(mode="json")


def ratio(data: dict, label: str, years: float | None = None) -> float:
    return simulate(parse_scenario(data, label), seed=1, years=years).summary["orbit_to_earth_cost_ratio"]


# %% [markdown]
# 1. The realistic cluster with the paper's economics (no bus price, no operations, no discounting):

# %%
print(f"ratio: {ratio({**real, 'economics': paper['economics']}, 'realistic with the paper economics'):.3f}")

# %% [markdown]
# 2. Twenty years instead of ten:

# %%
for years in (10, 20):
    print(f"{years} years: ratio {ratio(real, 'realistic', years):.3f}")

# %% [markdown]
# 3. The discount rate:

# %%
for rate in (0.12, 0.08, 0.04, 0.0):
    data = {**real, "economics": {**real["economics"], "discount_rate": rate}}
    print(f"discount rate {rate:.0%}: ratio {ratio(data, f'realistic at {rate:.0%}'):.3f}")
