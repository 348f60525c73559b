"""`fleet run` end to end (as a subprocess), and the results folder that `Result.save` writes."""
from __future__ import annotations

import dataclasses
import json
import re
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest

from fleet.errors import InputError
from runs.api import load_scenario, scenario_hash, simulate
from runs.jsonio import strict_json
from tests.commands import fleet

FILES = {"events.parquet", "timeline.parquet", "summary.json", "scenario.yaml", "manifest.json"}
EPS = 1e-6


@pytest.fixture(scope="module")
def cli(tmp_path_factory) -> dict:
    """Both command runs of this module, started together: name -> (process, out folder)."""
    base = tmp_path_factory.mktemp("cli")
    jobs = {
        "seed3": ["tiny", "--seed", "3", "--out", "seed3"],
        "one_year": ["tiny", "--seed", "3", "--years", "1", "--out", "one_year"],
    }

    def go(item):
        name, args = item
        return name, fleet("run", *args, cwd=base, timeout=300)

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = dict(pool.map(go, jobs.items()))
    return {name: (done[name], base / name) for name in jobs}


def test_run_exits_0_and_writes_every_file(cli):
    proc, out = cli["seed3"]
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert out.is_dir()
    assert FILES <= {p.name for p in out.iterdir()}
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")], "temporary folders left behind"


def test_run_prints_a_summary_table_matching_summary_json(cli):
    proc, out = cli["seed3"]
    summary = json.loads((out / "summary.json").read_text())
    text = proc.stdout
    assert "tiny" in text and "seed 3" in text
    for label in ("delivered compute", "mean availability", "launches", "unit failures", "total cost"):
        assert re.search(rf"^\s+{label}\s+\S", text, flags=re.M), (label, text)

    def shown(label: str) -> int:
        m = re.search(rf"^\s+{label}\s+([\d,]+)\s*$", text, flags=re.M)
        assert m, (label, text)
        return int(m.group(1).replace(",", ""))

    assert shown("launches") == summary["launches"]
    assert shown("modules launched") == summary["modules_launched"]
    assert shown("unit failures") == summary["unit_failures"]
    assert shown("servicing trips") == summary["servicing_trips"]


def test_saved_files_are_readable_and_consistent(cli):
    _, out = cli["seed3"]
    events = pd.read_parquet(out / "events.parquet")
    timeline = pd.read_parquet(out / "timeline.parquet")
    summary = json.loads((out / "summary.json").read_text())
    assert list(events.columns) == ["time_days", "time_years", "kind", "module", "cluster", "count", "cost_usd",
                                    "ref", "cause", "modules", "reason", "detail"]
    assert len(events) == summary["events"]
    assert {"time_days", "units_alive", "capacity_pflops", "cost_cumulative_usd"} <= set(timeline.columns)
    assert int(events.loc[events["kind"] == "unit_failure", "count"].sum()) == summary["unit_failures"]


def test_saved_run_equals_the_same_run_in_process(cli):
    """The command and the Python API give the same replication for the same seed."""
    _, out = cli["seed3"]
    r = simulate("tiny", seed=3)
    summary = json.loads((out / "summary.json").read_text())
    summary.pop("wall_seconds")
    mine = dict(r.summary)
    mine.pop("wall_seconds")
    assert summary == json.loads(strict_json(mine))   # NaN is written as null
    events = pd.read_parquet(out / "events.parquet")
    pd.testing.assert_frame_equal(events.reset_index(drop=True), r.events.reset_index(drop=True),
                                  check_categorical=False)


def test_saved_scenario_loads_back_equal(cli):
    _, out = cli["seed3"]
    assert load_scenario(out / "scenario.yaml") == load_scenario("tiny")


def test_manifest_names_seed_scenario_policy_and_versions(cli):
    _, out = cli["seed3"]
    m = json.loads((out / "manifest.json").read_text())
    assert m["seed"] == 3
    assert re.fullmatch(r"[0-9a-f]{64}", m["scenario_sha256"])
    assert m["scenario_sha256"] == scenario_hash(load_scenario("tiny"))
    assert m["scenario_sha256"] == scenario_hash(load_scenario(out / "scenario.yaml"))
    tiny_policy = load_scenario("tiny").policy.name
    assert m["policy"].startswith(tiny_policy)
    deps = m["dependencies"]
    for dist in ("simpy", "numpy", "pandas", "pydantic", "pyarrow"):
        assert deps[dist] == metadata.version(dist), dist
    assert m["python"].count(".") == 2


def test_years_option_shortens_the_run(cli):
    proc, out = cli["one_year"]
    assert proc.returncode == 0, proc.stderr
    events = pd.read_parquet(out / "events.parquet")
    timeline = pd.read_parquet(out / "timeline.parquet")
    assert events["time_days"].max() <= 365.25 + EPS
    assert timeline["time_days"].max() == pytest.approx(365.25)
    assert load_scenario(out / "scenario.yaml").horizon_years == 1
    full = pd.read_parquet(cli["seed3"][1] / "timeline.parquet")
    assert full["time_days"].max() > 4 * 365.25


def test_report_option_writes_report_html(tmp_path, capsys, monkeypatch):
    from runs.commands.cli import main

    monkeypatch.chdir(tmp_path)
    code = main(["run", "tiny", "--years", "1", "--report", "--out", "rep"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert (tmp_path / "rep" / "report.html").is_file()


# ----- Result.save --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_results():
    return simulate("tiny", seed=1, years=1), simulate("tiny", seed=2, years=1)


def test_save_replaces_a_previous_run_only_when_forced_and_never_foreign_files(tmp_path, two_results):
    first, second = two_results
    target = tmp_path / "res"
    first.save(target)
    with pytest.raises(InputError, match="holds a previous run; use --force"):
        second.save(target)
    assert json.loads((target / "manifest.json").read_text())["seed"] == 1
    (target / "stray.txt").write_text("left from before")
    with pytest.raises(InputError, match="stray.txt"):
        second.save(target, force=True)
    assert (target / "stray.txt").read_text() == "left from before"
    (target / "stray.txt").unlink()
    (target / "report.html").write_text("the first run's report")
    second.save(target, force=True)
    assert {p.name for p in target.iterdir()} == FILES, "the first run's report was kept beside the second run"
    assert json.loads((target / "manifest.json").read_text())["seed"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"], "temporary files left behind"


def test_failed_save_keeps_the_old_folder(tmp_path, two_results):
    first, second = two_results
    target = tmp_path / "res"
    first.save(target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    broken = dataclasses.replace(second, summary={**second.summary, "bad": object()})
    with pytest.raises(TypeError):
        broken.save(target, force=True)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"], "temporary folders left behind"


def test_save_creates_missing_parents(tmp_path, two_results):
    target = tmp_path / "a" / "b" / "res"
    path = two_results[0].save(target)
    assert Path(path) == target
    assert FILES == {p.name for p in target.iterdir()}
