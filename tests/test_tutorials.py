"""Every tutorial runs to completion and opens as a notebook; the checks of what each one shows live here,
not in visible cells; each ends with exercises whose solutions (docs/tutorials/solutions/) run too."""
import os
import re
import runpy
from pathlib import Path

import jupytext
import numpy as np
import pytest

import golden
from runs import plots
from tests.commands import REPO

TUTORIALS = sorted((REPO / "docs" / "tutorials").glob("*.py"))
SOLUTIONS = sorted((REPO / "docs" / "tutorials" / "solutions").glob("*.py"))


def check_01(ns: dict) -> None:
    assert ns["result"].summary["modules_launched"] >= 4
    assert "leaves with 4 modules" in ns["story"] and "trip 1 sent" in ns["story"]
    assert Path("results/tiny-seed1-watch.html").stat().st_size > 10_000


def check_02(ns: dict) -> None:
    units, _ = plots.failures_by_cause(ns["result"].events)
    assert units.sum() == ns["result"].summary["unit_failures"]
    assert ns["means"].loc[0.1, "trips"] > ns["means"].loc[0.5, "trips"]


def check_03(ns: dict) -> None:
    assert len(ns["study"].summary) == 20 and (ns["study"].table(ns["kpis"])["n"] == 10).all()
    assert ns["paired"].n == 10


def check_04(ns: dict) -> None:
    assert ns["result"].policy.params() == {"review_interval_days": 180.0, "min_failed": 2}
    assert "boards down, the most" in ns["narrative"](ns["result"])


def check_05(ns: dict) -> None:
    paper, realistic, steps = ns["paper"], ns["realistic"], ns["steps"]
    assert round(paper.summary["cost_total_usd"] / 1e6, 1) == 8.2
    assert round(paper.summary["earth_cost_total_usd"] / 1e6) == 167
    assert paper.summary["orbit_to_earth_cost_ratio"] < 1 < realistic.summary["orbit_to_earth_cost_ratio"]
    assert steps.loc["hardware", "ratio"] > 1 > steps.loc["launch", "ratio"]
    ratios = ns["study"].settings.sort_values("launch_price")["ratio_mean"].to_numpy()
    assert (ratios[1:] >= ratios[:-1]).all()     # cheaper launches never raise orbit's cost ratio


CHECKS = {"01": check_01, "02": check_02, "03": check_03, "04": check_04, "05": check_05}


def test_there_are_five_tutorials_each_with_its_solutions():
    assert [p.name[:2] for p in TUTORIALS] == ["01", "02", "03", "04", "05"]
    assert [p.name for p in SOLUTIONS] == [p.name for p in TUTORIALS]


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_runs_and_shows_what_it_says(path, tmp_path, monkeypatch, capsys):
    """...and prints what its golden file (tests/golden/) says, compared here rather than in a second run."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    assert out.strip()
    CHECKS[path.name[:2]](namespace)
    golden.assert_matches(f"tutorial-{path.stem}", golden.mask(out, str(tmp_path)))


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_is_a_notebook_for_students(path):
    """Markdown and code cells, no visible checks, figures inline, and two or three exercises at the end."""
    notebook = jupytext.read(path)
    kinds = {cell.cell_type for cell in notebook.cells}
    assert kinds == {"markdown", "code"} and len(notebook.cells) >= 5
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert not any(re.search(r"^\s*assert\b", source, re.M) for source in code)
    if any("plots." in source for source in code):
        assert code[0].startswith("%matplotlib inline")        # the magic, uncommented in the notebook
    last = notebook.cells[-1]
    assert last.cell_type == "markdown" and "## Exercises" in last.source
    assert len(re.findall(r"^# ?\d\. |^\d\. ", last.source, re.M)) in (2, 3)
    assert f"solutions/{path.name}" in last.source


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_solutions_run(path, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out.strip()


def test_plots_module_sets_no_backend(tmp_path):
    """Importing runs.plots leaves the backend a user (or Jupyter) chose."""
    import subprocess
    import sys

    from tests.commands import repo_env

    code = "import matplotlib; import runs.look.plots; print(matplotlib.get_backend())"
    done = subprocess.run([sys.executable, "-c", code], env=repo_env(MPLBACKEND="svg"), cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "svg"


def test_tutorial_1_draws_its_figure_inline_in_a_kernel(tmp_path, monkeypatch):
    """Run as a notebook in a Jupyter kernel, tutorial 1's plot cell outputs a PNG."""
    nbclient = pytest.importorskip("nbclient", reason="nbclient (test extra) runs notebooks")
    pytest.importorskip("ipykernel", reason="ipykernel (test extra) runs notebooks")
    monkeypatch.setenv("PYTHONPATH", str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    notebook = jupytext.read(TUTORIALS[0])
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    images = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert len(images) >= 1
    assert all(o.get("output_type") != "error" for cell in notebook.cells for o in cell.get("outputs", []))
    assert np.all([len(o["data"]["image/png"]) > 1000 for o in images])
