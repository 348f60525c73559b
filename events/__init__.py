"""Time flowing: the SimPy processes, the event log, and the engine that runs one replication."""

# The simulated model's version: bumped whenever the same scenario, policy and seed can give other
# KPIs (what is counted, or how). Manifests record it; a study folder never mixes two versions.
# 2: delivered compute is min(capacity, demand) whose results reached the ground (issue 12, point 2).
# 3: eclipse from the orbits' geometry by blocks of days (issue 15, point 2); batteries or throttling.
MODEL_VERSION = 3
