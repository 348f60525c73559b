"""`fleet report` writes one self-contained HTML page with every plot and the summary table."""
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fleet.errors import InputError
from fleet.scenario import parse_scenario
from runs import load_results, load_scenario, simulate
from runs.look import plots
from runs.look.report import write_report
from runs.studies.stats import compare
from tests.commands import fleet

RUN_PLOTS = ("Capacity against demand", "Modules by state", "Failures by cause", "Servicers",
             "Ground backlog and data lost", "Cumulative cost", "Eclipse seasons", "Passes over the stations")


def assert_self_contained(page: str) -> None:
    assert not re.search(r"https?://", page), "no link to the network"
    assert "<script" not in page and "<link" not in page and "@import" not in page and "url(" not in page
    for src in re.findall(r"src='([^']*)'", page):
        assert src.startswith("data:image/png;base64,")


def figures(page: str) -> list[str]:
    return re.findall(r"<figure><img alt='[^']*' src='data:image/png;base64,[A-Za-z0-9+/=]{1000,}'>"
                      r"<figcaption>([^<]*)</figcaption></figure>", page)


def test_run_report_from_fleet_run_and_fleet_report(tmp_path):
    done = fleet("run", "tiny", "--years", "1", "--seed", "2", "--out", "out", "--report", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page_path = tmp_path / "out" / "report.html"
    assert f"report: {Path('out') / 'report.html'}" in done.stdout
    page = page_path.read_text()
    assert figures(page) == list(RUN_PLOTS)
    assert_self_contained(page)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert "<th>delivered compute</th>" in page and f"{summary['delivered_pflops_days']:,.0f} PFLOPS-days" in page
    assert "<th>mean availability</th>" in page and "<th>target power</th>" in page
    assert "@media print" in page
    page_path.unlink()
    again = fleet("report", "out", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert figures(page_path.read_text()) == list(RUN_PLOTS)


def test_report_of_something_else_is_bad_input(tmp_path):
    with pytest.raises(InputError, match="not a results folder"):
        write_report(tmp_path)
    done = fleet("report", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert done.returncode == 2 and "no such folder" in done.stderr and "Traceback" not in done.stderr


KPIS = ("delivered_pflops_days", "mean_availability", "cost_total_usd", "cost_per_pflops_day_usd")


def study(folder: Path, axes: dict[str, list] | None = None, manifest: dict | None = None) -> Path:
    """A comparison (or, with axes, a sweep) folder: one summary row per (variant, policy, replication)."""
    base = load_scenario("tiny").model_dump(mode="json")
    variants = [{}]
    for name, values in (axes or {}).items():
        variants = [dict(v, **{name: x}) for v in variants for x in values]
    rows = []
    for variant in variants:
        data = json.loads(json.dumps(base))
        data["horizon_years"] = 1
        for name, value in variant.items():
            section, field = name.split(".")
            data[section][field] = value
        scenario = parse_scenario(data, "variant")
        for policy in ("replenish", "service-on-threshold"):
            for rep in range(3):
                s = simulate(scenario, seed=rep, policy=policy).summary
                rows.append({"policy": policy, "replication": rep, **variant, **{k: s[k] for k in KPIS}})
    folder.mkdir()
    pd.DataFrame(rows).to_parquet(folder / "summary.parquet", index=False)
    if manifest:
        (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_comparison_report(tmp_path):
    folder = study(tmp_path / "cmp")
    page = write_report(folder).read_text()
    assert figures(page) == ["KPIs by policy", "Paired differences from replenish"]
    assert_self_contained(page)
    assert "comparison: 2 policies, 3 replications" in page
    table = pd.read_parquet(folder / "summary.parquet")
    mean = table.loc[table.policy == "replenish", "mean_availability"].mean()
    assert f"{mean:.1%}<br>± " in page                       # the summary table: mean ± CI per policy


def test_sweep_report_draws_the_objective_over_two_axes(tmp_path):
    folder = study(tmp_path / "sweep", axes={"servicing.trip_days": [30, 90], "servicing.units_per_trip": [8, 32]},
                   manifest={"baseline": "service-on-threshold", "objective": "mean_availability"})
    page = write_report(folder).read_text()
    assert figures(page) == [
        "mean availability: paired differences from service-on-threshold, per variant",
        *[f"KPIs by policy: servicing.trip_days = {t}, servicing.units_per_trip = {u}" for t in (30, 90)
          for u in (8, 32)],
        "mean availability over servicing.trip_days and servicing.units_per_trip: replenish",
        "mean availability over servicing.trip_days and servicing.units_per_trip: service-on-threshold"]
    assert_self_contained(page)
    assert "<th>servicing.trip_days</th>" in page and "sweep: 2 policies" in page


def test_fleet_compare_report_reads_the_results_store(tmp_path):
    done = fleet("compare", "tiny", "--policies", "replenish,service-on-threshold", "--replications", "3",
                 "--years", "1", "--out", "cmp", "--report", "--backend", "serial", "--no-progress", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"report: {Path('cmp') / 'report.html'}" in done.stdout
    page = (tmp_path / "cmp" / "report.html").read_text()
    assert figures(page) == ["KPIs by policy", "Paired differences from replenish"]
    assert_self_contained(page)
    assert "comparison: 2 policies, 3 replications" in page
    assert "<th>target power</th>" in page                  # the base scenario, found from the manifest
    summary = load_results(tmp_path / "cmp").summary
    mean = summary.loc[summary.policy == "replenish", "cost_total_usd"].mean()
    assert f"${mean / 1e6:,.2f}M<br>± " in page                # the summary table: mean ± CI per policy


SWEEP = """name: tiny-sweep
scenario: tiny
years: 1
seed: 7
replications: 2
axes:
  servicing.trip_days: [30, 90]
  servicing.units_per_trip: [8, 32]
policies:
  - name: replenish
  - name: service-on-threshold
baseline: service-on-threshold
objectives: [mean_availability]
"""


def test_fleet_report_on_a_sweep_folder(tmp_path):
    (tmp_path / "exp.yaml").write_text(SWEEP)
    done = fleet("sweep", "exp.yaml", "--out", "sw", "--backend", "serial", "--no-progress", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "sw" / "report.html").exists()
    again = fleet("report", "sw", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    page = (tmp_path / "sw" / "report.html").read_text()
    assert figures(page) == [                              # baseline and objective from the manifest
        "mean availability: paired differences from service-on-threshold, per variant",
        *[f"KPIs by policy: servicing.trip_days = {t}, servicing.units_per_trip = {u}" for t in (30, 90)
          for u in (8, 32)],
        "mean availability over servicing.trip_days and servicing.units_per_trip: replenish",
        "mean availability over servicing.trip_days and servicing.units_per_trip: service-on-threshold"]
    assert_self_contained(page)
    assert "sweep: 2 policies, 2 replications, axes servicing.trip_days, servicing.units_per_trip" in page
    assert "<th>servicing.<wbr>trip_<wbr>days</th>" in page and "<th>target power</th>" in page
    rows = re.findall(r"<tr><td class='key'>", page)
    assert len(rows) == 2 * 2 * 2                          # one summary row per (policy, variant)


def test_report_of_a_store_without_finished_units_is_bad_input(tmp_path):
    (tmp_path / "units").mkdir()
    (tmp_path / "manifest.json").write_text(json.dumps({"axes": [], "policies": ["replenish"]}))
    with pytest.raises(InputError, match="no finished units"):
        write_report(tmp_path)


def test_comparison_report_gives_the_verdict_with_p_values_and_holm(tmp_path):
    folder = study(tmp_path / "cmp")
    page = write_report(folder).read_text()
    table = pd.read_parquet(folder / "summary.parquet")
    stats = compare(table, ["cost_per_pflops_day_usd"], "replenish").set_index("policy")
    row = stats.loc["service-on-threshold"]
    assert "<h2>Verdict on cost per PFLOPS-day</h2>" in page and "Holm-corrected over the 1 policy" in page
    cells = [f"<td>{row.p:.4f}</td>", f"<td>{row.p_holm:.4f}</td>", f"<td>{row.verdict}</td>"]
    assert "".join(cells) in page


def test_sweep_report_differences_per_variant_on_one_scale(tmp_path):
    folder = study(tmp_path / "sweep", axes={"servicing.trip_days": [30, 90]},
                   manifest={"baseline": "replenish", "objective": "mean_availability"})
    table = pd.read_parquet(folder / "summary.parquet")
    grid = plots.variant_differences_grid(table, "mean_availability", "replenish", ["servicing.trip_days"])
    for trip, group in table.groupby("servicing.trip_days"):
        wide = group.pivot(index="replication", columns="policy", values="mean_availability")
        want = (wide["service-on-threshold"] - wide["replenish"]).mean()
        assert grid.loc[f"servicing.trip_days = {trip}", "service-on-threshold"] == pytest.approx(want)
    fig = plots.variant_differences(table, "mean_availability", "replenish", ["servicing.trip_days"])
    image = fig.axes[0].images[0]
    bound = float(np.nanmax(np.abs(grid.to_numpy(dtype=float))))
    assert image.get_clim() == pytest.approx((-bound, bound))      # one scale, centred on zero
    page = write_report(folder).read_text()
    assert page.count("Holm-corrected") == 1 and "within each variant" in page
    assert page.count("<td>service-on-threshold</td>") == 2                # a verdict row per variant
