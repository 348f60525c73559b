"""Pinned behaviour of the model's small pieces: each value is derived here from first principles or a
closed form (not copied from an output), so that a wrong operator or constant in fleet/, events/ or
policies/ fails a test (issue 18: a measured mutation score)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from fleet.demand import DemandCurve
from fleet.earth import HOURS_PER_YEAR, availability, earth_flows, first_cheaper_year, levelised_cost, newest_at
from fleet.economics import (DAYS_PER_YEAR, capital_recovery_factor, discount_factor, discounted_days,
                             expected_cost_per_module_usd, flight_price_usd, price_on)
from fleet.lifetimes import has_radiation_hazard, inverse, survival
from fleet.scenario import (EarthReference, Exponential, Generation, LaunchVehicle, ModuleDesign, PriceLearningCurve,
                            Radiation, Weibull)
from fleet.state import FleetTable


def vehicle(**fields) -> LaunchVehicle:
    base = dict(name="v", payload_kg=1000.0, success_probability=0.5, launches_per_year=4.0,
                lead_time_days=0.0, available_from_year=2026)
    return LaunchVehicle(**{**base, **fields})


# --- prices and discounting (fleet/economics.py) -----------------------------------------------

def test_a_price_table_is_linear_between_years_and_flat_outside():
    table = {2026: 100.0, 2030: 300.0, 2040: 100.0}
    assert price_on(table, 2028) == pytest.approx(200.0)       # halfway between 100 and 300
    assert price_on(table, 2035) == pytest.approx(200.0)       # halfway back down
    assert price_on(table, 2000) == 100.0 and price_on(table, 2100) == 100.0


def test_a_price_table_changed_in_place_is_read_afresh():
    table = {2026: 100.0, 2030: 300.0}
    assert price_on(table, 2028) == pytest.approx(200.0)
    table[2030] = 500.0                                          # its arrays, kept from the first call, are stale
    assert price_on(table, 2028) == pytest.approx(300.0)
    assert price_on(dict(table), 2028) == price_on(table, 2028)


def test_a_learning_curve_drops_by_the_learning_rate_each_time_cumulative_mass_doubles():
    curve = PriceLearningCurve(learning_curve=True, year=2030, usd_per_kg=1000.0, learning_rate=0.2,
                               mass_growth_per_year=0.5, floor_usd_per_kg=300.0)
    doubling_years = math.log(2) / math.log(1.5)                 # (1 + g)^t = 2
    assert price_on(curve, 2030 + doubling_years) == pytest.approx(800.0)
    assert price_on(curve, 2030 + 2 * doubling_years) == pytest.approx(640.0)
    assert price_on(curve, 2020) == 1000.0                       # flat before its year
    assert price_on(curve, 2100) == 300.0                        # never below its floor


def test_a_flight_costs_its_mass_price_with_a_minimum_charge_or_its_flight_price():
    by_mass = vehicle(price_per_kg_usd={2026: 10.0}, minimum_charge_usd={2026: 5000.0})
    assert flight_price_usd(by_mass, 2026, 800.0) == pytest.approx(8000.0)
    assert flight_price_usd(by_mass, 2026, 100.0) == pytest.approx(5000.0)    # 1000 < the minimum
    assert flight_price_usd(vehicle(price_per_kg_usd={2026: 10.0}), 2026, 100.0) == pytest.approx(1000.0)
    per_flight = vehicle(price_per_flight_usd={2026: 7000.0, 2036: 2000.0})
    assert flight_price_usd(per_flight, 2031, 1.0) == pytest.approx(4500.0)


def test_the_expected_cost_of_a_delivered_module_divides_by_the_success_probability():
    v = vehicle(price_per_flight_usd={2026: 1000.0})              # success 0.5: two flights per success
    assert expected_cost_per_module_usd(v, 2026, 4, 1.0, extra_usd_per_module=10.0) == pytest.approx(520.0)
    assert expected_cost_per_module_usd(v, 2026, 1, 1.0) == pytest.approx(2000.0)
    assert expected_cost_per_module_usd(v, 2026, 0, 1.0) == math.inf
    assert expected_cost_per_module_usd(vehicle(price_per_flight_usd={2026: 1.0}, success_probability=0.0),
                                        2026, 1, 1.0) == math.inf


def test_discounting_is_compound_and_its_integral_matches_quadrature():
    assert discount_factor(0.1, 2.0) == pytest.approx(1 / 1.21)
    assert np.allclose(discount_factor(0.1, np.array([0.0, 1.0])), [1.0, 1 / 1.1])
    for rate in (0.03, 0.2):
        exact = integrate.quad(lambda d: (1 + rate) ** (-d / DAYS_PER_YEAR), 100.0, 900.0)[0]
        assert discounted_days(rate, 100.0, 900.0) == pytest.approx(exact, rel=1e-9)
    assert discounted_days(0.0, 100.0, 900.0) == pytest.approx(800.0)


def test_the_capital_recovery_factor_repays_the_present_value_exactly():
    for rate, years in ((0.07, 10), (0.2, 3)):
        annuity = sum((1 + rate) ** -t for t in range(1, years + 1))
        assert capital_recovery_factor(rate, years) * annuity == pytest.approx(1.0)
    assert capital_recovery_factor(0.0, 8) == pytest.approx(1 / 8)


# --- lifetimes (fleet/lifetimes.py) ------------------------------------------------------------

def test_only_a_positive_dose_and_hazard_add_a_radiation_hazard():
    assert not has_radiation_hazard(None)
    assert not has_radiation_hazard(Radiation(dose_rate_rad_per_year=0.0, hazard_per_year_per_krad=1.0))
    assert not has_radiation_hazard(Radiation(dose_rate_rad_per_year=100.0, hazard_per_year_per_krad=0.0))
    assert has_radiation_hazard(Radiation(dose_rate_rad_per_year=100.0, hazard_per_year_per_krad=1.0))


def test_lifetimes_invert_the_cumulative_hazard():
    e = np.array([0.5, 1.0, 2.0])
    none = np.zeros(3)
    assert np.allclose(inverse(Exponential(distribution="exponential", rate_per_year=0.25))(e, none), 4 * e)
    assert np.all(np.isinf(inverse(Exponential(distribution="exponential", rate_per_year=0.0))(e, none)))
    # Weibull: H(t) = (t / scale)^shape, so t = scale * e^(1/shape)
    assert np.allclose(inverse(Weibull(distribution="weibull", shape=2.0, scale_years=3.0))(e, none), 3 * np.sqrt(e))


def test_the_radiation_lifetime_inverts_k_d_a_squared_over_2000():
    k, dose = 0.5, 200.0                          # per year per krad; rad per year
    never = Exponential(distribution="exponential", rate_per_year=0.0)
    life = inverse(never, Radiation(dose_rate_rad_per_year=dose, hazard_per_year_per_krad=k))
    ages = np.array([0.5, 2.0, 7.0])
    hazards = k * dose * ages ** 2 / 2000         # H_rad(a), the exponential draw that ends life at a
    assert np.allclose(life(np.full(3, np.inf), hazards), ages)
    # the first of the two causes: a base lifetime shorter than the radiation one wins
    base = Exponential(distribution="exponential", rate_per_year=1.0)
    both = inverse(base, Radiation(dose_rate_rad_per_year=dose, hazard_per_year_per_krad=k))
    assert np.allclose(both(np.array([1.0, 100.0]), np.array([100.0, 0.05])), [1.0, math.sqrt(0.05 * 2000 / 100)])


def test_survival_of_the_base_distributions():
    t = np.array([0.0, 1.0, 4.0])
    assert np.allclose(survival(Exponential(distribution="exponential", rate_per_year=0.5), t), np.exp(-0.5 * t))
    assert np.allclose(survival(Weibull(distribution="weibull", shape=3.0, scale_years=2.0), t),
                       np.exp(-(t / 2.0) ** 3))


# --- demand and the Earth reference (fleet/demand.py, fleet/earth.py) ----------------------------

def test_a_demand_curve_is_a_step_function_with_an_exact_integral_and_peak():
    curve = DemandCurve(days=np.array([0.0, 10.0, 30.0]), pflops=np.array([1.0, 5.0, 2.0]))
    assert curve.at(0.0) == 1.0 and curve.at(9.99) == 1.0 and curve.at(10.0) == 5.0 and curve.at(100.0) == 2.0
    assert np.array_equal(curve.at(np.array([5.0, 10.0, 30.0])), [1.0, 5.0, 2.0])
    assert curve.integral(5.0, 40.0) == pytest.approx(5 * 1.0 + 20 * 5.0 + 10 * 2.0)
    assert curve.peak(0.0, 10.0) == 1.0 and curve.peak(0.0, 10.5) == 5.0 and curve.peak(31.0, 50.0) == 2.0
    assert curve.changes(30.0) == [10.0] and curve.changes(31.0) == [10.0, 30.0]


def generation(name: str = "g", year: int = 2026, pflops: float = 2.0, kw: float = 4.0, usd: float = 1000.0) -> Generation:
    return Generation(name=name, year_available=year, pflops_per_unit=pflops, power_kw_per_unit=kw,
                      mass_kg_per_unit=1.0, price_usd_per_unit=usd)


def earth(**fields) -> EarthReference:
    base = dict(capex_usd_per_mw=1e6, facility_life_years=100.0, electricity_usd_per_kwh=0.05, pue=1.5,
                hardware_refresh_years=100.0, unit_failure_rate_per_year=0.0, repair_days=0.0,
                operations_usd_per_mw_year=0.0, cost_of_capital=0.0)
    return EarthReference(**{**base, **fields})


def test_earth_serving_a_constant_demand_for_a_year_costs_units_facility_and_energy():
    q = 100.0                                       # PFLOPS: 50 units of 2 PFLOPS, 4 kW each, so 0.2 MW
    flows = earth_flows(earth(), (generation(),), q, 2026, 1.0)
    units, kw = 50.0, 200.0
    energy = kw * 1.5 * 0.05 * HOURS_PER_YEAR
    assert flows.total_usd == pytest.approx(units * 1000.0 + 0.2 * 1e6 + energy)
    assert flows.delivered_pflops_days == pytest.approx(q * DAYS_PER_YEAR)
    assert flows.npv_usd(0.0) == pytest.approx(flows.total_usd)


def test_earth_failures_operations_refreshes_and_rebuilds_are_booked():
    q, years = 100.0, 2.0
    ref = earth(unit_failure_rate_per_year=0.5, repair_days=10.0, operations_usd_per_mw_year=3000.0,
                hardware_refresh_years=0.5, facility_life_years=1.0, electricity_usd_per_kwh=0.0)
    flows = earth_flows(ref, (generation(),), q, 2026, years)
    units, mw = 50.0, 0.2
    purchases = 4 * units * 1000.0                  # bought at the start and at each of 3 refreshes
    facility = 2 * mw * 1e6                         # built at the start, rebuilt after a year
    failures = 0.5 * units * 1000.0 * years         # failed units replaced at their price
    operations = 3000.0 * mw * years
    assert flows.total_usd == pytest.approx(purchases + facility + failures + operations)
    mttf = DAYS_PER_YEAR / 0.5
    assert flows.delivered_pflops_days == pytest.approx(q * years * DAYS_PER_YEAR * mttf / (mttf + 10.0))
    assert availability(0.0, 10.0) == 1.0


def test_earth_buys_the_newest_generation_at_a_refresh_and_adds_units_when_demand_grows():
    old, new = generation("old", 2026, pflops=2.0), generation("new", 2027, pflops=4.0, usd=3000.0)
    assert newest_at((old, new), 2026.5) is old and newest_at((old, new), 2027) is new
    assert newest_at((new,), 2020) is new and newest_at((old, new), 2020) is old     # none yet: the first
    demand = DemandCurve(days=np.array([0.0, DAYS_PER_YEAR / 2]), pflops=np.array([100.0, 160.0]))
    flows = earth_flows(earth(electricity_usd_per_kwh=0.0, capex_usd_per_mw=0.0, hardware_refresh_years=1.0),
                        (old, new), demand, 2026, 2.0)
    # 50 old units, then 30 more old ones at mid-year (60 PFLOPS short), then 40 new ones at the refresh
    assert flows.total_usd == pytest.approx(50 * 1000.0 + 30 * 1000.0 + 40 * 3000.0)


def test_levelised_cost_is_present_cost_over_present_output():
    cost = levelised_cost(np.array([100.0, 110.0]), np.array([0.0, 1.0]), np.array([10.0, 11.0]),
                          np.array([1.0, 2.0]), 0.1)
    assert cost == pytest.approx((100 + 100) / (10 / 1.1 + 11 / 1.21))
    assert levelised_cost(np.array([1.0]), np.array([0.0]), np.array([0.0]), np.array([1.0]), 0.1) == math.inf


def test_the_first_cheaper_year_is_the_first_whole_year_orbit_costs_no_more():
    ref = earth()
    cheap = earth_flows(ref, (generation(usd=10.0),), 100.0, 2026, 3.0)
    dear = earth_flows(ref, (generation(usd=1e6),), 100.0, 2026, 3.0)
    assert first_cheaper_year(cheap, dear, 0.0, 0.0, 2026, 3.0) == 2026
    assert math.isnan(first_cheaper_year(dear, cheap, 0.0, 0.0, 2026, 3.0))


# --- the fleet table (fleet/state.py) ----------------------------------------------------------

def table(units: int = 4, array_kw: float = 10.0, degradation: float = 0.0, eclipse: float = 0.0) -> FleetTable:
    design = ModuleDesign(units=units, bus_mass_kg=100.0, solar_array_kw=array_kw,
                          array_degradation_per_year=degradation, eclipse_fraction=eclipse, commissioning_days=0.0,
                          design_life_years=10.0, data_buffer_tb=1.0)
    return FleetTable(design, (generation(kw=4.0, pflops=3.0),))


def commissioned(t: FleetTable, ends: list[float]) -> int:
    m = t.add(0, 0, 0.0)
    t.commission(m, 0.0, np.array(ends, dtype=float), math.inf)
    return m


def test_an_array_without_degradation_powers_the_units_it_can_forever_and_no_more():
    for array_kw, powered in ((10.0, 2), (8.0, 2), (7.9, 1)):     # 4 kW a unit: floor(P / 4), P = 8 exactly
        t = table(array_kw=array_kw)
        m = commissioned(t, [math.inf] * 4)
        assert t.capacity_pflops(1e6, np.array([m]))[0] == pytest.approx(3.0 * powered)
        assert t.integrate(np.array([m]), 10.0)[0] == pytest.approx(3.0 * powered * 10)


def test_a_degrading_array_powers_rank_j_until_p0_1_minus_d_to_the_age_equals_j_u():
    t = table(array_kw=16.0, degradation=0.1)
    # rank j (j units running) needs j * 4 kW: powered until (1 - 0.1)^a = j / 4
    ages = [math.log(j / 4) / math.log(0.9) for j in (4, 3, 2, 1)]
    assert np.allclose(t.run_until_days[0], np.array(ages) * DAYS_PER_YEAR)
    m = commissioned(t, [math.inf] * 4)
    # compute integral: the sum over slots of the time each runs, at 3 PFLOPS, eclipse 0
    horizon = 30 * DAYS_PER_YEAR
    assert t.integrate(np.array([m]), horizon)[0] == pytest.approx(3.0 * sum(a * DAYS_PER_YEAR for a in ages))


def test_a_unit_ending_on_a_day_is_no_longer_alive_that_day_whichever_way_it_is_counted():
    t = table(units=4, array_kw=100.0)
    rows = np.array([commissioned(t, [5.0, 5.0, 9.0, math.inf]) for _ in range(3)])
    assert list(t.alive_units(5.0, rows)) == [2, 2, 2]
    assert list(t.alive_units(4.999, rows)) == [4, 4, 4]
    assert list(t.ended_counts(5.0, rows)) == [2, 2, 2] and list(t.ended_counts(9.0, rows)) == [3, 3, 3]
    # eclipse idles compute: 3 PFLOPS x (5 + 5 + 9 + 20) unit-days x (1 - 0.25)
    te = table(units=4, array_kw=100.0, eclipse=0.25)
    m = commissioned(te, [5.0, 5.0, 9.0, math.inf])
    assert te.integrate(np.array([m]), 20.0)[0] == pytest.approx(3.0 * 39 * 0.75)


# --- the capacity path (events/capacity.py) ----------------------------------------------------

def exact_capacity(t: float, lives: list[tuple[float, float, list[float]]]) -> float:
    """Capacity at `t` by brute force: 3 PFLOPS for each unit of a module running at `t` (start <= t
    < module end) that is still alive (its end > t); `lives` holds (start, module end, unit ends)."""
    return 3.0 * sum(sum(e > t for e in ends) for start, stop, ends in lives if start <= t < stop)


def exact_integrals(lives, stop: float, level: float) -> tuple[float, float]:
    """Integrals over [0, stop] of capacity and of capacity above `level`, piece by piece."""
    edges = sorted({0.0, stop, *(x for s, e, ends in lives for x in (s, e, *ends) if 0 < x < stop)})
    pieces = [(exact_capacity((a + b) / 2, lives), b - a) for a, b in zip(edges[:-1], edges[1:])]
    return sum(c * w for c, w in pieces), sum(max(c - level, 0.0) * w for c, w in pieces)


def test_the_capacity_path_integrates_starts_failures_repairs_and_stops_exactly():
    from events.capacity import CapacityPath

    t = table(units=4, array_kw=100.0)
    a, b = commissioned(t, [10.0, 400.0, 800.0, math.inf]), t.add(0, 0, 0.0)
    path = CapacityPath(t, horizon_day=2000.0, level=15.0)
    path.enter(np.array([a]), 0.0)
    values, widths = path.advance(100.0)
    assert list(values) == [12.0, 9.0] and list(widths) == [10.0, 90.0]
    t.commission(b, 100.0, np.array([150.0, 150.0, 1000.0, math.inf]), math.inf)
    path.enter(np.array([b]), 100.0)
    # a repair on day 200 replaces b's two failed units with units that end on day 1200
    path.remove(np.array([b]), 200.0)
    t.unit_end[b] = np.sort([1200.0, 1200.0, 1000.0, math.inf])
    path.add(np.array([b]), 200.0)
    # module a stops (is deorbited) on day 500
    path.advance(500.0)
    path.leave(np.array([a]), 500.0)
    t.end_day[a] = 500.0
    path.advance(2000.0)
    # module b's two failed slots: the old units until day 150, the new ones from day 200 to 1200
    lives = [(0.0, 500.0, [10.0, 400.0, 800.0, math.inf]), (100.0, math.inf, [1000.0, math.inf]),
             (100.0, 150.0, [150.0, 150.0]), (200.0, math.inf, [1200.0, 1200.0])]
    area, above = exact_integrals(lives, 2000.0, 15.0)
    assert path.area == pytest.approx(area) and path.above == pytest.approx(above)
    assert path.capacity == pytest.approx(exact_capacity(2000.0, lives)) and path.modules == 1


def test_the_capacity_path_drops_a_unit_that_stops_exactly_on_a_year_boundary_on_that_day():
    from events.capacity import BUCKET_DAYS, CapacityPath

    t = table(units=4, array_kw=100.0)
    m = commissioned(t, [BUCKET_DAYS, 2 * BUCKET_DAYS, math.inf, math.inf])
    path = CapacityPath(t, horizon_day=4 * BUCKET_DAYS, level=100.0)
    path.enter(np.array([m]), 0.0)
    path.advance(BUCKET_DAYS)
    assert path.capacity == 9.0                        # three units of 3 PFLOPS left on the boundary day
    path.advance(2 * BUCKET_DAYS)
    assert path.capacity == 6.0 and path.area == pytest.approx(12.0 * BUCKET_DAYS + 9.0 * BUCKET_DAYS)


def test_a_module_that_stops_takes_out_exactly_the_capacity_of_its_running_units():
    """Leaving modules alone (the quick count of a single row) or together (their entries summed) takes
    the same PFLOPS out of the path, on days between stops and on the stops themselves (failures and
    the days the degrading array can no longer power a unit), so every module's capacity is out."""
    from events.capacity import CapacityPath

    rng = np.random.default_rng(3)
    for trial in range(40):
        t = table(units=6, array_kw=24.0, degradation=0.1)    # a unit needs 4 kW: ranks stop as the array fades
        limits = t.run_until_days[0][np.isfinite(t.run_until_days[0])]
        pool = np.concatenate([rng.uniform(0, 4000, 6), limits, [math.inf]])
        ends = [np.sort(rng.choice(pool, 6)) for _ in range(3)]
        rows = [commissioned(t, list(e)) for e in ends]
        day = float(rng.choice(np.concatenate([ends[0], limits, rng.uniform(0, 4000, 3)])))
        if not day < math.inf:
            continue
        alone, together = CapacityPath(t, 1e6, 1e9), CapacityPath(t, 1e6, 1e9)
        for path in (alone, together):
            path.enter(np.array(rows), 0.0)
            path.advance(day)
        for m in rows:
            alone.leave(np.array([m]), day)
        together.leave(np.array(rows), day)
        assert alone.capacity == pytest.approx(0.0, abs=1e-9) and together.capacity == pytest.approx(0.0, abs=1e-9), \
            (trial, day, ends)


