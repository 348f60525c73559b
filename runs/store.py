"""The results store of a comparison or sweep: one Parquet file per work unit plus a manifest.

    DIR/manifest.json            the experiment, its SHA-256, the seeds, the versions
    DIR/units/KEY.parquet        one summary row: key, variant, policy, replication, seed, axes, KPIs
    DIR/timelines/KEY.parquet    the unit's timeline, when the experiment keeps them
    DIR/failures/KEY.json        a unit that raised: its key, the error and the traceback

Every file is written to a temporary name in its folder and renamed into place, so a killed run
leaves whole files only; a unit's summary is written last, so its presence means the unit is done.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

import pandas as pd

from fleet.errors import InputError
from runs.experiment import Plan
from runs.workunits import UnitOutcome, WorkUnit

FORMAT = 1
VERSIONED = ("orbital-fleet", "simpy", "numpy", "pandas", "scipy", "pydantic", "pyarrow", "dask", "distributed")


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in VERSIONED:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "unknown"
    return out


class Store:
    """A results folder bound to one experiment; refuses a folder that holds another one."""

    def __init__(self, directory: str | os.PathLike, plan: Plan):
        self.dir = Path(directory)
        self.plan = plan
        self.sha256 = plan.sha256()

    def check(self) -> None:
        """Raise InputError if the folder holds results of a different experiment, or other files."""
        manifest = self.dir / "manifest.json"
        if manifest.is_file():
            old = json.loads(manifest.read_text())
            if old.get("experiment_sha256") != self.sha256:
                raise InputError(
                    f"{self.dir}: holds results of a different experiment (manifest sha256 "
                    f"{str(old.get('experiment_sha256'))[:12]}, this one {self.sha256[:12]}: the experiment file, "
                    f"its options or its base scenario changed); choose another --out folder or remove this one")
        elif self.dir.exists() and any(self.dir.iterdir()):
            raise InputError(f"{self.dir}: exists and is not an experiment's results folder (no manifest.json); "
                             "choose another --out folder")

    def open(self) -> None:
        """Check the folder, then create it and its manifest if new; drop partial files a killed run left."""
        self.check()
        if (self.dir / "manifest.json").is_file():
            for sub in ("units", "timelines", "failures"):
                for stale in (self.dir / sub).glob(".*.tmp"):
                    stale.unlink(missing_ok=True)
            return
        plan = self.plan
        manifest = {
            "format": FORMAT,
            "name": plan.experiment.name,
            "source": plan.source,
            "file_sha256": file_sha256(plan.source) if Path(plan.source).is_file() else None,
            "experiment_sha256": self.sha256,
            "spec": plan.spec(),
            "base_seed": plan.experiment.seed,
            "seeds": list(plan.seeds),
            "axes": list(plan.axes),
            "policies": [p.label for p in plan.policies],
            "baseline": plan.baseline,
            "objectives": plan.objectives,
            "variant_ids": [v.id for v in plan.variants],
            "units": len(plan.variants) * len(plan.policies) * len(plan.seeds),
            "versions": _versions(),
        }
        _write_atomic(self.dir / "manifest.json",
                      lambda p: p.write_text(json.dumps(manifest, indent=2, default=str) + "\n"))

    def done_keys(self) -> set[str]:
        units = self.dir / "units"
        return {p.name.removesuffix(".parquet") for p in units.glob("*.parquet")} if units.is_dir() else set()

    def write(self, unit: WorkUnit, outcome: UnitOutcome) -> None:
        """Record a unit's outcome: its row (and timeline), or its failure."""
        if outcome.failed:
            record = {"key": unit.key, "variant": unit.variant.id, "policy": unit.policy.label,
                      "replication": unit.replication, "seed": unit.seed, "error": outcome.error,
                      "detail": outcome.detail}
            _write_atomic(self.dir / "failures" / f"{unit.key}.json",
                          lambda p: p.write_text(json.dumps(record, indent=2, default=str) + "\n"))
            return
        if outcome.timeline is not None:
            _write_atomic(self.dir / "timelines" / f"{unit.key}.parquet",
                          lambda p: outcome.timeline.to_parquet(p, index=False))
        row = pd.DataFrame([unit_row(unit, outcome.summary)])
        _write_atomic(self.dir / "units" / f"{unit.key}.parquet", lambda p: row.to_parquet(p, index=False))
        (self.dir / "failures" / f"{unit.key}.json").unlink(missing_ok=True)


def unit_row(unit: WorkUnit, summary: dict) -> dict:
    """The summary row of a unit: identification, axis values, then every KPI."""
    row = {"key": unit.key, "variant": unit.variant.id, "policy": unit.policy.label,
           "policy_name": unit.policy.name, "replication": unit.replication, "seed": unit.seed}
    for path, value in unit.variant.values:
        row[path] = json.dumps(value) if isinstance(value, (list, dict)) else value
    row.update(summary)
    return row


@dataclass
class Results:
    """What `load_results` returns: one summary row per finished unit, timelines by key, failures."""

    directory: Path
    manifest: dict
    summary: pd.DataFrame
    failures: pd.DataFrame
    timeline_keys: list[str] = field(default_factory=list)

    @property
    def timelines(self) -> pd.DataFrame:
        """Every kept timeline, stacked, with the unit's key, variant, policy and replication."""
        frames = []
        ids = self.summary.set_index("key")[["variant", "policy", "replication"]]
        for key in self.timeline_keys:
            frame = pd.read_parquet(self.directory / "timelines" / f"{key}.parquet")
            frame.insert(0, "key", key)
            for i, col in enumerate(ids.columns, start=1):
                frame.insert(i, col, ids.at[key, col] if key in ids.index else None)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def timeline(self, key: str) -> pd.DataFrame:
        return pd.read_parquet(self.directory / "timelines" / f"{key}.parquet")


def load_results(directory: str | os.PathLike) -> Results:
    """Read a comparison's or sweep's results folder."""
    root = Path(directory)
    manifest_path = root / "manifest.json"
    if not manifest_path.is_file():
        raise InputError(f"{root}: not a results folder (no manifest.json)")
    manifest = json.loads(manifest_path.read_text())
    files = sorted((root / "units").glob("*.parquet")) if (root / "units").is_dir() else []
    summary = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True) if files else pd.DataFrame(
        columns=["key", "variant", "policy", "policy_name", "replication", "seed", *manifest.get("axes", [])])
    if len(summary):
        policy_order = {p: i for i, p in enumerate(manifest.get("policies", []))}
        variant_order = {v: i for i, v in enumerate(manifest.get("variant_ids", []))}
        summary = summary.assign(_v=summary["variant"].map(variant_order), _p=summary["policy"].map(policy_order))
        summary = summary.sort_values(["_v", "_p", "replication"], kind="stable").drop(columns=["_v", "_p"])
        summary = summary.reset_index(drop=True)
    failed = sorted((root / "failures").glob("*.json")) if (root / "failures").is_dir() else []
    failures = pd.DataFrame([json.loads(f.read_text()) for f in failed],
                            columns=["key", "variant", "policy", "replication", "seed", "error", "detail"])
    timelines = sorted(p.name.removesuffix(".parquet") for p in (root / "timelines").glob("*.parquet")) \
        if (root / "timelines").is_dir() else []
    return Results(root, manifest, summary, failures, timelines)


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
