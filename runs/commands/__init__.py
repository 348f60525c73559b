"""Subcommands of `fleet`; each module has `add_parser(subparsers)` and sets `func` on its parser."""
from runs.commands import compare, parity, policies, run, sweep

COMMANDS = (run, compare, sweep, parity, policies)
