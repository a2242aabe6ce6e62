"""Experiments with a policy start week: burn in once per seed, branch every run from the snapshot (issue 12).

A reform begins in a district that has been running under the status quo.
With a plan's ``start_week`` W > 0 the first scenario of the plan is the
status quo: for each replicate seed it runs W weeks once (`worker.burn_in`),
and every run of that replicate (each scenario, each design point) restores
the snapshot and switches its own levers on (`worker.branch_run`: in force
from week W + 1). A run's levers are the keys in which its scenario differs
from the status quo, then its design point's values.

The result is what the same runs give without snapshots, each built as the
status quo, run W weeks, levers switched with ``set_levers`` and run on
(``tests/test_start_week.py``). The W weeks are paid once per seed instead of
once per run.

On any executor the burn-ins of a batch of replicates (as many as there are
workers) are mapped first, then their branches: each replicate's runs in as
many tasks as there are workers (at most one per run), so that a snapshot
is shipped to a worker once per task, not once per run. Every task is a pure
function of its data, so the results do not depend on the executor or the
number of workers, and a resumed experiment burns in only the replicates
with runs still missing. Levers that shape the built world cannot change at
a start week: `experiments.plan_check.check_start_week` refuses them before
anything runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from experiments.branching import flat_levers
from experiments.design import RunSpec
from experiments.engine import Runner, Store, Tally, bar_for, keep
from experiments.plan import ResolvedPlan
from experiments.worker import Branch, BurnIn, RunResult, branch_run, burn_in


def scenario_levers(plan: ResolvedPlan) -> dict[str, dict[str, Any]]:
    """Scenario label -> the levers it switches on at the start week (its differences from the first scenario).

    Example:
        >>> from experiments.plan_load import load_plan
        >>> plan = load_plan({"scenarios": ["scenarios/baseline.yaml", "scenarios/m2_provision.yaml"]}, command="compare")
        >>> scenario_levers(plan)
        {'baseline': {}, 'm2_provision': {'government.admin_tasks': 50, 'government.purchase_share': 0.25, 'government.ngo_cultivation': 0.5}}
    """
    labels = list(plan.scenarios)
    base = flat_levers(plan.scenarios[labels[0]])
    out = {}
    for label, scenario in plan.scenarios.items():
        levers = flat_levers(scenario)
        out[label] = {k: v for k, v in levers.items() if base.get(k) != v}
    return out


def _split(specs: list[RunSpec], parts: int) -> list[list[RunSpec]]:
    """``specs`` in at most ``parts`` consecutive runs of near-equal length (one task each).

    Example:
        >>> [len(p) for p in _split(list(range(8)), 3)]
        [3, 3, 2]
    """
    parts = max(1, min(parts, len(specs)))
    size, extra = divmod(len(specs), parts)
    out, first = [], 0
    for i in range(parts):
        last = first + size + (i < extra)
        out.append(specs[first:last])
        first = last
    return out


def execute_branched(store: Store, specs: Sequence[RunSpec], plan: ResolvedPlan, executor: Runner, *, progress: bool = True, desc: str = "runs") -> Tally:
    """Run every spec not yet in ``store`` from its replicate's burn-in snapshot, storing each as it finishes.

    Args:
        store: the experiment folder or memory store.
        specs: the runs, in execution (interleaved) order.
        plan: the validated plan (``start_week`` > 0; its first scenario is the status quo).
        executor: where to run (its ``workers`` set how many replicates burn in together).
        progress: show a progress bar (it counts runs, not burn-ins).
        desc: label of the bar.

    Returns:
        The `Tally` of runs done now, failed and skipped (already finished).
    """
    done = store.finished_ids()
    todo = [s for s in specs if s.run_id not in done]
    tally = Tally(skipped=len(specs) - len(todo))
    by_rep: dict[int, list[RunSpec]] = {}
    for spec in todo:
        by_rep.setdefault(spec.rep, []).append(spec)
    levers = scenario_levers(plan)
    status_quo = plan.scenarios[next(iter(plan.scenarios))].as_mapping()
    start = getattr(executor, "start", None)
    if start is not None and by_rep:
        start()  # so that ``workers`` is the cluster's size
    batch = max(1, int(getattr(executor, "workers", 1)))
    reps = list(by_rep)
    bar = bar_for(len(specs), tally.skipped, desc) if progress and todo else None
    try:
        for first in range(0, len(reps), batch):
            group = reps[first : first + batch]
            burn_ins = [BurnIn(rep, by_rep[rep][0].seed, status_quo, plan.start_week) for rep in group]
            snapshots = {r.rep: r for r in executor.imap_unordered(burn_in, burn_ins)}
            for rep in group:
                if snapshots[rep].error is not None:
                    for spec in by_rep[rep]:
                        keep(store, RunResult(spec, None, snapshots[rep].error, 0.0), tally, bar)
            branches = [
                Branch(snapshots[rep].snapshot, tuple((spec, {**levers[spec.scenario], **spec.values}) for spec in part))
                for rep in group
                if snapshots[rep].snapshot is not None
                # One worker runs in this process (nothing is shipped): a task per run keeps the progress bar live.
                for part in _split(by_rep[rep], batch if batch > 1 else len(by_rep[rep]))
            ]
            for results in executor.imap_unordered(branch_run, branches):
                for result in results:
                    keep(store, result, tally, bar)
            branches.clear()
            snapshots.clear()
    finally:
        if bar is not None:
            bar.close()
    return tally
