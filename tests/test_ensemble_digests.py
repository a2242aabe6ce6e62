"""Outcome frames identical to the reference code on every shipped scenario (issue 12).

The speed work of issue 12 must not change what the model computes. The
reference is ``tests/regression/ensemble_digests.json``, made at the commit
the work started from (`REFERENCE_COMMIT`) by

    .venv/bin/python tests/test_ensemble_digests.py --update

It holds, for every ``scenarios/*.yaml`` at each seed of `SEEDS` (run small,
`OVERRIDES`, long enough for a planning round in week 52 and its tenders), and
for the baseline with one agent standing for several people (`SCALED`):

- the SHA-256 of the whole outcome frame (column names and float64 bytes):
  compared exactly when the test runs where the file was made (same machine
  type, numpy version and SIMD features, `platform_key`), since numpy's
  vectorised ``exp``/``log`` may round differently on another CPU;
- per-column sums, compared everywhere with a relative tolerance of `RTOL`.

A mismatch means a code path changed the model's numbers. Regenerate only
for an intended change of behaviour, never for a performance change.
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402

DIGEST_FILE = ROOT / "tests" / "regression" / "ensemble_digests.json"
#: Commit whose code made the stored frames (the base of the issue-12 branch).
REFERENCE_COMMIT = "b867cbc"
#: Small runs: 3,000 residents over 60 weeks (a planning round, eight tenders).
OVERRIDES = {"world.residents": 3000, "steps": 60}
#: Seeds of every scenario.
SEEDS = (1, 2)
#: The baseline with one agent for several people (the scale > 1 code paths).
SCALED = {"world.scale": 5.0}
#: Tolerance of the per-column sums off the reference platform.
RTOL = 1e-9


def platform_key() -> str:
    """Machine type, numpy version and the SIMD features numpy dispatches on."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # pragma: no cover - numpy moved it
        features = {}
    enabled = ",".join(sorted(k for k, v in features.items() if v))
    return f"{platform.machine()} numpy {np.__version__} [{enabled}]"


def cases() -> dict[str, tuple[str, int, dict]]:
    """Label -> (scenario file, seed, overrides) for every reference run."""
    out = {}
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        for seed in SEEDS:
            out[f"{path.stem}@{seed}"] = (str(path), seed, OVERRIDES)
    out["baseline_scale5@1"] = (str(ROOT / "scenarios" / "baseline.yaml"), 1, {**OVERRIDES, **SCALED})
    return out


def frame_digest(frame) -> dict:
    """SHA-256 of an outcome frame and its per-column sums."""
    values = np.ascontiguousarray(frame.to_numpy(dtype=np.float64))
    h = hashlib.sha256()
    h.update(json.dumps(list(frame.columns)).encode())
    h.update(np.asarray(frame.index, np.int64).tobytes())
    h.update(values.tobytes())
    return {"sha256": h.hexdigest(), "sums": {c: float(s) for c, s in zip(frame.columns, values.sum(axis=0), strict=True)}}


def run_case(path: str, seed: int, overrides: dict) -> dict:
    """Run one reference case and digest its outcome frame."""
    return frame_digest(sim.CommunityModel(path, rng=seed, **overrides).run().outcome_frame())


def load() -> dict:
    """The stored reference."""
    return json.loads(DIGEST_FILE.read_text())


@pytest.fixture(scope="module")
def stored():
    assert DIGEST_FILE.exists(), "no reference digests: run `.venv/bin/python tests/test_ensemble_digests.py --update` at the reference commit"
    return load()


def test_reference_covers_every_shipped_scenario(stored):
    assert sorted(stored["runs"]) == sorted(cases())
    assert stored["settings"] == {"overrides": OVERRIDES, "seeds": list(SEEDS), "scaled": SCALED}


@pytest.mark.parametrize("label", sorted(cases()))
def test_outcome_frame_matches_the_reference(stored, label):
    path, seed, overrides = cases()[label]
    now, ref = run_case(path, seed, overrides), stored["runs"][label]
    assert list(now["sums"]) == list(ref["sums"]), "outcome columns changed"
    far = [f"{c}: {ref['sums'][c]!r} -> {v!r}" for c, v in now["sums"].items() if not math.isclose(v, ref["sums"][c], rel_tol=RTOL, abs_tol=1e-12)]
    assert not far, f"{label}: outcomes changed:\n  " + "\n  ".join(far)
    if stored["platform"] == platform_key():
        assert now["sha256"] == ref["sha256"], f"{label}: the outcome frame is not bit-identical to the reference"


def test_digest_sees_a_one_ulp_change():
    import pandas as pd

    frame = pd.DataFrame({"a": [0.25, 0.5]}, index=pd.Index([1, 2], name="step"))
    moved = frame.copy()
    moved.iloc[1, 0] = np.nextafter(0.5, 1.0)
    assert frame_digest(frame)["sha256"] == frame_digest(frame.copy())["sha256"]
    assert frame_digest(frame)["sha256"] != frame_digest(moved)["sha256"]


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: .venv/bin/python tests/test_ensemble_digests.py --update  (only at the reference commit)")
    runs = {label: run_case(*case) for label, case in cases().items()}
    data = {"reference_commit": REFERENCE_COMMIT, "platform": platform_key(), "settings": {"overrides": OVERRIDES, "seeds": list(SEEDS), "scaled": SCALED}, "runs": runs}
    DIGEST_FILE.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {DIGEST_FILE} ({len(runs)} runs)")
