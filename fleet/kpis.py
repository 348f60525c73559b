"""The KPI registry: every key of a replication's summary, with its unit, direction, label, format
and meaning. The summary, the terminal tables, the statistics and objectives of comparisons and
sweeps, and the reports all read it; a test checks that a summary holds exactly these keys.

`direction` says which way a KPI is better (`maximise`, `minimise`), or `none` when it is a count
or a fact that no study should optimise (it then cannot be an objective). `outcome` is False for
bookkeeping that is not an outcome of the simulated world (event count, wall time).
"""
from __future__ import annotations

from dataclasses import dataclass

MAXIMISE, MINIMISE, NONE = "maximise", "minimise", "none"

# categories of the cost ledger: each has a summary KPI cost_<category>_usd
COST_CATEGORIES = ("launch", "hardware", "servicing", "servicers", "operations", "ground", "failure", "deorbit")
_COST_MEANINGS = {
    "launch": "launch prices paid for flights of modules, boards, servicers and propellant",
    "hardware": "hardware bought when it flies: modules, their boards, replacement and upgrade boards",
    "servicers": "servicers bought, when each is launched (the first ones and replacements)",
    "servicing": "servicing trips dispatched",
    "operations": "operating the modules, per module-year in operation",
    "ground": "ground stations, per station-year",
    "failure": "costs booked when a module dies in orbit",
    "deorbit": "deorbit burns, per module deorbited (end of design life or decision)",
}


@dataclass(frozen=True)
class Kpi:
    """One summary KPI. `format` is a `str.format` pattern for one value."""

    name: str
    unit: str
    direction: str
    label: str
    format: str
    meaning: str
    outcome: bool = True


_COUNT = "{:,d}"
_USD = "${:,.0f}"
_USD_PER = "${:,.2f}"

