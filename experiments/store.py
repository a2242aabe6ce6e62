"""Experiment folders that survive crashes: one Parquet shard per run, written atomically.

Layout of an experiment folder::

    manifest.json        plan (as resolved), plan digest, code version, packages, seeds, status
    shards/run-000042.parquet   one finished run (one row per step), written to a
                         temporary name and renamed, so a shard is whole or absent
    failures/run-000017.json    a run that raised: its spec and the error
    runs.parquet         every run, sorted by run id and step (written at the end)
    runs_summary.csv     one row per run: mean of each outcome over the final weeks
    ...                  the command's tables, figures and report.html

``manifest.json`` says ``"status": "running"`` until everything is written,
then ``"complete"``; an interrupted experiment is never mistaken for a finished
one. `ExperimentStore.open` refuses to resume an experiment whose plan digest
differs from the plan given, naming what differs.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.design import RunSpec
from experiments.results import check_free, manifest, write_json

#: Columns that identify a run in every table, before the parameters and outcomes.
ID_COLUMNS = ["scenario", "point", "rep", "seed", "run_id", "step"]


class ResumeError(ValueError):
    """Resuming is impossible: no experiment there, or one with a different plan."""


class ExperimentStore:
    """One experiment folder: shards, failures and the manifest.

    Example:
        >>> import tempfile, pathlib
        >>> store = ExperimentStore.create(pathlib.Path(tempfile.mkdtemp()) / "x", {"kind": "demo", "plan_digest": "d"})
        >>> sorted(store.finished_ids())
        []
    """

    def __init__(self, folder: Path, meta: dict[str, Any]):
        self.folder = folder
        self.meta = meta
        self.shards = folder / "shards"
        self.failures = folder / "failures"

    # -- opening -----------------------------------------------------------------

    @classmethod
    def create(cls, folder: Path, fields: dict[str, Any]) -> ExperimentStore:
        """Start a new experiment folder (it must not exist or be empty)."""
        check_free(folder)
        (folder / "shards").mkdir(parents=True, exist_ok=True)
        (folder / "failures").mkdir(exist_ok=True)
        meta = manifest(**fields, status="running")
        write_json(folder / "manifest.json", meta)
        return cls(folder, meta)

    @classmethod
    def open(cls, folder: Path, fields: dict[str, Any]) -> ExperimentStore:
        """Reopen an interrupted (or finished) experiment to resume it with the same plan.

        Raises:
            ResumeError: no manifest there, or the plan digest differs.
        """
        path = folder / "manifest.json"
        if not path.is_file():
            raise ResumeError(f"{folder}: no experiment to resume (manifest.json missing); run without --resume to start one")
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:  # truncated by a crash of the machine, or edited by hand
            raise ResumeError(f"{path}: damaged ({type(exc).__name__}); the experiment cannot be resumed, start it again with a new --out") from None
        if not isinstance(old, dict):
            raise ResumeError(f"{path}: damaged (not a JSON object); the experiment cannot be resumed, start it again with a new --out")
        if old.get("kind") != fields.get("kind") or old.get("plan_digest") != fields.get("plan_digest"):
            what = _differences(old, fields)
            raise ResumeError(f"{folder}: was started with a different plan ({what}); resume with the same plan and flags, or choose a new --out")
        store = cls(folder, old)
        store.shards.mkdir(exist_ok=True)
        store.failures.mkdir(exist_ok=True)
        store._sweep_leftovers()
        meta = dict(old)
        meta["status"] = "running"
        meta.setdefault("resumed", []).append(manifest()["created"])
        now = manifest()["code_version"]
        if now != old.get("code_version"):
            warnings.warn(f"{folder} was started with code {old.get('code_version')}, resuming with {now}; runs from the two may differ", stacklevel=2)
        meta["code_version_resumed"] = now
        store.meta = meta
        write_json(path, meta)
        return store

    def _sweep_leftovers(self) -> None:
        """Remove temporary files of writes cut short, and shards that cannot be read (they are rerun)."""
        for folder in (self.folder, self.shards, self.failures):
            for tmp in folder.glob(".*.tmp"):
                tmp.unlink()
        for shard in self.shards.glob("run-*.parquet"):
            if not shard_is_readable(shard):
                shard.unlink()

    # -- runs --------------------------------------------------------------------

    def finished_ids(self) -> set[int]:
        """Run ids with a shard (successful runs)."""
        return {int(p.stem.removeprefix("run-")) for p in self.shards.glob("run-*.parquet")}

    def failed_ids(self) -> set[int]:
        """Run ids recorded as failed."""
        return {int(p.stem.removeprefix("run-")) for p in self.failures.glob("run-*.json")}

    def write_run(self, spec: RunSpec, frame: pd.DataFrame) -> None:
        """Write one finished run as a shard, atomically (temporary name, then rename); clears an earlier failure record.

        The rename makes a shard whole or absent however the process dies; a
        shard left unreadable by a machine crash is found and rerun by `open`.
        """
        target = self.shards / f"run-{spec.run_id:06d}.parquet"
        tmp = self.shards / f".run-{spec.run_id:06d}.parquet.tmp"
        pq.write_table(run_table(spec, frame), tmp, write_page_checksum=True)  # so a damaged shard is found on resume
        os.replace(tmp, target)
        failure = self.failures / f"run-{spec.run_id:06d}.json"
        if failure.exists():
            failure.unlink()

    def write_failure(self, spec: RunSpec, error: str) -> None:
        """Record a failed run with its error."""
        data = {"run_id": spec.run_id, "scenario": spec.scenario, "point": spec.point, "rep": spec.rep, "seed": spec.seed, "values": spec.values, "error": error}
        write_json(self.failures / f"run-{spec.run_id:06d}.json", data)

    def failures_list(self) -> list[dict[str, Any]]:
        """Every recorded failure, by run id."""
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(self.failures.glob("run-*.json"))]

    def discard(self, run_ids: Iterable[int]) -> None:
        """Delete the shards and failure records of runs outside the final design (automatic replications)."""
        for run_id in run_ids:
            for path in (self.shards / f"run-{run_id:06d}.parquet", self.failures / f"run-{run_id:06d}.json"):
                if path.exists():
                    path.unlink()

    # -- assembling --------------------------------------------------------------

    def assemble(self, run_ids: Iterable[int] | None = None, weeks: int = 26) -> pd.DataFrame:
        """Write ``runs.parquet`` from the shards of ``run_ids`` (default: all), by run id; return the run summaries.

        One shard is in memory at a time; each becomes one row group of
        ``runs.parquet`` and one row of the summaries (`summary_row`).
        """
        ids = sorted(self.finished_ids() if run_ids is None else set(run_ids) & self.finished_ids())
        target = self.folder / "runs.parquet"
        tmp = self.folder / ".runs.parquet.tmp"
        writer = None
        rows = []
        try:
            for run_id in ids:
                table = self.read_run(run_id)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table.cast(writer.schema))
                rows.append(summary_row(table, weeks))
        finally:
            if writer is not None:
                writer.close()
        if writer is None:
            pq.write_table(pa.table({c: pa.array([], pa.int64()) for c in ID_COLUMNS[1:]}), tmp)
        os.replace(tmp, target)
        return frame_of_rows(rows)

    def summaries(self, run_ids: Iterable[int] | None = None, weeks: int = 26) -> pd.DataFrame:
        """One row per finished run of ``run_ids`` (default: all): `summary_row` of its shard."""
        ids = sorted(self.finished_ids() if run_ids is None else set(run_ids) & self.finished_ids())
        return frame_of_rows([summary_row(self.read_run(run_id), weeks) for run_id in ids])

    def read_run(self, run_id: int) -> pa.Table:
        """The stored table of one finished run (`read_shard` of its shard)."""
        return read_shard(self.shards / f"run-{run_id:06d}.parquet")

    def runs(self, run_ids: Iterable[int] | None = None) -> pd.DataFrame:
        """Every finished run of ``run_ids`` (default: all), one row per run and step, by run id (for an unfinished folder)."""
        ids = sorted(self.finished_ids() if run_ids is None else set(run_ids) & self.finished_ids())
        return concat_runs([self.read_run(run_id) for run_id in ids])

    def finish(self, **fields: Any) -> None:
        """Mark the experiment complete, adding ``fields`` to the manifest."""
        self.meta.update(fields)
        self.meta["status"] = "complete"
        write_json(self.folder / "manifest.json", self.meta)


def frame_of_rows(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """``pd.DataFrame(rows)`` for rows with the same keys, built column by column (several times faster).

    Example:
        >>> frame_of_rows([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]).equals(pd.DataFrame([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]))
        True
    """
    if not rows or any(row.keys() != rows[0].keys() for row in rows):
        return pd.DataFrame(rows)
    return pd.DataFrame({key: [row[key] for row in rows] for key in rows[0]})


def read_shard(path: Path) -> pa.Table:
    """Read one run's shard: the only place a shard is read (``assemble``, ``summaries``, ``runs``, `experiments.load`).

    Raises:
        OSError or pyarrow.ArrowInvalid: the file is missing or not a whole Parquet file.
    """
    return pq.read_table(path).replace_schema_metadata(None)


def shard_is_readable(path: Path) -> bool:
    """Whether a shard is whole: every page read and its CRC checked; a truncated or corrupted shard is rerun, never trusted."""
    try:
        pq.read_table(path, page_checksum_verification=True)
    except Exception:
        return False
    return True


def concat_runs(tables: list[pa.Table]) -> pd.DataFrame:
    """Run tables (one per run, in run-id order) as one frame, typed as ``runs.parquet`` reads back."""
    if not tables:
        return pd.DataFrame({c: pd.Series([], dtype="int64") for c in ID_COLUMNS[1:]})
    schema = tables[0].schema
    return pa.concat_tables([t.cast(schema) for t in tables]).to_pandas()


def run_table(spec: RunSpec, frame: pd.DataFrame) -> pa.Table:
    """One run's outcome frame as an Arrow table, with identity and parameter columns in front."""
    n = len(frame)
    columns = {
        "scenario": pa.array([spec.scenario] * n, pa.string()),
        "point": pa.array(np.full(n, spec.point, np.int64)),
        "rep": pa.array(np.full(n, spec.rep, np.int64)),
        "seed": pa.array(np.full(n, spec.seed, np.int64)),
        "run_id": pa.array(np.full(n, spec.run_id, np.int64)),
        "step": pa.array(np.asarray(frame.index, np.int64)),
    }
    for key, value in spec.values.items():
        columns[key] = pa.array([value] * n)
    values = np.ascontiguousarray(frame.to_numpy(np.float64).T)  # one conversion, then one contiguous row per outcome
    for column, row in zip(frame.columns, values, strict=True):
        columns[column] = pa.array(row)
    return pa.table(columns)


