"""The `fleet` command as a user runs it: a child process on this checkout."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FLEET = [sys.executable, "-m", "runs"]          # the `fleet` console command, installed or not


def repo_env(**extra: str) -> dict[str, str]:
    """This environment with `extra` set and this checkout first on PYTHONPATH, for a child process."""
    env = dict(os.environ, **extra)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def fleet(*args: str, cwd: str | Path = REPO, timeout: float = 600) -> subprocess.CompletedProcess:
    """`fleet ARGS` in a child process started in `cwd`, its output captured as text."""
    return subprocess.run([*FLEET, *args], cwd=cwd, env=repo_env(), capture_output=True, text=True, timeout=timeout)
