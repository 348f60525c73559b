"""A user's policy that misbehaves is named, not blamed on the simulator.

An exception in any hook, a write into the read-only observation, a hook returning something that is
not a list of actions, a bad threshold, `SystemExit`, or an action with any field of the wrong type
or out of range: `fleet run` exits 1 with one line beginning `policy NAME:` that names the hook and
the simulated day, with no traceback and no "internal error". In a comparison only that policy's
units fail. Everything runs in this process, through `runs.commands.cli.main`.
"""
from __future__ import annotations

import re
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from fleet.reach import lift_kg

from fleet.errors import PolicyFailure
from policies import make_policy
from runs import simulate
from runs.commands.cli import main
from runs.studies.store import load_results

HEADER = '''
import dataclasses, math
import numpy as np
from fleet.actions import Activate, Deorbit, Launch, Service
from policies import Policy

@dataclasses.dataclass(frozen=True)
class Bad(Policy):
    name = "bad"
'''
OPERATING = "120.0"     # tiny's modules fly on day 60 and operate from day 90; reviews come every 30 days


def policy_file(tmp_path: Path, body: str, stem: str = "bad_policy") -> str:
    """`FILE:Bad` for a policy class `Bad` (label bad-v1) whose class body is `body`, in STEM.py."""
    path = tmp_path / f"{stem}.py"
    path.write_text(HEADER + textwrap.indent(textwrap.dedent(body), "    "))
    return f"{path}:Bad"


