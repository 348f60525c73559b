"""Errors that carry a user-facing message: bad input is reported, never a traceback.

Messages stay small and safe to print: a value is quoted through `shown` (at most `MAX_SHOWN`
characters, then an ellipsis and the original length), and every message is passed through
`safe_text`, which escapes control characters (terminal escape sequences, NUL, bidirectional
overrides) and clips overlong lines and messages.
"""
from __future__ import annotations

import reprlib
import sysconfig
import traceback
import unicodedata
from typing import Any

MAX_SHOWN = 200        # characters of one value quoted in a message
MAX_LINE = 1_000       # characters of one message line
MAX_PROBLEMS = 50      # problems listed by one ScenarioError; the rest are counted

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = MAX_SHOWN
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 20
_REPR.maxlevel = 4


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """`text`, or its first `limit` characters, an ellipsis and the original length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def _escape(ch: str) -> str:
    """A control character as its escape sequence (ESC as \\x1b); any other character as itself."""
    if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"):
        return ch
    return ch.encode("unicode_escape").decode("ascii")


def safe_text(text: str, max_line: int = MAX_LINE) -> str:
    """`text` with control characters escaped (newlines kept) and each line clipped to `max_line`."""
    return "\n".join(_safe_line(line, max_line) for line in text.split("\n"))


def _safe_line(line: str, limit: int) -> str:
    head = "".join(_escape(ch) for ch in line[:limit])[:limit]
    return head + (f"... ({len(line):,} characters)" if len(line) > limit else "")


def shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """A value as a message quotes it: its repr (escaped), clipped to about `limit` characters."""
    if isinstance(value, str):
        text = repr(value[:limit]) + (f"... ({len(value):,} characters)" if len(value) > limit else "")
    else:
        text = clip(_REPR.repr(value), limit)
    return safe_text(text, limit + 40)


class InputError(Exception):
    """Bad input from a user: the command exits with status 2 and prints the message.

    The message is made safe to print (see `safe_text`) when the error is raised.
    """

    def __init__(self, message: str = "", *args: Any):
        super().__init__(safe_text(str(message)), *args)


class ScenarioError(InputError):
    """A scenario (or experiment) file is invalid; lists every problem at once.

    Each problem is (field path, what is wrong); the file is named once, on every line. At most
    `MAX_PROBLEMS` are listed; the message counts the others.
    """

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = safe_text(clip(str(source), MAX_SHOWN))
        self.problems = [(safe_text(clip(str(path), MAX_SHOWN)), safe_text(str(msg))) for path, msg in problems]
        lines = [f"{self.source}: {path}: {msg}" if path else f"{self.source}: {msg}"
                 for path, msg in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            lines.append(f"{self.source}: ... and {len(self.problems) - MAX_PROBLEMS:,} more problems")
        super().__init__("\n".join(lines))

    def __reduce__(self):  # pickles (to and from worker processes) with its source and problems
        return type(self), (self.source, self.problems)


class PolicyError(InputError):
    """A policy is unknown, ill-configured, or returned an action the engine refuses."""


class PolicyFailure(Exception):
    """A policy failed while the simulation ran: one of its hooks raised, or returned something the
    engine refuses. Neither bad input nor a simulator bug: the command exits with status 1 and
    prints the message, which begins `policy NAME:` and names the hook and the simulated day."""


class Interruption(BaseException):
    """Stops a run from outside, such as a time limit: passes through every handler of a policy's errors."""


_INSTALLED = tuple({sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")})


def one_line(text: str, limit: int = MAX_SHOWN) -> str:
    """`text` on one line (whitespace runs made one space), clipped to `limit` and made safe to print."""
    return safe_text(clip(" ".join(text.split()), limit))


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
