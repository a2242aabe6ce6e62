"""Sensitivity indices (``ex.sensitivity``, ``run.py sensitivity``): Sobol (first and total order, with CIs) or Morris, via SALib.

The design is drawn on the unit hypercube (`experiments.design.unit_design`):
Saltelli's scheme for Sobol (Saltelli et al. 2010, *Comput. Phys. Commun.*
181:259, as implemented in SALib), trajectories for Morris (Campolongo et al.
2007). Each design point runs ``replications`` times on common random numbers
and the model output is the mean over replicates of the final-weeks mean of
each outcome. Indices come with bootstrap 95% CIs (SALib's ``*_conf``).

``sensitivity.csv`` is tidy: ``outcome, parameter, method, index, value,
ci_low, ci_high, rank`` (rank 1 = most influential, by total order for Sobol
and by mu* for Morris); ``sensitivity.png`` shows the bars.

Example:
    python run.py sensitivity experiments/plans/sobol_assumptions.yaml --workers 2
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from experiments.design import unit_problem
from experiments.plan import Parameter, Sampler
from experiments.stats import LEVEL

#: Index names per method, ranked by the first.
INDICES = {"sobol": ("total_order", "first_order"), "morris": ("mu_star", "sigma")}


def analyse_runs(summaries: pd.DataFrame, sampler: Sampler, parameters: Sequence[Parameter], outcomes: Sequence[str], unit: np.ndarray, seed: int) -> tuple[pd.DataFrame, int]:
    """Indices for every outcome from the run summaries; also the count of design points without a finished run.

    The table is empty while any point misses a run (indices need every point).
    """
    n_points = len(unit)
    if summaries.empty:
        return pd.DataFrame(), n_points
    means = summaries.groupby("point")[list(outcomes)].mean().reindex(range(n_points))
    missing = int(means.isna().any(axis=1).sum())
    if missing:
        return pd.DataFrame(), missing
    frames = [analyse(sampler, parameters, unit, means[o].to_numpy(), outcome=o, seed=seed) for o in outcomes]
    return pd.concat(frames, ignore_index=True), 0


def analyse(sampler: Sampler, parameters, unit: np.ndarray, y: np.ndarray, *, outcome: str = "y", seed: int = 1) -> pd.DataFrame:
    """Sobol or Morris indices of output ``y`` over the unit design ``unit``, as a tidy ranked table.

    Args:
        sampler: the plan's sampler (method, second order, resamples).
        parameters: the plan's parameters (for their names), in design column order.
        unit: the unit design `experiments.design.unit_design` drew.
        y: the model output at each design row.
        outcome: label for the ``outcome`` column.
        seed: seed of the bootstrap.

    Returns:
        Columns ``outcome, parameter, method, index, value, ci_low, ci_high, rank``.
    """
    names = [getattr(p, "key", str(p)) for p in parameters]
    problem = unit_problem(len(names))
    rows = []
    # SALib is imported where it is used: it belongs to the optional ``experiments``
    # extra, and its import takes 1.4 s (measured after `import experiments`).
    if sampler.method == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(problem, np.asarray(y, float), calc_second_order=sampler.second_order, num_resamples=sampler.resamples, conf_level=LEVEL, seed=seed % 2**32)
        pairs = (("total_order", "ST"), ("first_order", "S1"))
    else:
        from SALib.analyze import morris

        res = morris.analyze(problem, np.asarray(unit, float), np.asarray(y, float), num_resamples=sampler.resamples, conf_level=LEVEL, num_levels=sampler.morris_levels, seed=seed % 2**32)
        pairs = (("mu_star", "mu_star"), ("sigma", "sigma"))
    lead = np.asarray(res[pairs[0][1]], float)
    rank = np.empty(len(names), int)
    rank[np.argsort(-np.nan_to_num(lead, nan=-np.inf), kind="stable")] = np.arange(1, len(names) + 1)
    for index, key in pairs:
        values = np.asarray(res[key], float)
        conf = np.asarray(res.get(f"{key}_conf", np.full(len(names), np.nan)), float)
        for j, name in enumerate(names):
            low, high = values[j] - conf[j], values[j] + conf[j]
            rows.append({"outcome": outcome, "parameter": name, "method": sampler.method, "index": index, "value": values[j], "ci_low": low, "ci_high": high, "rank": int(rank[j])})
    return pd.DataFrame(rows)


def ranked_text(table: pd.DataFrame) -> str:
    """Per outcome, the parameters ranked by their leading index, as plain text."""
    lines = []
    for outcome, part in table.groupby("outcome", sort=False):
        method = part["method"].iloc[0]
        lead, other = INDICES[method]
        lines.append(f"\n{outcome} ({method}): parameter, {lead} [95% CI], {other}" + (" [95% CI]" if method == "sobol" else ""))
        wide = part.pivot(index=["rank", "parameter"], columns="index", values=["value", "ci_low", "ci_high"]).sort_index()
        for (rank, param), row in wide.iterrows():
            cells = [f"{row[('value', i)]:7.3f}" + (f" [{row[('ci_low', i)]:7.3f}, {row[('ci_high', i)]:7.3f}]" if np.isfinite(row[("ci_low", i)]) else " " * 19) for i in (lead, other)]
            lines.append(f"  {rank:>2}. {param:<36} {cells[0]}   {cells[1]}")
    return "\n".join(lines)
