"""Ground links: stations alternate clear and cloudy spells; results wait on board for a clear path.

Each station's clear and outage spells are exponential with the scenario's mean outage length and
a clear mean set so that the station is clear `clear_probability` of the time; each starts in its
stationary state.

What counts as delivered. At each instant the fleet runs u = min(C, D) of its capacity C (daylight
PFLOPS, from the capacity path `events.capacity`) for demand D, in sunlight only: compute used is
s u PFLOPS-days per day, s the fraction of the time compute runs (1 - the shadow fraction, constant
over blocks of days, `fleet.eclipse`; 1 on batteries), and capacity above demand stays idle (surplus). Only
used compute produces results, `data_tb_per_pflops_day` TB per PFLOPS-day used. D changes only at
clock events and C only falls between them, so production never rises between two changes of
weather or of the fleet, and the backlog and its losses are integrated exactly
(`fleet.ground.fill_backlog`). Results are lost when the backlog overflows the modules' buffers,
and when a module stops running (it fails or is deorbited): the backlog is one pool held in equal
shares by the running modules, so a module that stops takes backlog / n of the n running modules
with it. Used compute whose results reached the ground is delivered; compute whose results were
lost is lost; compute whose results are on board at the horizon is pending. So, exactly:
integral of capacity = used + surplus, used = delivered + lost + pending (PFLOPS-days).
"""
from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np

from events.log import KIND_CODE
from events.world import World
from fleet.ground import DownlinkCapacity, fill_backlog
from fleet.orbits import contact_fractions
from fleet.scenario import Station

_OUTAGE, _RESTORED = KIND_CODE["ground_outage"], KIND_CODE["ground_restored"]


