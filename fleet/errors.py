"""Errors that carry a user-facing message: bad input is reported, never a traceback."""
from __future__ import annotations


class InputError(Exception):
    """Bad input from a user: the command exits with status 2 and prints the message."""


class ScenarioError(InputError):
    """A scenario (or experiment) file is invalid; lists every problem at once.

    Each problem is (field path, what is wrong); the file is named once, on every line.
    """

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        lines = [f"{source}: {path}: {msg}" if path else f"{source}: {msg}" for path, msg in problems]
        super().__init__("\n".join(lines))


class PolicyError(InputError):
    """A policy is unknown, ill-configured, or returned an action the engine refuses."""


class PolicyFailure(Exception):
    """A policy failed while the simulation ran: one of its hooks raised, or returned something the
    engine refuses. Neither bad input nor a simulator bug: the command exits with status 1 and
    prints the message, which begins `policy NAME:` and names the hook and the simulated day."""
