"""The end-of-replication invariant checks (events/invariants.py): each one can fail.

Every test corrupts the state of a real replication just before the checks run (by wrapping the
engine's call to `check_replication`) and expects an InvariantError naming the invariant, the day
and, where one is concerned, the module.
"""
from __future__ import annotations

import contextlib
import copy
import io

import numpy as np
import pytest
import yaml

import events.engine
from events.invariants import InvariantError, check_replication
from fleet.demand import DemandCurve
from fleet.scenario import parse_scenario
from fleet.state import Status
from policies.registry import make_policy
from runs.api import SCENARIO_DIR
from runs.commands.cli import main

TINY = yaml.safe_load((SCENARIO_DIR / "tiny.yaml").read_text())
HORIZON_DAY = 365.25


def scenario():
    d = copy.deepcopy(TINY)
    d["horizon_years"] = 1
    return parse_scenario(d, "tiny-1yr")


def run_corrupted(monkeypatch, corrupt) -> InvariantError:
    """Run one replication whose state `corrupt(world, ground, timeline, summary)` spoils; return the error."""
    def spoiled(world, ground, timeline, summary):
        corrupt(world, ground, timeline, summary)
        check_replication(world, ground, timeline, summary)

    monkeypatch.setattr(events.engine, "check_replication", spoiled)
    with pytest.raises(InvariantError) as info:
        events.engine.run_replication(scenario(), make_policy("service-on-threshold"), 3)
    return info.value


def first_operational(world) -> int:
    return int(world.table.ids(Status.OPERATIONAL)[0])


def test_a_healthy_replication_passes_every_check():
    out = events.engine.run_replication(scenario(), make_policy("service-on-threshold"), 3)
    assert out.summary["modules_launched"] == 4


def test_unknown_status(monkeypatch):
    def corrupt(w, g, t, s):
        w.table.status[2] = 9
    err = run_corrupted(monkeypatch, corrupt)
    assert err.invariant == "module status" and err.module == 2
    assert str(err) == f"invariant 'module status' broken at day {HORIZON_DAY:.3f}, module 2: unknown status code 9"


def test_module_counted_twice(monkeypatch):
    def corrupt(w, g, t, s):
        w.counters["modules_launched"] += 1
    err = run_corrupted(monkeypatch, corrupt)
    assert "module conservation" in str(err) and "5 modules launched but 4 operational, in transit, spare" in str(err)


def test_lost_at_launch_miscounted(monkeypatch):
    def corrupt(w, g, t, s):
        w.table.status[1] = Status.LOST_AT_LAUNCH
    err = run_corrupted(monkeypatch, corrupt)
    assert err.invariant == "module conservation" and "lost at launch" in str(err)


def test_operating_module_without_commissioning_day(monkeypatch):
    def corrupt(w, g, t, s):
        w.table.commissioned_day[first_operational(w)] = np.nan
    err = run_corrupted(monkeypatch, corrupt)
    assert err.invariant == "module dates" and err.module == 0


def test_ended_module_without_end_day(monkeypatch):
    def corrupt(w, g, t, s):
        w.table.status[3] = Status.FAILED       # still counted as launched, but never ended
    err = run_corrupted(monkeypatch, corrupt)
    assert err.invariant == "module dates" and err.module == 3 and "end day" in str(err)


def test_unit_slot_undefined(monkeypatch):
    def corrupt(w, g, t, s):
        w.table.unit_end[1, 5] = np.nan
    err = run_corrupted(monkeypatch, corrupt)
    assert err.invariant == "unit conservation" and err.module == 1
    assert "of 16 installed" in str(err)


def test_units_alive_above_installed(monkeypatch):
    def corrupt(w, g, t, s):
        t.rows["units_alive"][4] = 65
    err = run_corrupted(monkeypatch, corrupt)
    assert err.invariant == "units alive in range" and "65 units alive in 4 operational modules" in str(err)
    assert f"day {t_day(4):.3f}" in str(err)


def t_day(i: int) -> float:
    return i * float(TINY["timeline_step_days"])


def test_units_alive_negative(monkeypatch):
    def corrupt(w, g, t, s):
        t.rows["units_alive"][2] = -1
    assert run_corrupted(monkeypatch, corrupt).invariant == "units alive in range"


