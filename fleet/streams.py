"""Named random streams: independent of creation order and of what other streams consumed.

A stream's key comes from a stable hash of its name (hashlib, never Python's salted `hash`), fed
to `SeedSequence(seed, spawn_key=...)`. Two kinds:

- `sequence(name)`: one numpy Generator consumed in order (the i-th launch takes the i-th draw);
- `keyed(name, i, j)`: a counter-based Philox substream for the thing (i, j), for example the
  units installed in module i at its j-th installation. The same (seed, name, i, j) gives the same
  numbers whatever else happened, which is what common random numbers need.
"""
from __future__ import annotations

import hashlib

import numpy as np


def name_key(name: str) -> tuple[int, ...]:
    """Stable 4 x 32-bit key for a stream name."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()[:16]
    return tuple(int.from_bytes(digest[k:k + 4], "little") for k in range(0, 16, 4))


class Streams:
    """All random streams of one replication, derived from its seed."""

    def __init__(self, seed: int):
        if seed < 0:
            raise ValueError("seed must be non-negative")
        self.seed = int(seed)
        self._sequences: dict[str, np.random.Generator] = {}
        self._keyed: dict[str, tuple[np.random.Philox, np.random.Generator, np.ndarray, dict]] = {}

    def _seed_sequence(self, name: str) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.seed, spawn_key=name_key(name))

    def sequence(self, name: str) -> np.random.Generator:
        """The sequential stream `name` (created on first use, then shared)."""
        gen = self._sequences.get(name)
        if gen is None:
            gen = np.random.Generator(np.random.PCG64(self._seed_sequence(name)))
            self._sequences[name] = gen
        return gen

    def keyed(self, name: str, i: int, j: int = 0) -> np.random.Generator:
        """The substream (i, j) of `name`; valid until the next `keyed` call with the same name."""
        entry = self._keyed.get(name)
        if entry is None:
            key = self._seed_sequence(name).generate_state(2, np.uint64)
            bitgen = np.random.Philox(key=key)
            counter = np.zeros(4, dtype=np.uint64)
            state = {"bit_generator": "Philox", "state": {"counter": counter, "key": key},
                     "buffer": np.zeros(4, dtype=np.uint64), "buffer_pos": 4, "has_uint32": 0, "uinteger": 0}
            entry = self._keyed[name] = (bitgen, np.random.Generator(bitgen), counter, state)
        bitgen, gen, counter, state = entry
        counter[2] = i            # the setter copies the state, so one dict serves every call
        counter[3] = j
        bitgen.state = state
        return gen
