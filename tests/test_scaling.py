"""Structures that keep the engine's cost in proportion to its work as the fleet grows (issue 17's
ten-gw world): each gives what the plain computation it replaces gives."""
from __future__ import annotations

import math

import numpy as np

from events.capacity import DOT_CHUNK, _dot


def test_a_dot_product_is_blas_own_up_to_a_chunk_and_the_sum_of_chunks_above():
    rng = np.random.default_rng(7)
    for n in (0, 1, 17, DOT_CHUNK - 1, DOT_CHUNK):
        a, b = rng.random(n), rng.random(n)
        assert _dot(a, b) == float(a @ b)                       # bit for bit: one single-threaded call
    for n in (DOT_CHUNK + 1, 3 * DOT_CHUNK + 5):
        a, b = rng.random(n), rng.random(n)
        chunks = [float(a[i:i + DOT_CHUNK] @ b[i:i + DOT_CHUNK]) for i in range(0, n, DOT_CHUNK)]
        assert _dot(a, b) == sum(chunks)
        exact = math.fsum((a * b).tolist())                    # the rounded products, summed exactly
        assert abs(_dot(a, b) - exact) <= 4 * n * np.finfo(float).eps * exact

