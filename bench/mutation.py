"""Mutation testing of the model (fleet/, events/, policies/) with Cosmic Ray, on a sample of mutants.

    python3 bench/mutation.py --sample 150 --seed 1 [--jobs 2] [--timeout 300]

Cosmic Ray (`pip install -e .[dev]`) lists every mutant of the three packages (`cosmic-ray init`);
this script drops the mutants listed in bench/equivalent_mutants.txt (they cannot change behaviour),
draws `--sample` of the rest with `--seed`, and runs them with `cosmic-ray exec` in throw-away copies
of the checkout (one per job), each against the fast test selection FAST_TESTS. It prints the
mutation score per package (killed over run), every survivor with its diff, and the time taken.
Not part of CI: a sample of 150 takes about half an hour on 2 cores.

Mutants inside a function's annotations in a module with `from __future__ import annotations` are
equivalent by rule (the annotations are never evaluated) and dropped too. Any other equivalent
mutant is named in bench/equivalent_mutants.txt by the line `path:line:column operator`
that this script prints for it, then ` # ` and the reason it cannot change behaviour.
"""
from __future__ import annotations

import argparse
import ast
import functools
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("fleet", "events", "policies")
EQUIVALENT = ROOT / "bench" / "equivalent_mutants.txt"
FAST_TESTS = (
    "tests/test_scripted.py", "tests/test_invariants.py", "tests/test_closed_forms.py", "tests/test_state.py",
    "tests/test_policies_decisions.py", "tests/test_policies_spares.py", "tests/test_policies_economic_costs.py",
    "tests/test_policies_age_replacement.py", "tests/test_launch_pricing.py", "tests/test_deorbit_cost.py",
    "tests/test_renewal_lead.py", "tests/test_service_packing.py", "tests/test_streams.py",
    "tests/test_invariant_checks.py", "tests/test_tech_refresh_trend.py", "tests/test_policies_conformance.py",
    "tests/test_decades.py",
)


def config(timeout_s: float) -> str:
    """Cosmic Ray's configuration (TOML) for a copy of the checkout."""
    tests = " ".join(FAST_TESTS)
    return (f'[cosmic-ray]\nmodule-path = {list(PACKAGES)!r}\ntimeout = {timeout_s}\nexcluded-modules = []\n'
            f'test-command = "{sys.executable} -m pytest -x -q -p no:cacheprovider -m \\"not slow\\" {tests}"\n'
            f'[cosmic-ray.distributor]\nname = "local"\n')


def copy_checkout(into: Path) -> Path:
    """The tracked files of this checkout, as they are on disk, under `into`."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    for name in filter(None, files.decode().split("\0")):
        source, target = ROOT / name, into / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return into


def mutant_id(item) -> str:
    """`path:line:column operator` of a single-mutation work item (the name used in EQUIVALENT)."""
    m = item.mutations[0]
    return f"{m.module_path.as_posix()}:{m.start_pos[0]}:{m.start_pos[1]} {m.operator_name}"


@functools.lru_cache(maxsize=None)
def annotation_spans(path: Path) -> tuple[tuple[tuple[int, int], tuple[int, int]], ...]:
    """(start, end) positions of the function annotations of a module that has
    `from __future__ import annotations`: strings never evaluated, so mutants there are equivalent."""
    tree = ast.parse(path.read_text())
    future = any(isinstance(n, ast.ImportFrom) and n.module == "__future__" and
                 any(a.name == "annotations" for a in n.names) for n in tree.body)
    if not future:
        return ()
    notes = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = node.args
            notes += [x.annotation for x in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
                      if x is not None and x.annotation is not None]
            notes += [node.returns] if node.returns is not None else []
    return tuple(((n.lineno, n.col_offset), (n.end_lineno, n.end_col_offset)) for n in notes)


def in_function_annotation(item, root: Path) -> bool:
    m = item.mutations[0]
    return any(start <= tuple(m.start_pos) and tuple(m.end_pos) <= end
               for start, end in annotation_spans(root / m.module_path))


def equivalent_ids() -> set[str]:
    lines = EQUIVALENT.read_text().splitlines() if EQUIVALENT.exists() else []
    return {line.split(" # ")[0].strip() for line in lines if line.strip() and not line.startswith("#")}


def run(sample: int, seed: int, jobs: int, timeout_s: float) -> int:
    from cosmic_ray.work_db import WorkDB, use_db

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        copies = [copy_checkout(Path(tmp) / f"copy{j}") for j in range(jobs)]
        for c in copies:
            (c / "cosmic-ray.toml").write_text(config(timeout_s))
        subprocess.run(["cosmic-ray", "init", "cosmic-ray.toml", "all.sqlite"], cwd=copies[0], check=True)
        with use_db(str(copies[0] / "all.sqlite"), WorkDB.Mode.open) as db:
            items = list(db.work_items)
        skip = equivalent_ids()
        population = [i for i in items if mutant_id(i) not in skip and not in_function_annotation(i, copies[0])]
        chosen = random.Random(seed).sample(population, min(sample, len(population)))
        print(f"{len(items)} mutants, {len(items) - len(population)} equivalent (listed, or in function "
              f"annotations, which `from __future__ import annotations` leaves unevaluated); "
              f"running {len(chosen)} (seed {seed}) in {jobs} job(s)", flush=True)
        for j, c in enumerate(copies):
            with use_db(str(c / "part.sqlite")) as db:
                db.add_work_items(chosen[j::jobs])
        procs = [subprocess.Popen(["cosmic-ray", "exec", "cosmic-ray.toml", "part.sqlite"], cwd=c) for c in copies]
        for p in procs:
            p.wait()
        results = []
        for c in copies:
            with use_db(str(c / "part.sqlite"), WorkDB.Mode.open) as db:
                results += list(db.completed_work_items)
    return report(results, time.perf_counter() - started)


def report(results, seconds: float) -> int:
    """Print the score per package and the survivors; 0 if every mutant ran."""
    ran, killed, survivors, broken = Counter(), Counter(), [], []
    for item, result in results:
        package = item.mutations[0].module_path.parts[0]
        if result.test_outcome is None or result.test_outcome == "incompetent":
            broken.append(item)
            continue
        ran[package] += 1
        if result.is_killed:
            killed[package] += 1
        else:
            survivors.append((item, result))
    for package in PACKAGES:
        n = ran[package]
        score = f"{100 * killed[package] / n:.1f}%" if n else "n/a"
        print(f"{package:<9} {killed[package]:>4} killed of {n:>4}  score {score}")
    total = sum(ran.values())
    print(f"{'all':<9} {sum(killed.values()):>4} killed of {total:>4}  "
          f"score {100 * sum(killed.values()) / max(total, 1):.1f}%  in {seconds / 60:.1f} min")
    for item, result in survivors:
        print(f"\nSURVIVED {mutant_id(item)}\n{result.diff or ''}")
    for item in broken:
        print(f"NOT RUN {mutant_id(item)} (the mutant did not run: incompetent or worker error)")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sample", type=int, default=150, help="mutants to run (default 150)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    p.add_argument("--jobs", type=int, default=1, help="mutants run at once, each in its own copy (default 1)")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant's tests before it counts as killed")
    a = p.parse_args(argv)
    if a.sample < 1 or a.jobs < 1 or a.timeout <= 0:
        p.error("--sample and --jobs must be at least 1, --timeout positive")
    return run(a.sample, a.seed, a.jobs, a.timeout)


if __name__ == "__main__":
    sys.exit(main())
