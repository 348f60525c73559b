"""One replication is a function of (scenario, policy, seed): in one process, across processes with
different PYTHONHASHSEED, and with common random numbers across policies."""
from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
import yaml

from events.world import World
from fleet.hardware import catalog
from fleet.scenario import modules_for_target, parse_scenario
from policies.service_on_threshold import ServiceOnThreshold
from runs.api import SCENARIO_DIR, simulate
from tests.commands import repo_env


def tiny_dict() -> dict:
    return yaml.safe_load((SCENARIO_DIR / "tiny.yaml").read_text())


def rich_dict() -> dict:
    """tiny with every source of randomness switched on: several clusters and stations, storms,
    debris, radiation, unreliable launches and trips, a Weibull-free exponential unit model."""
    d = tiny_dict()
    d["name"] = "tiny-rich"
    d["horizon_years"] = 3
    d["fleet"]["clusters"] = 2
    d["fleet"]["target_power_mw"] = 0.128          # 8 modules
    d["launch"]["vehicles"][0]["success_probability"] = 0.7
    d["failures"]["unit"]["rate_per_year"] = 0.3
    d["failures"]["solar_particle_events"] = {"mean_rate_per_year": 2.0, "unit_kill_probability": 0.1,
                                              "module_fraction_hit": 0.5}
    d["failures"]["debris"] = {"strikes_per_module_year": 0.05}
    d["failures"]["radiation"] = {"dose_rate_rad_per_year": 1000, "hazard_per_year_per_krad": 0.05}
    d["servicing"]["servicers"] = 2
    d["servicing"]["success_probability"] = 0.8
    return d


RICH = parse_scenario(rich_dict(), "rich")


def without_wall(summary: dict) -> dict:
    s = dict(summary)
    s.pop("wall_seconds")
    return s


def assert_same(a, b) -> None:
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.timeline, b.timeline)
    assert without_wall(a.summary) == without_wall(b.summary)


@pytest.mark.parametrize("policy", ["replenish", "service-on-threshold"])
def test_same_inputs_same_results_in_one_process(policy):
    first = simulate(RICH, seed=11, policy=policy)
    # another replication in between must not leave anything behind
    simulate(RICH, seed=12, policy="service-on-threshold" if policy == "replenish" else "replenish")
    again = simulate(RICH, seed=11, policy=policy)
    kinds = set(first.events["kind"].astype(str))
    assert {"launch_failure", "space_weather", "unit_failure", "commissioned"} <= kinds
    assert_same(first, again)


def test_shipped_tiny_is_deterministic():
    assert_same(simulate("tiny", seed=4), simulate("tiny", seed=4))


def test_different_seeds_differ():
    a, b = simulate(RICH, seed=1), simulate(RICH, seed=2)
    assert not a.events.equals(b.events)
    assert without_wall(a.summary) != without_wall(b.summary)


# ----- across processes ---------------------------------------------------------------------------
CHILD = r"""
import hashlib, io, json, sys
import pandas as pd
from runs.api import load_scenario, simulate
r = simulate(load_scenario(sys.argv[1]), seed=int(sys.argv[2]))
r.save(sys.argv[3])
s = dict(r.summary); s.pop("wall_seconds")
def digest(frame):
    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()
print(json.dumps({"summary": s,
                  "events": digest(pd.read_parquet(sys.argv[3] + "/events.parquet")),
                  "timeline": digest(pd.read_parquet(sys.argv[3] + "/timeline.parquet"))}))
"""


