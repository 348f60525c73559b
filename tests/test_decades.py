"""Time-varying inputs, the terrestrial reference, parity studies and the shipped studies."""
import math

import numpy as np
import pytest
import yaml

from fleet.earth import Flows, availability, earth_flows, first_cheaper_year, levelised_cost
from fleet.economics import capital_recovery_factor, price_on
from fleet.errors import ScenarioError
from fleet.hardware import catalog
from fleet.scenario import EarthReference, PriceLearningCurve, parse_scenario
from runs import load_scenario, simulate
from runs.api import with_changes
from runs.studies.parity import AXES, crossing, variant
from runs.studies.stats import finite_mean_ci
from tests.commands import fleet


# ----- levelised-cost arithmetic ------------------------------------------------------------------
@pytest.mark.parametrize("rate, crf", [(0.12, 0.2013), (0.08, 0.1740)])
def test_capital_recovery_factor_matches_reference(rate, crf):
    assert capital_recovery_factor(rate, 8) == pytest.approx(crf, abs=5e-5)


@pytest.mark.parametrize("rate", [0.12, 0.08, 0.0])
def test_levelised_cost_is_capex_times_crf_plus_opex_over_output(rate):
    capex, opex, output, n = 1000.0, 50.0, 20.0, 8
    years = np.arange(1, n + 1, dtype=float)
    lc = levelised_cost(np.r_[capex, np.full(n, opex)], np.r_[0.0, years], np.full(n, output), years, rate)
    assert lc == pytest.approx((capex * capital_recovery_factor(rate, n) + opex) / output, rel=1e-12)


def test_availability_is_mttf_over_mttf_plus_mttr():
    # rate 0.05/yr: MTTF 7305 days; 5 days to repair
    assert availability(0.05, 5.0) == pytest.approx(7305.0 / 7310.0)
    assert availability(0.0, 5.0) == 1.0


def test_earth_flows_by_hand():
    # 10 MW of 1 kW units, 1 PFLOPS each, no trend: 10,000 units; 2 years; refresh every year.
    from fleet.scenario import Generation
    gen = (Generation(name="g", year_available=2030, pflops_per_unit=1.0, power_kw_per_unit=1.0,
                      mass_kg_per_unit=1.0, price_usd_per_unit=100.0),)
    earth = EarthReference(capex_usd_per_mw=1e6, facility_life_years=20, electricity_usd_per_kwh=0.05, pue=1.5,
                           hardware_refresh_years=1, unit_failure_rate_per_year=0.1, repair_days=0,
                           operations_usd_per_mw_year=1000.0, cost_of_capital=0.0)
    f = earth_flows(earth, gen, 10_000.0, 2030, 2.0)
    energy = 10_000 * 1.5 * 0.05 * 8766 * 2
    expected = 10e6 + 2 * 10_000 * 100 + energy + 1000 * 10 * 2 + 0.1 * 10_000 * 100 * 2
    assert f.total_usd == pytest.approx(expected, rel=1e-9)
    assert f.delivered_pflops_days == pytest.approx(10_000 * 2 * 365.25, rel=1e-12)


# ----- time-varying inputs ------------------------------------------------------------------------
def test_learning_curve_prices():
    c = PriceLearningCurve(learning_curve=True, year=2030, usd_per_kg=1000, learning_rate=0.2,
                           mass_growth_per_year=1.0, floor_usd_per_kg=300)
    # cumulative mass doubles every year: 20% cheaper each year, flat before 2030, floor 300
    assert price_on(c, 2029) == 1000
    assert price_on(c, 2031) == pytest.approx(800)
    assert price_on(c, 2032) == pytest.approx(640)
    assert price_on(c, 2040) == 300


