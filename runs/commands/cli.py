"""The `fleet` command: one entry point, one module per subcommand under `runs/commands/`.

Exit status: 0 success, 2 bad input (one clear message, no traceback), 1 a user's policy failed (one
message beginning `policy NAME:`, no traceback) or an internal error (with its traceback).
"""
from __future__ import annotations

import argparse
import gc
import io
import os
import sys
import traceback
from importlib import metadata
from typing import Callable, NoReturn, TextIO

from fleet.errors import MAX_SHOWN, InputError, PolicyFailure, printable, safe_text
from runs.commands import COMMANDS


class _Parser(argparse.ArgumentParser):
    more_help: Callable[[], str] | None = None   # the description's costly tail, computed only for --help

    def format_help(self) -> str:
        if self.more_help is not None:
            self.description, self.more_help = f"{self.description} {self.more_help()}", None
        return super().format_help()

    def error(self, message: str) -> None:  # argparse's own errors are bad input too
        self.print_usage(sys.stderr)
        print(f"fleet: {safe_text(message, MAX_SHOWN + 100)}", file=sys.stderr)   # it may echo an argument
        raise SystemExit(2)


class _SafeStdout:
    """Standard output that escapes control characters (a name or path given by a user may hold
    terminal escape sequences) and that, once its reader has gone (`fleet run tiny | head -1`),
    discards what is left instead of raising BrokenPipeError, so the command still finishes its work."""

    def __init__(self, stream: TextIO):
        self._stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self._stream.write(printable(text))
            except BrokenPipeError:
                self._leave()
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._leave()

    def _leave(self) -> None:
        """Point the descriptor at /dev/null: the interpreter's last flush then has nowhere to fail."""
        self.gone = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, io.UnsupportedOperation):
            pass

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fleet", description="Simulate the operations of data centers in orbit.")
    parser.add_argument("--version", action="version", version=f"fleet {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for module in COMMANDS:
        module.add_parser(sub)
    return parser


def version() -> str:
    """The installed package's version, or "unknown" when running from an uninstalled checkout."""
    try:
        return metadata.version("orbital-fleet")
    except metadata.PackageNotFoundError:
        return "unknown"


def command(argv: list[str] | None = None) -> NoReturn:
    """The `fleet` executable (and `python -m runs`): `main`, then exit with its status.

    What the process holds is frozen (`gc.freeze`) before it exits, so that the interpreter's last
    cyclic collection skips it: with pandas and scipy loaded that collection took 0.2 s of every
    command, to free memory the process gives back whole anyway. Exit handlers still run. In-process
    callers (tests, notebooks) call `main`, which leaves the collector as it was."""
    status = main(argv)
    gc.freeze()
    sys.exit(status)


def main(argv: list[str] | None = None) -> int:
    stdout = sys.stdout
    sys.stdout = _SafeStdout(stdout)
    try:
        return _run(argv)
    finally:
        sys.stdout.flush()
        sys.stdout = stdout


def _run(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"fleet: {safe_text(str(exc))}", file=sys.stderr)
        return 2
    except PolicyFailure as exc:  # the user's policy failed, not the simulator
        print(safe_text(str(exc)), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("fleet: interrupted", file=sys.stderr)
        return 130
    except Exception:  # an internal error: say so, with the traceback for a bug report
        traceback.print_exc()
        print("fleet: internal error (the traceback above is a bug; please report it)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    command()
