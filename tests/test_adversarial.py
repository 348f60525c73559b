"""Adversarial regression suite (issue 11): hundreds of hostile inputs to `fleet`, each run in this
process through `runs.commands.cli.main(argv)` under a time and memory guard, each ending in exit 0, 1 (a named
policy error) or 2 with a short clean message; and one test per item of the issue that the command
line can show.

The cases are in tests/adversarial_cases.py, the rules and the runner in tests/adversarial.py. To see
the counts by outcome: `python3 -m tests.test_adversarial --counts` (add `--failures` for each
failing case and why).
"""
from __future__ import annotations

import http.server
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from tests.adversarial import (USER_FILE, Case, Outcome, fleet_main, inside, problems, report, run_case, shown)
from tests.adversarial_cases import EXPERIMENT, ESC_NAME, HOOKS, HOOKY, TINY_TEXT, all_cases, alias_bomb, dump, \
    policy_file
from runs import load_results
from tests.commands import FLEET, repo_env

CASES = all_cases()
FAMILIES = ("scenario", "experiment", "cli", "policy")
POLICY = "p.py:C"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, tmp_path):
    outcome = run_case(case, tmp_path)
    found = problems(case, outcome)
    assert not found, report(case, outcome, found)


def test_every_family_has_cases_and_there_are_at_least_200():
    counts = Counter(c.family for c in CASES)
    assert set(counts) == set(FAMILIES) and min(counts.values()) >= 40, counts
    assert len(CASES) >= 200
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"


def test_the_cases_are_the_same_on_every_run():
    again = all_cases()
    assert [(c.id, c.argv, c.files) for c in again] == [(c.id, c.argv, c.files) for c in CASES]


# ----- the harness itself ------------------------------------------------------------------------
def test_the_guard_turns_a_hang_into_a_failure(monkeypatch, tmp_path):
    monkeypatch.setattr("tests.adversarial.main", lambda argv: time.sleep(30))
    case = Case("cli", 0, "sleeps", ("run", "tiny"), seconds=0.3)
    outcome = run_case(case, tmp_path)
    assert outcome.escaped.startswith("hang") and outcome.seconds < 5
    assert problems(case, outcome) == [outcome.escaped]


def test_the_guard_turns_a_memory_blow_up_into_a_failure(monkeypatch, tmp_path):
    monkeypatch.setattr("tests.adversarial.main", lambda argv: bytearray(8 << 30))
    outcome = run_case(Case("cli", 0, "eats", ("run", "tiny")), tmp_path)
    assert outcome.escaped.startswith("MemoryError")


def test_the_rules_catch_what_they_should(tmp_path):
    case = Case("cli", 0, "x", ("run", "tiny", "--seed", "-1"))
    fine = Outcome(2, "", "fleet: --seed must be a non-negative whole number\n", 0.1)
    assert problems(case, fine) == []
    bad = [Outcome(1, "", "Traceback (most recent call last):\nfleet: internal error (...)\n", 0.1),
           Outcome(2, "", "fleet: something is wrong\n", 0.1),
           Outcome(2, "", "", 0.1),
           Outcome(2, "", "fleet: --seed " + "x" * 10_000, 0.1),
           Outcome(2, "", "fleet: --seed \x1b[2J\n", 0.1),
           Outcome(0, "", "", 0.1),
           Outcome(130, "", "fleet: interrupted --seed\n", 0.1),
           Outcome(0, "ok\n", "", 0.1, lost=["keep-here.txt deleted"])]
    for outcome in bad:
        assert problems(case, outcome), outcome
    assert problems(case, Outcome(1, "", "fleet: policy adversary-v1 (review, day 0.0): boom\n", 0.1)) == []


def test_the_eventful_scenario_reaches_every_hook_the_policy_cases_break(tmp_path):
    """A fault planted in any hook fires: each hook is called within the policy cases' 1.2 years."""
    (tmp_path / "h.yaml").write_bytes(HOOKY)
    for hook in HOOKS:
        (tmp_path / f"p_{hook}.py").write_bytes(policy_file(f"open('called', 'a').write('{hook}\\n')", hook))
        assert fleet_in(tmp_path, "run", "h.yaml", "--policy", f"p_{hook}.py:C", "--years", "1.2").code == 0
    assert (tmp_path / "called").read_text().split() == list(HOOKS)


