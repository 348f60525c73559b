"""The engine against closed forms (REFERENCE.md, "Closed forms a simulator must reproduce").

Every test uses fixed seeds. Tolerances are 4 standard errors of the estimate, the standard error
coming from the sample size (binomial or Poisson variance where the closed form gives it, else the
sample variance of independent replications). For a correct engine a 4 SE band fails with
probability about 6e-5 per comparison; with fixed seeds a passing test stays passing.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from fleet.scenario import parse_scenario
from policies.base import Policy
from policies.replenish import Replenish
from policies.service_on_threshold import ServiceOnThreshold
from runs import simulate
from tests.naive_model import small_world

DAYS = 365.25
Z = 4.0
NEVER = {"distribution": "exponential", "rate_per_year": 0.0}


@dataclasses.dataclass(frozen=True)
class Idle(Policy):
    """Never acts: no launches beyond the initial deployment, no servicing."""

    name = "idle"


IDLE = Idle(review_interval_days=1e9)


def failures_by_age(result, age_days: float) -> int:
    """Unit failures that happened within `age_days` of their module's commissioning."""
    ev = result.events
    com = ev[ev["kind"] == "commissioned"].set_index("module")["time_days"]
    uf = ev[ev["kind"] == "unit_failure"]
    age = uf["time_days"].to_numpy() - com.loc[uf["module"].to_numpy()].to_numpy()
    return int(uf["count"].to_numpy()[age <= age_days].sum())


# ----- unit failures --------------------------------------------------------------------------------
@pytest.mark.parametrize("unit, survival", [
    ({"distribution": "exponential", "rate_per_year": 0.2}, lambda t: math.exp(-0.2 * t)),
    ({"distribution": "weibull", "shape": 1.7, "scale_years": 6.0}, lambda t: math.exp(-(t / 6.0) ** 1.7)),
])
def test_unit_failures_without_replacement(unit, survival):
    """N*U units, no repair, no module loss: failures by age t are Binomial(N*U, F(t)),
    F = 1 - exp(-lambda t) for exponential lifetimes (and the Weibull analogue)."""
    n_mod, n_units, years = 100, 1000, 5.0
    sc = small_world(modules=n_mod, units=n_units, clusters=1, horizon_years=years, unit=unit, bus=NEVER,
                     design_life_years=100.0, servicers=0, lead_time_days=0.0, commissioning_days=0.0,
                     modules_per_launch=n_mod)
    r = simulate(sc, seed=11, policy=IDLE)
    n = n_mod * n_units
    assert r.summary["modules_launched"] == n_mod and r.summary["module_failures"] == 0
    for t, observed in ((1.0, failures_by_age(r, DAYS)), (years, r.summary["unit_failures"])):
        p = 1.0 - survival(t)
        expected, se = n * p, math.sqrt(n * p * (1 - p))
        assert abs(observed - expected) <= Z * se, (t, observed, expected, se)
    assert r.summary["units_replaced"] == 0


@pytest.mark.parametrize("base_rate", [0.0, 0.1])
def test_radiation_hazard_failed_fraction(base_rate):
    """The dose hazard (fleet/lifetimes.py): a unit at dose rate D (rad/yr) has absorbed D a / 1000
    krad by age a (yr), so with k failures per unit-year per krad its hazard is k D a / 1000 per
    year and its cumulative hazard k D a^2 / 2000. With base rate lambda (0: the issue's closed form)
    the failed fraction by age a is F(a) = 1 - exp(-lambda a - k D a^2 / 2000), and the failures of
    N independent units by a are Binomial(N, F(a)). No repair, no module loss."""
    n_mod, n_units, k, dose = 50, 200, 0.1, 1000.0
    sc = small_world(modules=n_mod, units=n_units, clusters=1, horizon_years=4.0,
                     unit={"distribution": "exponential", "rate_per_year": base_rate}, bus=NEVER,
                     design_life_years=100.0, servicers=0, lead_time_days=0.0, commissioning_days=0.0,
                     modules_per_launch=n_mod)
    d = sc.model_dump(mode="json")
    d["failures"]["radiation"] = {"dose_rate_rad_per_year": dose, "hazard_per_year_per_krad": k}
    r = simulate(parse_scenario(d, "radiation"), seed=3, policy=IDLE)
    n = n_mod * n_units
    for age in (1.0, 2.0, 3.5):
        p = -math.expm1(-base_rate * age - k * dose * age ** 2 / 2000.0)
        observed, expected, se = failures_by_age(r, age * DAYS), n * p, math.sqrt(n * p * (1 - p))
        assert abs(observed - expected) <= Z * se, (age, observed, expected, se)