# --- the world's ledger, unit lifetimes and money format (events/world.py) ----------------------

def test_the_ledger_discounts_each_booking_and_integrates_flows_exactly():
    from events.world import Ledger

    ledger = Ledger(0.1)
    ledger.book("launch", 100.0, 2 * DAYS_PER_YEAR)
    ledger.book("launch", 50.0, 0.0)
    assert ledger.total["launch"] == 150.0 and ledger.npv == pytest.approx(100 / 1.21 + 50)
    ledger.book_flow("ground", 2.0, 0.0, DAYS_PER_YEAR)
    flow_pv = integrate.quad(lambda d: 2.0 * 1.1 ** (-d / DAYS_PER_YEAR), 0.0, DAYS_PER_YEAR)[0]
    assert ledger.total["ground"] == pytest.approx(2.0 * DAYS_PER_YEAR)
    assert ledger.npv == pytest.approx(100 / 1.21 + 50 + flow_pv)
    assert ledger.total_usd == pytest.approx(150.0 + 2.0 * DAYS_PER_YEAR)


def test_with_radiation_a_unit_lives_by_the_second_draw_of_its_pair():
    from events.world import World
    from fleet.scenario import parse_scenario
    from runs import load_scenario

    data = load_scenario("tiny").model_dump(mode="json")
    data["failures"]["unit"] = {"distribution": "exponential", "rate_per_year": 0.0}
    data["failures"]["radiation"] = {"dose_rate_rad_per_year": 400.0, "hazard_per_year_per_krad": 0.5}
    w = World(parse_scenario(data, "radiation-only"), seed=3)
    ends = w.unit_end_days([(0, 0, 5)], 10.0)
    pairs = w.streams.keyed("unit-lifetimes", 0, 0).standard_exponential((5, 2))
    # base rate 0: the radiation cause alone, H(a) = k D a^2 / 2000 = 0.1 a^2 set equal to the draw
    assert np.allclose(ends, np.sqrt(pairs[:, 1] / 0.1) * DAYS_PER_YEAR + 10.0)


