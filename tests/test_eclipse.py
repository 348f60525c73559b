"""Eclipse from the orbit's geometry in the engine, batteries against throttling, and the orbit outputs.

- The blocks' integral of the sunlit fraction is exact against a sum over each block by hand; blocks
  that keep the value of the block before put nothing on the clock.
- A module that meets demand all the time delivers the sunlit time, day by day from the geometry
  (recomputed here from the daily shadow, not from the blocks), and the accounting identities hold.
- A typed-in fraction overrides the geometry; eclipse seasons appear in the timeline on their days.
- On batteries a module delivers through the shadow; its battery's mass and price, by hand.
- Shadow, contact hours and dose KPIs by hand.
"""
import math

import numpy as np
import pytest

from fleet import eclipse, orbits
from fleet.contacts import ContactHours
from fleet.economics import DAYS_PER_YEAR
from fleet.errors import ScenarioError
from fleet.scenario import parse_scenario
from fleet.yamlio import dump_yaml
from policies.null import Null
from runs import load_scenario, simulate
from tests.commands import fleet
from tests.scripted import one_module_dict

INCLINED_550 = {"shells": [{"name": "inclined", "altitude_km": 550.0, "inclination_deg": 53.0}]}
DAWN_DUSK_650 = {"shells": [{"name": "dawn-dusk", "altitude_km": 650.0, "sun_synchronous_ltan_h": 18.0}]}
STATION = {"name": "north", "downlink_gbps": 100.0, "clear_probability": 1.0, "mean_outage_hours": 1.0,
           "latitude_deg": 60.0, "longitude_deg": 10.0, "min_elevation_deg": 10.0}


def always_on(orbits_: dict | None = None, horizon_years: float = 1.0, **module) -> dict:
    """One module running from day 0 with no failures, demand far below its capacity (so it always
    meets it in sunlight) and an always-clear station of ample rate; the shadow from `orbits_`."""
    base = one_module_dict()
    base["horizon_years"] = horizon_years
    base["launch"]["vehicles"][0]["lead_time_days"] = 0
    base["fleet"]["module"].update({"commissioning_days": 0, "array_degradation_per_year": 0.0,
                                    "eclipse_fraction": None, **module})
    base["demand"] = {"unit": "pflops", "level": 1.0}
    base["ground"]["stations"] = [dict(STATION, downlink_gbps=1000.0)]
    if orbits_ is not None:
        base["orbits"] = orbits_
    return base


def daily_shadow(start_year: int, days: int, shell: dict) -> np.ndarray:
    """Each day's mean shadow fraction of a one-plane shell, straight from the geometry."""
    return orbits.eclipse_by_day(orbits.days_since_j2000(start_year), days, shell["altitude_km"],
                                 shell.get("inclination_deg"), shell.get("sun_synchronous_ltan_h"))


def test_the_integral_of_blocks_is_exact_and_unchanged_blocks_are_skipped():
    values = np.array([1.0, 1.0, 0.9, 0.8, 0.8, 1.0])
    sun = eclipse.Sunlight.blocks(2.0, values)
    # [1, 7]: half of block 0 (1 x 1), blocks 1-2 (2 x 1 + 2 x 0.9), the first day of block 3 (0.8)
    assert float(sun.integral(1.0, 7.0)) == pytest.approx(1.0 + 2.0 + 1.8 + 0.8, rel=1e-15)
    assert sun.integral(np.array([0.0, 3.0]), np.array([12.0, 3.0])).tolist() == pytest.approx([11.0, 0.0])
    days, new = sun.changes()
    assert days.tolist() == [4.0, 6.0, 10.0] and new.tolist() == [0.9, 0.8, 1.0]
    steady = eclipse.Sunlight.blocks(1.0, np.full(5, 0.7))
    assert steady.constant == 0.7 and len(steady.changes()[0]) == 0