KPIS: tuple[Kpi, ...] = (
    Kpi("delivered_pflops_days", "PFLOPS-days", MAXIMISE, "delivered compute", "{:,.0f} PFLOPS-days",
        "compute used (capacity up to demand, idle in eclipse) whose results reached the ground"),
    Kpi("mean_availability", "fraction", MAXIMISE, "mean availability", "{:.1%}",
        "delivered compute over demand, both integrated exactly over the run"),
    Kpi("capacity_pflops_days", "PFLOPS-days", NONE, "capacity", "{:,.0f} PFLOPS-days",
        "usable units of operational modules, idle in eclipse, integrated exactly: used + surplus"),
    Kpi("surplus_pflops_days", "PFLOPS-days", MINIMISE, "idle surplus", "{:,.0f} PFLOPS-days",
        "capacity above demand, left idle (produces no results)"),
    Kpi("lost_pflops_days", "PFLOPS-days", MINIMISE, "compute lost", "{:,.0f} PFLOPS-days",
        "used compute whose results were lost (full buffers, modules lost with their share of the backlog)"),
    Kpi("pending_pflops_days", "PFLOPS-days", NONE, "compute pending", "{:,.0f} PFLOPS-days",
        "used compute whose results are still on board at the horizon"),
    Kpi("launches", "count", MINIMISE, "launches", _COUNT, "flights flown, failed or not"),
    Kpi("launch_failures", "count", MINIMISE, "launch failures", _COUNT, "flights lost with their payload"),
    Kpi("modules_launched", "count", MINIMISE, "modules launched", _COUNT, "modules that left the ground"),
    Kpi("modules_lost_at_launch", "count", MINIMISE, "modules lost at launch", _COUNT,
        "modules on flights that failed"),
    Kpi("unit_failures", "count", NONE, "unit failures", _COUNT, "accelerator boards that failed in orbit"),
    Kpi("module_failures", "count", MINIMISE, "module failures", _COUNT,
        "modules dead in orbit (bus failure, debris strike)"),
    Kpi("servicing_trips", "count", MINIMISE, "servicing trips", _COUNT, "servicing trips dispatched"),
    Kpi("servicing_failures", "count", MINIMISE, "servicing failures", _COUNT, "servicing trips that failed"),
    Kpi("units_replaced", "count", NONE, "units replaced", _COUNT, "failed boards replaced by servicing"),
    Kpi("upgrades", "count", NONE, "upgrades", _COUNT, "modules whose boards were all replaced by a newer generation"),
    Kpi("deorbits", "count", NONE, "deorbits", _COUNT, "modules deorbited (end of design life or decision)"),
    Kpi("debris_left", "count", MINIMISE, "dead modules left in orbit", _COUNT,
        "modules that died in orbit and stay there as debris"),
    Kpi("mass_launched_kg", "kg", MINIMISE, "mass launched", "{:,.0f} kg",
        "mass of every flight's payload: modules, boards, servicers, propellant"),
    Kpi("mass_in_orbit_kg", "kg", NONE, "mass in orbit", "{:,.0f} kg",
        "at the horizon: modules not ended, boards in the depot, servicers with their propellant"),
    Kpi("mass_deorbited_kg", "kg", NONE, "mass deorbited", "{:,.0f} kg",
        "modules deorbited, and boards servicers took out of modules"),
    Kpi("mass_lost_at_launch_kg", "kg", MINIMISE, "mass lost at launch", "{:,.0f} kg", "payload of failed flights"),
    Kpi("mass_debris_kg", "kg", MINIMISE, "mass left as debris", "{:,.0f} kg",
        "modules dead in orbit and servicers lost, with their propellant"),
    Kpi("mass_propellant_burned_kg", "kg", NONE, "propellant burned", "{:,.0f} kg", "propellant servicers burned on trips"),
    Kpi("propellant_launched_kg", "kg", NONE, "propellant delivered", "{:,.0f} kg",
        "propellant that reached orbit to refuel servicers (their first tanks fly with them)"),
    Kpi("boards_launched", "count", NONE, "boards launched to the depot", _COUNT,
        "replacement boards launched, lost at launch or not (boards on modules are not counted)"),
    Kpi("boards_installed", "count", NONE, "boards installed from the depot", _COUNT,
        "boards servicers took from the depot and installed"),
    Kpi("boards_lost_at_launch", "count", NONE, "boards lost at launch", _COUNT, "depot boards on failed flights"),
    Kpi("boards_in_stock", "count", NONE, "boards in the depot", _COUNT, "boards waiting in the depot at the horizon"),
    Kpi("servicers_launched", "count", NONE, "servicers launched", _COUNT,
        "servicers that reached orbit (the first ones and replacements)"),
    Kpi("servicers_lost", "count", MINIMISE, "servicers lost", _COUNT, "servicers lost on failed trips"),
    Kpi("refuels", "count", NONE, "refuels", _COUNT, "propellant deliveries that refilled a servicer"),
    Kpi("servicer_delta_v_m_s", "m/s", MINIMISE, "servicer Δv", "{:,.0f} m/s",
        "Δv of all servicing legs flown (phasing, plane changes, drift orbits; 0 without orbits)"),
    Kpi("deorbit_delta_v_m_s", "m/s", NONE, "deorbit Δv per module", "{:,.0f} m/s",
        "Δv of one module's deorbit burn, averaged over clusters (0 without orbits)"),
    Kpi("debris_decay_years", "years", MINIMISE, "debris decay time", "{:,.1f} years",
        "natural decay time of a module dead in orbit at its shell's altitude, averaged over the modules dead "
        "at the horizon (0 if none, or without orbits)"),
    Kpi("cost_total_usd", "USD", MINIMISE, "total cost", _USD, "every cost booked, undiscounted"),
    Kpi("cost_npv_usd", "USD", MINIMISE, "present value of cost", _USD,
        "every cost discounted at the scenario's rate to the start, exactly for costs accruing with time"),
    Kpi("cost_per_pflops_day_usd", "USD/PFLOPS-day", MINIMISE, "cost per PFLOPS-day", _USD_PER,
        "total cost over delivered compute"),
    Kpi("data_generated_tb", "TB", NONE, "data generated", "{:,.0f} TB", "results produced on board"),
    Kpi("data_delivered_tb", "TB", MAXIMISE, "data delivered", "{:,.0f} TB", "results that reached the ground"),
    Kpi("data_lost_tb", "TB", MINIMISE, "data lost", "{:,.0f} TB", "results lost to full buffers or with modules that stopped"),
    Kpi("data_backlog_tb", "TB", MINIMISE, "data still on board", "{:,.1f} TB",
        "results waiting on board at the horizon"),
    Kpi("ground_blackout_fraction", "fraction", MINIMISE, "ground blackout", "{:.1%}",
        "fraction of the run with no station able to receive"),
    Kpi("servicer_utilisation", "fraction", NONE, "servicer utilisation", "{:.1%}",
        "fraction of servicer-days spent on trips"),
    Kpi("space_weather_events", "count", NONE, "space weather events", _COUNT, "solar particle events"),
    Kpi("eclipse_fraction", "fraction", NONE, "time in shadow", "{:.2%}",
        "fraction of the time in Earth's shadow, averaged over the run and the operational modules (each in "
        "its shell's blocks of days; compute idles then unless on batteries)"),
    Kpi("contact_hours_per_day", "h/day", MAXIMISE, "ground contact", "{:.2f} h/day",
        "hours a day with at least one station in view (weather aside), averaged over the clusters and days"),
    Kpi("dose_krad_mean", "krad", MINIMISE, "dose per module", "{:.2f} krad",
        "ionising dose behind the shielding at the end of life or at the horizon, averaged over the modules "
        "that ever operated"),
    Kpi("modules_operational_final", "count", MAXIMISE, "modules operating at the end", _COUNT,
        "operational modules at the horizon"),
    Kpi("demand_pflops_days", "PFLOPS-days", NONE, "demand", "{:,.0f} PFLOPS-days",
        "compute users wanted, integrated over the run"),
    *(Kpi(f"cost_{cat}_usd", "USD", NONE, f"{cat} cost", _USD, _COST_MEANINGS[cat]) for cat in COST_CATEGORIES),
    Kpi("earth_cost_total_usd", "USD", NONE, "Earth: total cost", _USD,
        "total cost of the terrestrial data center serving the same demand"),
    Kpi("earth_cost_npv_usd", "USD", NONE, "Earth: present value of cost", _USD,
        "the terrestrial data center's costs discounted at its cost of capital"),
    Kpi("earth_delivered_pflops_days", "PFLOPS-days", NONE, "Earth: delivered compute", "{:,.0f} PFLOPS-days",
        "compute the terrestrial data center delivers over the horizon"),
    Kpi("earth_cost_per_pflops_day_usd", "USD/PFLOPS-day", NONE, "Earth: cost per PFLOPS-day", _USD_PER,
        "the terrestrial data center's total cost over its delivered compute"),
    Kpi("orbit_levelised_usd_per_pflops_day", "USD/PFLOPS-day", MINIMISE, "orbit levelised cost per PFLOPS-day",
        _USD_PER, "present value of orbit's costs over present value of its delivered compute"),
    Kpi("earth_levelised_usd_per_pflops_day", "USD/PFLOPS-day", NONE, "Earth levelised cost per PFLOPS-day",
        _USD_PER, "the same for the terrestrial data center, at its cost of capital"),
    Kpi("orbit_to_earth_cost_ratio", "ratio", MINIMISE, "orbit / Earth levelised cost", "{:.3f}",
        "orbit's levelised cost over Earth's"),
    Kpi("orbit_cheaper_from_year", "year", NONE, "orbit cheaper from year", "{:.0f}",
        "first year at whose end orbit's levelised cost to date is at most Earth's (NaN: never)"),
    Kpi("events", "count", NONE, "events", _COUNT, "rows of the event log", outcome=False),
    Kpi("wall_seconds", "s", NONE, "wall time", "{:.2f} s", "time the replication took to run", outcome=False),
)

REGISTRY: dict[str, Kpi] = {k.name: k for k in KPIS}

# the KPIs a report leads with
HEADLINE: tuple[str, ...] = ("delivered_pflops_days", "mean_availability", "cost_total_usd", "cost_npv_usd",
                             "cost_per_pflops_day_usd", "data_lost_tb")


def formats() -> dict[str, tuple[str, str]]:
    """KPI name -> (label, format), in registry order."""
    return {k.name: (k.label, k.format) for k in KPIS}


def directions() -> dict[str, str]:
    """KPI name -> direction, for the KPIs that can be objectives (direction not `none`)."""
    return {k.name: k.direction for k in KPIS if k.direction != NONE}


def not_outcomes() -> tuple[str, ...]:
    """Names of the bookkeeping KPIs, which are not outcomes of the simulated world."""
    return tuple(k.name for k in KPIS if not k.outcome)
