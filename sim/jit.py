"""Compiled kernels: one numba decorator for the whole model (issue 12).

At the default district's size (40,000 residents) a week is a few hundred
numpy calls on arrays of tens to thousands of elements, and each call's
fixed cost (a few microseconds) outweighs its arithmetic. A kernel compiled
with numba does such a phase in one call. The settings keep outputs equal to
the numpy code they replace, bit for bit:

- no ``fastmath``: IEEE rounding, no reassociation of sums and no fused
  multiply-adds, so every operation rounds as numpy's does; sums that numpy
  computes pairwise are written in numpy's order (`sim.network`);
- ``error_model="numpy"``: division by zero gives inf/nan like numpy instead of
  raising;
- ``cache=True``: the machine code is written beside the module
  (``__pycache__``) the first time a kernel runs with a given argument type, so
  later processes (experiment workers, Dask workers, the next run) load it in
  milliseconds instead of compiling it again. ``scripts/setup.sh`` warms the
  cache once (`warm`).

The kernels are plain loops, readable as the specification of their phase;
`tests/test_kernels.py` checks each against the numpy expression it replaced.
"""

from __future__ import annotations

import numba

#: The decorator every kernel uses (see the module docstring for why these settings).
kernel = numba.njit(cache=True, error_model="numpy", nogil=True)


def warm() -> float:
    """Compile (or load from the cache) every kernel by running a small model; returns seconds taken."""
    import time

    from sim.model import CommunityModel

    start = time.perf_counter()
    for scale in (1, 3):  # scale > 1 takes the several-needs-per-agent paths
        CommunityModel(None, rng=1, **{"world.residents": 600, "world.scale": scale, "steps": 14}).run()
    return time.perf_counter() - start
