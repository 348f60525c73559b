"""What the processes tell the policy: the hooks a component calls when something it manages happens.

The engine passes one `Reactions` (the policy driver, `events.review.PolicyDriver`) to each component
that calls it, in the component's constructor. Each hook names the event's `ref` in the log, which
the decisions it leads to record as their `cause`.
"""
from __future__ import annotations

from typing import Protocol


class Reactions(Protocol):
    def module_ended(self, m: int, ref: int) -> None:
        """Module m failed or was deorbited; `ref` of that row."""

    def threshold_reached(self, m: int) -> None:
        """Module m reached the failed-unit threshold the policy declared."""

    def launch_failed(self, modules: tuple[int, ...], ref: int) -> None:
        """The launch `ref` failed and lost `modules`."""

    def trip_returned(self, modules: tuple[int, ...], ref: int) -> None:
        """The trip `ref` to `modules` came back."""
