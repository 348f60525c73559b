"""Never act: the baseline every comparison can include."""
from __future__ import annotations

import dataclasses

from policies.base import Policy


@dataclasses.dataclass(frozen=True)
class Null(Policy):
    """Never repairs, replaces or launches anything after the initial deployment."""

    name = "null"
    description = "never act after the initial deployment (the baseline for comparisons)"

    review_interval_days: float = dataclasses.field(
        default=3650.0, metadata={"unit": "days", "help": "time between reviews (which do nothing)"})
