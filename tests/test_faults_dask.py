"""Dask faults (issue 11): a worker killed mid-experiment, the scheduler lost.

A LocalCluster worker killed with SIGKILL while runs are in flight is restarted
by its nanny and its tasks are rerun elsewhere; since every run is a pure
function of its task, the experiment ends with the digest of an uninterrupted
one. A scheduler killed mid-experiment ends the command with one line and exit
status 1, leaving a folder that ``--resume`` finishes, again with the same
digest.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from conftest import REPO
from test_faults import runs_digest, status, sweep_plan
from test_hostile_inputs import main

DASK = str(Path(sys.executable).parent / "dask")
#: Runs in the sweep: enough that a fault lands while runs are still in flight.
RUNS = 24


def shards(out: Path) -> int:
    return len(list((out / "shards").glob("run-*.parquet")))


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("whole-dask")
    plan = sweep_plan(folder, replications=RUNS // 4)
    assert main("sweep", str(plan), "--out", str(folder / "out"), "--quiet", "--no-report", "--workers", "1") == 0
    return plan, runs_digest(folder / "out")


def test_a_killed_local_worker_leaves_the_digest_unchanged(uninterrupted, tmp_path):
    plan, whole = uninterrupted
    out = tmp_path / "out"
    killed = []

    def killer():
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and shards(out) < 2:
            time.sleep(0.01)
        workers = [p for p in psutil.Process().children() if "spawn_main" in " ".join(p.cmdline())]
        if workers and shards(out) < RUNS:
            workers[0].send_signal(signal.SIGKILL)
            killed.append((workers[0].pid, shards(out)))

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    assert main("sweep", str(plan), "--out", str(out), "--quiet", "--no-report", "--dask-local", "2") == 0
    thread.join(timeout=10)
    assert killed, "no worker was killed: the experiment finished first"
    assert status(out) == "complete" and runs_digest(out) == whole


def test_a_lost_scheduler_gives_one_line_and_a_resumable_folder(uninterrupted, tmp_path):
    plan, whole = uninterrupted
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    file = tmp_path / "scheduler.json"
    quiet = {"env": env, "cwd": REPO, "start_new_session": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(file)], **quiet)
    worker = None
    try:
        deadline = time.monotonic() + 120
        while not file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        address = json.loads(file.read_text())["address"]
        worker = subprocess.Popen([DASK, "worker", "--scheduler-file", str(file), "--nworkers", "1", "--nthreads", "1", "--no-dashboard"], **quiet)
        out = tmp_path / "out"
        command = [sys.executable, str(REPO / "run.py"), "sweep", str(plan), "--out", str(out), "--quiet", "--no-report", "--scheduler", address]
        proc = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300
        while proc.poll() is None and shards(out) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the experiment finished before the scheduler could be killed"
        os.killpg(scheduler.pid, signal.SIGKILL)
        err = proc.communicate(timeout=120)[1].strip().splitlines()
    finally:
        for p in (scheduler, worker):
            if p is not None and p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
    assert proc.returncode == 1
    assert len(err) == 1 and "lost the Dask scheduler" in err[0] and "--resume" in err[0], err
    assert status(out) == "running" and not (out / "runs.parquet").exists()
    assert main("sweep", str(plan), "--out", str(out), "--quiet", "--no-report", "--workers", "2", "--resume") == 0
    assert status(out) == "complete" and runs_digest(out) == whole