def summary_row(table: pa.Table, weeks: int = 26) -> dict[str, Any]:
    """Identity, parameter values and final-weeks means of one run's Arrow table (a shard).

    Identity and parameter columns (dotted keys) keep their first value;
    every outcome column becomes the mean over the last ``weeks`` steps
    (`final_means`). `summary_of` gives the same row from the run's frame.
    """
    row: dict[str, Any] = {}
    outcomes = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        if name == "step":
            continue
        if name in ID_COLUMNS or "." in name or not pa.types.is_floating(column.type):
            row[name] = column[0].as_py()
        else:
            row[name] = None  # keeps the column order; filled below
            outcomes.append((name, column))
    if outcomes:
        means = final_means(np.vstack([column.to_numpy() for _, column in outcomes]), weeks)
        row.update(zip([name for name, _ in outcomes], means, strict=True))
    return row


def summary_of(spec: RunSpec, frame: pd.DataFrame, weeks: int = 26) -> dict[str, Any]:
    """`summary_row` of ``run_table(spec, frame)``, bit for bit, without building the table (runs kept in memory)."""
    row: dict[str, Any] = {"scenario": spec.scenario, "point": spec.point, "rep": spec.rep, "seed": spec.seed, "run_id": spec.run_id}
    row.update({key: pa.scalar(value).as_py() for key, value in spec.values.items()})
    row.update(zip(frame.columns, final_means(frame.to_numpy(np.float64).T, weeks), strict=True))
    return row


