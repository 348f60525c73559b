"""Time flowing: the SimPy processes, the event log, and the engine that runs one replication."""

# The simulated model's version: bumped whenever the same scenario, policy and seed can give other
# KPIs (what is counted, or how). Manifests record it; a study folder never mixes two versions.
# 2: delivered compute is min(capacity, demand) whose results reached the ground (issue 12, point 2).
# 3: the orbits' geometry (issue 15): eclipse by blocks of days, with batteries or throttling; what
#    altitude costs (lift, disposal); servicing reach (legs by plane, propellant by the rocket equation).
MODEL_VERSION = 3
