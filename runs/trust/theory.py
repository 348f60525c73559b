"""Closed-form and numerical results of reliability and queueing theory that `fleet validate` checks.

Times are in whatever unit the caller uses consistently (years or days); rates are per that unit.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
from scipy import integrate, stats

QUAD_TOLERANCE = 1e-10   # absolute and relative error asked of numerical integrals


def renewal_function(cdf: Callable[[np.ndarray], np.ndarray], t: float, steps: int = 4000) -> float:
    """Expected renewals in (0, t], M(t), solving M = F + M * dF on a grid of `steps` intervals.

    The convolution uses the trapezoid rule on M over each increment of F, which is second-order
    accurate; M(t) = lambda t is recovered for exponential lifetimes to about 1e-7.
    """
    grid = np.linspace(0.0, t, steps + 1)
    f = np.asarray(cdf(grid), dtype=float)
    df = np.diff(f)                         # df[j-1] = F(t_j) - F(t_{j-1})
    m = np.zeros(steps + 1)
    for i in range(1, steps + 1):
        # M_i = F_i + sum_{j=1..i} (M_{i-j} + M_{i-j+1}) / 2 * dF_j; the j = 1 term holds M_i itself
        j = np.arange(2, i + 1)
        rest = float(np.dot((m[i - j] + m[i - j + 1]) * 0.5, df[j - 1])) if i > 1 else 0.0
        m[i] = (f[i] + 0.5 * df[0] * m[i - 1] + rest) / (1.0 - 0.5 * df[0])
    return float(m[-1])


def weibull_cdf(shape: float, scale: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda x: 1.0 - np.exp(-(np.asarray(x) / scale) ** shape)


def weibull_mean(shape: float, scale: float) -> float:
    return scale * math.gamma(1.0 + 1.0 / shape)


def machine_repair_up(n: int, repairers: int, fail_rate: float, repair_rate: float) -> np.ndarray:
    """P(k machines up), k = 0..n, in the finite-source M/M/r//n model (birth-death solution).

    Each up machine fails at `fail_rate`; `repairers` (>= n: unlimited) each repair one machine at
    a time at `repair_rate`, first come first served.
    """
    down = np.ones(n + 1)
    for j in range(n):
        down[j + 1] = down[j] * (n - j) * fail_rate / (min(j + 1, repairers) * repair_rate)
    down /= down.sum()
    return down[::-1].copy()


def machine_repair_relaxation(n: int, repairers: int, fail_rate: float, repair_rate: float) -> float:
    """Relaxation time of the M/M/r//n birth-death chain: 1 / (its spectral gap), in the time unit of
    the rates. The chain is reversible, so the correlation of any function of its state at lags of
    t is at most exp(-t / relaxation)."""
    q = np.zeros((n + 1, n + 1))                  # state j: machines down
    for j in range(n + 1):
        if j < n:
            q[j, j + 1] = (n - j) * fail_rate
        if j > 0:
            q[j, j - 1] = min(j, repairers) * repair_rate
        q[j, j] = -q[j].sum()
    rates = np.sort(-np.linalg.eigvals(q).real)   # 0, then the decay rates of the transients
    return 1.0 / float(rates[1])


def radiation_failed_fraction(hazard_per_year_per_krad: float, dose_rate_rad_per_year: float,
                              age_years: float) -> float:
    """Fraction of units failed by `age_years` from the dose hazard alone (no base failures).

    The dose at age a is D a / 1000 krad (D in rad/yr), so the hazard is k D a / 1000 per year and
    its integral k D a^2 / 2000: F(a) = 1 - exp(-k D a^2 / 2000).
    """
    return -math.expm1(-hazard_per_year_per_krad * dose_rate_rad_per_year * age_years ** 2 / 2000.0)


def mmc_sojourn(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean time in an M/M/c queue (waiting plus service), by the Erlang C formula."""
    a = arrival_rate / service_rate
    rho = a / servers
    if rho >= 1:
        raise ValueError("the queue is unstable (utilisation >= 1)")
    tail = a ** servers / math.factorial(servers) / (1.0 - rho)
    wait_probability = tail / (sum(a ** k / math.factorial(k) for k in range(servers)) + tail)
    return wait_probability / (servers * service_rate - arrival_rate) + 1.0 / service_rate


