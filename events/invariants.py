"""Book-keeping invariants checked at the end of every replication (cheap: a few passes over arrays).

A broken invariant is a bug in the simulator, not bad input: it raises InvariantError (exit status
1), whose message names the invariant, the simulated day and the module concerned.
"""
from __future__ import annotations

import math

import numpy as np

from events.ground import GroundNetwork
from events.timeline import Timeline
from events.world import World
from fleet.eclipse import battery_mass_kg
from fleet.kpis import COST_CATEGORIES
from fleet.state import Status
from fleet.tolerances import RELATIVE_SLACK

REL = 1e-6        # relative tolerance of sums of floating-point amounts


class InvariantError(RuntimeError):
    """An internal inconsistency of the simulation state."""

    def __init__(self, invariant: str, day: float, detail: str, module: int | None = None):
        self.invariant = invariant
        self.day = day
        self.module = module
        where = "" if module is None else f", module {module}"
        super().__init__(f"invariant '{invariant}' broken at day {day:.3f}{where}: {detail}")


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= REL * max(1.0, abs(a), abs(b))


def check_replication(world: World, ground: GroundNetwork, timeline: Timeline, summary: dict) -> None:
    """Run every check on the state at the end of a replication."""
    for check in (check_modules, check_units, check_stocks, check_costs, check_availability, check_data,
                  check_mass, check_boards):
        check(world, ground, timeline, summary)


def check_modules(world: World, ground: GroundNetwork, timeline: Timeline, summary: dict) -> None:
    """Every module ordered is in exactly one status; launched = operational + in transit + failed +
    deorbited + standby spares + lost at launch; operating and ended modules have their dates."""
    t, day = world.table, world.now
    status = t.status[: t.n]
    bad = np.flatnonzero(~np.isin(status, [int(s) for s in Status]))
    if len(bad):
        raise InvariantError("module status", day, f"unknown status code {int(status[bad[0]])}", int(bad[0]))
    n = np.bincount(status, minlength=len(Status))
    flown = sum(int(n[s]) for s in Status if s not in (Status.ORDERED, Status.LOST_AT_LAUNCH))
    c = world.counters
    if c["modules_lost_at_launch"] != n[Status.LOST_AT_LAUNCH]:
        raise InvariantError("module conservation", day, f"{c['modules_lost_at_launch']} modules counted lost at "
                             f"launch but {n[Status.LOST_AT_LAUNCH]} have that status")
    if c["modules_launched"] != flown + n[Status.LOST_AT_LAUNCH]:
        raise InvariantError("module conservation", day, f"{c['modules_launched']} modules launched but "
                             f"{flown} operational, in transit, spare, failed or deorbited and "
                             f"{n[Status.LOST_AT_LAUNCH]} lost at launch")
    started = np.isin(status, (Status.OPERATIONAL, Status.FAILED, Status.DEORBITED))
    undated = np.flatnonzero(started & ~(t.commissioned_day[: t.n] <= day))
    if len(undated):
        raise InvariantError("module dates", day, "operating or ended without a commissioning day in the past",
                             int(undated[0]))
    ended = np.isin(status, (Status.FAILED, Status.DEORBITED, Status.LOST_AT_LAUNCH))
    open_ended = np.flatnonzero(ended & ~(t.end_day[: t.n] <= day))
    if len(open_ended):
        raise InvariantError("module dates", day, "ended without an end day in the past", int(open_ended[0]))


def check_units(world: World, ground: GroundNetwork, timeline: Timeline, summary: dict) -> None:
    """Each installed unit slot is either alive or failed (never both, never undefined), so units
    alive are never negative nor above those installed."""
    t, day = world.table, world.now
    rows = t.ids(Status.OPERATIONAL)
    ends = t.unit_end[rows]
    alive = (ends > day).sum(axis=1)
    failed = (ends <= day).sum(axis=1)
    bad = np.flatnonzero(alive + failed != t.units)
    if len(bad):
        m = int(rows[bad[0]])
        raise InvariantError("unit conservation", day, f"{alive[bad[0]]} units alive and {failed[bad[0]]} failed "
                             f"of {t.units} installed", m)
    alive_now = np.asarray(timeline.rows["units_alive"])
    ops_now = np.asarray(timeline.rows["modules_operational"])
    over = np.flatnonzero((alive_now < 0) | (alive_now > ops_now * t.units))
    if len(over):
        i = int(over[0])
        raise InvariantError("units alive in range", float(timeline.rows["time_days"][i]),
                             f"{alive_now[i]} units alive in {ops_now[i]} operational modules of {t.units} units")
    for key in ("unit_failures", "units_replaced"):
        if summary[key] < 0:
            raise InvariantError("non-negative counts", day, f"{key} is {summary[key]}")


