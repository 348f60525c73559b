"""The depot's standing order for replacement boards, its defaults filled in from the scenario."""
from __future__ import annotations

from typing import TYPE_CHECKING

from fleet.economics import DAYS_PER_YEAR
from fleet.tolerances import ceil_count

if TYPE_CHECKING:
    from fleet.scenario import Scenario


def resupply_levels(scenario: Scenario) -> tuple[int, int] | None:
    """(reorder point, boards per order) of the depot's standing order, defaults filled in; None: no rule.

    The default reorder point covers the boards the servicers can install, at most, while an order
    waits for its flight (the longest vehicle lead time plus launch interval, days), so that trips
    never find the depot empty while the servicers keep up with the failures."""
    servicing = scenario.servicing
    rule = servicing.resupply
    if rule is None or servicing.servicers == 0:
        return None
    load = servicing.servicers * servicing.units_per_trip
    wait = max(v.lead_time_days + DAYS_PER_YEAR / v.launches_per_year for v in scenario.launch.vehicles)
    default_point = load * ceil_count(wait / servicing.trip_days)
    point = default_point if rule.reorder_point_boards is None else rule.reorder_point_boards
    order = load if rule.order_boards is None else rule.order_boards
    return point, order