def md1_wait(arrival_rate: float, service_time: float) -> float:
    """Mean wait before service in an M/D/1 queue (Pollaczek-Khinchine)."""
    rho = arrival_rate * service_time
    if rho >= 1:
        raise ValueError("the queue is unstable (utilisation >= 1)")
    return arrival_rate * service_time ** 2 / (2.0 * (1.0 - rho))


def all_down_fraction(clear_probabilities: list[float]) -> float:
    """Fraction of time every independent station is under cloud: prod(1 - p_i)."""
    return float(np.prod([1.0 - p for p in clear_probabilities]))


def mean_all_down_spell(mean_outages: list[float]) -> float:
    """Mean length of a spell with every station down, for independent stations whose outages are
    exponential with the given means: the spell ends at the first restoration, rate sum(1/mean)."""
    return 1.0 / sum(1.0 / m for m in mean_outages)


def poisson_no_stockout(spares: int, rate: float, lead_time: float) -> float:
    """P(demand over the lead time <= spares) for Poisson demand: PoissonCDF(s; rate * lead)."""
    return float(stats.poisson.cdf(spares, rate * lead_time))


def any_loss(success_probability: float, launches: int) -> float:
    """P(at least one loss in `launches` independent launches) = 1 - p^N."""
    return 1.0 - success_probability ** launches


def powered_until(units: int, array_kw: float, degradation: float, kw_per_unit: float) -> np.ndarray:
    """Age (years) until which the array can power the j-th unit, j = 1..units (inf: always)."""
    need = np.arange(1, units + 1) * kw_per_unit
    with np.errstate(divide="ignore"):
        ages = np.log(need / array_kw) / math.log1p(-degradation) if degradation > 0 else np.zeros(units)
    return np.where(need <= array_kw, np.where(degradation > 0, ages, np.inf), 0.0)


def powered_unit_years(units: int, array_kw: float, degradation: float, kw_per_unit: float,
                       years: float, fail_rate: float = 0.0) -> float:
    """Expected unit-years of running compute over `years` of one module whose array decays
    geometrically, with units failing independently at `fail_rate` per year:

        integral_0^T E[min(alive(a), floor(P(a) / u))] da = sum_j integral_0^{min(T, tau_j)} P(alive(a) >= j) da

    where alive(a) ~ Binomial(units, exp(-fail_rate a)) and tau_j is `powered_until`.
    """
    limits = np.minimum(powered_until(units, array_kw, degradation, kw_per_unit), years)
    if fail_rate == 0:
        return float(limits.sum())
    total = 0.0
    for j, limit in enumerate(limits, start=1):
        if limit > 0:
            total += integrate.quad(lambda a: stats.binom.sf(j - 1, units, math.exp(-fail_rate * a)),
                                    0.0, float(limit), epsabs=QUAD_TOLERANCE, epsrel=QUAD_TOLERANCE)[0]
    return total


# ----- orbit geometry, computed independently of `fleet.orbits` -----------------------------------
EARTH_RADIUS_KM = 6_378.137
MU_KM3_S2 = 398_600.4418


def shadow_fraction_sampled(radius_km: float, orbit_normal: np.ndarray, sun: np.ndarray, points: int = 4000) -> float:
    """Share of points spread evenly around a circular orbit of `radius_km`, in the plane with unit
    normal `orbit_normal`, that lie in the Earth's cylindrical shadow cast away from the unit vector `sun`."""
    a = np.cross(orbit_normal, [0.0, 0.0, 1.0] if abs(orbit_normal[2]) < 0.9 else [1.0, 0.0, 0.0])
    a /= np.linalg.norm(a)
    b = np.cross(orbit_normal, a)
    u = (np.arange(points) + 0.5) * (2.0 * math.pi / points)
    pos = radius_km * (np.outer(np.cos(u), a) + np.outer(np.sin(u), b))
    along = pos @ sun
    across = np.linalg.norm(pos - np.outer(along, sun), axis=1)
    return float(np.mean((along < 0.0) & (across < EARTH_RADIUS_KM)))


