"""The streaming loop: feed the missing runs to an executor, store each result as it arrives.

`execute` gives the runs still missing from a store (an experiment folder,
`experiments.store.ExperimentStore`, or memory, `experiments.memstore.MemoryStore`)
to an executor in interleaved order, stores each result the moment it arrives
(one shard per run), shows a progress bar with an ETA (``tqdm.auto``: a widget
in a notebook, text on stderr in a terminal) and returns how many runs finished
and failed. The worker function is `experiments.worker.simulate`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tqdm.auto import tqdm

from experiments.design import RunSpec
from experiments.worker import RunResult, Task, simulate


class Store(Protocol):
    """Where results go: what `execute` needs of a folder or memory store."""

    def finished_ids(self) -> set[int]:
        """Run ids already stored."""

    def write_run(self, spec: RunSpec, frame: Any) -> None:
        """Store one finished run."""

    def write_failure(self, spec: RunSpec, error: str) -> None:
        """Record one failed run."""


class Runner(Protocol):
    """What `execute` needs of an executor (`experiments.executors`)."""

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Any) -> Any:
        """Yield ``fn(task)`` per task, in completion order."""


@dataclass
class Tally:
    """Counts of one `execute` call."""

    ran: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0


def execute(
    store: Store,
    specs: Sequence[RunSpec],
    scenarios: dict[str, dict[str, Any]],
    executor: Runner,
    *,
    progress: bool = True,
    desc: str = "runs",
    worker: Callable[[Task], RunResult] | None = None,
    on_result: Callable[[RunResult], None] | None = None,
) -> Tally:
    """Run every spec not yet in ``store``, storing each as it finishes.

    Args:
        store: the experiment folder or memory store.
        specs: the runs, in execution (interleaved) order.
        scenarios: scenario label -> resolved scenario mapping.
        executor: where to run.
        progress: show a progress bar with an ETA.
        desc: label of the bar.
        worker: the function run per task (default `experiments.worker.simulate`).
        on_result: called after each result is stored.

    Returns:
        The `Tally` of runs done now, failed and skipped (already finished).
    """
    done = store.finished_ids()
    todo = [s for s in specs if s.run_id not in done]
    tally = Tally(skipped=len(specs) - len(todo))
    started = time.perf_counter()
    bar = bar_for(len(specs), tally.skipped, desc) if progress and todo else None
    try:
        for result in executor.imap_unordered(worker or simulate, (Task(s, scenarios[s.scenario]) for s in todo)):
            keep(store, result, tally, bar)
            if on_result is not None:
                on_result(result)
    finally:
        if bar is not None:
            bar.close()
    tally.seconds = time.perf_counter() - started
    return tally


def keep(store: Store, result: RunResult, tally: Tally, bar: Any) -> None:
    """Store one result as it arrives (a shard, or a failure record) and count it."""
    if result.error is None:
        store.write_run(result.spec, result.frame)
    else:
        store.write_failure(result.spec, result.error)
        tally.failed += 1
        if bar is not None:
            bar.set_postfix(failed=tally.failed)
    tally.ran += 1
    if bar is not None:
        bar.update(1)


def bar_for(total: int, initial: int, desc: str) -> Any:
    """A tqdm.auto bar; no monitor thread (worker processes may be forked from this one)."""
    tqdm.monitor_interval = 0
    return tqdm(total=total, initial=initial, desc=desc, unit="run", dynamic_ncols=True)
