"""Variance of paired differences against differences on independent seeds, from two comparison folders.

The figures of docs/findings.md section 4 ("Common random numbers"): the
first folder compares scenarios on the same seeds (common random numbers),
the second holds the reference run on other seeds. For each scenario and
outcome it prints Var(paired difference) / Var(difference against the other
folder's reference), over the last-26-week means of each replicate.

Usage:
    .venv/bin/python benchmarks/crn_folders.py results/mechanisms-b867cbc results/crn_check-b867cbc \
        --scenarios m1_planning m3_participation m4_volunteers m6_funding
"""

from __future__ import annotations

import argparse

import pandas as pd

OUTCOMES = ("coverage", "wait_mean", "satisfaction", "trust", "backlog", "coverage_rural")


def final_means(folder: str, tail: int = 26) -> pd.DataFrame:
    """Per scenario and replicate, the mean of each outcome over its last ``tail`` weeks."""
    runs = pd.read_parquet(f"{folder}/runs.parquet")
    last = runs[runs.step > runs.step.max() - tail]
    return last.groupby(["scenario", "rep"]).mean(numeric_only=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paired", help="comparison folder: scenarios and reference on the same seeds")
    parser.add_argument("independent", help="comparison folder whose reference ran on other seeds")
    parser.add_argument("--reference", default="baseline")
    parser.add_argument("--scenarios", nargs="+", required=True)
    args = parser.parse_args()
    a, b = final_means(args.paired), final_means(args.independent)
    for scenario in args.scenarios:
        ratios = []
        for outcome in OUTCOMES:
            paired = (a.loc[scenario][outcome] - a.loc[args.reference][outcome]).var()
            independent = (a.loc[scenario][outcome].to_numpy() - b.loc[args.reference][outcome].to_numpy()).var(ddof=1)
            ratios.append(f"{outcome} {paired / independent:.2f}")
        print(scenario, "; ".join(ratios))


if __name__ == "__main__":
    main()