def test_a_case_runs_in_its_own_folder_and_keeps_the_users_files(tmp_path):
    outcome = run_case(Case("cli", 0, "ok", ("run", "tiny", "--years", "0.1", "--out", "res")), tmp_path)
    assert outcome.code == 0, outcome.stderr
    assert (tmp_path / "w/a/b/c/res/summary.json").is_file()
    assert (tmp_path / "w/a/b/c/keep-here.txt").read_bytes() == USER_FILE


# ----- one test per item of issue 11 that the command line shows --------------------------------
def fleet_in(folder: Path, *argv: str, seconds: float = 20) -> Outcome:
    """`fleet ARGV` in `folder`, in this process, guarded; it must end cleanly (no escape, no traceback)."""
    with inside(folder):
        o = fleet_main(list(argv), seconds)
    assert o.escaped is None, o.escaped
    assert "Traceback" not in o.stderr + o.stdout and "internal error" not in o.stderr, shown(o.stderr)
    return o


def intact(path: Path, text: str) -> bool:
    """`path` is still a regular file holding `text`."""
    return path.is_file() and not path.is_symlink() and path.read_text() == text


def user_folder(tmp_path: Path) -> Path:
    docs = tmp_path / "mydocs"
    docs.mkdir()
    (docs / "thesis.txt").write_text("thesis\n")
    return docs


def test_1_run_out_refuses_a_folder_holding_a_users_files(tmp_path):
    docs = user_folder(tmp_path)
    o = fleet_in(tmp_path, "run", "tiny", "--years", "0.2", "--out", "mydocs")
    assert intact(docs / "thesis.txt", "thesis\n"), "the user's thesis.txt is gone or changed"
    assert o.code == 2 and "mydocs" in o.stderr


def test_1_force_never_deletes_a_users_files(tmp_path):
    docs = user_folder(tmp_path)
    o = fleet_in(tmp_path, "run", "tiny", "--years", "0.2", "--out", "mydocs", "--force")
    assert intact(docs / "thesis.txt", "thesis\n"), "the user's thesis.txt is gone or changed"
    assert o.code == 2, shown(o.stderr)


def test_1_run_out_on_a_users_file_leaves_it_a_file(tmp_path):
    (tmp_path / "notes.txt").write_text("notes\n")
    o = fleet_in(tmp_path, "run", "tiny", "--years", "0.2", "--out", "notes.txt")
    assert intact(tmp_path / "notes.txt", "notes\n"), "the user's notes.txt is gone or changed"
    assert o.code == 2 and "notes.txt" in o.stderr


def test_1_a_previous_run_folder_is_replaced_only_with_force(tmp_path):
    assert fleet_in(tmp_path, "run", "tiny", "--years", "0.2", "--out", "r").code == 0
    first = (tmp_path / "r/summary.json").read_bytes()
    again = fleet_in(tmp_path, "run", "tiny", "--years", "0.2", "--seed", "1", "--out", "r")
    assert again.code == 2 and "--force" in again.stderr and (tmp_path / "r/summary.json").read_bytes() == first
    forced = fleet_in(tmp_path, "run", "tiny", "--years", "0.2", "--seed", "1", "--out", "r", "--force")
    assert forced.code == 0 and (tmp_path / "r/summary.json").read_bytes() != first


def test_1_the_run_folder_follows_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        assert fleet_in(tmp_path, "run", "tiny", "--years", "0.2", "--out", "r").code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r").stat().st_mode) == 0o755


