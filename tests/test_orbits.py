"""Orbit geometry against closed forms, an independent numerical shadow test and the reference figures."""
import math

import numpy as np
import pytest

from fleet import orbits as o
from runs.trust import theory, validate


def _shadow_fraction_by_sampling(altitude_km: float, beta_deg: float) -> float:
    """The sampled shadow share with the orbit in the x-y plane and the sun `beta_deg` above it."""
    b = math.radians(beta_deg)
    return theory.shadow_fraction_sampled(o.radius_km(altitude_km), np.array([0.0, 0.0, 1.0]),
                                          np.array([math.cos(b), 0.0, math.sin(b)]), points=200_000)


@pytest.mark.parametrize("altitude_km", [400.0, 650.0, 1400.0])
@pytest.mark.parametrize("beta", [0.0, 20.0, 45.0, 60.0])
def test_eclipse_fraction_matches_an_independent_sampling_of_the_orbit(altitude_km, beta):
    # a sampled orbit is within one sample's share of the closed form
    assert o.eclipse_fraction(np.array([beta]), altitude_km)[0] == pytest.approx(
        _shadow_fraction_by_sampling(altitude_km, beta), abs=2e-5)


def test_eclipse_at_beta_zero_is_the_closed_form():
    r = o.radius_km(500.0)
    expected = 0.5 - math.acos(o.EARTH_RADIUS_KM / r) / math.pi    # half the orbit minus the lit limb
    assert o.eclipse_fraction(np.array([0.0]), 500.0)[0] == pytest.approx(expected, rel=1e-12)
    assert o.eclipse_fraction(np.array([-90.0, 90.0]), 500.0).tolist() == [0.0, 0.0]


def test_period_and_speed_of_a_low_orbit():
    # about 92.7 minutes and 7.66 km/s at 400 km (Kepler's third law)
    assert o.period_s(400.0) / 60 == pytest.approx(92.56, abs=0.05)
    assert o.speed_km_s(400.0) == pytest.approx(7.669, abs=0.002)
    assert o.speed_km_s(400.0) * o.period_s(400.0) == pytest.approx(2 * math.pi * o.radius_km(400.0), rel=1e-12)


@pytest.mark.parametrize("altitude_km", [550.0, 650.0, 1000.0, 1400.0])
def test_a_sun_synchronous_orbit_precesses_360_degrees_per_year(altitude_km):
    inc = o.sun_synchronous_inclination_deg(altitude_km)
    assert 96.0 < inc < 103.0
    assert o.nodal_precession_deg_per_day(altitude_km, inc) * o.TROPICAL_YEAR_DAYS == pytest.approx(360.0, rel=1e-12)


def test_precession_is_westward_below_90_degrees_and_zero_for_a_polar_orbit():
    assert o.nodal_precession_deg_per_day(550.0, 53.0) == pytest.approx(-4.5, abs=0.2)   # Starlink-like shell
    assert o.nodal_precession_deg_per_day(550.0, 90.0) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError):
        o.sun_synchronous_inclination_deg(8000.0)


def test_plane_change_delta_v_is_two_v_sin_half_angle():
    v = o.speed_km_s(650.0)
    assert o.plane_change_delta_v_km_s(650.0, 10.0) == pytest.approx(2 * v * math.sin(math.radians(5.0)), rel=1e-12)
    assert o.plane_change_delta_v_km_s(650.0, 60.0) == pytest.approx(v, rel=1e-12)     # 2 sin 30° = 1
    assert o.angle_between_planes_deg(98.0, 10.0, 98.0, 10.0) == pytest.approx(0.0, abs=1e-6)
    assert o.angle_between_planes_deg(50.0, 0.0, 60.0, 0.0) == pytest.approx(10.0, abs=1e-9)


def test_rocket_equation():
    isp = 300.0
    dv = o.G0_M_S2 * isp * math.log(2.0) / 1000.0      # the Δv that doubles the initial mass
    assert o.propellant_kg(1000.0, dv, isp) == pytest.approx(1000.0, rel=1e-12)
    assert o.propellant_kg(1000.0, 0.0, isp) == 0.0


