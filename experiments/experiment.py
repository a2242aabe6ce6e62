"""What compare, sweep and sensitivity share: flags, plan loading, the folder, running, finishing.

A command builds its `Plan`, calls `open_store` (a new folder, or the same
folder again with ``--resume``), runs its specs with `run_specs`, then writes
its own tables and calls `finish`, which assembles ``runs.parquet`` and
``runs_summary.csv``, writes ``summary.json`` and the report, and marks the
manifest complete. Bad input (plan, flags, a resume that does not match)
exits with status 2 before anything is written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.cli_common import add_common_flags, overrides_from, positive_int
from experiments.design import RunSpec, design_points, runs_of
from experiments.engine import Tally, execute
from experiments.executors import add_executor_flags, executor_from
from experiments.figures import FINAL_WEEKS
from experiments.plan import Plan, load_plan
from experiments.results import OutputExistsError, default_out, write_json
from experiments.store import ExperimentStore, ResumeError


class BadInput(Exception):
    """Input refused before anything is written; its `lines` are printed one per line, exit 2.

    ``lines()`` is a method, as on `PlanError`, so a command catches both in one clause.
    """

    def __init__(self, lines: Sequence[str]):
        self._lines = list(lines)
        super().__init__("; ".join(self._lines))

    def lines(self) -> list[str]:
        """One line per problem."""
        return list(self._lines)


def add_experiment_flags(parser: argparse.ArgumentParser) -> None:
    """Flags every experiment command has: common run flags, executors, resume, output control."""
    add_common_flags(parser)
    add_executor_flags(parser)
    parser.add_argument("--resume", action="store_true", help="finish the interrupted experiment in --out (same plan and flags): run only the missing runs")
    parser.add_argument("--quiet", action="store_true", help="no progress bar; print only where the results went")
    parser.add_argument("--no-report", action="store_true", help="skip the HTML report and figures (run.py report DIR writes them later)")


def set_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The ``--set`` flags (``--steps`` is handled by the plan)."""
    overrides = overrides_from(argparse.Namespace(overrides=args.overrides, steps=None))
    return overrides


@dataclass
class Experiment:
    """An open experiment: plan, store, executor choice and counts so far."""

    kind: str
    plan: Plan
    store: ExperimentStore
    args: argparse.Namespace
    settings: dict[str, Any] = field(default_factory=dict)
    tally: Tally = field(default_factory=Tally)
    started: float = field(default_factory=time.perf_counter)

    @property
    def folder(self) -> Path:
        """The experiment folder."""
        return self.store.folder

    def scenario_data(self) -> dict[str, dict[str, Any]]:
        """Scenario label -> resolved scenario mapping, as sent to workers."""
        return {label: sc.as_mapping() for label, sc in self.plan.scenarios.items()}


def open_store(kind: str, plan: Plan, args: argparse.Namespace, settings: dict[str, Any] | None = None) -> Experiment:
    """Create the experiment folder, or reopen it with ``--resume``.

    Raises:
        BadInput: the folder exists (without --resume), --resume without --out, or a different plan.
    """
    settings = dict(settings or {})
    canonical = {**plan.canonical(), "settings": settings}
    digest = hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()
    fields = {"kind": kind, "plan": canonical, "plan_digest": digest, "plan_description": plan.describe()}
    if args.resume:
        if not args.out:
            raise BadInput([f"run.py {kind}: --resume needs --out DIR, the folder of the interrupted experiment"])
        try:
            store = ExperimentStore.open(Path(args.out), fields)
        except ResumeError as exc:
            raise BadInput([str(exc)]) from None
    else:
        out = Path(args.out) if args.out else default_out(f"{kind}-{plan.name}")
        try:
            store = ExperimentStore.create(out, fields)
        except OutputExistsError as exc:
            raise BadInput([f"{exc} (or add --resume to finish an interrupted experiment there)"]) from None
    return Experiment(kind, plan, store, args, settings)


def run_specs(exp: Experiment, specs: Sequence[RunSpec], executor, desc: str | None = None) -> Tally:
    """Run the specs still missing; add their counts to the experiment's tally."""
    tally = execute(exp.store, specs, exp.scenario_data(), executor, progress=not exp.args.quiet, desc=desc or exp.plan.name)
    exp.tally.ran += tally.ran
    exp.tally.failed += tally.failed
    return tally


