"""Errors that carry a user-facing message: bad input is reported, never a traceback."""
from __future__ import annotations

import re
import sysconfig
import traceback


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


class Interruption(BaseException):
    """Stops a run from outside, such as a time limit: passes through every handler of a policy's errors."""


MESSAGE_CHARS = 300   # at most this much of a user's own text is quoted in a message
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_INSTALLED = tuple({sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")})


def one_line(text: str, limit: int = MESSAGE_CHARS) -> str:
    """`text` on one line, control characters replaced by '?', cut to `limit` characters."""
    text = _CONTROL.sub("?", " ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_exception(exc: BaseException) -> str:
    """`Type: message (at FILE:LINE)` for an exception a user's code raised, on one line and cut short.
    The place is the innermost frame outside Python's own and installed libraries, where a user's bug
    usually is."""
    try:
        text = str(exc)
    except Exception:       # its __str__ is the user's code too
        text = "(its message cannot be shown)"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(_INSTALLED)]
    where = f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {one_line(text)}{where}"
