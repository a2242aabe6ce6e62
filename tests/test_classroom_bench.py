"""The classroom load benchmark runs in its small mode and prints every figure it promises."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO

from app.launch import server_env


def test_bench_classroom_small_prints_its_figures():
    done = subprocess.run([sys.executable, "benchmarks/bench_classroom.py", "--small", "--workers", "1", "--timeout", "240"], cwd=REPO, env=server_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert re.search(r"join time: median [\d.]+ ms", out)
    packages = int(re.search(r"for a round of (\d+) packages \((\d+) rows, 0 failed", out).group(1))
    assert packages == 5
    assert re.search(r"[-\d]+ KiB per connected student", out)
    assert re.search(r"p95 [\d.]+ ms, median [\d.]+ ms over \d+ actions", out)
