"""What a worker process runs: one task in, one result out.

`simulate` rebuilds the scenario from plain data (so a remote Dask worker needs
no scenario files), runs the model and returns the outcome frame, or the error
if the run raised. It never raises for a model failure: the experiment records
the failure and goes on with the other runs.

With a policy start week (issue 12) a run is two tasks: `burn_in` runs the
status quo for the start week once per replicate seed and returns the model's
snapshot; `branch_run` restores a snapshot, switches the run's levers on and
runs to the horizon (`experiments.branched` maps them).
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import Any

import pandas as pd

import sim
from experiments.design import RunSpec


@dataclass(frozen=True)
class Task:
    """What a worker needs for one run: the spec and the resolved scenario as data."""

    spec: RunSpec
    scenario: dict[str, Any]


@dataclass(frozen=True)
class RunResult:
    """A worker's answer: the outcome frame, or the error text; and the seconds it took."""

    spec: RunSpec
    frame: pd.DataFrame | None
    error: str | None
    seconds: float


def simulate(task: Task) -> RunResult:
    """Run one task; never raises for a model failure (the error is returned).

    Example:
        >>> spec = RunSpec(0, "tiny", 0, 0, 1, {})
        >>> simulate(Task(spec, {"world": {"residents": 500, "rural_communities": 4}, "steps": 2})).frame.shape[0]
        2
    """
    started = time.perf_counter()
    try:
        # Looked up on the module at call time, so a test can stand in a failing model.
        model = sim.CommunityModel(task.scenario, rng=task.spec.seed, **task.spec.values).run()
        frame = model.outcome_frame()
    except Exception as exc:
        return RunResult(task.spec, None, error_text(exc), time.perf_counter() - started)
    return RunResult(task.spec, frame, None, time.perf_counter() - started)


def error_text(exc: BaseException) -> str:
    """One line: the exception and the file and line that raised it."""
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__}: {exc} (at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})"


@dataclass(frozen=True)
class BurnIn:
    """The status quo of one replicate seed, to be run ``weeks`` weeks and snapshotted."""

    rep: int
    seed: int
    scenario: dict[str, Any]
    weeks: int


@dataclass(frozen=True)
class BurnInResult:
    """A burn-in's snapshot (`sim.CommunityModel.snapshot` bytes), or the error text."""

    rep: int
    snapshot: bytes | None
    error: str | None
    seconds: float


def burn_in(task: BurnIn) -> BurnInResult:
    """Run the status quo ``task.weeks`` weeks and snapshot it; never raises for a model failure."""
    started = time.perf_counter()
    try:
        model = sim.CommunityModel(task.scenario, rng=task.seed)
        model.run(steps=task.weeks)
        snapshot = model.snapshot()
    except Exception as exc:
        return BurnInResult(task.rep, None, f"burn-in to week {task.weeks} failed: {error_text(exc)}", time.perf_counter() - started)
    return BurnInResult(task.rep, snapshot, None, time.perf_counter() - started)


@dataclass(frozen=True)
class Branch:
    """Runs from one start week: the burn-in's snapshot, and each run's spec with the levers it switches on.

    One snapshot serves several runs of a task, so it is shipped to a worker
    once per task rather than once per run (8.6 MB for the default district).
    """

    snapshot: bytes
    runs: tuple[tuple[RunSpec, dict[str, Any]], ...]


def branch_run(task: Branch) -> list[RunResult]:
    """For each run: restore the snapshot, switch its levers on (in force from the next week), run to the horizon.

    The same as `experiments.branching.branch`, returning a `RunResult` per
    run and never raising for a model failure, like `simulate`.
    """
    results = []
    for spec, levers in task.runs:
        started = time.perf_counter()
        try:
            model = sim.CommunityModel.restore(task.snapshot)
            if levers:
                model.set_levers(levers)
            frame = model.run().outcome_frame()
        except Exception as exc:
            results.append(RunResult(spec, None, error_text(exc), time.perf_counter() - started))
            continue
        results.append(RunResult(spec, frame, None, time.perf_counter() - started))
    return results
