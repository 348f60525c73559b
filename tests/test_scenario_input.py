"""Bad scenario input: exit status 2, one clear message naming the file and the field, no traceback,
no results folder. Checked through the `fleet run` command (a subprocess) and the Python API.

All command runs of this module start at once (a module fixture) so that the ~1.4 s interpreter
start-ups overlap; each test then reads the result of its own case.
"""
from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from fleet.errors import ScenarioError
from runs.api import SCENARIO_DIR, load_scenario, shipped_scenarios
from tests.commands import fleet

TINY = SCENARIO_DIR / "tiny.yaml"


def tiny_dict() -> dict:
    return yaml.safe_load(TINY.read_text())


def dump(d: dict) -> bytes:
    return yaml.safe_dump(d, sort_keys=False).encode("utf-8")


def _changed(edit) -> bytes:
    d = tiny_dict()
    edit(d)
    return dump(d)


def _duplicate_trip_days() -> bytes:
    text = dump(tiny_dict()).decode()
    new, n = re.subn(r"^(\s+trip_days: .*)$", r"\1\n\1", text, count=1, flags=re.M)
    assert n == 1
    return new.encode()


def _bool_trip_days() -> bytes:
    """YAML `yes` (a bool) where a number of days belongs."""
    text = dump(tiny_dict()).decode()
    new, n = re.subn(r"^(\s+trip_days:) .*$", r"\1 yes", text, count=1, flags=re.M)
    assert n == 1
    return new.encode()


def _generations_out_of_order(d: dict) -> None:
    first = d["hardware"]["generations"][0]
    older = dict(first, name="older", year_available=first["year_available"] - 2)
    d["hardware"]["generations"].append(older)   # listed after a newer one


def _two_problems(d: dict) -> None:
    d["servicing"]["trip_days"] = -5
    d["economics"]["discount_rate"] = "lots"


def _set(section: str, key: str, value):
    return lambda d: d[section].__setitem__(key, value)


# case -> (file bytes, or None for no file; regex of the field path it must name, or None)
FILE_CASES = {
    "unknown_key": (_changed(_set("servicing", "trip_dayz", 3)), r"servicing\.trip_dayz"),
    "wrong_type": (_changed(_set("servicing", "trip_days", "sixty")), r"servicing\.trip_days"),
    "negative_duration": (_changed(_set("servicing", "trip_days", -5)), r"servicing\.trip_days"),
    "probability_above_one": (
        _changed(lambda d: d["launch"]["vehicles"][0].__setitem__("success_probability", 1.5)),
        r"launch\.vehicles(\.0|\[0\])\.success_probability"),
    "duplicate_key": (_duplicate_trip_days(), r"trip_days"),
    "malformed_yaml": (b"name: [unclosed\nfleet: {\n", None),
    "missing_file": (None, None),
    "not_utf8": (b"name: caf\xe9\ndescription: \xff\xfe\n", None),
    "generations_out_of_order": (_changed(_generations_out_of_order), r"hardware\.generations"),
    "empty_file": (b"", None),
    "two_problems": (_changed(_two_problems), None),
}
# Further cases, run in-process through `runs.commands.cli.main` (same code path, no interpreter start-up).
EXTRA_FILE_CASES = {
    "policy_unknown_in_file": (_changed(lambda d: d.__setitem__("policy", {"name": "nosuch"})), r"policy\.name"),
    "bool_for_number": (_bool_trip_days(), r"servicing\.trip_days"),
}

# case -> arguments after `run` (scenario given by name, not by file)
ARG_CASES = {
    "unknown_shipped_name": ["nosuch_scenario"],
    "unknown_policy": ["tiny", "--policy", "nosuch"],
}


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory) -> dict:
    """case -> (completed process, its working folder, the scenario file name or None)."""
    base = tmp_path_factory.mktemp("bad_input")
    jobs = {}
    for case, (content, _) in FILE_CASES.items():
        cwd = base / case
        cwd.mkdir()
        path = cwd / f"{case}.yaml"
        if content is not None:
            path.write_bytes(content)
        jobs[case] = (cwd, [str(path)], path.name)
    for case, args in ARG_CASES.items():
        cwd = base / case
        cwd.mkdir()
        jobs[case] = (cwd, args, None)

    def go(item):
        case, (cwd, args, _) = item
        return case, fleet("run", *args, "--out", "out", cwd=cwd, timeout=120)

    with ThreadPoolExecutor(max_workers=4) as pool:
        done = dict(pool.map(go, jobs.items()))
    return {case: (done[case], jobs[case][0], jobs[case][2]) for case in jobs}


def assert_bad_input(proc, cwd: Path, filename: str | None, field: str | None) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    err = proc.stderr
    assert "Traceback" not in err, err
    assert err.strip(), "no message"
    if filename is not None:
        assert filename in err, err
    if field is not None:
        assert re.search(field, err), (field, err)
    assert not (cwd / "out").exists(), "the --out folder was created for bad input"
    assert not [p for p in cwd.iterdir() if p.name.startswith(".out")], "temporary results left behind"
    return err


@pytest.mark.parametrize("case", [c for c in FILE_CASES if c != "two_problems"])
def test_bad_file_exits_2_naming_file_and_field(cli_runs, case):
    proc, cwd, filename = cli_runs[case]
    err = assert_bad_input(proc, cwd, filename, FILE_CASES[case][1])
    # one clear message: the first line of stderr already names the file
    assert filename in err.strip().splitlines()[0]


