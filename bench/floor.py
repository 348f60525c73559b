"""The floor: one replication of a run-to-failure world computed in numpy, without an event loop.

It is the least work any correct simulator of that world must do: draw the same random numbers as
the engine (the same named streams, `fleet.streams`), find each module's launch, commissioning and
end, its unit failures, the fleet's capacity path and its integral against demand, each ground
station's clear and cloudy spells and the fleet's downlink under them (the same memoised max-flow,
`fleet.ground.DownlinkCapacity`), and the backlog of results on board, integrated exactly
(`fleet.ground.fill_backlog`) wherever production can exceed the downlink. `bench/gigawatt.py`
times it against the engine and asserts that both give the same KPIs.

The world (`floor_scenario`): the scenario under the `null` policy (no action after the initial
deployment), with what the floor cannot replay without an event loop removed from both sides:
- one launch vehicle (the first listed), that never fails: vehicle choice by price is a loop over
  the queue, and a failed launch would make a policy react;
- no servicers (so no servicer, board or propellant cargo on the flights, no depot);
- no solar particle events (storms kill units at random instants and need the module table then).
Unit failures (with radiation), bus failures, debris strikes, end of design life, the array's power
limit, demand from the newest hardware generation, the weather and the backlog all stay. Every
module is of the catalog's first generation, the only one a scenario may make available by its start.

Times are days since the start; compute in PFLOPS (daylight rate) and PFLOPS-days; data in TB.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fleet.demand import DemandCurve, demand_curve
from fleet.economics import DAYS_PER_YEAR
from fleet.ground import DownlinkCapacity, fill_backlog
from fleet.hardware import catalog
from fleet.lifetimes import has_radiation_hazard, inverse
from fleet.orbits import contact_fractions, radiation_of
from fleet.scenario import Scenario, at_altitude, module_mass_kg, modules_for_target, parse_scenario
from fleet.state import FleetTable
from fleet.streams import Streams


FLOOR_ECLIPSE = 0.039   # share of the year in shadow at 650 km dawn-dusk (docs/reference-figures.md, Power)


def floor_scenario(scenario: Scenario) -> Scenario:
    """`scenario` as the floor can replay it exactly (see the module docstring): null policy, its
    first vehicle only and never failing, no servicers, no solar particle events, the shadow typed in
    at its yearly mean (`FLOOR_ECLIPSE`) rather than by blocks from the orbits, and the vehicle's
    payload what it lifts to the highest shell (as the engine flies it)."""
    data = scenario.model_dump()
    data["fleet"]["module"]["eclipse_fraction"] = FLOOR_ECLIPSE
    data["launch"]["vehicles"] = [dict(data["launch"]["vehicles"][0], success_probability=1.0)]
    data["servicing"]["servicers"] = 0
    data["failures"]["solar_particle_events"] = None
    data["policy"] = {"name": "null", "params": {}}
    return at_altitude(parse_scenario(data, f"floor world of {scenario.name}"))


@dataclass
class Floor:
    """What the floor computed: KPIs named as in the engine's summary, and event arrays by kind."""

    kpis: dict[str, float]
    events: dict[str, tuple[np.ndarray, ...]]

    def counts(self) -> dict[str, int]:
        """Rows of each event kind, as the engine's log would hold them."""
        return {kind: len(arrays[0]) for kind, arrays in self.events.items()}