def test_2_report_never_imports_the_policy_a_results_folder_names(tmp_path):
    (tmp_path / "h.yaml").write_bytes(HOOKY)
    (tmp_path / "p.py").write_bytes(policy_file(""))
    made = fleet_in(tmp_path, "compare", "h.yaml", "--policies", f"replenish,{POLICY}", "--replications", "2",
                    "--years", "0.3", "--backend", "serial", "--no-progress", "--out", "shared")
    assert made.code == 0, shown(made.stderr)
    marker = tmp_path / "owned"
    (tmp_path / "p.py").write_text(f"open({str(marker)!r}, 'w').close()\n" + policy_file("").decode())
    sys.modules.pop("user_policy_p", None)
    o = fleet_in(tmp_path, "report", "shared")
    assert not marker.exists(), "fleet report ran code from the results folder"
    assert o.code == 0, shown(o.stderr)


def test_3_report_does_not_write_through_a_planted_symlink(tmp_path):
    assert fleet_in(tmp_path, "run", "tiny", "--years", "0.2", "--out", "r").code == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / "r/.report.html.tmp").symlink_to(victim)
    o = fleet_in(tmp_path, "report", "r")
    assert intact(victim, "precious\n"), "fleet report wrote through the symlink"
    assert o.code == 0, shown(o.stderr)
    assert (tmp_path / "r/report.html").is_file() and not (tmp_path / "r/report.html").is_symlink()


def test_4_an_alias_bomb_is_refused_fast_and_small(tmp_path):
    text = dump(EXPERIMENT).decode().replace("servicing.servicers:\n  - 1\n  - 2",
                                             f"servicing.servicers: {alias_bomb(9)}")
    assert len(alias_bomb(9)) < 400 and alias_bomb(9) in text
    (tmp_path / "e.yaml").write_text(text)
    started = time.perf_counter()
    o = fleet_in(tmp_path, "sweep", "e.yaml", "--backend", "serial", "--no-progress")
    assert time.perf_counter() - started < 3
    assert o.code == 2 and "e.yaml" in o.stderr and len(o.stderr) < 4096, shown(o.stderr)


def test_4_a_1mb_wrong_value_is_quoted_short(tmp_path):
    (tmp_path / "s.yaml").write_text(TINY_TEXT.replace("horizon_years: 5", "horizon_years: " + "9x" * 500_000))
    o = fleet_in(tmp_path, "run", "s.yaml")
    assert o.code == 2 and "s.yaml" in o.stderr and "horizon_years" in o.stderr and len(o.stderr) < 2048


@pytest.mark.parametrize("where", ["error", "name"])
def test_4_terminal_escapes_never_reach_the_terminal(tmp_path, where):
    text = TINY_TEXT.replace("name: tiny", f"name: {json.dumps('tiny' + ESC_NAME)}", 1)
    if where == "error":
        text = text.replace("horizon_years: 5", f"horizon_years: {json.dumps(ESC_NAME)}")
    (tmp_path / "s.yaml").write_text(text)
    o = fleet_in(tmp_path, "run", "s.yaml", "--years", "0.2")
    assert o.code in (0, 2)
    for text in (o.stdout, o.stderr):
        assert not any(ch in text for ch in "\x1b\x07\x9b"), shown(text)


def test_5_a_dying_worker_costs_only_its_own_units(tmp_path):
    """A slow healthy policy is mid-unit on one worker when the other worker's policy calls os._exit."""
    (tmp_path / "h.yaml").write_bytes(HOOKY)
    (tmp_path / "p.py").write_bytes(policy_file("os._exit(3)"))
    (tmp_path / "slow.py").write_bytes(policy_file("time.sleep(1.5)"))
    o = fleet_in(tmp_path, "compare", "h.yaml", "--policies", f"slow.py:C,{POLICY}", "--replications", "2",
                 "--years", "0.3", "--backend", "local", "--workers", "2", "--no-progress", "--out", "res",
                 seconds=60)
    assert (tmp_path / "res/manifest.json").is_file(), shown(o.stderr)
    results = load_results(tmp_path / "res")
    assert (results.summary["policy"] == "slow.py:C").sum() == 2, results.failures[["policy", "error"]]
    assert list(results.failures["policy"]) == [POLICY] * 2
    assert o.code == 1


@pytest.mark.parametrize("field, value", [("years", '"1"'), ("replications", '"1"'), ("seed", "1.0"),
                                          ("keep_timelines", '"no"')])