def fleet(capsys, *argv: str) -> tuple[int, str, str]:
    """`fleet ARGV` in this process: (exit status, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_named(code: int, err: str, hook: str, day: str, problem: str, label: str = "bad-v1") -> None:
    """Exit 1 with one message, beginning `policy LABEL: HOOK on day DAY`, that contains `problem`."""
    assert code == 1, err
    assert "Traceback" not in err and "internal error" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert re.match(rf"policy {re.escape(label)}: {hook} on day {day}\b", lines[0]), err
    assert problem in lines[0], err


def on_review(action: str, day: str = OPERATING) -> str:
    """A review that returns [`action`] once the modules operate."""
    return f'''
        def review(self, obs):
            return [{action}] if obs.day >= {day} else []
    '''


# (case, class body, hook, day, what the message says)
RAISING = [
    ("review", '''
        def review(self, obs):
            return [] if obs.day < 30 else [Launch(1 // 0)]
     ''', "review", "30.0", "raised ZeroDivisionError: integer division or modulo by zero (at "),
    ("observation-write", '''
        def review(self, obs):
            obs.status[0] = 0
            return []
     ''', "review", "0.0", "raised ValueError: assignment destination is read-only"),
    ("system-exit", '''
        def review(self, obs):
            raise SystemExit(0)
     ''', "review", "0.0", "raised SystemExit: 0"),
    ("base-exception", '''
        class Escape(BaseException):
            pass
        def review(self, obs):
            raise self.Escape("out")
     ''', "review", "0.0", "raised Escape: out"),
    ("on_module_failed", on_review("Deorbit((0,))") + '''
        def on_module_failed(self, obs, module):
            raise RuntimeError(f"module {module} gone")
     ''', "on_module_failed", OPERATING, "raised RuntimeError: module 0 gone"),
    ("on_trip_returned", on_review("Service((0,))", "120 and obs.day < 150") + '''
        def on_trip_returned(self, obs, modules):
            raise KeyError(modules)
     ''', "on_trip_returned", "180.0", "raised KeyError: (0,)"),
    ("on_generation_available", '''
        def on_generation_available(self, obs, generation):
            raise LookupError(generation)
     ''', "on_generation_available", "730.5", "raised LookupError: 1"),
    ("on_threshold", '''
        def threshold_failed_fraction(self):
            return 0.0
        def on_threshold(self, obs, module):
            raise ArithmeticError("too many failures")
     ''', "on_threshold", r"\d+\.\d", "raised ArithmeticError: too many failures"),
    ("threshold_failed_fraction", '''
        def threshold_failed_fraction(self):
            return [][0]
     ''', "threshold_failed_fraction", "0.0", "raised IndexError: list index out of range"),
    ("threshold_needs_free_servicer", '''
        def threshold_needs_free_servicer(self):
            raise NotImplementedError("later")
     ''', "threshold_needs_free_servicer", "0.0", "raised NotImplementedError: later"),
    ("unprintable", '''
        class Odd(Exception):
            def __str__(self):
                raise RuntimeError("no words")
        def review(self, obs):
            raise self.Odd()
     ''', "review", "0.0", "raised Odd: (its message cannot be shown)"),
    ("label", '''
        @property
        def label(self):
            raise AttributeError("no label today")
     ''', "label", "0.0", "raised AttributeError: no label today"),
]

RETURNING = [
    ("text", "return 'launch'", "returned 'launch', not a list of actions"),
    ("none", "return None", "returned None, not a list of actions"),
    ("one-action", "return Launch(1)", "returned Launch(count=1, cluster=None"),
    ("generator", "return (a for a in [Launch(1)])", "not a list of actions"),
    ("not-an-action", "return ['launch']", "returned 'launch', which is not an action"),
]

THRESHOLDS = [
    ("'0.2'", "gave '0.2', not None or a fraction from 0 to 1"),
    ("math.nan", "gave nan, not None or a fraction from 0 to 1"),
    ("1.5", "gave 1.5, not None or a fraction from 0 to 1"),
    ("-0.1", "gave -0.1, not None or a fraction from 0 to 1"),
    ("True", "gave True, not None or a fraction from 0 to 1"),
]

# (action, day it is returned on, what the message says): each field's type and range
BAD_ACTIONS = [
    ("Launch(1, cluster='a')", "0", "Launch cluster must be None or a cluster, 0 to 0 (got 'a')"),
    ("Launch(1, cluster=1)", "0", "Launch cluster must be None or a cluster, 0 to 0 (got 1)"),
    ("Launch(1, cluster=True)", "0", "Launch cluster must be None or a cluster, 0 to 0 (got True)"),
    ("Launch(2**40)", "0", "Launch count must be a whole number from 1 to "),
    ("Launch(0)", "0", "Launch count must be a whole number from 1 to "),
    ("Launch(True)", "0", "(got True)"),
    ("Launch(1.0)", "0", "(got 1.0)"),
    ("Launch('2')", "0", "(got '2')"),
    ("Launch(1, generation=1)", "0", "Launch generation must be None or an available generation, 0 to 0 (got 1)"),
    ("Launch(1, generation=-1)", "0", "Launch generation must be None or an available generation, 0 to 0 (got -1)"),
    ("Launch(1, generation=True)", "0", "(got True)"),
    ("Launch(1, generation=0.0)", "0", "(got 0.0)"),
    ("Launch(1, spare='yes')", "0", "Launch spare must be True or False (got 'yes')"),
    ("Launch(1, reason=42)", "0", "Launch reason must be text (got 42)"),
    ("Launch(1, due_day='soon')", "0", "Launch due_day must be None or a day, a finite number (got 'soon')"),
    ("Launch(1, due_day=math.inf)", "0", "Launch due_day must be None or a day, a finite number (got inf)"),
    ("Deorbit((True,))", OPERATING, "Deorbit modules must be whole numbers, module ids (got True)"),
    ("Deorbit(('0',))", OPERATING, "(got '0')"),
    ("Deorbit((0.0,))", OPERATING, "(got 0.0)"),
    ("Deorbit(0)", OPERATING, "Deorbit modules must be a tuple of module ids (got 0)"),
    ("Deorbit(())", OPERATING, "Deorbit names no modules"),
    ("Deorbit((0, 0))", OPERATING, "Deorbit names a module twice"),
    ("Deorbit((-1,))", OPERATING, "Deorbit names unknown module -1"),
    ("Deorbit((999,))", OPERATING, "Deorbit names unknown module 999"),
    ("Deorbit((0,), reason=b'x')", OPERATING, "Deorbit reason must be text (got b'x')"),
    ("Deorbit((0,)), Deorbit((1, 0))", OPERATING,
     "Deorbit names module 0, which an earlier action of the list names too"),
    ("Service((2,)), Deorbit([np.int64(2)])", OPERATING, "Deorbit names module 2, which an earlier action of the list"),
    ("Activate((0,))", OPERATING, "Activate names module 0, which is operational"),
    ("Service((0,), upgrade='no')", OPERATING, "Service upgrade must be True or False (got 'no')"),
    ("Service((0,), upgrade=True)", OPERATING, "Service upgrades module 0, which already has the newest generation"),
    ("Service([np.True_])", OPERATING, f"(got {np.True_!r})"),
]


@pytest.mark.parametrize("case, body, hook, day, problem", RAISING, ids=[c[0] for c in RAISING])
def test_an_exception_in_a_hook_names_the_policy_hook_and_day(tmp_path, capsys, case, body, hook, day, problem):
    years = "2.1" if hook == "on_generation_available" else "1"
    code, out, err = fleet(capsys, "run", "tiny", "--years", years, "--policy", policy_file(tmp_path, body))
    assert_named(code, err, hook, day, problem, "bad" if hook == "label" else "bad-v1")   # its class's name
    assert out == ""


@pytest.mark.parametrize("returned, problem", [c[1:] for c in RETURNING], ids=[c[0] for c in RETURNING])
def test_a_hook_returning_no_list_of_actions_is_named(tmp_path, capsys, returned, problem):
    body = f'''
        def on_launch_failed(self, obs, modules):
            {returned}
        def review(self, obs):
            {returned}
     '''
    code, _, err = fleet(capsys, "run", "tiny", "--years", "1", "--policy", policy_file(tmp_path, body))
    assert_named(code, err, "review", "0.0", problem)


@pytest.mark.parametrize("value, problem", THRESHOLDS, ids=[c[0] for c in THRESHOLDS])
def test_a_threshold_that_is_no_fraction_is_named(tmp_path, capsys, value, problem):
    body = f'''
        def threshold_failed_fraction(self):
            return {value}
     '''
    code, _, err = fleet(capsys, "run", "tiny", "--years", "1", "--policy", policy_file(tmp_path, body))
    assert_named(code, err, "threshold_failed_fraction", "0.0", problem)


def test_other_answers_of_the_wrong_type_are_named(tmp_path, capsys):
    free = policy_file(tmp_path, '''
        def threshold_needs_free_servicer(self):
            return "yes"
     ''')
    assert_named(*fleet(capsys, "run", "tiny", "--policy", free)[::2], "threshold_needs_free_servicer", "0.0",
                 "gave 'yes', not True or False")
    interval = policy_file(tmp_path, '''
        review_interval_days: str = "monthly"
     ''', "interval")
    assert_named(*fleet(capsys, "run", "tiny", "--policy", interval)[::2], "review_interval_days", "0.0",
                 "gave 'monthly', not a number of days")
    label = policy_file(tmp_path, '''
        @property
        def label(self):
            return 7
     ''', "label")
    assert_named(*fleet(capsys, "run", "tiny", "--policy", label)[::2], "label", "0.0", "gave 7, not text", "bad")


@pytest.mark.parametrize("action, day, problem", BAD_ACTIONS, ids=[c[0] for c in BAD_ACTIONS])
def test_every_field_of_every_action_is_checked(tmp_path, capsys, action, day, problem):
    started = time.perf_counter()
    body = on_review(action, day)
    code, _, err = fleet(capsys, "run", "tiny", "--years", "1", "--policy", policy_file(tmp_path, body))
    assert_named(code, err, "review", f"{float(day):.1f}", problem)
    assert time.perf_counter() - started < 30    # Launch(2**40) is refused at once, not after filling memory


def test_the_launch_count_bound_is_what_the_vehicles_could_lift_in_the_whole_run(tmp_path, capsys):
    # tiny: one falcon-9, 22,800 kg quoted to 200 km, lifting 21,180 kg to tiny's 650 km shell
    # (fleet.reach.lift_kg), modules of 600 + 16 x 20 = 920 kg (23 per flight), 12 flights a year
    # over 1 year: 12 flights and the one at the start
    assert int(lift_kg(22_800.0, 200.0, 650.0) // 920) == 23
    most = 23 * (12 + 1)
    for count, code_wanted in ((most, 0), (most + 1, 1)):
        body = f'''
            def review(self, obs):
                return [Launch({count})] if obs.day == 0 else []
         '''
        spec = policy_file(tmp_path, body, f"n{count}")
        code, _, err = fleet(capsys, "run", "tiny", "--years", "1", "--policy", spec)
        assert code == code_wanted, err
    assert f"Launch count must be a whole number from 1 to {most}, the most the vehicles could lift" in err


@pytest.mark.parametrize("raised", ["1 / 0", "SystemExit(0)"])
def test_a_policy_that_fails_to_construct_is_named(tmp_path, capsys, raised):
    body = f'''
        def __post_init__(self):
            {"raise " if "Exit" in raised else ""}{raised}
     '''
    code, out, err = fleet(capsys, "run", "tiny", "--policy", policy_file(tmp_path, body))
    assert code == 1 and out == "" and "Traceback" not in err and "internal error" not in err, err
    assert re.fullmatch(r"policy bad: construction raised (ZeroDivisionError: division by zero|SystemExit: 0) "
                        r"\(at .*bad_policy\.py:\d+\)\n", err), err


def test_numpy_integers_and_booleans_are_accepted(tmp_path, capsys):
    body = '''
        def review(self, obs):
            if obs.day == 0:
                return [Launch(np.int64(1), cluster=np.int32(0), generation=np.int64(0), spare=np.True_)]
            if obs.day == 120:
                return [Service((np.int64(0),), upgrade=np.False_), Deorbit([np.int64(1)]),
                        Activate((np.int64(4),), reason="numpy ids")]
            return []
     '''
    code, out, err = fleet(capsys, "run", "tiny", "--years", "1", "--policy", policy_file(tmp_path, body))
    assert code == 0, err
    assert "policy bad-v1" in out


def test_a_policy_cannot_change_the_world_through_the_scenario_it_sees(tmp_path):
    policy = make_policy(policy_file(tmp_path, '''
        def review(self, obs):
            obs.scenario.launch.vehicles.clear()
            obs.scenario.hardware.generations.clear()
            obs.scenario.policy.params["threshold_fraction"] = 0.9
            return []
     '''))
    mine = simulate("tiny", seed=3, policy=policy, years=1).summary
    null = simulate("tiny", seed=3, policy="null", years=1).summary
    assert mine["modules_launched"] == 4
    del mine["wall_seconds"], null["wall_seconds"]
    assert mine == null


def test_keyboard_interrupt_still_interrupts(tmp_path, capsys):
    body = '''
        def review(self, obs):
            raise KeyboardInterrupt
     '''
    code, _, err = fleet(capsys, "run", "tiny", "--policy", policy_file(tmp_path, body))
    assert code == 130 and "interrupted" in err and "policy bad" not in err


def test_an_internal_error_keeps_its_own_wording(tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("the simulator's own bug")
    monkeypatch.setattr("events.engine.World", broken)
    code, _, err = fleet(capsys, "run", "tiny")
    assert code == 1 and "internal error" in err and "Traceback" in err and "policy " not in err


def test_bad_parameters_at_load_stay_bad_input(tmp_path, capsys):
    code, _, err = fleet(capsys, "run", "tiny", "--policy", "replenihs")
    assert code == 2 and "unknown policy" in err
    spec = policy_file(tmp_path, "review_interval_days: float = math.nan\n")
    code, _, err = fleet(capsys, "run", "tiny", "--policy", spec)
    assert code == 2 and "review_interval_days: must be a finite number" in err
    scenario = tmp_path / "scenario.yaml"     # a library policy's fraction out of range is its parameter's fault
    text = (Path(__file__).parents[1] / "runs/scenarios/tiny.yaml").read_text()
    scenario.write_text(text.replace("threshold_fraction: 0.2", "threshold_fraction: 1.5"))
    code, _, err = fleet(capsys, "run", str(scenario))
    assert code == 2 and "policy.params" in err and "threshold_fraction must lie between 0 and 1 (got 1.5)" in err


def test_the_python_api_raises_policy_failure(tmp_path):
    policy = make_policy(policy_file(tmp_path, "def review(self, obs):\n    raise SystemExit(3)\n"))
    message = r"^policy bad-v1: review on day 0\.0 raised SystemExit: 3 \(at .*bad_policy.py:\d+\)$"
    with pytest.raises(PolicyFailure, match=message) as info:
        simulate("tiny", seed=0, policy=policy, years=0.5)
    assert isinstance(info.value.__cause__.__cause__, SystemExit)   # the policy's own error, kept for debugging


def test_a_long_or_unprintable_message_is_cut_and_cleaned(tmp_path, capsys):
    body = '''
        def review(self, obs):
            raise ValueError("\\x1b[31m" + "x" * 100_000)
     '''
    code, _, err = fleet(capsys, "run", "tiny", "--policy", policy_file(tmp_path, body))
    assert_named(code, err, "review", "0.0", "raised ValueError: \\x1b[31mxxx")
    assert len(err) < 600 and "\x1b" not in err


def test_in_a_comparison_only_the_misbehaving_policys_units_fail(tmp_path, capsys):
    body = '''
        def review(self, obs):
            return [] if obs.day < 60 else [Launch(count=-1)]
     '''
    spec = policy_file(tmp_path, body)
    out_dir = tmp_path / "compare"
    code, _, err = fleet(capsys, "compare", "tiny", "--policies", f"replenish,{spec}", "--replications", "2",
                         "--years", "0.5", "--backend", "serial", "--no-progress", "--out", str(out_dir))
    assert code == 1, err
    assert "Traceback" not in err and "internal error" not in err
    results = load_results(out_dir)
    assert sorted(results.summary["policy"].map(str).str.startswith("replenish")) == [True, True]
    assert len(results.failures) == 2
    for error in results.failures["error"]:
        assert error.startswith("policy bad-v1: review on day 60.0: Launch count must be a whole number"), error


def test_a_policy_raising_system_exit_in_a_worker_process_fails_only_its_units(tmp_path, capsys):
    spec = policy_file(tmp_path, '''
        def review(self, obs):
            raise SystemExit(0)
     ''')
    out_dir = tmp_path / "compare"
    code, _, err = fleet(capsys, "compare", "tiny", "--policies", f"{spec},null", "--replications", "2",
                         "--years", "0.3", "--backend", "local", "--workers", "1", "--no-progress",
                         "--out", str(out_dir))
    assert code == 1, err
    results = load_results(out_dir)
    assert list(results.summary["policy"].map(str)) == ["null", "null"]
    path = tmp_path / "bad_policy.py"
    line = path.read_text().splitlines().index("        raise SystemExit(0)") + 1
    error = f"policy bad-v1: review on day 0.0 raised SystemExit: 0 (at {path}:{line})"
    assert list(results.failures["error"]) == [error] * 2