# ----- launches --------------------------------------------------------------------------------------
def launch_days(scenario: Scenario, modules: int, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    """(launch day per module, first module of each flight) for the initial order of `modules`
    modules on day 0, flown by the first vehicle as `events.launch.LaunchQueue` does: modules spread
    over the clusters in turn (module i to cluster i mod clusters); each flight takes the cluster whose
    queue holds the oldest module, as many of its queued modules as fit the payload, at the earliest
    day lead time and cadence allow (a timeout from the previous launch, so the same float sums).
    Only flights before the horizon fly: a module still waiting then has launch day inf."""
    vehicle = scenario.launch.vehicles[0]
    clusters = scenario.fleet.clusters
    mass = module_mass_kg(scenario, catalog(scenario)[0])
    per_flight, load = 0, 0.0
    while load + mass <= vehicle.payload_kg:           # the queue's own test, mass added one by one
        load += mass
        per_flight += 1
    queues = [list(range(c, modules, clusters)) for c in range(clusters)]
    heads = [0] * clusters
    cadence = DAYS_PER_YEAR / vehicle.launches_per_year
    available = (vehicle.available_from_year - scenario.start_year) * DAYS_PER_YEAR
    day_of = np.full(modules, np.inf)
    firsts = []
    now, last = 0.0, -np.inf
    waiting = modules
    while waiting:
        c = min((q[h], c) for c, (q, h) in enumerate(zip(queues, heads)) if h < len(q))[1]
        day = max(now, vehicle.lead_time_days, last + cadence, available)   # every order placed on day 0
        if day > now:
            now = now + (day - now)
        if now >= horizon:                              # the run ends first (SimPy's `until` comes first)
            break
        flight = queues[c][heads[c]: heads[c] + per_flight]
        heads[c] += len(flight)
        waiting -= len(flight)
        day_of[flight] = now
        firsts.append(flight[0])
        last = now
    return day_of, np.array(firsts, dtype=np.int64)


# ----- module lives ----------------------------------------------------------------------------------
@dataclass
class Lives:
    """Each module's id, commissioning day, end day (inf: runs to the horizon), whether it ends by
    design life (else by bus failure or debris strike) and its units' end days, each row sorted: the
    modules commissioned before the horizon, in order of id."""

    ids: np.ndarray
    commissioned: np.ndarray
    end: np.ndarray
    retired: np.ndarray
    unit_end: np.ndarray


def module_lives(scenario: Scenario, streams: Streams, commissioned: np.ndarray, horizon: float) -> Lives:
    """Draw the units and fates of every module commissioned before the horizon (`commissioned`: day
    per module id) as `events.modules.Modules.commission` does (the keyed streams `unit-lifetimes`
    (module, 0) and `bus-lifetime` (module)), and fire their ends as a timeout from commissioning
    would (`c + (end - c)`). A module commissioned later draws nothing and computes nothing."""
    ids = np.flatnonzero(commissioned < horizon)
    commissioned = commissioned[ids]
    n, units = len(ids), scenario.fleet.module.units
    failures = scenario.failures
    radiation = radiation_of(scenario)
    per_unit = 2 if has_radiation_hazard(radiation) else 1
    keyed = streams.keyed
    draws = np.empty((n, units, per_unit))
    fates = np.empty((n, 3))
    for row, m in enumerate(ids.tolist()):
        draws[row] = keyed("unit-lifetimes", m, 0).standard_exponential((units, per_unit))
        fates[row] = keyed("bus-lifetime", m).standard_exponential(3)
    unit_years = inverse(failures.unit, radiation)
    unit_end = unit_years(draws[..., 0].reshape(-1), draws[..., -1].reshape(-1)).reshape(n, units)
    unit_end = unit_end * DAYS_PER_YEAR + commissioned[:, None]
    unit_end.sort(axis=1)
    bus = commissioned + inverse(failures.bus)(fates[:, 0], fates[:, 1]) * DAYS_PER_YEAR
    rate = failures.debris.strikes_per_module_year if failures.debris is not None else 0.0
    strike = commissioned + fates[:, 2] / rate * DAYS_PER_YEAR if rate > 0 else np.full(n, np.inf)
    retire = commissioned + scenario.fleet.module.design_life_years * DAYS_PER_YEAR
    fate = np.minimum(bus, strike)
    retired = retire < fate
    end = np.minimum(fate, retire)
    fired = end < horizon
    end = np.where(fired, commissioned + (end - commissioned), np.inf)
    return Lives(ids, commissioned, end, retired & fired, unit_end)


def unit_stops(scenario: Scenario, lives: Lives) -> np.ndarray:
    """Day each unit stops computing: its failure, the day its array can no longer power its rank,
    or its module's end, whichever comes first (one row per module, as `unit_end`)."""
    generations = catalog(scenario)
    power = FleetTable(scenario.fleet.module, generations, capacity=1).run_until_days[0]
    stops = np.minimum(lives.unit_end, lives.commissioned[:, None] + power)
    return np.minimum(stops, lives.end[:, None], out=stops)


# ----- capacity against demand -----------------------------------------------------------------------
def capacity_integrals(lives: Lives, stops: np.ndarray, pflops: float, demand: DemandCurve,
                       horizon: float) -> tuple[float, float]:
    """(integral of capacity, integral of capacity above demand) over [0, horizon], PFLOPS-days.

    Capacity is pflops per running unit. The part above demand is zero if demand is never below
    every commissioned unit running; else it is integrated over the sorted steps of capacity.
    """
    c = lives.commissioned
    running = stops > c[:, None]
    area = pflops * float(np.sum(np.minimum(stops, horizon) - c[:, None], where=running))
    starts = running.sum(axis=1) * pflops
    if _never_above(c, starts, demand, horizon):
        return area, 0.0
    ends = stops[running & (stops < horizon)]
    days = np.concatenate([c, ends, demand.days])
    steps = np.concatenate([starts, np.full(len(ends), -pflops), np.zeros(len(demand.days))])
    order = np.argsort(days, kind="stable")
    days, level = days[order], np.cumsum(steps[order])
    widths = np.diff(days, append=horizon)
    above = np.maximum(level - demand.at(days), 0.0) @ widths
    return area, float(above)


def _never_above(commissioned: np.ndarray, starts: np.ndarray, demand: DemandCurve, horizon: float) -> bool:
    """Whether capacity, bounded by every commissioned unit running, never exceeds demand before the horizon."""
    order = np.argsort(commissioned)
    c, bound = commissioned[order], np.concatenate([[0.0], np.cumsum(starts[order])])
    days = np.concatenate([c, demand.days])
    days = days[days < horizon]
    return bool(np.all(bound[np.searchsorted(c, days, side="right")] <= demand.at(days)))


# ----- ground ----------------------------------------------------------------------------------------
@dataclass
class Weather:
    """Changes of the stations' weather before the horizon: day, station, whether it became clear;
    and the fleet's downlink (TB/day) from each change (index 0: from day 0)."""

    days: np.ndarray
    stations: np.ndarray
    clear: np.ndarray
    drain: np.ndarray


def weather(scenario: Scenario, streams: Streams, horizon: float) -> Weather:
    """Every station's spells as `events.ground.GroundNetwork` draws them (the sequential stream
    `weather/<station>`: one uniform for the first state, then spell lengths, standard exponentials
    in blocks of 256), merged in time order, with the downlink of each state of the network."""
    spec = scenario.ground
    rngs = [streams.sequence(f"weather/{s.name}") for s in spec.stations]
    first = [bool(rng.random() < s.clear_probability) for rng, s in zip(rngs, spec.stations)]
    days, who, became = [np.zeros(0)], [np.zeros(0, np.int64)], [np.zeros(0, bool)]
    for i, (rng, s) in enumerate(zip(rngs, spec.stations)):
        if s.clear_probability >= 1.0:
            continue
        mean_out = s.mean_outage_hours / 24.0
        mean_clear = mean_out * s.clear_probability / (1.0 - s.clear_probability)
        spells = []
        total = 0.0
        while total < horizon:
            block = rng.standard_exponential(256)
            spells.append(block)
            total += block.sum() * min(mean_out, mean_clear)
        e = np.concatenate(spells)
        clear_before = (np.arange(len(e)) % 2 == 0) == first[i]       # state during each spell
        t = np.cumsum(e * np.where(clear_before, mean_clear, mean_out))
        inside = t < horizon
        days.append(t[inside])
        who.append(np.full(int(inside.sum()), i))
        became.append(~clear_before[inside])
    days, who, became = np.concatenate(days), np.concatenate(who), np.concatenate(became)
    order = np.argsort(days, kind="stable")
    days, who, became = days[order], who[order], became[order]
    code = np.bitwise_xor.accumulate(np.concatenate([[_code(first)], 1 << who]))
    links = DownlinkCapacity(spec, contact_fractions(scenario))
    states = len(spec.stations)
    unique, index = np.unique(code, return_inverse=True)
    drains = np.array([links.total(tuple(bool(u >> k & 1) for k in range(states))) for u in unique.tolist()])
    return Weather(days, who, became, drains[index])


def _code(clear: list[bool]) -> int:
    """The stations' state as bits: bit i set while station i is clear."""
    return sum(1 << i for i, ok in enumerate(clear) if ok)


@dataclass
class Backlog:
    """The results on board at the horizon and those lost on the way, TB."""

    held: float
    lost: float


def backlog(lives: Lives, stops: np.ndarray, pflops: float, demand: DemandCurve, sky: Weather,
            tb_per_pflops_day: float, buffer_tb: float, horizon: float) -> Backlog:
    """The backlog of results, integrated exactly where production can exceed the downlink.

    Production is tb_per_pflops_day x min(capacity, demand) TB/day; the backlog is capped at
    buffer_tb per running module and held in equal shares by them, so a module that ends takes its
    share. Outside the weather spells whose downlink is below the most the fleet could ever produce,
    an empty backlog stays empty: only those spells, and what follows them until the backlog is
    empty again, are integrated, change by change (weather, modules starting and ending, demand).
    """
    most = tb_per_pflops_day * min(pflops * float(np.sum(stops > lives.commissioned[:, None])),
                                   float(demand.pflops.max()))
    spell_starts = np.concatenate([[0.0], sky.days])
    risky = np.flatnonzero(sky.drain < most)
    if len(risky) == 0:
        return Backlog(0.0, 0.0)
    fleet = _FleetClock(lives, stops, pflops, demand, sky)
    held, lost, day = 0.0, 0.0, 0.0
    for j in risky.tolist():
        spell_end = sky.days[j] if j < len(sky.days) else horizon
        day = max(day, spell_starts[j])
        while day < horizon and (day < spell_end or held > 0.0):
            nxt = min(fleet.next_change(day), horizon)
            rates, widths = fleet.pieces(day, nxt)
            held, spilled = fill_backlog(held, tb_per_pflops_day * rates, widths, fleet.drain(day),
                                         fleet.running(day) * buffer_tb)
            lost += spilled
            for _ in range(fleet.ending_at(nxt)):          # each takes its share, one after another
                running = fleet.running_before(nxt)
                share = held / running if running > 0 else 0.0
                held -= share
                lost += share
                fleet.leave()
            fleet.reset_leaving()
            day = nxt
    return Backlog(held, lost)


class _FleetClock:
    """The fleet's state at any day, from sorted arrays: running modules, capacity pieces, downlink,
    and the next day on which any of them (or demand) changes."""

    def __init__(self, lives: Lives, stops: np.ndarray, pflops: float, demand: DemandCurve, sky: Weather):
        running = stops > lives.commissioned[:, None]
        self.starts = np.sort(lives.commissioned)
        self.start_pflops = np.cumsum((running.sum(axis=1) * pflops)[np.argsort(lives.commissioned)])
        self.ends = np.sort(lives.end[np.isfinite(lives.end)])
        self.unit_stops = stops[running]
        self.pflops = pflops
        self.demand = demand
        self.sky = sky
        self.changes = np.unique(np.concatenate([self.starts, self.ends, demand.days, sky.days]))
        self._left = 0                     # modules ending on the current change day already gone

    def next_change(self, day: float) -> float:
        i = int(np.searchsorted(self.changes, day, side="right"))
        return float(self.changes[i]) if i < len(self.changes) else np.inf

    def running(self, day: float) -> int:
        return int(np.searchsorted(self.starts, day, side="right") - np.searchsorted(self.ends, day, side="right"))

    def running_before(self, day: float) -> int:
        """Modules running just before `day`'s ends, less those already taken out on `day`."""
        return int(np.searchsorted(self.starts, day, side="right") - np.searchsorted(self.ends, day, side="left")
                   - self._left)

    def ending_at(self, day: float) -> int:
        return int(np.searchsorted(self.ends, day, side="right") - np.searchsorted(self.ends, day, side="left"))

    def leave(self) -> None:
        self._left += 1

    def reset_leaving(self) -> None:
        self._left = 0

    def drain(self, day: float) -> float:
        return float(self.sky.drain[np.searchsorted(self.sky.days, day, side="right")])

    def pieces(self, start: float, stop: float) -> tuple[np.ndarray, np.ndarray]:
        """min(capacity, demand) (PFLOPS) and length (days) of the pieces of [start, stop), over which
        no module starts or ends and demand is constant."""
        i = int(np.searchsorted(self.starts, start, side="right")) - 1
        entered = float(self.start_pflops[i]) if i >= 0 else 0.0
        capacity = entered - self.pflops * np.count_nonzero(self.unit_stops <= start)
        inside = np.sort(self.unit_stops[(self.unit_stops > start) & (self.unit_stops < stop)])
        values = capacity - self.pflops * np.arange(len(inside) + 1)
        widths = np.diff(np.concatenate([[start], inside, [stop]]))
        return np.minimum(values, self.demand.at(start)), widths


# ----- the whole replication -----------------------------------------------------------------------
def run_floor(scenario: Scenario, seed: int) -> Floor:
    """The floor of `scenario` (already made by `floor_scenario`) for `seed`: KPIs and event arrays."""
    horizon = scenario.horizon_years * DAYS_PER_YEAR
    streams = Streams(seed)
    sky = weather(scenario, streams, horizon)
    generations = catalog(scenario)
    n = modules_for_target(scenario)
    launched, firsts = launch_days(scenario, n, horizon)
    lives = module_lives(scenario, streams, launched + scenario.fleet.module.commissioning_days, horizon)
    stops = unit_stops(scenario, lives)
    pflops = generations[0].pflops_per_unit
    demand = demand_curve(scenario, generations, horizon)
    area, above = capacity_integrals(lives, stops, pflops, demand, horizon)
    module = scenario.fleet.module
    sunlit = 1.0 - module.eclipse_fraction
    tb = scenario.ground.data_tb_per_pflops_day
    held = backlog(lives, stops, pflops, demand, sky, sunlit * tb, module.data_buffer_tb, horizon)
    used = sunlit * (area - above)
    per_tb = 1.0 / tb if tb > 0 else 0.0
    events = _events(lives, launched, firsts, sky, horizon)
    kpis = {
        "unit_failures": int(events["unit_failure"][2].sum()),
        "delivered_pflops_days": used - (held.lost + held.held) * per_tb,
        "capacity_pflops_days": sunlit * area,
        "surplus_pflops_days": sunlit * above,
        "data_generated_tb": used * tb,
        "data_delivered_tb": used * tb - held.lost - held.held,
        "data_lost_tb": held.lost,
        "data_backlog_tb": held.held,
        "ground_blackout_fraction": _blackout_days(sky, horizon) / horizon,
        "modules_launched": int(np.isfinite(launched).sum()),
        "module_failures": len(events["module_failure"][0]),
        "deorbits": len(events["deorbit"][0]),
    }
    return Floor(kpis, events)


def _events(lives: Lives, launched: np.ndarray, firsts: np.ndarray, sky: Weather,
            horizon: float) -> dict[str, tuple[np.ndarray, ...]]:
    """Event arrays by kind: (days, modules[, counts]) as the engine logs them (one decision, the
    initial order; one `unit_failure` row per module and day, with its count)."""
    until = np.minimum(lives.end, horizon)
    failed = lives.unit_end <= until[:, None]
    rows, slots = failed.nonzero()
    days = lives.unit_end[rows, slots]
    first = np.ones(len(days), dtype=bool)
    first[1:] = (days[1:] != days[:-1]) | (rows[1:] != rows[:-1])
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(days)))
    ended = np.isfinite(lives.end)
    return {
        "decision": (np.zeros(1), np.full(1, -1)),
        "launch": (launched[firsts], firsts),
        "commissioned": (lives.commissioned, lives.ids),
        "unit_failure": (days[starts], lives.ids[rows[starts]], counts),
        "module_failure": (lives.end[ended & ~lives.retired], lives.ids[ended & ~lives.retired]),
        "deorbit": (lives.end[lives.retired], lives.ids[lives.retired]),
        "ground_outage": (sky.days[~sky.clear], sky.stations[~sky.clear]),
        "ground_restored": (sky.days[sky.clear], sky.stations[sky.clear]),
    }