def test_trend_changes_price_and_mass_per_unit():
    data = load_scenario("tiny").model_dump(mode="json")
    data["hardware"]["trend"].update(price_change_per_year=-0.1, mass_change_per_year=-0.05)
    gens = catalog(parse_scenario(data, "t"))
    first, second = gens[0], gens[1]
    assert second.year_available == 2032
    assert second.price_usd_per_unit == pytest.approx(first.price_usd_per_unit * 0.9 ** 2)
    assert second.mass_kg_per_unit == pytest.approx(first.mass_kg_per_unit * 0.95 ** 2)
    assert second.pflops_per_unit == pytest.approx(first.pflops_per_unit * 1.29 ** 2)


def _tiny_with(change):
    data = load_scenario("tiny").model_dump(mode="json")
    change(data)
    return data


def _second_generation_at_start(d):
    d["hardware"]["generations"].append(dict(d["hardware"]["generations"][0], name="early", year_available=2030))


BAD_INPUTS = {
    "years out of order": (lambda d: d["launch"]["vehicles"][0].update(price_per_kg_usd={2035: 100, 2030: 500},
                                                                            price_per_flight_usd=None),
                           "launch.vehicles.0.price_per_kg_usd", "increasing order"),
    "negative price": (lambda d: d["launch"]["vehicles"][0].update(price_per_kg_usd={2030: -5}, price_per_flight_usd=None),
                       "launch.vehicles.0.price_per_kg_usd.2030", "greater than or equal to 0"),
    "negative learning-curve price": (lambda d: d["launch"]["vehicles"][0].update(price_per_kg_usd={
        "learning_curve": True, "year": 2030, "usd_per_kg": -1, "learning_rate": 0.2, "mass_growth_per_year": 0.5}, price_per_flight_usd=None),
        "launch.vehicles.0.price_per_kg_usd.usd_per_kg", "greater than or equal to 0"),
    "generation available before the start": (_second_generation_at_start,
                                              "hardware.generations.1.year_available", "start_year"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_time_series_names_the_field(case):
    change, field, what = BAD_INPUTS[case]
    with pytest.raises(ScenarioError) as err:
        parse_scenario(_tiny_with(change), "bad.yaml")
    assert field in str(err.value) and what in str(err.value)


@pytest.mark.parametrize("case", ["years out of order", "generation available before the start"])
def test_bad_time_series_exits_2_from_the_command(case, tmp_path):
    change, field, _ = BAD_INPUTS[case]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(_tiny_with(change), sort_keys=False))
    p = fleet("run", str(path), "--years", "0.1", timeout=120)
    assert p.returncode == 2
    assert field in p.stderr and "bad.yaml" in p.stderr and "Traceback" not in p.stderr


# ----- the comparison with Earth -------------------------------------------------------------------
def test_starcloud_paper_totals_reproduced():
    s = simulate("starcloud-40mw", seed=0).summary
    assert round(s["cost_total_usd"] / 1e5) / 10 == 8.2          # $8.2M in orbit
    assert round(s["cost_launch_usd"] / 1e6) == 5                # of which launch $5M
    assert round(s["earth_cost_total_usd"] / 1e6) == 167         # $167M on Earth
    assert s["orbit_to_earth_cost_ratio"] == pytest.approx(8.2 / 167.256, rel=1e-3)


def test_cheaper_launches_never_raise_orbit_cost():
    base = load_scenario("starcloud-40mw-realistic")
    base = with_changes(base, horizon_years=3)
    costs, ratios = [], []
    for factor in (0.25, 0.5, 1.0, 2.0):
        s = simulate(variant(base, {"launch_price": factor}), seed=11).summary
        costs.append(s["cost_total_usd"])
        ratios.append(s["orbit_to_earth_cost_ratio"])
    assert costs == sorted(costs) and costs[0] < costs[-1]
    assert ratios == sorted(ratios)


def test_every_run_reports_earth_kpis():
    s = simulate("tiny", seed=1, years=1).summary
    for k in ("earth_cost_total_usd", "earth_cost_per_pflops_day_usd", "orbit_to_earth_cost_ratio"):
        assert math.isfinite(s[k]) and s[k] > 0


# ----- shipped studies -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["starcloud-40mw", "starcloud-40mw-realistic", "suncatcher-cluster", "ascend-1gw"])
def test_shipped_study_runs_a_short_horizon(name):
    s = simulate(name, seed=2, years=1).summary
    assert s["modules_launched"] > 0 and s["delivered_pflops_days"] > 0


def test_ascend_ramps_up_its_blocks():
    s = simulate("ascend-1gw", seed=0, years=2).summary
    # schedule: 13 blocks in 2036, 1,300 in 2050, linear: about 197 ordered by 2038
    assert s["modules_launched"] > 100


# ----- parity --------------------------------------------------------------------------------------
def test_crossing_interpolates_ratio_one():
    assert crossing(np.array([0.0, 1.0, 2.0]), np.array([0.5, 0.8, 1.4]), log=False) == pytest.approx(4 / 3)
    assert crossing(np.array([1.0, 4.0]), np.array([0.5, 1.5]), log=True) == pytest.approx(2.0)
    assert math.isnan(crossing(np.array([1.0, 2.0]), np.array([0.5, 0.6]), log=False))


def test_parity_intervals_use_student_t_on_finite_values():
    ci = finite_mean_ci(np.array([1.0, 2.0, math.nan, 3.0, math.inf]))
    assert ci.mean == 2.0 and ci.n == 3 and ci.high - ci.mean == pytest.approx(4.302653 * 1.0 / math.sqrt(3), rel=1e-5)


def test_axes_change_their_fields():
    sc = load_scenario("starcloud-40mw-realistic")
    v = variant(sc, {"launch_price": 2.0, "electricity_price": 0.1, "efficiency_trend": 0.4,
                     "unit_failure_rate": 0.03})
    assert v.launch.vehicles[0].price_per_kg_usd.usd_per_kg == 1940
    assert v.earth.electricity_usd_per_kwh == 0.1
    assert v.hardware.trend.perf_per_watt_growth_per_year == 0.4
    assert v.failures.unit.rate_per_year == 0.03
    assert set(AXES) >= {"launch_price", "efficiency_trend", "unit_failure_rate", "electricity_price"}


def test_parity_command_writes_its_results_store(tmp_path):
    p = fleet("parity", "starcloud-40mw-realistic", "--axes", "launch_price", "--points", "2", "--replications", "2",
              "--years", "1", "--out", str(tmp_path / "p"), "--backend", "serial", "--no-progress", timeout=300)
    assert p.returncode == 0, p.stderr
    assert "times Earth across launch price 0.1x to 3x; no parity" in p.stdout or "parity frontier" in p.stdout
    assert len(list((tmp_path / "p" / "units").glob("*.parquet"))) == 4
    bad = fleet("parity", "tiny", "--axes", "warp_speed", timeout=120)
    assert bad.returncode == 2 and "--axes" in bad.stderr


def test_first_cheaper_year_counts_every_whole_year_of_the_horizon():
    """Orbit pays its cost up front and catches up with Earth only in its last whole year: that
    year is found (start_year + k - 1 for the year ending at k), and NaN one year short of it."""
    years = np.arange(5) + 0.5                     # output mid-year, years 1..5
    orbit = Flows(np.array([4.5]), np.array([0.0]), np.ones(5), years)   # $4.5 up front: 4.5, 2.25, ..., 0.9
    earth = Flows(np.ones(5), np.arange(5.0), np.ones(5), years)         # $1 a year: 1 per PFLOPS-day
    assert first_cheaper_year(orbit, earth, 0.0, 0.0, 2030, 5.0) == 2034.0
    assert math.isnan(first_cheaper_year(orbit, earth, 0.0, 0.0, 2030, 4.0))
    assert first_cheaper_year(orbit, earth, 0.0, 0.0, 2030, 5.5) == 2034.0
