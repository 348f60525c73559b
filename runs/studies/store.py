"""The results store of a comparison or sweep: one Parquet file per work unit plus a manifest.

    DIR/manifest.json            the experiment, its SHA-256, the seeds, the versions
    DIR/units/KEY.parquet        one summary row: key, variant, policy, replication, seed, axes, KPIs
    DIR/timelines/KEY.parquet    the unit's timeline, when the experiment keeps them
    DIR/failures/KEY.json        a unit that raised: its key, the error and the traceback

    DIR/.lock                    while a command works in the folder (see runs.folders)

Every file is written by runs.atomic (a unique temporary name, fsynced, renamed into place), so a
killed run leaves whole files only; a unit's summary is written last, so its presence means the
unit is done. A zero-byte or corrupt summary counts as missing: a resumed run computes it again.
Reading a store (`load_results`) reads data only and never imports a policy.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from events import MODEL_VERSION
from fleet.errors import InputError, shown
from runs.atomic import Writer, text, write_file
from runs.studies.experiment import Plan
from runs.folders import MANIFEST, Layout, claim, manifest_kind, read_json, remove_own, write_error
from runs.jsonio import strict_json
from runs.studies.workunits import UnitOutcome, WorkUnit

FORMAT = 1
ID_COLUMNS = ("key", "variant", "policy", "policy_name", "replication", "seed")
FAILURE_COLUMNS = ("key", "variant", "policy", "replication", "seed", "error", "detail")
LISTS = ("axes", "policies", "variant_ids")
VERSIONED = ("orbital-fleet", "simpy", "numpy", "pandas", "scipy", "pydantic", "pyarrow", "dask", "distributed")


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in VERSIONED:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "unknown"
    return out


LAYOUT = Layout("experiment", "experiment's results", "fleet compare or fleet sweep",
                frozenset({MANIFEST, "report.html"}),
                {"units": ".parquet", "timelines": ".parquet", "failures": ".json"})


class Store:
    """A results folder bound to one experiment; refuses a folder that holds anything else."""

    def __init__(self, directory: str | os.PathLike, plan: Plan):
        self.dir = Path(directory)
        self.plan = plan
        self.sha256 = plan.sha256()

    @contextmanager
    def open(self, force: bool = False) -> Iterator[Store]:
        """Lock the folder for the block; create it and its manifest if new; resume if it holds this experiment
        (with any replication count: a larger one extends the manifest's seeds).

        A folder holding another experiment, or results of another model version
        (`events.MODEL_VERSION`; a manifest without one holds version 1), is refused, or with
        `force` emptied of the store's own files. Raises InputError, before writing anything, for any
        other folder (see runs.folders).
        """
        with claim(self.dir, LAYOUT) as (_, before):
            if before is not None and before.get("model_version", 1) != MODEL_VERSION:
                if not force:
                    raise InputError(
                        f"{self.dir}: holds results of model version {shown(before.get('model_version', 1))}, "
                        f"and this simulator is model version {MODEL_VERSION}: results of different model "
                        "versions cannot be mixed in one study; use --force to replace them, or choose another "
                        "--out folder")
                remove_own(self.dir, LAYOUT)
                before = None
            if before is not None and before.get("experiment_sha256") != self.sha256:
                if not force:
                    raise InputError(
                        f"{self.dir}: holds results of a different experiment (manifest sha256 "
                        f"{str(before.get('experiment_sha256'))[:12]}, this one {self.sha256[:12]}: the experiment "
                        "file, its options or its base scenario changed); use --force to replace them, "
                        "or choose another --out folder")
                remove_own(self.dir, LAYOUT)
                before = None
            if before is None or len(before.get("seeds") or []) < len(self.plan.seeds):
                self._write_manifest()      # new, or extended by more replications
            yield self

    def _write_manifest(self) -> None:
        plan = self.plan
        manifest = {
            "kind": LAYOUT.kind,
            "format": FORMAT,
            "model_version": MODEL_VERSION,
            "name": plan.experiment.name,
            "source": plan.source,
            "file_sha256": file_sha256(plan.source) if Path(plan.source).is_file() else None,
            "experiment_sha256": self.sha256,
            "spec": plan.spec(),
            "base_scenario": plan.base.model_dump(mode="json"),
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
        self._write(MANIFEST, text(strict_json(manifest, indent=2, default=str) + "\n"))

    def done_keys(self) -> set[str]:
        """Keys of the units whose files are whole (a zero-byte or corrupt one counts as missing): the
        summary, and the timeline when the experiment keeps timelines."""
        units = self.dir / "units"
        if not units.is_dir():
            return set()
        done = {p.name.removesuffix(".parquet") for p in units.glob("*.parquet") if _whole_unit(p)}
        if self.plan.experiment.keep_timelines:
            done = {k for k in done if _footer(self.dir / "timelines" / f"{k}.parquet") is not None}
        return done

    def write(self, unit: WorkUnit, outcome: UnitOutcome) -> None:
        """Record a unit's outcome: its row (and timeline), or its failure."""
        if outcome.failed:
            record = {"key": unit.key, "variant": unit.variant.id, "policy": unit.policy.label,
                      "replication": unit.replication, "seed": unit.seed, "error": outcome.error,
                      "detail": outcome.detail}
            self._write(f"failures/{unit.key}.json", text(strict_json(record, indent=2, default=str) + "\n"))
            return
        if outcome.timeline is not None:
            self._write(f"timelines/{unit.key}.parquet", lambda f: outcome.timeline.to_parquet(f, index=False))
        row = pa.Table.from_pylist([unit_row(unit, outcome.summary)])   # a third of pandas' to_parquet's time
        self._write(f"units/{unit.key}.parquet", lambda f: pq.write_table(row, f))
        (self.dir / "failures" / f"{unit.key}.json").unlink(missing_ok=True)

    def _write(self, name: str, write: Writer) -> None:
        path = self.dir / name
        try:
            path.parent.mkdir(exist_ok=True)
            write_file(path, write)
        except OSError as exc:
            raise write_error(self.dir, exc) from None


def _whole_unit(path: Path) -> bool:
    """Whether `path` is a whole unit summary: a Parquet footer that parses, of one row with the key columns."""
    meta = _footer(path)
    return meta is not None and meta.num_rows == 1 and set(ID_COLUMNS) <= set(meta.schema.names)


def _footer(path: Path) -> pq.FileMetaData | None:
    """The Parquet metadata of `path`, or None if it is missing, empty or corrupt."""
    try:
        return pq.read_metadata(path)
    except (OSError, ValueError, pa.ArrowException):
        return None


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
    """Read a comparison's or sweep's results folder (data only: nothing named in it is imported).

    Raises InputError if the folder has no manifest or a corrupt one, or holds another kind of result
    (a single run, a parity study: the message says how to read it); skips, with a warning, unit and
    failure files that cannot be read.
    """
    root = Path(directory)
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise InputError(f"{root}: not a results folder (no manifest.json)")
    manifest = read_json(manifest_path)
    _check_kind(root, manifest_kind(manifest))
    for name in LISTS:
        value = manifest.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(f"{manifest_path}: {name}: a list of names expected; the manifest is corrupt")
    rows = [table for f in _files(root / "units", ".parquet") if (table := _unit_table(f)) is not None]
    summary = _joined(rows) if rows else pd.DataFrame(columns=[*ID_COLUMNS, *manifest.get("axes", [])])
    if len(summary):
        policy_order = {p: i for i, p in enumerate(manifest.get("policies", []))}
        variant_order = {v: i for i, v in enumerate(manifest.get("variant_ids", []))}
        summary = summary.assign(_v=summary["variant"].map(variant_order), _p=summary["policy"].map(policy_order))
        summary = summary.sort_values(["_v", "_p", "replication"], kind="stable").drop(columns=["_v", "_p"])
        summary = summary.reset_index(drop=True)
    records = [r for f in _files(root / "failures", ".json") if (r := _failure_record(f)) is not None]
    failures = pd.DataFrame(records, columns=list(FAILURE_COLUMNS))
    timelines = [p.name.removesuffix(".parquet") for p in _files(root / "timelines", ".parquet")]
    return Results(root, manifest, summary, failures, timelines)


def _check_kind(root: Path, kind: str | None) -> None:
    """Refuse a folder of another kind of result than a comparison's or sweep's, saying how to read it."""
    if kind in (None, LAYOUT.kind):
        return
    how = {
        "run": "a single run's folder (fleet run --out): its KPIs are in summary.json, its events and timeline "
               f"in events.parquet and timeline.parquet (pandas.read_parquet), or see `fleet report {root}`",
        "parity": "a parity study's folder (fleet parity --out): its tables are runs.csv, settings.csv and "
                  "frontier.csv (pandas.read_csv)",
    }.get(kind, f"a folder of another kind of result ({kind})")
    raise InputError(f"{root}: {how}; load_results reads the folder of a comparison or sweep "
                     "(fleet compare or fleet sweep)")


def _files(folder: Path, suffix: str) -> list[Path]:
    return sorted(folder.glob(f"*{suffix}")) if folder.is_dir() else []


def _unit_table(path: Path) -> pa.Table | None:
    """A unit's summary row, or None (with a warning) if the file is not a whole one."""
    try:
        table = pq.ParquetFile(path).read()
    except (OSError, ValueError, pa.ArrowException) as exc:
        warnings.warn(f"{path}: unreadable unit file ignored ({type(exc).__name__}); a resumed run computes "
                      "the unit again")
        return None
    missing = [c for c in ID_COLUMNS if c not in table.column_names]
    if missing or table.num_rows != 1:
        warnings.warn(f"{path}: not a unit summary (one row with {', '.join(ID_COLUMNS)}); ignored")
        return None
    return table


def _joined(rows: list[pa.Table]) -> pd.DataFrame:
    """The units' rows as one frame, joined in Arrow (a column missing from a file is null there, integers
    meeting floats become floats); files whose types Arrow cannot reconcile (a column that is text in
    one and a number in another) are joined by pandas, that column as objects."""
    try:
        return pa.concat_tables(rows, promote_options="permissive").to_pandas()
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pd.concat([row.to_pandas() for row in rows], ignore_index=True)


def _failure_record(path: Path) -> dict | None:
    """A failed unit's record, or None (with a warning) if the file is not one."""
    try:
        record = read_json(path)
    except InputError as exc:
        warnings.warn(f"{exc}; failure record ignored")
        return None
    return {k: record.get(k) for k in FAILURE_COLUMNS}


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def plan_results(folder: str | Path, keys: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary, failures) of the units with these keys in a results folder: one study's rows."""
    results = load_results(folder)
    return (results.summary[results.summary["key"].isin(keys)].reset_index(drop=True),
            results.failures[results.failures["key"].isin(keys)].reset_index(drop=True))
