"""Ranking and selection: the fully sequential procedure KN of Kim & Nelson (2001).

Among k systems with normal outputs, KN selects the one with the largest mean, or one within the
indifference zone `delta` of it, with probability at least `pcs`, whatever the variances and their
correlation (common random numbers are welcome: the variances of the pairwise differences are used).

After n0 first replications of each system, with alpha = 1 - pcs,

    h^2 = (n0 - 1) [(2 alpha / (k - 1))^(-2 / (n0 - 1)) - 1],   S_il^2 = var(X_i - X_l) over n0,

and after r replications system i is eliminated if some survivor l has
mean_i(r) < mean_l(r) - W_il(r), W_il(r) = max(0, delta / (2 r) (h^2 S_il^2 / delta^2 - r)).
One replication is added to each survivor until one is left, or until r exceeds N = max floor(h^2
S_il^2 / delta^2), when the survivor with the largest mean is chosen.

`kn` replays the procedure on the data computed so far, so the replications may be computed in
batches (survivors' extra replications beyond the decision are simply unused): the decisions are the
same as one replication at a time.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class KnState:
    """Where the procedure stands: the survivors, the chosen system (None until decided), and the
    replications each survivor needs before the next check (r) or in all (n_max)."""

    alive: tuple[int, ...]
    chosen: int | None
    r: int
    n_max: int
    eliminated_at: dict[int, int]

    @property
    def decided(self) -> bool:
        return self.chosen is not None


def eta_h2(k: int, n0: int, pcs: float) -> float:
    """KN's h^2 for k systems, n0 first replications and probability of correct selection `pcs`."""
    if k < 2:
        return 0.0
    alpha = 1.0 - pcs
    return (n0 - 1) * ((2.0 * alpha / (k - 1)) ** (-2.0 / (n0 - 1)) - 1.0)


def kn(x: np.ndarray, n0: int, delta: float, pcs: float = 0.95, maximise: bool = True) -> KnState:
    """Replay KN on `x` (systems x replications; NaN where not computed) and say where it stands.

    Every system needs its first n0 replications; a survivor needs the replications up to the
    current check. Raises ValueError if n0 < 2, delta <= 0, or pcs not in (1/k, 1).
    """
    x = np.asarray(x, dtype=float) * (1.0 if maximise else -1.0)
    k = x.shape[0]
    if n0 < 2 or not delta > 0 or not 0 < pcs < 1:
        raise ValueError("KN needs n0 >= 2, delta > 0 and 0 < pcs < 1")
    if k == 1:
        return KnState((0,), 0, n0, n0, {})
    first = x[:, :n0]
    if first.shape[1] < n0 or not np.isfinite(first).all():
        raise ValueError(f"KN needs the first {n0} replications of every system, all finite")
    h2 = eta_h2(k, n0, pcs)
    diffs = first[:, None, :] - first[None, :, :]
    s2 = diffs.var(axis=2, ddof=1)
    n_max = int(math.floor(h2 * s2.max() / delta**2))
    alive = list(range(k))
    eliminated: dict[int, int] = {}
    r = n0
    while True:
        if r > n_max:
            means = x[alive, :r].mean(axis=1)
            return KnState(tuple(alive), alive[int(np.argmax(means))], r, n_max, eliminated)
        block = x[alive, :r]
        if block.shape[1] < r or not np.isfinite(block).all():
            return KnState(tuple(alive), None, r, n_max, eliminated)
        means = block.mean(axis=1)
        sub = s2[np.ix_(alive, alive)]
        w = np.maximum(0.0, delta / (2.0 * r) * (h2 * sub / delta**2 - r))
        out = (means[:, None] < means[None, :] - w).any(axis=1)
        for i in np.flatnonzero(out):
            eliminated[alive[i]] = r
        alive = [a for a, gone in zip(alive, out) if not gone]
        if len(alive) == 1:
            return KnState(tuple(alive), alive[0], r, n_max, eliminated)
        r += 1
