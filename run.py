#!/usr/bin/env python
"""Command line of the community public service simulator (DESIGN section 4).

    python run.py                      run scenarios/baseline.yaml
    python run.py run FILE [--seed N] [--steps N] [--set key=value]... [--out DIR]
    python run.py validate FILE...
    python run.py compare A.yaml B.yaml ... --reps N [--start-week W]
    python run.py sweep PLAN.yaml
    python run.py sensitivity PLAN.yaml
    python run.py report DIR
    python run.py ui [--port N] [--lesson FILE]
    python run.py classroom [--port N] [--public] [--lesson FILE] [--app-url URL]

Exit status: 0 success, 2 bad input (one line per error on stderr, nothing
written), 1 internal failure. This file only parses flags and calls the
library (``experiments``: the same functions a notebook calls); no argparse
object goes below it. ``ui`` is the app's own command (`app.launch`).
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app import launch
from classroom import launch as classroom_launch
from experiments import outputs, single, validate
from experiments.comparison import DEFAULT_MAX_REPS, DEFAULT_REPS, format_table
from experiments.errors import BadInput
from experiments.executors import MAX_WORKERS, SCHEDULER_ADDRESS, Dask, Executor, Local
from experiments.indices import ranked_text
from experiments.jobs import compare_job, design_job
from experiments.results import OutputExistsError, check_free, default_out
from experiments.runner import run_job
from sim import ScenarioError, parse_override
from sim.yamlsource import printable


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit status 2 (DESIGN section 4)."""

    def error(self, message: str) -> None:
        self.exit(2, f"{self.prog}: error: {printable(message)}\n")  # one line, however odd the flag's text


# ---------------------------------------------------------------------------
# Flag types


def _whole_number(text: str, what: str = "a whole number") -> int:
    """``int(text)``, or the argparse error every integer flag gives (the text cut at 80 characters)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text[:80]!r}") from None


def positive_int(text: str) -> int:
    """Argparse type: an integer >= 1."""
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def seed_int(text: str) -> int:
    """Argparse type: a seed, an integer in [0, 2**63 - 1]."""
    value = _whole_number(text)
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"expected a seed in [0, 2**63 - 1], got {value}")
    return value


def week_int(text: str) -> int:
    """Argparse type: a week, an integer >= 0 (whether it is below the horizon is checked with the plan)."""
    value = _whole_number(text, "a whole number of weeks")
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a week >= 0, got {value}")
    return value


def positive_float(text: str) -> float:
    """Argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def worker_count(text: str) -> int:
    """Argparse type: workers, an integer in [1, MAX_WORKERS] (a typo such as 40000 would fork-bomb the machine)."""
    value = positive_int(text)
    if value > MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"expected at most {MAX_WORKERS} workers, got {value}")
    return value


def scheduler_address(text: str) -> str:
    """Argparse type: a Dask scheduler address such as tcp://127.0.0.1:8786."""
    if not SCHEDULER_ADDRESS.fullmatch(text) or not 0 < int(text.rsplit(":", 1)[1]) < 65536:
        raise argparse.ArgumentTypeError(f"expected an address such as tcp://127.0.0.1:8786, got {text[:80]!r}")
    return text


def names(text: str | None) -> list[str] | None:
    """A comma-separated list of names, or None."""
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


# ---------------------------------------------------------------------------
# The parser


