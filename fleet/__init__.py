"""The world at rest: scenario schema, hardware, fleet state, random streams, observations, actions.

Nothing here runs a clock: no SimPy, no pandas.
"""
