"""Bad input stays small and clean: YAML bombs, huge values, special files, huge plans, a strict
experiment schema, merge keys, and the smaller problems of issue 11 (exit 2, one short message)."""
import io
import os
import re
import subprocess
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from fleet.errors import MAX_PROBLEMS, InputError, ScenarioError, safe_text, shown
from fleet import yamlio
from fleet.yamlio import MAX_FILE_BYTES, MAX_NODES, load_yaml_file, load_yaml_text, read_regular_file
from runs.look import plots
from runs.api import SCENARIO_DIR, load_scenario
from runs.commands.cli import main
from runs.studies.experiment import (CONFIRM_UNITS, CONFIRM_VARIANTS, MAX_PLAN_UNITS, MAX_PLAN_VARIANTS, load_experiment,
                             parse_experiment, plan_size)
from runs.studies.parity import parity_plan
from tests.commands import FLEET, repo_env

SHORT = 2_000   # characters: a message about a bad value is never longer than this
LAUGHS = "a: &a [hahaha, hahaha, hahaha, hahaha, hahaha, hahaha, hahaha, hahaha, hahaha]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi"))
EXPERIMENT = {"name": "limits", "scenario": "tiny", "years": 1, "seed": 3, "replications": 2,
              "policies": [{"name": "replenish"}, {"name": "service-on-threshold"}]}


def tiny() -> dict:
    return yaml.safe_load((SCENARIO_DIR / "tiny.yaml").read_text())


