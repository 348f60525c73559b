"""The validation catalog: small scenarios whose expected results theory or published data give,
run through the normal engine (`runs.api.simulate`), compared with confidence intervals.

Each case builds its scenario in code from the shipped `tiny` scenario, made neutral (one cluster,
no bus failures, launches that always succeed at once, no eclipse, an array that never limits, a
station always clear), then changes what the case is about. The per-replication estimates are
averaged over replications with seeds 0, 1, ...; the 95% confidence interval is mean +/- t s/sqrt(n),
or, for a proportion of independent trials (units, modules, blocks of launches, sampled states),
the exact Clopper-Pearson interval of the pooled count, which stays honest when no event was seen.

A stochastic row passes when the expected value lies within the catalog's acceptance interval:
the confidence interval widened for the number of rows compared (Bonferroni, 5% family-wise), so
that a correct simulator passes the whole catalog 95% of the time rather than one row in twenty
failing. A deterministic row passes within its stated relative tolerance.

Modelling choices (see each case): "instant" replacement is a servicing trip of 0.01 days sent the
moment a unit fails; the finite-source repair model uses exponential trip times with the work done
at the end of the trip (`work_at_fraction: 1`), which is exactly the M/M/r//N birth-death model.
The engine has no spares store, so the Poisson spares case counts each module's unit failures over
lead-time windows: P(no stock-out with s spares) = P(failures in a window <= s).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import yaml

from fleet import orbits, reach
from fleet.actions import Action, Launch, Service
from fleet.economics import DAYS_PER_YEAR
from fleet.observation import Observation
from fleet.scenario import Scenario, parse_scenario
from policies.base import Policy
from runs.trust import theory
from runs.api import SCENARIO_DIR, simulate
from runs.studies.stats import clopper_pearson, t_half_width

FAMILY_ALPHA = 0.05
ONE_UNIT_FRACTION = 1e-12     # a failed fraction below any one unit's share: the first failure wakes the policy
DETERMINISTIC_RTOL = 1e-9     # relative tolerance of rows computed without randomness (float error only)
NONZERO = 1e-300              # the scale of a relative tolerance when the expected value is 0


# ----- policies of the catalog --------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Idle(Policy):
    """Never acts: modules run until they fail."""

    name = "validate-idle"
    description = "never acts"
    review_interval_days: float = 3650.0


@dataclasses.dataclass(frozen=True)
class RepairAtOnce(Idle):
    """Sends a servicer to a module the moment one of its units fails."""

    name = "validate-repair"
    description = "service a module as soon as a unit fails"

    def threshold_failed_fraction(self) -> float | None:
        return ONE_UNIT_FRACTION

    def on_threshold(self, obs: Observation, module: int) -> list[Action]:
        return [Service(modules=(module,))]


@dataclasses.dataclass(frozen=True)
class RelaunchLost(Idle):
    """Orders a new module for every module lost at launch."""

    name = "validate-relaunch"
    description = "reorder modules lost at launch"

    def on_launch_failed(self, obs: Observation, modules: tuple[int, ...]) -> list[Action]:
        return [Launch(count=len(modules))]


# ----- results ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One compared quantity: the expected value and one estimate per replication.

    With `trials`, the row is a proportion: `values` are each replication's successes out of its
    `trials` independent Bernoulli trials, pooled, with an exact Clopper-Pearson interval (which has
    width even when nothing, or everything, was observed). Otherwise the interval is mean +/- t s/sqrt(n).
    """

    quantity: str
    expected: float
    values: np.ndarray
    tolerance: float | None = None          # relative; set for deterministic rows
    trials: np.ndarray | None = None        # per replication, for proportions

    @property
    def mean(self) -> float:
        if self.trials is not None:
            return float(np.sum(self.values) / np.sum(self.trials))
        return float(np.mean(self.values))

    def half_width(self, alpha: float) -> float:
        return math.inf if len(self.values) < 2 else t_half_width(self.values, 1 - alpha)

    def interval(self, alpha: float) -> tuple[float, float]:
        """The two-sided 1 - alpha confidence interval of the expected value."""
        if self.trials is not None:
            return clopper_pearson(int(np.sum(self.values)), int(np.sum(self.trials)), alpha)
        hw = self.half_width(alpha)
        return self.mean - hw, self.mean + hw

    def passed(self, alpha: float) -> bool:
        if self.tolerance is not None:
            return abs(self.mean - self.expected) <= self.tolerance * max(abs(self.expected), NONZERO)
        low, high = self.interval(alpha)
        return low <= self.expected <= high