def check_stocks(world: World, ground: GroundNetwork, timeline: Timeline, summary: dict) -> None:
    """Compute, costs, data backlog and counters are never negative nor undefined."""
    t, day = world.table, world.now
    delivered = t.delivered_pflops_days[: t.n]
    bad = np.flatnonzero(~(delivered >= 0) | ~np.isfinite(delivered))
    if len(bad):
        raise InvariantError("non-negative compute", day, f"delivered {delivered[bad[0]]} PFLOPS-days", int(bad[0]))
    for cat in COST_CATEGORIES:
        usd = summary[f"cost_{cat}_usd"]
        if not usd >= 0:
            raise InvariantError("non-negative costs", day, f"cost_{cat}_usd is {usd}")
    for key in ("data_generated_tb", "data_delivered_tb", "data_lost_tb", "data_backlog_tb"):
        if not summary[key] >= -RELATIVE_SLACK * max(1.0, summary["data_generated_tb"]):
            raise InvariantError("non-negative data", day, f"{key} is {summary[key]}")
    for key in ("delivered_pflops_days", "surplus_pflops_days", "lost_pflops_days", "pending_pflops_days"):
        if not summary[key] >= -RELATIVE_SLACK * max(1.0, summary["capacity_pflops_days"]):
            raise InvariantError("non-negative compute", day, f"{key} is {summary[key]}")
    negative = [k for k, v in world.counters.items() if v < 0]
    if negative:
        raise InvariantError("non-negative counts", day, f"{negative[0]} is {world.counters[negative[0]]}")


def check_costs(world: World, ground: GroundNetwork, timeline: Timeline, summary: dict) -> None:
    """The total cost is the sum of its categories, and its present value is not above it."""
    parts = sum(summary[f"cost_{cat}_usd"] for cat in COST_CATEGORIES)
    total = summary["cost_total_usd"]
    if not _close(total, parts):
        raise InvariantError("costs add up", world.now, f"cost_total_usd {total:,.2f} but its parts sum to {parts:,.2f}")
    if not summary["cost_npv_usd"] <= total * (1 + REL) + REL:
        raise InvariantError("costs add up", world.now,
                             f"present value {summary['cost_npv_usd']:,.2f} above the total {total:,.2f}")


def check_availability(world: World, ground: GroundNetwork, timeline: Timeline, summary: dict) -> None:
    """Availability lies in [0, 1], sample by sample and on average."""
    avail = np.asarray(timeline.rows["availability"], dtype=float)
    bad = np.flatnonzero(~((avail >= 0) & (avail <= 1)))
    if len(bad):
        i = int(bad[0])
        raise InvariantError("availability in [0, 1]", float(timeline.rows["time_days"][i]),
                             f"availability {avail[i]}")
    mean = summary["mean_availability"]
    if not (0 <= mean <= 1) or math.isnan(mean):
        raise InvariantError("availability in [0, 1]", world.now, f"mean_availability {mean}")


def check_data(world: World, ground: GroundNetwork, timeline: Timeline, summary: dict) -> None:
    """Results data is conserved: generated = delivered + lost + still on board; the capacity
    path's integral is the compute the fleet table integrated module by module; and compute is
    accounted for: capacity = used + surplus, used = delivered + lost + pending, availability =
    delivered / demand, cost per PFLOPS-day = cost / delivered."""
    s = summary
    table_compute = float(world.table.delivered_pflops_days[: world.table.n].sum())
    if not _close(s["capacity_pflops_days"], table_compute):
        raise InvariantError("compute integrals agree", world.now, f"capacity path {s['capacity_pflops_days']:.9g} "
                             f"but modules {table_compute:.9g} PFLOPS-days")
    held = s["data_delivered_tb"] + s["data_lost_tb"] + s["data_backlog_tb"]
    if not _close(s["data_generated_tb"], held):
        raise InvariantError("data conservation", world.now,
                             f"generated {s['data_generated_tb']:.6g} TB but delivered + lost + backlog = {held:.6g} TB")
    used = s["delivered_pflops_days"] + s["lost_pflops_days"] + s["pending_pflops_days"]
    if not _close(s["capacity_pflops_days"], used + s["surplus_pflops_days"]):
        raise InvariantError("compute conservation", world.now,
                             f"capacity {s['capacity_pflops_days']:.9g} PFLOPS-days but delivered + lost + pending "
                             f"+ surplus = {used + s['surplus_pflops_days']:.9g}")
    if not _close(s["demand_pflops_days"], world.demand.integral(0.0, world.horizon_day)) or \
            used > s["demand_pflops_days"] * (1 + REL) + REL:
        raise InvariantError("compute within demand", world.now, f"used {used:.9g} PFLOPS-days of a demand of "
                             f"{s['demand_pflops_days']:.9g}")
    wanted, delivered = s["demand_pflops_days"], s["delivered_pflops_days"]
    if wanted > 0 and not _close(s["mean_availability"], delivered / wanted):
        raise InvariantError("availability is delivered over demand", world.now,
                             f"{s['mean_availability']} but {delivered:.9g} / {wanted:.9g}")
    if delivered > 0 and not _close(s["cost_per_pflops_day_usd"], s["cost_total_usd"] / delivered):
        raise InvariantError("cost per delivered PFLOPS-day", world.now,
                             f"{s['cost_per_pflops_day_usd']} but {s['cost_total_usd']:.9g} / {delivered:.9g}")


