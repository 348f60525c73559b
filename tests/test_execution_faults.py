"""Faults while units run: a worker that dies costs only its unit, a hung unit times out, workers die with
their parent (SIGKILL or Ctrl-C), and a bad Dask scheduler address fails fast with exit 2."""
import http.server
import re
import signal
import socket
import subprocess
import textwrap
import threading
import time
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest

from runs import load_results
from runs.studies import backends
from runs.studies.backends import ProcessPoolBackend, SerialBackend
from runs.commands.cli import main
from runs.studies.experiment import parse_experiment
from runs.studies.runner import run_plan
from tests.commands import FLEET, repo_env

POLICIES = '''
import os, signal, time
from pathlib import Path
from typing import Callable
from policies.replenish import Replenish

HERE = Path(__file__).parent


class Exit(Replenish):
    """Ends its process at the first review, as a policy calling os._exit can."""
    name = "exit"
    def review(self, obs):
        os._exit(3)


class Kill(Replenish):
    """Killed at the first review, as the kernel kills a process out of memory."""
    name = "kill"
    def review(self, obs):
        os.kill(os.getpid(), signal.SIGKILL)


class DiesOnce(Replenish):
    """Ends its process the first time it runs (in any process), then behaves."""
    name = "dies-once"
    def review(self, obs):
        marker = HERE / "died-once"
        if not marker.exists():
            marker.touch()
            os._exit(1)
        return super().review(obs)


class Hang(Replenish):
    """Never returns from its first review; leaves a file named after its process id first."""
    name = "hang"
    def review(self, obs):
        (HERE / f"hung-{os.getpid()}").touch()
        time.sleep(600)
'''


@pytest.fixture
def policies(tmp_path) -> Path:
    """A user policy file with the misbehaving policies above, in its own folder."""
    folder = tmp_path / "policies"
    folder.mkdir()
    path = folder / "bad.py"
    path.write_text(textwrap.dedent(POLICIES))
    return path


def plan_of(*policies: str, replications: int = 2):
    return parse_experiment({"name": "faults", "scenario": "tiny", "years": 0.5, "seed": 5,
                             "replications": replications, "policies": [{"name": p} for p in policies],
                             "baseline": policies[0], "objectives": ["delivered_pflops_days"]}, "test")


def numbers(out: Path) -> pd.DataFrame:
    return load_results(out).summary.drop(columns="wall_seconds").sort_values("key").reset_index(drop=True)


def errors(out: Path) -> dict[str, set[str]]:
    """Failed units: policy name to the set of their errors."""
    failures = load_results(out).failures
    return {name: set(group["error"]) for name, group in failures.groupby("policy")}


def test_a_dying_worker_costs_only_its_unit_and_innocent_units_match_serial(tmp_path, policies):
    plan = plan_of("replenish", f"{policies}:Exit", f"{policies}:Kill")
    report = run_plan(plan, tmp_path / "local", ProcessPoolBackend(workers=2), progress=False)
    assert (report.computed, report.failed) == (2, 4)
    assert errors(tmp_path / "local") == {
        f"{policies}:Exit": {"worker process exited with code 3 without a result (3 times)"},
        f"{policies}:Kill": {"worker process killed by signal 9 (SIGKILL) (3 times)"}}
    run_plan(plan_of("replenish"), tmp_path / "serial", SerialBackend(), progress=False)
    pd.testing.assert_frame_equal(numbers(tmp_path / "local"), numbers(tmp_path / "serial"))


def test_a_unit_whose_worker_dies_once_is_retried_in_a_fresh_worker(tmp_path, policies):
    plan = plan_of("replenish", f"{policies}:DiesOnce", replications=1)
    report = run_plan(plan, tmp_path / "retried", ProcessPoolBackend(workers=1), progress=False)
    assert (report.computed, report.failed) == (2, 0)
    (policies.parent / "died-once").unlink()
    no_retry = run_plan(plan, tmp_path / "once", ProcessPoolBackend(workers=1, retries=0), progress=False)
    assert (no_retry.computed, no_retry.failed) == (1, 1)
    assert errors(tmp_path / "once") == {f"{policies}:DiesOnce": {"worker process exited with code 1 without a result"}}


@pytest.mark.parametrize("backend", [ProcessPoolBackend(workers=2, unit_timeout=1), SerialBackend(unit_timeout=1)],
                         ids=["local", "serial"])
def test_a_hung_unit_is_stopped_at_its_time_limit_and_the_others_go_on(tmp_path, policies, backend):
    start = time.monotonic()
    out = tmp_path / "out"
    report = run_plan(plan_of("replenish", f"{policies}:Hang", replications=2), out, backend, progress=False)
    assert time.monotonic() - start < 20
    assert (report.computed, report.failed) == (2, 2)
    assert errors(out) == {f"{policies}:Hang": {"timed out after 1 s"}}