def test_a_dawn_dusk_shell_changes_only_in_its_eclipse_season():
    s = parse_scenario(always_on(DAWN_DUSK_650), "probe")
    shadow = eclipse.shadow_of(s)
    days, _ = eclipse.sunlight_of(s).changes()
    in_season = int(np.count_nonzero(shadow.fleet > 0))
    assert 60 < in_season < 120                                  # reference figures: 88 eclipse days a year
    assert len(days) <= in_season + 2 and len(days) < 0.4 * len(shadow.fleet)
    assert shadow.fleet == pytest.approx(daily_shadow(s.start_year, len(shadow.fleet), DAWN_DUSK_650["shells"][0]))


@pytest.mark.parametrize("orbit", [INCLINED_550, DAWN_DUSK_650])
def test_a_module_meeting_demand_delivers_the_sunlit_time_from_the_geometry(orbit):
    r = simulate(parse_scenario(always_on(orbit), "probe"), seed=0, policy=Null())
    horizon = DAYS_PER_YEAR
    daily = daily_shadow(2030, 366, orbit["shells"][0])
    widths = np.minimum(np.arange(1, 367), horizon) - np.arange(366)          # the last day is a quarter
    sunlit = 1.0 - float(daily @ widths) / horizon
    s = r.summary
    assert s["mean_availability"] == pytest.approx(sunlit, rel=1e-9)
    assert s["eclipse_fraction"] == pytest.approx(1.0 - sunlit, rel=1e-9)
    used = s["delivered_pflops_days"] + s["lost_pflops_days"] + s["pending_pflops_days"]
    assert s["capacity_pflops_days"] == pytest.approx(used + s["surplus_pflops_days"], rel=1e-9)


def test_a_typed_in_fraction_overrides_the_geometry():
    r = simulate(parse_scenario(always_on(INCLINED_550, eclipse_fraction=0.25), "probe"), seed=0, policy=Null())
    assert r.summary["mean_availability"] == pytest.approx(0.75, rel=1e-12)
    assert r.summary["eclipse_fraction"] == pytest.approx(0.25, rel=1e-12)
    assert set(r.timeline["eclipse_fraction"]) == {0.25}


def test_eclipse_seasons_appear_in_the_timeline_on_their_days():
    data = always_on(DAWN_DUSK_650)
    data["timeline_step_days"] = 1.0
    r = simulate(parse_scenario(data, "probe"), seed=0, policy=Null())
    daily = daily_shadow(2030, 365, DAWN_DUSK_650["shells"][0])
    sampled = r.timeline["eclipse_fraction"].to_numpy()[:365]
    assert sampled == pytest.approx(daily)
    assert (sampled > 0).any() and (sampled == 0).sum() > 200        # a season, then full sun


def test_on_batteries_compute_runs_through_the_shadow_at_the_battery_s_mass_and_price():
    throttle = parse_scenario(always_on(INCLINED_550), "throttle")
    battery = parse_scenario(always_on(INCLINED_550, eclipse_power="battery"), "battery")
    rt, rb = (simulate(s, seed=0, policy=Null()).summary for s in (throttle, battery))
    assert rb["mean_availability"] == pytest.approx(1.0, rel=1e-12)
    assert rt["mean_availability"] == pytest.approx(1.0 - rt["eclipse_fraction"], rel=1e-9)
    assert rb["delivered_pflops_days"] > rt["delivered_pflops_days"] * 1.2       # about a third in shadow
    # the battery carries the array's 17.6 kW through the longest shadow of the year at 30% depth
    period_h = orbits.period_s(550.0) / 3600.0
    longest = float(daily_shadow(2030, 366, INCLINED_550["shells"][0]).max()) * period_h
    kwh = 17.6 * longest / 0.3
    assert eclipse.battery_kwh(battery) == pytest.approx(kwh, rel=1e-9)
    assert 0.5 < longest < 0.6                                        # about 36 minutes at beta 0
    assert rb["mass_launched_kg"] - rt["mass_launched_kg"] == pytest.approx(kwh * 1000.0 / 150.0, rel=1e-9)
    assert rb["cost_hardware_usd"] - rt["cost_hardware_usd"] == pytest.approx(kwh * 2000.0, rel=1e-9)


