#!/usr/bin/env python
"""Fuzz the scenario and plan loaders at length; print inputs per second and totals.

    python benchmarks/fuzz_loaders.py --minutes 10 [--seed 1] [--kind scenario|plan|both]

Draws near-valid YAML from the Hypothesis strategies of tests/fuzzing.py,
mutates it at the byte level and feeds it to `sim.load_scenario` /
`experiments.plan.load_plan` (the layer every command reads files through).
Every input that breaks the contract (an exception other than ScenarioError,
a malformed error line, over a second of CPU) is saved under tests/hostile/,
where tests/test_fuzz_loaders.py turns it into a regression case. Exit status
1 if anything crashed. docs/reliability.md quotes its figures.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import fuzzing  # noqa: E402
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

#: Inputs per Hypothesis batch; the clock is checked between batches.
BATCH = 200


def batch_of(kind: str, seed_value: int, deadline: float, one):
    """A Hypothesis test that feeds `BATCH` inputs of ``kind`` to ``one`` (none past the deadline)."""
    strategy = fuzzing.scenario_files() if kind == "scenario" else fuzzing.plan_files()

    @seed(seed_value)
    @settings(max_examples=BATCH, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data):
        drawn = data.draw(strategy)  # always drawn: Hypothesis wants the same draws on a replay
        if time.monotonic() < deadline:
            one(kind, drawn)

    return run


def main(argv: list[str] | None = None) -> int:
    """Fuzz until the time is up; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0, help="how long to fuzz (default 1)")
    parser.add_argument("--seed", type=int, default=1, help="first Hypothesis seed (each batch uses the next)")
    parser.add_argument("--kind", choices=["scenario", "plan", "both"], default="both")
    args = parser.parse_args(argv)
    kinds = ["scenario", "plan"] if args.kind == "both" else [args.kind]
    counts: Counter[str] = Counter()
    crashes: list[tuple[str, str, Path]] = []
    worst = 0.0
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    fuzzing.prepare(folder)

    def one(kind: str, data: bytes) -> None:
        nonlocal worst
        started = time.process_time()
        try:
            counts[f"{kind} {fuzzing.check(kind, data, folder)}"] += 1
        except fuzzing.Crash as exc:
            counts[f"{kind} crash"] += 1
            crashes.append((kind, str(exc), fuzzing.save_crash(kind, data)))
        worst = max(worst, time.process_time() - started)

    deadline = time.monotonic() + args.minutes * 60
    started = time.perf_counter()
    batch = 0
    while time.monotonic() < deadline:
        for kind in kinds:
            batch_of(kind, args.seed + batch, deadline, one)()
        batch += 1
    wall = time.perf_counter() - started
    total = sum(counts.values())
    print(f"fuzzed {total:,} inputs in {wall:.0f} s: {total / wall:,.0f} inputs/s (seeds {args.seed}-{args.seed + batch - 1})")
    for key in sorted(counts):
        print(f"  {key:<18} {counts[key]:>9,}")
    print(f"  slowest input     {worst * 1000:9.1f} ms CPU")
    print(f"crashes: {len(crashes)}")
    for kind, problem, path in crashes[:20]:
        print(f"  {kind}: {problem} -> {path.relative_to(ROOT)}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
