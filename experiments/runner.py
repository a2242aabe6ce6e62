"""Running a job: open its store, run the missing runs, assemble the tables, return the result object.

`run_job` is the one path every experiment takes, from Python or the command
line: a folder store (``out=PATH``; ``resume=True`` reopens it and runs only
what is missing) or a memory store (``out=None``: nothing is written), the
runs on the executor given (or a `experiments.executors.Local` on every core,
closed afterwards), then ``runs.parquet``, ``runs_summary.csv``, the kind's
table, ``summary.json``, the report, and the manifest marked complete.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pandas as pd

from experiments import comparison, sweeps
from experiments.branched import execute_branched
from experiments.design import RunSpec, runs_of
from experiments.engine import Tally, execute
from experiments.errors import BadInput, python_line
from experiments.executors import Executor, Local
from experiments.indices import analyse_runs
from experiments.jobs import Job
from experiments.memstore import MemoryStore
from experiments.outputs import KINDS, Result
from experiments.results import TABLE_FILES, OutputExistsError, write_csv, write_json
from experiments.stats import FINAL_WEEKS
from experiments.store import ExperimentStore, ResumeError


def run_job(
    job: Job,
    *,
    executor: Executor | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    progress: bool = True,
    report: bool = True,
) -> Result:
    """Run ``job`` and return its result object.

    Args:
        job: a validated job (`experiments.jobs`).
        executor: where to run; None: a `Local` on every core, closed at the end.
        out: the experiment folder, or None to keep everything in memory.
        resume: finish the interrupted experiment in ``out`` (same job).
        progress: show a progress bar.
        report: write ``report.html`` and its figures into ``out``.

    Raises:
        BadInput: a bad executor or ``out``, ``out`` taken, or not resumable with this job (nothing is written).
    """
    started = time.perf_counter()
    problems = []
    if executor is not None and not isinstance(executor, Executor):
        problems.append(python_line("executor", f"expected experiments.Local(...) or experiments.Dask(...), got {type(executor).__name__} (allowed: an executor or None)"))
    if out is not None and not isinstance(out, str | Path):
        problems.append(python_line("out", f"expected a folder path or None, got {type(out).__name__}"))
    if problems:
        raise BadInput(problems)
    store = open_store(job, out, resume)
    own = executor is None
    runner = Local() if own else executor
    tally = Tally()

    def run(specs: list[RunSpec], desc: str) -> None:
        if job.plan.start_week:
            done = execute_branched(store, specs, job.plan, runner, progress=progress, desc=desc)
        else:
            done = execute(store, specs, _scenario_data(job), runner, progress=progress, desc=desc)
        tally.ran += done.ran
        tally.failed += done.failed

    try:
        if job.precision is None:
            specs = runs_of(job.plan, job.points)
            run(specs, job.plan.name)
            extra: dict[str, Any] = {"stopping": {"replications": job.plan.replications}} if job.kind == "compare" else {}
        else:
            runner.start()
            specs, stop = comparison.run_until_precise(job.plan, job.precision, store, runner.workers, run)
            extra = {"stopping": stop}
    finally:
        if own:
            runner.close()
    return _finish(job, store, specs, tally, started, extra, resume=resume, report=report)


def open_store(job: Job, out: str | Path | None, resume: bool) -> ExperimentStore | MemoryStore:
    """A new folder, the same folder again (``resume``), or memory (``out=None``).

    Raises:
        BadInput: resume without a folder, a taken folder, or a folder started with another plan.
    """
    canonical = {**job.plan.canonical(), "settings": job.settings()}
    digest = hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()
    fields = {"kind": job.kind, "plan": canonical, "plan_digest": digest, "plan_description": job.plan.describe()}
    if out is None:
        if resume:
            raise BadInput([python_line("resume", "needs out=FOLDER, the folder of the interrupted experiment")])
        return MemoryStore(fields)
    if resume:
        try:
            return ExperimentStore.open(Path(out), fields)
        except ResumeError as exc:
            raise BadInput([str(exc)]) from None
    try:
        return ExperimentStore.create(Path(out), fields)
    except OutputExistsError as exc:
        raise BadInput([f"{exc} (or resume to finish an interrupted experiment there)"]) from None


def _scenario_data(job: Job) -> dict[str, dict[str, Any]]:
    """Scenario label -> resolved scenario mapping, as sent to workers."""
    return {label: sc.as_mapping() for label, sc in job.plan.scenarios.items()}


def _finish(job: Job, store: Any, specs: list[RunSpec], tally: Tally, started: float, extra: dict[str, Any], *, resume: bool, report: bool) -> Result:
    """Assemble the runs, compute the kind's table, write the folder's files; the result object."""
    ids = [s.run_id for s in specs]
    folder = store.folder
    # Both stores give the rows in run-id order.
    summaries = store.assemble(ids, weeks=FINAL_WEEKS) if folder is not None else store.summaries(ids, weeks=FINAL_WEEKS)
    table, missing = _table(job, summaries)
    if missing:
        extra["points_without_runs"] = missing
    failures = [f for f in store.failures_list() if f["run_id"] in set(ids)]
    summary = {
        "kind": job.kind,
        "plan": job.plan.name,
        "runs": len(ids),
        "finished": len(ids) - len(failures),
        "failed": len(failures),
        "ran_now": tally.ran,
        "already_done": len(ids) - tally.ran if resume else 0,
        "wall_seconds": round(time.perf_counter() - started, 2),
        "failures": [{"run_id": f["run_id"], "scenario": f["scenario"], "seed": f["seed"], "error": f["error"]} for f in failures],
        **({"design_points": len(job.points), "sampler": job.plan.sampler.method} if job.kind != "compare" else {}),
        **({"start_week": job.plan.start_week, "status_quo": next(iter(job.plan.scenarios))} if job.plan.start_week else {}),
        **extra,
    }
    if folder is not None:
        write_csv(summaries, folder / "runs_summary.csv")
        if not table.empty or job.kind == "sweep":
            write_csv(table, folder / TABLE_FILES[job.kind])
        write_json(folder / "summary.json", summary)
        if report:
            # Imported here: the report draws with matplotlib (0.9 s to import
            # after `import experiments`, measured), which a run without a report
            # (out=None, --no-report) never needs.
            from experiments.reporting import write_report

            write_report(folder)
        store.finish(finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    return KINDS[job.kind](meta=store.meta, table=table, summaries=summaries, summary=summary, folder=folder, complete=True, store=store)


def _table(job: Job, summaries: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The kind's table, and (sensitivity) how many design points lack a finished run."""
    plan = job.plan
    if job.kind == "compare":
        return comparison.table(summaries, list(plan.scenarios), plan.outcomes), 0
    if job.kind == "sweep":
        return sweeps.table(summaries, [p.key for p in plan.parameters], plan.outcomes), 0
    return analyse_runs(summaries, plan.sampler, plan.parameters, plan.outcomes, job.unit, plan.seed)
