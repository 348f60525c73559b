"""Golden outputs: what `fleet trace tiny --seed 0` and each tutorial print, checked in beside this file
(NAME.txt) and compared by tests/test_golden.py, as SimPy's documentation tests do.

    python3 -m tests.golden            # compare; print the diff of each output that drifted
    python3 -m tests.golden --update   # regenerate every file (or: --update NAME ...) after a
                                       # deliberate change of the model or of a tutorial

Each case runs in a child process with this checkout first on PYTHONPATH, in a fresh temporary
folder (tutorials write results there). Values that differ from run to run without the model
changing are masked before comparing: the temporary folder, wall-clock durations, file sizes.
"""
from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TUTORIALS = sorted((REPO / "docs" / "tutorials").glob("*.py"))
TIMEOUT_S = 900
MASKS = (   # (pattern, replacement), applied in order
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:[kMG]B|bytes)\b"), "<SIZE>"),
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:s|seconds|ms)\b(?!\w)"), "<SECONDS>"),
    (re.compile(r"(wall_seconds\D{0,20})\d+(?:\.\d+)?(?:e-?\d+)?"), r"\1<SECONDS>"),
)


def cases() -> dict[str, list[str]]:
    """Name -> the command whose standard output is the golden text."""
    out = {"trace-tiny-seed0": [sys.executable, "-m", "runs", "trace", "tiny", "--seed", "0"]}
    out.update({f"tutorial-{p.stem}": [sys.executable, str(p)] for p in TUTORIALS})
    return out


def mask(text: str, folder: str) -> str:
    """`text` with the run's temporary folder and the wall-clock values replaced by placeholders."""
    text = text.replace(os.path.realpath(folder), "<TMP>").replace(folder, "<TMP>")
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def run(name: str) -> str:
    """The masked standard output of case `name`; RuntimeError with its stderr if it fails."""
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    with tempfile.TemporaryDirectory(prefix="golden-") as folder:
        p = subprocess.run(cases()[name], cwd=folder, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
        if p.returncode != 0:
            raise RuntimeError(f"{name}: exit status {p.returncode}\n{p.stderr}")
        return mask(p.stdout, folder)


def expected_path(name: str) -> Path:
    return HERE / f"{name}.txt"


def drift(name: str, actual: str) -> str:
    """The unified diff from the checked-in output to `actual` ("" if they agree)."""
    path = expected_path(name)
    expected = path.read_text(encoding="utf-8") if path.exists() else ""
    lines = difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                 fromfile=f"tests/golden/{path.name} (expected)", tofile=f"{name} (now)")
    return "".join(lines)


def assert_matches(name: str, actual: str) -> None:
    """AssertionError with the diff and how to regenerate, unless `actual` is case `name`'s golden output."""
    difference = drift(name, actual)
    assert not difference, f"{name} drifted from its golden output (python3 -m tests.golden --update {name} " \
                           f"if the change is deliberate):\n{difference}"


def main(argv: list[str]) -> int:
    update = "--update" in argv
    names = [a for a in argv if a != "--update"] or list(cases())
    unknown = sorted(set(names) - set(cases()))
    if unknown:
        print(f"golden: no such case {', '.join(unknown)}; cases are {', '.join(cases())}", file=sys.stderr)
        return 2
    drifted = 0
    for name in names:
        actual = run(name)
        if update:
            expected_path(name).write_text(actual, encoding="utf-8")
            print(f"wrote {expected_path(name).relative_to(REPO)}")
        elif difference := drift(name, actual):
            drifted += 1
            print(difference)
    return 1 if drifted else 0
