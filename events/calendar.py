"""A calendar for the far-off timeouts of module lives, outside SimPy's queue until they come near.

SimPy keeps every pending event in one binary heap. Each operational module holds two timeouts (its
end and its threshold wake-up), so 100,000 modules put 200,000 entries in the heap, and every step
of the simulation pays for a heap that deep in cache misses. The calendar holds a timeout due after
the current window of `WINDOW_DAYS` in a bucket of its window instead, and moves the bucket into
SimPy's queue when the window opens. Each timeout keeps the key SimPy gives a timeout made at the
same moment (time, priority, event id), so events fire in exactly the order of plain timeouts, ties
included: the calendar changes where a timeout waits, never when or in which order it fires.

It writes SimPy's queue and reads its event counter (`Environment._queue`, `_eid`) as SimPy 4's own
`Environment.schedule` does (hence simpy < 5 in setup.cfg); tests/test_calendar.py checks the order
against plain timeouts.
"""
from __future__ import annotations

import math
from heapq import heappush
from typing import Callable

import simpy
from simpy.events import NORMAL, URGENT

WINDOW_DAYS = 8.0        # a bucket's span: the queue holds about this many days of module timeouts

Callback = Callable[[simpy.Event], None]


class Calendar:
    """`at(delay, callback)` is `env.timeout(delay).callbacks.append(callback)`, held in a bucket
    until its window opens. Windows open one after another while buckets wait (so a calendar with
    nothing far off puts nothing on the clock), up to `until`: a timeout in a window that starts after
    `until` never enters the queue (the engine's module timeouts all come before its horizon). The
    openings are events of their own: SimPy's `peek` and `step` see them."""

    def __init__(self, env: simpy.Environment, until: float, window_days: float = WINDOW_DAYS):
        self.env = env
        self.until = until
        self.window = window_days
        self._buckets: dict[int, list[tuple[float, int, Callback]]] = {}
        self._open = 0                  # windows up to this one are in SimPy's queue
        self._opening = False           # the next window's opening is on the clock

    def at(self, delay: float, callback: Callback) -> None:
        """Call `callback` `delay` days from now, as a timeout made now would."""
        if not 0 <= delay < math.inf:
            raise ValueError(f"a calendar timeout needs a finite delay of at least 0 (got {delay})")
        env = self.env
        day = env._now + delay
        eid = next(env._eid)
        window = int(day // self.window)
        if not self._opening:
            self._open = int(env._now // self.window)
        if window <= self._open:
            _push(env, day, eid, callback)
            return
        self._buckets.setdefault(window, []).append((day, eid, callback))
        if not self._opening:
            self._next_opening()

    def _next_opening(self) -> None:
        """Open the next window when it starts, before any other event of that instant."""
        start = (self._open + 1) * self.window
        self._opening = start <= self.until
        if self._opening:
            self.env.schedule(_triggered(self.env, self._open_window), URGENT, start - self.env.now)

    def _open_window(self, _event: simpy.Event) -> None:
        self._open += 1
        for day, eid, callback in self._buckets.pop(self._open, ()):
            _push(self.env, day, eid, callback)
        if self._buckets:
            self._next_opening()
        else:
            self._opening = False


def _push(env: simpy.Environment, day: float, eid: int, callback: Callback) -> None:
    """Put a triggered event with `callback` in SimPy's queue at `day`, with event id `eid`."""
    heappush(env._queue, (day, NORMAL, eid, _triggered(env, callback)))


def _triggered(env: simpy.Environment, callback: Callback) -> simpy.Event:
    """An event that has succeeded (as a Timeout is from its making), with `callback` to call."""
    event = simpy.Event(env)
    event._ok, event._value = True, None
    event.callbacks.append(callback)
    return event