def test_6_the_experiment_schema_is_strict(tmp_path, field, value):
    text = dump(EXPERIMENT).decode()
    lines = [f"{field}: {value}" if line.startswith(f"{field}:") else line for line in text.splitlines()]
    (tmp_path / "e.yaml").write_text("\n".join(lines) + "\n")
    o = fleet_in(tmp_path, "sweep", "e.yaml", "--backend", "serial", "--no-progress", "--out", "res")
    assert o.code == 2 and f"e.yaml: {field}" in o.stderr, (o.code, shown(o.stderr))
    assert not (tmp_path / "res").exists()


def compare_on_scheduler(tmp_path: Path, address: str) -> tuple[Outcome, float]:
    started = time.perf_counter()
    o = fleet_in(tmp_path, "compare", "tiny", "--policies", "replenish", "--replications", "2", "--years", "0.2",
                 "--backend", "dask", "--scheduler", address, "--no-progress", "--out", "res", seconds=60)
    return o, time.perf_counter() - started


@pytest.mark.parametrize("address", ["notaurl", "tcp://[::1", "tcp://127.0.0.1:notaport"])
def test_7_a_malformed_scheduler_address_fails_fast(tmp_path, address):
    o, seconds = compare_on_scheduler(tmp_path, address)
    assert o.code == 2 and "--scheduler" in o.stderr and seconds < 10, (seconds, shown(o.stderr))


def test_7_a_closed_port_fails_within_the_connect_timeout(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]          # bound, never listening: connections are refused
        o, seconds = compare_on_scheduler(tmp_path, f"tcp://127.0.0.1:{port}")
    assert o.code == 2 and "--scheduler" in o.stderr and seconds < 45, (seconds, shown(o.stderr))


class _SilentHTTP(http.server.BaseHTTPRequestHandler):
    """Waits for an HTTP request line that a Dask client never sends, holding the connection open."""

    timeout = 120               # s: then the handler thread ends, whatever the client did


