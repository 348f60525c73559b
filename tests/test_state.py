"""The fleet table's arithmetic: alive and usable units, and the exact integral of compute."""
import numpy as np
import pytest

from fleet.scenario import Generation, ModuleDesign
from fleet.state import FleetTable, Status

DESIGN = ModuleDesign(units=8, bus_mass_kg=100, solar_array_kw=7.5, array_degradation_per_year=0.05,
                      eclipse_fraction=0.1, commissioning_days=0, design_life_years=20, data_buffer_tb=1)
GENS = (Generation(name="a", year_available=2030, pflops_per_unit=2.0, power_kw_per_unit=1.0,
                   mass_kg_per_unit=1, price_usd_per_unit=1),
        Generation(name="b", year_available=2032, pflops_per_unit=5.0, power_kw_per_unit=0.5,
                   mass_kg_per_unit=1, price_usd_per_unit=1))


def table_with_modules(rng, n=5):
    t = FleetTable(DESIGN, GENS, capacity=2)          # small capacity: adding grows it
    for m in range(n):
        t.add(cluster=0, generation=m % 2, day=0.0)
        t.commission(m, day=10.0 * m, unit_end=10.0 * m + rng.exponential(900, DESIGN.units), bus_end_day=np.inf)
    return t


def test_growing_keeps_every_row():
    rng = np.random.default_rng(1)
    t = table_with_modules(rng, n=9)
    assert t.capacity >= 9 and t.n == 9
    assert list(t.generation[:9]) == [m % 2 for m in range(9)]
    assert all(t.status[:9] == Status.OPERATIONAL)
    assert np.all(np.diff(t.unit_end[:9], axis=1) >= 0)   # rows stay sorted


def test_integral_equals_a_fine_riemann_sum_of_usable_capacity():
    rng = np.random.default_rng(2)
    t = table_with_modules(rng)
    rows = np.arange(t.n)
    stop = 3000.0
    exact = t.integrate(rows, stop)
    # brute force: usable capacity (alive and powered) on a fine grid, idle in eclipse
    grid = np.linspace(0, stop, 300_001)
    mid = (grid[:-1] + grid[1:]) / 2
    approx = np.zeros(t.n)
    for m in rows:
        started = mid >= t.commissioned_day[m]
        cap = np.array([t.capacity_pflops(d, np.array([m]))[0] for d in mid[::100]])
        cap = np.repeat(cap, 100)[: len(mid)]
        approx[m] = (cap * started).sum() * (grid[1] - grid[0]) * (1 - DESIGN.eclipse_fraction)
    # the coarse sampling of the capacity (every 100 steps) bounds the error by a few step changes
    assert np.allclose(exact, approx, rtol=0.01)
    assert np.allclose(t.delivered_pflops_days[:t.n], exact)


def test_power_limits_usable_units_as_the_array_degrades():
    t = FleetTable(DESIGN, GENS)
    t.add(0, 0, 0.0)
    t.commission(0, 0.0, np.full(DESIGN.units, np.inf), np.inf)
    # 7.5 kW powers 7 one-kW units at first; after a years P = 7.5 * 0.95^a
    for years in (0, 1, 3, 10):
        day = years * 365.25
        powered = int(np.floor(7.5 * 0.95 ** years / 1.0 + 1e-9))
        assert t.usable_counts(day, np.array([0]))[0] == min(DESIGN.units, powered)
    # the integral agrees: units stop one by one when P falls below j kW
    total = t.integrate(np.array([0]), 20 * 365.25)[0]
    ranks = np.arange(1, 8)
    ages = np.minimum(np.log(ranks / 7.5) / np.log(0.95), 20)
    assert total == pytest.approx(ages.sum() * 365.25 * 2.0 * 0.9, rel=1e-9)


def test_settle_reports_each_failure_once():
    t = FleetTable(DESIGN, GENS)
    t.add(0, 0, 0.0)
    ends = np.array([5.0, 15.0, 25.0] + [np.inf] * 5)
    t.commission(0, 0.0, ends, np.inf)
    m1, d1 = t.settle(np.array([0]), 20.0)
    m2, d2 = t.settle(np.array([0]), 30.0)
    assert list(d1) == [5.0, 15.0] and list(m1) == [0, 0]
    assert list(d2) == [25.0]
    assert t.alive_counts(30.0)[0] == 5


@pytest.mark.parametrize("units", [1, 7, 8, 100, 256])
def test_binary_search_counts_like_a_pass_over_the_units(units):
    """`ended_counts` (used for many rows at once) agrees with a plain count, ties and infinities
    included: a unit whose end is the day itself has ended."""
    rng = np.random.default_rng(units)
    design = DESIGN.model_copy(update={"units": units})
    t = FleetTable(design, GENS, capacity=4)
    for m in range(300):
        t.add(cluster=0, generation=0, day=0.0)
        ends = np.round(rng.exponential(50, units))                  # whole days: many ties
        ends[rng.random(units) < 0.1] = np.inf
        t.commission(m, 0.0, ends, np.inf)
    t.status[::7] = Status.FAILED
    rows = rng.permutation(300)
    for day in (-1.0, 0.0, 10.0, 37.0, 1e9):
        plain = (t.unit_end[rows] <= day).sum(axis=1)
        assert np.array_equal(t.ended_counts(day, rows), plain)
        alive = np.where(t.status[rows] == Status.OPERATIONAL, units - plain, 0)
        assert np.array_equal(t.alive_counts(day, rows), alive)       # by search if 300 x units is many
        assert np.array_equal(t.alive_counts(day, rows[:5]), alive[:5])   # 5 rows: always a plain count
