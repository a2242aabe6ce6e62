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
- ``cache=True``: the machine code is written to disk the first time a
  kernel runs with a given argument type, so later processes (experiment
  workers, Dask workers, the next run) load it in milliseconds instead of
  compiling it again. ``scripts/setup.sh`` warms the cache once (`sim.warmup.warm`).

numba checks a cached kernel against its own file's timestamp only, not the
files of the kernels it calls: after an edit to `sim.network`, a cached
kernel of `sim.resident_kernels` would still hold the old neighbour sums
(measured here: wrong numbers, then crashes). So the cache lives in a folder
named by a hash of every source file of the `sim` package (`cache_folder`):
any edit starts a fresh cache, and folders of older sources are removed.

The kernels are plain loops, readable as the specification of their phase;
`tests/test_ensemble_kernels.py` and the ensemble digests check them against
the numpy code they replaced.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import numba

_PACKAGE = Path(__file__).resolve().parent
_PREFIX = "numba-"


def cache_folder() -> Path:
    """Where compiled kernels are cached: ``sim/__pycache__/numba-<hash of sim's sources>``.

    Falls back to the user's cache folder when the package is not writable
    (a read-only install), and to the system's temporary folder after that.
    """
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    name = _PREFIX + digest.hexdigest()[:16]
    for parent in (_PACKAGE / "__pycache__", Path.home() / ".cache" / "community-sim", Path(tempfile.gettempdir()) / "community-sim"):
        try:
            parent.mkdir(parents=True, exist_ok=True)
            folder = parent / name
            folder.mkdir(exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            for old in parent.glob(_PREFIX + "*"):  # caches of sources that no longer exist
                if old.name != name:
                    shutil.rmtree(old, ignore_errors=True)
            return folder
    raise OSError("sim.jit: no writable folder for the compiled kernels (tried sim/__pycache__, ~/.cache, the temp folder)")


# numba reads its cache folder when each kernel is decorated, so it is set
# before the first `kernel` below; NUMBA_CACHE_DIR, if a user set it, wins.
if not os.environ.get("NUMBA_CACHE_DIR"):
    numba.config.CACHE_DIR = str(cache_folder())

#: The decorator of every kernel called from Python (see the module docstring for why these settings).
kernel = numba.njit(cache=True, error_model="numpy", nogil=True)
#: The decorator of every helper that kernels call: numba inlines its code into
#: each caller. A kernel must never call another `kernel`: with the on-disk
#: cache, a process that loaded a caller (which carries a copy of the callee)
#: and compiled the callee itself ended in a crash at exit (numba 0.68, two
#: definitions of one symbol), so shared code is inlined, never linked.
helper = numba.njit(inline="always", error_model="numpy", nogil=True)
