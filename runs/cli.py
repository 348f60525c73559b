"""The `fleet` command: one entry point, one module per subcommand under `runs/commands/`.

Exit status: 0 success, 2 bad input (one clear message, no traceback), 1 internal error.
"""
from __future__ import annotations

import argparse
import sys
import traceback
from importlib import metadata
from typing import Callable

from fleet.errors import InputError
from runs.commands import COMMANDS


class _Parser(argparse.ArgumentParser):
    more_help: Callable[[], str] | None = None   # the description's costly tail, computed only for --help

    def format_help(self) -> str:
        if self.more_help is not None:
            self.description, self.more_help = f"{self.description} {self.more_help()}", None
        return super().format_help()

    def error(self, message: str) -> None:  # argparse's own errors are bad input too
        self.print_usage(sys.stderr)
        print(f"fleet: {message}", file=sys.stderr)
        raise SystemExit(2)


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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"fleet: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("fleet: interrupted", file=sys.stderr)
        return 130
    except Exception:  # an internal error: say so, with the traceback for a bug report
        traceback.print_exc()
        print("fleet: internal error (the traceback above is a bug; please report it)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
