"""How long `fleet --help` and `fleet policies` take to start, against `python -c "import numpy"`, and
what the study commands (`compare`, `sweep`) import before their first unit runs.

    python bench/startup.py [--rounds 5]

Runs each command `--rounds` times in a fresh interpreter (this one, with this checkout first on
PYTHONPATH), interleaved, and prints each command's median wall time in seconds and its ratio to
the median of `python -c "import numpy"`, then one JSON line. The target is a ratio of at most 3.5
for `fleet --help` and `fleet policies`. `import runs.study` (pandas, the engine, scipy.special,
pyarrow) is a fixed cost of every study, counted as overhead by bench/overhead.py.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "import numpy": ["-c", "import numpy"],
    "fleet --help": ["-m", "runs", "--help"],
    "fleet policies": ["-m", "runs", "policies"],
    "import runs.study": ["-c", "import runs.study"],
}


def seconds(args: list[str], env: dict[str, str]) -> float:
    """Wall time of one `python ARGS` in a child process, s."""
    started = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="runs of each command (default 5)")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.rounds):
        for name, argv in COMMANDS.items():
            times[name].append(seconds(argv, env))
    medians = {name: statistics.median(t) for name, t in times.items()}
    base = medians["import numpy"]
    ratios = {name: medians[name] / base for name in COMMANDS if name != "import numpy"}
    print(f"median of {args.rounds}: import numpy {base:.3f} s")
    for name, ratio in ratios.items():
        print(f"  {name:<18} {medians[name]:.3f} s  {ratio:.2f} x import numpy")
    print(json.dumps({"rounds": args.rounds, "median_s": medians, "ratio_to_numpy": ratios}))


if __name__ == "__main__":
    main()
