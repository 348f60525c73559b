# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # 3. Comparing two policies with common random numbers
#
# Does repairing boards beat running modules to failure and launching new ones? One run of each
# says little: luck (which boards die, which launches fail) moves the result more than the policy.
# We run both policies on the same ten seeds. Every source of randomness has its own named stream,
# so with the same seed both policies see the same boards die and the same launches fail, as far
# as their decisions allow: common random numbers. The difference seed by seed is then mostly the
# policy's doing, and its confidence interval is narrower than for independent runs.
#
# `runs.compare` does this in one call, as `fleet compare` does on the command line: it runs every
# (policy, replication) into a results folder (here `results/compare-tiny-...`; run it again and it
# finds them done, ask for more replications and it computes only the new ones) and returns a study.

# %%
import pandas as pd

import runs

pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 12)
study = runs.compare("tiny", ["replenish", "service-on-threshold"], replications=10,
                     objective="cost_per_pflops_day_usd", backend="serial")   # default backend: a process pool
kpis = ["mean_availability", "cost_total_usd"]
print(study.summary[["policy", "replication", "cost_per_pflops_day_usd", *kpis]].head())
print(study.table(kpis)[["kpi", "policy", "n", "mean", "ci_low", "ci_high"]].round(4))

# %% [markdown]
# The paired differences (service-on-threshold minus replenish, seed by seed), with their 95%
# intervals and Holm-corrected p-values, and the verdict on the objective:

# %%
diffs = study.differences(kpis)
print(diffs[["kpi", "policy", "diff", "diff_low", "diff_high", "p_holm", "verdict"]].round(4))
print(study.verdict())

# %% [markdown]
# How much did pairing help? The half-width of the interval we would get if the two samples were
# independent (Welch's interval) against the paired one:

# %%
from runs.studies.stats import unpaired_difference

k = "cost_per_pflops_day_usd"
summary = study.summary
a = summary.loc[summary.policy == "replenish", k].to_numpy()
b = summary.loc[summary.policy == "service-on-threshold", k].to_numpy()
paired = diffs.set_index("kpi").loc[k]
print(f"paired half-width: {(paired.diff_high - paired.diff_low) / 2:.3f}")
print(f"half-width if the runs were independent: {unpaired_difference(b, a).half_width:.3f}")

# %% [markdown]
# `study.report(folder)` writes a page with the verdict, each KPI per policy and the paired
# differences (`fleet compare ... --report` and `fleet report FOLDER` write the same page):

# %%
page = study.report(study.folder)
print(page, f"{page.stat().st_size / 1e3:.0f} kB")

# %% [markdown]
# ## Exercises
#
# 1. Ask for 20 replications instead of 10 (`runs.compare` computes only the new ten). By how much
#    does the paired interval of the cost per PFLOPS-day shrink? (Theory says by about 1/sqrt(2).)
# 2. Add a third policy, `opportunistic-service`, and read the verdict against `replenish`.
# 3. Compare the two policies on *different* seeds (replications 0-9 for one, 10-19 for the
#    other) with `unpaired_difference`: how wide is the interval without common random numbers?
#
# Solutions: `solutions/03_comparing_policies.py`.
