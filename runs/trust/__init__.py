"""Trust: why the numbers can be believed. Validation cases against closed forms (validate,
theory) and the policy conformance kit.

Imports the API files at the top of `runs/`, the studies room and this room.
"""
