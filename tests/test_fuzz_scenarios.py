"""Fuzzing of scenario files (hypothesis): random mutations of the shipped `tiny` scenario make
`fleet run` exit 0 or 2, never with a traceback and never hanging.

Each example runs in-process through `runs.commands.cli.main` with the horizon forced short (`--years 0.5`,
long enough for the first modules to operate)
and a per-example time limit; a run that exceeds it fails the test as a hang.
"""
from __future__ import annotations

import contextlib
import copy
import io
import math
import signal
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from runs.api import SCENARIO_DIR
from runs.commands.cli import main

TINY = yaml.safe_load((SCENARIO_DIR / "tiny.yaml").read_text())
LIMIT_SECONDS = 30


class Hang(BaseException):
    """Raised by the alarm; a BaseException so that the command's error handling cannot swallow it."""


def paths(node, prefix=()) -> list[tuple]:
    """Every key path in a nested structure of dicts and lists."""
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in items:
        out.append(prefix + (k,))
        out.extend(paths(v, prefix + (k,)))
    return out


PATHS = paths(TINY)


def nested(depth: int):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


extreme_numbers = st.sampled_from([0, -1, -1e-300, 1e-300, 1e9, -1e9, 1e300, 10 ** 30, -(10 ** 30),
                                   math.inf, -math.inf, math.nan, 0.5, 2 ** 63, 1e6, 1e-9])
wrong_values = st.one_of(
    extreme_numbers,
    st.integers(-10 ** 12, 10 ** 12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["1e3", "ten", "", "nan", "exponential", "weibull", "2030-01-01"]),
    st.booleans(),
    st.none(),
    st.lists(st.integers(0, 5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.integers(1, 150).map(nested),
)

mutation = st.one_of(
    st.tuples(st.just("delete"), st.sampled_from(PATHS)),
    st.tuples(st.just("replace"), st.sampled_from(PATHS), wrong_values),
    st.tuples(st.just("scale"), st.sampled_from(PATHS), st.sampled_from([1e9, -1, 0, 1e-9, 1e6, 100])),
    st.tuples(st.just("add"), st.sampled_from(PATHS), st.text(min_size=1, max_size=8), wrong_values),
    st.tuples(st.just("add"), st.just(("policy", "params")),
              st.sampled_from(["review_interval_days", "threshold_fraction", "trigger_fraction"]), wrong_values),
)

text_damage = st.one_of(
    st.none(),
    st.tuples(st.just("bytes"), st.binary(min_size=1, max_size=8), st.floats(0, 1)),
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("nest"), st.integers(50, 5000)),
)


def apply(data: dict, m: tuple) -> None:
    kind, path = m[0], m[1]
    parent = data
    for k in path[:-1]:
        try:
            parent = parent[k]
        except (KeyError, IndexError, TypeError):
            return
    key = path[-1]
    try:
        if kind == "delete":
            del parent[key]
        elif kind == "replace":
            parent[key] = m[2]
        elif kind == "scale":
            if isinstance(parent[key], (int, float)) and not isinstance(parent[key], bool):
                parent[key] = parent[key] * m[2]
        elif kind == "add" and isinstance(parent[key], dict):
            parent[key][m[2]] = m[3]
    except (KeyError, IndexError, TypeError):
        pass


def damage(text: bytes, d) -> bytes:
    if d is None:
        return text
    if d[0] == "bytes":
        at = int(d[2] * len(text))
        return text[:at] + d[1] + text[at:]
    if d[0] == "truncate":
        return text[: int(d[1] * len(text))]
    return text + b"\nextra: " + b"[" * d[1] + b"]" * d[1] + b"\n"


def run_cli(args: list[str]) -> tuple[int, str]:
    """`fleet ARGS` in this process: (exit status, stderr), failing with Hang past the time limit."""
    def on_alarm(signum, frame):
        raise Hang(f"fleet {' '.join(args)} ran longer than {LIMIT_SECONDS} s")

    err, out = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, LIMIT_SECONDS)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                code = main(args)
            except SystemExit as exc:          # argparse errors
                code = exc.code
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return code, err.getvalue()


def check_file(content: bytes, years: str = "0.5") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzzed.yaml"
        path.write_bytes(content)
        code, err = run_cli(["run", str(path), "--years", years])
    assert "Traceback" not in err, err
    assert code in (0, 2), f"exit {code}: {err}"
    if code == 2:
        assert err.startswith("fleet: "), err


@settings(max_examples=80, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(mutation, min_size=1, max_size=3), text_damage)
def test_mutated_scenarios_exit_0_or_2(mutations, text_damage_):
    data = copy.deepcopy(TINY)
    for m in mutations:
        apply(data, m)
    try:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8", "surrogatepass")
    except (yaml.YAMLError, RecursionError, UnicodeEncodeError):
        return
    check_file(damage(text, text_damage_))


