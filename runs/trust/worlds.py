"""Hand-built observations for policy checks and tests: a FleetTable filled row by row, no simulation."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from fleet.demand import demand_curve
from fleet.economics import DAYS_PER_YEAR
from fleet.hardware import catalog
from fleet.observation import Observation
from fleet.scenario import Scenario, modules_for_target, parse_scenario
from fleet.state import FleetTable, Status
from runs.api import load_scenario


@lru_cache(maxsize=None)
def small_scenario(clusters: int = 1, modules: int = 4, generations: int = 1, servicers: int = 1) -> Scenario:
    """`tiny` with `modules` modules of 16 units over `clusters` clusters, a constant shadow fraction of
    0.039 typed in, launched at $3,600/kg;
    optionally a second, three times better generation available from 2032 (two years in)."""
    data = load_scenario("tiny").model_dump(mode="json")
    data["fleet"].update(target_power_mw=modules * 0.016, clusters=clusters)
    data["fleet"]["module"]["eclipse_fraction"] = 0.039     # typed in, constant: checks compute by hand
    data["hardware"]["trend"] = None
    data["servicing"]["servicers"] = servicers
    data["launch"]["vehicles"][0].update(price_per_kg_usd={2026: 3600.0}, price_per_flight_usd=None)  # by mass
    if generations == 2:
        first = data["hardware"]["generations"][0]
        data["hardware"]["generations"].append(dict(first, name="gen-2032", year_available=2032,
                                                    pflops_per_unit=3 * first["pflops_per_unit"]))
    return parse_scenario(data, "small")


@dataclass
class Row:
    """One module: its status, cluster, units failed by `day`, commissioning day, generation."""

    status: Status = Status.OPERATIONAL
    cluster: int = 0
    failed: int = 0
    commissioned_day: float = 0.0
    generation: int = 0
    crossed: bool = False
    pending_trip: bool = False
    spare: bool = False


def observe(scenario: Scenario, rows: list[Row], day: float, servicers_busy: int = 0,
            trips_queued: int = 0, newest: int | None = None, demand: bool = False) -> Observation:
    """An Observation of a fleet with the given rows at `day`; demand is the scenario's with
    `demand`, else constant at the initial deployment's capacity."""
    gens = catalog(scenario)
    table = FleetTable(scenario.fleet.module, gens)
    units = table.units
    for r in rows:
        m = table.add(r.cluster, r.generation, 0.0)
        if r.status in (Status.OPERATIONAL, Status.FAILED, Status.DEORBITED):
            ends = np.full(units, math.inf)
            ends[: r.failed] = r.commissioned_day + (np.arange(r.failed) + 1) * (day - r.commissioned_day) / (r.failed + 1)
            table.commission(m, r.commissioned_day, ends, math.inf)
        table.status[m] = r.status
        if r.status in (Status.FAILED, Status.DEORBITED):
            table.end_day[m] = day - 1
        table.crossed[m] = r.crossed
        table.pending_trip[m] = r.pending_trip
        table.spare[m] = r.spare
    year = scenario.start_year + day / DAYS_PER_YEAR
    if newest is None:
        newest = max(g for g in range(len(gens)) if gens[g].year_available <= year)
    target = _target(scenario)
    return Observation(table=table, day=day, year=year, horizon_day=scenario.horizon_years * DAYS_PER_YEAR,
                       scenario=scenario, generations=gens[: newest + 1], target_pflops=target,
                       demand=demand_curve(scenario, gens, scenario.horizon_years * DAYS_PER_YEAR) if demand else None,
                       servicers=scenario.servicing.servicers, servicers_busy=servicers_busy,
                       trips_queued=trips_queued)


def _target(scenario: Scenario) -> float:
    return modules_for_target(scenario) * scenario.fleet.module.units * scenario.hardware.generations[0].pflops_per_unit


def snapshot(obs: Observation) -> dict:
    """Copies of every array of the observation's table and of its plain fields."""
    table = obs._table
    arrays = {k: v.copy() for k, v in vars(table).items() if isinstance(v, np.ndarray)}
    plain = {k: v for k, v in vars(obs).items() if isinstance(v, (int, float, str, tuple))}
    return {"arrays": arrays, "plain": plain, "n": table.n}


def same(a: dict, b: dict) -> bool:
    """Equal tables and fields (values cached on first read may appear in `b`; they change nothing)."""
    common = a["plain"].keys() & b["plain"].keys()
    return (a["n"] == b["n"] and common == a["plain"].keys()
            and all(a["plain"][k] == b["plain"][k] for k in common) and a["arrays"].keys() == b["arrays"].keys()
            and all(np.array_equal(a["arrays"][k], b["arrays"][k], equal_nan=True) for k in a["arrays"]))
