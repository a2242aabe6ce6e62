"""How much common random numbers tighten paired comparisons.

For a few single-lever changes, runs the baseline and the changed scenario on
the same 8 seeds (paired) and on different seeds (independent), and prints
the variance of the paired differences relative to the independent ones for
a few outcomes (mean of the last 13 weeks of a 52-week, 8,000-resident
district). A ratio well below 1 means paired comparisons need far fewer
replications for the same confidence interval.

Usage: .venv/bin/python benchmarks/bench_crn.py [--seeds 8]

With 8 seeds a variance ratio is itself uncertain (an F(7, 7) ratio: its 95%
range spans about 0.2x to 5x); use --seeds 32 to compare two versions.
"""

from __future__ import annotations

import argparse

import numpy as np

import sim

SMALL = {"world": {"residents": 8000, "urban_communities": 2, "rural_communities": 10}, "steps": 52}
LEVERS = [
    {"government.admin_tasks": 80},
    {"liaison.leaders": 4},
    {"committees.responsiveness": 0.5},
    {"committees.pay_ratio_rural": 1.0},  # acts on staff turnover (P4)
    {"volunteers.incentive_per_hour": 10.0},  # acts on volunteer retention (M4)
]
OUTCOMES = ["coverage", "satisfaction", "backlog", "staff_turnover", "volunteer_rate"]



def final(overrides: dict, seed: int) -> dict[str, float]:
    frame = sim.CommunityModel(SMALL, rng=seed, **overrides).run().outcome_frame()
    return frame[OUTCOMES].tail(13).mean().to_dict()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8, help="replications per arm (default 8)")
    args = parser.parse_args()
    if args.seeds < 3:
        parser.error("--seeds must be at least 3")
    seeds = range(1, args.seeds + 1)
    base = [final({}, s) for s in seeds]
    print(f"{'lever':<28} {'outcome':<14} {'paired sd':>10} {'independent sd':>15} {'variance ratio':>15}")
    for lever in LEVERS:
        paired = [final(lever, s) for s in seeds]
        independent = [final(lever, s + 1000) for s in seeds]
        for name in OUTCOMES:
            d_pair = np.array([p[name] - b[name] for p, b in zip(paired, base, strict=True)])
            d_ind = np.array([p[name] - b[name] for p, b in zip(independent, base, strict=True)])
            if d_ind.var(ddof=1) == 0:  # the lever does not touch this outcome
                continue
            ratio = d_pair.var(ddof=1) / d_ind.var(ddof=1)
            print(f"{next(iter(lever)):<28} {name:<14} {d_pair.std(ddof=1):>10.4f} {d_ind.std(ddof=1):>15.4f} {ratio:>15.3f}")


if __name__ == "__main__":
    main()
