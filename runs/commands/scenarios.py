"""`fleet scenarios`: the shipped scenarios and experiments, each with its description."""
from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("scenarios", help="list the shipped scenarios and experiments with their descriptions",
                       description="List the scenarios (for run, compare, trace, parity) and the experiments "
                                   "(for sweep) shipped with the package; each can be named instead of a path.")
    p.set_defaults(func=main)


def description(path: Path) -> str:
    """The file's `description` field, else its first comment line without the leading `NAME:`."""
    from fleet.yamlio import load_yaml_file

    data = load_yaml_file(path)
    if isinstance(data, dict) and isinstance(data.get("description"), str) and data["description"].strip():
        return " ".join(data["description"].split())
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            text = line.lstrip("#").strip()
            return text.removeprefix(f"{path.stem}:").strip()
    return ""


def listing(title: str, paths: list[Path]) -> str:
    """A titled block: one line per file, its name padded, then its description."""
    width = max((len(p.stem) for p in paths), default=0)
    return "\n".join([title, *(f"  {p.stem:<{width}}  {description(p)}" for p in paths)])


def main(args: argparse.Namespace) -> int:
    from runs.api import EXPERIMENT_DIR, SCENARIO_DIR

    print(listing("scenarios (fleet run NAME, compare, trace, parity):", sorted(SCENARIO_DIR.glob("*.yaml"))))
    print()
    print(listing("experiments (fleet sweep, optimise, robust or sensitivity NAME, as the file says):",
                  sorted(EXPERIMENT_DIR.glob("*.yaml"))))
    return 0