def test_unit_failures_with_instant_repair_exponential():
    """Every failure repaired within minutes: each slot is a Poisson process of rate lambda,
    so failures ~ Poisson(N*U*lambda*t) (the repair delay D = 0.005 days shifts the mean by a
    relative lambda*D ~ 3e-6, far below the standard error)."""
    n_mod, n_units, lam, years = 25, 40, 1.0, 4.0
    sc = small_world(modules=n_mod, units=n_units, clusters=1, horizon_years=years,
                     unit={"distribution": "exponential", "rate_per_year": lam}, bus=NEVER,
                     design_life_years=100.0, servicers=20, trip_days=0.01, units_per_trip=n_mod * n_units,
                     threshold_fraction=1.0 / n_units, lead_time_days=0.0, commissioning_days=0.0,
                     modules_per_launch=n_mod, launches_per_year=1e6)   # servicers and boards fly at once
    r = simulate(sc, seed=5, policy=ServiceOnThreshold(threshold_fraction=1.0 / n_units, review_interval_days=1e9))
    expected = n_mod * n_units * lam * years
    observed = r.summary["unit_failures"]
    assert abs(observed - expected) <= Z * math.sqrt(expected), (observed, expected)
    # every failure but those of the last few minutes was repaired
    assert 0 <= observed - r.summary["units_replaced"] <= 5


def test_weibull_renewal_count():
    """Weibull lifetimes, instant repair: per slot E[N(t)] = t/mu + (cv^2 - 1)/2 + o(1) (renewal
    theorem, second order), mu = scale * Gamma(1 + 1/shape): the long-run rate 1/mu of REFERENCE.md.
    Standard error from the spread of the per-module counts (modules are independent)."""
    shape, scale = 2.0, 0.5
    n_mod, n_units, years = 25, 20, 3.0      # t / mu = 6.8: the o(1) term is below 0.002 per slot here
    mu = scale * math.gamma(1 + 1 / shape)
    cv2 = math.gamma(1 + 2 / shape) / math.gamma(1 + 1 / shape) ** 2 - 1
    sc = small_world(modules=n_mod, units=n_units, clusters=1, horizon_years=years,
                     unit={"distribution": "weibull", "shape": shape, "scale_years": scale}, bus=NEVER,
                     design_life_years=100.0, servicers=20, trip_days=0.01, units_per_trip=n_mod * n_units,
                     threshold_fraction=1.0 / n_units, lead_time_days=0.0, commissioning_days=0.0,
                     modules_per_launch=n_mod, launches_per_year=1e6)   # servicers and boards fly at once
    r = simulate(sc, seed=6, policy=ServiceOnThreshold(threshold_fraction=1.0 / n_units, review_interval_days=1e9))
    ev = r.events[r.events["kind"] == "unit_failure"]
    per_module = np.bincount(ev["module"].to_numpy(), weights=ev["count"].to_numpy(), minlength=n_mod)
    assert per_module.sum() == r.summary["unit_failures"]
    expected = n_mod * n_units * (years / mu + (cv2 - 1) / 2)
    se = per_module.std(ddof=1) * math.sqrt(n_mod)
    assert abs(per_module.sum() - expected) <= Z * se, (per_module.sum(), expected, se)


