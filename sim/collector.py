"""The outcome collector: Mesa's DataCollector interface over one preallocated array.

Mesa's `DataCollector.collect` calls each of the ~110 outcome reporters and
deep-copies its value into a list every week; for the default district that
was about a tenth of a run (profile 1 in docs/performance.md). Every outcome
is a float computed once a week by `sim.outcomes.measure`, so this collector
copies the week's outcomes into one row of a float64 array (grown by
doubling) and builds Mesa's ``model_vars`` (name -> list) only when someone
reads it. ``model.datacollector.model_vars``, ``get_model_vars_dataframe``,
``_collection_steps`` and therefore `mesa.batch_run` work as before, with the
same values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

import mesa
import numpy as np


class OutcomeCollector(mesa.DataCollector):
    """A DataCollector of float model outcomes, stored as rows of one array.

    Args:
        reporters: outcome name -> reporter (kept as ``model_reporters`` for
            introspection; `collect` reads ``model.outcomes`` instead of calling them).
    """

    def __init__(self, reporters: Mapping[str, Callable[[Any], float]]):
        super().__init__()
        self.model_reporters = dict(reporters)
        self._names = tuple(reporters)
        self._row = itemgetter(*self._names)
        self._values = np.empty((128, len(self._names)))
        self._n = 0
        self._vars: dict[str, list[float]] | None = None

    def collect(self, model: Any) -> None:
        """Copy this week's ``model.outcomes`` into the next row."""
        if self._n == len(self._values):
            self._values = np.concatenate([self._values, np.empty_like(self._values)])
        self._values[self._n] = self._row(model.outcomes)
        self._n += 1
        self._collection_steps.append(model.time)
        self._vars = None

    @property
    def values(self) -> np.ndarray:
        """The collected outcomes, one row per collection, columns in ``model_reporters`` order (a view)."""
        return self._values[: self._n]

    @property
    def model_vars(self) -> dict[str, list[float]]:
        """Mesa's name -> list of collected values, built on demand."""
        if self._vars is None:
            self._vars = {name: column.tolist() for name, column in zip(self._names, self.values.T, strict=True)}
        return self._vars

    @model_vars.setter
    def model_vars(self, value: dict) -> None:
        if value:  # Mesa's __init__ assigns an empty dict; nothing else may
            raise AttributeError("OutcomeCollector.model_vars is read-only")
