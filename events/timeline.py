"""Timeline samples: the fleet's state every `timeline_step_days`, and the costs that accrue with time.

At each sample the operations and ground-station costs of the interval just ended are booked
(operations for the exact module-days operated in it), and the fleet's rate of producing results
is refreshed for the ground network.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from events.ground import GroundNetwork
from events.servicing import Servicing
from events.world import World
from fleet.economics import DAYS_PER_YEAR
from fleet.state import Status, in_status

COLUMNS = ("time_days", "time_years", "year", "modules_operational", "modules_in_pipeline",
           "units_alive", "capacity_pflops", "target_pflops", "availability", "power_kw", "backlog_tb",
           "data_lost_tb", "servicers_busy", "trips_queued", "cost_cumulative_usd")


class Timeline:
    """Samples the fleet and books time-based costs."""

    def __init__(self, world: World, ground: GroundNetwork, servicing: Servicing):
        self.world = world
        self.ground = ground
        self.servicing = servicing
        self.rows: dict[str, list] = {c: [] for c in COLUMNS}
        self._last_day = 0.0
        world.env.process(self._run())

    def _run(self):
        w = self.world
        step = w.scenario.timeline_step_days
        k = 0
        while k * step < w.horizon_day:
            yield w.env.timeout(k * step - w.now)
            self.sample()
            k += 1

    def sample(self) -> None:
        w = self.world
        t = w.table
        day = w.now
        econ = w.scenario.economics
        dt_years = (day - self._last_day) / DAYS_PER_YEAR
        if dt_years > 0:
            module_years = t.operated_days(self._last_day, day) / DAYS_PER_YEAR
            w.book("operations", module_years * econ.operations_usd_per_module_year)
            w.book("ground", len(w.scenario.ground.stations) * econ.ground_usd_per_station_year * dt_years)
        ops = t.ids(Status.OPERATIONAL)
        alive = t.alive_counts(day, ops)
        array_kw = t.array_kw(day, ops)
        usable = np.minimum(alive, t.powered_counts(array_kw, ops))
        capacity = float((usable * t.pflops_per_unit[t.generation[ops]]).sum())
        module = w.scenario.fleet.module
        rate = capacity * (1 - module.eclipse_fraction) * w.scenario.ground.data_tb_per_pflops_day
        self.ground.set_generation(rate, len(ops) * module.data_buffer_tb)
        pipeline = int(in_status(t.status[: t.n], Status.ORDERED, Status.IN_TRANSIT).sum())
        row = (day, day / DAYS_PER_YEAR, w.year(day), len(ops), pipeline, int(alive.sum()), capacity,
               w.target_pflops, min(1.0, capacity / w.target_pflops), float(array_kw.sum()),
               self.ground.backlog_tb, self.ground.lost_tb, self.servicing.busy,
               self.servicing.queued, w.ledger.total_usd)
        for c, v in zip(COLUMNS, row):
            self.rows[c].append(v)
        self._last_day = day

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)

    def mean_availability(self) -> float:
        """Time-weighted mean of the sampled availability (each sample holds until the next)."""
        days = np.asarray(self.rows["time_days"])
        avail = np.asarray(self.rows["availability"])
        if len(days) < 2:
            return float(avail[0]) if len(avail) else 0.0
        widths = np.diff(days)
        return float((avail[:-1] * widths).sum() / widths.sum())
