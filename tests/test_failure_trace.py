"""`failures.trace`: failures replayed from a table, instead of drawn (replace) or besides (add)."""
import json

import numpy as np
import pandas as pd
import pytest
import yaml

from events.world import World
from fleet.errors import ScenarioError
from fleet.scenario import parse_scenario
from runs import simulate
from tests.commands import fleet
from tests.scripted import one_module_dict

UNITS = 16
START = 21.0          # the module operates from day 21 (ordered 0, lead 10, commissioning 11)


def world(tmp_path, rows: str, rate: float = 0.0, mode: str | None = None, bus_rate: float = 0.0) -> dict:
    """`one_module_dict` with unit failures at `rate` per unit-year, bus failures at `bus_rate`, and a
    trace file holding `rows` (CSV lines after the header)."""
    base = one_module_dict()
    base["failures"]["unit"]["rate_per_year"] = rate
    base["failures"]["bus"]["rate_per_year"] = bus_rate
    (tmp_path / "trace.csv").write_text("module,slot,day,kind\n" + rows, encoding="utf-8")
    base["failures"]["trace"] = str(tmp_path / "trace.csv")
    if mode:
        base["failures"]["trace_mode"] = mode
    return base


def failure_days(result, module: int = 0) -> list[float]:
    ev = result.events
    rows = ev[(ev.kind == "unit_failure") & (ev.module == module)]
    return [d for d, n in zip(rows.time_days, rows["count"]) for _ in range(n)]


def test_replace_fails_only_what_the_trace_lists(tmp_path):
    base = world(tmp_path, "0,3,50,\n0,7,80,unit\n0,,600,bus\n", rate=3.0, bus_rate=1.0)
    result = simulate(parse_scenario(base, "replay"), seed=0, policy="null")
    assert sorted(failure_days(result)) == [50.0, 80.0]
    lost = result.events[result.events.kind == "module_failure"]
    assert lost.time_days.tolist() == [600.0] and lost.detail.astype(str).tolist() == ["bus failure"]


def test_without_a_trace_the_same_world_fails_often(tmp_path):
    """The counterpart of the test above: its distributions alone would fail many more units."""
    base = world(tmp_path, "", rate=3.0, bus_rate=1.0)
    base["failures"].pop("trace")
    assert simulate(parse_scenario(base, "drawn"), seed=0, policy="null").summary["unit_failures"] > 10


def test_boards_installed_later_draw_unless_listed(tmp_path):
    # four boards fail by day 105; the threshold policy (25%) repairs them half a 52-day trip later
    listed = "".join(f"0,{s},{d},\n" for s, d in zip(range(4), (60.0, 70.0, 80.0, 105.0)))
    repair = 105.0 + 26.0
    again = 400.0                                  # the board put into slot 1 by the repair fails here
    base = world(tmp_path, listed + f"0,1,{again},\n", rate=0.0)
    days = failure_days(simulate(parse_scenario(base, "replay"), seed=0))
    assert sorted(days)[:5] == [60.0, 70.0, 80.0, 105.0, again]
    base = world(tmp_path, listed, rate=2.0)       # later boards draw: 2 per unit-year
    days = failure_days(simulate(parse_scenario(base, "replay"), seed=0))
    assert sorted(days)[:4] == [60.0, 70.0, 80.0, 105.0]
    assert all(d > repair for d in sorted(days)[4:]) and len(days) > 4


def test_add_keeps_the_distribution_and_adds_the_trace(tmp_path):
    drawn = world(tmp_path, "", rate=0.5)
    drawn["failures"].pop("trace")
    plain = simulate(parse_scenario(drawn, "drawn"), seed=3, policy="null")
    late = simulate(parse_scenario(world(tmp_path, "0,0,100000,\n", rate=0.5, mode="add"), "late"), seed=3,
                    policy="null")
    assert late.summary["unit_failures"] == plain.summary["unit_failures"] > 0
    assert failure_days(late) == failure_days(plain)
    early = simulate(parse_scenario(world(tmp_path, "0,0,30,\n", rate=0.5, mode="add"), "early"), seed=3,
                     policy="null")
    assert 30.0 in failure_days(early)
    assert early.summary["unit_failures"] in (plain.summary["unit_failures"], plain.summary["unit_failures"] + 1)


def test_replay_draws_nothing_from_other_streams(tmp_path):
    """Launch outcomes, weather and storms are the same with a trace as without (common random numbers)."""
    base = one_module_dict(launch_success=0.7)
    base["ground"]["stations"][0]["clear_probability"] = 0.6
    base["failures"]["unit"]["rate_per_year"] = 1.0
    plain = simulate(parse_scenario(base, "drawn"), seed=5)
    (tmp_path / "t.csv").write_text("module,slot,day\n0,0,40\n1,2,90\n", encoding="utf-8")
    base["failures"]["trace"] = str(tmp_path / "t.csv")
    replayed = simulate(parse_scenario(base, "replay"), seed=5)
    for kinds in (["ground_outage", "ground_restored"], ["launch", "launch_failure"]):
        a = plain.events[plain.events.kind.isin(kinds)].reset_index(drop=True)
        b = replayed.events[replayed.events.kind.isin(kinds)].reset_index(drop=True)
        n = min(len(a), len(b), 50)
        assert n > 0
        assert a.time_days[:n].tolist() == b.time_days[:n].tolist()
        assert a.detail.astype(str)[:n].tolist() == b.detail.astype(str)[:n].tolist()


