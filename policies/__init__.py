"""Decisions: the Policy interface, the registry and the library of policies.

A policy sees an `Observation` and returns `Action`s; it never touches the simulation.
"""
from policies.base import Policy
from policies.registry import available, make_policy, policy_class

__all__ = ["Policy", "available", "make_policy", "policy_class"]
