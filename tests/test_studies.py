"""Studies from Python (runs.compare, runs.sweep) and the commands over them: output, --kpis, --format,
--param, and more replications extending a folder."""
import io
import json

import numpy as np
import pandas as pd
import pytest

import runs
from fleet.errors import InputError
from runs.studies.stats import holm
from tests.commands import fleet

FAST = {"years": 1, "backend": "serial"}
POLICIES = ["replenish", "service-on-threshold"]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return runs.compare("tiny", POLICIES, 4, out=tmp_path_factory.mktemp("cmp") / "out", **FAST)


def test_compare_returns_one_row_per_unit_and_its_statistics(study):
    assert len(study.summary) == 8 and set(study.summary["policy"]) == set(POLICIES)
    table = study.table().set_index(["kpi", "policy"])
    rows = study.summary[study.summary["policy"] == "replenish"]["cost_total_usd"]
    assert table.loc[("cost_total_usd", "replenish"), "mean"] == pytest.approx(rows.mean())
    assert table.loc[("cost_total_usd", "replenish"), "n"] == 4
    diffs = study.differences()
    assert set(diffs["policy"]) == {"service-on-threshold"}
    d = diffs.set_index("kpi").loc["cost_total_usd"]
    wide = study.summary.pivot(index="replication", columns="policy", values="cost_total_usd")
    assert d["diff"] == pytest.approx((wide["service-on-threshold"] - wide["replenish"]).mean())
    assert d["diff_low"] <= d["diff"] <= d["diff_high"]
    assert study.verdict().startswith("verdict on delivered_pflops_days")


def test_holm_over_several_policies_in_differences(tmp_path):
    s = runs.compare("tiny", [*POLICIES, "null"], 3, out=tmp_path / "out", **FAST)
    d = s.differences().query("kpi == 'delivered_pflops_days'")
    assert list(d["p_holm"]) == pytest.approx(list(holm(d["p"])))


def test_report_goes_into_the_folder_given(study, tmp_path):
    page = study.report(tmp_path / "pages")
    assert page == tmp_path / "pages" / "report.html" and "verdict" in page.read_text()


def test_more_replications_extend_the_default_folder_and_recompute_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = runs.compare("tiny", POLICIES, 2, **FAST)
    more = runs.compare("tiny", POLICIES, 4, **FAST)
    assert more.folder == first.folder
    assert (more.run.already_done, more.run.computed) == (4, 4)
    assert len(more.summary) == 8
    old = first.summary.drop(columns="wall_seconds").set_index("key")
    new = more.summary.drop(columns="wall_seconds").set_index("key").loc[old.index]
    pd.testing.assert_frame_equal(old, new)
    again = runs.compare("tiny", POLICIES, 2, **FAST)     # fewer: the study holds the plan's units only
    assert (again.run.already_done, again.run.computed) == (4, 0) and len(again.summary) == 4


def test_sweep_gives_statistics_per_variant(tmp_path):
    experiment = {"name": "s", "scenario": "tiny", "years": 1, "seed": 3, "replications": 2,
                  "axes": {"servicing.servicers": [0, 1]}, "policies": [{"name": p} for p in POLICIES]}
    path = tmp_path / "exp.yaml"
    path.write_text(json.dumps(experiment))
    s = runs.sweep(path, out=tmp_path / "out", backend="serial")
    table = s.table(["cost_total_usd"])
    assert len(table) == 2 * 2 * 2 and sorted(table["servicing.servicers"].unique()) == [0, 1]
    for servicers, rows in s.summary.groupby("servicing.servicers"):
        got = table.query("kpi == 'cost_total_usd' and policy == 'replenish'").set_index("servicing.servicers")
        want = rows[rows["policy"] == "replenish"]["cost_total_usd"].mean()
        assert got.loc[servicers, "mean"] == pytest.approx(want)
    assert s.verdict().count("verdict on") == 2


def test_unknown_kpi_is_named(study):
    with pytest.raises(InputError, match="'nope'"):
        study.table(["nope"])


def _cmd(tmp_path, *extra):
    return fleet("compare", "tiny", "--policies", ",".join(POLICIES), "--replications", "3", "--years", "1",
                 "--backend", "serial", "--no-progress", "--out", str(tmp_path / "out"), *extra, cwd=tmp_path)


def test_output_opens_with_the_objective_and_verdict_and_kpis_filter_the_rest(tmp_path):
    r = _cmd(tmp_path, "--kpis", "cost_total_usd")
    assert r.returncode == 0, r.stderr
    body = r.stdout.split("\n\n", 1)[1]
    blocks = body.strip().split("\n\n")
    assert blocks[0].startswith("delivered_pflops_days") and blocks[1].startswith("verdict on delivered")
    assert blocks[2].startswith("cost_total_usd") and len(blocks) == 3
    assert "mean_availability" not in r.stdout


