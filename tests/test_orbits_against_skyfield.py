"""fleet.orbits against a well-kept library: the sun from skyfield's JPL ephemeris (DE421, shipped by
skyfield-data, so nothing downloads) and orbits from SGP4 through skyfield's EarthSatellite.

orbits.py works in the mean equator and equinox of date (the Almanac's sun, a node measured from the
mean equinox, Greenwich mean sidereal time), so the library's vectors are taken in that frame; days
count from J2000 in UT, as the Almanac's formula does.
"""
import ast
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from fleet import orbits as o

REPO = Path(__file__).resolve().parents[1]
TEST_ONLY = {"skyfield", "skyfield_data", "sgp4", "jplephem"}


def _top_level_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_package_never_imports_the_test_only_libraries():
    # not skipped without skyfield: it holds either way
    offenders = [str(path.relative_to(REPO)) for package in ("fleet", "policies", "events", "runs")
                 for path in (REPO / package).rglob("*.py") if _top_level_imports(path) & TEST_ONLY]
    assert offenders == []


try:
    import sgp4.api as sgp4_api
    import skyfield.api as skyfield_api
    import skyfield_data
    from skyfield.framelib import mean_equator_and_equinox_of_date as MEAN_OF_DATE
except ImportError:
    skyfield_api = None
needs_skyfield = pytest.mark.skipif(skyfield_api is None, reason="skyfield, skyfield-data and sgp4 are in the "
                                    "test extra (pip install -e '.[test]')")

J2000_JD = 2_451_545.0          # the epoch of `days`, as a Julian date
SGP4_EPOCH_JD = 2_433_281.5     # SGP4 counts its epoch in days from 1949-12-31 00:00 UT
DE421_LAST_YEAR = 2053          # DE421 ends on 2053-10-08; the brief's 2030-2060 is cut there
# The Astronomical Almanac quotes its low-precision sun as good to 0.01° (1950-2050), a figure given to
# one digit; 10% on top allows the rounding and the three years past 2050 the Almanac does not cover.
SUN_TOLERANCE_DEG = 0.011
ALTITUDE_KM = 650.0
DAWN_DUSK_LTAN_H = 18.0
MIN_ELEVATION_DEG = 5.0
STEP_S = 10.0
STATIONS = {"svalbard (polar)": (78.23, 15.39), "equator": (0.0, -78.5)}


@pytest.fixture(scope="module")
def sky():
    """Loader, timescale and ephemeris from files on disk only (expire=False: never download)."""
    with warnings.catch_warnings():    # skyfield-data warns that its Earth-orientation table is old; unused
        warnings.simplefilter("ignore")
        load = skyfield_api.Loader(skyfield_data.get_skyfield_data_path(), expire=False)
        ephemeris = load("de421.bsp")
    return load.timescale(builtin=True), ephemeris


def _times(sky, days: np.ndarray):
    timescale, _ = sky
    return timescale.ut1_jd(J2000_JD + np.asarray(days, dtype=float))


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1)[:, None]


def _library_sun(sky, days: np.ndarray) -> np.ndarray:
    """Apparent geocentric unit vectors to the sun from DE421, mean equator and equinox of date."""
    _, eph = sky
    apparent = eph["earth"].at(_times(sky, days)).observe(eph["sun"]).apparent()
    return _unit(apparent.frame_xyz(MEAN_OF_DATE).au.T)


def _angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.degrees(np.arccos(np.clip(np.sum(a * b, axis=1), -1.0, 1.0)))


def _satellite(sky, inclination_deg: float, node_deg: float, start_days: float):
    """SGP4 satellite on the circular orbit orbits.py flies: at the ascending node at `start_days`."""
    timescale, _ = sky
    satrec = sgp4_api.Satrec()
    mean_motion_rad_min = 2.0 * math.pi / o.period_s(ALTITUDE_KM) * 60.0
    satrec.sgp4init(sgp4_api.WGS84, "i", 1, J2000_JD + start_days - SGP4_EPOCH_JD, 0.0, 0.0, 0.0, 0.0, 0.0,
                    math.radians(inclination_deg), 0.0, mean_motion_rad_min, math.radians(node_deg))
    return skyfield_api.EarthSatellite.from_satrec(satrec, timescale)


def _coverage_half_angle(altitude_km: float) -> float:
    """Earth-central angle from a station to where a satellite at `altitude_km` rises above the mask, rad."""
    mask = math.radians(MIN_ELEVATION_DEG)
    return math.acos(o.EARTH_RADIUS_KM * math.cos(mask) / (o.EARTH_RADIUS_KM + altitude_km)) - mask


@needs_skyfield
def test_sun_direction_matches_de421_from_2030_to_2053(sky):
    days = np.arange(o.days_since_j2000(2030), o.days_since_j2000(DE421_LAST_YEAR) + 270.0, 3.0)
    gap = _angle_deg(o.sun_direction(days), _library_sun(sky, days))
    assert gap.max() < SUN_TOLERANCE_DEG
    assert gap.mean() < SUN_TOLERANCE_DEG / 2     # an error bound, not the typical error


