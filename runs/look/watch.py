"""`fleet watch`: one self-contained HTML page that plays a replication, for teaching.

The page is driven by the replication's event log and timeline, embedded as JSON beside the player
(runs/look/watch_page.html: its script and style inline, nothing fetched). Event log columns are read as
columns (`time_days`, `kind`, `module`, `cluster`, `count`, `cost_usd`, and `ref`/`cause` when the log
has them); `detail` is only shown to people, in a module's history, never parsed.

Up to `MAX_MODULES` modules the page replays every event, module by module. Above, it draws each
cluster as a whole: the state of every cluster at each timeline sample is computed here from the
log (`cluster_states`), and board failures, too many to ship, are left out of the event list.
"""
from __future__ import annotations

import math
import os
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from fleet.errors import InputError
from runs.folders import write_page
from runs.jsonio import strict_json

MAX_MODULES = 200            # above this many modules the page aggregates by cluster
GROUND = ("ground_outage", "ground_restored")
TEMPLATE = "watch_page.html"
DATA_MARK = "/*WATCH_DATA*/"


def module_count(events: pd.DataFrame) -> int:
    """Modules that ever entered service (ids are 0, 1, ... in the order they are commissioned)."""
    ids = events.loc[events["kind"] == "commissioned", "module"]
    return int(ids.max()) + 1 if len(ids) else 0


def cluster_states(events: pd.DataFrame, sample_days: np.ndarray, clusters: int,
                   units_per_module: int) -> dict[str, list[list[int]]]:
    """Per timeline sample (after every event at its instant) and per cluster: modules operational,
    failed in orbit and deorbited (both cumulative), and boards alive on operational modules."""
    rows = events[~events["kind"].isin(GROUND)]
    kinds = rows["kind"].astype(str).to_numpy()
    modules = rows["module"].to_numpy()
    counts = rows["count"].to_numpy()
    sample_of = np.searchsorted(sample_days, rows["time_days"].to_numpy(), side="left")
    alive: dict[int, int] = {}
    cluster_of: dict[int, int] = {}
    state = np.zeros((4, clusters), dtype=np.int64)       # operational, failed, deorbited, boards alive
    out = np.zeros((len(sample_days), 4, clusters), dtype=np.int64)
    done = 0
    for kind, m, n, s, c in zip(kinds, modules.tolist(), counts.tolist(), sample_of.tolist(),
                                rows["cluster"].to_numpy().tolist()):
        while done < min(s, len(sample_days)):
            out[done] = state
            done += 1
        if kind == "commissioned":
            alive[m], cluster_of[m] = units_per_module, c
            state[0, c] += 1
            state[3, c] += units_per_module
        elif m in alive:
            state[3, cluster_of[m]] -= _change_alive(alive, m, kind, n, units_per_module)
            if kind in ("module_failure", "deorbit"):
                state[0, cluster_of[m]] -= 1
                state[1 if kind == "module_failure" else 2, cluster_of[m]] += 1
                state[3, cluster_of[m]] -= alive.pop(m)
    out[done:] = state
    names = ("operational", "failed", "deorbited", "alive")
    return {name: out[:, i, :].tolist() for i, name in enumerate(names)}


def _change_alive(alive: dict[int, int], m: int, kind: str, n: int, units: int) -> int:
    """Update module `m`'s boards alive for one event; return how many were lost (negative: gained)."""
    before = alive[m]
    if kind == "unit_failure":
        alive[m] = max(0, before - n)
    elif kind == "servicing":
        alive[m] = min(units, before + n)
    elif kind == "upgrade":
        alive[m] = units
    return before - alive[m]


def watch_data(result) -> dict:
    """Everything the page draws, as JSON-ready lists (times in days since the start)."""
    s = result.scenario
    events, timeline = result.events, result.timeline
    n_modules = module_count(events)
    aggregate = n_modules > MAX_MODULES
    shown = events[events["kind"] != "unit_failure"] if aggregate else events
    texts, codes = np.unique(shown["detail"].astype(str).to_numpy(), return_inverse=True)
    kinds = list(shown["kind"].cat.categories) if hasattr(shown["kind"], "cat") else sorted(shown["kind"].unique())
    log = {
        "t": _rounded(shown["time_days"], 3),
        "k": pd.Categorical(shown["kind"].astype(str), categories=kinds).codes.tolist(),
        "m": shown["module"].astype(int).tolist(),
        "c": shown["cluster"].astype(int).tolist(),
        "n": shown["count"].astype(int).tolist(),
        "usd": _rounded(shown["cost_usd"], 0),
        "d": codes.tolist(),
    }
    for column in ("ref", "cause"):          # the launch, trip or decision an event belongs to, if logged
        if column in shown.columns:
            log[column] = [None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
                           for v in shown[column].tolist()]
    data = {
        "title": s.name, "description": s.description or "", "policy": result.policy.label, "seed": result.seed,
        "start_year": s.start_year, "horizon_days": s.horizon_years * 365.25,
        "clusters": s.fleet.clusters, "units_per_module": s.fleet.module.units, "modules": n_modules,
        "aggregate": aggregate, "servicers": s.servicing.servicers, "trip_days": s.servicing.trip_days,
        "work_fraction": s.servicing.work_at_fraction, "commissioning_days": s.fleet.module.commissioning_days,
        "stations": [st.name for st in s.ground.stations],
        "kinds": kinds, "texts": texts.tolist(), "events": log,
        "unit_failures": int(events.loc[events["kind"] == "unit_failure", "count"].sum()),
        "timeline": {
            "t": _rounded(timeline["time_days"], 3),
            "capacity": _rounded(timeline["capacity_pflops"], 3),
            "demand": _rounded(timeline["demand_pflops"], 3),
            "cost": _rounded(timeline["cost_cumulative_usd"], 0),
            "backlog": _rounded(timeline["backlog_tb"], 3),
            "operational": timeline["modules_operational"].astype(int).tolist(),
            "pipeline": timeline["modules_in_pipeline"].astype(int).tolist(),
        },
    }
    if aggregate:
        data["cluster_states"] = cluster_states(events, timeline["time_days"].to_numpy(), s.fleet.clusters,
                                                s.fleet.module.units)
    return data


def _rounded(values: pd.Series, digits: int) -> list:
    """Values rounded to `digits` decimals (whole numbers as int), NaN and infinities as None."""
    v = values.to_numpy(dtype=float)
    r = np.round(v, digits)
    return [None if not math.isfinite(x) else (int(x) if digits == 0 else x) for x in r.tolist()]


def watch_html(result) -> str:
    """The page: the player's template with the replication's data embedded."""
    template = resources.files("runs.look").joinpath(TEMPLATE).read_text(encoding="utf-8")
    payload = strict_json(watch_data(result), separators=(",", ":"))
    payload = payload.replace("</", "<\\/").replace("<!--", "<\\!--")   # cannot end the script element
    return template.replace(DATA_MARK, payload, 1)


def check_target(path: str | os.PathLike) -> Path:
    """`path` if the page may be written there (an .html name in an existing folder); InputError if not."""
    target = Path(path)
    if target.is_dir():
        raise InputError(f"--out {path}: is a folder; give a file name ending in .html")
    if target.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"--out {path}: the page is an HTML file; give a name ending in .html")
    if not target.parent.is_dir():
        raise InputError(f"--out {path}: folder {target.parent} does not exist")
    return target


def write_watch(result, path: str | os.PathLike) -> Path:
    """Write the page for `result` to `path` (a .html file; its folder must exist) and return it."""
    target = check_target(path)
    return write_page(target.parent, watch_html(result), target.name)
