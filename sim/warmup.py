"""Compile every model kernel once (`sim.jit`), by running two small models: ``scripts/setup.sh`` calls it.

Kept apart from `sim.jit`, which every kernel module imports, so that the
decorators do not depend on the model that uses them.
"""

from __future__ import annotations

import time

from sim.model import CommunityModel


def warm() -> float:
    """Compile (or load from the cache) every kernel by running a small model; returns seconds taken."""
    start = time.perf_counter()
    for scale in (1, 3):  # scale > 1 takes the several-needs-per-agent paths
        CommunityModel(None, rng=1, **{"world.residents": 600, "world.scale": scale, "steps": 14}).run()
    return time.perf_counter() - start
