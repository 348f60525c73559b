"""The `fleet` command: one entry point, one module per subcommand under `runs/commands/`.

Exit status: 0 success, 2 bad input (one clear message, no traceback), 1 a user's policy failed (one
message beginning `policy NAME:`, no traceback) or an internal error (with its traceback).
"""
from __future__ import annotations

import argparse
import sys
import traceback

from fleet.errors import InputError, PolicyFailure
from runs.commands import COMMANDS


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors are bad input too
        self.print_usage(sys.stderr)
        print(f"fleet: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fleet", description="Simulate the operations of data centers in orbit.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for module in COMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"fleet: {exc}", file=sys.stderr)
        return 2
    except PolicyFailure as exc:  # the user's policy failed, not the simulator
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("fleet: interrupted", file=sys.stderr)
        return 130
    except Exception:  # an internal error: say so, with the traceback for a bug report
        traceback.print_exc()
        print("fleet: internal error (the traceback above is a bug; please report it)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
