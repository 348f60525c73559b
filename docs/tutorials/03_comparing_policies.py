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

# %%
import pandas as pd

from runs import load_scenario, simulate
from runs.plots import paired_differences, policy_means

scenario = load_scenario("tiny")
kpis = ["mean_availability", "cost_total_usd", "cost_per_pflops_day_usd"]
rows = []
for policy in ("replenish", "service-on-threshold"):
    for seed in range(10):
        s = simulate(scenario, seed=seed, policy=policy).summary
        rows.append({"policy": policy, "replication": seed, **{k: s[k] for k in kpis}})
table = pd.DataFrame(rows)
for k in kpis:
    print(k)
    print(policy_means(table, k).round(4), "\n")

# %% [markdown]
# The paired difference (service-on-threshold minus replenish, seed by seed) and its 95%
# confidence interval, against the interval we would get if the two samples were independent:

# %%
import math

from scipy import stats

k = "cost_per_pflops_day_usd"
paired = paired_differences(table, k, baseline="replenish")
a = table.loc[table.policy == "replenish", k].to_numpy()
b = table.loc[table.policy == "service-on-threshold", k].to_numpy()
unpaired = stats.t.ppf(0.975, len(a) + len(b) - 2) * math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
print(paired.round(3))
print(f"half-width if the runs were independent: {unpaired:.3f}")

# %% [markdown]
# The same table saved as `summary.parquet` in a folder is what `fleet report` turns into a page
# with each KPI per policy and the paired differences:

# %%
import tempfile
from pathlib import Path

from runs.report import write_report

folder = Path(tempfile.mkdtemp(prefix="compare-"))
table.to_parquet(folder / "summary.parquet", index=False)
page = write_report(folder)
print(page, f"{page.stat().st_size / 1e3:.0f} kB")

# %%
assert paired.loc["service-on-threshold", "n"] == 10