def mass_balance(world: World) -> dict:
    """Where the mass launched is now, from the state at the horizon, kg: in orbit (modules launched
    and not ended, boards in the depot, servicers with their propellant), deorbited (modules and the
    failed boards servicers took out of them), left as debris (dead modules, lost servicers), and
    boards in the depot (count)."""
    t = world.table
    status = t.status[: t.n]
    board_kg = np.array([g.mass_kg_per_unit for g in world.generations])
    bus_kg = world.scenario.fleet.module.bus_mass_kg + battery_mass_kg(world.scenario)
    mass = bus_kg + t.units * board_kg[t.generation[: t.n]]
    by_status = np.bincount(status, weights=mass, minlength=len(Status) + 1)
    stock = world.depot.stock
    c = world.counters
    in_orbit = (by_status[Status.IN_TRANSIT] + by_status[Status.OPERATIONAL] + by_status[Status.SPARE]
                + float(stock @ board_kg) + world.servicing.mass_in_orbit_kg())
    return {
        "mass_in_orbit_kg": float(in_orbit),
        "mass_deorbited_kg": float(by_status[Status.DEORBITED] + c["boards_removed_kg"]),
        "mass_debris_kg": float(by_status[Status.FAILED] + c["mass_debris_servicers_kg"]),
        "boards_in_stock": int(stock.sum()),
    }


def check_mass(world: World, ground: GroundNetwork, timeline: Timeline, summary: dict) -> None:
    """Mass is conserved: launched (modules, boards, servicers, propellant) = in orbit + deorbited +
    lost at launch + debris + propellant burned, each side from its own records; the summary holds
    the state's figures."""
    state = mass_balance(world)
    for key, value in state.items():
        if not _close(summary[key], value):
            raise InvariantError("mass conservation", world.now, f"summary {key} is {summary[key]:,.3f} but the "
                                 f"state gives {value:,.3f}")
    c = world.counters
    launched = c["mass_launched_kg"]
    held = (state["mass_in_orbit_kg"] + state["mass_deorbited_kg"] + c["mass_lost_at_launch_kg"]
            + state["mass_debris_kg"] + c["propellant_burned_kg"])
    if not _close(launched, held):
        raise InvariantError("mass conservation", world.now, f"{launched:,.3f} kg launched but in orbit + "
                             f"deorbited + lost at launch + debris + propellant burned = {held:,.3f} kg")


def check_boards(world: World, ground: GroundNetwork, timeline: Timeline, summary: dict) -> None:
    """Every board launched (on a module or to the depot) is in the depot, installed on a module in
    any state, taken out of a module by a servicer (failed, or replaced by an upgrade), or lost at
    launch; and the depot never installed more than it received."""
    t, c = world.table, world.counters
    status = t.status[: t.n]
    n = np.bincount(status, minlength=len(Status) + 1)
    on_modules = int(n[Status.IN_TRANSIT] + n[Status.OPERATIONAL] + n[Status.SPARE] + n[Status.FAILED]
                     + n[Status.DEORBITED]) * t.units
    launched = c["modules_launched"] * t.units + c["boards_launched"]
    removed = world.units_replaced + c["upgrades"] * t.units
    lost = c["modules_lost_at_launch"] * t.units + c["boards_lost_at_launch"]
    stock = int(world.depot.stock.sum())
    if launched != stock + on_modules + removed + lost or stock < 0 or c["boards_installed"] != removed:
        raise InvariantError("board conservation", world.now, f"{launched:,} boards launched but {stock:,} in the "
                             f"depot, {on_modules:,} on modules, {removed:,} taken out by servicers "
                             f"({c['boards_installed']:,} installed from the depot) and {lost:,} lost at launch")