def write(path: Path, data) -> Path:
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def fleet_main(capsys, *argv: str) -> tuple[int, str, str]:
    """`fleet ARGV` in this process: (exit status, stdout, stderr)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:   # argparse's own errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


# ----- YAML: bombs and merge keys ------------------------------------------------------------------
def test_billion_laughs_is_refused_at_once_with_little_memory(tmp_path):
    path = write(tmp_path / "bomb.yaml", LAUGHS)
    assert path.stat().st_size < 500
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ScenarioError) as err:
        load_yaml_file(path)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert seconds < 0.5 and peak < 20e6
    assert f"more than {MAX_NODES:,}" in str(err.value) and "hahaha" not in str(err.value)


def test_a_document_of_too_many_plain_values_is_refused_while_it_is_read(tmp_path, monkeypatch):
    """Reading stops at the bound, not at the end of the file: the parser's position in the text when
    it gives up is about a twentieth of the way in."""
    text = "- 1\n" * (20 * MAX_NODES)
    path = write(tmp_path / "flat.yaml", text)
    reached = []
    dispose = yamlio._UniqueKeyLoader.dispose
    monkeypatch.setattr(yamlio._UniqueKeyLoader, "dispose", lambda self: (reached.append(self.pointer), dispose(self)))
    with pytest.raises(ScenarioError, match=f"holds more than {MAX_NODES:,} values"):
        load_yaml_file(path)
    assert reached and reached[0] < len(text) / 10


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_billion_laughs_on_the_command_line_exits_2_with_one_short_line(tmp_path, capsys, command):
    code, out, err = fleet_main(capsys, command, str(write(tmp_path / "bomb.yaml", LAUGHS)))
    assert code == 2 and len(err) < 400 and err.count("\n") == 1 and "hahaha" not in err


@pytest.mark.parametrize("text", ["a: &a [*a]", "&a {x: *a}", "x: &a [1, [2, {y: *a}]]"])
def test_an_alias_inside_its_own_value_is_refused(text):
    with pytest.raises(ScenarioError, match="alias refers to the value that contains it"):
        load_yaml_text(text, "t.yaml")


def test_a_large_document_without_aliases_under_the_bound_loads():
    assert len(load_yaml_text("[" + ", ".join(["1"] * 10_000) + "]", "t.yaml")) == 10_000


def test_merge_keys_work_with_the_mappings_own_keys_overriding():
    data = load_yaml_text("base: &base {x: 1, y: 2}\nother: &other {y: 3, z: 4}\n"
                          "one: {<<: *base, y: 9}\nboth: {<<: [*base, *other], w: 0}\n", "t.yaml")
    assert data["one"] == {"x": 1, "y": 9}
    assert data["both"] == {"x": 1, "y": 2, "z": 4, "w": 0}   # the first listed mapping wins


def test_a_merge_source_that_merges_itself_is_not_taken_for_a_duplicate():
    data = load_yaml_text("a: &a {x: 1, k: 0}\nl: [&b {<<: *a, k: 1}]\nc: {<<: *b, z: 3}\n", "t.yaml")
    assert data["l"] == [{"x": 1, "k": 1}] and data["c"] == {"x": 1, "k": 1, "z": 3}


@pytest.mark.parametrize("text, key", [("a: 1\na: 2\n", "'a'"), ("b: &b {x: 1}\nc: {<<: *b, y: 1, y: 2}\n", "'y'"),
                                        ("b: &b {x: 1}\nc: {<<: *b, <<: *b}\n", "'<<'")])
def test_real_duplicate_keys_are_still_refused(text, key):
    with pytest.raises(ScenarioError, match=f"duplicate key {key}"):
        load_yaml_text(text, "t.yaml")


def _with_ground(data: dict, stations_yaml: str) -> str:
    """Scenario `data` as YAML text with its stations written as `stations_yaml`."""
    ground = {k: v for k, v in data["ground"].items() if k != "stations"}
    rest = {k: v for k, v in data.items() if k != "ground"}
    return (yaml.safe_dump(rest, sort_keys=False) + yaml.safe_dump({"ground": ground}, sort_keys=False)
            + "  stations:\n" + stations_yaml)


def test_a_scenario_file_with_merge_keys_loads_as_its_expansion(tmp_path):
    data = tiny()
    station = data["ground"]["stations"][0]
    flow = "{" + ", ".join(f"{k}: {v!r}" for k, v in station.items()) + "}"
    merged = _with_ground(data, f"    - &station {flow}\n    - {{<<: *station, name: second}}\n")
    plain = _with_ground(data, f"    - {flow}\n    - {flow.replace(repr(station['name']), 'second', 1)}\n")
    a = load_scenario(write(tmp_path / "merged.yaml", merged))
    b = load_scenario(write(tmp_path / "plain.yaml", plain))
    assert [s.name for s in a.ground.stations] == [station["name"], "second"]
    assert a == b


def test_an_experiment_file_with_merge_keys_loads(tmp_path):
    text = yaml.safe_dump({k: v for k, v in EXPERIMENT.items() if k != "policies"}, sort_keys=False) + (
        "policies:\n"
        "  - &threshold {name: service-on-threshold, params: {threshold_fraction: 0.1}}\n"
        "  - {<<: *threshold, params: {threshold_fraction: 0.3}}\n")
    plan = load_experiment(write(tmp_path / "exp.yaml", text))
    assert [p.label for p in plan.policies] == ["service-on-threshold[threshold_fraction=0.1]",
                                                "service-on-threshold[threshold_fraction=0.3]"]


# ----- messages: short, with control characters escaped ---------------------------------------------
def test_shown_clips_a_value_and_gives_its_length():
    text = shown("x" * 1_000_000)
    assert len(text) < 300 and "1,000,000 characters" in text and text.startswith("'xxx")
    assert len(shown(list(range(100_000)))) < 300


def test_safe_text_escapes_control_characters_and_keeps_lines():
    text = safe_text("red \x1b[31mtext\x00 \u202e end\nsecond line")
    assert "\x1b" not in text and "\x00" not in text and "\u202e" not in text
    assert "\\x1b[31mtext\\x00" in text and text.endswith("\nsecond line")


def test_a_megabyte_wrong_typed_string_gives_a_short_message(tmp_path, capsys):
    data = tiny()
    data["horizon_years"] = "9" * 1_000_000
    code, out, err = fleet_main(capsys, "run", str(write(tmp_path / "big.yaml", data)))
    assert code == 2 and len(err) < SHORT
    assert "horizon_years" in err and "1,000,000 characters" in err


def test_a_megabyte_unknown_key_and_union_tag_give_short_messages(tmp_path, capsys):
    data = tiny()
    data["k" * 1_000_000] = 1
    data["failures"]["unit"]["distribution"] = "d" * 1_000_000
    code, out, err = fleet_main(capsys, "run", str(write(tmp_path / "big.yaml", data)))
    assert code == 2 and len(err) < SHORT and "unknown field" in err and "failures.unit" in err


def test_terminal_escapes_in_a_name_never_reach_the_terminal(tmp_path, capsys):
    exp = {**EXPERIMENT, "policies": [{"name": "\x1b]0;pwned\x07\x1b[31mred"}],
           "objectives": ["\x1b[2Jgone"]}
    code, out, err = fleet_main(capsys, "sweep", str(write(tmp_path / "exp.yaml", exp)))
    assert code == 2 and "\x1b" not in err and "\x07" not in err
    assert "\\x1b[31mred" in err and "objectives.0" in err and "policies.0" in err


@pytest.mark.parametrize("argv", [["run", "tiny", "--seed", "1" * 1_000_000],
                                  ["run", "tiny", "--policy", "p" * 1_000_000],
                                  ["run", "tiny", "--policy", "x" * 1_000_000 + ".py:C"],
                                  ["run", "tiny", "--bogus", "\x1b[31m" + "z" * 1_000_000],
                                  ["compare", "tiny", "--policies", "replenish", "--replications", "2",
                                   "--baseline", "b" * 1_000_000],
                                  ["validate", "--case", "c" * 1_000_000],
                                  ["parity", "tiny", "--axes", "a" * 1_000_000]])
def test_a_megabyte_command_line_argument_gives_a_short_message(capsys, argv):
    code, out, err = fleet_main(capsys, *argv)
    assert code == 2 and len(err) < SHORT and "\x1b" not in err
    assert not re.search(r"(.)\1{300}", err)   # the value is quoted in part, up to a few hundred characters


def test_a_file_with_thousands_of_problems_lists_a_few_and_counts_the_rest(tmp_path, capsys):
    data = tiny()
    data.update({f"extra_{i}": i for i in range(5_000)})
    code, out, err = fleet_main(capsys, "run", str(write(tmp_path / "many.yaml", data)))
    assert code == 2 and err.count("unknown field") == MAX_PROBLEMS
    assert f"and {5_000 - MAX_PROBLEMS:,} more problems" in err


def test_scenario_errors_cross_process_boundaries_whole():
    import pickle
    exc = pickle.loads(pickle.dumps(ScenarioError("f.yaml", [("a.b", "wrong")])))
    assert exc.source == "f.yaml" and exc.problems == [("a.b", "wrong")] and str(exc) == "f.yaml: a.b: wrong"


@pytest.mark.parametrize("where", [("name",), ("ground", "stations", 0, "name"), ("hardware", "generations", 0, "name")])
def test_a_name_with_control_characters_is_refused(tmp_path, capsys, where):
    data = tiny()
    node = data
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = "ok\x1b[2J\x1b]0;title\x07"
    code, out, err = fleet_main(capsys, "run", str(write(tmp_path / "s.yaml", data)))
    field = ".".join(map(str, where))
    assert code == 2 and f"{field}: must not contain control characters" in err and "\x1b" not in err
    exp = {**EXPERIMENT, "name": "e\nx"}
    code, out, err = fleet_main(capsys, "sweep", str(write(tmp_path / "e.yaml", exp)))
    assert code == 2 and "name: must not contain control characters" in err


# ----- sizes and special files --------------------------------------------------------------------
def test_a_file_over_the_size_limit_is_refused(tmp_path, capsys):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as f:
        f.write(b"# " + b"x" * 100 + b"\n")
        f.truncate(MAX_FILE_BYTES + 1)
    code, out, err = fleet_main(capsys, "run", str(path))
    assert code == 2 and "larger than 10 MB" in err and len(err) < SHORT


def test_a_file_at_the_size_limit_is_read_whole(tmp_path):
    path = tmp_path / "edge.yaml"
    path.write_bytes(b"a: 1\n" + b"#" * (MAX_FILE_BYTES - 6) + b"\n")
    assert read_regular_file(path, MAX_FILE_BYTES) == path.read_bytes()
    with pytest.raises(InputError, match="larger than"):
        read_regular_file(path, MAX_FILE_BYTES - 1)


@pytest.mark.parametrize("command", ["run", "sweep", "trace"])
def test_a_device_is_refused_without_reading_it(capsys, command):
    started = time.perf_counter()
    code, out, err = fleet_main(capsys, command, "/dev/zero")
    assert code == 2 and "is a character device, not a regular file" in err
    assert time.perf_counter() - started < 5


def test_a_directory_is_refused(tmp_path, capsys):
    (tmp_path / "d.yaml").mkdir()
    code, out, err = fleet_main(capsys, "run", str(tmp_path / "d.yaml"))
    assert code == 2 and "is a directory" in err


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_a_fifo_is_refused_at_once(tmp_path, command):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    # a child process, so that a regression hangs only it (opening a FIFO for reading blocks)
    done = subprocess.run([*FLEET, command, str(fifo)], env=repo_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "is a FIFO (named pipe), not a regular file" in done.stderr


def test_an_experiment_whose_scenario_is_a_fifo_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    path = write(tmp_path / "exp.yaml", {**EXPERIMENT, "scenario": "pipe.yaml"})
    done = subprocess.run([*FLEET, "sweep", str(path)], cwd="/", env=repo_env(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and f"scenario ({tmp_path / 'pipe.yaml'}): is a FIFO" in done.stderr


# ----- plan sizes ---------------------------------------------------------------------------------
def test_the_plan_is_counted_without_expanding_it():
    data = {"axes": {f"a{i}": list(range(100)) for i in range(4)} | {"r": {"low": 0, "high": 1}},
            "samples": 7, "replications": 3,
            "policies": [{"name": "x"}, {"name": "y", "params": {"p": [1, 2, 3], "q": [1, 2], "r": 5}}]}
    assert plan_size(data) == (100 ** 4 * 7, 1 + 6, 3)
    assert plan_size({"axes": "bad", "policies": 3, "replications": "2"}) == (1, 0, 1)


@pytest.mark.parametrize("change, count, why", [
    ({"axes": {f"servicing.{f}": list(range(1, 101)) for f in
               ("servicers", "units_per_trip", "cost_per_trip_usd", "trip_days")}}, "400,000,000", "split the study"),
    ({"axes": {"servicing.trip_days": {"low": 1, "high": 5}}, "samples": 1_000_000}, "4,000,000",
     "split the study"),
    ({"replications": 1_000_000}, "2,000,000", "add --yes")])
def test_a_huge_plan_is_refused_at_once_with_its_size(tmp_path, capsys, change, count, why):
    path = write(tmp_path / "huge.yaml", {**EXPERIMENT, **change})
    started = time.perf_counter()
    code, out, err = fleet_main(capsys, "sweep", str(path))
    assert time.perf_counter() - started < 5
    assert code == 2 and f"the plan has {count} work units" in err and why in err


def test_yes_lifts_the_confirmation_but_not_the_ceiling(tmp_path, capsys):
    axes = {f"servicing.{f}": list(range(1, 101))
            for f in ("servicers", "units_per_trip", "cost_per_trip_usd", "trip_days")}
    path = write(tmp_path / "huge.yaml", {**EXPERIMENT, "axes": axes})
    code, out, err = fleet_main(capsys, "sweep", str(path), "--yes")
    assert code == 2 and "400,000,000 work units" in err and f"at most {MAX_PLAN_UNITS:,}" in err
    # over the confirmation threshold, under the ceiling: --yes lets planning go on (to the next problem)
    path = write(tmp_path / "big.yaml", {**EXPERIMENT, "replications": CONFIRM_UNITS, "objectives": ["nope"]})
    code, out, err = fleet_main(capsys, "sweep", str(path))
    assert code == 2 and "--yes" in err and "nope" not in err
    code, out, err = fleet_main(capsys, "sweep", str(path), "--yes")
    assert code == 2 and "--yes" not in err and "objectives.0: 'nope'" in err


def test_compare_asks_for_yes_above_the_threshold(capsys):
    code, out, err = fleet_main(capsys, "compare", "tiny", "--policies", "replenish,null",
                                "--replications", str(CONFIRM_UNITS // 2 + 1))
    assert code == 2 and f"{CONFIRM_UNITS + 2:,} work units" in err and "--yes" in err


def test_many_variants_need_confirming_and_have_a_ceiling(tmp_path, capsys):
    """Variants are whole scenarios in memory: they have limits of their own, below the units'."""
    wide = {**EXPERIMENT, "replications": 1, "policies": [{"name": "null"}],
            "axes": {"servicing.trip_days": {"low": 1, "high": 5}}, "samples": CONFIRM_VARIANTS + 1}
    with pytest.raises(ScenarioError, match=f"{CONFIRM_VARIANTS + 1:,} variants .*add --yes"):
        parse_experiment(wide, "t", confirmed=False)
    with pytest.raises(ScenarioError, match=f"at most .* {MAX_PLAN_VARIANTS:,} variants"):
        parse_experiment({**wide, "samples": MAX_PLAN_VARIANTS + 1}, "t")
    assert plan_size(wide) == (CONFIRM_VARIANTS + 1, 1, 1)


