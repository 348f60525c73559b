"""`fleet policies`: what can be plugged in, with parameters, defaults and units."""
from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policies.base import Policy


def _plugins_help() -> str:
    """Where installed plug-ins register (imports the registry, so only for --help)."""
    from policies.registry import ENTRY_POINT_GROUP

    return f"Installed plug-ins register in the entry-point group {ENTRY_POINT_GROUP}."


def add_parser(sub) -> None:
    p = sub.add_parser("policies", help="list the policies that can be plugged in, with their parameters",
                       description="List the library's policies and installed plug-ins, each with its parameters, defaults and units. "
                                   "A user's own class is named as path/to/file.py:Class or package.module:Class.")
    p.add_argument("name", nargs="?", help="show only this policy (a name, name-vN, or file.py:Class)")
    p.more_help = _plugins_help
    p.set_defaults(func=main)


def describe(cls: type[Policy]) -> str:
    """The policy's versioned name, its one-line description, and a line per parameter."""
    lines = [f"{cls.name}-v{cls.version}  {cls.description or (cls.__doc__ or '').strip().splitlines()[0]}"]
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else "(required)")
        unit = f.metadata.get("unit", "")
        text = f.metadata.get("help", "")
        lines.append(f"    {f.name} = {default!r}" + (f"  [{unit}]" if unit else "") + (f"  {text}" if text else ""))
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    from policies.registry import available, policy_class

    classes = [policy_class(args.name)] if args.name else list(available().values())
    print("\n\n".join(describe(cls) for cls in classes))
    if not args.name:
        print("\nName one in a scenario (policy: {name: ..., params: {...}}) or with `fleet run --policy`;"
              "\na user's own class as path/to/file.py:Class or package.module:Class.")
    return 0
