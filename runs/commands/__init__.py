"""Subcommands of `fleet`; each module has `add_parser(subparsers)` and sets `func` on its parser.

Importing these modules must stay cheap (no pandas, scipy, matplotlib, dask): each imports what its
command needs inside its `main`, so that `fleet --help` starts fast (tests/test_manners.py checks it).
"""
from runs.commands import (compare, optimise, parity, policies, report, robust, run, scenarios, schema, sensitivity, sweep,
                           trace, validate, watch)

COMMANDS = (run, compare, sweep, optimise, robust, sensitivity, report, trace, parity, scenarios, schema, policies,
            validate, watch)
