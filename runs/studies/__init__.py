"""Studies: plans (experiment files, work units), their execution (backends, isolation, runner,
progress), the resumable results store, statistics and parity sweeps.

Imports only the API files at the top of `runs/` (api, folders, atomic, jsonio) and this room.
"""
