"""Model speed at 100,000 residents against Mesa's Boltzmann wealth example, and the default run's time.

Prints, all measured in this run:

1. the model's resident-steps per second at 100,000 residents (the baseline
   scenario with ``world.residents: 100000``, 56 weeks, best of 3 runs in
   fresh processes), and its ratio to Mesa's own Boltzmann wealth example
   (``mesa.examples``) at 100,000 agents, one agent per grid cell as in the
   example's default 100 agents on 10 x 10 (3 steps, best of 2);
2. the wall time of the default ``python run.py`` (the baseline, 104 weeks,
   with its results folder and figures, written to a temporary folder),
   best of 2; not with ``--small``.

Usage:
    .venv/bin/python benchmarks/bench_model.py            # ~1 min
    .venv/bin/python benchmarks/bench_model.py --small    # seconds (run by the tests)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import ROOT, in_subprocess  # a sibling script, not a package


def time_default_run() -> float:
    """Wall time of the default ``python run.py`` (baseline, 104 weeks, results folder and figures)."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        # Same as ``python run.py`` (which writes under results/), into a temporary folder.
        subprocess.run([sys.executable, "run.py", "run", "scenarios/baseline.yaml", "--out", str(Path(tmp) / "out")], cwd=ROOT, check=True, capture_output=True)
        return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="10,000 residents, few steps: seconds, for CI")
    args = parser.parse_args(argv)
    n = 10_000 if args.small else 100_000
    steps = 6 if args.small else 56
    repeats = 1 if args.small else 3
    # The baseline's own 28 communities, only more residents in each.
    model = min(
        (in_subprocess("model", residents=n, communities=28, steps=steps) for _ in range(repeats)),
        key=lambda r: r["step_mean_ms"],
    )
    boltzmann = max(
        (in_subprocess("boltzmann", agents=n, steps=2 if args.small else 3) for _ in range(1 if args.small else 2)),
        key=lambda r: r["agent_steps_per_s"],
    )
    ratio = model["resident_steps_per_s"] / boltzmann["agent_steps_per_s"]
    print(f"model at {n:,} residents: {model['resident_steps_per_s'] / 1e6:.2f} M resident-steps/s (build {model['build_s']:.2f} s)")
    print(f"Mesa Boltzmann wealth at {n:,} agents: {boltzmann['agent_steps_per_s'] / 1e6:.3f} M agent-steps/s (build {boltzmann['build_s']:.2f} s)")
    print(f"ratio: {ratio:,.0f}x")
    if args.small:
        print("python run.py: not timed with --small (tests/test_cli.py runs the command line)")
    else:
        print(f"python run.py: {min(time_default_run() for _ in range(2)):.2f} s wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