def _blackout_days(sky: Weather, horizon: float) -> float:
    """Days with no station clear before the horizon."""
    edges = np.concatenate([[0.0], sky.days, [horizon]])
    return float(np.diff(edges) @ (sky.drain == 0.0))


RELATIVE_TOLERANCE = 1e-9   # the two sides sum the same terms in different orders: about 1e-14 apart


def mismatches(floor: Floor, summary: dict, kinds: dict[str, int]) -> list[str]:
    """What differs between the floor and the engine's `summary` and event counts by kind: every
    KPI within RELATIVE_TOLERANCE (of the larger magnitude, data against the TB generated), counts exactly."""
    bad = []
    scale = {"data_lost_tb": floor.kpis["data_generated_tb"], "data_backlog_tb": floor.kpis["data_generated_tb"],
             "surplus_pflops_days": floor.kpis["capacity_pflops_days"]}
    for key, mine in floor.kpis.items():
        theirs = float(summary[key])
        size = max(abs(mine), abs(theirs), scale.get(key, 0.0))
        if abs(mine - theirs) > RELATIVE_TOLERANCE * size:
            bad.append(f"{key}: floor {mine!r}, engine {theirs!r}")
    for kind, count in floor.counts().items():
        if kinds.get(kind, 0) != count:
            bad.append(f"{kind} events: floor {count}, engine {kinds.get(kind, 0)}")
    extra = {k: v for k, v in kinds.items() if v and k not in floor.events}
    if extra:
        bad.append(f"engine events the floor does not make: {extra}")
    return bad