def test_bad_file_messages_say_what_is_wrong(cli_runs):
    assert "unknown" in cli_runs["unknown_key"][0].stderr
    negative = cli_runs["negative_duration"][0].stderr
    assert "-5" in negative or "greater than" in negative
    assert "1.5" in cli_runs["probability_above_one"][0].stderr
    assert "sixty" in cli_runs["wrong_type"][0].stderr
    assert "duplicate" in cli_runs["duplicate_key"][0].stderr.lower()
    assert re.search(r"line \d+", cli_runs["duplicate_key"][0].stderr)
    assert re.search(r"line \d+", cli_runs["malformed_yaml"][0].stderr)
    assert "not found" in cli_runs["missing_file"][0].stderr.lower()
    assert "utf-8" in cli_runs["not_utf8"][0].stderr.lower()
    assert "year" in cli_runs["generations_out_of_order"][0].stderr


def test_every_problem_of_a_file_is_reported_at_once(cli_runs):
    proc, cwd, filename = cli_runs["two_problems"]
    err = assert_bad_input(proc, cwd, filename, None)
    assert "servicing.trip_days" in err, err
    assert "economics.discount_rate" in err, err
    # each problem line names the file
    problem_lines = [ln for ln in err.splitlines() if "trip_days" in ln or "discount_rate" in ln]
    assert len(problem_lines) == 2 and all(filename in ln for ln in problem_lines), err


def test_unknown_shipped_name_lists_shipped_scenarios(cli_runs):
    proc, cwd, _ = cli_runs["unknown_shipped_name"]
    err = assert_bad_input(proc, cwd, "nosuch_scenario", None)
    names = shipped_scenarios()
    assert {"tiny", "baseline", "gigawatt"} <= set(names)
    for name in names:
        assert name in err, err


def test_unknown_policy_option_names_it(cli_runs):
    proc, cwd, _ = cli_runs["unknown_policy"]
    assert_bad_input(proc, cwd, None, None)
    assert "nosuch" in proc.stderr


@pytest.fixture
def fleet_run(capsys, monkeypatch, tmp_path):
    from runs.commands.cli import main

    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> subprocess.CompletedProcess:
        capsys.readouterr()
        try:
            code = main(["run", *args, "--out", "out"])
        except SystemExit as exc:  # argparse's own errors
            code = exc.code
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, captured.out, captured.err)

    return run


def _write_extra(tmp_path: Path, case: str) -> Path:
    path = tmp_path / f"{case}.yaml"
    path.write_bytes(EXTRA_FILE_CASES[case][0])
    return path


def test_negative_seed_is_bad_input(fleet_run, tmp_path):
    proc = fleet_run("tiny", "--seed", "-1")
    assert_bad_input(proc, tmp_path, None, None)
    assert "seed" in proc.stderr


def test_zero_years_is_bad_input(fleet_run, tmp_path):
    proc = fleet_run("tiny", "--years", "0")
    assert_bad_input(proc, tmp_path, None, r"horizon_years|--years")


def test_non_number_years_is_bad_input(fleet_run, tmp_path):
    proc = fleet_run("tiny", "--years", "three")
    assert_bad_input(proc, tmp_path, None, r"--years")


def test_unknown_policy_in_scenario_file_names_file_and_field(fleet_run, tmp_path):
    path = _write_extra(tmp_path, "policy_unknown_in_file")
    proc = fleet_run(str(path))
    assert_bad_input(proc, tmp_path, path.name, EXTRA_FILE_CASES["policy_unknown_in_file"][1])


def test_bool_where_number_belongs_is_refused(fleet_run, tmp_path):
    path = _write_extra(tmp_path, "bool_for_number")
    proc = fleet_run(str(path))
    assert_bad_input(proc, tmp_path, path.name, EXTRA_FILE_CASES["bool_for_number"][1])


# ----- the Python API ----------------------------------------------------------------------------
def test_load_scenario_raises_scenario_error_naming_file_and_field(tmp_path):
    path = tmp_path / "neg.yaml"
    path.write_bytes(FILE_CASES["negative_duration"][0])
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    msg = str(info.value)
    assert "servicing.trip_days" in msg
    assert str(path) in msg
    assert any(p == "servicing.trip_days" for p, _ in info.value.problems)


def test_load_scenario_reports_all_problems(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_bytes(FILE_CASES["two_problems"][0])
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    fields = {p for p, _ in info.value.problems}
    assert {"servicing.trip_days", "economics.discount_rate"} <= fields


@pytest.mark.parametrize("case", ["missing_file", "not_utf8", "empty_file", "malformed_yaml", "duplicate_key"])
def test_load_scenario_file_problems_are_scenario_errors(tmp_path, case):
    path = tmp_path / f"{case}.yaml"
    content = FILE_CASES[case][0]
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(path) in str(info.value)


def test_load_scenario_unknown_name_is_scenario_error():
    with pytest.raises(ScenarioError) as info:
        load_scenario("nosuch_scenario")
    assert "tiny" in str(info.value)


def test_valid_file_loads(tmp_path):
    """The control case: the unchanged dump of tiny loads and equals the shipped scenario."""
    path = tmp_path / "ok.yaml"
    path.write_bytes(dump(tiny_dict()))
    assert load_scenario(path) == load_scenario("tiny")


@pytest.mark.parametrize("value", [".nan", ".inf"])
def test_non_finite_solar_max_year_is_refused(tmp_path, value):
    d = tiny_dict()
    d["failures"]["solar_particle_events"] = {"mean_rate_per_year": 2.0, "unit_kill_probability": 0.1,
                                              "solar_max_year": 0.0}
    text = dump(d).decode().replace("solar_max_year: 0.0", f"solar_max_year: {value}")
    path = tmp_path / "spe.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "failures.solar_particle_events.solar_max_year" in str(info.value)

