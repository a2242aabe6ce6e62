"""Faults while results are written (issue 11), each ending in a clean state.

A full disk, an output folder made read-only or removed, SIGINT / SIGTERM /
SIGKILL at random points, and damaged shards found on resume.

The contract: never a folder that looks complete but is not (a single run's
folder exists only when whole; an experiment's manifest says ``complete`` only
when it is), one clear line on stderr, and ``--resume`` ends with the digest
of an uninterrupted run. A full disk is simulated by patching the write path
(``pyarrow.parquet.write_table`` and ``Path.write_text`` raise ENOSPC on the
k-th call), which reaches the same code as a real one; signals are sent to
real ``run.py`` processes at points drawn from a fixed seed.
"""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import PYTHON, REPO
from test_hostile_inputs import main

from experiments.store import digest

BASELINE = str(REPO / "scenarios" / "baseline.yaml")
SMALL = ["--set", "world.residents=2000", "--set", "world.rural_communities=8"]
#: Points at which signals are sent are drawn from this seed.
SEED = 11


def sweep_plan(folder: Path, replications: int = 2) -> Path:
    """A sweep of 4 design points x ``replications`` short runs."""
    plan = folder / "plan.yaml"
    plan.write_text(
        f"name: faults\nscenarios: [{BASELINE}]\nset: {{world.residents: 2000, world.rural_communities: 8}}\nsteps: 30\nseed: 5\nreplications: {replications}\n"
        "parameters:\n  government.admin_tasks: {type: int, lower: 20, upper: 150}\nsampler: {method: lhs, samples: 4}\n",
        encoding="utf-8",
    )
    return plan


def sweep_args(plan: Path, out: Path, *extra: str) -> list[str]:
    return ["sweep", str(plan), "--out", str(out), "--quiet", "--no-report", "--workers", "1", *extra]


def runs_digest(folder: Path) -> str:
    return digest(pd.read_parquet(folder / "runs.parquet"))


