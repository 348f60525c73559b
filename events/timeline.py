"""Timeline samples: the fleet's state every `timeline_step_days` (with the fleet's shadow fraction on the
day and the hours a day a cluster has a station in view that is clear at the sample). Sampling only reads: it books no
cost and changes no rate, so no KPI depends on the step. A sample is taken after everything else
that happens at its instant (the first one shows what was commissioned on day 0); its cumulative
cost includes the operations and ground costs accrued so far, which are booked at the horizon.
"""
from __future__ import annotations

import numpy as np

from events.ground import GroundNetwork
from events.servicing import Servicing
from events.world import World
from fleet.contacts import ContactHours
from fleet.economics import DAYS_PER_YEAR
from fleet.state import Status, in_status

COLUMNS = ("time_days", "time_years", "year", "modules_operational", "modules_in_pipeline",
           "units_alive", "capacity_pflops", "demand_pflops", "availability", "power_kw", "backlog_tb",
           "data_lost_tb", "servicers_busy", "trips_queued", "servicers_busy_mean", "trips_queued_mean",
           "cost_cumulative_usd", "eclipse_fraction", "contact_hours")


class Timeline:
    """Samples the fleet."""

    def __init__(self, world: World, ground: GroundNetwork, servicing: Servicing):
        self.world = world
        self.ground = ground
        self.servicing = servicing
        self.rows: dict[str, list] = {c: [] for c in COLUMNS}
        self._last_load = (0.0, 0.0, 0.0)    # day of the previous sample, servicer load integrals until it
        self.contacts = ContactHours(world.scenario)

    def run(self):
        """The sampling process: a row every `timeline_step_days`, after everything else at that instant."""
        w = self.world
        env = w.env
        step = w.scenario.timeline_step_days
        k = 0
        while k * step < w.horizon_day:
            yield env.timeout(k * step - w.now)
            while env.peek() <= w.now:        # let everything else at this instant happen first
                yield env.timeout(0)
            self.sample()
            k += 1

    def sample(self) -> None:
        w = self.world
        t = w.table
        day = w.now
        self.ground.sync()
        ops = t.ids(Status.OPERATIONAL)
        alive = t.alive_counts(day, ops)
        array_kw = t.array_kw(day, ops)
        usable = np.minimum(alive, t.powered_counts(array_kw, ops))
        capacity = float((usable * t.pflops_per_unit[t.generation[ops]]).sum())
        pipeline = int(in_status(t.status[: t.n], Status.ORDERED, Status.IN_TRANSIT).sum())
        demand = w.demand.at(day)
        busy_mean, queued_mean = self._load_means(day)
        row = (day, day / DAYS_PER_YEAR, w.year(day), len(ops), pipeline, int(alive.sum()), capacity,
               demand, min(1.0, capacity / demand) if demand > 0 else 1.0, float(array_kw.sum()),
               self.ground.backlog_tb, self.ground.lost_tb, self.servicing.busy,
               self.servicing.queued, busy_mean, queued_mean, w.ledger.total_usd + w.accrued_usd(0.0, day),
               w.shadow.fleet_at(day), self.contacts.hours_per_day(tuple(self.ground.clear)))
        for c, v in zip(COLUMNS, row):
            self.rows[c].append(v)

    def _load_means(self, day: float) -> tuple[float, float]:
        """Servicers busy and trips waiting, each averaged over the time since the previous sample (at the
        first sample, their values now)."""
        busy_days, queued_days = self.servicing.load_days()
        before, busy_before, queued_before = self._last_load
        self._last_load = (day, busy_days, queued_days)
        if day <= before:
            return float(self.servicing.busy), float(self.servicing.queued)
        return (busy_days - busy_before) / (day - before), (queued_days - queued_before) / (day - before)