def proportion(quantity: str, expected: float, successes: np.ndarray, trials: np.ndarray) -> Row:
    """A proportion row: per replication, `successes` of `trials` independent trials."""
    return Row(quantity, expected, np.asarray(successes, dtype=float), trials=np.asarray(trials, dtype=float))


@dataclass(frozen=True)
class Case:
    name: str
    what: str                                # the theory or source compared with
    quick: int                               # replications for --quick
    full: int                                # replications for the full run
    run: Callable[[int], list[Row]]          # replications -> rows


# ----- scenario building --------------------------------------------------------------------------
def _tiny() -> dict:
    return yaml.safe_load((SCENARIO_DIR / "tiny.yaml").read_text())


def neutral(name: str, modules: int, units: int = 1, years: float = 10.0) -> dict:
    """`tiny` made neutral: `modules` modules of `units` 1-kW units in one cluster, operating from
    day 0, no failures, no eclipse, launches that always succeed, a station always clear."""
    d = _tiny()
    d["name"] = f"validate-{name}"
    d["horizon_years"] = years
    d["hardware"]["trend"] = None
    gen = d["hardware"]["generations"][0]
    gen["power_kw_per_unit"] = 1.0
    d["fleet"]["clusters"] = 1
    d["fleet"]["target_power_mw"] = modules * units / 1000.0
    d["fleet"]["module"].update(units=units, solar_array_kw=float(units), array_degradation_per_year=0.0,
                                eclipse_fraction=0.0, commissioning_days=0, design_life_years=1000)
    d["launch"]["vehicles"][0].update(payload_kg=1e9, success_probability=1.0, launches_per_year=1e6,
                                      lead_time_days=0)
    d["failures"] = {"unit": {"distribution": "exponential", "rate_per_year": 0.0},
                     "bus": {"distribution": "exponential", "rate_per_year": 0.0}}
    d["servicing"].update(servicers=1, trip_days=0.01, units_per_trip=1_000_000, success_probability=1.0)
    d["ground"]["stations"] = [dict(d["ground"]["stations"][0], clear_probability=1.0)]
    return d


def build(d: dict) -> Scenario:
    return parse_scenario(d, d["name"])


def replicate(scenario: Scenario, policy: Policy, replications: int,
              measure: Callable[[object], list[float]]) -> np.ndarray:
    """Run seeds 0..n-1 and stack the measured values: shape (replications, quantities)."""
    return np.array([measure(simulate(scenario, seed=s, policy=policy)) for s in range(replications)])


# ----- measurements from a result -----------------------------------------------------------------
def _kind(events: pd.DataFrame, kind: str) -> pd.DataFrame:
    return events[events["kind"] == kind]


def up_steps(events: pd.DataFrame, units: int) -> tuple[np.ndarray, np.ndarray]:
    """Units up from each event day on (days, counts), from the event log: a commissioned module
    adds its `units`, unit failures remove, servicing restores."""
    com, fail, fix = (_kind(events, k) for k in ("commissioned", "unit_failure", "servicing"))
    day = np.concatenate([com["time_days"], fail["time_days"], fix["time_days"]])
    delta = np.concatenate([np.full(len(com), units), -fail["count"].to_numpy(), fix["count"].to_numpy()])
    order = np.argsort(day, kind="stable")
    return day[order], np.cumsum(delta[order])


def up_at(events: pd.DataFrame, units: int, days: np.ndarray) -> np.ndarray:
    """Units up at each of `days` (after the events of that day)."""
    day, up = up_steps(events, units)
    return up[np.searchsorted(day, days, side="right") - 1]


def up_time_fractions(events: pd.DataFrame, units: int, slots: int, start_day: float, end_day: float) -> np.ndarray:
    """Fraction of (start, end) during which k of `slots` unit slots were up, k = 0..slots."""
    day, up = up_steps(events, units)
    widths = np.diff(np.clip(np.append(day, end_day), start_day, end_day))
    fractions = np.bincount(up.astype(np.int64), weights=widths, minlength=slots + 1)[: slots + 1]
    return fractions / (end_day - start_day)