class GroundNetwork:
    """Weather processes and the fleet's backlog of results."""

    def __init__(self, world: World):
        self.world = world
        spec = world.scenario.ground
        self.stations = spec.stations
        self.capacity = DownlinkCapacity(spec, contact_fractions(world.scenario))
        self.backlog_tb = 0.0
        self.lost_tb = 0.0
        self.blackout_days = 0.0
        self.path = world.capacity
        module = world.scenario.fleet.module
        self.sunlit = world.sunlight.at(0.0)            # fraction of the time compute runs, now
        self._sunlit_area = self._sunlit_above = 0.0      # integrals of sunlit x C, x (C - level)+ until the marks
        self._area_mark = self._above_mark = 0.0          # the path's integrals when sunlit last changed
        self.tb_per_used_pflops_day = spec.data_tb_per_pflops_day
        self.tb_per_pflops_day = self.sunlit * spec.data_tb_per_pflops_day   # per PFLOPS-day of daylight capacity
        self.buffer_tb_per_module = module.data_buffer_tb
        self._last_day = 0.0
        streams = [world.streams.sequence(f"weather/{s.name}") for s in self.stations]
        self.clear = [bool(rng.random() < s.clear_probability) for rng, s in zip(streams, self.stations)]
        self.drain_tb_per_day = self.capacity.total(tuple(self.clear))
        self._blackout = -1                           # ref of the blackout going on (-1: a station is clear)
        self._mask = sum(1 << i for i, c in enumerate(self.clear) if c)   # bit i: station i clear
        self._drains = {self._mask: self.drain_tb_per_day}                 # drain by mask, TB/day
        self._spells = WeatherPlan(self.stations, streams, self.clear, world.horizon_day)
        n = len(self.stations)
        self._codes = [[[-1] * (n + 1), [-1] * (n + 1)] for _ in self.stations]   # text codes: station, clear, up
        self.path.before_change.append(self.advance)
        self.path.before_leave.append(self.lose_shares)

    def advance(self) -> None:
        """Bring the weather, then the backlog, up to now."""
        now = self.world.env.now
        self._weather_until(now)
        self._integrate(now)

    def _weather_until(self, day: float) -> None:
        """Carry out the weather changes planned up to `day`, in time order: each integrates the
        backlog up to its instant, then changes the drain; their rows are logged together."""
        plan = self._spells
        start, stop = plan.take_until(day)
        if start == stop:
            return
        log = self.world.log
        clear_now, drains, codes = self.clear, self._drains, self._codes
        kinds, refs, details = [], [], []
        for at, station, clear, up in zip(plan.days[start:stop], plan.who[start:stop], plan.clear[start:stop],
                                          plan.ups[start:stop]):
            self._integrate(at)
            clear_now[station] = clear
            self._mask ^= 1 << station
            drain = drains.get(self._mask)
            if drain is None:
                drain = drains[self._mask] = self.capacity.total(tuple(clear_now))
            self.drain_tb_per_day = drain
            if not clear and up == 0:
                self._blackout = log.new_ref()
            kinds.append(_RESTORED if clear else _OUTAGE)
            refs.append(self._blackout)
            if clear:
                self._blackout = -1
            code = codes[station][clear][up]
            if code < 0:
                code = codes[station][clear][up] = log.text_code(self._text(station, clear, up), at)
            details.append(code)
        log.add_rows(plan.days[start:stop], kinds, refs, details)

    def _text(self, station: int, clear: bool, up: int) -> str:
        """The `detail` of a weather row."""
        what = "clear" if clear else "clouded over"
        return f"{self.stations[station].name} {what} ({up} of {len(self.stations)} stations up)"

    def _integrate(self, now: float) -> None:
        """Integrate the backlog from the last change to `now`. Nothing to do while it is empty and
        production cannot exceed the drain (the path's capacity at its day bounds it from above).
        Production is min(capacity, demand) per piece: demand (the path's level) is constant
        between two calls, so it still never rises."""
        days = now - self._last_day
        if days <= 0:
            return
        drain = self.drain_tb_per_day
        if drain == 0.0:
            self.blackout_days += days
        path = self.path
        if self.backlog_tb > 0.0 or self.tb_per_pflops_day * min(path.capacity, path.level) > drain:
            if path.day < self._last_day:
                path.advance(self._last_day)
            capped = path.peak > path.level               # else demand caps no piece: no copy
            capacity, widths = path.advance(now)
            used = np.minimum(capacity, path.level) if capped else capacity
            self.backlog_tb, lost = fill_backlog(self.backlog_tb, used * self.tb_per_pflops_day, widths, drain,
                                                 path.modules * self.buffer_tb_per_module)
            self.lost_tb += lost
        self._last_day = now

    def lose_shares(self, leaving: int) -> None:
        """`leaving` of the path's running modules stop now (after `advance`): they take their
        shares of the backlog with them."""
        running = self.path.modules
        if self.backlog_tb > 0.0 and running > 0:
            share = self.backlog_tb * min(leaving, running) / running
            self.backlog_tb -= share
            self.lost_tb += share

    def set_sunlit(self, sunlit: float) -> None:
        """From now on compute runs `sunlit` of the time (a new block of eclipse): integrate up to now first."""
        self.sync()
        path = self.path
        self._sunlit_area += self.sunlit * (path.area - self._area_mark)
        self._sunlit_above += self.sunlit * (path.above - self._above_mark)
        self._area_mark, self._above_mark = path.area, path.above
        self.sunlit = sunlit
        self.tb_per_pflops_day = sunlit * self.tb_per_used_pflops_day

    def sync(self) -> None:
        """Bring the backlog and the capacity path up to now."""
        self.advance()
        self.path.advance(self.world.env.now)

    @property
    def generated_tb(self) -> float:
        """Results produced up to the path's day, TB."""
        return self.used_pflops_days * self.tb_per_used_pflops_day

    @property
    def delivered_tb(self) -> float:
        """Results that reached the ground up to now (after `sync`), TB."""
        return self.generated_tb - self.lost_tb - self.backlog_tb

    # ----- compute, PFLOPS-days up to the path's day (after `sync`: up to now) ------------------
    @property
    def capacity_pflops_days(self) -> float:
        """Integral of the fleet's capacity, idle in eclipse."""
        return self._sunlit_area + self.sunlit * (self.path.area - self._area_mark)

    @property
    def surplus_pflops_days(self) -> float:
        """Integral of the capacity above demand, idle in eclipse."""
        return self._sunlit_above + self.sunlit * (self.path.above - self._above_mark)

    @property
    def used_pflops_days(self) -> float:
        """Integral of min(capacity, demand), idle in eclipse: the compute run."""
        return self.capacity_pflops_days - self.surplus_pflops_days

    def _as_compute(self, tb: float) -> float:
        """PFLOPS-days of used compute whose results are `tb` TB (0 if results weigh nothing)."""
        return tb / self.tb_per_used_pflops_day if self.tb_per_used_pflops_day > 0 else 0.0

    @property
    def lost_pflops_days(self) -> float:
        """Used compute whose results were lost."""
        return self._as_compute(self.lost_tb)

    @property
    def pending_pflops_days(self) -> float:
        """Used compute whose results are still on board."""
        return self._as_compute(self.backlog_tb)

    @property
    def delivered_pflops_days(self) -> float:
        """Used compute whose results reached the ground."""
        return self.used_pflops_days - self.lost_pflops_days - self.pending_pflops_days

    def weather(self):
        """The weather process. Changes of weather are carried out lazily, by the first `advance` at or
        after them (every change of the fleet's capacity and every reading calls it first), so they
        cost no clock event; this process wakes only where a change starts a blackout, which takes a
        fresh ref at its instant."""
        env = self.world.env
        while True:
            day = self._spells.next_blackout()
            if day is None:
                return
            yield env.timeout(max(day - env.now, 0.0))
            self._weather_until(day)


