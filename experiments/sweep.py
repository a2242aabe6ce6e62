"""``run.py sweep PLAN.yaml``: a grid or Latin-hypercube design over any scenario keys.

Every design point runs ``replications`` times with the same replicate seeds
(common random numbers across points). The folder holds ``runs.parquet`` (one
row per run and step, with the parameter values as columns),
``runs_summary.csv`` (one row per run: final-weeks means), ``sweep_summary.csv``
(per scenario and design point: the mean of each outcome and its 95% CI) and
the report.

Example:
    python run.py sweep experiments/plans/admin_funding_sweep.yaml --workers 2
"""

from __future__ import annotations

import argparse

import pandas as pd

from experiments.cli_common import report_bad_input
from experiments.experiment import BadInput, add_design_arguments, complete, run_design
from experiments.plan import Plan, PlanError
from experiments.stats import t_interval


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of the sweep command."""
    add_design_arguments(parser, "grid or lhs")


def main(args: argparse.Namespace) -> int:
    """Validate the plan, run the design, write the tables and the report."""
    try:
        done = run_design(args, "sweep")
    except (PlanError, BadInput) as exc:
        return report_bad_input(exc.lines())
    plan, exp, summaries = done.plan, done.exp, done.summaries
    table = sweep_table(summaries, plan)
    tmp = exp.folder / ".sweep_summary.csv.tmp"
    table.to_csv(tmp, index=False)
    tmp.replace(exp.folder / "sweep_summary.csv")
    return complete(exp)


def sweep_table(summaries: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Per scenario and design point: parameter values, runs, and mean with 95% CI of each outcome."""
    if summaries.empty:
        return pd.DataFrame()
    keys = [p.key for p in plan.parameters]
    rows = []
    for (scenario, point), group in summaries.groupby(["scenario", "point"], sort=True):
        row = {"scenario": scenario, "point": int(point), **{k: group[k].iloc[0] for k in keys}, "runs": len(group)}
        for o in plan.outcomes:
            mean, lo, hi = t_interval(group[o].to_numpy())
            row.update({o: mean, f"{o}_ci_low": lo, f"{o}_ci_high": hi})
        rows.append(row)
    return pd.DataFrame(rows)
