"""Running the runs of an experiment: the worker function and the streaming loop.

`simulate` is what a worker executes: it rebuilds the scenario from plain data
(so a remote Dask worker needs no scenario files), runs the model and returns
the outcome frame, or the error if the run raised. `execute` feeds the runs
still missing to an executor in interleaved order, writes each result to the
store the moment it arrives (one shard per run), shows a progress bar with an
ETA on stderr and returns how many runs finished and failed.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from experiments.design import RunSpec
from experiments.executors import Executor
from experiments.store import ExperimentStore


@dataclass(frozen=True)
class Task:
    """What a worker needs for one run: the spec, the resolved scenario as data, and the steps."""

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
    """Run one task in a worker; never raises for a model failure (the error is returned)."""
    started = time.perf_counter()
    try:
        from sim import CommunityModel

        model = CommunityModel(task.scenario, rng=task.spec.seed, **task.spec.values).run()
        frame = model.outcome_frame()
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        error = f"{type(exc).__name__}: {exc} (at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})"
        return RunResult(task.spec, None, error, time.perf_counter() - started)
    return RunResult(task.spec, frame, None, time.perf_counter() - started)


@dataclass
class Tally:
    """Counts of one `execute` call."""

    ran: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0


def execute(
    store: ExperimentStore,
    specs: Sequence[RunSpec],
    scenarios: dict[str, dict[str, Any]],
    executor: Executor,
    *,
    progress: bool = True,
    desc: str = "runs",
    worker: Callable[[Task], RunResult] | None = None,
    on_result: Callable[[RunResult], None] | None = None,
) -> Tally:
    """Run every spec without a shard in ``store``, writing each as it finishes.

    Args:
        store: the experiment folder.
        specs: the runs, in execution (interleaved) order.
        scenarios: scenario label -> resolved scenario mapping.
        executor: where to run.
        progress: show a tqdm bar with an ETA on stderr.
        desc: label of the bar.
        worker: the function run per task (default `simulate`).
        on_result: called after each result is stored.

    Returns:
        The `Tally` of runs done now, failed and skipped (already finished).
    """
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked
    done = store.finished_ids()
    todo = [s for s in specs if s.run_id not in done]
    tally = Tally(skipped=len(specs) - len(todo))
    started = time.perf_counter()
    bar = tqdm(total=len(specs), initial=tally.skipped, desc=desc, unit="run", file=sys.stderr, disable=not progress or not todo, dynamic_ncols=True)
    try:
        for result in executor.imap_unordered(worker or simulate, (Task(s, scenarios[s.scenario]) for s in todo)):
            if result.error is None:
                store.write_run(result.spec, result.frame)
            else:
                store.write_failure(result.spec, result.error)
                tally.failed += 1
                bar.set_postfix(failed=tally.failed)
            tally.ran += 1
            bar.update(1)
            if on_result is not None:
                on_result(result)
    finally:
        bar.close()
    tally.seconds = time.perf_counter() - started
    return tally
