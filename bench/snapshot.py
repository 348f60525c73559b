"""Bit-identity check: save, or compare against saved, every output of a few replications.

Run from the repository root:
  python bench/snapshot.py save DIR      # before a refactoring
  python bench/snapshot.py check DIR     # after: exits 1 naming what differs

Covers `tiny` and `baseline` under several policies and seeds: the summary (without wall time),
the event log (the columns saved before; columns added since are ignored) and the timeline.
"""
from __future__ import annotations

import math
import pickle
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

from runs import load_scenario, simulate  # noqa: E402

CASES = [(s, p, seed) for s in ("tiny", "baseline")
         for p in (None, "replenish", "service-on-threshold", "opportunistic-service", "block-replacement")
         for seed in (0, 3)]
EXTRA = [("starcloud-40mw", None, 1), ("suncatcher-cluster", None, 2)]


def outputs(scenario: str, policy: str | None, seed: int) -> dict:
    result = simulate(load_scenario(scenario), seed=seed, policy=policy)
    summary = {k: v for k, v in result.summary.items() if k != "wall_seconds"}
    return {"summary": summary, "events": result.events, "timeline": result.timeline}


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def differences(old: dict, new: dict) -> list[str]:
    out = []
    s_old, s_new = old["summary"], new["summary"]
    for k in s_old.keys() | s_new.keys():
        if not same(s_old.get(k), s_new.get(k)):
            out.append(f"summary {k}: {s_old.get(k)!r} != {s_new.get(k)!r}")
    for table in ("events", "timeline"):
        a, b = old[table], new[table]
        try:
            pd.testing.assert_frame_equal(a, b[list(a.columns)], check_exact=True)
        except (AssertionError, KeyError) as exc:
            out.append(f"{table}: {str(exc)[:400]}")
    return out


def main() -> int:
    mode, folder = sys.argv[1], Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    bad = 0
    for case in CASES + EXTRA:
        name = "-".join(str(x) for x in case) + ".pkl"
        new = outputs(*case)
        if mode == "save":
            (folder / name).write_bytes(pickle.dumps(new))
            print("saved", name, len(new["events"]), "events")
            continue
        diffs = differences(pickle.loads((folder / name).read_bytes()), new)
        bad += bool(diffs)
        print(name, "identical" if not diffs else "DIFFERS:\n  " + "\n  ".join(diffs))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