def _common_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=seed_int, help="random seed (default: the scenario's seed)")
    parser.add_argument("--steps", type=positive_int, help="weeks to simulate (default: the scenario's steps)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="override a scenario key, e.g. --set government.admin_tasks=40 (repeatable)")
    parser.add_argument("--out", help="results folder (default: results/<name>-<time>); must not exist or be empty")


def _experiment_flags(parser: argparse.ArgumentParser) -> None:
    _common_flags(parser)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--workers", type=worker_count, help=f"local worker processes (default: all cores, {os.cpu_count()} here)")
    group.add_argument("--dask-local", type=worker_count, metavar="N", help="run on a Dask LocalCluster of N worker processes on 127.0.0.1")
    group.add_argument("--scheduler", type=scheduler_address, metavar="tcp://HOST:PORT", help="run on an existing Dask cluster")
    parser.add_argument(
        "--start-week",
        type=week_int,
        metavar="W",
        help="policy start week: the first scenario (the status quo) runs W weeks once per seed, then each run takes over with its own levers (default: the plan's, else 0)",
    )
    parser.add_argument("--resume", action="store_true", help="finish the interrupted experiment in --out (same plan and flags): run only the missing runs")
    parser.add_argument("--quiet", action="store_true", help="no progress bar; print only where the results went")
    parser.add_argument("--no-report", action="store_true", help="skip the HTML report and figures (run.py report DIR writes them later)")


def _add_run(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", default="scenarios/baseline.yaml", help="scenario file (default: scenarios/baseline.yaml)")
    _common_flags(p)
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.add_argument("--quiet", action="store_true", help="print only where the results went")


def _add_validate(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario files or experiment plans to check")


def _add_compare(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="*", metavar="SCENARIO", help="scenario files; the first is the reference (e.g. scenarios/baseline.yaml)")
    p.add_argument("--plan", help="a comparison plan file (experiments/plans/*.yaml) instead of scenario files")
    reps = p.add_mutually_exclusive_group()
    reps.add_argument("--reps", type=positive_int, help=f"replications per scenario (default: the plan's, else {DEFAULT_REPS})")
    reps.add_argument("--precision", type=positive_float, metavar="X", help="add replications until every 95%% CI half-width of --precision-outcomes is at most X")
    p.add_argument("--max-reps", type=positive_int, default=DEFAULT_MAX_REPS, help=f"cap on replications with --precision (default {DEFAULT_MAX_REPS})")
    p.add_argument("--precision-outcomes", default="coverage", help="comma-separated outcomes --precision applies to (default: coverage)")
    p.add_argument("--outcomes", help="comma-separated outcomes to compare (default: the plan's, else the main ones)")
    _experiment_flags(p)


def _add_design(samplers: str) -> Callable[[argparse.ArgumentParser], None]:
    def add(p: argparse.ArgumentParser) -> None:
        p.add_argument("plan", metavar="PLAN.yaml", help=f"experiment plan with parameters and a {samplers} sampler")
        p.add_argument("--reps", type=positive_int, help="replications per design point (default: the plan's)")
        p.add_argument("--outcomes", help="comma-separated outcomes to analyse (default: the plan's)")
        _experiment_flags(p)

    return add


def _add_report(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", metavar="DIR", help="an experiment folder written by compare, sweep or sensitivity")


# ---------------------------------------------------------------------------
# Commands: flags in, library call, exit status out


def _sets(texts: list[str]) -> dict[str, Any]:
    """The ``--set`` flags as dotted overrides (BadInput for a malformed one)."""
    overrides: dict[str, Any] = {}
    errors = []
    for i, text in enumerate(texts, start=1):
        try:
            key, value = parse_override(text, i)
        except ScenarioError as exc:
            errors.extend(exc.lines())
            continue
        overrides[key] = value
    if errors:
        raise BadInput(errors)
    return overrides


def cmd_run(args: argparse.Namespace) -> int:
    """``run``: one scenario, one results folder."""
    overrides = _sets(args.overrides)
    if args.steps is not None:
        overrides["steps"] = args.steps
    single.run_file(args.file, seed=args.seed, overrides=overrides, out=args.out, figures=not args.no_figures, quiet=args.quiet)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """``validate``: check files without running them."""
    errors = validate.check_files(args.files)
    if errors:
        raise BadInput(errors)
    return 0


def _executor(args: argparse.Namespace) -> Executor:
    if args.scheduler:
        return Dask(address=args.scheduler)
    if args.dask_local:
        return Dask(workers=args.dask_local)
    return Local(args.workers)


def _experiment(job, args: argparse.Namespace):
    """Run a validated job on the executor the flags ask for; print where it ran and what it found."""
    if args.resume and not args.out:
        raise BadInput([f"run.py {job.kind}: --resume needs --out DIR, the folder of the interrupted experiment"])
    out = Path(args.out) if args.out else default_out(f"{job.kind}-{job.plan.name}")
    if not args.resume:
        try:
            check_free(out)  # before a Dask cluster starts (run_job checks again)
        except OutputExistsError as exc:
            raise BadInput([f"{exc} (or add --resume to finish an interrupted experiment there)"]) from None
    executor = _executor(args)
    try:
        if not args.quiet:
            executor.start()  # so that the label names the workers and the dashboard is known
            dashboard = getattr(executor, "dashboard", None)
            print(f"running on {executor.label}" + (f"; dashboard {dashboard}" if dashboard else ""), file=sys.stderr)
        result = run_job(job, executor=executor, out=out, resume=args.resume, progress=not args.quiet, report=not args.no_report)
    finally:
        executor.close()
    stop = result.summary.get("stopping", {})
    if not args.quiet and stop.get("reason"):
        print(f"stopped at {stop['replications']} replications: {stop['reason']} (widest 95% CI half-width {stop['history'][-1]['widest_half_width']:.4g}, target {stop['target']:g})")
    return result


def _finished(result, text: str | None, quiet: bool) -> int:
    summary = result.summary
    if text and not quiet:
        print(text)
    note = f", {summary['failed']} FAILED (see summary.json)" if summary["failed"] else ""
    print(f"{result.kind} {result.name}: {summary['finished']} of {summary['runs']} runs finished{note}, {summary['wall_seconds']:.1f} s")
    print(f"results: {result.folder}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """``compare``: replicated comparison on common random numbers."""
    if args.plan and args.files:
        raise BadInput(["run.py compare: give scenario files or --plan, not both"])
    if not args.plan and len(args.files) < 2:
        raise BadInput(["run.py compare: needs two or more scenario files (the first is the reference) or --plan PLAN.yaml"])
    precise = args.precision is not None
    job = compare_job(
        args.plan or list(args.files),
        reps=args.reps,
        precision=args.precision,
        max_reps=args.max_reps if precise else None,
        precision_outcomes=names(args.precision_outcomes) if precise else None,
        outcomes=names(args.outcomes),
        steps=args.steps,
        seed=args.seed,
        overrides=_sets(args.overrides),
        start_week=args.start_week,
        origin="<command line>",
    )
    result = _experiment(job, args)
    return _finished(result, format_table(result.table) if not result.table.empty else None, args.quiet)


def _design(kind: str) -> Callable[[argparse.Namespace], int]:
    def command(args: argparse.Namespace) -> int:
        job = design_job(
            kind,
            args.plan,
            reps=args.reps,
            outcomes=names(args.outcomes),
            steps=args.steps,
            seed=args.seed,
            overrides=_sets(args.overrides),
            start_week=args.start_week,
            origin="<command line>",
        )
        result = _experiment(job, args)
        missing = result.summary.get("points_without_runs")
        if missing:
            print(f"sensitivity: {missing} design points have no finished run; indices cannot be computed (see summary.json)")
        text = ranked_text(result.table) if kind == "sensitivity" and not result.table.empty else None
        return _finished(result, text, args.quiet)

    command.__doc__ = f"``{kind}``: a design from a plan."
    return command


def cmd_report(args: argparse.Namespace) -> int:
    """``report``: rebuild the HTML report of a finished experiment folder."""
    folder = Path(args.folder)
    result = outputs.load(folder)
    if not result.complete:
        raise BadInput([f"{folder}: the experiment has not finished (no runs.parquet); finish it with the same command and --resume --out {folder}"])
    print(f"report: {result.report()}")
    return 0


#: Command name -> (add its flags, run it, one-line help).
COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int], str]] = {
    "run": (_add_run, cmd_run, "run one scenario and write a results folder"),
    "validate": (_add_validate, cmd_validate, "check scenario files without running them"),
    "compare": (_add_compare, cmd_compare, "compare scenarios with replications and confidence intervals"),
    "sweep": (_add_design("grid or lhs"), _design("sweep"), "run a parameter sweep from an experiment plan"),
    "sensitivity": (_add_design("sobol or morris"), _design("sensitivity"), "Sobol or Morris sensitivity analysis from a plan"),
    "report": (_add_report, cmd_report, "write the HTML report of a results folder"),
    "ui": (launch.add_arguments, launch.main, "start the teaching app in the browser"),
    "classroom": (classroom_launch.add_arguments, classroom_launch.main, "start a class session: a policy tournament and guided lessons (docs/classroom.md)"),
}


def build_parser() -> argparse.ArgumentParser:
    """The full command-line parser."""
    parser = _Parser(prog="run.py", description="Simulate community public services under policy scenarios.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    for name, (add, _, help_text) in COMMANDS.items():
        add(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the command; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        argv = ["run", "scenarios/baseline.yaml"]
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    previous = signal.signal(signal.SIGTERM, _terminated) if threading.current_thread() is threading.main_thread() else None
    try:
        return COMMANDS[args.command][1](args)
    except BadInput as exc:
        for line in exc.lines():
            print(printable(line, 2000), file=sys.stderr)  # control characters escaped, very long lines cut
        return 2
    except KeyboardInterrupt:
        print("run.py: interrupted; nothing half-written is left looking complete (compare, sweep and sensitivity: add --resume to finish)", file=sys.stderr)
        return 130
    except ConnectionError as exc:  # a Dask scheduler unreachable or lost
        print(f"run.py: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a full disk, a folder made read-only or removed while running
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"run.py: cannot write results: {exc.strerror or exc}{where}; nothing half-written is left looking complete", file=sys.stderr)
        return 1
    except Exception as exc:  # internal failure: one line, no traceback (set SIM_DEBUG=1 for one)
        if os.environ.get("SIM_DEBUG"):
            traceback.print_exc()
        print(f"run.py: internal error: {type(exc).__name__}: {exc} (set SIM_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _terminated(signum, frame) -> None:
    """SIGTERM ends a command as Ctrl-C does: temporary files removed, one line, exit 130."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