def velocity_turn_delta_v(speed: float, inclination1_deg: float, inclination2_deg: float) -> float:
    """|v1 - v2| of two circular velocities at the common node, inclined as given (a plane change)."""
    def v(i: float) -> np.ndarray:
        return speed * np.array([0.0, math.cos(math.radians(i)), math.sin(math.radians(i))])
    return float(np.linalg.norm(v(inclination1_deg) - v(inclination2_deg)))


def visible_fraction_by_central_angle(altitude_km: float, inclination_deg: float, latitude_deg: float,
                                      min_elevation_deg: float, days: float, step_s: float = 5.0) -> tuple[float, float]:
    """Passes per day and hours in view per day of a circular orbit (node fixed at 0, no precession)
    over a station at longitude 0, judged by the Earth-central angle between the sub-satellite point
    and the station: in view iff that angle is below acos(R cos(el) / r) - el. The Earth turns at
    one revolution per sidereal day."""
    r = EARTH_RADIUS_KM + altitude_km
    n = math.sqrt(MU_KM3_S2 / r ** 3)
    t = np.arange(0.0, days * 86_400.0, step_s)
    i = math.radians(inclination_deg)
    u = n * t
    sat_lat = np.arcsin(np.sin(i) * np.sin(u))
    sat_lon = np.arctan2(math.cos(i) * np.sin(u), np.cos(u)) - 2.0 * math.pi * t / 86_164.0905
    lat = math.radians(latitude_deg)
    cos_angle = math.sin(lat) * np.sin(sat_lat) + math.cos(lat) * np.cos(sat_lat) * np.cos(sat_lon)
    el = math.radians(min_elevation_deg)
    limit = math.acos(EARTH_RADIUS_KM * math.cos(el) / r) - el
    seen = cos_angle >= math.cos(limit)
    passes = int(np.count_nonzero(seen[1:] & ~seen[:-1])) + int(seen[0])
    return passes / days, float(seen.mean()) * 24.0


NODE_STEP_DAYS = 1e-3       # the search's time step


def days_until_nodes_meet(node1_deg: float, rate1_deg_day: float, node2_deg: float, rate2_deg_day: float,
                          step_days: float = NODE_STEP_DAYS, limit_days: float = 10_000.0) -> float:
    """First day on which two drifting nodes coincide, by stepping both forward (a brute-force search
    for the crossing of their difference through a multiple of 360 degrees); inf if not within `limit_days`."""
    days = np.arange(0.0, limit_days, step_days)
    gap = (node2_deg + rate2_deg_day * days) - (node1_deg + rate1_deg_day * days)
    turns = np.floor(gap / 360.0)
    crossed = np.nonzero(turns[1:] != turns[:-1])[0]
    if len(crossed) == 0:
        return math.inf
    i = crossed[0]
    return float(days[i] + step_days * (turns[i] * 360.0 - gap[i] + (360.0 if turns[i + 1] > turns[i] else 0.0))
                 / (gap[i + 1] - gap[i]))


def burn_in_small_steps(initial_mass_kg: float, delta_v_m_s: float, exhaust_speed_m_s: float,
                        steps: int = 100_000) -> float:
    """Propellant burned for `delta_v_m_s`, as many small impulses each burning m dv / c of the mass
    left (Euler integration of dm = -m dv / c, the rocket equation's differential form), kg."""
    mass = initial_mass_kg
    dv = delta_v_m_s / steps
    for _ in range(steps):
        mass -= mass * dv / exhaust_speed_m_s
    return initial_mass_kg - mass
