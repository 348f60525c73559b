"""A hand-computable case: one module whose unit failures are scripted, with fixed launch and trip times.

World: one module of 16 units (2 PFLOPS each, no eclipse, an array that never limits), ordered at
day 0 with a 10-day lead time and 11 days of commissioning (so it operates from day 21). Four units
fail on days 105, 205, 305 and 405; the policy calls a servicer at 4 failed units (25%), so a trip
leaves on day 405 and replaces the four units half-way through its 52 days, on day 431. Nothing
else fails. The horizon is two years (730.5 days) and the timeline is sampled every 10 days.

Mass and money: at day 0 the servicer (2,300 kg dry + a 1,000 kg tank) is ordered, and
the depot's standing order (reorder point one trip's load, 32 boards; order a load per servicer, at
least enough to exceed the point) orders 33 boards. Both ride the module's flight on day 10 (22.8 t of
payload). The trip draws 4 boards on day 431, leaving 29: the depot orders 32 more, which fly alone
on day 441 (no module is queued; lead time 10 days). Boards are bought when they fly. The servicer
and its target share one cluster (tiny's orbits), so the trip's Δv is the rendezvous alone, and its
propellant follows by the rocket equation for the servicer, its tank and the 32 boards it carries.
"""
import math

import numpy as np
import pytest

from fleet.scenario import parse_scenario
from runs import simulate
from tests.scripted import failure_trace, one_module_dict

FAIL_DAYS = [105.0, 205.0, 305.0, 405.0]
UNITS = 16
PFLOPS = 2.0
HORIZON = 730.5
START = 21.0        # ordered 0 + lead 10 + commissioning 11
REPAIR = 405.0 + 26.0


def scripted_scenario(folder):
    base = one_module_dict()
    base["failures"]["trace"] = failure_trace(folder, FAIL_DAYS)
    base["timeline_step_days"] = 10
    base["fleet"]["module"].update(units=UNITS, solar_array_kw=17.6, array_degradation_per_year=0.0,
                                   eclipse_fraction=0.0, design_life_years=10)
    base["servicing"]["units_per_trip"] = 32
    return parse_scenario(base, "scripted")


@pytest.fixture
def result(tmp_path):
    return simulate(scripted_scenario(tmp_path), seed=0)


def test_events_are_exactly_the_scripted_ones(result):
    ev = result.events[~result.events.kind.isin(["ground_outage", "ground_restored"])]
    got = [(round(t, 6), k, m, c) for t, k, m, c in zip(ev.time_days, ev.kind.astype(str), ev.module, ev["count"])]
    expected = [
        (0.0, "decision", -1, 1),            # initial deployment
        (0.0, "decision", -1, 1),            # the servicer
        (0.0, "decision", -1, 33),           # the depot's first boards
        (10.0, "launch", -1, 1),
        (10.0, "resupply", -1, 1),           # the servicer rides the module's flight
        (10.0, "resupply", -1, 33),          # and so do the boards
        (21.0, "commissioned", 0, 1),
        (105.0, "unit_failure", 0, 1),
        (205.0, "unit_failure", 0, 1),
        (305.0, "unit_failure", 0, 1),
        (405.0, "decision", 0, 1),           # the policy sends a servicer
        (405.0, "servicing_dispatch", -1, 1),
        (431.0, "servicing", 0, 4),
        (431.0, "decision", -1, 32),         # the depot reorders: 29 left
        (441.0, "resupply", -1, 32),         # a flight of its own
        (405.0, "unit_failure", 0, 1),       # materialised in bulk, so logged after same-day events
    ]
    assert sorted(got) == sorted(expected)
    assert result.events.time_days.is_monotonic_increasing


def test_delivered_compute_and_availability_by_hand(result):
    s = result.summary
    unit_days = ((UNITS - 4) * (HORIZON - START) + sum(d - START for d in FAIL_DAYS)
                 + 4 * (HORIZON - REPAIR))
    assert s["delivered_pflops_days"] == pytest.approx(unit_days * PFLOPS, rel=1e-12)

    def alive(t):  # right-continuous: a unit failing on day d is down at d
        if t < START:
            return 0
        return UNITS - sum(d <= t for d in FAIL_DAYS) + (4 if t >= REPAIR else 0)

    # availability is the exact time integral of capacity (never above the target here) over the target
    assert s["mean_availability"] == pytest.approx(unit_days / (UNITS * HORIZON), rel=1e-12)
    samples = list(np.arange(0, HORIZON, 10.0)) + [HORIZON]
    assert list(result.timeline.units_alive) == [alive(t) for t in samples]


def test_costs_by_hand(result):
    scenario = result.scenario
    econ = scenario.economics
    unit_price = scenario.hardware.generations[0].price_usd_per_unit
    board_kg = scenario.hardware.generations[0].mass_kg_per_unit
    mass = scenario.fleet.module.bus_mass_kg + UNITS * board_kg
    sv = scenario.servicing
    servicer_kg = sv.servicer_dry_mass_kg + sv.tank_kg
    # the rocket equation by hand: m0 (1 - exp(-dv / (Isp g0))), g0 = 9.80665 m/s^2
    burned = (servicer_kg + 32 * board_kg) * (1 - math.exp(-sv.rendezvous_delta_v_m_s / (sv.isp_s * 9.80665)))
    first_flight = 1000.0 * (mass + servicer_kg + 33 * board_kg)
    launch = first_flight + 1000.0 * 32 * board_kg
    hardware = econ.bus_price_usd + UNITS * unit_price + (33 + 32) * unit_price
    servicing = scenario.servicing.cost_per_trip_usd
    operations = econ.operations_usd_per_module_year * (HORIZON - START) / 365.25
    ground = econ.ground_usd_per_station_year * 2
    s = result.summary
    assert s["cost_launch_usd"] == pytest.approx(launch)
    assert s["cost_hardware_usd"] == pytest.approx(hardware)
    assert s["cost_servicing_usd"] == pytest.approx(servicing)
    assert s["cost_servicers_usd"] == pytest.approx(sv.servicer_price_usd)
    assert s["cost_operations_usd"] == pytest.approx(operations, rel=1e-12)
    assert s["cost_ground_usd"] == pytest.approx(ground, rel=1e-12)
    assert s["cost_total_usd"] == pytest.approx(launch + hardware + servicing + sv.servicer_price_usd + operations
                                                + ground, rel=1e-12)
    assert s["unit_failures"] == 4 and s["units_replaced"] == 4 and s["servicing_trips"] == 1
    assert s["boards_launched"] == 65 and s["boards_installed"] == 4 and s["boards_in_stock"] == 61
    assert s["mass_launched_kg"] == pytest.approx(mass + servicer_kg + 65 * board_kg)
    assert s["mass_propellant_burned_kg"] == pytest.approx(burned, rel=1e-12) and burned > 0
    assert s["servicer_delta_v_m_s"] == sv.rendezvous_delta_v_m_s
    assert s["mass_deorbited_kg"] == pytest.approx(4 * board_kg)       # the failed boards, taken out
    # the launch row carries the whole first flight and the module's hardware; discounting lowers the total
    assert result.events.loc[result.events.kind == "launch", "cost_usd"].sum() == pytest.approx(
        first_flight + econ.bus_price_usd + UNITS * unit_price)
    assert s["cost_npv_usd"] < s["cost_total_usd"]
    rate = econ.discount_rate
    launch_pv = (first_flight + econ.bus_price_usd + UNITS * unit_price) * (1 + rate) ** (-10 / 365.25)
    assert s["cost_npv_usd"] > launch_pv
    assert math.isfinite(s["cost_per_pflops_day_usd"])
