"""How far outcomes at ``world.scale`` = k drift from one agent per person.

Runs the baseline district (40,000 people, 52 weeks) with one agent per
person and with one agent per k people, on the same seeds, and prints for
each outcome the mean of the last 26 weeks at both scales, the relative
difference and the seed-to-seed standard error of that difference.
``tests/test_scale.py`` asserts the same comparison (3 seeds) with stated
tolerances; this script is for measuring it with more seeds.

Usage: .venv/bin/python benchmarks/scale_bias.py [--seeds 8] [--k 10]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402

PEOPLE = 40_000
OUTCOMES = ["coverage", "access_coverage", "satisfaction", "trust", "participation_rate", "volunteer_rate", "spending", "volunteer_hours", "backlog"]


def means(scale: float, seeds: range) -> np.ndarray:
    """Per seed (rows) and outcome (columns): the mean of the last 26 of 52 weeks."""
    rows = []
    for seed in seeds:
        overrides = {"world.residents": round(PEOPLE / scale), "world.scale": scale, "steps": 52}
        frame = sim.CommunityModel(ROOT / "scenarios" / "baseline.yaml", rng=seed, **overrides).run().outcome_frame()
        rows.append(frame[OUTCOMES].iloc[-26:].mean().to_numpy())
    return np.array(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8, help="seeds per scale (default 8)")
    parser.add_argument("--k", type=float, default=10.0, help="people per agent to compare with 1 (default 10)")
    args = parser.parse_args()
    if args.seeds < 2:
        parser.error("--seeds must be at least 2")
    if not 1 < args.k <= PEOPLE / 1000:
        parser.error(f"--k must be in (1, {PEOPLE // 1000}]")
    seeds = range(1, args.seeds + 1)
    one, scaled = means(1.0, seeds), means(args.k, seeds)
    base = one.mean(axis=0)
    se = np.hypot(one.std(axis=0, ddof=1), scaled.std(axis=0, ddof=1)) / np.sqrt(len(seeds)) / np.abs(base)
    print(f"{PEOPLE:,} people, {args.seeds} seeds, mean of the last 26 of 52 weeks")
    print(f"{'outcome':<20} {'k = 1':>12} {f'k = {args.k:g}':>12} {'relative':>9} {'s.e.':>7}")
    for j, name in enumerate(OUTCOMES):
        print(f"{name:<20} {base[j]:>12.4f} {scaled[:, j].mean():>12.4f} {scaled[:, j].mean() / base[j] - 1:>+9.3f} {se[j]:>7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