def test_the_python_api_plans_without_confirming():
    plan = parse_experiment({**EXPERIMENT, "replications": CONFIRM_UNITS // 2 + 1}, "t")
    assert len(plan.seeds) * len(plan.policies) == CONFIRM_UNITS + 2
    with pytest.raises(ScenarioError, match="add --yes"):
        parse_experiment({**EXPERIMENT, "replications": CONFIRM_UNITS // 2 + 1}, "t", confirmed=False)


def test_a_huge_parity_study_is_refused_and_a_large_one_needs_yes():
    with pytest.raises(InputError, match=f"at most {MAX_PLAN_UNITS:,} units"):
        parity_plan(load_scenario("tiny"), "launch_price", replications=10, points=10**9)
    with pytest.raises(InputError, match="add --yes"):
        parity_plan(load_scenario("tiny"), "launch_price", replications=CONFIRM_UNITS // 2 + 1, points=2,
                    confirmed=False)


# ----- one schema policy: the experiment is as strict as the scenario --------------------------------
@pytest.mark.parametrize("field, value", [("years", "1"), ("seed", "3"), ("replications", "2"),
                                          ("keep_timelines", "yes"), ("samples", "8"), ("name", 5),
                                          ("description", 1.5), ("years", True), ("seed", 2.0),
                                          ("objectives", "delivered_pflops_days"), ("baseline", 3)])
def test_an_ill_typed_experiment_field_is_refused_by_name(tmp_path, capsys, field, value):
    data = {**EXPERIMENT, field: value}
    if field == "samples":
        data["axes"] = {"servicing.trip_days": {"low": 1, "high": 5}}
    code, out, err = fleet_main(capsys, "sweep", str(write(tmp_path / "exp.yaml", data)))
    assert code == 2 and f": {field}: " in err and "Traceback" not in err


def test_experiment_years_reach_the_run_and_the_manifest():
    plan = parse_experiment({**EXPERIMENT, "years": 1}, "t")
    assert plan.base.horizon_years == 1 == plan.spec()["experiment"]["years"]
    assert all(u.variant.scenario.horizon_years == 1 for u in plan.units)


# ----- smaller problems ---------------------------------------------------------------------------
def test_a_zero_review_interval_is_refused_when_the_scenario_is_loaded(tmp_path, capsys):
    data = tiny()
    data["policy"]["params"]["review_interval_days"] = 0
    path = write(tmp_path / "zero.yaml", data)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.problems == [("policy.params.review_interval_days", "must be at least 0.01 days (got 0)")]
    code, out, err = fleet_main(capsys, "run", str(path))
    assert code == 2 and err.startswith(f"fleet: {path}: policy.params.review_interval_days: ") and out == ""


def test_a_zero_review_interval_in_an_experiment_is_refused_by_field(tmp_path, capsys):
    data = {**EXPERIMENT, "policies": [{"name": "replenish", "params": {"review_interval_days": [30, 0]}}]}
    code, out, err = fleet_main(capsys, "sweep", str(write(tmp_path / "exp.yaml", data)))
    assert code == 2 and "policies.0.params.review_interval_days: must be at least" in err


def test_a_closed_pipe_ends_quietly_after_the_work_is_done(tmp_path):
    out = tmp_path / "out"
    child = subprocess.Popen([*FLEET, "run", "tiny", "--years", "0.5", "--out", str(out)], env=repo_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with child:
        child.stdout.close()   # the reader leaves before anything is written, as `| head -1` may
        err = child.stderr.read().decode()
        assert child.wait(timeout=300) == 0 and err == ""
    assert (out / "summary.json").is_file()


@pytest.mark.parametrize("label", ["pol$x^$", "a$b$c", r"$\frac{$", "100$"])
def test_labels_with_dollars_draw_as_written(label):
    summary = pd.DataFrame({"policy": [label, "base"] * 3, "replication": [0, 0, 1, 1, 2, 2],
                            "delivered_pflops_days": np.arange(6.0), f"axis${label}": [1.0, 1.0, 2.0, 2.0, 3.0, 3.0],
                            "other": [label, label, label, "b", "b", "b"]})
    figures = [plots.kpi_distributions(summary, ["delivered_pflops_days"]),
               plots.differences(summary, ["delivered_pflops_days"], label),
               plots.differences(summary, ["delivered_pflops_days"], "base"),
               plots.response(summary, f"axis${label}", "other", "delivered_pflops_days")]
    for fig in figures:
        fig.savefig(io.BytesIO(), format="png")
    ticks = [t.get_text() for t in figures[0].axes[0].get_yticklabels()]
    assert ticks == [label.replace("$", r"\$"), "base"]


@pytest.mark.parametrize("params, problem", [
    ({"threshold_fraction": "0.3"}, "threshold_fraction: Input should be a valid number (got '0.3')"),
    ({"review_interval_days": "30"}, "review_interval_days: Input should be a valid number (got '30')"),
    ({"threshold_fraction": True}, "threshold_fraction: Input should be a valid number (got True)")])
def test_policy_parameters_are_as_strict_as_the_scenario(tmp_path, capsys, params, problem):
    data = tiny()
    data["policy"] = {"name": "service-on-threshold", "params": params}
    code, out, err = fleet_main(capsys, "run", str(write(tmp_path / "s.yaml", data)))
    assert code == 2 and "policy.params: " in err and problem in err
    exp = {**EXPERIMENT, "policies": [{"name": "service-on-threshold", "params": params}]}
    code, out, err = fleet_main(capsys, "sweep", str(write(tmp_path / "e.yaml", exp)))
    assert code == 2 and "policies.0: " in err and problem in err


def test_policy_parameters_of_the_right_kind_are_accepted():
    plan = parse_experiment({**EXPERIMENT, "policies": [
        {"name": "service-on-threshold", "params": {"threshold_fraction": 1, "review_interval_days": 7}},
        {"name": "block-replacement", "params": {"staggered": True}},
        {"name": "spares", "params": {"reorder_point": 2}}]}, "t")
    assert len(plan.policies) == 3


def test_a_huge_key_in_a_policy_parameter_gives_a_short_message(tmp_path, capsys):
    data = tiny()
    data["policy"] = {"name": "ramp", "params": {"schedule": {"k" * 1_000_000: 1}}}
    code, out, err = fleet_main(capsys, "run", str(write(tmp_path / "s.yaml", data)))
    assert code == 2 and "policy.params: policy ramp: schedule." in err and len(err) < SHORT
    assert not re.search(r"(.)\1{300}", err)


def test_compare_report_with_a_policy_in_a_folder_named_with_dollars(tmp_path, capsys):
    folder = tmp_path / "a$b^$c"
    folder.mkdir()
    (folder / "pol.py").write_text((Path(__file__).resolve().parents[1] / "runs/examples/batch_repair.py").read_text())
    code, out, err = fleet_main(capsys, "compare", "tiny", "--policies", f"replenish,{folder}/pol.py:BatchRepair",
                                "--replications", "2", "--years", "0.3", "--backend", "serial", "--no-progress",
                                "--out", str(tmp_path / "out"), "--report")
    assert code == 0, err
    assert (tmp_path / "out" / "report.html").stat().st_size > 0
