"""Snapshots (issue 12): restoring and running on equals never stopping, across processes."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap

import pytest
from conftest import REPO

import sim

SMALL = {"world.residents": 3000, "steps": 40}
#: Levers changed mid-run (M2, M5, M6): they move NGOs, leaders' visits and the ledger.
LEVERS_A = {"government.admin_tasks": 50, "government.purchase_share": 0.3, "liaison.leaders": 8}
LEVERS_B = {"government.budget_per_capita": 90, "committees.transparency": 0.7}


def _uninterrupted(path: str, seed: int, schedule: dict[int, dict]) -> sim.CommunityModel:
    """Run week by week, applying ``schedule[w]`` with set_levers after week w."""
    model = sim.CommunityModel(path, rng=seed, **SMALL)
    while model.running:
        model.step()
        if model.week in schedule:
            model.set_levers(schedule[model.week])
    return model


def _restore_in_subprocess(data: bytes, tmp_path, schedule: dict[int, dict]):
    """Restore ``data`` in a fresh interpreter, run on with ``schedule``, return its outcome frame."""
    (tmp_path / "snap.bin").write_bytes(data)
    script = textwrap.dedent(f"""
        import pickle, sys
        from pathlib import Path
        import sim
        model = sim.CommunityModel.restore(Path(sys.argv[1]).read_bytes())
        schedule = {schedule!r}
        while model.running:
            model.step()
            if model.week in schedule:
                model.set_levers(schedule[model.week])
        Path(sys.argv[2]).write_bytes(pickle.dumps(model.outcome_frame()))
    """)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "snap.bin"), str(tmp_path / "frame.pkl")], cwd=REPO, env=env, check=True)
    return pickle.loads((tmp_path / "frame.pkl").read_bytes())


@pytest.mark.parametrize("scenario", ["baseline", "m5_liaison", "integrated_reform"])
def test_restore_in_another_process_equals_an_uninterrupted_run(tmp_path, scenario):
    path = str(REPO / "scenarios" / f"{scenario}.yaml")
    whole = _uninterrupted(path, 3, {9: LEVERS_A, 27: LEVERS_B}).outcome_frame()
    model = sim.CommunityModel(path, rng=3, **SMALL)
    model.run(steps=9)
    model.set_levers(LEVERS_A)  # before the snapshot: must travel inside it
    model.run(steps=8)
    assert model.week == 17
    restored = _restore_in_subprocess(model.snapshot(), tmp_path, {27: LEVERS_B})
    assert restored.shape == whole.shape == (SMALL["steps"], len(sim.OUTCOMES))
    assert restored.equals(whole)
    # Branches must differ from the run they start from for this test to mean anything.
    assert not _uninterrupted(path, 3, {}).outcome_frame().equals(whole)


def test_a_snapshot_restores_independent_models():
    path = str(REPO / "scenarios" / "m2_provision.yaml")
    model = sim.CommunityModel(path, rng=5, **SMALL).run(steps=12)
    data = model.snapshot()
    first, second = sim.CommunityModel.restore(data), sim.CommunityModel.restore(data)
    first.set_levers({"government.budget_per_capita": 150})
    first.run()
    second.run()
    model.run()  # the original, running on after being snapshotted
    assert second.outcome_frame().equals(model.outcome_frame())
    assert not first.outcome_frame().equals(model.outcome_frame())
    assert first.week == second.week == SMALL["steps"]


def test_restore_refuses_what_is_not_a_snapshot():
    with pytest.raises(sim.SnapshotError, match="snapshot: not a model snapshot"):
        sim.CommunityModel.restore(pickle.dumps({"model": 1}))
    with pytest.raises(sim.SnapshotError, match="snapshot: cannot be read"):
        sim.CommunityModel.restore(b"not a pickle")
    with pytest.raises(sim.SnapshotError, match="allowed: 1"):
        sim.CommunityModel.restore(pickle.dumps({"format": "community-model-snapshot", "version": 99, "model": None}))