def test_money_is_shown_in_billions_millions_and_thousands_from_the_threshold_on():
    from events.world import fmt_usd

    assert fmt_usd(1e9) == "$1.0B" and fmt_usd(2.5e9) == "$2.5B"
    assert fmt_usd(1e6) == "$1.0M" and fmt_usd(999_999_999.0) == "$1,000.0M"
    assert fmt_usd(1e3) == "$1.0k" and fmt_usd(-2500.0) == "$-2.5k"
    assert fmt_usd(999.0) == "$999" and fmt_usd(0.0) == "$0"


# --- stream keys (fleet/streams.py) ------------------------------------------------------------

def test_a_stream_key_is_the_first_16_bytes_of_the_names_sha256_as_four_little_endian_words():
    import hashlib
    import struct

    from fleet.streams import name_key

    for name in ("unit-lifetimes", "weather/svalbard"):
        assert name_key(name) == struct.unpack("<4I", hashlib.sha256(name.encode()).digest()[:16])


# --- messages (fleet/errors.py) ----------------------------------------------------------------

def test_a_scenario_error_lists_at_most_max_problems_and_counts_the_rest():
    from fleet.errors import MAX_PROBLEMS, ScenarioError

    problems = [(f"field{i}", "wrong") for i in range(MAX_PROBLEMS + 3)]
    lines = str(ScenarioError("s.yaml", problems)).splitlines()
    assert len(lines) == MAX_PROBLEMS + 1 and lines[0] == "s.yaml: field0: wrong"
    assert lines[-1] == "s.yaml: ... and 3 more problems"
    assert len(str(ScenarioError("s.yaml", problems[:MAX_PROBLEMS])).splitlines()) == MAX_PROBLEMS


