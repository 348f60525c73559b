"""Look: what a person reads. Tables and formats of KPIs, the comparison text, the HTML report and
its plots, the narrated trace of one run and the scenario reference.

Imports the API files at the top of `runs/`, the studies room and this room.
"""
