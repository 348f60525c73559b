"""Mutation testing of the model (fleet/, events/, policies/) with Cosmic Ray, on a sample of mutants.

    nice -n 15 python3 bench/mutation.py --sample 150 --seed 1 [--jobs 2] [--survivors FILE]

Cosmic Ray (`pip install -e .[dev]`) lists every mutant of the three packages (`cosmic-ray init`);
this script draws `--sample` of them with `--seed` (the same draw for the same source, whatever
the tests), drops those listed in bench/equivalent_mutants.txt (they cannot change behaviour), and
runs the rest with `cosmic-ray exec` in throw-away copies of the checkout (one per job). It prints
the mutation score per package (killed over run), every survivor with its diff, and the time taken.
Not part of CI.

Each mutant runs only the tests that execute its line: a first pass runs MAP_TESTS once under
coverage with one context per test (`line -> tests`, and each test's time); a mutated line no test
executes survives without a run, a line run only at import (module level) takes every test of its
module (every test, if none runs a line of it). The fastest of them that fit in `--budget` seconds (by the times in the map; at least one)
run, fastest first, and stop at the first failure, so a mutant takes seconds; a mutant only a slower
test would kill counts as a survivor (the score is a lower bound). `--kills FILE` records the test
that killed each mutant; `--reuse FILE` counts those kills again without running them while the
mutated module and the test's file are unchanged (the tests are deterministic), so a second run on
the same `--seed` after adding tests runs only the mutants that survived.

Mutants inside a function's annotations in a module with `from __future__ import annotations` are
equivalent by rule (the annotations are never evaluated) and never drawn. Any other equivalent
mutant is named in bench/equivalent_mutants.txt by the `path:line:column operator #occurrence`
this script prints for it (without `#occurrence`: every mutant of that operator at that place, e.g.
both the +1 and the -1 of a number), then ` # ` and the reason it cannot change behaviour.
"""
from __future__ import annotations

import argparse
import ast
import functools
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("fleet", "events", "policies")
EQUIVALENT = ROOT / "bench" / "equivalent_mutants.txt"
# the in-process tests of the model (tests that run the CLI in a child process add no coverage here)
MAP_TESTS = tuple(f"tests/test_{name}.py" for name in (
    "scripted", "invariants", "closed_forms", "state", "policies_decisions", "policies_spares",
    "policies_economic_costs", "policies_age_replacement", "launch_pricing", "deorbit_cost", "renewal_lead",
    "service_packing", "streams", "invariant_checks", "tech_refresh_trend", "policies_conformance", "decades",
    "kpis", "demand", "exact_kpis", "policy_errors", "policies_metamorphic", "trace",
    "pinned_model", "pinned_policies", "pinned_events"))
PYTEST_FLAGS = ("-q", "-p", "no:cacheprovider", "-m", "not slow")


def config(timeout_s: float, test_map: Path, pristine: Path, budget_s: float) -> str:
    """Cosmic Ray's configuration (TOML) for a copy of the checkout: its test command runs
    this script's `--test-mutant`, which picks the tests of the mutated line."""
    command = f"{sys.executable} bench/mutation.py --test-mutant {test_map} --pristine {pristine} --budget {budget_s}"
    return (f'[cosmic-ray]\nmodule-path = {list(PACKAGES)!r}\ntimeout = {timeout_s}\nexcluded-modules = []\n'
            f'test-command = "{command}"\n[cosmic-ray.distributor]\nname = "local"\n')


def copy_checkout(into: Path) -> Path:
    """The files of this checkout that git tracks or does not ignore, as they are on disk, under `into`."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, check=True, capture_output=True).stdout
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


def mutant_key(item) -> str:
    """`mutant_id` and Cosmic Ray's occurrence number, unique among the mutants of a checkout."""
    return f"{mutant_id(item)} #{item.mutations[0].occurrence}"


def killed_by(output: str | None) -> str | None:
    """The test whose failure pytest reports first in `output`, if any."""
    for line in (output or "").splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            return line.split(" ", 1)[1].split(" - ")[0]
    return None


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def kills(results, root: Path) -> dict[str, dict]:
    """Each mutant killed by a named test: {mutant_key: {"by": test, "sha": {file: sha256}}} with
    the digests of the mutated module and of the test's file, which make the kill reusable."""
    found = {}
    for item, result in results:
        test = killed_by(getattr(result, "output", None)) if result.is_killed else None
        if test is not None:
            files = (item.mutations[0].module_path.as_posix(), test.split("::")[0])
            found[mutant_key(item)] = {"by": test, "sha": {f: digest(root / f) for f in files}}
    return found


def reusable(entry: dict | None, root: Path) -> bool:
    """Whether a recorded kill still holds: the mutated module and the killing test's file are
    unchanged (the tests are deterministic, so the test still fails on the mutant)."""
    return entry is not None and all(digest(root / f) == sha for f, sha in entry["sha"].items())


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