@needs_skyfield
def test_dawn_dusk_beta_over_a_year_matches_skyfields_sun(sky):
    inclination = o.sun_synchronous_inclination_deg(ALTITUDE_KM)
    days = o.days_since_j2000(2030) + np.arange(0.0, 365.0, 0.25)
    node = o.sun_synchronous_node_deg(days, DAWN_DUSK_LTAN_H)
    ours = o.beta_deg(days, node, inclination)
    library = np.degrees(np.arcsin(np.sum(o.orbit_normal(node, inclination) * _library_sun(sky, days), axis=1)))
    assert np.abs(ours - library).max() < SUN_TOLERANCE_DEG     # the normal is shared: only the sun differs
    assert ours.min() > 55.0                                    # dawn-dusk: the sun stays well off the plane


@needs_skyfield
def test_dawn_dusk_beta_over_a_year_matches_an_sgp4_orbit(sky):
    # SGP4 drifts the plane by its own secular J2 and J4 rates, orbits.py by first-order J2 at the
    # inclination that makes that drift 360° a year. The rates differ by terms of relative order
    # 1.5 J2 (Re/a)^2, so over a year the planes part by at most about twice that share of 360°, plus
    # SGP4's periodic wobble of the inclination (under 0.01°) and the sun's error.
    inclination = o.sun_synchronous_inclination_deg(ALTITUDE_KM)
    start = o.days_since_j2000(2030)
    days = start + np.arange(0.0, 365.0, 0.25)
    node = o.sun_synchronous_node_deg(days, DAWN_DUSK_LTAN_H)
    at = _satellite(sky, inclination, float(node[0]), start).at(_times(sky, days))
    position, velocity = at.frame_xyz_and_velocity(MEAN_OF_DATE)
    normal = _unit(np.cross(position.km.T, velocity.km_per_s.T))
    library = np.degrees(np.arcsin(np.sum(normal * _library_sun(sky, days), axis=1)))
    relative_rate_gap = 2.0 * 1.5 * o.J2 * (o.EARTH_RADIUS_KM / o.radius_km(ALTITUDE_KM)) ** 2
    tolerance = relative_rate_gap * 360.0 + 0.01 + SUN_TOLERANCE_DEG
    gap = np.abs(o.beta_deg(days, node, inclination) - library)
    assert gap.max() < tolerance
    assert gap[: 4 * 30].max() < 0.1    # in the first month the planes have not yet parted


@needs_skyfield
@pytest.mark.parametrize("station", STATIONS)
def test_contact_hours_match_sgp4_passes_over_a_wgs84_station(sky, station):
    # orbits.py puts the station on a sphere of the equatorial radius; skyfield on the WGS-84 ellipsoid,
    # lower by `drop` km at high latitude, where it sees a wider circle: the library's hours should
    # exceed ours by the ratio of the coverage half-angles. Left over: SGP4's periodic swing of the
    # radius (its effect on the half-angle) and the 10 s sampling, up to two steps a pass at random.
    latitude, longitude = STATIONS[station]
    inclination = o.sun_synchronous_inclination_deg(ALTITUDE_KM)
    start = o.days_since_j2000(2030) + 90.5
    n_days = 3
    node = float(o.sun_synchronous_node_deg(np.array([start]), DAWN_DUSK_LTAN_H)[0])
    passes, hours = o.contacts(ALTITUDE_KM, inclination, node, latitude, longitude, MIN_ELEVATION_DEG,
                               n_days=n_days, step_s=STEP_S, start_days=start)
    days = start + np.arange(0.0, n_days * o.SECONDS_PER_DAY, STEP_S) / o.SECONDS_PER_DAY
    satellite = _satellite(sky, inclination, node, start)
    site = skyfield_api.wgs84.latlon(latitude, longitude)
    times = _times(sky, days)
    in_view = (satellite - site).at(times).altaz()[0].degrees >= MIN_ELEVATION_DEG
    library_hours = float(in_view.mean()) * 24.0
    library_rises = int(np.count_nonzero(in_view[1:] & ~in_view[:-1])) + int(in_view[0])

    drop = o.EARTH_RADIUS_KM - float(np.linalg.norm(site.itrs_xyz.km))
    expected_ratio = _coverage_half_angle(ALTITUDE_KM + drop) / _coverage_half_angle(ALTITUDE_KM)
    radius = np.linalg.norm(satellite.at(times).position.km, axis=0)
    swing = float(np.abs(radius - o.radius_km(ALTITUDE_KM)).max())
    radius_share = _coverage_half_angle(ALTITUDE_KM + swing) / _coverage_half_angle(ALTITUDE_KM) - 1.0
    pass_s = hours * 3600.0 / passes
    sampling_share = 2.0 * STEP_S / pass_s / math.sqrt(passes * n_days)
    assert library_hours / hours == pytest.approx(expected_ratio, abs=radius_share + sampling_share)
    assert abs(library_rises - round(passes * n_days)) <= 1      # one grazing pass over the days at most