def final_means(block: np.ndarray, weeks: int = 26) -> list[float]:
    """Mean of the last ``weeks`` values of each row of ``block`` (one row per outcome, one column per step).

    Each row is reduced as a contiguous array (numpy sums it pairwise, as it
    sums one column alone), so the folder and memory paths agree bit for bit.
    """
    tail = np.ascontiguousarray(block[:, max(0, block.shape[1] - weeks) :], dtype=np.float64)
    return [float(m) for m in tail.mean(axis=1)]


def digest(runs: pd.DataFrame) -> str:
    """SHA-256 of a run table sorted by run id and step: equal digests mean equal results, bit for bit.

    Example:
        >>> t = pd.DataFrame({"run_id": [1, 0], "step": [1, 1], "x": [0.5, 0.25]})
        >>> digest(t) == digest(t.iloc[::-1])
        True
    """
    table = runs.sort_values(["run_id", "step"], kind="stable").reset_index(drop=True)
    h = hashlib.sha256(",".join(map(str, table.columns)).encode())
    h.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return h.hexdigest()


def _differences(old: dict[str, Any], new: dict[str, Any]) -> str:
    if old.get("kind") != new.get("kind"):
        return f"it is a {old.get('kind')} experiment, not a {new.get('kind')}"
    a, b = old.get("plan", {}), new.get("plan", {})
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return "differs in: " + ", ".join(keys) if keys else "plan digest differs"