# ----- repair after a delay ------------------------------------------------------------------------
def test_availability_with_repair_delay():
    """One module with one unit, exponential failures (rate lambda), repaired D days after each
    failure: the unit works a fraction MTTF / (MTTF + MTTR) = 1 / (1 + lambda D) of the time.

    Threshold 1.0 wakes the policy at the failure; trip_days = 2 D puts the repair D days after
    dispatch. Two servicers: the one that repaired the unit is back 2 D after its dispatch, and the
    next failure can come sooner, so with one servicer a few repairs would wait longer than D; with
    two, one is always free at a failure and every repair takes exactly D. Servicers and boards fly
    as cargo after the module: a vehicle with a negligible gap between flights puts them in orbit
    with it, before commissioning, so a servicer and a board wait at the first failure."""
    lam, d_years, years, seeds = 2.0, 0.1, 100.0, 40
    d = d_years * DAYS
    sc = small_world(modules=1, units=1, clusters=1, horizon_years=years,
                     unit={"distribution": "exponential", "rate_per_year": lam}, bus=NEVER,
                     design_life_years=1000.0, servicers=2, trip_days=2 * d, units_per_trip=1,
                     threshold_fraction=1.0, lead_time_days=10.0, commissioning_days=5.0, modules_per_launch=1,
                     launches_per_year=1e6)
    rate = 2.0 * (1 - 0.039)        # PFLOPS per working unit, idle in eclipse
    policy = ServiceOnThreshold(threshold_fraction=1.0, review_interval_days=1e9)   # no reviews needed
    fractions = []
    for seed in range(seeds):
        r = simulate(sc, seed=seed, policy=policy)
        ev = r.events
        start = float(ev.loc[ev["kind"] == "commissioned", "time_days"].iloc[0])
        assert start == 15.0
        fractions.append(r.summary["delivered_pflops_days"] / (rate * (years * DAYS - start)))
        # the policy dispatches at the failure, and the repair comes D days later
        failed = ev.loc[ev["kind"] == "unit_failure", "time_days"].to_numpy()
        sent = ev.loc[ev["kind"] == "servicing_dispatch", "time_days"].to_numpy()
        fixed = ev.loc[ev["kind"] == "servicing", "time_days"].to_numpy()
        assert len(sent) == len(failed) and np.array_equal(sent, failed)
        assert np.allclose(fixed, sent[: len(fixed)] + d) and len(sent) - len(fixed) <= 1
    fractions = np.array(fractions)
    expected = 1 / (1 + lam * d_years)
    se = fractions.std(ddof=1) / math.sqrt(seeds)
    assert abs(fractions.mean() - expected) <= Z * se, (fractions.mean(), expected, se)


# ----- ground ---------------------------------------------------------------------------------------
def test_independent_ground_stations():
    """Stations clear independently with probabilities p_i: some station is clear a fraction
    1 - prod(1 - p_i) of the time. Weather is autocorrelated within a run, so the standard error
    comes from the spread of independent seeds."""
    probs, outage_hours = (0.5, 0.7, 0.3), (24.0, 12.0, 36.0)
    stations = [{"name": f"s{i}", "downlink_gbps": 10.0, "clear_probability": p, "mean_outage_hours": h,
                 "contact_fraction": 0.1} for i, (p, h) in enumerate(zip(probs, outage_hours))]
    base = small_world(modules=1, units=1, clusters=1, horizon_years=4.0, unit=NEVER, bus=NEVER,
                       design_life_years=100.0, servicers=0).model_dump(mode="json")
    base["ground"]["stations"] = stations
    sc = parse_scenario(base, "ground test")
    up = np.array([1.0 - simulate(sc, seed=s, policy=IDLE).summary["ground_blackout_fraction"] for s in range(24)])
    expected = 1.0 - np.prod([1.0 - p for p in probs])
    se = up.std(ddof=1) / math.sqrt(len(up))
    assert abs(up.mean() - expected) <= Z * se, (up.mean(), expected, se)