def service_sojourns(events: pd.DataFrame, after_day: float) -> np.ndarray:
    """Days from each single-module service decision (made after `after_day`) to its work."""
    dec = _kind(events, "decision")
    dec = dec[(dec["module"] >= 0)][["module", "time_days"]].copy()
    work = _kind(events, "servicing")[["module", "time_days"]].copy()
    dec["k"] = dec.groupby("module").cumcount()
    work["k"] = work.groupby("module").cumcount()
    pairs = dec.merge(work, on=["module", "k"], suffixes=("_asked", "_done"))
    pairs = pairs[pairs["time_days_asked"] > after_day]
    return (pairs["time_days_done"] - pairs["time_days_asked"]).to_numpy()


# ----- the cases ----------------------------------------------------------------------------------
def renewal_exponential(n: int) -> list[Row]:
    rate, years, modules = 0.5, 10.0, 100
    d = neutral("renewal-exponential", modules, years=years)
    d["failures"]["unit"] = {"distribution": "exponential", "rate_per_year": rate}
    d["servicing"]["servicers"] = modules
    v = replicate(build(d), RepairAtOnce(), n, lambda r: [r.summary["unit_failures"] / modules])
    return [Row(f"failures per unit slot in {years:g} yr, rate {rate}/yr", rate * years, v[:, 0])]


def renewal_weibull(n: int) -> list[Row]:
    shape, scale, years, modules = 2.0, 1.0, 5.0, 100
    d = neutral("renewal-weibull", modules, years=years)
    d["failures"]["unit"] = {"distribution": "weibull", "shape": shape, "scale_years": scale}
    d["servicing"]["servicers"] = modules
    expected = theory.renewal_function(theory.weibull_cdf(shape, scale), years)
    v = replicate(build(d), RepairAtOnce(), n, lambda r: [r.summary["unit_failures"] / modules])
    return [Row(f"renewals M({years:g} yr), Weibull({shape:g}, {scale:g} yr)", expected, v[:, 0])]


CASTET_SALEH = {1: 0.9719, 5: 0.9426, 10: 0.9223, 15: 0.9075}   # REFERENCE: Satellite reliability


def bus_survival(n: int) -> list[Row]:
    modules = 1000
    d = neutral("bus-survival", modules, years=15.0)
    d["failures"]["bus"] = {"distribution": "weibull", "shape": 0.4521, "scale_years": 2607}

    def measure(r) -> list[float]:
        failed = _kind(r.events, "module_failure")["time_days"].to_numpy()
        return [modules - float((failed <= y * DAYS_PER_YEAR).sum()) for y in CASTET_SALEH]

    v = replicate(build(d), Idle(), n, measure)
    return [proportion(f"bus survival at {y} yr", s, v[:, i], np.full(n, modules))
            for i, (y, s) in enumerate(CASTET_SALEH.items())]


def _availability(name: str, lifetime: dict, mttf_years: float, trip: dict, mttr_years: float, n: int) -> list[Row]:
    modules, years, warmup = 50, 30.0, 3.0
    d = neutral(name, modules, years=years)
    d["failures"]["unit"] = lifetime
    d["servicing"].update(servicers=modules, **trip)
    measure = lambda r: [float(np.dot(np.arange(modules + 1), up_time_fractions(  # noqa: E731
        r.events, 1, modules, warmup * DAYS_PER_YEAR, years * DAYS_PER_YEAR)) / modules)]
    v = replicate(build(d), RepairAtOnce(), n, measure)
    expected = mttf_years / (mttf_years + mttr_years)
    return [Row(f"availability MTTF/(MTTF+MTTR) = {mttf_years:.3f}/({mttf_years:.3f}+{mttr_years:.3f}) yr",
                expected, v[:, 0])]


def availability_exponential(n: int) -> list[Row]:
    mttr = 0.25
    return _availability("availability-exponential", {"distribution": "exponential", "rate_per_year": 1.0}, 1.0,
                         {"trip_days": mttr * DAYS_PER_YEAR, "trip_time_distribution": "exponential",
                          "work_at_fraction": 1.0}, mttr, n)


