"""The calendar of module timeouts fires its timeouts exactly as plain SimPy timeouts would."""
from __future__ import annotations

import numpy as np
import simpy

from events.calendar import WINDOW_DAYS, Calendar


def _story(use_calendar: bool, seed: int) -> list[tuple[float, str]]:
    """What fires, and when: processes make timeouts (on the calendar, or plain) and plain timeouts
    of their own, with many ties: on whole days, on window edges, at delay zero, and at the same
    instant from different moments."""
    env = simpy.Environment()
    cal = Calendar(env, until=400.0) if use_calendar else None
    rng = np.random.default_rng(seed)
    fired: list[tuple[float, str]] = []

    def later(delay: float, label: str) -> None:
        note = lambda _e, label=label: fired.append((env.now, label))   # noqa: E731
        if cal is None:
            env.timeout(delay).callbacks.append(note)
        else:
            cal.at(delay, note)

    def maker(name: str):
        for step in range(40):
            yield env.timeout(float(rng.integers(0, 3)) * WINDOW_DAYS / 2)    # ties with window edges
            for k in range(int(rng.integers(1, 4))):
                choice = rng.integers(0, 4)
                delay = (float(rng.integers(0, 40)) if choice == 0 else
                         float(rng.integers(0, 6)) * WINDOW_DAYS - env.now % WINDOW_DAYS if choice == 1 else
                         0.0 if choice == 2 else float(rng.exponential(30.0)))
                later(max(delay, 0.0), f"{name}{step}.{k}")
            plain = env.timeout(float(rng.integers(0, 20)))
            plain.callbacks.append(lambda _e, s=step: fired.append((env.now, f"{name}{s}.plain")))

    for name in "abc":
        env.process(maker(name))
    env.run(until=400.0)
    return fired


def test_calendar_fires_in_the_order_of_plain_timeouts_ties_included():
    for seed in range(5):
        plain, held = _story(False, seed), _story(True, seed)
        assert len(plain) > 300
        assert len({t for t, _ in plain}) < len(plain)            # there are ties to break
        assert held == plain


def test_far_timeouts_wait_outside_simpys_queue():
    env = simpy.Environment()
    cal = Calendar(env, until=1000.0)
    seen = []
    for k in range(10_000):
        cal.at(1.0 + k * 0.09, lambda _e, k=k: seen.append(k))
    assert len(env._queue) < 2 * WINDOW_DAYS / 0.09                # about one window of them
    env.run(until=1000.0)
    assert seen == list(range(10_000))


def test_nothing_opens_after_until():
    env = simpy.Environment()
    cal = Calendar(env, until=3 * WINDOW_DAYS)
    cal.at(10 * WINDOW_DAYS, lambda _e: None)
    env.run()                                                      # ends: no window opening goes on forever
    assert env.now <= 3 * WINDOW_DAYS


def test_an_idle_calendar_puts_nothing_on_the_clock_and_restarts_later():
    env = simpy.Environment()
    cal = Calendar(env, until=100 * WINDOW_DAYS)
    assert env.peek() == float("inf")
    seen = []
    cal.at(2.5 * WINDOW_DAYS, lambda _e: seen.append(env.now))
    env.run()                                    # ends with the last timeout: no opening waits after it
    assert seen == [2.5 * WINDOW_DAYS] and env.now == 2.5 * WINDOW_DAYS
    env.run(until=10.3 * WINDOW_DAYS)
    cal.at(0.1 * WINDOW_DAYS, lambda _e: seen.append(env.now))       # in the window it is now in
    cal.at(3 * WINDOW_DAYS, lambda _e: seen.append(env.now))
    env.run(until=30 * WINDOW_DAYS)
    assert seen == [2.5 * WINDOW_DAYS, 10.4 * WINDOW_DAYS, 13.3 * WINDOW_DAYS]


def test_a_negative_or_endless_delay_is_refused_as_simpy_refuses_it():
    env = simpy.Environment(initial_time=5.0)
    cal = Calendar(env, until=100.0)
    for bad in (-1.0, float("inf"), float("nan")):
        try:
            cal.at(bad, lambda _e: None)
        except ValueError as exc:
            assert "finite delay" in str(exc)
        else:
            raise AssertionError(f"delay {bad} accepted")
    assert env.peek() == float("inf")