# ----- launches -------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.6, 0.9])
def test_launches_per_success_is_geometric(p):
    """Each launch succeeds with probability p and a lost module is reordered at once (replenish
    with trigger 1.0), one module per launch: the launches needed for N modules are N independent
    geometric counts, mean N/p, variance N(1-p)/p^2."""
    n = 1500
    sc = small_world(modules=n, units=1, clusters=1, horizon_years=1.0, unit=NEVER, bus=NEVER,
                     design_life_years=100.0, servicers=0, lead_time_days=1.0, commissioning_days=1.0,
                     modules_per_launch=1, launches_per_year=100 * DAYS, launch_success=p)
    s = simulate(sc, seed=3, policy=Replenish(trigger_fraction=1.0, review_interval_days=30.0)).summary
    assert s["launches"] - s["launch_failures"] == n == s["modules_operational_final"]
    assert s["modules_launched"] == s["launches"] and s["modules_lost_at_launch"] == s["launch_failures"]
    expected, se = n / p, math.sqrt(n * (1 - p)) / p
    assert abs(s["launches"] - expected) <= Z * se, (s["launches"], expected, se)


# ----- bus survival ---------------------------------------------------------------------------------
def test_solar_particle_events_follow_the_cycle_and_kill_units_independently():
    """Storms (events/space_weather.py) are a Poisson process of rate m (1 + A cos(2 pi (y - y_max) / c)):
    the storms in a window [t0, t1) of years after the maximum are Poisson with mean
    m ((t1 - t0) + A c / (2 pi) (sin(2 pi t1 / c) - sin(2 pi t0 / c))). A storm hits each module with
    probability h and kills each working unit of a hit module with probability k, so with no other
    failures a unit survives S storms with probability (1 - h k)^S: given S, the units failed are
    Binomial(N, 1 - (1 - h k)^S)."""
    n_mod, n_units, m, amp, cycle, h, k = 50, 100, 10.0, 0.8, 11.0, 0.3, 0.01
    sc = small_world(modules=n_mod, units=n_units, clusters=1, horizon_years=cycle, unit=NEVER, bus=NEVER,
                     design_life_years=100.0, servicers=0, lead_time_days=0.0, commissioning_days=0.0,
                     modules_per_launch=n_mod)
    d = sc.model_dump(mode="json")
    d["failures"]["solar_particle_events"] = {"mean_rate_per_year": m, "cycle_years": cycle, "cycle_amplitude": amp,
                                              "solar_max_year": d["start_year"], "unit_kill_probability": k,
                                              "module_fraction_hit": h}
    r = simulate(parse_scenario(d, "storms"), seed=2, policy=IDLE)
    storms = r.events.loc[r.events["kind"] == "space_weather", "time_days"].to_numpy() / DAYS
    phase = lambda t: amp * cycle / (2 * math.pi) * math.sin(2 * math.pi * t / cycle)  # noqa: E731
    for t0, t1 in ((0.0, cycle / 4), (cycle / 4, 3 * cycle / 4), (3 * cycle / 4, cycle)):
        expected = m * ((t1 - t0) + phase(t1) - phase(t0))
        observed = int(((storms >= t0) & (storms < t1)).sum())
        assert abs(observed - expected) <= Z * math.sqrt(expected), (t0, t1, observed, expected)
    n, p = n_mod * n_units, 1.0 - (1.0 - h * k) ** len(storms)
    failed = r.summary["unit_failures"]
    assert abs(failed - n * p) <= Z * math.sqrt(n * p * (1 - p)), (failed, n * p, len(storms))


def test_castet_saleh_bus_survival():
    """No replacement, no deorbit: the fraction of buses alive at age t is Binomial(N, S(t))/N with
    S(t) = exp(-(t / 2607)^0.4521) (Castet & Saleh 2009)."""
    n = 20000
    cs = {"distribution": "weibull", "shape": 0.4521, "scale_years": 2607.0}
    sc = small_world(modules=n, units=1, clusters=1, horizon_years=10.01, unit=NEVER, bus=cs,
                     design_life_years=100.0, servicers=0, lead_time_days=0.0, commissioning_days=1.0,
                     modules_per_launch=n)
    r = simulate(sc, seed=2, policy=IDLE)
    ev = r.events
    assert r.summary["modules_operational_final"] + r.summary["module_failures"] == n
    com = ev[ev["kind"] == "commissioned"].set_index("module")["time_days"]
    dead = ev[ev["kind"] == "module_failure"]
    age_years = (dead["time_days"].to_numpy() - com.loc[dead["module"].to_numpy()].to_numpy()) / DAYS
    for t, published in ((1, 0.9719), (5, 0.9426), (10, 0.9223)):
        s = math.exp(-(t / 2607) ** 0.4521)
        assert abs(s - published) < 6e-4          # REFERENCE.md survival figures
        alive = 1.0 - np.count_nonzero(age_years <= t) / n
        assert abs(alive - s) <= Z * math.sqrt(s * (1 - s) / n), (t, alive, s)


