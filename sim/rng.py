"""Named random streams: common random numbers across scenarios.

Each process of the model (needs, service, turnover ...) draws from its own
generator, derived from the run's base seed and the process name. Two
scenarios that differ in one lever then share every draw of the processes
that lever does not touch (common random numbers, as in Starsim), which makes
paired comparisons far less noisy. Names are hashed with CRC32, not Python's
``hash``, so streams do not depend on ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import zlib

import numpy as np

#: Every stream the model uses; asking for another name is a bug.
STREAMS = (
    "world",
    "network",
    "needs",
    "service",
    "committees",
    "volunteers",
    "ngos",
    "planning",
    "social",
    "liaison",
)


def base_entropy(rng: int | np.integer | np.random.Generator) -> int:
    """Turn a Mesa-style ``rng`` (seed or Generator) into one integer of entropy."""
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    return int(rng)


def make_streams(entropy: int) -> dict[str, np.random.Generator]:
    """One independent generator per process name, all derived from ``entropy``.

    Example:
        >>> a = make_streams(1)["needs"].random()
        >>> a == make_streams(1)["needs"].random()
        True
    """
    return {
        name: np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(zlib.crc32(name.encode()),))))
        for name in STREAMS
    }
