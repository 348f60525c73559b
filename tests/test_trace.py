"""`fleet trace`: a scripted case gives exactly the expected narrative; causes are linked."""

from fleet.scenario import parse_scenario
from runs import simulate
from runs.look.trace import calendar, id_ranges, narrative, trace_lines
from tests.scripted import failure_trace, one_module_dict
from tests.commands import fleet

FAIL_DAYS = [105.0, 105.0, 105.0, 205.0]   # three boards fail together, a fourth later


def scripted(folder, launch_success=1.0):
    """One module of 16 boards; lead time 10 d, commissioning 11 d, 52-day trips, no weather; the first
    boards of each module fail on FAIL_DAYS."""
    base = one_module_dict(launch_success)
    base["failures"]["trace"] = failure_trace(folder, FAIL_DAYS)
    return parse_scenario(base, "scripted")


def test_scripted_trace_reads_line_by_line(tmp_path):
    result = simulate(scripted(tmp_path), seed=0)
    assert trace_lines(result.events, result.scenario) == [
        "2030-01-01  day     0.0  policy     initial deployment: order 1 modules of gen-2030 for 0.016 MW: modules 0",
        "2030-01-01  day     0.0  policy     order 1 servicer: the servicer fleet",
        "2030-01-01  day     0.0  policy     order 33 boards of gen-2030: 0 in stock or on order, reorder point 32",
        "2030-01-11  day    10.0  launch     leaves with 1 module (0) for cluster 0: falcon-9: 1 modules, 0.9 t, $4.9M"
        " launch + $3.6M hardware; with 4.0 t of cargo; ordered on day 0 by initial deployment: order 1 modules of"
        " gen-2030 for 0.016 MW",
        "2030-01-11  day    10.0  launch     leaves with 1 servicer, 3.3 t on falcon-9 with 1 modules + $65.0M servicers;"
        " ordered on day 0 by order 1 servicer: the servicer fleet",
        "2030-01-11  day    10.0  launch     leaves with 33 boards, 0.7 t on falcon-9 with 1 modules + $1.3M hardware;"
        " ordered on day 0 by order 33 boards of gen-2030: 0 in stock or on order, reorder point 32",
        "2030-01-22  day    21.0  module 0   commissioned in cluster 0: 16 units of gen-2030, all working",
        "2030-04-16  day   105.0  module 0   3 boards failed (3 of 16 now down)",
        "2030-07-25  day   205.0  module 0   1 board failed (4 of 16 now down)",
        "2030-07-25  day   205.0  policy     service-on-threshold: send a servicer to repair 1 modules"
        " (4 failed units in cluster 0)",
        "2030-07-25  day   205.0  servicer   trip 1 sent to cluster 0, $2.0M: repair of modules 0: 4 failed units in"
        " cluster 0",
        "2030-08-20  day   231.0  module 0   trip 1 (sent day 205) replaced 4 failed units (0 of 16 now down)",
        "2030-08-20  day   231.0  policy     order 32 boards of gen-2030: 29 in stock or on order, reorder point 32",
        "2030-08-30  day   241.0  launch     leaves with 32 boards, 0.6 t on falcon-9, $640.0k launch + $1.3M hardware;"
        " ordered on day 231 by order 32 boards of gen-2030: 29 in stock or on order, reorder point 32",
        "2030-09-15  day   257.0  servicer   back from trip 1 (modules 0), free again",
    ]


def test_failed_launches_name_the_decision_that_ordered_them(tmp_path):
    result = simulate(scripted(tmp_path, launch_success=0.0), seed=0)
    lines = trace_lines(result.events, result.scenario, until_day=100)
    launches = [line for line in lines if " launch " in line and " for cluster " in line]   # module flights
    assert launches[0].endswith("payload lost; ordered on day 0 by initial deployment: order 1 modules of gen-2030 "
                                "for 0.016 MW")
    assert "FAILED with 1 module (0)" in launches[0]
    assert "FAILED with 1 module (1)" in launches[1]
    assert "ordered on day 30 by service-on-threshold: order 1 modules" in launches[1]
    assert all(float(line.split()[2]) <= 150 for line in lines)


def test_module_filter_and_weather_folding():
    result = simulate("tiny", seed=1)
    text = narrative(result)
    ground = [line for line in text.splitlines() if " ground " in line]
    weather = int((result.events.kind.isin(["ground_outage", "ground_restored"])).sum())
    assert sum(int(line.split("  ground     ")[1].split()[0]) for line in ground) == weather
    assert len(ground) < weather / 20                      # folded, not one line per change
    full = trace_lines(result.events, result.scenario)
    only = trace_lines(result.events, result.scenario, module=1)
    assert set(only) <= set(full)
    assert [line for line in full if "  module 1  " in line] == [line for line in only if "  module 1  " in line]
    assert not any(" ground " in line or "  module 0  " in line for line in only)
    assert any("trip 1 sent to cluster 0, $2.0M: repair of modules 1:" in line for line in only)


def test_helpers():
    assert calendar(2030, 0.0) == "2030-01-01" and calendar(2032, 59.9) == "2032-02-29"
    assert id_ranges([7, 0, 1, 2, 3, 9, 10]) == "0-3, 7, 9-10"
    assert id_ranges(range(0, 100, 10), limit=3) == "0, 10, 20 and 7 more"


def test_fleet_trace_command(tmp_path):
    done = fleet("trace", "tiny", "--until-years", "0.5", "--seed", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "leaves with 4 modules (0-3) for cluster 0: falcon-9: 4 modules" in done.stdout
    assert "tiny: 0.5 years from 2030" in done.stdout
    bad = fleet("trace", "tiny", "--until-years", "0", cwd=tmp_path)
    assert bad.returncode == 2 and "--until-years must be positive" in bad.stderr
