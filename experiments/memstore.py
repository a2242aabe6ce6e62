"""An experiment kept in memory (``out=None``): the store interface of a folder, writing nothing.

`MemoryStore` keeps each finished run's outcome frame, and builds from it the
Arrow table a shard would hold (`experiments.store.run_table`) only when the
runs are asked for; its summaries (`experiments.store.summary_of`) and failure
records are those a folder would hold, so the runs, summaries and tables of an
in-memory experiment are the same, bit for bit, as those of the folder the
command line writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from experiments.design import RunSpec
from experiments.store import concat_runs, frame_of_rows, run_table, summary_of


class MemoryStore:
    """Finished runs and failures of one experiment, in memory.

    Example:
        >>> store = MemoryStore({"kind": "demo"})
        >>> store.finished_ids(), store.folder
        (set(), None)
    """

    folder = None

    def __init__(self, meta: dict[str, Any]):
        self.meta = meta
        self._runs: dict[int, tuple[RunSpec, pd.DataFrame]] = {}
        self._failures: dict[int, dict[str, Any]] = {}

    def finished_ids(self) -> set[int]:
        """Run ids of finished runs."""
        return set(self._runs)

    def failed_ids(self) -> set[int]:
        """Run ids recorded as failed."""
        return set(self._failures)

    def write_run(self, spec: RunSpec, frame: pd.DataFrame) -> None:
        """Keep one finished run (clears an earlier failure record)."""
        self._runs[spec.run_id] = (spec, frame)
        self._failures.pop(spec.run_id, None)

    def write_failure(self, spec: RunSpec, error: str) -> None:
        """Record a failed run with its error."""
        self._failures[spec.run_id] = {"run_id": spec.run_id, "scenario": spec.scenario, "point": spec.point, "rep": spec.rep, "seed": spec.seed, "values": spec.values, "error": error}

    def failures_list(self) -> list[dict[str, Any]]:
        """Every recorded failure, by run id."""
        return [self._failures[k] for k in sorted(self._failures)]

    def discard(self, run_ids: Iterable[int]) -> None:
        """Forget runs outside the final design (automatic replications)."""
        for run_id in run_ids:
            self._runs.pop(run_id, None)
            self._failures.pop(run_id, None)

    def summaries(self, run_ids: Iterable[int] | None = None, weeks: int = 26) -> pd.DataFrame:
        """One row per finished run of ``run_ids`` (default: all)."""
        return frame_of_rows([summary_of(*self._runs[i], weeks) for i in self._ids(run_ids)])

    def runs(self, run_ids: Iterable[int] | None = None) -> pd.DataFrame:
        """The finished runs of ``run_ids`` (default: all), one row per run and step, by run id."""
        return concat_runs([run_table(*self._runs[i]) for i in self._ids(run_ids)])

    def _ids(self, run_ids: Iterable[int] | None) -> list[int]:
        return sorted(self._runs if run_ids is None else set(run_ids) & set(self._runs))
