# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # Solutions to tutorial 3

# %%
import runs
from runs.studies.stats import unpaired_difference

k = "cost_per_pflops_day_usd"


def half_width(study, policy="service-on-threshold") -> float:
    d = study.differences([k]).set_index("policy").loc[policy]
    return (d.diff_high - d.diff_low) / 2


# %% [markdown]
# 1. Ten more replications (the first ten are found done in the results folder):

# %%
ten = runs.compare("tiny", ["replenish", "service-on-threshold"], replications=10, objective=k, backend="serial")
twenty = runs.compare("tiny", ["replenish", "service-on-threshold"], replications=20, objective=k, backend="serial")
print(f"half-width with 10: {half_width(ten):.3f}, with 20: {half_width(twenty):.3f}, "
      f"ratio {half_width(twenty) / half_width(ten):.2f} (about 0.71 expected)")

# %% [markdown]
# 2. A third policy:

# %%
three = runs.compare("tiny", ["replenish", "service-on-threshold", "opportunistic-service"], replications=10,
                     objective=k, backend="serial")
print(three.verdict())

# %% [markdown]
# 3. Without common random numbers: each policy on its own seeds.

# %%
summary = twenty.summary
a = summary.loc[(summary.policy == "replenish") & (summary.replication < 10), k].to_numpy()
b = summary.loc[(summary.policy == "service-on-threshold") & (summary.replication >= 10), k].to_numpy()
print(f"unpaired half-width on different seeds: {unpaired_difference(b, a).half_width:.3f}; "
      f"paired on the same seeds: {half_width(ten):.3f}")