def other_commands(path: str, out: str) -> list[list[str]]:
    """The other commands that read a scenario file, each kept short."""
    return [["trace", path, "--until-years", "0.5"],
            ["compare", path, "--policies", "replenish,service-on-threshold", "--replications", "2",
             "--years", "0.5", "--backend", "serial", "--no-progress", "--out", out]]


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(mutation, min_size=1, max_size=2))
def test_other_commands_exit_0_or_2_on_mutated_scenarios(mutations):
    data = copy.deepcopy(TINY)
    for m in mutations:
        apply(data, m)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8", "surrogatepass")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzzed.yaml"
        path.write_bytes(text)
        for args in other_commands(str(path), str(Path(tmp) / "out")):
            code, err = run_cli(args)
            assert "Traceback" not in err, err
            assert code in (0, 2), f"{args[0]}: exit {code}: {err}"


EXTREMES = [
    ("fleet", "module", "units", 100_000),
    ("fleet", "clusters", 10_000),
    ("fleet", "target_power_mw", 1e9),
    ("fleet", "target_power_mw", 1e308),
    ("fleet", "module", "units", 10 ** 9),
    ("ground", "stations", 0, "mean_outage_hours", 1e-300),
    ("servicing", "trip_days", 1e-300),
    ("failures", "unit", "rate_per_year", 1e300),
    ("launch", "vehicles", 0, "launches_per_year", 1e300),
    ("timeline_step_days", 0.01),
    ("fleet", "module", "design_life_years", 1e-300),
    ("fleet", "module", "commissioning_days", 1e300),
    ("hardware", "generations", 0, "power_kw_per_unit", 1e-300),
]


def test_extreme_sizes_are_refused_or_run_quickly():
    for case in EXTREMES:
        data = copy.deepcopy(TINY)
        apply(data, ("replace", case[:-1], case[-1]))
        check_file(yaml.safe_dump(data, sort_keys=False).encode())


def test_two_extremes_together_do_not_hang():
    data = copy.deepcopy(TINY)
    data["failures"]["unit"]["rate_per_year"] = 1e300
    data["servicing"]["trip_days"] = 1e-300
    check_file(yaml.safe_dump(data, sort_keys=False).encode())
    data = copy.deepcopy(TINY)
    data["failures"]["solar_particle_events"] = {"mean_rate_per_year": 1e300, "unit_kill_probability": 0.5}
    check_file(yaml.safe_dump(data, sort_keys=False).encode())


def test_every_hazard_at_its_bound_runs_quickly():
    """Storms at the highest rate allowed, heavy radiation and debris: the run ends, books balance."""
    data = copy.deepcopy(TINY)
    data["failures"]["solar_particle_events"] = {"mean_rate_per_year": 1000, "unit_kill_probability": 0.5,
                                                 "module_fraction_hit": 0.5}
    data["failures"]["radiation"] = {"dose_rate_rad_per_year": 1e5, "hazard_per_year_per_krad": 10}
    data["failures"]["debris"] = {"strikes_per_module_year": 5}
    data["failures"]["unit"] = {"distribution": "exponential", "rate_per_year": 1000}
    check_file(yaml.safe_dump(data, sort_keys=False).encode(), years="2")
    data["failures"]["unit"] = {"distribution": "weibull", "shape": 50, "scale_years": 0.001}
    check_file(yaml.safe_dump(data, sort_keys=False).encode(), years="2")


@pytest.mark.parametrize("params", [{"review_interval_days": 1e-9}, {"review_interval_days": float("nan")},
                                    {"threshold_fraction": float("nan")}, {"threshold_fraction": -5},
                                    {"review_interval_days": 1e300}])
def test_extreme_policy_parameters(params):
    data = copy.deepcopy(TINY)
    data["policy"]["params"] = params
    check_file(yaml.safe_dump(data, sort_keys=False).encode())


def test_the_hang_guard_fires(monkeypatch):
    """The time limit is real: a command that never returns is reported as a hang."""
    monkeypatch.setitem(globals(), "LIMIT_SECONDS", 0.2)
    monkeypatch.setitem(globals(), "main", lambda args: time.sleep(10))
    with pytest.raises(Hang):
        run_cli(["run", "tiny"])


@pytest.mark.parametrize("path, value, field", [
    (("ground", "stations", 0, "mean_outage_hours"), 0.01, "ground.stations.0.mean_outage_hours"),
    (("servicing", "trip_days"), 0.001, "servicing.trip_days"),
    (("failures", "unit", "rate_per_year"), 5000, "failures.unit.rate_per_year"),
    (("fleet", "target_power_mw"), 1e308, "fleet.target_power_mw"),
    (("fleet", "target_power_mw"), 20_000, "fleet.target_power_mw"),     # 20 million units
    (("servicing", "work_at_fraction"), 0, "servicing.work_at_fraction"),
    (("servicing", "trip_time_distribution"), "gamma", "servicing.trip_time_distribution"),
])
def test_bounds_name_the_field(path, value, field):
    data = copy.deepcopy(TINY)
    apply(data, ("replace", path, value))
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "bounded.yaml"
        file.write_text(yaml.safe_dump(data, sort_keys=False))
        code, err = run_cli(["run", str(file)])
    assert code == 2 and f"bounded.yaml: {field}: " in err, err