def build_test_map(copy: Path, into: Path) -> Path:
    """Run MAP_TESTS once in `copy` under coverage, one context per test; write
    {"lines": {path: {line: [test ids]}}, "seconds": {test id: duration}} to `into` (JSON)."""
    from coverage import CoverageData

    junit = into.with_suffix(".xml")
    covs = [f"--cov={p}" for p in PACKAGES]
    done = subprocess.run([sys.executable, "-m", "pytest", *PYTEST_FLAGS, *covs, "--cov-context=test",
                           "--cov-report=", f"--junitxml={junit}", *MAP_TESTS], cwd=copy)
    if done.returncode != 0:
        raise SystemExit(f"the tests fail on the unmutated checkout (pytest exit {done.returncode})")
    data = CoverageData(basename=str(copy / ".coverage"))
    data.read()
    lines: dict[str, dict[int, list[str]]] = {}
    for name in data.measured_files():
        path = Path(name).resolve().relative_to(copy.resolve()).as_posix()
        by_line = data.contexts_by_lineno(name)
        lines[path] = {n: sorted({c.rsplit("|", 1)[0] for c in cs if c}) for n, cs in by_line.items()}
    if not lines:
        raise SystemExit(f"no coverage of {', '.join(PACKAGES)} in {copy}: the tests imported another copy")
    seconds = {f"{case.get('classname', '').replace('.', '/')}.py::{case.get('name')}": float(case.get("time", 0))
               for case in ET.parse(junit).getroot().iter("testcase")}
    into.write_text(json.dumps({"lines": lines, "seconds": seconds}))
    return into


def mutated_lines(copy: Path, pristine: Path) -> tuple[str, set[int]] | None:
    """The module of `copy` that differs from `pristine` (path relative to the checkout) and the
    numbers of its lines that differ; None if no module differs."""
    for package in PACKAGES:
        for source in sorted((pristine / package).rglob("*.py")):
            path = source.relative_to(pristine)
            old, new = source.read_text().splitlines(), (copy / path).read_text().splitlines()
            if old != new:
                changed = {n for n, (a, b) in enumerate(zip(old, new), start=1) if a != b}
                return path.as_posix(), changed or {min(len(old), len(new)) + 1}
    return None


def statement_lines(source: str, lines: set[int]) -> set[int]:
    """The lines of the innermost statements holding `lines` (only the header of an if/for/def...),
    since coverage may record a statement that spans lines under any of them."""
    spans = set(lines)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.stmt) and any(node.lineno <= n <= node.end_lineno for n in lines):
            body = getattr(node, "body", None)
            last = body[0].lineno - 1 if isinstance(body, list) and body else node.end_lineno
            if any(node.lineno <= n <= last for n in lines):
                spans |= set(range(node.lineno, last + 1))
    return spans


def tests_for(test_map: dict, path: str, lines: set[int], source: str, budget_s: float = float("inf")) -> list[str]:
    """The tests that execute the mutated `lines` of `path`, fastest first, as many as fit in
    `budget_s` seconds of their mapped times (at least one); a line that runs only at import
    (no test's context) takes every test that runs any line of the module, or every test if
    none does."""
    by_line = test_map["lines"].get(path, {})
    hits = [by_line[str(n)] for n in statement_lines(source, lines) if str(n) in by_line]
    chosen = set().union(*hits) if hits else set()
    if hits and not chosen:
        chosen = set().union(*by_line.values())
    if hits and not chosen:          # a module run only at import (no function a test calls): every test
        chosen = set(test_map["seconds"])
    seconds = test_map["seconds"]
    ordered = sorted(chosen, key=lambda t: (seconds.get(t, 1.0), t))
    spent = np.cumsum([seconds.get(t, 1.0) for t in ordered])
    return ordered[:max(1, int(np.searchsorted(spent, budget_s, side="right")))] if ordered else []


class OnlyTests:
    """pytest plugin: keep the collected tests named in `ids`, in that order."""

    def __init__(self, ids: list[str]):
        self.order = {t: i for i, t in enumerate(ids)}

    def pytest_collection_modifyitems(self, config, items):
        kept = sorted((i for i in items if i.nodeid in self.order), key=lambda i: self.order[i.nodeid])
        config.hook.pytest_deselected(items=[i for i in items if i.nodeid not in self.order])
        items[:] = kept


def test_mutant(test_map_path: Path, pristine: Path, budget_s: float) -> int:
    """Cosmic Ray's test command (run in a copy holding one mutant): 0 if the mutant survives."""
    import pytest

    found = mutated_lines(Path.cwd(), pristine)
    if found is None:
        print("no module differs from the pristine copy")
        return 0
    path, lines = found
    ids = tests_for(json.loads(test_map_path.read_text()), path, lines, (pristine / path).read_text(), budget_s)
    print(f"{path} lines {sorted(lines)}: {len(ids)} tests")
    if not ids:
        return 0
    files = sorted({t.split("::")[0] for t in ids})
    return int(pytest.main(["-x", *PYTEST_FLAGS, *files], plugins=[OnlyTests(ids)]))


