"""Output folders: nothing the user wrote is lost, reading results runs no code, writes are whole and
fsynced, and two commands on one folder do not disturb each other (issue 11)."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from fleet.errors import InputError
from runs import load_results, load_scenario, simulate
from runs import atomic
from runs.studies.backends import SerialBackend
from runs.commands.cli import main
from runs.studies.experiment import parse_experiment
from runs.folders import lock
from runs.look.report import write_report
from runs.studies.runner import run_plan
from tests.commands import FLEET, REPO, fleet, repo_env

RUN_FILES = {"events.parquet", "timeline.parquet", "summary.json", "scenario.yaml", "manifest.json"}
SMALL = {"name": "small", "scenario": "tiny", "years": 0.5, "seed": 3, "replications": 2,
         "policies": [{"name": "replenish"}, {"name": "service-on-threshold"}]}


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """`fleet ARGV` in this process: exit status, stdout, stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys, *argv: str) -> str:
    """Run `fleet ARGV`, assert it exits 2 with one clean message, and return the message."""
    code, _, err = cli(capsys, *argv)
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err
    return err


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("store") / "out"
    run_plan(parse_experiment(SMALL, "test"), out, SerialBackend(), progress=False)
    return out


def copy_tree(src: Path, dst: Path) -> Path:
    for p in src.rglob("*"):
        target = dst / p.relative_to(src)
        if p.is_dir():
            target.mkdir(parents=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(p.read_bytes())
    return dst


# ----- no data loss ------------------------------------------------------------------------------
def test_run_into_a_folder_of_the_users_is_refused_and_the_folder_kept(here, capsys):
    (here / "mydocs").mkdir()
    (here / "mydocs" / "thesis.txt").write_text("thesis")
    err = refused(capsys, "run", "tiny", "--years", "0.2", "--out", "mydocs")
    assert "mydocs: is not empty and not a previous result of fleet run (it holds thesis.txt)" in err
    err = refused(capsys, "run", "tiny", "--years", "0.2", "--out", "mydocs", "--force")
    assert "thesis.txt" in err
    assert [p.name for p in (here / "mydocs").iterdir()] == ["thesis.txt"]
    assert (here / "mydocs" / "thesis.txt").read_text() == "thesis"


@pytest.mark.parametrize("out, message", [
    ("plain.txt", "plain.txt: exists and is not a folder"),
    ("plain.txt/sub", "plain.txt/sub: plain.txt is a file, not a folder"),
    (".", "is the current folder or one above it"),
    ("..", "is the current folder or one above it"),
    ("/proc/fleet-out", "/proc/fleet-out: is under /proc, a system folder"),
])
@pytest.mark.parametrize("command", [["run", "tiny", "--years", "0.2"],
                                     ["compare", "tiny", "--policies", "replenish", "--replications", "1",
                                      "--years", "0.2", "--backend", "serial", "--no-progress"],
                                     ["sweep", "exp.yaml", "--backend", "serial", "--no-progress"],
                                     ["parity", "tiny", "--years", "0.2", "--replications", "2", "--points", "2"]])
def test_bad_out_places_are_refused_with_one_message(here, capsys, command, out, message):
    (here / "exp.yaml").write_text(json.dumps(SMALL))
    (here / "plain.txt").write_text("mine")
    err = refused(capsys, *command, "--out", out)
    assert message in err and err.count("\n") == 1
    assert (here / "plain.txt").read_text() == "mine"
    assert sorted(p.name for p in here.iterdir()) == ["exp.yaml", "plain.txt"]


def test_an_unwritable_place_is_refused_cleanly(here, capsys, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system")
    monkeypatch.setattr(Path, "mkdir", read_only)
    err = refused(capsys, "run", "tiny", "--years", "0.2", "--out", "elsewhere/out")
    assert "elsewhere/out: cannot write there (Read-only file system)" in err


def test_a_previous_run_is_replaced_only_with_force(here, capsys):
    assert cli(capsys, "run", "tiny", "--years", "0.2", "--seed", "1", "--out", "res")[0] == 0
    first = (here / "res" / "summary.json").read_text()
    err = refused(capsys, "run", "tiny", "--years", "0.2", "--seed", "2", "--out", "res")
    assert "res: holds a previous run; use --force to replace it, or choose another --out folder" in err
    assert (here / "res" / "summary.json").read_text() == first
    code, out, err = cli(capsys, "run", "tiny", "--years", "0.2", "--seed", "2", "--out", "res", "--force")
    assert code == 0, err
    assert json.loads((here / "res" / "manifest.json").read_text())["seed"] == 2
    assert {p.name for p in (here / "res").iterdir()} == RUN_FILES


def test_run_manifest_says_its_kind_and_other_kinds_are_not_replaced(here, capsys, small_store):
    assert cli(capsys, "run", "tiny", "--years", "0.2", "--out", "res")[0] == 0
    assert json.loads((here / "res" / "manifest.json").read_text())["kind"] == "run"
    assert json.loads((small_store / "manifest.json").read_text())["kind"] == "experiment"
    store = copy_tree(small_store, here / "store")
    err = refused(capsys, "run", "tiny", "--years", "0.2", "--out", "store", "--force")
    assert "holds another kind of result (experiment), not one of fleet run" in err
    err = refused(capsys, "compare", "tiny", "--policies", "replenish", "--replications", "1", "--years", "0.2",
                  "--backend", "serial", "--no-progress", "--out", "res", "--force")
    assert "holds another kind of result (run)" in err
    assert len(list((store / "units").iterdir())) == 4 and (here / "res" / "events.parquet").is_file()


def test_default_run_folder_is_named_for_scenario_policy_years_and_seed(here, capsys):
    code, out, err = cli(capsys, "run", "tiny", "--years", "0.2", "--seed", "4", "--report")
    assert code == 0, err
    policy = load_scenario("tiny").policy.name
    folder = here / "results" / f"tiny-{policy}-0.2y-seed4"
    assert f"results: {folder.relative_to(here)}" in out
    assert RUN_FILES | {"report.html"} == {p.name for p in folder.iterdir()}


def test_folders_and_files_are_made_with_the_users_umask(here, capsys):
    old = os.umask(0o027)
    try:
        assert cli(capsys, "run", "tiny", "--years", "0.2", "--out", "a/b")[0] == 0
    finally:
        os.umask(old)
    assert (here / "a").stat().st_mode & 0o777 == 0o750
    assert (here / "a" / "b").stat().st_mode & 0o777 == 0o750
    assert {p.stat().st_mode & 0o777 for p in (here / "a" / "b").iterdir()} == {0o640}


def test_an_empty_folder_of_the_users_is_used_as_it_is(here, capsys):
    (here / "empty").mkdir(mode=0o700)
    assert cli(capsys, "run", "tiny", "--years", "0.2", "--out", "empty")[0] == 0
    assert (here / "empty").stat().st_mode & 0o777 == 0o700
    assert {p.name for p in (here / "empty").iterdir()} == RUN_FILES


def test_temporary_files_a_killed_run_left_are_removed_by_the_next(here, capsys):
    (here / "res").mkdir()
    (here / "res" / ".events.parquet.k1ll3d_x.tmp").write_bytes(b"half")
    assert cli(capsys, "run", "tiny", "--years", "0.2", "--out", "res")[0] == 0
    assert {p.name for p in (here / "res").iterdir()} == RUN_FILES


def test_a_refused_run_leaves_no_folder_behind(here, capsys, monkeypatch):
    import runs.folders
    monkeypatch.setattr(runs.folders, "previous", lambda folder, layout: (_ for _ in ()).throw(InputError("no")))
    with pytest.raises(InputError):
        simulate("tiny", years=0.2).save(here / "new" / "deeper")
    assert list(here.iterdir()) == []


def test_compare_refuses_a_different_experiment_unless_forced_and_keeps_foreign_files(here, capsys):
    base = ["compare", "tiny", "--policies", "replenish", "--years", "0.2", "--backend", "serial",
            "--no-progress", "--out", "cmp"]
    assert cli(capsys, *base, "--replications", "2")[0] == 0
    code, out, _ = cli(capsys, *base, "--replications", "2")
    assert code == 0 and "2 found done, 0 computed" in out
    err = refused(capsys, *base, "--replications", "3", "--seed", "1")
    assert "holds results of a different experiment" in err and "use --force" in err
    assert len(list((here / "cmp" / "units").iterdir())) == 2
    code, out, err = cli(capsys, *base, "--replications", "3", "--seed", "1", "--force")
    assert code == 0 and "0 found done, 3 computed" in out, err
    (here / "cmp" / "units" / "notes.txt").write_text("mine")
    err = refused(capsys, *base, "--replications", "1", "--force")
    assert "units/notes.txt" in err
    assert (here / "cmp" / "units" / "notes.txt").read_text() == "mine"
    assert len(list((here / "cmp" / "units").glob("*.parquet"))) == 3


def test_parity_out_resumes_its_own_study_and_needs_force_to_replace_another(here, capsys):
    args = ["parity", "tiny", "--years", "0.2", "--replications", "2", "--points", "2", "--out", "par",
            "--backend", "serial", "--no-progress"]
    assert cli(capsys, *args)[0] == 0
    assert {p.name for p in (here / "par").iterdir()} == {"units", "manifest.json"}
    assert json.loads((here / "par" / "manifest.json").read_text())["kind"] == "experiment"
    code, out, _ = cli(capsys, *args)
    assert code == 0 and "4 found done, 0 computed" in out
    other = [*args, "--seed", "1"]
    assert "holds results of a different experiment" in refused(capsys, *other)
    assert cli(capsys, *other, "--force")[0] == 0


# ----- one atomic writer -------------------------------------------------------------------------
def test_writes_replace_a_planted_symlink_instead_of_writing_through_it(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "out.txt").symlink_to(outside)
    atomic.write_file(folder / "out.txt", atomic.text("new"))
    assert outside.read_text() == "precious"
    assert not (folder / "out.txt").is_symlink() and (folder / "out.txt").read_text() == "new"


def test_report_never_writes_through_planted_symlinks(tmp_path, small_store):
    folder = copy_tree(small_store, tmp_path / "store")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (folder / ".report.html.tmp").symlink_to(victim)
    (folder / "report.html").symlink_to(victim)
    write_report(folder)
    assert victim.read_text() == "precious"
    assert not (folder / "report.html").is_symlink() and "<!DOCTYPE html>" in (folder / "report.html").read_text()


def test_a_failed_write_changes_nothing_and_leaves_no_temporary_file(tmp_path):
    (tmp_path / "a.txt").write_text("old a")
    (tmp_path / "b.txt").write_text("old b")

    def boom(f):
        f.write(b"half")
        raise RuntimeError("disk on fire")
    with pytest.raises(RuntimeError):
        atomic.write_files(tmp_path, {"a.txt": atomic.text("new a"), "b.txt": boom})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]
    assert (tmp_path / "a.txt").read_text() == "old a" and (tmp_path / "b.txt").read_text() == "old b"


def test_files_and_their_folder_are_fsynced_before_and_after_the_rename(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        calls.append(("fsync", "folder" if os.path.isdir(f"/proc/self/fd/{fd}") else "file"))
        real_fsync(fd)

    def replace(src, dst):
        calls.append(("replace", Path(dst).name))
        real_replace(src, dst)
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    atomic.write_files(tmp_path, {"a": atomic.text("1"), "b": atomic.text("2")})
    assert calls == [("fsync", "file"), ("fsync", "file"), ("replace", "a"), ("replace", "b"), ("fsync", "folder")]


def test_there_is_one_atomic_writer():
    writers = [p.relative_to(REPO) for p in (REPO / "runs").rglob("*.py")
               if re.search(r"mkstemp|mkdtemp|os\.replace|\.rename\(|\.replace\(target", p.read_text())]
    assert writers == [Path("runs/atomic.py")]


# ----- reading results never executes code -------------------------------------------------------
MARKER_POLICY = """
import dataclasses, pathlib
from policies import Policy
pathlib.Path({marker!r}).write_text("imported")

@dataclasses.dataclass(frozen=True)
class C(Policy):
    name = "planted"
"""


@pytest.fixture
def planted(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """A policy file that writes a marker when imported, and the marker's path (not yet there)."""
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "IMPORTED"
    (tmp_path / "x.py").write_text(MARKER_POLICY.format(marker=str(marker)))
    return tmp_path / "x.py", marker


def test_the_planted_policy_would_run_if_loaded(planted):
    policy, marker = planted
    data = load_scenario("tiny").model_dump(mode="json")
    data["policy"] = {"name": f"{policy}:C", "params": {}}
    (policy.parent / "s.yaml").write_text(json.dumps(data))
    load_scenario(policy.parent / "s.yaml")     # a scenario the user loads: imports x.py, as documented
    assert marker.is_file()


def test_report_and_load_results_of_a_store_naming_a_policy_import_nothing(planted, small_store):
    policy, marker = planted
    folder = copy_tree(small_store, policy.parent / "store")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["spec"]["experiment"]["policies"] = [{"name": f"{policy}:C", "params": {}}]
    manifest["base_scenario"]["policy"] = {"name": f"{policy}:C", "params": {}}
    manifest["policies"] = [f"{policy}:C"]
    manifest["source"] = str(policy)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert len(load_results(folder).summary) == 4
    page = write_report(folder).read_text()
    assert "<h1>tiny</h1>" in page, "the base scenario recorded in the manifest gives the key inputs"
    assert not marker.exists(), "reading results imported a policy named in them"


def test_report_of_a_run_naming_a_policy_imports_nothing(planted, capsys):
    policy, marker = planted
    folder = simulate("tiny", years=0.2).save(policy.parent / "run")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(policy=f"{policy}:C", policy_class="x:C")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    scenario = yaml.safe_load((folder / "scenario.yaml").read_text())
    scenario["policy"]["name"] = f"{policy}:C"
    (folder / "scenario.yaml").write_text(yaml.safe_dump(scenario))
    code, _, err = cli(capsys, "report", str(folder))
    assert code == 0, err
    assert f"{policy}:C" in (folder / "report.html").read_text()
    assert not marker.exists(), "reporting a run imported the policy named in it"


# ----- faults ------------------------------------------------------------------------------------
@pytest.mark.parametrize("content, message", [("{not json", "not valid JSON"),
                                              ("[1, 2]", "a JSON object expected, found list"),
                                              ('{"kind": "experiment", "axes": 7}', "axes: a list of names")])
def test_a_corrupt_manifest_is_bad_input_for_report_and_compare(tmp_path, capsys, small_store, content, message):
    folder = copy_tree(small_store, tmp_path / "store")
    (folder / "manifest.json").write_text(content)
    err = refused(capsys, "report", str(folder))
    assert "manifest.json" in err and message in err
    if "axes" not in content:
        err = refused(capsys, "compare", "tiny", "--policies", "replenish", "--replications", "1", "--years", "0.2",
                      "--backend", "serial", "--no-progress", "--out", str(folder))
        assert "manifest.json" in err and message in err


@pytest.mark.parametrize("manifest, message", [({"axes": [[1]]}, "axes: not all are columns"),
                                               ({"axes": "a.b"}, "axes: list expected, found str"),
                                               ({"baseline": 3}, "baseline: str expected, found int"),
                                               ({"objective": ["x"]}, "objective: str expected, found list")])
def test_a_study_table_with_a_wrong_shaped_manifest_is_bad_input_for_report(tmp_path, capsys, manifest, message):
    pd.DataFrame({"policy": ["a", "a"], "replication": [0, 1], "x.y": [1, 2],
                  "delivered_pflops_days": [1.0, 2.0]}).to_parquet(tmp_path / "summary.parquet")
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert message in refused(capsys, "report", str(tmp_path))


@pytest.mark.parametrize("name, content, message", [("events.parquet", "", "not a readable Parquet file"),
                                                    ("summary.json", "[]", "a JSON object expected"),
                                                    ("manifest.json", "{", "not valid JSON")])
def test_a_run_folder_with_a_corrupt_file_is_bad_input_for_report(tmp_path, capsys, name, content, message):
    folder = simulate("tiny", years=0.2).save(tmp_path / "run")
    (folder / name).write_text(content)
    err = refused(capsys, "report", str(folder))
    assert f"{name}: {message}" in err
    assert not (folder / "report.html").exists()


@pytest.mark.parametrize("damage", [b"", b"PAR1 not really parquet PAR1"])
def test_a_zero_byte_or_corrupt_unit_is_recomputed_on_resume_and_skipped_when_read(tmp_path, small_store, damage):
    folder = copy_tree(small_store, tmp_path / "store")
    victim = sorted((folder / "units").iterdir())[1]
    original = pd.read_parquet(victim)
    victim.write_bytes(damage)
    with pytest.warns(UserWarning, match=re.escape(victim.name)):
        assert len(load_results(folder).summary) == 3
    again = run_plan(parse_experiment(SMALL, "test"), folder, SerialBackend(), progress=False)
    assert (again.already_done, again.computed) == (3, 1)
    pd.testing.assert_frame_equal(pd.read_parquet(victim).drop(columns="wall_seconds"),
                                  original.drop(columns="wall_seconds"))


def test_a_unit_whose_kept_timeline_is_damaged_is_recomputed(tmp_path):
    plan = parse_experiment({**SMALL, "replications": 1, "keep_timelines": True}, "test")
    run_plan(plan, tmp_path / "out", SerialBackend(), progress=False)
    victim = sorted((tmp_path / "out" / "timelines").iterdir())[0]
    victim.write_bytes(b"")
    again = run_plan(plan, tmp_path / "out", SerialBackend(), progress=False)
    assert (again.already_done, again.computed) == (1, 1)
    assert len(pd.read_parquet(victim)) > 0


def test_unreadable_failure_records_are_skipped_with_a_warning(tmp_path, small_store):
    folder = copy_tree(small_store, tmp_path / "store")
    (folder / "failures").mkdir()
    (folder / "failures" / "k.json").write_text("{half")
    with pytest.warns(UserWarning, match="k.json"):
        assert load_results(folder).failures.empty


def test_units_are_read_as_each_file_reads_and_differing_files_line_up(tmp_path, small_store):
    """One table of the units' rows, as pandas reads each file, columns in the order they first appear; a
    file missing a KPI gives NaN there, one with a null KPI or an integer where the others have floats
    leaves the column numeric (pandas alone makes the null one's column `object`), an extra column is kept,
    and text where the others hold numbers makes that column hold both."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = copy_tree(small_store, tmp_path / "store")
    files = sorted((folder / "units").iterdir())

    def read_each() -> pd.DataFrame:
        return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)

    pd.testing.assert_frame_equal(load_results(folder).summary.sort_values("key", ignore_index=True),
                                  read_each().sort_values("key", ignore_index=True))
    tables = [pq.read_table(f) for f in files]
    pq.write_table(tables[0].drop_columns(["delivered_pflops_days"]), files[0])
    at = tables[1].column_names.index("capacity_pflops_days")
    pq.write_table(tables[1].set_column(at, "capacity_pflops_days", pa.array([None])), files[1])
    at = tables[2].column_names.index("demand_pflops_days")
    pq.write_table(tables[2].set_column(at, "demand_pflops_days", pa.array([7], pa.int64())), files[2])
    pq.write_table(tables[3].append_column("my_kpi", pa.array([2.5])), files[3])
    loaded = load_results(folder).summary
    assert list(loaded.columns) == list(read_each().columns) and loaded.columns[-1] == "my_kpi"
    summary = loaded.set_index("key")
    keys = [f.stem for f in files]
    assert summary["delivered_pflops_days"].isna().tolist() == [k == keys[0] for k in summary.index]
    assert summary["capacity_pflops_days"].dtype == float and pd.isna(summary.at[keys[1], "capacity_pflops_days"])
    assert summary["demand_pflops_days"].dtype == float and summary.at[keys[2], "demand_pflops_days"] == 7
    assert summary["my_kpi"].isna().sum() == 3 and summary.at[keys[3], "my_kpi"] == 2.5
    at = tables[0].column_names.index("events")                 # text where the others hold integers
    pq.write_table(tables[0].set_column(at, "events", pa.array(["n/a"])), files[0])
    summary = load_results(folder).summary.set_index("key")
    assert summary.at[keys[0], "events"] == "n/a" and summary.at[keys[1], "events"] == tables[1]["events"][0].as_py()


# ----- one command per folder --------------------------------------------------------------------
def test_a_locked_folder_is_refused_naming_the_holder(tmp_path):
    folder = tmp_path / "busy"
    folder.mkdir()
    with lock(folder):
        with pytest.raises(InputError, match=rf"busy is in use by another fleet command \(pid {os.getpid()}\)"):
            simulate("tiny", years=0.2).save(folder)
    assert list(folder.iterdir()) == [], "the lock file outlived its holder"


HELD_POLICY = """
import dataclasses, pathlib, time
from policies import Policy

HOLD = pathlib.Path({hold!r})
UNITS = pathlib.Path({units!r})

@dataclasses.dataclass(frozen=True)
class Held(Policy):
    name = "held"
    review_interval_days: float = 30.0

    def review(self, obs):
        while HOLD.exists() and any(UNITS.glob("*.parquet")):    # held once a unit is done, until released
            time.sleep(0.02)
        return []
"""


def test_a_second_command_on_a_busy_folder_refuses_and_the_first_finishes(tmp_path):
    hold = tmp_path / "hold"
    hold.touch()
    (tmp_path / "held.py").write_text(HELD_POLICY.format(hold=str(hold), units=str(tmp_path / "shared" / "units")))
    args = ["compare", "tiny", "--policies", "held.py:Held", "--replications", "6", "--years", "1",
            "--backend", "serial", "--no-progress", "--out", "shared"]
    first = subprocess.Popen([*FLEET, *args], cwd=tmp_path, env=repo_env(), text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not list((tmp_path / "shared").glob("units/*.parquet")):
            assert first.poll() is None and time.monotonic() < deadline, "the first command ended too soon"
            time.sleep(0.05)
        stale = tmp_path / "shared" / "units" / ".k.parquet.abcd1234.tmp"
        stale.write_bytes(b"")
        second = fleet(*args, cwd=tmp_path, timeout=120)
        assert first.poll() is None, "the first command ended while held"
        assert second.returncode == 2 and "Traceback" not in second.stderr
        assert f"shared is in use by another fleet command (pid {first.pid})" in second.stderr
        assert stale.exists(), "the second command removed the first one's temporary files"
        hold.unlink()
        out, err = first.communicate(timeout=300)
    finally:
        first.kill()
        first.wait()
    assert first.returncode == 0, err
    assert "6 computed, 0 failed" in out
    third = fleet(*args, cwd=tmp_path, timeout=120)
    assert third.returncode == 0 and "6 found done, 0 computed" in third.stdout, third.stderr
    assert not stale.exists(), "a resumed command holding the lock removes stale temporary files"


def test_resume_takes_policies_from_the_command_never_from_the_manifest(planted, small_store):
    policy, marker = planted
    folder = copy_tree(small_store, policy.parent / "store")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["spec"]["experiment"]["policies"] = [{"name": f"{policy}:C", "params": {}}]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    again = run_plan(parse_experiment(SMALL, "test"), folder, SerialBackend(), progress=False)
    assert (again.already_done, again.computed) == (4, 0)
    assert not marker.exists(), "resuming imported a policy named in the manifest"


HOLD_AND_DIE = """
import os, sys, time
from pathlib import Path
from runs.folders import lock
with lock(Path(sys.argv[1])):
    worker = os.fork()          # a pool worker, forked while the lock is held, outlives its parent
    if worker == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        time.sleep(60)
        os._exit(0)
    print(worker, flush=True)
    os._exit(0)                 # the parent dies holding the lock (as under SIGKILL)
"""


def test_the_lock_ends_with_its_process_not_with_forked_workers(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    done = subprocess.run([FLEET[0], "-c", HOLD_AND_DIE, str(folder)], env=repo_env(), capture_output=True,
                          text=True, timeout=60)
    worker = int(done.stdout)
    try:
        assert (folder / ".lock").exists(), "the dead holder's lock file is left"
        os.kill(worker, 0)              # the worker still lives
        with lock(folder):
            pass
    finally:
        os.kill(worker, signal.SIGKILL)