def availability_weibull_fixed(n: int) -> list[Row]:
    shape, scale, trip_years = 2.0, 1.0, 0.2     # fixed trip, work half-way: delay 0.1 yr
    return _availability("availability-weibull-fixed",
                         {"distribution": "weibull", "shape": shape, "scale_years": scale},
                         theory.weibull_mean(shape, scale), {"trip_days": trip_years * DAYS_PER_YEAR},
                         trip_years / 2, n)


MAX_SAMPLE_CORRELATION = 0.01


def machine_repair(repairers: int | None) -> Callable[[int], list[Row]]:
    """P(k of 5 up), estimated from the state seen at sample times spaced so that two samples'
    correlation is at most MAX_SAMPLE_CORRELATION (the chain's relaxation time times ln 100): the
    samples are (nearly) independent draws of the stationary state, so each P(k up) is a binomial
    proportion with an exact interval, even for states so rare that no sample sees them."""
    modules, fail_rate, mean_repair, years, warmup = 5, 1.0, 0.2, 60.0, 2.0

    def run(n: int) -> list[Row]:
        r = modules if repairers is None else repairers
        d = neutral(f"machine-repair-{r}", modules, years=years)
        d["failures"]["unit"] = {"distribution": "exponential", "rate_per_year": fail_rate}
        d["servicing"].update(servicers=r, trip_days=mean_repair * DAYS_PER_YEAR,
                              trip_time_distribution="exponential", work_at_fraction=1.0)
        spacing = theory.machine_repair_relaxation(modules, r, fail_rate, 1.0 / mean_repair) * math.log(
            1.0 / MAX_SAMPLE_CORRELATION)
        days = np.arange(warmup, years, spacing) * DAYS_PER_YEAR
        v = replicate(build(d), RepairAtOnce(), n, lambda res: list(np.bincount(
            up_at(res.events, 1, days), minlength=modules + 1)))
        expected = theory.machine_repair_up(modules, r, fail_rate, 1.0 / mean_repair)
        return [proportion(f"P({k} of {modules} up), {len(days)} samples {spacing:.2g} yr apart per run",
                           float(expected[k]), v[:, k], np.full(n, len(days))) for k in range(modules, -1, -1)]

    return run


def waiting_md1(n: int) -> list[Row]:
    modules, trip_days, rho, years, warmup = 2000, 10.0, 0.6, 20.0, 1.0
    arrivals_per_day = rho / trip_days
    d = neutral("waiting-md1", modules, years=years)
    d["failures"]["unit"] = {"distribution": "exponential",
                             "rate_per_year": arrivals_per_day * DAYS_PER_YEAR / modules}
    d["servicing"].update(servicers=1, trip_days=trip_days)
    v = replicate(build(d), RepairAtOnce(), n,
                  lambda r: [float(service_sojourns(r.events, warmup * DAYS_PER_YEAR).mean()) - trip_days / 2])
    return [Row(f"wait for a servicer, days (M/D/1, rho {rho}, trip {trip_days:g} d)",
                theory.md1_wait(arrivals_per_day, trip_days), v[:, 0])]


def waiting_mmc(n: int) -> list[Row]:
    modules, servers, mean_days, rho, years, warmup = 2000, 2, 10.0, 0.7, 20.0, 1.0
    arrivals_per_day = rho * servers / mean_days
    d = neutral("waiting-mmc", modules, years=years)
    d["failures"]["unit"] = {"distribution": "exponential",
                             "rate_per_year": arrivals_per_day * DAYS_PER_YEAR / modules}
    d["servicing"].update(servicers=servers, trip_days=mean_days, trip_time_distribution="exponential",
                          work_at_fraction=1.0)
    v = replicate(build(d), RepairAtOnce(), n,
                  lambda r: [float(service_sojourns(r.events, warmup * DAYS_PER_YEAR).mean())])
    return [Row(f"time to repair, days (M/M/{servers}, rho {rho}, mean trip {mean_days:g} d)",
                theory.mmc_sojourn(arrivals_per_day, 1.0 / mean_days, servers), v[:, 0])]


