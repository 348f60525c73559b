"""Subcommands of `fleet`; each module has `add_parser(subparsers)` and sets `func` on its parser."""
from runs.commands import compare, parity, policies, report, run, schema, sweep, trace, validate

COMMANDS = (run, compare, sweep, report, trace, parity, schema, policies, validate)
