"""Snapshots of a running model: burn in once, branch many (issue 12).

A snapshot is the whole state of a `sim.CommunityModel` after some week:
residents, committees, ledger, NGOs, volunteers, the outcomes collected so
far, the scenario with any levers changed by ``set_levers``, every named
random stream of `sim.rng` (their generator states) and every counter of the
counter-based draws. Restoring it and running on gives outcomes identical to
never having stopped (``tests/test_snapshot.py`` checks this across
processes).

Format: the bytes of a pickle (protocol 5) of ``{"format": FORMAT,
"version": VERSION, "model": model}``. Write them to a file with
``Path.write_bytes`` and read them back in any process that imports the same
code. A pickle can run code when loaded: restore only snapshots you made.
A snapshot is tied to the code that made it; one made by other code is not
refused, but its state may no longer mean the same thing.
"""

from __future__ import annotations

import pickle
from typing import Any

#: Tag of a snapshot's payload, so that other pickles are refused with a clear error.
FORMAT = "community-model-snapshot"
#: Version of the payload's layout.
VERSION = 1


class SnapshotError(ValueError):
    """Bytes that are not a model snapshot of this version."""


def dump(model: Any) -> bytes:
    """The model's whole state as bytes (see the module docstring for the format)."""
    return pickle.dumps({"format": FORMAT, "version": VERSION, "model": model}, protocol=5)


def load(data: bytes, cls: type) -> Any:
    """The model stored in ``data`` by `dump`; it must be an instance of ``cls``.

    Raises:
        SnapshotError: if ``data`` is not a snapshot of this version holding a ``cls``.
    """
    try:
        payload = pickle.loads(data)
    except Exception as exc:  # any unpickling failure means "not a snapshot"
        raise SnapshotError(f"snapshot: cannot be read ({type(exc).__name__}: {exc}) (allowed: bytes from CommunityModel.snapshot())") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise SnapshotError("snapshot: not a model snapshot (allowed: bytes from CommunityModel.snapshot())")
    if payload.get("version") != VERSION:
        raise SnapshotError(f"snapshot: version {payload.get('version')!r} (allowed: {VERSION})")
    model = payload["model"]
    if not isinstance(model, cls):
        raise SnapshotError(f"snapshot: holds a {type(model).__name__} (allowed: {cls.__name__})")
    return model
