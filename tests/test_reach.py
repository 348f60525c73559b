"""What altitude costs and servicing reach: the geometry of `fleet.reach` against closed forms, and the
engine's servicers flying between planes."""
import math

import numpy as np
import pytest

from events.reach import Reach
from events.world import World
from fleet import orbits as o
from fleet import reach as r
from fleet.errors import ScenarioError
from fleet.scenario import at_altitude, lift_kg, parse_scenario
from runs import load_scenario, simulate
from tests.scripted import failure_trace, one_module_dict

G0 = 9.80665


def _sso(altitude_km, node_deg, phase_deg=0.0):
    inc = o.sun_synchronous_inclination_deg(altitude_km)
    return r.Plane(altitude_km, inc, node_deg, o.nodal_precession_deg_per_day(altitude_km, inc), phase_deg)


# ----- geometry ------------------------------------------------------------------------------------
def test_a_direct_plane_change_costs_2_v_sin_half_the_angle_between_the_planes():
    a, b = _sso(650.0, 0.0), _sso(650.0, 8.0)
    cos_angle = (math.cos(math.radians(a.inclination_deg)) ** 2
                 + math.sin(math.radians(a.inclination_deg)) ** 2 * math.cos(math.radians(8.0)))   # spherical trig
    v = math.sqrt(o.MU_KM3_S2 / (o.EARTH_RADIUS_KM + 650.0)) * 1000.0
    expected = 2 * v * math.sin(math.acos(cos_angle) / 2)
    leg = r.leg(a, b, 0.0, 15.0, max_wait_days=0.0)
    assert leg.wait_days == 0.0 and leg.days == 15.0
    assert leg.delta_v_m_s == pytest.approx(expected, rel=1e-9)


def test_within_a_plane_the_leg_is_a_phasing_manoeuvre_cheaper_when_slower():
    a, b = _sso(650.0, 0.0, 0.0), _sso(650.0, 0.0, 90.0)
    n = 2 * math.pi / o.period_s(650.0)
    v = o.speed_km_s(650.0) * 1000.0
    for days in (5.0, 30.0):
        expected = 2 / 3 * v * (math.pi / 2) / (n * days * 86400)       # (2/3) v dtheta / (n t)
        assert r.leg(a, b, 0.0, days, 90.0).delta_v_m_s == pytest.approx(expected, rel=1e-12)
    assert r.leg(a, _sso(650.0, 0.0, 0.0), 0.0, 15.0, 90.0).delta_v_m_s == 0.0       # same place: nothing
    assert r.leg(a, _sso(650.0, 0.0, 270.0), 0.0, 15.0, 90.0).delta_v_m_s == pytest.approx(
        r.leg(a, b, 0.0, 15.0, 90.0).delta_v_m_s, rel=1e-12)                           # the shorter way round


def test_the_wait_for_precession_is_the_node_gap_over_the_drift_difference_when_it_is_cheaper():
    inc = o.sun_synchronous_inclination_deg(600.0)
    a = _sso(600.0, 0.0)
    b = r.Plane(700.0, inc, 3.0, o.nodal_precession_deg_per_day(700.0, inc), 0.0)
    wait = 3.0 / (a.node_rate_deg_day - b.node_rate_deg_day)
    leg = r.leg(a, b, 0.0, 10.0, max_wait_days=wait + 1)
    assert leg.wait_days == pytest.approx(wait, rel=1e-12) and leg.days == pytest.approx(wait + 10.0, rel=1e-12)
    assert leg.delta_v_m_s == pytest.approx(r.hohmann_delta_v_km_s(600.0, 700.0) * 1000.0, rel=1e-12)
    # not allowed to wait that long: a drift orbit that closes the gap in the longest wait, dearer
    drift = r.leg(a, b, 0.0, 10.0, max_wait_days=wait - 1)
    assert drift.wait_days == wait - 1 and drift.delta_v_m_s > leg.delta_v_m_s
    # no wait at all: the direct transfer with its plane change, dearer still
    direct = r.leg(a, b, 0.0, 10.0, max_wait_days=0.0)
    assert direct.wait_days == 0.0 and direct.delta_v_m_s > 3 * drift.delta_v_m_s


