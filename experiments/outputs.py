"""Result objects: what ``compare``, ``sweep`` and ``sensitivity`` return, and `load` to reopen a folder.

Every result has ``.table`` (the comparison, per-point or indices table, the
columns of its CSV file), ``.summaries`` (one row per run: final-weeks means),
``.runs`` (one row per run and step, read when first asked for), ``.summary``
(what ``summary.json`` holds), ``.folder`` (a `Path`, or None when kept in
memory), ``.complete`` and ``.report(path=None)``. `load` reopens a finished or
interrupted folder as the same kind of object: an interrupted one shows the
runs finished so far (``complete`` is False); finish it by calling the same
function again with ``out=folder, resume=True``.
"""

from __future__ import annotations

import errno
import json
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments import comparison, sweeps
from experiments.errors import BadInput
from experiments.indices import ranked_text
from experiments.results import TABLE_FILES, check_free, default_out, manifest, write_csv, write_json
from experiments.store import ExperimentStore, digest


class Result:
    """A finished (or reopened) experiment; see the module docstring for its attributes."""

    kind = "experiment"

    def __init__(self, *, meta: dict[str, Any], table: pd.DataFrame, summaries: pd.DataFrame, summary: dict[str, Any], folder: Path | None, complete: bool, store: Any = None):
        self.meta = meta
        self.table = table
        self.summaries = summaries
        self.summary = summary
        self.folder = folder
        self.complete = complete
        self._store = store
        self._runs: pd.DataFrame | None = None

    @property
    def plan(self) -> dict[str, Any]:
        """The plan as resolved (scenarios as mappings, seed, replications, outcomes, parameters, sampler)."""
        return self.meta.get("plan_description") or self.meta.get("plan", {})

    @property
    def name(self) -> str:
        """The plan's name."""
        return self.plan.get("name", "")

    @property
    def scenarios(self) -> list[str]:
        """Scenario labels, the reference first."""
        return list(self.plan.get("scenarios", {}))

    @property
    def outcomes(self) -> list[str]:
        """Outcomes analysed (every outcome is in ``runs``)."""
        return list(self.plan.get("outcomes", []))

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run and step: identity columns, parameter values, every outcome (read once, then kept)."""
        if self._runs is None:
            if self.folder is not None and self.complete and (self.folder / "runs.parquet").is_file():
                self._runs = pd.read_parquet(self.folder / "runs.parquet")
            else:
                self._runs = self._store.runs()
        return self._runs

    def digest(self) -> str:
        """SHA-256 of ``runs`` (`experiments.store.digest`): equal digests mean equal results, bit for bit."""
        return digest(self.runs)

    def save(self, path: str | Path) -> Path:
        """Write the experiment folder (manifest, ``runs.parquet``, tables, ``summary.json``) at ``path``, which must be free."""
        target = Path(path)
        check_free(target)
        target.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pandas(self.runs, preserve_index=False).replace_schema_metadata(None), target / "runs.parquet")
        write_csv(self.summaries, target / "runs_summary.csv")
        if not self.table.empty:
            write_csv(self.table, target / TABLE_FILES[self.kind])
        write_json(target / "summary.json", self.summary)
        fields = {k: v for k, v in self.meta.items() if k in ("kind", "plan", "plan_digest", "plan_description")}
        write_json(target / "manifest.json", manifest(**fields, status="complete", finished=time.strftime("%Y-%m-%dT%H:%M:%S%z")))
        return target

    def report(self, path: str | Path | None = None) -> Path:
        """Write ``report.html`` with its figures; return its path.

        Args:
            path: a folder. None: the experiment's own folder, or for an
                experiment kept in memory a new ``results/<kind>-<name>-<time>``
                (the experiment is saved there first, as `save` does).

        Raises:
            BadInput: the experiment is unfinished, or ``path`` is taken.
        """
        # Imported here: the report draws with matplotlib (0.9 s to import after
        # `import experiments`, measured on the 2-core dev machine), which
        # an experiment without a report never needs.
        from experiments.reporting import write_report

        if not self.complete:
            raise BadInput([f"{self.folder}: the experiment has not finished; finish it with resume=True (or --resume) first"])
        if self.folder is not None and (path is None or Path(path).resolve() == self.folder.resolve()):
            return write_report(self.folder)
        target = Path(path) if path is not None else default_out(f"{self.kind}-{self.name}")
        try:
            self.save(target)
        except FileExistsError as exc:
            raise BadInput([f"{exc}"]) from None
        return write_report(target)

    def __repr__(self) -> str:
        where = str(self.folder) if self.folder is not None else "in memory"
        state = "" if self.complete else ", unfinished"
        return f"<{type(self).__name__} {self.name!r}: {self.summary.get('finished', len(self.summaries))} of {self.summary.get('runs', '?')} runs, {where}{state}>"


class Comparison(Result):
    """The result of ``experiments.compare``: ``table`` has means and paired differences with 95% CIs."""

    kind = "compare"

    @property
    def reference(self) -> str:
        """The scenario the differences are taken from (the first)."""
        return self.scenarios[0]

    @property
    def differences(self) -> pd.DataFrame:
        """Paired differences from the reference: scenario, outcome, diff_mean, diff_ci_low, diff_ci_high."""
        if self.table.empty:
            return self.table
        rows = self.table[self.table["scenario"] != self.reference]
        return rows[["scenario", "outcome", "diff_mean", "diff_ci_low", "diff_ci_high"]].reset_index(drop=True)

    @property
    def stopping(self) -> dict[str, Any]:
        """How many replications ran and why (with a precision target: the history of CI widths)."""
        return self.summary.get("stopping", {})

    def __str__(self) -> str:
        return comparison.format_table(self.table) if not self.table.empty else repr(self)


class Sweep(Result):
    """The result of ``experiments.sweep``: ``table`` has one row per scenario and design point."""

    kind = "sweep"

    @property
    def parameters(self) -> list[str]:
        """The swept dotted keys."""
        return list(self.plan.get("parameters", {}))


class Sensitivity(Result):
    """The result of ``experiments.sensitivity``: ``table`` has Sobol or Morris indices, tidy and ranked."""

    kind = "sensitivity"

    def __str__(self) -> str:
        return ranked_text(self.table) if not self.table.empty else repr(self)


#: Result class by experiment kind.
KINDS: dict[str, type[Result]] = {"compare": Comparison, "sweep": Sweep, "sensitivity": Sensitivity}


def load(folder: str | Path) -> Result:
    """Reopen an experiment folder, finished or interrupted, as the result object of its kind.

    Nothing in the folder is changed. For an interrupted experiment ``complete``
    is False and the tables cover the runs finished so far.

    Raises:
        BadInput: the folder holds no experiment.

    Example:
        >>> import experiments as ex
        >>> ex.load("results/nowhere")
        Traceback (most recent call last):
        ...
        experiments.errors.BadInput: results/nowhere: not an experiment folder (no manifest.json)
    """
    folder = Path(folder)
    path = folder / "manifest.json"
    try:
        path.stat()
    except OSError as exc:  # a name too long, a loop, no permission: "not an experiment folder", not a crash
        if exc.errno is not None and exc.errno != errno.ENOENT:
            raise BadInput([f"{folder}: not an experiment folder ({exc.strerror})"]) from None
    if not path.is_file():
        raise BadInput([f"{folder}: not an experiment folder (no manifest.json)"])
    meta = json.loads(path.read_text(encoding="utf-8"))
    cls = KINDS.get(meta.get("kind"))
    if cls is None:
        raise BadInput([f"{folder}: manifest.json names kind {meta.get('kind')!r} (allowed: {', '.join(KINDS)})"])
    store = ExperimentStore(folder, meta)
    complete = meta.get("status") == "complete" and (folder / "runs.parquet").is_file()
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8")) if complete and (folder / "summary.json").is_file() else {}
    if complete:
        summaries = _read_csv(folder / "runs_summary.csv")
        table = _read_csv(folder / TABLE_FILES[cls.kind])
    else:
        summaries = store.summaries()
        table = _partial_table(cls.kind, summaries, meta.get("plan", {}))
        summary = {"kind": cls.kind, "plan": meta.get("plan", {}).get("name"), "finished": len(summaries), "failed": len(store.failed_ids())}
    return cls(meta=meta, table=table, summaries=summaries, summary=summary, folder=folder, complete=complete, store=store)


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path) if path.is_file() and path.stat().st_size > 1 else pd.DataFrame()


def _partial_table(kind: str, summaries: pd.DataFrame, plan: dict[str, Any]) -> pd.DataFrame:
    """The table of an unfinished experiment over its finished runs (sensitivity indices need every run: empty)."""
    if summaries.empty or kind == "sensitivity":
        return pd.DataFrame()
    if kind == "compare":
        labels = [s for s in plan.get("scenarios", {}) if s in set(summaries["scenario"])]
        return comparison.table(summaries, labels, plan.get("outcomes", [])) if labels else pd.DataFrame()
    return sweeps.table(summaries, list(plan.get("parameters", {})), plan.get("outcomes", []))
