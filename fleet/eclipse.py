"""Eclipse seasons of the fleet's shells as blocks of days, the sunlight compute runs in, and batteries.

The shadow fraction of each shell is derived once, before a replication runs, from its geometry
(`fleet.orbits`: beta angle with the plane's J2 drift, cylindrical shadow), averaged over the
clusters of the shell (cluster k flies in plane k mod planes) and held constant over blocks of
`orbits.eclipse_block_days` days from day 0. Compute then integrates exactly within each block.
A typed-in `fleet.module.eclipse_fraction` overrides the geometry with one constant fraction.

In shadow a module either throttles (its compute idles: it runs the sunlit fraction of the time) or
runs on batteries sized for the longest shadow its shells see over the run (`eclipse_power`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from fleet import orbits

Scenario = Any      # a fleet.scenario.Scenario (not imported: fleet.scenario imports this module)
Shell = Any         # a fleet.scenario.Shell

DAYS_PER_YEAR = 365.25
SAMPLES_PER_DAY = 4         # beta angles sampled a day: the sun and the node move < 0.3 degrees in 6 hours


@dataclass(frozen=True)
class Sunlight:
    """The fraction of time the fleet's compute runs, s(t), constant over blocks of `block_days` from
    day 0 (the last block's value holds beyond the horizon). `constant` is set when s never changes."""

    block_days: float
    values: np.ndarray          # s of each block
    cumulative: np.ndarray      # integral of s from day 0 to the start of each block, days
    constant: float | None = None

    @classmethod
    def steady(cls, value: float) -> "Sunlight":
        return cls(math.inf, np.array([value]), np.zeros(1), value)

    @classmethod
    def blocks(cls, block_days: float, values: np.ndarray) -> "Sunlight":
        values = np.asarray(values, dtype=float)
        if np.all(values == values[0]):
            return cls.steady(float(values[0]))
        cumulative = np.concatenate([[0.0], np.cumsum(values[:-1]) * block_days])
        return cls(float(block_days), values, cumulative)

    def integral(self, start: np.ndarray | float, stop: np.ndarray | float) -> np.ndarray:
        """Integral of s over [start, stop] (element-wise; days), days."""
        if self.constant is not None:
            return self.constant * (np.asarray(stop, dtype=float) - start)
        return self._cumulative_at(stop) - self._cumulative_at(start)

    def _cumulative_at(self, day: np.ndarray | float) -> np.ndarray:
        day = np.asarray(day, dtype=float)
        k = (day // self.block_days).astype(np.intp)
        k = np.minimum(np.maximum(k, 0), len(self.values) - 1)     # as np.clip, without its checks' cost
        return self.cumulative[k] + self.values[k] * (day - k * self.block_days)

    def at(self, day: float) -> float:
        """s on `day`."""
        if self.constant is not None:
            return self.constant
        return float(self.values[min(max(int(day // self.block_days), 0), len(self.values) - 1)])

    def changes(self) -> tuple[np.ndarray, np.ndarray]:
        """Days after day 0 on which s changes, and its value from each (blocks that keep the value
        of the block before are skipped)."""
        if self.constant is not None:
            return np.zeros(0), np.zeros(0)
        k = np.flatnonzero(self.values[1:] != self.values[:-1]) + 1
        return k * self.block_days, self.values[k]

    def mean(self, horizon_day: float) -> float:
        """Time average of s over [0, horizon_day]."""
        return float(self.integral(0.0, horizon_day)) / horizon_day


@dataclass(frozen=True)
class Shadow:
    """Shadow fraction of each shell (rows) in each block of `block_days` (columns), and which shell
    each cluster flies in."""

    block_days: float
    by_shell: np.ndarray
    shell_of_cluster: np.ndarray
    period_h: np.ndarray        # orbital period of each shell, hours

    @cached_property
    def fleet(self) -> np.ndarray:
        """Shadow fraction of each block averaged over the clusters (modules are spread over them)."""
        weights = np.bincount(self.shell_of_cluster, minlength=len(self.by_shell)) / len(self.shell_of_cluster)
        return weights @ self.by_shell

    def fleet_at(self, day: float) -> float:
        """The fleet's shadow fraction on `day` (the last block's beyond the horizon)."""
        return float(self.fleet_on(np.array([day]))[0])

    def fleet_on(self, days: np.ndarray) -> np.ndarray:
        """The fleet's shadow fraction on each of `days`."""
        if math.isinf(self.block_days):
            return np.full(len(days), self.fleet[0])
        return self.fleet[np.clip((np.asarray(days) // self.block_days).astype(np.intp), 0, len(self.fleet) - 1)]

    def longest_hours(self) -> float:
        """Longest shadow of one orbit in any shell and block, hours."""
        return float((self.by_shell.max(axis=1) * self.period_h).max())

    def integral(self, shells: np.ndarray, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
        """Days in shadow over [start, stop] of modules flying in `shells` (element-wise), days."""
        out = np.empty(len(shells))
        for s, row in enumerate(self.by_shell):
            mine = shells == s
            out[mine] = Sunlight.blocks(self.block_days, row).integral(start[mine], stop[mine])
        return out


def shadow_of(scenario: Scenario) -> Shadow:
    """The shadow blocks of the scenario's shells over its horizon, or the typed-in fraction as one
    block for every shell (without `orbits`: one shell holding every cluster)."""
    typed = scenario.fleet.module.eclipse_fraction
    if scenario.orbits is None:
        return Shadow(math.inf, np.array([[typed]]), np.zeros(scenario.fleet.clusters, dtype=np.intp),
                      np.array([0.0]))
    shells = scenario.orbits.shells
    owner = np.concatenate([np.full(shell.clusters or scenario.fleet.clusters, i, dtype=np.intp)
                            for i, shell in enumerate(shells)])
    period_h = np.array([orbits.period_s(s.altitude_km) / 3600.0 for s in shells])
    if typed is not None:
        return Shadow(math.inf, np.full((len(shells), 1), typed), owner, period_h)
    block = float(scenario.orbits.eclipse_block_days)
    blocks = max(1, math.ceil(scenario.horizon_years * DAYS_PER_YEAR / block))
    start = orbits.days_since_j2000(scenario.start_year)
    rows = [_shell_blocks(shell, int(np.count_nonzero(owner == i)), start, blocks, int(block))
            for i, shell in enumerate(shells)]
    return Shadow(block, np.array(rows), owner, period_h)


def _shell_blocks(shell: Shell, clusters: int, start_days: float, blocks: int, block_days: int) -> np.ndarray:
    """Shadow fraction of each block, averaged over the shell's clusters (each in its plane)."""
    per_plane = np.bincount(np.arange(clusters) % shell.planes, minlength=shell.planes)
    total = np.zeros(blocks)
    for plane, count in enumerate(per_plane.tolist()):
        if count:
            offset = plane * shell.node_spread_deg / shell.planes
            total += count * _plane_blocks(shell.altitude_km, shell.inclination_deg, shell.sun_synchronous_ltan_h,
                                           offset, start_days, blocks, block_days)
    return total / clusters


@lru_cache(maxsize=256)
def _plane_blocks(altitude_km: float, inclination_deg: float | None, ltan_h: float | None, node_offset_deg: float,
                  start_days: float, blocks: int, block_days: int) -> np.ndarray:
    """Shadow fraction of each block of one plane (memoised: replications in a process share it)."""
    ltan = None if ltan_h is None else (ltan_h + node_offset_deg / 15.0) % 24.0
    daily = orbits.eclipse_by_day(start_days, blocks * block_days, altitude_km, inclination_deg, ltan,
                                  node_at_epoch_deg=node_offset_deg, samples_per_day=SAMPLES_PER_DAY)
    out = daily.reshape(blocks, block_days).mean(axis=1)
    out.flags.writeable = False
    return out


def sunlight_of(scenario: Scenario) -> Sunlight:
    """The fraction of time compute runs: 1 on batteries, else the sunlit fraction of each block."""
    if scenario.fleet.module.eclipse_power == "battery":
        return Sunlight.steady(1.0)
    shadow = shadow_of(scenario)
    return Sunlight.blocks(shadow.block_days, 1.0 - shadow.fleet)


def mean_sunlit(scenario: Scenario) -> float:
    """Time average over the horizon of the fraction of time compute runs (for policies' estimates)."""
    return sunlight_of(scenario).mean(scenario.horizon_years * DAYS_PER_YEAR)


# ----- batteries ----------------------------------------------------------------------------------
def battery_kwh(scenario: Scenario) -> float:
    """Energy stored per module: its array power through the longest shadow, at the design's depth of
    discharge; 0 for a module that throttles in shadow. kWh."""
    design = scenario.fleet.module
    if design.eclipse_power != "battery":
        return 0.0
    return design.solar_array_kw * shadow_of(scenario).longest_hours() / design.battery_depth_of_discharge


def battery_mass_kg(scenario: Scenario) -> float:
    """Mass of one module's battery, kg."""
    return battery_kwh(scenario) * 1000.0 / scenario.fleet.module.battery_wh_per_kg


def battery_price_usd(scenario: Scenario) -> float:
    """Price of one module's battery, $ (booked with the module's hardware)."""
    return battery_kwh(scenario) * scenario.fleet.module.battery_usd_per_kwh
