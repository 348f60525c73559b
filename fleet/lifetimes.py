"""Lifetime distributions as data: sampling (by inverting standard exponential draws) and survival, in years.

A unit's lifetime is the first of two competing causes: its base distribution (exponential or
Weibull) and, where the scenario gives a radiation effect, an extra hazard that grows linearly with
the dose the unit has accumulated since it was installed:
    h_rad(a) = beta * dose_rate * a / 1000   (beta per year per krad, dose in rad/yr, age a in yr)
so H_rad(a) = beta * dose_rate * a^2 / 2000, sampled exactly by inversion.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from fleet.scenario import Exponential, Lifetime, Radiation


def has_radiation_hazard(radiation: Radiation | None) -> bool:
    """Whether `radiation` adds any hazard (else a lifetime needs no radiation draw)."""
    return radiation is not None and radiation.dose_rate_rad_per_year * radiation.hazard_per_year_per_krad > 0


def inverse(spec: Lifetime, radiation: Radiation | None = None) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """The function (e, e_rad) -> lifetimes in years, made once for a hot loop; e_rad is ignored
    without a radiation hazard."""
    if isinstance(spec, Exponential):
        mean = 1.0 / spec.rate_per_year if spec.rate_per_year > 0 else np.inf
        base = (lambda e: e * mean) if math.isfinite(mean) else (lambda e: np.full(len(e), np.inf))
    else:
        scale, power = spec.scale_years, 1.0 / spec.shape
        base = lambda e: scale * e ** power  # noqa: E731
    if not has_radiation_hazard(radiation):
        return lambda e, e_rad: base(e)
    inv_k = 2000.0 / (radiation.dose_rate_rad_per_year * radiation.hazard_per_year_per_krad)
    return lambda e, e_rad: np.minimum(base(e), np.sqrt(e_rad * inv_k))


def survival(spec: Lifetime, years: float | np.ndarray) -> float | np.ndarray:
    """P(lifetime > years) for the base distribution."""
    t = np.asarray(years, dtype=float)
    if isinstance(spec, Exponential):
        return np.exp(-spec.rate_per_year * t)
    return np.exp(-(t / spec.scale_years) ** spec.shape)
