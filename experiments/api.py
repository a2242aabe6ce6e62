"""The public functions: ``compare``, ``sweep`` and ``sensitivity`` (``load`` is in `experiments.outputs`).

Each checks its arguments and plan (`experiments.jobs`), raising one
`experiments.errors.BadInput` with a line per problem before anything runs or
is written, then runs the job (`experiments.runner.run_job`) and returns a
result object (`experiments.outputs`). ``run.py`` calls the same two steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from experiments.executors import Executor
from experiments.jobs import compare_job, design_job
from experiments.outputs import Comparison, Sensitivity, Sweep
from experiments.plan import Plan
from experiments.runner import run_job


def compare(
    scenarios: Sequence[Any] | str | Path | Plan,
    *,
    reps: int | None = None,
    precision: float | None = None,
    max_reps: int | None = None,
    precision_outcomes: Sequence[str] | str | None = None,
    outcomes: Sequence[str] | str | None = None,
    steps: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    start_week: int | None = None,
    executor: Executor | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    progress: bool = True,
    report: bool = True,
) -> Comparison:
    """Compare scenarios with replications on common random numbers; the first is the reference.

    Args:
        scenarios: two or more scenario files, mappings or `sim.Scenario`
            objects (each labelled by its ``name``), or a comparison plan file / `Plan`.
        reps: replications per scenario (default: the plan's, else 10).
        precision: instead of ``reps``, replicate until every 95% CI half-width
            of ``precision_outcomes`` (means and paired differences) is at most this.
        max_reps: cap on replications with ``precision`` (default 100).
        precision_outcomes: outcomes the target applies to (default ``coverage``).
        outcomes: outcomes compared (default: the plan's, else the main ones).
        steps: weeks per run (default: each scenario's).
        seed: base seed; replicate seeds derive from it (default 1).
        overrides: dotted scenario keys set in every run, e.g. ``{"world.residents": 5000}``.
        start_week: policy start week W (default: the plan's, else 0). With W > 0
            the first scenario is the status quo: for each replicate seed it runs
            W weeks once, and every scenario takes over from that snapshot with the
            levers in which it differs (in force from week W + 1). Scenarios that
            differ in what shapes the built world (``world.*``, group shares) are
            refused. 0: every scenario runs as itself from week 1 (as before).
        executor: an `experiments.Local` or `experiments.Dask` (reused across
            calls); None: local processes on every core for this call.
        out: experiment folder to write, as ``run.py compare --out`` does; None keeps everything in memory.
        resume: finish the interrupted experiment in ``out`` (same arguments).
        progress: show a progress bar (a widget in a notebook).
        report: write ``report.html`` into ``out`` (``.report()`` writes it later).

    Returns:
        A `Comparison`: ``.table`` (comparison.csv), ``.differences``, ``.summaries``, ``.runs``.

    Raises:
        BadInput: one line per problem, before anything runs or is written.

    Example:
        >>> import experiments as ex
        >>> c = ex.compare(["scenarios/baseline.yaml", "scenarios/m3_participation.yaml"], reps=2, steps=3,
        ...                overrides={"world.residents": 1000, "world.rural_communities": 4}, executor=ex.Local(1), progress=False)
        >>> list(c.table.columns[:3]), len(c.summaries)
        (['scenario', 'outcome', 'mean'], 4)
    """
    job = compare_job(
        scenarios,
        reps=reps,
        precision=precision,
        max_reps=max_reps,
        precision_outcomes=precision_outcomes,
        outcomes=outcomes,
        steps=steps,
        seed=seed,
        overrides=overrides,
        start_week=start_week,
    )
    return run_job(job, executor=executor, out=out, resume=resume, progress=progress, report=report)


def sweep(
    plan: str | Path | Plan,
    *,
    reps: int | None = None,
    outcomes: Sequence[str] | str | None = None,
    steps: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    start_week: int | None = None,
    executor: Executor | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    progress: bool = True,
    report: bool = True,
) -> Sweep:
    """Run a grid or Latin-hypercube sweep from a plan file or a `Plan`.

    Arguments other than ``plan`` are as for `compare` (``reps`` is per design
    point and replaces the plan's replications; with ``start_week`` W > 0 the
    first scenario runs W weeks once per seed and each design point's values
    switch on from that snapshot).

    Returns:
        A `Sweep`: ``.table`` (sweep_summary.csv: per scenario and design point, each outcome's mean and 95% CI).

    Raises:
        BadInput: one line per problem, before anything runs or is written.
    """
    job = design_job("sweep", plan, reps=reps, outcomes=outcomes, steps=steps, seed=seed, overrides=overrides, start_week=start_week)
    return run_job(job, executor=executor, out=out, resume=resume, progress=progress, report=report)


def sensitivity(
    plan: str | Path | Plan,
    *,
    reps: int | None = None,
    outcomes: Sequence[str] | str | None = None,
    steps: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    start_week: int | None = None,
    executor: Executor | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    progress: bool = True,
    report: bool = True,
) -> Sensitivity:
    """Sobol or Morris sensitivity analysis (via SALib) from a plan file or a `Plan`.

    Arguments other than ``plan`` are as for `sweep`.

    Returns:
        A `Sensitivity`: ``.table`` (sensitivity.csv: outcome, parameter, method, index, value, ci_low, ci_high, rank).

    Raises:
        BadInput: one line per problem, before anything runs or is written.
    """
    job = design_job("sensitivity", plan, reps=reps, outcomes=outcomes, steps=steps, seed=seed, overrides=overrides, start_week=start_week)
    return run_job(job, executor=executor, out=out, resume=resume, progress=progress, report=report)
