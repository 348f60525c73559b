"""`fleet watch`: the page's data is the replication's event log and timeline, and the page stands alone."""
import json
import re

import numpy as np
import pytest

from runs import simulate
from runs.look.watch import MAX_MODULES, cluster_states, module_count, watch_data, watch_html
from tests.commands import fleet


def embedded(page: str) -> dict:
    text = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1)
    return json.loads(text)


@pytest.mark.parametrize("name, years, seed", [("tiny", None, 3), ("baseline", 4, 1)])
def test_cluster_states_replay_the_log_to_the_timeline(name, years, seed):
    """Replaying the log cluster by cluster gives, at every sample, the modules operational and boards alive
    that the engine sampled itself."""
    result = simulate(name, seed=seed, years=years)
    s, timeline = result.scenario, result.timeline
    states = cluster_states(result.events, timeline["time_days"].to_numpy(), s.fleet.clusters, s.fleet.module.units)
    assert np.array_equal(np.sum(states["operational"], axis=1), timeline["modules_operational"].to_numpy())
    assert np.array_equal(np.sum(states["alive"], axis=1), timeline["units_alive"].to_numpy())
    failed = np.sum(states["failed"], axis=1)
    assert failed[-1] == (result.events["kind"] == "module_failure").sum()
    assert (np.diff(failed) >= 0).all()


def test_a_small_fleet_ships_every_event_of_its_log():
    result = simulate("tiny", seed=0)
    data = watch_data(result)
    events = result.events
    assert not data["aggregate"] and "cluster_states" not in data
    assert len(data["events"]["t"]) == len(events)
    kinds = [data["kinds"][k] for k in data["events"]["k"]]
    assert kinds == events["kind"].astype(str).tolist()
    assert data["events"]["m"] == events["module"].tolist()
    assert [data["texts"][d] for d in data["events"]["d"]] == events["detail"].astype(str).tolist()
    assert data["timeline"]["operational"] == result.timeline["modules_operational"].tolist()
    assert data["modules"] == module_count(events) <= MAX_MODULES


def test_above_200_modules_the_page_draws_clusters_and_leaves_board_failures_out():
    result = simulate("baseline", seed=0, years=2)
    assert module_count(result.events) > MAX_MODULES
    data = watch_data(result)
    assert data["aggregate"]
    assert "unit_failure" not in {data["kinds"][k] for k in data["events"]["k"]}
    assert data["unit_failures"] == result.summary["unit_failures"]
    assert len(data["cluster_states"]["operational"]) == len(result.timeline)


def test_the_page_stands_alone():
    page = watch_html(simulate("tiny", seed=0, years=2))
    assert not re.search(r"https?://", page), "no link to the network"
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(", page), "no other file"
    assert embedded(page)["title"] == "tiny"


def test_fleet_watch_writes_the_page(tmp_path):
    done = fleet("watch", "tiny", "--years", "1", "--seed", "2", "--policy", "replenish", "--out", "w.html",
                 cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "w.html" in done.stdout
    data = embedded((tmp_path / "w.html").read_text())
    assert data["seed"] == 2 and data["policy"].startswith("replenish")
    assert data["horizon_days"] == pytest.approx(365.25)


@pytest.mark.parametrize("out, words", [("page.txt", "ending in .html"), ("nowhere/w.html", "does not exist"),
                                        (".", "is a folder")])
def test_fleet_watch_refuses_a_bad_out(tmp_path, out, words):
    done = fleet("watch", "tiny", "--out", out, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"--out {out}" in done.stderr and words in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option, value, words", [("--years", "0", "--years must be positive"),
                                                  ("--seed", "-1", "--seed must be a non-negative")])
def test_fleet_watch_refuses_bad_numbers(tmp_path, option, value, words):
    done = fleet("watch", "tiny", option, value, "--out", "w.html", cwd=tmp_path)
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "w.html").exists()