def test_unit_timeout_and_run_timeout_on_the_command_line(tmp_path, policies, capsys):
    out = tmp_path / "out"
    argv = ["compare", "tiny", "--policies", f"replenish,{policies}:Hang", "--replications", "1", "--years", "0.5",
            "--out", str(out), "--workers", "2", "--no-progress"]
    assert main(argv + ["--unit-timeout", "1"]) == 1          # a unit failed; the comparison is still printed
    assert "2 units: 0 found done, 1 computed, 1 failed" in capsys.readouterr().out
    assert errors(out) == {f"{policies}:Hang": {"timed out after 1 s"}}
    for bad in ("0", "-1", "nan", "inf"):
        assert main(argv + ["--unit-timeout", bad]) == 2
        assert "--unit-timeout must be a positive number of seconds" in capsys.readouterr().err
    assert main(["run", "tiny", "--policy", f"{policies}:Hang", "--timeout", "1"]) == 1
    assert re.fullmatch(r"fleet: policy \S+: review on day 0\.0 had not returned: timed out after 1 s\n",
                        capsys.readouterr().err)
    assert main(["run", "tiny", "--timeout", "0"]) == 2
    assert main(["run", "tiny", "--years", "0.2", "--timeout", "60"]) == 0


def _children(pid: int) -> set[int]:
    """Process ids whose parent is `pid` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if entry.name.isdigit() and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """True if `pid` runs (a zombie waiting to be reaped counts as dead)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_workers_die_with_their_parent(tmp_path, policies, how):
    # the command gets Ctrl-C as in a terminal even when these tests run with SIGINT ignored (in a background
    # job, whose children inherit the ignoring; a handler set here is not inherited, the default is)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen([*FLEET, "compare", "tiny", "--policies", f"{policies}:Hang", "--replications", "2",
                                 "--years", "0.5", "--workers", "2", "--out", str(tmp_path / "out"), "--no-progress"],
                                cwd=tmp_path, env=repo_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        hung = lambda: {int(p.name.split("-")[1]) for p in policies.parent.glob("hung-*")}  # noqa: E731
        assert _wait_until(lambda: len(hung()) == 2, 60), "the units never started"
        workers = _children(proc.pid)
        assert hung() <= workers
        proc.send_signal(getattr(signal, how))
        stdout, stderr = proc.communicate(timeout=15)
    finally:
        proc.kill()
        proc.wait()
    if how == "SIGINT":
        assert proc.returncode == 130 and stderr.strip().endswith("fleet: interrupted"), stderr
        assert "Traceback" not in stderr
    assert _wait_until(lambda: not any(_alive(pid) for pid in workers), 10), "a worker outlived its parent"


def _serve(handler: Callable[[socket.socket], None]) -> tuple[str, Callable[[], None]]:
    """A loopback TCP server answering each connection with `handler(conn)`; its address and a stop function."""
    server = socket.create_server(("127.0.0.1", 0))
    connections = []

    def loop():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            connections.append(conn)
            handler(conn)

    threading.Thread(target=loop, daemon=True).start()

    def stop():
        server.close()
        for conn in connections:
            conn.close()
    return f"tcp://127.0.0.1:{server.getsockname()[1]}", stop


@pytest.fixture
def http_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    server.RequestHandlerClass.log_message = lambda *args: None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"tcp://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.parametrize("kind", ["notaurl", "tcp://[::1", "tcp://127.0.0.1:99999", "http://127.0.0.1:8786",
                                  "closed port", "http server", "silent server", "garbage server"])
def test_a_bad_scheduler_address_fails_fast_with_one_message(tmp_path, capsys, monkeypatch, request, kind):
    monkeypatch.setattr(backends, "CONNECT_TIMEOUT", 2.0)
    stop = None
    address = _closed_port() if kind == "closed port" else kind
    if kind == "http server":
        address = request.getfixturevalue("http_server")
    elif kind == "silent server":
        address, stop = _serve(lambda conn: None)
    elif kind == "garbage server":      # 8 bytes of 0xff read as a frame length: "Unable to allocate 3.07 EiB"
        address, stop = _serve(lambda conn: conn.sendall(b"\xff" * 64))
    start = time.monotonic()
    try:
        code = main(["compare", "tiny", "--policies", "replenish", "--replications", "1", "--out", str(tmp_path / "out"),
                     "--backend", "dask", "--scheduler", address, "--no-progress"])
    finally:
        if stop:
            stop()
    err = capsys.readouterr().err
    assert code == 2 and time.monotonic() - start < 2.0 + 3
    assert err.startswith(f"fleet: --scheduler {address!r}: ") and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()
