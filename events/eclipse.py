"""Eclipse seasons on the clock: one process for the whole fleet, one event on each day the fraction of
the time compute runs changes (blocks that keep the value of the block before are skipped, so a
dawn-dusk orbit in full sun most of the year costs only its eclipse season). The blocks were
derived before the run (`fleet.eclipse`); nothing is propagated here.
"""
from __future__ import annotations

from events.ground import GroundNetwork
from events.world import World


def eclipse_seasons(world: World, ground: GroundNetwork):
    """The process: at each change of block, compute runs the new fraction of the time."""
    env = world.env
    days, values = world.sunlight.changes()
    for day, sunlit in zip(days.tolist(), values.tolist()):
        if day >= world.horizon_day:
            return
        yield env.timeout(day - env.now)
        ground.set_sunlit(sunlit)