def test_planes_of_one_shell_meet_from_a_drift_orbit_whose_node_closes_the_gap_in_the_longest_wait():
    a, b = _sso(650.0, 0.0), _sso(650.0, 20.0)
    leg = r.leg(a, b, 0.0, 10.0, max_wait_days=120.0)
    assert leg.wait_days == 120.0
    wait, altitude = r._drift(a, b, 0.0, 120.0)
    rate = o.nodal_precession_deg_per_day(altitude, a.inclination_deg)
    assert (rate - b.node_rate_deg_day) * 120.0 == pytest.approx(20.0, rel=1e-9)     # the gap closed on time
    assert leg.delta_v_m_s == pytest.approx(2000 * r.hohmann_delta_v_km_s(650.0, altitude), rel=1e-12)
    assert leg.delta_v_m_s < r.leg(a, b, 0.0, 10.0, max_wait_days=0.0).delta_v_m_s
    # a longer allowed wait needs a smaller altitude change
    assert r.leg(a, b, 0.0, 10.0, max_wait_days=240.0).delta_v_m_s < leg.delta_v_m_s


def test_hohmann_transfer_by_vis_viva():
    r1, r2 = o.radius_km(650.0), o.radius_km(1400.0)
    mu = o.MU_KM3_S2
    at = (r1 + r2) / 2
    expected = (math.sqrt(mu * (2 / r1 - 1 / at)) - math.sqrt(mu / r1)) + (math.sqrt(mu / r2) - math.sqrt(mu * (2 / r2 - 1 / at)))
    assert r.hohmann_delta_v_km_s(650.0, 1400.0) == pytest.approx(expected, rel=1e-12)
    assert r.hohmann_delta_v_km_s(1400.0, 650.0) == pytest.approx(expected, rel=1e-12)


def test_propellant_by_the_rocket_equation_by_hand():
    # 7,300 kg at Isp 1,500 s for 100 m/s: 7,300 (1 - exp(-100 / 14,709.975)) = 49.46 kg
    assert r.rocket_burn_kg(7300.0, 100.0, 1500.0) == pytest.approx(7300 * (1 - math.exp(-100 / (1500 * G0))), rel=1e-12)
    assert r.rocket_burn_kg(7300.0, 100.0, 1500.0) == pytest.approx(49.46, abs=0.01)
    assert r.rocket_burn_kg(7300.0, 0.0, 1500.0) == 0.0


# ----- what altitude costs ------------------------------------------------------------------------------
def test_a_vehicle_lifts_less_to_a_higher_orbit():
    assert r.lift_kg(100_000.0, 200.0, 200.0) == 100_000.0
    assert r.lift_kg(100_000.0, 200.0, 150.0) == 100_000.0
    dv = r.hohmann_delta_v_km_s(200.0, 1400.0) * 1000.0
    assert r.lift_kg(100_000.0, 200.0, 1400.0) == pytest.approx(100_000.0 * math.exp(-dv / (350.0 * G0)), rel=1e-12)
    lifts = [r.lift_kg(100_000.0, 200.0, h) for h in (550.0, 650.0, 1000.0, 1400.0)]
    assert lifts == sorted(lifts, reverse=True)


def test_the_engine_flies_what_a_vehicle_lifts_to_the_shell():
    sc = load_scenario("baseline")
    flown = at_altitude(sc)
    for given, lifted in zip(sc.launch.vehicles, flown.launch.vehicles):
        assert lifted.payload_kg == pytest.approx(lift_kg(sc, given)) and lifted.payload_kg < given.payload_kg
    assert at_altitude(flown) == flown                 # applied once