def run(sample: int, seed: int, jobs: int, timeout_s: float, budget_s: float, maps: tuple[Path | None, Path | None],
        kills_files: tuple[Path | None, Path | None], survivors_file: Path | None) -> int:
    """Run the sample; `maps` is (a test map to read instead of making one, a file to save it to),
    `kills_files` (recorded kills to reuse, a file to record this run's kills in)."""
    reuse, record = kills_files
    from cosmic_ray.work_db import WorkDB, use_db

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        pristine = copy_checkout(Path(tmp) / "pristine")
        test_map = Path(tmp) / "test-map.json"
        if maps[0] is not None:
            shutil.copy(maps[0], test_map)
        else:
            build_test_map(pristine, test_map)
        if maps[1] is not None:
            shutil.copy(test_map, maps[1])
        mapped = time.perf_counter() - started
        copies = [copy_checkout(Path(tmp) / f"copy{j}") for j in range(jobs)]
        for c in copies:
            (c / "cosmic-ray.toml").write_text(config(timeout_s, test_map, pristine, budget_s))
        subprocess.run(["cosmic-ray", "init", "cosmic-ray.toml", "all.sqlite"], cwd=copies[0], check=True)
        with use_db(str(copies[0] / "all.sqlite"), WorkDB.Mode.open) as db:
            items = list(db.work_items)
        population = sorted((i for i in items if not in_function_annotation(i, copies[0])), key=mutant_id)
        drawn = random.Random(seed).sample(population, min(sample, len(population)))
        skip = equivalent_ids()
        chosen = [i for i in drawn if mutant_id(i) not in skip and mutant_key(i) not in skip]
        known = json.loads(reuse.read_text()) if reuse is not None else {}
        reused = [i for i in chosen if reusable(known.get(mutant_key(i)), pristine)]
        chosen = [i for i in chosen if i not in reused]
        print(f"{len(items)} mutants, {len(items) - len(population)} in function annotations (which "
              f"`from __future__ import annotations` leaves unevaluated); drew {len(drawn)} (seed {seed}), "
              f"{len(drawn) - len(chosen) - len(reused)} of them listed as equivalent; {len(reused)} killed "
              f"before by a test that is unchanged, as is their module; running {len(chosen)} in {jobs} job(s); "
              f"test map in {mapped:.0f} s", flush=True)
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
        if record is not None:
            record.write_text(json.dumps({**{mutant_key(i): known[mutant_key(i)] for i in reused},
                                          **kills(results, pristine)}, indent=0, sort_keys=True))
    results += [(i, Reused(known[mutant_key(i)]["by"])) for i in reused]
    return report(results, time.perf_counter() - started, survivors_file)


class Reused:
    """The result of a mutant killed in an earlier run by a test that is unchanged."""

    test_outcome, is_killed, diff = "killed", True, ""

    def __init__(self, test: str):
        self.output = f"FAILED {test} (recorded)"


def report(results, seconds: float, survivors_file: Path | None = None) -> int:
    """Print the score per package and the survivors (also written to `survivors_file`, one
    `path:line:column operator #occurrence` a line, if given); 0."""
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
        print(f"\nSURVIVED {mutant_key(item)}\n{result.diff or ''}")
    if survivors_file is not None:
        survivors_file.write_text("".join(sorted(f"{mutant_key(item)}\n" for item, _ in survivors)))
    for item in broken:
        print(f"NOT RUN {mutant_key(item)} (the mutant did not run: incompetent or worker error)")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sample", type=int, default=150, help="mutants to run (default 150)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    p.add_argument("--jobs", type=int, default=1, help="mutants run at once, each in its own copy (default 1)")
    p.add_argument("--timeout", type=float, default=600.0,
                   help="seconds per mutant's tests before it counts as killed (a hang); default 600")
    p.add_argument("--budget", type=float, default=20.0,
                   help="seconds of tests per mutant, by their times in the test map: the fastest tests of the "
                        "mutated line that fit (at least one); default 20")
    p.add_argument("--test-map", type=Path, help="read the test map from this file (saved by --save-map from "
                                                 "the same tests and source) instead of making it")
    p.add_argument("--save-map", type=Path, help="save the test map to this file")
    p.add_argument("--kills", type=Path, help="record here, as JSON, each killed mutant with the test that killed it")
    p.add_argument("--reuse", type=Path, help="count as killed, without running them, the mutants recorded by "
                                              "--kills whose module and killing test's file are unchanged")
    p.add_argument("--survivors", type=Path, help="write the survivors here, one `path:line:column operator #occurrence` a line")
    p.add_argument("--test-mutant", type=Path, help=argparse.SUPPRESS)  # Cosmic Ray's test command: the test map
    p.add_argument("--pristine", type=Path, help=argparse.SUPPRESS)  # ... and the unmutated copy
    a = p.parse_args(argv)
    if a.test_mutant is not None:
        return test_mutant(a.test_mutant, a.pristine, a.budget)
    if a.sample < 1 or a.jobs < 1 or a.timeout <= 0 or a.budget <= 0:
        p.error("--sample and --jobs must be at least 1, --timeout and --budget positive")
    return run(a.sample, a.seed, a.jobs, a.timeout, a.budget, (a.test_map, a.save_map), (a.reuse, a.kills),
               a.survivors)


if __name__ == "__main__":
    sys.exit(main())
