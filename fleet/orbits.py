"""Circular-orbit geometry: periods, nodal precession, the sun's beta angle, eclipse, ground contacts, Δv.

Pure functions of a shell (altitude, inclination or sun-synchronous local time) on a spherical Earth
with J2 nodal precession and a cylindrical, sharp-edged shadow. Angles are in degrees at the
interface and radians inside; times in days since the J2000 epoch (2000-01-01 12:00) unless a name
says otherwise. The sun follows the low-precision formulas of the Astronomical Almanac (about 0.01°
over 1950-2050), enough for eclipse seasons and contact times averaged over days.
"""
from __future__ import annotations

import math
from datetime import date
from functools import lru_cache

import numpy as np

MU_KM3_S2 = 398_600.4418            # Earth's gravitational parameter
EARTH_RADIUS_KM = 6_378.137         # equatorial radius (WGS-84)
J2 = 1.082_626_68e-3                # Earth's oblateness coefficient
EARTH_ROTATION_RAD_S = 7.292_115_9e-5
TROPICAL_YEAR_DAYS = 365.242_19
G0_M_S2 = 9.806_65
SECONDS_PER_DAY = 86_400.0
J2000 = date(2000, 1, 1)            # the epoch, at noon; calendar days count from it
OBLIQUITY_DRIFT_DEG_PER_DAY = 4.0e-7    # the ecliptic's tilt shrinks this much a day (Astronomical Almanac)
TINY_COSINE = 1e-300                # keeps a division by cos(beta) finite at beta = 90 degrees


def days_since_j2000(year: int) -> float:
    """Days from the J2000 epoch to 1 January of `year`, 00:00."""
    return (date(year, 1, 1) - J2000).days - 0.5


def radius_km(altitude_km: float) -> float:
    return EARTH_RADIUS_KM + altitude_km


def period_s(altitude_km: float) -> float:
    """Period of a circular orbit, s."""
    return 2.0 * math.pi * math.sqrt(radius_km(altitude_km) ** 3 / MU_KM3_S2)


def speed_km_s(altitude_km: float) -> float:
    """Speed on a circular orbit, km/s."""
    return math.sqrt(MU_KM3_S2 / radius_km(altitude_km))


def nodal_precession_deg_per_day(altitude_km: float, inclination_deg: float) -> float:
    """Drift of the ascending node under J2 for a circular orbit, degrees per day (west is negative)."""
    a = radius_km(altitude_km)
    n = 2.0 * math.pi / period_s(altitude_km)
    rate = -1.5 * n * J2 * (EARTH_RADIUS_KM / a) ** 2 * math.cos(math.radians(inclination_deg))
    return math.degrees(rate) * SECONDS_PER_DAY


def sun_synchronous_inclination_deg(altitude_km: float) -> float:
    """Inclination at which the node follows the mean sun (360° per tropical year), degrees."""
    a = radius_km(altitude_km)
    n = 2.0 * math.pi / period_s(altitude_km)
    sun_rate = 2.0 * math.pi / (TROPICAL_YEAR_DAYS * SECONDS_PER_DAY)
    cos_i = -sun_rate / (1.5 * n * J2 * (EARTH_RADIUS_KM / a) ** 2)
    if abs(cos_i) > 1.0:
        raise ValueError(f"no sun-synchronous orbit at {altitude_km} km")
    return math.degrees(math.acos(cos_i))


