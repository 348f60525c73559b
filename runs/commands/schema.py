"""`fleet schema`: print the scenario reference (Markdown), generated from the schema."""
from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    p = sub.add_parser("schema", help="print the scenario reference (Markdown) generated from the schema",
                       description="Print every scenario field with its type, default, constraints and "
                                   "description, as Markdown (docs/scenario-reference.md is this output).")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from runs.look.schema_doc import reference   # pydantic loads only when the command runs

    print(reference(), end="")
    return 0
