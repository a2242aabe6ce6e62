"""Comparisons: replicated runs of scenarios on common random numbers, and when to stop replicating.

Every scenario runs with the same replicate seeds (derived from the base
seed), so replicate ``r`` of B differs from replicate ``r`` of A only through
B's levers. Per scenario and outcome the table holds the mean over replicates
of the final-weeks mean with its 95% CI, and the paired difference from the
first scenario with its CI (`experiments.stats.comparison_table`).

With a precision target, `run_until_precise` adds replicates in batches (one
batch fills the workers) until every 95% CI half-width of the chosen outcomes
(means and paired differences) is at most the target, never before
`experiments.stats.MIN_AUTO_REPS` replicates and never beyond ``max_reps``;
the stopping replicate does not depend on the number of workers, and runs
beyond it are discarded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from experiments.design import RunSpec, runs_of
from experiments.plan import ResolvedPlan
from experiments.stats import MIN_AUTO_REPS, comparison_table, widest_half_width

#: Replications when neither reps nor precision is given (and the plan names none).
DEFAULT_REPS = 10
#: Cap on replications with a precision target, unless given.
DEFAULT_MAX_REPS = 100


@dataclass(frozen=True)
class Precision:
    """A stopping rule: replicate until every 95% CI half-width of ``outcomes`` is at most ``target``."""

    target: float
    max_reps: int
    outcomes: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain data, as recorded in the manifest (it decides the runs, so it is in the plan digest)."""
        return {"target": self.target, "max_reps": self.max_reps, "outcomes": list(self.outcomes)}


def table(summaries: pd.DataFrame, labels: Sequence[str], outcomes: Sequence[str]) -> pd.DataFrame:
    """The comparison table as ``comparison.csv`` holds it (no run counts); empty when no run finished."""
    if summaries.empty:
        return pd.DataFrame()
    return comparison_table(summaries, list(labels), list(outcomes), counts=False)


def run_until_precise(plan: ResolvedPlan, precision: Precision, store: Any, workers: int, run: Callable[[list[RunSpec], str], Any]) -> tuple[list[RunSpec], dict[str, Any]]:
    """Add replicates in batches; stop at the first replicate count whose CIs are narrow enough.

    Args:
        plan: the comparison plan.
        precision: the stopping rule.
        store: the experiment's store (its ``summaries`` and ``discard``).
        workers: workers of the executor (a batch fills them).
        run: runs a list of specs with a progress label.

    Returns:
        The runs kept (replicates below the stopping count) and the stopping record
        (replications, reason, target, outcomes, max_reps, history).
    """
    labels = list(plan.scenarios)
    per_batch = max(1, math.ceil(workers / len(labels)))
    ran = 0  # replicates run (or found in the store) so far
    checked = MIN_AUTO_REPS - 1  # replicate counts up to this one are known not to meet the target
    history: list[dict[str, Any]] = []
    while True:
        upto = min(precision.max_reps, max(ran + per_batch, MIN_AUTO_REPS))
        run(runs_of(plan, [{}], replications=upto, first_rep=ran), f"{plan.name} (reps {ran + 1}-{upto})")
        ran = upto
        summaries = store.summaries([s.run_id for s in runs_of(plan, [{}], replications=ran)])
        for n in range(checked + 1, ran + 1):
            part = summaries[summaries["rep"] < n] if not summaries.empty else summaries
            width = widest_half_width(comparison_table(part, labels, precision.outcomes), precision.outcomes) if not part.empty else math.inf
            history.append({"replications": n, "widest_half_width": width})
            checked = n
            if width <= precision.target:
                return _keep(plan, store, n, ran, "target met", history, precision)
        if ran >= precision.max_reps:
            return _keep(plan, store, precision.max_reps, ran, "max-reps reached before the target", history, precision)


def _keep(plan: ResolvedPlan, store: Any, n: int, ran: int, reason: str, history: list, precision: Precision) -> tuple[list[RunSpec], dict[str, Any]]:
    store.discard(s.run_id for s in runs_of(plan, [{}], replications=ran, first_rep=n))
    stop = {"replications": n, "reason": reason, **precision.as_dict(), "history": history}
    return runs_of(plan, [{}], replications=n), stop


def format_table(frame: pd.DataFrame) -> str:
    """A plain-text view of the comparison table."""
    ref = frame["scenario"].iloc[0]
    lines = [f"{'scenario':<22} {'outcome':<20} {'mean [95% CI]':>30} {'diff vs ' + str(ref) + ' [95% CI]':>36}", "-" * 112]
    for row in frame.itertuples():
        mean = f"{row.mean:.4g} [{row.ci_low:.4g}, {row.ci_high:.4g}]"
        diff = "" if row.scenario == ref else f"{row.diff_mean:+.4g} [{row.diff_ci_low:+.4g}, {row.diff_ci_high:+.4g}]"
        lines.append(f"{row.scenario:<22} {row.outcome:<20} {mean:>30} {diff:>36}")
    return "\n".join(lines)