def test_deorbit_burn_by_vis_viva():
    r0, rp = o.radius_km(650.0), o.radius_km(50.0)
    expected = (math.sqrt(o.MU_KM3_S2 / r0) - math.sqrt(o.MU_KM3_S2 * (2 / r0 - 2 / (r0 + rp)))) * 1000
    assert r.deorbit_delta_v_m_s(650.0, 50.0) == pytest.approx(expected, rel=1e-12)
    assert r.deorbit_delta_v_m_s(1400.0, 50.0) > r.deorbit_delta_v_m_s(650.0, 50.0) > r.deorbit_delta_v_m_s(550.0, 50.0)


def test_natural_decay_grows_steeply_with_altitude_and_with_the_ballistic_coefficient():
    years = [r.decay_years(h, 25.0) for h in (400.0, 550.0, 650.0, 1000.0)]
    assert all(b > 3 * a for a, b in zip(years, years[1:]))
    assert r.decay_years(650.0, 50.0) == pytest.approx(2 * r.decay_years(650.0, 25.0), rel=1e-12)   # t proportional to B
    # one layer of the exponential atmosphere by hand: from 450 to 500 km, dt = B dh / (rho sqrt(mu a))
    h = np.linspace(450.0, 500.0, 51)
    rho = 1.585e-12 * np.exp(-(h - 450.0) / 60.828)
    rate = rho * np.sqrt(o.MU_KM3_S2 * 1e9 * (o.EARTH_RADIUS_KM + h) * 1000) / 25.0
    by_hand = np.trapezoid(1 / rate, h * 1000) / 86400 / o.TROPICAL_YEAR_DAYS
    assert r.decay_years(500.0, 25.0) - r.decay_years(450.0, 25.0) == pytest.approx(by_hand, rel=1e-6)
    assert r.decay_years(100.0, 25.0) == 0.0


def test_deorbits_book_their_disposal_propellant_and_dead_modules_their_decay_time():
    d = load_scenario("baseline").model_dump(mode="json")
    d["fleet"]["module"]["design_life_years"] = 2
    s = simulate(parse_scenario(d, "short-lived"), seed=1, years=4).summary
    assert s["deorbit_delta_v_m_s"] == pytest.approx(r.deorbit_delta_v_m_s(650.0, 50.0))
    if s["debris_left"]:
        assert s["debris_decay_years"] == pytest.approx(r.decay_years(650.0, 25.0))
    flat = load_scenario("baseline").economics.deorbit_usd_per_module
    assert s["deorbits"] > 0 and s["cost_deorbit_usd"] > s["deorbits"] * flat


# ----- servicers between planes in the engine ---------------------------------------------------------
FAIL_DAYS = [105.0, 205.0, 305.0, 405.0]


def _two_planes(folder, **servicing):
    """The scripted one-module world (tests.scripted) with a second cluster in a second plane 10 degrees
    of node away; the depot, and so the servicer, flies with cluster 1, the module in cluster 0."""
    d = one_module_dict()
    d["fleet"]["clusters"] = 2
    d["orbits"]["shells"][0].update(planes=2, node_spread_deg=20.0)
    d["failures"]["trace"] = failure_trace(folder, FAIL_DAYS)
    d["servicing"].update(units_per_trip=32, depot_cluster=1, **servicing)
    return parse_scenario(d, "two-planes")


