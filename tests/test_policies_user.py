"""A user's own policy, named by path: in `simulate`, in worker processes and in `fleet run`; the
registry's names, versions and plug-ins; and bad input answered with exit 2, naming the policy."""
import concurrent.futures
import math
import multiprocessing
import pickle
import subprocess
import sys
import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from fleet.errors import PolicyError
from policies import registry
from policies.age_replacement import AgeReplacement
from policies.registry import make_policy, policy_class
from runs import simulate
from tests.commands import fleet, repo_env

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "runs/examples/batch_repair.py:BatchRepair"


def summary_of(spec_or_policy, seed: int) -> dict:
    """Runs in a worker: one tiny replication, without the wall time (NaN as None, to compare)."""
    s = simulate("tiny", seed=seed, policy=spec_or_policy).summary
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in s.items() if k != "wall_seconds"}


def test_example_policy_loads_by_path_and_acts():
    policy = make_policy(str(ROOT / EXAMPLE), {"batch_modules": 1})
    assert policy.label == "batch-repair-v1" and policy.batch_modules == 1
    s = simulate("tiny", seed=3, policy=policy).summary
    assert s["servicing_trips"] > 0 and s["units_replaced"] > 0


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_user_policy_runs_in_worker_processes(method):
    spec = str(ROOT / EXAMPLE)
    policy = make_policy(spec)
    here = [summary_of(policy, seed) for seed in (0, 1)]
    ctx = multiprocessing.get_context(method)
    with concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        by_object = list(pool.map(summary_of, [policy, policy], [0, 1]))      # the instance, pickled
        by_name = list(pool.map(summary_of, [spec, spec], [0, 1]))            # the path, loaded there
    assert by_object == here and by_name == here


def test_a_user_policy_pickles_by_its_file_so_a_fresh_process_can_load_it():
    blob = pickle.dumps(make_policy(str(ROOT / EXAMPLE), {"batch_modules": 3}))
    code = "import pickle, sys; p = pickle.loads(sys.stdin.buffer.read()); print(p.label, p.batch_modules)"
    out = subprocess.run([sys.executable, "-c", code], input=blob, capture_output=True, cwd="/",
                         env=repo_env(), timeout=60)
    assert out.stdout.decode().split() == ["batch-repair-v1", "3"], out.stderr.decode()


def test_fleet_run_with_a_user_policy_by_path():
    out = fleet("run", "tiny", "--seed", "2", "--policy", EXAMPLE)
    assert out.returncode == 0, out.stderr
    assert "policy batch-repair-v1" in out.stdout


def test_fleet_policies_lists_every_policy_with_parameters_defaults_and_units():
    out = fleet("policies")
    assert out.returncode == 0, out.stderr
    for cls in registry.LIBRARY:
        assert f"{cls.name}-v{cls.version}  {cls.description}" in out.stdout
    assert "age_years = 5.0  [years]" in out.stdout
    assert "order_quantity = 2  [modules]  Q: spares per order" in out.stdout
    one = fleet("policies", EXAMPLE)
    assert one.returncode == 0 and "batch_modules = 2  [modules]" in one.stdout


def test_versioned_names_resolve():
    assert policy_class("age-replacement-v1") is AgeReplacement
    assert policy_class("age-replacement") is AgeReplacement
    with pytest.raises(PolicyError, match="age-replacement-v1"):
        policy_class("age-replacement-v7")


def test_installed_plugins_are_found_through_the_entry_point_group(monkeypatch):
    good = EntryPoint(name="my-null", value="policies.null:Null", group=registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [good] if group == registry.ENTRY_POINT_GROUP else [])
    assert policy_class("my-null").name == "null"
    bad = EntryPoint(name="broken", value="no_such_package.policies:Thing", group=registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [bad])
    with pytest.raises(PolicyError, match="broken.*cannot import"):
        registry.available()


# ----- bad input: exit 2, the policy and the problem named ------------------------------------------

def scenario_with_policy(tmp_path: Path, policy_yaml: str) -> Path:
    text = (ROOT / "runs/scenarios/tiny.yaml").read_text()
    head = text[: text.index("\npolicy:")]
    path = tmp_path / "scenario.yaml"
    path.write_text(head + "\npolicy:\n" + textwrap.indent(policy_yaml, "  ") + "\n")
    return path


def test_unknown_policy_name_suggests_the_closest():
    out = fleet("run", "tiny", "--policy", "age-replacment")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "unknown policy 'age-replacment'" in out.stderr and "age-replacement" in out.stderr


@pytest.mark.parametrize("params, problem", [
    ("{agee_years: 3}", "policy age-replacement: unknown parameter(s) agee_years"),
    ("{age_years: soon}", "policy age-replacement: age_years: Input should be a valid number"),
])
def test_unknown_or_ill_typed_parameter(tmp_path, params, problem):
    path = scenario_with_policy(tmp_path, f"name: age-replacement-v1\nparams: {params}")
    out = fleet("run", str(path))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert problem in out.stderr


def test_user_class_missing_a_method(tmp_path):
    (tmp_path / "half.py").write_text(textwrap.dedent('''
        import dataclasses
        @dataclasses.dataclass(frozen=True)
        class Half:
            name = "half"
            review_interval_days: float = 30.0
            def review(self, obs):
                return []
    '''))
    out = fleet("run", "tiny", "--policy", f"{tmp_path / 'half.py'}:Half")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "half.py:Half" in out.stderr and "missing method(s)" in out.stderr and "on_threshold" in out.stderr


def test_policy_returning_an_impossible_action(tmp_path):
    (tmp_path / "reckless.py").write_text(textwrap.dedent('''
        import dataclasses
        from fleet.actions import Deorbit
        from policies import Policy
        @dataclasses.dataclass(frozen=True)
        class Reckless(Policy):
            name = "reckless"
            def review(self, obs):
                return [Deorbit(modules=(999,), reason="why not")]
    '''))
    out = fleet("run", "tiny", "--policy", f"{tmp_path / 'reckless.py'}:Reckless")
    # the policy's failure, not bad input (exit 2) nor an internal error: see tests/test_policy_errors.py
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr == "policy reckless-v1: review on day 0.0: Deorbit names unknown module 999\n"