def ground_diversity(n: int) -> list[Row]:
    clear, outage_hours, years = [0.5, 0.6, 0.7], [12.0, 24.0, 36.0], 10.0
    d = neutral("ground-diversity", 1, years=years)
    base = d["ground"]["stations"][0]
    d["ground"]["stations"] = [dict(base, name=f"site-{i}", clear_probability=p, mean_outage_hours=h)
                               for i, (p, h) in enumerate(zip(clear, outage_hours))]

    def measure(r) -> list[float]:
        blackout = r.summary["ground_blackout_fraction"]
        out = _kind(r.events, "ground_outage")
        spells = int((out["ref"] >= 0).sum())        # an outage with a ref starts a blackout
        return [1.0 - blackout, blackout * years * DAYS_PER_YEAR * 24.0 / max(spells, 1)]

    v = replicate(build(d), Idle(), n, measure)
    return [Row("P(at least one site clear) = 1 - prod(1 - p_i)", 1.0 - theory.all_down_fraction(clear), v[:, 0]),
            Row("mean length of a total outage, hours", theory.mean_all_down_spell(outage_hours), v[:, 1])]


def poisson_spares(n: int) -> list[Row]:
    modules, units, rate, lead_years, years, spares = 20, 8, 0.5, 0.5, 10.0, (1, 2, 4)
    d = neutral("poisson-spares", modules, units=units, years=years)
    d["failures"]["unit"] = {"distribution": "exponential", "rate_per_year": rate}
    d["servicing"]["servicers"] = modules
    windows = int(years / lead_years)

    def measure(r) -> list[float]:
        f = _kind(r.events, "unit_failure")
        window = np.floor(f["time_days"].to_numpy() / (lead_years * DAYS_PER_YEAR)).astype(np.int64)
        keep = window < windows
        counts = np.bincount(f["module"].to_numpy()[keep] * windows + window[keep],
                             weights=f["count"].to_numpy()[keep], minlength=modules * windows)
        return [float((counts <= s).sum()) for s in spares]

    v = replicate(build(d), RepairAtOnce(), n, measure)
    return [proportion(f"P(no stock-out), {s} spares, {units} units x {rate}/yr x {lead_years} yr lead",
                       theory.poisson_no_stockout(s, units * rate, lead_years), v[:, i], np.full(n, modules * windows))
            for i, s in enumerate(spares)]


def _one_per_launch(name: str, modules: int, success: float) -> dict:
    d = neutral(name, modules, years=1.0)
    mass = d["fleet"]["module"]["bus_mass_kg"] + d["hardware"]["generations"][0]["mass_kg_per_unit"]
    d["launch"]["vehicles"][0].update(payload_kg=1.5 * mass, success_probability=success)
    d["servicing"]["servicers"] = 0          # modules only: no servicer nor boards to fly (nor could they fit)
    return d


def _launch_outcomes(events: pd.DataFrame) -> np.ndarray:
    rows = events[events["kind"].isin(["launch", "launch_failure"])]
    return (rows["kind"] == "launch_failure").to_numpy()


def launches_geometric(n: int) -> list[Row]:
    modules, p = 200, 0.8
    d = _one_per_launch("launches-geometric", modules, p)
    v = replicate(build(d), RelaunchLost(), n, lambda r: [r.summary["launches"] / (
        r.summary["launches"] - r.summary["launch_failures"])])
    return [Row(f"launches per successful launch, p = {p}", 1.0 / p, v[:, 0])]


def launches_any_loss(n: int) -> list[Row]:
    block, blocks, p = 20, 50, 0.995        # REFERENCE Launch: p = 0.5% loss, N = 20 gives 9.5%
    d = _one_per_launch("launches-any-loss", block * blocks, p)

    def measure(r) -> list[float]:
        lost = _launch_outcomes(r.events)[: block * blocks].reshape(blocks, block)
        return [float(lost.any(axis=1).sum())]

    v = replicate(build(d), Idle(), n, measure)
    return [proportion(f"P(at least one loss in {block} launches), p = {p}", theory.any_loss(p, block),
                       v[:, 0], np.full(n, blocks))]