def status(folder: Path) -> str:
    return json.loads((folder / "manifest.json").read_text())["status"]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The sweep run once without faults: its folder and digest."""
    folder = tmp_path_factory.mktemp("whole")
    plan = sweep_plan(folder)
    assert main(*sweep_args(plan, folder / "out")) == 0
    return plan, runs_digest(folder / "out")


def no_space_after(calls: int):
    """A write function wrapper that raises ENOSPC from the ``calls``-th call on; returns (wrap, counter)."""
    count = {"n": 0}

    def wrap(real):
        def write(*args, **kwargs):
            count["n"] += 1
            if count["n"] >= calls:
                raise OSError(errno.ENOSPC, "No space left on device", str(args[1] if len(args) > 1 else args[0]))
            return real(*args, **kwargs)

        return write

    return wrap, count


def _looks_complete_only_if_whole(folder: Path) -> None:
    if folder.exists() and (folder / "manifest.json").exists() and status(folder) == "complete":
        pq.read_table(folder / "runs.parquet")
    leftovers = [p.name for p in folder.parent.iterdir() if p.name.endswith(".partial")]
    assert leftovers == [], leftovers


# -- a full disk ---------------------------------------------------------------------


@pytest.mark.parametrize("calls", [1, 3, 6])
def test_full_disk_during_a_sweep_then_resume_gives_the_uninterrupted_digest(uninterrupted, tmp_path, monkeypatch, capsys, calls):
    plan, whole = uninterrupted
    out = tmp_path / "out"
    wrap, _ = no_space_after(calls)
    monkeypatch.setattr(pq, "write_table", wrap(pq.write_table))
    assert main(*sweep_args(plan, out)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0] and "Traceback" not in err[0], err
    assert status(out) == "running" and not (out / "runs.parquet").exists()
    monkeypatch.undo()
    assert main(*sweep_args(plan, out, "--resume")) == 0
    assert status(out) == "complete" and runs_digest(out) == whole
    assert not [p for p in out.rglob(".*.tmp")]


@pytest.mark.parametrize("file", ["summary.md", "scenario.yaml"])
def test_full_disk_during_a_single_run_leaves_no_folder(tmp_path, monkeypatch, capsys, file):
    out = tmp_path / "run"
    real = Path.write_text

    def write_text(self, *args, **kwargs):
        if self.name == file:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    assert main("run", BASELINE, *SMALL, "--steps", "3", "--no-figures", "--quiet", "--out", str(out)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("run.py: cannot write results: No space left on device"), err
    assert not out.exists()
    _looks_complete_only_if_whole(out)


# -- read-only or vanished output ------------------------------------------------------


def test_read_only_output_parent_is_refused_before_running(tmp_path, monkeypatch, capsys):
    real = os.access
    monkeypatch.setattr("experiments.results.os.access", lambda path, mode: False if Path(path) == tmp_path else real(path, mode))
    assert main("run", BASELINE, *SMALL, "--steps", "3", "--out", str(tmp_path / "new")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "read-only or no permission" in err[0]
    assert list(tmp_path.iterdir()) == []


def test_output_folder_renamed_read_only_at_the_last_moment(tmp_path, monkeypatch, capsys):
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst) == tmp_path / "run":
            raise OSError(errno.EROFS, "Read-only file system", str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr("experiments.results.os.replace", replace)
    assert main("run", BASELINE, *SMALL, "--steps", "3", "--no-figures", "--quiet", "--out", str(tmp_path / "run")) == 1
    assert "Read-only file system" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # neither the folder nor its .partial


def test_experiment_folder_removed_while_running(uninterrupted, tmp_path, monkeypatch, capsys):
    import shutil

    from experiments import store

    plan, _ = uninterrupted
    out = tmp_path / "out"
    real = store.ExperimentStore.write_run

    def write_run(self, spec, frame):
        if spec.run_id == 3:
            shutil.rmtree(out)
        return real(self, spec, frame)

    monkeypatch.setattr(store.ExperimentStore, "write_run", write_run)
    assert main(*sweep_args(plan, out)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No such file or directory" in err[0], err
    assert not out.exists()
    monkeypatch.undo()
    assert main(*sweep_args(plan, out, "--resume")) == 2  # nothing to resume: said in one line
    assert "no experiment to resume" in capsys.readouterr().err


# -- damaged shards --------------------------------------------------------------------


def test_truncated_and_corrupted_shards_are_found_on_resume_and_rerun(uninterrupted, tmp_path, capsys):
    plan, whole = uninterrupted
    out = tmp_path / "out"
    assert main(*sweep_args(plan, out)) == 0
    shards = sorted((out / "shards").glob("run-*.parquet"))
    truncated, corrupted = shards[1], shards[4]
    data = truncated.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    data = bytearray(corrupted.read_bytes())
    middle = len(data) // 3
    data[middle : middle + 16] = bytes(b ^ 0xFF for b in data[middle : middle + 16])  # inside a data page
    corrupted.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(*sweep_args(plan, out, "--resume")) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["ran_now"] == 2, summary
    assert runs_digest(out) == whole


@pytest.mark.parametrize("damage", [b"", b'{"kind": "sweep", "plan', b"[1, 2]", b"\xff\xfe"])
def test_a_damaged_manifest_is_refused_on_resume_in_one_line(uninterrupted, tmp_path, capsys, damage):
    plan, _ = uninterrupted
    out = tmp_path / "out"
    assert main(*sweep_args(plan, out)) == 0
    (out / "manifest.json").write_bytes(damage)
    capsys.readouterr()
    assert main(*sweep_args(plan, out, "--resume")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "damaged" in err[0], err


# -- signals ---------------------------------------------------------------------------


def _popen(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([PYTHON, str(REPO / "run.py"), *args], cwd=REPO, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _kill_when(proc: subprocess.Popen, ready, sig: int, delay: float) -> bool:
    """Send ``sig`` to the process group ``delay`` s after ``ready()`` holds; False if it ended first."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None and not ready():
        time.sleep(0.01)
    time.sleep(delay)
    if proc.poll() is not None:
        return False
    os.killpg(proc.pid, sig)
    proc.wait(timeout=120)
    return True


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["SIGINT", "SIGTERM", "SIGKILL"])
def test_signal_during_a_sweep_then_resume_gives_the_uninterrupted_digest(uninterrupted, tmp_path, sig):
    plan, whole = uninterrupted
    rng = random.Random(SEED + sig)
    out = tmp_path / "out"
    after = rng.randint(1, 6)
    proc = _popen([*sweep_args(plan, out)[:-2], "--workers", "2"])
    killed = _kill_when(proc, lambda: len(list((out / "shards").glob("run-*.parquet"))) >= after, sig, rng.uniform(0, 0.2))
    print(f"{signal.Signals(sig).name} after {after} shards: {'killed' if killed else 'finished first'}")
    if killed and status(out) == "complete":
        # The signal came after the runs were assembled and the manifest marked
        # complete (while the report and figures were drawn): the data are whole.
        assert runs_digest(out) == whole
    elif killed:
        # The manifest says "running" until the very end, whatever else was written
        # (runs.parquet may be assembled just before it flips): resume redoes the rest.
        assert status(out) == "running"
        if sig != signal.SIGKILL:
            err = proc.stderr.read().strip().splitlines()
            assert err and "interrupted" in err[-1] and "Traceback" not in "".join(err), err
    assert main(*sweep_args(plan, out, "--resume")) == 0
    assert status(out) == "complete" and runs_digest(out) == whole


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["SIGINT", "SIGTERM", "SIGKILL"])
def test_signal_during_a_single_run_never_leaves_a_folder_that_looks_complete(tmp_path, sig):
    rng = random.Random(SEED * 7 + sig)
    out = tmp_path / "run"
    proc = _popen(["run", BASELINE, "--set", "world.residents=20000", "--steps", "40", "--quiet", "--out", str(out)])
    # While the folder is being written (figures take a second or two): the riskiest moment.
    killed = _kill_when(proc, lambda: any(p.name.endswith(".partial") for p in tmp_path.iterdir()), sig, rng.uniform(0, 0.5))
    print(f"{signal.Signals(sig).name} while writing: {'killed' if killed else 'finished first'}")
    if killed and sig != signal.SIGKILL:  # Python cleans up: no .partial either
        assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())
    if out.exists():  # the signal came after the final rename (or the run finished first): then it is whole
        whole_run_folder(out)