def test_negative_cost(monkeypatch):
    def corrupt(w, g, t, s):
        s["cost_servicing_usd"] = -1.0
    err = run_corrupted(monkeypatch, corrupt)
    assert err.invariant == "non-negative costs" and "cost_servicing_usd is -1.0" in str(err)


def test_negative_compute(monkeypatch):
    def corrupt(w, g, t, s):
        w.table.delivered_pflops_days[2] = -5.0
    err = run_corrupted(monkeypatch, corrupt)
    assert err.invariant == "non-negative compute" and err.module == 2


def test_negative_backlog(monkeypatch):
    def corrupt(w, g, t, s):
        s["data_backlog_tb"] = -3.0
    assert run_corrupted(monkeypatch, corrupt).invariant == "non-negative data"


def test_negative_counter(monkeypatch):
    def corrupt(w, g, t, s):
        w.counters["upgrades"] = -1
    err = run_corrupted(monkeypatch, corrupt)
    assert err.invariant == "non-negative counts" and "upgrades is -1" in str(err)


def test_costs_that_do_not_add_up(monkeypatch):
    def corrupt(w, g, t, s):
        s["cost_total_usd"] += 1000.0
    err = run_corrupted(monkeypatch, corrupt)
    assert err.invariant == "costs add up" and "its parts sum to" in str(err)


def test_present_value_above_total(monkeypatch):
    def corrupt(w, g, t, s):
        s["cost_npv_usd"] = 2 * s["cost_total_usd"]
    assert "present value" in str(run_corrupted(monkeypatch, corrupt))


@pytest.mark.parametrize("value", [1.5, -0.1, float("nan")])
def test_availability_sample_out_of_range(monkeypatch, value):
    def corrupt(w, g, t, s):
        t.rows["availability"][3] = value
    err = run_corrupted(monkeypatch, corrupt)
    assert err.invariant == "availability in [0, 1]" and f"availability {value}" in str(err)


def test_mean_availability_out_of_range(monkeypatch):
    def corrupt(w, g, t, s):
        s["mean_availability"] = 1.2
    assert "mean_availability 1.2" in str(run_corrupted(monkeypatch, corrupt))


def test_data_not_conserved(monkeypatch):
    def corrupt(w, g, t, s):
        s["data_delivered_tb"] += 10.0
    err = run_corrupted(monkeypatch, corrupt)
    assert err.invariant == "data conservation" and "delivered + lost + backlog" in str(err)


def test_broken_invariant_is_an_internal_error_exit_1(monkeypatch):
    def spoiled(world, ground, timeline, summary):
        summary["cost_total_usd"] = -5.0
        check_replication(world, ground, timeline, summary)

    monkeypatch.setattr(events.engine, "check_replication", spoiled)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["run", "tiny", "--years", "0.5"])
    assert code == 1
    assert "InvariantError: invariant 'costs add up' broken at day 182.625" in err.getvalue()
    assert "internal error" in err.getvalue()


@pytest.mark.parametrize("key, invariant", [
    ("lost_pflops_days", "compute conservation"),
    ("surplus_pflops_days", "compute conservation"),
    ("capacity_pflops_days", "compute integrals agree"),
])
def test_compute_not_accounted_for(monkeypatch, key, invariant):
    def corrupt(w, g, t, s):
        s[key] += 0.01 * s["capacity_pflops_days"] + 1.0
    assert run_corrupted(monkeypatch, corrupt).invariant == invariant


@pytest.mark.parametrize("key, invariant", [
    ("mean_availability", "availability is delivered over demand"),
    ("cost_per_pflops_day_usd", "cost per delivered PFLOPS-day"),
])
def test_ratios_not_on_delivered_compute(monkeypatch, key, invariant):
    def corrupt(w, g, t, s):
        s[key] *= 0.9
    assert run_corrupted(monkeypatch, corrupt).invariant == invariant


def test_used_compute_above_demand(monkeypatch):
    def corrupt(w, g, t, s):
        w.demand = DemandCurve(w.demand.days, w.demand.pflops * 0.1)
        s["demand_pflops_days"] *= 0.1
    assert run_corrupted(monkeypatch, corrupt).invariant == "compute within demand"


def test_demand_integral_spoiled(monkeypatch):
    def corrupt(w, g, t, s):
        s["demand_pflops_days"] *= 2
    assert run_corrupted(monkeypatch, corrupt).invariant == "compute within demand"