def test_a_long_value_is_quoted_clipped_with_its_length():
    from fleet.errors import shown

    assert shown("a" * 1000, 80) == repr("a" * 80) + "... (1,000 characters)"
    assert shown("short") == "'short'"


# --- the scenario schema's bounds and defaults (fleet/scenario.py, fleet/hardware.py) -------------

def tiny_data() -> dict:
    from runs import load_scenario

    return load_scenario("tiny").model_dump(mode="json")


def refused(data: dict) -> bool:
    from fleet.errors import ScenarioError
    from fleet.scenario import parse_scenario

    try:
        parse_scenario(data, "pinned")
    except ScenarioError:
        return True
    return False


def test_the_initial_fleet_may_hold_exactly_max_units_and_no_more():
    from fleet.scenario import MAX_UNITS

    data = tiny_data()                                  # 16 units of 1 kW a module
    data["fleet"]["target_power_mw"] = MAX_UNITS / 1000.0
    assert not refused(data)
    data["fleet"]["target_power_mw"] = MAX_UNITS / 1000.0 + 0.016
    assert refused(data)


def test_names_need_one_character_and_the_cost_of_capital_lies_in_0_1():
    data = tiny_data()
    data["hardware"]["generations"][0]["name"] = "g"
    assert not refused(data)
    data["hardware"]["generations"][0]["name"] = ""
    assert refused(data)
    for rate, bad in ((0.0, False), (1.0, False), (1.01, True), (-0.01, True)):
        data = tiny_data()
        data["earth"]["cost_of_capital"] = rate
        assert refused(data) == bad


