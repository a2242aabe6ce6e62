"""The throughput benchmark (issue 12) runs in ``--small`` mode, so it cannot rot; no timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO


def test_bench_ensemble_small_measures_both_versions(tmp_path):
    out = tmp_path / "rows.json"
    done = subprocess.run([sys.executable, "benchmarks/bench_ensemble.py", "--small", "--out", str(out)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    rows = json.loads(out.read_text())
    assert {r["scenario"] for r in rows} == {"baseline", "integrated_reform"}
    for r in rows:
        assert r["runs_per_s_core"] > 0 and r["cpu_s"] > 0 and r["peak_bytes"] > 0
        assert r["residents"] == 2000 and r["steps"] == 8
    if "base: unavailable" not in done.stdout:  # a checkout without git history measures the current code only
        assert {r["version"] for r in rows} == {"new", "base"}
        assert "new/base" in done.stdout


def test_bench_ensemble_small_times_a_branched_comparison():
    done = subprocess.run([sys.executable, "benchmarks/bench_ensemble.py", "--small", "--branch-week", "3"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "8 policies from week 3 of 8" in done.stdout
    assert "frames identical: True" in done.stdout


def test_bench_ensemble_small_times_a_comparison_with_a_start_week():
    done = subprocess.run([sys.executable, "benchmarks/bench_ensemble.py", "--small", "--branch-week", "3", "--via-compare"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "ex.compare of 8 scenarios, 1 replication, 1 worker, start_week 3 of 8" in done.stdout
    assert "runs equal run_branched: True" in done.stdout


def test_bench_phases_small_times_every_phase_of_both_versions():
    done = subprocess.run([sys.executable, "benchmarks/bench_phases.py", "--small"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for phase in ("money_in", "needs", "service", "residents", "outcomes", "whole week", "build (once)"):
        assert phase in done.stdout
    assert "M resident-steps/s" in done.stdout
