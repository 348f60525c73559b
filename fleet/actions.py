"""What a policy may ask for. The engine checks each one and refuses the impossible ones."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Launch:
    """Order `count` new modules; they fly when a vehicle, the cadence and the lead time allow.

    cluster: where they go (None: the clusters with the fewest modules, in turn);
    generation: catalog index of their units (None: the newest available);
    spare: on arrival they wait in cold standby (`Status.SPARE`) until an `Activate`;
    due_day: day (since the start) by which they should fly (None: now + `launch.max_wait_days`);
    the queue takes the cheapest vehicle that launches by then, else the earliest.
    """

    count: int
    cluster: int | None = None
    generation: int | None = None
    reason: str = ""
    spare: bool = False
    due_day: float | None = None


@dataclass(frozen=True)
class Service:
    """Send one servicing trip to `modules`: replace their failed units (`upgrade`: all units,
    with the newest generation). The failed units must fit in one trip."""

    modules: tuple[int, ...]
    upgrade: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Deorbit:
    """Retire operational `modules` now."""

    modules: tuple[int, ...]
    reason: str = ""


@dataclass(frozen=True)
class Activate:
    """Bring spare `modules` (in standby) into operation now."""

    modules: tuple[int, ...]
    reason: str = ""


@dataclass(frozen=True)
class Resupply:
    """Order `boards` replacement boards of `generation` (None: the newest available) for the depot
    in orbit; they fly like modules (see `Launch.due_day`), are bought and paid for when they do,
    and a trip can install only boards in the depot."""

    boards: int
    generation: int | None = None
    reason: str = ""
    due_day: float | None = None


Action = Launch | Service | Deorbit | Activate | Resupply
ACTION_TYPES = (Launch, Service, Deorbit, Activate, Resupply)
