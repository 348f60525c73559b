"""The shipped teaching scenario runs end to end and produces the contract's columns and KPIs."""
from runs import simulate

EVENT_COLUMNS = ["time_days", "time_years", "kind", "module", "cluster", "count", "cost_usd", "ref", "cause", "modules",
                 "reason", "detail"]
KPIS = ["delivered_pflops_days", "mean_availability", "launches", "launch_failures", "modules_launched",
        "modules_lost_at_launch", "unit_failures", "module_failures", "servicing_trips", "servicing_failures",
        "units_replaced", "upgrades", "deorbits", "debris_left", "mass_launched_kg", "cost_total_usd",
        "cost_npv_usd", "cost_per_pflops_day_usd", "data_generated_tb", "data_delivered_tb", "data_lost_tb",
        "events", "wall_seconds"]


def test_tiny_runs_with_contract_columns():
    r = simulate("tiny", seed=1)
    assert list(r.events.columns) == EVENT_COLUMNS
    for c in ["time_days", "time_years", "modules_operational", "units_alive", "capacity_pflops",
              "demand_pflops", "power_kw", "backlog_tb", "cost_cumulative_usd"]:
        assert c in r.timeline.columns
    for k in KPIS:
        assert k in r.summary
    initial = r.events[r.events.kind == "decision"].iloc[0]
    assert initial.time_days == 0 and initial["count"] == 4     # the initial deployment
    assert r.summary["modules_launched"] >= 4                    # then more as demand grows with hardware
    assert r.events["time_days"].is_monotonic_increasing
