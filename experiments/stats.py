"""Confidence intervals for replicated runs: means, paired differences, stopping rules.

Each run is summarised by the mean of an outcome over its final weeks; the
replicates of a scenario are independent draws of that summary. Intervals are
Student-t intervals, ``mean ± t(0.975, n-1) · s / √n`` (e.g. Law, *Simulation
Modeling and Analysis*, 5th ed., §9.4.1). A paired difference subtracts the
reference scenario's run with the same seed (common random numbers, Law §11.2),
which removes the noise the two runs share.
"""

from __future__ import annotations

import functools
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
    half = float(t_quantile(level, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return mean, mean - half, mean + half


@functools.lru_cache(maxsize=512)
def t_quantile(level: float, df: int) -> np.float64:
    """The two-sided Student-t quantile ``t(0.5 + level / 2, df)``, computed once per degrees of freedom.

    Example:
        >>> round(float(t_quantile(0.95, 2)), 3)
        4.303
    """
    # scipy.stats takes 1.8 s to import (measured after `import experiments`);
    # only replicated experiments need the t quantile.
    from scipy import stats

    return stats.t.ppf(0.5 + level / 2, df)


def half_width(values: Sequence[float] | np.ndarray) -> float:
    """Half-width of the t interval (inf with fewer than 2 values)."""
    _, lo, hi = t_interval(values)
    return (hi - lo) / 2 if math.isfinite(lo) else math.inf


def comparison_table(summaries: pd.DataFrame, scenarios: Sequence[str], outcomes: Sequence[str], counts: bool = True) -> pd.DataFrame:
    """Per scenario and outcome: mean and CI, and the paired difference from the first scenario with its CI.

    Args:
        summaries: one row per run with ``scenario``, ``rep`` and the outcome columns.
        scenarios: labels, the reference first.
        outcomes: outcome columns to compare.
        counts: add the ``n`` column (runs per scenario).

    Returns:
        Columns ``scenario, outcome, mean, ci_low, ci_high, diff_mean, diff_ci_low, diff_ci_high, n``
        (the reference's differences are 0; pairs need both runs to have finished); without
        ``n`` when ``counts`` is False (the columns of ``comparison.csv``).
    """
    columns = list(outcomes)
    labels = summaries["scenario"].to_numpy(object)
    reps_all = summaries["rep"].to_numpy()
    values_all = summaries[columns].to_numpy(float)
    by = {s: (reps_all[labels == s], values_all[labels == s]) for s in scenarios}
    ref_reps, ref_values = by[scenarios[0]]
    names = ["scenario", "outcome", "mean", "ci_low", "ci_high", "diff_mean", "diff_ci_low", "diff_ci_high", "n"]
    table: dict[str, list] = {name: [] for name in names}
    for s in scenarios:
        reps, values = by[s]
        means = t_intervals(values)
        if s == scenarios[0]:
            diffs = [(0.0, 0.0, 0.0)] * len(columns)
        else:
            _, mine, theirs = np.intersect1d(reps, ref_reps, assume_unique=True, return_indices=True)
            diffs = t_intervals(values[mine] - ref_values[theirs])
        for o, mean, d in zip(columns, means, diffs, strict=True):
            for name, value in zip(names, (s, o, *mean, *d, len(reps)), strict=True):
                table[name].append(value)
    if not counts:
        del table["n"]
    return pd.DataFrame(table)


def t_intervals(samples: np.ndarray, level: float = LEVEL) -> list[tuple[float, float, float]]:
    """`t_interval` of each column of ``samples`` (rows are replicates), bit for bit, at a fraction of the cost.

    Each column is reduced as one contiguous row of the transposed matrix,
    the same operations `t_interval` does on it alone; a column with a
    non-finite value goes through `t_interval` itself.

    Example:
        >>> t_intervals(np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]]))[0] == t_interval([1.0, 2.0, 3.0])
        True
    """
    x = np.ascontiguousarray(np.asarray(samples, dtype=float).T)
    n = x.shape[1]
    if n < 2 or not np.isfinite(x).all():
        return [t_interval(row, level) for row in x]
    means = x.mean(axis=1)
    half = t_quantile(level, n - 1) * x.std(axis=1, ddof=1) / math.sqrt(n)
    return [(float(m), float(m) - float(h), float(m) + float(h)) for m, h in zip(means, half, strict=True)]


def widest_half_width(table: pd.DataFrame, outcomes: Sequence[str]) -> float:
    """Largest CI half-width among the means and paired differences of ``outcomes`` in a `comparison_table`."""
    part = table[table["outcome"].isin(outcomes)]
    widths = np.concatenate([(part["ci_high"] - part["ci_low"]).to_numpy() / 2, (part["diff_ci_high"] - part["diff_ci_low"]).to_numpy() / 2])
    widths = np.where(np.isnan(widths), np.inf, widths)
    return float(widths.max()) if len(widths) else math.inf


def precision_met(summaries: pd.DataFrame, scenarios: Sequence[str], outcomes: Sequence[str], target: float) -> bool:
    """True when every mean and paired-difference CI of ``outcomes`` has half-width ≤ ``target``."""
    return widest_half_width(comparison_table(summaries, scenarios, outcomes), outcomes) <= target
