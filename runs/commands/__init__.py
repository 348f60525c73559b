"""Subcommands of `fleet`; each module has `add_parser(subparsers)` and sets `func` on its parser."""
from runs.commands import run, validate

COMMANDS = (run, validate)