def test_the_sun_crosses_the_equator_at_the_equinoxes():
    start = o.days_since_j2000(2030)
    days = start + np.arange(365)
    declination = np.degrees(np.arcsin(o.sun_direction(days)[:, 2]))
    assert declination.max() == pytest.approx(23.44, abs=0.05)
    march = int(np.argmax(declination > 0))     # first day of northern spring
    assert 78 <= march <= 80                    # 20 or 21 March


# Reference figures (docs/reference-figures.md, "Dawn-dusk SSO eclipse, spherical Earth, sharp shadow"):
# eclipse days a year, the longest eclipse in minutes and the share of the year in shadow.
DAWN_DUSK = [(550.0, 98, 21.7, 0.049), (650.0, 88, 19.7, 0.039), (800.0, 74, None, 0.027),
             (1000.0, 56, None, 0.015), (1400.0, 0, None, 0.0)]


@pytest.mark.parametrize("altitude_km, days, longest_min, share", DAWN_DUSK)
def test_dawn_dusk_eclipse_seasons_match_the_reference_figures(altitude_km, days, longest_min, share):
    for local_time in (6.0, 18.0):
        by_day = o.eclipse_by_day(o.days_since_j2000(2030), 365, altitude_km,
                                  local_time_ascending_node_h=local_time, samples_per_day=24)
        # the season's length depends on which solstice it falls in (the sun is farther in July)
        assert abs(int((by_day > 0).sum()) - days) <= 4
        assert by_day.mean() == pytest.approx(share, abs=0.003)
        if longest_min is not None:
            assert by_day.max() * o.period_s(altitude_km) / 60 == pytest.approx(longest_min, abs=0.15)


def test_an_inclined_orbit_drifts_through_the_seasons_and_a_sun_synchronous_one_does_not():
    start = o.days_since_j2000(2030)
    inclined = o.eclipse_by_day(start, 365, 550.0, inclination_deg=53.0)
    dawn_dusk = o.eclipse_by_day(start, 365, 550.0, local_time_ascending_node_h=18.0)
    noon = o.eclipse_by_day(start, 365, 550.0, local_time_ascending_node_h=12.0)
    assert (dawn_dusk == 0).sum() > 250                   # eclipses only near one solstice
    assert np.ptp(inclined) > 0.2 and (inclined == 0).sum() < 100   # beta cycles every ~2 months
    assert noon.min() > 0.3                                # a noon orbit is in shadow every orbit


# Reference figures (docs/reference-figures.md, "Ground links"): passes a day above 5° for a 650 km
# sun-synchronous orbit, each about 8.7 minutes long.
@pytest.mark.parametrize("latitude_deg, passes", [(78.0, 14.8), (50.0, 5.6), (0.0, 3.3)])
def test_passes_per_day_match_the_reference_figures(latitude_deg, passes):
    inc = o.sun_synchronous_inclination_deg(650.0)
    per_day, hours = o.contacts(650.0, inc, 0.0, latitude_deg, 10.0, 5.0, n_days=30.0, step_s=5.0)
    assert per_day == pytest.approx(passes, rel=0.05)
    assert hours * 60.0 / per_day == pytest.approx(8.7, abs=0.4)


def test_a_polar_station_sees_a_polar_orbit_more_often_than_an_equatorial_one():
    polar = o.contacts(800.0, 90.0, 30.0, 80.0, 0.0, 10.0, n_days=5.0)
    equatorial = o.contacts(800.0, 90.0, 30.0, 0.0, 0.0, 10.0, n_days=5.0)
    assert polar[0] > 3 * equatorial[0] and polar[1] > 3 * equatorial[1]
    assert o.contacts(800.0, 0.0, 0.0, 80.0, 0.0, 10.0, n_days=2.0) == (0.0, 0.0)   # below its horizon


# ----- the `orbits` section of a scenario -------------------------------------------------------

from fleet.ground import DownlinkCapacity                       # noqa: E402
from fleet.scenario import parse_scenario                       # noqa: E402
from fleet.errors import ScenarioError                          # noqa: E402
from runs import load_scenario, simulate                        # noqa: E402
from runs.api import with_changes                               # noqa: E402