def test_json_and_csv_formats_hold_only_the_data(tmp_path):
    r = _cmd(tmp_path, "--format", "json", "--kpis", "cost_total_usd")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["objective"] == "delivered_pflops_days" and data["baseline"] == "replenish"
    assert {row["kpi"] for row in data["rows"]} == {"delivered_pflops_days", "cost_total_usd"}
    assert "results:" in r.stderr
    c = _cmd(tmp_path, "--format", "csv")
    table = pd.read_csv(io.StringIO(c.stdout))
    assert table["kpi"].iloc[0] == "delivered_pflops_days" and len(table) % 2 == 0
    assert "2 found done" not in c.stdout and "6 found done" in c.stderr


def test_param_sets_a_policy_parameter(tmp_path):
    r = _cmd(tmp_path, "--param", "service-on-threshold.threshold_fraction=0.01", "--format", "json")
    assert r.returncode == 0, r.stderr
    policies = {row["policy"] for row in json.loads(r.stdout)["rows"]}
    assert policies == {"replenish", "service-on-threshold[threshold_fraction=0.01]"}
    default = fleet("compare", "tiny", "--policies", ",".join(POLICIES), "--replications", "3", "--years", "1",
                    "--backend", "serial", "--no-progress", "--format", "json", cwd=tmp_path)

    def means(out: str) -> np.ndarray:
        rows = json.loads(out)["rows"]
        return np.array([row["mean"] for row in rows if row["policy"].startswith("service-on-threshold")],
                        dtype=float)

    assert not np.allclose(means(r.stdout), means(default.stdout), equal_nan=True)


@pytest.mark.parametrize("option, named", [("nope.x=1", "'nope'"), ("replenish.bogus=1", "bogus"),
                                           ("replenish=1", "NAME.KEY=VALUE"),
                                           ("replenish.trigger_fraction=[1]", "one value")])
def test_bad_param_exits_2_naming_it(tmp_path, option, named):
    r = _cmd(tmp_path, "--param", option)
    assert r.returncode == 2 and named in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


def test_sweep_command_formats(tmp_path):
    experiment = {"name": "s", "scenario": "tiny", "years": 1, "seed": 3, "replications": 2,
                  "axes": {"servicing.servicers": [0, 1]}, "policies": [{"name": p} for p in POLICIES],
                  "objectives": ["delivered_pflops_days", "cost_total_usd"]}
    path = tmp_path / "exp.yaml"
    path.write_text(json.dumps(experiment))
    r = fleet("sweep", str(path), "--out", str(tmp_path / "out"), "--backend", "serial", "--no-progress",
              "--format", "csv", "--kpis", "launches", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    table = pd.read_csv(io.StringIO(r.stdout))
    assert set(table["kpi"]) == {"delivered_pflops_days", "launches"}
    assert sorted(table["servicing.servicers"].unique()) == [0, 1]


def test_compare_command_survives_a_kpi_nan_for_some_policies(tmp_path):
    """The crash of issue 14: a KPI NaN in every replication of two policies but not of the third."""
    three = ["replenish", "service-on-threshold", "null"]
    args = ["compare", "tiny", "--policies", ",".join(three), "--replications", "2", "--years", "0.5",
            "--backend", "serial", "--no-progress", "--out", "out", "--kpis", "orbit_cheaper_from_year"]
    assert fleet(*args, cwd=tmp_path).returncode == 0
    for path in (tmp_path / "out" / "units").glob("*.parquet"):
        row = pd.read_parquet(path)
        row["orbit_cheaper_from_year"] = 2031.0 if row["policy"].iloc[0] == "null" else np.nan
        row.to_parquet(path, index=False)
    r = fleet(*args, cwd=tmp_path)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert "6 found done, 0 computed" in r.stdout
    table = r.stdout.split("orbit_cheaper_from_year\n", 1)[1]
    assert table.count("NaN in all 2 runs") == 2 and "no pairs with values" in table


def test_unknown_kpi_on_the_command_line_exits_2(tmp_path):
    r = _cmd(tmp_path, "--kpis", "cost_total_usd,nope")
    assert r.returncode == 2 and "'nope'" in r.stderr and "Traceback" not in r.stderr


def test_a_units_row_reads_back_from_the_store_as_a_dataframe_of_it(tmp_path):
    from runs.studies.store import unit_row
    from runs.studies.workunits import run_unit
    from runs.study import compare_plan

    study = runs.compare("tiny", ["null", "replenish"], replications=2, years=0.2, out=tmp_path / "cmp",
                         backend="serial", progress=False)
    for unit in compare_plan("tiny", ["null", "replenish"], 2, years=0.2).units:
        expected = pd.DataFrame([unit_row(unit, run_unit(unit).summary)]).drop(columns="wall_seconds")
        stored = study.summary[study.summary.key == unit.key].drop(columns="wall_seconds").reset_index(drop=True)
        pd.testing.assert_frame_equal(stored, expected)    # every column, its value and its dtype