def test_batteries_need_orbits_and_a_fraction_is_needed_without_them():
    data = always_on(None, eclipse_power="battery")
    data.pop("orbits")
    data["ground"]["stations"] = [dict(STATION, contact_fraction=0.1)]
    with pytest.raises(ScenarioError, match="fleet.module.eclipse_fraction: required without"):
        parse_scenario(data, "probe.yaml")
    data["fleet"]["module"]["eclipse_fraction"] = 0.1
    with pytest.raises(ScenarioError, match="probe.yaml: fleet.module.eclipse_power: battery needs"):
        parse_scenario(data, "probe.yaml")


def test_shells_count_by_their_clusters():
    data = always_on({"shells": [dict(INCLINED_550["shells"][0], clusters=3),
                                 dict(DAWN_DUSK_650["shells"][0], clusters=1)]})
    data["fleet"]["clusters"] = 4
    shadow = eclipse.shadow_of(parse_scenario(data, "probe"))
    assert shadow.fleet == pytest.approx(0.75 * shadow.by_shell[0] + 0.25 * shadow.by_shell[1])
    assert shadow.by_shell[0] == pytest.approx(daily_shadow(2030, len(shadow.fleet), INCLINED_550["shells"][0]))


def test_contact_hours_count_a_pass_seen_by_two_stations_once():
    data = always_on(DAWN_DUSK_650)
    near = dict(STATION, name="near", longitude_deg=12.0)
    data["ground"]["stations"] = [STATION, near]
    s = parse_scenario(data, "probe")
    fractions = orbits.contact_fractions(s)[0]
    both = ContactHours(s).hours_per_day()
    assert both < 24.0 * fractions.sum() * 0.8                       # neighbours share most passes
    assert both >= 24.0 * fractions.max()
    assert ContactHours(s).hours_per_day((True, False)) == pytest.approx(24.0 * fractions[0], rel=1e-12)
    typed = dict(near, contact_fraction=0.5)
    data["ground"]["stations"] = [STATION, typed]
    s = parse_scenario(data, "probe")
    assert ContactHours(s).hours_per_day() == pytest.approx(24.0 * (1 - (1 - fractions[0]) * 0.5), rel=1e-12)
    assert ContactHours(s).hours_per_day((False, False)) == 0.0


def test_contact_and_dose_kpis_by_hand():
    data = always_on(DAWN_DUSK_650, horizon_years=2.0)
    r = simulate(parse_scenario(data, "probe"), seed=0, policy=Null())
    s = r.summary
    assert s["contact_hours_per_day"] == pytest.approx(24.0 * orbits.contact_fractions(r.scenario)[0, 0], rel=1e-12)
    # one module from day 0 to the horizon at the estimate for 650 km (150 rad a year)
    assert s["dose_krad_mean"] == pytest.approx(orbits.dose_rate_rad_per_year(650.0) * 2.0 / 1000.0, rel=1e-12)
    assert r.timeline["contact_hours"].iloc[0] == pytest.approx(s["contact_hours_per_day"])


def test_the_shipped_dawn_dusk_scenarios_see_the_reference_shadow():
    tiny = load_scenario("tiny")
    assert eclipse.shadow_of(tiny).fleet.mean() == pytest.approx(0.039, abs=0.003)   # reference: 3.9% at 650 km
    s = simulate(tiny, seed=0).summary
    assert s["eclipse_fraction"] == pytest.approx(0.039, abs=0.01)   # modules miss parts of the seasons
    assert math.isfinite(s["dose_krad_mean"]) and s["contact_hours_per_day"] > 0


def test_fleet_run_refuses_batteries_without_orbits_with_one_clear_message(tmp_path):
    data = load_scenario("tiny").model_dump(mode="json")
    data.pop("orbits")
    data["ground"]["stations"] = [dict(s, contact_fraction=0.1) for s in data["ground"]["stations"]]
    data["fleet"]["module"].update(eclipse_fraction=0.04, eclipse_power="battery")
    (tmp_path / "bad.yaml").write_text(dump_yaml(data), encoding="utf-8")
    done = fleet("run", "bad.yaml", "--years", "1", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert "bad.yaml" in done.stderr and "fleet.module.eclipse_power: battery needs an `orbits` section" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()
