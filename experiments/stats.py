"""Confidence intervals for replicated runs: means, paired differences, stopping rules.

Each run is summarised by the mean of an outcome over its final weeks; the
replicates of a scenario are independent draws of that summary. Intervals are
Student-t intervals, ``mean ± t(0.975, n-1) · s / √n`` (e.g. Law, *Simulation
Modeling and Analysis*, 5th ed., §9.4.1). A paired difference subtracts the
reference scenario's run with the same seed (common random numbers, Law §11.2),
which removes the noise the two runs share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Confidence level of every interval.
LEVEL = 0.95
#: Fewest replicates before an automatic stopping rule may stop.
MIN_AUTO_REPS = 3
#: Weeks at the end of a run averaged into its summary ("final-weeks mean").
FINAL_WEEKS = 26


def t_interval(values: Sequence[float] | np.ndarray, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval ``(mean, low, high)``; NaN bounds with fewer than 2 values.

    Example:
        >>> m, lo, hi = t_interval([1.0, 2.0, 3.0])
        >>> m, round(hi - m, 3)
        (2.0, 2.484)
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if len(x) < 2:
        return mean, math.nan, math.nan
    from scipy import stats

    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return mean, mean - half, mean + half


def half_width(values: Sequence[float] | np.ndarray) -> float:
    """Half-width of the t interval (inf with fewer than 2 values)."""
    _, lo, hi = t_interval(values)
    return (hi - lo) / 2 if math.isfinite(lo) else math.inf


def comparison_table(summaries: pd.DataFrame, scenarios: Sequence[str], outcomes: Sequence[str]) -> pd.DataFrame:
    """Per scenario and outcome: mean and CI, and the paired difference from the first scenario with its CI.

    Args:
        summaries: one row per run with ``scenario``, ``rep`` and the outcome columns.
        scenarios: labels, the reference first.
        outcomes: outcome columns to compare.

    Returns:
        Columns ``scenario, outcome, mean, ci_low, ci_high, diff_mean, diff_ci_low, diff_ci_high, n``
        (the reference's differences are 0; pairs need both runs to have finished).
    """
    by = {s: summaries[summaries["scenario"] == s].set_index("rep") for s in scenarios}
    ref = by[scenarios[0]]
    rows = []
    for s in scenarios:
        runs = by[s]
        for o in outcomes:
            mean, lo, hi = t_interval(runs[o].to_numpy())
            if s == scenarios[0]:
                d = (0.0, 0.0, 0.0)
            else:
                common = runs.index.intersection(ref.index)
                d = t_interval((runs.loc[common, o] - ref.loc[common, o]).to_numpy())
            rows.append({"scenario": s, "outcome": o, "mean": mean, "ci_low": lo, "ci_high": hi, "diff_mean": d[0], "diff_ci_low": d[1], "diff_ci_high": d[2], "n": len(runs)})
    return pd.DataFrame(rows)


def widest_half_width(table: pd.DataFrame, outcomes: Sequence[str]) -> float:
    """Largest CI half-width among the means and paired differences of ``outcomes`` in a `comparison_table`."""
    part = table[table["outcome"].isin(outcomes)]
    widths = np.concatenate([(part["ci_high"] - part["ci_low"]).to_numpy() / 2, (part["diff_ci_high"] - part["diff_ci_low"]).to_numpy() / 2])
    widths = np.where(np.isnan(widths), np.inf, widths)
    return float(widths.max()) if len(widths) else math.inf


def precision_met(summaries: pd.DataFrame, scenarios: Sequence[str], outcomes: Sequence[str], target: float) -> bool:
    """True when every mean and paired-difference CI of ``outcomes`` has half-width ≤ ``target``."""
    return widest_half_width(comparison_table(summaries, scenarios, outcomes), outcomes) <= target