DAWN_DUSK_650 = {"shells": [{"name": "dawn-dusk", "altitude_km": 650.0, "sun_synchronous_ltan_h": 18.0}]}
POLAR_AND_EQUATOR = [
    {"name": "polar", "downlink_gbps": 100.0, "clear_probability": 1.0, "mean_outage_hours": 1.0,
     "latitude_deg": 78.2, "longitude_deg": 15.4, "min_elevation_deg": 5.0},
    {"name": "equator", "downlink_gbps": 100.0, "clear_probability": 1.0, "mean_outage_hours": 1.0,
     "latitude_deg": 0.0, "longitude_deg": 10.0, "min_elevation_deg": 5.0},
]


def _tiny_with(orbits, stations):
    base = load_scenario("tiny")
    data = base.model_dump(mode="python")
    data["orbits"] = orbits
    data["ground"]["stations"] = stations
    return parse_scenario(data, "probe.yaml")


def test_contact_fractions_follow_from_the_shell_and_the_stations():
    s = _tiny_with(DAWN_DUSK_650, POLAR_AND_EQUATOR)
    c = o.contact_fractions(s)
    assert c.shape == (1, 2)
    # passes a day x minutes a pass (reference figures: 14.8 x 8.7 min at 78 N, 3.3 x 8.8 min at 0)
    assert c[0, 0] == pytest.approx(14.8 * 8.7 / 1440, rel=0.08)
    assert c[0, 1] == pytest.approx(3.3 * 8.8 / 1440, rel=0.12)


def test_a_typed_contact_fraction_overrides_the_geometry():
    stations = [dict(POLAR_AND_EQUATOR[0], contact_fraction=0.5), POLAR_AND_EQUATOR[1]]
    c = o.contact_fractions(_tiny_with(DAWN_DUSK_650, stations))
    assert c[0, 0] == 0.5 and c[0, 1] < 0.05


def test_the_downlink_follows_the_derived_contacts_and_a_run_uses_them():
    s = _tiny_with(DAWN_DUSK_650, POLAR_AND_EQUATOR)
    c = o.contact_fractions(s)
    total = DownlinkCapacity(s.ground, c).total((True, True))
    assert total == pytest.approx(100.0 * 10.8 * c.sum(), abs=0.02)      # 100 Gbps = 1,080 TB/day
    only_equator = DownlinkCapacity(s.ground, c).total((False, True))
    assert only_equator == pytest.approx(100.0 * 10.8 * c[0, 1], abs=0.02)
    r = simulate(with_changes(s, horizon_years=1.0), seed=0)
    assert r.summary["data_delivered_tb"] > 0


def test_clusters_are_numbered_across_shells():
    orbits = {"shells": [dict(DAWN_DUSK_650["shells"][0], clusters=2),
                         {"name": "equatorial", "altitude_km": 800.0, "inclination_deg": 0.0, "clusters": 1}]}
    data = load_scenario("tiny").model_dump(mode="python")
    data.update(orbits=orbits)
    data["ground"]["stations"] = POLAR_AND_EQUATOR
    data["fleet"]["clusters"] = 3
    c = o.contact_fractions(parse_scenario(data, "probe.yaml"))
    assert c[0, 0] == c[1, 0] > 0.05          # both dawn-dusk clusters see the polar station
    assert c[2, 0] == 0.0 and c[2, 1] > 0.05  # the equatorial one sees only the equatorial station


@pytest.mark.parametrize("change, field", [
    (lambda d: d["orbits"]["shells"][0].update(inclination_deg=53.0), "orbits.shells.0"),
    (lambda d: d["orbits"]["shells"][0].pop("sun_synchronous_ltan_h"), "orbits.shells.0"),
    (lambda d: d["orbits"]["shells"][0].update(clusters=2), "orbits.shells"),
    (lambda d: d["orbits"]["shells"].append({"name": "b", "altitude_km": 900.0, "inclination_deg": 60.0}),
     "orbits.shells"),
    (lambda d: d["ground"]["stations"][0].pop("latitude_deg"), "ground.stations.0"),
    (lambda d: d.pop("orbits"), "ground.stations.0.contact_fraction"),
    (lambda d: d["orbits"]["shells"][0].update(altitude_km=100.0), "orbits.shells.0.altitude_km"),
])
def test_bad_orbits_are_refused_naming_the_field(change, field):
    data = _tiny_with(DAWN_DUSK_650, POLAR_AND_EQUATOR).model_dump(mode="python")
    change(data)
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data, "probe.yaml")
    assert field in str(err.value) and "probe.yaml" in str(err.value)