def make_executor(args: argparse.Namespace):
    """The executor the flags ask for (starting a Dask cluster if asked)."""
    executor = executor_from(args)
    if not args.quiet:
        extra = f"; dashboard {executor.dashboard}" if getattr(executor, "dashboard", None) else ""
        print(f"running on {executor.label}{extra}", file=sys.stderr)
    return executor


def finish(exp: Experiment, specs: Sequence[RunSpec], extra: dict[str, Any] | None = None) -> pd.DataFrame:
    """Assemble ``runs.parquet`` and ``runs_summary.csv`` for ``specs``; write ``summary.json``; return the run summaries.

    The manifest is marked complete by `complete`, after the command's own tables and the report.
    """
    ids = [s.run_id for s in specs]
    summaries = exp.store.assemble(ids, weeks=FINAL_WEEKS)
    if not summaries.empty:
        summaries = summaries.sort_values("run_id").reset_index(drop=True)
    tmp = exp.folder / ".runs_summary.csv.tmp"
    summaries.to_csv(tmp, index=False)
    tmp.replace(exp.folder / "runs_summary.csv")
    failures = [f for f in exp.store.failures_list() if f["run_id"] in set(ids)]
    summary = {
        "kind": exp.kind,
        "plan": exp.plan.name,
        "runs": len(ids),
        "finished": len(ids) - len(failures),
        "failed": len(failures),
        "ran_now": exp.tally.ran,
        "already_done": len(ids) - exp.tally.ran if exp.args.resume else 0,
        "wall_seconds": round(time.perf_counter() - exp.started, 2),
        "failures": [{"run_id": f["run_id"], "scenario": f["scenario"], "seed": f["seed"], "error": f["error"]} for f in failures],
        **(extra or {}),
    }
    write_json(exp.folder / "summary.json", summary)
    return summaries


def complete(exp: Experiment) -> int:
    """Write the report (unless --no-report), mark the manifest complete, print where results went; the exit status."""
    if not exp.args.no_report:
        from experiments.reporting import write_report

        write_report(exp.folder)
    exp.store.finish(finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    summary = json.loads((exp.folder / "summary.json").read_text(encoding="utf-8"))
    failed = summary["failed"]
    note = f", {failed} FAILED (see summary.json)" if failed else ""
    print(f"{exp.kind} {exp.plan.name}: {summary['finished']} of {summary['runs']} runs finished{note}, {summary['wall_seconds']:.1f} s")
    print(f"results: {exp.folder}")
    return 0


def add_design_arguments(parser: argparse.ArgumentParser, samplers: str) -> None:
    """The plan argument, ``--reps`` and the experiment flags of sweep and sensitivity."""
    parser.add_argument("plan", metavar="PLAN.yaml", help=f"experiment plan with parameters and a {samplers} sampler")
    parser.add_argument("--reps", type=positive_int, help="replications per design point (default: the plan's)")
    add_experiment_flags(parser)


@dataclass
class DesignRun:
    """A finished design: the plan, its points (and unit-cube points), the folder and the per-run summaries."""

    plan: Plan
    points: Any
    unit: Any
    exp: Experiment
    summaries: pd.DataFrame


def run_design(args: argparse.Namespace, command: str) -> DesignRun:
    """Validate the plan, open the folder, run every design point and finish the run tables.

    Raises:
        PlanError: for a bad plan (before anything is written).
        BadInput: for bad flags or a resume that does not match.
    """
    plan = load_plan(args.plan, command=command, extra_overrides=set_overrides(args), seed=args.seed, steps=args.steps, replications=args.reps)
    points, unit = design_points(plan)
    exp = open_store(command, plan, args, settings={"points": len(points)})
    specs = runs_of(plan, points)
    with make_executor(args) as executor:
        run_specs(exp, specs, executor)
    summaries = finish(exp, specs, extra={"design_points": len(points), "sampler": plan.sampler.method})
    return DesignRun(plan, points, unit, exp, summaries)
