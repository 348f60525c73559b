"""The event log's DataFrame (events/log.py EventLog.frame): rows in time order, ties in the order
logged, bulk rows after the logged rows of the same day, every column in its row."""
from __future__ import annotations

import numpy as np

from events.log import NONE, EventLog


def test_frame_puts_every_row_and_column_in_time_order():
    log = EventLog()
    log.add(2.0, "decision", 4, 1, 3, 10.0, "order", 0, -1, (7, 8))
    log.add(1.0, "launch", -1, 2, 5, 99.0, "up", 1, 0)
    log.add(2.0, "deorbit", 9, 0, 1, 5.0, "old", 2, 0)
    log.add_bulk("unit_failure", np.array([2.0, 0.5]), np.array([11, 12]), np.array([1, 1]), np.array([2, 1]))
    log.add_bulk("unit_failure", np.array([1.0]), np.array([13]), np.array([0]), np.array([4]))
    f = log.frame()
    expected = [   # day, kind, module, cluster, count, cost, ref, cause, modules, detail
        (0.5, "unit_failure", 12, 1, 1, 0.0, NONE, NONE, [], ""),
        (1.0, "launch", -1, 2, 5, 99.0, 1, 0, [], "up"),
        (1.0, "unit_failure", 13, 0, 4, 0.0, NONE, NONE, [], ""),
        (2.0, "decision", 4, 1, 3, 10.0, 0, -1, [7, 8], "order"),
        (2.0, "deorbit", 9, 0, 1, 5.0, 2, 0, [], "old"),
        (2.0, "unit_failure", 11, 1, 2, 0.0, NONE, NONE, [], ""),
    ]
    got = list(zip(f["time_days"], f["kind"], f["module"], f["cluster"], f["count"], f["cost_usd"], f["ref"],
                   f["cause"], (m.tolist() for m in f["modules"]), f["detail"]))
    assert got == expected
    assert len(log) == len(f) == 6
    assert f["time_years"].tolist() == (f["time_days"] / 365.25).tolist()
