"""Sweeps: a grid or Latin-hypercube design over any scenario keys, and its per-point table.

Every design point runs ``replications`` times with the same replicate seeds
(common random numbers across points). The folder holds ``runs.parquet`` (one
row per run and step, with the parameter values as columns),
``runs_summary.csv`` (one row per run: final-weeks means), ``sweep_summary.csv``
(`table`: per scenario and design point, the mean of each outcome and its 95%
CI) and the report.

Example:
    python run.py sweep experiments/plans/admin_funding_sweep.yaml --workers 2
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from experiments.stats import t_interval


def table(summaries: pd.DataFrame, keys: Sequence[str], outcomes: Sequence[str]) -> pd.DataFrame:
    """Per scenario and design point: parameter values, runs, and mean with 95% CI of each outcome.

    Args:
        summaries: one row per run (`experiments.store.summary_row`).
        keys: the swept dotted keys, in plan order.
        outcomes: the outcomes analysed.
    """
    if summaries.empty:
        return pd.DataFrame()
    rows = []
    for (scenario, point), group in summaries.groupby(["scenario", "point"], sort=True):
        row = {"scenario": scenario, "point": int(point), **{k: group[k].iloc[0] for k in keys}, "runs": len(group)}
        for o in outcomes:
            mean, lo, hi = t_interval(group[o].to_numpy())
            row.update({o: mean, f"{o}_ci_low": lo, f"{o}_ci_high": hi})
        rows.append(row)
    return pd.DataFrame(rows)
