"""bench/gigawatt.py runs end to end on a short horizon (here its floor check runs while the first
fleet is still launching) and its last line gives every figure its docstring names, consistently."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.commands import REPO, repo_env

FIGURES = ("wall_seconds", "gigawatt_runs_seconds", "events", "events_per_second", "peak_rss_mb", "ten_gw_seconds",
           "ten_gw_to_gigawatt", "ten_gw_events_to_gigawatt", "ten_gw_per_event_to_gigawatt", "ten_gw_peak_rss_mb",
           "floor_seconds", "engine_to_floor", "speedup_vs_naive")


def test_the_benchmark_prints_every_figure_and_its_ratios_agree():
    done = subprocess.run([sys.executable, "bench/gigawatt.py", "--years", "0.5", "--pairs", "1", "--floor-pairs",
                           "1", "--gigawatt-runs", "1", "--engine-reps", "2"],
                          cwd=REPO, env=repo_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.splitlines()[-1])
    assert set(FIGURES) <= set(figures)
    assert "same KPIs and event counts" in done.stdout          # the floor was checked against the engine
    more_events = figures["ten_gw_events"] / figures["events"]
    assert figures["ten_gw_events_to_gigawatt"] == pytest.approx(more_events, abs=0.005)
    assert figures["ten_gw_to_gigawatt"] == pytest.approx(figures["ten_gw_seconds"] / figures["wall_seconds"],
                                                           rel=0.01)
    assert figures["ten_gw_per_event_to_gigawatt"] == pytest.approx(figures["ten_gw_to_gigawatt"] / more_events,
                                                                     rel=0.02, abs=0.01)
    assert figures["ten_gw_events"] > 5 * figures["events"] > 0