def radiation(n: int) -> list[Row]:
    """Units with no base failures and a dose hazard, never repaired: each fails independently by
    age a with probability 1 - exp(-k D a^2 / 2000) (k per year per krad, D rad/yr, a yr)."""
    modules, units, dose_rad_per_year, k, ages = 10, 16, 1000.0, 0.1, (1.0, 2.0, 4.0)
    d = neutral("radiation", modules, units=units, years=max(ages) + 1.0)
    d["failures"]["radiation"] = {"dose_rate_rad_per_year": dose_rad_per_year, "hazard_per_year_per_krad": k}

    def measure(r) -> list[float]:
        f = _kind(r.events, "unit_failure")
        return [float(f.loc[f["time_days"] <= a * DAYS_PER_YEAR, "count"].sum()) for a in ages]

    v = replicate(build(d), Idle(), n, measure)
    return [proportion(f"units failed by {a:g} yr, dose {dose_rad_per_year:g} rad/yr, {k:g}/yr/krad",
                       theory.radiation_failed_fraction(k, dose_rad_per_year, a), v[:, i], np.full(n, modules * units))
            for i, a in enumerate(ages)]


def _power(name: str, modules: int, fail_rate: float) -> tuple[dict, float]:
    units, array_kw, degradation, eclipse, years = 16, 17.6, 0.02, 0.039, 15.0   # REFERENCE Power: 650 km
    d = neutral(name, modules, units=units, years=years)
    d["fleet"]["module"].update(solar_array_kw=array_kw, array_degradation_per_year=degradation,
                                eclipse_fraction=eclipse)
    d["failures"]["unit"] = {"distribution": "exponential", "rate_per_year": fail_rate}
    pflops = d["hardware"]["generations"][0]["pflops_per_unit"]
    unit_years = theory.powered_unit_years(units, array_kw, degradation, 1.0, years, fail_rate)
    return d, unit_years * DAYS_PER_YEAR * pflops * (1.0 - eclipse)


def power_dawn_dusk(n: int) -> list[Row]:
    d, expected = _power("power-dawn-dusk", 1, 0.0)
    v = replicate(build(d), Idle(), 1, lambda r: [r.summary["capacity_pflops_days"]])
    return [Row("capacity PFLOPS-days, eclipse 3.9%, array -2%/yr, no failures", expected, v[:, 0],
                tolerance=DETERMINISTIC_RTOL)]


def power_with_failures(n: int) -> list[Row]:
    modules = 20
    d, expected = _power("power-with-failures", modules, 0.068)
    v = replicate(build(d), Idle(), n, lambda r: [r.summary["capacity_pflops_days"] / modules])
    return [Row("capacity PFLOPS-days per module, units failing 6.8%/yr", expected, v[:, 0])]


# ----- orbit geometry (deterministic: `fleet.orbits` against independent computations in `runs.theory`) --
ROUNDING_RTOL = 1e-12       # two evaluations of one formula differ by rounding only
SHADOW_SAMPLING_RTOL = 2e-3  # an orbit sampled at 4,000 points, 4 times a day, against the exact shadow arc
GRID_EDGE_RTOL = 1e-3        # two visibility tests on one 5 s grid may differ at a pass's edge samples


def eclipse_beta_zero(n: int) -> list[Row]:
    rows = []
    for altitude in (550.0, 1400.0):
        closed = 0.5 - math.acos(orbits.EARTH_RADIUS_KM / orbits.radius_km(altitude)) / math.pi
        rows.append(Row(f"eclipse fraction at beta 0, {altitude:.0f} km", closed,
                        orbits.eclipse_fraction(np.array([0.0]), altitude), tolerance=ROUNDING_RTOL))
    return rows


def eclipse_dawn_dusk(n: int) -> list[Row]:
    """The year's shadow share of dawn-dusk orbits: the beta-angle formula against points sampled
    around the orbit on each day (4 times a day) and tested against the shadow cylinder."""
    start = orbits.days_since_j2000(2030)
    days = start + (np.arange(365 * 4) + 0.5) / 4
    rows = []
    for altitude in (650.0, 1400.0):
        inclination = orbits.sun_synchronous_inclination_deg(altitude)
        normals = orbits.orbit_normal(orbits.sun_synchronous_node_deg(days, 18.0), inclination)
        suns = orbits.sun_direction(days)
        sampled = np.mean([theory.shadow_fraction_sampled(orbits.radius_km(altitude), h, s)
                           for h, s in zip(normals, suns)])
        formula = orbits.eclipse_by_day(start, 365, altitude, local_time_ascending_node_h=18.0)
        rows.append(Row(f"share of the year in shadow, dawn-dusk {altitude:.0f} km (sampled orbit)",
                        float(sampled), np.array([formula.mean()]), tolerance=SHADOW_SAMPLING_RTOL))
    return rows


