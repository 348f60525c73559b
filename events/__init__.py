"""Time flowing: the SimPy processes, the event log, and the engine that runs one replication."""
