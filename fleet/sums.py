"""Dot products whose result does not depend on how many cores the machine has.

Above about 10,000 entries OpenBLAS splits a dot product over threads: the sum then depends on the
machine's core count, and the idle threads spin on the cores for a while after each call (a quarter
of a 10 GW run's samples were in that spin). `dot` takes such products by chunks of at most
DOT_CHUNK entries, each on one thread, and adds the chunks in order.
"""
from __future__ import annotations

import numpy as np

DOT_CHUNK = 10_000      # OpenBLAS's ddot runs on one thread up to this length (x86-64 kernels)


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """The dot product of `a` and `b`, by chunks of at most DOT_CHUNK entries."""
    if len(a) <= DOT_CHUNK:
        return float(a @ b)
    return sum(float(a[i:i + DOT_CHUNK] @ b[i:i + DOT_CHUNK]) for i in range(0, len(a), DOT_CHUNK))