def sun_synchronous_precession(n: int) -> list[Row]:
    return [Row(f"node drift of a sun-synchronous orbit at {a:.0f} km, degrees a year", 360.0,
                np.array([orbits.nodal_precession_deg_per_day(a, orbits.sun_synchronous_inclination_deg(a))
                          * orbits.TROPICAL_YEAR_DAYS]), tolerance=DETERMINISTIC_RTOL) for a in (550.0, 1400.0)]


def plane_change(n: int) -> list[Row]:
    v = orbits.speed_km_s(650.0)
    return [Row(f"plane change of {angle:g} degrees at 650 km, km/s (velocity difference)",
                theory.velocity_turn_delta_v(v, 98.0, 98.0 + angle),
                np.array([orbits.plane_change_delta_v_km_s(650.0, angle)]), tolerance=ROUNDING_RTOL) for angle in (1.0, 10.0)]


def passes(n: int) -> list[Row]:
    """Passes a day of a polar orbit over a polar and an equatorial station: the elevation test of
    `fleet.orbits` against the Earth-central-angle test of `runs.theory`, on the same time grid."""
    rows = []
    for latitude in (80.0, 0.0):
        lon = -math.degrees(orbits._sidereal_angle_rad(0.0))          # the same Earth phase at t = 0
        per_day, hours = orbits.contacts(800.0, 90.0, 0.0, latitude, lon, 10.0, n_days=10.0, step_s=5.0)
        ref_day, ref_hours = theory.visible_fraction_by_central_angle(800.0, 90.0, latitude, 10.0, 10.0)
        rows.append(Row(f"passes a day over latitude {latitude:.0f}, polar 800 km orbit", ref_day,
                        np.array([per_day]), tolerance=GRID_EDGE_RTOL))
        rows.append(Row(f"hours in view a day at latitude {latitude:.0f}, polar 800 km orbit", ref_hours,
                        np.array([hours]), tolerance=GRID_EDGE_RTOL))
    return rows


STEP_RTOL = 1e-6             # 100,000 Euler steps of the rocket equation, or a 0.001-day search for a crossing


def _sso(altitude_km: float, node_deg: float, phase_deg: float = 0.0) -> reach.Plane:
    inclination = orbits.sun_synchronous_inclination_deg(altitude_km)
    return reach.Plane(altitude_km, inclination, node_deg, orbits.nodal_precession_deg_per_day(altitude_km, inclination),
                       phase_deg)


def reach_plane_change(n: int) -> list[Row]:
    """A servicing leg between two co-phased planes of one node and two inclinations, with no wait
    allowed: its Δv against the velocity difference of the two orbits at the node."""
    rows = []
    for turn in (1.0, 5.0):
        a = _sso(650.0, 30.0)
        b = reach.Plane(650.0, a.inclination_deg + turn, 30.0, a.node_rate_deg_day, 0.0)
        leg = reach.leg(a, b, 0.0, 15.0, max_wait_days=0.0)
        rows.append(Row(f"servicing leg across planes {turn:g} degrees apart at 650 km, m/s",
                        1000.0 * theory.velocity_turn_delta_v(orbits.speed_km_s(650.0), a.inclination_deg,
                                                              a.inclination_deg + turn),
                        np.array([leg.delta_v_m_s]), tolerance=ROUNDING_RTOL))
    return rows