def _sun(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean longitude, ecliptic longitude and obliquity of the sun at `days`, radians."""
    mean_longitude = np.radians(280.460 + 0.985_647_4 * days)
    anomaly = np.radians(357.528 + 0.985_600_3 * days)
    longitude = mean_longitude + np.radians(1.915 * np.sin(anomaly) + 0.020 * np.sin(2.0 * anomaly))
    obliquity = np.radians(23.439 - OBLIQUITY_DRIFT_DEG_PER_DAY * days)
    return mean_longitude, longitude, obliquity


def sun_direction(days: np.ndarray) -> np.ndarray:
    """Unit vectors to the sun in the Earth-centred inertial frame, shape (len(days), 3)."""
    _, lam, eps = _sun(np.asarray(days, dtype=float))
    return np.stack([np.cos(lam), np.cos(eps) * np.sin(lam), np.sin(eps) * np.sin(lam)], axis=-1)


def node_deg(days: np.ndarray, altitude_km: float, inclination_deg: float, node_at_epoch_deg: float) -> np.ndarray:
    """Right ascension of the ascending node at `days` of an orbit whose node was given at J2000, degrees."""
    drift = nodal_precession_deg_per_day(altitude_km, inclination_deg)
    return node_at_epoch_deg + drift * np.asarray(days, dtype=float)


def sun_synchronous_node_deg(days: np.ndarray, local_time_ascending_node_h: float) -> np.ndarray:
    """Node of a sun-synchronous orbit with the given local time of the ascending node, degrees: the
    mean sun's right ascension plus 15° per hour after noon."""
    mean_longitude, _, _ = _sun(np.asarray(days, dtype=float))
    return np.degrees(mean_longitude) + 15.0 * (local_time_ascending_node_h - 12.0)


def orbit_normal(node_deg_: np.ndarray, inclination_deg: float) -> np.ndarray:
    """Unit normals of orbit planes, shape (len(node), 3)."""
    node = np.radians(np.asarray(node_deg_, dtype=float))
    inc = math.radians(inclination_deg)
    return np.stack([math.sin(inc) * np.sin(node), -math.sin(inc) * np.cos(node),
                     np.full_like(node, math.cos(inc))], axis=-1)


def beta_deg(days: np.ndarray, node_deg_: np.ndarray, inclination_deg: float) -> np.ndarray:
    """The sun's angle above the orbit plane (the beta angle), degrees."""
    dot = np.sum(orbit_normal(node_deg_, inclination_deg) * sun_direction(days), axis=-1)
    return np.degrees(np.arcsin(np.clip(dot, -1.0, 1.0)))


def eclipse_fraction(beta_deg_: np.ndarray, altitude_km: float) -> np.ndarray:
    """Fraction of a circular orbit in the Earth's cylindrical shadow at beta angle `beta_deg_`."""
    r = radius_km(altitude_km)
    beta = np.radians(np.abs(np.asarray(beta_deg_, dtype=float)))
    limit = math.asin(EARTH_RADIUS_KM / r)
    ratio = math.sqrt(r * r - EARTH_RADIUS_KM ** 2) / (r * np.maximum(np.cos(beta), TINY_COSINE))
    inside = beta < limit
    return np.where(inside, np.arccos(np.clip(ratio, -1.0, 1.0)) / math.pi, 0.0)


def eclipse_by_day(start_days: float, n_days: int, altitude_km: float, inclination_deg: float | None = None,
                   local_time_ascending_node_h: float | None = None, node_at_epoch_deg: float = 0.0,
                   samples_per_day: int = 4) -> np.ndarray:
    """Mean shadow fraction of each of `n_days` days from `start_days`; a sun-synchronous orbit is given
    by its local time of the ascending node (and inclination None), any other by its inclination."""
    days = start_days + (np.arange(n_days * samples_per_day) + 0.5) / samples_per_day
    if local_time_ascending_node_h is not None:
        inclination_deg = sun_synchronous_inclination_deg(altitude_km)
        node = sun_synchronous_node_deg(days, local_time_ascending_node_h)
    else:
        if inclination_deg is None:
            raise ValueError("give an inclination or a local time of the ascending node")
        node = node_deg(days, altitude_km, inclination_deg, node_at_epoch_deg)
    fraction = eclipse_fraction(beta_deg(days, node, inclination_deg), altitude_km)
    return fraction.reshape(n_days, samples_per_day).mean(axis=1)


# Trapped-particle dose behind about 4 mm of aluminium, rad(Si) a year, for circular orbits inclined
# more than about 50 degrees (sun-synchronous included). AN ESTIMATE, not a published table. Anchors:
# about 150 rad/yr at 400 km, 52 degrees, behind 4 mm Al (AP8/AE8 figures quoted for Mir); Suncatcher's
# five-year shielded requirement of 750 rad at 650 km (150 rad/yr, docs/reference-figures.md); dose-depth
# curves flatten above about 6 mm Al at low altitude (APEXRAD, Adv. Space Res. 21(12), 1998). Above
# about 1,000 km the orbit enters the inner proton belt and the dose rises by about an order of magnitude
# for each 500 km; a 3,000 km orbit needs polyethylene shielding to stay below 30 krad in five years
# (Space Environment Engineering, 2022). Between the points the dose is interpolated log-linearly.
DOSE_ALTITUDES_KM = (300.0, 400.0, 550.0, 650.0, 800.0, 1000.0, 1200.0, 1400.0, 2000.0, 3000.0)
DOSE_RAD_PER_YEAR = (100.0, 150.0, 150.0, 150.0, 300.0, 1000.0, 2500.0, 4000.0, 10000.0, 20000.0)


def dose_rate_rad_per_year(altitude_km: float) -> float:
    """Estimated shielded dose rate at an altitude (see DOSE_RAD_PER_YEAR), rad a year."""
    return float(np.exp(np.interp(altitude_km, DOSE_ALTITUDES_KM, np.log(DOSE_RAD_PER_YEAR))))


def plane_change_delta_v_km_s(altitude_km: float, angle_deg: float) -> float:
    """Δv of a single impulsive turn of a circular orbit's plane by `angle_deg`: 2 v sin(angle / 2), km/s."""
    return 2.0 * speed_km_s(altitude_km) * math.sin(math.radians(angle_deg) / 2.0)


def angle_between_planes_deg(inc1_deg: float, node1_deg: float, inc2_deg: float, node2_deg: float) -> float:
    """Angle between two orbit planes, degrees (scalar arithmetic, as `orbit_normal` for one plane)."""
    dot = float(np.dot(_normal(node1_deg, inc1_deg), _normal(node2_deg, inc2_deg)))
    return math.degrees(math.acos(max(-1.0, min(1.0, dot))))


def _normal(node_deg_: float, inclination_deg: float) -> tuple[float, float, float]:
    """Unit normal of one orbit plane, as `orbit_normal` computes it."""
    inc, node = math.radians(inclination_deg), math.radians(node_deg_)
    return math.sin(inc) * math.sin(node), -math.sin(inc) * math.cos(node), math.cos(inc)


def propellant_kg(dry_mass_kg: float, delta_v_km_s: float, isp_s: float) -> float:
    """Propellant a vehicle of dry mass `dry_mass_kg` burns for `delta_v_km_s` (the rocket equation), kg."""
    return dry_mass_kg * (math.exp(delta_v_km_s * 1000.0 / (isp_s * G0_M_S2)) - 1.0)


def contacts(altitude_km: float, inclination_deg: float, node_deg_: float, latitude_deg: float,
             longitude_deg: float, min_elevation_deg: float, n_days: float = 10.0,
             step_s: float = 10.0, start_days: float = 0.0) -> tuple[float, float]:
    """Passes per day and hours in view per day of one satellite over one station, by propagating the
    circular orbit (with its nodal drift) over a rotating spherical Earth for `n_days` days."""
    in_view = visible(altitude_km, inclination_deg, node_deg_, latitude_deg, longitude_deg, min_elevation_deg,
                      n_days, step_s, start_days)
    rises = int(np.count_nonzero(in_view[1:] & ~in_view[:-1])) + int(in_view[0])
    return rises / n_days, float(in_view.mean()) * 24.0


def visible(altitude_km: float, inclination_deg: float, node_deg_: float, latitude_deg: float,
            longitude_deg: float, min_elevation_deg: float, n_days: float = 10.0, step_s: float = 10.0,
            start_days: float = 0.0) -> np.ndarray:
    """Whether the satellite is in view of the station at each step of `step_s` s over `n_days` days."""
    t = np.arange(0.0, n_days * SECONDS_PER_DAY, step_s)
    return _elevation_deg(t, altitude_km, inclination_deg, node_deg_, latitude_deg, longitude_deg,
                          start_days) >= min_elevation_deg


def _elevation_deg(t: np.ndarray, altitude_km: float, inclination_deg: float, node_deg_: float,
                   latitude_deg: float, longitude_deg: float, start_days: float) -> np.ndarray:
    """Elevation of the satellite seen from the station at times `t` (s from `start_days`), degrees."""
    a = radius_km(altitude_km)
    n = 2.0 * math.pi / period_s(altitude_km)
    inc = math.radians(inclination_deg)
    node = math.radians(node_deg_) + math.radians(nodal_precession_deg_per_day(altitude_km, inclination_deg)) \
        * t / SECONDS_PER_DAY
    u = n * t
    cos_u, sin_u, cos_node, sin_node = np.cos(u), np.sin(u), np.cos(node), np.sin(node)
    sat_x = a * (cos_u * cos_node - sin_u * math.cos(inc) * sin_node)
    sat_y = a * (cos_u * sin_node + sin_u * math.cos(inc) * cos_node)
    sat_z = a * (sin_u * math.sin(inc))
    lat = math.radians(latitude_deg)
    angle = math.radians(longitude_deg) + _sidereal_angle_rad(start_days) + EARTH_ROTATION_RAD_S * t
    up_x, up_y, up_z = math.cos(lat) * np.cos(angle), math.cos(lat) * np.sin(angle), math.sin(lat)
    look_x = sat_x - EARTH_RADIUS_KM * up_x
    look_y = sat_y - EARTH_RADIUS_KM * up_y
    look_z = sat_z - EARTH_RADIUS_KM * up_z
    distance = np.sqrt(look_x * look_x + look_y * look_y + look_z * look_z)
    sin_el = (look_x * up_x + look_y * up_y + look_z * up_z) / distance
    return np.degrees(np.arcsin(np.clip(sin_el, -1.0, 1.0)))


def _sidereal_angle_rad(days: float) -> float:
    """Greenwich mean sidereal angle at `days` since J2000, radians."""
    return math.radians((280.460_618_37 + 360.985_647_366_29 * days) % 360.0)


def contact_fractions(scenario) -> np.ndarray:
    """Fraction of the day each cluster (rows) is in view of each station (columns): the station's
    typed-in `contact_fraction` where given, else derived from the cluster's shell by propagation
    over `orbits.contact_days` from the start year. Passes are propagated once per shell and station
    (the plane's node shifts when passes come, not how long they last averaged over days)."""
    stations = scenario.ground.stations
    clusters = scenario.fleet.clusters
    out = np.empty((clusters, len(stations)))
    typed = [s.contact_fraction for s in stations]
    if scenario.orbits is None:
        out[:] = typed
        return out
    row = 0
    for shell in scenario.orbits.shells:
        n = shell.clusters or clusters
        for j, s in enumerate(stations):
            if typed[j] is not None:
                out[row:row + n, j] = typed[j]
            else:
                # hours a day in view, over 24: the fraction as it has always been computed, to the bit
                hours = float(steps_in_view(*view_of(scenario, shell, s)).mean()) * 24.0
                out[row:row + n, j] = hours / 24.0
        row += n
    return out


def view_of(scenario, shell, station) -> tuple[float, ...]:
    """`steps_in_view`'s arguments for `station` seen from `shell`'s first plane over the scenario's
    contact window (`orbits.contact_days` from the start year)."""
    start = days_since_j2000(scenario.start_year)
    return (shell.altitude_km, inclination_of(shell), first_node_deg(shell, start), station.latitude_deg,
            station.longitude_deg, station.min_elevation_deg, scenario.orbits.contact_days, start)


def inclination_of(shell) -> float:
    if shell.sun_synchronous_ltan_h is not None:
        return sun_synchronous_inclination_deg(shell.altitude_km)
    return shell.inclination_deg


def first_node_deg(shell, start_days: float) -> float:
    """Node of the shell's first plane at the start, degrees."""
    if shell.sun_synchronous_ltan_h is None:
        return 0.0
    return float(sun_synchronous_node_deg(np.array([start_days]), shell.sun_synchronous_ltan_h)[0])


@lru_cache(maxsize=1024)
def steps_in_view(altitude_km: float, inclination_deg: float, node_deg_: float, latitude_deg: float,
                  longitude_deg: float, min_elevation_deg: float, n_days: float, start_days: float) -> np.ndarray:
    """`visible` at its default step, read-only and memoised: the station contact fractions and the
    contact hours (`fleet.contacts`) share it, and so do the replications of a scenario in a process."""
    view = visible(altitude_km, inclination_deg, node_deg_, latitude_deg, longitude_deg, min_elevation_deg,
                   n_days=n_days, start_days=start_days)
    view.flags.writeable = False
    return view


def radiation_of(scenario):
    """The scenario's radiation effect with its dose rate: as given, or the estimate for the altitude of
    its shells (the schema allows leaving it out only when all shells fly at one altitude)."""
    radiation = scenario.failures.radiation
    if radiation is None or radiation.dose_rate_rad_per_year is not None:
        return radiation
    altitude = scenario.orbits.shells[0].altitude_km
    return radiation.model_copy(update={"dose_rate_rad_per_year": dose_rate_rad_per_year(altitude)})
