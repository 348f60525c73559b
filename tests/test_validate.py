"""`fleet validate`: the closed forms it uses, its options, and the whole quick catalog passing."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy import integrate, stats

from runs.trust import theory
from runs.studies.stats import clopper_pearson
from runs.trust.validate import CASES, Row, proportion
from tests.commands import fleet


# ----- the closed forms ---------------------------------------------------------------------------
def test_renewal_function_of_exponential_is_linear():
    assert theory.renewal_function(lambda x: 1 - np.exp(-0.7 * x), 5.0) == pytest.approx(3.5, rel=1e-6)


def test_renewal_function_of_weibull_tends_to_t_over_mean():
    shape, scale = 2.0, 1.0
    mean = theory.weibull_mean(shape, scale)
    cv2 = math.gamma(1 + 2 / shape) / math.gamma(1 + 1 / shape) ** 2 - 1
    t = 20.0
    # M(t) = t / mu + (cv^2 - 1) / 2 + o(1) for a non-lattice lifetime
    assert theory.renewal_function(theory.weibull_cdf(shape, scale), t, steps=6000) == pytest.approx(
        t / mean + (cv2 - 1) / 2, abs=1e-3)


def test_machine_repair_unlimited_is_binomial_and_single_is_classical():
    n, lam, mu = 5, 1.0, 5.0
    up = theory.machine_repair_up(n, n, lam, mu)
    assert up == pytest.approx(stats.binom.pmf(np.arange(n + 1), n, mu / (lam + mu)))
    one = theory.machine_repair_up(n, 1, lam, mu)
    assert one.sum() == pytest.approx(1.0)
    # all down: p_n / p_0 = n! (lam / mu)^n with one repairer
    assert one[0] / one[n] == pytest.approx(math.factorial(n) * (lam / mu) ** n)


def test_radiation_failed_fraction_integrates_the_dose_hazard():
    """k per year per krad at D rad/yr: hazard k D a / 1000 at age a; F(a) = 1 - exp(-integral)."""
    k, dose, age = 0.3, 700.0, 2.5
    cumulative = integrate.quad(lambda a: k * dose * a / 1000.0, 0.0, age)[0]
    assert theory.radiation_failed_fraction(k, dose, age) == pytest.approx(-math.expm1(-cumulative), rel=1e-12)
    assert theory.radiation_failed_fraction(0.0, dose, age) == 0.0


def test_machine_repair_relaxation():
    # unlimited repairers: independent two-state machines, correlation decays at lam + mu
    assert theory.machine_repair_relaxation(5, 5, 1.0, 5.0) == pytest.approx(1 / 6.0)
    # one machine, one repairer: the same two-state chain
    assert theory.machine_repair_relaxation(1, 1, 2.0, 3.0) == pytest.approx(1 / 5.0)
    # fewer repairers: slower mixing
    assert theory.machine_repair_relaxation(5, 1, 1.0, 5.0) > theory.machine_repair_relaxation(5, 2, 1.0, 5.0)


def test_clopper_pearson_is_exact():
    n, alpha = 50, 0.05
    assert clopper_pearson(0, n, alpha) == pytest.approx((0.0, 1 - (alpha / 2) ** (1 / n)))
    assert clopper_pearson(n, n, alpha) == pytest.approx(((alpha / 2) ** (1 / n), 1.0))
    low, high = clopper_pearson(7, n, alpha)
    # the ends are where the binomial tails reach alpha / 2
    assert stats.binom.sf(6, n, low) == pytest.approx(alpha / 2)
    assert stats.binom.cdf(7, n, high) == pytest.approx(alpha / 2)


def test_clopper_pearson_covers_at_least_its_confidence():
    """Exact coverage: for every k whose interval misses p, add P(k); the total is at most alpha."""
    n, alpha = 40, 0.05
    for p in (0.001, 0.02, 0.3, 0.5, 0.97):
        missed = sum(stats.binom.pmf(k, n, p) for k in range(n + 1)
                     if not clopper_pearson(k, n, alpha)[0] <= p <= clopper_pearson(k, n, alpha)[1])
        assert missed <= alpha


def test_a_proportion_with_no_events_still_has_an_interval_that_can_hold_a_rare_truth():
    row = proportion("rare", 1e-4, np.zeros(4), np.full(4, 100))
    low, high = row.interval(0.05)
    assert low == 0.0 < 1e-4 < high and row.passed(0.05)
    assert not proportion("rare", 0.2, np.zeros(4), np.full(4, 100)).passed(0.05)
    assert proportion("half", 0.5, np.array([5, 6]), np.array([10, 10])).mean == pytest.approx(0.55)


def test_queue_formulas():
    assert theory.mmc_sojourn(0.5, 1.0, 1) == pytest.approx(1 / (1.0 - 0.5))    # M/M/1: 1 / (mu - lam)
    assert theory.md1_wait(0.5, 1.0) == pytest.approx(0.5)                     # rho / (2 mu (1 - rho))
    with pytest.raises(ValueError):
        theory.mmc_sojourn(3.0, 1.0, 2)


def test_powered_unit_years_matches_direct_integration():
    units, kw, d, years, lam = 16, 17.6, 0.02, 15.0, 0.068

    def running(a):
        powered = math.floor(kw * (1 - d) ** a / 1.0 + 1e-9)
        p = math.exp(-lam * a)
        return sum(min(k, powered) * stats.binom.pmf(k, units, p) for k in range(units + 1))

    breaks = sorted(set(np.minimum(theory.powered_until(units, kw, d, 1.0), years)) | {0.0, years})
    direct = sum(integrate.quad(running, a, b)[0] for a, b in zip(breaks[:-1], breaks[1:]) if b > a)
    assert theory.powered_unit_years(units, kw, d, 1.0, years, lam) == pytest.approx(direct, rel=1e-6)


def test_rows_pass_inside_and_fail_outside_their_interval():
    values = np.array([1.0, 1.2, 0.8, 1.1, 0.9])
    assert Row("x", 1.0, values).passed(0.05)
    assert not Row("x", 2.0, values).passed(0.05)
    assert Row("x", 1.0 + 1e-12, np.array([1.0]), tolerance=1e-9).passed(0.05)
    assert not Row("x", 1.1, np.array([1.0]), tolerance=1e-9).passed(0.05)


# ----- the command --------------------------------------------------------------------------------
def test_catalog_covers_the_issue():
    names = {c.name for c in CASES}
    for needed in ("renewal-exponential", "renewal-weibull", "bus-survival", "availability-exponential",
                   "availability-weibull-fixed", "machine-repair-1", "machine-repair-2", "machine-repair-unlimited",
                   "waiting-md1", "waiting-mmc", "ground-diversity", "poisson-spares", "launches-geometric",
                   "launches-any-loss", "power-dawn-dusk", "radiation"):
        assert needed in names


def test_unknown_case_and_bad_replications_are_bad_input():
    p = fleet("validate", "--case", "nonsense")
    assert p.returncode == 2 and "unknown case 'nonsense'" in p.stderr and "renewal-exponential" in p.stderr
    p = fleet("validate", "--replications", "1")
    assert p.returncode == 2 and "--replications" in p.stderr
    assert "Traceback" not in p.stderr


def test_one_case_with_chosen_replications():
    p = fleet("validate", "--case", "launches-geometric", "--replications", "3")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "launches-geometric" in p.stdout and "(3 replications" in p.stdout
    assert "1 of 1 checks passed" in p.stdout


@pytest.mark.slow
def test_quick_catalog_passes():
    p = fleet("validate", "--quick")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "FAIL" not in p.stdout
    for case in CASES:
        assert f"\n{case.name}: " in p.stdout
    total = sum(1 for line in p.stdout.splitlines() if line.rstrip().endswith(" pass"))
    assert f"{total} of {total} checks passed" in p.stdout and total >= 30
    # issue 18: no check cries wolf: every stochastic check's interval has width
    intervals = re.findall(r"\[(\S+), (\S+)\]\s+pass", p.stdout)
    exact = sum(1 for line in p.stdout.splitlines() if "exact, rel. tol" in line)
    assert exact >= 1 and len(intervals) == total - exact      # every stochastic check shows an interval
    assert all(float(high) > float(low) for low, high in intervals), intervals