def test_a_trip_across_planes_costs_the_legs_delta_v_and_its_rocket_equation_propellant(tmp_path):
    sc = _two_planes(tmp_path, max_wait_days=60.0)
    res = simulate(sc, seed=0)
    sv = sc.servicing
    planes = r.cluster_planes(sc)
    assert planes[1].node_deg - planes[0].node_deg == pytest.approx(10.0)
    leg = r.leg(planes[1], planes[0], 405.0, 52 * sv.work_at_fraction, sv.max_wait_days)
    dv = leg.delta_v_m_s + sv.rendezvous_delta_v_m_s
    s = res.summary
    assert s["servicer_delta_v_m_s"] == pytest.approx(dv, rel=1e-12)
    board_kg = sc.hardware.generations[0].mass_kg_per_unit
    assert s["mass_propellant_burned_kg"] == pytest.approx(
        (sv.servicer_dry_mass_kg + sv.tank_kg + 32 * board_kg) * (1 - math.exp(-dv / (sv.isp_s * G0))), rel=1e-9)
    work = res.events[res.events.kind == "servicing"].time_days.tolist()
    assert work == [pytest.approx(405.0 + leg.days)]
    assert leg.wait_days == 60.0                           # a drift orbit is far cheaper than a 10-degree turn


def test_a_tank_too_small_for_the_leg_waits_for_a_propellant_launch(tmp_path):
    sc = _two_planes(tmp_path, max_wait_days=0.0, tank_kg=100.0)     # a direct 10-degree turn: about 1.3 km/s
    s = simulate(sc, seed=0).summary
    assert s["refuels"] == 1 and s["propellant_launched_kg"] > 100.0
    assert s["mass_propellant_burned_kg"] > 100.0


def test_the_observation_gives_each_servicers_reach_cost_of_each_cluster(tmp_path):
    sc = _two_planes(tmp_path, max_wait_days=60.0)
    world = World(sc, 0)
    reach = Reach(world)
    reach.arrived()
    reach.arrived()
    reach.position[1] = 0
    cost = reach.costs([1000.0, 1000.0], lost={1}, cargo_kg=640.0)
    assert cost.days.shape == cost.kg.shape == cost.delta_v_m_s.shape == (2, 2)
    assert cost.position.tolist() == [1, 0]
    assert np.isnan(cost.kg[1]).all()                               # lost
    same, other = cost.delta_v_m_s[0, 1], cost.delta_v_m_s[0, 0]
    assert same == sc.servicing.rendezvous_delta_v_m_s and other > 10 * same     # batch trips by plane
    assert cost.days[0, 0] > cost.days[0, 1]


def test_an_observation_without_orbits_has_no_reach():
    d = load_scenario("tiny").model_dump(mode="json")
    d.pop("orbits")
    for s in d["ground"]["stations"]:
        s["contact_fraction"] = 0.1
    d["failures"]["radiation"] = None
    d["fleet"]["module"]["eclipse_fraction"] = 0.039
    res = simulate(parse_scenario(d, "no-orbits"), seed=0)
    assert res.summary["servicer_delta_v_m_s"] == 0.0 and res.summary["deorbit_delta_v_m_s"] == 0.0


def test_a_depot_in_no_cluster_is_refused():
    d = load_scenario("tiny").model_dump(mode="json")
    d["servicing"]["depot_cluster"] = 3
    with pytest.raises(ScenarioError, match="servicing.depot_cluster: 3 is not a cluster"):
        parse_scenario(d, "bad-depot")


def test_a_servicer_told_to_return_flies_a_second_leg_back_to_the_depots_plane(tmp_path):
    sc = _two_planes(tmp_path, max_wait_days=60.0, return_to_depot=True)
    sv = sc.servicing
    planes = r.cluster_planes(sc)
    phasing = 52 * sv.work_at_fraction
    out = r.leg(planes[1], planes[0], 405.0, phasing, sv.max_wait_days)
    back_day = 405.0 + out.days + (52 - phasing)               # it stays with its target the rest of the trip time
    back = r.leg(planes[0], planes[1], back_day, phasing, sv.max_wait_days)
    s = simulate(sc, seed=0).summary
    assert s["servicer_delta_v_m_s"] == pytest.approx(out.delta_v_m_s + back.delta_v_m_s + 2 * sv.rendezvous_delta_v_m_s,
                                                      rel=1e-12)
    # busy from day 405 until back at the depot
    assert s["servicer_utilisation"] * 730.5 == pytest.approx(back_day + back.days - 405.0, rel=1e-9)
