"""The Python API: load a scenario, simulate one replication, save its results."""
from __future__ import annotations

import functools
import os
import platform
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from events import MODEL_VERSION
from events.engine import run_replication
from events.log import EventLog
from events.review import MIN_REVIEW_INTERVAL_DAYS
from fleet.errors import InputError, PolicyError, ScenarioError, shown
from fleet.scenario import Scenario, parse_scenario
from fleet.yamlio import dump_yaml, load_yaml_file
from policies.base import Policy, plain_params
from policies.registry import make_policy, policy_class
from runs.atomic import text
from runs.folders import Layout, save_result
from runs.jsonio import canonical_hash, strict_json

SCENARIO_DIR = Path(__file__).parent / "scenarios"
EXPERIMENT_DIR = Path(__file__).parent / "experiments"
DEPENDENCIES = ("simpy", "numpy", "pandas", "pydantic", "pyyaml", "pyarrow")
RUN_LAYOUT = Layout("run", "run", "fleet run", frozenset({"events.parquet", "timeline.parquet", "summary.json",
                                                   "scenario.yaml", "manifest.json", "report.html"}))


def shipped_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package."""
    return _shipped(SCENARIO_DIR)


def shipped_experiments() -> list[str]:
    """Names of the experiments shipped with the package."""
    return _shipped(EXPERIMENT_DIR)


def _shipped(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.yaml"))


def scenario_path(name_or_path: str | os.PathLike) -> Path:
    """The file for a shipped scenario's name or a path."""
    return _resolve(name_or_path, SCENARIO_DIR, "scenario")


def experiment_path(name_or_path: str | os.PathLike) -> Path:
    """The file for a shipped experiment's name (e.g. servicers-sweep) or a path."""
    return _resolve(name_or_path, EXPERIMENT_DIR, "experiment")


def _resolve(name_or_path: str | os.PathLike, folder: Path, kind: str) -> Path:
    """A path as given (it looks like one or exists), else `folder/NAME.yaml`; InputError if neither."""
    text = str(name_or_path)
    if not text.strip():
        raise InputError(f"{kind}: an empty name; give a shipped {kind}'s name or a path to a .yaml file")
    path = Path(text)
    if path.suffix in (".yaml", ".yml") or os.sep in text or "/" in text or path.exists():
        return path
    shipped = folder / f"{text}.yaml"
    if shipped.exists():
        return shipped
    raise ScenarioError(text, [("", f"no such {kind}; shipped {kind}s are {', '.join(_shipped(folder))}, "
                                    "or give a path to a .yaml file")])


def load_scenario(name_or_path: str | os.PathLike, **overrides: Any) -> Scenario:
    """Read and validate a scenario by shipped name or path; `overrides` replace top-level fields.

    Raises ScenarioError naming the file, each bad field and what is wrong.
    """
    path = scenario_path(name_or_path)
    data = load_yaml_file(path)
    if overrides and isinstance(data, dict):
        data = {**data, **overrides}
    scenario = parse_scenario(data, str(path))
    check_scenario_policy(scenario, str(path))
    return scenario


def check_scenario_policy(scenario: Scenario, source: str) -> None:
    """Refuse a scenario whose policy is unknown or ill-configured, naming the file and field."""
    try:
        policy_class(scenario.policy.name)
    except PolicyError as exc:
        raise ScenarioError(source, [("policy.name", str(exc))]) from None
    try:
        policy = make_policy(scenario.policy.name, scenario.policy.params)
    except PolicyError as exc:
        raise ScenarioError(source, [("policy.params", str(exc))]) from None
    problem = review_interval_problem(policy)
    if problem:
        raise ScenarioError(source, [("policy.params.review_interval_days", problem)])


def review_interval_problem(policy: Policy) -> str | None:
    """What is wrong with the policy's review interval (days), which the engine would refuse at the
    start of a run; None if nothing is."""
    interval = getattr(policy, "review_interval_days", None)
    if isinstance(interval, bool) or not isinstance(interval, (int, float)):
        return f"must be a number of days (got {shown(interval)})"
    if not interval >= MIN_REVIEW_INTERVAL_DAYS:
        return f"must be at least {MIN_REVIEW_INTERVAL_DAYS} days (got {interval:g})"
    return None


def with_changes(scenario: Scenario, **changes: Any) -> Scenario:
    """A validated copy of `scenario` with top-level fields replaced."""
    return parse_scenario({**scenario.model_dump(), **changes}, f"scenario {scenario.name}")


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON."""
    return canonical_hash(scenario.model_dump(mode="json"))


def resolve_policy(scenario: Scenario, policy: Policy | str | None) -> Policy:
    """The scenario's policy, a named one (with the scenario's parameters if the name matches), or `policy`."""
    if isinstance(policy, Policy):
        return policy
    if policy is None or policy == scenario.policy.name:
        return make_policy(scenario.policy.name, scenario.policy.params)
    return make_policy(policy)


@dataclass
class Result:
    """One replication's outputs."""

    scenario: Scenario
    policy: Policy
    seed: int
    log: EventLog
    timeline: pd.DataFrame
    summary: dict
    manifest: dict = field(default_factory=dict)

    @cached_property
    def events(self) -> pd.DataFrame:
        """One row per event, in time order (made from the log when first read)."""
        return self.log.frame()

    def save(self, directory: str | os.PathLike, force: bool = False) -> Path:
        """Write events.parquet, timeline.parquet, summary.json, scenario.yaml and manifest.json.

        `directory` must be new, empty, or (with `force`) a previous run's folder, whose files are then
        replaced; anything else raises InputError. Every file is staged before any is renamed into
        place (the manifest last), so a failed save leaves the folder as it was.
        """
        return save_result(directory, RUN_LAYOUT, {
            "events.parquet": lambda f: self.events.to_parquet(f, index=False),
            "timeline.parquet": lambda f: self.timeline.to_parquet(f, index=False),
            "summary.json": text(strict_json(self.summary, indent=2) + "\n"),
            "scenario.yaml": text(dump_yaml(self.scenario.model_dump())),
            "manifest.json": text(strict_json({**self.manifest, "kind": RUN_LAYOUT.kind}, indent=2) + "\n"),
        }, force)


def simulate(scenario: Scenario | str, seed: int = 0, policy: Policy | str | None = None,
             years: float | None = None) -> Result:
    """Run one replication of `scenario` (a Scenario, shipped name or path) under its policy or `policy`."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if years is not None:
        scenario = with_changes(scenario, horizon_years=years)
    chosen = resolve_policy(scenario, policy)
    out = run_replication(scenario, chosen, int(seed))
    return Result(scenario=scenario, policy=chosen, seed=int(seed), log=out.log, timeline=out.timeline,
                  summary=out.summary, manifest=manifest(scenario, chosen, int(seed)))


def manifest(scenario: Scenario, policy: Policy, seed: int) -> dict:
    """What is needed to replay a replication: seed, scenario hash, policy and versions."""
    return {
        "seed": seed,
        "model_version": MODEL_VERSION,
        "scenario": scenario.name,
        "scenario_sha256": scenario_hash(scenario),
        "policy": policy.label,
        "policy_class": f"{type(policy).__module__}:{type(policy).__qualname__}",
        "policy_params": plain_params(policy),
        "package_version": _version("orbital-fleet"),
        "python": platform.python_version(),
        "dependencies": {d: _version(d) for d in DEPENDENCIES},
    }


@functools.lru_cache(maxsize=None)
def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"