class WeatherPlan:
    """The weather changes of every station, planned ahead in time order from their own streams.

    Each station's clear and outage spells are exponential (means from its clear probability and
    mean outage length); station i's k-th spell takes the k-th draw of its stream, drawn in blocks
    of 256. A change is (day, station, clear after it, stations up after it). Changes at or after
    the horizon are never planned.
    """

    BLOCK = 256

    def __init__(self, stations: list[Station], streams: list[np.random.Generator], clear: list[bool],
                 horizon_day: float):
        self.horizon_day = horizon_day
        self._stations: list[int] = []                 # stations whose weather changes
        self._means: list[tuple[float, float]] = []    # (outage, clear) mean spell, days
        for i, s in enumerate(stations):
            if s.clear_probability < 1.0:
                mean_out = s.mean_outage_hours / 24.0
                self._stations.append(i)
                self._means.append((mean_out, mean_out * s.clear_probability / (1.0 - s.clear_probability)))
        self._streams = [streams[i] for i in self._stations]
        k = len(self._stations)
        self._pending = [np.zeros(0)] * k              # each station's planned change days, not yet merged
        self._after = [np.zeros(0, bool)] * k          # clear after each of them
        self._tail = [0.0] * k                         # day of each station's last planned change
        self._state = [clear[i] for i in self._stations]   # clear during the spell from its tail on
        self._up = sum(clear)                          # stations up after the last merged change
        self.days: list[float] = []                    # merged changes, in time order ...
        self.who: list[int] = []
        self.clear: list[bool] = []
        self.ups: list[int] = []
        self._next = 0                                 # ... of which those before this index are done
        self._blackouts: list[int] = []                # indices of merged changes that start a blackout ...
        self._blackout_at = 0                          # ... of which those before this position are passed
        self._merged_until = 0.0 if k else math.inf    # every change before this day is merged

    def take_until(self, day: float) -> tuple[int, int]:
        """The changes not yet done that come at or before `day`, as a range of indices into `days`,
        `who`, `clear` and `ups`; they count as done."""
        while self._merged_until <= day and self._plan():
            pass
        start = self._next
        self._next = bisect_right(self.days, day, lo=start)
        return start, self._next

    def next_blackout(self) -> float | None:
        """Day of the next change (not yet done) that leaves no station clear; None if none before the horizon."""
        while True:
            blackouts, i = self._blackouts, self._blackout_at
            while i < len(blackouts) and blackouts[i] < self._next:
                i += 1
            self._blackout_at = i
            if i < len(blackouts):
                return self.days[blackouts[i]]
            if not self._plan():
                return None

    def _plan(self) -> bool:
        """Draw one more block of spells for the station planned least far, and merge every change
        now known to come before all stations' planned tails. False once all is planned to the horizon."""
        if self._merged_until >= self.horizon_day:
            return False
        j = min(range(len(self._tail)), key=self._tail.__getitem__)
        e = self._streams[j].standard_exponential(self.BLOCK)
        state = self._state[j]
        mean_out, mean_clear = self._means[j]
        k = np.arange(self.BLOCK)
        clear_spell = (k % 2 == 0) == state            # spells alternate, from the state at the tail
        days = np.cumsum(np.concatenate([[self._tail[j]], e * np.where(clear_spell, mean_clear, mean_out)]))[1:]
        self._pending[j] = np.concatenate([self._pending[j], days])
        self._after[j] = np.concatenate([self._after[j], ~clear_spell])
        self._tail[j] = float(days[-1])
        self._state[j] = not bool(clear_spell[-1])
        self._merge(min(min(self._tail), self.horizon_day))
        return True

    def _merge(self, until: float) -> None:
        """Move every pending change before `until` (after all merged ones) into the merged list."""
        days, who, after = [], [], []
        for j, station in enumerate(self._stations):
            n = int(np.searchsorted(self._pending[j], until, side="left"))
            if n:
                days.append(self._pending[j][:n])
                who.append(np.full(n, station))
                after.append(self._after[j][:n])
                self._pending[j] = self._pending[j][n:]
                self._after[j] = self._after[j][n:]
        self._merged_until = until
        if not days:
            return
        days, who, after = np.concatenate(days), np.concatenate(who), np.concatenate(after)
        order = np.lexsort((who, days))                # by day; a station's own changes keep their order
        days, who, after = days[order], who[order], after[order]
        ups = self._up + np.cumsum(np.where(after, 1, -1))
        self._up = int(ups[-1])
        start = len(self.days)
        self._blackouts.extend((start + np.flatnonzero((ups == 0) & ~after)).tolist())
        self.days.extend(days.tolist())
        self.who.extend(who.tolist())
        self.clear.extend(after.tolist())
        self.ups.extend(ups.tolist())