def test_7_an_http_server_on_the_port_fails_within_the_connect_timeout(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SilentHTTP)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        o, seconds = compare_on_scheduler(tmp_path, f"tcp://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
    assert o.code == 2 and "--scheduler" in o.stderr and seconds < 45, (seconds, shown(o.stderr))


ITEM_8 = {   # what: (policy file, hook named in the message)
    "raises-in-review": (policy_file('raise ValueError("the policy is wrong")'), "review"),
    "writes-the-observation": (policy_file("obs.status[0] = 9"), "review"),
    "threshold-returns-text": (policy_file("", cls_body="def threshold_failed_fraction(self):\n"
                                                        "    return 'half'\n"), "threshold_failed_fraction"),
    "launch-cluster-text": (policy_file("return [Launch(1, cluster='a')]"), "review"),
    "deorbit-true": (policy_file("return [Deorbit((True,))]", "on_trip_returned"), "on_trip_returned"),
    "launch-2-40": (policy_file("return [Launch(2**40)]"), "review"),
    "system-exit-0": (policy_file("raise SystemExit(0)"), "review"),
}


def names_the_policy(line: str) -> bool:
    """The line is a policy error naming the user's policy (by its label or its file)."""
    line = line.removeprefix("fleet: ")
    return line.startswith("policy ") and ("adversary" in line or "p.py" in line)


@pytest.mark.parametrize("what", ITEM_8)
def test_8_a_misbehaving_policy_is_named_with_exit_1(tmp_path, what):
    content, hook = ITEM_8[what]
    (tmp_path / "h.yaml").write_bytes(HOOKY)
    (tmp_path / "p.py").write_bytes(content)
    started = time.perf_counter()
    o = fleet_in(tmp_path, "run", "h.yaml", "--policy", POLICY, "--years", "1.2")
    named = [line for line in o.stderr.splitlines() if names_the_policy(line) and hook in line and "day" in line]
    assert o.code == 1 and named, (o.code, shown(o.stderr))
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("command, fault", [("compare", 'raise ValueError("the policy is wrong")'),
                                            ("sweep", 'raise ValueError("the policy is wrong")'),
                                            ("compare", "raise SystemExit(0)")])
def test_8_in_a_study_only_the_policys_own_units_fail(tmp_path, command, fault):
    (tmp_path / "h.yaml").write_bytes(HOOKY)
    (tmp_path / "p.py").write_bytes(policy_file(fault))
    (tmp_path / "e.yaml").write_bytes(dump({**{k: v for k, v in EXPERIMENT.items() if k not in ("axes", "samples")},
                                            "scenario": "h.yaml", "replications": 2, "years": 0.5,
                                            "policies": [{"name": "replenish"}, {"name": POLICY}]}))
    argv = {"compare": ("compare", "h.yaml", "--policies", f"replenish,{POLICY}", "--replications", "2",
                        "--years", "0.5"),
            "sweep": ("sweep", "e.yaml")}[command]
    o = fleet_in(tmp_path, *argv, "--backend", "serial", "--no-progress", "--out", "res")
    assert (tmp_path / "res/manifest.json").is_file(), shown(o.stderr)
    results = load_results(tmp_path / "res")
    assert (results.summary["policy"] == "replenish").sum() == 2, shown(o.stdout + o.stderr)
    assert list(results.failures["policy"]) == [POLICY] * 2, shown(o.stdout + o.stderr)
    assert o.code == 1 and any(map(names_the_policy, (o.stdout + o.stderr).splitlines())), shown(o.stderr)


@pytest.mark.parametrize("out", ["/proc/fleet-no-such-dir/out", "plain/out", ".", ".."])
def test_9_run_out_on_an_impossible_place_exits_2(tmp_path, out):
    here = tmp_path / "sub"
    here.mkdir()
    (here / "plain").write_text("x")
    o = fleet_in(here, "run", "tiny", "--years", "0.2", "--out", out)
    assert o.code == 2 and ("--out" in o.stderr or out in o.stderr), shown(o.stderr)
    assert intact(here / "plain", "x")


def test_9_compare_out_on_a_plain_file_exits_2(tmp_path):
    (tmp_path / "plain").write_text("x")
    o = fleet_in(tmp_path, "compare", "tiny", "--policies", "replenish", "--replications", "2", "--years", "0.2",
                 "--backend", "serial", "--no-progress", "--out", "plain")
    assert o.code == 2 and "plain" in o.stderr and intact(tmp_path / "plain", "x"), shown(o.stderr)


@pytest.mark.parametrize("command", ["compare", "report"])
def test_9_a_corrupt_manifest_exits_2(tmp_path, command):
    argv = ("compare", "tiny", "--policies", "replenish", "--replications", "2", "--years", "0.2",
            "--backend", "serial", "--no-progress", "--out", "res")
    assert fleet_in(tmp_path, *argv).code == 0
    (tmp_path / "res/manifest.json").write_bytes(b'{"experiment_sha256": ')
    o = fleet_in(tmp_path, *argv) if command == "compare" else fleet_in(tmp_path, "report", "res")
    assert o.code == 2 and "manifest.json" in o.stderr, shown(o.stderr)


@pytest.mark.parametrize("content", [b"", b"PAR1garbagePAR1"])
def test_9_a_broken_unit_file_is_computed_again_on_resume(tmp_path, content):
    (tmp_path / "e.yaml").write_bytes(dump(EXPERIMENT))
    argv = ("sweep", "e.yaml", "--backend", "serial", "--no-progress", "--out", "res")
    assert fleet_in(tmp_path, *argv).code == 0
    unit = sorted((tmp_path / "res/units").glob("*.parquet"))[0]
    good = pd.read_parquet(unit).drop(columns="wall_seconds")
    unit.write_bytes(content)
    o = fleet_in(tmp_path, *argv)
    assert o.code == 0 and "1 computed" in o.stdout, shown(o.stdout + o.stderr)
    pd.testing.assert_frame_equal(pd.read_parquet(unit).drop(columns="wall_seconds"), good)   # all but the wall time


@pytest.mark.parametrize("what", ["dev-zero", "fifo"])
def test_12_devices_and_fifos_are_refused(tmp_path, what):
    path = tmp_path / "s.yaml"
    if what == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    started = time.perf_counter()
    o = fleet_in(tmp_path, "run", "s.yaml")
    assert o.code == 2 and "s.yaml" in o.stderr and time.perf_counter() - started < 3, shown(o.stderr)


@pytest.mark.parametrize("kind", ["scenario", "experiment"])
def test_12_a_file_over_10_mb_is_refused(tmp_path, kind):
    text = TINY_TEXT if kind == "scenario" else dump(EXPERIMENT).decode()
    (tmp_path / "f.yaml").write_text(text + "# " + "z" * (10 << 20) + "\n")
    started = time.perf_counter()
    o = fleet_in(tmp_path, "run" if kind == "scenario" else "sweep", "f.yaml")
    assert o.code == 2 and "f.yaml" in o.stderr and "10 MB" in o.stderr, shown(o.stderr)
    assert time.perf_counter() - started < 3


@pytest.mark.parametrize("plan", ["4-axes-of-100", "a-million-samples", "forty-thousand-samples"])
def test_12_a_huge_plan_needs_yes_and_is_counted_before_it_is_expanded(tmp_path, plan):
    """Over 100,000 units needs --yes; a plan that could never be held in memory is refused even with
    it. Either way the answer comes at once, with the count, and nothing is written."""
    if plan == "4-axes-of-100":
        axes = {p: list(range(1, 101)) for p in ("servicing.servicers", "servicing.units_per_trip",
                                                  "fleet.clusters", "fleet.module.units")}
        data = {**{k: v for k, v in EXPERIMENT.items() if k != "samples"}, "axes": axes}
    else:
        data = {**EXPERIMENT, "samples": 40_000 if plan == "forty-thousand-samples" else 1_000_000}
    (tmp_path / "e.yaml").write_bytes(dump(data))
    argv = ("sweep", "e.yaml", "--backend", "serial", "--no-progress", "--out", "res")
    for confirmed in ((), ("--yes",)) if plan != "forty-thousand-samples" else ((),):
        started = time.perf_counter()
        o = fleet_in(tmp_path, *argv, *confirmed)
        assert o.code == 2 and "work units" in o.stderr and time.perf_counter() - started < 5, shown(o.stderr)
        assert ("--yes" in o.stderr) == (plan == "forty-thousand-samples"), shown(o.stderr)
    assert not (tmp_path / "res").exists()


def test_12_a_policy_that_never_returns_is_stopped_by_run_timeout(tmp_path):
    (tmp_path / "h.yaml").write_bytes(HOOKY)
    (tmp_path / "p.py").write_bytes(policy_file("time.sleep(30)"))
    started = time.perf_counter()
    o = fleet_in(tmp_path, "run", "h.yaml", "--policy", POLICY, "--years", "0.3", "--timeout", "1")
    assert o.code in (1, 2) and "unrecognized" not in o.stderr and o.stderr.strip(), shown(o.stderr)
    assert time.perf_counter() - started < 10


def test_12_a_hung_unit_becomes_a_recorded_failure(tmp_path):
    (tmp_path / "h.yaml").write_bytes(HOOKY)
    (tmp_path / "p.py").write_bytes(policy_file("time.sleep(30)"))
    o = fleet_in(tmp_path, "compare", "h.yaml", "--policies", f"replenish,{POLICY}", "--replications", "1",
                 "--years", "0.3", "--backend", "local", "--workers", "2", "--unit-timeout", "2", "--no-progress",
                 "--out", "res", seconds=40)
    assert o.code == 1, shown(o.stderr)
    results = load_results(tmp_path / "res")
    assert (results.summary["policy"] == "replenish").sum() == 1 and list(results.failures["policy"]) == [POLICY]


def test_13_merge_keys_work_in_a_scenario(tmp_path):
    merged = TINY_TEXT.replace("    - {name: svalbard,", "    - &st {name: svalbard,").replace(
        "    - {name: atacama,", "    - {<<: *st, name: atacama,")
    (tmp_path / "plain.yaml").write_text(TINY_TEXT)
    (tmp_path / "merged.yaml").write_text(merged)
    plain = fleet_in(tmp_path, "run", "plain.yaml", "--years", "0.5")
    o = fleet_in(tmp_path, "run", "merged.yaml", "--years", "0.5")
    assert o.code == 0 and plain.code == 0, shown(o.stderr)
    cut = [line for line in o.stdout.splitlines() if "wall time" not in line]
    assert cut == [line for line in plain.stdout.splitlines() if "wall time" not in line]


def test_13_merge_keys_work_in_an_experiment(tmp_path):
    text = dump({k: v for k, v in EXPERIMENT.items() if k != "policies"}).decode() + (
        "policies:\n  - &p {name: service-on-threshold, params: {threshold_fraction: 0.1}}\n"
        "  - {<<: *p, params: {threshold_fraction: 0.2}}\n  - {name: replenish}\n")
    (tmp_path / "e.yaml").write_text(text)
    o = fleet_in(tmp_path, "sweep", "e.yaml", "--backend", "serial", "--no-progress", "--out", "res")
    assert o.code == 0 and "3 policies" in o.stdout, shown(o.stderr)


def test_13_review_interval_zero_names_the_file_and_the_field(tmp_path):
    (tmp_path / "s.yaml").write_text(TINY_TEXT.replace("    threshold_fraction: 0.2",
                                                       "    threshold_fraction: 0.2\n    review_interval_days: 0"))
    o = fleet_in(tmp_path, "run", "s.yaml", "--years", "0.2")
    assert o.code == 2 and "s.yaml" in o.stderr and "review_interval_days" in o.stderr, shown(o.stderr)


def test_13_run_into_a_closed_pipe_ends_quietly(tmp_path):
    """`fleet run tiny | head -1`: a child process, since a closed pipe is the point."""
    shell = f"{' '.join(FLEET)} run tiny --years 0.2 | head -1"
    out = subprocess.run(["bash", "-o", "pipefail", "-c", shell], cwd=tmp_path, env=repo_env(),
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.count("\n") == 1 and "Traceback" not in out.stderr and "Error" not in out.stderr, out.stderr


def test_13_a_dollar_in_a_policy_folder_does_not_break_compare_report(tmp_path):
    (tmp_path / "we$ird").mkdir()
    (tmp_path / "we$ird/p.py").write_bytes(policy_file("", cls_body='name = "cost$ly$"\n'))
    o = fleet_in(tmp_path, "compare", "tiny", "--policies", "replenish,we$ird/p.py:C", "--replications", "2",
                 "--years", "0.3", "--backend", "serial", "--no-progress", "--out", "res", "--report")
    assert o.code == 0 and (tmp_path / "res/report.html").is_file(), shown(o.stderr)


# ----- counts by outcome, for the closing note ----------------------------------------------------
def tally(show_failures: bool = False) -> None:
    """Run every case in a scratch folder; print the counts by family and outcome, then each failing
    case with what it broke (and its output, with `show_failures`)."""
    import tempfile

    columns = ("exit 0", "exit 1", "exit 2", "other exit", "no exit", "passed", "failed")
    counts: Counter = Counter()
    failures = []
    started = time.perf_counter()
    for case in CASES:
        with tempfile.TemporaryDirectory(prefix="fleet-adversarial-") as tmp:
            outcome = run_case(case, Path(tmp))
        found = problems(case, outcome)
        code = "no exit" if outcome.escaped else f"exit {outcome.code}" if outcome.code in (0, 1, 2) else "other exit"
        for family in (case.family, "all"):
            counts[family, code] += 1
            counts[family, "failed" if found else "passed"] += 1
        if found:
            failures.append(report(case, outcome, found) if show_failures else f"{case.id}: {'; '.join(found)}")
    print(f"{len(CASES)} cases in {time.perf_counter() - started:.0f} s")
    print(f"{'family':<12}" + "".join(f"{c:>12}" for c in columns))
    for family in (*FAMILIES, "all"):
        print(f"{family:<12}" + "".join(f"{counts[family, c]:>12}" for c in columns))
    print("\n".join(failures))


if __name__ == "__main__":
    if "--counts" in sys.argv:
        tally(show_failures="--failures" in sys.argv)