def test_same_results_in_fresh_processes_with_different_hash_seeds(tmp_path):
    scenario_file = tmp_path / "rich.yaml"
    scenario_file.write_text(yaml.safe_dump(rich_dict(), sort_keys=False))

    def child(hash_seed: str):
        env = repo_env(PYTHONHASHSEED=hash_seed)
        out = tmp_path / f"out{hash_seed}"
        proc = subprocess.run([sys.executable, "-c", CHILD, str(scenario_file), "5", str(out)], env=env,
                              capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.strip().splitlines()[-1]), out

    with ThreadPoolExecutor(max_workers=2) as pool:
        (a, out_a), (b, out_b) = pool.map(child, ["0", "4242"])
    assert a == b
    # and the parquet files hold identical frames
    for name in ("events.parquet", "timeline.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(out_a / name), pd.read_parquet(out_b / name))
    # the same as this process (whatever its hash seed)
    here = simulate(RICH, seed=5)
    assert a["summary"] == json.loads(json.dumps(without_wall(here.summary)))
    assert a["events"] == hashlib.sha256(
        pd.read_parquet(out_a / "events.parquet").to_csv(index=False).encode()).hexdigest()


# ----- common random numbers ----------------------------------------------------------------------
def crn_scenario(trips: str = "fixed", servicing_success: float = 1.0):
    """Several modules in two clusters, unreliable launches, frequent unit failures, servicing that
    never fails (by default): the two library policies diverge quickly yet share their random
    numbers. `trips`: the servicing trip time distribution."""
    d = tiny_dict()
    d["name"] = "tiny-crn"
    d["fleet"]["clusters"] = 2
    d["launch"]["vehicles"][0]["success_probability"] = 0.6
    d["failures"]["unit"]["rate_per_year"] = 0.3
    d["servicing"]["success_probability"] = servicing_success
    d["servicing"]["servicers"] = 2
    d["servicing"]["trip_time_distribution"] = trips
    return parse_scenario(d, "crn")


CRN_SEED = 0
CRN_SEEDS = range(6)
TRIP_TIMES = ["fixed", "exponential"]


@pytest.fixture(scope="module", params=TRIP_TIMES)
def paired(request):
    sc = crn_scenario(request.param)
    return (simulate(sc, seed=CRN_SEED, policy="replenish"),
            simulate(sc, seed=CRN_SEED, policy="service-on-threshold"))


def _outcomes(r, kinds: list[str]) -> list[str]:
    """Kinds of the rows of `kinds`, in the order they happened, one per `ref` (cargo riding a module
    flight shares its ref: one flight, one draw)."""
    e = r.events
    rows = e.loc[e["kind"].isin(kinds)]
    return rows.loc[~rows["ref"].duplicated() | (rows["ref"] < 0), "kind"].astype(str).tolist()


def assert_paired_prefixes_equal(pairs: list[tuple[list[str], list[str]]], outcomes: set[str]) -> None:
    """Each pair of outcome sequences agrees on its common prefix; pooled over the pairs (seeds),
    the prefixes compared hold every outcome in `outcomes`, so the agreement means something
    whatever the seeds happen to draw (a rare outcome seen in no seed would fail loudly, not pass)."""
    compared = []
    for a, b in pairs:
        n = min(len(a), len(b))
        assert a[:n] == b[:n]
        compared += a[:n]
    assert set(compared) == outcomes, f"the paired runs compared only {set(compared)}"


@pytest.mark.parametrize("trips", TRIP_TIMES)
def test_crn_launches_fail_alike_under_both_policies(trips):
    """The i-th launch fails under one policy iff it fails under the other, over several seeds.
    Flights of modules (`launch`) and of cargo (`resupply`) draw from the same stream, in the order
    they fly, so a flight's outcome is read whatever it carried."""
    sc = crn_scenario(trips)
    flown = {"launch": "launch", "resupply": "launch", "launch_failure": "launch_failure",
             "resupply_failure": "launch_failure"}
    pairs = [tuple([flown[k] for k in _outcomes(simulate(sc, seed=s, policy=p), list(flown))]
                   for p in ("replenish", "service-on-threshold")) for s in CRN_SEEDS]
    assert_paired_prefixes_equal(pairs, {"launch", "launch_failure"})


@pytest.mark.parametrize("trips", TRIP_TIMES)
def test_crn_servicing_outcomes_alike_under_two_policies(trips):
    """The i-th servicing outcome (in the order the work happens) is the same under two policies
    that send different trips at different times: every trip serves one module, which has failed
    units and cannot die (no bus failures, no debris), so each trip logs exactly one outcome row."""
    sc = crn_scenario(trips, servicing_success=0.7)
    d = sc.model_dump(mode="json")
    d["fleet"]["clusters"] = 4                                   # one module per cluster: one per trip
    d["failures"]["bus"] = {"distribution": "exponential", "rate_per_year": 0.0}
    d["fleet"]["module"]["design_life_years"] = 100
    first = parse_scenario(d, "crn-servicing")
    d["demand"] = {"unit": "pflops", "level": modules_for_target(first) * first.fleet.module.units   # the initial
                   * catalog(first)[0].pflops_per_unit}     # fleet's compute: no module is added, one per cluster
    sc = parse_scenario(d, "crn-servicing")
    policies = (ServiceOnThreshold(threshold_fraction=0.1), ServiceOnThreshold(threshold_fraction=0.3))
    pairs = []
    for s in CRN_SEEDS:
        a, b = (simulate(sc, seed=s, policy=p) for p in policies)
        for r in (a, b):
            dispatched = r.events[r.events["kind"] == "servicing_dispatch"]
            assert (dispatched["count"] == 1).all()
            assert len(_outcomes(r, ["servicing", "servicing_failure"])) <= len(dispatched)
        assert a.summary["servicing_trips"] > b.summary["servicing_trips"]      # different trips
        pairs.append(tuple(_outcomes(r, ["servicing", "servicing_failure"]) for r in (a, b)))
    assert_paired_prefixes_equal(pairs, {"servicing", "servicing_failure"})


def test_crn_first_installation_units_die_alike_under_both_policies(paired):
    """Every module of the initial fleet (ordered at day 0 by both) that reached orbit under both
    policies was commissioned on the same day and loses the same units on the same days until
    either policy first services it, whichever modules the seed happens to lose at launch."""
    replenish, threshold = paired

    def commissioned(r) -> dict[int, float]:
        e = r.events
        rows = e[e["kind"] == "commissioned"]
        return dict(zip(rows["module"].tolist(), rows["time_days"].tolist()))

    def first_service(r, m: int) -> float:
        e = r.events
        t = e.loc[(e["module"] == m) & e["kind"].isin(["servicing", "upgrade"]), "time_days"]
        return float(t.min()) if len(t) else float("inf")

    def failures(r, m: int, until: float) -> pd.DataFrame:
        e = r.events
        rows = e[(e["kind"] == "unit_failure") & (e["module"] == m) & (e["time_days"] < until)]
        return rows[["time_days", "count"]].reset_index(drop=True)

    ca, cb = commissioned(replenish), commissioned(threshold)
    both = sorted(set(ca) & set(cb) & set(range(modules_for_target(crn_scenario()))))
    compared = 0
    for m in both:
        assert ca[m] == cb[m]                  # the same launch outcomes commission it on the same day
        until = min(first_service(replenish, m), first_service(threshold, m))
        fa, fb = failures(replenish, m, until), failures(threshold, m, until)
        pd.testing.assert_frame_equal(fa, fb)
        compared += int(fa["count"].sum())
    # the comparison means something: failures of a 16-unit module at 0.3/yr over years
    assert compared >= 3


def test_crn_policies_do_differ(paired):
    """Guard: the paired runs are different runs (else the two tests above prove nothing)."""
    a, b = paired
    assert a.summary["servicing_trips"] == 0 < b.summary["servicing_trips"]
    assert not a.events.equals(b.events)


def test_unit_lifetimes_do_not_depend_on_other_streams():
    """One weather stream fewer (a station removed) and other costs: every unit failure is
    unchanged, since every stream is independent of which other streams exist."""
    base = crn_scenario()
    d = copy.deepcopy(base.model_dump(mode="json"))
    d["ground"]["stations"] = d["ground"]["stations"][:1]          # fewer weather streams
    d["economics"]["operations_usd_per_module_year"] = 1.0        # costs do not draw numbers
    other = parse_scenario(d, "crn2")
    a = simulate(base, seed=CRN_SEED, policy="replenish")
    b = simulate(other, seed=CRN_SEED, policy="replenish")

    def failures(r):
        e = r.events
        return e.loc[e["kind"] == "unit_failure", ["module", "time_days", "count"]].reset_index(drop=True)

    assert len(failures(a)) >= 3
    pd.testing.assert_frame_equal(failures(a), failures(b))


@pytest.mark.parametrize("radiation", [False, True])
def test_an_installations_units_get_the_same_lifetimes_however_many_are_drawn(radiation):
    """Unit k of installation i of module m gets one lifetime, whether 3 or all units are replaced
    and whether drawn alone or with other modules' units: common random numbers for repairs."""
    d = rich_dict()
    if not radiation:
        d["failures"]["radiation"] = None
    world = World(parse_scenario(d, "draws"), seed=5)
    units = world.table.units
    whole = world.unit_end_days([(3, 2, units)], 10.0)
    assert np.array_equal(world.unit_end_days([(3, 2, 3)], 10.0), whole[:3])
    together = world.unit_end_days([(7, 0, 2), (3, 2, 4), (3, 1, units)], 10.0)
    assert np.array_equal(together[2:6], whole[:4])
    assert not np.array_equal(together[:2], whole[:2])                     # other streams differ
    assert np.allclose(world.unit_end_days([(3, 2, units)], 50.0), whole + 40.0, rtol=0, atol=1e-9)  # a shift


WAKES: dict[str, int] = {}


@dataclasses.dataclass(frozen=True)
class CountedWakes(ServiceOnThreshold):
    """Service-on-threshold that counts its `on_threshold` calls."""

    def on_threshold(self, obs, module):
        WAKES[type(self).__name__] = WAKES.get(type(self).__name__, 0) + 1
        return super().on_threshold(obs, module)


@dataclasses.dataclass(frozen=True)
class EveryWake(CountedWakes):
    """The same, woken at every crossing, even while no servicer is free."""

    def threshold_needs_free_servicer(self) -> bool:
        return False


def test_skipping_wakes_while_no_servicer_is_free_changes_nothing():
    d = rich_dict()
    d["horizon_years"] = 6
    # 40-day trips: busy most of the time (wakes skipped), yet free at a few crossings once it has
    # flown (servicers and boards are cargo now; 60-day trips left it never free at a crossing)
    d["servicing"].update(servicers=1, trip_days=40)
    scenario = parse_scenario(d, "one-slow-servicer")
    WAKES.clear()
    skipped = simulate(scenario, seed=3, policy=CountedWakes(threshold_fraction=0.1))
    every = simulate(scenario, seed=3, policy=EveryWake(threshold_fraction=0.1))
    assert WAKES["EveryWake"] > WAKES["CountedWakes"] > 0       # wake-ups were skipped...
    assert_same(skipped, every)                                  # ...and nothing else changed