def reach_precession_wait(n: int) -> list[Row]:
    """A leg from a dawn-dusk plane at 600 km to one at 700 km whose node is 2 degrees ahead: the
    servicer waits for the faster drift at 600 km to close the gap; the wait against stepping both
    nodes forward until they meet."""
    a = _sso(600.0, 0.0)
    b = reach.Plane(700.0, a.inclination_deg, 2.0, orbits.nodal_precession_deg_per_day(700.0, a.inclination_deg), 0.0)
    leg = reach.leg(a, b, 0.0, 15.0, max_wait_days=365.0)
    expected = theory.days_until_nodes_meet(a.node_deg, a.node_rate_deg_day, b.node_deg, b.node_rate_deg_day)
    return [Row("days waiting for J2 precession to align planes 2 degrees apart (600 and 700 km)", expected,
                np.array([leg.wait_days]), tolerance=STEP_RTOL)]


def reach_propellant(n: int) -> list[Row]:
    """Propellant of a 300 m/s leg for 7 t at Isp 1,500 s: the rocket equation against many small burns."""
    return [Row("propellant of a 300 m/s leg, 7 t at Isp 1,500 s, kg",
                theory.burn_in_small_steps(7000.0, 300.0, 1500.0 * orbits.G0_M_S2),
                np.array([reach.rocket_burn_kg(7000.0, 300.0, 1500.0)]), tolerance=STEP_RTOL)]


CASES: tuple[Case, ...] = (
    Case("renewal-exponential", "renewal count N(t) = lambda t", 8, 40, renewal_exponential),
    Case("renewal-weibull", "Weibull renewal function, numerical renewal equation", 8, 40, renewal_weibull),
    Case("bus-survival", "Castet & Saleh 2009 Weibull(0.4521, 2607 yr) survival", 4, 30, bus_survival),
    Case("availability-exponential", "MTTF/(MTTF+MTTR), exponential life and repair", 4, 30,
         availability_exponential),
    Case("availability-weibull-fixed", "MTTF/(MTTF+MTTR), Weibull life, fixed delay", 4, 30,
         availability_weibull_fixed),
    Case("machine-repair-1", "finite-source M/M/1//5 birth-death", 4, 30, machine_repair(1)),
    Case("machine-repair-2", "finite-source M/M/2//5 birth-death", 4, 30, machine_repair(2)),
    Case("machine-repair-unlimited", "finite-source M/M/inf//5: binomial", 4, 30, machine_repair(None)),
    Case("waiting-md1", "Pollaczek-Khinchine M/D/1 wait", 6, 40, waiting_md1),
    Case("waiting-mmc", "Erlang C M/M/2 time in system", 6, 40, waiting_mmc),
    Case("ground-diversity", "independent sites: 1 - prod(1 - p_i); spell 1/sum(1/mean)", 4, 30, ground_diversity),
    Case("poisson-spares", "Poisson demand over a lead time", 6, 40, poisson_spares),
    Case("launches-geometric", "geometric launches per success, mean 1/p", 6, 40, launches_geometric),
    Case("launches-any-loss", "1 - p^N", 4, 30, launches_any_loss),
    Case("radiation", "dose hazard: 1 - exp(-k D a^2 / 2000)", 10, 60, radiation),
    Case("power-dawn-dusk", "integral of powered units, exact (deterministic)", 1, 1, power_dawn_dusk),
    Case("power-with-failures", "integral of E[min(alive, powered)]", 4, 30, power_with_failures),
    Case("eclipse-beta-zero", "closed form 1/2 - acos(R/r)/pi", 1, 1, eclipse_beta_zero),
    Case("eclipse-dawn-dusk", "beta-angle formula against an orbit sampled in the shadow cylinder", 1, 1,
         eclipse_dawn_dusk),
    Case("sun-synchronous-precession", "J2 node drift of 360 degrees a tropical year", 1, 1,
         sun_synchronous_precession),
    Case("plane-change", "2 v sin(di/2) against the velocity difference", 1, 1, plane_change),
    Case("passes", "elevation test against the Earth-central-angle test", 1, 1, passes),
    Case("reach-plane-change", "a servicing leg's Δv across planes: 2 v sin(di/2)", 1, 1, reach_plane_change),
    Case("reach-precession-wait", "wait for differential J2 precession against stepped nodes", 1, 1,
         reach_precession_wait),
    Case("reach-propellant", "rocket equation against many small burns", 1, 1, reach_propellant),
)


def case_names() -> list[str]:
    return [c.name for c in CASES]