@pytest.mark.parametrize("case, broken", [
    ("eclipse-dawn-dusk", lambda: (o, "eclipse_fraction", lambda beta, alt: 1.01 * ECLIPSE(beta, alt))),
    ("sun-synchronous-precession", lambda: (o, "nodal_precession_deg_per_day",
                                            lambda alt, inc: 1.001 * PRECESSION(alt, inc))),
    ("plane-change", lambda: (o, "plane_change_delta_v_km_s",       # v sin(di): the small-angle mistake
                              lambda alt, angle: o.speed_km_s(alt) * math.sin(math.radians(angle)))),
    ("passes", lambda: (o, "EARTH_ROTATION_RAD_S", 1.01 * o.EARTH_ROTATION_RAD_S)),
])
def test_each_orbit_validation_case_passes_and_fails_when_its_subject_is_broken(monkeypatch, case, broken):
    (run,) = [c.run for c in validate.CASES if c.name == case]
    assert all(row.passed(0.05) for row in run(1))
    monkeypatch.setattr(*broken())
    assert not all(row.passed(0.05) for row in run(1))


ECLIPSE, PRECESSION = o.eclipse_fraction, o.nodal_precession_deg_per_day


def test_dose_estimate_meets_its_anchors_and_rises_into_the_inner_belt():
    assert o.dose_rate_rad_per_year(650.0) == pytest.approx(150.0)          # Suncatcher: 750 rad in 5 years
    assert o.dose_rate_rad_per_year(400.0) == pytest.approx(150.0)          # Mir behind 4 mm Al
    doses = [o.dose_rate_rad_per_year(a) for a in (650.0, 800.0, 1000.0, 1400.0, 2000.0)]
    assert doses == sorted(doses) and doses[3] > 20 * doses[0]
    between = o.dose_rate_rad_per_year(900.0)                                # log-linear between 800 and 1000
    assert between == pytest.approx(math.sqrt(300.0 * 1000.0), rel=1e-9)


def _with_radiation(orbits, dose=None):
    data = _tiny_with(orbits, POLAR_AND_EQUATOR).model_dump(mode="python")
    data["failures"]["radiation"] = {"hazard_per_year_per_krad": 0.5}
    if dose is not None:
        data["failures"]["radiation"]["dose_rate_rad_per_year"] = dose
    return parse_scenario(data, "probe.yaml")


def test_the_dose_rate_follows_the_altitude_unless_given():
    low = _with_radiation(DAWN_DUSK_650)
    high = _with_radiation({"shells": [dict(DAWN_DUSK_650["shells"][0], altitude_km=1400.0)]})
    assert o.radiation_of(low).dose_rate_rad_per_year == pytest.approx(150.0)
    assert o.radiation_of(high).dose_rate_rad_per_year == pytest.approx(4000.0)
    assert o.radiation_of(_with_radiation(DAWN_DUSK_650, dose=7.0)).dose_rate_rad_per_year == 7.0
    # a higher orbit's dose shortens unit lives in a run
    failures = [simulate(with_changes(s, horizon_years=3.0), seed=2).summary["unit_failures"] for s in (low, high)]
    assert failures[1] > failures[0]


def test_a_dose_rate_is_required_when_it_cannot_follow_from_one_altitude():
    data = _with_radiation(DAWN_DUSK_650).model_dump(mode="python")
    data["orbits"]["shells"].append({"name": "high", "altitude_km": 1400.0, "inclination_deg": 53.0, "clusters": 1})
    data["fleet"]["clusters"] = 2
    with pytest.raises(ScenarioError, match="dose_rate_rad_per_year"):
        parse_scenario(data, "probe.yaml")
    data = _with_radiation(DAWN_DUSK_650).model_dump(mode="python")
    data.pop("orbits")
    for s in data["ground"]["stations"]:
        s["contact_fraction"] = 0.05
    with pytest.raises(ScenarioError, match="dose_rate_rad_per_year: required without"):
        parse_scenario(data, "probe.yaml")
