"""What a worker process runs: one task in, one result out.

`simulate` rebuilds the scenario from plain data (so a remote Dask worker needs
no scenario files), runs the model and returns the outcome frame, or the error
if the run raised. It never raises for a model failure: the experiment records
the failure and goes on with the other runs.
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
        where = traceback.extract_tb(exc.__traceback__)[-1]
        error = f"{type(exc).__name__}: {exc} (at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})"
        return RunResult(task.spec, None, error, time.perf_counter() - started)
    return RunResult(task.spec, frame, None, time.perf_counter() - started)