#: What a single run's folder holds when complete (experiments/single.py).
RUN_FILES = ("manifest.json", "scenario.yaml", "timeseries.csv", "timeseries.parquet", "summary.json", "summary.md", "outcomes.png")


def whole_run_folder(out: Path) -> None:
    """Every file of a finished run is there and readable."""
    assert all((out / name).is_file() for name in RUN_FILES), sorted(p.name for p in out.iterdir())
    json.loads((out / "manifest.json").read_text())
    json.loads((out / "summary.json").read_text())
    frame = pd.read_parquet(out / "timeseries.parquet")
    assert len(frame) == 40 and len(pd.read_csv(out / "timeseries.csv")) == 40


# -- signals during a comparison ---------------------------------------------------------


def compare_args(out: Path, *extra: str) -> list[str]:
    scenarios = [BASELINE, str(REPO / "scenarios" / "m3_participation.yaml")]
    return ["compare", *scenarios, *SMALL, "--steps", "30", "--reps", "4", "--seed", "5", "--out", str(out), "--quiet", "--no-report", "--workers", "1", *extra]


@pytest.fixture(scope="module")
def uninterrupted_comparison(tmp_path_factory):
    """The comparison run once without faults: its digest."""
    folder = tmp_path_factory.mktemp("whole_compare")
    assert main(*compare_args(folder / "out")) == 0
    return runs_digest(folder / "out")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["SIGINT", "SIGTERM", "SIGKILL"])
def test_signal_during_a_comparison_then_resume_gives_the_uninterrupted_digest(uninterrupted_comparison, tmp_path, sig):
    rng = random.Random(SEED * 3 + sig)
    out = tmp_path / "out"
    after = rng.randint(1, 6)
    proc = _popen([*compare_args(out)[:-2], "--workers", "2"])
    killed = _kill_when(proc, lambda: len(list((out / "shards").glob("run-*.parquet"))) >= after, sig, rng.uniform(0, 0.2))
    print(f"{signal.Signals(sig).name} after {after} shards: {'killed' if killed else 'finished first'}")
    if killed and status(out) == "complete":  # after the data were final: they must be whole
        assert runs_digest(out) == uninterrupted_comparison
    elif killed:
        assert status(out) == "running"  # see the sweep test: the manifest is what says complete
        if sig != signal.SIGKILL:
            err = proc.stderr.read().strip().splitlines()
            assert err and "interrupted" in err[-1] and "Traceback" not in "".join(err), err
    assert main(*compare_args(out, "--resume")) == 0
    assert status(out) == "complete" and runs_digest(out) == uninterrupted_comparison