# ----- array power limits ---------------------------------------------------------------------------
def _power_limited_world(n_mod: int, unit: dict, years: float):
    """Modules of 10 one-kW units on a 10.5 kW array losing 5%/yr: from about year 1 the array can
    no longer power every unit, and one more unit goes dark every year or two."""
    data = small_world(modules=n_mod, units=10, clusters=1, horizon_years=years, unit=unit, bus=NEVER,
                       design_life_years=100.0, servicers=0, lead_time_days=0.0, commissioning_days=0.0,
                       modules_per_launch=n_mod).model_dump(mode="json")
    data["fleet"]["module"]["solar_array_kw"] = 10.5
    data["fleet"]["module"]["array_degradation_per_year"] = 0.05
    return parse_scenario(data, "power-limited")


def _powered(age_years: np.ndarray) -> np.ndarray:
    """Units the array can power at each age: floor(P(a) / 1 kW), at most 10."""
    return np.minimum(10, np.floor(10.5 * 0.95 ** age_years + 1e-9)).astype(int)


def test_power_limited_compute_without_failures():
    """Units never fail: rank j (1..10) runs while 10.5 * 0.95^a >= j, so delivered compute is
    pflops * (1 - eclipse) * sum_j min(T, tau_j) with tau_j = ln(j / 10.5) / ln(0.95) years. Exact."""
    years = 30.0
    r = simulate(_power_limited_world(1, NEVER, years), seed=0, policy=IDLE)
    tau = np.log(np.arange(1, 11) / 10.5) / np.log(0.95)
    expected = 2.0 * (1 - 0.039) * np.minimum(years, tau).sum() * DAYS
    assert r.summary["delivered_pflops_days"] == pytest.approx(expected, rel=1e-9)
    tl = r.timeline[r.timeline["time_days"] > 0]          # the day-0 sample precedes commissioning
    cap = tl["capacity_pflops"].to_numpy()
    assert len(cap) >= 3 and np.array_equal(cap, 2.0 * _powered(tl["time_days"].to_numpy() / DAYS))


def test_power_limited_compute_with_failures():
    """Exponential failures under a shrinking power budget: a module delivers
    pflops * (1 - eclipse) * integral of E[min(alive(a), powered(a))] da, alive(a) ~ Binomial(10, e^{-lambda a}).
    The expectation is integrated on a 0.01-day grid; the standard error comes from the spread
    of the per-module totals (modules are independent)."""
    from scipy.stats import binom
    n_mod, lam, years = 400, 0.1, 20.0
    r = simulate(_power_limited_world(n_mod, {"distribution": "exponential", "rate_per_year": lam}, years),
                 seed=4, policy=IDLE)
    step = 0.01 / DAYS
    a = np.arange(0.0, years, step) + step / 2
    k = _powered(a)
    p = np.exp(-lam * a)
    # E[min(B, k)] = sum_{i=1..k} P(B >= i)
    e_min = sum(np.where(i <= k, binom.sf(i - 1, 10, p), 0.0) for i in range(1, 11))
    per_module = 2.0 * (1 - 0.039) * e_min.sum() * step * DAYS
    # the summary holds the fleet total only; its spread is estimated from eight independent runs of
    # a quarter fleet (the total of n_mod modules has four times a quarter fleet's variance)
    total = r.summary["delivered_pflops_days"]
    sds = [simulate(_power_limited_world(n_mod // 4, {"distribution": "exponential", "rate_per_year": lam}, years),
                    seed=100 + s, policy=IDLE).summary["delivered_pflops_days"] for s in range(8)]
    se = np.std(sds, ddof=1) * math.sqrt(4)       # a fleet of n_mod = four quarter fleets
    assert abs(total - n_mod * per_module) <= Z * se, (total, n_mod * per_module, se)