def test_the_trend_extrapolates_from_the_newest_generation_at_the_same_price_by_default():
    from fleet.hardware import catalog
    from fleet.scenario import parse_scenario

    data = tiny_data()                                  # 2030 to 2035, gen-2030: 2 PFLOPS, $40,000
    data["hardware"]["trend"] = {"interval_years": 2, "perf_per_watt_growth_per_year": 0.25}
    gens = catalog(parse_scenario(data, "trend"))
    assert [g.year_available for g in gens] == [2030, 2032, 2034]
    assert [g.pflops_per_unit for g in gens] == pytest.approx([2.0, 2.0 * 1.25 ** 2, 2.0 * 1.25 ** 4])
    assert {g.price_usd_per_unit for g in gens} == {40000.0} and {g.mass_kg_per_unit for g in gens} == {20.0}


# --- the ground network (fleet/ground.py) ------------------------------------------------------

def test_downlink_is_each_stations_contacts_capped_by_its_rate_and_relays_add_nothing():
    from fleet.ground import TB_PER_DAY_PER_GBPS, DownlinkCapacity
    from fleet.scenario import Ground

    stations = [{"name": "a", "downlink_gbps": 10.0, "clear_probability": 0.5, "mean_outage_hours": 1.0,
                 "contact_fraction": 0.09},
                {"name": "b", "downlink_gbps": 1.0, "clear_probability": 0.5, "mean_outage_hours": 1.0,
                 "contact_fraction": 0.75}]
    assert TB_PER_DAY_PER_GBPS == pytest.approx(1e9 / 8 * 86400 / 1e12)
    a = min(10.0, 3 * 10.0 * 0.09) * TB_PER_DAY_PER_GBPS            # three clusters, each in view 9% of the day
    b = min(1.0, 3 * 1.0 * 0.75) * TB_PER_DAY_PER_GBPS              # b's own rate binds
    for isl in (0.0, 5.0):
        ground = Ground(stations=stations, isl_gbps=isl, data_tb_per_pflops_day=0.01)
        capacity = DownlinkCapacity(ground, np.array([[0.09, 0.75]] * 3))   # clusters x stations
        assert capacity.total((True, True)) == pytest.approx(a + b, abs=0.02)
        assert capacity.total((True, False)) == pytest.approx(a, abs=0.01)
        assert capacity.total((False, True)) == pytest.approx(b, abs=0.01)
        assert capacity.total((False, False)) == 0.0


def test_flow_depth_is_the_deepest_bracket_nesting_closing_brackets_included():
    from fleet.yamlio import flow_depth

    assert flow_depth("[[]][[]]") == 2 and flow_depth("{a: [1, 2]}, [3]") == 2
    assert flow_depth("a: 1") == 0 and flow_depth("]] [") == 1
