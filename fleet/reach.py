"""What altitude costs and where servicers can reach: launch lift by altitude, disposal, and the
Δv, time and propellant of a servicing leg between two clusters' planes.

Pure functions on the circular orbits of `fleet.orbits`. Speeds in km/s at the interface of
`fleet.orbits`, Δv in m/s here where a name says so; times in days; masses in kg.

A servicing leg from cluster a to cluster b (see `leg`):
- within one plane, a phasing manoeuvre: the servicer drops into (or rises to) a drift orbit and
  back, gaining the phase angle between the clusters in `phasing_days`; for a small change of
  semi-major axis this costs (2/3) v Δθ / (n t) (enter and leave the drift orbit);
- across planes, the cheaper in Δv of (1) a direct transfer: a Hohmann transfer between the
  altitudes plus a single plane change 2 v sin(θ/2) at the higher (slower) orbit, and (2) a wait
  for differential J2 precession to bring the nodes together: on its own orbit if the drift rates
  differ enough, else from a drift orbit at the altitude whose node drift closes the gap in exactly
  `max_wait_days` (two Hohmann transfers), then a plane change for the remaining inclination
  difference. The wait is allowed only within `max_wait_days`; both options end with the phasing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fleet import orbits as o

MIN_DRIFT_ALTITUDE_KM = 300.0     # a drift orbit lower than this decays too fast to park in [E]
SAME_PLANE_DEG = 1e-5            # planes closer than this are one (acos of a dot product near 1 rounds to ~1e-6 deg)
UPPER_STAGE_ISP_S = 350.0         # kerosene or methane upper stage in vacuum [E] (Merlin Vacuum 348 s)


def hohmann_delta_v_km_s(altitude1_km: float, altitude2_km: float) -> float:
    """Total Δv of a Hohmann transfer between two circular orbits, km/s."""
    r1, r2 = o.radius_km(altitude1_km), o.radius_km(altitude2_km)
    a = (r1 + r2) / 2.0
    v1, v2 = math.sqrt(o.MU_KM3_S2 / r1), math.sqrt(o.MU_KM3_S2 / r2)
    return abs(math.sqrt(o.MU_KM3_S2 * (2 / r1 - 1 / a)) - v1) + abs(v2 - math.sqrt(o.MU_KM3_S2 * (2 / r2 - 1 / a)))


def phasing_delta_v_km_s(altitude_km: float, phase_deg: float, days: float) -> float:
    """Δv to gain `phase_deg` along a circular orbit in `days` through a nearby drift orbit (entering
    and leaving it): (2/3) v Δθ / (n t), km/s (the linearised drift; small for trips of days)."""
    n = 2.0 * math.pi / o.period_s(altitude_km)
    return 2.0 / 3.0 * o.speed_km_s(altitude_km) * math.radians(abs(phase_deg)) / (n * days * o.SECONDS_PER_DAY)


def rocket_burn_kg(initial_mass_kg: float, delta_v_m_s: float, isp_s: float) -> float:
    """Propellant a vehicle of initial mass `initial_mass_kg` burns for `delta_v_m_s`:
    m0 (1 - exp(-Δv / (Isp g0))), kg (the rocket equation)."""
    return initial_mass_kg * -math.expm1(-delta_v_m_s / (isp_s * o.G0_M_S2))


# ----- what altitude costs -------------------------------------------------------------------------
def lift_kg(payload_kg: float, payload_altitude_km: float, altitude_km: float,
            isp_s: float = UPPER_STAGE_ISP_S) -> float:
    """What a vehicle quoted for `payload_kg` to a circular orbit at `payload_altitude_km` lifts to
    `altitude_km`: the payload shrinks by exp(-Δv / (Isp g0)) for the Hohmann transfer's Δv above the
    quoted orbit [E: the upper stage's own dry mass also climbs, so this is an upper bound]."""
    if altitude_km <= payload_altitude_km:
        return payload_kg
    dv = hohmann_delta_v_km_s(payload_altitude_km, altitude_km) * 1000.0
    return payload_kg * math.exp(-dv / (isp_s * o.G0_M_S2))


def deorbit_delta_v_m_s(altitude_km: float, perigee_km: float) -> float:
    """Δv of a deorbit burn from a circular orbit into an ellipse with perigee `perigee_km`, m/s."""
    if altitude_km <= perigee_km:
        return 0.0
    r, rp = o.radius_km(altitude_km), o.radius_km(perigee_km)
    a = (r + rp) / 2.0
    return (math.sqrt(o.MU_KM3_S2 / r) - math.sqrt(o.MU_KM3_S2 * (2 / r - 1 / a))) * 1000.0


def cluster_altitudes_km(scenario) -> np.ndarray:
    """Altitude of each cluster's shell, km (NaN for all without `orbits`)."""
    if scenario.orbits is None:
        return np.full(scenario.fleet.clusters, np.nan)
    return np.concatenate([np.full(shell.clusters or scenario.fleet.clusters, shell.altitude_km)
                           for shell in scenario.orbits.shells])


def disposal_mass_ratio(scenario) -> np.ndarray:
    """Disposal propellant per kg of module, by cluster: exp(Δv / (Isp g0)) - 1 for the deorbit burn
    from the cluster's shell (`orbits.deorbit_perigee_km`, `orbits.deorbit_isp_s`); 0 without `orbits`."""
    if scenario.orbits is None:
        return np.zeros(scenario.fleet.clusters)
    orb = scenario.orbits
    dv = np.array([deorbit_delta_v_m_s(h, orb.deorbit_perigee_km) for h in cluster_altitudes_km(scenario)])
    return np.expm1(dv / (orb.deorbit_isp_s * o.G0_M_S2))


# Exponential atmosphere, mean solar activity (Vallado, Fundamentals of Astrodynamics and
# Applications, 4th ed., Table 8-4, from CIRA-72): base altitude km, density kg/m^3 as (mantissa,
# power of ten), scale height km.
ATMOSPHERE = (
    (100, 5.297, -7, 5.877), (110, 9.661, -8, 7.263), (120, 2.438, -8, 9.473), (130, 8.484, -9, 12.636),
    (140, 3.845, -9, 16.149), (150, 2.070, -9, 22.523), (180, 5.464, -10, 29.740), (200, 2.789, -10, 37.105),
    (250, 7.248, -11, 45.546), (300, 2.418, -11, 53.628), (350, 9.518, -12, 53.298), (400, 3.725, -12, 58.515),
    (450, 1.585, -12, 60.828), (500, 6.967, -13, 63.822), (600, 1.454, -13, 71.835), (700, 3.614, -14, 88.667),
    (800, 1.170, -14, 124.64), (900, 5.245, -15, 181.05), (1000, 3.019, -15, 268.00),
)
REENTRY_ALTITUDE_KM = 120.0        # below this an object re-enters within days
DECAY_STEP_KM = 1.0


def density_kg_m3(altitude_km: np.ndarray) -> np.ndarray:
    """Atmospheric density of the exponential model (`ATMOSPHERE`), kg/m^3 (the top layer continues upward)."""
    h = np.asarray(altitude_km, dtype=float)
    bases = np.array([row[0] for row in ATMOSPHERE], dtype=float)
    i = np.clip(np.searchsorted(bases, h, side="right") - 1, 0, len(bases) - 1)
    rho0 = np.array([row[1] * 10.0 ** row[2] for row in ATMOSPHERE])[i]
    scale = np.array([row[3] for row in ATMOSPHERE])[i]
    return rho0 * np.exp(-(h - bases[i]) / scale)


def decay_years(altitude_km: float, ballistic_coefficient_kg_m2: float) -> float:
    """Natural decay time of a dead object on a circular orbit, years: the integral of
    da / (ρ sqrt(μ a) / B) from the re-entry altitude up to `altitude_km`, B = m / (C_D A) (the
    circular-orbit decay rate da/dt = -ρ sqrt(μ a) / B), with the mean-activity atmosphere above."""
    if altitude_km <= REENTRY_ALTITUDE_KM:
        return 0.0
    h = np.linspace(REENTRY_ALTITUDE_KM, altitude_km, max(2, int((altitude_km - REENTRY_ALTITUDE_KM) / DECAY_STEP_KM) + 1))
    a_m = (o.EARTH_RADIUS_KM + h) * 1000.0
    rate_m_s = density_kg_m3(h) * np.sqrt(o.MU_KM3_S2 * 1e9 * a_m) / ballistic_coefficient_kg_m2
    seconds = np.trapezoid(1.0 / rate_m_s, h * 1000.0)
    return float(seconds / o.SECONDS_PER_DAY / o.TROPICAL_YEAR_DAYS)


# ----- servicing reach -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Plane:
    """Where one cluster flies: altitude km, inclination deg, node at day 0 of the run deg, node drift
    deg/day, and its phase along the orbit (argument of latitude at day 0) deg."""

    altitude_km: float
    inclination_deg: float
    node_deg: float
    node_rate_deg_day: float
    phase_deg: float

    def node_at(self, day: float) -> float:
        return self.node_deg + self.node_rate_deg_day * day


@dataclass(frozen=True)
class Leg:
    """One servicing leg: the wait for precession, days; the whole leg's time (wait plus phasing),
    days; and its Δv, m/s."""

    wait_days: float
    days: float
    delta_v_m_s: float


def cluster_planes(scenario) -> list[Plane]:
    """Each cluster's plane (clusters numbered across shells in order; cluster j of a shell flies in
    plane j mod planes, its planes' nodes spread over `node_spread_deg`, clusters of a plane spread
    evenly along it and offset by the Walker phasing F x 360 / clusters per plane step). Without
    `orbits`, every cluster shares one plane at 0 km (only phasing is then meaningful)."""
    clusters = scenario.fleet.clusters
    if scenario.orbits is None:
        return [Plane(0.0, 0.0, 0.0, 0.0, 360.0 * k / clusters) for k in range(clusters)]
    start = o.days_since_j2000(scenario.start_year)
    out = []
    for shell in scenario.orbits.shells:
        n = shell.clusters or clusters
        inclination = o.inclination_of(shell)
        first = o.first_node_deg(shell, start)
        rate = o.nodal_precession_deg_per_day(shell.altitude_km, inclination)
        for j in range(n):
            p = j % shell.planes
            in_plane = len(range(p, n, shell.planes))
            phase = 360.0 * (j // shell.planes) / in_plane + p * shell.phasing * 360.0 / n
            node = first + p * shell.node_spread_deg / shell.planes
            out.append(Plane(shell.altitude_km, inclination, node % 360.0, rate, phase % 360.0))
    return out


def _wrap(deg: float) -> float:
    """An angle in (-180, 180], degrees."""
    return 180.0 - (180.0 - deg) % 360.0


def leg(a: Plane, b: Plane, day: float, phasing_days: float, max_wait_days: float) -> Leg:
    """The cheaper leg from plane `a` to plane `b` starting on `day` (see the module docstring)."""
    phase = phasing_delta_v_km_s(b.altitude_km, _wrap(b.phase_deg - a.phase_deg), phasing_days)
    angle = o.angle_between_planes_deg(a.inclination_deg, a.node_at(day), b.inclination_deg, b.node_at(day))
    if angle < SAME_PLANE_DEG and a.altitude_km == b.altitude_km:
        return Leg(0.0, phasing_days, phase * 1000.0)
    high = max(a.altitude_km, b.altitude_km)
    direct = (hohmann_delta_v_km_s(a.altitude_km, b.altitude_km)
              + o.plane_change_delta_v_km_s(high, angle) + phase)
    best = Leg(0.0, phasing_days, direct * 1000.0)
    drift = _drift(a, b, day, max_wait_days)
    if drift is not None:
        wait, altitude = drift
        dv = (hohmann_delta_v_km_s(a.altitude_km, altitude) + hohmann_delta_v_km_s(altitude, b.altitude_km)
              + o.plane_change_delta_v_km_s(max(altitude, b.altitude_km), abs(a.inclination_deg - b.inclination_deg))
              + phase)
        if dv < direct:
            best = Leg(wait, wait + phasing_days, dv * 1000.0)
    return best


def _drift(a: Plane, b: Plane, day: float, max_wait_days: float) -> tuple[float, float] | None:
    """(wait days, drift altitude km) that brings `a`'s node onto `b`'s within `max_wait_days`, or None.
    Either way round the node circle; on `a`'s own orbit when its drift is fast enough, else on the
    drift orbit closest to it whose node drift closes the gap in exactly `max_wait_days`."""
    if max_wait_days <= 0:
        return None
    gap = _wrap(b.node_at(day) - a.node_at(day))
    options = []
    for target in (gap, gap - math.copysign(360.0, gap)):
        if target == 0.0:
            return 0.0, a.altitude_km
        natural = a.node_rate_deg_day - b.node_rate_deg_day
        if natural * target > 0 and target / natural <= max_wait_days:
            options.append((0.0, target / natural, a.altitude_km))
            continue
        altitude = _altitude_for_node_rate(b.node_rate_deg_day + target / max_wait_days, a.inclination_deg)
        if altitude is not None:
            cost = hohmann_delta_v_km_s(a.altitude_km, altitude) + hohmann_delta_v_km_s(altitude, b.altitude_km)
            options.append((cost, max_wait_days, altitude))
    if not options:
        return None
    _, wait, altitude = min(options)
    return wait, altitude


def _altitude_for_node_rate(rate_deg_day: float, inclination_deg: float) -> float | None:
    """Altitude of the circular orbit at `inclination_deg` whose node drifts `rate_deg_day`, km (None:
    no such orbit above `MIN_DRIFT_ALTITUDE_KM`)."""
    per_a = o.nodal_precession_deg_per_day(0.0, inclination_deg) * o.EARTH_RADIUS_KM ** 3.5   # rate x a^3.5
    if per_a == 0.0 or rate_deg_day / per_a <= 0:
        return None
    altitude = (per_a / rate_deg_day) ** (1 / 3.5) - o.EARTH_RADIUS_KM
    return altitude if altitude >= MIN_DRIFT_ALTITUDE_KM else None