def test_parquet_and_csv_replay_alike(tmp_path):
    rows = {"module": [0, 0, 0], "slot": [1, 2, 0], "day": [90.0, 120.0, 400.0], "kind": ["unit", "unit", "bus"]}
    pd.DataFrame(rows).to_parquet(tmp_path / "t.parquet", index=False)
    base = world(tmp_path, "0,1,90,unit\n0,2,120,unit\n0,0,400,bus\n")
    csv_run = simulate(parse_scenario(base, "csv"), seed=0, policy="null")
    base["failures"]["trace"] = str(tmp_path / "t.parquet")
    parquet_run = simulate(parse_scenario(base, "parquet"), seed=0, policy="null")
    assert failure_days(csv_run) == failure_days(parquet_run) == [90.0, 120.0]
    assert csv_run.summary["module_failures"] == parquet_run.summary["module_failures"] == 1


def test_the_path_is_relative_to_the_scenario_file(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    base = one_module_dict()
    base["failures"]["trace"] = "fails.csv"
    (folder / "fails.csv").write_text("module,slot,day\n0,0,50\n", encoding="utf-8")
    (folder / "one.yaml").write_text(yaml.safe_dump(base), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = fleet("run", str(folder / "one.yaml"), "--years", "1", "--out", "out", cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert json.loads((elsewhere / "out" / "summary.json").read_text())["unit_failures"] == 1
    saved = yaml.safe_load((elsewhere / "out" / "scenario.yaml").read_text())
    assert saved["failures"]["trace"] == str((folder / "fails.csv").resolve())    # found again from anywhere


@pytest.mark.parametrize("content, problem", [
    ("module,slot\n0,1\n", "missing column(s) day"),
    ("module,slot,day,colour\n0,1,5,red\n", "unknown column(s) colour"),
    ("module,slot,day\n0,1,5\n0,x,7\n", "row 2: slot must be a whole number"),
    ("module,slot,day\n0,1,-3\n", "row 1: day must be a finite number"),
    ("module,slot,day\n0,1,nan\n", "row 1: day must be a finite number"),
    ("module,slot,day,kind\n0,1,5,board\n", "row 1: kind must be unit or bus"),
    ("module,slot,day\n0,99,5\n", "row 1: slot 99 is beyond the module's units"),
    ("module,slot,day\n0,1\n", "row 1: 2 values for 3 columns"),
    ("", "empty file"),
])
def test_a_bad_trace_is_one_clear_message(tmp_path, content, problem):
    base = one_module_dict()
    (tmp_path / "bad.csv").write_text(content, encoding="utf-8")
    base["failures"]["trace"] = "bad.csv"
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(base), encoding="utf-8")
    done = fleet("run", "s.yaml", "--years", "1", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "failures.trace" in done.stderr and "bad.csv" in done.stderr and problem in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_missing_or_damaged_trace_is_bad_input(tmp_path):
    base = one_module_dict()
    base["failures"]["trace"] = str(tmp_path / "absent.csv")
    with pytest.raises(ScenarioError, match="absent.csv: no such file"):
        parse_scenario(base, "s")
    (tmp_path / "broken.parquet").write_bytes(b"not parquet at all")
    base["failures"]["trace"] = str(tmp_path / "broken.parquet")
    with pytest.raises(ScenarioError, match="broken.parquet: cannot read it as Parquet"):
        parse_scenario(base, "s")


def test_a_storm_kill_frees_its_slots_for_the_next_boards(tmp_path):
    """Boards killed by a storm are the ones a repair replaces: their slots' later listed days apply."""
    base = world(tmp_path, "0,5,300,\n0,9,50,\n0,9,500,\n0,2,700,\n", rate=0.0)
    w = World(parse_scenario(base, "slots"), seed=0)
    first = w.install_units([(0, 0, UNITS)], START)
    assert first[9] == 50.0 and first[5] == 300.0 and first[2] == 700.0
    assert np.isinf(np.delete(first, [2, 5, 9])).all()
    kill = np.zeros((1, UNITS), bool)          # over the table's sorted row: 50, 300, 700, inf...
    kill[0, 2] = True                          # the storm kills the board ending third (slot 2, on day 100)
    w.env.run(until=100.0)
    w.units_killed(np.array([0]), kill)
    # a repair on day 120 replaces the two failed boards: slot 9 (day 50) and slot 2 (killed)
    again = w.install_units([(0, 1, 2)], 120.0)
    # a row fails whatever board holds its slot that day: slot 9's next listed day, and slot 2's day 700,
    # which its first board, killed, never reached
    assert sorted(again.tolist()) == [500.0, 700.0]
